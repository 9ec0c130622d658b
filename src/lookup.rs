//! Finding things in a [`Dataset`] by what a person typed — an indicator id, a level, an IMD
//! edition, an area code, a locality — each with one rule and one error that lists what exists.
//!
//! Every caller (the gap-table engine, the public face, the HTTP handlers, the CLI) goes through
//! these functions, so "is this level available for this indicator" is decided in one place.
//! Messages say what to ask for without naming a CLI flag or a query parameter: the HTTP layer
//! and the CLI both show them as they are.

use crate::dataset::{Area, Dataset, Indicator, Layer};
use crate::imd::ImdEdition;
use crate::level::Level;

/// Something asked for that the dataset does not hold.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LookupError {
    #[error("unknown indicator {id:?}; available: {available}")]
    UnknownIndicator { id: String, available: String },
    #[error("level {given:?} is not loaded; loaded levels: {loaded}")]
    UnknownLevel { given: String, loaded: String },
    #[error("indicator {indicator} is published for level {available} only, not {requested}; ask for level {available}")]
    LevelNotAvailable {
        indicator: String,
        requested: Level,
        available: Level,
    },
    #[error("{edition} is not loaded for level {level}; available: {available}")]
    EditionNotAvailable {
        edition: &'static str,
        level: Level,
        available: String,
    },
    #[error("no area has code {code:?} in any loaded level ({levels})")]
    UnknownArea { code: String, levels: String },
    #[error("unknown locality {given:?}; localities: {available}")]
    UnknownLocality { given: String, available: String },
    #[error("indicator {indicator} has no period {given:?}; periods: {available}")]
    UnknownPeriod {
        indicator: String,
        given: String,
        available: String,
    },
}

fn join<T: AsRef<str>>(items: impl IntoIterator<Item = T>) -> String {
    let list: Vec<String> = items.into_iter().map(|s| s.as_ref().to_string()).collect();
    if list.is_empty() {
        "none".into()
    } else {
        list.join(", ")
    }
}

/// The loaded levels, for messages.
fn loaded_levels(dataset: &Dataset) -> String {
    join(dataset.levels().iter().map(|l| l.as_str()))
}

/// A level given as text (aliases accepted, see [`Level`]'s `FromStr`) that must be loaded.
pub fn level(dataset: &Dataset, given: &str) -> Result<Level, LookupError> {
    match given.parse::<Level>() {
        Ok(level) if dataset.layer(level).is_some() => Ok(level),
        _ => Err(LookupError::UnknownLevel {
            given: given.to_string(),
            loaded: loaded_levels(dataset),
        }),
    }
}

/// The layer of a loaded level.
pub fn layer(dataset: &Dataset, level: Level) -> Result<&Layer, LookupError> {
    dataset
        .layer(level)
        .ok_or_else(|| LookupError::UnknownLevel {
            given: level.as_str().to_string(),
            loaded: loaded_levels(dataset),
        })
}

/// An indicator by id.
pub fn indicator<'a>(dataset: &'a Dataset, id: &str) -> Result<&'a Indicator, LookupError> {
    dataset
        .indicator(id)
        .ok_or_else(|| LookupError::UnknownIndicator {
            id: id.to_string(),
            available: join(dataset.indicator_ids()),
        })
}

/// An indicator whose values are asked for at `level` (default: its own level). Values are
/// published at the indicator's own level only.
pub fn indicator_at<'a>(
    dataset: &'a Dataset,
    id: &str,
    level: Option<Level>,
) -> Result<&'a Indicator, LookupError> {
    let found = indicator(dataset, id)?;
    match level {
        Some(requested) if requested != found.meta.level => Err(LookupError::LevelNotAvailable {
            indicator: found.meta.id.clone(),
            requested,
            available: found.meta.level,
        }),
        _ => Ok(found),
    }
}

/// An indicator at `level` (as [`indicator_at`]) in `period` (default: its latest), as that
/// period's values and comparators ([`Indicator::in_period`]).
pub fn indicator_in<'a>(
    dataset: &'a Dataset,
    id: &str,
    level: Option<Level>,
    period: Option<&str>,
) -> Result<std::borrow::Cow<'a, Indicator>, LookupError> {
    let found = indicator_at(dataset, id, level)?;
    found
        .in_period(period)
        .ok_or_else(|| LookupError::UnknownPeriod {
            indicator: found.meta.id.clone(),
            given: period.unwrap_or_default().to_string(),
            available: join(found.periods()),
        })
}

/// The IMD edition to use on a layer: the requested one, which must be loaded there; else the
/// level's native edition if loaded; else the first loaded; `None` when the layer has no IMD.
pub fn edition(
    layer: &Layer,
    requested: Option<ImdEdition>,
) -> Result<Option<ImdEdition>, LookupError> {
    if let Some(e) = requested {
        if !layer.imd_editions.contains(&e) {
            return Err(LookupError::EditionNotAvailable {
                edition: e.as_str(),
                level: layer.level,
                available: join(layer.imd_editions.iter().map(|e| e.as_str())),
            });
        }
        return Ok(Some(e));
    }
    let native = layer.level.native_imd();
    Ok(if layer.imd_editions.contains(&native) {
        Some(native)
    } else {
        layer.imd_editions.first().copied()
    })
}

/// An area by code in any layer (codes are unique across levels; case-insensitive).
pub fn area<'a>(dataset: &'a Dataset, code: &str) -> Result<(Level, &'a Area), LookupError> {
    let code = code.trim();
    let upper = code.to_ascii_uppercase();
    dataset
        .layers
        .iter()
        .find_map(|l| l.get(code).map(|a| (l.level, a)))
        .or_else(|| {
            dataset
                .layers
                .iter()
                .find_map(|l| l.get(&upper).map(|a| (l.level, a)))
        })
        .ok_or_else(|| LookupError::UnknownArea {
            code: code.to_string(),
            levels: loaded_levels(dataset),
        })
}

/// The locality names, sorted.
pub fn locality_names(dataset: &Dataset) -> Vec<&str> {
    let mut names: Vec<&str> = dataset
        .layer(Level::Locality)
        .map(|l| l.areas.iter().map(|a| a.name.as_str()).collect())
        .unwrap_or_default();
    names.sort_unstable();
    names
}

/// A locality given by name (any case) or by its code (`LOC-…`); returns its name, the value
/// areas carry in [`Area::locality`].
pub fn locality<'a>(dataset: &'a Dataset, given: &str) -> Result<&'a str, LookupError> {
    let wanted = given.trim();
    dataset
        .layer(Level::Locality)
        .and_then(|l| {
            l.areas.iter().find(|a| {
                a.code.eq_ignore_ascii_case(wanted) || a.name.eq_ignore_ascii_case(wanted)
            })
        })
        .map(|a| a.name.as_str())
        .ok_or_else(|| LookupError::UnknownLocality {
            given: given.to_string(),
            available: join(locality_names(dataset)),
        })
}

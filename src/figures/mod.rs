//! Figures of the Dataset: the adapters that turn the Dataset and its public (suppressed)
//! values into the plain inputs of the pure renderers in [`crate::render`].
//!
//! - [`map`]: [`map::MapRequest`] → [`crate::render::map::MapSpec`], and
//!   [`map::render_map_png`], the function behind `GET /api/map.png`.
//! - [`chart`]: a public [`crate::gaps::GapTable`] → [`crate::render::chart::ChartSpec`],
//!   drawing the server's chart geometry (shares, rank midpoints, SII line).
//!
//! Only the public face reaches a figure: values, classes and colours from
//! [`crate::public::PublicDataset`] (its values and `/api/legend`) and chart values from its
//! gap tables, so a suppressed value is never drawn or labelled.

pub mod chart;
pub mod map;

use crate::dataset::{Area, Dataset, Indicator};
use crate::level::Level;

/// Why a figure could not be made; every variant says what to change.
#[derive(Debug, thiserror::Error)]
pub enum FigureError {
    #[error("unknown indicator {id:?}; available: {available}")]
    UnknownIndicator { id: String, available: String },
    #[error("level {level} is not loaded in this dataset; loaded levels: {loaded}")]
    LevelNotLoaded { level: Level, loaded: String },
    #[error("indicator {indicator} has values at level {available} only, not {requested}; use level {available}")]
    IndicatorLevel {
        indicator: String,
        requested: Level,
        available: Level,
    },
    #[error("unknown locality {name:?}; available: {available}")]
    UnknownLocality { name: String, available: String },
    #[error("this dataset has no localities (no [localities] in the config)")]
    NoLocalities,
    #[error("image size {width}×{height} px at pixel ratio {ratio} is out of range: width and height 200 to 4096 px, ratio 1 to 4")]
    BadSize { width: u32, height: u32, ratio: f32 },
    #[error("the legend of {layer} has a colour that is not #rrggbb: {colour:?}")]
    BadColour { layer: String, colour: String },
    #[error(transparent)]
    Lookup(#[from] crate::lookup::LookupError),
    #[error(transparent)]
    Public(#[from] crate::public::PublicError),
    #[error(transparent)]
    Render(#[from] crate::render::RenderError),
}

impl FigureError {
    /// True when the request is at fault (CLI exit 2, HTTP 400).
    pub fn is_input_error(&self) -> bool {
        match self {
            FigureError::Render(_) | FigureError::BadColour { .. } => false,
            FigureError::Public(e) => e.is_input_error(),
            _ => true,
        }
    }
}

/// An indicator by id, or an error listing the ids there are.
pub fn find_indicator<'a>(dataset: &'a Dataset, id: &str) -> Result<&'a Indicator, FigureError> {
    dataset
        .indicator(id)
        .ok_or_else(|| FigureError::UnknownIndicator {
            id: id.to_string(),
            available: dataset.indicator_ids().join(", "),
        })
}

/// The locality areas of the dataset (the dissolved locality layer), in name order.
pub fn localities(dataset: &Dataset) -> Vec<&Area> {
    let mut out: Vec<&Area> = dataset
        .layer(Level::Locality)
        .map(|l| l.areas.iter().collect())
        .unwrap_or_default();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Find a locality by name or code, ignoring case ("north", "North", "LOC-north").
pub fn find_locality<'a>(dataset: &'a Dataset, query: &str) -> Result<&'a Area, FigureError> {
    let all = localities(dataset);
    if all.is_empty() {
        return Err(FigureError::NoLocalities);
    }
    let wanted = query.trim();
    all.iter()
        .find(|a| a.name.eq_ignore_ascii_case(wanted) || a.code.eq_ignore_ascii_case(wanted))
        .copied()
        .ok_or_else(|| FigureError::UnknownLocality {
            name: query.to_string(),
            available: all
                .iter()
                .map(|a| a.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// The locality id areas carry ([`Area::locality`]) for a locality area.
pub fn locality_id(locality: &Area) -> &str {
    locality.locality.as_deref().unwrap_or(&locality.name)
}

//! Demand from the Dataset: one point per LSOA (2011 or 2021) at its population-weighted
//! centre ([`super::centre`]), weighted by the children of an age band × need.
//!
//! Need (selectable, and written into every output):
//! - `children`: 1 (every child counts the same).
//! - `imd-score`: the LSOA's IMD score (0–100 scale of the IoD; higher = more deprived).
//! - `imd-decile`: `11 − national IMD decile`, so decile 1 (most deprived 10% of England)
//!   weighs 10 and decile 10 weighs 1.
//! - `indicator:ID`: the indicator's excess over England in its "worse" direction, floored at
//!   zero: `max(0, value − England)` for higher-is-worse, `max(0, England − value)` for
//!   higher-is-better, divided by the indicator's multiplier, so `children × need` is the
//!   expected number of *excess* children affected. An MSOA indicator applies to the LSOAs
//!   of that MSOA (nesting from the postcodes, [`super::centre::parents`]). Only the public
//!   value is used ([`crate::public`]): an area whose value is withheld to protect a small
//!   count gets no excess, so the placement output cannot reveal it.
//! - `unmet:SERVICE[:NEED]`: **unmet need** — the need (any of the above; default `children`)
//!   that a service's contacts have not reached. SERVICE is a loaded reach indicator (its id,
//!   e.g. `reach-family-hub`, or its service name) with `r` = its public value ÷ its multiplier,
//!   i.e. contacts per child of the service's age band. The weight is
//!   `children × need × (1 − min(1, r))`: need minus the need reached, counting each contact
//!   as a different child and contacts as falling on children in need no more and no less
//!   often than on other children (no targeting assumed). Repeat contacts make `r` overstate
//!   the children reached, so this is a *lower* bound on unmet need; an area reached at one
//!   contact per child or more has no unmet need. An area whose reach is withheld to protect
//!   a small count (1–4 contacts) counts as not reached (`r = 0`, a constant that reveals
//!   nothing about the hidden count). Reach at MSOA level applies to the LSOAs of that MSOA.

use super::centre::{area_centres, describe, parents};
use super::error::PlaceError;
use super::instance::DemandPoint;
use crate::dataset::{Dataset, Indicator, Layer, Polarity};
use crate::imd::ImdEdition;
use crate::level::Level;
use crate::public::PublicIndicator;
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// Ages `from..=to` (both 0–19), e.g. "0-4".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AgeBand {
    pub from: u8,
    pub to: u8,
}

impl Default for AgeBand {
    fn default() -> Self {
        AgeBand { from: 0, to: 4 }
    }
}

impl fmt::Display for AgeBand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.from, self.to)
    }
}

impl FromStr for AgeBand {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("age band {s:?}: expected FROM-TO with 0 ≤ FROM ≤ TO ≤ 19, e.g. 0-4");
        let (a, b) = s.trim().split_once('-').ok_or_else(bad)?;
        let from: u8 = a.trim().parse().map_err(|_| bad())?;
        let to: u8 = b.trim().parse().map_err(|_| bad())?;
        if from > to || to > 19 {
            return Err(bad());
        }
        Ok(AgeBand { from, to })
    }
}

/// What makes a child's need count more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Need {
    Children,
    ImdScore,
    ImdDecile,
    /// Excess over England of this indicator.
    Indicator(String),
    /// The need `base` not reached by `service` (a reach indicator id or service name).
    Unmet {
        service: String,
        base: Box<Need>,
    },
}

impl fmt::Display for Need {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Need::Children => f.write_str("children"),
            Need::ImdScore => f.write_str("imd-score"),
            Need::ImdDecile => f.write_str("imd-decile"),
            Need::Indicator(id) => write!(f, "indicator:{id}"),
            Need::Unmet { service, base } => match base.as_ref() {
                Need::Children => write!(f, "unmet:{service}"),
                base => write!(f, "unmet:{service}:{base}"),
            },
        }
    }
}

impl FromStr for Need {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "children" => Ok(Need::Children),
            "imd-score" | "imd" => Ok(Need::ImdScore),
            "imd-decile" => Ok(Need::ImdDecile),
            other => {
                if let Some(rest) = other.strip_prefix("unmet:") {
                    let (service, base) = match rest.split_once(':') {
                        Some((service, base)) => (service.trim(), base.parse::<Need>()?),
                        None => (rest.trim(), Need::Children),
                    };
                    if service.is_empty() || matches!(base, Need::Unmet { .. }) {
                        return Err(format!(
                            "need {other:?}: expected unmet:SERVICE or unmet:SERVICE:NEED, e.g. unmet:reach-family-hub:imd-score"
                        ));
                    }
                    return Ok(Need::Unmet {
                        service: service.to_string(),
                        base: Box::new(base),
                    });
                }
                match other.strip_prefix("indicator:") {
                    Some(id) if !id.trim().is_empty() => Ok(Need::Indicator(id.trim().to_string())),
                    _ => Err(format!(
                        "unknown need {other:?}; expected children, imd-score, imd-decile, indicator:ID or unmet:SERVICE[:NEED]"
                    )),
                }
            }
        }
    }
}

/// Which IMD quintiles the by-quintile tables and the equity model use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Quintiles {
    /// National IMD quintile of the LSOA (1 = most deprived 20% of England's LSOAs).
    National,
    /// Quintile within the area of interest (~20% of its population each).
    Local,
}

/// What demand to build.
#[derive(Debug, Clone, PartialEq)]
pub struct DemandSpec {
    /// lsoa11 or lsoa21.
    pub level: Level,
    pub ages: AgeBand,
    pub need: Need,
    /// IMD edition for need and quintiles (default: the level's native edition).
    pub edition: Option<ImdEdition>,
    pub quintiles: Quintiles,
}

/// How the demand was built, for every output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemandInfo {
    pub source: String,
    pub level: Option<Level>,
    pub points: usize,
    pub ages: Option<String>,
    /// e.g. "imd-score".
    pub need: String,
    /// e.g. "children aged 0-4 × IMD 2019 score".
    pub weight_label: String,
    pub quintiles: Option<String>,
    /// How the points were placed.
    pub centres: String,
    /// True when the need comes from a synthetic indicator.
    pub synthetic: bool,
    pub notes: Vec<String>,
}

/// Demand points from the Dataset.
pub fn dataset_demand(
    dataset: &Dataset,
    spec: &DemandSpec,
) -> Result<(Vec<DemandPoint>, DemandInfo), PlaceError> {
    if !matches!(spec.level, Level::Lsoa11 | Level::Lsoa21) {
        return Err(PlaceError::Spec(format!(
            "demand is one point per LSOA: --level must be lsoa11 or lsoa21, not {}",
            spec.level
        )));
    }
    let layer = dataset
        .layer(spec.level)
        .ok_or_else(|| PlaceError::missing_layer(dataset, spec.level, "demand"))?;
    let edition = spec.edition.unwrap_or(spec.level.native_imd());
    let centres = area_centres(dataset, layer);
    let mut notes = Vec::new();
    let mut synthetic = false;

    let (mut need, need_label) = need_per_child(
        dataset,
        layer,
        spec.level,
        edition,
        &spec.need,
        &mut notes,
        &mut synthetic,
    )?;

    let mut points = Vec::with_capacity(layer.areas.len());
    let (mut no_population, mut no_imd) = (0, 0);
    for ((area, centre), need) in layer.areas.iter().zip(&centres).zip(need.iter_mut()) {
        let Some(population) = &area.population else {
            no_population += 1;
            continue;
        };
        let imd = area.imd(edition);
        let Some(need) = need.take() else {
            no_imd += 1;
            continue;
        };
        let children =
            f64::from(population.ages(usize::from(spec.ages.from), usize::from(spec.ages.to)));
        points.push(DemandPoint {
            id: area.code.clone(),
            name: area.name.clone(),
            x: centre.x,
            y: centre.y,
            lonlat: Some([centre.lon, centre.lat]),
            weight: children * need,
            quintile: imd.map(|m| match spec.quintiles {
                Quintiles::National => m.quintile,
                Quintiles::Local => m.local_quintile,
            }),
            children: Some(children),
        });
    }
    if no_population > 0 {
        notes.push(format!(
            "{no_population} LSOAs have no population estimate and are left out."
        ));
    }
    if no_imd > 0 {
        notes.push(format!(
            "{no_imd} LSOAs have no {} and are left out.",
            edition.label()
        ));
    }
    if points.is_empty() {
        return Err(PlaceError::EmptyDemand);
    }
    let info = DemandInfo {
        source: format!("{} ({})", dataset.meta.name, spec.level.label()),
        level: Some(spec.level),
        points: points.len(),
        ages: Some(spec.ages.to_string()),
        need: spec.need.to_string(),
        weight_label: format!("children aged {} × {need_label}", spec.ages),
        quintiles: Some(match spec.quintiles {
            Quintiles::National => format!(
                "national {} quintile (1 = most deprived 20% of England's areas)",
                edition.label()
            ),
            Quintiles::Local => format!(
                "local {} quintile within {} (~20% of its population each)",
                edition.label(),
                dataset.meta.name
            ),
        }),
        centres: describe(&centres),
        synthetic,
        notes,
    };
    Ok((points, info))
}

/// Each area's need per child (`None`: the area has no IMD and is left out) and its label.
fn need_per_child(
    dataset: &Dataset,
    layer: &Layer,
    level: Level,
    edition: ImdEdition,
    need: &Need,
    notes: &mut Vec<String>,
    synthetic: &mut bool,
) -> Result<(Vec<Option<f64>>, String), PlaceError> {
    let need_label;
    let need: Vec<Option<f64>> = match need {
        Need::Children => {
            need_label = "1 (children only)".to_string();
            vec![Some(1.0); layer.areas.len()]
        }
        Need::ImdScore => {
            need_label = format!("{} score", edition.label());
            layer
                .areas
                .iter()
                .map(|a| a.imd(edition).map(|m| m.score))
                .collect()
        }
        Need::ImdDecile => {
            need_label = format!("(11 − national {} decile)", edition.label());
            layer
                .areas
                .iter()
                .map(|a| a.imd(edition).map(|m| f64::from(11 - m.decile.min(10))))
                .collect()
        }
        Need::Indicator(id) => {
            let indicator = dataset.indicator(id).ok_or_else(|| {
                PlaceError::Spec(format!(
                    "unknown indicator {id:?}; the dataset has: {}",
                    dataset.indicator_ids().join(", ")
                ))
            })?;
            let meta = &indicator.meta;
            *synthetic |= meta.synthetic;
            let england = indicator.england.as_ref().and_then(|c| c.value).ok_or_else(|| {
                PlaceError::Spec(format!("indicator {id} has no England value, so its excess over England is undefined"))
            })?;
            let sign = match meta.polarity {
                Polarity::HigherIsWorse => 1.0,
                Polarity::HigherIsBetter => -1.0,
                Polarity::NotApplicable => {
                    return Err(PlaceError::Spec(format!(
                        "indicator {id} has no polarity (higher is neither better nor worse), so it has no excess; set polarity in the config"
                    )))
                }
            };
            let public = public_values(dataset, layer, level, indicator)?;
            let multiplier = multiplier(meta);
            let withheld = public.iter().filter(|v| v.is_none()).count();
            let values: Vec<Option<f64>> = public
                .iter()
                .map(|value| {
                    Some(value.map_or(0.0, |v| (sign * (v - england)).max(0.0) / multiplier))
                })
                .collect();
            if withheld == public.len() {
                return Err(PlaceError::Spec(format!(
                    "no LSOA has a public value of indicator {id} (all are withheld to protect small counts, or missing), so it gives no need to place by; choose another --need"
                )));
            }
            if withheld > 0 {
                notes.push(format!(
                    "{withheld} of {} LSOAs have no public value of indicator {id} (withheld to protect small counts, or missing): their excess counts as 0",
                    layer.areas.len()
                ));
            }
            if meta.synthetic {
                notes.push(format!("Need uses indicator {id}, which is SYNTHETIC demonstration data, not official statistics."));
            }
            need_label = format!(
                "excess of {} ({id}) over England's {england}{} in the worse direction, ÷ {multiplier}, floored at 0 (weight = expected excess children affected)",
                meta.short_name, meta.unit
            );
            values
        }
        Need::Unmet { service, base } => {
            let (base_need, base_label) =
                need_per_child(dataset, layer, level, edition, base, notes, synthetic)?;
            let summary = dataset
                .reach
                .iter()
                .find(|r| r.indicator_id == *service || r.service.eq_ignore_ascii_case(service))
                .ok_or_else(|| {
                    PlaceError::Spec(format!(
                        "need unmet:{service}: no service-use records of {service:?} are loaded; services: {}",
                        if dataset.reach.is_empty() {
                            "none".to_string()
                        } else {
                            dataset
                                .reach
                                .iter()
                                .map(|r| format!("{} ({})", r.indicator_id, r.service))
                                .collect::<Vec<_>>()
                                .join(", ")
                        }
                    ))
                })?;
            let indicator = dataset.indicator(&summary.indicator_id).ok_or_else(|| {
                PlaceError::Spec(format!(
                    "need unmet:{service}: the reach indicator {} is not in the dataset",
                    summary.indicator_id
                ))
            })?;
            *synthetic |= summary.synthetic;
            let reach = public_values(dataset, layer, level, indicator)?;
            let per_child = multiplier(&indicator.meta);
            let withheld = reach.iter().filter(|v| v.is_none()).count();
            if withheld > 0 {
                notes.push(format!(
                    "{withheld} of {} LSOAs have no public reach of {} (withheld to protect small counts, or missing): they count as not reached",
                    layer.areas.len(),
                    summary.service
                ));
            }
            if summary.synthetic {
                notes.push(format!(
                    "Unmet need uses the reach of {}, which is SYNTHETIC demonstration data, not official statistics.",
                    summary.service
                ));
            }
            need_label = format!(
                "{base_label} × (1 − min(1, {} contacts per child aged {})) (unmet need: the need not reached, counting each contact as a different child)",
                summary.service, summary.ages
            );
            base_need
                .iter()
                .zip(&reach)
                .map(|(need, reach)| {
                    let reached = reach.map_or(0.0, |r| (r / per_child).clamp(0.0, 1.0));
                    need.map(|n| n * (1.0 - reached))
                })
                .collect()
        }
    };
    Ok((need, need_label))
}

/// An indicator's multiplier (what its values are per), 1 when unset.
fn multiplier(meta: &crate::dataset::IndicatorMeta) -> f64 {
    if meta.multiplier > 0.0 {
        meta.multiplier
    } else {
        1.0
    }
}

/// The public value of `indicator` for each area of `layer` (an indicator at a coarser level
/// applies to the areas nested in it); `None` where the value is withheld or missing.
fn public_values(
    dataset: &Dataset,
    layer: &Layer,
    level: Level,
    indicator: &Indicator,
) -> Result<Vec<Option<f64>>, PlaceError> {
    let meta = &indicator.meta;
    let codes: Vec<Option<String>> = if meta.level == level {
        layer.areas.iter().map(|a| Some(a.code.clone())).collect()
    } else {
        let parent = dataset.layer(meta.level).ok_or_else(|| {
            PlaceError::missing_layer(dataset, meta.level, &format!("indicator {}", meta.id))
        })?;
        parents(dataset, layer, parent)
    };
    let public = PublicIndicator::new(dataset, indicator);
    Ok(codes
        .iter()
        .map(|code| {
            code.as_deref()
                .and_then(|c| public.value(c))
                .and_then(|v| v.figures.value)
        })
        .collect())
}

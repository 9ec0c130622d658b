//! Gap tables: an indicator's areas grouped by deprivation (national IMD decile or quintile,
//! local quintile), by locality or area by area, with each group's value and intervals,
//! comparisons with England and the county, the absolute and relative gap between the most
//! and least deprived groups, and the SII/RII.
//!
//! Everything returned from here is **public-safe**: small counts and whatever would reveal
//! them are already suppressed ([`crate::stats::suppress`]). The statistics themselves live in
//! [`crate::stats`]; this module joins them to the [`Dataset`]. Output formats live in
//! [`crate::export`]; the `gapmap gaps` arguments in [`cli`].

pub mod cli;
mod table;

use crate::dataset::{Comparator, Dataset, IndicatorMeta};
use crate::imd::ImdEdition;
use crate::level::Level;
use crate::stats::significance::Comparison;
use crate::stats::{sii::DEFAULT_SEED, StatsError};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

pub use crate::stats::Estimate;
pub use table::{compare_area, gap_table, suppressed_areas};

/// How areas are grouped into rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GroupBy {
    /// National IMD decile of each area (1 = most deprived 10% of areas in England).
    ImdDecile,
    /// National IMD quintile.
    ImdQuintile,
    /// Quintile within the area of interest, by population (1 = most deprived).
    LocalQuintile,
    /// User-defined localities.
    Locality,
    /// One row per area.
    Area,
}

impl GroupBy {
    pub const ALL: [GroupBy; 5] = [
        GroupBy::ImdDecile,
        GroupBy::ImdQuintile,
        GroupBy::LocalQuintile,
        GroupBy::Locality,
        GroupBy::Area,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::ImdDecile => "imd-decile",
            GroupBy::ImdQuintile => "imd-quintile",
            GroupBy::LocalQuintile => "local-quintile",
            GroupBy::Locality => "locality",
            GroupBy::Area => "area",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            GroupBy::ImdDecile => "National IMD decile",
            GroupBy::ImdQuintile => "National IMD quintile",
            GroupBy::LocalQuintile => "Local deprivation quintile",
            GroupBy::Locality => "Locality",
            GroupBy::Area => "Area",
        }
    }

    /// All identifiers, for error messages.
    pub fn allowed() -> String {
        Self::ALL.map(|g| g.as_str()).join(", ")
    }
}

impl fmt::Display for GroupBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown `--by` value; lists the allowed ones.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("unknown grouping {0:?}; expected one of: {allowed}", allowed = GroupBy::allowed())]
pub struct UnknownGroupBy(pub String);

impl FromStr for GroupBy {
    type Err = UnknownGroupBy;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace('_', "-");
        GroupBy::ALL
            .into_iter()
            .find(|g| g.as_str() == wanted)
            .ok_or_else(|| UnknownGroupBy(s.to_string()))
    }
}

/// What gap table to compute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GapRequest {
    /// Indicator id, e.g. "990001".
    pub indicator: String,
    pub by: GroupBy,
    /// Must be the indicator's own level (`IndicatorMeta::level`).
    pub level: Level,
    /// IMD edition for deprivation groups; default: the level's native edition.
    pub edition: Option<ImdEdition>,
    /// Monte Carlo replicates for the SII/RII intervals.
    pub reps: u32,
    pub seed: u64,
}

impl Default for GapRequest {
    /// National quintiles at MSOA 2011 (the shipped Durham default level), 100,000 replicates,
    /// the fixed [`DEFAULT_SEED`]. Use [`GapRequest::for_indicator`] to take the level from
    /// the indicator.
    fn default() -> Self {
        GapRequest {
            indicator: String::new(),
            by: GroupBy::ImdQuintile,
            level: Level::Msoa11,
            edition: None,
            reps: 100_000,
            seed: DEFAULT_SEED,
        }
    }
}

impl GapRequest {
    /// Defaults for one indicator, at the indicator's own level (or the dataset default level
    /// when the indicator is unknown; [`gap_table`] then reports the unknown id).
    pub fn for_indicator(dataset: &Dataset, indicator: &str, by: GroupBy) -> Self {
        let level = dataset
            .indicator(indicator)
            .map(|i| i.meta.level)
            .unwrap_or(dataset.meta.default_level);
        GapRequest {
            indicator: indicator.to_string(),
            by,
            level,
            ..GapRequest::default()
        }
    }
}

/// A public-safe gap table.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GapTable {
    pub indicator: IndicatorMeta,
    pub by: GroupBy,
    pub level: Level,
    /// IMD edition used to group or order the areas (`None` when none was available).
    pub edition: Option<ImdEdition>,
    /// Synthetic demonstration data: must be labelled wherever shown.
    pub synthetic: bool,
    /// Rows in deprivation order (most deprived first) where the grouping has one.
    pub groups: Vec<GapGroup>,
    pub summary: GapSummary,
    pub england: Option<Comparator>,
    pub county: Option<Comparator>,
    /// Methods and sources, one sentence each, for downloads and slides.
    pub method_notes: Vec<String>,
    pub suppression_note: String,
    /// Monte Carlo replicates and seed behind the SII/RII intervals.
    pub reps: u32,
    pub seed: u64,
}

/// One row of a gap table. Suppressed rows have no count, value or limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GapGroup {
    /// Stable key: "1".."10" for deciles, an area code, a locality id.
    pub key: String,
    pub label: String,
    /// 1 = first row (most deprived where ordered by deprivation).
    pub order: u32,
    /// Areas contributing to the row.
    pub areas: u32,
    /// Resident population (all ages) of those areas, where known.
    pub population: Option<u64>,
    pub count: Option<f64>,
    pub denominator: Option<f64>,
    pub value: Option<f64>,
    pub lower95: Option<f64>,
    pub upper95: Option<f64>,
    pub lower998: Option<f64>,
    pub upper998: Option<f64>,
    pub suppressed: bool,
    pub vs_england: Comparison,
    pub vs_county: Comparison,
}

/// Summary inequality measures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GapSummary {
    /// Most deprived minus least deprived group (indicator units).
    pub absolute_gap: Option<Estimate>,
    /// Most deprived divided by least deprived group.
    pub relative_gap: Option<Estimate>,
    /// Slope index of inequality (indicator units); positive = the most deprived are worse off.
    pub sii: Option<Estimate>,
    /// Relative index of inequality; above 1 = the most deprived are worse off.
    pub rii: Option<Estimate>,
    /// Label of the first (most deprived) group.
    pub most_deprived: String,
    /// Label of the last (least deprived) group.
    pub least_deprived: String,
    /// Why the SII/RII should be read with caution, if it should.
    pub reliability: Option<String>,
    /// Why any measure above is missing.
    pub notes: Vec<String>,
}

/// One area's value compared with England and the county (area profile endpoint).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AreaComparison {
    pub area_code: String,
    pub indicator_id: String,
    pub synthetic: bool,
    pub count: Option<f64>,
    pub denominator: Option<f64>,
    pub value: Option<f64>,
    pub lower95: Option<f64>,
    pub upper95: Option<f64>,
    pub lower998: Option<f64>,
    pub upper998: Option<f64>,
    pub suppressed: bool,
    pub vs_england: Comparison,
    pub vs_county: Comparison,
}

/// Why a gap table could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum GapError {
    #[error("unknown indicator {id:?}; available: {available}")]
    UnknownIndicator { id: String, available: String },
    #[error("indicator {indicator} has values at level {available} only, not {requested}; use --level {available}")]
    LevelNotAvailable {
        indicator: String,
        requested: Level,
        available: Level,
    },
    #[error("level {level} is not loaded in this dataset; loaded levels: {loaded}")]
    LevelNotLoaded { level: Level, loaded: String },
    #[error("{edition} is not available on level {level}; available: {available}")]
    EditionNotAvailable {
        edition: String,
        level: Level,
        available: String,
    },
    #[error("area {area_code:?} has no value for indicator {indicator}")]
    UnknownArea {
        indicator: String,
        area_code: String,
    },
    #[error("indicator {indicator}, {place}: {source}")]
    BadInput {
        indicator: String,
        place: String,
        source: StatsError,
    },
    #[error("--format {format} writes a binary file; give --out FILE")]
    OutRequired { format: String },
    #[error(transparent)]
    Export(#[from] crate::export::ExportError),
    #[error("could not write the table: {0}")]
    Write(#[from] std::io::Error),
}

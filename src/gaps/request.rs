//! What gap table to compute ([`GapRequest`], [`GroupBy`]) and why one cannot be computed
//! ([`GapError`]).

use crate::dataset::Dataset;
use crate::imd::ImdEdition;
use crate::level::Level;
use crate::lookup::LookupError;
use crate::stats::{sii::DEFAULT_SEED, StatsError};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How areas are grouped into rows.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
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

    /// Groups defined by IMD (national decile or quintile, local quintile): rows are in
    /// deprivation order by construction and the SII can be fitted.
    pub fn is_deprivation(self) -> bool {
        matches!(
            self,
            GroupBy::ImdDecile | GroupBy::ImdQuintile | GroupBy::LocalQuintile
        )
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

/// An unknown grouping; lists the allowed ones.
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
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GapRequest {
    /// Indicator id, e.g. "990001".
    pub indicator: String,
    pub by: GroupBy,
    /// Must be the indicator's own level (`IndicatorMeta::level`).
    pub level: Level,
    /// IMD edition for deprivation groups; default: the level's native edition.
    pub edition: Option<ImdEdition>,
    /// Only the areas of this locality (its name or `LOC-…` code): the gap by deprivation
    /// *within* one locality. `None` = the whole area of interest.
    #[serde(default)]
    pub locality: Option<String>,
    /// The period (its label, e.g. `2019/20 - 21/22`); `None` = the indicator's latest.
    #[serde(default)]
    pub period: Option<String>,
    /// Monte Carlo replicates for the SII/RII intervals.
    pub reps: u32,
    pub seed: u64,
}

impl Default for GapRequest {
    /// National quintiles at MSOA 2011 (the shipped Durham default level), the whole area of
    /// interest, the latest period, 100,000 replicates, the fixed [`DEFAULT_SEED`]. Use
    /// [`GapRequest::for_indicator`] to take the level from the indicator.
    fn default() -> Self {
        GapRequest {
            indicator: String::new(),
            by: GroupBy::ImdQuintile,
            level: Level::Msoa11,
            edition: None,
            locality: None,
            period: None,
            reps: 100_000,
            seed: DEFAULT_SEED,
        }
    }
}

impl GapRequest {
    /// Defaults for one indicator, at the indicator's own level (or the dataset default level
    /// when the indicator is unknown; the table then reports the unknown id).
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

/// Why a gap table could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum GapError {
    #[error(transparent)]
    Lookup(#[from] LookupError),
    #[error("grouping by locality within one locality gives a single row; group the locality's areas by imd-decile, imd-quintile, local-quintile or area")]
    LocalityWithinLocality,
    #[error("indicator {indicator}, {place}: {source}")]
    BadInput {
        indicator: String,
        place: String,
        source: StatsError,
    },
}

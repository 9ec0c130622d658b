//! A gap table as the engine returns it: rows by group with values, intervals and comparisons,
//! the summary measures, and what a chart needs to draw them ([`GapGroup::share`],
//! [`GapGroup::rank_midpoint`], [`SiiLine`]) so no client fits anything itself.

use crate::dataset::{Comparator, IndicatorMeta};
use crate::imd::ImdEdition;
use crate::level::Level;
use crate::stats::significance::Comparison;
use crate::stats::Estimate;
use serde::{Deserialize, Serialize};

use super::request::GroupBy;
use super::standardised::NotRecomputed;

/// A gap table.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GapTable {
    /// The indicator's metadata (id, name, value type, polarity, period, unit, …).
    #[schema(value_type = Object)]
    pub indicator: IndicatorMeta,
    #[schema(value_type = String)]
    pub by: GroupBy,
    #[schema(value_type = String)]
    pub level: Level,
    /// IMD edition used to group or order the areas (`None` when none was available).
    #[schema(value_type = Option<String>)]
    pub edition: Option<ImdEdition>,
    /// The locality the table is restricted to (its name); absent for the whole area.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locality: Option<String>,
    /// Synthetic demonstration data: must be labelled wherever shown.
    pub synthetic: bool,
    /// Rows in deprivation order (most deprived first) where the grouping has one.
    pub groups: Vec<GapGroup>,
    pub summary: GapSummary,
    /// England's value with its interval, as published (withheld when its count is small).
    #[schema(value_type = Option<Object>)]
    pub england: Option<Comparator>,
    /// The county's value, as published.
    #[schema(value_type = Option<Object>)]
    pub county: Option<Comparator>,
    /// Rows of a standardised indicator whose value could not be recomputed from the file,
    /// each with the reason (empty for crude indicators).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_recomputed: Vec<NotRecomputed>,
    /// Methods and sources, one sentence each, for downloads and slides.
    pub method_notes: Vec<String>,
    pub suppression_note: String,
    /// Monte Carlo replicates and seed behind the SII/RII intervals.
    pub reps: u32,
    pub seed: u64,
}

/// One row of a gap table. Suppressed rows have no count, value or limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
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
    /// Comparison with England at 95% and 99.8% (`at95`, `at998`: better, similar, worse,
    /// higher, lower or not_compared).
    #[schema(value_type = Object)]
    pub vs_england: Comparison,
    /// The same against the county.
    #[schema(value_type = Object)]
    pub vs_county: Comparison,
    /// The group's share of the weights the SII is fitted with (its denominator; for means, the
    /// sum of its areas' weights), 0–1. A chart draws the bar this wide so the x axis is the
    /// cumulative rank the SII is defined on. Absent where rows are not in deprivation order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share: Option<f64>,
    /// Midpoint of the group's range in that cumulative rank (0 = most deprived end, 1 = least):
    /// the x of the group in the SII regression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank_midpoint: Option<f64>,
}

/// The fitted SII regression line, in the indicator's units, at the two ends of the cumulative
/// rank: the line a chart draws from (0, `at_most_deprived`) to (1, `at_least_deprived`). The
/// SII is `at_most_deprived − at_least_deprived` (higher-is-better indicators: the reverse).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SiiLine {
    /// Fitted value at rank 0 (the most deprived end).
    pub at_most_deprived: f64,
    /// Fitted value at rank 1 (the least deprived end).
    pub at_least_deprived: f64,
}

/// Summary inequality measures. Each estimate is `{value, lower95, upper95}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GapSummary {
    /// Most deprived minus least deprived group (indicator units).
    #[schema(value_type = Option<Object>)]
    pub absolute_gap: Option<Estimate>,
    /// Most deprived divided by least deprived group.
    #[schema(value_type = Option<Object>)]
    pub relative_gap: Option<Estimate>,
    /// Slope index of inequality (indicator units); positive = the most deprived are worse off.
    #[schema(value_type = Option<Object>)]
    pub sii: Option<Estimate>,
    /// Relative index of inequality; above 1 = the most deprived are worse off.
    #[schema(value_type = Option<Object>)]
    pub rii: Option<Estimate>,
    /// The fitted line behind the SII (present exactly when the SII is).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sii_line: Option<SiiLine>,
    /// Label of the first (most deprived) group.
    pub most_deprived: String,
    /// Label of the last (least deprived) group.
    pub least_deprived: String,
    /// Why the SII/RII should be read with caution, if it should.
    pub reliability: Option<String>,
    /// Why any measure above is missing.
    pub notes: Vec<String>,
}

//! The chart adapter: a public gap table → a [`ChartSpec`](crate::render::chart::ChartSpec).
//!
//! The chart draws what the statistics published: each group's rank midpoint and population
//! share, and the fitted SII line's values at the two ends. Today the gap table does not carry
//! those, so [`chart_geometry`] derives them from the table's own numbers — the one function
//! phase 2 replaces with the server's fields.

use crate::dataset::Polarity;
use crate::gaps::{GapTable, GroupBy};
use crate::render::chart::{
    deprivation_colour, BarValue, ChartBar, ChartSpec, SiiLine, UNORDERED_BAR,
};

/// Where each group sits on the cumulative population rank, and the SII's fitted line.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartGeometry {
    /// Per group (table order): (rank midpoint, share), both 0–1.
    pub groups: Vec<(f64, f64)>,
    /// True when the shares are population shares (else equal widths).
    pub proportional: bool,
    pub sii_line: Option<SiiLine>,
}

/// Rank midpoints, shares and the SII line ends of a public gap table.
///
/// Shares are each group's share of the summed denominators — the weights the SII regression
/// uses ([`crate::stats::sii`]) — so the bars sit where the regression puts them (equal widths
/// when a group has no denominator). The line is not refitted: with SII = a − b and RII = a / b
/// for the fitted values a (worse-off end) and b, the ends are b = SII / (RII − 1) and
/// a = RII · b (roles swapped for higher-is-better indicators, whose SII is least − most
/// deprived), i.e. the published point estimates drawn exactly. No line when either is
/// withheld or RII = 1.
///
/// phase 2: replace with the server's `rank_midpoint`, `share` and fitted-line fields.
pub fn chart_geometry(table: &GapTable) -> ChartGeometry {
    let weights: Vec<f64> = table
        .groups
        .iter()
        .map(|g| g.denominator.unwrap_or(0.0))
        .collect();
    let proportional = ordered(table) && weights.iter().all(|w| *w > 0.0);
    let total: f64 = if proportional {
        weights.iter().sum()
    } else {
        table.groups.len() as f64
    };
    let mut cumulative = 0.0;
    let groups = weights
        .iter()
        .map(|w| {
            let share = if proportional { w / total } else { 1.0 / total };
            let mid = cumulative + share / 2.0;
            cumulative += share;
            (mid, share)
        })
        .collect();
    let sii_line = match (ordered(table), table.summary.sii, table.summary.rii) {
        (true, Some(sii), Some(rii)) if (rii.value - 1.0).abs() > 1e-9 => {
            let other = sii.value / (rii.value - 1.0);
            let worse = rii.value * other;
            let (most, least) = if table.indicator.polarity == Polarity::HigherIsBetter {
                (other, worse) // SII = least − most, RII = least / most
            } else {
                (worse, other)
            };
            Some(SiiLine {
                at_most_deprived: most,
                at_least_deprived: least,
            })
        }
        _ => None,
    };
    ChartGeometry {
        groups,
        proportional,
        sii_line,
    }
}

/// Whether the table's rows are in deprivation order (bars by rank, an SII line).
fn ordered(table: &GapTable) -> bool {
    !matches!(table.by, GroupBy::Locality | GroupBy::Area)
}

/// The chart for a public gap table, `width × height` logical units at `pixel_ratio`.
pub fn chart_spec(
    table: &GapTable,
    county_label: &str,
    width: f32,
    height: f32,
    pixel_ratio: f32,
) -> ChartSpec {
    let geometry = chart_geometry(table);
    let n = table.groups.len();
    let bars = table
        .groups
        .iter()
        .zip(&geometry.groups)
        .map(|(g, &(midpoint, share))| ChartBar {
            label: g.key.clone(),
            midpoint,
            share,
            value: match g.value {
                _ if g.suppressed => BarValue::Suppressed,
                Some(value) => BarValue::Shown {
                    value,
                    lower95: g.lower95,
                    upper95: g.upper95,
                },
                None => BarValue::NoData,
            },
            colour: if ordered(table) {
                deprivation_colour(g.key.parse().unwrap_or(0), n)
            } else {
                UNORDERED_BAR
            },
        })
        .collect();
    let by = table.by.label();
    let axis_title = if geometry.proportional {
        format!("{by} (1 = most deprived); bar width = share of the population measured")
    } else {
        by.to_string()
    };
    ChartSpec {
        width,
        height,
        pixel_ratio,
        bars,
        sii_line: geometry.sii_line,
        england: table.england.as_ref().and_then(|c| c.value),
        county: table.county.as_ref().and_then(|c| c.value),
        county_label: county_label.to_string(),
        unit: table.indicator.unit.clone(),
        axis_title,
        ordered: ordered(table),
    }
}

//! The chart adapter: a public gap table → a [`ChartSpec`](crate::render::chart::ChartSpec).
//!
//! The chart draws what the server publishes and the web chart (`web/js/chart.js`) draws: each
//! group's `share` and `rank_midpoint` and the summary's fitted `sii_line`, straight from the
//! public gap table ([`crate::public::PublicDataset::gap_table`]); bar colours are the map's
//! IMD palette and the no-data/suppressed greys of the public legend. Nothing is fitted here.

use crate::gaps::{GapTable, GroupBy};
use crate::public::legend::{
    MAGMA_10 as MAGMA_10_HEX, MAGMA_5 as MAGMA_5_HEX, NO_DATA, SUPPRESSED,
};
use crate::render::chart::{BarValue, ChartBar, ChartSpec, SiiLine, UNORDERED_BAR};
use crate::render::colour::Colour;

/// `#rrggbb` strings as colours, at compile time (a malformed one fails the build).
const fn colours<const N: usize>(hex: [&str; N]) -> [Colour; N] {
    let mut out = [Colour::BLACK; N];
    let mut i = 0;
    while i < N {
        out[i] = Colour::hex(hex[i]);
        i += 1;
    }
    out
}

/// The public legend's magma palettes as colours.
const MAGMA_5: [Colour; 5] = colours(MAGMA_5_HEX);
const MAGMA_10: [Colour; 10] = colours(MAGMA_10_HEX);

/// Bar colour for a deprivation group ranked `rank` (1 = most deprived) of `n`: the map's IMD
/// palette, dark = most deprived (`barColour` in `web/js/chart.js`).
pub fn deprivation_colour(rank: usize, n: usize) -> Colour {
    let palette: &[Colour] = if n > 5 { &MAGMA_10 } else { &MAGMA_5 };
    if rank < 1 {
        return UNORDERED_BAR;
    }
    let len = palette.len();
    let step = ((rank - 1) * (len - 1)) as f64 / n.saturating_sub(1).max(1) as f64;
    let idx = len as i64 - step.round() as i64 - 1;
    palette[idx.clamp(0, len as i64 - 1) as usize]
}

/// Whether the table's rows are in deprivation order (bars by rank, an SII line).
fn ordered(table: &GapTable) -> bool {
    !matches!(table.by, GroupBy::Locality | GroupBy::Area)
}

/// The chart for a public gap table, `width × height` logical units at `pixel_ratio`.
///
/// Bars are as wide as the groups' published `share` and centred on their `rank_midpoint`
/// when every row has them (deprivation groupings); otherwise equal widths, as the web chart.
pub fn chart_spec(
    table: &GapTable,
    county_label: &str,
    width: f32,
    height: f32,
    pixel_ratio: f32,
) -> ChartSpec {
    let n = table.groups.len();
    let proportional = ordered(table)
        && table
            .groups
            .iter()
            .all(|g| g.share.is_some() && g.rank_midpoint.is_some());
    let bars = table
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let (midpoint, share) = match (proportional, g.rank_midpoint, g.share) {
                (true, Some(mid), Some(share)) => (mid, share),
                _ => ((i as f64 + 0.5) / n as f64, 1.0 / n as f64),
            };
            ChartBar {
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
            }
        })
        .collect();
    let by = table.by.label();
    let axis_title = if proportional {
        format!("{by} (1 = most deprived); bar width = share of the population measured")
    } else {
        by.to_string()
    };
    ChartSpec {
        width,
        height,
        pixel_ratio,
        bars,
        sii_line: table.summary.sii_line.map(|l| SiiLine {
            at_most_deprived: l.at_most_deprived,
            at_least_deprived: l.at_least_deprived,
        }),
        england: table.england.as_ref().and_then(|c| c.value),
        county: table.county.as_ref().and_then(|c| c.value),
        county_label: county_label.to_string(),
        unit: table.indicator.unit.clone(),
        axis_title,
        ordered: ordered(table),
        no_data_colour: Colour::hex(NO_DATA),
        suppressed_colour: Colour::hex(SUPPRESSED),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_colours_are_the_imd_palette_dark_for_most_deprived() {
        assert_eq!(deprivation_colour(1, 5), MAGMA_5[4]);
        assert_eq!(deprivation_colour(5, 5), MAGMA_5[0]);
        assert_eq!(deprivation_colour(1, 10), MAGMA_10[9]);
        assert_eq!(deprivation_colour(10, 10), MAGMA_10[0]);
        assert_eq!(MAGMA_5[0], Colour::hex("#fcf4b6"));
    }
}

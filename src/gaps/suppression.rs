//! Stage 3 of a gap table: which rows are withheld by the engine's own small-number rule
//! ([`crate::stats::suppress`]). The public face adds what the cross-table disclosure audit
//! withholds on top (`crate::public::disclosure`).

use super::estimates::uses_counts;
use super::groups::Row;
use super::request::GroupBy;
use crate::dataset::{Dataset, Indicator};
use crate::stats::suppress::suppress_groups;
use std::collections::HashSet;

/// Areas of the indicator's level whose values are suppressed in public outputs (primary and
/// secondary suppression over all areas, which partition the published county total). Tiles,
/// the area profile and the by-area table all use this one set, so no output undoes another.
pub(crate) fn suppressed_areas(dataset: &Dataset, indicator: &Indicator) -> HashSet<String> {
    if !uses_counts(&indicator.meta) {
        return HashSet::new();
    }
    let Some(layer) = dataset.layer(indicator.meta.level) else {
        return HashSet::new();
    };
    let counts: Vec<Option<f64>> = layer
        .areas
        .iter()
        .map(|a| indicator.value_for(&a.code).and_then(|v| v.count))
        .collect();
    let flags = suppress_groups(&counts, dataset.meta.suppress_max_count, true);
    layer
        .areas
        .iter()
        .zip(flags)
        .filter(|(_, hidden)| *hidden)
        .map(|(a, _)| a.code.clone())
        .collect()
}

/// Which rows are withheld: by area, the areas of [`suppressed_areas`]; by group, small counts
/// and their complements (the rows partition a published total: the county's or the
/// locality's).
pub(super) fn suppress_rows(
    dataset: &Dataset,
    indicator: &Indicator,
    by: GroupBy,
    rows: &[Row],
) -> Vec<bool> {
    if by == GroupBy::Area {
        let hidden = suppressed_areas(dataset, indicator);
        return rows.iter().map(|r| hidden.contains(&r.key)).collect();
    }
    if !uses_counts(&indicator.meta) {
        return vec![false; rows.len()];
    }
    let counts: Vec<Option<f64>> = rows
        .iter()
        .map(|r| (r.totals.areas > 0).then_some(r.totals.count))
        .collect();
    suppress_groups(&counts, dataset.meta.suppress_max_count, true)
}

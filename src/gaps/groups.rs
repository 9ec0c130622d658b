//! Stage 1 of a gap table: the areas of a layer gathered into rows (by IMD decile or quintile,
//! local quintile, locality or area), with their summed counts and denominators, population
//! and IMD, in deprivation order.

use super::request::GroupBy;
use crate::dataset::{Area, Indicator, IndicatorValue, Layer};
use crate::imd::{AreaImd, ImdEdition};
use crate::stats::aggregate::Totals;
use crate::stats::mean::{se_from_interval95, WeightedMean};
use std::collections::BTreeMap;

/// One row being built.
pub(super) struct Row {
    pub key: String,
    pub label: String,
    /// Smaller = more deprived; used to order rows.
    pub deprivation_rank: f64,
    pub totals: Totals,
    pub population: Option<u64>,
    pub means: Vec<WeightedMean>,
    /// The areas' published values, kept for standardised indicators only (their rows are
    /// made from these, [`super::standardised`]; crude rows from `totals`).
    pub published: Vec<IndicatorValue>,
    imd_score_weighted: f64,
    imd_weight: f64,
}

/// The rows of a table and how many areas had no group.
pub(super) struct Rows {
    pub rows: Vec<Row>,
    pub skipped: u32,
}

/// Grouping key of one area, borrowed from the area (no allocation per area).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum GroupKey<'a> {
    Number(u8),
    Code(&'a str),
}

/// Group the layer's areas (those in `locality` when given) and order the rows: deciles and
/// quintiles by number, areas and localities by IMD score (most deprived first; by key where
/// no IMD is loaded).
pub(super) fn group_areas(
    layer: &Layer,
    indicator: &Indicator,
    by: GroupBy,
    edition: Option<ImdEdition>,
    locality: Option<&str>,
) -> Rows {
    let mut groups: BTreeMap<GroupKey, Row> = BTreeMap::new();
    let mut skipped = 0u32;
    let mut values = ValueCursor::new(indicator);
    let keep_published = indicator.meta.standardisation.is_some();
    for area in &layer.areas {
        if locality.is_some_and(|l| area.locality.as_deref() != Some(l)) {
            continue;
        }
        let imd = edition.and_then(|e| area.imd(e));
        let Some((group_key, rank)) = group_of(by, area, imd) else {
            skipped += 1;
            continue;
        };
        let value = values.find(&area.code);
        let row = groups.entry(group_key).or_insert_with(|| {
            let (key, label) = group_label(by, group_key, area);
            Row {
                key,
                label,
                deprivation_rank: rank,
                totals: Totals::default(),
                population: None,
                means: Vec::new(),
                published: Vec::new(),
                imd_score_weighted: 0.0,
                imd_weight: 0.0,
            }
        });
        row.add(area, value, imd);
        if let Some(v) = value.filter(|_| keep_published) {
            row.published.push(v.clone());
        }
    }
    let mut rows: Vec<Row> = groups.into_values().collect();
    if matches!(by, GroupBy::Area | GroupBy::Locality) {
        for r in &mut rows {
            r.deprivation_rank = if r.imd_weight > 0.0 {
                -(r.imd_score_weighted / r.imd_weight)
            } else {
                0.0
            };
        }
    }
    rows.sort_by(|a, b| {
        a.deprivation_rank
            .total_cmp(&b.deprivation_rank)
            .then_with(|| a.key.cmp(&b.key))
    });
    Rows { rows, skipped }
}

impl Row {
    fn add(&mut self, area: &Area, value: Option<&IndicatorValue>, imd: Option<&AreaImd>) {
        self.totals.add(
            value.and_then(|v| v.count),
            value.and_then(|v| v.denominator),
        );
        if let Some(p) = &area.population {
            *self.population.get_or_insert(0) += u64::from(p.total);
        }
        if let Some(v) = value {
            if let (Some(mean), Some(lo), Some(up)) = (v.value, v.lower95, v.upper95) {
                self.means.push(WeightedMean {
                    mean,
                    se: se_from_interval95(lo, up),
                    weight: v.denominator.unwrap_or(1.0),
                });
            }
        }
        if let Some(imd) = imd {
            let w = value
                .and_then(|v| v.denominator)
                .or(area.population.as_ref().map(|p| f64::from(p.total)))
                .unwrap_or(1.0);
            self.imd_score_weighted += imd.score * w;
            self.imd_weight += w;
        }
    }
}

/// Values and areas are both usually sorted by code: walk them together and fall back to a
/// binary search when they are not aligned.
struct ValueCursor<'a> {
    indicator: &'a Indicator,
    next: usize,
}

impl<'a> ValueCursor<'a> {
    fn new(indicator: &'a Indicator) -> Self {
        ValueCursor { indicator, next: 0 }
    }

    fn find(&mut self, code: &str) -> Option<&'a IndicatorValue> {
        let values = &self.indicator.values;
        match values.get(self.next) {
            Some(v) if v.area_code == code => {
                self.next += 1;
                Some(v)
            }
            _ => {
                let found = values.binary_search_by(|v| v.area_code.as_str().cmp(code));
                if let Ok(i) = found {
                    self.next = i + 1;
                }
                found.ok().map(|i| &values[i])
            }
        }
    }
}

fn ordinal_label(kind: &str, n: u8, last: u8) -> String {
    match n {
        1 => format!("{kind} 1 (most deprived)"),
        x if x == last => format!("{kind} {x} (least deprived)"),
        x => format!("{kind} {x}"),
    }
}

/// Group key and deprivation rank of one area, or `None` when it has no group.
fn group_of<'a>(by: GroupBy, area: &'a Area, imd: Option<&AreaImd>) -> Option<(GroupKey<'a>, f64)> {
    let number = |n: u8| (GroupKey::Number(n), f64::from(n));
    match by {
        GroupBy::ImdDecile => imd.map(|i| number(i.decile)),
        GroupBy::ImdQuintile => imd.map(|i| number(i.quintile)),
        GroupBy::LocalQuintile => imd.map(|i| number(i.local_quintile)),
        GroupBy::Locality => area.locality.as_deref().map(|l| (GroupKey::Code(l), 0.0)),
        GroupBy::Area => Some((GroupKey::Code(&area.code), 0.0)),
    }
}

/// Published key and label of a group (made once per group).
fn group_label(by: GroupBy, key: GroupKey, area: &Area) -> (String, String) {
    match (by, key) {
        (GroupBy::ImdDecile, GroupKey::Number(n)) => {
            (n.to_string(), ordinal_label("Decile", n, 10))
        }
        (GroupBy::ImdQuintile, GroupKey::Number(n)) => {
            (n.to_string(), ordinal_label("Quintile", n, 5))
        }
        (GroupBy::LocalQuintile, GroupKey::Number(n)) => {
            (n.to_string(), ordinal_label("Local quintile", n, 5))
        }
        // Areas carry their locality's name: it is both the key and the label.
        (GroupBy::Locality, GroupKey::Code(l)) => (l.to_string(), l.to_string()),
        (_, GroupKey::Code(c)) => (c.to_string(), format!("{} ({})", area.name, c)),
        (_, GroupKey::Number(n)) => (n.to_string(), n.to_string()),
    }
}

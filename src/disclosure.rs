//! The public view of indicator values: small-number suppression and significance labels.
//!
//! Everything gapmap publishes about an area's indicator value (the values endpoint,
//! area profiles, GeoJSON/GeoPackage downloads, gap tables from the API and from
//! `gapmap gaps`) goes through [`PublicIndicator`] (computed once per indicator when the
//! server starts); gap tables by group also drop the group totals it lists
//! ([`apply_to_gap_table`]).
//!
//! # Suppression
//! A count from 1 to `suppress_max_count` (default 4) is *primary* suppressed: its value,
//! count, confidence interval and significance are withheld (the denominator stays; on its
//! own it reveals nothing). Where no count is stored, the count implied by
//! `value × denominator / multiplier` is used, so a published rate cannot leak a small count.
//!
//! Withholding one cell is not enough when totals are published: a group total minus the
//! other published members gives the missing count back. So *complementary* suppression is
//! applied within every group a total can be published for (the whole area of interest,
//! each national IMD decile and quintile, each local quintile, each locality): while a group
//! has exactly one suppressed member, or its suppressed members' counts add up to no more
//! than the threshold, the member with the next smallest count is suppressed too. This is
//! the standard "at least two cells, and a safe suppressed total" rule (Hundepool A et al.
//! (2012) *Statistical Disclosure Control*, Wiley, ch. 4, primary and secondary cell
//! suppression). Because groups overlap (a decile and a locality share areas), differences
//! of several totals can still pin a cell down; an exact audit ([`determined_cells`], a
//! row-space test on the group-membership matrix) hides one more cell next to any small
//! count that the totals determine; when all its neighbours are hidden already, the smallest
//! group total containing it is withheld from the gap tables instead; until no small count is
//! determined.
//!
//! This rule contains the statistics engine's own area rule
//! ([`crate::gaps::suppressed_areas`]: a lone suppressed area pulls the next smallest with it
//! over the whole area of interest); its set is always included, so no output undoes another.
//!
//! # Significance
//! `vs_england`/`vs_county` are [`crate::stats::significance::compare_interval`] at 95%
//! (Fingertips "confidence intervals overlapping reference value"), the same labels the gap
//! tables use.

use crate::dataset::{Dataset, Indicator, IndicatorValue, ValueType};
use crate::gaps::{GapTable, GroupBy};
use crate::imd::ImdEdition;
use crate::stats::significance::Comparison;
use crate::stats::significance::{compare_interval, Significance};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One area's indicator value as it may be published.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct PublicValue {
    pub code: String,
    /// `null` when suppressed or not available.
    pub value: Option<f64>,
    pub lower95: Option<f64>,
    pub upper95: Option<f64>,
    /// `null` when suppressed or not available.
    pub count: Option<f64>,
    pub denominator: Option<f64>,
    /// True when the value is withheld to protect a small count (or its complement).
    pub suppressed: bool,
    /// Fingertips 95% comparison with England: better, similar, worse, higher, lower or
    /// not_compared (no interval, no England value, or suppressed).
    #[schema(value_type = String)]
    pub vs_england: Significance,
    /// The same against the county (area of interest) value.
    #[schema(value_type = String)]
    pub vs_county: Significance,
}

/// The count behind a value: as stored, else implied by value × denominator / multiplier.
fn effective_count(indicator: &Indicator, v: &IndicatorValue) -> Option<f64> {
    if v.count.is_some() {
        return v.count;
    }
    match indicator.meta.value_type {
        ValueType::Proportion | ValueType::Rate if indicator.meta.multiplier > 0.0 => {
            Some(v.value? * v.denominator? / indicator.meta.multiplier)
        }
        _ => None,
    }
}

/// True for a count that must not be published: 1 ..= `max` (fractional counts from
/// apportioned data are treated the same, anything above 0 and below `max + 1`).
pub fn is_small_count(count: f64, max: u32) -> bool {
    count > 0.0 && count < f64::from(max) + 1.0
}

/// Key of a gap-table group whose total may be withheld: `"{edition}/{by}/{key}"` for
/// deprivation groupings (e.g. `"imd2019/imd-decile/3"`), `"locality/{key}"` for localities.
pub fn group_key(by: GroupBy, edition: Option<ImdEdition>, key: &str) -> Option<String> {
    match by {
        GroupBy::ImdDecile | GroupBy::ImdQuintile | GroupBy::LocalQuintile => {
            Some(format!("{}/{}/{key}", edition?.as_str(), by.as_str()))
        }
        GroupBy::Locality => Some(format!("locality/{key}")),
        GroupBy::Area => None,
    }
}

/// What must be withheld for one indicator.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Disclosure {
    /// Per value (in `indicator.values` order): withheld.
    pub hidden: Vec<bool>,
    /// Gap-table group totals to withhold (see [`group_key`]), beyond the engine's own.
    pub withheld_groups: BTreeSet<String>,
}

/// Which of an indicator's values (in `indicator.values` order) must be withheld.
pub fn suppressed_mask(dataset: &Dataset, indicator: &Indicator) -> Vec<bool> {
    disclosure(dataset, indicator).hidden
}

/// Compute what to withhold: small counts, their complements, and any group totals that
/// would still let a small count be solved (see the module docs).
pub fn disclosure(dataset: &Dataset, indicator: &Indicator) -> Disclosure {
    let max = dataset.meta.suppress_max_count;
    let counts: Vec<Option<f64>> = indicator
        .values
        .iter()
        .map(|v| effective_count(indicator, v))
        .collect();
    let engine = crate::gaps::suppressed_areas(dataset, indicator);
    let mut suppressed: Vec<bool> = counts
        .iter()
        .zip(&indicator.values)
        .map(|(c, v)| c.is_some_and(|c| is_small_count(c, max)) || engine.contains(&v.area_code))
        .collect();
    if !suppressed.contains(&true) {
        return Disclosure {
            hidden: suppressed,
            withheld_groups: BTreeSet::new(),
        };
    }

    // Groups whose totals may be published anywhere: whole set, IMD groups, localities.
    let mut by_key: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    by_key.insert(ALL.into(), (0..indicator.values.len()).collect());
    if let Some(layer) = dataset.layer(indicator.meta.level) {
        for (i, v) in indicator.values.iter().enumerate() {
            let Some(area) = layer.get(&v.area_code) else {
                continue;
            };
            for imd in &area.imd {
                for (by, key) in [
                    (GroupBy::ImdDecile, imd.decile),
                    (GroupBy::ImdQuintile, imd.quintile),
                    (GroupBy::LocalQuintile, imd.local_quintile),
                ] {
                    if let Some(k) = group_key(by, Some(imd.edition), &key.to_string()) {
                        by_key.entry(k).or_default().push(i);
                    }
                }
            }
            if let Some(locality) = &area.locality {
                if let Some(k) = group_key(GroupBy::Locality, None, locality) {
                    by_key.entry(k).or_default().push(i);
                }
            }
        }
    }

    let group_members: BTreeMap<String, Vec<usize>> = by_key.clone();
    // A group whose own total is small is withheld by the gap tables, so it publishes no
    // equation; every other group's total is (conservatively) taken as published.
    let (mut groups, small): (Vec<Group>, Vec<Group>) = by_key
        .into_iter()
        .map(|(k, members)| {
            let total: f64 = members.iter().filter_map(|&i| counts[i]).sum();
            (k, members, total)
        })
        .partition(|(_, _, total)| !is_small_count(*total, max));
    // Totals not published, by the engine (small) or by us (withheld).
    let mut unpublished: BTreeSet<String> = small.into_iter().map(|(k, _, _)| k).collect();
    let primary: Vec<bool> = suppressed.clone();
    let mut withheld_groups = BTreeSet::new();
    // The visible member with the smallest count (ties: area code) among `members`.
    let next_smallest = |members: &mut dyn Iterator<Item = usize>, suppressed: &[bool]| {
        members
            .filter(|&i| !suppressed[i])
            .filter_map(|i| counts[i].map(|c| (c, i)))
            .min_by(|a, b| {
                a.0.total_cmp(&b.0).then_with(|| {
                    indicator.values[a.1]
                        .area_code
                        .cmp(&indicator.values[b.1].area_code)
                })
            })
            .map(|(_, i)| i)
    };
    loop {
        // Rule 1: every group with hidden members hides at least two, totalling > max.
        let mut changed = true;
        while changed {
            changed = false;
            for (_, members, _) in &groups {
                let hidden: Vec<f64> = members
                    .iter()
                    .filter(|&&i| suppressed[i])
                    .filter_map(|&i| counts[i])
                    .collect();
                if hidden.is_empty() {
                    continue;
                }
                let hidden_total: f64 = hidden.iter().sum();
                if hidden.len() >= 2 && !is_small_count(hidden_total, max) && hidden_total > 0.0 {
                    continue;
                }
                if let Some(i) = next_smallest(&mut members.iter().copied(), &suppressed) {
                    suppressed[i] = true;
                    changed = true;
                }
            }
        }
        // Rule 2: overlapping groups can still pin a cell down (a = (a+b) + (a+c) − (a+b+c)).
        // Hide one more area beside a small count the published totals determine; when every
        // area around it is hidden already, withhold the smallest group total containing it.
        let memberships: Vec<Vec<usize>> = groups.iter().map(|(_, m, _)| m.clone()).collect();
        let Some(&exposed) = determined_cells(&memberships, &suppressed, &primary).first() else {
            break;
        };
        let mut neighbours = groups
            .iter()
            .filter(|(_, m, _)| m.contains(&exposed))
            .flat_map(|(_, m, _)| m.iter().copied());
        if let Some(i) = next_smallest(&mut neighbours, &suppressed) {
            suppressed[i] = true;
            continue;
        }
        // Candidates, most specific first: totals containing the cell; then the other totals
        // of a family (e.g. all IMD 2019 deciles) one of whose withheld totals contained it,
        // since a family's totals add up to the published whole; then any total.
        let families_of_exposed: BTreeSet<&str> = unpublished
            .iter()
            .filter(|k| {
                group_members
                    .get(k.as_str())
                    .is_some_and(|m| m.contains(&exposed))
            })
            .map(|k| family(k))
            .collect();
        let withhold = smallest_group(&groups, |g| g.1.contains(&exposed))
            .or_else(|| smallest_group(&groups, |g| families_of_exposed.contains(family(&g.0))))
            .or_else(|| smallest_group(&groups, |_| true));
        let Some(index) = withhold else {
            tracing::warn!(
                indicator = %indicator.meta.id,
                area = %indicator.values[exposed].area_code,
                "a suppressed count is determined by the area-of-interest total alone"
            );
            break;
        };
        let (key, _, _) = groups.remove(index);
        // A lone withheld total in a family is the published whole minus the others: withhold
        // the family's next smallest total with it.
        let fam = family(&key).to_string();
        unpublished.insert(key.clone());
        withheld_groups.insert(key);
        if unpublished.iter().filter(|k| family(k) == fam).count() == 1 {
            if let Some(index) = smallest_group(&groups, |g| family(&g.0) == fam) {
                let (key, _, _) = groups.remove(index);
                unpublished.insert(key.clone());
                withheld_groups.insert(key);
            }
        }
    }
    Disclosure {
        hidden: suppressed,
        withheld_groups,
    }
}

/// Key of the whole area of interest (its total is always published, as the county row).
const ALL: &str = "all";

/// (key, members, total) of a group whose total is published.
type Group = (String, Vec<usize>, f64);

/// Position of the published group (never the whole area) with the smallest total among
/// those `wanted` accepts (ties: key).
fn smallest_group(groups: &[Group], wanted: impl Fn(&Group) -> bool) -> Option<usize> {
    groups
        .iter()
        .enumerate()
        .filter(|(_, g)| g.0 != ALL && wanted(g))
        .min_by(|a, b| a.1 .2.total_cmp(&b.1 .2).then_with(|| a.1 .0.cmp(&b.1 .0)))
        .map(|(index, _)| index)
}

/// The family of a group key: the grouping it belongs to, e.g. `"imd2019/imd-decile"`.
fn family(key: &str) -> &str {
    key.rsplit_once('/').map_or(key, |(f, _)| f)
}

/// Which `targets` cells are determined exactly by the group totals, given which cells are
/// hidden: hidden cell `j` is determined iff the unit vector e_j lies in the row space of the
/// group-membership matrix restricted to hidden cells (each group total minus its visible
/// members is a linear equation in the hidden cells). In reduced row echelon form that is
/// exactly when some row equals e_j. Exact for 0/1 matrices of this size in f64.
pub fn determined_cells(groups: &[Vec<usize>], hidden: &[bool], targets: &[bool]) -> Vec<usize> {
    const EPS: f64 = 1e-9;
    let columns: Vec<usize> = (0..hidden.len()).filter(|&i| hidden[i]).collect();
    let column_of: std::collections::HashMap<usize, usize> =
        columns.iter().enumerate().map(|(c, &i)| (i, c)).collect();
    let mut rows: Vec<Vec<f64>> = groups
        .iter()
        .map(|g| {
            let mut row = vec![0.0; columns.len()];
            for i in g {
                if let Some(&c) = column_of.get(i) {
                    row[c] = 1.0;
                }
            }
            row
        })
        .filter(|row| row.iter().any(|&x| x != 0.0))
        .collect();
    let mut pivot_of_column: Vec<Option<usize>> = vec![None; columns.len()];
    let mut next_row = 0;
    for c in 0..columns.len() {
        let Some(best) = (next_row..rows.len())
            .filter(|&r| rows[r][c].abs() > EPS)
            .max_by(|&a, &b| rows[a][c].abs().total_cmp(&rows[b][c].abs()))
        else {
            continue;
        };
        rows.swap(next_row, best);
        let scale = rows[next_row][c];
        for x in &mut rows[next_row] {
            *x /= scale;
        }
        let pivot = rows[next_row].clone();
        for (r, row) in rows.iter_mut().enumerate() {
            if r != next_row && row[c].abs() > EPS {
                let factor = row[c];
                for (x, p) in row.iter_mut().zip(&pivot) {
                    *x -= factor * p;
                }
            }
        }
        pivot_of_column[c] = Some(next_row);
        next_row += 1;
    }
    columns
        .iter()
        .enumerate()
        .filter(|&(c, &i)| {
            targets[i]
                && pivot_of_column[c].is_some_and(|r| {
                    rows[r]
                        .iter()
                        .enumerate()
                        .all(|(k, x)| k == c || x.abs() < EPS)
                })
        })
        .map(|(_, &i)| i)
        .collect()
}

/// Everything publishable about one indicator, computed once at start-up.
#[derive(Debug, Clone, Default)]
pub struct PublicIndicator {
    /// In `indicator.values` order (sorted by code).
    pub values: Vec<PublicValue>,
    /// Gap-table group totals to withhold (see [`group_key`]).
    pub withheld_groups: BTreeSet<String>,
}

impl PublicIndicator {
    pub fn new(dataset: &Dataset, indicator: &Indicator) -> Self {
        let d = disclosure(dataset, indicator);
        PublicIndicator {
            values: public_values_with(indicator, &d.hidden),
            withheld_groups: d.withheld_groups,
        }
    }

    /// The public value of one area, if the indicator has one.
    pub fn value(&self, code: &str) -> Option<&PublicValue> {
        self.values
            .binary_search_by(|v| v.code.as_str().cmp(code))
            .ok()
            .map(|k| &self.values[k])
    }
}

/// The publishable values of an indicator, in `indicator.values` order (sorted by code).
pub fn public_values(dataset: &Dataset, indicator: &Indicator) -> Vec<PublicValue> {
    public_values_with(indicator, &suppressed_mask(dataset, indicator))
}

/// The publishable values given which ones are hidden.
pub fn public_values_with(indicator: &Indicator, mask: &[bool]) -> Vec<PublicValue> {
    let polarity = indicator.meta.polarity;
    let england = indicator.england.as_ref().and_then(|c| c.value);
    let county = indicator.county.as_ref().and_then(|c| c.value);
    indicator
        .values
        .iter()
        .zip(mask)
        .map(|(v, &suppressed)| {
            if suppressed {
                PublicValue {
                    code: v.area_code.clone(),
                    value: None,
                    lower95: None,
                    upper95: None,
                    count: None,
                    denominator: v.denominator,
                    suppressed: true,
                    vs_england: Significance::NotCompared,
                    vs_county: Significance::NotCompared,
                }
            } else {
                PublicValue {
                    code: v.area_code.clone(),
                    value: v.value,
                    lower95: v.lower95,
                    upper95: v.upper95,
                    count: v.count,
                    denominator: v.denominator,
                    suppressed: false,
                    vs_england: compare_interval(v.lower95, v.upper95, england, polarity),
                    vs_county: compare_interval(v.lower95, v.upper95, county, polarity),
                }
            }
        })
        .collect()
}

/// Withhold in a gap table what the public view withholds: in a by-area
/// table every hidden area, in a grouped table every group total it lists. Summary measures
/// computed from a newly withheld value are withheld too, as the engine does.
pub fn apply_to_gap_table(table: &mut GapTable, public: &PublicIndicator) {
    let mut withheld_more = false;
    for g in &mut table.groups {
        let hidden = match table.by {
            GroupBy::Area => public.value(&g.key).is_some_and(|v| v.suppressed),
            by => group_key(by, table.edition, &g.key)
                .is_some_and(|k| public.withheld_groups.contains(&k)),
        };
        if hidden && !g.suppressed {
            withheld_more = true;
            g.suppressed = true;
            g.count = None;
            g.value = None;
            g.lower95 = None;
            g.upper95 = None;
            g.lower998 = None;
            g.upper998 = None;
            g.vs_england = Comparison::NOT_COMPARED;
            g.vs_county = Comparison::NOT_COMPARED;
        }
    }
    if withheld_more {
        let s = &mut table.summary;
        s.absolute_gap = None;
        s.relative_gap = None;
        s.sii = None;
        s.rii = None;
        s.notes.push(
            "Gaps and SII/RII are withheld: they would use values suppressed to protect small counts."
                .into(),
        );
    }
}

/// A gap table as gapmap publishes it outside the server (CLI downloads): the engine's
/// table with the same public view applied as the API's ([`apply_to_gap_table`]).
pub fn public_gap_table(
    dataset: &Dataset,
    request: &crate::gaps::GapRequest,
) -> Result<GapTable, crate::gaps::GapError> {
    let mut table = crate::gaps::gap_table(dataset, request)?;
    if let Some(indicator) = dataset.indicator(&request.indicator) {
        apply_to_gap_table(&mut table, &PublicIndicator::new(dataset, indicator));
    }
    Ok(table)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::dataset::{DatasetMeta, IndicatorMeta, Layer, Polarity};
    use crate::level::Level;

    fn dataset_with(counts: &[Option<f64>]) -> (Dataset, Indicator) {
        let values = counts
            .iter()
            .enumerate()
            .map(|(i, &count)| IndicatorValue {
                area_code: format!("E0200{i:04}"),
                count,
                denominator: Some(100.0),
                value: count,
                lower95: None,
                upper95: None,
                lower998: None,
                upper998: None,
            })
            .collect();
        let indicator = Indicator {
            meta: IndicatorMeta {
                id: "1".into(),
                name: "n".into(),
                short_name: "n".into(),
                value_type: ValueType::Proportion,
                multiplier: 100.0,
                polarity: Polarity::HigherIsWorse,
                synthetic: true,
                level: Level::Msoa11,
                period: "2024".into(),
                sex: "Persons".into(),
                age: "All".into(),
                source_id: "s".into(),
                unit: "%".into(),
            },
            values,
            england: None,
            county: None,
        };
        let dataset = Dataset {
            meta: DatasetMeta {
                snapshot_version: 1,
                name: "t".into(),
                area_of_interest: vec![],
                default_level: Level::Msoa11,
                suppress_max_count: 4,
                built_at: String::new(),
                config_sha256: String::new(),
                sources: vec![],
                locality_scheme: None,
            },
            layers: vec![Layer::new(Level::Msoa11, vec![], vec![])],
            indicators: vec![],
            national_by_deprivation: vec![],
            sites: vec![],
            postcodes: vec![],
        };
        (dataset, indicator)
    }

    #[test]
    fn small_counts_are_suppressed_but_zero_is_not() {
        assert!(!is_small_count(0.0, 4));
        assert!(is_small_count(1.0, 4));
        assert!(is_small_count(4.0, 4));
        assert!(is_small_count(4.6, 4));
        assert!(!is_small_count(5.0, 4));
    }

    #[test]
    fn a_lone_suppressed_count_gets_a_complement() {
        let (d, ind) = dataset_with(&[Some(3.0), Some(50.0), Some(7.0), Some(20.0)]);
        // 3 is primary; 7 is the next smallest count, so it is withheld too.
        assert_eq!(suppressed_mask(&d, &ind), vec![true, false, true, false]);
    }

    #[test]
    fn two_small_counts_need_a_third_when_their_sum_is_small() {
        // 1 + 2 = 3 would reveal both (each must be ≥ 1): a third cell is withheld.
        let (d, ind) = dataset_with(&[Some(1.0), Some(2.0), Some(9.0), Some(30.0)]);
        assert_eq!(suppressed_mask(&d, &ind), vec![true, true, true, false]);
    }

    #[test]
    fn overlapping_group_totals_can_determine_a_cell() {
        // Cells a=0, b=1, c=2 hidden; totals of {a,b}, {a,c} and {a,b,c} give
        // a = (a+b) + (a+c) - (a+b+c).
        let groups = vec![vec![0, 1, 3], vec![0, 2, 4], vec![0, 1, 2, 3, 4]];
        let hidden = [true, true, true, false, false];
        let targets = [true, false, false, false, false];
        assert_eq!(determined_cells(&groups, &hidden, &targets), vec![0]);
        // Without the overall total, a is not determined.
        assert!(determined_cells(&groups[..2], &hidden, &targets).is_empty());
        // A group whose only hidden member is the target determines it.
        assert_eq!(determined_cells(&[vec![0, 3]], &hidden, &targets), vec![0]);
    }

    #[test]
    fn count_implied_by_value_and_denominator_is_suppressed() {
        let (d, mut ind) = dataset_with(&[Some(10.0), Some(20.0), Some(30.0)]);
        ind.values[0].count = None;
        ind.values[0].value = Some(2.0); // 2% of 100 = a count of 2
        let public = public_values(&d, &ind);
        assert!(public[0].suppressed && public[0].value.is_none());
        assert!(public[1].suppressed, "complement withheld");
        assert!(!public[2].suppressed);
        assert_eq!(public[2].count, Some(30.0));
    }
}

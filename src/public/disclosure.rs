//! What must be withheld for one indicator so that no count of 1 to `suppress_max_count` can
//! be read or derived from anything gapmap publishes: the values of areas, and the totals of
//! groups in gap tables.
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
//! **Locality-scoped tables** publish one more kind of total: each deprivation group *within*
//! each locality (key `in/{locality}/…`), which can be differenced against the county-wide
//! totals. These are audited second, with the cells and county-wide totals fixed as decided
//! above: locality-scoped totals alone are withheld (the smallest containing a determined count
//! first, plus a second one of its locality's family) until no small count is determined. So
//! adding locality tables never changes a county-wide output, and the numbers a locality slide
//! shows are exactly those of `/api/gaps?…&locality=`.
//!
//! This rule contains the statistics engine's own area rule (`crate::gaps::suppressed_areas`:
//! a lone suppressed area pulls the next smallest with it over the whole area of interest); its
//! set is always included, so no output undoes another. The small-count predicate is
//! [`crate::stats::suppress::is_small_count`], the same one every output uses.

use crate::dataset::{Dataset, Indicator, IndicatorValue, ValueType};
use crate::gaps::GroupBy;
use crate::imd::ImdEdition;
use crate::stats::suppress::is_small_count;
use std::collections::{BTreeMap, BTreeSet};

/// The count behind a value: as stored, else implied by value × denominator / multiplier.
pub(super) fn effective_count(indicator: &Indicator, v: &IndicatorValue) -> Option<f64> {
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

/// Key of a gap-table group whose total may be withheld: `"{edition}/{by}/{key}"` for
/// deprivation groupings (e.g. `"imd2019/imd-decile/3"`), `"locality/{key}"` for localities, and
/// `"in/{locality}/{edition}/{by}/{key}"` for a deprivation group within one locality.
pub fn group_key(
    by: GroupBy,
    edition: Option<ImdEdition>,
    within: Option<&str>,
    key: &str,
) -> Option<String> {
    let scope = within.map_or(String::new(), |l| format!("{WITHIN}{l}/"));
    match by {
        GroupBy::ImdDecile | GroupBy::ImdQuintile | GroupBy::LocalQuintile => Some(format!(
            "{scope}{}/{}/{key}",
            edition?.as_str(),
            by.as_str()
        )),
        GroupBy::Locality if within.is_none() => Some(format!("locality/{key}")),
        GroupBy::Locality | GroupBy::Area => None,
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
            let locality = area.locality.as_deref();
            for imd in &area.imd {
                for (by, key) in [
                    (GroupBy::ImdDecile, imd.decile),
                    (GroupBy::ImdQuintile, imd.quintile),
                    (GroupBy::LocalQuintile, imd.local_quintile),
                ] {
                    let key = key.to_string();
                    // County-wide, and within the area's locality (locality-scoped tables).
                    for within in std::iter::once(None).chain(locality.map(Some)) {
                        if let Some(k) = group_key(by, Some(imd.edition), within, &key) {
                            by_key.entry(k).or_default().push(i);
                        }
                    }
                }
            }
            if let Some(locality) = locality {
                if let Some(k) = group_key(GroupBy::Locality, None, None, locality) {
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
    // Totals within one locality are settled second (below), so the county-wide outputs are
    // decided exactly as if no locality-scoped table existed.
    let (mut scoped, mut groups): (Vec<Group>, Vec<Group>) =
        groups.drain(..).partition(|g| g.0.starts_with(WITHIN));
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
    // The totals of deprivation groups within each locality (locality-scoped gap tables) can
    // be differenced against the county-wide totals above. Keep the cells and the county-wide
    // totals as decided; withhold locality-scoped totals (the smallest containing a determined
    // count first, with a second of its locality's family, whose totals add up to the published
    // locality total) until no small count is determined — at worst all of them, which is the
    // state already shown to be safe.
    loop {
        let memberships: Vec<Vec<usize>> = groups
            .iter()
            .chain(&scoped)
            .map(|(_, m, _)| m.clone())
            .collect();
        let Some(&exposed) = determined_cells(&memberships, &suppressed, &primary).first() else {
            break;
        };
        let Some(index) = smallest_group(&scoped, |g| g.1.contains(&exposed))
            .or_else(|| smallest_group(&scoped, |_| true))
        else {
            break;
        };
        let (key, _, _) = scoped.remove(index);
        let fam = family(&key).to_string();
        unpublished.insert(key.clone());
        withheld_groups.insert(key);
        if unpublished.iter().filter(|k| family(k) == fam).count() == 1 {
            if let Some(index) = smallest_group(&scoped, |g| family(&g.0) == fam) {
                let (key, _, _) = scoped.remove(index);
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

/// Prefix of the keys of groups within one locality (see [`group_key`]).
const WITHIN: &str = "in/";

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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::dataset::{DatasetMeta, IndicatorMeta, Layer, Polarity, ValueType};
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
                bands: Vec::new(),
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
                standardisation: None,
                age_standard: None,
            },
            values,
            england: None,
            county: None,
            earlier: Vec::new(),
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
            reach: vec![],
        };
        (dataset, indicator)
    }

    #[test]
    fn a_lone_suppressed_count_gets_a_complement() {
        let (d, ind) = dataset_with(&[Some(3.0), Some(50.0), Some(7.0), Some(20.0)]);
        // 3 is primary; 7 is the next smallest count, so it is withheld too.
        assert_eq!(disclosure(&d, &ind).hidden, vec![true, false, true, false]);
    }

    #[test]
    fn two_small_counts_need_a_third_when_their_sum_is_small() {
        // 1 + 2 = 3 would reveal both (each must be ≥ 1): a third cell is withheld.
        let (d, ind) = dataset_with(&[Some(1.0), Some(2.0), Some(9.0), Some(30.0)]);
        assert_eq!(disclosure(&d, &ind).hidden, vec![true, true, true, false]);
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
        let public = super::super::values::public_values_with(&ind, &disclosure(&d, &ind).hidden);
        assert!(public[0].figures.suppressed && public[0].figures.value.is_none());
        assert!(public[1].figures.suppressed, "complement withheld");
        assert!(!public[2].figures.suppressed);
        assert_eq!(public[2].figures.count, Some(30.0));
    }

    #[test]
    fn group_keys_name_the_scope() {
        use crate::imd::ImdEdition;
        assert_eq!(
            group_key(GroupBy::ImdQuintile, Some(ImdEdition::Imd2019), None, "1").as_deref(),
            Some("imd2019/imd-quintile/1")
        );
        assert_eq!(
            group_key(
                GroupBy::ImdQuintile,
                Some(ImdEdition::Imd2019),
                Some("North"),
                "1"
            )
            .as_deref(),
            Some("in/North/imd2019/imd-quintile/1")
        );
        assert_eq!(
            group_key(GroupBy::Locality, None, None, "North").as_deref(),
            Some("locality/North")
        );
        assert_eq!(
            group_key(GroupBy::Locality, None, Some("North"), "North"),
            None
        );
        assert_eq!(group_key(GroupBy::Area, None, None, "E02000001"), None);
    }
}

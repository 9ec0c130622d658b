//! Aggregation of areas into groups (deprivation deciles/quintiles, localities, the county).
//!
//! A group's proportion or rate is Σ counts / Σ denominators — the value the group would have
//! had if it were one area — never the mean of its areas' rates, which would give a small area
//! the same weight as a large one (Fingertips technical guidance, "Assigning deprivation
//! categories"; PHEindicatormethods `phe_proportion`/`phe_rate` on grouped data, which
//! `summarise(sum(x), sum(n))` before computing the value).

use std::collections::BTreeMap;

/// Summed inputs of one group.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Totals {
    /// Σ counts over areas with both a count and a denominator.
    pub count: f64,
    /// Σ denominators over the same areas.
    pub denominator: f64,
    /// Areas that contributed.
    pub areas: u32,
    /// Areas in the group with no usable count/denominator (left out of the sums).
    pub areas_missing: u32,
}

impl Totals {
    /// Add one area; areas missing either number are counted but not summed.
    pub fn add(&mut self, count: Option<f64>, denominator: Option<f64>) {
        match (count, denominator) {
            (Some(c), Some(d)) if c.is_finite() && d.is_finite() => {
                self.count += c;
                self.denominator += d;
                self.areas += 1;
            }
            _ => self.areas_missing += 1,
        }
    }
}

/// Sum counts and denominators by group key.
pub fn sum_by_group<K: Ord>(
    rows: impl IntoIterator<Item = (K, Option<f64>, Option<f64>)>,
) -> BTreeMap<K, Totals> {
    let mut groups: BTreeMap<K, Totals> = BTreeMap::new();
    for (key, count, denominator) in rows {
        groups.entry(key).or_default().add(count, denominator);
    }
    groups
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn groups_sum_counts_and_denominators_not_rates() {
        // Area A: 1/10 (10%), area B: 90/100 (90%). Mean of rates = 50%;
        // the group value must be 91/110 = 82.7%.
        let groups = sum_by_group([
            ("g", Some(1.0), Some(10.0)),
            ("g", Some(90.0), Some(100.0)),
            ("h", None, Some(5.0)),
        ]);
        let g = groups["g"];
        assert_eq!((g.count, g.denominator, g.areas), (91.0, 110.0, 2));
        assert!((g.count / g.denominator - 0.827_272_7).abs() < 1e-6);
        assert_eq!(groups["h"].areas_missing, 1);
        assert_eq!(groups["h"].areas, 0);
    }
}

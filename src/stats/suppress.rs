//! Small-number suppression for public outputs.
//!
//! **Primary:** a count from 1 to `max` (the dataset's `suppress_max_count`, default 4) is
//! never published, and neither is anything that reveals it: the group's value and its
//! confidence limits (value × denominator / multiplier gives the count back; so do the limits).
//! Zero is published: it is not disclosive in the sense of the ONS/NHS Digital small-number
//! rules, and Fingertips shows zero counts. Fractional (apportioned) counts above 0 and below
//! `max + 1` are treated as small (a count of 4.6 rounds to a published 5 only by chance).
//!
//! **Secondary:** when groups partition a total that is published (the county row, or the
//! total a reader can form by adding the groups), a single suppressed group could be recovered
//! by subtraction. So if exactly one group is suppressed, the group with the next-smallest
//! count is suppressed as well (ties: the first in table order). Two or more suppressed groups
//! cannot be separated from their sum, so nothing further is needed.
//!
//! Derived statistics follow the same rule in `crate::gaps`: a gap or an SII/RII that uses a
//! suppressed group's value is withheld, because with the other groups' values published it
//! could be solved for that value.
//!
//! Limitation: the rule protects each table on its own. Differencing *across* groupings (a
//! decile total minus the published areas of that decile) can still isolate a hidden area when
//! it is the only hidden area in its decile; consistent suppression across hierarchies is not
//! attempted here.
//!
//! Rule and threshold: gapmap DESIGN.md ("Counts below the suppression threshold never leave
//! the server in public outputs") with `DatasetMeta::suppress_max_count`; primary plus
//! complementary (secondary) cell suppression is the standard statistical disclosure control
//! for frequency tables (e.g. Hundepool A et al. (2012) *Statistical Disclosure Control*,
//! Wiley, ch. 4).

/// True for a count that must not be published: above 0 and below `max + 1`, so 1 ..= `max`
/// and fractional (apportioned) counts up to `max + 1`. The one small-number predicate: every
/// public output decides with it.
pub fn is_small_count(count: f64, max: u32) -> bool {
    count > 0.0 && count < f64::from(max) + 1.0
}

/// [`is_small_count`] for a count that may be missing (missing is not small).
pub fn is_small(count: Option<f64>, max: u32) -> bool {
    count.is_some_and(|c| is_small_count(c, max))
}

/// Which groups to suppress, given their counts in table order.
///
/// `total_published`: whether the sum of these groups is published or derivable; when true
/// the secondary rule applies.
pub fn suppress_groups(counts: &[Option<f64>], max: u32, total_published: bool) -> Vec<bool> {
    let mut suppressed: Vec<bool> = counts.iter().map(|c| is_small(*c, max)).collect();
    if total_published && suppressed.iter().filter(|s| **s).count() == 1 {
        let next = counts
            .iter()
            .enumerate()
            .filter(|(i, c)| !suppressed[*i] && c.is_some())
            .min_by(|(_, a), (_, b)| {
                a.unwrap_or(f64::INFINITY)
                    .total_cmp(&b.unwrap_or(f64::INFINITY))
            })
            .map(|(i, _)| i);
        if let Some(i) = next {
            suppressed[i] = true;
        }
    }
    suppressed
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn counts_one_to_four_are_small_and_zero_is_not() {
        assert!(!is_small(Some(0.0), 4));
        assert!(is_small(Some(1.0), 4));
        assert!(is_small(Some(4.0), 4));
        assert!(!is_small(Some(5.0), 4));
        assert!(is_small(Some(0.4), 4));
        assert!(
            is_small(Some(4.6), 4),
            "fractional counts below max + 1 are small"
        );
        assert!(!is_small(None, 4));
    }

    #[test]
    fn single_suppressed_group_pulls_the_next_smallest_with_it() {
        // 3 is primary-suppressed; the next smallest (7) is suppressed so 3 cannot be
        // recovered as total − shown groups.
        let s = suppress_groups(&[Some(50.0), Some(3.0), Some(7.0), Some(9.0)], 4, true);
        assert_eq!(s, vec![false, true, true, false]);
    }

    #[test]
    fn two_suppressed_groups_need_no_secondary() {
        let s = suppress_groups(&[Some(50.0), Some(3.0), Some(2.0), Some(9.0)], 4, true);
        assert_eq!(s, vec![false, true, true, false]);
    }

    #[test]
    fn without_a_published_total_only_primary_applies() {
        let s = suppress_groups(&[Some(50.0), Some(3.0), Some(7.0)], 4, false);
        assert_eq!(s, vec![false, true, false]);
    }

    proptest::proptest! {
        #[test]
        fn suppression_never_leaves_a_single_recoverable_small_count(
            counts in proptest::collection::vec(0u32..40, 2..12)
        ) {
            let counts: Vec<Option<f64>> = counts.into_iter().map(|c| Some(f64::from(c))).collect();
            let s = suppress_groups(&counts, 4, true);
            for (c, hidden) in counts.iter().zip(&s) {
                if is_small(*c, 4) { proptest::prop_assert!(hidden); }
            }
            proptest::prop_assert!(s.iter().filter(|x| **x).count() != 1);
        }
    }
}

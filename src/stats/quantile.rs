//! Assigning areas to quantiles (deciles, quintiles, any n) by value, the PHE way.
//!
//! Within one grouping set of areas, with n the number of areas that have a value:
//!
//! ```text
//! adjusted = max(value) − value   when inverted (the default: highest value → quantile 1)
//!          = value                otherwise
//! rank     = rank of adjusted, ties sharing the lowest rank (R rank(ties.method = "min"))
//! quantile = floor((q + 1) − ceiling(((n + 1) − rank) / (n / q))),  0 → 1
//! ```
//!
//! Areas without a value get no quantile and do not count in n. Ties always share a quantile
//! (the lowest rank of the tie decides), so a tie straddling a natural boundary puts every
//! tied area in the same quantile — the package's notes advise a manual review in that case.
//! The arithmetic is done in the same order and in the same IEEE doubles as R, so boundary
//! cases fall the same way.
//!
//! Sources: PHEindicatormethods `phe_quantile` (R/Quantiles.R); PHE *Technical Guide:
//! Assigning deprivation categories* (Fingertips guidance).

/// Why quantiles cannot be assigned.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum QuantileError {
    #[error("the number of quantiles must be at least 1, got {0}")]
    Count(u32),
}

/// Quantile (1..=`nquantiles`) of each value; `None` for a missing (or non-finite) value.
pub fn assign_quantiles(
    values: &[Option<f64>],
    nquantiles: u32,
    invert: bool,
) -> Result<Vec<Option<u32>>, QuantileError> {
    if nquantiles == 0 {
        return Err(QuantileError::Count(nquantiles));
    }
    let present = |v: &Option<f64>| v.filter(|x| x.is_finite());
    let max = values
        .iter()
        .filter_map(present)
        .fold(f64::NEG_INFINITY, f64::max);
    let adjusted: Vec<Option<f64>> = values
        .iter()
        .map(|v| present(v).map(|x| if invert { max - x } else { x }))
        .collect();
    let mut sorted: Vec<f64> = adjusted.iter().flatten().copied().collect();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as f64;
    let q = f64::from(nquantiles);
    Ok(adjusted
        .iter()
        .map(|a| {
            a.map(|x| {
                // Number of values strictly below x, plus 1: the "min" rank of a tie.
                let rank = sorted.partition_point(|y| *y < x) as f64 + 1.0;
                let quantile = ((q + 1.0) - (((n + 1.0) - rank) / (n / q)).ceil()).floor();
                quantile.max(1.0) as u32
            })
        })
        .collect())
}

/// The package's `qinverted` column.
pub fn inverted_label(invert: bool) -> &'static str {
    if invert {
        "lowest quantile represents highest values"
    } else {
        "lowest quantile represents lowest values"
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn some(values: &[f64]) -> Vec<Option<f64>> {
        values.iter().copied().map(Some).collect()
    }

    #[test]
    fn ten_values_into_quintiles_by_hand() {
        // n = 10, q = 5: rank r → floor(6 − ceil((11 − r)/2)): r 1,2 → 1; 3,4 → 2; …; 9,10 → 5.
        let values = some(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]);
        let q = assign_quantiles(&values, 5, false).unwrap();
        assert_eq!(
            q,
            [1, 1, 2, 2, 3, 3, 4, 4, 5, 5].map(Some).to_vec(),
            "lowest values in quintile 1 when not inverted"
        );
        // Inverted (the package default): the highest values are quantile 1.
        let inverted = assign_quantiles(&values, 5, true).unwrap();
        assert_eq!(inverted, [5, 5, 4, 4, 3, 3, 2, 2, 1, 1].map(Some).to_vec());
    }

    #[test]
    fn ties_share_the_lowest_rank() {
        // Ranks (min): 1, 2, 2, 2, 5, 6; n = 6, q = 3, n/q = 2:
        // r=1 → floor(4 − ceil(3)) = 1; r=2 → floor(4 − ceil(2.5)) = 1; r=5 → floor(4 − 1) = 3;
        // r=6 → floor(4 − ceil(0.5)) = 3.
        let values = some(&[10.0, 20.0, 20.0, 20.0, 30.0, 40.0]);
        let q = assign_quantiles(&values, 3, false).unwrap();
        assert_eq!(q, [1, 1, 1, 1, 3, 3].map(Some).to_vec());
    }

    #[test]
    fn missing_values_get_no_quantile_and_do_not_count() {
        let values = vec![
            Some(1.0),
            None,
            Some(2.0),
            Some(f64::NAN),
            Some(3.0),
            Some(4.0),
        ];
        let q = assign_quantiles(&values, 2, false).unwrap();
        assert_eq!(q, vec![Some(1), None, Some(1), None, Some(2), Some(2)]);
    }

    #[test]
    fn one_area_is_in_the_top_quantile_and_none_is_empty() {
        // n = 1: floor(11 − ceil(1/0.1)) = 1 for deciles (the only area).
        assert_eq!(
            assign_quantiles(&some(&[5.0]), 10, true).unwrap(),
            vec![Some(1)]
        );
        assert_eq!(assign_quantiles(&[], 10, true).unwrap(), vec![]);
        assert_eq!(assign_quantiles(&[None], 10, true).unwrap(), vec![None]);
        assert_eq!(
            assign_quantiles(&some(&[1.0]), 0, true),
            Err(QuantileError::Count(0))
        );
    }

    #[test]
    fn fewer_areas_than_quantiles_skip_quantiles() {
        // n = 3, q = 10, n/q = 0.3: r=1 → floor(11 − ceil(3/0.3 = 10)) = 1,
        // r=2 → floor(11 − ceil(6.67)) = 4, r=3 → floor(11 − ceil(3.33)) = 7.
        let q = assign_quantiles(&some(&[1.0, 2.0, 3.0]), 10, false).unwrap();
        assert_eq!(q, vec![Some(1), Some(4), Some(7)]);
    }

    proptest::proptest! {
        #[test]
        fn quantiles_are_in_range_and_monotone(values in proptest::collection::vec(0.0f64..100.0, 1..200), q in 1u32..20) {
            let input: Vec<Option<f64>> = values.iter().copied().map(Some).collect();
            let out = assign_quantiles(&input, q, false).unwrap();
            for (i, a) in out.iter().enumerate() {
                let a = a.unwrap();
                proptest::prop_assert!((1..=q).contains(&a));
                for (j, b) in out.iter().enumerate() {
                    if values[i] < values[j] {
                        proptest::prop_assert!(a <= b.unwrap());
                    }
                }
            }
        }
    }
}

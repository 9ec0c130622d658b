//! Wilson score interval for a proportion.
//!
//! For `x` events among `n` and z = Φ⁻¹(1 − α/2):
//!
//! ```text
//! lower = (2x + z² − z·√(z² + 4x(1 − x/n))) / (2(n + z²))
//! upper = (2x + z² + z·√(z² + 4x(1 − x/n))) / (2(n + z²))
//! ```
//!
//! Sources: Wilson EB (1927) *Probable inference, the law of succession, and statistical
//! inference*, JASA 22:209–212; Newcombe RG, Altman DG (2000) in *Statistics with confidence*
//! (2nd edn) pp 46–48; PHEindicatormethods `wilson_lower`/`wilson_upper` (R/utils.R) and
//! `phe_proportion`; Fingertips technical guidance, "Proportions". The interval is exact at the
//! boundaries: 0 events gives a lower limit of exactly 0, x = n an upper limit of exactly 1.
//! Fractional (apportioned) counts are allowed, as in Fingertips. At 100% confidence the
//! interval is [0, 1] (`wilson_lower`/`wilson_upper` special-case `confidence == 1`).

use super::confidence::ConfidenceLevel;
use super::{check_count, Confidence, Interval, StatsError};

/// Wilson score interval for the proportion `count / denominator` (on the 0–1 scale), at
/// one of the two Fingertips levels.
pub fn wilson_interval(
    count: f64,
    denominator: f64,
    confidence: Confidence,
) -> Result<Interval, StatsError> {
    wilson_interval_at(count, denominator, confidence.into())
}

/// Wilson score interval at any confidence level in (0, 1].
pub fn wilson_interval_at(
    count: f64,
    denominator: f64,
    level: ConfidenceLevel,
) -> Result<Interval, StatsError> {
    check_count(count, denominator)?;
    if count > denominator {
        return Err(StatsError::CountExceedsDenominator { count, denominator });
    }
    if level.is_full() {
        return Ok(Interval {
            lower: 0.0,
            upper: 1.0,
        });
    }
    let z = level.z();
    let (x, n) = (count, denominator);
    let centre = 2.0 * x + z * z;
    let spread = z * (z * z + 4.0 * x * (1.0 - x / n)).sqrt();
    let scale = 2.0 * (n + z * z);
    // Clamp away floating-point dust so 0 events gives exactly 0 and x = n exactly 1.
    let lower = if x == 0.0 {
        0.0
    } else {
        ((centre - spread) / scale).max(0.0)
    };
    let upper = if x == n {
        1.0
    } else {
        ((centre + spread) / scale).min(1.0)
    };
    Ok(Interval { lower, upper })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn wilson_reproduces_newcombe_altman_worked_example() {
        // Newcombe & Altman (2000), Statistics with confidence, p 47: 81 of 263 → 95% CI
        // 0.2553 to 0.3662 (Wilson). Hand-check with z = 1.96: (162+3.8416 ± 1.96·√(3.8416 +
        // 4·81·(1−81/263)))/(2·266.8416).
        let ci = wilson_interval(81.0, 263.0, Confidence::P95).unwrap();
        assert!(close(ci.lower, 0.2553, 5e-5), "{ci:?}");
        assert!(close(ci.upper, 0.3662, 5e-5), "{ci:?}");
    }

    #[test]
    fn wilson_reproduces_fingertips_published_row() {
        // Real OHID Fingertips row (../shared/data/indicators/england_by_deprivation_decile.csv,
        // 91894 England 2018): 27841 / 93381 → 29.5218542323636 to 30.1086388850618 (%).
        let ci = wilson_interval(27_841.0, 93_381.0, Confidence::P95)
            .unwrap()
            .scaled(100.0);
        assert!(close(ci.lower, 29.521_854_232_363_6, 1e-11), "{ci:?}");
        assert!(close(ci.upper, 30.108_638_885_061_8, 1e-11), "{ci:?}");
    }

    #[test]
    fn wilson_interval_is_exact_for_zero_count() {
        // x = 0: lower = 0 and upper = z²/(n + z²) (formula with x = 0).
        let ci = wilson_interval(0.0, 10.0, Confidence::P95).unwrap();
        let z2 = Confidence::P95.z().powi(2);
        assert_eq!(ci.lower, 0.0);
        assert!(close(ci.upper, z2 / (10.0 + z2), 1e-15)); // 0.2775
        assert!(close(ci.upper, 0.277_532_3, 1e-6));
    }

    #[test]
    fn wilson_interval_upper_is_one_when_count_equals_denominator() {
        // x = n: upper = 1, lower = n/(n + z²) (formula with x = n): 10/(10+3.8415) = 0.7225.
        let ci = wilson_interval(10.0, 10.0, Confidence::P95).unwrap();
        assert_eq!(ci.upper, 1.0);
        let z2 = Confidence::P95.z().powi(2);
        assert!(close(ci.lower, 10.0 / (10.0 + z2), 1e-15));
    }

    #[test]
    fn wilson_handles_a_denominator_of_one() {
        // Tiny denominator: 1 of 1 → [1/(1+z²), 1] = [0.2065, 1].
        let ci = wilson_interval(1.0, 1.0, Confidence::P95).unwrap();
        assert!(close(ci.lower, 0.206_549_3, 1e-6), "{ci:?}");
        assert_eq!(ci.upper, 1.0);
    }

    #[test]
    fn wilson_99_8_interval_is_wider_than_95() {
        let a = wilson_interval(30.0, 100.0, Confidence::P95).unwrap();
        let b = wilson_interval(30.0, 100.0, Confidence::P998).unwrap();
        assert!(b.lower < a.lower && b.upper > a.upper);
    }

    #[test]
    fn wilson_at_other_levels_matches_hand_worked_values() {
        // 81 of 263 at 90% (z = 1.6448536): (162 + 2.7055 ± 1.6449·√(2.7055 + 4·81·(1 − 81/263)))
        // / (2·265.7055) = 0.2633136 to 0.3565663 (python, z = scipy norm.ppf(0.95)).
        let ci = wilson_interval_at(81.0, 263.0, ConfidenceLevel::new(90.0).unwrap()).unwrap();
        assert!(close(ci.lower, 0.263_313_617, 1e-8), "{ci:?}");
        assert!(close(ci.upper, 0.356_566_350, 1e-8), "{ci:?}");
        // 100%: the whole range, as wilson_lower/wilson_upper return for confidence == 1.
        let full = wilson_interval_at(81.0, 263.0, ConfidenceLevel::new(1.0).unwrap()).unwrap();
        assert_eq!((full.lower, full.upper), (0.0, 1.0));
        // The Fingertips enum and the level give identical results.
        assert_eq!(
            wilson_interval(81.0, 263.0, Confidence::P998).unwrap(),
            wilson_interval_at(81.0, 263.0, ConfidenceLevel::P998).unwrap()
        );
    }

    #[test]
    fn wilson_rejects_count_above_denominator_and_zero_denominator() {
        assert!(matches!(
            wilson_interval(11.0, 10.0, Confidence::P95),
            Err(StatsError::CountExceedsDenominator { .. })
        ));
        assert!(matches!(
            wilson_interval(0.0, 0.0, Confidence::P95),
            Err(StatsError::InvalidDenominator(_))
        ));
        assert!(matches!(
            wilson_interval(-1.0, 10.0, Confidence::P95),
            Err(StatsError::InvalidCount(_))
        ));
    }

    proptest::proptest! {
        #[test]
        fn wilson_interval_contains_the_proportion(n in 1u32..100_000, frac in 0.0f64..=1.0) {
            let x = (f64::from(n) * frac).floor();
            let ci = wilson_interval(x, f64::from(n), Confidence::P95).unwrap();
            let p = x / f64::from(n);
            proptest::prop_assert!(ci.lower <= p + 1e-12 && p <= ci.upper + 1e-12);
            proptest::prop_assert!(ci.lower >= 0.0 && ci.upper <= 1.0);
        }
    }
}

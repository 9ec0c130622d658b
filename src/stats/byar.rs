//! Byar's approximation to the exact Poisson confidence limits of an observed count.
//!
//! For an observed count O and z = Φ⁻¹(1 − α/2):
//!
//! ```text
//! O_lower = O · (1 − 1/(9O) − z/(3√O))³
//! O_upper = (O + 1) · (1 − 1/(9(O + 1)) + z/(3√(O + 1)))³
//! ```
//!
//! A rate's limits are the count's limits divided by the denominator (× multiplier).
//! Sources: Breslow NE, Day NE (1987) *Statistical methods in cancer research, volume II*,
//! IARC; PHEindicatormethods `byars_lower`/`byars_upper` (R/utils.R); Fingertips technical
//! guidance, "Rates" ("counts of 10 or greater"). Byar's method is within 0.2% of the exact
//! value for counts of 10 or more at 95% (PHE *Technical Guide: Confidence Intervals*, 2018),
//! which is why Fingertips uses it only from 10 events up; see [`super::poisson_exact`].

use super::confidence::ConfidenceLevel;
use super::{Confidence, Interval, StatsError};

/// Byar's limits for an observed count `observed` (≥ 0, may be fractional).
///
/// For `observed = 0` the lower formula is undefined; the lower limit is 0 (the exact value).
pub fn byar_count_limits(observed: f64, confidence: Confidence) -> Result<Interval, StatsError> {
    byar_count_limits_at(observed, confidence.into())
}

/// Byar's limits at any confidence level in (0, 1]. At 100% the interval is [0, ∞).
pub fn byar_count_limits_at(observed: f64, level: ConfidenceLevel) -> Result<Interval, StatsError> {
    if !(observed.is_finite() && observed >= 0.0) {
        return Err(StatsError::InvalidCount(observed));
    }
    // PHEindicatormethods sets a negative lower limit to NA; it can only happen for counts far
    // below the 10 where Byar is used (or at 100%), so clamp at 0.
    let lower = byar_lower_unclamped(observed, level).max(0.0);
    Ok(Interval {
        lower,
        upper: byar_upper(observed, level),
    })
}

/// Byar's lower limit as the formula gives it: negative (the package's NA) when the
/// approximation breaks down, −∞ at 100%; 0 for no events.
pub fn byar_lower_unclamped(observed: f64, level: ConfidenceLevel) -> f64 {
    if observed == 0.0 {
        return 0.0;
    }
    let o = observed;
    o * (1.0 - 1.0 / (9.0 * o) - level.z() / (3.0 * o.sqrt())).powi(3)
}

/// Byar's upper limit; +∞ at 100%.
pub fn byar_upper(observed: f64, level: ConfidenceLevel) -> f64 {
    let o1 = observed + 1.0;
    o1 * (1.0 - 1.0 / (9.0 * o1) + level.z() / (3.0 * o1.sqrt())).powi(3)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn byar_limits_for_100_events_match_hand_worked_values() {
        // O = 100, z = 1.959964: lower = 100(1 − 1/900 − 1.959964/30)³ = 81.3621,
        // upper = 101(1 − 1/909 + 1.959964/(3√101))³ = 121.6279 (checked with R qnorm).
        let ci = byar_count_limits(100.0, Confidence::P95).unwrap();
        assert!((ci.lower - 81.362_105_490_527_88).abs() < 1e-9, "{ci:?}");
        assert!((ci.upper - 121.627_937_579_206_5).abs() < 1e-9, "{ci:?}");
    }

    #[test]
    fn byar_limits_for_10_events() {
        // O = 10 (the smallest count Fingertips uses Byar for): 4.787450 to 18.391459.
        let ci = byar_count_limits(10.0, Confidence::P95).unwrap();
        assert!((ci.lower - 4.787_449_913_967_563).abs() < 1e-9);
        assert!((ci.upper - 18.391_458_605_756_47).abs() < 1e-9);
    }

    #[test]
    fn byar_reproduces_fingertips_under_18_conception_rate() {
        // Real Fingertips row, 20401 England 2019: 14019 / 905242 per 1,000 →
        // 15.23116 to 15.74498 (published to 5 dp).
        let ci = byar_count_limits(14_019.0, Confidence::P95)
            .unwrap()
            .scaled(1000.0 / 905_242.0);
        assert!((ci.lower - 15.23116).abs() < 5e-6, "{ci:?}");
        assert!((ci.upper - 15.74498).abs() < 5e-6, "{ci:?}");
    }

    #[test]
    fn byar_zero_count_has_zero_lower_limit() {
        let ci = byar_count_limits(0.0, Confidence::P95).unwrap();
        assert_eq!(ci.lower, 0.0);
        assert!(ci.upper > 3.0 && ci.upper < 4.0);
    }

    #[test]
    fn byar_at_99_percent_matches_hand_worked_values() {
        // O = 100, z = qnorm(0.995) = 2.575829: lower = 100(1 − 1/900 − 2.575829/30)³
        // = 76.111830, upper = 101(1 − 1/909 + 2.575829/(3√101))³ = 128.769055 (python).
        let ci = byar_count_limits_at(100.0, ConfidenceLevel::new(0.99).unwrap()).unwrap();
        assert!((ci.lower - 76.111_829_91).abs() < 1e-7, "{ci:?}");
        assert!((ci.upper - 128.769_054_77).abs() < 1e-7, "{ci:?}");
        let full = ConfidenceLevel::new(1.0).unwrap();
        assert_eq!(byar_lower_unclamped(100.0, full), f64::NEG_INFINITY);
        assert_eq!(byar_upper(100.0, full), f64::INFINITY);
    }

    #[test]
    fn byar_rejects_negative_counts() {
        assert!(byar_count_limits(-1.0, Confidence::P95).is_err());
    }
}

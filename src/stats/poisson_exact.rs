//! Exact Poisson limits of a count, and the Fingertips rule for a rate's interval.
//!
//! Exact (Garwood) limits via the link between the Poisson and χ² distributions:
//!
//! ```text
//! O_lower = χ²(α/2;  2O)     / 2      (0 when O = 0)
//! O_upper = χ²(1 − α/2; 2O + 2) / 2
//! ```
//!
//! χ²(p; 2k)/2 is the p-quantile of a Gamma(k, 1) distribution, so each limit is the λ that
//! solves P(k, λ) = p for the regularised lower incomplete gamma function P; it is found here
//! by bisection to full double precision (statrs' own gamma inverse stops after a few Newton
//! steps, too early to reproduce published limits to 6+ decimals).
//!
//! **Which method Fingertips uses:** PHEindicatormethods `phe_rate` (R/Rates.R) and the
//! Fingertips technical guidance ("Rates": "Counts of less than 10 … the χ² exact method
//! should be used") use the exact method when the count is below 10 and Byar's method
//! ([`super::byar`]) from 10 up. [`count_limits`] applies that rule; [`EXACT_BELOW`] is the
//! threshold. Sources: Armitage P, Berry G (2002) *Statistical methods in medical research*
//! (4th edn); Garwood F (1936) Biometrika 28:437–442.

use super::byar::byar_count_limits_at;
use super::confidence::ConfidenceLevel;
use super::{check_count, Confidence, Interval, StatsError};
use statrs::function::gamma::checked_gamma_lr;

/// Counts below this use exact Poisson limits; counts at or above it use Byar (Fingertips).
pub const EXACT_BELOW: f64 = 10.0;

/// The λ with P(shape, λ) = p (Gamma(shape, 1) quantile), by bracketing and bisection.
fn gamma_quantile(shape: f64, p: f64) -> f64 {
    // P(a, x) for a > 0, x > 0; both hold below (shape > 0 and the bracket stays positive).
    let gamma_lr = |a: f64, x: f64| checked_gamma_lr(a, x).unwrap_or(f64::NAN);
    let mut low = 0.0_f64;
    let mut high = shape.max(1.0);
    for _ in 0..1100 {
        if gamma_lr(shape, high) >= p {
            break;
        }
        low = high;
        high *= 2.0;
    }
    for _ in 0..200 {
        let mid = 0.5 * (low + high);
        if mid <= low || mid >= high {
            break;
        }
        if gamma_lr(shape, mid) < p {
            low = mid;
        } else {
            high = mid;
        }
    }
    0.5 * (low + high)
}

/// Exact Poisson limits of an observed count (fractional counts allowed, as χ² with
/// non-integer degrees of freedom).
pub fn exact_count_limits(observed: f64, confidence: Confidence) -> Result<Interval, StatsError> {
    exact_count_limits_at(observed, confidence.into())
}

/// Exact Poisson limits at any confidence level in (0, 1]; [0, ∞) at 100%
/// (R: `qchisq(0, 2O) = 0`, `qchisq(1, 2O + 2) = Inf`).
pub fn exact_count_limits_at(
    observed: f64,
    level: ConfidenceLevel,
) -> Result<Interval, StatsError> {
    if !(observed.is_finite() && observed >= 0.0) {
        return Err(StatsError::InvalidCount(observed));
    }
    if level.is_full() {
        return Ok(Interval {
            lower: 0.0,
            upper: f64::INFINITY,
        });
    }
    let alpha = 1.0 - level.fraction();
    let lower = if observed == 0.0 {
        0.0
    } else {
        gamma_quantile(observed, alpha / 2.0)
    };
    let upper = gamma_quantile(observed + 1.0, 1.0 - alpha / 2.0);
    Ok(Interval { lower, upper })
}

/// Limits of an observed count the Fingertips way: exact below [`EXACT_BELOW`], else Byar.
pub fn count_limits(observed: f64, confidence: Confidence) -> Result<Interval, StatsError> {
    count_limits_at(observed, confidence.into())
}

/// [`count_limits`] at any confidence level in (0, 1].
pub fn count_limits_at(observed: f64, level: ConfidenceLevel) -> Result<Interval, StatsError> {
    if observed < EXACT_BELOW {
        exact_count_limits_at(observed, level)
    } else {
        byar_count_limits_at(observed, level)
    }
}

/// The method [`count_limits`] uses for a count, as the package names it ("Exact"/"Byars").
pub fn count_method(observed: f64) -> &'static str {
    if observed < EXACT_BELOW {
        "Exact"
    } else {
        "Byars"
    }
}

/// Interval of the crude rate `count / denominator × multiplier` (`phe_rate`).
pub fn rate_interval(
    count: f64,
    denominator: f64,
    multiplier: f64,
    confidence: Confidence,
) -> Result<Interval, StatsError> {
    rate_interval_at(count, denominator, multiplier, confidence.into())
}

/// [`rate_interval`] at any confidence level in (0, 1].
pub fn rate_interval_at(
    count: f64,
    denominator: f64,
    multiplier: f64,
    level: ConfidenceLevel,
) -> Result<Interval, StatsError> {
    check_count(count, denominator)?;
    Ok(count_limits_at(count, level)?.scaled(multiplier / denominator))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * b.abs().max(1.0)
    }

    #[test]
    fn exact_limits_match_chi_square_quantiles() {
        // Reference values from R / scipy: qchisq(0.025, 2O)/2 and qchisq(0.975, 2O+2)/2.
        let cases = [
            (1.0, 0.025_317_807_984_289_876, 5.571_643_390_938_898),
            (5.0, 1.623_486_390_118_420_7, 11.668_332_079_322_67),
            (9.0, 4.115_373_097_378_334, 17.084_803_451_419_166),
        ];
        for (o, lo, up) in cases {
            let ci = exact_count_limits(o, Confidence::P95).unwrap();
            assert!(close(ci.lower, lo) && close(ci.upper, up), "{o}: {ci:?}");
        }
        // 99.8%: qchisq(0.001, 10)/2 = 0.7393717, qchisq(0.999, 12)/2 = 16.4547452.
        let ci = exact_count_limits(5.0, Confidence::P998).unwrap();
        assert!(close(ci.lower, 0.739_371_731_917_832_3), "{ci:?}");
        assert!(close(ci.upper, 16.454_745_203_680_105), "{ci:?}");
    }

    #[test]
    fn exact_limits_are_exact_for_zero_events() {
        // O = 0: lower 0; upper = qchisq(0.975, 2)/2 = −ln(0.025) = 3.688879454113936.
        let ci = exact_count_limits(0.0, Confidence::P95).unwrap();
        assert_eq!(ci.lower, 0.0);
        assert!(close(ci.upper, -(0.025_f64.ln())));
    }

    #[test]
    fn fingertips_rule_switches_to_byar_at_ten() {
        let nine = count_limits(9.0, Confidence::P95).unwrap();
        let ten = count_limits(10.0, Confidence::P95).unwrap();
        assert!(close(nine.lower, 4.115_373_097_378_334));
        assert!(close(ten.lower, 4.787_449_913_967_563)); // Byar value, see byar.rs
    }

    #[test]
    fn rate_interval_reproduces_fingertips_small_count_row() {
        // 93124 (acute hepatitis B), England, fourth less deprived decile, 2018: 5 cases.
        // Fingertips published the count limits 1.623486 to 11.668332 for this row;
        // divided by 7,400,629 × 100,000 they are the rate limits.
        let ci = rate_interval(5.0, 7_400_629.0, 100_000.0, Confidence::P95).unwrap();
        assert!(close(ci.lower, 1.623_486_390_118_420_7 / 74.006_29));
        assert!(close(ci.upper, 11.668_332_079_322_67 / 74.006_29));
    }

    #[test]
    fn exact_limits_at_90_percent_and_at_100_percent() {
        // R: qchisq(0.05, 10)/2 = 1.97014957, qchisq(0.95, 12)/2 = 10.51303491 (90%, O = 5;
        // scipy chi2.ppf).
        let ci = exact_count_limits_at(5.0, ConfidenceLevel::new(0.9).unwrap()).unwrap();
        assert!((ci.lower - 1.970_149_568).abs() < 1e-8, "{ci:?}");
        assert!((ci.upper - 10.513_034_909).abs() < 1e-8, "{ci:?}");
        let full = exact_count_limits_at(5.0, ConfidenceLevel::new(1.0).unwrap()).unwrap();
        assert_eq!((full.lower, full.upper), (0.0, f64::INFINITY));
        assert_eq!(count_method(9.0), "Exact");
        assert_eq!(count_method(10.0), "Byars");
    }

    #[test]
    fn rate_interval_rejects_zero_denominator() {
        assert!(rate_interval(1.0, 0.0, 1000.0, Confidence::P95).is_err());
    }

    proptest::proptest! {
        #[test]
        fn count_limits_contain_the_count(o in 0u32..5000) {
            let o = f64::from(o);
            let ci = count_limits(o, Confidence::P95).unwrap();
            proptest::prop_assert!(ci.lower <= o && o <= ci.upper);
        }
    }
}

//! Change over time: the difference between two independent estimates, an inverse-variance
//! weighted slope across several, and the chi-squared test for trend in proportions.
//!
//! **Difference of two estimates** (e.g. the SII in the first and the latest period). Each
//! estimate's standard error is recovered from its 95% interval, `SE = (U − L) / (2 × 1.96)`,
//! and the difference `d = b − a` has `SE_d = √(SE_a² + SE_b²)` and 95% interval
//! `d ± 1.96 SE_d`; it is significant when the interval excludes 0 (|z| > 1.96). The two periods
//! must not share data (rolling periods that overlap do not). Source: Altman DG, Bland JM
//! (2003) *Interaction revisited: the difference between two estimates*, BMJ 326:219; the same
//! recovery of a standard error from a confidence interval is PHE's *Technical Guide:
//! Confidence Intervals* section "Comparing two estimates". For an SII the interval is the
//! Monte Carlo interval of [`super::sii`]; its replicates are close to normal, so the recovered
//! SE is the replicates' standard deviation to a good approximation.
//!
//! **Slope across periods**: the weighted least-squares line through `(tᵢ, yᵢ)` with weights
//! `wᵢ = 1/SEᵢ²` (SE from each interval as above): slope `β = Σwᵢ(tᵢ − t̄)(yᵢ − ȳ) / Σwᵢ(tᵢ − t̄)²`
//! with `t̄`, `ȳ` the weighted means, and `SE(β) = 1/√Σwᵢ(tᵢ − t̄)²` (fixed-effect
//! meta-regression; Borenstein M et al. (2009) *Introduction to Meta-Analysis*, ch. 20). It
//! treats the periods as independent; overlapping rolling periods are not, so the slope's
//! interval is then too narrow and the first-versus-latest difference is the test to trust.
//!
//! **Chi-squared test for trend in proportions** (Armitage P (1955) *Tests for linear trends
//! in proportions and frequencies*, Biometrics 11:375–386; Cochran WG (1954)): counts `xᵢ` of
//! `nᵢ` at scores `sᵢ`, pooled `p = Σx/Σn`, weights `wᵢ = nᵢ/(p(1 − p))`, fractions `fᵢ = xᵢ/nᵢ`:
//! `χ² = [Σwᵢ(sᵢ − s̄)(fᵢ − f̄)]² / Σwᵢ(sᵢ − s̄)²` on 1 degree of freedom (weighted means `s̄`,
//! `f̄`). This is R's `prop.trend.test`. Fingertips' "Recent trend" applies it to an area's five
//! most recent points (Fingertips technical guidance, "Recent trends"); the PHEindicatormethods
//! package does not implement it.

use super::{Estimate, StatsError};
use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// z for 95%, as PHE's methods round it: 1.959964.
const Z95: f64 = 1.959_963_984_540_054;

/// The standard error implied by a symmetric 95% interval.
pub fn se_from_interval(e: &Estimate) -> f64 {
    (e.upper95 - e.lower95) / (2.0 * Z95)
}

/// The difference between two independent estimates, `later − earlier`, with its 95%
/// interval and z (Altman & Bland 2003).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub difference: Estimate,
    /// difference / SE.
    pub z: f64,
    /// Two-sided p-value from the normal distribution.
    pub p_value: f64,
    /// The 95% interval excludes 0.
    pub significant: bool,
}

/// `later − earlier` for two independent estimates; an error when an interval is not a
/// positive width (no standard error can be recovered).
pub fn difference(earlier: &Estimate, later: &Estimate) -> Result<Change, StatsError> {
    let (se_a, se_b) = (se_from_interval(earlier), se_from_interval(later));
    for se in [se_a, se_b] {
        if !(se.is_finite() && se > 0.0) {
            return Err(StatsError::InvalidSpread(se));
        }
    }
    let (difference, z, p_value, significant) =
        normal_test(later.value - earlier.value, se_a.hypot(se_b));
    Ok(Change {
        difference,
        z,
        p_value,
        significant,
    })
}

/// An inverse-variance weighted slope per unit of `t` with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Slope {
    /// Change per unit of `t` (per year when `t` is a year).
    pub slope: Estimate,
    pub z: f64,
    pub p_value: f64,
    pub significant: bool,
}

/// The weighted least-squares slope of estimates on `t` (see the module doc). Needs at least
/// three points with positive-width intervals and two distinct `t`.
pub fn weighted_slope(points: &[(f64, Estimate)]) -> Result<Slope, StatsError> {
    if points.len() < 3 {
        return Err(StatsError::TooFewObservations(points.len() as f64));
    }
    let mut weighted = Vec::with_capacity(points.len());
    for (t, e) in points {
        let se = se_from_interval(e);
        if !(se.is_finite() && se > 0.0) {
            return Err(StatsError::InvalidSpread(se));
        }
        weighted.push((*t, e.value, 1.0 / (se * se)));
    }
    let w_sum: f64 = weighted.iter().map(|p| p.2).sum();
    let t_bar = weighted.iter().map(|p| p.2 * p.0).sum::<f64>() / w_sum;
    let y_bar = weighted.iter().map(|p| p.2 * p.1).sum::<f64>() / w_sum;
    let sxx: f64 = weighted.iter().map(|p| p.2 * (p.0 - t_bar).powi(2)).sum();
    let sxy: f64 = weighted
        .iter()
        .map(|p| p.2 * (p.0 - t_bar) * (p.1 - y_bar))
        .sum();
    if sxx.is_nan() || sxx <= 0.0 {
        return Err(StatsError::TooFewObservations(1.0));
    }
    let (slope, z, p_value, significant) = normal_test(sxy / sxx, 1.0 / sxx.sqrt());
    Ok(Slope {
        slope,
        z,
        p_value,
        significant,
    })
}

/// The chi-squared test for trend in proportions.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrendTest {
    pub chi_squared: f64,
    pub p_value: f64,
    /// Sign of the fitted slope of the proportions on the scores: +1 rising, −1 falling, 0 flat.
    pub direction: i8,
}

/// `prop.trend.test(x, n, score)` (see the module doc). Counts must be within 0..=n and n > 0;
/// at least two points; a pooled proportion of 0 or 1 has no trend to test.
pub fn chi_squared_trend(
    counts: &[f64],
    denominators: &[f64],
    scores: &[f64],
) -> Result<TrendTest, StatsError> {
    if counts.len() < 2 || counts.len() != denominators.len() || counts.len() != scores.len() {
        return Err(StatsError::TooFewObservations(counts.len() as f64));
    }
    for (&x, &n) in counts.iter().zip(denominators) {
        super::check_count(x, n)?;
        if x > n {
            return Err(StatsError::CountExceedsDenominator {
                count: x,
                denominator: n,
            });
        }
    }
    let p = counts.iter().sum::<f64>() / denominators.iter().sum::<f64>();
    if !(p > 0.0 && p < 1.0) {
        return Ok(TrendTest {
            chi_squared: 0.0,
            p_value: 1.0,
            direction: 0,
        });
    }
    let w: Vec<f64> = denominators.iter().map(|n| n / (p * (1.0 - p))).collect();
    let f: Vec<f64> = counts
        .iter()
        .zip(denominators)
        .map(|(x, n)| x / n)
        .collect();
    let w_sum: f64 = w.iter().sum();
    let s_bar = w.iter().zip(scores).map(|(w, s)| w * s).sum::<f64>() / w_sum;
    let f_bar = w.iter().zip(&f).map(|(w, f)| w * f).sum::<f64>() / w_sum;
    let sxx: f64 = w
        .iter()
        .zip(scores)
        .map(|(w, s)| w * (s - s_bar).powi(2))
        .sum();
    let sxy: f64 = w
        .iter()
        .zip(scores)
        .zip(&f)
        .map(|((w, s), f)| w * (s - s_bar) * (f - f_bar))
        .sum();
    if sxx.is_nan() || sxx <= 0.0 {
        return Err(StatsError::TooFewObservations(1.0));
    }
    let chi_squared = sxy * sxy / sxx;
    let p_value = ChiSquared::new(1.0).map_or(f64::NAN, |d| 1.0 - d.cdf(chi_squared));
    Ok(TrendTest {
        chi_squared,
        p_value,
        // Rounding leaves a slope of ~1e-17 where the proportions are equal: call that flat.
        direction: if chi_squared < 1e-9 {
            0
        } else if sxy > 0.0 {
            1
        } else {
            -1
        },
    })
}

/// An estimate with standard error `se`: its 95% interval, z, two-sided p and whether the
/// interval excludes 0.
fn normal_test(value: f64, se: f64) -> (Estimate, f64, f64, bool) {
    let z = value / se;
    let estimate = Estimate {
        value,
        lower95: value - Z95 * se,
        upper95: value + Z95 * se,
    };
    (estimate, z, two_sided_normal_p(z), z.abs() > Z95)
}

/// Two-sided p-value of a standard normal z.
fn two_sided_normal_p(z: f64) -> f64 {
    ChiSquared::new(1.0).map_or(f64::NAN, |d| 1.0 - d.cdf(z * z))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn est(value: f64, se: f64) -> Estimate {
        Estimate {
            value,
            lower95: value - Z95 * se,
            upper95: value + Z95 * se,
        }
    }

    #[test]
    fn chi_squared_trend_matches_r_prop_trend_test() {
        // R: prop.trend.test(c(83, 90, 129, 70), c(86, 93, 136, 82))
        //    X-squared = 8.2249, df = 1, p-value = 0.004132 (the help page's example).
        let t = chi_squared_trend(
            &[83.0, 90.0, 129.0, 70.0],
            &[86.0, 93.0, 136.0, 82.0],
            &[1.0, 2.0, 3.0, 4.0],
        )
        .unwrap();
        assert!((t.chi_squared - 8.2249).abs() < 5e-5, "{}", t.chi_squared);
        assert!((t.p_value - 0.004132).abs() < 5e-7, "{}", t.p_value);
        assert_eq!(t.direction, -1);
    }

    #[test]
    fn chi_squared_trend_is_zero_for_equal_proportions() {
        let t = chi_squared_trend(
            &[10.0, 20.0, 30.0],
            &[100.0, 200.0, 300.0],
            &[1.0, 2.0, 3.0],
        )
        .unwrap();
        assert!(t.chi_squared.abs() < 1e-12);
        assert_eq!(t.direction, 0);
    }

    #[test]
    fn chi_squared_trend_refuses_counts_over_denominators() {
        assert!(chi_squared_trend(&[5.0, 20.0], &[4.0, 30.0], &[1.0, 2.0]).is_err());
    }

    #[test]
    fn difference_of_two_estimates_by_hand() {
        // Altman & Bland's worked example form: a = 10 (SE 3), b = 4 (SE 4): d = −6,
        // SE = 5, z = −1.2, 95% CI −15.8 to 3.8, not significant.
        let c = difference(&est(10.0, 3.0), &est(4.0, 4.0)).unwrap();
        assert!((c.difference.value + 6.0).abs() < 1e-12);
        assert!((c.z + 1.2).abs() < 1e-12);
        assert!((c.difference.lower95 - (-6.0 - Z95 * 5.0)).abs() < 1e-9);
        assert!((c.p_value - 0.230_139).abs() < 1e-6, "{}", c.p_value);
        assert!(!c.significant);
        let c = difference(&est(10.0, 1.0), &est(4.0, 1.0)).unwrap();
        assert!(c.significant);
    }

    #[test]
    fn weighted_slope_by_hand() {
        // Equal SEs: ordinary least squares. y = 1, 3, 5 at t = 0, 1, 2: slope 2;
        // SE = 1/√(Σw(t − t̄)²) = 1/√(2/SE²) = SE/√2.
        let s = weighted_slope(&[
            (0.0, est(1.0, 0.5)),
            (1.0, est(3.0, 0.5)),
            (2.0, est(5.0, 0.5)),
        ])
        .unwrap();
        assert!((s.slope.value - 2.0).abs() < 1e-12);
        let se = 0.5 / 2f64.sqrt();
        assert!((s.z - 2.0 / se).abs() < 1e-9);
        assert!(s.significant);
        // A point with a huge SE barely moves the line.
        let s = weighted_slope(&[
            (0.0, est(1.0, 0.1)),
            (1.0, est(3.0, 0.1)),
            (2.0, est(-50.0, 1000.0)),
        ])
        .unwrap();
        assert!((s.slope.value - 2.0).abs() < 0.01);
    }

    #[test]
    fn zero_width_intervals_are_refused() {
        assert!(difference(&est(1.0, 0.0), &est(2.0, 1.0)).is_err());
        assert!(weighted_slope(&[(0.0, est(1.0, 1.0))]).is_err());
    }
}

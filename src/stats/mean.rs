//! Confidence interval for a mean, and the pooled mean of several area means.
//!
//! For n observations with mean x̄ and standard deviation s (Student's t, n − 1 df):
//!
//! ```text
//! x̄ ± t(1 − α/2; n − 1) · s / √n
//! ```
//!
//! Sources: PHEindicatormethods `phe_mean` (R/Means.R: `qt((1+confidence)/2, n-1) * sd/sqrt(n)`);
//! Fingertips technical guidance, "Means".
//!
//! Area-level indicator files carry a mean and its 95% limits but not the raw observations, so
//! a group of areas is summarised by the denominator-weighted mean of the area means, whose
//! standard error is √(Σ wᵢ² seᵢ²) / Σ wᵢ with each seᵢ recovered from the area's symmetric
//! 95% interval as (upper − lower) / (2 · 1.959964) (the inverse of the interval above for
//! large n; the same recovery `phe_sii` uses for `value_type = 0`). The areas are treated as
//! independent samples.

use super::confidence::ConfidenceLevel;
use super::{Confidence, Estimate, Interval, StatsError};
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Interval for a mean of `n` observations with standard deviation `sd`.
pub fn mean_interval(
    mean: f64,
    sd: f64,
    n: f64,
    confidence: Confidence,
) -> Result<Interval, StatsError> {
    mean_interval_at(mean, sd, n, confidence.into())
}

/// [`mean_interval`] at any confidence level in (0, 1]; (−∞, ∞) at 100%.
pub fn mean_interval_at(
    mean: f64,
    sd: f64,
    n: f64,
    level: ConfidenceLevel,
) -> Result<Interval, StatsError> {
    if !(sd.is_finite() && sd >= 0.0) {
        return Err(StatsError::InvalidSpread(sd));
    }
    if n.is_nan() || n < 2.0 {
        return Err(StatsError::TooFewObservations(n));
    }
    if level.is_full() {
        return Ok(Interval {
            lower: f64::NEG_INFINITY,
            upper: f64::INFINITY,
        });
    }
    let t = StudentsT::new(0.0, 1.0, n - 1.0)
        .map_err(|_| StatsError::TooFewObservations(n))?
        .inverse_cdf(0.5 + level.fraction() / 2.0);
    let half_width = t * sd / n.sqrt();
    Ok(Interval {
        lower: mean - half_width,
        upper: mean + half_width,
    })
}

/// Standard error recovered from a symmetric 95% interval.
pub fn se_from_interval95(lower: f64, upper: f64) -> f64 {
    (upper - lower) / (2.0 * Confidence::P95.z())
}

/// One area's mean, its standard error and its weight (usually its denominator).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WeightedMean {
    pub mean: f64,
    pub se: f64,
    pub weight: f64,
}

/// Weighted mean of means with a normal-theory 95% interval; `None` when there is no weight.
pub fn pooled_mean(parts: &[WeightedMean]) -> Option<Estimate> {
    let total_weight: f64 = parts.iter().map(|p| p.weight).sum();
    if total_weight.is_nan() || total_weight <= 0.0 {
        return None;
    }
    let mean = parts.iter().map(|p| p.weight * p.mean).sum::<f64>() / total_weight;
    let variance: f64 =
        parts.iter().map(|p| (p.weight * p.se).powi(2)).sum::<f64>() / total_weight.powi(2);
    let half = Confidence::P95.z() * variance.sqrt();
    Some(Estimate {
        value: mean,
        lower95: mean - half,
        upper95: mean + half,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn mean_interval_uses_students_t() {
        // n = 10, mean 20, sd 5: t(0.975, 9) = 2.262157 (R qt), half-width 2.262157·5/√10
        // = 3.576785 → 16.423215 to 23.576785.
        let ci = mean_interval(20.0, 5.0, 10.0, Confidence::P95).unwrap();
        assert!((ci.lower - 16.423_215).abs() < 1e-6, "{ci:?}");
        assert!((ci.upper - 23.576_785).abs() < 1e-6, "{ci:?}");
    }

    #[test]
    fn mean_interval_needs_two_observations() {
        assert!(mean_interval(1.0, 0.0, 1.0, Confidence::P95).is_err());
        assert!(mean_interval(1.0, -1.0, 10.0, Confidence::P95).is_err());
    }

    #[test]
    fn pooled_mean_weights_by_denominator() {
        // Hand-worked: means 10 (w 1, se 1) and 20 (w 3, se 2): mean = 70/4 = 17.5,
        // se = √(1 + 36)/4 = 1.520691, 95% half-width = 2.980498.
        let pooled = pooled_mean(&[
            WeightedMean {
                mean: 10.0,
                se: 1.0,
                weight: 1.0,
            },
            WeightedMean {
                mean: 20.0,
                se: 2.0,
                weight: 3.0,
            },
        ])
        .unwrap();
        assert!((pooled.value - 17.5).abs() < 1e-12);
        assert!((pooled.upper95 - 17.5 - 1.959_964 * 37f64.sqrt() / 4.0).abs() < 1e-5);
        assert!(pooled_mean(&[]).is_none());
    }

    #[test]
    fn se_round_trips_through_a_95_interval() {
        let ci = Interval {
            lower: 10.0 - 1.959_963_984_540_054 * 2.0,
            upper: 10.0 + 1.959_963_984_540_054 * 2.0,
        };
        assert!((se_from_interval95(ci.lower, ci.upper) - 2.0).abs() < 1e-12);
    }
}

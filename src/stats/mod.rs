//! Statistics engine: pure functions, no I/O, no global state.
//!
//! One method per file, each with its formula and source in the doc comment. The methods are
//! those of OHID/PHE Fingertips as implemented in the PHEindicatormethods R package
//! (ukhsa-collaboration/PHEindicatormethods) and described in the Fingertips *Public health
//! data science technical guidance* (fingertips.phe.org.uk/static-reports/public-health-technical-guidance):
//!
//! - [`confidence`]: any confidence level in (0, 1], read the package's way (95 = 0.95).
//! - [`wilson`]: Wilson score interval for proportions (`phe_proportion`).
//! - [`byar`]: Byar's approximation to Poisson limits of a count (`byars_lower/upper`).
//! - [`poisson_exact`]: exact Poisson (chi-square) limits of a count, and the Fingertips
//!   rule that chooses between exact (count < 10) and Byar (`phe_rate`).
//! - [`mean`]: interval for a mean (Student's t) and the pooled mean of area means.
//! - [`aggregate`]: summing counts and denominators over groups (never averaging rates).
//! - [`gap`]: absolute gap (difference) and relative gap (ratio) with intervals.
//! - [`sii`]: slope and relative index of inequality with Monte Carlo intervals (`phe_sii`),
//!   as the gap tables use it.
//! - [`sii_options`]: every `phe_sii` option (value types, log/logit regression, SE given or
//!   derived, several levels, RII, intercept, reliability statistic).
//! - [`standard_population`]: the European Standard Populations 2013 and 1976.
//! - [`dsr`]: directly standardised rates, Dobson/Byar limits, non-independent events
//!   (`calculate_dsr`).
//! - [`isr`]: indirectly standardised ratios and rates (`calculate_ISRatio`, `calculate_ISRate`).
//! - [`quantile`]: quantile assignment within groups (`phe_quantile`).
//! - [`significance`]: Fingertips comparison with a benchmark (better/similar/worse).
//! - [`suppress`]: small-number suppression, primary and secondary.
//! - [`trend`]: change over time: difference of two estimates, weighted slope, chi-squared
//!   test for trend in proportions (Fingertips "Recent trend").

pub mod aggregate;
pub mod byar;
pub mod confidence;
pub mod dsr;
pub mod gap;
pub mod isr;
pub mod mean;
pub mod poisson_exact;
pub mod quantile;
pub mod significance;
pub mod sii;
pub mod sii_options;
pub mod standard_population;
pub mod suppress;
pub mod trend;
pub mod wilson;

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};

/// The two confidence levels Fingertips publishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Confidence {
    /// 95%: used for "better/similar/worse" and for every interval shown with a value.
    P95,
    /// 99.8%: used for funnel-plot style comparisons (roughly 3 standard errors).
    P998,
}

impl Confidence {
    /// Coverage as a fraction, e.g. 0.95.
    pub fn level(self) -> f64 {
        match self {
            Confidence::P95 => 0.95,
            Confidence::P998 => 0.998,
        }
    }

    /// The two-sided standard normal critical value z = Φ⁻¹(1 − α/2):
    /// 1.959963984540054 for 95%, 3.090232306167813 for 99.8%.
    pub fn z(self) -> f64 {
        normal_quantile(0.5 + self.level() / 2.0)
    }
}

/// Standard normal quantile Φ⁻¹(p) (statrs, accurate to ~1e-15).
pub fn normal_quantile(p: f64) -> f64 {
    match Normal::new(0.0, 1.0) {
        Ok(normal) => normal.inverse_cdf(p),
        Err(_) => f64::NAN,
    }
}

/// A two-sided interval on the scale of the value it surrounds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    pub lower: f64,
    pub upper: f64,
}

impl Interval {
    /// Both limits multiplied by `factor` (e.g. a proportion's interval × 100 for a percentage).
    pub fn scaled(self, factor: f64) -> Interval {
        Interval {
            lower: self.lower * factor,
            upper: self.upper * factor,
        }
    }

    pub fn contains(self, x: f64) -> bool {
        self.lower <= x && x <= self.upper
    }
}

/// A point estimate with its 95% interval, as gap tables publish summary measures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub value: f64,
    pub lower95: f64,
    pub upper95: f64,
}

/// Why a statistic could not be computed from its inputs.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StatsError {
    #[error("count {0} is negative or not a number; counts must be 0 or more")]
    InvalidCount(f64),
    #[error("denominator {0} is not positive; a proportion or rate needs a denominator above 0")]
    InvalidDenominator(f64),
    #[error("count {count} exceeds denominator {denominator}; a proportion's count must be at most its denominator (is this indicator a rate?)")]
    CountExceedsDenominator { count: f64, denominator: f64 },
    #[error("standard deviation {0} is negative or not a number")]
    InvalidSpread(f64),
    #[error("a mean needs at least 2 observations, got {0}")]
    TooFewObservations(f64),
    #[error("{0}")]
    Sii(String),
}

/// A finite count-like number of 0 or more (false for NaN).
pub(crate) fn non_negative(x: f64) -> bool {
    x.is_finite() && x >= 0.0
}

/// Check a count/denominator pair before computing an interval.
pub(crate) fn check_count(count: f64, denominator: f64) -> Result<(), StatsError> {
    if !(count.is_finite() && count >= 0.0) {
        return Err(StatsError::InvalidCount(count));
    }
    if !(denominator.is_finite() && denominator > 0.0) {
        return Err(StatsError::InvalidDenominator(denominator));
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn critical_values_match_published_normal_quantiles() {
        // Φ⁻¹(0.975) and Φ⁻¹(0.999), e.g. R qnorm(0.975) = 1.959963984540054.
        assert!((Confidence::P95.z() - 1.959_963_984_540_054).abs() < 1e-13);
        assert!((Confidence::P998.z() - 3.090_232_306_167_813).abs() < 1e-12);
    }
}

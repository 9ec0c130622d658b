//! Significance of a value against a benchmark, the Fingertips way.
//!
//! Fingertips' default comparison method is "confidence intervals overlapping reference value":
//! the area's (or group's) interval is compared with the benchmark's *value* (England or the
//! parent area). If the interval contains the benchmark value the area is **similar**; if the
//! whole interval lies above it the area is **higher**, below it **lower**. Higher/lower become
//! **better/worse** according to the indicator's polarity; where polarity is not applicable
//! they stay higher/lower. Fingertips shows the 95% comparison in its three-colour scheme and
//! the 99.8% comparison where a stricter test is wanted (e.g. funnel plots).
//!
//! Sources: Fingertips technical guidance, "Comparing with a benchmark / Confidence intervals";
//! the Fingertips user guide (benchmarking: "Better/Similar/Worse 95%"); the "Compared to
//! England value or percentiles" column of Fingertips exports
//! (../shared/data/indicators/README.md, "Comparison columns").

use crate::dataset::Polarity;
use serde::{Deserialize, Serialize};

/// Result of one comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Significance {
    Better,
    Similar,
    Worse,
    /// Significantly higher, where polarity is not applicable.
    Higher,
    /// Significantly lower, where polarity is not applicable.
    Lower,
    /// No interval or no benchmark value (or the value is suppressed).
    NotCompared,
}

impl Significance {
    pub fn label(self) -> &'static str {
        match self {
            Significance::Better => "Better",
            Significance::Similar => "Similar",
            Significance::Worse => "Worse",
            Significance::Higher => "Higher",
            Significance::Lower => "Lower",
            Significance::NotCompared => "Not compared",
        }
    }
}

/// Comparison at both Fingertips levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    pub at95: Significance,
    pub at998: Significance,
}

impl Comparison {
    pub const NOT_COMPARED: Comparison = Comparison {
        at95: Significance::NotCompared,
        at998: Significance::NotCompared,
    };
}

/// Compare an interval with a benchmark value ("CI overlapping reference value").
pub fn compare_interval(
    lower: Option<f64>,
    upper: Option<f64>,
    benchmark: Option<f64>,
    polarity: Polarity,
) -> Significance {
    let (Some(lower), Some(upper), Some(benchmark)) = (lower, upper, benchmark) else {
        return Significance::NotCompared;
    };
    if !(lower.is_finite() && upper.is_finite() && benchmark.is_finite()) {
        return Significance::NotCompared;
    }
    let higher = if lower > benchmark {
        true
    } else if upper < benchmark {
        false
    } else {
        return Significance::Similar;
    };
    match (polarity, higher) {
        (Polarity::HigherIsWorse, true) | (Polarity::HigherIsBetter, false) => Significance::Worse,
        (Polarity::HigherIsWorse, false) | (Polarity::HigherIsBetter, true) => Significance::Better,
        (Polarity::NotApplicable, true) => Significance::Higher,
        (Polarity::NotApplicable, false) => Significance::Lower,
    }
}

/// Compare at 95% and 99.8%.
pub fn compare(
    interval95: (Option<f64>, Option<f64>),
    interval998: (Option<f64>, Option<f64>),
    benchmark: Option<f64>,
    polarity: Polarity,
) -> Comparison {
    Comparison {
        at95: compare_interval(interval95.0, interval95.1, benchmark, polarity),
        at998: compare_interval(interval998.0, interval998.1, benchmark, polarity),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_file_comparisons_are_reproduced() {
        // durham_msoa_demo_indicators.csv, 990001, E02004291: 95% CI 24.6244–36.0792 vs
        // England 21.9 → "Worse" (higher is worse); E02004290: 14.8337–26.6872 → "Similar".
        let worse = compare_interval(
            Some(24.6244),
            Some(36.0792),
            Some(21.9),
            Polarity::HigherIsWorse,
        );
        assert_eq!(worse, Significance::Worse);
        let similar = compare_interval(
            Some(14.8337),
            Some(26.6872),
            Some(21.9),
            Polarity::HigherIsWorse,
        );
        assert_eq!(similar, Significance::Similar);
    }

    #[test]
    fn polarity_decides_better_or_worse() {
        let above = (Some(40.0), Some(45.0));
        assert_eq!(
            compare_interval(above.0, above.1, Some(33.0), Polarity::HigherIsBetter),
            Significance::Better
        );
        assert_eq!(
            compare_interval(above.0, above.1, Some(33.0), Polarity::HigherIsWorse),
            Significance::Worse
        );
        assert_eq!(
            compare_interval(above.0, above.1, Some(33.0), Polarity::NotApplicable),
            Significance::Higher
        );
        assert_eq!(
            compare_interval(Some(1.0), Some(2.0), Some(33.0), Polarity::NotApplicable),
            Significance::Lower
        );
    }

    #[test]
    fn benchmark_on_the_limit_counts_as_similar() {
        assert_eq!(
            compare_interval(Some(10.0), Some(20.0), Some(10.0), Polarity::HigherIsWorse),
            Significance::Similar
        );
    }

    #[test]
    fn stricter_level_can_be_similar_when_95_is_not() {
        let c = compare(
            (Some(22.0), Some(30.0)),
            (Some(20.0), Some(33.0)),
            Some(21.0),
            Polarity::HigherIsWorse,
        );
        assert_eq!(
            c,
            Comparison {
                at95: Significance::Worse,
                at998: Significance::Similar
            }
        );
    }

    #[test]
    fn missing_inputs_are_not_compared() {
        assert_eq!(
            compare_interval(None, Some(1.0), Some(1.0), Polarity::HigherIsWorse),
            Significance::NotCompared
        );
        assert_eq!(
            compare_interval(Some(0.0), Some(1.0), None, Polarity::HigherIsWorse),
            Significance::NotCompared
        );
    }
}

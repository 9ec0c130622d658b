//! Absolute gap (difference) and relative gap (ratio) between two group estimates.
//!
//! **Absolute gap** d = v₁ − v₂ with the MOVER interval (method of variance estimates
//! recovery), which combines each estimate's own — possibly asymmetric — 95% limits:
//!
//! ```text
//! lower = d − √((v₁ − l₁)² + (u₂ − v₂)²)
//! upper = d + √((u₁ − v₁)² + (v₂ − l₂)²)
//! ```
//!
//! With Wilson limits this is Newcombe's "method 10" hybrid score interval for a difference of
//! independent proportions, the method recommended in Newcombe RG (1998) *Interval estimation
//! for the difference between independent proportions*, Stat Med 17:873–890, and in Altman et
//! al. *Statistics with confidence* (2000) ch. 6; Zou GY, Donner A (2008) Stat Methods Med Res
//! 17:1–13 generalise it to rates (Byar/exact limits) and means.
//!
//! **Relative gap** r = v₁ / v₂ by the log method: ln r ± z·√(se₁² + se₂²), where seᵢ is the
//! standard error of ln vᵢ: √(1/x − 1/n) for a proportion x/n (Katz D et al. 1978,
//! Biometrics 34:469–474, the usual risk-ratio interval), 1/√O for a rate with O events
//! (Armitage & Berry 2002, ratio of two Poisson rates), and se/mean for a mean (delta method).
//! The ratio is undefined when either group has no events.

use super::{Confidence, Estimate};

/// One group's estimate and its 95% limits, on the display scale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GroupEstimate {
    pub value: f64,
    pub lower95: f64,
    pub upper95: f64,
    /// Standard error of ln(value); `None` where it is undefined (no events).
    pub log_se: Option<f64>,
}

/// Standard error of ln(x/n) for a proportion (Katz); `None` when x = 0.
pub fn log_se_proportion(count: f64, denominator: f64) -> Option<f64> {
    (count > 0.0 && denominator > 0.0).then(|| (1.0 / count - 1.0 / denominator).max(0.0).sqrt())
}

/// Standard error of ln(rate) for a Poisson count O; `None` when O = 0.
pub fn log_se_rate(count: f64) -> Option<f64> {
    (count > 0.0).then(|| 1.0 / count.sqrt())
}

/// Standard error of ln(mean) by the delta method; `None` for a non-positive mean.
pub fn log_se_mean(mean: f64, se: f64) -> Option<f64> {
    (mean > 0.0).then(|| se / mean)
}

/// v₁ − v₂ with the MOVER (Newcombe/Zou–Donner) 95% interval.
pub fn absolute_gap(first: &GroupEstimate, second: &GroupEstimate) -> Estimate {
    let d = first.value - second.value;
    let lower = d
        - ((first.value - first.lower95).powi(2) + (second.upper95 - second.value).powi(2)).sqrt();
    let upper = d
        + ((first.upper95 - first.value).powi(2) + (second.value - second.lower95).powi(2)).sqrt();
    Estimate {
        value: d,
        lower95: lower,
        upper95: upper,
    }
}

/// v₁ / v₂ with the log-method 95% interval; `None` when undefined (zero or missing events).
pub fn relative_gap(first: &GroupEstimate, second: &GroupEstimate) -> Option<Estimate> {
    let (se1, se2) = (first.log_se?, second.log_se?);
    if !(first.value > 0.0 && second.value > 0.0) {
        return None;
    }
    let ratio = first.value / second.value;
    let half = Confidence::P95.z() * (se1 * se1 + se2 * se2).sqrt();
    Some(Estimate {
        value: ratio,
        lower95: (ratio.ln() - half).exp(),
        upper95: (ratio.ln() + half).exp(),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::stats::wilson::wilson_interval;

    fn proportion(x: f64, n: f64) -> GroupEstimate {
        let ci = wilson_interval(x, n, Confidence::P95).unwrap();
        GroupEstimate {
            value: x / n,
            lower95: ci.lower,
            upper95: ci.upper,
            log_se: log_se_proportion(x, n),
        }
    }

    #[test]
    fn absolute_gap_reproduces_newcombe_method_10() {
        // Newcombe (1998) Stat Med 17:873, example (a): 56/70 − 48/80 = 0.2000,
        // method 10 (score, no continuity correction): 0.0524 to 0.3339.
        let gap = absolute_gap(&proportion(56.0, 70.0), &proportion(48.0, 80.0));
        assert!((gap.value - 0.2).abs() < 1e-12);
        assert!((gap.lower95 - 0.0524).abs() < 5e-5, "{gap:?}");
        assert!((gap.upper95 - 0.3339).abs() < 5e-5, "{gap:?}");
    }

    #[test]
    fn relative_gap_uses_the_katz_log_method() {
        // Hand-worked: (56/70)/(48/80) = 1.3333; se(ln RR) = √(1/56 − 1/70 + 1/48 − 1/80)
        // = 0.109109; exp(ln 1.3333 ± 1.959964·0.109109) = 1.076626 to 1.651249.
        let gap = relative_gap(&proportion(56.0, 70.0), &proportion(48.0, 80.0)).unwrap();
        assert!((gap.value - 4.0 / 3.0).abs() < 1e-12);
        assert!((gap.lower95 - 1.076_626).abs() < 1e-6, "{gap:?}");
        assert!((gap.upper95 - 1.651_249).abs() < 1e-6, "{gap:?}");
    }

    #[test]
    fn rate_ratio_uses_poisson_log_se() {
        // 100 vs 50 events in equal populations: ratio 2, se = √(1/100 + 1/50) = 0.173205,
        // 95% CI 1.424287 to 2.808422.
        let a = GroupEstimate {
            value: 0.01,
            lower95: 0.0,
            upper95: 0.0,
            log_se: log_se_rate(100.0),
        };
        let b = GroupEstimate {
            value: 0.005,
            lower95: 0.0,
            upper95: 0.0,
            log_se: log_se_rate(50.0),
        };
        let gap = relative_gap(&a, &b).unwrap();
        assert!((gap.lower95 - 1.424_287).abs() < 1e-6 && (gap.upper95 - 2.808_422).abs() < 1e-6);
    }

    #[test]
    fn relative_gap_is_undefined_with_zero_events() {
        let gap = relative_gap(&proportion(0.0, 70.0), &proportion(48.0, 80.0));
        assert!(gap.is_none());
        // The absolute gap is still defined (Wilson handles 0 events exactly).
        let abs = absolute_gap(&proportion(0.0, 70.0), &proportion(48.0, 80.0));
        assert!(abs.lower95 < abs.value && abs.value < abs.upper95);
    }
}

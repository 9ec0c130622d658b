//! Confidence levels: any two-sided level in (0, 1], read the way PHEindicatormethods reads
//! them.
//!
//! A level is the coverage 1 − α of a two-sided interval; its critical value is
//!
//! ```text
//! z = Φ⁻¹(1 − α/2) = Φ⁻¹(level + (1 − level)/2)
//! ```
//!
//! which is how every PHEindicatormethods function computes it
//! (`qnorm(confidence + (1 - confidence)/2)`, R/utils.R `byars_lower`, `wilson_lower`).
//!
//! **Conventions taken from the package** (R/utils.R and each `phe_*`/`calculate_*`):
//! - a level of 90 or more is a percentage: 95 means 0.95, 99.8 means 0.998, 100 means 1;
//! - a level between 1 and 90 is ambiguous (is 5 meant as 5% or 0.05?) and is refused;
//! - at 100% (level 1) a Wilson interval is the whole range [0, 1] (`wilson_lower` returns 0
//!   and `wilson_upper` 1 when `confidence == 1`), a count's interval is [0, ∞), and Byar's
//!   lower limit is undefined (`byars_lower` returns NA for the −∞ it computes).
//!
//! Unlike the package, which accepts only 0.9 to 1, any level in (0, 1] is accepted (the issue
//! asks for 90%, 95%, 99% and 99.8% and an analyst may want 80%); Fingertips publishes 95% and
//! 99.8%, the two [`super::Confidence`] values, which convert into a [`ConfidenceLevel`].
//!
//! Output column names follow the package: one level gives `lowercl`/`uppercl`; several give
//! `lower95_0cl`, `upper99_8cl`, … (`formatC(confidence * 100, format = "f", digits = 1)` with
//! the point replaced by `_`, R/DSR.R and R/SII_function.R), see [`ConfidenceLevel::suffix`].

use super::{normal_quantile, Confidence};
use serde::{Deserialize, Serialize};

/// A two-sided confidence level in (0, 1].
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct ConfidenceLevel(f64);

/// Why a number is not a confidence level.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfidenceError {
    #[error("confidence level {0:?} is not a number; give a level such as 0.95 or 95")]
    NotANumber(String),
    #[error("confidence level {0} is outside (0, 1]; give a level such as 0.95, or a percentage from 90 to 100 such as 99.8")]
    OutOfRange(f64),
}

impl ConfidenceLevel {
    /// 95%, the level Fingertips shows with every value.
    pub const P95: ConfidenceLevel = ConfidenceLevel(0.95);
    /// 99.8%, Fingertips' stricter comparison level.
    pub const P998: ConfidenceLevel = ConfidenceLevel(0.998);

    /// A level given as a fraction in (0, 1] or as a percentage from 90 to 100.
    pub fn new(level: f64) -> Result<ConfidenceLevel, ConfidenceError> {
        if !level.is_finite() || level <= 0.0 || (level > 1.0 && level < 90.0) || level > 100.0 {
            return Err(ConfidenceError::OutOfRange(level));
        }
        Ok(ConfidenceLevel(if level >= 90.0 {
            level / 100.0
        } else {
            level
        }))
    }

    /// Parse "0.95", "95" or "95%".
    pub fn parse(text: &str) -> Result<ConfidenceLevel, ConfidenceError> {
        let trimmed = text.trim();
        let number = trimmed.strip_suffix('%').unwrap_or(trimmed).trim();
        let level: f64 = number
            .parse()
            .map_err(|_| ConfidenceError::NotANumber(text.to_string()))?;
        ConfidenceLevel::new(level)
    }

    /// Coverage as a fraction, e.g. 0.95.
    pub fn fraction(self) -> f64 {
        self.0
    }

    /// Level 1 (100%): the interval is the whole parameter range.
    pub fn is_full(self) -> bool {
        self.0 >= 1.0
    }

    /// z = Φ⁻¹(level + (1 − level)/2): 1.959963984540054 at 95%, +∞ at 100%.
    pub fn z(self) -> f64 {
        if self.is_full() {
            f64::INFINITY
        } else {
            normal_quantile(0.5 + self.0 / 2.0)
        }
    }

    /// The level as a percentage, without float dust: 95, 99.8.
    fn percent(self) -> f64 {
        (self.0 * 100.0 * 1e9).round() / 1e9
    }

    /// "95%", "99.8%" — the package's `confidence` column (`paste0(confidence * 100, "%")`).
    pub fn label(self) -> String {
        format!("{}%", self.percent())
    }

    /// "95_0", "99_8", "90_0" — the level in the package's column names.
    pub fn suffix(self) -> String {
        format!("{:.1}", self.percent()).replace('.', "_")
    }
}

impl From<Confidence> for ConfidenceLevel {
    fn from(confidence: Confidence) -> ConfidenceLevel {
        match confidence {
            Confidence::P95 => ConfidenceLevel::P95,
            Confidence::P998 => ConfidenceLevel::P998,
        }
    }
}

impl TryFrom<f64> for ConfidenceLevel {
    type Error = ConfidenceError;
    fn try_from(level: f64) -> Result<ConfidenceLevel, ConfidenceError> {
        ConfidenceLevel::new(level)
    }
}

impl From<ConfidenceLevel> for f64 {
    fn from(level: ConfidenceLevel) -> f64 {
        level.0
    }
}

impl std::str::FromStr for ConfidenceLevel {
    type Err = ConfidenceError;
    fn from_str(text: &str) -> Result<ConfidenceLevel, ConfidenceError> {
        ConfidenceLevel::parse(text)
    }
}

/// "95%, 99.8%": several levels as the package's `confidence` metadata column.
pub fn labels(levels: &[ConfidenceLevel]) -> String {
    levels
        .iter()
        .map(|l| l.label())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn percentages_from_90_are_scaled_like_the_package() {
        assert_eq!(ConfidenceLevel::new(95.0).unwrap(), ConfidenceLevel::P95);
        assert_eq!(ConfidenceLevel::new(99.8).unwrap().fraction(), 0.998);
        assert_eq!(ConfidenceLevel::new(100.0).unwrap().fraction(), 1.0);
        assert_eq!(ConfidenceLevel::parse("95%").unwrap(), ConfidenceLevel::P95);
        assert_eq!(ConfidenceLevel::parse(" 0.9 ").unwrap().fraction(), 0.9);
    }

    #[test]
    fn levels_outside_zero_to_one_are_refused() {
        for bad in [0.0, -0.5, 1.5, 50.0, 89.9, 100.1, f64::NAN, f64::INFINITY] {
            assert!(ConfidenceLevel::new(bad).is_err(), "{bad}");
        }
        assert!(matches!(
            ConfidenceLevel::parse("ninety"),
            Err(ConfidenceError::NotANumber(_))
        ));
        // Any level in (0, 1] is allowed, including ones the package refuses (< 0.9).
        assert_eq!(ConfidenceLevel::new(0.8).unwrap().fraction(), 0.8);
    }

    #[test]
    fn critical_values_match_r_qnorm() {
        // R: qnorm(0.95) = 1.644853626951472 (90%), qnorm(0.995) = 2.575829303548901 (99%).
        let z90 = ConfidenceLevel::new(0.9).unwrap().z();
        let z99 = ConfidenceLevel::new(0.99).unwrap().z();
        assert!((z90 - 1.644_853_626_951_472).abs() < 1e-13, "{z90}");
        assert!((z99 - 2.575_829_303_548_901).abs() < 1e-12, "{z99}");
        assert_eq!(
            ConfidenceLevel::P95.z(),
            Confidence::P95.z(),
            "the enum and the level must agree bit for bit"
        );
        assert_eq!(ConfidenceLevel::new(1.0).unwrap().z(), f64::INFINITY);
    }

    #[test]
    fn names_and_labels_follow_the_package() {
        assert_eq!(ConfidenceLevel::P95.suffix(), "95_0");
        assert_eq!(ConfidenceLevel::P998.suffix(), "99_8");
        assert_eq!(ConfidenceLevel::new(0.9).unwrap().suffix(), "90_0");
        assert_eq!(ConfidenceLevel::P998.label(), "99.8%");
        assert_eq!(
            labels(&[ConfidenceLevel::P95, ConfidenceLevel::P998]),
            "95%, 99.8%"
        );
        assert_eq!(ConfidenceLevel::new(1.0).unwrap().label(), "100%");
    }
}

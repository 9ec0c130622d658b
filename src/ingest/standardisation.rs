//! Is an indicator's published value its crude rate, or a standardised one? A loader collects
//! every row's published value, count and denominator ([`Sample`]); [`classify`] reads them.
//!
//! Fingertips exports do not say how a value was made (the "Value type" lives in the indicator
//! metadata, not the data export), and many indicators are directly or indirectly standardised:
//! their value is not count / denominator × multiplier, so pooling counts across areas would
//! give a crude rate and call it the indicator. The rule, in order:
//!
//! 1. the config's `standardisation = "none" | "direct" | "indirect"` for the indicator;
//! 2. a `Value type` column, when the file carries one ("Directly standardised rate",
//!    "Indirectly standardised ratio", "Crude rate", "Proportion", …);
//! 3. the data: the value is crude when at least 90% of the area rows with a count, a
//!    denominator and a value reproduce it as count / denominator × *m* for one multiplier
//!    *m* in {1, 100, 1,000, 10,000, 100,000}, to the published precision (half a unit in the
//!    last decimal place given) plus 0.5% for counts published rounded. Otherwise it is
//!    not crude: *indirectly standardised* when England's own value is its crude rate (England
//!    is the reference population of an indirectly standardised indicator, so its observed and
//!    expected counts are equal and O/E × R = R = its crude rate); otherwise
//!    [`Standardisation::Adjusted`] — a directly standardised rate (ESP 2013 differs from
//!    England's population), a weighted survey estimate and a modelled value all look alike
//!    here, so the data does not claim which (the config or a `Value type` column can).
//!
//! At least [`MIN_SAMPLES`] rows are needed for rule 3; with fewer, the value is taken as
//! crude, as before this rule existed.

use crate::config::StandardisationSetting;
use crate::dataset::Standardisation;

/// Multipliers a published crude value can carry, with their unit.
pub const CANDIDATES: [(f64, &str); 5] = [
    (1.0, "ratio"),
    (100.0, "%"),
    (1_000.0, "per 1,000"),
    (10_000.0, "per 10,000"),
    (100_000.0, "per 100,000"),
];

/// Rows needed before the data can say a value is standardised.
pub const MIN_SAMPLES: usize = 5;

/// Share of rows that must reproduce as crude for the value to be crude.
const CRUDE_SHARE: f64 = 0.9;

/// Relative slack for counts published rounded (e.g. hospital counts to the nearest 5).
const ROUNDED_COUNT_SLACK: f64 = 0.005;

/// One row's published value with what it should be the crude rate of.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    pub value: f64,
    pub count: f64,
    pub denominator: f64,
    /// Half a unit in the last decimal place of the published value.
    pub half_unit: f64,
}

impl Sample {
    /// A sample from a row's published text and numbers; `None` unless the row has a value,
    /// a count above 0 and a denominator above 0.
    pub fn from_row(
        value_text: &str,
        value: Option<f64>,
        count: Option<f64>,
        denominator: Option<f64>,
    ) -> Option<Sample> {
        let (value, count, denominator) = (value?, count?, denominator?);
        (count > 0.0 && denominator > 0.0 && value.is_finite()).then(|| Sample {
            value,
            count,
            denominator,
            half_unit: half_unit(value_text),
        })
    }

    /// Does count / denominator × `multiplier` give the published value?
    fn is_crude(&self, multiplier: f64) -> bool {
        let crude = self.count / self.denominator * multiplier;
        (crude - self.value).abs()
            <= self.half_unit + ROUNDED_COUNT_SLACK * self.value.abs() + 1e-12
    }

    fn ratio(&self) -> f64 {
        self.value / (self.count / self.denominator)
    }
}

/// Half a unit in the last decimal place of a published number ("14.2" → 0.05, "25" → 0.5).
pub fn half_unit(text: &str) -> f64 {
    let text = text.trim();
    let mantissa = text.split(['e', 'E']).next().unwrap_or(text);
    let decimals = mantissa.split_once('.').map_or(0, |(_, d)| d.len());
    0.5 * 10f64.powi(-(decimals.min(15) as i32))
}

/// What a "Value type" text says, if it says anything gapmap reads.
pub fn from_value_type(text: &str) -> Option<StandardisationSetting> {
    let t = text.to_ascii_lowercase();
    if t.contains("indirectly") {
        Some(StandardisationSetting::Indirect)
    } else if t.contains("directly")
        || t.contains("age-standardised")
        || t.contains("age standardised")
    {
        Some(StandardisationSetting::Direct)
    } else if t.is_empty() {
        None
    } else {
        Some(StandardisationSetting::None)
    }
}

/// How the values were made, and their multiplier when the data tells it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Classified {
    pub standardisation: Option<Standardisation>,
    /// The multiplier and unit the data supports (`None`: no evidence either way).
    pub scale: Option<(f64, &'static str)>,
}

/// Classify an indicator from its configured setting, its `Value type` text and its rows
/// (area rows in `samples`, England's row in `england`); `multiplier` is the configured one,
/// if any.
pub fn classify(
    setting: Option<StandardisationSetting>,
    samples: &[Sample],
    england: Option<Sample>,
    multiplier: Option<f64>,
) -> Classified {
    let candidates: Vec<(f64, &'static str)> = match multiplier {
        Some(m) => vec![(m, unit_of(m).unwrap_or(""))],
        None => CANDIDATES.to_vec(),
    };
    let best_crude = candidates
        .iter()
        .map(|&(m, unit)| {
            let hits = samples.iter().filter(|s| s.is_crude(m)).count();
            (hits, (m, unit))
        })
        .max_by_key(|(hits, _)| *hits);
    let crude_scale = best_crude.and_then(|(hits, scale)| {
        (!samples.is_empty() && hits as f64 >= CRUDE_SHARE * samples.len() as f64).then_some(scale)
    });
    let nearest = nearest_scale(samples, &candidates);
    let from_data = if crude_scale.is_some() || samples.len() < MIN_SAMPLES {
        None
    } else {
        let reference_is_crude = england
            .zip(nearest)
            .is_some_and(|(e, (m, _))| e.is_crude(m));
        Some(if reference_is_crude {
            Standardisation::Indirect
        } else {
            Standardisation::Adjusted
        })
    };
    let standardisation = match setting {
        Some(StandardisationSetting::None) => None,
        Some(StandardisationSetting::Direct) => Some(Standardisation::Direct),
        Some(StandardisationSetting::Indirect) => Some(Standardisation::Indirect),
        None => from_data,
    };
    Classified {
        standardisation,
        scale: match standardisation {
            None => crude_scale,
            Some(_) => nearest,
        },
    }
}

/// The candidate multiplier nearest (on the log scale) to the median value / crude-rate ratio.
fn nearest_scale(
    samples: &[Sample],
    candidates: &[(f64, &'static str)],
) -> Option<(f64, &'static str)> {
    let mut ratios: Vec<f64> = samples
        .iter()
        .map(Sample::ratio)
        .filter(|r| r.is_finite() && *r > 0.0)
        .collect();
    if ratios.is_empty() {
        return None;
    }
    ratios.sort_by(f64::total_cmp);
    let median = ratios[ratios.len() / 2];
    candidates.iter().copied().min_by(|a, b| {
        (median / a.0)
            .ln()
            .abs()
            .total_cmp(&(median / b.0).ln().abs())
    })
}

/// The unit of a multiplier as the candidates name it (`None` for another one).
pub(super) fn unit_of(multiplier: f64) -> Option<&'static str> {
    CANDIDATES
        .iter()
        .find(|(m, _)| *m == multiplier)
        .map(|(_, u)| *u)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(value: &str, count: f64, denominator: f64) -> Sample {
        Sample::from_row(value, value.parse().ok(), Some(count), Some(denominator)).unwrap()
    }

    #[test]
    fn half_units_follow_the_published_decimals() {
        assert_eq!(half_unit("14.2"), 0.05);
        assert_eq!(half_unit("25"), 0.5);
        assert_eq!(half_unit("19.3681480150347"), 0.5e-13);
        assert_eq!(half_unit("1.5e3"), 0.05);
    }

    #[test]
    fn crude_percentages_are_crude_at_100() {
        // Rows as the demo file publishes them: 47/187 = 25.1337%, …
        let rows = [
            sample("25.1337", 47.0, 187.0),
            sample("20.2381", 51.0, 252.0),
            sample("10", 1.0, 10.0),
            sample("33.3", 1.0, 3.0),
            sample("50.0", 5.0, 10.0),
        ];
        let c = classify(None, &rows, None, None);
        assert_eq!(c.standardisation, None);
        assert_eq!(c.scale, Some((100.0, "%")));
    }

    #[test]
    fn a_value_far_from_its_crude_rate_is_standardised() {
        // Real England-by-decile rows of 22401 (falls, 65+, DSR per 100,000; 2018/19): the
        // value / crude ratio runs from 0.91 to 1.10 of 100,000. England's own row is not
        // its crude rate either (2503.4 vs 149656/5480307 × 100,000 = 2730.8): not indirect,
        // and the data cannot tell a DSR from a survey estimate, so it says "adjusted".
        let rows = [
            sample("2503.41872", 149656.0, 5480307.0),
            sample("1846.25988", 77030.0, 4602454.0),
            sample("2228.19739", 226693.0, 10082761.0),
            sample("2525.27285", 153949.0, 5560169.0),
            sample("1887.73006", 80827.0, 4683052.0),
        ];
        let c = classify(None, &rows, Some(rows[0]), None);
        assert_eq!(c.standardisation, Some(Standardisation::Adjusted));
        assert_eq!(c.scale, Some((100_000.0, "per 100,000")));
    }

    #[test]
    fn a_reference_row_at_its_crude_rate_makes_it_indirect() {
        // 41101 (emergency readmissions, ISR as %): England 14.1 = 494346/3515908 × 100 to
        // the published 1 d.p.; the areas are O/E × R, far from their crude rates.
        let england = sample("14.1", 494346.0, 3515908.0);
        let rows = [
            sample("15.9", 100.0, 800.0),
            sample("11.0", 60.0, 400.0),
            sample("13.0", 90.0, 800.0),
            sample("17.5", 40.0, 300.0),
            sample("9.0", 70.0, 500.0),
        ];
        let c = classify(None, &rows, Some(england), None);
        assert_eq!(c.standardisation, Some(Standardisation::Indirect));
        assert_eq!(c.scale, Some((100.0, "%")));
    }

    #[test]
    fn the_config_and_value_type_override_the_data() {
        let rows = [sample("25.1337", 47.0, 187.0); 5];
        let direct = classify(Some(StandardisationSetting::Direct), &rows, None, None);
        assert_eq!(direct.standardisation, Some(Standardisation::Direct));
        assert_eq!(
            from_value_type("Indirectly standardised ratio"),
            Some(StandardisationSetting::Indirect)
        );
        assert_eq!(
            from_value_type("Directly standardised rate"),
            Some(StandardisationSetting::Direct)
        );
        assert_eq!(
            from_value_type("Crude rate"),
            Some(StandardisationSetting::None)
        );
        assert_eq!(from_value_type(""), None);
    }

    #[test]
    fn too_few_rows_say_nothing() {
        let rows = [sample("2503.41872", 149656.0, 5480307.0)];
        assert_eq!(classify(None, &rows, None, None).standardisation, None);
        assert_eq!(classify(None, &[], None, None).scale, None);
    }
}

//! The full `phe_sii` option set: value types, the log/logit regression (`transform`),
//! standard errors given or derived, any confidence levels, the RII, the intercept and the
//! reliability statistic. [`super::sii::slope_index`] (used by the gap tables) is the
//! untransformed, single-level case with Fingertips' orientation; this is the package's
//! interface, for `gapmap stats`.
//!
//! Quantiles are given in order, quantile 1 (most deprived) first; each gets its population
//! share aᵢ and relative rank bᵢ (cumulative-share midpoint), and the weighted regression
//! yᵢ√aᵢ = β₀√aᵢ + β₁bᵢ√aᵢ is fitted as in [`super::sii`]. With multiplier m:
//!
//! ```text
//! value type      normal (0)      rate (1)            proportion (2)
//! scale T         identity        log                 logit
//! SE              given, or (T(upper95) − T(lower95)) / (2 · 1.959964)
//!
//! transform = FALSE (regress on the natural scale; simulate on the T scale):
//!   SII = m·β₁,  RII = (β₀ + β₁)/β₀ (inverted when m < 0),  intercept = β₀
//! transform = TRUE (regress on the T scale, then back-transform with T⁻¹):
//!   SII = (T⁻¹(β₀ + β₁) − T⁻¹(β₀))·m,  RII = T⁻¹(β₀ + β₁)/T⁻¹(β₀) (inverted when m < 0),
//!   intercept = T⁻¹(β₀)·|m|
//! ```
//!
//! **Limits** by simulation (`SimulationFunc`): each quantile drawn from N(T(value), SE²),
//! back-transformed when `transform` is FALSE, the regression refitted; the limits at level c
//! are the sorted replicates of m·β₁ (and of the RII) at the 1-based positions
//! round(reps·(1 − (c + (1 − c)/2))) and round(reps·(c + (1 − c)/2)). With `transform` the
//! slope's limits β₁ˡ, β₁ᵘ on the T scale are turned into fitted lines through the midpoint
//! x½ = β₀ + β₁/2 (`xequalshalf`): SII limit = (T⁻¹(x½ + β₁ˡ/2) − T⁻¹(x½ − β₁ˡ/2))·m, and RII
//! limit = T⁻¹(x½ + β₁ˡ/2)/T⁻¹(x½ − β₁ˡ/2), swapped when m < 0. (The package tests m < 1
//! rather than m < 0 for rates; a multiplier between 0 and 1 is treated here like any other
//! positive one.) An SE given directly is used as is on the simulation scale, as the package
//! does.
//!
//! **Reliability statistic** (`reliability_stat`): the simulation is run 10 times as long and
//! cut into 10 sets; the limits come from the first, and the statistic is the mean absolute
//! difference between each of the other 9 sets' limits and the first set's (18 differences per
//! level, `sii_mad`/`rii_mad`).
//!
//! **Rules** from `phe_sii`: 5 to 100 quantiles (a warning above 10: "Small values can make
//! SII unstable"); positive populations; SEs non-negative; limits present when no SE is
//! given; proportions and their limits within [0, 1]; a count x > 0 where the proportion is
//! made from x/population; `transform` only for rates and proportions, with limits and without
//! an SE; at least 1,000 repetitions.
//!
//! Sources: Low A, Low A (2004) J Public Health 26:388–395; PHEindicatormethods `phe_sii`
//! (R/SII_function.R, 2.x, with `transform`, `intercept` and `reliability_stat`) and
//! `FindXValues`/`SimulationFunc` (R/utils.R); Fingertips technical guidance, "Slope index of
//! inequality".

use super::confidence::ConfidenceLevel;
use super::sii::{
    percentile_index, regression_weights, simulate_coefficients, Simulation, Transform,
    DEFAULT_SEED,
};
use super::Confidence;
use rayon::prelude::*;

/// `value_type`: how the indicator's values behave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SiiValueType {
    /// 0: normally distributed (means, life expectancy).
    Normal,
    /// 1: rates, simulated on the log scale.
    Rate,
    /// 2: proportions (0–1), simulated on the logit scale.
    Proportion,
}

impl SiiValueType {
    fn scale(self) -> Transform {
        match self {
            SiiValueType::Normal => Transform::Identity,
            SiiValueType::Rate => Transform::Log,
            SiiValueType::Proportion => Transform::Logit,
        }
    }

    /// The package's `indicator_type` column.
    pub fn label(self) -> &'static str {
        match self {
            SiiValueType::Normal => "normal",
            SiiValueType::Rate => "rate",
            SiiValueType::Proportion => "proportion",
        }
    }
}

/// One quantile's inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct QuantileValue {
    pub label: String,
    pub population: f64,
    /// The indicator value; for proportions it may be left out and made from `count`.
    pub value: Option<f64>,
    /// Events (x), for proportions given as counts.
    pub count: Option<f64>,
    pub lower95: Option<f64>,
    pub upper95: Option<f64>,
    /// Standard error, used instead of the limits when given.
    pub se: Option<f64>,
}

/// The phe_sii documentation example, "Area1" (R/SII_function.R @examples): ten deciles, most
/// deprived first, with population, life expectancy, published 95% limits and standard
/// errors — a reference input for tests and benchmarks.
pub fn documentation_example() -> Vec<QuantileValue> {
    let population = [
        7291.0, 7997.0, 6105.0, 7666.0, 5790.0, 6934.0, 5918.0, 5974.0, 7147.0, 7534.0,
    ];
    let value = [75.9, 78.3, 83.8, 83.6, 80.5, 81.1, 81.7, 84.2, 80.6, 86.3];
    let lower = [72.7, 75.3, 80.9, 80.2, 77.1, 78.0, 79.0, 81.4, 75.8, 83.2];
    let upper = [79.1, 81.4, 86.8, 87.1, 83.8, 84.2, 84.4, 86.9, 85.4, 89.4];
    let se = [1.64, 1.58, 1.51, 1.78, 1.7, 1.56, 1.37, 1.4, 2.43, 1.57];
    (0..10)
        .map(|i| QuantileValue {
            label: format!("{}", i + 1),
            population: population[i],
            value: Some(value[i]),
            count: None,
            lower95: Some(lower[i]),
            upper95: Some(upper[i]),
            se: Some(se[i]),
        })
        .collect()
}

/// Options, with `phe_sii`'s defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct PheSiiOptions {
    pub value_type: SiiValueType,
    pub transform: bool,
    pub multiplier: f64,
    pub repetitions: u32,
    pub levels: Vec<ConfidenceLevel>,
    pub reliability: bool,
    pub seed: u64,
}

impl Default for PheSiiOptions {
    fn default() -> Self {
        PheSiiOptions {
            value_type: SiiValueType::Normal,
            transform: false,
            multiplier: 1.0,
            repetitions: 100_000,
            levels: vec![ConfidenceLevel::P95],
            reliability: false,
            seed: DEFAULT_SEED,
        }
    }
}

/// SII and RII limits at one level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SiiLevel {
    pub level: ConfidenceLevel,
    pub sii_lower: f64,
    pub sii_upper: f64,
    pub rii_lower: f64,
    pub rii_upper: f64,
    /// Mean absolute difference of the limits over the 9 extra runs (reliability only).
    pub sii_mad: Option<f64>,
    pub rii_mad: Option<f64>,
}

/// The result for one set of quantiles.
#[derive(Debug, Clone, PartialEq)]
pub struct PheSii {
    pub sii: f64,
    pub rii: f64,
    pub intercept: f64,
    pub levels: Vec<SiiLevel>,
    pub warnings: Vec<String>,
}

/// Why the SII cannot be calculated; each names the quantile.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PheSiiError {
    #[error("the SII needs 5 to 100 quantiles; got {0}")]
    QuantileCount(usize),
    #[error("quantile {0}: the population is zero, negative or missing")]
    Population(String),
    #[error("quantile {0}: no value (give a value, or a count x for a proportion)")]
    NoValue(String),
    #[error("quantile {0}: needs either a standard error or both 95% limits")]
    NoSpread(String),
    #[error("quantile {label}: standard error {value} is negative")]
    NegativeSe { label: String, value: f64 },
    #[error("quantile {label}: {what} {value} is not a proportion between 0 and 1")]
    NotAProportion {
        label: String,
        what: &'static str,
        value: f64,
    },
    #[error("quantile {0}: count x is zero or negative (phe_sii: \"some groups have a zero or negative count x\")")]
    ZeroCount(String),
    #[error("quantile {label}: value or limit {value} cannot be put on the {scale} scale (zero, negative, or 100%)")]
    Untransformable {
        label: String,
        value: f64,
        scale: &'static str,
    },
    #[error("transform needs a rate or proportion value type, 95% limits and no standard error")]
    TransformNeeds,
    #[error("the SII needs at least 1000 repetitions (phe_sii); got {0}")]
    Repetitions(u32),
    #[error("no confidence level given")]
    NoLevels,
}

struct Prepared {
    /// Value on the natural scale (the regression's y without transform).
    natural: Vec<f64>,
    /// Value and SE on the simulation scale.
    means: Vec<f64>,
    ses: Vec<f64>,
    populations: Vec<f64>,
}

fn prepare(groups: &[QuantileValue], options: &PheSiiOptions) -> Result<Prepared, PheSiiError> {
    let scale = options.value_type.scale();
    let scale_name = match scale {
        Transform::Identity => "natural",
        Transform::Log => "log",
        Transform::Logit => "logit",
    };
    let z = Confidence::P95.z();
    let mut prepared = Prepared {
        natural: Vec::with_capacity(groups.len()),
        means: Vec::with_capacity(groups.len()),
        ses: Vec::with_capacity(groups.len()),
        populations: Vec::with_capacity(groups.len()),
    };
    for g in groups {
        let label = || g.label.clone();
        if !(g.population > 0.0 && g.population.is_finite()) {
            return Err(PheSiiError::Population(label()));
        }
        if options.transform && g.se.is_some() {
            return Err(PheSiiError::TransformNeeds);
        }
        let value = match (g.value, g.count, options.value_type) {
            (Some(v), _, _) => v,
            (None, Some(x), SiiValueType::Proportion) => {
                if x.is_nan() || x <= 0.0 {
                    return Err(PheSiiError::ZeroCount(label()));
                }
                x / g.population
            }
            _ => return Err(PheSiiError::NoValue(label())),
        };
        if options.value_type == SiiValueType::Proportion {
            for (what, v) in [
                ("value", Some(value)),
                ("lower limit", g.lower95),
                ("upper limit", g.upper95),
            ] {
                if let Some(v) = v.filter(|v| !(0.0..=1.0).contains(v)) {
                    return Err(PheSiiError::NotAProportion {
                        label: label(),
                        what,
                        value: v,
                    });
                }
            }
        }
        let forward = |v: f64| {
            let t = scale.forward(v);
            if t.is_finite() {
                Ok(t)
            } else {
                Err(PheSiiError::Untransformable {
                    label: label(),
                    value: v,
                    scale: scale_name,
                })
            }
        };
        let se = match (g.se, g.lower95, g.upper95) {
            (Some(se), _, _) if se >= 0.0 => se,
            (Some(se), _, _) => {
                return Err(PheSiiError::NegativeSe {
                    label: label(),
                    value: se,
                })
            }
            (None, Some(lo), Some(up)) => (forward(up)? - forward(lo)?) / z / 2.0,
            _ => return Err(PheSiiError::NoSpread(label())),
        };
        prepared.natural.push(value);
        prepared.means.push(forward(value)?);
        prepared.ses.push(se);
        prepared.populations.push(g.population);
    }
    Ok(prepared)
}

/// The 0-based positions of level c's lower and upper limits among `reps` sorted replicates.
fn positions(reps: usize, level: ConfidenceLevel) -> (usize, usize) {
    let c = level.fraction();
    let upper_p = c + (1.0 - c) / 2.0;
    (
        percentile_index(reps, 1.0 - upper_p),
        percentile_index(reps, upper_p),
    )
}

/// Final (SII lower, SII upper, RII lower, RII upper) from one set of sorted replicates.
type Finisher<'a> = dyn Fn(&[f64], &[f64], (usize, usize)) -> [f64; 4] + Sync + 'a;

/// SII (and RII, intercept) for quantiles in order, quantile 1 first (`phe_sii`).
pub fn phe_sii(groups: &[QuantileValue], options: &PheSiiOptions) -> Result<PheSii, PheSiiError> {
    if !(5..=100).contains(&groups.len()) {
        return Err(PheSiiError::QuantileCount(groups.len()));
    }
    if options.repetitions < 1000 {
        return Err(PheSiiError::Repetitions(options.repetitions));
    }
    if options.levels.is_empty() {
        return Err(PheSiiError::NoLevels);
    }
    if options.transform && options.value_type == SiiValueType::Normal {
        return Err(PheSiiError::TransformNeeds);
    }
    if options.transform
        && groups
            .iter()
            .any(|g| g.lower95.is_none() || g.upper95.is_none())
    {
        return Err(PheSiiError::TransformNeeds);
    }
    let prepared = prepare(groups, options)?;
    let (c0, c1) = regression_weights(&prepared.populations);
    let fit = |y: &[f64]| -> (f64, f64) {
        (
            c0.iter().zip(y).map(|(c, y)| c * y).sum(),
            c1.iter().zip(y).map(|(c, y)| c * y).sum(),
        )
    };
    let m = options.multiplier;
    let back = options.value_type.scale();
    let reps = options.repetitions as usize;
    let sets = if options.reliability { 10 } else { 1 };

    let (sii, rii, intercept, finisher): (f64, f64, f64, Box<Finisher<'_>>) = if options.transform {
        let (b0, b1) = fit(&prepared.means);
        let (at0, at1) = (back.back(b0), back.back(b0 + b1));
        let half = (b0 + (b0 + b1)) / 2.0;
        let ends = move |slope: f64| (back.back(half - slope / 2.0), back.back(half + slope / 2.0));
        let finisher = move |slopes: &[f64], _: &[f64], (lo, hi): (usize, usize)| {
            let (lo_end, hi_end) = (ends(slopes[lo]), ends(slopes[hi]));
            let (first, second) = if m < 0.0 {
                (hi_end, lo_end)
            } else {
                (lo_end, hi_end)
            };
            let ratio = |(at0, at1): (f64, f64)| {
                if m < 0.0 {
                    at0 / at1
                } else {
                    at1 / at0
                }
            };
            [
                (first.1 - first.0) * m,
                (second.1 - second.0) * m,
                ratio(first),
                ratio(second),
            ]
        };
        let rii = if m < 0.0 { at0 / at1 } else { at1 / at0 };
        ((at1 - at0) * m, rii, at0 * m.abs(), Box::new(finisher))
    } else {
        let (b0, b1) = fit(&prepared.natural);
        let rii = (b0 + b1) / b0;
        let finisher = move |slopes: &[f64], riis: &[f64], (lo, hi): (usize, usize)| {
            // sorted(m·β₁)[k] = m·sorted(β₁)[n − 1 − k] when m < 0, likewise 1/RII.
            let n = slopes.len();
            if m < 0.0 {
                [
                    m * slopes[n - 1 - lo],
                    m * slopes[n - 1 - hi],
                    1.0 / riis[n - 1 - lo],
                    1.0 / riis[n - 1 - hi],
                ]
            } else {
                [m * slopes[lo], m * slopes[hi], riis[lo], riis[hi]]
            }
        };
        (
            m * b1,
            if m < 0.0 { 1.0 / rii } else { rii },
            b0,
            Box::new(finisher),
        )
    };

    let simulation = Simulation {
        means: &prepared.means,
        ses: &prepared.ses,
        back: if options.transform {
            Transform::Identity
        } else {
            back
        },
        c0: &c0,
        c1: &c1,
    };
    let (mut slopes, mut riis) = simulate_coefficients(&simulation, reps * sets, options.seed);
    // Sort each set of replicates (in parallel), then read every level's limits from it.
    slopes
        .par_chunks_mut(reps)
        .chain(riis.par_chunks_mut(reps))
        .for_each(|set| set.sort_unstable_by(f64::total_cmp));
    let per_set: Vec<Vec<[f64; 4]>> = slopes
        .chunks(reps)
        .zip(riis.chunks(reps))
        .map(|(s, r)| {
            options
                .levels
                .iter()
                .map(|&level| finisher(s, r, positions(reps, level)))
                .collect()
        })
        .collect();
    let levels = options
        .levels
        .iter()
        .enumerate()
        .map(|(i, &level)| {
            let first = per_set[0][i];
            let mad = |which: [usize; 2]| -> Option<f64> {
                options.reliability.then(|| {
                    let diffs: Vec<f64> = per_set[1..]
                        .iter()
                        .flat_map(|set| which.map(|j| (set[i][j] - first[j]).abs()))
                        .collect();
                    diffs.iter().sum::<f64>() / diffs.len() as f64
                })
            };
            SiiLevel {
                level,
                sii_lower: first[0],
                sii_upper: first[1],
                rii_lower: first[2],
                rii_upper: first[3],
                sii_mad: mad([0, 1]),
                rii_mad: mad([2, 3]),
            }
        })
        .collect();
    let mut warnings = Vec::new();
    if groups.len() > 10 {
        warnings.push(format!(
            "{} quantiles: small values can make the SII unstable with more than 10 quantiles (phe_sii warning)",
            groups.len()
        ));
    }
    Ok(PheSii {
        sii,
        rii,
        intercept,
        levels,
        warnings,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::stats::sii::{slope_index, Orientation, SiiGroup, SiiOptions};

    fn area1(with_se: bool) -> Vec<QuantileValue> {
        documentation_example()
            .into_iter()
            .map(|q| QuantileValue {
                lower95: q.lower95.filter(|_| !with_se),
                upper95: q.upper95.filter(|_| !with_se),
                se: q.se.filter(|_| with_se),
                ..q
            })
            .collect()
    }

    fn options() -> PheSiiOptions {
        PheSiiOptions {
            repetitions: 10_000,
            ..PheSiiOptions::default()
        }
    }

    #[test]
    fn sii_and_rii_of_the_documentation_example() {
        // Weighted least squares (numpy lstsq of √a·y on [√a, b√a]): β = (78.03207877,
        // 7.00023476) → SII 7.000235, RII 1.089710, intercept 78.032079.
        let result = phe_sii(&area1(true), &options()).unwrap();
        assert!(
            (result.sii - 7.000_234_760_079_92).abs() < 1e-9,
            "{result:?}"
        );
        assert!((result.rii - 1.089_709_704_911_941_7).abs() < 1e-9);
        assert!((result.intercept - 78.032_078_77).abs() < 1e-6);
        let l = result.levels[0];
        assert!(l.sii_lower < result.sii && result.sii < l.sii_upper);
        assert!(l.sii_mad.is_none());
    }

    #[test]
    fn se_from_limits_or_given_agree_closely_on_the_example() {
        // The documentation: "Supplying the standard error instead of the indicator 95 percent
        // confidence limits gives the same result" — the limits were rounded to 0.1, so the
        // intervals agree to within a few hundredths.
        let from_se = phe_sii(&area1(true), &options()).unwrap().levels[0];
        let from_limits = phe_sii(&area1(false), &options()).unwrap().levels[0];
        assert!(
            (from_se.sii_lower - from_limits.sii_lower).abs() < 0.15,
            "{from_se:?} {from_limits:?}"
        );
        assert!((from_se.sii_upper - from_limits.sii_upper).abs() < 0.15);
    }

    #[test]
    fn the_gap_table_sii_is_this_function_without_transform() {
        // Same seed and replicates: slope_index (LeastMinusMost, multiplier 1) and phe_sii
        // give identical point values and limits.
        let groups: Vec<SiiGroup> = area1(false)
            .into_iter()
            .map(|q| SiiGroup {
                label: q.label,
                population: q.population,
                value: q.value.unwrap(),
                lower95: q.lower95.unwrap(),
                upper95: q.upper95.unwrap(),
                events: None,
            })
            .collect();
        let old = slope_index(
            &groups,
            &SiiOptions {
                orientation: Orientation::LeastMinusMost,
                reps: 10_000,
                ..SiiOptions::default()
            },
        )
        .unwrap();
        let new = phe_sii(&area1(false), &options()).unwrap();
        assert_eq!(old.sii.value, new.sii);
        assert_eq!(old.sii.lower95, new.levels[0].sii_lower);
        assert_eq!(old.sii.upper95, new.levels[0].sii_upper);
        assert_eq!(old.rii.lower95, new.levels[0].rii_lower);
    }

    #[test]
    fn negative_multiplier_negates_the_sii_and_inverts_the_rii() {
        let positive = phe_sii(&area1(true), &options()).unwrap();
        let negative = phe_sii(
            &area1(true),
            &PheSiiOptions {
                multiplier: -1.0,
                ..options()
            },
        )
        .unwrap();
        assert!((negative.sii + positive.sii).abs() < 1e-12);
        assert!((negative.rii * positive.rii - 1.0).abs() < 1e-12);
        let (p, n) = (positive.levels[0], negative.levels[0]);
        // sorted(−β₁) at position k is −sorted(β₁) at n − 1 − k: the limits swap sides.
        assert!(n.sii_lower < n.sii_upper);
        assert!((n.sii_lower + p.sii_upper).abs() < 0.05 * (p.sii_upper - p.sii_lower));
    }

    #[test]
    fn two_levels_nest_and_reliability_reports_small_differences() {
        let result = phe_sii(
            &area1(true),
            &PheSiiOptions {
                levels: vec![ConfidenceLevel::P95, ConfidenceLevel::P998],
                reliability: true,
                ..options()
            },
        )
        .unwrap();
        let (l95, l998) = (result.levels[0], result.levels[1]);
        assert!(l998.sii_lower < l95.sii_lower && l95.sii_upper < l998.sii_upper);
        let width = l95.sii_upper - l95.sii_lower;
        let mad = l95.sii_mad.unwrap();
        assert!(mad > 0.0 && mad < 0.05 * width, "mad {mad}, width {width}");
        assert!(l998.rii_mad.unwrap() > 0.0);
    }

    /// Rates per 1 that grow exactly exponentially with the relative rank: ln y = ln 0.01 +
    /// ln 2 · b, so the log-scale regression is exact.
    fn exponential_rates() -> Vec<QuantileValue> {
        let populations = [1000.0, 3000.0, 2000.0, 2500.0, 1500.0];
        let total: f64 = populations.iter().sum();
        let mut cumulative = 0.0;
        populations
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let b = (cumulative + p / 2.0) / total;
                cumulative += p;
                let y = 0.01 * 2f64.powf(b);
                QuantileValue {
                    label: format!("{}", i + 1),
                    population: *p,
                    value: Some(y),
                    count: None,
                    lower95: Some(y * 0.9),
                    upper95: Some(y / 0.9),
                    se: None,
                }
            })
            .collect()
    }

    #[test]
    fn transform_regresses_on_the_log_scale_and_back_transforms() {
        // Hand-worked: exact on the log scale → fitted 0.01 at rank 0 and 0.02 at rank 1:
        // SII = (0.02 − 0.01) × 1000 = 10 per 1,000, RII = 2, intercept = 0.01 × 1000 = 10.
        let result = phe_sii(
            &exponential_rates(),
            &PheSiiOptions {
                value_type: SiiValueType::Rate,
                transform: true,
                multiplier: 1000.0,
                ..options()
            },
        )
        .unwrap();
        assert!((result.sii - 10.0).abs() < 1e-9, "{result:?}");
        assert!((result.rii - 2.0).abs() < 1e-12);
        assert!((result.intercept - 10.0).abs() < 1e-9);
        let l = result.levels[0];
        assert!(l.sii_lower < 10.0 && 10.0 < l.sii_upper, "{l:?}");
        assert!(l.rii_lower < 2.0 && 2.0 < l.rii_upper, "{l:?}");
    }
}

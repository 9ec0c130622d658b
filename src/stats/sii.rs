//! Slope index of inequality (SII) and relative index of inequality (RII), PHE method.
//!
//! Groups are ordered from most deprived (rank 0) to least deprived (rank 1). Each group gets
//! its population share `aᵢ` and the midpoint of its range in the cumulative population
//! distribution, `bᵢ = Σ_{j<i} aⱼ + aᵢ/2`. The weighted regression (square-root weights, to
//! account for heteroskedasticity)
//!
//! ```text
//! yᵢ·√aᵢ = β₀·√aᵢ + β₁·bᵢ√aᵢ        (no free intercept; ordinary least squares)
//! ```
//!
//! gives the fitted value at rank 0 (most deprived), β₀, and at rank 1 (least deprived),
//! β₀ + β₁. `phe_sii` reports SII = β₁ × multiplier and RII = (β₀ + β₁)/β₀, and takes a negative
//! multiplier to flip the sign (and invert the RII) for "higher is worse" indicators so the
//! SII is positive when the deprived are worse off. Here that choice is [`Orientation`]:
//! [`Orientation::MostMinusLeast`] gives SII = −β₁·|m| = fitted(most) − fitted(least) and
//! RII = β₀/(β₀ + β₁); [`Orientation::LeastMinusMost`] gives SII = β₁·|m| and
//! RII = (β₀ + β₁)/β₀ (the higher-is-better option).
//!
//! **Confidence limits** by simulation, as `phe_sii`'s `SimulationFunc`: each group value is
//! drawn from a normal distribution on a transformed scale (log for rates, logit for
//! proportions, none for means) with mean T(value) and standard error
//! (T(upper95) − T(lower95)) / (2·1.959964), back-transformed, and the regression refitted;
//! the limits are the sorted replicates at positions round(reps·α/2) and round(reps·(1 − α/2))
//! (1-based). Replicates are drawn from ChaCha8 streams seeded by `seed` (stream i for the
//! i-th block of 10,000 replicates), so results are reproducible and independent of threads.
//!
//! **Validity rules** (from `phe_sii`): 5 to 100 groups; every group needs a positive
//! population; proportions must lie strictly inside (0, 1) and rates above 0 (a group with no
//! events cannot be log/logit transformed — `phe_sii` stops with "some groups have a zero or
//! negative count x"); more than 10 groups triggers `phe_sii`'s warning "Small values can make
//! SII unstable". The reliability flag also fires when a group has fewer than
//! [`SiiOptions::min_events`] events (default 10): below 10 events Fingertips switches to exact
//! Poisson limits because the normal approximation behind the simulated standard error is
//! poor (Fingertips technical guidance, "Rates"; PHE *Technical Guide: Confidence Intervals*).
//!
//! Sources: Low A, Low A (2004) *Measuring the gap: quantifying and comparing local health
//! inequalities*, J Public Health 26:388–395; PHEindicatormethods `phe_sii` (R/SII_function.R)
//! and `FindXValues`/`SimulationFunc` (R/utils.R); Fingertips technical guidance, "Slope index
//! of inequality (SII) and relative index of inequality (RII)".

use super::{Confidence, Estimate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use rayon::prelude::*;

/// Transformation applied before simulating (`phe_sii` `value_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transform {
    /// value_type 0: normal on the natural scale (means, life expectancy).
    Identity,
    /// value_type 1: rates, log scale.
    Log,
    /// value_type 2: proportions (0–1), logit scale.
    Logit,
}

impl Transform {
    pub(crate) fn forward(self, x: f64) -> f64 {
        match self {
            Transform::Identity => x,
            Transform::Log => x.ln(),
            Transform::Logit => (x / (1.0 - x)).ln(),
        }
    }

    pub(crate) fn back(self, t: f64) -> f64 {
        match self {
            Transform::Identity => t,
            Transform::Log => t.exp(),
            Transform::Logit => 1.0 / (1.0 + (-t).exp()),
        }
    }
}

/// Which difference the SII reports (the sign convention; see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Orientation {
    /// fitted(most deprived) − fitted(least deprived); RII = most/least. For higher-is-worse.
    MostMinusLeast,
    /// fitted(least deprived) − fitted(most deprived); RII = least/most. For higher-is-better.
    LeastMinusMost,
}

/// One deprivation group, in order from most to least deprived.
#[derive(Debug, Clone, PartialEq)]
pub struct SiiGroup {
    pub label: String,
    /// Population (denominator) of the group: its weight.
    pub population: f64,
    /// Value on the natural scale: a proportion in 0–1, a rate per 1, or a mean.
    pub value: f64,
    /// 95% limits on the same scale.
    pub lower95: f64,
    pub upper95: f64,
    /// Number of events, where the indicator has counts (for the reliability flag).
    pub events: Option<f64>,
}

/// Settings for [`slope_index`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SiiOptions {
    pub transform: Transform,
    /// Scale of the SII (100 for percentages, 1000 per 1,000, …); its sign is ignored —
    /// use `orientation`.
    pub multiplier: f64,
    pub orientation: Orientation,
    /// Monte Carlo replicates (phe_sii default 100,000).
    pub reps: u32,
    pub seed: u64,
    /// Groups with fewer events than this make the result "unreliable" (default 10).
    pub min_events: f64,
}

impl Default for SiiOptions {
    fn default() -> Self {
        SiiOptions {
            transform: Transform::Identity,
            multiplier: 1.0,
            orientation: Orientation::MostMinusLeast,
            reps: 100_000,
            seed: DEFAULT_SEED,
            min_events: 10.0,
        }
    }
}

/// The fixed default seed (so a table is reproducible unless a seed is asked for).
pub const DEFAULT_SEED: u64 = 20_250_214;

/// Replicates per independent random stream.
const BLOCK: usize = 10_000;

/// SII and RII with 95% limits, and reasons to treat them with caution.
#[derive(Debug, Clone, PartialEq)]
pub struct SiiResult {
    pub sii: Estimate,
    pub rii: Estimate,
    /// Empty when reliable; otherwise one sentence per problem.
    pub warnings: Vec<String>,
}

/// Why an SII cannot be calculated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SiiError {
    #[error("SII needs 5 to 100 deprivation groups (as phe_sii); got {0}")]
    GroupCount(usize),
    #[error("SII needs a positive population in every group; group {0:?} has none")]
    NoPopulation(String),
    #[error("SII cannot be calculated: group {label:?} value {value} cannot be {transform} transformed (a group with no events, or 100%)")]
    Untransformable {
        label: String,
        value: f64,
        transform: &'static str,
    },
    #[error("SII needs finite 95% limits around each group value; group {0:?} has none")]
    BadInterval(String),
    #[error("SII simulation needs at least 1 replicate")]
    NoReplicates,
}

/// What one Monte Carlo replicate draws from: group means and standard errors on the
/// simulation scale, the back-transform applied to each draw, and the regression weights.
pub(crate) struct Simulation<'a> {
    pub means: &'a [f64],
    pub ses: &'a [f64],
    pub back: Transform,
    pub c0: &'a [f64],
    pub c1: &'a [f64],
}

/// `reps` replicates of the slope β₁ and of (β₀ + β₁)/β₀, each group drawn from
/// N(mean, se²) and back-transformed (`SimulationFunc`). Replicates come from ChaCha8 streams
/// seeded by `seed`, stream i for the i-th block of [`BLOCK`] replicates, so results are
/// reproducible, independent of threads, and the first k·BLOCK replicates of a longer run
/// equal a run of k·BLOCK.
pub(crate) fn simulate_coefficients(
    sim: &Simulation<'_>,
    reps: usize,
    seed: u64,
) -> (Vec<f64>, Vec<f64>) {
    let mut slope_samples = vec![0.0; reps];
    let mut rii_samples = vec![0.0; reps];
    slope_samples
        .par_chunks_mut(BLOCK)
        .zip(rii_samples.par_chunks_mut(BLOCK))
        .enumerate()
        .for_each(|(block, (slope_out, rii_out))| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(block as u64);
            for (s, r) in slope_out.iter_mut().zip(rii_out.iter_mut()) {
                let (mut b0, mut b1) = (0.0, 0.0);
                for i in 0..sim.means.len() {
                    let normal: f64 = rng.sample(StandardNormal);
                    let y = sim.back.back(sim.means[i] + sim.ses[i] * normal);
                    b0 += sim.c0[i] * y;
                    b1 += sim.c1[i] * y;
                }
                (*s, *r) = (b1, (b0 + b1) / b0);
            }
        });
    (slope_samples, rii_samples)
}

/// Each group's population share `aᵢ` and cumulative rank midpoint `bᵢ` (see the module docs):
/// the x axis of the SII regression, and the widths and centres of a chart's bars.
pub fn rank_positions(populations: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let total: f64 = populations.iter().sum();
    let shares: Vec<f64> = populations.iter().map(|p| p / total).collect();
    let mut cumulative = 0.0;
    let midpoints: Vec<f64> = shares
        .iter()
        .map(|a| {
            let b = cumulative + a / 2.0;
            cumulative += a;
            b
        })
        .collect();
    (shares, midpoints)
}

/// Regression coefficients as linear functions of the group values: β_j = Σ c_j[i]·yᵢ.
pub(crate) fn regression_weights(populations: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let (shares, midpoints) = rank_positions(populations);
    // XᵀX with X = [√a, b√a]: [[Σa, Σab], [Σab, Σab²]].
    let s0: f64 = shares.iter().sum();
    let s1: f64 = shares.iter().zip(&midpoints).map(|(a, b)| a * b).sum();
    let s2: f64 = shares.iter().zip(&midpoints).map(|(a, b)| a * b * b).sum();
    let det = s0 * s2 - s1 * s1;
    let c0 = shares
        .iter()
        .zip(&midpoints)
        .map(|(a, b)| a * (s2 - s1 * b) / det)
        .collect();
    let c1 = shares
        .iter()
        .zip(&midpoints)
        .map(|(a, b)| a * (s0 * b - s1) / det)
        .collect();
    (c0, c1)
}

/// The fitted regression line at the two ends of the rank: β₀ at rank 0 (most deprived) and
/// β₀ + β₁ at rank 1 (least deprived), in the units of `values`. The SII of [`slope_index`] is
/// their difference (times the multiplier, oriented), so a chart that draws this line draws the
/// published SII.
pub fn fitted_ends(populations: &[f64], values: &[f64]) -> (f64, f64) {
    let (c0, c1) = regression_weights(populations);
    let beta0: f64 = c0.iter().zip(values).map(|(c, y)| c * y).sum();
    let beta1: f64 = c1.iter().zip(values).map(|(c, y)| c * y).sum();
    (beta0, beta0 + beta1)
}

fn oriented(beta0: f64, beta1: f64, multiplier: f64, orientation: Orientation) -> (f64, f64) {
    let m = multiplier.abs();
    match orientation {
        Orientation::MostMinusLeast => (-beta1 * m, beta0 / (beta0 + beta1)),
        Orientation::LeastMinusMost => (beta1 * m, (beta0 + beta1) / beta0),
    }
}

/// 1-based position round(reps·p) of the sorted replicates (phe_sii), as a 0-based index.
pub(crate) fn percentile_index(len: usize, p: f64) -> usize {
    let position = (len as f64 * p).round() as usize;
    position.saturating_sub(1).min(len - 1)
}

/// The replicates at the lower and upper percentile positions (`lower_p` ≤ `upper_p`),
/// found by two selections — the second only within the part above the first — instead of a
/// full sort.
fn percentile_pair(samples: &mut [f64], lower_p: f64, upper_p: f64) -> (f64, f64) {
    let (lo, hi) = (
        percentile_index(samples.len(), lower_p),
        percentile_index(samples.len(), upper_p),
    );
    let (_, lower, above) = samples.select_nth_unstable_by(lo, f64::total_cmp);
    let lower = *lower;
    let upper = if hi == lo {
        lower
    } else {
        *above.select_nth_unstable_by(hi - lo - 1, f64::total_cmp).1
    };
    (lower, upper)
}

/// SII and RII for groups ordered from most to least deprived.
pub fn slope_index(groups: &[SiiGroup], options: &SiiOptions) -> Result<SiiResult, SiiError> {
    if !(5..=100).contains(&groups.len()) {
        return Err(SiiError::GroupCount(groups.len()));
    }
    if options.reps == 0 {
        return Err(SiiError::NoReplicates);
    }
    let transform_name = match options.transform {
        Transform::Identity => "",
        Transform::Log => "log",
        Transform::Logit => "logit",
    };
    let z = Confidence::P95.z();
    let mut means = Vec::with_capacity(groups.len());
    let mut ses = Vec::with_capacity(groups.len());
    for g in groups {
        if g.population.is_nan() || g.population <= 0.0 {
            return Err(SiiError::NoPopulation(g.label.clone()));
        }
        let t = [g.value, g.lower95, g.upper95].map(|x| options.transform.forward(x));
        if t.iter().any(|x| !x.is_finite()) {
            if options.transform == Transform::Identity {
                return Err(SiiError::BadInterval(g.label.clone()));
            }
            return Err(SiiError::Untransformable {
                label: g.label.clone(),
                value: g.value,
                transform: transform_name,
            });
        }
        means.push(t[0]);
        ses.push((t[2] - t[1]) / (2.0 * z));
    }

    let populations: Vec<f64> = groups.iter().map(|g| g.population).collect();
    let (c0, c1) = regression_weights(&populations);
    let beta0: f64 = c0.iter().zip(groups).map(|(c, g)| c * g.value).sum();
    let beta1: f64 = c1.iter().zip(groups).map(|(c, g)| c * g.value).sum();
    let (sii, rii) = oriented(beta0, beta1, options.multiplier, options.orientation);

    let (mut slope_samples, mut rii_samples) = simulate_coefficients(
        &Simulation {
            means: &means,
            ses: &ses,
            back: options.transform,
            c0: &c0,
            c1: &c1,
        },
        options.reps as usize,
        options.seed,
    );
    // Limits of phe_sii's own statistic (β₁·|m| and (β₀+β₁)/β₀); for the other orientation
    // they are swapped and negated/inverted (see the module doc).
    let tail = (1.0 - 0.95) / 2.0;
    let (slope_limits, rii_limits) = rayon::join(
        || percentile_pair(&mut slope_samples, tail, 1.0 - tail),
        || percentile_pair(&mut rii_samples, tail, 1.0 - tail),
    );
    let m = options.multiplier.abs();
    let sii_limits = (slope_limits.0 * m, slope_limits.1 * m);
    let (sii_lower, sii_upper, rii_lower, rii_upper) = match options.orientation {
        Orientation::LeastMinusMost => (sii_limits.0, sii_limits.1, rii_limits.0, rii_limits.1),
        Orientation::MostMinusLeast => (
            -sii_limits.1,
            -sii_limits.0,
            1.0 / rii_limits.1,
            1.0 / rii_limits.0,
        ),
    };
    let sii_estimate = Estimate {
        value: sii,
        lower95: sii_lower,
        upper95: sii_upper,
    };
    let rii_estimate = Estimate {
        value: rii,
        lower95: rii_lower,
        upper95: rii_upper,
    };

    let mut warnings = Vec::new();
    if groups.len() > 10 {
        warnings.push(format!(
            "{} groups: small values can make the SII unstable with more than 10 groups (phe_sii warning)",
            groups.len()
        ));
    }
    let few: Vec<String> = groups
        .iter()
        .filter(|g| g.events.is_some_and(|e| e < options.min_events))
        .map(|g| g.label.clone())
        .collect();
    if !few.is_empty() {
        warnings.push(format!(
            "fewer than {} events in {}: the simulated interval relies on a normal approximation that is poor for so few events",
            options.min_events,
            few.join(", ")
        ));
    }
    Ok(SiiResult {
        sii: sii_estimate,
        rii: rii_estimate,
        warnings,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The 10-decile example from the phe_sii documentation ("Area1"): populations, life
    /// expectancy values and standard errors, least deprived last.
    fn phe_example() -> Vec<SiiGroup> {
        crate::stats::sii_options::documentation_example()
            .into_iter()
            .map(|q| {
                let (value, se) = (q.value.unwrap(), q.se.unwrap());
                SiiGroup {
                    label: format!("D{}", q.label),
                    population: q.population,
                    value,
                    lower95: value - 1.959_963_984_540_054 * se,
                    upper95: value + 1.959_963_984_540_054 * se,
                    events: None,
                }
            })
            .collect()
    }

    #[test]
    fn sii_point_estimate_matches_weighted_least_squares_on_phe_example() {
        // Independent check: numpy lstsq of √a·y on [√a, b√a] for the phe_sii documentation
        // example gives β = (78.03207877, 7.00023476); phe_sii (multiplier 1) reports
        // SII 7.000235 and RII (β₀+β₁)/β₀ = 1.089710.
        let options = SiiOptions {
            orientation: Orientation::LeastMinusMost,
            reps: 1000,
            ..SiiOptions::default()
        };
        let result = slope_index(&phe_example(), &options).unwrap();
        assert!(
            (result.sii.value - 7.000_234_760_079_92).abs() < 1e-9,
            "{result:?}"
        );
        assert!((result.rii.value - 1.089_709_704_911_941_7).abs() < 1e-9);
        // Flipping the orientation negates the SII and inverts the RII (phe_sii multiplier −1).
        let flipped = slope_index(
            &phe_example(),
            &SiiOptions {
                orientation: Orientation::MostMinusLeast,
                ..options
            },
        )
        .unwrap();
        assert!((flipped.sii.value + result.sii.value).abs() < 1e-12);
        assert!((flipped.rii.value * result.rii.value - 1.0).abs() < 1e-12);
        assert!((flipped.sii.lower95 + result.sii.upper95).abs() < 1e-9);
    }

    #[test]
    fn sii_recovers_an_exactly_linear_gradient() {
        // Hand-worked: if y = 30 − 10·b exactly (b = cumulative rank midpoint), the regression
        // is exact whatever the weights: SII (most − least) = 10, RII = 30/20 = 1.5.
        let populations = [100.0, 300.0, 200.0, 250.0, 150.0];
        let total: f64 = populations.iter().sum();
        let mut cumulative = 0.0;
        let groups: Vec<SiiGroup> = populations
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let b = (cumulative + p / 2.0) / total;
                cumulative += p;
                let y = 30.0 - 10.0 * b;
                SiiGroup {
                    label: format!("Q{}", i + 1),
                    population: *p,
                    value: y,
                    lower95: y - 1.0,
                    upper95: y + 1.0,
                    events: None,
                }
            })
            .collect();
        let result = slope_index(
            &groups,
            &SiiOptions {
                reps: 2000,
                ..SiiOptions::default()
            },
        )
        .unwrap();
        assert!((result.sii.value - 10.0).abs() < 1e-9);
        assert!((result.rii.value - 1.5).abs() < 1e-9);
        assert!(result.sii.lower95 < 10.0 && 10.0 < result.sii.upper95);
    }

    #[test]
    fn simulation_is_deterministic_for_a_seed_and_stable_across_seeds() {
        let options = SiiOptions {
            orientation: Orientation::LeastMinusMost,
            ..SiiOptions::default()
        };
        let a = slope_index(&phe_example(), &options).unwrap();
        let b = slope_index(&phe_example(), &options).unwrap();
        assert_eq!(a, b);
        let c = slope_index(&phe_example(), &SiiOptions { seed: 7, ..options }).unwrap();
        assert_eq!(a.sii.value, c.sii.value);
        let width = a.sii.upper95 - a.sii.lower95;
        assert!((a.sii.lower95 - c.sii.lower95).abs() < 0.01 * width);
        assert!((a.sii.upper95 - c.sii.upper95).abs() < 0.01 * width);
    }

    #[test]
    fn simulated_interval_matches_normal_theory_for_identity_transform() {
        // With no transform β₁ is linear in the group values, so its sampling sd is exactly
        // √(Σ c₁ᵢ² seᵢ²): the simulated 95% limits must match β₁ ± 1.96·sd closely.
        let groups = phe_example();
        let (_, c1) = regression_weights(&groups.iter().map(|g| g.population).collect::<Vec<_>>());
        let se: Vec<f64> = groups
            .iter()
            .map(|g| (g.upper95 - g.lower95) / (2.0 * 1.959_963_984_540_054))
            .collect();
        let sd = c1
            .iter()
            .zip(&se)
            .map(|(c, s)| (c * s).powi(2))
            .sum::<f64>()
            .sqrt();
        let result = slope_index(
            &groups,
            &SiiOptions {
                orientation: Orientation::LeastMinusMost,
                ..SiiOptions::default()
            },
        )
        .unwrap();
        let expected_lower = result.sii.value - 1.959_963_984_540_054 * sd;
        assert!(
            (result.sii.lower95 - expected_lower).abs() < 0.02 * 1.96 * sd,
            "{result:?} sd {sd}"
        );
    }

    #[test]
    fn percentiles_are_taken_at_phe_sii_positions() {
        // 1..=1000 shuffled: positions round(1000·0.025) = 25 and round(1000·0.975) = 975.
        let mut samples: Vec<f64> = (1..=1000)
            .map(|i| f64::from((i * 7919) % 1000 + 1))
            .collect();
        assert_eq!(percentile_pair(&mut samples, 0.025, 0.975), (25.0, 975.0));
    }

    #[test]
    fn sii_refuses_a_group_with_no_population() {
        let mut groups = phe_example();
        groups[3].population = 0.0;
        assert_eq!(
            slope_index(&groups, &SiiOptions::default()),
            Err(SiiError::NoPopulation("D4".into()))
        );
    }

    #[test]
    fn sii_refuses_a_proportion_group_with_no_events() {
        let groups: Vec<SiiGroup> = (0..5)
            .map(|i| {
                let p = if i == 2 { 0.0 } else { 0.1 };
                SiiGroup {
                    label: format!("Q{}", i + 1),
                    population: 100.0,
                    value: p,
                    lower95: 0.0,
                    upper95: p + 0.05,
                    events: Some(p * 100.0),
                }
            })
            .collect();
        let options = SiiOptions {
            transform: Transform::Logit,
            multiplier: 100.0,
            ..SiiOptions::default()
        };
        assert!(matches!(
            slope_index(&groups, &options),
            Err(SiiError::Untransformable { .. })
        ));
    }

    #[test]
    fn sii_needs_five_to_one_hundred_groups() {
        let groups = phe_example();
        assert_eq!(
            slope_index(&groups[..4], &SiiOptions::default()),
            Err(SiiError::GroupCount(4))
        );
    }

    #[test]
    fn few_events_flag_the_result_as_unreliable() {
        let groups: Vec<SiiGroup> = [
            (8.0, 100.0),
            (20.0, 100.0),
            (15.0, 100.0),
            (12.0, 100.0),
            (9.0, 100.0),
        ]
        .iter()
        .enumerate()
        .map(|(i, (x, n))| {
            let ci = crate::stats::wilson::wilson_interval(*x, *n, Confidence::P95).unwrap();
            SiiGroup {
                label: format!("Q{}", i + 1),
                population: *n,
                value: x / n,
                lower95: ci.lower,
                upper95: ci.upper,
                events: Some(*x),
            }
        })
        .collect();
        let options = SiiOptions {
            transform: Transform::Logit,
            multiplier: 100.0,
            reps: 5000,
            ..SiiOptions::default()
        };
        let result = slope_index(&groups, &options).unwrap();
        assert_eq!(result.warnings.len(), 1);
        assert!(
            result.warnings[0].contains("Q1, Q5"),
            "{:?}",
            result.warnings
        );
    }

    #[test]
    fn fitted_ends_differ_by_the_sii() {
        // Five groups, unequal populations: the line's drop from rank 0 to rank 1 is the SII.
        let populations = [900.0, 1200.0, 1000.0, 800.0, 1100.0];
        let values = [0.30, 0.26, 0.21, 0.19, 0.15];
        let mut groups = Vec::new();
        for (i, (&population, value)) in populations.iter().zip(values).enumerate() {
            let (lower95, upper95) = (value - 0.02, value + 0.02);
            let label = format!("Q{}", i + 1);
            groups.push(SiiGroup {
                label,
                population,
                value,
                lower95,
                upper95,
                events: None,
            });
        }
        let options = SiiOptions {
            multiplier: 100.0,
            reps: 100,
            ..SiiOptions::default()
        };
        let result = slope_index(&groups, &options).unwrap();
        let (most, least) = fitted_ends(&populations, &values);
        assert!(((most - least) * 100.0 - result.sii.value).abs() < 1e-9);
        let (shares, midpoints) = rank_positions(&populations);
        assert!((shares.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!((midpoints[0] - 900.0 / 5000.0 / 2.0).abs() < 1e-12);
    }
}

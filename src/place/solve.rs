//! The placement pipeline as named stages: check → neighbour lists → presolve → greedy + swap
//! → MILP → prune → evaluate. Each stage is timed ([`Timings`]) so the benchmark can say where
//! the time goes.

use super::access::Access;
use super::callback::MipProgress;
use super::error::PlaceError;
use super::evaluate::{evaluate, Evaluation};
use super::heuristic::{cover_greedy_swap, median_greedy_swap};
use super::instance::Instance;
use super::milp::{solve_cover, solve_median, MilpOptions, MilpOutcome, MilpStatus, MIP_REL_GAP};
use super::model::{Model, ObjectiveValue};
use super::presolve::{presolve_cover, presolve_median, CoverReduced, PresolveStats};
use super::reach::{Cutoff, Reach};
use serde::Serialize;
use std::time::{Duration, Instant};

/// What to solve and how long to try.
#[derive(Debug, Clone, PartialEq)]
pub struct SolveOptions {
    pub model: Model,
    /// New sites to open (at most).
    pub k: usize,
    /// Total time limit for the MILP stages.
    pub time_limit: Duration,
    /// How often progress is reported during the MILP.
    pub progress_interval: Duration,
    /// Relative gap at which a solve counts as optimal (default [`MIP_REL_GAP`], 1e-9).
    pub rel_gap: f64,
}

impl SolveOptions {
    pub fn new(model: Model, k: usize) -> SolveOptions {
        SolveOptions {
            model,
            k,
            time_limit: Duration::from_secs(300),
            progress_interval: Duration::from_secs(1),
            rel_gap: MIP_REL_GAP,
        }
    }
}

/// What the progress callback sees.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Progress {
    /// "presolve", "greedy + swap", "MILP", "MILP (equity stage 1: quintile 1)", …
    pub stage: String,
    /// Seconds since the solve started.
    pub elapsed: f64,
    /// Best objective found so far (the model's own objective, in original units).
    pub incumbent: Option<f64>,
    /// Best proven bound so far.
    pub bound: Option<f64>,
    /// Relative gap between them.
    pub gap: Option<f64>,
}

/// What the callback wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Continue,
    /// Stop the search and return the best solution found so far.
    Stop,
}

/// How the whole solve ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SolveStatus {
    /// Proven optimal (relative gap ≤ 1e-9).
    Optimal,
    /// The time limit was reached: best solution found, NOT proven optimal.
    TimeLimit,
    /// Stopped by the caller: best solution found, NOT proven optimal.
    Interrupted,
}

impl SolveStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SolveStatus::Optimal => "optimal",
            SolveStatus::TimeLimit => "time_limit",
            SolveStatus::Interrupted => "interrupted",
        }
    }

    /// One plain sentence for people.
    pub fn explain(self) -> &'static str {
        match self {
            SolveStatus::Optimal => "proven optimal: no other choice of sites does better",
            SolveStatus::TimeLimit => {
                "NOT proven optimal: the time limit was reached; this is the best solution found, and the bound says how much better one could be"
            }
            SolveStatus::Interrupted => {
                "NOT proven optimal: the search was stopped; this is the best solution found, and the bound says how much better one could be"
            }
        }
    }
}

/// One MILP stage (MCLP and p-median have one, equity two).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageReport {
    pub name: String,
    pub status: MilpStatus,
    /// Objective of the stage's solution, original units.
    pub objective: f64,
    /// Proven bound, original units.
    pub bound: f64,
    pub gap: f64,
    /// Greedy + swap objective (the starting incumbent), original units.
    pub heuristic_objective: f64,
    pub presolve: PresolveStats,
    pub milp_seconds: f64,
    pub nodes: i64,
}

/// Milliseconds per pipeline stage.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Timings {
    pub reach_ms: f64,
    pub presolve_ms: f64,
    pub heuristic_ms: f64,
    pub milp_ms: f64,
    pub evaluate_ms: f64,
    pub total_ms: f64,
}

/// A solved placement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Solution {
    pub model: Model,
    pub k: usize,
    pub status: SolveStatus,
    /// New sites chosen (indices into the instance's sites), ascending. Only sites that add
    /// something: fewer than k when more would not improve the objective.
    pub chosen: Vec<usize>,
    /// k − chosen: slots that would add nothing.
    pub unused_slots: usize,
    /// The objective of `chosen`, from [`evaluate`] (for equity: quintile 1, then total).
    pub objective: ObjectiveValue,
    /// Proven bound on `objective.primary`.
    pub bound: f64,
    /// Relative gap `|bound − objective| / |objective|` (0 when proven optimal).
    pub gap: f64,
    /// The relative gap a solve had to reach to count as optimal.
    pub rel_gap: f64,
    pub stages: Vec<StageReport>,
    pub timings: Timings,
    pub evaluation: Evaluation,
}

/// Check that the request makes sense for the instance.
pub fn check(instance: &Instance, options: &SolveOptions) -> Result<(), PlaceError> {
    let candidates = instance.candidates().len();
    if candidates == 0 {
        return Err(PlaceError::NoCandidates);
    }
    if options.k == 0 {
        return Err(PlaceError::KZero);
    }
    if options.k > candidates {
        return Err(PlaceError::KTooLarge {
            k: options.k,
            candidates,
        });
    }
    if options.model == Model::Equity {
        let missing = instance
            .demand
            .iter()
            .filter(|d| d.quintile.is_none())
            .count();
        if missing > 0 {
            return Err(PlaceError::MissingQuintile { missing });
        }
    }
    if options.model == Model::PMedian {
        if let Access::Matrix(m) = &instance.access {
            if let Some((i, j)) = m.first_missing() {
                return Err(PlaceError::IncompleteMatrix {
                    origin: instance.demand[i].id.clone(),
                    site: instance.sites[j].id.clone(),
                });
            }
        }
    }
    Ok(())
}

struct Run<'a, 'p> {
    instance: &'a Instance,
    options: &'a SolveOptions,
    started: Instant,
    progress: &'p mut dyn FnMut(&Progress) -> Control,
    timings: Timings,
    stages: Vec<StageReport>,
}

impl Run<'_, '_> {
    fn announce(&mut self, stage: &str, incumbent: Option<f64>) {
        let _ = (self.progress)(&Progress {
            stage: stage.to_string(),
            elapsed: self.started.elapsed().as_secs_f64(),
            incumbent,
            bound: None,
            gap: None,
        });
    }

    fn milp_options(&self) -> MilpOptions {
        MilpOptions {
            time_limit: self
                .options
                .time_limit
                .saturating_sub(self.started.elapsed()),
            interval: self.options.progress_interval,
            rel_gap: self.options.rel_gap,
        }
    }

    /// Run `milp` with progress translated to original units (`offset` added).
    fn milp(
        &mut self,
        stage: &str,
        offset: f64,
        milp: impl FnOnce(
            &MilpOptions,
            &mut dyn FnMut(&MipProgress) -> bool,
        ) -> Result<MilpOutcome, PlaceError>,
    ) -> Result<MilpOutcome, PlaceError> {
        let options = self.milp_options();
        let started = self.started;
        let progress = &mut self.progress;
        let finite = |x: f64| x.is_finite().then_some(x + offset);
        let mut observer = |p: &MipProgress| {
            (progress)(&Progress {
                stage: stage.to_string(),
                elapsed: started.elapsed().as_secs_f64(),
                incumbent: finite(p.primal_bound),
                bound: finite(p.dual_bound),
                gap: p.gap.is_finite().then_some(p.gap),
            }) == Control::Continue
        };
        let t = Instant::now();
        let outcome = milp(&options, &mut observer);
        self.timings.milp_ms += t.elapsed().as_secs_f64() * 1e3;
        outcome
    }

    /// Record a finished stage; `offset` turns the MILP's bound into original units.
    fn record(
        &mut self,
        name: &str,
        outcome: &MilpOutcome,
        objective: f64,
        offset: f64,
        heuristic: f64,
        presolve: &PresolveStats,
    ) {
        let bound = outcome.bound + offset;
        self.stages.push(StageReport {
            name: name.to_string(),
            status: outcome.status,
            objective,
            bound,
            gap: relative_gap(objective, bound, outcome.status),
            heuristic_objective: heuristic,
            presolve: presolve.clone(),
            milp_seconds: outcome.seconds,
            nodes: outcome.nodes,
        });
    }

    /// Presolve, greedy + swap and MILP for one coverage stage. Returns the open sites.
    fn cover_stage(
        &mut self,
        name: &str,
        reach: &Reach,
        weight: &[f64],
        side: Option<(&[f64], f64)>,
        start_sites: &[usize],
    ) -> Result<Vec<usize>, PlaceError> {
        let instance = self.instance;
        let existing: Vec<bool> = instance.sites.iter().map(|s| s.existing).collect();
        self.announce(&format!("presolve ({name})"), None);
        let t = Instant::now();
        let red = presolve_cover(
            reach,
            &existing,
            &instance.candidates(),
            weight,
            side.map(|(s, _)| s),
        );
        self.timings.presolve_ms += t.elapsed().as_secs_f64() * 1e3;
        let rhs = side.map(|(_, floor)| floor - red.constant_side);
        let start = start_columns(&red, reach, start_sites);
        self.announce(&format!("greedy + swap ({name})"), None);
        let t = Instant::now();
        let warm = cover_greedy_swap(&red, self.options.k, rhs, &start);
        self.timings.heuristic_ms += t.elapsed().as_secs_f64() * 1e3;
        let heuristic = red.value(&mask(red.cols.len(), &warm)).0 + red.constant;
        let outcome = if red.cols.len() <= self.options.k {
            let all: Vec<usize> = (0..red.cols.len()).collect();
            let value = red.value(&mask(red.cols.len(), &all)).0;
            MilpOutcome {
                status: MilpStatus::Trivial,
                open: all,
                bound: value,
                seconds: 0.0,
                nodes: 0,
            }
        } else {
            let k = self.options.k;
            self.milp(
                &format!("MILP ({name})"),
                red.constant,
                |options, observer| solve_cover(&red, k, rhs, &warm, options, observer),
            )?
        };
        let open = prune_cover(&red, &outcome.open);
        let value = red.value(&mask(red.cols.len(), &open)).0 + red.constant;
        self.record(name, &outcome, value, red.constant, heuristic, &red.stats);
        Ok(open.iter().map(|&c| red.cols[c]).collect())
    }

    fn median_stage(&mut self) -> Result<Vec<usize>, PlaceError> {
        let instance = self.instance;
        let existing = instance.existing();
        let t = Instant::now();
        let nearest_existing: Vec<f64> = (0..instance.demand.len())
            .map(|i| {
                existing
                    .iter()
                    .filter_map(|&j| instance.cost(i, j))
                    .fold(f64::INFINITY, f64::min)
            })
            .collect();
        let candidate_mask: Vec<bool> = instance.sites.iter().map(|s| !s.existing).collect();
        let reach = Reach::build(instance, &candidate_mask, |i| {
            Cutoff::Below(nearest_existing[i])
        });
        self.timings.reach_ms += t.elapsed().as_secs_f64() * 1e3;
        self.announce("presolve (p-median)", None);
        let t = Instant::now();
        let weight: Vec<f64> = instance.demand.iter().map(|d| d.weight).collect();
        let red = presolve_median(&reach, &instance.candidates(), &nearest_existing, &weight);
        self.timings.presolve_ms += t.elapsed().as_secs_f64() * 1e3;
        self.announce("greedy + swap (p-median)", None);
        let t = Instant::now();
        let warm = median_greedy_swap(&red, self.options.k);
        self.timings.heuristic_ms += t.elapsed().as_secs_f64() * 1e3;
        let n = red.cols.len();
        let heuristic = red.value(&mask(n, &warm));
        let outcome = if n <= self.options.k {
            let all: Vec<usize> = (0..n).collect();
            MilpOutcome {
                status: MilpStatus::Trivial,
                bound: red.value(&mask(n, &all)) - red.constant,
                open: all,
                seconds: 0.0,
                nodes: 0,
            }
        } else {
            let k = self.options.k;
            self.milp("MILP (p-median)", red.constant, |options, observer| {
                solve_median(&red, k, &warm, options, observer)
            })?
        };
        // Drop sites that serve nobody more cheaply than the others already do.
        let mut open = outcome.open.clone();
        let value = red.value(&mask(n, &open));
        for c in outcome.open.iter().rev() {
            let without: Vec<usize> = open.iter().copied().filter(|x| x != c).collect();
            if red.value(&mask(n, &without)) <= value {
                open = without;
            }
        }
        self.record(
            "p-median",
            &outcome,
            value,
            red.constant,
            heuristic,
            &red.stats,
        );
        Ok(open.iter().map(|&c| red.cols[c]).collect())
    }
}

fn mask(n: usize, open: &[usize]) -> Vec<bool> {
    let mut m = vec![false; n];
    for &c in open {
        m[c] = true;
    }
    m
}

/// Relative gap between an objective and its bound; 0 for trivial stages.
/// Relative gap between an objective and its bound; 0 for trivial stages and for differences
/// within floating-point noise of a proven optimum ([`MIP_REL_GAP`]).
fn relative_gap(value: f64, bound: f64, status: MilpStatus) -> f64 {
    if status == MilpStatus::Trivial {
        return 0.0;
    }
    let gap = (bound - value).abs() / value.abs().max(1e-12);
    if status == MilpStatus::Optimal && gap <= MIP_REL_GAP {
        0.0
    } else {
        gap
    }
}

/// Remove open columns that add nothing (objective and side unchanged without them).
fn prune_cover(red: &CoverReduced, open: &[usize]) -> Vec<usize> {
    let n = red.cols.len();
    let mut kept = open.to_vec();
    let full = red.value(&mask(n, &kept));
    for c in open.iter().rev() {
        let without: Vec<usize> = kept.iter().copied().filter(|x| x != c).collect();
        let (v, s) = red.value(&mask(n, &without));
        if v >= full.0 && s >= full.1 {
            kept = without;
        }
    }
    kept
}

/// Columns of `red` standing for `sites` (an earlier stage's choice): the site's own column,
/// or, when presolve dropped it as dominated, a kept column covering all its demand points.
fn start_columns(red: &CoverReduced, reach: &Reach, sites: &[usize]) -> Vec<usize> {
    if sites.is_empty() {
        return Vec::new();
    }
    let covered_by = |j: usize| -> Vec<usize> {
        (0..reach.len())
            .filter(|&i| reach.sites(i).contains(&(j as u32)))
            .collect()
    };
    let mut cols = Vec::new();
    for &j in sites {
        if let Some(c) = red.cols.iter().position(|&s| s == j) {
            cols.push(c);
            continue;
        }
        let needed = covered_by(j);
        if let Some(c) = red
            .cols
            .iter()
            .position(|&s| needed.iter().all(|&i| reach.sites(i).contains(&(s as u32))))
        {
            cols.push(c);
        }
    }
    cols.sort_unstable();
    cols.dedup();
    cols
}

/// Solve `instance` for `options`, calling `progress` at each stage and about every
/// `options.progress_interval` during the MILP.
pub fn solve(
    instance: &Instance,
    options: &SolveOptions,
    progress: &mut dyn FnMut(&Progress) -> Control,
) -> Result<Solution, PlaceError> {
    check(instance, options)?;
    let mut run = Run {
        instance,
        options,
        started: Instant::now(),
        progress,
        timings: Timings::default(),
        stages: Vec::new(),
    };
    let chosen = match options.model {
        Model::PMedian => run.median_stage()?,
        Model::Mclp | Model::Equity => {
            run.announce("neighbour lists", None);
            let t = Instant::now();
            let all = vec![true; instance.sites.len()];
            let radius = instance.access.radius();
            let reach = Reach::build(instance, &all, |_| Cutoff::AtMost(radius));
            run.timings.reach_ms += t.elapsed().as_secs_f64() * 1e3;
            let weight: Vec<f64> = instance.demand.iter().map(|d| d.weight).collect();
            if options.model == Model::Mclp {
                run.cover_stage("mclp", &reach, &weight, None, &[])?
            } else {
                let q1: Vec<f64> = instance
                    .demand
                    .iter()
                    .map(|d| if d.quintile == Some(1) { d.weight } else { 0.0 })
                    .collect();
                let stage1 = run.cover_stage(
                    "equity stage 1: quintile 1 coverage",
                    &reach,
                    &q1,
                    None,
                    &[],
                )?;
                let q1_best = run.stages[0].objective;
                // A hair below the optimum, so rounding in the sums cannot make it infeasible.
                let floor = q1_best - 1e-9 * q1_best.abs().max(1.0);
                let stage2 = run.cover_stage(
                    "equity stage 2: total coverage, quintile 1 kept at its optimum",
                    &reach,
                    &weight,
                    Some((&q1, floor)),
                    &stage1,
                )?;
                let q1_of =
                    |sites: &[usize]| evaluate(instance, sites).objective(Model::Equity).primary;
                // Stage 2 may only trade quintile 1 coverage within tolerance; if it lost
                // any, keep stage 1's sites.
                if q1_of(&stage2) + 1e-9 * q1_best.abs().max(1.0) < q1_of(&stage1) {
                    stage1
                } else {
                    stage2
                }
            }
        }
    };
    let mut chosen = chosen;
    chosen.sort_unstable();
    run.announce("evaluating", None);
    let t = Instant::now();
    let evaluation = evaluate(instance, &chosen);
    run.timings.evaluate_ms = t.elapsed().as_secs_f64() * 1e3;
    run.timings.total_ms = run.started.elapsed().as_secs_f64() * 1e3;
    let objective = evaluation.objective(options.model);
    let first = &run.stages[0];
    let status = run
        .stages
        .iter()
        .map(|s| s.status)
        .find(|s| matches!(s, MilpStatus::TimeLimit | MilpStatus::Interrupted))
        .map_or(SolveStatus::Optimal, |s| match s {
            MilpStatus::Interrupted => SolveStatus::Interrupted,
            _ => SolveStatus::TimeLimit,
        });
    let bound = first.bound;
    let gap = relative_gap(objective.primary, bound, first.status);
    Ok(Solution {
        model: options.model,
        k: options.k,
        status,
        unused_slots: options.k - chosen.len(),
        chosen,
        objective,
        bound,
        gap,
        rel_gap: options.rel_gap,
        stages: run.stages,
        timings: run.timings,
        evaluation,
    })
}

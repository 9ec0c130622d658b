//! The exact MILPs, solved with HiGHS (the `highs` crate), on the presolved problems.
//!
//! **Coverage** (MCLP, and each equity stage), over presolved groups `g` and columns `c`:
//! ```text
//! max  Σ_c fold_c x_c + Σ_g w_g y_g
//! s.t. y_g − Σ_{c covers g} x_c ≤ 0      for every group
//!      Σ_c x_c ≤ k
//!      Σ_c fold_side_c x_c + Σ_g side_g y_g ≥ rhs      (equity stage 2 only)
//!      x_c ∈ {0, 1},  0 ≤ y_g ≤ 1
//! ```
//! `y_g` need not be declared integer: for integer `x` an optimal `y_g` is 1 exactly when `g`
//! is covered. **p-median** (ReVelle & Swain 1970, with the existing sites' costs as a cap):
//! ```text
//! min  Σ_i w_i Σ_c (c_ic − e_i) z_ic      (e_i := 0 when no existing site reaches i)
//! s.t. Σ_c z_ic ≤ 1  (= 1 when no existing site reaches i),   z_ic ≤ x_c,   Σ_c x_c ≤ k
//! ```
//! Options: HiGHS presolve on, `mip_rel_gap` = [`MIP_REL_GAP`] = 1e-9 by default (HiGHS' own
//! default 1e-4 would stop up to 0.01% short of the optimum), a time limit, a fixed random seed, the greedy + swap solution
//! as the starting incumbent. A run that stops early still returns its best solution and the
//! proven bound.

use super::callback::{solve_observed, Observer};
use super::error::PlaceError;
use super::presolve::{CoverReduced, MedianReduced};
use highs::{ColProblem, HighsModelStatus, Row, Sense};
use serde::Serialize;
use std::time::{Duration, Instant};

/// Default relative optimality gap at which HiGHS stops: "optimal" means optimal.
pub const MIP_REL_GAP: f64 = 1e-9;

/// Solver settings.
#[derive(Debug, Clone, PartialEq)]
pub struct MilpOptions {
    /// Stop after this long (the best solution so far is returned, marked not proven).
    pub time_limit: Duration,
    /// How often the observer is called.
    pub interval: Duration,
    /// Stop when the proven relative gap is at most this ([`MIP_REL_GAP`] by default).
    pub rel_gap: f64,
}

/// How a MILP run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MilpStatus {
    /// Proven optimal (within the relative gap of [`MilpOptions::rel_gap`]).
    Optimal,
    /// The time limit was reached: the best solution found is returned, not proven optimal.
    TimeLimit,
    /// The caller stopped the search (progress callback): best solution found, not proven.
    Interrupted,
    /// No MILP was needed (every useful candidate fits within k, or nothing can be gained).
    Trivial,
}

/// The result of one MILP.
#[derive(Debug, Clone, PartialEq)]
pub struct MilpOutcome {
    pub status: MilpStatus,
    /// Open columns of the best solution found.
    pub open: Vec<usize>,
    /// Best proven bound on the reduced objective (upper for max, lower for min).
    pub bound: f64,
    pub seconds: f64,
    pub nodes: i64,
}

fn solver_error(what: &str, status: impl std::fmt::Debug) -> PlaceError {
    PlaceError::Solver(format!("HiGHS could not {what} ({status:?})"))
}

/// Solve a presolved coverage problem; `warm` are the greedy + swap columns.
pub fn solve_cover(
    red: &CoverReduced,
    k: usize,
    side_rhs: Option<f64>,
    warm: &[usize],
    options: &MilpOptions,
    observer: &mut Observer<'_>,
) -> Result<MilpOutcome, PlaceError> {
    let n = red.cols.len();
    let mut col_groups: Vec<Vec<Row>> = vec![Vec::new(); n];
    let mut pb = ColProblem::default();
    let group_rows: Vec<Row> = red.groups.iter().map(|_| pb.add_row(..=0.0)).collect();
    for (g, group) in red.groups.iter().enumerate() {
        for &c in &group.cols {
            col_groups[c as usize].push(group_rows[g]);
        }
    }
    let card = pb.add_row(..=k as f64);
    let side_row = side_rhs.map(|rhs| pb.add_row(rhs..));
    for (c, rows) in col_groups.iter().enumerate() {
        let mut factors: Vec<(Row, f64)> = rows.iter().map(|&r| (r, -1.0)).collect();
        factors.push((card, 1.0));
        if let Some(s) = side_row {
            factors.push((s, red.fold_side[c]));
        }
        pb.add_integer_column(red.fold[c], 0.0..=1.0, factors);
    }
    for (g, group) in red.groups.iter().enumerate() {
        let mut factors = vec![(group_rows[g], 1.0)];
        if let Some(s) = side_row {
            factors.push((s, group.side));
        }
        pb.add_column(group.weight, 0.0..=1.0, factors);
    }
    let mut warm_cols = vec![0.0; n + red.groups.len()];
    for &c in warm {
        warm_cols[c] = 1.0;
    }
    for (g, group) in red.groups.iter().enumerate() {
        if group.cols.iter().any(|&c| warm_cols[c as usize] > 0.5) {
            warm_cols[n + g] = 1.0;
        }
    }
    run(pb, Sense::Maximise, n, &warm_cols, options, observer)
}

/// Solve a presolved p-median problem; `warm` are the greedy + swap columns.
pub fn solve_median(
    red: &MedianReduced,
    k: usize,
    warm: &[usize],
    options: &MilpOptions,
    observer: &mut Observer<'_>,
) -> Result<MilpOutcome, PlaceError> {
    let n = red.cols.len();
    let mut pb = ColProblem::default();
    let card = pb.add_row(..=k as f64);
    // Rows: one assignment row per point, one link row per kept pair.
    let mut links: Vec<Vec<Row>> = vec![Vec::new(); n];
    let mut pair_rows: Vec<(Row, Row, f64)> = Vec::new();
    for p in &red.points {
        let assign = if p.base.is_finite() {
            pb.add_row(..=1.0)
        } else {
            pb.add_row(1.0..=1.0)
        };
        for &(c, cost) in &p.pairs {
            let link = pb.add_row(..=0.0);
            links[c as usize].push(link);
            let delta = if p.base.is_finite() {
                cost - p.base
            } else {
                cost
            };
            pair_rows.push((assign, link, p.weight * delta));
        }
    }
    for rows in &links {
        let mut factors: Vec<(Row, f64)> = rows.iter().map(|&r| (r, -1.0)).collect();
        factors.push((card, 1.0));
        pb.add_integer_column(0.0, 0.0..=1.0, factors);
    }
    for &(assign, link, cost) in &pair_rows {
        pb.add_column(cost, 0.0..=1.0, [(assign, 1.0), (link, 1.0)]);
    }
    let mut warm_cols = vec![0.0; n + pair_rows.len()];
    for &c in warm {
        warm_cols[c] = 1.0;
    }
    let mut z = n;
    for p in &red.points {
        // The nearest open column (pairs are sorted by cost) serves the point.
        let nearest = p
            .pairs
            .iter()
            .position(|&(c, _)| warm_cols[c as usize] > 0.5);
        if let Some(pos) = nearest {
            warm_cols[z + pos] = 1.0;
        }
        z += p.pairs.len();
    }
    run(pb, Sense::Minimise, n, &warm_cols, options, observer)
}

fn run(
    pb: ColProblem,
    sense: Sense,
    site_cols: usize,
    warm: &[f64],
    options: &MilpOptions,
    observer: &mut Observer<'_>,
) -> Result<MilpOutcome, PlaceError> {
    let started = Instant::now();
    let mut model = pb
        .try_optimise(sense)
        .map_err(|e| solver_error("load the model", e))?;
    let set = |model: &mut highs::Model, name: &str, value: f64| {
        model
            .try_set_option(name, value)
            .map_err(|e| solver_error(&format!("set {name}"), e))
    };
    set(
        &mut model,
        "time_limit",
        options.time_limit.as_secs_f64().max(0.001),
    )?;
    set(&mut model, "mip_rel_gap", options.rel_gap)?;
    model
        .try_set_option("random_seed", 0)
        .map_err(|e| solver_error("set random_seed", e))?;
    model
        .try_set_solution(Some(warm), None, None, None)
        .map_err(|e| solver_error("take the starting solution", e))?;
    let solved = solve_observed(model, options.interval, observer)
        .map_err(|e| solver_error("solve the model", e))?;
    let status = match solved.status() {
        HighsModelStatus::Optimal => MilpStatus::Optimal,
        HighsModelStatus::ReachedTimeLimit => MilpStatus::TimeLimit,
        HighsModelStatus::ReachedInterrupt => MilpStatus::Interrupted,
        other => return Err(solver_error("solve the model", other)),
    };
    let solution = solved.get_solution();
    let open: Vec<usize> = solution.columns()[..site_cols]
        .iter()
        .enumerate()
        .filter(|(_, &x)| x > 0.5)
        .map(|(c, _)| c)
        .collect();
    let bound = solved
        .double_info_value(c"mip_dual_bound")
        .map_err(|e| solver_error("report the bound", e))?;
    let nodes = solved.int_info_value(c"mip_node_count").unwrap_or(0);
    Ok(MilpOutcome {
        status,
        open,
        bound,
        seconds: started.elapsed().as_secs_f64(),
        nodes,
    })
}

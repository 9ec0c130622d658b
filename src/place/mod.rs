//! Placement: where new Family Hubs and outreach sites should go, solved exactly and judged by
//! the gap they close. Pure: values in, values out; no I/O and no global state (the loaders
//! live in [`crate::ingest::placement`], the command in `src/cli/place.rs`).
//!
//! # Instance
//! Demand points `i` (x/y in EPSG:27700 metres, a weight `w_i ≥ 0`, optionally an IMD quintile,
//! 1 = most deprived) and sites `j`: *existing* sites (always open) and *candidates*, of which
//! `k` new ones are opened. Access `c_ij` is the straight-line distance in metres, or a travel
//! time in minutes from a user matrix (pairs not listed are unreachable). Demand point `i` is
//! *covered* by site `j` when `c_ij ≤ R` (the radius, inclusive, as in spopt).
//!
//! # Models (existing sites fixed open in all three)
//! - **MCLP** (maximal covering, Church & ReVelle 1974): open `k` candidates to maximise
//!   `Σ w_i [i covered by an open site]`. The reported objective includes demand already covered
//!   by existing sites, so it equals spopt's MCLP objective with the existing sites predefined.
//! - **p-median** (Hakimi 1964; ReVelle & Swain 1970): open `k` candidates to minimise
//!   `Σ w_i · min_{j open} c_ij`, the need-weighted distance (or time) to the nearest open site.
//! - **Equity** (lexicographic): first maximise the need-weighted coverage of quintile 1,
//!   `Q1(S) = Σ_{i: q_i = 1} w_i [i covered]`; among the site sets that reach the optimum
//!   `Q1*`, maximise total coverage `Σ w_i [i covered]`. Coverage never falls when a site is
//!   added, so no other quintile is ever made worse off to narrow the gap: the model cannot be
//!   "won" by covering fewer people in quintile 5 (a "minimise Q1 − Q5 gap" objective could be).
//!   Solved as two MILPs: `Q1*`, then total coverage subject to `Q1(S) ≥ Q1*`.
//!
//! "Open k" means *at most* k: every model's objective is monotone in the open set, so an
//! optimum with fewer useful sites exists only when the extra sites would add nothing; the
//! report then lists only the sites that add something and says how many slots were not needed.
//!
//! # Pipeline ([`solve::solve`])
//! 1. **Presolve** ([`presolve`]; coverage models): demand covered by an existing site is a
//!    constant and leaves the problem; demand out of reach of every candidate leaves it; demand
//!    points with identical candidate sets merge (weights add); a candidate whose covered set is
//!    contained in another's is dropped (dominance: swapping it for its dominator never loses
//!    coverage, and with "at most k" a redundant one can simply stay closed); groups covered by
//!    one candidate only become that candidate's objective coefficient. For p-median, pairs no
//!    nearer than the nearest existing site are dropped.
//! 2. **Greedy + swap** ([`heuristic`]): a warm start and a lower (upper, for p-median) bound.
//! 3. **Exact MILP** ([`milp`], HiGHS): status, objective, dual bound and gap, a time limit and
//!    a progress callback ([`callback`]) that can also stop the search.
//! 4. **Evaluation** ([`evaluate`]): the chosen set is evaluated by the same function the
//!    what-if view uses, so a solve and an evaluation of the same sites give identical numbers.
//!
//! # From the Dataset
//! - [`centre`]: population-weighted area centres (mean position of the area's live postcodes).
//! - [`demand`]: one demand point per LSOA, weighted by children of an age band × need.
//! - [`candidates`]: existing sites, and generated candidates at area centres.
//! - [`run`]: one request → one report: solve, or evaluate a given site set (what-if).
//! - [`report`]: the placement report (by-quintile table, per-site need newly covered) with
//!   small-count suppression, and its text rendering.

pub mod access;
pub mod callback;
pub mod candidates;
pub mod centre;
pub mod demand;
mod error;
pub mod evaluate;
pub mod heuristic;
pub mod instance;
pub mod milp;
pub mod model;
pub mod presolve;
pub mod reach;
pub mod report;
pub mod run;
pub mod solve;

#[cfg(test)]
mod tests;

pub use access::{Access, TravelTimes};
pub use error::PlaceError;
pub use evaluate::{evaluate, Evaluation};
pub use instance::{DemandPoint, Instance, SitePoint};
pub use model::Model;
pub use solve::{solve, Control, Progress, Solution, SolveOptions, SolveStatus};

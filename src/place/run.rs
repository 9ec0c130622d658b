//! One placement request → one report, for every caller (`gapmap place`, `/api/place`): either
//! solve for the best `k` new sites, or — given an explicit site set (the map's what-if mode) —
//! evaluate exactly that set without solving. Both end in [`super::evaluate`], so a what-if of
//! the set a solve chose reports the solve's numbers.

use super::error::PlaceError;
use super::evaluate::evaluate;
use super::instance::Instance;
use super::model::Model;
use super::report::{evaluation_report, report, PlacementReport, ReportContext};
use super::solve::{solve, Control, Progress, SolveOptions};
use std::collections::{HashMap, HashSet};

/// What to do with an instance.
#[derive(Debug, Clone, PartialEq)]
pub enum Task {
    /// Open at most `options.k` new sites, solved exactly.
    Solve(SolveOptions),
    /// Evaluate these sites (ids of the instance's sites) as the new ones, under `model`.
    Evaluate { model: Model, sites: Vec<String> },
}

/// The indices of `ids` in the instance's sites; an unknown id is an error naming it.
pub fn site_indices(instance: &Instance, ids: &[String]) -> Result<Vec<usize>, PlaceError> {
    let index: HashMap<&str, usize> = instance
        .sites
        .iter()
        .enumerate()
        .map(|(j, s)| (s.id.as_str(), j))
        .collect();
    let mut seen = HashSet::new();
    ids.iter()
        .map(|id| {
            let j = *index.get(id.as_str()).ok_or_else(|| {
                PlaceError::Spec(format!(
                    "sites: {id:?} is not a site of this instance (give a candidate id, an existing site id, or @LON:LAT for a new place)"
                ))
            })?;
            if !seen.insert(j) {
                return Err(PlaceError::DuplicateId {
                    what: "site in sites",
                    id: id.clone(),
                });
            }
            Ok(j)
        })
        .collect()
}

/// Run `task` on `instance` and report it. `progress` sees a solve's stages (and can stop it);
/// an evaluation does not call it.
pub fn run(
    instance: &Instance,
    task: &Task,
    ctx: &ReportContext,
    progress: &mut dyn FnMut(&Progress) -> Control,
) -> Result<PlacementReport, PlaceError> {
    match task {
        Task::Solve(options) => {
            let solution = solve(instance, options, progress)?;
            Ok(report(instance, &solution, ctx))
        }
        Task::Evaluate { model, sites } => {
            let chosen = site_indices(instance, sites)?;
            let evaluation = evaluate(instance, &chosen);
            Ok(evaluation_report(
                instance,
                &evaluation,
                *model,
                chosen.len(),
                ctx,
            ))
        }
    }
}

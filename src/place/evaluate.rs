//! Evaluate a set of new sites: coverage and mean distance by IMD quintile before (existing
//! sites only) and after (existing + new), need newly covered per new site, and each model's
//! objective.
//!
//! This is the one place these numbers are computed: a solve reports the evaluation of the set
//! it chose, and a what-if view evaluating the same set gets the same numbers, bit for bit.
//! Cost: one pass over demand × open sites (`O(n · (existing + k))`): a few milliseconds for a
//! county, tens of milliseconds for England.

use super::instance::Instance;
use super::model::{Model, ObjectiveValue};
use serde::Serialize;

/// Nearest open site of one demand point, before and after.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DemandAccess {
    /// Nearest existing site and its cost; `None` when none is reachable.
    pub before: Option<(usize, f64)>,
    /// Nearest open site (existing or new) and its cost.
    pub after: Option<(usize, f64)>,
    /// Open sites within the radius, after.
    pub covering_sites: u32,
}

impl DemandAccess {
    fn covered(nearest: Option<(usize, f64)>, radius: f64) -> bool {
        nearest.is_some_and(|(_, c)| c <= radius)
    }
}

/// Coverage of one group of demand points (a quintile, or all of them).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupCoverage {
    /// IMD quintile (1 = most deprived); `None` for all demand points together.
    pub quintile: Option<u8>,
    pub demand_points: usize,
    pub need_total: f64,
    pub need_covered_before: f64,
    pub need_covered_after: f64,
    /// Children in the group (when the demand carries child counts).
    pub children_total: Option<f64>,
    pub children_covered_before: Option<f64>,
    pub children_covered_after: Option<f64>,
    /// Need-weighted mean cost to the nearest open site over the reachable points.
    pub mean_cost_before: Option<f64>,
    pub mean_cost_after: Option<f64>,
    /// Demand points with no reachable open site (only with a sparse matrix, or no existing
    /// sites before).
    pub unreachable_before: usize,
    pub unreachable_after: usize,
}

impl GroupCoverage {
    /// Share of the group's need covered before, 0–1 (`None` when the group has no need).
    pub fn share_before(&self) -> Option<f64> {
        (self.need_total > 0.0).then(|| self.need_covered_before / self.need_total)
    }

    pub fn share_after(&self) -> Option<f64> {
        (self.need_total > 0.0).then(|| self.need_covered_after / self.need_total)
    }
}

/// What one new site adds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteCoverage {
    /// Index into the instance's sites.
    pub site: usize,
    /// Need within the radius of this site that no existing site covers.
    pub need_newly_covered: f64,
    /// Need covered by this site and by no other open site (lost if this site alone closed).
    pub need_only_here: f64,
    pub demand_points_newly_covered: usize,
    pub children_newly_covered: Option<f64>,
}

/// Everything about one site set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// The new sites evaluated (indices into the instance's sites), in the order given.
    pub new_sites: Vec<usize>,
    pub radius: f64,
    /// Per demand point, in instance order.
    pub demand: Vec<DemandAccess>,
    /// Quintiles 1–5 that have demand points, then all demand (`quintile: None`).
    pub groups: Vec<GroupCoverage>,
    /// One entry per new site, in the order given.
    pub sites: Vec<SiteCoverage>,
    /// Σ weight × cost to the nearest open site after (the p-median objective); infinite when
    /// a weighted point has no reachable open site.
    pub weighted_cost_after: f64,
    pub weighted_cost_before: f64,
}

impl Evaluation {
    /// All demand points together.
    pub fn total(&self) -> &GroupCoverage {
        // `evaluate` always pushes the total row last.
        &self.groups[self.groups.len() - 1]
    }

    /// One quintile's row, if it has demand points.
    pub fn quintile(&self, q: u8) -> Option<&GroupCoverage> {
        self.groups.iter().find(|g| g.quintile == Some(q))
    }

    /// The model's objective for this site set.
    pub fn objective(&self, model: Model) -> ObjectiveValue {
        match model {
            Model::Mclp => ObjectiveValue {
                primary: self.total().need_covered_after,
                secondary: None,
            },
            Model::PMedian => ObjectiveValue {
                primary: self.weighted_cost_after,
                secondary: None,
            },
            Model::Equity => ObjectiveValue {
                primary: self.quintile(1).map_or(0.0, |g| g.need_covered_after),
                secondary: Some(self.total().need_covered_after),
            },
        }
    }

    /// True when demand point `i` is within the radius of an open site after.
    pub fn covered_after(&self, i: usize) -> bool {
        DemandAccess::covered(self.demand[i].after, self.radius)
    }

    pub fn covered_before(&self, i: usize) -> bool {
        DemandAccess::covered(self.demand[i].before, self.radius)
    }
}

fn nearest(instance: &Instance, i: usize, sites: &[usize]) -> Option<(usize, f64)> {
    sites
        .iter()
        .filter_map(|&j| instance.cost(i, j).map(|c| (j, c)))
        .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
}

/// Evaluate opening `new_sites` (indices into `instance.sites`; existing sites are always
/// open, and an existing site listed here changes nothing).
pub fn evaluate(instance: &Instance, new_sites: &[usize]) -> Evaluation {
    let radius = instance.access.radius();
    let existing = instance.existing();
    let mut open: Vec<usize> = existing.clone();
    open.extend(
        new_sites
            .iter()
            .copied()
            .filter(|&j| !instance.sites[j].existing),
    );
    open.sort_unstable();
    open.dedup();

    let demand: Vec<DemandAccess> = (0..instance.demand.len())
        .map(|i| DemandAccess {
            before: nearest(instance, i, &existing),
            after: nearest(instance, i, &open),
            covering_sites: open
                .iter()
                .filter(|&&j| instance.cost(i, j).is_some_and(|c| c <= radius))
                .count() as u32,
        })
        .collect();

    let has_children = instance.demand.iter().any(|d| d.children.is_some());
    let mut groups: Vec<GroupCoverage> = Vec::new();
    let mut quintiles: Vec<u8> = instance.demand.iter().filter_map(|d| d.quintile).collect();
    quintiles.sort_unstable();
    quintiles.dedup();
    for q in quintiles.into_iter().map(Some).chain([None]) {
        let members =
            (0..instance.demand.len()).filter(|&i| q.is_none() || instance.demand[i].quintile == q);
        groups.push(group_coverage(
            instance,
            &demand,
            radius,
            q,
            members,
            has_children,
        ));
    }

    let weighted_cost = |pick: fn(&DemandAccess) -> Option<(usize, f64)>| -> f64 {
        let mut sum = 0.0;
        for (d, a) in instance.demand.iter().zip(&demand) {
            match pick(a) {
                Some((_, c)) => sum += d.weight * c,
                None if d.weight > 0.0 => return f64::INFINITY,
                None => {}
            }
        }
        sum
    };
    let weighted_cost_before = weighted_cost(|a| a.before);
    let weighted_cost_after = weighted_cost(|a| a.after);

    let sites = new_sites
        .iter()
        .map(|&j| site_coverage(instance, &demand, radius, j, has_children))
        .collect();

    Evaluation {
        new_sites: new_sites.to_vec(),
        radius,
        demand,
        groups,
        sites,
        weighted_cost_after,
        weighted_cost_before,
    }
}

fn group_coverage(
    instance: &Instance,
    demand: &[DemandAccess],
    radius: f64,
    quintile: Option<u8>,
    members: impl Iterator<Item = usize>,
    has_children: bool,
) -> GroupCoverage {
    let mut g = GroupCoverage {
        quintile,
        demand_points: 0,
        need_total: 0.0,
        need_covered_before: 0.0,
        need_covered_after: 0.0,
        children_total: has_children.then_some(0.0),
        children_covered_before: has_children.then_some(0.0),
        children_covered_after: has_children.then_some(0.0),
        mean_cost_before: None,
        mean_cost_after: None,
        unreachable_before: 0,
        unreachable_after: 0,
    };
    let (mut cost_before, mut need_before, mut cost_after, mut need_after) = (0.0, 0.0, 0.0, 0.0);
    let add = |slot: &mut Option<f64>, x: f64| {
        if let Some(s) = slot {
            *s += x;
        }
    };
    for i in members {
        let (d, a) = (&instance.demand[i], &demand[i]);
        let children = d.children.unwrap_or(0.0);
        g.demand_points += 1;
        g.need_total += d.weight;
        add(&mut g.children_total, children);
        if DemandAccess::covered(a.before, radius) {
            g.need_covered_before += d.weight;
            add(&mut g.children_covered_before, children);
        }
        if DemandAccess::covered(a.after, radius) {
            g.need_covered_after += d.weight;
            add(&mut g.children_covered_after, children);
        }
        match a.before {
            Some((_, c)) => {
                cost_before += d.weight * c;
                need_before += d.weight;
            }
            None => g.unreachable_before += 1,
        }
        match a.after {
            Some((_, c)) => {
                cost_after += d.weight * c;
                need_after += d.weight;
            }
            None => g.unreachable_after += 1,
        }
    }
    g.mean_cost_before = (need_before > 0.0).then(|| cost_before / need_before);
    g.mean_cost_after = (need_after > 0.0).then(|| cost_after / need_after);
    g
}

fn site_coverage(
    instance: &Instance,
    demand: &[DemandAccess],
    radius: f64,
    j: usize,
    has_children: bool,
) -> SiteCoverage {
    let mut s = SiteCoverage {
        site: j,
        need_newly_covered: 0.0,
        need_only_here: 0.0,
        demand_points_newly_covered: 0,
        children_newly_covered: has_children.then_some(0.0),
    };
    for (i, (d, a)) in instance.demand.iter().zip(demand).enumerate() {
        if !instance.cost(i, j).is_some_and(|c| c <= radius) {
            continue;
        }
        if !DemandAccess::covered(a.before, radius) {
            s.need_newly_covered += d.weight;
            s.demand_points_newly_covered += 1;
            if let Some(c) = &mut s.children_newly_covered {
                *c += d.children.unwrap_or(0.0);
            }
        }
        if a.covering_sites == 1 && !instance.sites[j].existing {
            s.need_only_here += d.weight;
        }
    }
    s
}

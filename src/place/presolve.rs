//! Presolve: shrink a placement problem before the MILP sees it, keeping every optimum.
//!
//! # Coverage models (MCLP, equity)
//! With `N(i)` the candidates within the radius of demand point `i`:
//! 1. **Existing coverage.** A point within the radius of an existing site is covered whatever
//!    is opened: its weight is a constant and it leaves the problem.
//! 2. **Out of reach.** A point with `N(i) = ∅` can never be covered: it leaves the problem.
//!    So do points of zero weight.
//! 3. **Identical sets.** Points with the same `N(i)` are covered together: one *group* with
//!    the summed weight (rural England collapses most; 32,844 LSOAs become a few thousand).
//! 4. **Dominance.** Let `G(j)` be the groups candidate `j` covers. If `G(j) ⊆ G(j')` (and
//!    `j' < j` when equal), `j` is dropped: in any solution that opens `j`, opening `j'`
//!    instead (or nothing, if `j'` is open already) covers at least as much of every group, and
//!    the models open *at most* k. The relation is acyclic, so every dropped candidate has a
//!    kept dominator and all can be dropped at once. Candidates covering nothing are dropped.
//!    Groups are merged again afterwards (dropping candidates can make sets identical).
//! 5. **Singletons.** A group covered by one candidate only is covered exactly when that
//!    candidate opens: its weight moves onto the candidate's objective coefficient and the
//!    group (a row and a column) disappears.
//!
//! A second weight per point (`side`, used by the equity model's quintile 1 constraint) is
//! carried through every step the same way; dominance keeps it too (a superset of groups
//! covers at least as much of any non-negative weight).
//!
//! # p-median
//! With existing sites open, point `i` already has cost `e_i` (nearest existing site). A
//! candidate no nearer than `e_i` never serves `i`, so only the pairs with `c_ij < e_i` are
//! kept, and `Σ w_i e_i` is a constant. Points with no nearer candidate leave the problem.

use super::reach::Reach;
use serde::Serialize;
use std::collections::HashMap;
use std::time::Instant;

/// Demand points covered by exactly the same kept candidates.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub weight: f64,
    pub side: f64,
    /// Columns (indices into [`CoverReduced::cols`]) covering the group; at least two.
    pub cols: Vec<u32>,
}

/// A reduced coverage problem: maximise `Σ fold_c x_c + Σ_g weight_g y_g` subject to
/// `y_g ≤ Σ_{c ∈ g} x_c`, `Σ x_c ≤ k` (and `Σ fold_side_c x_c + Σ side_g y_g ≥ rhs` when a
/// side constraint is used); the original objective is `constant +` that.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverReduced {
    /// Instance site index of each column.
    pub cols: Vec<usize>,
    /// Weight of the groups only this column covers.
    pub fold: Vec<f64>,
    pub fold_side: Vec<f64>,
    pub groups: Vec<Group>,
    /// Weight covered by existing sites.
    pub constant: f64,
    pub constant_side: f64,
    pub stats: PresolveStats,
}

/// What the presolve did, for reports and the benchmark.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PresolveStats {
    pub demand_points: usize,
    /// Points covered by an existing site (constant).
    pub covered_by_existing: usize,
    /// Points no candidate reaches.
    pub out_of_reach: usize,
    /// Points of zero weight.
    pub zero_weight: usize,
    /// Distinct candidate sets among the remaining points.
    pub groups: usize,
    /// Groups covered by a single kept candidate, folded into its coefficient.
    pub singleton_groups: usize,
    pub candidates: usize,
    /// Candidates covering nothing that is left.
    pub candidates_useless: usize,
    /// Candidates dropped because another covers a superset.
    pub candidates_dominated: usize,
    /// Size of the MILP handed to HiGHS.
    pub rows: usize,
    pub columns: usize,
    pub nonzeros: usize,
    pub millis: f64,
}

/// Presolve a coverage problem. `reach` holds, per demand point, the sites within the
/// radius; `existing[j]` marks existing sites; `candidates` lists the sites that may open.
pub fn presolve_cover(
    reach: &Reach,
    existing: &[bool],
    candidates: &[usize],
    weight: &[f64],
    side: Option<&[f64]>,
) -> CoverReduced {
    let started = Instant::now();
    let mut stats = PresolveStats {
        demand_points: reach.len(),
        candidates: candidates.len(),
        ..PresolveStats::default()
    };
    let mut is_candidate = vec![false; existing.len()];
    for &j in candidates {
        is_candidate[j] = true;
    }
    let (mut constant, mut constant_side) = (0.0, 0.0);
    // Steps 1–3: groups keyed by their sorted candidate set (site indices).
    let mut by_set: HashMap<Vec<u32>, usize> = HashMap::new();
    let mut sets: Vec<(Vec<u32>, f64, f64)> = Vec::new();
    let mut set: Vec<u32> = Vec::new();
    for i in 0..reach.len() {
        let (w, s) = (weight[i], side.map_or(0.0, |s| s[i]));
        if w <= 0.0 && s <= 0.0 {
            stats.zero_weight += 1;
            continue;
        }
        let sites = reach.sites(i);
        if sites.iter().any(|&j| existing[j as usize]) {
            constant += w;
            constant_side += s;
            stats.covered_by_existing += 1;
            continue;
        }
        set.clear();
        set.extend(sites.iter().copied().filter(|&j| is_candidate[j as usize]));
        if set.is_empty() {
            stats.out_of_reach += 1;
            continue;
        }
        set.sort_unstable();
        match by_set.get(&set) {
            Some(&g) => {
                sets[g].1 += w;
                sets[g].2 += s;
            }
            None => {
                by_set.insert(set.clone(), sets.len());
                sets.push((set.clone(), w, s));
            }
        }
    }
    stats.groups = sets.len();

    // Step 4: dominance over the groups each candidate covers.
    let mut cover: HashMap<u32, Vec<u32>> = HashMap::new();
    for (g, (members, _, _)) in sets.iter().enumerate() {
        for &j in members {
            cover.entry(j).or_default().push(g as u32);
        }
    }
    stats.candidates_useless = candidates.len() - cover.len();
    let empty: Vec<u32> = Vec::new();
    let covered_by = |j: u32| cover.get(&j).unwrap_or(&empty);
    let mut dominated: Vec<u32> = Vec::new();
    for (&j, groups_j) in &cover {
        // Any dominator also covers the group of j with the fewest candidates.
        let Some(&g0) = groups_j.iter().min_by_key(|&&g| sets[g as usize].0.len()) else {
            continue;
        };
        let is_dominated = sets[g0 as usize].0.iter().any(|&j2| {
            let groups_j2 = covered_by(j2);
            j2 != j
                && (groups_j2.len() > groups_j.len()
                    || (groups_j2.len() == groups_j.len() && j2 < j))
                && is_subset(groups_j, groups_j2)
        });
        if is_dominated {
            dominated.push(j);
        }
    }
    stats.candidates_dominated = dominated.len();
    dominated.sort_unstable();
    let mut kept: Vec<u32> = cover
        .keys()
        .copied()
        .filter(|j| dominated.binary_search(j).is_err())
        .collect();
    kept.sort_unstable();
    let col_of: HashMap<u32, u32> = kept
        .iter()
        .enumerate()
        .map(|(c, &j)| (j, c as u32))
        .collect();

    // Re-merge on kept candidates, then fold singletons (step 5).
    let mut fold = vec![0.0; kept.len()];
    let mut fold_side = vec![0.0; kept.len()];
    let mut merged: HashMap<Vec<u32>, usize> = HashMap::new();
    let mut groups: Vec<Group> = Vec::new();
    for (members, w, s) in sets {
        let mut cols: Vec<u32> = members
            .iter()
            .filter_map(|j| col_of.get(j).copied())
            .collect();
        cols.sort_unstable();
        if let [c] = cols[..] {
            fold[c as usize] += w;
            fold_side[c as usize] += s;
            stats.singleton_groups += 1;
            continue;
        }
        match merged.get(&cols) {
            Some(&g) => {
                groups[g].weight += w;
                groups[g].side += s;
            }
            None => {
                merged.insert(cols.clone(), groups.len());
                groups.push(Group {
                    weight: w,
                    side: s,
                    cols,
                });
            }
        }
    }
    stats.rows = groups.len() + 1 + usize::from(side.is_some());
    stats.columns = kept.len() + groups.len();
    stats.nonzeros = groups.iter().map(|g| g.cols.len() + 1).sum::<usize>()
        + kept.len()
        + if side.is_some() {
            kept.len() + groups.len()
        } else {
            0
        };
    stats.millis = started.elapsed().as_secs_f64() * 1e3;
    CoverReduced {
        cols: kept.iter().map(|&j| j as usize).collect(),
        fold,
        fold_side,
        groups,
        constant,
        constant_side,
        stats,
    }
}

/// True when sorted `a` ⊆ sorted `b`.
fn is_subset(a: &[u32], b: &[u32]) -> bool {
    let mut rest = b.iter();
    a.iter().all(|x| rest.any(|y| y == x))
}

impl CoverReduced {
    /// The reduced objective and side value of a set of columns.
    pub fn value(&self, open: &[bool]) -> (f64, f64) {
        let (mut value, mut side) = (0.0, 0.0);
        for (c, _) in open.iter().enumerate().filter(|(_, &o)| o) {
            value += self.fold[c];
            side += self.fold_side[c];
        }
        for g in &self.groups {
            if g.cols.iter().any(|&c| open[c as usize]) {
                value += g.weight;
                side += g.side;
            }
        }
        (value, side)
    }
}

/// A reduced p-median problem: minimise `constant + Σ_i w_i Σ_c (cost_ic − base_i) z_ic`
/// over the kept pairs (`cost_ic < base_i`), with `Σ_c z_ic ≤ 1` (`= 1` when `base_i` is
/// infinite: no existing site reaches `i`), `z_ic ≤ x_c`, `Σ x_c ≤ k`.
#[derive(Debug, Clone, PartialEq)]
pub struct MedianReduced {
    /// Instance site index of each column.
    pub cols: Vec<usize>,
    /// The points that can still gain, each with weight, base cost and its kept pairs
    /// (column, cost) sorted by cost.
    pub points: Vec<MedianPoint>,
    /// `Σ w_i e_i` over points with an existing site (the cost if nothing opens).
    pub constant: f64,
    pub stats: PresolveStats,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MedianPoint {
    pub weight: f64,
    /// Cost to the nearest existing site (infinite when none).
    pub base: f64,
    pub pairs: Vec<(u32, f64)>,
}

impl MedianReduced {
    /// The objective (including the constant) of a set of columns; infinite when a point is
    /// left with no site.
    pub fn value(&self, open: &[bool]) -> f64 {
        let mut total = self.constant;
        for p in &self.points {
            let best = p
                .pairs
                .iter()
                .find(|&&(c, _)| open[c as usize])
                .map_or(p.base, |&(_, cost)| cost);
            if best.is_infinite() {
                return f64::INFINITY;
            }
            total += p.weight
                * if p.base.is_finite() {
                    best - p.base
                } else {
                    best
                };
        }
        total
    }
}

/// Presolve a p-median problem. `nearest_existing[i]` is the cost from `i` to its nearest
/// existing site (infinite when none); `reach` holds the candidate pairs strictly nearer.
pub fn presolve_median(
    reach: &Reach,
    candidates: &[usize],
    nearest_existing: &[f64],
    weight: &[f64],
) -> MedianReduced {
    let started = Instant::now();
    let mut stats = PresolveStats {
        demand_points: reach.len(),
        candidates: candidates.len(),
        ..PresolveStats::default()
    };
    let mut col_of: HashMap<u32, u32> = HashMap::new();
    let mut cols: Vec<usize> = Vec::new();
    let mut points = Vec::new();
    let mut constant = 0.0;
    for i in 0..reach.len() {
        let w = weight[i];
        if w <= 0.0 {
            stats.zero_weight += 1;
            continue;
        }
        let base = nearest_existing[i];
        if base.is_finite() {
            constant += w * base;
        }
        let pairs: Vec<(u32, f64)> = reach
            .sites(i)
            .iter()
            .zip(reach.costs(i))
            .filter(|&(_, &c)| c < base)
            .map(|(&j, &c)| {
                let next = cols.len() as u32;
                let col = *col_of.entry(j).or_insert_with(|| {
                    cols.push(j as usize);
                    next
                });
                (col, c)
            })
            .collect();
        if pairs.is_empty() {
            stats.covered_by_existing += 1;
            continue;
        }
        points.push(MedianPoint {
            weight: w,
            base,
            pairs,
        });
    }
    stats.groups = points.len();
    stats.candidates_useless = candidates.len() - cols.len();
    let pairs: usize = points.iter().map(|p| p.pairs.len()).sum();
    stats.rows = points.len() + pairs + 1;
    stats.columns = cols.len() + pairs;
    stats.nonzeros = 3 * pairs + cols.len();
    stats.millis = started.elapsed().as_secs_f64() * 1e3;
    MedianReduced {
        cols,
        points,
        constant,
        stats,
    }
}

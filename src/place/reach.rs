//! The sparse demand → site neighbour lists ([`Reach`]) every model is built from.
//!
//! Straight-line neighbours are found with an R-tree over the sites (`rstar`), so building the
//! lists for England (32,844 LSOAs × 2,000 candidates at 5 km) touches only the pairs in range,
//! not all 65 million.

use super::access::Access;
use super::instance::{euclidean, Instance};
use rstar::primitives::GeomWithData;
use rstar::RTree;

/// For every demand point, the sites within its cut-off with their costs, sorted by cost then
/// site index (compressed sparse rows).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reach {
    start: Vec<usize>,
    site: Vec<u32>,
    cost: Vec<f64>,
}

/// Which pairs a [`Reach`] keeps, per demand point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cutoff {
    /// Cost ≤ the value (coverage within a radius).
    AtMost(f64),
    /// Cost < the value (strictly nearer than a bound; `f64::INFINITY` keeps every pair).
    Below(f64),
}

impl Cutoff {
    fn keeps(self, cost: f64) -> bool {
        match self {
            Cutoff::AtMost(r) => cost <= r,
            Cutoff::Below(r) => cost < r,
        }
    }

    fn search_radius(self) -> f64 {
        match self {
            Cutoff::AtMost(r) | Cutoff::Below(r) => r,
        }
    }
}

impl Reach {
    /// Neighbour lists over the sites in `mask`, each demand point with its own cut-off.
    pub fn build(instance: &Instance, mask: &[bool], cutoff: impl Fn(usize) -> Cutoff) -> Reach {
        let mut reach = Reach {
            start: Vec::with_capacity(instance.demand.len() + 1),
            site: Vec::new(),
            cost: Vec::new(),
        };
        reach.start.push(0);
        let mut row: Vec<(f64, u32)> = Vec::new();
        let tree = match &instance.access {
            Access::Distance { .. } => Some(RTree::bulk_load(
                instance
                    .sites
                    .iter()
                    .enumerate()
                    .filter(|&(j, _)| mask[j])
                    .map(|(j, s)| GeomWithData::new([s.x, s.y], j as u32))
                    .collect(),
            )),
            Access::Matrix(_) => None,
        };
        for (i, d) in instance.demand.iter().enumerate() {
            let limit = cutoff(i);
            row.clear();
            match (&instance.access, &tree) {
                (Access::Matrix(m), _) => row.extend(
                    m.row(i)
                        .iter()
                        .filter(|&&(j, t)| mask[j as usize] && limit.keeps(t))
                        .map(|&(j, t)| (t, j)),
                ),
                (Access::Distance { .. }, Some(tree)) => {
                    let r = limit.search_radius();
                    let sites = &instance.sites;
                    let within = |j: u32| {
                        let s = &sites[j as usize];
                        let c = euclidean(d.x, d.y, s.x, s.y);
                        limit.keeps(c).then_some((c, j))
                    };
                    if r.is_finite() {
                        // A hair beyond the radius, then the exact test on the same arithmetic.
                        let r2 = (r * (1.0 + 1e-9) + 1e-6).powi(2);
                        row.extend(
                            tree.locate_within_distance([d.x, d.y], r2)
                                .filter_map(|p| within(p.data)),
                        );
                    } else {
                        row.extend(tree.iter().filter_map(|p| within(p.data)));
                    }
                }
                (Access::Distance { .. }, None) => {}
            }
            row.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            reach.site.extend(row.iter().map(|&(_, j)| j));
            reach.cost.extend(row.iter().map(|&(c, _)| c));
            reach.start.push(reach.site.len());
        }
        reach
    }

    /// Number of demand points.
    pub fn len(&self) -> usize {
        self.start.len().saturating_sub(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Sites (indices into the instance) reachable from demand point `i`, nearest first.
    pub fn sites(&self, i: usize) -> &[u32] {
        &self.site[self.start[i]..self.start[i + 1]]
    }

    /// Costs matching [`Reach::sites`].
    pub fn costs(&self, i: usize) -> &[f64] {
        &self.cost[self.start[i]..self.start[i + 1]]
    }
}

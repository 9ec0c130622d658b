//! How access is measured (straight-line metres or matrix minutes) and the sparse
//! demand → site neighbour lists ([`Reach`]) every model is built from.
//!
//! Straight-line neighbours are found with an R-tree over the sites (`rstar`), so building the
//! lists for England (32,844 LSOAs × 2,000 candidates at 5 km) touches only the pairs in range,
//! not all 65 million.

use super::instance::{euclidean, Instance};
use rstar::primitives::GeomWithData;
use rstar::RTree;
use serde::Serialize;

/// Access measure and coverage radius.
#[derive(Debug, Clone, PartialEq)]
pub enum Access {
    /// Straight-line distance in EPSG:27700 metres; covered when distance ≤ `radius` metres.
    Distance { radius: f64 },
    /// Travel times in minutes from a user matrix; covered when time ≤ the matrix radius.
    Matrix(TravelTimes),
}

impl Access {
    /// Coverage radius (metres or minutes).
    pub fn radius(&self) -> f64 {
        match self {
            Access::Distance { radius } => *radius,
            Access::Matrix(m) => m.radius,
        }
    }

    /// Unit of costs and radius: "m" or "min".
    pub fn unit(&self) -> &'static str {
        match self {
            Access::Distance { .. } => "m",
            Access::Matrix(_) => "min",
        }
    }

    /// A description for reports, e.g. "straight-line distance ≤ 3000 m".
    pub fn describe(&self) -> AccessInfo {
        match self {
            Access::Distance { radius } => AccessInfo {
                kind: "distance",
                radius: *radius,
                unit: "m",
                label: format!("straight-line distance (EPSG:27700) ≤ {radius} m"),
            },
            Access::Matrix(m) => AccessInfo {
                kind: "matrix",
                radius: m.radius,
                unit: "min",
                label: format!("travel time from the matrix ≤ {} min", m.radius),
            },
        }
    }
}

/// What a report says about access.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccessInfo {
    /// "distance" or "matrix".
    pub kind: &'static str,
    pub radius: f64,
    /// "m" or "min".
    pub unit: &'static str,
    pub label: String,
}

/// A sparse travel-time matrix: for each origin (demand point) the sites with a listed time.
#[derive(Debug, Clone, PartialEq)]
pub struct TravelTimes {
    /// Coverage radius in minutes.
    pub radius: f64,
    n_sites: usize,
    /// Per origin: (site, minutes), sorted by site.
    rows: Vec<Vec<(u32, f64)>>,
}

impl TravelTimes {
    /// From `(origin, site, minutes)` triples over `origins` demand points and `sites` sites.
    /// A repeated pair keeps its first time (the loader reports duplicates as errors).
    pub fn new(
        radius: f64,
        origins: usize,
        sites: usize,
        pairs: impl IntoIterator<Item = (usize, usize, f64)>,
    ) -> TravelTimes {
        let mut rows: Vec<Vec<(u32, f64)>> = vec![Vec::new(); origins];
        for (i, j, t) in pairs {
            if i < origins && j < sites {
                rows[i].push((j as u32, t));
            }
        }
        for row in &mut rows {
            row.sort_by_key(|&(j, _)| j);
            row.dedup_by_key(|&mut (j, _)| j);
        }
        TravelTimes {
            radius,
            n_sites: sites,
            rows,
        }
    }

    pub fn origins(&self) -> usize {
        self.rows.len()
    }

    pub fn sites(&self) -> usize {
        self.n_sites
    }

    /// Minutes from origin `i` to site `j`, if listed.
    pub fn time(&self, i: usize, j: usize) -> Option<f64> {
        let row = &self.rows[i];
        row.binary_search_by_key(&(j as u32), |&(s, _)| s)
            .ok()
            .map(|k| row[k].1)
    }

    /// The listed (site, minutes) of origin `i`, sorted by site.
    pub fn row(&self, i: usize) -> &[(u32, f64)] {
        &self.rows[i]
    }

    /// The first (origin, site) pair with no time, if the matrix is not complete.
    pub fn first_missing(&self) -> Option<(usize, usize)> {
        self.rows.iter().enumerate().find_map(|(i, row)| {
            (row.len() < self.n_sites).then(|| {
                // Rows are sorted by site: the first gap in 0, 1, 2, … is the missing site.
                let listed = row
                    .iter()
                    .enumerate()
                    .take_while(|&(expected, &(s, _))| s as usize == expected)
                    .count();
                (i, listed)
            })
        })
    }
}

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

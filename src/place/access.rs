//! How access is measured: straight-line metres or travel-time matrix minutes
//! ([`TravelTimes`]). The neighbour lists built from it are in [`super::reach`].

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

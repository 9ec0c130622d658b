//! A placement instance: demand points, sites (existing and candidate) and how access is
//! measured. Built by [`crate::place::demand`]/[`crate::place::candidates`] from the Dataset,
//! or by the loaders from user CSVs; validated once by [`Instance::new`].

use super::access::Access;
use super::error::PlaceError;
use serde::Serialize;
use std::collections::HashSet;

/// Where need is: one small area (or one row of a user's demand file).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemandPoint {
    pub id: String,
    /// Readable name (the area name), empty when unknown.
    pub name: String,
    /// Easting, EPSG:27700 metres.
    pub x: f64,
    /// Northing, EPSG:27700 metres.
    pub y: f64,
    /// WGS84 (lon, lat), for maps; `None` when not known.
    pub lonlat: Option<[f64; 2]>,
    /// Need weight (children × need, or the user's `weight` as given).
    pub weight: f64,
    /// IMD quintile, 1 = most deprived.
    pub quintile: Option<u8>,
    /// Children in the age band, when the demand came from population estimates (used for the
    /// by-quintile counts, never published below the suppression threshold).
    pub children: Option<f64>,
}

/// A place a service is or could be.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SitePoint {
    pub id: String,
    pub name: String,
    /// Easting, EPSG:27700 metres.
    pub x: f64,
    /// Northing, EPSG:27700 metres.
    pub y: f64,
    /// WGS84 (lon, lat), for maps; `None` when not known.
    pub lonlat: Option<[f64; 2]>,
    /// Existing sites are always open and do not count towards k.
    pub existing: bool,
}

/// Demand, sites and access, checked for consistency.
#[derive(Debug, Clone)]
pub struct Instance {
    pub demand: Vec<DemandPoint>,
    pub sites: Vec<SitePoint>,
    pub access: Access,
}

impl Instance {
    /// Check the instance: demand not empty, weights finite and ≥ 0, quintiles 1–5, unique ids,
    /// a positive radius, and a matrix (if any) of the right shape.
    pub fn new(
        demand: Vec<DemandPoint>,
        sites: Vec<SitePoint>,
        access: Access,
    ) -> Result<Instance, PlaceError> {
        if demand.is_empty() {
            return Err(PlaceError::EmptyDemand);
        }
        let radius = access.radius();
        if !(radius > 0.0 && radius.is_finite()) {
            return Err(PlaceError::BadRadius {
                radius,
                unit: access.unit(),
            });
        }
        for d in &demand {
            if !(d.weight >= 0.0 && d.weight.is_finite()) {
                return Err(PlaceError::BadWeight {
                    id: d.id.clone(),
                    weight: d.weight,
                });
            }
            if let Some(q) = d.quintile.filter(|q| !(1..=5).contains(q)) {
                return Err(PlaceError::BadQuintile {
                    id: d.id.clone(),
                    quintile: q,
                });
            }
        }
        unique_ids("demand point", demand.iter().map(|d| d.id.as_str()))?;
        unique_ids("site", sites.iter().map(|s| s.id.as_str()))?;
        if let Access::Matrix(m) = &access {
            if m.origins() != demand.len() || m.sites() != sites.len() {
                return Err(PlaceError::Spec(format!(
                    "the travel-time matrix is for {} origins and {} sites, the instance has {} and {}",
                    m.origins(),
                    m.sites(),
                    demand.len(),
                    sites.len()
                )));
            }
        }
        Ok(Instance {
            demand,
            sites,
            access,
        })
    }

    /// Indices of the candidate (not existing) sites.
    pub fn candidates(&self) -> Vec<usize> {
        (0..self.sites.len())
            .filter(|&j| !self.sites[j].existing)
            .collect()
    }

    /// Indices of the existing sites.
    pub fn existing(&self) -> Vec<usize> {
        (0..self.sites.len())
            .filter(|&j| self.sites[j].existing)
            .collect()
    }

    /// Access cost from demand point `i` to site `j` (metres or minutes); `None` when the
    /// matrix lists no time for the pair.
    pub fn cost(&self, i: usize, j: usize) -> Option<f64> {
        match &self.access {
            Access::Distance { .. } => {
                let (d, s) = (&self.demand[i], &self.sites[j]);
                Some(euclidean(d.x, d.y, s.x, s.y))
            }
            Access::Matrix(m) => m.time(i, j),
        }
    }
}

/// Straight-line distance in metres, computed as `sqrt(dx² + dy²)` (the same arithmetic as
/// SciPy's `cdist(..., "euclidean")`, so coverage at the radius agrees with spopt).
pub fn euclidean(x1: f64, y1: f64, x2: f64, y2: f64) -> f64 {
    let (dx, dy) = (x1 - x2, y1 - y2);
    (dx * dx + dy * dy).sqrt()
}

fn unique_ids<'a>(
    what: &'static str,
    ids: impl Iterator<Item = &'a str>,
) -> Result<(), PlaceError> {
    let mut seen = HashSet::new();
    for id in ids {
        if !seen.insert(id) {
            return Err(PlaceError::DuplicateId {
                what,
                id: id.to_string(),
            });
        }
    }
    Ok(())
}

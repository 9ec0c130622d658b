//! Where people live inside an area: population-weighted centres and area nesting, from the
//! live postcodes held in the Dataset.
//!
//! **Centre of an area** = the mean BNG position (and the mean lon/lat) of the live postcodes
//! in it (OS Code-Point Open positions; the ONS lookup assigns 2011 LSOAs and MSOAs; for 2021
//! and ward levels a postcode belongs to the polygon containing it). Postcodes are where
//! addresses are, so the mean lies where households are rather than at the middle of the
//! fields of a large rural area: a postcode-weighted centre, the open-data stand-in for the
//! ONS population-weighted centroid (which is built the same way from Output Area centroids).
//! Each postcode counts once; large-user (business) postcodes cannot be told apart here, as
//! the Dataset keeps no user type. **Fallback**, for an area with no postcode (and for every
//! area when the config loads no postcodes, as `data/england.toml` does): the area's
//! `centroid_bng`, the ONS published centroid where the boundary file has one, else the
//! polygon centroid. Reports say how many areas used each.

use crate::dataset::{Dataset, Layer};
use crate::level::Level;
use serde::Serialize;
use std::collections::HashMap;

/// How a centre was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CentreSource {
    /// Mean of this many live postcodes.
    Postcodes(usize),
    /// The area's published or polygon centroid (no postcodes).
    Centroid,
}

/// An area's centre.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Centre {
    pub x: f64,
    pub y: f64,
    pub lon: f64,
    pub lat: f64,
    pub source: CentreSource,
}

/// The area (index into the layer) of each postcode in `dataset.postcodes`, at `layer`'s level.
pub fn postcode_areas(dataset: &Dataset, layer: &Layer) -> Vec<Option<usize>> {
    dataset
        .postcodes
        .iter()
        .map(|p| match layer.level {
            Level::Lsoa11 => p.lsoa11.as_deref().and_then(|c| layer.position(c)),
            Level::Msoa11 => p.msoa11.as_deref().and_then(|c| layer.position(c)),
            _ => layer
                .locate(p.lon, p.lat)
                .and_then(|a| layer.position(&a.code)),
        })
        .collect()
}

/// Centres of every area of `layer`, in layer order.
pub fn area_centres(dataset: &Dataset, layer: &Layer) -> Vec<Centre> {
    let mut sums = vec![(0usize, 0.0, 0.0, 0.0, 0.0); layer.areas.len()];
    for (p, area) in dataset.postcodes.iter().zip(postcode_areas(dataset, layer)) {
        if let Some(a) = area {
            let s = &mut sums[a];
            s.0 += 1;
            s.1 += p.easting;
            s.2 += p.northing;
            s.3 += p.lon;
            s.4 += p.lat;
        }
    }
    layer
        .areas
        .iter()
        .zip(sums)
        .map(|(area, (n, x, y, lon, lat))| {
            if n > 0 {
                let n_f = n as f64;
                Centre {
                    x: x / n_f,
                    y: y / n_f,
                    lon: lon / n_f,
                    lat: lat / n_f,
                    source: CentreSource::Postcodes(n),
                }
            } else {
                Centre {
                    x: area.centroid_bng[0],
                    y: area.centroid_bng[1],
                    lon: area.centroid[0],
                    lat: area.centroid[1],
                    source: CentreSource::Centroid,
                }
            }
        })
        .collect()
}

/// A sentence on how the centres were found, e.g. "mean of live postcodes (324 areas,
/// 16,181 postcodes)".
pub fn describe(centres: &[Centre]) -> String {
    let by_postcode: Vec<usize> = centres
        .iter()
        .filter_map(|c| match c.source {
            CentreSource::Postcodes(n) => Some(n),
            CentreSource::Centroid => None,
        })
        .collect();
    let fallback = centres.len() - by_postcode.len();
    let postcodes: usize = by_postcode.iter().sum();
    match (by_postcode.len(), fallback) {
        (0, _) => "the areas' published (ONS) or polygon centroids: no postcodes are loaded".to_string(),
        (n, 0) => format!("mean position of the live postcodes in each area ({n} areas, {postcodes} postcodes)"),
        (n, f) => format!(
            "mean position of the live postcodes in each area ({n} areas, {postcodes} postcodes); {f} areas without a postcode use their ONS/polygon centroid"
        ),
    }
}

/// For each area of `child` (in layer order), the code of the `parent` area holding most of
/// its postcodes; without postcodes, the parent containing the child's centroid.
pub fn parents(dataset: &Dataset, child: &Layer, parent: &Layer) -> Vec<Option<String>> {
    let child_of = postcode_areas(dataset, child);
    let parent_of = postcode_areas(dataset, parent);
    let mut votes: Vec<HashMap<usize, usize>> = vec![HashMap::new(); child.areas.len()];
    for (c, p) in child_of.into_iter().zip(parent_of) {
        if let (Some(c), Some(p)) = (c, p) {
            *votes[c].entry(p).or_default() += 1;
        }
    }
    child
        .areas
        .iter()
        .zip(votes)
        .map(|(area, v)| {
            match v
                .into_iter()
                .max_by_key(|&(p, n)| (n, std::cmp::Reverse(p)))
            {
                Some((p, _)) => Some(parent.areas[p].code.clone()),
                None => parent
                    .locate(area.centroid[0], area.centroid[1])
                    .map(|a| a.code.clone()),
            }
        })
        .collect()
}

//! Sites from the Dataset: the existing sites (fixed open), the config's non-existing sites
//! (candidates), and generated candidates at area centres.
//!
//! **Generated candidates** are the population-weighted centres ([`super::centre`]) of every
//! area of a level (MSOA or LSOA), id = the area code. With a sample size `N` smaller than the
//! number of areas `n`, one of two fixed rules keeps `N` (deterministic, no random seed):
//! - **systematic** (population-proportional): the areas at positions `⌊i · n / N⌋`,
//!   `i = 0 … N−1`, of the layer sorted by code. ONS codes run within local authorities, so
//!   every authority gets candidates in proportion to its number of areas, i.e. roughly to its
//!   population: dense in cities (London holds ~15%).
//! - **grid** (spread over the land): square cells of the British National Grid, anchored at
//!   its origin, of the largest whole-metre size `s` that leaves at least `N` cells holding an
//!   area centre; each cell offers the centre of its area with the most children aged 0–4
//!   (ties: lowest code), and the `N` cells whose offer has the most children are kept.

use super::centre::{area_centres, Centre};
use super::error::PlaceError;
use super::instance::SitePoint;
use crate::dataset::Dataset;
use crate::level::Level;
use std::collections::HashMap;

/// The Dataset's sites: existing ones (always open) and the others (candidates).
pub fn dataset_sites(dataset: &Dataset) -> Vec<SitePoint> {
    dataset
        .sites
        .iter()
        .map(|s| SitePoint {
            id: s.id.clone(),
            name: s.name.clone(),
            x: s.easting,
            y: s.northing,
            lonlat: Some([s.lon, s.lat]),
            existing: s.existing,
        })
        .collect()
}

/// Which fixed rule keeps `size` of the generated candidates (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SampleRule {
    /// Every ⌊n/N⌋-th area in code order: proportional to population.
    Systematic,
    /// One per grid cell of the largest size leaving at least N occupied cells.
    Grid,
}

/// Keep `size` generated candidates by `rule`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    pub size: usize,
    pub rule: SampleRule,
}

/// Positions (into `centres`) kept by the grid rule.
fn grid_sample(centres: &[Centre], children: &[u32], codes: &[&str], size: usize) -> Vec<usize> {
    let offers = |cell: f64| -> HashMap<(i64, i64), usize> {
        let mut best: HashMap<(i64, i64), usize> = HashMap::new();
        for (p, c) in centres.iter().enumerate() {
            let key = ((c.x / cell).floor() as i64, (c.y / cell).floor() as i64);
            let slot = best.entry(key).or_insert(p);
            if (children[p], std::cmp::Reverse(codes[p]))
                > (children[*slot], std::cmp::Reverse(codes[*slot]))
            {
                *slot = p;
            }
        }
        best
    };
    // Largest whole-metre cell size with at least `size` occupied cells (bisection).
    let (mut lo, mut hi) = (1u64, 1_000_000u64);
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if offers(mid as f64).len() >= size {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    let mut kept: Vec<usize> = offers(lo as f64).into_values().collect();
    kept.sort_by_key(|&p| (std::cmp::Reverse(children[p]), codes[p]));
    kept.truncate(size);
    kept.sort_unstable();
    kept
}

/// Candidates at the centres of the areas of `level` (all, or `sample` of them).
pub fn generated_candidates(
    dataset: &Dataset,
    level: Level,
    sample: Option<Sample>,
) -> Result<Vec<SitePoint>, PlaceError> {
    let layer = dataset
        .layer(level)
        .ok_or_else(|| PlaceError::missing_layer(dataset, level, "generating candidates"))?;
    let centres = area_centres(dataset, layer);
    let n = layer.areas.len();
    let positions: Vec<usize> = match sample {
        Some(Sample {
            size,
            rule: SampleRule::Systematic,
        }) if size < n => (0..size).map(|i| i * n / size).collect(),
        Some(Sample {
            size,
            rule: SampleRule::Grid,
        }) if size < n => {
            let children: Vec<u32> = layer
                .areas
                .iter()
                .map(|a| a.population.as_ref().map_or(0, |p| p.ages(0, 4)))
                .collect();
            let codes: Vec<&str> = layer.areas.iter().map(|a| a.code.as_str()).collect();
            grid_sample(&centres, &children, &codes, size)
        }
        _ => (0..n).collect(),
    };
    Ok(positions
        .into_iter()
        .map(|p| {
            let (area, centre) = (&layer.areas[p], &centres[p]);
            SitePoint {
                id: area.code.clone(),
                name: format!("centre of {}", area.name),
                x: centre.x,
                y: centre.y,
                lonlat: Some([centre.lon, centre.lat]),
                existing: false,
            }
        })
        .collect())
}

/// Put sites together: the first occurrence of an id wins, except that an existing site always
/// replaces a candidate with the same id (a candidate that is also an existing site *is* that
/// existing site: open, not one of the k).
pub fn merge_sites(groups: impl IntoIterator<Item = Vec<SitePoint>>) -> Vec<SitePoint> {
    let mut out: Vec<SitePoint> = Vec::new();
    let mut index = HashMap::new();
    for site in groups.into_iter().flatten() {
        match index.get(&site.id) {
            Some(&k) => {
                let kept: &mut SitePoint = &mut out[k];
                if site.existing && !kept.existing {
                    *kept = site;
                }
            }
            None => {
                index.insert(site.id.clone(), out.len());
                out.push(site);
            }
        }
    }
    out
}

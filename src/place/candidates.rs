//! Sites from the Dataset: the existing sites (fixed open), the config's non-existing sites
//! (candidates), and generated candidates at area centres.
//!
//! **Generated candidates** are the population-weighted centres ([`super::centre`]) of every
//! area of a level (MSOA or LSOA), id = the area code. With a sample size `N` smaller than the
//! number of areas `n`, the fixed rule is a *systematic sample in code order*: the areas at
//! positions `⌊i · n / N⌋`, `i = 0 … N−1`, of the layer sorted by code. ONS codes run within
//! local authorities, so every authority gets candidates in proportion to its number of areas,
//! i.e. roughly to its population; the rule is deterministic and needs no random seed.

use super::centre::area_centres;
use super::instance::SitePoint;
use super::PlaceError;
use crate::dataset::Dataset;
use crate::level::Level;

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

/// Candidates at the centres of the areas of `level` (all, or a systematic sample of `sample`).
pub fn generated_candidates(
    dataset: &Dataset,
    level: Level,
    sample: Option<usize>,
) -> Result<Vec<SitePoint>, PlaceError> {
    let layer = dataset.layer(level).ok_or_else(|| {
        PlaceError::Spec(format!(
            "cannot generate candidates at {level} centres: the dataset has no {level} layer; it has: {}",
            dataset.levels().iter().map(|l| l.as_str()).collect::<Vec<_>>().join(", ")
        ))
    })?;
    let centres = area_centres(dataset, layer);
    let n = layer.areas.len();
    let positions: Vec<usize> = match sample {
        Some(wanted) if wanted < n => (0..wanted).map(|i| i * n / wanted).collect(),
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
    let mut index = std::collections::HashMap::new();
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

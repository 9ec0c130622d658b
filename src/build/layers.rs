//! Stage 4c: layers. Boundaries joined to names, population, IMD and locality; local quintiles cut;
//! and the derived layers dissolved from MSOAs — the local authority outline and the
//! localities (there are no published boundaries for user-defined localities).
//!
//! **Local quintile**: areas ranked by score within the area of interest and cut into five
//! groups of ~20% of the population by cumulative-population midpoint (the rule of the demo
//! data generator, so quintile gaps reproduce its calibration).

use super::boundaries::Boundaries;
use super::deprivation::Deprivation;
use super::geography::Geography;
use super::localities::{locality_code, Localities};
use crate::config::Config;
use crate::dataset::{Area, Layer, Population};
use crate::imd::{AreaImd, ImdEdition, WeightedScore};
use crate::level::Level;
use geo::MultiPolygon;
use std::collections::BTreeMap;

const EDITIONS: [ImdEdition; 2] = [ImdEdition::Imd2019, ImdEdition::Imd2025];

/// The layers of the dataset: each boundary layer joined to its attributes, then the derived
/// LA and locality layers.
pub fn assemble(
    config: &Config,
    boundaries: Boundaries,
    geo: &Geography,
    deprivation: &Deprivation,
    localities: &Localities,
) -> Vec<Layer> {
    let mut layers = Vec::new();
    for (level, raw) in boundaries {
        let population = geo.population.get(&level);
        let mut areas: Vec<Area> = raw
            .into_iter()
            .map(|r| Area {
                population: population.and_then(|p| p.get(&r.code).cloned()),
                locality: localities.of.get(&r.code).cloned(),
                members: Vec::new(),
                name: geo
                    .msoa_names
                    .get(&r.code)
                    .cloned()
                    .unwrap_or_else(|| r.name.clone()),
                ons_name: r.name,
                code: r.code,
                geometry: r.geometry,
                area_m2: r.area_m2,
                centroid: r.label_point,
                centroid_bng: r.centroid_bng,
                imd: Vec::new(),
            })
            .collect();
        areas.sort_by(|a, b| a.code.cmp(&b.code));
        let editions = attach_imd(&mut areas, level, deprivation);
        layers.push(Layer::new(level, areas, editions));
    }
    if let Some(msoa) = layers.iter().find(|l| l.level == Level::Msoa11).cloned() {
        layers.push(la_layer(config, &msoa, geo.year, deprivation));
        if localities.scheme.is_some() {
            layers.push(locality_layer(&msoa, geo.year));
        }
    }
    layers
}

/// The area of interest as one outline per local authority, dissolved from its MSOAs.
fn la_layer(config: &Config, msoa: &Layer, year: u16, deprivation: &Deprivation) -> Layer {
    let members: Vec<&Area> = msoa.areas.iter().collect();
    let mut areas: Vec<Area> = config
        .area_of_interest
        .iter()
        .map(|la| {
            let mut area = dissolve(la, &config.name, &members);
            area.population = Population::sum(members.iter().map(|a| a.population.as_ref()), year);
            area
        })
        .collect();
    let editions = attach_imd(&mut areas, Level::La, deprivation);
    Layer::new(Level::La, areas, editions)
}

/// One area per locality, dissolved from its MSOAs; IMD = population-weighted mean of the
/// member MSOA scores (not ranked nationally).
fn locality_layer(msoa: &Layer, year: u16) -> Layer {
    let mut groups: BTreeMap<&str, Vec<&Area>> = BTreeMap::new();
    for a in &msoa.areas {
        if let Some(l) = &a.locality {
            groups.entry(l.as_str()).or_default().push(a);
        }
    }
    let mut areas: Vec<Area> = groups
        .iter()
        .map(|(name, members)| {
            let mut area = dissolve(&locality_code(name), name, members);
            area.locality = Some(name.to_string());
            area.population = Population::sum(members.iter().map(|a| a.population.as_ref()), year);
            area.imd = weighted_member_imd(members);
            area
        })
        .collect();
    local_quintiles(&mut areas);
    Layer::new(Level::Locality, areas, vec![ImdEdition::Imd2019])
}

/// Attach every available edition to the areas and compute local quintiles per edition.
fn attach_imd(areas: &mut [Area], level: Level, deprivation: &Deprivation) -> Vec<ImdEdition> {
    let mut editions = Vec::new();
    for edition in EDITIONS {
        if !deprivation.has(level, edition) {
            continue;
        }
        let mut any = false;
        for a in areas.iter_mut() {
            if let Some(v) = deprivation.get(level, edition, &a.code) {
                a.imd.push(v.clone());
                any = true;
            }
        }
        if any {
            editions.push(edition);
        }
    }
    local_quintiles(areas);
    editions
}

/// Local quintiles per edition: rank by score, cut by cumulative population midpoint
/// (equal weights where population is unknown).
pub fn local_quintiles(areas: &mut [Area]) {
    for edition in EDITIONS {
        let mut idx: Vec<usize> = (0..areas.len())
            .filter(|&i| areas[i].imd(edition).is_some())
            .collect();
        if idx.is_empty() {
            continue;
        }
        let score = |i: usize| areas[i].imd(edition).map_or(0.0, |m| m.score);
        idx.sort_by(|&a, &b| score(b).total_cmp(&score(a)).then(a.cmp(&b)));
        let weight = |i: usize| {
            areas[i]
                .population
                .as_ref()
                .map_or(1.0, |p| f64::from(p.total))
        };
        let total: f64 = idx.iter().map(|&i| weight(i)).sum();
        let mut cum = 0.0;
        let mut quintiles = Vec::with_capacity(idx.len());
        for &i in &idx {
            let w = weight(i);
            let mid = cum + w / 2.0;
            cum += w;
            quintiles.push((i, (((mid / total) * 5.0).floor() as u8 + 1).min(5)));
        }
        for (i, q) in quintiles {
            if let Some(m) = areas[i].imd.iter_mut().find(|m| m.edition == edition) {
                m.local_quintile = q;
            }
        }
    }
}

/// Population-weighted mean of member areas' IMD, per edition (unranked).
fn weighted_member_imd(members: &[&Area]) -> Vec<AreaImd> {
    EDITIONS
        .iter()
        .filter_map(|&edition| {
            let mut mean = WeightedScore::default();
            for a in members {
                if let (Some(m), Some(p)) = (a.imd(edition), &a.population) {
                    mean.add(f64::from(p.total), m.score, &m.domain_scores);
                }
            }
            let (score, domain_scores) = mean.mean()?;
            Some(AreaImd {
                edition,
                score,
                rank: 0,
                rank_of: 0,
                decile: 0,
                quintile: 0,
                local_quintile: 0,
                most_deprived_30pct: false,
                domain_scores,
            })
        })
        .collect()
}

/// Union of member polygons (shared borders vanish), with summed area and member codes.
fn dissolve(code: &str, name: &str, members: &[&Area]) -> Area {
    use geo::{Centroid, InteriorPoint};
    let polygons: Vec<geo::Polygon<f64>> = members
        .iter()
        .flat_map(|a| a.geometry.0.iter().cloned())
        .collect();
    let geometry: MultiPolygon<f64> = geo::unary_union(&polygons);
    let area_m2 = members.iter().map(|a| a.area_m2).sum();
    let total: f64 = members.iter().map(|a| a.area_m2).sum::<f64>().max(1.0);
    let centroid_bng = members.iter().fold([0.0, 0.0], |acc, a| {
        [
            acc[0] + a.centroid_bng[0] * a.area_m2 / total,
            acc[1] + a.centroid_bng[1] * a.area_m2 / total,
        ]
    });
    let label = geometry
        .interior_point()
        .or_else(|| geometry.centroid())
        .map(|p| [p.x(), p.y()])
        .unwrap_or([0.0, 0.0]);
    Area {
        area_m2,
        centroid: label,
        centroid_bng,
        members: members.iter().map(|a| a.code.clone()).collect(),
        ..Area::outline(code.to_string(), name.to_string(), geometry)
    }
}

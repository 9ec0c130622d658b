//! Stage 4b: localities. The config's locality CSV groups areas of one level (MSOA 2011 for
//! Durham) into named localities; the grouping is carried to the other levels: an LSOA takes
//! its MSOA's locality, an MSOA 2021 that of the MSOA 2011 it came from, and a ward the
//! locality holding most of its population.

use super::boundaries::Boundaries;
use super::error::BuildError;
use super::geography::{Geography, ParentOf};
use crate::config::Config;
use crate::dataset::LocalityScheme;
use crate::level::Level;
use std::collections::{HashMap, HashSet};

/// Which locality each area is in (area code → locality name), and the scheme's description.
#[derive(Debug, Default)]
pub struct Localities {
    pub of: HashMap<String, String>,
    pub scheme: Option<LocalityScheme>,
}

/// Stable code for a locality name ("North Durham" → "LOC-north-durham").
pub fn locality_code(name: &str) -> String {
    let slug: String = name
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    format!("LOC-{slug}")
}

/// Read the locality file (if the config has one) and assign every level's areas.
pub fn assign(
    config: &Config,
    geo: &Geography,
    boundaries: &Boundaries,
) -> Result<Localities, BuildError> {
    let Some(loc) = &config.localities else {
        return Ok(Localities::default());
    };
    let level_codes: HashSet<String> = boundaries
        .get(&loc.level)
        .map(|r| r.iter().map(|a| a.code.clone()).collect())
        .unwrap_or_default();
    let map = crate::ingest::localities::load_localities(
        &config.resolve(&loc.file),
        &level_codes,
        loc.level.as_str(),
    )?;
    let mut of: HashMap<String, String> = map.clone().into_iter().collect();
    if loc.level == Level::Msoa11 {
        let by_msoa11 = |parent_of: &ParentOf, level: Level| -> Vec<(String, String)> {
            geo.in_area(level)
                .into_iter()
                .flatten()
                .filter_map(|l| {
                    let name = parent_of.get(l).and_then(|m| map.get(m))?;
                    Some((l.clone(), name.clone()))
                })
                .collect()
        };
        of.extend(by_msoa11(&geo.lsoa11_msoa11, Level::Lsoa11));
        of.extend(by_msoa11(&geo.lsoa21_msoa11, Level::Lsoa21));
        for (m11, m21) in &geo.msoa11_msoa21 {
            if let Some(name) = map.get(m11) {
                of.entry(m21.clone()).or_insert_with(|| name.clone());
            }
        }
        let lsoa21_population = geo.population.get(&Level::Lsoa21);
        for lookup in [&geo.lsoa21_ward, &geo.lsoa21_ward22] {
            // A ward takes the locality holding most of its population.
            let mut votes: HashMap<&str, HashMap<&str, u32>> = HashMap::new();
            for (l21, ward) in lookup {
                let population = lsoa21_population.and_then(|p| p.get(l21));
                if let (Some(name), Some(p)) = (of.get(l21), population) {
                    *votes
                        .entry(ward.as_str())
                        .or_default()
                        .entry(name.as_str())
                        .or_default() += p.total;
                }
            }
            let chosen: Vec<(String, String)> = votes
                .into_iter()
                .filter_map(|(w, v)| {
                    v.into_iter()
                        .max_by_key(|(n, p)| (*p, std::cmp::Reverse(*n)))
                        .map(|(n, _)| (w.to_string(), n.to_string()))
                })
                .collect();
            of.extend(chosen);
        }
    }
    Ok(Localities {
        of,
        scheme: Some(LocalityScheme {
            name: loc.name.clone(),
            illustrative: loc.illustrative,
            note: loc.note.clone(),
        }),
    })
}

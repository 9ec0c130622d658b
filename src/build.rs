//! Join every input into one [`Dataset`]: areas of each level with geometry, population, IMD
//! (native and derived editions) and locality; indicators; sites; postcodes.
//!
//! Derived deprivation (MHCLG publishes IMD for LSOAs only):
//! - **MSOA/ward/LA/locality score** = population-weighted mean of member LSOA scores (the
//!   IMD R package / OCSI method). Weights: IoD2019 mid-2015 denominators for IMD 2019;
//!   mid-2020 LSOA 2011 estimates bridged to LSOA 2021 (best-fit lookup: splits share equally,
//!   merges sum) for IMD 2025.
//! - **National rank/decile** of an aggregate is computed among every English area of that
//!   level (6,791 MSOAs; wards are ranked against the national 2024 ward distribution).
//! - **Local quintile**: areas ranked by score within the area of interest and cut into five
//!   groups of ~20% of the population by cumulative-population midpoint.
//! - **30% flag**: national decile 1–3.

use crate::config::Config;
use crate::dataset::{
    Area, Dataset, DatasetMeta, Layer, LocalityScheme, Population, SourceRecord, SNAPSHOT_VERSION,
};
use crate::fetch::{FetchError, Fetcher, Registry};
use crate::imd::{decile_from_rank, quintile_from_rank, rank_descending, AreaImd, ImdEdition};
use crate::ingest::boundaries::{read_boundaries_with, RawBoundary};
use crate::ingest::imd::ImdTable;
use crate::ingest::indicators::AreaContext;
use crate::ingest::{self, IngestError};
use crate::level::{Level, ENGLAND};
use geo::MultiPolygon;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error(transparent)]
    Ingest(#[from] IngestError),
    #[error("{level}: {count} areas of the area of interest have no boundary in {path} (e.g. {sample}); use a boundary file that covers the whole area")]
    MissingBoundaries {
        level: Level,
        count: usize,
        path: PathBuf,
        sample: String,
    },
    #[error("no areas found for {0}: check area_of_interest in the config")]
    EmptyArea(String),
}

/// Progress callback: (step name, step number, total steps).
pub type Progress<'a> = &'a dyn Fn(&str, u64, u64);

/// Number of progress steps `build_dataset` reports.
pub const STAGES: u64 = 8;

/// Build the dataset described by `config`, fetching missing inputs with `fetcher`.
pub fn build_dataset(
    config: &Config,
    fetcher: &Fetcher,
    progress: Progress<'_>,
) -> Result<Dataset, BuildError> {
    let registry = Registry::load(&config.resolve(&config.sources))?;
    let mut sources = Vec::new();
    let mut path_of = |field: &str, id: &str| -> Result<PathBuf, BuildError> {
        let source = registry.get(field, id)?;
        fetcher.ensure(id, source)?;
        if !sources.iter().any(|s: &SourceRecord| s.id == id) {
            sources.push(SourceRecord {
                id: id.to_string(),
                title: source.title.clone(),
                publisher: source.publisher.clone(),
                licence: source.licence.clone(),
                attribution: source.attribution.clone(),
                sha256: source.sha256.clone(),
            });
        }
        Ok(fetcher.path_of(source))
    };
    let aoi: HashSet<String> = config.area_of_interest.iter().cloned().collect();
    // "E92000001" (England) selects every local authority.
    let whole_england = aoi.contains(ENGLAND);
    let in_aoi = |la: &str| whole_england || aoi.contains(la);

    progress("reading lookups", 1, STAGES);
    let lk = &config.lookups;
    let lsoa11_msoa11: HashMap<String, String> = ingest::lookups::load_pairs(
        &path_of("lookups.lsoa11_msoa11", &lk.lsoa11_msoa11)?,
        "lsoa11_code",
        "msoa11_code",
    )?
    .into_iter()
    .collect();
    let changes =
        ingest::lookups::load_lsoa_changes(&path_of("lookups.lsoa11_lsoa21", &lk.lsoa11_lsoa21)?)?;
    let msoa_changes_path = path_of("lookups.msoa11_msoa21", &lk.msoa11_msoa21)?;
    let msoa11_msoa21: Vec<(String, String)> =
        ingest::lookups::load_pairs(&msoa_changes_path, "msoa11_code", "msoa21_code")?;
    let msoa21_la: HashMap<String, String> =
        ingest::lookups::load_pairs(&msoa_changes_path, "msoa21_code", "ltla22_code")?
            .into_iter()
            .collect();
    let msoa_names =
        ingest::lookups::load_msoa_names(&path_of("lookups.msoa_names", &lk.msoa_names)?)?;
    let ward_lookup = match &lk.lsoa21_ward {
        Some(id) => {
            ingest::lookups::load_pairs(&path_of("lookups.lsoa21_ward", id)?, "LSOA21CD", "WD25CD")?
        }
        None => Vec::new(),
    };
    let (ward22_lookup, ward22_la) = match &lk.lsoa21_ward22 {
        Some(id) => {
            let p = path_of("lookups.lsoa21_ward22", id)?;
            (
                ingest::lookups::load_pairs(&p, "lsoa21_code", "ward24_code")?,
                ingest::lookups::load_pairs(&p, "ward24_code", "ltla24_code")?
                    .into_iter()
                    .collect::<HashMap<_, _>>(),
            )
        }
        None => (Vec::new(), HashMap::new()),
    };

    progress("reading IMD and population", 2, STAGES);
    let imd2019 =
        ingest::imd::load_imd2019(&path_of("imd.imd2019_ranks", &config.imd.imd2019_ranks)?)?;
    let denominators = ingest::imd::load_iod2019_denominators(&path_of(
        "imd.imd2019_denominators",
        &config.imd.imd2019_denominators,
    )?)?;
    let imd2025 = match &config.imd.imd2025 {
        Some(id) => Some(ingest::imd::load_imd2025(&path_of("imd.imd2025", id)?)?),
        None => None,
    };
    let year = config.population.year;
    let pop_lsoa11 = ingest::population::load_population(
        &path_of("population.lsoa11", &config.population.lsoa11)?,
        "lsoa11_code",
        year,
    )?;
    let pop_msoa11 = ingest::population::load_population(
        &path_of("population.msoa11", &config.population.msoa11)?,
        "msoa11_code",
        year,
    )?;

    // --- membership of the area of interest -------------------------------------------
    let lsoa11_in: BTreeSet<String> = denominators
        .iter()
        .filter(|(_, (la, _))| in_aoi(la))
        .map(|(c, _)| c.clone())
        .collect();
    if lsoa11_in.is_empty() {
        return Err(BuildError::EmptyArea(config.area_of_interest.join(", ")));
    }
    let msoa11_in: BTreeSet<String> = lsoa11_in
        .iter()
        .filter_map(|l| lsoa11_msoa11.get(l).cloned())
        .collect();
    let lsoa21_in: BTreeSet<String> = changes
        .iter()
        .filter(|c| in_aoi(&c.la))
        .map(|c| c.lsoa21.clone())
        .collect();
    let msoa21_in: BTreeSet<String> = msoa21_la
        .iter()
        .filter(|(_, la)| in_aoi(la))
        .map(|(c, _)| c.clone())
        .collect();
    let ward_in: BTreeSet<String> = ward_lookup
        .iter()
        .filter(|(l, _)| lsoa21_in.contains(l))
        .map(|(_, w)| w.clone())
        .collect();
    let ward22_in: BTreeSet<String> = ward22_la
        .iter()
        .filter(|(_, la)| in_aoi(la))
        .map(|(w, _)| w.clone())
        .collect();

    // --- bridges between geographies ----------------------------------------------------
    // LSOA 2021 population from LSOA 2011 (splits share equally, merges sum).
    let mut split_count: HashMap<&str, usize> = HashMap::new();
    for c in &changes {
        *split_count.entry(c.lsoa11.as_str()).or_default() += 1;
    }
    let mut pop_lsoa21: HashMap<String, Population> = HashMap::new();
    for c in &changes {
        if let Some(p) = pop_lsoa11.get(&c.lsoa11) {
            let share = split_count.get(c.lsoa11.as_str()).copied().unwrap_or(1) as u32;
            let entry = pop_lsoa21.entry(c.lsoa21.clone()).or_insert(Population {
                year,
                total: 0,
                ages_0_19: [0; 20],
            });
            entry.total += p.total / share;
            for (a, b) in entry.ages_0_19.iter_mut().zip(p.ages_0_19) {
                *a += b / share;
            }
        }
    }
    // LSOA 2021 → MSOA 2011 / MSOA 2021 best fit (through the first LSOA 2011 it came from).
    let mut lsoa21_lsoa11: HashMap<String, String> = HashMap::new();
    for c in &changes {
        lsoa21_lsoa11
            .entry(c.lsoa21.clone())
            .or_insert_with(|| c.lsoa11.clone());
    }
    let msoa11_to_21: HashMap<String, String> = msoa11_msoa21.iter().cloned().collect();
    let lsoa21_msoa11: HashMap<String, String> = lsoa21_lsoa11
        .iter()
        .filter_map(|(l21, l11)| lsoa11_msoa11.get(l11).map(|m| (l21.clone(), m.clone())))
        .collect();
    let lsoa21_msoa21: HashMap<String, String> = lsoa21_msoa11
        .iter()
        .filter_map(|(l21, m11)| msoa11_to_21.get(m11).map(|m| (l21.clone(), m.clone())))
        .collect();

    // --- IMD per level ------------------------------------------------------------------
    progress("deriving IMD for every level", 3, STAGES);
    let w2019: HashMap<String, f64> = denominators
        .iter()
        .map(|(c, (_, t))| (c.clone(), *t))
        .collect();
    let w2025: HashMap<String, f64> = pop_lsoa21
        .iter()
        .map(|(c, p)| (c.clone(), f64::from(p.total)))
        .collect();
    let la2019: HashMap<String, String> = denominators
        .iter()
        .map(|(c, (la, _))| (c.clone(), la.clone()))
        .collect();
    let mut imd_by_level: HashMap<(Level, ImdEdition), HashMap<String, AreaImd>> = HashMap::new();
    imd_by_level.insert((Level::Lsoa11, ImdEdition::Imd2019), lsoa_imd(&imd2019));
    imd_by_level.insert(
        (Level::Msoa11, ImdEdition::Imd2019),
        aggregate_imd(&imd2019, &w2019, &lsoa11_msoa11, None),
    );
    imd_by_level.insert(
        (Level::La, ImdEdition::Imd2019),
        aggregate_imd(&imd2019, &w2019, &la2019, None),
    );
    if let Some(t) = &imd2025 {
        imd_by_level.insert((Level::Lsoa21, ImdEdition::Imd2025), lsoa_imd(t));
        imd_by_level.insert(
            (Level::Msoa21, ImdEdition::Imd2025),
            aggregate_imd(t, &w2025, &lsoa21_msoa21, None),
        );
        imd_by_level.insert(
            (Level::Msoa11, ImdEdition::Imd2025),
            aggregate_imd(t, &w2025, &lsoa21_msoa11, None),
        );
        let ward22_map: HashMap<String, String> = ward22_lookup.iter().cloned().collect();
        let national_wards = aggregate_imd(t, &w2025, &ward22_map, None);
        imd_by_level.insert(
            (Level::Ward, ImdEdition::Imd2025),
            aggregate_imd(
                t,
                &w2025,
                &ward_lookup.iter().cloned().collect(),
                Some(&national_wards),
            ),
        );
        imd_by_level.insert((Level::Ward22, ImdEdition::Imd2025), national_wards);
    }

    // --- boundaries ---------------------------------------------------------------------
    progress("reading boundaries (GDAL)", 4, STAGES);
    let wanted: HashMap<Level, &BTreeSet<String>> = [
        (Level::Lsoa11, &lsoa11_in),
        (Level::Msoa11, &msoa11_in),
        (Level::Lsoa21, &lsoa21_in),
        (Level::Msoa21, &msoa21_in),
        (Level::Ward, &ward_in),
        (Level::Ward22, &ward22_in),
    ]
    .into_iter()
    .collect();
    let mut raw_layers: BTreeMap<Level, Vec<RawBoundary>> = BTreeMap::new();
    for (level, b) in &config.boundaries {
        let path = path_of(&format!("boundaries.{level}.source"), &b.source)?;
        let keep: Option<HashSet<String>> = wanted.get(level).map(|s| s.iter().cloned().collect());
        let raw =
            read_boundaries_with(&path, &b.code_field, &b.name_field, keep.as_ref(), b.repair)?;
        if let Some(expected) = wanted.get(level) {
            let have: HashSet<&str> = raw.iter().map(|r| r.code.as_str()).collect();
            let missing: Vec<&String> = expected
                .iter()
                .filter(|c| !have.contains(c.as_str()))
                .collect();
            if !missing.is_empty() {
                return Err(BuildError::MissingBoundaries {
                    level: *level,
                    count: missing.len(),
                    path,
                    sample: missing
                        .iter()
                        .take(5)
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
        }
        raw_layers.insert(*level, raw);
    }

    // --- populations per level ------------------------------------------------------------
    let mut pops: HashMap<Level, HashMap<String, Population>> = HashMap::new();
    pops.insert(Level::Lsoa11, pop_lsoa11.clone());
    pops.insert(Level::Msoa11, pop_msoa11);
    pops.insert(Level::Lsoa21, pop_lsoa21.clone());
    pops.insert(
        Level::Msoa21,
        sum_populations(&pop_lsoa21, &lsoa21_msoa21, year),
    );
    pops.insert(
        Level::Ward,
        sum_populations(&pop_lsoa21, &ward_lookup.iter().cloned().collect(), year),
    );
    pops.insert(
        Level::Ward22,
        sum_populations(&pop_lsoa21, &ward22_lookup.iter().cloned().collect(), year),
    );

    // --- localities -------------------------------------------------------------------------
    progress("localities and layers", 5, STAGES);
    let mut locality_of: HashMap<String, String> = HashMap::new();
    let mut locality_scheme = None;
    if let Some(loc) = &config.localities {
        let level_codes: HashSet<String> = raw_layers
            .get(&loc.level)
            .map(|r| r.iter().map(|a| a.code.clone()).collect())
            .unwrap_or_default();
        let map = ingest::localities::load_localities(
            &config.resolve(&loc.file),
            &level_codes,
            loc.level.as_str(),
        )?;
        // Propagate down/up the hierarchy from the configured level.
        for (code, name) in &map {
            locality_of.insert(code.clone(), name.clone());
        }
        if loc.level == Level::Msoa11 {
            for l in &lsoa11_in {
                if let Some(name) = lsoa11_msoa11.get(l).and_then(|m| map.get(m)) {
                    locality_of.insert(l.clone(), name.clone());
                }
            }
            for l in &lsoa21_in {
                if let Some(name) = lsoa21_msoa11.get(l).and_then(|m| map.get(m)) {
                    locality_of.insert(l.clone(), name.clone());
                }
            }
            for (m11, m21) in &msoa11_msoa21 {
                if let Some(name) = map.get(m11) {
                    locality_of
                        .entry(m21.clone())
                        .or_insert_with(|| name.clone());
                }
            }
            for lookup in [&ward_lookup, &ward22_lookup] {
                // A ward takes the locality holding most of its population.
                let mut votes: HashMap<&str, HashMap<&str, u32>> = HashMap::new();
                for (l21, w) in lookup.iter() {
                    if let (Some(name), Some(p)) = (locality_of.get(l21), pop_lsoa21.get(l21)) {
                        *votes
                            .entry(w.as_str())
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
                locality_of.extend(chosen);
            }
        }
        locality_scheme = Some(LocalityScheme {
            name: loc.name.clone(),
            illustrative: loc.illustrative,
            note: loc.note.clone(),
        });
    }

    // --- assemble layers ------------------------------------------------------------------------
    let mut layers = Vec::new();
    for (level, raw) in raw_layers {
        let pop = pops.get(&level);
        let mut areas: Vec<Area> = raw
            .into_iter()
            .map(|r| {
                let name = msoa_names
                    .get(&r.code)
                    .cloned()
                    .unwrap_or_else(|| r.name.clone());
                Area {
                    population: pop.and_then(|p| p.get(&r.code).cloned()),
                    locality: locality_of.get(&r.code).cloned(),
                    members: Vec::new(),
                    name,
                    ons_name: r.name,
                    code: r.code,
                    geometry: r.geometry,
                    area_m2: r.area_m2,
                    centroid: r.label_point,
                    centroid_bng: r.centroid_bng,
                    imd: Vec::new(),
                }
            })
            .collect();
        areas.sort_by(|a, b| a.code.cmp(&b.code));
        let editions = attach_imd(&mut areas, level, &imd_by_level);
        layers.push(Layer::new(level, areas, editions));
    }

    // Derived layers: the LA outline and the localities, dissolved from MSOAs (2011).
    if let Some(msoa) = layers.iter().find(|l| l.level == Level::Msoa11).cloned() {
        let mut la_areas = Vec::new();
        for la in &config.area_of_interest {
            let members: Vec<&Area> = msoa.areas.iter().collect();
            let mut area = dissolve(la, &config.name, &members);
            area.population = sum_area_populations(&members, year);
            la_areas.push(area);
        }
        let editions = attach_imd(&mut la_areas, Level::La, &imd_by_level);
        layers.push(Layer::new(Level::La, la_areas, editions));

        if locality_scheme.is_some() {
            let mut groups: BTreeMap<String, Vec<&Area>> = BTreeMap::new();
            for a in &msoa.areas {
                if let Some(l) = &a.locality {
                    groups.entry(l.clone()).or_default().push(a);
                }
            }
            let mut loc_areas: Vec<Area> = groups
                .iter()
                .map(|(name, members)| {
                    let mut area = dissolve(&locality_code(name), name, members);
                    area.locality = Some(name.clone());
                    area.population = sum_area_populations(members, year);
                    area
                })
                .collect();
            // Locality IMD: population-weighted mean of member MSOA scores (not ranked nationally).
            for area in &mut loc_areas {
                let members: Vec<&Area> = groups
                    .get(area.name.as_str())
                    .map(|m| m.to_vec())
                    .unwrap_or_default();
                area.imd = weighted_member_imd(&members);
            }
            local_quintiles(&mut loc_areas);
            layers.push(Layer::new(
                Level::Locality,
                loc_areas,
                vec![ImdEdition::Imd2019],
            ));
        }
    }

    // --- indicators -----------------------------------------------------------------------------
    progress("loading indicators", 6, STAGES);
    let national: HashMap<Level, HashSet<String>> = [
        (Level::Lsoa11, denominators.keys().cloned().collect()),
        (Level::Msoa11, lsoa11_msoa11.values().cloned().collect()),
        (
            Level::Lsoa21,
            changes.iter().map(|c| c.lsoa21.clone()).collect(),
        ),
        (Level::Msoa21, msoa21_la.keys().cloned().collect()),
        (Level::Ward22, ward22_la.keys().cloned().collect()),
    ]
    .into_iter()
    .collect();
    let empty = HashSet::new();
    let mut indicators = Vec::new();
    for (i, ind) in config.indicators.iter().enumerate() {
        let (path, source_id) = match (&ind.source, &ind.path) {
            (Some(id), _) => (path_of(&format!("indicators[{i}].source"), id)?, id.clone()),
            (None, Some(p)) => (config.resolve(p), p.display().to_string()),
            (None, None) => continue,
        };
        let area_codes: HashSet<String> = layers
            .iter()
            .find(|l| l.level == ind.level)
            .map(|l| l.areas.iter().map(|a| a.code.clone()).collect())
            .unwrap_or_default();
        let ctx = AreaContext {
            level: ind.level,
            area_codes: &area_codes,
            national_codes: national.get(&ind.level).unwrap_or(&empty),
            county_codes: &config.area_of_interest,
        };
        indicators.extend(ingest::indicators::load_indicator_file(
            &path, ind, &source_id, &ctx,
        )?);
    }
    let national_by_deprivation = match &config.national_by_deprivation {
        Some(id) => ingest::indicators::load_national_by_deprivation(&path_of(
            "national_by_deprivation",
            id,
        )?)?,
        None => Vec::new(),
    };

    progress("postcodes and sites", 7, STAGES);
    let postcodes = match &config.postcodes {
        Some(p) => ingest::postcodes::load_postcodes(
            &path_of("postcodes.codepoint", &p.codepoint)?,
            &path_of("postcodes.ons_lookup", &p.ons_lookup)?,
            &aoi,
        )?,
        None => Vec::new(),
    };
    let sites = match &config.sites {
        Some(s) => {
            let lookup = |pc: &str| {
                let key = ingest::postcodes::normalise_postcode(pc);
                postcodes
                    .binary_search_by(|p| p.postcode.as_str().cmp(&key))
                    .ok()
                    .map(|i| postcodes[i].clone())
            };
            ingest::sites::load_sites(&config.resolve(&s.file), s.illustrative, lookup, to_bng)?
        }
        None => Vec::new(),
    };

    progress("assembling dataset", 8, STAGES);
    Ok(Dataset {
        meta: DatasetMeta {
            snapshot_version: SNAPSHOT_VERSION,
            name: config.name.clone(),
            area_of_interest: config.area_of_interest.clone(),
            default_level: config.default_level,
            suppress_max_count: config.suppress_max_count,
            built_at: now_rfc3339(),
            config_sha256: config.sha256.clone(),
            sources,
            locality_scheme,
        },
        layers,
        indicators,
        national_by_deprivation,
        sites,
        postcodes,
    })
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

pub fn lsoa_imd(table: &ImdTable) -> HashMap<String, AreaImd> {
    let n = table.len() as u32;
    table
        .rows
        .iter()
        .map(|r| {
            (
                r.code.clone(),
                AreaImd {
                    edition: table.edition,
                    score: r.score,
                    rank: r.rank,
                    rank_of: n,
                    decile: r.decile,
                    quintile: quintile_from_rank(r.rank, n),
                    local_quintile: 0,
                    most_deprived_30pct: r.decile <= 3,
                    domain_scores: r.domain_scores,
                },
            )
        })
        .collect()
}

/// Population-weighted mean LSOA score per parent, ranked among all parents (or placed in
/// `reference`'s distribution when given).
pub fn aggregate_imd(
    table: &ImdTable,
    weights: &HashMap<String, f64>,
    parent_of: &HashMap<String, String>,
    reference: Option<&HashMap<String, AreaImd>>,
) -> HashMap<String, AreaImd> {
    let mut sums: BTreeMap<&str, (f64, f64, [f64; 7])> = BTreeMap::new();
    for r in &table.rows {
        let (Some(parent), Some(&w)) = (parent_of.get(&r.code), weights.get(&r.code)) else {
            continue;
        };
        let e = sums.entry(parent.as_str()).or_insert((0.0, 0.0, [0.0; 7]));
        e.0 += w * r.score;
        e.1 += w;
        for (ek, rk) in e.2.iter_mut().zip(r.domain_scores) {
            *ek += w * rk;
        }
    }
    let parents: Vec<(&str, f64, [f64; 7])> = sums
        .into_iter()
        .filter(|(_, (_, w, _))| *w > 0.0)
        .map(|(p, (s, w, d))| (p, s / w, d.map(|x| x / w)))
        .collect();
    let (ranks, n): (Vec<u32>, u32) = match reference {
        None => (
            rank_descending(&parents.iter().map(|p| p.1).collect::<Vec<_>>()),
            parents.len() as u32,
        ),
        Some(reference) => {
            let mut scores: Vec<f64> = reference.values().map(|a| a.score).collect();
            scores.sort_by(|a, b| b.total_cmp(a));
            let ranks = parents
                .iter()
                .map(|p| scores.partition_point(|s| *s > p.1) as u32 + 1)
                .collect();
            (ranks, scores.len() as u32)
        }
    };
    parents
        .into_iter()
        .zip(ranks)
        .map(|((code, score, domains), rank)| {
            let decile = decile_from_rank(rank.min(n), n);
            (
                code.to_string(),
                AreaImd {
                    edition: table.edition,
                    score,
                    rank,
                    rank_of: n,
                    decile,
                    quintile: quintile_from_rank(rank.min(n), n),
                    local_quintile: 0,
                    most_deprived_30pct: decile <= 3,
                    domain_scores: domains,
                },
            )
        })
        .collect()
}

/// Attach every available edition to the areas and compute local quintiles per edition.
fn attach_imd(
    areas: &mut [Area],
    level: Level,
    imd: &HashMap<(Level, ImdEdition), HashMap<String, AreaImd>>,
) -> Vec<ImdEdition> {
    let mut editions = Vec::new();
    for edition in [ImdEdition::Imd2019, ImdEdition::Imd2025] {
        let Some(table) = imd.get(&(level, edition)) else {
            continue;
        };
        let mut any = false;
        for a in areas.iter_mut() {
            if let Some(v) = table.get(&a.code) {
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
/// (equal weights where population is unknown). Same rule as the demo data generator.
pub fn local_quintiles(areas: &mut [Area]) {
    for edition in [ImdEdition::Imd2019, ImdEdition::Imd2025] {
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

fn weighted_member_imd(members: &[&Area]) -> Vec<AreaImd> {
    let mut out = Vec::new();
    for edition in [ImdEdition::Imd2019, ImdEdition::Imd2025] {
        let mut s = 0.0;
        let mut w = 0.0;
        let mut d = [0.0; 7];
        for a in members {
            if let (Some(m), Some(p)) = (a.imd(edition), &a.population) {
                let pw = f64::from(p.total);
                s += pw * m.score;
                w += pw;
                for (dk, mk) in d.iter_mut().zip(m.domain_scores) {
                    *dk += pw * mk;
                }
            }
        }
        if w > 0.0 {
            out.push(AreaImd {
                edition,
                score: s / w,
                rank: 0,
                rank_of: 0,
                decile: 0,
                quintile: 0,
                local_quintile: 0,
                most_deprived_30pct: false,
                domain_scores: d.map(|x| x / w),
            });
        }
    }
    out
}

fn sum_populations(
    base: &HashMap<String, Population>,
    parent_of: &HashMap<String, String>,
    year: u16,
) -> HashMap<String, Population> {
    let mut out: HashMap<String, Population> = HashMap::new();
    for (child, parent) in parent_of {
        if let Some(p) = base.get(child) {
            let e = out.entry(parent.clone()).or_insert(Population {
                year,
                total: 0,
                ages_0_19: [0; 20],
            });
            e.total += p.total;
            for (a, b) in e.ages_0_19.iter_mut().zip(p.ages_0_19) {
                *a += b;
            }
        }
    }
    out
}

fn sum_area_populations(members: &[&Area], year: u16) -> Option<Population> {
    let mut out = Population {
        year,
        total: 0,
        ages_0_19: [0; 20],
    };
    for a in members {
        let p = a.population.as_ref()?;
        out.total += p.total;
        for (x, y) in out.ages_0_19.iter_mut().zip(p.ages_0_19) {
            *x += y;
        }
    }
    Some(out)
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

/// WGS84 → BNG for one point (sites given by lon/lat).
fn to_bng(lon: f64, lat: f64) -> Option<(f64, f64)> {
    use gdal::spatial_ref::{AxisMappingStrategy, CoordTransform, SpatialRef};
    let mut wgs = SpatialRef::from_epsg(4326).ok()?;
    wgs.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    let mut bng = SpatialRef::from_epsg(27700).ok()?;
    bng.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    let t = CoordTransform::new(&wgs, &bng).ok()?;
    let (mut x, mut y, mut z) = ([lon], [lat], [0.0]);
    t.transform_coords(&mut x, &mut y, &mut z).ok()?;
    Some((x[0], y[0]))
}

fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = secs / 86_400;
    let rem = secs % 86_400;
    // Civil-from-days (Howard Hinnant's algorithm), UTC.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

//! Stage 2: the geography. Lookups between levels and census vintages, which areas of each
//! level lie in the area of interest, every English code of each level (to tell "outside the
//! area" from "no such area" when reading indicators), and population per level.
//!
//! Bridges between vintages: an LSOA 2021 takes the population of the LSOA 2011 it came from
//! (split areas share it equally, merged areas sum), and belongs to the MSOA 2011/2021 of the
//! first LSOA 2011 it came from (best fit).

use super::error::BuildError;
use super::sources::Sources;
use crate::config::Config;
use crate::dataset::Population;
use crate::ingest::{self, lookups::load_pairs};
use crate::level::{Level, ENGLAND};
use std::collections::{BTreeSet, HashMap, HashSet};

/// A child → parent lookup.
pub type ParentOf = HashMap<String, String>;

/// What stage 2 knows about the areas.
pub struct Geography {
    /// Year of the population estimates.
    pub year: u16,
    pub lsoa11_msoa11: ParentOf,
    pub lsoa21_msoa11: ParentOf,
    pub lsoa21_msoa21: ParentOf,
    /// MSOA 2011 → MSOA 2021 (one row per pair).
    pub msoa11_msoa21: Vec<(String, String)>,
    /// LSOA 2021 → electoral division (2025 divisions), best fit.
    pub lsoa21_ward: ParentOf,
    /// LSOA 2021 → ward (2024 divisions, national), best fit.
    pub lsoa21_ward22: ParentOf,
    /// LSOA 2011 → its local authority (2019), from the IoD2019 denominators.
    pub lsoa11_la: ParentOf,
    /// LSOA 2011 → IoD2019 mid-2015 population (the weights for IMD 2019 aggregates).
    pub iod2019_weights: HashMap<String, f64>,
    /// House of Commons Library MSOA names.
    pub msoa_names: HashMap<String, String>,
    /// Codes of each level inside the area of interest.
    pub in_area: HashMap<Level, BTreeSet<String>>,
    /// Every English code of each level.
    pub national: HashMap<Level, HashSet<String>>,
    /// Population per level and code.
    pub population: HashMap<Level, HashMap<String, Population>>,
}

/// Whether a local authority is in the area of interest ("E92000001" means all of England).
struct AreaOfInterest(HashSet<String>);

impl AreaOfInterest {
    fn contains(&self, la: &str) -> bool {
        self.0.contains(ENGLAND) || self.0.contains(la)
    }
}

impl Geography {
    /// Read the lookups and population tables and work out the areas of each level.
    pub fn load(config: &Config, sources: &mut Sources) -> Result<Geography, BuildError> {
        let lk = &config.lookups;
        let aoi = AreaOfInterest(config.area_of_interest.iter().cloned().collect());
        let lsoa11_msoa11: ParentOf = load_pairs(
            &sources.path("lookups.lsoa11_msoa11", &lk.lsoa11_msoa11)?,
            "lsoa11_code",
            "msoa11_code",
        )?
        .into_iter()
        .collect();
        let changes = ingest::lookups::load_lsoa_changes(
            &sources.path("lookups.lsoa11_lsoa21", &lk.lsoa11_lsoa21)?,
        )?;
        let msoa_changes = sources.path("lookups.msoa11_msoa21", &lk.msoa11_msoa21)?;
        let msoa11_msoa21 = load_pairs(&msoa_changes, "msoa11_code", "msoa21_code")?;
        let msoa21_la: ParentOf = load_pairs(&msoa_changes, "msoa21_code", "ltla22_code")?
            .into_iter()
            .collect();
        let msoa_names =
            ingest::lookups::load_msoa_names(&sources.path("lookups.msoa_names", &lk.msoa_names)?)?;
        let lsoa21_ward: ParentOf =
            match sources.optional("lookups.lsoa21_ward", lk.lsoa21_ward.as_ref())? {
                Some(p) => load_pairs(&p, "LSOA21CD", "WD25CD")?.into_iter().collect(),
                None => ParentOf::new(),
            };
        let (lsoa21_ward22, ward22_la): (ParentOf, ParentOf) =
            match sources.optional("lookups.lsoa21_ward22", lk.lsoa21_ward22.as_ref())? {
                Some(p) => (
                    load_pairs(&p, "lsoa21_code", "ward24_code")?
                        .into_iter()
                        .collect(),
                    load_pairs(&p, "ward24_code", "ltla24_code")?
                        .into_iter()
                        .collect(),
                ),
                None => (ParentOf::new(), ParentOf::new()),
            };
        let denominators = ingest::imd::load_iod2019_denominators(
            &sources.path("imd.imd2019_denominators", &config.imd.imd2019_denominators)?,
        )?;
        let year = config.population.year;
        let pop_lsoa11 = ingest::population::load_population(
            &sources.path("population.lsoa11", &config.population.lsoa11)?,
            "lsoa11_code",
            year,
        )?;
        let pop_msoa11 = ingest::population::load_population(
            &sources.path("population.msoa11", &config.population.msoa11)?,
            "msoa11_code",
            year,
        )?;

        // Membership of the area of interest, level by level.
        let lsoa11_in: BTreeSet<String> = denominators
            .iter()
            .filter(|(_, (la, _))| aoi.contains(la))
            .map(|(c, _)| c.clone())
            .collect();
        if lsoa11_in.is_empty() {
            return Err(BuildError::EmptyArea(config.area_of_interest.join(", ")));
        }
        let msoa11_in = lsoa11_in
            .iter()
            .filter_map(|l| lsoa11_msoa11.get(l).cloned())
            .collect();
        let lsoa21_in: BTreeSet<String> = changes
            .iter()
            .filter(|c| aoi.contains(&c.la))
            .map(|c| c.lsoa21.clone())
            .collect();
        let msoa21_in = msoa21_la
            .iter()
            .filter(|(_, la)| aoi.contains(la))
            .map(|(c, _)| c.clone())
            .collect();
        let ward_in = lsoa21_ward
            .iter()
            .filter(|(l, _)| lsoa21_in.contains(*l))
            .map(|(_, w)| w.clone())
            .collect();
        let ward22_in = ward22_la
            .iter()
            .filter(|(_, la)| aoi.contains(la))
            .map(|(w, _)| w.clone())
            .collect();

        // Bridges from 2011 to 2021.
        let mut parts: HashMap<&str, u32> = HashMap::new();
        for c in &changes {
            *parts.entry(c.lsoa11.as_str()).or_default() += 1;
        }
        let mut pop_lsoa21: HashMap<String, Population> = HashMap::new();
        let mut lsoa21_lsoa11: ParentOf = ParentOf::new();
        for c in &changes {
            if let Some(p) = pop_lsoa11.get(&c.lsoa11) {
                let shares = parts.get(c.lsoa11.as_str()).copied().unwrap_or(1);
                pop_lsoa21
                    .entry(c.lsoa21.clone())
                    .or_insert_with(|| Population::zero(year))
                    .add(p, shares);
            }
            lsoa21_lsoa11
                .entry(c.lsoa21.clone())
                .or_insert_with(|| c.lsoa11.clone());
        }
        let msoa11_to_21: ParentOf = msoa11_msoa21.iter().cloned().collect();
        let lsoa21_msoa11: ParentOf = lsoa21_lsoa11
            .iter()
            .filter_map(|(l21, l11)| lsoa11_msoa11.get(l11).map(|m| (l21.clone(), m.clone())))
            .collect();
        let lsoa21_msoa21: ParentOf = lsoa21_msoa11
            .iter()
            .filter_map(|(l21, m11)| msoa11_to_21.get(m11).map(|m| (l21.clone(), m.clone())))
            .collect();

        let population = HashMap::from([
            (
                Level::Msoa21,
                sum_by_parent(&pop_lsoa21, &lsoa21_msoa21, year),
            ),
            (Level::Ward, sum_by_parent(&pop_lsoa21, &lsoa21_ward, year)),
            (
                Level::Ward22,
                sum_by_parent(&pop_lsoa21, &lsoa21_ward22, year),
            ),
            (Level::Lsoa11, pop_lsoa11),
            (Level::Msoa11, pop_msoa11),
            (Level::Lsoa21, pop_lsoa21),
        ]);
        let national = HashMap::from([
            (Level::Lsoa11, denominators.keys().cloned().collect()),
            (Level::Msoa11, lsoa11_msoa11.values().cloned().collect()),
            (
                Level::Lsoa21,
                changes.iter().map(|c| c.lsoa21.clone()).collect(),
            ),
            (Level::Msoa21, msoa21_la.keys().cloned().collect()),
            (Level::Ward22, ward22_la.keys().cloned().collect()),
        ]);
        let in_area = HashMap::from([
            (Level::Lsoa11, lsoa11_in),
            (Level::Msoa11, msoa11_in),
            (Level::Lsoa21, lsoa21_in),
            (Level::Msoa21, msoa21_in),
            (Level::Ward, ward_in),
            (Level::Ward22, ward22_in),
        ]);
        let (lsoa11_la, iod2019_weights) = denominators
            .into_iter()
            .map(|(code, (la, total))| ((code.clone(), la), (code, total)))
            .unzip();
        Ok(Geography {
            year,
            lsoa11_msoa11,
            lsoa21_msoa11,
            lsoa21_msoa21,
            msoa11_msoa21,
            lsoa21_ward,
            lsoa21_ward22,
            lsoa11_la,
            iod2019_weights,
            msoa_names,
            in_area,
            national,
            population,
        })
    }

    /// The codes of `level` inside the area of interest (empty for derived levels).
    pub fn in_area(&self, level: Level) -> Option<&BTreeSet<String>> {
        self.in_area.get(&level)
    }
}

/// Population of each parent: the sum of its children's (the one summing rule, see
/// [`Population::add`]).
pub fn sum_by_parent(
    base: &HashMap<String, Population>,
    parent_of: &ParentOf,
    year: u16,
) -> HashMap<String, Population> {
    let mut out: HashMap<String, Population> = HashMap::new();
    for (child, parent) in parent_of {
        if let Some(p) = base.get(child) {
            out.entry(parent.clone())
                .or_insert_with(|| Population::zero(year))
                .add(p, 1);
        }
    }
    out
}

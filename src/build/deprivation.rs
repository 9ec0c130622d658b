//! Stage 3: deprivation for every level and edition. MHCLG publishes the IMD for LSOAs only:
//!
//! - **LSOA** scores as published (IoD2025) or rebuilt from the domain ranks (IoD2019, see
//!   [`crate::imd`]).
//! - **MSOA/ward/LA** score = population-weighted mean of member LSOA scores
//!   ([`crate::imd::WeightedScore`]; the IMD R package / OCSI method). Weights: IoD2019 mid-2015
//!   denominators for IMD 2019; mid-2020 LSOA 2011 estimates bridged to LSOA 2021 for IMD 2025.
//! - **National rank/decile** of an aggregate among every English area of that level (6,791
//!   MSOAs); wards of the 2025 divisions are placed in the national 2024-ward distribution (no
//!   national LSOA21→WD25 lookup exists yet).
//! - **30% flag**: national decile 1–3. Local quintiles are cut later, per layer.

use super::error::BuildError;
use super::geography::{Geography, ParentOf};
use super::sources::Sources;
use crate::config::Config;
use crate::imd::{
    decile_from_rank, quintile_from_rank, rank_descending, AreaImd, ImdEdition, WeightedScore,
};
use crate::ingest::imd::ImdTable;
use crate::level::Level;
use std::collections::{BTreeMap, HashMap};

/// IMD of every area, by level and edition.
pub struct Deprivation {
    by_level: HashMap<(Level, ImdEdition), HashMap<String, AreaImd>>,
}

impl Deprivation {
    /// Read the IMD tables and derive every level's IMD.
    pub fn derive(
        config: &Config,
        sources: &mut Sources,
        geo: &Geography,
    ) -> Result<Deprivation, BuildError> {
        let imd2019 = crate::ingest::imd::load_imd2019(
            &sources.path("imd.imd2019_ranks", &config.imd.imd2019_ranks)?,
        )?;
        let imd2025 = match sources.optional("imd.imd2025", config.imd.imd2025.as_ref())? {
            Some(p) => Some(crate::ingest::imd::load_imd2025(&p)?),
            None => None,
        };
        let mut by_level = HashMap::new();
        let w2019 = &geo.iod2019_weights;
        by_level.insert((Level::Lsoa11, ImdEdition::Imd2019), lsoa_imd(&imd2019));
        by_level.insert(
            (Level::Msoa11, ImdEdition::Imd2019),
            aggregate_imd(&imd2019, w2019, &geo.lsoa11_msoa11, None),
        );
        by_level.insert(
            (Level::La, ImdEdition::Imd2019),
            aggregate_imd(&imd2019, w2019, &geo.lsoa11_la, None),
        );
        if let Some(t) = &imd2025 {
            let w2025: HashMap<String, f64> = geo
                .population
                .get(&Level::Lsoa21)
                .map(|pops| {
                    pops.iter()
                        .map(|(c, p)| (c.clone(), f64::from(p.total)))
                        .collect()
                })
                .unwrap_or_default();
            by_level.insert((Level::Lsoa21, ImdEdition::Imd2025), lsoa_imd(t));
            by_level.insert(
                (Level::Msoa21, ImdEdition::Imd2025),
                aggregate_imd(t, &w2025, &geo.lsoa21_msoa21, None),
            );
            by_level.insert(
                (Level::Msoa11, ImdEdition::Imd2025),
                aggregate_imd(t, &w2025, &geo.lsoa21_msoa11, None),
            );
            let national_wards = aggregate_imd(t, &w2025, &geo.lsoa21_ward22, None);
            by_level.insert(
                (Level::Ward, ImdEdition::Imd2025),
                aggregate_imd(t, &w2025, &geo.lsoa21_ward, Some(&national_wards)),
            );
            by_level.insert((Level::Ward22, ImdEdition::Imd2025), national_wards);
        }
        Ok(Deprivation { by_level })
    }

    /// The IMD of `code` at `level` under `edition`, if derived.
    pub fn get(&self, level: Level, edition: ImdEdition, code: &str) -> Option<&AreaImd> {
        self.by_level.get(&(level, edition))?.get(code)
    }

    /// Whether any IMD of `edition` was derived at `level`.
    pub fn has(&self, level: Level, edition: ImdEdition) -> bool {
        self.by_level.contains_key(&(level, edition))
    }
}

/// One area's deprivation record.
fn record(edition: ImdEdition, score: f64, rank: u32, n: u32, domains: [f64; 7]) -> AreaImd {
    let decile = decile_from_rank(rank.min(n), n);
    AreaImd {
        edition,
        score,
        rank,
        rank_of: n,
        decile,
        quintile: quintile_from_rank(rank.min(n), n),
        local_quintile: 0,
        most_deprived_30pct: decile <= 3,
        domain_scores: domains,
    }
}

/// LSOA IMD as published (deciles from the table, quintiles from the rank).
pub fn lsoa_imd(table: &ImdTable) -> HashMap<String, AreaImd> {
    let n = table.len() as u32;
    table
        .rows
        .iter()
        .map(|r| {
            let mut imd = record(table.edition, r.score, r.rank, n, r.domain_scores);
            // MHCLG's own decile, not recomputed from the rank.
            imd.decile = r.decile;
            imd.most_deprived_30pct = r.decile <= 3;
            (r.code.clone(), imd)
        })
        .collect()
}

/// Population-weighted mean LSOA score per parent, ranked among all parents (or placed in
/// `reference`'s distribution when given).
pub fn aggregate_imd(
    table: &ImdTable,
    weights: &HashMap<String, f64>,
    parent_of: &ParentOf,
    reference: Option<&HashMap<String, AreaImd>>,
) -> HashMap<String, AreaImd> {
    let mut sums: BTreeMap<&str, WeightedScore> = BTreeMap::new();
    for r in &table.rows {
        let (Some(parent), Some(&w)) = (parent_of.get(&r.code), weights.get(&r.code)) else {
            continue;
        };
        sums.entry(parent.as_str())
            .or_default()
            .add(w, r.score, &r.domain_scores);
    }
    let parents: Vec<(&str, f64, [f64; 7])> = sums
        .into_iter()
        .filter_map(|(p, s)| s.mean().map(|(score, domains)| (p, score, domains)))
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
            (
                code.to_string(),
                record(table.edition, score, rank, n, domains),
            )
        })
        .collect()
}

//! IoD2019 (LSOA 2011) and IoD2025 (LSOA 2021) loaders.
//!
//! IoD2019: the mirror holds ranks and deciles only, so the LSOA IMD score is rebuilt from
//! the seven domain ranks with [`crate::imd::imd_score_from_domain_ranks`]. IoD2025: the
//! published score is kept, and the rebuilt score is checked against it in the tests.

use super::table::Table;
use super::IngestError;
use crate::imd::{exponential_transform, imd_score_from_domain_ranks, ImdEdition};
use std::collections::HashMap;
use std::path::Path;

/// One LSOA's deprivation as published (ranks, deciles) plus the IMD score.
#[derive(Debug, Clone, PartialEq)]
pub struct LsoaImd {
    pub code: String,
    /// IMD score: published (IoD2025) or rebuilt from domain ranks (IoD2019).
    pub score: f64,
    /// Score rebuilt from the domain ranks (equal to `score` for IoD2019).
    pub rebuilt_score: f64,
    /// Official national IMD rank (1 = most deprived) and decile.
    pub rank: u32,
    pub decile: u8,
    /// Domain ranks in [`crate::imd::Domain::ALL`] order.
    pub domain_ranks: [u32; 7],
    /// Exponentially transformed domain ranks (0–100).
    pub domain_scores: [f64; 7],
}

/// All LSOAs of one edition.
#[derive(Debug, Clone)]
pub struct ImdTable {
    pub edition: ImdEdition,
    pub rows: Vec<LsoaImd>,
    pub by_code: HashMap<String, usize>,
}

impl ImdTable {
    pub fn get(&self, code: &str) -> Option<&LsoaImd> {
        self.by_code.get(code).map(|&i| &self.rows[i])
    }
    pub fn len(&self) -> usize {
        self.rows.len()
    }
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

const DOMAINS_2019: [&str; 7] = [
    "Income",
    "Employment",
    "Education",
    "Health",
    "Crime",
    "Housing_and_Access",
    "Environment",
];
const DOMAINS_2025: [&str; 7] = [
    "Income",
    "Employment",
    "Education",
    "Health",
    "Crime",
    "Housing_and_Services",
    "Environment",
];

/// IoD2019 ranks/deciles per LSOA 2011 (`imd2019_england_lsoa11.csv.gz` layout).
pub fn load_imd2019(path: &Path) -> Result<ImdTable, IngestError> {
    load(
        path,
        ImdEdition::Imd2019,
        "lsoa11_code",
        &DOMAINS_2019,
        None,
    )
}

/// IoD2025 scores/ranks/deciles per LSOA 2021 (`imd2025_england_lsoa21.csv.gz` layout).
pub fn load_imd2025(path: &Path) -> Result<ImdTable, IngestError> {
    load(
        path,
        ImdEdition::Imd2025,
        "lsoa21_code",
        &DOMAINS_2025,
        Some("IMD_score"),
    )
}

fn load(
    path: &Path,
    edition: ImdEdition,
    code_column: &str,
    domains: &[&str; 7],
    score_column: Option<&str>,
) -> Result<ImdTable, IngestError> {
    let table = Table::read(path)?;
    let codes = table.strings(code_column)?;
    let n = u32::try_from(codes.len()).map_err(|_| IngestError::Invalid {
        path: path.into(),
        message: "too many rows".into(),
    })?;
    let ranks = table.integers("IMD_rank")?;
    let deciles = table.integers("IMD_decile")?;
    let mut domain_ranks = Vec::with_capacity(7);
    for d in domains {
        domain_ranks.push(table.integers(&format!("{d}_rank"))?);
    }
    let published = match score_column {
        Some(c) => Some(table.numbers(c)?),
        None => None,
    };
    let mut rows = Vec::with_capacity(codes.len());
    let mut by_code = HashMap::with_capacity(codes.len());
    for (i, code) in codes.into_iter().enumerate() {
        let line = i + 2;
        let mut dr = [0u32; 7];
        for (k, col) in domain_ranks.iter().enumerate() {
            dr[k] = col[i];
            if col[i] == 0 || col[i] > n {
                return Err(IngestError::BadValue {
                    path: path.into(),
                    line,
                    field: format!("{}_rank", domains[k]),
                    value: col[i].to_string(),
                    expected: format!("a rank from 1 to {n}"),
                });
            }
        }
        let ds = dr.map(|r| exponential_transform(r, n));
        let rebuilt = imd_score_from_domain_ranks(&dr, n);
        let decile = u8::try_from(deciles[i])
            .ok()
            .filter(|d| (1..=10).contains(d))
            .ok_or_else(|| IngestError::BadValue {
                path: path.into(),
                line,
                field: "IMD_decile".into(),
                value: deciles[i].to_string(),
                expected: "a decile from 1 to 10".into(),
            })?;
        if by_code.insert(code.clone(), i).is_some() {
            return Err(IngestError::Duplicate {
                path: path.into(),
                line,
                key: format!("LSOA {code}"),
                first_line: 0,
            });
        }
        rows.push(LsoaImd {
            score: published.as_ref().map_or(rebuilt, |p| p[i]),
            rebuilt_score: rebuilt,
            code,
            rank: ranks[i],
            decile,
            domain_ranks: dr,
            domain_scores: ds,
        });
    }
    Ok(ImdTable {
        edition,
        rows,
        by_code,
    })
}

/// IoD2019 population denominators (File 6): LSOA 2011 → (LA code 2019, mid-2015 total).
pub fn load_iod2019_denominators(
    path: &Path,
) -> Result<HashMap<String, (String, f64)>, IngestError> {
    let table = Table::read(path)?;
    let codes = table.strings("LSOA code (2011)")?;
    let las = table.strings("Local Authority District code (2019)")?;
    let totals = table.numbers("Total population: mid 2015 (excluding prisoners)")?;
    Ok(codes.into_iter().zip(las.into_iter().zip(totals)).collect())
}

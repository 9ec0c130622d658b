//! Geography lookups: LSOA→MSOA (2011), LSOA 2011↔2021 (best fit), MSOA 2011↔2021,
//! LSOA 2021→ward, and House of Commons Library MSOA names.

use super::table::Table;
use super::IngestError;
use std::collections::HashMap;
use std::path::Path;

/// A child→parent lookup read from two columns.
pub fn load_pairs(
    path: &Path,
    child: &str,
    parent: &str,
) -> Result<Vec<(String, String)>, IngestError> {
    let table = Table::read(path)?;
    let children = table.strings(child)?;
    let parents = table.strings(parent)?;
    Ok(children
        .into_iter()
        .zip(parents)
        .filter(|(c, p)| !c.is_empty() && !p.is_empty())
        .collect())
}

/// One row of the ONS LSOA 2011 → LSOA 2021 change lookup.
#[derive(Debug, Clone)]
pub struct LsoaChange {
    pub lsoa11: String,
    pub lsoa21: String,
    /// U unchanged, S split, M merged, X irregular.
    pub change: String,
    pub la: String,
}

pub fn load_lsoa_changes(path: &Path) -> Result<Vec<LsoaChange>, IngestError> {
    let table = Table::read(path)?;
    let a = table.strings("lsoa11_code")?;
    let b = table.strings("lsoa21_code")?;
    let c = table.strings("change_code")?;
    let d = table.strings("ltla22_code")?;
    Ok(a.into_iter()
        .zip(b)
        .zip(c.into_iter().zip(d))
        .map(|((lsoa11, lsoa21), (change, la))| LsoaChange {
            lsoa11,
            lsoa21,
            change,
            la,
        })
        .collect())
}

/// MSOA code → House of Commons Library name (2011 and 2021 codes).
pub fn load_msoa_names(path: &Path) -> Result<HashMap<String, String>, IngestError> {
    let table = Table::read(path)?;
    let codes = table.strings("MSOACD")?;
    let names = table.strings("MSOAHCLNM")?;
    Ok(codes
        .into_iter()
        .zip(names)
        .filter(|(_, n)| !n.is_empty())
        .collect())
}

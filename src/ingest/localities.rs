//! Localities: a CSV `area_code,locality` grouping areas of one level into named localities.
//! Every area of the level must be in exactly one locality; unknown codes are errors.

use super::csvfile::{field, Csv};
use super::IngestError;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// area code → locality name, validated against the level's codes.
pub fn load_localities(
    path: &Path,
    area_codes: &HashSet<String>,
    level: &str,
) -> Result<BTreeMap<String, String>, IngestError> {
    let csv = Csv::read(path, "a locality CSV with columns area_code,locality")?;
    let (c_area, c_loc) = (csv.col("area_code")?, csv.col("locality")?);
    let mut out = BTreeMap::new();
    let mut lines = BTreeMap::new();
    for (line, r) in &csv.records {
        let line = *line;
        let code = field(r, c_area).to_string();
        let locality = field(r, c_loc).to_string();
        if !area_codes.contains(&code) {
            return Err(IngestError::UnknownArea {
                path: path.into(),
                line,
                code,
                level: level.into(),
                known: area_codes.len(),
            });
        }
        if locality.is_empty() {
            return Err(IngestError::BadValue {
                path: path.into(),
                line,
                field: "locality".into(),
                value: locality,
                expected: "a locality name".into(),
            });
        }
        if let Some(first_line) = lines.insert(code.clone(), line) {
            return Err(IngestError::Duplicate {
                path: path.into(),
                line,
                key: format!("area {code}"),
                first_line,
            });
        }
        out.insert(code, locality);
    }
    let mut missing: Vec<&str> = area_codes
        .iter()
        .filter(|c| !out.contains_key(*c))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        missing.sort_unstable();
        let count = missing.len();
        missing.truncate(5);
        return Err(IngestError::Invalid {
            path: path.into(),
            message: format!(
                "{count} {level} areas have no locality (e.g. {}); every area must be in one locality",
                missing.join(", ")
            ),
        });
    }
    Ok(out)
}

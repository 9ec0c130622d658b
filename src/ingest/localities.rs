//! Localities: a CSV `area_code,locality` grouping areas of one level into named localities.
//! Every area of the level must be in exactly one locality; unknown codes are errors.

use super::{text, IngestError};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// area code → locality name, validated against the level's codes.
pub fn load_localities(
    path: &Path,
    area_codes: &HashSet<String>,
    level: &str,
) -> Result<BTreeMap<String, String>, IngestError> {
    let text = text::read_text(path, "a locality CSV with columns area_code,locality")?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| IngestError::Csv {
            path: path.into(),
            line: 1,
            message: e.to_string(),
        })?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| IngestError::MissingColumn {
                path: path.into(),
                column: name.into(),
                found: header.join(", "),
            })
    };
    let (c_area, c_loc) = (col("area_code")?, col("locality")?);
    let mut out = BTreeMap::new();
    let mut lines = BTreeMap::new();
    for record in reader.records() {
        let r = record.map_err(|e| IngestError::Csv {
            path: path.into(),
            line: e.position().map_or(0, |p| p.line() as usize),
            message: e.to_string(),
        })?;
        let line = r.position().map_or(0, |p| p.line() as usize);
        let code = r.get(c_area).unwrap_or("").trim().to_string();
        let locality = r.get(c_loc).unwrap_or("").trim().to_string();
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
    if out.is_empty() {
        return Err(IngestError::Empty {
            path: path.into(),
            expected: "at least one area_code,locality row".into(),
        });
    }
    let missing: Vec<&String> = area_codes
        .iter()
        .filter(|c| !out.contains_key(*c))
        .collect();
    if !missing.is_empty() {
        let mut sample: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
        sample.sort_unstable();
        sample.truncate(5);
        return Err(IngestError::Invalid {
            path: path.into(),
            message: format!(
                "{} {level} areas have no locality (e.g. {}); every area must be in one locality",
                missing.len(),
                sample.join(", ")
            ),
        });
    }
    Ok(out)
}

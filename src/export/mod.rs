//! Downloads of gap tables: CSV and Parquet (via polars), XLSX (rust_xlsxwriter) with a data
//! sheet, a chart-ready sheet and a method-notes sheet, and atomic file writes.
//!
//! Every format carries the same rows ([`rows`]): one per group, then one per summary measure
//! (absolute gap, relative gap, SII, RII). Suppressed cells are empty (null) and the row's
//! `suppressed` column is true; the value is never written. Each row carries `synthetic` so a
//! synthetic figure cannot be separated from its label.
//!
//! [`placement`] encodes placement reports (CSV, GeoJSON, XLSX) the same way.

mod csv;
mod parquet;
pub mod placement;
mod xlsx;

use crate::gaps::{Estimate, GapTable};
use crate::stats::significance::Significance;
use std::io::Write;
use std::path::{Path, PathBuf};

pub use self::csv::write_csv;
pub use self::parquet::write_parquet;
pub use self::xlsx::write_xlsx;

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("could not build the table: {0}")]
    Polars(#[from] polars::prelude::PolarsError),
    #[error("could not build the workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("could not write {path}: {source}; check the directory exists and is writable")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("could not write the output: {0}")]
    Write(#[from] std::io::Error),
}

/// One exported row (a group or a summary measure).
#[derive(Debug, Clone, PartialEq)]
pub struct ExportRow {
    /// "group" or "summary".
    pub row_type: &'static str,
    pub key: String,
    pub label: String,
    pub order: Option<u32>,
    pub areas: Option<u32>,
    pub population: Option<u64>,
    pub count: Option<f64>,
    pub denominator: Option<f64>,
    pub value: Option<f64>,
    pub lower95: Option<f64>,
    pub upper95: Option<f64>,
    pub lower998: Option<f64>,
    pub upper998: Option<f64>,
    pub suppressed: bool,
    pub vs_england_95: Option<&'static str>,
    pub vs_england_998: Option<&'static str>,
    pub vs_county_95: Option<&'static str>,
    pub vs_county_998: Option<&'static str>,
    pub note: String,
}

fn sig(s: Significance) -> Option<&'static str> {
    (s != Significance::NotCompared).then(|| s.label())
}

/// The rows every format writes, in order.
pub fn rows(table: &GapTable) -> Vec<ExportRow> {
    let mut out: Vec<ExportRow> = table
        .groups
        .iter()
        .map(|g| ExportRow {
            row_type: "group",
            key: g.key.clone(),
            label: g.label.clone(),
            order: Some(g.order),
            areas: Some(g.areas),
            population: g.population,
            count: g.count,
            denominator: g.denominator,
            value: g.value,
            lower95: g.lower95,
            upper95: g.upper95,
            lower998: g.lower998,
            upper998: g.upper998,
            suppressed: g.suppressed,
            vs_england_95: sig(g.vs_england.at95),
            vs_england_998: sig(g.vs_england.at998),
            vs_county_95: sig(g.vs_county.at95),
            vs_county_998: sig(g.vs_county.at998),
            note: if g.suppressed {
                "suppressed: small count".to_string()
            } else {
                String::new()
            },
        })
        .collect();
    let s = &table.summary;
    let withheld = s.notes.join(" ");
    let measures: [(&str, String, Option<Estimate>); 4] = [
        (
            "absolute_gap",
            format!(
                "Absolute gap: {} minus {}",
                s.most_deprived, s.least_deprived
            ),
            s.absolute_gap,
        ),
        (
            "relative_gap",
            format!("Relative gap: {} / {}", s.most_deprived, s.least_deprived),
            s.relative_gap,
        ),
        (
            "sii",
            "Slope index of inequality (positive = most deprived worse off)".to_string(),
            s.sii,
        ),
        (
            "rii",
            "Relative index of inequality (above 1 = most deprived worse off)".to_string(),
            s.rii,
        ),
    ];
    for (key, label, estimate) in measures {
        let note = match (estimate, key) {
            (None, _) => withheld.clone(),
            (Some(_), "sii" | "rii") => s
                .reliability
                .clone()
                .map(|r| format!("reliability: {r}"))
                .unwrap_or_default(),
            _ => String::new(),
        };
        out.push(ExportRow {
            row_type: "summary",
            key: key.to_string(),
            label,
            order: None,
            areas: None,
            population: None,
            count: None,
            denominator: None,
            value: estimate.map(|e| e.value),
            lower95: estimate.map(|e| e.lower95),
            upper95: estimate.map(|e| e.upper95),
            lower998: None,
            upper998: None,
            suppressed: false,
            vs_england_95: None,
            vs_england_998: None,
            vs_county_95: None,
            vs_county_998: None,
            note,
        });
    }
    out
}

/// Write `bytes` to `path` atomically: a temporary file in the same directory, then a rename,
/// so readers never see a half-written file and a failure leaves any old file in place.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
    let io = |source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    tmp.write_all(bytes).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_the_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("table.csv");
        write_atomic(&path, b"old").unwrap();
        write_atomic(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn atomic_write_to_a_missing_directory_names_the_path() {
        let err = write_atomic(Path::new("/nonexistent-gapmap-dir/x.csv"), b"x").unwrap_err();
        assert!(err.to_string().contains("/nonexistent-gapmap-dir/x.csv"));
    }
}

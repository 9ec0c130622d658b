//! Loaders: every input file in, validated values out. Errors name the file, the line or
//! field, the bad value and what to do.
//!
//! - [`text`]: reading files (gzip or plain), UTF-8 and emptiness checks.
//! - [`csvfile`]: user CSVs (indicators, localities, sites) with line-exact errors.
//! - [`table`]: national reference tables through polars (IMD, population, lookups, postcodes).
//! - [`boundaries`]: polygons through GDAL (any OGR source), reprojected to WGS84 and BNG.
//! - [`imd`]: IoD2019 / IoD2025 loaders.
//! - [`population`]: single-year-of-age estimates.
//! - [`lookups`]: LSOA→MSOA, 2011↔2021, LSOA→ward, MSOA names.
//! - [`indicators`]: Fingertips CSV export and tidy CSV.
//! - `draft`: what the indicator loaders share (area context, period checks, the draft an
//!   indicator is gathered in).
//! - [`age_bands`]: age-band counts, directly standardised (Dobson) per area.
//! - [`standardisation`]: is a published value its crude rate, or directly/indirectly
//!   standardised?
//! - [`localities`]: the area→locality grouping.
//! - [`sites`]: service sites by postcode or lon/lat.
//! - [`postcodes`]: Code-Point Open + ONS postcode lookup.
//! - [`reproject`]: WGS84 ↔ British National Grid (and a file's own CRS) with GDAL.
//! - [`placement`]: placement demand/site CSVs and travel-time matrices.

pub mod age_bands;
pub mod boundaries;
pub mod csvfile;
mod draft;
pub mod imd;
pub mod indicators;
pub mod localities;
pub mod lookups;
pub mod placement;
pub mod population;
pub mod postcodes;
pub mod reach;
pub mod reproject;
pub mod sites;
pub mod standardisation;
pub mod table;
pub mod text;

use std::path::PathBuf;

/// Everything that can be wrong with an input file.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{path}: file not found. Run `gapmap fetch` (or check the path in the config).")]
    Missing { path: PathBuf },
    #[error("{path}: cannot read: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: the file is empty; expected {expected}")]
    Empty { path: PathBuf, expected: String },
    #[error("{path}:{line}: not valid UTF-8 text (byte {byte} of the line). Save the file as UTF-8 (in Excel: \"CSV UTF-8\").")]
    Encoding {
        path: PathBuf,
        line: usize,
        byte: usize,
    },
    #[error("{path}:{line}: malformed CSV: {message}")]
    Csv {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{path}: missing column {column:?}; the header has: {found}")]
    MissingColumn {
        path: PathBuf,
        column: String,
        found: String,
    },
    #[error("{path}:{line}: field {field:?} is {value:?}, expected {expected}")]
    BadValue {
        path: PathBuf,
        line: usize,
        field: String,
        value: String,
        expected: String,
    },
    #[error("{path}:{line}: count {count} exceeds denominator {denominator}; a proportion cannot be above 100%")]
    CountOverDenominator {
        path: PathBuf,
        line: usize,
        count: f64,
        denominator: f64,
    },
    #[error("{path}:{line}: field {field:?} is negative ({value}); counts and denominators must be 0 or more")]
    Negative {
        path: PathBuf,
        line: usize,
        field: String,
        value: f64,
    },
    #[error("{path}:{line}: area code {code:?} is not a {level} code in the area of interest ({known} known). Check the code, the level in the config, or the area of interest.")]
    UnknownArea {
        path: PathBuf,
        line: usize,
        code: String,
        level: String,
        known: usize,
    },
    #[error("{path}:{line}: duplicate row for {key} (first seen on line {first_line}); keep one row per area and period")]
    Duplicate {
        path: PathBuf,
        line: usize,
        key: String,
        first_line: usize,
    },
    #[error("{path}: feature {feature} ({code}): invalid geometry: {reason}. Repair it (e.g. `ogr2ogr -makevalid`) and load again.")]
    InvalidGeometry {
        path: PathBuf,
        feature: u64,
        code: String,
        reason: String,
    },
    #[error("{path}: the layer has no coordinate reference system. Assign one (e.g. `ogr2ogr -a_srs EPSG:27700`) or ship the .prj file.")]
    NoCrs { path: PathBuf },
    #[error("{path}: GDAL could not {action}: {message}")]
    Gdal {
        path: PathBuf,
        action: String,
        message: String,
    },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

impl IngestError {
    pub fn path(&self) -> &std::path::Path {
        match self {
            IngestError::Missing { path }
            | IngestError::Read { path, .. }
            | IngestError::Empty { path, .. }
            | IngestError::Encoding { path, .. }
            | IngestError::Csv { path, .. }
            | IngestError::MissingColumn { path, .. }
            | IngestError::BadValue { path, .. }
            | IngestError::CountOverDenominator { path, .. }
            | IngestError::Negative { path, .. }
            | IngestError::UnknownArea { path, .. }
            | IngestError::Duplicate { path, .. }
            | IngestError::InvalidGeometry { path, .. }
            | IngestError::NoCrs { path }
            | IngestError::Gdal { path, .. }
            | IngestError::Invalid { path, .. } => path,
        }
    }
}

/// Parse an optional number from a CSV field: empty → None.
pub(crate) fn parse_opt_f64(
    path: &std::path::Path,
    line: usize,
    field: &str,
    raw: &str,
) -> Result<Option<f64>, IngestError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    match trimmed.replace(',', "").parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        _ => Err(IngestError::BadValue {
            path: path.to_path_buf(),
            line,
            field: field.to_string(),
            value: raw.to_string(),
            expected: "a number (or empty)".into(),
        }),
    }
}

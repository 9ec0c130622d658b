//! User-facing CSV files (indicators, localities, sites) read with the `csv` crate, so every
//! error carries the exact line: malformed rows, ragged rows, bad encoding, empty files,
//! missing columns (listing the header that was found).

use super::{text, IngestError};
use std::path::Path;

/// Columns a user-facing CSV may have: the widest gapmap reads (a Fingertips export) has 27,
/// so a wider header is not one of its files, and refusing it early bounds the work and the
/// size of a "missing column" message.
pub(crate) const MAX_COLUMNS: usize = 1000;

/// A CSV with a header, read with the `csv` crate so errors carry line numbers.
pub(crate) struct Csv {
    pub path: std::path::PathBuf,
    pub header: Vec<String>,
    /// (1-based line, record); blank rows are skipped.
    pub records: Vec<(usize, csv::StringRecord)>,
}

impl Csv {
    pub fn read(path: &Path, expected: &str) -> Result<Csv, IngestError> {
        Csv::parse(path, &text::read_text(path, expected)?, expected)
    }

    /// Parse CSV text already read (a file's or an upload's, named `path` in errors).
    pub fn parse(path: &Path, text: &str, expected: &str) -> Result<Csv, IngestError> {
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
        if header.len() > MAX_COLUMNS {
            return Err(IngestError::Csv {
                path: path.into(),
                line: 1,
                message: format!(
                    "the header has {} columns; gapmap reads at most {MAX_COLUMNS}. Is this {expected}?",
                    header.len()
                ),
            });
        }
        let mut records = Vec::new();
        for result in reader.records() {
            let record = result.map_err(|e| {
                let line = e.position().map_or(0, |p| p.line() as usize);
                IngestError::Csv {
                    path: path.into(),
                    line,
                    message: csv_message(&e),
                }
            })?;
            let line = record.position().map_or(0, |p| p.line() as usize);
            if record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            records.push((line, record));
        }
        if records.is_empty() {
            return Err(IngestError::Empty {
                path: path.into(),
                expected: format!("{expected} (a header and at least one row)"),
            });
        }
        Ok(Csv {
            path: path.into(),
            header,
            records,
        })
    }

    pub fn col(&self, name: &str) -> Result<usize, IngestError> {
        self.header
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
            .ok_or_else(|| IngestError::MissingColumn {
                path: self.path.clone(),
                column: name.to_string(),
                found: self.header.join(", "),
            })
    }

    /// Several required columns at once, in the order named.
    pub fn cols<const N: usize>(&self, names: [&str; N]) -> Result<[usize; N], IngestError> {
        let mut out = [0; N];
        for (slot, name) in out.iter_mut().zip(names) {
            *slot = self.col(name)?;
        }
        Ok(out)
    }

    pub fn opt_col(&self, name: &str) -> Option<usize> {
        self.header
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
    }
}

fn csv_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("this row has {len} fields but the header has {expected_len}; check for unquoted commas")
        }
        _ => e.to_string(),
    }
}

/// A trimmed field, empty when the record is short.
pub(crate) fn field(r: &csv::StringRecord, i: usize) -> &str {
    r.get(i).unwrap_or("").trim()
}

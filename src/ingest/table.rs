//! National reference tables (IMD, population, lookups, postcodes) read through polars.
//!
//! Every column is read as text and converted here, so a bad cell is reported with its line
//! (header = line 1) and column instead of a type-inference failure deep inside polars.

use super::{text, IngestError};
use polars::prelude::*;
use std::io::Cursor;
use std::path::{Path, PathBuf};

/// A CSV table held as string columns.
pub struct Table {
    pub path: PathBuf,
    df: DataFrame,
}

impl Table {
    /// Read a CSV (optionally gzipped) with a header row.
    pub fn read(path: &Path) -> Result<Table, IngestError> {
        let bytes = text::read_bytes(path)?;
        if bytes.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(IngestError::Empty {
                path: path.to_path_buf(),
                expected: "a CSV table with a header row".into(),
            });
        }
        if let Err(e) = std::str::from_utf8(&bytes) {
            let valid = &bytes[..e.valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
            return Err(IngestError::Encoding {
                path: path.to_path_buf(),
                line,
                byte: e.valid_up_to() - line_start + 1,
            });
        }
        let df = CsvReadOptions::default()
            .with_has_header(true)
            .with_infer_schema_length(Some(0))
            .into_reader_with_file_handle(Cursor::new(bytes))
            .finish()
            .map_err(|e| IngestError::Csv {
                path: path.to_path_buf(),
                line: 0,
                message: e.to_string(),
            })?;
        Ok(Table {
            path: path.to_path_buf(),
            df,
        })
    }

    pub fn len(&self) -> usize {
        self.df.height()
    }

    pub fn is_empty(&self) -> bool {
        self.df.height() == 0
    }

    /// Column names, for error messages.
    pub fn header(&self) -> String {
        self.df
            .get_column_names()
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// A text column; missing cells are empty strings.
    pub fn strings(&self, column: &str) -> Result<Vec<String>, IngestError> {
        let col = self
            .df
            .column(column)
            .map_err(|_| IngestError::MissingColumn {
                path: self.path.clone(),
                column: column.to_string(),
                found: self.header(),
            })?;
        let ca = col.str().map_err(|e| IngestError::Csv {
            path: self.path.clone(),
            line: 0,
            message: e.to_string(),
        })?;
        Ok(ca
            .into_iter()
            .map(|v| v.unwrap_or("").trim().to_string())
            .collect())
    }

    /// A numeric column; every cell must parse.
    pub fn numbers(&self, column: &str) -> Result<Vec<f64>, IngestError> {
        self.strings(column)?
            .iter()
            .enumerate()
            .map(|(i, raw)| {
                raw.parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| IngestError::BadValue {
                        path: self.path.clone(),
                        line: i + 2,
                        field: column.to_string(),
                        value: raw.clone(),
                        expected: "a number".into(),
                    })
            })
            .collect()
    }

    /// A whole-number column (ranks, deciles, counts).
    pub fn integers(&self, column: &str) -> Result<Vec<u32>, IngestError> {
        self.strings(column)?
            .iter()
            .enumerate()
            .map(|(i, raw)| {
                raw.parse::<u32>().map_err(|_| IngestError::BadValue {
                    path: self.path.clone(),
                    line: i + 2,
                    field: column.to_string(),
                    value: raw.clone(),
                    expected: "a whole number".into(),
                })
            })
            .collect()
    }
}

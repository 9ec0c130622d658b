//! The analyst's CSV: header, rows with their line numbers, typed column access with errors
//! that name the line and column, and grouping.

use super::error::StatsRunError;
use std::collections::BTreeMap;

/// One group: its key (the grouping columns' values) and its row indexes.
pub type Group = (Vec<String>, Vec<usize>);

/// A parsed CSV: header and (1-based line, fields) rows; blank rows are skipped.
#[derive(Debug, Clone)]
pub struct Input {
    pub header: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
}

impl Input {
    pub fn parse(bytes: &[u8]) -> Result<Input, StatsRunError> {
        let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
            .map_err(|e| StatsRunError::Csv {
                line: 1 + bytes[..e.valid_up_to()]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count(),
                message: "not UTF-8 text; save the file as CSV UTF-8".into(),
            })?;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| StatsRunError::Csv {
                line: 1,
                message: e.to_string(),
            })?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| StatsRunError::Csv {
                line: e.position().map_or(0, |p| p.line() as usize),
                message: e.to_string(),
            })?;
            if record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            let line = record.position().map_or(0, |p| p.line() as usize);
            rows.push((line, record.iter().map(|f| f.trim().to_string()).collect()));
        }
        if rows.is_empty() {
            return Err(StatsRunError::Empty);
        }
        Ok(Input { header, rows })
    }

    /// Index of a column named by a flag; a clear error listing the header otherwise.
    pub fn column(&self, flag: &'static str, name: &str) -> Result<usize, StatsRunError> {
        self.header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| StatsRunError::MissingColumn {
                flag,
                column: name.to_string(),
                available: self.header.join(", "),
            })
    }

    /// A required column: the flag must be given and name a header column.
    pub fn required(
        &self,
        method: &'static str,
        flag: &'static str,
        name: &Option<String>,
    ) -> Result<usize, StatsRunError> {
        let name = name
            .as_deref()
            .ok_or(StatsRunError::NeedsColumn { method, flag })?;
        self.column(flag, name)
    }

    /// An optional column.
    pub fn optional(
        &self,
        flag: &'static str,
        name: &Option<String>,
    ) -> Result<Option<usize>, StatsRunError> {
        name.as_deref().map(|n| self.column(flag, n)).transpose()
    }

    /// A number in row `row`: empty or NA is missing.
    pub fn number(&self, row: usize, column: usize) -> Result<Option<f64>, StatsRunError> {
        let (line, fields) = &self.rows[row];
        let raw = fields.get(column).map_or("", String::as_str);
        if raw.is_empty() || raw.eq_ignore_ascii_case("na") {
            return Ok(None);
        }
        match raw.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(Some(v)),
            _ => Err(StatsRunError::NotANumber {
                line: *line,
                column: self.header[column].clone(),
                value: raw.to_string(),
            }),
        }
    }

    /// A count-like number: missing allowed, negative refused.
    pub fn count(
        &self,
        row: usize,
        column: usize,
        what: &'static str,
    ) -> Result<Option<f64>, StatsRunError> {
        let value = self.number(row, column)?;
        if let Some(v) = value.filter(|v| *v < 0.0) {
            return Err(StatsRunError::Negative {
                line: self.rows[row].0,
                column: self.header[column].clone(),
                value: v,
                what,
            });
        }
        Ok(value)
    }

    /// A population-like number: present and above 0.
    pub fn positive(
        &self,
        row: usize,
        column: usize,
        what: &'static str,
    ) -> Result<f64, StatsRunError> {
        match self.number(row, column)? {
            Some(v) if v > 0.0 => Ok(v),
            other => {
                if let Some(v) = other.filter(|v| *v < 0.0) {
                    return Err(StatsRunError::Negative {
                        line: self.rows[row].0,
                        column: self.header[column].clone(),
                        value: v,
                        what,
                    });
                }
                Err(StatsRunError::NotPositive {
                    line: self.rows[row].0,
                    column: self.header[column].clone(),
                    value: self.text(row, column).to_string(),
                    what,
                })
            }
        }
    }

    pub fn text(&self, row: usize, column: usize) -> &str {
        self.rows[row].1.get(column).map_or("", String::as_str)
    }

    pub fn line(&self, row: usize) -> usize {
        self.rows[row].0
    }

    /// Row indexes per group (sorted by the group's values, as dplyr sorts groups), with the
    /// grouping columns' indexes. No grouping columns: one group of every row.
    pub fn groups(&self, group_by: &[String]) -> Result<(Vec<usize>, Vec<Group>), StatsRunError> {
        let columns = group_by
            .iter()
            .map(|g| self.column("--group-by", g))
            .collect::<Result<Vec<_>, _>>()?;
        let mut groups: BTreeMap<Vec<String>, Vec<usize>> = BTreeMap::new();
        for row in 0..self.rows.len() {
            let key = columns
                .iter()
                .map(|&c| self.text(row, c).to_string())
                .collect();
            groups.entry(key).or_default().push(row);
        }
        Ok((columns, groups.into_iter().collect()))
    }

    /// "12-30" or "12, 15, 19": the lines of a group, for error messages.
    pub fn lines(&self, rows: &[usize]) -> String {
        match (rows.first(), rows.last()) {
            (Some(&a), Some(&b)) if rows.len() > 3 => format!("{}-{}", self.line(a), self.line(b)),
            _ => rows
                .iter()
                .map(|&r| self.line(r).to_string())
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

//! The output table: columns with the package's names and roles, built row by row, trimmed
//! to the package's `type` choice.

use super::request::OutputType;

/// A cell of the output table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// R's NA.
    Empty,
    Text(String),
    Number(f64),
}

impl From<Option<f64>> for Cell {
    fn from(x: Option<f64>) -> Cell {
        x.map_or(Cell::Empty, Cell::Number)
    }
}

/// What a column holds, for the package's `type` argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Grouping and input columns: always kept.
    Key,
    Value,
    Lower,
    Upper,
    /// Other results (counts, totals, reliability): dropped by value/lower/upper.
    Data,
    /// confidence, statistic, method: dropped by standard/value/lower/upper.
    Meta,
}

/// One output column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub role: Role,
    pub cells: Vec<Cell>,
}

/// The result: columns with the package's names, and the method notes every output carries.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputTable {
    pub columns: Vec<Column>,
    pub notes: Vec<String>,
}

impl OutputTable {
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, |c| c.cells.len())
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// Builds a table row by row; the first row fixes the columns.
#[derive(Debug, Default)]
pub(crate) struct TableBuilder {
    columns: Vec<Column>,
}

impl TableBuilder {
    pub fn push(&mut self, row: Vec<(String, Role, Cell)>) {
        if self.columns.is_empty() {
            self.columns = row
                .iter()
                .map(|(name, role, _)| Column {
                    name: name.clone(),
                    role: *role,
                    cells: Vec::new(),
                })
                .collect();
        }
        for (column, (_, _, cell)) in self.columns.iter_mut().zip(row) {
            column.cells.push(cell);
        }
    }

    pub fn finish(self, output_type: OutputType, notes: Vec<String>) -> OutputTable {
        let keep = |role: Role| match output_type {
            OutputType::Full => true,
            OutputType::Standard => role != Role::Meta,
            OutputType::Value => matches!(role, Role::Key | Role::Value),
            OutputType::Lower => matches!(role, Role::Key | Role::Lower),
            OutputType::Upper => matches!(role, Role::Key | Role::Upper),
        };
        OutputTable {
            columns: self.columns.into_iter().filter(|c| keep(c.role)).collect(),
            notes,
        }
    }
}

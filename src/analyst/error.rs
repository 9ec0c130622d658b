//! Why `gapmap stats` cannot produce its table.

/// Why `gapmap stats` cannot produce its table; every variant names what to fix.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StatsRunError {
    #[error("unknown method {method:?}; choose one of {allowed}")]
    UnknownMethod { method: String, allowed: String },
    #[error("method {method} needs {flag} (the name of a column)")]
    NeedsColumn {
        method: &'static str,
        flag: &'static str,
    },
    #[error("column {column:?} (given by {flag}) is not in the CSV header; the columns are: {available}")]
    MissingColumn {
        flag: &'static str,
        column: String,
        available: String,
    },
    #[error("the CSV is not readable at line {line}: {message}")]
    Csv { line: usize, message: String },
    #[error("the CSV has a header but no rows")]
    Empty,
    #[error("line {line}, column {column:?}: {value:?} is not a number (leave it empty or NA for missing)")]
    NotANumber {
        line: usize,
        column: String,
        value: String,
    },
    #[error("line {line}, column {column:?}: {value} is negative; {what} must be 0 or more")]
    Negative {
        line: usize,
        column: String,
        value: f64,
        what: &'static str,
    },
    #[error("line {line}, column {column:?}: {what} is missing or not above 0 ({value:?})")]
    NotPositive {
        line: usize,
        column: String,
        value: String,
        what: &'static str,
    },
    #[error("line {line}: count {x} in {x_column:?} exceeds denominator {n} in {n_column:?}; a proportion's count must be at most its denominator (use --method rate for rates)")]
    CountOverDenominator {
        line: usize,
        x_column: String,
        n_column: String,
        x: f64,
        n: f64,
    },
    #[error("confidence: {0}")]
    Confidence(#[from] crate::stats::confidence::ConfidenceError),
    #[error("{0}")]
    Options(String),
    #[error("group {group} (lines {lines}): {reason}")]
    Group {
        group: String,
        lines: String,
        reason: String,
    },
}

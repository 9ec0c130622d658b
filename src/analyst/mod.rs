//! `gapmap stats`: PHEindicatormethods-style calculations on an analyst's own CSV.
//!
//! [`run`] is pure — a [`StatsRequest`] and the CSV's bytes in, an [`OutputTable`] (with its
//! method notes) out — so the CLI (`src/cli/stats.rs`) and an HTTP handler are thin adapters:
//! parse the request, read the bytes, call [`run`], write the table with
//! [`crate::export::table`]. Errors are [`StatsRunError`]s naming the CSV line and column.
//!
//! Methods ([`Method`]) and the package function each mirrors, with the package's output
//! column names:
//!
//! | method | package | output columns (one confidence level; two give `lower95_0cl` …) |
//! |---|---|---|
//! | `proportion` | `phe_proportion` | x, n, value, lowercl, uppercl, confidence, statistic, method |
//! | `rate` | `phe_rate` | x, n, value, lowercl, uppercl, confidence, statistic, method |
//! | `mean` | `phe_mean` | value_sum, value_count, stdev, value, lowercl, uppercl, confidence, statistic, method |
//! | `dsr` | `calculate_dsr` | total_count, total_pop, value, lowercl, uppercl, confidence, statistic, method |
//! | `isratio` | `calculate_ISRatio` | observed, expected, value, lowercl, uppercl, confidence, statistic, method |
//! | `israte` | `calculate_ISRate` | observed, expected, ref_rate, value, lowercl, uppercl, confidence, statistic, method |
//! | `quantile` | `phe_quantile` | the input columns, quantile, nquantiles, groupvars, qinverted |
//! | `sii` | `phe_sii` | sii, [rii], sii_lower95_0cl, sii_upper95_0cl, …, [sii_mad95_0], [intercept], indicator_type, multiplier, transform, CI_confidence, CI_method |
//!
//! Grouping columns (`--group-by`, the package's `group_by()`) come first in every output. As
//! in the package, `proportion` and `rate` work row by row unless grouped (then counts and
//! denominators are summed per group); the other methods need one group per area (DSR, ISR,
//! SII) or per set of areas (quantiles). `--type` keeps the package's `type` choices.
//!
//! Results are not suppressed: they are computed on the analyst's own data and returned to
//! them; the method notes say so, and say to apply small-number suppression before publishing.

mod input;
mod methods;

use crate::stats::confidence::ConfidenceLevel;
use crate::stats::sii::DEFAULT_SEED;
use crate::stats::sii_options::SiiValueType;
use serde::{Deserialize, Serialize};

pub use input::Input;

/// Which calculation to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Proportions with Wilson score limits (phe_proportion).
    Proportion,
    /// Crude rates, exact Poisson limits below 10 events, Byar's from 10 (phe_rate).
    Rate,
    /// Means with Student's t limits (phe_mean).
    Mean,
    /// Directly standardised rates, Dobson limits (calculate_dsr).
    Dsr,
    /// Indirectly standardised ratios (calculate_ISRatio).
    Isratio,
    /// Indirectly standardised rates (calculate_ISRate).
    Israte,
    /// Quantile assignment within groups (phe_quantile).
    Quantile,
    /// Slope and relative index of inequality (phe_sii).
    Sii,
}

impl Method {
    pub const ALL: [Method; 8] = [
        Method::Proportion,
        Method::Rate,
        Method::Mean,
        Method::Dsr,
        Method::Isratio,
        Method::Israte,
        Method::Quantile,
        Method::Sii,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Proportion => "proportion",
            Method::Rate => "rate",
            Method::Mean => "mean",
            Method::Dsr => "dsr",
            Method::Isratio => "isratio",
            Method::Israte => "israte",
            Method::Quantile => "quantile",
            Method::Sii => "sii",
        }
    }
}

impl std::str::FromStr for Method {
    type Err = StatsRunError;
    fn from_str(text: &str) -> Result<Method, StatsRunError> {
        Method::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| StatsRunError::UnknownMethod {
                method: text.to_string(),
                allowed: Method::ALL.map(Method::as_str).join(", "),
            })
    }
}

/// The standard population for `dsr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Standard {
    /// European Standard Population 2013, 19 bands 0-4 … 90+, matched by position.
    Esp2013,
    /// European Standard Population 1976, 19 bands <1, 1-4, … 85+, matched by position.
    Esp1976,
}

/// The package's `type` argument: which columns to output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputType {
    /// Everything, with the metadata columns (confidence, statistic, method).
    Full,
    /// Everything but the metadata columns.
    Standard,
    /// Only the value.
    Value,
    /// Only the lower limit(s).
    Lower,
    /// Only the upper limit(s).
    Upper,
}

/// `value_type` for `sii`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ValueTypeArg {
    /// 0: normally distributed values (means, life expectancy).
    Normal,
    /// 1: rates (log scale).
    Rate,
    /// 2: proportions between 0 and 1 (logit scale).
    Proportion,
}

impl From<ValueTypeArg> for SiiValueType {
    fn from(v: ValueTypeArg) -> SiiValueType {
        match v {
            ValueTypeArg::Normal => SiiValueType::Normal,
            ValueTypeArg::Rate => SiiValueType::Rate,
            ValueTypeArg::Proportion => SiiValueType::Proportion,
        }
    }
}

/// Everything `gapmap stats` (and a future `POST /api/stats`) needs besides the CSV.
#[derive(Debug, Clone, clap::Args, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatsRequest {
    /// The calculation to run.
    #[arg(long, value_enum)]
    pub method: Method,
    /// Grouping columns (repeat or comma-separate), like dplyr::group_by before the package call.
    #[arg(long = "group-by", value_delimiter = ',')]
    #[serde(default)]
    pub group_by: Vec<String>,
    /// Column of event counts / numerators (package argument x).
    #[arg(long)]
    #[serde(default)]
    pub x: Option<String>,
    /// Column of denominators / band populations (package argument n).
    #[arg(long)]
    #[serde(default)]
    pub n: Option<String>,
    /// Column of values (mean: the observations; quantile: the values to rank; sii: the quantile values).
    #[arg(long)]
    #[serde(default)]
    pub value: Option<String>,
    /// Column of 95% lower limits (sii).
    #[arg(long = "lower-cl")]
    #[serde(default)]
    pub lower_cl: Option<String>,
    /// Column of 95% upper limits (sii).
    #[arg(long = "upper-cl")]
    #[serde(default)]
    pub upper_cl: Option<String>,
    /// Column of standard errors (sii; used instead of the limits).
    #[arg(long)]
    #[serde(default)]
    pub se: Option<String>,
    /// Column of standard populations (dsr); without it the --standard table is matched by position.
    #[arg(long)]
    #[serde(default)]
    pub stdpop: Option<String>,
    /// Bundled standard population for dsr when --stdpop is not given.
    #[arg(long, value_enum, default_value = "esp2013")]
    #[serde(default = "default_standard")]
    pub standard: Standard,
    /// dsr with non-independent events: column of events per person (x is then people at that frequency).
    #[arg(long)]
    #[serde(default)]
    pub eventfreq: Option<String>,
    /// dsr with non-independent events: column naming the age band.
    #[arg(long)]
    #[serde(default)]
    pub ageband: Option<String>,
    /// isratio/israte: column of reference events per band (package x_ref).
    #[arg(long = "x-ref")]
    #[serde(default)]
    pub x_ref: Option<String>,
    /// isratio/israte: column of reference population per band (package n_ref).
    #[arg(long = "n-ref")]
    #[serde(default)]
    pub n_ref: Option<String>,
    /// isratio/israte: column of reference rates per person per band, instead of --x-ref/--n-ref.
    #[arg(long = "ref-rate")]
    #[serde(default)]
    pub ref_rate: Option<String>,
    /// israte with --ref-rate: the overall reference rate per person (e.g. 0.0021).
    #[arg(long = "overall-ref-rate")]
    #[serde(default)]
    pub overall_ref_rate: Option<f64>,
    /// isratio: the reference ratio (1, or 100 for ratios ×100).
    #[arg(long, default_value_t = 1.0)]
    #[serde(default = "one")]
    pub refvalue: f64,
    /// sii: column of quantile labels (1 = most deprived), sorted numerically when they are numbers.
    #[arg(long)]
    #[serde(default)]
    pub quantile: Option<String>,
    /// sii: column of quantile populations.
    #[arg(long)]
    #[serde(default)]
    pub population: Option<String>,
    /// Confidence level(s): 0.95, 95 or 99.8; repeat or comma-separate for two (e.g. 95,99.8). Any level in (0, 1].
    #[arg(long, value_delimiter = ',', default_value = "0.95")]
    #[serde(default = "default_levels")]
    pub confidence: Vec<ConfidenceLevel>,
    /// Scale of the output (100 = percentage, 100000 = per 100,000). Default: the package's (proportion 1, rates 100000, sii 1).
    #[arg(long, allow_negative_numbers = true)]
    #[serde(default)]
    pub multiplier: Option<f64>,
    /// Which columns to output (the package's type argument).
    #[arg(long = "type", value_enum, default_value = "full")]
    #[serde(default = "default_type", rename = "type")]
    pub output_type: OutputType,
    /// quantile: how many quantiles.
    #[arg(long, default_value_t = 10)]
    #[serde(default = "ten")]
    pub nquantiles: u32,
    /// quantile: lowest quantile = highest values (the package default, true) or lowest values (false).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    #[serde(default = "yes")]
    pub invert: bool,
    /// sii: the indicator type (package value_type 0/1/2).
    #[arg(long = "value-type", value_enum, default_value = "normal")]
    #[serde(default = "default_value_type")]
    pub value_type: ValueTypeArg,
    /// sii: regress on the log (rates) or logit (proportions) scale and back-transform.
    #[arg(long)]
    #[serde(default)]
    pub transform: bool,
    /// sii: also output the relative index of inequality.
    #[arg(long)]
    #[serde(default)]
    pub rii: bool,
    /// sii: also output the intercept (fitted value at rank 0).
    #[arg(long)]
    #[serde(default)]
    pub intercept: bool,
    /// sii: run the simulation 10 times and output the mean absolute difference of the limits.
    #[arg(long = "reliability-stat")]
    #[serde(default)]
    pub reliability_stat: bool,
    /// sii: Monte Carlo repetitions (at least 1000).
    #[arg(long, default_value_t = 100_000)]
    #[serde(default = "default_reps")]
    pub repetitions: u32,
    /// sii: random seed, so results are reproducible.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    #[serde(default = "default_seed")]
    pub seed: u64,
}

fn default_standard() -> Standard {
    Standard::Esp2013
}
fn one() -> f64 {
    1.0
}
fn ten() -> u32 {
    10
}
fn yes() -> bool {
    true
}
fn default_levels() -> Vec<ConfidenceLevel> {
    vec![ConfidenceLevel::P95]
}
fn default_type() -> OutputType {
    OutputType::Full
}
fn default_value_type() -> ValueTypeArg {
    ValueTypeArg::Normal
}
fn default_reps() -> u32 {
    100_000
}
fn default_seed() -> u64 {
    DEFAULT_SEED
}

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

/// Run one calculation on a CSV (UTF-8, header row, comma-separated).
pub fn run(request: &StatsRequest, csv: &[u8]) -> Result<OutputTable, StatsRunError> {
    if request.confidence.is_empty() || request.confidence.len() > 2 {
        return Err(StatsRunError::Options(format!(
            "give one or two confidence levels (e.g. 0.95 or 95,99.8); got {}",
            request.confidence.len()
        )));
    }
    let input = Input::parse(csv)?;
    methods::run(request, &input)
}

#[cfg(test)]
mod tests;

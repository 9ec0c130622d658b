//! What an analyst asks `gapmap stats` for: the method, the columns, the options, with the
//! package's defaults (deserialised from CLI flags or a `POST /api/stats` body).

use super::error::StatsRunError;
use crate::stats::confidence::ConfidenceLevel;
use crate::stats::sii::DEFAULT_SEED;
use crate::stats::sii_options::SiiValueType;
use serde::{Deserialize, Serialize};

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

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

mod error;
mod input;
mod methods;
mod request;
mod table;

pub use error::StatsRunError;
pub use input::Input;
pub use request::{Method, OutputType, Standard, StatsRequest, ValueTypeArg};
pub use table::{Cell, Column, OutputTable, Role};

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

//! Gap tables: an indicator's areas grouped by deprivation (national IMD decile or quintile,
//! local quintile), by locality or area by area — optionally within one locality — with each
//! group's value and intervals, comparisons with England and the county, the absolute and
//! relative gap between the most and least deprived groups, the SII/RII and the fitted line a
//! chart draws.
//!
//! This is the engine: it applies the statistics ([`crate::stats`]) and the small-number rule
//! of one table to the [`crate::dataset::Dataset`]. What may be *published* — the same table
//! after the disclosure audit across every table — comes from [`crate::public`], the only way
//! outside this crate to get a table. Output formats live in [`crate::export`].
//!
//! - [`request`]: [`GapRequest`], [`GroupBy`] and [`GapError`].
//! - [`table`]: the table types ([`GapTable`], [`GapGroup`], [`GapSummary`], [`SiiLine`]).
//! - `engine`: `gap_table`, the sequence of stages below.
//! - `groups` (stage 1: areas into rows), `estimates` (2: values and intervals),
//!   `suppression` (3: the engine's rule), `summary` (4: gaps, SII/RII, chart geometry),
//!   `notes` (method and suppression notes); [`standardised`] is stage 2 for directly and
//!   indirectly standardised indicators (which rows can be recomputed, and why not).

mod computed;
mod engine;
mod estimates;
mod groups;
mod notes;
pub mod request;
pub mod standardised;
mod summary;
mod suppression;
pub mod table;
#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;

pub use crate::stats::Estimate;
pub(crate) use engine::gap_table;
pub use request::{GapError, GapRequest, GroupBy, UnknownGroupBy};
pub use standardised::NotRecomputed;
pub(crate) use suppression::suppressed_areas;
pub use table::{GapGroup, GapSummary, GapTable, SiiLine};

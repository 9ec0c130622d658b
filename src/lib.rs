//! gapmap: where are children's health gaps, and where should the services that close them go?
//!
//! # Layout
//! - [`level`]: the geography levels (MSOA/LSOA 2011 and 2021, wards, LA, locality).
//! - [`imd`]: IoD score method (exponential transform, domain weights), deciles, ranks.
//! - [`dataset`]: the immutable joined [`dataset::Dataset`] and its R-tree/code indexes.
//! - [`stats`]: pure statistical methods (Wilson, Byar, exact Poisson, means, gaps, SII/RII,
//!   significance, suppression), one method per file with formula and source.
//! - [`gaps`]: gap tables (by IMD decile/quintile, local quintile, locality, area) built from the
//!   Dataset, already suppressed; per-area comparisons; the `gapmap gaps` arguments.
//! - [`export`]: gap tables as CSV, Parquet and XLSX (with method notes); atomic file writes.

pub mod dataset;
pub mod export;
pub mod gaps;
pub mod imd;
pub mod level;
pub mod stats;

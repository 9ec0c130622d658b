//! Downloads of gap tables: CSV and Parquet (via polars), XLSX (rust_xlsxwriter) with a data
//! sheet, a chart-ready sheet and a method-notes sheet, and an aligned text table for a
//! terminal ([`render_table`]); [`table`] writes `gapmap stats` tables in the same three
//! formats. Files are written by [`crate::fsutil`].
//!
//! Every format carries the same rows ([`rows`]): one per group, then one per summary measure
//! (absolute gap, relative gap, SII, RII). Suppressed cells are empty (null) and the row's
//! `suppressed` column is true; the value is never written. Each row carries `synthetic` so a
//! synthetic figure cannot be separated from its label.
//!
//! [`placement`] encodes placement reports (CSV, GeoJSON, XLSX) the same way; [`trend`] turns
//! a gap trend into a [`table`] table (CSV, XLSX) with its verdict and method notes. Text cells
//! of CSV and XLSX outputs go through [`formula::neutralise`] (no formula injection).

mod csv;
pub mod formula;
mod parquet;
pub mod placement;
mod rows;
pub mod table;
mod text;
pub mod trend;
mod xlsx;

pub use self::csv::write_csv;
pub use self::parquet::write_parquet;
pub use self::rows::{rows, ExportError, ExportRow};
pub use self::text::render_table;
pub use self::xlsx::write_xlsx;

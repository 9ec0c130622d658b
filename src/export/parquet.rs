//! Gap tables as Parquet (polars `ParquetWriter`), same columns as the CSV.

use super::csv::frame;
use super::rows::ExportError;
use crate::gaps::GapTable;
use polars::prelude::*;
use std::io::Write;

/// Write the gap table as a Parquet file (zstd-compressed by polars' default).
pub fn write_parquet(table: &GapTable, w: &mut dyn Write) -> Result<(), ExportError> {
    let mut df = frame(table, false)?;
    ParquetWriter::new(w).finish(&mut df)?;
    Ok(())
}

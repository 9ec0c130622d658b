//! `gapmap stats` tables ([`crate::analyst::OutputTable`]) as CSV, XLSX and Parquet, each
//! carrying the method notes:
//!
//! - **CSV**: the data alone by default, so R `read.csv`, readr, pandas and Excel read it
//!   with their defaults; the notes go to a sidecar file (`<file>.notes.txt`, written by the
//!   CLI). [`CsvNotes::Comment`] instead puts them first as `# ` lines, which readr
//!   (`comment = "#"`) and pandas (`comment="#"`) skip but R's `read.csv` and Excel do not.
//! - **XLSX**: a "Data" sheet and a "Method notes" sheet.
//! - **Parquet**: the notes in the file's key-value metadata under [`NOTES_KEY`], one note per
//!   line (pyarrow: `pq.read_schema(f).metadata`; R arrow: `read_parquet(f, as_data_frame =
//!   FALSE)$metadata`).
//!
//! Missing values (the package's NA) are empty CSV cells, blank XLSX cells and Parquet nulls;
//! infinite limits (at 100% confidence) are written as `Inf`/`-Inf` in CSV and text in XLSX.

use super::ExportError;
use crate::analyst::{Cell, OutputTable};
use polars::prelude::*;
use std::io::Write;

/// Parquet key-value metadata key holding the method notes.
pub const NOTES_KEY: &str = "gapmap.method_notes";

/// Where the CSV's method notes go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CsvNotes {
    /// Not in the CSV (the caller writes a sidecar file).
    Sidecar,
    /// A leading block of `# ` lines.
    Comment,
}

fn number_text(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else if x.is_infinite() {
        if x > 0.0 { "Inf" } else { "-Inf" }.to_string()
    } else {
        format!("{x}")
    }
}

fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(t) => t.clone(),
        Cell::Number(x) => number_text(*x),
    }
}

/// The notes as plain text, one per line.
pub fn notes_text(table: &OutputTable) -> String {
    let mut text = table.notes.join("\n");
    text.push('\n');
    text
}

/// Write the table as CSV (header row, comma-separated, empty cells for NA).
pub fn write_table_csv(
    table: &OutputTable,
    notes: CsvNotes,
    w: &mut dyn Write,
) -> Result<(), ExportError> {
    if notes == CsvNotes::Comment {
        for note in &table.notes {
            writeln!(w, "# {note}")?;
        }
    }
    let mut writer = csv::Writer::from_writer(w);
    let io = |e: csv::Error| ExportError::Write(std::io::Error::other(e));
    writer
        .write_record(table.columns.iter().map(|c| c.name.as_str()))
        .map_err(io)?;
    for row in 0..table.rows() {
        writer
            .write_record(table.columns.iter().map(|c| match &c.cells[row] {
                Cell::Text(t) => super::formula::neutralise(t).into_owned(),
                other => cell_text(other),
            }))
            .map_err(io)?;
    }
    writer.flush()?;
    Ok(())
}

/// Write the table as an XLSX workbook ("Data" and "Method notes" sheets).
pub fn write_table_xlsx(table: &OutputTable) -> Result<Vec<u8>, ExportError> {
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let data = workbook.add_worksheet();
    data.set_name("Data")?;
    for (col, column) in table.columns.iter().enumerate() {
        let col = col as u16;
        data.write_string_with_format(0, col, &column.name, &bold)?;
        for (row, cell) in column.cells.iter().enumerate() {
            let row = row as u32 + 1;
            match cell {
                Cell::Empty => {}
                Cell::Number(x) if x.is_finite() => {
                    data.write_number(row, col, *x)?;
                }
                Cell::Number(x) => {
                    data.write_string(row, col, number_text(*x))?;
                }
                Cell::Text(t) => {
                    data.write_string(row, col, super::formula::neutralise(t))?;
                }
            }
        }
    }
    let sheet = workbook.add_worksheet();
    sheet.set_name("Method notes")?;
    sheet.write_string_with_format(0, 0, "Method notes", &bold)?;
    for (i, note) in table.notes.iter().enumerate() {
        sheet.write_string(i as u32 + 1, 0, note)?;
    }
    Ok(workbook.save_to_buffer()?)
}

/// A column is numeric when none of its cells is text.
fn frame(table: &OutputTable) -> Result<DataFrame, ExportError> {
    let columns = table
        .columns
        .iter()
        .map(|c| {
            let numeric = c.cells.iter().all(|cell| !matches!(cell, Cell::Text(_)));
            if numeric {
                let values: Vec<Option<f64>> = c
                    .cells
                    .iter()
                    .map(|cell| match cell {
                        Cell::Number(x) => Some(*x),
                        _ => None,
                    })
                    .collect();
                Column::new(c.name.as_str().into(), values)
            } else {
                let values: Vec<Option<String>> = c
                    .cells
                    .iter()
                    .map(|cell| match cell {
                        Cell::Empty => None,
                        other => Some(cell_text(other)),
                    })
                    .collect();
                Column::new(c.name.as_str().into(), values)
            }
        })
        .collect();
    Ok(DataFrame::new(columns)?)
}

/// Write the table as Parquet with the notes in the key-value metadata.
pub fn write_table_parquet(table: &OutputTable, w: &mut dyn Write) -> Result<(), ExportError> {
    let mut df = frame(table)?;
    df.align_chunks_par();
    let mut writer = ParquetWriter::new(w).batched(df.schema())?;
    writer.write_batch(&df)?;
    let notes = polars_parquet_format::KeyValue::new(NOTES_KEY.to_string(), table.notes.join("\n"));
    let mut file = writer
        .get_writer()
        .lock()
        .map_err(|_| ExportError::Write(std::io::Error::other("parquet writer lock poisoned")))?;
    file.end(Some(vec![notes]))?;
    Ok(())
}

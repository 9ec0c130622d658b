//! Gap tables as CSV (polars `CsvWriter`) and the shared polars frame.

use super::rows::{rows, ExportError, ExportRow};
use crate::gaps::GapTable;
use polars::prelude::*;
use std::io::Write;

/// The gap table as a polars frame: one row per group and per summary measure. With
/// `for_spreadsheet`, text cells are neutralised against formula injection.
pub(super) fn frame(table: &GapTable, for_spreadsheet: bool) -> Result<DataFrame, ExportError> {
    let rows = rows(table);
    let n = rows.len();
    let cell = |s: &str| -> String {
        if for_spreadsheet {
            super::formula::neutralise(s).into_owned()
        } else {
            s.to_string()
        }
    };
    let text = |f: &dyn Fn(&ExportRow) -> Option<String>| -> Vec<Option<String>> {
        rows.iter().map(|r| f(r).map(|s| cell(&s))).collect()
    };
    let num = |f: &dyn Fn(&ExportRow) -> Option<f64>| -> Vec<Option<f64>> {
        rows.iter().map(f).collect()
    };
    let edition = table.edition.map(|e| e.as_str().to_string());
    let df = DataFrame::new(vec![
        Column::new("row_type".into(), text(&|r| Some(r.row_type.to_string()))),
        Column::new("indicator_id".into(), vec![cell(&table.indicator.id); n]),
        Column::new(
            "indicator_name".into(),
            vec![cell(&table.indicator.name); n],
        ),
        Column::new("synthetic".into(), vec![table.synthetic; n]),
        Column::new("period".into(), vec![cell(&table.indicator.period); n]),
        Column::new("group_by".into(), vec![table.by.as_str().to_string(); n]),
        Column::new("level".into(), vec![table.level.as_str().to_string(); n]),
        Column::new("imd_edition".into(), vec![edition; n]),
        Column::new("key".into(), text(&|r| Some(r.key.clone()))),
        Column::new("label".into(), text(&|r| Some(r.label.clone()))),
        Column::new(
            "order".into(),
            rows.iter().map(|r| r.order).collect::<Vec<Option<u32>>>(),
        ),
        Column::new(
            "areas".into(),
            rows.iter().map(|r| r.areas).collect::<Vec<Option<u32>>>(),
        ),
        Column::new(
            "population".into(),
            rows.iter()
                .map(|r| r.population)
                .collect::<Vec<Option<u64>>>(),
        ),
        Column::new("count".into(), num(&|r| r.count)),
        Column::new("denominator".into(), num(&|r| r.denominator)),
        Column::new("value".into(), num(&|r| r.value)),
        Column::new("lower95".into(), num(&|r| r.lower95)),
        Column::new("upper95".into(), num(&|r| r.upper95)),
        Column::new("lower998".into(), num(&|r| r.lower998)),
        Column::new("upper998".into(), num(&|r| r.upper998)),
        Column::new(
            "suppressed".into(),
            rows.iter().map(|r| r.suppressed).collect::<Vec<bool>>(),
        ),
        Column::new(
            "vs_england_95".into(),
            text(&|r| r.vs_england_95.map(str::to_string)),
        ),
        Column::new(
            "vs_england_998".into(),
            text(&|r| r.vs_england_998.map(str::to_string)),
        ),
        Column::new(
            "vs_county_95".into(),
            text(&|r| r.vs_county_95.map(str::to_string)),
        ),
        Column::new(
            "vs_county_998".into(),
            text(&|r| r.vs_county_998.map(str::to_string)),
        ),
        Column::new("note".into(), text(&|r| Some(r.note.clone()))),
    ])?;
    Ok(df)
}

/// Write the gap table as CSV (header row, comma-separated, empty cells for nulls).
pub fn write_csv(table: &GapTable, w: &mut dyn Write) -> Result<(), ExportError> {
    let mut df = frame(table, true)?;
    CsvWriter::new(w).include_header(true).finish(&mut df)?;
    Ok(())
}

//! Gap tables as an Excel workbook (rust_xlsxwriter): "Data" (every row and column of the
//! CSV), "Chart data" (group, value, lower, upper — ready for a bar chart with error bars)
//! and "Method notes" (methods, sources, OGL attribution, suppression rule, and a SYNTHETIC
//! warning first when the indicator is synthetic).

use super::formula::neutralise;
use super::rows::{rows, ExportError, ExportRow};
use crate::gaps::GapTable;
use rust_xlsxwriter::{Format, Workbook, Worksheet};

const DATA_HEADERS: [&str; 22] = [
    "row_type",
    "indicator_id",
    "indicator_name",
    "synthetic",
    "period",
    "group_by",
    "level",
    "imd_edition",
    "key",
    "label",
    "order",
    "areas",
    "population",
    "count",
    "denominator",
    "value",
    "lower95",
    "upper95",
    "lower998",
    "upper998",
    "suppressed",
    "note",
];

fn opt_number(ws: &mut Worksheet, row: u32, col: u16, x: Option<f64>) -> Result<(), ExportError> {
    if let Some(x) = x.filter(|x| x.is_finite()) {
        ws.write_number(row, col, x)?;
    }
    Ok(())
}

fn data_row(
    ws: &mut Worksheet,
    table: &GapTable,
    row: u32,
    r: &ExportRow,
) -> Result<(), ExportError> {
    ws.write_string(row, 0, r.row_type)?;
    ws.write_string(row, 1, neutralise(&table.indicator.id))?;
    ws.write_string(row, 2, neutralise(&table.indicator.name))?;
    ws.write_boolean(row, 3, table.synthetic)?;
    ws.write_string(row, 4, neutralise(&table.indicator.period))?;
    ws.write_string(row, 5, table.by.as_str())?;
    ws.write_string(row, 6, table.level.as_str())?;
    if let Some(e) = table.edition {
        ws.write_string(row, 7, e.as_str())?;
    }
    ws.write_string(row, 8, neutralise(&r.key))?;
    ws.write_string(row, 9, neutralise(&r.label))?;
    opt_number(ws, row, 10, r.order.map(f64::from))?;
    opt_number(ws, row, 11, r.areas.map(f64::from))?;
    opt_number(ws, row, 12, r.population.map(|p| p as f64))?;
    opt_number(ws, row, 13, r.count)?;
    opt_number(ws, row, 14, r.denominator)?;
    opt_number(ws, row, 15, r.value)?;
    opt_number(ws, row, 16, r.lower95)?;
    opt_number(ws, row, 17, r.upper95)?;
    opt_number(ws, row, 18, r.lower998)?;
    opt_number(ws, row, 19, r.upper998)?;
    ws.write_boolean(row, 20, r.suppressed)?;
    ws.write_string(row, 21, neutralise(&r.note))?;
    Ok(())
}

/// The gap table as XLSX bytes.
pub fn write_xlsx(table: &GapTable) -> Result<Vec<u8>, ExportError> {
    let bold = Format::new().set_bold();
    let rows = rows(table);
    let mut workbook = Workbook::new();

    let data = workbook.add_worksheet();
    data.set_name("Data")?;
    for (col, h) in DATA_HEADERS.iter().enumerate() {
        data.write_string_with_format(0, col as u16, *h, &bold)?;
    }
    for (i, r) in rows.iter().enumerate() {
        data_row(data, table, i as u32 + 1, r)?;
    }

    let chart = workbook.add_worksheet();
    chart.set_name("Chart data")?;
    for (col, h) in ["group", "value", "lower", "upper", "suppressed"]
        .iter()
        .enumerate()
    {
        chart.write_string_with_format(0, col as u16, *h, &bold)?;
    }
    for (i, r) in rows.iter().filter(|r| r.row_type == "group").enumerate() {
        let row = i as u32 + 1;
        chart.write_string(row, 0, neutralise(&r.label))?;
        opt_number(chart, row, 1, r.value)?;
        opt_number(chart, row, 2, r.lower95)?;
        opt_number(chart, row, 3, r.upper95)?;
        chart.write_boolean(row, 4, r.suppressed)?;
    }

    let mut lines: Vec<String> = table.method_notes.clone();
    lines.push(format!("Suppression: {}", table.suppression_note));
    if let Some(r) = &table.summary.reliability {
        lines.push(format!("SII/RII reliability: {r}"));
    }
    lines.extend(table.summary.notes.iter().cloned());
    if let Some(e) = &table.england {
        lines.push(
            format!(
                "England benchmark: {} {}",
                e.value
                    .map(|v| format!("{v:.4}"))
                    .unwrap_or_else(|| "not available".into()),
                e.note
            )
            .trim()
            .to_string(),
        );
    }
    let title = format!("{} ({})", table.indicator.name, table.indicator.id);
    method_notes_sheet(&mut workbook, table.synthetic, &title, &lines)?;
    Ok(workbook.save_to_buffer()?)
}

/// The "Method notes" sheet every workbook ends with: the SYNTHETIC warning first (red, bold)
/// when `synthetic`, the title in bold, then one note per row.
pub(super) fn method_notes_sheet(
    workbook: &mut Workbook,
    synthetic: bool,
    title: &str,
    lines: &[String],
) -> Result<(), ExportError> {
    let notes = workbook.add_worksheet();
    notes.set_name("Method notes")?;
    let mut row = 0u32;
    if synthetic {
        let warning = Format::new()
            .set_bold()
            .set_font_color(rust_xlsxwriter::Color::Red);
        notes.write_string_with_format(
            row,
            0,
            "SYNTHETIC DEMONSTRATION DATA - NOT OFFICIAL STATISTICS. These values were modelled and say nothing about the real health of any area.",
            &warning,
        )?;
        row += 1;
    }
    notes.write_string_with_format(row, 0, title, &Format::new().set_bold())?;
    row += 1;
    for line in lines {
        notes.write_string(row, 0, neutralise(line))?;
        row += 1;
    }
    notes.set_column_width(0, 140)?;
    Ok(())
}

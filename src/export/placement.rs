//! Placement reports as CSV, GeoJSON and XLSX (with method notes). JSON is the report itself
//! (serde); the text table is [`crate::place::report::render_table`]. [`encode_placement`] is
//! the one encoder `gapmap place --format` and `/api/place?format=` share.
//!
//! Every format carries the same, already suppressed figures of a
//! [`PlacementReport`]; withheld cells are empty (null) with `suppressed = true`, and a
//! synthetic report says so in every format (a `synthetic` column, a GeoJSON member, the first
//! line of the method notes).

use super::xlsx::method_notes_sheet;
use super::ExportError;
use crate::place::report::{PlacementReport, QuintileRow, SiteRow};
use rust_xlsxwriter::{Format, Workbook, Worksheet};
use serde_json::{Map, Value};
use std::io::Write;

/// An encoding of a placement report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PlacementFormat {
    /// Aligned text tables for a terminal.
    Table,
    /// One CSV: a row per site, then a row per IMD quintile.
    Csv,
    /// The full report (objective, bound, gap, status, chosen, by-quintile table, areas).
    Json,
    /// Sites and demand areas as points (WGS84) with the summary as a foreign member.
    Geojson,
    /// Excel workbook with a method-notes sheet.
    Xlsx,
}

impl PlacementFormat {
    /// Media type and file extension.
    pub fn media_type(self) -> (&'static str, &'static str) {
        match self {
            PlacementFormat::Table => ("text/plain; charset=utf-8", "txt"),
            PlacementFormat::Csv => ("text/csv; charset=utf-8", "csv"),
            PlacementFormat::Json => ("application/json", "json"),
            PlacementFormat::Geojson => ("application/geo+json", "geojson"),
            PlacementFormat::Xlsx => (
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "xlsx",
            ),
        }
    }
}

/// The report in `format` (JSON pretty-printed with a final newline, as the CLI prints it).
pub fn encode_placement(
    report: &PlacementReport,
    format: PlacementFormat,
) -> Result<Vec<u8>, ExportError> {
    Ok(match format {
        PlacementFormat::Table => crate::place::report::render_table(report).into_bytes(),
        PlacementFormat::Json => {
            let mut s = serde_json::to_string_pretty(report)
                .map_err(|e| ExportError::Write(std::io::Error::other(e)))?;
            s.push('\n');
            s.into_bytes()
        }
        PlacementFormat::Csv => {
            let mut buf = Vec::new();
            write_placement_csv(report, &mut buf)?;
            buf
        }
        PlacementFormat::Geojson => placement_geojson(report)?,
        PlacementFormat::Xlsx => placement_xlsx(report)?,
    })
}

const CSV_HEADER: [&str; 27] = [
    "section",
    "id",
    "name",
    "existing",
    "quintile",
    "x",
    "y",
    "lon",
    "lat",
    "demand_points",
    "need_total",
    "need_covered_before",
    "need_covered_after",
    "share_before",
    "share_after",
    "need_newly_covered",
    "need_only_here",
    "children_total",
    "children_covered_before",
    "children_covered_after",
    "children_newly_covered",
    "mean_distance_before",
    "mean_distance_after",
    "suppressed",
    "model",
    "status",
    "synthetic",
];

fn num(x: Option<f64>) -> String {
    x.filter(|v| v.is_finite())
        .map(|v| v.to_string())
        .unwrap_or_default()
}

fn site_cells(s: &SiteRow) -> Vec<String> {
    vec![
        "site".into(),
        s.id.clone(),
        s.name.clone(),
        s.existing.to_string(),
        String::new(),
        s.x.to_string(),
        s.y.to_string(),
        num(s.lon),
        num(s.lat),
        s.demand_points_newly_covered
            .map(|n| n.to_string())
            .unwrap_or_default(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        num(s.need_newly_covered),
        num(s.need_only_here),
        String::new(),
        String::new(),
        String::new(),
        num(s.children_newly_covered),
        String::new(),
        String::new(),
        s.suppressed.to_string(),
    ]
}

fn quintile_cells(q: &QuintileRow) -> Vec<String> {
    vec![
        "quintile".into(),
        q.quintile
            .map(|v| format!("Q{v}"))
            .unwrap_or_else(|| "all".into()),
        q.label.clone(),
        String::new(),
        q.quintile.map(|v| v.to_string()).unwrap_or_default(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        q.demand_points.to_string(),
        num(q.need_total),
        num(q.need_covered_before),
        num(q.need_covered_after),
        num(q.share_before),
        num(q.share_after),
        num(q
            .need_covered_after
            .zip(q.need_covered_before)
            .map(|(a, b)| a - b)),
        String::new(),
        num(q.children_total),
        num(q.children_covered_before),
        num(q.children_covered_after),
        num(q.children_newly_covered),
        num(q.mean_distance_before),
        num(q.mean_distance_after),
        q.suppressed.to_string(),
    ]
}

/// One CSV: a `site` row per chosen and existing site, then a `quintile` row per quintile and
/// one for all areas; model, status and the synthetic flag on every row.
pub fn write_placement_csv(
    report: &PlacementReport,
    out: &mut dyn Write,
) -> Result<(), ExportError> {
    let mut w = csv::Writer::from_writer(out);
    let io = |e: csv::Error| ExportError::Write(std::io::Error::other(e));
    w.write_record(CSV_HEADER).map_err(io)?;
    let tail = [
        report.model.as_str().to_string(),
        report.status.as_str().to_string(),
        report.synthetic.to_string(),
    ];
    let rows = report
        .sites
        .iter()
        .map(site_cells)
        .chain(report.by_quintile.iter().map(quintile_cells));
    for mut cells in rows {
        cells.extend(tail.iter().cloned());
        w.write_record(
            cells
                .iter()
                .map(|c| super::formula::neutralise(c).into_owned()),
        )
        .map_err(io)?;
    }
    w.flush()?;
    Ok(())
}

fn properties(value: Value, drop: &[&str]) -> Map<String, Value> {
    match value {
        Value::Object(mut map) => {
            for key in drop {
                map.remove(*key);
            }
            map
        }
        _ => Map::new(),
    }
}

fn point(lon: Option<f64>, lat: Option<f64>) -> Option<geojson::Geometry> {
    let (lon, lat) = lon.zip(lat)?;
    Some(geojson::Geometry::new(geojson::Value::Point(vec![
        lon, lat,
    ])))
}

/// GeoJSON (RFC 7946, WGS84): a point per site (`feature_type` "new_site" or
/// "existing_site") and per demand area ("area": covered before/after, nearest site; no
/// weights or counts); the summary (model, status, objective, bound, gap, by-quintile table)
/// as the foreign member `placement`.
pub fn placement_geojson(report: &PlacementReport) -> Result<Vec<u8>, ExportError> {
    let json = |e: serde_json::Error| ExportError::Write(std::io::Error::other(e));
    let mut features = Vec::new();
    for s in &report.sites {
        let mut props = properties(serde_json::to_value(s).map_err(json)?, &["lon", "lat"]);
        let kind = if s.existing {
            "existing_site"
        } else {
            "new_site"
        };
        props.insert("feature_type".into(), Value::String(kind.into()));
        features.push(geojson::Feature {
            bbox: None,
            geometry: point(s.lon, s.lat),
            id: Some(geojson::feature::Id::String(s.id.clone())),
            properties: Some(props),
            foreign_members: None,
        });
    }
    for a in &report.areas {
        let mut props = properties(serde_json::to_value(a).map_err(json)?, &["lon", "lat"]);
        props.insert("feature_type".into(), Value::String("area".into()));
        features.push(geojson::Feature {
            bbox: None,
            geometry: point(a.lon, a.lat),
            id: Some(geojson::feature::Id::String(a.id.clone())),
            properties: Some(props),
            foreign_members: None,
        });
    }
    let summary = properties(
        serde_json::to_value(report).map_err(json)?,
        &["sites", "areas"],
    );
    let mut foreign = Map::new();
    foreign.insert("placement".into(), Value::Object(summary));
    let collection = geojson::FeatureCollection {
        bbox: None,
        features,
        foreign_members: Some(foreign),
    };
    serde_json::to_vec(&collection).map_err(json)
}

fn write_row(
    ws: &mut Worksheet,
    row: u32,
    cells: &[String],
    numeric_from: usize,
) -> Result<(), ExportError> {
    for (col, cell) in cells.iter().enumerate() {
        let col = col as u16;
        match cell.parse::<f64>() {
            Ok(v) if usize::from(col) >= numeric_from && v.is_finite() => {
                ws.write_number(row, col, v)?;
            }
            _ if cell == "true" || cell == "false" => {
                ws.write_boolean(row, col, cell == "true")?;
            }
            _ => {
                if !cell.is_empty() {
                    ws.write_string(row, col, super::formula::neutralise(cell))?;
                }
            }
        }
    }
    Ok(())
}

/// XLSX: "Sites", "Coverage by quintile", "Summary" and "Method notes" (the SYNTHETIC warning
/// first when it applies).
pub fn placement_xlsx(report: &PlacementReport) -> Result<Vec<u8>, ExportError> {
    let bold = Format::new().set_bold();
    let mut workbook = Workbook::new();

    let sites = workbook.add_worksheet();
    sites.set_name("Sites")?;
    let site_cols: Vec<usize> = vec![1, 2, 3, 5, 6, 7, 8, 9, 15, 16, 20, 23];
    for (col, &c) in site_cols.iter().enumerate() {
        sites.write_string_with_format(0, col as u16, CSV_HEADER[c], &bold)?;
    }
    for (i, s) in report.sites.iter().enumerate() {
        let cells = site_cells(s);
        let picked: Vec<String> = site_cols.iter().map(|&c| cells[c].clone()).collect();
        write_row(sites, i as u32 + 1, &picked, 3)?;
    }

    let quintiles = workbook.add_worksheet();
    quintiles.set_name("Coverage by quintile")?;
    let q_cols: Vec<usize> = vec![2, 9, 10, 11, 12, 13, 14, 15, 17, 18, 19, 20, 21, 22, 23];
    for (col, &c) in q_cols.iter().enumerate() {
        quintiles.write_string_with_format(0, col as u16, CSV_HEADER[c], &bold)?;
    }
    for (i, q) in report.by_quintile.iter().enumerate() {
        let cells = quintile_cells(q);
        let picked: Vec<String> = q_cols.iter().map(|&c| cells[c].clone()).collect();
        write_row(quintiles, i as u32 + 1, &picked, 1)?;
    }

    let summary = workbook.add_worksheet();
    summary.set_name("Summary")?;
    let mut pairs: Vec<(String, String)> = vec![
        ("title".into(), report.title.clone()),
        ("synthetic".into(), report.synthetic.to_string()),
        ("model".into(), report.model.as_str().into()),
        ("k".into(), report.k.to_string()),
        ("access".into(), report.access.label.clone()),
        ("need weight".into(), report.demand.weight_label.clone()),
        ("status".into(), report.status.as_str().into()),
        ("status note".into(), report.status_note.clone()),
        ("objective".into(), report.objective.to_string()),
        ("objective measures".into(), report.objective_label.clone()),
        ("bound".into(), report.bound.to_string()),
        ("gap".into(), report.gap.to_string()),
        ("chosen".into(), report.chosen.join(", ")),
        ("unused slots".into(), report.unused_slots.to_string()),
    ];
    if let Some(s) = report.secondary_objective {
        pairs.push((
            "total need covered (equity tie-break)".into(),
            s.to_string(),
        ));
    }
    if let Some(g) = &report.gap_q1_q5 {
        pairs.push((
            "Q1 − Q5 coverage gap before (pts)".into(),
            num(g.coverage_gap_before),
        ));
        pairs.push((
            "Q1 − Q5 coverage gap after (pts)".into(),
            num(g.coverage_gap_after),
        ));
        pairs.push((
            "Q1 − Q5 mean distance gap before".into(),
            num(g.distance_gap_before),
        ));
        pairs.push((
            "Q1 − Q5 mean distance gap after".into(),
            num(g.distance_gap_after),
        ));
    }
    for (i, (k, v)) in pairs.iter().enumerate() {
        summary.write_string_with_format(i as u32, 0, k, &bold)?;
        write_row(summary, i as u32, &[String::new(), v.clone()], 1)?;
    }
    summary.set_column_width(0, 40)?;
    summary.set_column_width(1, 100)?;

    let mut lines = report.method_notes.clone();
    lines.push(format!("Suppression: {}", report.suppression_note));
    method_notes_sheet(&mut workbook, report.synthetic, &report.title, &lines)?;
    Ok(workbook.save_to_buffer()?)
}

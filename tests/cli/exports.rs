//! `gapmap gaps` outputs open cleanly: CSV and Parquet read back by polars with the same
//! values, XLSX opened by python openpyxl (a real reader), suppressed cells blank with a
//! marker. Needs python3 with openpyxl: run `scripts/test-deps` first.

use gapmap::cli::args::GapSelection;
use gapmap::cli::gaps::{run, GapsArgs, GapsFormat};
use gapmap::gaps::{GapRequest, GapTable, GroupBy};
use gapmap::public::PublicDataset;
use polars::prelude::*;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, OnceLock};

fn args(indicator: &str, by: GroupBy, format: GapsFormat, out: Option<&Path>) -> GapsArgs {
    GapsArgs {
        selection: GapSelection {
            indicator: indicator.to_string(),
            by,
            level: None,
            imd: None,
            locality: None,
            reps: 2000,
            seed: 1,
        },
        period: None,
        format,
        out: out.map(Path::to_path_buf),
    }
}

/// Tooth decay by area: tiny survey samples, so some MSOAs are suppressed. This is the public
/// table `gapmap gaps` writes (the engine's table with the disclosure audit applied).
fn suppressed_table() -> GapTable {
    let dataset = crate::support::durham();
    let req = GapRequest {
        reps: 2000,
        ..GapRequest::for_indicator(dataset, "990005", GroupBy::Area)
    };
    public().gap_table(&req).unwrap().as_ref().clone()
}

/// The public face of the Durham dataset, shared by this file's tests.
fn public() -> &'static PublicDataset {
    static PUBLIC: OnceLock<PublicDataset> = OnceLock::new();
    PUBLIC.get_or_init(|| PublicDataset::new(Arc::new(crate::support::durham().clone())))
}

fn f64_column(df: &DataFrame, name: &str) -> Vec<Option<f64>> {
    df.column(name)
        .unwrap()
        .cast(&DataType::Float64)
        .unwrap()
        .f64()
        .unwrap()
        .into_iter()
        .collect()
}

fn assert_frame_matches(df: &DataFrame, table: &GapTable) {
    let rows = gapmap::export::rows(table);
    assert_eq!(df.height(), rows.len());
    for (name, get) in [
        (
            "count",
            (|r: &gapmap::export::ExportRow| r.count)
                as fn(&gapmap::export::ExportRow) -> Option<f64>,
        ),
        ("denominator", |r| r.denominator),
        ("value", |r| r.value),
        ("lower95", |r| r.lower95),
        ("upper95", |r| r.upper95),
        ("upper998", |r| r.upper998),
    ] {
        let got = f64_column(df, name);
        for (g, r) in got.iter().zip(&rows) {
            match (g, get(r)) {
                (None, None) => {}
                (Some(a), Some(b)) => assert!(
                    (a - b).abs() <= 1e-9 * b.abs().max(1.0),
                    "{name}: {a} vs {b}"
                ),
                other => panic!("{name}: {other:?} for {}", r.label),
            }
        }
    }
    let suppressed: Vec<Option<bool>> = df
        .column("suppressed")
        .unwrap()
        .bool()
        .unwrap()
        .into_iter()
        .collect();
    let values = f64_column(df, "value");
    let counts = f64_column(df, "count");
    for ((s, v), c) in suppressed.iter().zip(&values).zip(&counts) {
        if *s == Some(true) {
            assert!(v.is_none() && c.is_none(), "suppressed row leaks a value");
        }
    }
    assert!(df
        .column("synthetic")
        .unwrap()
        .bool()
        .unwrap()
        .into_iter()
        .all(|s| s == Some(true)));
}

#[test]
fn tables_suppress_small_counts_and_never_leak_them() {
    let table = suppressed_table();
    let hidden: Vec<_> = table.groups.iter().filter(|g| g.suppressed).collect();
    assert!(
        hidden.len() >= 2,
        "tooth decay by MSOA should have suppressed areas"
    );
    for g in &hidden {
        assert!(
            g.count.is_none() && g.value.is_none() && g.lower95.is_none() && g.upper998.is_none()
        );
    }
    // Every small count in the source is hidden.
    let ind = crate::support::durham().indicator("990005").unwrap();
    for g in &table.groups {
        let c = ind.value_for(&g.key).unwrap().count.unwrap();
        if (1.0..=4.0).contains(&c) {
            assert!(g.suppressed, "{} count {c} not suppressed", g.key);
        }
    }
    // Gaps and SII that would reveal a hidden row are withheld, with a reason.
    assert!(table.summary.sii.is_none());
    assert!(table.summary.notes.iter().any(|n| n.contains("withheld")));
    let json = serde_json::to_string(&table).unwrap();
    assert!(json.contains("\"suppressed\":true"));
}

#[test]
fn csv_is_read_back_by_polars_with_the_same_values() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gaps.csv");
    let mut stdout = Vec::new();
    run(
        &args("990005", GroupBy::Area, GapsFormat::Csv, Some(&path)),
        public(),
        &mut stdout,
    )
    .unwrap();
    assert!(stdout.is_empty());
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .try_into_reader_with_file_path(Some(path.clone()))
        .unwrap()
        .finish()
        .unwrap();
    assert_frame_matches(&df, &suppressed_table());
    // Suppressed cells are empty fields in the text.
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text
        .lines()
        .any(|l| l.contains(",true,") && l.contains(",,")));
}

#[test]
fn parquet_is_read_back_by_polars_with_the_same_values() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gaps.parquet");
    run(
        &args("990005", GroupBy::Area, GapsFormat::Parquet, Some(&path)),
        public(),
        &mut Vec::new(),
    )
    .unwrap();
    let df = ParquetReader::new(std::fs::File::open(&path).unwrap())
        .finish()
        .unwrap();
    assert_frame_matches(&df, &suppressed_table());
}

#[test]
fn binary_formats_require_out() {
    for format in [GapsFormat::Xlsx, GapsFormat::Parquet] {
        let err = run(
            &args("990001", GroupBy::LocalQuintile, format, None),
            public(),
            &mut Vec::new(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("--out"), "{err}");
    }
}

#[test]
fn table_and_json_go_to_stdout_and_say_synthetic() {
    let mut out = Vec::new();
    run(
        &args("990003", GroupBy::LocalQuintile, GapsFormat::Table, None),
        public(),
        &mut out,
    )
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("*** SYNTHETIC"));
    assert!(text.contains("Local quintile 1 (most deprived)") && text.contains("SII:"));
    let mut out = Vec::new();
    run(
        &args("990003", GroupBy::LocalQuintile, GapsFormat::Json, None),
        public(),
        &mut out,
    )
    .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(json["synthetic"], true);
    assert_eq!(json["groups"].as_array().unwrap().len(), 5);
}

#[test]
fn wrong_level_names_the_indicator_level() {
    let mut a = args("990001", GroupBy::LocalQuintile, GapsFormat::Json, None);
    a.selection.level = Some(gapmap::level::Level::Lsoa11);
    let err = run(&a, public(), &mut Vec::new()).unwrap_err().to_string();
    assert!(err.contains("msoa11") && err.contains("lsoa11"), "{err}");
}

#[test]
fn xlsx_opens_in_openpyxl_with_blank_suppressed_cells() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gaps.xlsx");
    run(
        &args("990005", GroupBy::Area, GapsFormat::Xlsx, Some(&path)),
        public(),
        &mut Vec::new(),
    )
    .unwrap();
    let script = r#"
import sys, json
try:
    import openpyxl
except ImportError:
    sys.exit("openpyxl is not installed: run scripts/test-deps")
wb = openpyxl.load_workbook(sys.argv[1])
data = wb["Data"]
header = [c.value for c in data[1]]
rows = [dict(zip(header, [c.value for c in r])) for r in data.iter_rows(min_row=2)]
notes = [r[0].value for r in wb["Method notes"].iter_rows()]
chart = [[c.value for c in r] for r in wb["Chart data"].iter_rows()]
print(json.dumps({"sheets": wb.sheetnames, "rows": rows, "notes": notes, "chart": chart}))
"#;
    let output = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&path)
        .output()
        .expect("python3 is required for this test: install python3 and run scripts/test-deps");
    assert!(
        output.status.success(),
        "openpyxl failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let book: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        book["sheets"],
        serde_json::json!(["Data", "Chart data", "Method notes"])
    );
    let table = suppressed_table();
    let rows = book["rows"].as_array().unwrap();
    assert_eq!(rows.len(), gapmap::export::rows(&table).len());
    for (row, group) in rows.iter().zip(&table.groups) {
        assert_eq!(row["key"], group.key.as_str());
        assert_eq!(row["suppressed"], group.suppressed);
        if group.suppressed {
            assert!(row["value"].is_null() && row["count"].is_null() && row["lower95"].is_null());
        } else {
            assert!((row["value"].as_f64().unwrap() - group.value.unwrap()).abs() < 1e-9);
        }
    }
    let notes: Vec<String> = book["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n.as_str().map(String::from))
        .collect();
    assert!(notes[0].starts_with("SYNTHETIC"));
    assert!(notes.iter().any(|n| n.contains("Open Government Licence")));
    assert!(notes.iter().any(|n| n.starts_with("Suppression:")));
    assert!(notes.iter().any(|n| n.contains("Wilson")));
    assert_eq!(
        book["chart"][0],
        serde_json::json!(["group", "value", "lower", "upper", "suppressed"])
    );
}

#[test]
fn area_comparisons_reproduce_the_files_compared_to_england_and_parent_columns() {
    // The demo file's "Compared to England/parent value" columns were made with the
    // Fingertips "CI overlapping reference value (95.0)" method; the public by-area gap table
    // must agree for every area that is not suppressed, and hide the ones that are.
    let dataset = crate::support::durham();
    let path = crate::support::mirror().join("indicators/durham_msoa_demo_indicators.csv");
    let mut reader = csv::Reader::from_path(path).unwrap();
    let mut tables = std::collections::HashMap::new();
    let (mut agreed, mut hidden) = (0, 0);
    for r in reader.records() {
        let r = r.unwrap();
        if &r[6] != "MSOA" {
            continue;
        }
        let table = tables.entry(r[0].to_string()).or_insert_with(|| {
            let req = GapRequest {
                reps: 100,
                ..GapRequest::for_indicator(dataset, &r[0], GroupBy::Area)
            };
            public().gap_table(&req).unwrap()
        });
        assert!(table.synthetic);
        let c = table.groups.iter().find(|g| g.key == r[4]).unwrap();
        if c.suppressed {
            hidden += 1;
            assert!(c.value.is_none() && c.count.is_none() && c.lower95.is_none());
            continue;
        }
        assert_eq!(c.vs_england.at95.label(), &r[21], "{} {}", &r[0], &r[4]);
        assert_eq!(c.vs_county.at95.label(), &r[22], "{} {}", &r[0], &r[4]);
        let published: f64 = r[12].parse().unwrap();
        assert!(
            (c.value.unwrap() - published).abs() <= 5e-5 + 1e-9,
            "{} {}: {:?} vs {published}",
            &r[0],
            &r[4],
            c.value
        );
        agreed += 1;
    }
    println!("{agreed} area comparisons agree, {hidden} suppressed");
    assert_eq!(agreed + hidden, 330, "5 indicators x 66 MSOAs");
    assert!(hidden > 0);
}

//! `gapmap stats` end to end: an analyst's CSV in, the package's columns out in CSV, XLSX and
//! Parquet with method notes; bad input exits 2 naming the line and column.

use crate::support::dsr_csv;
use assert_cmd::Command;
use predicates::str::contains;

fn gapmap() -> Command {
    Command::cargo_bin("gapmap").unwrap()
}

#[test]
fn dsr_csv_round_trips_with_the_package_columns_and_a_notes_sidecar() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("deaths.csv");
    std::fs::write(&input, dsr_csv()).unwrap();
    let out = dir.path().join("dsr.csv");
    gapmap()
        .args([
            "stats",
            "--method",
            "dsr",
            "--x",
            "obs",
            "--n",
            "pop",
            "--group-by",
            "area",
        ])
        .arg("--input")
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let text = std::fs::read_to_string(&out).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "area",
            "total_count",
            "total_pop",
            "value",
            "lowercl",
            "uppercl",
            "confidence",
            "statistic",
            "method"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    // Hand-worked in src/stats/dsr.rs: 464.9156513 (450.6883093 to 479.4689343).
    let value: f64 = rows[0][3].parse().unwrap();
    assert!((value - 464.915_651_3).abs() < 1e-6, "{value}");
    assert_eq!(&rows[0][8], "Dobson");
    let notes = std::fs::read_to_string(dir.path().join("dsr.csv.notes.txt")).unwrap();
    assert!(notes.contains("Dobson et al. 1991"), "{notes}");
}

#[test]
fn comment_notes_lead_the_csv_on_standard_output() {
    gapmap()
        .args([
            "stats",
            "--method",
            "dsr",
            "--x",
            "obs",
            "--n",
            "pop",
            "--group-by",
            "area",
            "--csv-notes",
            "comment",
            "--input",
            "-",
        ])
        .write_stdin(dsr_csv())
        .assert()
        .success()
        .stdout(predicates::str::starts_with(
            "# Directly standardised rates",
        ))
        .stdout(contains("\narea,total_count,total_pop,value"));
}

#[test]
fn xlsx_and_parquet_carry_the_method_notes() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(&input, dsr_csv()).unwrap();
    for name in ["out.xlsx", "out.parquet"] {
        let out = dir.path().join(name);
        gapmap()
            .args([
                "stats",
                "--method",
                "dsr",
                "--x",
                "obs",
                "--n",
                "pop",
                "--group-by",
                "area",
                "--confidence",
                "95,99.8",
            ])
            .arg("--input")
            .arg(&input)
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
        let bytes = std::fs::read(&out).unwrap();
        assert!(bytes.len() > 100);
        if name.ends_with(".parquet") {
            // The footer (read independently of polars' writer) holds the notes key.
            assert_eq!(&bytes[..4], b"PAR1");
            let footer = String::from_utf8_lossy(&bytes);
            assert!(footer.contains("gapmap.method_notes"));
            assert!(footer.contains("Dobson et al. 1991"));
            use polars::prelude::SerReader;
            let df = polars::prelude::ParquetReader::new(std::io::Cursor::new(bytes))
                .finish()
                .unwrap();
            assert_eq!(df.height(), 2);
            assert!(df.column("lower99_8cl").is_ok());
        } else {
            assert_eq!(&bytes[..2], b"PK", "an XLSX is a zip");
        }
    }
}

#[test]
fn bad_inputs_exit_2_naming_the_line_and_field() {
    let csv = "area,obs,pop\nA,5,100\nA,7,-20\n";
    gapmap()
        .args([
            "stats", "--method", "rate", "--x", "obs", "--n", "pop", "--input", "-",
        ])
        .write_stdin(csv)
        .assert()
        .code(2)
        .stderr(contains("line 3, column \"pop\": -20 is negative"));
    gapmap()
        .args(["stats", "--method", "rate", "--x", "events", "--n", "pop", "--input", "-"])
        .write_stdin(csv)
        .assert()
        .code(2)
        .stderr(contains("column \"events\" (given by --x) is not in the CSV header; the columns are: area, obs, pop"));
    gapmap()
        .args(["stats", "--method", "medians", "--input", "-"])
        .write_stdin(csv)
        .assert()
        .code(2)
        .stderr(contains("invalid value 'medians' for '--method <METHOD>'"));
    gapmap()
        .args([
            "stats",
            "--method",
            "rate",
            "--x",
            "obs",
            "--n",
            "pop",
            "--confidence",
            "1.5",
            "--input",
            "-",
        ])
        .write_stdin(csv)
        .assert()
        .code(2)
        .stderr(contains("confidence level 1.5 is outside (0, 1]"));
}

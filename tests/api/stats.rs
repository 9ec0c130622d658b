//! `POST /api/stats`: the analysts' method set over HTTP gives the CLI's columns and numbers
//! (the package's DSR example), downloads in every format, and a 400 naming the line and
//! column, the unknown method or the bad body.

use crate::support::dsr_csv;
use crate::support::http::{assert_error, request, state, Reply};
use axum::http::{header, StatusCode};
use polars::prelude::{ParquetReader, SerReader};
use serde_json::{json, Value};

async fn post(uri: &str, body: Vec<u8>) -> Reply {
    request(
        state(),
        "POST",
        uri,
        &[("content-type", "application/json")],
        body,
    )
    .await
}

fn dsr_body(csv: &str) -> Vec<u8> {
    json!({
        "request": {"method": "dsr", "x": "obs", "n": "pop", "group_by": ["area"], "confidence": [0.95, 0.998]},
        "csv": csv,
    })
    .to_string()
    .into_bytes()
}

#[tokio::test]
async fn dsr_json_has_the_package_columns_and_the_hand_worked_value() {
    let r = post("/api/stats", dsr_body(&dsr_csv())).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let j = r.json();
    let columns: Vec<&str> = j["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(
        columns,
        [
            "area",
            "total_count",
            "total_pop",
            "value",
            "lower95_0cl",
            "upper95_0cl",
            "lower99_8cl",
            "upper99_8cl",
            "confidence",
            "statistic",
            "method"
        ]
    );
    let rows = j["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    let col = |name: &str| columns.iter().position(|c| *c == name).unwrap();
    // Hand-worked in src/stats/dsr.rs: 464.9156513 (450.6883093 to 479.4689343).
    let a = &rows[0];
    assert_eq!(a[col("area")], "A");
    for (name, want) in [
        ("value", 464.915_651_3),
        ("lower95_0cl", 450.688_309_3),
        ("upper95_0cl", 479.468_934_3),
    ] {
        let got = a[col(name)].as_f64().unwrap();
        assert!((got - want).abs() < 1e-6, "{name}: {got} vs {want}");
    }
    assert_eq!(a[col("method")], "Dobson");
    let notes: Vec<&str> = j["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert!(
        notes.iter().any(|n| n.contains("Dobson et al. 1991")),
        "{notes:?}"
    );
}

#[tokio::test]
async fn downloads_come_in_csv_xlsx_and_parquet_with_the_notes() {
    let csv = post("/api/stats?format=csv", dsr_body(&dsr_csv())).await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.text());
    assert!(csv
        .header(header::CONTENT_DISPOSITION)
        .contains("gapmap-stats.csv"));
    let text = csv.text();
    assert!(
        text.starts_with("# "),
        "notes first as comment lines: {text}"
    );
    let data: String = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    let mut reader = csv::Reader::from_reader(data.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    let value: f64 = rows[0][3].parse().unwrap();
    assert!((value - 464.915_651_3).abs() < 1e-6, "{value}");

    let xlsx = post("/api/stats?format=xlsx", dsr_body(&dsr_csv())).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.body.starts_with(b"PK"), "an XLSX is a zip package");

    let parquet = post("/api/stats?format=parquet", dsr_body(&dsr_csv())).await;
    assert_eq!(parquet.status, StatusCode::OK);
    let df = ParquetReader::new(std::io::Cursor::new(parquet.body.clone()))
        .finish()
        .unwrap();
    assert_eq!(df.height(), 2);
    let value = df.column("value").unwrap().f64().unwrap().get(0).unwrap();
    assert!((value - 464.915_651_3).abs() < 1e-6, "{value}");
}

#[tokio::test]
async fn bad_requests_name_what_to_fix() {
    // A negative population: the CSV line and column.
    let bad = dsr_csv().replacen("A,0,27,84935", "A,0,27,-20", 1);
    let r = post("/api/stats", dsr_body(&bad)).await;
    assert_error(&r, StatusCode::BAD_REQUEST, &["line 2", "pop"]);
    // A column that is not there.
    let body = json!({"request": {"method": "dsr", "x": "deaths", "n": "pop"}, "csv": dsr_csv()});
    let r = post("/api/stats", body.to_string().into_bytes()).await;
    assert_error(&r, StatusCode::BAD_REQUEST, &["deaths"]);
    // An unknown method, a confidence level outside (0, 1], an unknown field, not JSON.
    for (body, mention) in [
        (
            json!({"request": {"method": "median"}, "csv": "a\n1\n"}),
            "median",
        ),
        (
            json!({"request": {"method": "proportion", "x": "x", "n": "n", "confidence": [1.5]}, "csv": "x,n\n1,2\n"}),
            "1.5",
        ),
        (
            json!({"request": {"method": "proportion", "colour": "red"}, "csv": ""}),
            "colour",
        ),
    ] {
        let r = post("/api/stats", body.to_string().into_bytes()).await;
        assert_error(&r, StatusCode::BAD_REQUEST, &[mention]);
    }
    let r = post("/api/stats", b"area,obs\nA,1\n".to_vec()).await;
    assert_error(&r, StatusCode::BAD_REQUEST, &["must be JSON", "line 1"]);
    let r = post("/api/stats?format=docx", dsr_body(&dsr_csv())).await;
    assert_error(&r, StatusCode::BAD_REQUEST, &["docx"]);
    // Too many Monte Carlo repetitions for one request.
    let body = json!({"request": {"method": "sii", "repetitions": 50_000_000}, "csv": "a\n1\n"});
    let r = post("/api/stats", body.to_string().into_bytes()).await;
    assert_error(&r, StatusCode::BAD_REQUEST, &["repetitions", "1000000"]);
}

#[tokio::test]
async fn the_openapi_document_describes_the_route() {
    let doc: Value = crate::support::http::get("/openapi.json").await.json();
    let op = &doc["paths"]["/api/stats"]["post"];
    assert!(op["requestBody"].is_object(), "{op}");
    assert!(op["responses"]["400"].is_object(), "{op}");
}

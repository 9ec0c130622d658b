//! `/api/values`: public indicator values for the map.

use crate::support;
use crate::support::http::*;
#[allow(unused_imports)]
use axum::http::{header, StatusCode};
#[allow(unused_imports)]
use gapmap::server::ServerConfig;
#[allow(unused_imports)]
use serde_json::Value;

#[tokio::test]
async fn values_join_by_code_and_label_significance() {
    let r = get("/api/values?indicator=990003&level=msoa11").await;
    assert_eq!(r.status, StatusCode::OK);
    let j = r.json();
    assert_eq!(j["synthetic"], true);
    let values = j["values"].as_array().unwrap();
    assert_eq!(values.len(), 66);
    // E02004290 (Ouston & Beamish), smoking at delivery: checked against the demo CSV row.
    let v = values.iter().find(|v| v["code"] == "E02004290").unwrap();
    let csv = support::demo::load_demo_indicators(
        &support::mirror().join("indicators/durham_msoa_demo_indicators.csv"),
    );
    let row = csv[2].value_for("E02004290").unwrap();
    assert_eq!(v["value"].as_f64(), row.value);
    assert_eq!(v["count"].as_f64(), row.count);
    assert_eq!(v["suppressed"], false);
    // Its interval against England's 8.4336% decides the label.
    let (lo, hi) = (row.lower95.unwrap(), row.upper95.unwrap());
    let expected = if lo > 8.4336 {
        "worse"
    } else if hi < 8.4336 {
        "better"
    } else {
        "similar"
    };
    assert_eq!(v["vs_england"], expected);
}

#[tokio::test]
async fn tooth_decay_small_counts_are_suppressed_in_values() {
    // 990005 has MSOA samples of 3–28 children, so some counts are 1–4.
    let j = get("/api/values?indicator=990005").await.json();
    let values = j["values"].as_array().unwrap();
    let suppressed: Vec<&Value> = values.iter().filter(|v| v["suppressed"] == true).collect();
    assert!(
        suppressed.len() >= 2,
        "primary and complementary suppression expected"
    );
    for v in &suppressed {
        assert!(v["value"].is_null() && v["count"].is_null() && v["lower95"].is_null());
    }
    for v in values.iter().filter(|v| v["suppressed"] == false) {
        let c = v["count"].as_f64().unwrap();
        assert!(c == 0.0 || c > 4.0, "published count {c} in {v}");
    }
}

#[tokio::test]
async fn values_reject_unknown_indicator_and_level() {
    assert_error(
        &get("/api/values?indicator=nope").await,
        StatusCode::BAD_REQUEST,
        &["990001", "990005"],
    );
    assert_error(
        &get("/api/values?indicator=990001&level=postcode").await,
        StatusCode::BAD_REQUEST,
        &["msoa11", "la"],
    );
    assert_error(
        &get("/api/values?indicator=990001&level=la").await,
        StatusCode::BAD_REQUEST,
        &["level=msoa11"],
    );
    assert_error(
        &get("/api/values").await,
        StatusCode::BAD_REQUEST,
        &["indicator"],
    );
}

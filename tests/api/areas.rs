//! `/api/areas`, `/api/areas/{code}`, `/api/sites`, `/api/search`.

use crate::support;
use crate::support::http::*;
#[allow(unused_imports)]
use axum::http::{header, StatusCode};
#[allow(unused_imports)]
use gapmap::server::ServerConfig;
#[allow(unused_imports)]
use serde_json::Value;

#[tokio::test]
async fn areas_list_every_msoa_with_imd() {
    let j = get("/api/areas?level=msoa11").await.json();
    let list = j.as_array().unwrap();
    assert_eq!(list.len(), 66);
    let a = list.iter().find(|a| a["code"] == "E02004290").unwrap();
    assert_eq!(a["name"], "Ouston & Beamish");
    assert_eq!(a["ons_name"], "County Durham 002");
    assert_eq!(a["imd"]["edition"], "imd2019");
    // Population-weighted IMD 2019 score 12.6845 (durham_msoa_inputs.csv); local quintile 5.
    assert!((a["imd"]["score"].as_f64().unwrap() - 12.6845).abs() < 1e-3);
    assert_eq!(a["imd"]["local_quintile"], 5);
    assert_eq!(
        get("/api/areas").await.json().as_array().unwrap().len(),
        66,
        "default level"
    );
    assert_error(
        &get("/api/areas?level=lsoa99").await,
        StatusCode::BAD_REQUEST,
        &["msoa11"],
    );
    assert_error(
        &get("/api/areas?level=msoa11&imd=imd2031").await,
        StatusCode::BAD_REQUEST,
        &["imd2019"],
    );
}

#[tokio::test]
async fn area_profile_has_every_indicator_and_matches_values() {
    let r = get("/api/areas/E02004290").await;
    assert_eq!(r.status, StatusCode::OK);
    let p = r.json();
    assert_eq!(p["level"], "msoa11");
    // Five health indicators and the Family Hub reach.
    assert_eq!(p["indicators"].as_array().unwrap().len(), 6);
    let editions: Vec<&str> = p["imd"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["edition"].as_str().unwrap())
        .collect();
    assert_eq!(editions, ["imd2019", "imd2025"], "every loaded edition");
    assert!(p["population"]["age_0_4"].as_u64().unwrap() > 0);
    assert!(p["population"]["age_0_19"].as_u64() > p["population"]["age_0_4"].as_u64());
    let bbox = p["bbox"].as_array().unwrap();
    assert!(bbox[0].as_f64() < bbox[2].as_f64());
    let values = get("/api/values?indicator=990003").await.json();
    let v = values["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["code"] == "E02004290")
        .unwrap()
        .clone();
    let i = p["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "990003")
        .unwrap();
    for k in [
        "value",
        "lower95",
        "upper95",
        "count",
        "denominator",
        "vs_england",
        "vs_county",
    ] {
        assert_eq!(i[k], v[k], "{k}");
    }
    assert_eq!(i["england_value"], 8.4336);
    assert_eq!(i["synthetic"], true);
    // Codes are found on every level, case-insensitively.
    assert_eq!(get("/api/areas/e06000047").await.json()["level"], "la");
}

#[tokio::test]
async fn unknown_area_code_is_404_json() {
    assert_error(
        &get("/api/areas/E02999999").await,
        StatusCode::NOT_FOUND,
        &["E02999999"],
    );
}

#[tokio::test]
async fn sites_are_a_geojson_feature_collection() {
    let r = get("/api/sites").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header(header::CONTENT_TYPE), "application/geo+json");
    let fc: geojson::FeatureCollection = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(fc.features.len(), support::durham().sites.len());
    assert!(!fc.features.is_empty());
    let p = fc.features[0].properties.as_ref().unwrap();
    for k in ["id", "name", "kind", "existing", "illustrative"] {
        assert!(p.contains_key(k), "{k}");
    }
}

#[tokio::test]
async fn search_finds_names_codes_and_postcodes() {
    let j = get("/api/search?q=beamish").await.json();
    assert_eq!(j[0]["code"], "E02004290");
    assert_eq!(j[0]["kind"], "area");
    assert!(j[0]["bbox"].is_array());
    let j = get("/api/search?q=E02004290").await.json();
    assert_eq!(j[0]["name"], "Ouston & Beamish");
    let j = get("/api/search?q=dh11ab").await.json();
    assert_eq!(j[0]["kind"], "postcode");
    assert_eq!(j[0]["code"], "DH1 1AB");
    // Code-Point Open DH1 1AB is at E430316 N543630, in Durham city (~54.78 N, 1.53 W).
    assert!((j[0]["lat"].as_f64().unwrap() - 54.78).abs() < 0.02, "{j}");
    assert!((j[0]["lon"].as_f64().unwrap() + 1.53).abs() < 0.03, "{j}");
    let j = get("/api/search?q=county%20durham").await.json();
    assert_eq!(j.as_array().unwrap().len(), 10, "capped at 10");
    assert_error(
        &get("/api/search?q=a").await,
        StatusCode::BAD_REQUEST,
        &["2 to 100"],
    );
    assert_error(&get("/api/search").await, StatusCode::BAD_REQUEST, &["q"]);
}

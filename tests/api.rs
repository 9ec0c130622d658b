//! Router tests: every route driven through `tower::ServiceExt::oneshot` (no socket) on the
//! County Durham fixture.
#![allow(clippy::unwrap_used)]

mod server_common;
use server_common as common;

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use gapmap::server::{app, AppState, ServerConfig};
use http_body_util::BodyExt;
use serde_json::Value;
use std::io::Read;
use std::sync::{Arc, OnceLock};
use tower::ServiceExt;

/// A web directory with an index page and a vendored module, like `web/`.
fn web_dir() -> &'static std::path::Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("index.html"),
            "<!doctype html><title>gapmap</title>",
        )
        .unwrap();
        std::fs::write(dir.path().join("app.js"), "export const x = 1;").unwrap();
        let vendor = dir.path().join("vendor/maplibre-gl");
        std::fs::create_dir_all(&vendor).unwrap();
        std::fs::write(vendor.join("maplibre-gl.mjs"), "export default {};").unwrap();
        dir
    })
    .path()
}

fn config() -> ServerConfig {
    ServerConfig {
        web_dir: web_dir().to_path_buf(),
        ..ServerConfig::default()
    }
}

fn state_with(config: ServerConfig) -> AppState {
    AppState::with_tilesets(Arc::new(common::durham().clone()), config)
}

fn state() -> AppState {
    static S: OnceLock<AppState> = OnceLock::new();
    S.get_or_init(|| state_with(config())).clone()
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }
}

async fn send(state: AppState, uri: &str, headers: &[(&str, &str)]) -> Reply {
    let mut req = Request::builder()
        .uri(uri)
        .header(header::HOST, "gapmap.test:8080");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = app(state)
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

async fn get(uri: &str) -> Reply {
    send(state(), uri, &[]).await
}

fn assert_error(r: &Reply, status: StatusCode, mentions: &[&str]) {
    assert_eq!(
        r.status,
        status,
        "body: {}",
        String::from_utf8_lossy(&r.body)
    );
    let j = r.json();
    assert!(j["error"].is_string(), "error field: {j}");
    let detail = j["detail"].as_str().unwrap();
    for m in mentions {
        assert!(detail.contains(m), "detail {detail:?} should mention {m:?}");
    }
}

#[tokio::test]
async fn health_names_the_dataset() {
    let r = get("/health").await;
    assert_eq!(r.status, StatusCode::OK);
    let j = r.json();
    assert_eq!(j["status"], "ok");
    assert_eq!(j["dataset"], "County Durham");
    assert_eq!(
        j["built_at"].as_str(),
        Some(common::durham().meta.built_at.as_str())
    );
    assert!(!common::durham().meta.built_at.is_empty());
}

#[tokio::test]
async fn metrics_count_requests_by_route_template() {
    let s = state_with(config());
    send(s.clone(), "/api/areas/E02004290", &[]).await;
    send(s.clone(), "/api/areas/NOPE", &[]).await;
    let r = send(s, "/metrics", &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r
        .header(header::CONTENT_TYPE)
        .starts_with("text/plain; version=0.0.4"));
    let text = String::from_utf8(r.body).unwrap();
    assert!(
        text.contains(r#"gapmap_http_requests_total{route="/api/areas/{code}",status="200"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"gapmap_http_requests_total{route="/api/areas/{code}",status="404"} 1"#)
    );
    assert!(text.contains("# TYPE gapmap_http_request_duration_seconds histogram"));
    assert!(text.contains("gapmap_tile_cache_hits_total 0"));
}

#[tokio::test]
async fn meta_describes_durham() {
    let r = get("/api/meta").await;
    assert_eq!(r.status, StatusCode::OK);
    let mut j = r.json();
    assert_eq!(j["synthetic"], true, "demo indicators are synthetic");
    let b = j["bounds"].as_array().unwrap();
    assert!((b[0].as_f64().unwrap() + 2.3555).abs() < 1e-3, "west {b:?}");
    assert!(
        (b[3].as_f64().unwrap() - 54.9187).abs() < 1e-3,
        "north {b:?}"
    );
    j["built_at"] = Value::from("[built_at]");
    j["bounds"] = Value::from("[bounds]");
    insta::assert_json_snapshot!("meta", j);
}

#[tokio::test]
async fn meta_offers_a_basemap_only_when_configured() {
    assert!(get("/api/meta").await.json().get("basemap_url").is_none());
    let url = "https://tiles.example.org/{z}/{x}/{y}.png";
    let s = state_with(ServerConfig {
        basemap_url: Some(url.into()),
        ..config()
    });
    let j = send(s, "/api/meta", &[]).await.json();
    assert_eq!(j["basemap_url"], url);
}

#[tokio::test]
async fn levels_list_counts_and_editions() {
    let j = get("/api/levels").await.json();
    insta::assert_json_snapshot!("levels", j);
    assert_eq!(j[0]["id"], "msoa11");
    assert_eq!(j[0]["count"], 66);
}

#[tokio::test]
async fn indicators_carry_synthetic_flag_and_comparators() {
    let j = get("/api/indicators").await.json();
    let list = j.as_array().unwrap();
    assert_eq!(list.len(), 5);
    assert!(list.iter().all(|i| i["synthetic"] == true));
    let smoking = list.iter().find(|i| i["id"] == "990003").unwrap();
    // England 8.4336% from pooled Fingertips counts (indicators/README.md, Part B).
    assert_eq!(smoking["england"]["value"], 8.4336);
    assert_eq!(smoking["county"]["value"], 16.7125);
    assert_eq!(smoking["polarity"], "higher_is_worse");
    insta::assert_json_snapshot!("indicators", j);
}

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
    let csv = common::load_demo_indicators(
        &common::data_dir().join("indicators/durham_msoa_demo_indicators.csv"),
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
    assert_eq!(p["indicators"].as_array().unwrap().len(), 5);
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
    assert_eq!(fc.features.len(), common::durham().sites.len());
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

#[tokio::test]
async fn geo_downloads_geojson_with_public_values() {
    let r = get("/api/geo?level=msoa11&indicator=990005&format=geojson").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header(header::CONTENT_TYPE), "application/geo+json");
    assert_eq!(
        r.header(header::CONTENT_DISPOSITION),
        "attachment; filename=\"gapmap_msoa11_990005.geojson\""
    );
    let fc: geojson::FeatureCollection = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(fc.features.len(), 66);
    let values = get("/api/values?indicator=990005").await.json();
    for f in &fc.features {
        let p = f.properties.as_ref().unwrap();
        assert_eq!(p["synthetic"], true);
        let v = values["values"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["code"] == p["code"])
            .unwrap();
        assert_eq!(p["value"], v["value"]);
        assert_eq!(p["count"], v["count"]);
        assert_eq!(p["suppressed"], v["suppressed"]);
    }
}

#[tokio::test]
async fn geo_downloads_a_geopackage_gdal_can_read() {
    let r = get("/api/geo?level=msoa11&indicator=990001&format=gpkg").await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(
        r.header(header::CONTENT_TYPE),
        "application/geopackage+sqlite3"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.gpkg");
    std::fs::write(&path, &r.body).unwrap();
    let ds = gdal::Dataset::open(&path).unwrap();
    use gdal::vector::LayerAccess;
    let layer = ds.layer_by_name("msoa11").unwrap();
    assert_eq!(layer.feature_count(), 66);
}

#[tokio::test]
async fn geo_rejects_unknown_format_level_and_indicator() {
    assert_error(
        &get("/api/geo?format=shp").await,
        StatusCode::BAD_REQUEST,
        &["geojson", "gpkg"],
    );
    assert_error(
        &get("/api/geo?level=nope").await,
        StatusCode::BAD_REQUEST,
        &["msoa11"],
    );
    assert_error(
        &get("/api/geo?indicator=nope").await,
        StatusCode::BAD_REQUEST,
        &["990001"],
    );
}

#[tokio::test]
async fn json_is_gzipped_only_when_accepted() {
    let plain = send(state(), "/api/areas", &[]).await;
    assert_eq!(plain.header(header::CONTENT_ENCODING), "");
    let gz = send(state(), "/api/areas", &[("accept-encoding", "gzip")]).await;
    assert_eq!(gz.header(header::CONTENT_ENCODING), "gzip");
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&gz.body[..])
        .read_to_end(&mut unzipped)
        .unwrap();
    assert_eq!(unzipped, plain.body);
    assert!(gz.body.len() < plain.body.len() / 2);
}

/// Every documented path, with a request that exercises it.
const ROUTES: &[(&str, &str)] = &[
    ("/health", "/health"),
    ("/metrics", "/metrics"),
    ("/api/meta", "/api/meta"),
    ("/api/levels", "/api/levels"),
    ("/api/indicators", "/api/indicators"),
    ("/api/values", "/api/values?indicator=990001"),
    ("/api/areas", "/api/areas"),
    ("/api/areas/{code}", "/api/areas/E02004290"),
    ("/api/sites", "/api/sites"),
    ("/api/search", "/api/search?q=esh"),
    ("/api/gaps", "/api/gaps?indicator=990003&by=imd-quintile"),
    ("/api/geo", "/api/geo"),
    ("/tiles/{level}/{z}/{x}/{y}.mvt", "/tiles/msoa11/0/0/0.mvt"),
    ("/tiles/{level}.json", "/tiles/msoa11.json"),
    ("/style.json", "/style.json"),
    ("/openapi.json", "/openapi.json"),
    ("/docs", "/docs"),
];

#[tokio::test]
async fn openapi_documents_every_route() {
    let r = get("/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc["paths"].as_object().unwrap();
    for (path, example) in ROUTES {
        assert!(paths.contains_key(*path), "{path} missing from OpenAPI");
        let r = get(example).await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "{example}: {}",
            String::from_utf8_lossy(&r.body)
        );
    }
    let params = doc["paths"]["/api/values"]["get"]["parameters"]
        .as_array()
        .unwrap();
    assert!(params
        .iter()
        .any(|p| p["name"] == "indicator" && p["required"] == true));
}

#[tokio::test]
async fn docs_page_is_self_contained() {
    let r = get("/docs").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.header(header::CONTENT_TYPE).starts_with("text/html"));
    let html = String::from_utf8(r.body).unwrap();
    assert!(html.contains("/openapi.json"));
    assert!(!html.contains("https://"), "no external resources");
}

#[tokio::test]
async fn static_web_is_served_and_contained() {
    let r = get("/").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(String::from_utf8(r.body)
        .unwrap()
        .contains("<title>gapmap</title>"));
    let r = get("/static/app.js").await;
    assert_eq!(r.status, StatusCode::OK);
    let r = get("/vendor/maplibre-gl/maplibre-gl.mjs").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r
        .header(header::CONTENT_TYPE)
        .starts_with("text/javascript"));
    for attack in [
        "/static/../Cargo.toml",
        "/static/%2e%2e/%2e%2e/etc/passwd",
        "/static//etc/passwd",
    ] {
        let r = get(attack).await;
        assert!(r.status.is_client_error(), "{attack}: {}", r.status);
        assert!(!String::from_utf8_lossy(&r.body).contains("root:"));
    }
}

#[tokio::test]
async fn unknown_route_is_404_json() {
    assert_error(
        &get("/api/nope").await,
        StatusCode::NOT_FOUND,
        &["/api/nope"],
    );
}

#[tokio::test]
async fn cors_is_off_by_default_and_configurable() {
    let r = send(state(), "/api/meta", &[("origin", "https://example.org")]).await;
    assert_eq!(r.header(header::ACCESS_CONTROL_ALLOW_ORIGIN), "");
    let s = state_with(ServerConfig {
        cors_origins: vec!["https://example.org".into()],
        ..config()
    });
    let r = send(s, "/api/meta", &[("origin", "https://example.org")]).await;
    assert_eq!(
        r.header(header::ACCESS_CONTROL_ALLOW_ORIGIN),
        "https://example.org"
    );
}

#[tokio::test]
async fn gaps_json_has_groups_in_deprivation_order() {
    let r = get("/api/gaps?indicator=990003&by=local-quintile").await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let j = r.json();
    assert_eq!(j["synthetic"], true);
    let groups = j["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 5);
    // Local quintile values of the synthetic smoking indicator, indicators/README.md Part B:
    // 27.7, 15.7, 14.5, 11.3, 9.2 (Q1 most deprived).
    let values: Vec<f64> = groups
        .iter()
        .map(|g| g["value"].as_f64().unwrap())
        .collect();
    for (got, want) in values.iter().zip([27.7, 15.7, 14.5, 11.3, 9.2]) {
        assert!((got - want).abs() < 0.05, "{values:?}");
    }
    assert!(j["summary"]["sii"]["value"].as_f64().unwrap() > 0.0);
}

#[tokio::test]
async fn gaps_download_formats_are_attachments() {
    let csv = get("/api/gaps?indicator=990001&by=imd-decile&format=csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.header(header::CONTENT_TYPE).starts_with("text/csv"));
    assert!(csv
        .header(header::CONTENT_DISPOSITION)
        .starts_with("attachment; filename=\"gapmap_gaps_990001_imd-decile_msoa11"));
    let text = String::from_utf8(csv.body).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert!(reader.headers().unwrap().iter().any(|h| h == "value"));
    assert!(reader.records().count() >= 10);

    let xlsx = get("/api/gaps?indicator=990001&format=xlsx").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx
        .header(header::CONTENT_DISPOSITION)
        .ends_with(".xlsx\""));
    assert_eq!(&xlsx.body[..2], b"PK", "an xlsx is a zip file");

    let parquet = get("/api/gaps?indicator=990001&format=parquet").await;
    assert_eq!(parquet.status, StatusCode::OK);
    assert_eq!(&parquet.body[..4], b"PAR1");
    assert_eq!(&parquet.body[parquet.body.len() - 4..], b"PAR1");
}

#[tokio::test]
async fn gaps_reject_unknown_grouping_format_indicator_and_level() {
    assert_error(
        &get("/api/gaps?indicator=990001&by=postcode").await,
        StatusCode::BAD_REQUEST,
        &["imd-decile", "locality"],
    );
    assert_error(
        &get("/api/gaps?indicator=990001&format=pdf").await,
        StatusCode::BAD_REQUEST,
        &["csv", "xlsx", "parquet"],
    );
    assert_error(
        &get("/api/gaps?indicator=nope").await,
        StatusCode::BAD_REQUEST,
        &["990001"],
    );
    assert_error(
        &get("/api/gaps?indicator=990001&level=lsoa11").await,
        StatusCode::BAD_REQUEST,
        &["msoa11"],
    );
    assert_error(
        &get("/api/gaps?indicator=990001&imd=1999").await,
        StatusCode::BAD_REQUEST,
        &["imd2019"],
    );
}

/// XYZ tile containing a lon/lat point (OSM slippy-map formula).
fn tile_of(lon: f64, lat: f64, z: u8) -> (u32, u32) {
    let n = f64::from(1u32 << z);
    let x = ((lon + 180.0) / 360.0 * n).floor();
    let lat = lat.to_radians();
    let y = ((1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n).floor();
    (x as u32, y as u32)
}

/// A z10 tile over Durham city (E02004312, County Durham 028, lies inside it).
fn durham_tile() -> String {
    let area = common::durham()
        .layer(gapmap::level::Level::Msoa11)
        .unwrap()
        .get("E02004312")
        .unwrap();
    let (x, y) = tile_of(area.centroid[0], area.centroid[1], 10);
    format!("/tiles/msoa11/10/{x}/{y}.mvt")
}

fn decode_codes(mvt: &[u8]) -> Vec<String> {
    use geozero::mvt::{Message, Tile};
    let tile = Tile::decode(mvt).unwrap();
    assert_eq!(tile.layers.len(), 1);
    let layer = &tile.layers[0];
    assert_eq!(layer.name, "msoa11");
    let code_key = layer.keys.iter().position(|k| k == "code").unwrap() as u32;
    let mut codes: Vec<String> = layer
        .features
        .iter()
        .map(|f| {
            let i = f.tags.chunks(2).find(|kv| kv[0] == code_key).unwrap()[1];
            layer.values[i as usize].string_value.clone().unwrap()
        })
        .collect();
    codes.sort();
    codes
}

#[tokio::test]
async fn tiles_are_gzipped_when_accepted_and_plain_otherwise() {
    let uri = durham_tile();
    let gz = send(state(), &uri, &[("accept-encoding", "gzip, deflate")]).await;
    assert_eq!(
        gz.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&gz.body)
    );
    assert_eq!(
        gz.header(header::CONTENT_TYPE),
        "application/vnd.mapbox-vector-tile"
    );
    assert_eq!(gz.header(header::CONTENT_ENCODING), "gzip");
    assert!(gz
        .header(header::CACHE_CONTROL)
        .starts_with("public, max-age="));
    assert_eq!(gz.header(header::VARY), "accept-encoding");
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&gz.body[..])
        .read_to_end(&mut unzipped)
        .unwrap();

    let plain = send(state(), &uri, &[]).await;
    assert_eq!(plain.status, StatusCode::OK);
    assert_eq!(plain.header(header::CONTENT_ENCODING), "");
    assert_eq!(plain.body, unzipped, "same tile either way");
    let codes = decode_codes(&plain.body);
    assert!(codes.contains(&"E02004312".to_string()), "{codes:?}");
    assert_ne!(
        gz.header(header::ETAG),
        plain.header(header::ETAG),
        "representations differ"
    );
}

#[tokio::test]
async fn etag_if_none_match_gives_304() {
    let uri = durham_tile();
    let first = send(state(), &uri, &[("accept-encoding", "gzip")]).await;
    let etag = first.header(header::ETAG).to_string();
    assert!(
        etag.starts_with('"') && etag.ends_with('"') && etag.len() > 10,
        "strong ETag {etag}"
    );
    let again = send(
        state(),
        &uri,
        &[("accept-encoding", "gzip"), ("if-none-match", &etag)],
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    assert_eq!(again.header(header::ETAG), etag);
    let other = send(
        state(),
        &uri,
        &[("accept-encoding", "gzip"), ("if-none-match", "\"stale\"")],
    )
    .await;
    assert_eq!(other.status, StatusCode::OK);
}

#[tokio::test]
async fn empty_tile_far_from_durham_is_204() {
    // z10 0/0 is in the Arctic Ocean off Alaska.
    let r = get("/tiles/msoa11/10/0/0.mvt").await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(r.body.is_empty());
    // London (51.5 N, 0.12 W) at z10: no Durham area reaches it either.
    let (x, y) = tile_of(-0.12, 51.5, 10);
    assert_eq!(
        get(&format!("/tiles/msoa11/10/{x}/{y}.mvt")).await.status,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn bad_tile_requests_are_400_listing_what_is_allowed() {
    assert_error(
        &get("/tiles/postcode/0/0/0.mvt").await,
        StatusCode::BAD_REQUEST,
        &["msoa11", "lsoa11", "ward"],
    );
    assert_error(
        &get("/tiles/msoa11/15/0/0.mvt").await,
        StatusCode::BAD_REQUEST,
        &["0 to 14"],
    );
    assert_error(
        &get("/tiles/msoa11/z/0/0.mvt").await,
        StatusCode::BAD_REQUEST,
        &["z must be"],
    );
    assert_error(
        &get("/tiles/msoa11/2/4/0.mvt").await,
        StatusCode::BAD_REQUEST,
        &["x must be", "0 to 3"],
    );
    assert_error(
        &get("/tiles/msoa11/2/0/-1.mvt").await,
        StatusCode::BAD_REQUEST,
        &["y must be"],
    );
    assert_error(
        &get("/tiles/msoa11/2/0/0.png").await,
        StatusCode::BAD_REQUEST,
        &[".mvt"],
    );
    assert_error(
        &get("/tiles/nope.json").await,
        StatusCode::BAD_REQUEST,
        &["msoa11"],
    );
}

#[tokio::test]
async fn tile_cache_counts_hits_and_can_be_switched_off() {
    let s = state_with(config());
    let uri = durham_tile();
    send(s.clone(), &uri, &[("accept-encoding", "gzip")]).await;
    send(s.clone(), &uri, &[("accept-encoding", "gzip")]).await;
    let text = String::from_utf8(send(s, "/metrics", &[]).await.body).unwrap();
    assert!(text.contains("gapmap_tile_cache_hits_total 1"), "{text}");
    assert!(text.contains("gapmap_tile_cache_misses_total 1"));
    assert!(!text.contains("gapmap_tile_cache_bytes 0\n"));

    let off = state_with(ServerConfig {
        tile_cache: false,
        ..config()
    });
    let a = send(off.clone(), &uri, &[]).await;
    let b = send(off.clone(), &uri, &[]).await;
    assert_eq!(a.body, b.body);
    let text = String::from_utf8(send(off, "/metrics", &[]).await.body).unwrap();
    assert!(text.contains("gapmap_tile_cache_hits_total 0"));
    assert!(text.contains("gapmap_tile_cache_misses_total 2"));
}

#[tokio::test]
async fn tilejson_has_absolute_urls_bounds_and_fields() {
    let r = get("/tiles/msoa11.json").await;
    assert_eq!(r.status, StatusCode::OK);
    let mut j = r.json();
    assert_eq!(j["tilejson"], "3.0.0");
    assert_eq!(
        j["tiles"][0],
        "http://gapmap.test:8080/tiles/msoa11/{z}/{x}/{y}.mvt"
    );
    let b: Vec<f64> = j["bounds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    // durham_msoa11.geojson bounding box (MANIFEST.md): lon -2.3555 .. -1.2419, lat 54.4515 .. 54.9187.
    for (got, want) in b.iter().zip([-2.3555, 54.4515, -1.2419, 54.9187]) {
        assert!((got - want).abs() < 1e-3, "{b:?}");
    }
    let c = j["center"].as_array().unwrap();
    assert!(c[0].as_f64().unwrap() > b[0] && c[0].as_f64().unwrap() < b[2]);
    assert_eq!(j["vector_layers"][0]["id"], "msoa11");
    assert_eq!(j["vector_layers"][0]["fields"]["code"], "String");
    j["bounds"] = Value::from("[bounds]");
    j["center"] = Value::from("[center]");
    insta::assert_json_snapshot!("tilejson_msoa11", j);

    let s = state_with(ServerConfig {
        public_url: Some("https://maps.example.org/".into()),
        ..config()
    });
    let j = send(s, "/tiles/lsoa11.json", &[]).await.json();
    assert_eq!(
        j["tiles"][0],
        "https://maps.example.org/tiles/lsoa11/{z}/{x}/{y}.mvt"
    );
}

#[tokio::test]
async fn style_uses_only_local_sources() {
    let r = get("/style.json").await;
    assert_eq!(r.status, StatusCode::OK);
    let j = r.json();
    assert_eq!(j["version"], 8);
    assert!(j.get("glyphs").is_none() && j.get("sprite").is_none());
    let sources = j["sources"].as_object().unwrap();
    for (id, src) in sources {
        assert_eq!(src["type"], "vector");
        assert_eq!(src["promoteId"], "code");
        let url = src["tiles"][0].as_str().unwrap();
        assert!(
            url.starts_with("http://gapmap.test:8080/tiles/"),
            "{id}: {url}"
        );
    }
    let layers = j["layers"].as_array().unwrap();
    let ids: Vec<&str> = layers.iter().map(|l| l["id"].as_str().unwrap()).collect();
    for want in [
        "msoa11-fill",
        "lsoa11-fill",
        "ward-line",
        "msoa11-line",
        "la-line",
        "msoa11-label",
    ] {
        assert!(ids.contains(&want), "{want} in {ids:?}");
    }
    let visible: Vec<&str> = layers
        .iter()
        .filter(|l| l["type"] == "fill" && l["layout"]["visibility"] == "visible")
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert_eq!(visible, ["msoa11-fill"], "only the default level is filled");
    for l in layers.iter().filter(|l| l["type"] != "background") {
        assert!(sources.contains_key(l["source"].as_str().unwrap()));
    }
}

#[tokio::test]
async fn pmtiles_archive_holds_exactly_the_served_tiles() {
    use pmtiles::{AsyncPmTilesReader, TileCoord};
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("durham.pmtiles");
    let args = gapmap::server::cli::TilesArgs {
        config: gapmap::cli::ConfigArgs {
            config: "data/durham.toml".into(),
            mirror: None,
            offline: true,
        },
        snapshot: None,
        level: vec!["msoa11".into()],
        minzoom: 0,
        maxzoom: 10,
        out: out.clone(),
    };
    let dataset = common::durham().clone();
    let summary =
        tokio::task::spawn_blocking(move || gapmap::server::cli::run_tiles(&args, &dataset, true))
            .await
            .unwrap()
            .unwrap();
    assert!(summary.tiles_written > 10);
    let reader = AsyncPmTilesReader::new_with_path(&out).await.unwrap();
    let layer = common::durham()
        .layer(gapmap::level::Level::Msoa11)
        .unwrap();
    let [w, s, e, n] = layer.bounds().unwrap();
    let mut compared = 0;
    for z in 0..=10u8 {
        let (x0, y0) = tile_of(w, n, z);
        let (x1, y1) = tile_of(e, s, z);
        for x in x0..=x1 {
            for y in y0..=y1 {
                let archived = reader
                    .get_tile_decompressed(TileCoord::new(z, x, y).unwrap())
                    .await
                    .unwrap();
                let served = get(&format!("/tiles/msoa11/{z}/{x}/{y}.mvt")).await;
                match archived {
                    Some(bytes) => {
                        assert_eq!(served.status, StatusCode::OK, "{z}/{x}/{y}");
                        assert_eq!(served.body, bytes.to_vec(), "{z}/{x}/{y} differs");
                    }
                    None => assert_eq!(served.status, StatusCode::NO_CONTENT, "{z}/{x}/{y}"),
                }
                compared += 1;
            }
        }
    }
    assert!(compared >= 20, "compared {compared}");
}

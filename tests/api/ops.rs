//! Operations routes: `/health`, `/metrics`, OpenAPI and `/docs`, the static web map, unknown routes, CORS and compression.

use crate::support;
use crate::support::http::*;
#[allow(unused_imports)]
use axum::http::{header, StatusCode};
#[allow(unused_imports)]
use gapmap::server::ServerConfig;
#[allow(unused_imports)]
use serde_json::Value;
use std::io::Read;

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
    ("/api/groupings", "/api/groupings"),
    ("/api/legend", "/api/legend?layer=imd-decile"),
    ("/api/gaps", "/api/gaps?indicator=990003&by=imd-quintile"),
    ("/api/geo", "/api/geo"),
    ("/api/place", "/api/place?k=1"),
    ("/tiles/{level}/{z}/{x}/{y}.mvt", "/tiles/msoa11/0/0/0.mvt"),
    ("/tiles/{level}.json", "/tiles/msoa11.json"),
    ("/style.json", "/style.json"),
    ("/openapi.json", "/openapi.json"),
    ("/docs", "/docs"),
];

#[tokio::test]
async fn health_names_the_dataset() {
    let r = get("/health").await;
    assert_eq!(r.status, StatusCode::OK);
    let j = r.json();
    assert_eq!(j["status"], "ok");
    assert_eq!(j["dataset"], "County Durham");
    assert_eq!(
        j["built_at"].as_str(),
        Some(support::durham().meta.built_at.as_str())
    );
    assert!(!support::durham().meta.built_at.is_empty());
}

#[tokio::test]
async fn metrics_count_requests_by_route_template() {
    let s = state_with(config());
    send(s.clone(), "/api/areas/E02004290", &[]).await;
    send(s.clone(), "/api/areas/NOPE", &[]).await;
    let r = send(s, "/metrics", &[("authorization", BEARER)]).await;
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

#[tokio::test]
async fn openapi_documents_every_route() {
    let r = get("/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc["paths"].as_object().unwrap();
    for (path, example) in ROUTES {
        assert!(paths.contains_key(*path), "{path} missing from OpenAPI");
        let r = send(state(), example, &[("authorization", BEARER)]).await;
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

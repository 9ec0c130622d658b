//! Uploads: `POST /api/indicators`, `DELETE /api/indicators/{id}`, `POST /api/sites` — the
//! token, the body limit, validation naming line and field, the atomic swap (a rejected upload
//! changes nothing), persistence across a restart, the audit log, and tiles unchanged.

use crate::support;
use crate::support::http::*;
use axum::http::{header, StatusCode};
use std::io::Write;

/// A tidy file with a value for every MSOA of the dataset.
pub fn tidy_file(id: &str) -> Vec<u8> {
    let d = support::durham();
    let mut csv = String::from("area_code,indicator_id,period,count,denominator\n");
    for (i, area) in d
        .layer(d.meta.default_level)
        .unwrap()
        .areas
        .iter()
        .enumerate()
    {
        csv.push_str(&format!(
            "{},{id},2024/25,{},{}\n",
            area.code,
            20 + i % 17,
            300
        ));
    }
    csv.into_bytes()
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

const AUTH: (&str, &str) = ("authorization", BEARER);

/// The name `/api/indicators` gives indicator `id`.
async fn indicator_name(s: &gapmap::server::AppState, id: &str) -> serde_json::Value {
    let list = get_json(s, "/api/indicators").await;
    let list = list
        .as_array()
        .cloned()
        .unwrap_or_else(|| list["indicators"].as_array().unwrap().clone());
    list.iter()
        .find(|i| i["id"] == id)
        .map(|i| i["name"].clone())
        .unwrap_or_default()
}

#[tokio::test]
async fn an_upload_with_the_token_is_served_persisted_audited_and_leaves_tiles_alone() {
    let dir = tempfile::tempdir().unwrap();
    let s = writable_state(dir.path(), 20 << 20);
    let area = &support::durham()
        .layer(gapmap::level::Level::Msoa11)
        .unwrap()
        .areas[0];
    let (x, y) = support::mvt::tile_of(area.centroid[0], area.centroid[1], 10);
    let tile = &format!("/tiles/msoa11/10/{x}/{y}.mvt");
    let before = send(s.clone(), tile, &[]).await;
    assert_eq!(before.status, StatusCode::OK);
    let r = request(
        s.clone(),
        "POST",
        "/api/indicators?file=mine.csv&name=Uploaded%20test&polarity=higher_is_worse",
        &[AUTH],
        tidy_file("up-1"),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let j = r.json();
    assert_eq!(j["changed"][0], "up-1");
    assert_eq!(j["by"], "tester");
    let values = get_json(&s, "/api/values?indicator=up-1").await;
    assert_eq!(indicator_name(&s, "up-1").await, "Uploaded test");
    let gaps = get_json(&s, "/api/gaps?indicator=up-1&by=imd-quintile").await;
    assert_eq!(gaps["groups"].as_array().unwrap().len(), 5);
    // Tiles hold no indicator values: same bytes, same ETag.
    let after = send(s.clone(), tile, &[]).await;
    assert_eq!(before.body, after.body);
    assert_eq!(before.header(header::ETAG), after.header(header::ETAG));
    let audit = std::fs::read_to_string(dir.path().join("audit.log")).unwrap();
    assert!(
        audit.contains(r#""by":"tester""#) && audit.contains(r#""action":"upload-indicators""#),
        "{audit}"
    );
    assert!(audit.contains(r#""file":"mine.csv""#), "{audit}");
    // A restart (a new state over the same files) serves the upload.
    let restarted = writable_state(dir.path(), 20 << 20);
    let again = get_json(&restarted, "/api/values?indicator=up-1").await;
    assert_eq!(again["values"], values["values"]);
    // Delete it: gone, persisted, audited.
    let r = request(
        restarted.clone(),
        "DELETE",
        "/api/indicators/up-1",
        &[AUTH],
        vec![],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let gone = send(restarted.clone(), "/api/values?indicator=up-1", &[]).await;
    assert_eq!(gone.status, StatusCode::BAD_REQUEST, "{}", gone.text());
    let audit = std::fs::read_to_string(dir.path().join("audit.log")).unwrap();
    assert_eq!(audit.lines().count(), 2);
    assert!(audit.contains("delete-indicator"));
    let again = writable_state(dir.path(), 20 << 20);
    assert_eq!(
        send(again, "/api/values?indicator=up-1", &[]).await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn a_gzip_upload_is_read_like_the_plain_file() {
    let dir = tempfile::tempdir().unwrap();
    let s = writable_state(dir.path(), 20 << 20);
    let r = request(
        s.clone(),
        "POST",
        "/api/indicators",
        &[AUTH, ("content-encoding", "gzip")],
        gzip(&tidy_file("up-gz")),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    get_json(&s, "/api/values?indicator=up-gz").await;
}

#[tokio::test]
async fn a_rejected_upload_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let s = writable_state(dir.path(), 20 << 20);
    let before = get_json(&s, "/api/values?indicator=990001").await;
    let bad = String::from_utf8(tidy_file("990001"))
        .unwrap()
        .replacen(",20,300", ",-3,300", 1)
        .into_bytes();
    let r = request(s.clone(), "POST", "/api/indicators", &[AUTH], bad).await;
    assert_error(
        &r,
        StatusCode::BAD_REQUEST,
        &["upload.csv:2:", "\"Count\"", "negative"],
    );
    assert_eq!(get_json(&s, "/api/values?indicator=990001").await, before);
    assert!(!dir.path().join("durham.uploads").exists());
    assert!(!dir.path().join("audit.log").exists());
}

#[tokio::test]
async fn without_a_valid_token_writes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let s = writable_state(dir.path(), 20 << 20);
    let r = request(s.clone(), "POST", "/api/indicators", &[], tidy_file("x")).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, &["Authorization: Bearer"]);
    assert_eq!(
        r.header(header::WWW_AUTHENTICATE),
        "Bearer realm=\"gapmap\""
    );
    let r = request(
        s.clone(),
        "DELETE",
        "/api/indicators/x",
        &[("authorization", "Bearer nope-nope-nope-nope")],
        vec![],
    )
    .await;
    assert_error(&r, StatusCode::UNAUTHORIZED, &["not valid"]);
    // No token configured at all: writes (and /metrics) are disabled.
    let off = gapmap::server::AppState::with_tilesets(
        std::sync::Arc::new(support::durham().clone()),
        config(),
    );
    let r = request(off.clone(), "POST", "/api/sites", &[AUTH], b"id\n".to_vec()).await;
    assert_error(&r, StatusCode::FORBIDDEN, &["disabled", "GAPMAP_TOKEN"]);
    assert_error(
        &send(off, "/metrics", &[AUTH]).await,
        StatusCode::FORBIDDEN,
        &["disabled"],
    );
}

#[tokio::test]
async fn uploaded_sites_replace_the_built_ones() {
    let dir = tempfile::tempdir().unwrap();
    let s = writable_state(dir.path(), 20 << 20);
    let csv = b"id,name,kind,postcode,lon,lat,existing\nN1,New hub,family_hub,,-1.57,54.77,true\nN2,Second,family_hub,DH2 2PN,,,false\n";
    let r = request(
        s.clone(),
        "POST",
        "/api/sites?file=hubs.csv",
        &[AUTH],
        csv.to_vec(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["sites"], 2);
    let sites = get_json(&s, "/api/sites").await;
    assert_eq!(sites["features"].as_array().unwrap().len(), 2, "{sites}");
    let bad =
        b"id,name,kind,postcode,lon,lat,existing\nN1,New hub,family_hub,,450000,550000,true\n";
    let r = request(s.clone(), "POST", "/api/sites", &[AUTH], bad.to_vec()).await;
    assert_error(
        &r,
        StatusCode::BAD_REQUEST,
        &["sites.csv:2", "lon/lat", "eastings/northings"],
    );
}

#[tokio::test]
async fn formula_injection_in_an_uploaded_name_is_neutralised_in_csv() {
    let dir = tempfile::tempdir().unwrap();
    let s = writable_state(dir.path(), 20 << 20);
    let name = "=cmd|' /C calc'!A0";
    let uri = format!(
        "/api/indicators?name={}",
        name.replace('|', "%7C")
            .replace(' ', "%20")
            .replace('\'', "%27")
            .replace('!', "%21")
            .replace('=', "%3D")
    );
    let r = request(s.clone(), "POST", &uri, &[AUTH], tidy_file("inj")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let csv = send(s.clone(), "/api/gaps?indicator=inj&format=csv", &[]).await;
    assert_eq!(csv.status, StatusCode::OK);
    let text = csv.text();
    assert!(text.contains("'=cmd|"), "{text}");
    assert!(
        !text.contains(",=cmd") && !text.contains("\"=cmd"),
        "{text}"
    );
    // JSON keeps the name as given (it is not a spreadsheet).
    assert_eq!(indicator_name(&s, "inj").await, name);
}

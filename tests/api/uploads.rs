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

/// Service-use records for `service`: `n` contacts at each of the first MSOAs' postcodes
/// (one row per contact), then `extra` raw lines.
fn records(service: &str, per_msoa: &[(usize, u32)], extra: &str) -> (Vec<u8>, Vec<String>) {
    let d = support::durham();
    let mut seen = std::collections::BTreeSet::new();
    let postcodes: Vec<&gapmap::dataset::Postcode> = d
        .postcodes
        .iter()
        .filter(|p| p.msoa11.as_ref().is_some_and(|m| seen.insert(m.clone())))
        .collect();
    let mut csv = String::from("postcode,date,service,age_band,count\n");
    let mut msoas = Vec::new();
    for &(i, n) in per_msoa {
        let p = postcodes[i];
        msoas.push(p.msoa11.clone().unwrap());
        for day in 0..n {
            csv.push_str(&format!(
                "{},2025-01-{:02},{service},0-4,\n",
                p.postcode,
                1 + day % 28
            ));
        }
    }
    csv.push_str(extra);
    (csv.into_bytes(), msoas)
}

#[tokio::test]
async fn reach_records_upload_needs_the_token_names_line_and_field_and_changes_api_reach() {
    let dir = tempfile::tempdir().unwrap();
    let s = writable_state(dir.path(), 20 << 20);
    let uri = "/api/reach-records?service=Health%20visiting&file=hv.csv";
    let (good, msoas) = records(
        "Health visiting",
        &[(0, 12), (1, 7)],
        "ZZ99 9ZZ,2025-02-01,Health visiting,0-4,\n",
    );

    // No token: 401, nothing changed.
    let r = request(s.clone(), "POST", uri, &[], good.clone()).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, &["Authorization: Bearer"]);
    let unknown = send(s.clone(), "/api/reach?service=Health%20visiting", &[]).await;
    assert_error(
        &unknown,
        StatusCode::BAD_REQUEST,
        &["Health visiting", "Family Hub"],
    );

    // A bad date on line 3: 400 naming the file, line and field; nothing changed.
    let bad = String::from_utf8(good.clone())
        .unwrap()
        .replacen("2025-01-02", "02/01/2025", 1)
        .into_bytes();
    let r = request(s.clone(), "POST", uri, &[AUTH], bad).await;
    assert_error(
        &r,
        StatusCode::BAD_REQUEST,
        &["hv.csv:3:", "\"date\"", "02/01/2025"],
    );
    assert!(!dir.path().join("durham.uploads").exists());
    assert!(!dir.path().join("audit.log").exists());

    // Accepted: /api/reach serves the new service with exactly these counts.
    let r = request(s.clone(), "POST", uri, &[AUTH], good.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let j = r.json();
    assert_eq!(j["changed"][0], "reach-health-visiting");
    assert_eq!(j["reach"]["rows"], 20);
    assert_eq!(j["reach"]["contacts"], 19.0);
    assert_eq!(j["reach"]["outside_area"], 1);
    assert_eq!(j["reach"]["unplaced_lines"], serde_json::json!([21]));
    let report = get_json(&s, "/api/reach?service=Health%20visiting&by=area").await;
    let groups = report["table"]["groups"].as_array().unwrap();
    for (msoa, n) in msoas.iter().zip([12.0, 7.0]) {
        let g = groups.iter().find(|g| g["key"] == *msoa).unwrap();
        assert_eq!(g["count"], n, "{msoa}");
    }
    assert_eq!(report["summary"]["contacts"], 19.0);
    // The map layer and the catalogue see it too.
    let list = get_json(&s, "/api/indicators").await;
    assert!(list
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["service"] == "Health visiting"));

    // Audited with counts, persisted without a record: no record's date or postcode line.
    let audit = std::fs::read_to_string(dir.path().join("audit.log")).unwrap();
    assert!(
        audit.contains(r#""action":"upload-reach-records""#),
        "{audit}"
    );
    assert!(audit.contains("19 contacts placed"), "{audit}");
    let overlay = std::fs::read(dir.path().join("durham.uploads")).unwrap();
    let contains = |needle: &str| {
        overlay
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
    };
    for needle in ["2025-01-01", "2025-01-12", "ZZ99 9ZZ", "postcode,date"] {
        assert!(!contains(needle), "the overlay holds {needle:?}");
    }
    // A restart serves the upload from the overlay.
    let restarted = writable_state(dir.path(), 20 << 20);
    let again = get_json(&restarted, "/api/reach?service=Health%20visiting&by=area").await;
    assert_eq!(again["table"]["groups"], report["table"]["groups"]);

    // Re-uploading the configured demo service replaces its reach.
    let (family, _) = records("Family Hub", &[(2, 5)], "");
    let r = request(
        restarted.clone(),
        "POST",
        "/api/reach-records?service=Family%20Hub",
        &[AUTH],
        family,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let fh = get_json(&restarted, "/api/reach?service=Family%20Hub").await;
    assert_eq!(fh["summary"]["contacts"], 5.0);
    assert_eq!(fh["summary"]["synthetic"], false);
}

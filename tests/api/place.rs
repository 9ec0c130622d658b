//! `/api/place`: the same report as `gapmap place` for the same options, what-if evaluations
//! equal to solves, inline sites in POST, every bad input a 400 naming the parameter or field,
//! and 503 when every solve slot is taken.

use crate::support;
use crate::support::http::*;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use gapmap::server::{AppState, ServerConfig};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The Durham snapshot, written once per test binary, for the CLI.
fn snapshot() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("api-place-durham-{}.snapshot", std::process::id()));
        gapmap::snapshot::write_atomic(&path, support::durham()).unwrap();
        path
    })
}

/// `gapmap place --snapshot <durham> -q args…`: stdout bytes.
fn cli(args: &[&str]) -> Vec<u8> {
    let mut all = vec!["place", "--snapshot", snapshot().to_str().unwrap(), "-q"];
    all.extend_from_slice(args);
    let out = assert_cmd::Command::cargo_bin("gapmap")
        .unwrap()
        .env_remove("GAPMAP_CONFIG")
        .args(&all)
        .assert()
        .success();
    out.get_output().stdout.clone()
}

/// The report without what differs between two runs of the same solve: wall-clock times.
fn without_timings(mut report: Value) -> Value {
    report["timings"] = Value::Null;
    if let Some(stages) = report["stages"].as_array_mut() {
        for s in stages {
            s["milp_seconds"] = Value::Null;
            s["presolve"]["millis"] = Value::Null;
        }
    }
    report
}

/// The figures a what-if and a solve of the same sites must share.
fn figures(report: &Value) -> Value {
    json!({
        "objective": report["objective"],
        "secondary_objective": report["secondary_objective"],
        "chosen": report["chosen"],
        "sites": report["sites"],
        "by_quintile": report["by_quintile"],
        "gap_q1_q5": report["gap_q1_q5"],
        "areas": report["areas"],
    })
}

async fn post(state: AppState, body: Value) -> Reply {
    let req = Request::builder()
        .method("POST")
        .uri("/api/place")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    call(state, req).await
}

#[tokio::test]
async fn the_json_equals_the_cli_json_for_the_same_options() {
    for (query, args) in [
        (
            "model=mclp&k=3&radius=5000",
            vec!["--model", "mclp", "--k", "3", "--radius", "5000"],
        ),
        (
            "model=p-median&k=2&ages=0-19&need=imd-decile",
            vec![
                "--model",
                "p-median",
                "--k",
                "2",
                "--ages",
                "0-19",
                "--need",
                "imd-decile",
            ],
        ),
        (
            "model=equity&k=1&need=indicator:990003&radius=4000",
            vec![
                "--model",
                "equity",
                "--k",
                "1",
                "--need",
                "indicator:990003",
                "--radius",
                "4000",
            ],
        ),
    ] {
        let r = get(&format!("/api/place?{query}")).await;
        assert_eq!(r.status, StatusCode::OK, "{query}: {}", r.text());
        assert_eq!(r.header(header::CONTENT_TYPE), "application/json");
        let mut all = args.clone();
        all.extend(["--format", "json"]);
        let from_cli: Value = serde_json::from_slice(&cli(&all)).unwrap();
        assert_eq!(from_cli["status"], "optimal", "{query}");
        assert_eq!(
            without_timings(r.json()),
            without_timings(from_cli),
            "{query}"
        );
    }
}

#[tokio::test]
async fn synthetic_need_is_labelled_synthetic() {
    let j = get_json(&state(), "/api/place?k=1&need=indicator:990003").await;
    assert_eq!(j["synthetic"], true);
    assert!(j["method_notes"][0].as_str().unwrap().contains("SYNTHETIC"));
    let j = get_json(&state(), "/api/place?k=1").await;
    assert_eq!(j["synthetic"], false);
}

#[tokio::test]
async fn a_what_if_of_the_sites_a_solve_chose_reports_the_solve() {
    for model in ["mclp", "p-median", "equity"] {
        let solved = get_json(
            &state(),
            &format!("/api/place?model={model}&k=3&radius=3000"),
        )
        .await;
        let chosen: Vec<&str> = solved["chosen"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert_eq!(chosen.len(), 3, "{model}");
        let uri = format!(
            "/api/place?model={model}&radius=3000&sites={}",
            chosen.join(",")
        );
        let what_if = get_json(&state(), &uri).await;
        assert_eq!(figures(&what_if), figures(&solved), "{model}");
        assert!(what_if["status_note"]
            .as_str()
            .unwrap()
            .contains("nothing was optimised"));
        // And the CLI's what-if says the same.
        let from_cli: Value = serde_json::from_slice(&cli(&[
            "--model",
            model,
            "--radius",
            "3000",
            "--sites",
            &chosen.join(","),
            "--format",
            "json",
        ]))
        .unwrap();
        assert_eq!(
            without_timings(from_cli),
            without_timings(what_if),
            "{model}"
        );
    }
}

#[tokio::test]
async fn a_new_place_on_the_map_counts_like_a_candidate_at_the_same_point() {
    // The place the best single new site would go (so it covers something new), given as
    // @LON:LAT, and the same point given as an inline candidate in a POST body, cover the same
    // areas.
    let best = get_json(&state(), "/api/place?k=1&radius=3000").await;
    let (lon, lat) = (
        best["sites"][0]["lon"].as_f64().unwrap(),
        best["sites"][0]["lat"].as_f64().unwrap(),
    );
    let by_point = get_json(
        &state(),
        &format!("/api/place?radius=3000&sites=@{lon}:{lat}"),
    )
    .await;
    assert_eq!(by_point["chosen"], json!([format!("@{lon}:{lat}")]));
    let r = post(
        state(),
        json!({"radius": 3000, "sites": ["mine"], "candidates": [{"id": "mine", "name": "my hall", "lon": lon, "lat": lat}]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let by_candidate = r.json();
    assert_eq!(by_candidate["chosen"], json!(["mine"]));
    assert_eq!(by_candidate["by_quintile"], by_point["by_quintile"]);
    assert_eq!(by_candidate["gap_q1_q5"], by_point["gap_q1_q5"]);
    // It covers something new, as the solve's site did.
    let all = &by_point["by_quintile"][5];
    assert_eq!(all["label"], "All");
    assert!(all["share_after"].as_f64().unwrap() > all["share_before"].as_f64().unwrap());
}

#[tokio::test]
async fn post_solves_with_inline_candidates_and_existing_sites() {
    let r = post(
        state(),
        json!({"model": "mclp", "k": 1, "radius": 3000, "generate": "none",
               "candidates": [{"id": "A", "x": 443000, "y": 541000}, {"id": "B", "x": 427000, "y": 528000}],
               "existing": [{"id": "E", "lon": -1.70, "lat": 54.60}]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let j = r.json();
    assert_eq!(j["status"], "optimal");
    let ids: Vec<&str> = j["sites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"E"), "{ids:?}");
    assert_eq!(j["chosen"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn downloads_are_the_cli_files() {
    let r = get("/api/place?k=2&format=csv").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header(header::CONTENT_TYPE), "text/csv; charset=utf-8");
    assert!(r
        .header(header::CONTENT_DISPOSITION)
        .contains("gapmap_place_mclp_k_2.csv"));
    assert_eq!(r.body, cli(&["--k", "2", "--format", "csv"]));
    let r = get("/api/place?k=2&format=geojson").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["type"], "FeatureCollection");
    let r = get("/api/place?k=2&format=xlsx").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.starts_with(b"PK"), "an xlsx is a zip");
}

#[tokio::test]
async fn bad_inputs_are_400s_naming_the_parameter_or_field() {
    let big = state_with(ServerConfig {
        place_max_k: 100,
        ..config()
    });
    for (uri, mentions) in [
        ("/api/place?k=0", vec!["k", "between 1 and"]),
        ("/api/place?k=51", vec!["k", "limit of 50"]),
        ("/api/place?k=three", vec!["k", "three"]),
        ("/api/place", vec!["k", "sites"]),
        ("/api/place?k=1&radius=0", vec!["radius", "greater than 0"]),
        ("/api/place?k=1&radius=-5", vec!["radius"]),
        ("/api/place?k=1&radius=far", vec!["radius", "far"]),
        (
            "/api/place?k=1&model=nearest",
            vec!["model", "mclp, p-median, equity"],
        ),
        ("/api/place?k=1&ages=0-30", vec!["ages", "0-4"]),
        ("/api/place?k=1&need=wealth", vec!["need", "imd-score"]),
        (
            "/api/place?k=1&need=indicator:nope",
            vec!["unknown indicator", "nope"],
        ),
        ("/api/place?k=1&level=msoa11", vec!["lsoa11 or lsoa21"]),
        ("/api/place?k=1&format=pdf", vec!["format", "csv"]),
        ("/api/place?k=1&generate=none", vec!["no candidate sites"]),
        ("/api/place?k=1&kk=2", vec!["kk"]),
        ("/api/place?k=1&time_limit=0", vec!["time_limit"]),
        ("/api/place?k=1&sites=E02004290", vec!["sites", "not both"]),
        ("/api/place?sites=NOPE", vec!["sites", "NOPE"]),
        (
            "/api/place?sites=E02004290,E02004290",
            vec!["E02004290", "duplicate"],
        ),
        (
            "/api/place?sites=@2.35:48.85",
            vec!["sites:1", "lon/lat", "Great Britain"],
        ),
        (
            "/api/place?sites=@-3.19:55.95",
            vec!["sites:1", "lon/lat", "England"],
        ),
        (
            "/api/place?sites=@west:54.7",
            vec!["sites:1", "lon", "west"],
        ),
        ("/api/place?sites=@-1.5", vec!["sites", "@LON:LAT"]),
    ] {
        let r = send(state(), uri, &[]).await;
        assert_error(&r, StatusCode::BAD_REQUEST, &mentions);
    }
    let r = send(big.clone(), "/api/place?k=70", &[]).await;
    assert_error(
        &r,
        StatusCode::BAD_REQUEST,
        &["k = 70", "66 candidate sites"],
    );

    for (body, mentions) in [
        (
            json!({"k": 1, "candidates": [{"id": "A", "x": 443000, "y": 541000}, {"id": "A", "x": 443100, "y": 541000}]}),
            vec!["candidates:2", "\"A\""],
        ),
        (
            json!({"k": 1, "candidates": [{"id": "far", "x": 900000, "y": 541000}]}),
            vec!["candidates:1", "x/y", "England"],
        ),
        (
            json!({"k": 1, "candidates": [{"id": "pc", "postcode": "ZZ99 9ZZ"}]}),
            vec!["candidates:1", "postcode", "ZZ99 9ZZ"],
        ),
        (
            json!({"k": 1, "existing": [{"id": "e", "x": "east", "y": 541000}]}),
            vec!["existing:1", "\"x\"", "east"],
        ),
        (json!({"k": 1, "radius": 0}), vec!["radius"]),
        (json!({"k": 1, "modle": "mclp"}), vec!["modle"]),
    ] {
        let r = post(state(), body.clone()).await;
        assert_error(&r, StatusCode::BAD_REQUEST, &mentions);
    }
    let r = post(state(), json!("not an object")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
}

#[tokio::test]
async fn a_full_solve_pool_answers_503_but_what_ifs_still_run() {
    let s = state_with(ServerConfig {
        place_solves: 1,
        ..config()
    });
    let slot = s.place_slots().try_take().unwrap();
    let r = send(s.clone(), "/api/place?k=1", &[]).await;
    assert_error(&r, StatusCode::SERVICE_UNAVAILABLE, &["solve slots"]);
    assert_eq!(r.header(header::RETRY_AFTER), "5");
    let r = send(s.clone(), "/api/place?sites=E02004290", &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    drop(slot);
    let r = send(s, "/api/place?k=1", &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}

//! Property test: with random counts (many of them 1–4) injected into an indicator, no public
//! output — values, area profiles, gap tables (JSON, CSV, by every grouping), GeoJSON —
//! contains a suppressed count, a value or interval that gives it back, or group totals from
//! which it can be solved.
//!
//! "Solved" is checked exactly: every published group total minus its published members is a
//! linear equation in the withheld counts; a withheld small count is disclosed iff its unit
//! vector lies in the row space of those equations (Gaussian elimination below, written
//! independently of the server's own audit). The tables include every deprivation grouping
//! *within each locality* (`/api/gaps?…&locality=`), whose totals can be differenced against
//! the county-wide ones.

use crate::support;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use gapmap::dataset::Dataset;
use gapmap::public::PublicDataset;
use gapmap::server::{app, AppState, ServerConfig};
use gapmap::stats::{wilson::wilson_interval, Confidence};
use http_body_util::BodyExt;
use proptest::prelude::*;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use tower::ServiceExt;

const INDICATOR: &str = "990001";
const MAX: f64 = 4.0;

fn is_small(c: f64) -> bool {
    c > 0.0 && c < MAX + 1.0
}

/// The Durham dataset with `counts` (one per MSOA, in value order) written into INDICATOR,
/// values and Wilson 95% limits recomputed from them.
fn with_counts(counts: &[u32]) -> Dataset {
    let mut d = support::durham().clone();
    let ind = d
        .indicators
        .iter_mut()
        .find(|i| i.meta.id == INDICATOR)
        .unwrap();
    for (v, &c) in ind.values.iter_mut().zip(counts) {
        let n = v.denominator.unwrap();
        let c = f64::from(c);
        let ci = wilson_interval(c, n, Confidence::P95).unwrap();
        v.count = Some(c);
        v.value = Some(100.0 * c / n);
        v.lower95 = Some(100.0 * ci.lower);
        v.upper95 = Some(100.0 * ci.upper);
        v.lower998 = None;
        v.upper998 = None;
    }
    d
}

async fn get(state: &AppState, uri: &str) -> (StatusCode, Vec<u8>) {
    let res = app(state.clone())
        .oneshot(
            Request::builder()
                .uri(uri)
                .header("host", "t")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let status = res.status();
    (
        status,
        res.into_body().collect().await.unwrap().to_bytes().to_vec(),
    )
}

async fn get_json(state: &AppState, uri: &str) -> Value {
    let (status, body) = get(state, uri).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{uri}: {}",
        String::from_utf8_lossy(&body)
    );
    serde_json::from_slice(&body).unwrap()
}

/// Check one published row (value/count/denominator/limits): nothing small shows, directly
/// or through value × denominator / 100.
fn check_row(where_: &str, row: &Value) {
    let f = |k: &str| row.get(k).and_then(Value::as_f64);
    if let Some(c) = f("count") {
        assert!(!is_small(c), "{where_}: published count {c}: {row}");
    }
    if let (Some(v), Some(n)) = (f("value"), f("denominator")) {
        let implied = v * n / 100.0;
        assert!(
            !is_small(implied.round()) || implied.round() == 0.0,
            "{where_}: value {v} × {n} gives {implied}: {row}"
        );
    }
    if row.get("suppressed") == Some(&Value::Bool(true)) {
        for k in ["value", "count", "lower95", "upper95"] {
            assert!(
                row.get(k).is_none_or(Value::is_null),
                "{where_}: suppressed row shows {k}: {row}"
            );
        }
    }
}

/// Rank-based disclosure test (independent implementation): is hidden cell `target`
/// determined by `equations` (each a set of hidden cells whose sum is known)?
#[allow(clippy::needless_range_loop)] // Gaussian elimination reads clearest with row indices
fn determined(equations: &[Vec<usize>], n_cells: usize, target: usize) -> bool {
    let rank = |rows: &[Vec<f64>]| -> usize {
        let mut m: Vec<Vec<f64>> = rows.to_vec();
        let mut rank = 0;
        for c in 0..n_cells {
            if let Some(p) = (rank..m.len()).find(|&r| m[r][c].abs() > 1e-9) {
                m.swap(rank, p);
                let pivot = m[rank].clone();
                for r in 0..m.len() {
                    if r != rank && m[r][c].abs() > 1e-9 {
                        let k = m[r][c] / pivot[c];
                        for j in 0..n_cells {
                            m[r][j] -= k * pivot[j];
                        }
                    }
                }
                rank += 1;
            }
        }
        rank
    };
    let rows: Vec<Vec<f64>> = equations
        .iter()
        .map(|e| {
            (0..n_cells)
                .map(|j| if e.contains(&j) { 1.0 } else { 0.0 })
                .collect()
        })
        .collect();
    let mut with_target = rows.clone();
    with_target.push(
        (0..n_cells)
            .map(|j| if j == target { 1.0 } else { 0.0 })
            .collect(),
    );
    rank(&rows) == rank(&with_target)
}

async fn check_all_outputs(counts: Vec<u32>) {
    let dataset = with_counts(&counts);
    let codes: Vec<String> = dataset
        .indicator(INDICATOR)
        .unwrap()
        .values
        .iter()
        .map(|v| v.area_code.clone())
        .collect();
    let true_count: HashMap<String, f64> = codes
        .iter()
        .cloned()
        .zip(counts.iter().map(|&c| f64::from(c)))
        .collect();
    let state = AppState::new(
        Arc::new(PublicDataset::new(Arc::new(dataset))),
        BTreeMap::new(),
        ServerConfig::default(),
    );

    // Values endpoint.
    let values = get_json(&state, &format!("/api/values?indicator={INDICATOR}")).await;
    let mut hidden: Vec<String> = Vec::new();
    for v in values["values"].as_array().unwrap() {
        check_row("values", v);
        let code = v["code"].as_str().unwrap().to_string();
        if is_small(true_count[&code]) {
            assert_eq!(
                v["suppressed"], true,
                "small count {} in {code} not suppressed",
                true_count[&code]
            );
        }
        if v["suppressed"] == true {
            hidden.push(code);
        }
    }
    let hidden_set: HashSet<&String> = hidden.iter().collect();

    // Area profiles of every area with a small count, and of one that is not.
    for code in codes
        .iter()
        .filter(|c| is_small(true_count[*c]))
        .chain(codes.first())
    {
        let p = get_json(&state, &format!("/api/areas/{code}")).await;
        let row = p["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == INDICATOR)
            .unwrap()
            .clone();
        check_row("profile", &row);
        assert_eq!(
            row["suppressed"] == true,
            hidden_set.contains(code),
            "profile and values agree on {code}"
        );
    }

    // GeoJSON download.
    let (_, body) = get(&state, &format!("/api/geo?indicator={INDICATOR}")).await;
    let fc: Value = serde_json::from_slice(&body).unwrap();
    for f in fc["features"].as_array().unwrap() {
        check_row("geojson", &f["properties"]);
        let code = f["properties"]["code"].as_str().unwrap().to_string();
        assert_eq!(
            f["properties"]["suppressed"] == true,
            hidden_set.contains(&code)
        );
    }

    // Gap tables by every grouping: rows safe, CSV safe, and no small count solvable.
    let mut equations: Vec<Vec<usize>> = Vec::new();
    let column: HashMap<&String, usize> = hidden.iter().enumerate().map(|(i, c)| (c, i)).collect();
    let published: HashMap<String, f64> = values["values"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| Some((v["code"].as_str()?.to_string(), v["count"].as_f64()?)))
        .collect();
    let localities: Vec<String> = get_json(&state, "/api/areas?level=locality")
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap().to_string())
        .collect();
    assert!(localities.len() >= 2, "the fixture has localities");
    let scopes: Vec<Option<&String>> = std::iter::once(None)
        .chain(localities.iter().map(Some))
        .collect();
    for edition in ["imd2019", "imd2025"] {
        let areas = get_json(&state, &format!("/api/areas?level=msoa11&imd={edition}")).await;
        let key_of = |a: &Value, by: &str| -> String {
            match by {
                "imd-decile" => a["imd"]["decile"].to_string(),
                "imd-quintile" => a["imd"]["quintile"].to_string(),
                "local-quintile" => a["imd"]["local_quintile"].to_string(),
                _ => a["locality"].as_str().unwrap_or("").to_string(),
            }
        };
        for scope in &scopes {
            for by in ["imd-decile", "imd-quintile", "local-quintile", "locality"] {
                if scope.is_some() && by == "locality" {
                    continue;
                }
                let uri = match scope {
                    None => format!("/api/gaps?indicator={INDICATOR}&by={by}&imd={edition}"),
                    Some(l) => format!(
                        "/api/gaps?indicator={INDICATOR}&by={by}&imd={edition}&locality={}",
                        l.replace(' ', "%20")
                    ),
                };
                let table = get_json(&state, &uri).await;
                for g in table["groups"].as_array().unwrap() {
                    check_row(&uri, g);
                    let Some(total) = g["count"].as_f64() else {
                        continue;
                    };
                    let members: Vec<String> = areas
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter(|a| key_of(a, by) == g["key"].as_str().unwrap())
                        .filter(|a| {
                            scope.is_none_or(|l| a["locality"].as_str() == Some(l.as_str()))
                        })
                        .map(|a| a["code"].as_str().unwrap().to_string())
                        .collect();
                    assert_eq!(
                        members.len() as u64,
                        g["areas"].as_u64().unwrap(),
                        "{uri}: group {} membership",
                        g["key"]
                    );
                    let visible: f64 = members.iter().filter_map(|m| published.get(m)).sum();
                    let eq: Vec<usize> = members
                        .iter()
                        .filter_map(|m| column.get(m).copied())
                        .collect();
                    let residual = total - visible;
                    let truth: f64 = members
                        .iter()
                        .filter(|m| hidden_set.contains(m))
                        .map(|m| true_count[m])
                        .sum();
                    assert!(
                        (residual - truth).abs() < 1e-6,
                        "{uri}: group {} residual",
                        g["key"]
                    );
                    if !eq.is_empty() {
                        equations.push(eq);
                    }
                }
                let (_, csv) = get(&state, &format!("{uri}&format=csv")).await;
                let mut reader = csv::Reader::from_reader(&csv[..]);
                let headers = reader.headers().unwrap().clone();
                let count_col = headers.iter().position(|h| h == "count").unwrap();
                for rec in reader.records() {
                    let rec = rec.unwrap();
                    if let Ok(c) = rec[count_col].parse::<f64>() {
                        assert!(!is_small(c), "{uri} CSV count {c}");
                    }
                }
            }
        }
    }
    let by_area = get_json(&state, &format!("/api/gaps?indicator={INDICATOR}&by=area")).await;
    for g in by_area["groups"].as_array().unwrap() {
        check_row("gaps by area", g);
        let code = g["key"].as_str().unwrap().to_string();
        assert_eq!(
            g["suppressed"] == true,
            hidden_set.contains(&code),
            "by-area table agrees with values on {code}"
        );
    }
    // The county total (sum of every area) is published too.
    equations.push((0..hidden.len()).collect());

    for (j, code) in hidden.iter().enumerate() {
        if is_small(true_count[code]) {
            assert!(
                !determined(&equations, hidden.len(), j),
                "small count of {code} can be solved from group totals"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn no_public_output_reveals_a_small_count(
        counts in proptest::collection::vec(prop_oneof![3 => 0u32..=4, 7 => 5u32..=60], 66)
    ) {
        tokio::runtime::Runtime::new().unwrap().block_on(check_all_outputs(counts));
    }
}

#[tokio::test]
async fn the_published_tooth_decay_data_reveals_no_small_count() {
    // The real demo file: 990005 has MSOA samples of 3-28 children.
    let d = support::durham();
    let counts: Vec<u32> = d
        .indicator("990005")
        .unwrap()
        .values
        .iter()
        .map(|v| v.count.unwrap() as u32)
        .collect();
    assert!(
        counts.iter().any(|&c| is_small(f64::from(c))),
        "fixture has small counts"
    );
    check_all_outputs(counts).await;
}

//! Downloads: `/api/gaps` (JSON, CSV, XLSX, Parquet) and `/api/geo` (GeoJSON, GeoPackage).

use crate::support::http::*;
#[allow(unused_imports)]
use axum::http::{header, StatusCode};
#[allow(unused_imports)]
use gapmap::server::ServerConfig;
#[allow(unused_imports)]
use serde_json::Value;

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

/// Weighted least squares of `y` on `x` with weights `w`: (intercept, slope).
fn weighted_fit(x: &[f64], y: &[f64], w: &[f64]) -> (f64, f64) {
    let sw: f64 = w.iter().sum();
    let mx = x.iter().zip(w).map(|(x, w)| x * w).sum::<f64>() / sw;
    let my = y.iter().zip(w).map(|(y, w)| y * w).sum::<f64>() / sw;
    let sxy: f64 = (0..x.len()).map(|i| w[i] * (x[i] - mx) * (y[i] - my)).sum();
    let sxx: f64 = (0..x.len()).map(|i| w[i] * (x[i] - mx).powi(2)).sum();
    (my - sxy / sxx * mx, sxy / sxx)
}

/// Midpoints of each weight's range in the cumulative share of the weights.
fn rank_midpoints(weights: &[f64]) -> Vec<f64> {
    let total: f64 = weights.iter().sum();
    let mut cumulative = 0.0;
    weights
        .iter()
        .map(|w| {
            let share = w / total;
            cumulative += share;
            cumulative - share / 2.0
        })
        .collect()
}

#[tokio::test]
async fn gap_chart_geometry_is_the_fit_behind_the_published_sii() {
    // Defect: for smoking at delivery by national IMD quintile the chart refitted the SII line
    // weighting groups by population while the SII is fitted with denominators, so the drawn
    // slope (~20.1) disagreed with the printed SII (~20.9). The server now returns what the
    // chart draws: each group's share of the SII weights, its rank midpoint, and the line ends.
    let j = get("/api/gaps?indicator=990003&by=imd-quintile")
        .await
        .json();
    let groups = j["groups"].as_array().unwrap();
    let denominators: Vec<f64> = groups
        .iter()
        .map(|g| g["denominator"].as_f64().unwrap())
        .collect();
    let total: f64 = denominators.iter().sum();
    let midpoints = rank_midpoints(&denominators);
    for (i, g) in groups.iter().enumerate() {
        let share = g["share"]
            .as_f64()
            .expect("every deprivation group has a share");
        assert!((share - denominators[i] / total).abs() < 1e-12, "{g}");
        let mid = g["rank_midpoint"].as_f64().unwrap();
        assert!((mid - midpoints[i]).abs() < 1e-12, "{g}");
    }
    let values: Vec<f64> = groups
        .iter()
        .map(|g| g["value"].as_f64().unwrap())
        .collect();
    let shares: Vec<f64> = denominators.iter().map(|d| d / total).collect();
    // The PHE regression (square-root weights on the rows) is least squares weighted by share.
    let (intercept, slope) = weighted_fit(&midpoints, &values, &shares);
    let line = &j["summary"]["sii_line"];
    let (most, least) = (
        line["at_most_deprived"].as_f64().unwrap(),
        line["at_least_deprived"].as_f64().unwrap(),
    );
    assert!((most - intercept).abs() < 1e-9 && (least - (intercept + slope)).abs() < 1e-9);
    let sii = j["summary"]["sii"]["value"].as_f64().unwrap();
    assert!(
        (most - least - sii).abs() < 1e-9,
        "line drop {} vs SII {sii}",
        most - least
    );
    // The old chart's population-weighted refit gives a visibly different slope.
    let populations: Vec<f64> = groups
        .iter()
        .map(|g| g["population"].as_f64().unwrap())
        .collect();
    let pop_total: f64 = populations.iter().sum();
    let pop_shares: Vec<f64> = populations.iter().map(|p| p / pop_total).collect();
    let (_, pop_slope) = weighted_fit(&rank_midpoints(&populations), &values, &pop_shares);
    println!("SII {sii:.2}; population-weighted refit {:.2}", -pop_slope);
    assert!(
        (-pop_slope - sii).abs() > 0.3,
        "the defect's two weightings differ"
    );
}

#[tokio::test]
async fn every_table_with_an_sii_carries_the_line_it_was_fitted_with() {
    for id in ["990001", "990003", "990004"] {
        for by in ["imd-decile", "imd-quintile", "local-quintile", "locality"] {
            let j = get(&format!("/api/gaps?indicator={id}&by={by}"))
                .await
                .json();
            let Some(sii) = j["summary"]["sii"]["value"].as_f64() else {
                assert!(j["summary"].get("sii_line").is_none(), "{id} {by}");
                continue;
            };
            let line = &j["summary"]["sii_line"];
            let drop = line["at_most_deprived"].as_f64().unwrap()
                - line["at_least_deprived"].as_f64().unwrap();
            // Higher-is-better indicators (breastfeeding) report least minus most deprived.
            let oriented = if id == "990004" { -drop } else { drop };
            assert!(
                (oriented - sii).abs() < 1e-9,
                "{id} {by}: {oriented} vs {sii}"
            );
            let shares: f64 = j["groups"]
                .as_array()
                .unwrap()
                .iter()
                .map(|g| g["share"].as_f64().unwrap())
                .sum();
            assert!((shares - 1.0).abs() < 1e-9, "{id} {by}");
        }
    }
}

#[tokio::test]
async fn gaps_within_a_locality_use_only_its_areas_and_match_the_cli() {
    let localities = get("/api/areas?level=locality").await.json();
    let msoas = get("/api/areas?level=msoa11").await.json();
    let values = get("/api/values?indicator=990002").await.json();
    let denominator_of = |code: &str| {
        values["values"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["code"] == code)
            .and_then(|v| v["denominator"].as_f64())
            .unwrap()
    };
    for l in localities.as_array().unwrap() {
        let name = l["name"].as_str().unwrap();
        let members: Vec<&str> = msoas
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["locality"] == name)
            .map(|a| a["code"].as_str().unwrap())
            .collect();
        assert!(!members.is_empty());
        let uri = format!(
            "/api/gaps?indicator=990002&by=imd-quintile&locality={}",
            name.replace(' ', "%20")
        );
        let r = get(&uri).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.text());
        let j = r.json();
        assert_eq!(j["locality"], name);
        let groups = j["groups"].as_array().unwrap();
        let areas: u64 = groups.iter().map(|g| g["areas"].as_u64().unwrap()).sum();
        assert_eq!(areas, members.len() as u64, "{name}: every area once");
        let denominators: f64 = groups
            .iter()
            .filter_map(|g| g["denominator"].as_f64())
            .sum();
        let expected: f64 = members.iter().map(|m| denominator_of(m)).sum();
        assert!((denominators - expected).abs() < 1e-6, "{name}");
        assert!(j["method_notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains(name)));
        // `gapmap gaps --locality` writes exactly the table the API serves.
        let args = gapmap::cli::gaps::GapsArgs {
            selection: gapmap::cli::args::GapSelection {
                indicator: "990002".into(),
                by: gapmap::gaps::GroupBy::ImdQuintile,
                level: None,
                imd: None,
                locality: Some(name.to_string()),
                reps: 100_000,
                seed: gapmap::stats::sii::DEFAULT_SEED,
            },
            period: None,
            format: gapmap::cli::gaps::GapsFormat::Json,
            out: None,
        };
        let mut out = Vec::new();
        gapmap::cli::gaps::run(&args, &state().public(), &mut out).unwrap();
        let cli: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(cli, j, "{name}: CLI and API agree");
    }
}

#[tokio::test]
async fn unknown_locality_and_locality_within_locality_are_400() {
    assert_error(
        &get("/api/gaps?indicator=990002&by=imd-quintile&locality=Atlantis").await,
        StatusCode::BAD_REQUEST,
        &["Atlantis", "localities"],
    );
    assert_error(
        &get("/api/gaps?indicator=990002&by=locality&locality=Atlantis").await,
        StatusCode::BAD_REQUEST,
        &["single row"],
    );
}

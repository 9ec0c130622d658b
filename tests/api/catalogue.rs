//! What the server holds: `/api/meta`, `/api/levels`, `/api/indicators`.

use crate::support::http::*;
#[allow(unused_imports)]
use axum::http::{header, StatusCode};
#[allow(unused_imports)]
use gapmap::server::ServerConfig;
#[allow(unused_imports)]
use serde_json::Value;

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
    // Five health indicators with five periods each, and the synthetic Family Hub reach.
    assert_eq!(list.len(), 6);
    assert!(list.iter().all(|i| i["synthetic"] == true));
    let health: Vec<_> = list.iter().filter(|i| i.get("service").is_none()).collect();
    assert_eq!(health.len(), 5);
    assert!(health
        .iter()
        .all(|i| i["periods"].as_array().unwrap().len() == 5
            && i["periods"].as_array().unwrap().last() == Some(&i["period"])));
    let reach = list.iter().find(|i| i["id"] == "reach-family-hub").unwrap();
    assert_eq!(reach["service"], "Family Hub");
    assert_eq!(reach["periods"], serde_json::json!([reach["period"]]));
    let smoking = list.iter().find(|i| i["id"] == "990003").unwrap();
    // England 8.4336% from pooled Fingertips counts (indicators/README.md, Part B).
    assert_eq!(smoking["england"]["value"], 8.4336);
    assert_eq!(smoking["county"]["value"], 16.7125);
    assert_eq!(smoking["polarity"], "higher_is_worse");
    insta::assert_json_snapshot!("indicators", j);
}

#[tokio::test]
async fn groupings_list_every_grouping_with_its_label() {
    let j = get("/api/groupings").await.json();
    let ids: Vec<&str> = j
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "imd-decile",
            "imd-quintile",
            "local-quintile",
            "locality",
            "area"
        ]
    );
    let q = &j[1];
    assert_eq!(q["label"], "National IMD quintile");
    assert_eq!(q["deprivation"], true);
    assert_eq!(q["locality_scope"], true);
    assert_eq!(
        j[3]["locality_scope"], false,
        "no locality within a locality"
    );
    assert_eq!(j[4]["per_area"], true);
    assert!(j.as_array().unwrap().iter().all(|g| g["available"] == true));
}

#[tokio::test]
async fn indicator_legend_classes_cover_every_area_of_the_values() {
    let legend = get("/api/legend?layer=990005").await.json();
    let values = get("/api/values?indicator=990005").await.json();
    let values = values["values"].as_array().unwrap();
    let breaks: Vec<f64> = legend["breaks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_f64().unwrap())
        .collect();
    let classes = legend["classes"].as_array().unwrap();
    assert_eq!(classes.len(), breaks.len() + 1);
    assert!(breaks.windows(2).all(|w| w[0] < w[1]));
    // Count the values into classes by MapLibre's step rule, independently of the server.
    let mut counts = vec![0u64; classes.len()];
    let (mut suppressed, mut missing) = (0u64, 0u64);
    for v in values {
        if v["suppressed"] == true {
            suppressed += 1;
        } else if let Some(x) = v["value"].as_f64() {
            counts[breaks.iter().filter(|&&b| x >= b).count()] += 1;
        } else {
            missing += 1;
        }
    }
    for (c, n) in classes.iter().zip(&counts) {
        assert_eq!(c["count"].as_u64().unwrap(), *n, "{c}");
        assert!(c["colour"].as_str().unwrap().starts_with('#'));
    }
    assert_eq!(legend["suppressed"]["count"].as_u64().unwrap(), suppressed);
    assert!(suppressed > 0, "tooth decay has suppressed areas");
    assert_eq!(legend["no_data"]["count"].as_u64().unwrap(), missing);
    assert_eq!(legend["synthetic"], true);
    // Higher is worse: the darkest viridis colour for the highest class; higher is better
    // (breastfeeding, 990004): the darkest for the lowest.
    let smoking = get("/api/legend?layer=990003").await.json();
    assert_eq!(smoking["classes"].as_array().unwrap().len(), 5);
    assert_eq!(smoking["classes"][4]["colour"], "#440154");
    let breastfeeding = get("/api/legend?layer=990004").await.json();
    assert_eq!(breastfeeding["classes"][0]["colour"], "#440154");
}

#[tokio::test]
async fn imd_decile_legend_counts_the_areas_of_each_decile() {
    let legend = get("/api/legend?layer=imd-decile&level=msoa11")
        .await
        .json();
    let areas = get("/api/areas?level=msoa11").await.json();
    let classes = legend["classes"].as_array().unwrap();
    assert_eq!(classes.len(), 10);
    for (i, c) in classes.iter().enumerate() {
        let n = areas
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["imd"]["decile"].as_u64() == Some(i as u64 + 1))
            .count() as u64;
        assert_eq!(c["count"].as_u64().unwrap(), n, "decile {}", i + 1);
    }
    assert_eq!(classes[0]["label"], "1 most deprived");
    assert_eq!(classes[0]["colour"], "#1a1042", "decile 1 darkest");
    assert_error(
        &get("/api/legend?layer=nope").await,
        StatusCode::BAD_REQUEST,
        &["imd-decile", "990001"],
    );
}

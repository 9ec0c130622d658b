//! `period=` on `/api/values`, `/api/gaps` and `/api/legend`, and `/api/trend`: an earlier
//! period's values are that period's rows of the synthetic trend file; an unknown period is a
//! 400 listing the periods; the trend says in words which way the gap went.

use crate::support::http::*;
use axum::http::StatusCode;

#[tokio::test]
async fn an_earlier_period_serves_that_periods_rows() {
    // durham_msoa_demo_indicators_trend.csv, line 3: 990001, E02004291, 2017/18 - 19/20,
    // 20.2381% (51 / 252).
    let j = get("/api/values?indicator=990001&period=2017/18%20-%2019/20")
        .await
        .json();
    let v = j["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["code"] == "E02004291")
        .unwrap()
        .clone();
    assert_eq!(v["value"].as_f64(), Some(20.2381));
    assert_eq!(v["count"].as_f64(), Some(51.0));
    assert_eq!(v["denominator"].as_f64(), Some(252.0));
    let latest = get("/api/values?indicator=990001").await.json();
    assert_ne!(latest, j);
    let legend = get("/api/legend?layer=990001&period=2017/18%20-%2019/20").await;
    assert_eq!(legend.status, StatusCode::OK);
}

#[tokio::test]
async fn an_unknown_period_is_a_400_listing_the_periods() {
    for uri in [
        "/api/values?indicator=990003&period=2030/31",
        "/api/gaps?indicator=990003&period=2030/31",
    ] {
        let r = get(uri).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}");
        let text = r.text();
        assert!(
            text.contains("2030/31") && text.contains("2017/18 - 19/20"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn gaps_for_a_period_and_the_trend_agree() {
    let old = get("/api/gaps?indicator=990003&by=local-quintile&period=2017/18%20-%2019/20")
        .await
        .json();
    assert_eq!(old["indicator"]["period"], "2017/18 - 19/20");
    let trend = get("/api/trend?indicator=990003&by=local-quintile")
        .await
        .json();
    assert_eq!(trend["direction"], "narrowed");
    assert!(trend["verdict"]
        .as_str()
        .unwrap()
        .starts_with("The gap has narrowed significantly"));
    let periods = trend["periods"].as_array().unwrap();
    assert_eq!(periods.len(), 5);
    assert_eq!(periods[0]["period"], "2017/18 - 19/20");
    assert_eq!(periods[0]["sii"], old["summary"]["sii"]);
    assert_eq!(periods[0]["groups"], old["groups"]);
    let csv = get("/api/trend?indicator=990003&by=local-quintile&format=csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    let text = csv.text();
    assert!(
        text.starts_with("# The gap has narrowed significantly"),
        "{text}"
    );
    assert!(text.contains("SII change (latest − first)"));
    assert!(text.contains("SYNTHETIC"));
}

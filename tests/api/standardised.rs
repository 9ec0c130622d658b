//! Standardised indicators in a Fingertips export (issue 14): gapmap tells them from crude
//! rates by their values, recomputes an indirectly standardised group as ΣO / ΣE × R (E
//! recovered from each area's published value), keeps a directly standardised area's published
//! value and limits, and names every group it could not recompute, with the reason — in the
//! JSON, the summary notes and the CSV download.
//!
//! The expected values are worked here from the uploaded rows alone (Byar's limits written
//! out, not gapmap's code), for the same grouping `/api/gaps` reports.

use crate::support;
use crate::support::http::*;
use axum::http::StatusCode;
use gapmap::imd::ImdEdition;
use std::collections::BTreeMap;

const AUTH: (&str, &str) = ("authorization", BEARER);
const HEADER: &str = "Indicator ID,Indicator Name,Area Code,Area Name,Sex,Age,Category Type,Time period,Value,Lower CI 95.0 limit,Upper CI 95.0 limit,Count,Denominator,Value note\n";

/// One MSOA's observed events and published value for the ISR export; area `zero` has none.
fn isr_area(i: usize, zero: usize) -> (f64, f64) {
    if i == zero {
        return (0.0, 0.0);
    }
    let observed = 12.0 + ((i * 7) % 40) as f64;
    let ratio = 0.75 + (i % 6) as f64 * 0.1; // O/E
                                             // Published to 1 d.p., as Fingertips publishes 41101.
    let value = (ratio * 14.1 * 10.0).round() / 10.0;
    (observed, value)
}

/// A Fingertips export: England's row (the real 41101 England row for 2018/19, whose value is
/// its crude rate as an ISR's reference is) and one row per Durham MSOA.
fn isr_export(codes: &[String], zero: usize) -> String {
    let mut csv = String::from(HEADER);
    csv.push_str("t-isr,Emergency readmissions (test export),E92000001,England,Persons,All ages,,2018/19,14.1,14.0,14.1,494346,3515908,\n");
    for (i, code) in codes.iter().enumerate() {
        let (o, v) = isr_area(i, zero);
        csv.push_str(&format!(
            "t-isr,Emergency readmissions (test export),{code},MSOA,Persons,All ages,,2018/19,{v:.1},{:.1},{:.1},{o},{},\n",
            v * 0.8,
            v * 1.2,
            400 + i * 3
        ));
    }
    csv
}

/// A DSR export: values 0.9–1.11 × the crude rate, England's 2503.4 not its crude 2730.8.
fn dsr_export(codes: &[String]) -> String {
    let mut csv = String::from(HEADER);
    csv.push_str("t-dsr,Falls admissions 65+ (test export),E92000001,England,Persons,65+ yrs,,2018/19,2503.4,2490.5,2516.4,149656,5480307,\n");
    for (i, code) in codes.iter().enumerate() {
        let (count, denominator) = (20 + i % 30, 1500 + 20 * i);
        let crude = count as f64 / denominator as f64 * 100_000.0;
        let value = crude * (0.9 + (i % 4) as f64 * 0.07);
        csv.push_str(&format!(
            "t-dsr,Falls admissions 65+ (test export),{code},MSOA,Persons,65+ yrs,,2018/19,{value:.1},{:.1},{:.1},{count},{denominator},\n",
            value * 0.7,
            value * 1.35
        ));
    }
    csv
}

/// Byar's limits of an ISR: O_limit / E × R (Breslow & Day 1987), z = 1.959964.
fn byar_isr(o: f64, e: f64, r: f64) -> (f64, f64) {
    let z = 1.959963984540054;
    let lower = o * (1.0 - 1.0 / (9.0 * o) - z / (3.0 * o.sqrt())).powi(3);
    let o1 = o + 1.0;
    let upper = o1 * (1.0 - 1.0 / (9.0 * o1) + z / (3.0 * o1.sqrt())).powi(3);
    (lower / e * r, upper / e * r)
}

fn codes() -> Vec<String> {
    let d = support::durham();
    d.layer(d.meta.default_level)
        .unwrap()
        .areas
        .iter()
        .map(|a| a.code.clone())
        .collect()
}

/// National IMD quintile of each MSOA in the edition the table used.
fn quintiles(edition: &serde_json::Value) -> BTreeMap<String, u8> {
    let edition: ImdEdition = serde_json::from_value(edition.clone()).unwrap();
    let d = support::durham();
    d.layer(d.meta.default_level)
        .unwrap()
        .areas
        .iter()
        .filter_map(|a| Some((a.code.clone(), a.imd(edition)?.quintile)))
        .collect()
}

async fn upload(s: &gapmap::server::AppState, csv: String) {
    let r = request(
        s.clone(),
        "POST",
        "/api/indicators?file=export.csv&polarity=higher_is_worse",
        &[AUTH],
        csv.into_bytes(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}

#[tokio::test]
async fn an_indirectly_standardised_export_is_recomputed_as_observed_over_expected() {
    let dir = tempfile::tempdir().unwrap();
    let s = writable_state(dir.path(), 20 << 20);
    let codes = codes();
    let zero = 5;
    upload(&s, isr_export(&codes, zero)).await;
    let t = get_json(&s, "/api/gaps?indicator=t-isr&by=imd-quintile").await;
    assert_eq!(t["indicator"]["standardisation"], "indirect");
    assert_eq!(t["indicator"]["value_type"], "rate");
    assert_eq!(t["indicator"]["multiplier"], 100.0);
    let quintile_of = quintiles(&t["edition"]);
    // Worked from the rows: E = O × R / value per area, then ΣO / ΣE × R per quintile.
    let mut sums: BTreeMap<u8, (f64, f64, bool)> = BTreeMap::new();
    for (i, code) in codes.iter().enumerate() {
        let Some(&q) = quintile_of.get(code) else {
            continue;
        };
        let (o, v) = isr_area(i, zero);
        let entry = sums.entry(q).or_insert((0.0, 0.0, false));
        if o == 0.0 {
            entry.2 = true;
        } else {
            entry.0 += o;
            entry.1 += o * 14.1 / v;
        }
    }
    let zero_quintile = quintile_of[&codes[zero]];
    let groups = t["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 5);
    for g in groups {
        let q: u8 = g["key"].as_str().unwrap().parse().unwrap();
        let (o, e, has_zero) = sums[&q];
        if has_zero {
            assert!(g["value"].is_null(), "{g}");
            continue;
        }
        let value = o / e * 14.1;
        let (lower, upper) = byar_isr(o, e, 14.1);
        for (field, want) in [("value", value), ("lower95", lower), ("upper95", upper)] {
            let got = g[field].as_f64().unwrap();
            assert!(
                (got - want).abs() < 1e-9 * want,
                "quintile {q} {field}: {got} vs {want}"
            );
        }
        assert_eq!(g["count"].as_f64(), Some(o));
    }
    // The quintile with the area of no events is named, with the reason and the area.
    let not = t["not_recomputed"].as_array().unwrap();
    assert_eq!(not.len(), 1, "{not:?}");
    assert_eq!(not[0]["key"], zero_quintile.to_string());
    assert!(
        not[0]["reason"].as_str().unwrap().contains(&codes[zero]),
        "{not:?}"
    );
    let notes = t["summary"]["notes"].to_string();
    assert!(
        notes.contains("Not recomputed (indirectly standardised"),
        "{notes}"
    );
    assert!(t["summary"]["sii"].is_null());
    assert!(t["method_notes"].to_string().contains("E = O × R / value"));
    // The CSV download says which row and why.
    let csv = send(
        s.clone(),
        "/api/gaps?indicator=t-isr&by=imd-quintile&format=csv",
        &[],
    )
    .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.text().contains("not recomputed: area"),
        "{}",
        csv.text()
    );
}

#[tokio::test]
async fn a_directly_standardised_export_keeps_published_values_and_names_the_groups_it_cannot_pool()
{
    let dir = tempfile::tempdir().unwrap();
    let s = writable_state(dir.path(), 20 << 20);
    let codes = codes();
    let csv = dsr_export(&codes);
    upload(&s, csv.clone()).await;
    let t = get_json(&s, "/api/gaps?indicator=t-dsr&by=imd-quintile").await;
    assert_eq!(t["indicator"]["standardisation"], "adjusted");
    assert_eq!(t["indicator"]["multiplier"], 100_000.0);
    assert_eq!(t["indicator"]["unit"], "per 100,000");
    let not = t["not_recomputed"].as_array().unwrap();
    assert_eq!(not.len(), 5, "every quintile pools several areas");
    assert!(not[0]["reason"]
        .as_str()
        .unwrap()
        .contains("cannot be pooled"));
    assert!(t["groups"]
        .as_array()
        .unwrap()
        .iter()
        .all(|g| g["value"].is_null()));
    // Area by area, each row is the area's own published value and limits.
    let published: BTreeMap<&str, Vec<f64>> = csv
        .lines()
        .skip(2)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[2], f[8..11].iter().map(|x| x.parse().unwrap()).collect())
        })
        .collect();
    let by_area = get_json(&s, "/api/gaps?indicator=t-dsr&by=area").await;
    let rows = by_area["groups"].as_array().unwrap();
    assert!(
        by_area["not_recomputed"].is_null(),
        "{}",
        by_area["not_recomputed"]
    );
    let mut checked = 0;
    for g in rows.iter().filter(|g| !g["suppressed"].as_bool().unwrap()) {
        let want = &published[g["key"].as_str().unwrap()];
        assert_eq!(g["value"].as_f64(), Some(want[0]));
        assert_eq!(g["lower95"].as_f64(), Some(want[1]));
        assert_eq!(g["upper95"].as_f64(), Some(want[2]));
        checked += 1;
    }
    assert_eq!(checked, codes.len());
    // The map shows the published values too (never a crude rate).
    let values = get_json(&s, "/api/values?indicator=t-dsr").await;
    let first = values["values"].to_string();
    let want = published[codes[0].as_str()][0];
    assert!(first.contains(&format!("{want}")), "{want} not in {first}");
    // Told it is a DSR (the config's or the upload's `standardisation`), gapmap says so.
    let r = request(
        s.clone(),
        "POST",
        "/api/indicators?file=export.csv&standardisation=direct",
        &[AUTH],
        csv.into_bytes(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let t = get_json(&s, "/api/gaps?indicator=t-dsr&by=imd-quintile").await;
    assert_eq!(t["indicator"]["standardisation"], "direct");
    let reason = t["not_recomputed"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("age-band counts"), "{reason}");
    let bad = request(
        s.clone(),
        "POST",
        "/api/indicators?standardisation=dsr",
        &[AUTH],
        b"x".to_vec(),
    )
    .await;
    assert_error(
        &bad,
        StatusCode::BAD_REQUEST,
        &["standardisation", "none, direct, indirect"],
    );
}

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

/// Age-band counts for a children's indicator (ages 0-19, ESP 2013 bands 0-4 … 15-19).
fn age_band_file(codes: &[String]) -> (String, BTreeMap<String, Vec<(f64, f64)>>) {
    let mut csv = String::from("area_code,indicator_id,period,age_band,count,population\n");
    let mut bands = BTreeMap::new();
    let labels = ["0-4", "5 - 9 yrs", "10–14", "15-19"];
    for (i, code) in codes.iter().enumerate() {
        let mut area = Vec::new();
        for (b, label) in labels.iter().enumerate() {
            let count = (3 + (i * (b + 2)) % 11) as f64;
            let population = (380 + 13 * i + 45 * b) as f64;
            csv.push_str(&format!(
                "{code},t-ageb,2023/24,{label},{count},{population}\n"
            ));
            area.push((count, population));
        }
        bands.insert(code.clone(), area);
    }
    (csv, bands)
}

/// Dobson's DSR per 100,000 with Byar's 95% limits, written out (Dobson et al. 1991;
/// PHE technical guide "Confidence intervals for directly standardised rates").
fn dobson(bands: &[(f64, f64)]) -> (f64, f64, f64) {
    let standard = [5000.0, 5500.0, 5500.0, 5500.0]; // ESP 2013, 0-4 … 15-19
    let w: f64 = standard.iter().sum();
    let dsr: f64 = bands
        .iter()
        .zip(standard)
        .map(|(&(x, n), s)| s * x / n)
        .sum::<f64>()
        / w;
    let var: f64 = bands
        .iter()
        .zip(standard)
        .map(|(&(x, n), s)| s * s * x / (n * n))
        .sum::<f64>()
        / (w * w);
    let o: f64 = bands.iter().map(|b| b.0).sum();
    let z = 1.959963984540054;
    let o_lower = o * (1.0 - 1.0 / (9.0 * o) - z / (3.0 * o.sqrt())).powi(3);
    let o1 = o + 1.0;
    let o_upper = o1 * (1.0 - 1.0 / (9.0 * o1) + z / (3.0 * o1.sqrt())).powi(3);
    let k = (var / o).sqrt();
    let m = 100_000.0;
    (
        dsr * m,
        (dsr + k * (o_lower - o)) * m,
        (dsr + k * (o_upper - o)) * m,
    )
}

#[tokio::test]
async fn age_band_counts_are_standardised_per_area_and_pooled_per_group() {
    let dir = tempfile::tempdir().unwrap();
    let s = writable_state(dir.path(), 20 << 20);
    let codes = codes();
    let (csv, bands) = age_band_file(&codes);
    upload(&s, csv).await;
    let t = get_json(&s, "/api/gaps?indicator=t-ageb&by=imd-quintile").await;
    assert_eq!(t["indicator"]["standardisation"], "direct");
    assert_eq!(t["indicator"]["unit"], "per 100,000");
    assert_eq!(
        t["indicator"]["age_standard"]["bands"],
        serde_json::json!(["0-4", "5-9", "10-14", "15-19"])
    );
    assert!(t["not_recomputed"].is_null(), "{}", t["not_recomputed"]);
    let quintile_of = quintiles(&t["edition"]);
    for g in t["groups"].as_array().unwrap() {
        let q: u8 = g["key"].as_str().unwrap().parse().unwrap();
        // Pool the quintile's areas band by band, then Dobson.
        let mut pooled = vec![(0.0, 0.0); 4];
        for (code, area) in &bands {
            if quintile_of.get(code) == Some(&q) {
                for (p, b) in pooled.iter_mut().zip(area) {
                    p.0 += b.0;
                    p.1 += b.1;
                }
            }
        }
        let (value, lower, upper) = dobson(&pooled);
        for (field, want) in [("value", value), ("lower95", lower), ("upper95", upper)] {
            let got = g[field].as_f64().unwrap();
            assert!(
                (got - want).abs() < 1e-9 * want,
                "quintile {q} {field}: {got} vs {want}"
            );
        }
    }
    assert!(t["summary"]["sii"]["value"].is_number(), "{}", t["summary"]);
    // Area by area: each area's own DSR (areas under 10 events have none, as the package).
    let by_area = get_json(&s, "/api/gaps?indicator=t-ageb&by=area").await;
    let mut checked = 0;
    for g in by_area["groups"].as_array().unwrap() {
        let area = &bands[g["key"].as_str().unwrap()];
        let events: f64 = area.iter().map(|b| b.0).sum();
        if g["suppressed"].as_bool().unwrap() || events < 10.0 {
            continue;
        }
        let (value, _, upper) = dobson(area);
        assert!((g["value"].as_f64().unwrap() - value).abs() < 1e-9 * value);
        assert!((g["upper95"].as_f64().unwrap() - upper).abs() < 1e-9 * upper);
        checked += 1;
    }
    assert!(checked > 50, "{checked} areas checked");
    // The county row is the pool of every area.
    let all: Vec<(f64, f64)> = (0..4)
        .map(|b| {
            bands
                .values()
                .fold((0.0, 0.0), |acc, a| (acc.0 + a[b].0, acc.1 + a[b].1))
        })
        .collect();
    let county = t["county"]["value"].as_f64().unwrap();
    assert!((county - dobson(&all).0).abs() < 1e-9 * county);
}

#[tokio::test]
async fn a_bad_age_band_file_is_refused_naming_the_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let s = writable_state(dir.path(), 20 << 20);
    let codes = codes();
    let (csv, _) = age_band_file(&codes);
    let post = |body: String| {
        request(
            s.clone(),
            "POST",
            "/api/indicators?file=bands.csv",
            &[AUTH],
            body.into_bytes(),
        )
    };
    // A band the standard does not have, on line 3.
    let bad_band = csv.replacen("5 - 9 yrs", "5-10", 1);
    assert_error(
        &post(bad_band).await,
        StatusCode::BAD_REQUEST,
        &["bands.csv:3", "age_band", "5-10", "0-4, 5-9"],
    );
    // An area missing one band the indicator uses.
    let mut lines: Vec<&str> = csv.lines().collect();
    lines.remove(4); // the first area's 15-19 row
    let missing = lines.join("\n") + "\n";
    assert_error(
        &post(missing).await,
        StatusCode::BAD_REQUEST,
        &[&codes[0], "15-19"],
    );
    // A band with no population.
    let zero = csv.replacen(",380\n", ",0\n", 1);
    assert_error(
        &post(zero).await,
        StatusCode::BAD_REQUEST,
        &["bands.csv:2", "population"],
    );
    // Nothing was loaded.
    assert_eq!(
        send(s.clone(), "/api/values?indicator=t-ageb", &[])
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
}

//! Figures and decks over HTTP: `/api/map.png` (size, ETag/304, the public legend's colours in
//! the picture, 400s naming the parameter) and `/api/slides` (attachment names, PPTX and PDF,
//! every number on every indicator slide equal to `/api/gaps` for the same locality and
//! indicator, withheld groups shown as withheld, the reach slide's rows equal to `/api/reach`
//! for the locality, `reach=false` leaving it out).
//!
//! The PDF checks need poppler-utils (`pdftotext`, `pdfinfo`), installed by `scripts/setup`.

use crate::support::http::*;
use axum::http::{header, StatusCode};
use serde_json::Value;
use std::process::Command;

fn decode_png(bytes: &[u8]) -> tiny_skia::Pixmap {
    tiny_skia::Pixmap::decode_png(bytes).unwrap()
}

#[tokio::test]
async fn map_png_has_the_asked_size_an_etag_and_answers_304() {
    let uri = "/api/map.png?indicator=990002&locality=North&width=800&height=600&scale=2";
    let r = get(uri).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.header(header::CONTENT_TYPE), "image/png");
    let png = decode_png(&r.body);
    assert_eq!((png.width(), png.height()), (800, 600));
    let etag = r.header(header::ETAG).to_string();
    assert!(etag.starts_with('"') && etag.len() > 10, "{etag}");
    let again = send(state(), uri, &[("if-none-match", &etag)]).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    // Another request, another tag.
    let other =
        get("/api/map.png?indicator=990002&locality=South&width=800&height=600&scale=2").await;
    assert_ne!(other.header(header::ETAG), etag);
}

#[tokio::test]
async fn map_png_draws_the_public_legends_colours() {
    // The county map of an indicator: every class colour of /api/legend that holds areas is
    // painted, the default size is 1600 × 1200, and IMD maps work without an indicator.
    let legend = get("/api/legend?layer=990002").await.json();
    let r = get("/api/map.png?indicator=990002").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let png = decode_png(&r.body);
    assert_eq!((png.width(), png.height()), (1600, 1200));
    let colours: std::collections::HashSet<(u8, u8, u8)> = png
        .pixels()
        .iter()
        .map(|p| {
            let c = p.demultiply();
            (c.red(), c.green(), c.blue())
        })
        .collect();
    for class in legend["classes"].as_array().unwrap() {
        let hex = class["colour"].as_str().unwrap();
        let rgb = (
            u8::from_str_radix(&hex[1..3], 16).unwrap(),
            u8::from_str_radix(&hex[3..5], 16).unwrap(),
            u8::from_str_radix(&hex[5..7], 16).unwrap(),
        );
        assert!(
            class["count"].as_u64().unwrap() == 0 || colours.contains(&rgb),
            "legend colour {hex} not in the map"
        );
    }
    let imd = get("/api/map.png?width=400&height=300").await;
    assert_eq!(imd.status, StatusCode::OK, "{}", imd.text());
}

#[tokio::test]
async fn bad_map_png_parameters_are_400s_naming_the_parameter() {
    for (query, names) in [
        ("width=99999", vec!["width", "4096"]),
        ("height=abc", vec!["height"]),
        ("scale=9", vec!["scale"]),
        ("indicator=nope", vec!["nope", "990001"]),
        ("locality=Atlantis", vec!["Atlantis", "North"]),
        ("indicator=990002&level=lsoa11", vec!["msoa11"]),
    ] {
        let r = get(&format!("/api/map.png?{query}")).await;
        assert_error(&r, StatusCode::BAD_REQUEST, &names);
    }
}

#[tokio::test]
async fn bad_slides_parameters_are_400s() {
    let r = get("/api/slides?locality=Atlantis").await;
    assert_error(&r, StatusCode::BAD_REQUEST, &["Atlantis", "North"]);
    let r = get("/api/slides?locality=North&format=docx").await;
    assert_error(&r, StatusCode::BAD_REQUEST, &["docx", "pptx"]);
    let r = get("/api/slides?locality=North&indicator=nope").await;
    assert_error(&r, StatusCode::BAD_REQUEST, &["nope"]);
    let r = get("/api/slides").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = get("/api/slides?locality=North&reach=maybe").await;
    assert_error(&r, StatusCode::BAD_REQUEST, &["reach"]);
    let r = get("/api/slides?locality=North&indicator=reach-family-hub&reach=false").await;
    assert_error(
        &r,
        StatusCode::BAD_REQUEST,
        &["reach-family-hub", "reach=false"],
    );
}

#[tokio::test]
async fn placement_slide_numbers_equal_api_place_for_the_same_options() {
    let place = get("/api/place?k=2&model=equity&radius=2500").await;
    assert_eq!(place.status, StatusCode::OK, "{}", place.text());
    let report = place.json();
    let slow = state_with(gapmap::server::ServerConfig {
        request_timeout: std::time::Duration::from_secs(600),
        ..config()
    });
    // place= carries the /api/place query string as one URL-encoded value.
    let r = send(
        slow,
        "/api/slides?locality=North&indicator=990001&format=pdf&place=k%3D2%26model%3Dequity%26radius%3D2500",
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let file = tempfile::Builder::new().suffix(".pdf").tempfile().unwrap();
    std::fs::write(file.path(), &r.body).unwrap();
    let check = Command::new("qpdf")
        .args(["--check", file.path().to_str().unwrap()])
        .output()
        .expect("qpdf is not runnable; run scripts/setup");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    // Title, one indicator, reach, the placement proposal, sources.
    let text = page_text(file.path(), 4);
    assert!(text.contains("Proposed: 2 new sites"), "{text}");
    for row in crate::support::placement_rows_from_json(&report) {
        assert!(
            text.contains(&row),
            "/api/place row {row:?} is not on the slide:\n{text}"
        );
    }
    assert!(text.contains("2.5 km"), "{text}");
    assert!(text.contains("Model: equity"), "{text}");
}

#[tokio::test]
async fn bad_placement_options_of_slides_are_400s_naming_them() {
    for (place, names) in [
        ("k%3D0", vec!["k", "0"]),
        ("k%3D2%26model%3Dbest", vec!["model", "best", "mclp"]),
        ("k%3D2%26format%3Dcsv", vec!["place", "format"]),
        ("k%3D2%26colour%3Dred", vec!["place", "colour"]),
    ] {
        let r = get(&format!("/api/slides?locality=North&place={place}")).await;
        assert_error(&r, StatusCode::BAD_REQUEST, &names);
    }
}

/// Text of one PDF page, each printed line with its whitespace squashed.
fn page_text(pdf: &std::path::Path, page: usize) -> String {
    let p = page.to_string();
    let out = Command::new("pdftotext")
        .args(["-layout", "-f", &p, "-l", &p, pdf.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext is not runnable; run scripts/setup");
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// An estimate's value and interval as the slide prints them, formatted here independently.
fn estimate_texts(e: &Value, dp: usize) -> Vec<String> {
    ["value", "lower95", "upper95"]
        .iter()
        .map(|k| format!("{:.dp$}", e[k].as_f64().unwrap()))
        .collect()
}

/// The ids `/api/indicators` lists: the services' reach indicators (`services`) or the health
/// indicators.
async fn indicator_ids(services: bool) -> Vec<String> {
    get("/api/indicators")
        .await
        .json()
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i.get("service").is_some() == services)
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn every_slide_number_equals_api_gaps_for_its_locality_and_indicator() {
    // One slide per health indicator; a service's reach is on the locality's reach slide.
    let indicators = indicator_ids(false).await;
    // A debug build draws a deck in tens of seconds (release: about one), past the default
    // 30 s request timeout.
    let slow = state_with(gapmap::server::ServerConfig {
        request_timeout: std::time::Duration::from_secs(600),
        ..config()
    });
    let (mut checked, mut withheld, mut reach_rows) = (0, 0, 0);
    let services = indicator_ids(true).await;
    assert!(!services.is_empty(), "the default config loads a service");
    let localities: Vec<String> = get("/api/areas?level=locality")
        .await
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(localities.len(), 4);
    for locality in localities.iter().map(String::as_str) {
        let r = send(
            slow.clone(),
            &format!("/api/slides?locality={locality}&format=pdf"),
            &[],
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.header(header::CONTENT_TYPE), "application/pdf");
        assert_eq!(
            r.header(header::CONTENT_DISPOSITION),
            format!("attachment; filename=\"gapmap_slides_{locality}.pdf\"")
        );
        let file = tempfile::Builder::new().suffix(".pdf").tempfile().unwrap();
        std::fs::write(file.path(), &r.body).unwrap();
        for (i, id) in indicators.iter().enumerate() {
            // Page 1 is the title slide; indicator slides follow in /api/indicators order.
            let text = page_text(file.path(), i + 2);
            let gaps = get(&format!("/api/gaps?indicator={id}&locality={locality}"))
                .await
                .json();
            assert_eq!(gaps["locality"], locality);
            let groups = gaps["groups"].as_array().unwrap();
            let mut expected: Vec<String> = Vec::new();
            for g in [groups.first().unwrap(), groups.last().unwrap()] {
                if g["suppressed"] == true {
                    assert!(g["value"].is_null() && g["count"].is_null());
                    assert!(text.contains("withheld"), "{locality} {id}: no 'withheld'");
                    withheld += 1;
                } else {
                    expected.extend(estimate_texts(g, 1));
                }
            }
            let s = &gaps["summary"];
            for (key, dp) in [("absolute_gap", 1), ("relative_gap", 2), ("sii", 1)] {
                if s[key].is_null() {
                    assert!(text.contains("withheld"), "{locality} {id} {key}");
                } else {
                    expected.extend(estimate_texts(&s[key], dp));
                }
            }
            for want in &expected {
                assert!(
                    text.contains(want.as_str()),
                    "{locality} {id}: {want} from /api/gaps is not on its slide:\n{text}"
                );
                checked += 1;
            }
            assert!(text.contains(&format!("In {locality}")), "{locality} {id}");
            // The reading /api/gaps serves (present mode shows it) is the slide's sentence.
            let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
            let reading = gaps["reading"].as_str().unwrap();
            assert!(
                flat.contains(reading),
                "{locality} {id}: /api/gaps reading {reading:?} is not on the slide:\n{flat}"
            );
        }
        // After the indicator slides, the reach slide: every service's row is its
        // /api/reach?service=&locality= figures, and the reading is the first service's.
        let text = page_text(file.path(), indicators.len() + 2);
        assert!(
            text.contains(&format!("Service reach: {locality}")),
            "{text}"
        );
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for (k, service) in services.iter().enumerate() {
            let reach = get(&format!("/api/reach?service={service}&locality={locality}"))
                .await
                .json();
            let row = crate::support::reach_row_from_json(&reach);
            assert!(
                text.lines().any(|l| l.contains(&row)),
                "{locality} {service}: /api/reach row {row:?} is not on the slide:\n{text}"
            );
            if k == 0 {
                let reading = reach["reading"].as_str().unwrap();
                assert!(
                    flat.contains(reading),
                    "{locality}: {reading:?} not in\n{flat}"
                );
            }
            reach_rows += 1;
        }
    }
    assert_eq!(reach_rows, 4 * services.len());
    assert!(checked > 100, "only {checked} numbers checked");
    assert!(
        withheld > 0,
        "no withheld group met: the suppression path went untested"
    );
}

#[tokio::test]
async fn slides_come_as_pptx_by_default() {
    let r = get("/api/slides?locality=south&indicator=990002,990004").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        r.header(header::CONTENT_TYPE),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    );
    assert_eq!(
        r.header(header::CONTENT_DISPOSITION),
        "attachment; filename=\"gapmap_slides_south.pptx\""
    );
    let zip = zip::ZipArchive::new(std::io::Cursor::new(&r.body)).unwrap();
    let slides = zip
        .file_names()
        .filter(|n| n.starts_with("ppt/slides/slide") && n.ends_with(".xml"))
        .count();
    assert_eq!(
        slides,
        1 + 2 + 1 + 1,
        "title, two indicators, reach, sources"
    );
    let r = get("/api/slides?locality=south&indicator=990002,990004&reach=false").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let zip = zip::ZipArchive::new(std::io::Cursor::new(&r.body)).unwrap();
    let slides = zip
        .file_names()
        .filter(|n| n.starts_with("ppt/slides/slide") && n.ends_with(".xml"))
        .count();
    assert_eq!(
        slides,
        1 + 2 + 1,
        "reach=false: title, two indicators, sources"
    );
}

#[tokio::test]
async fn gaps_json_words_tables_by_deprivation_only() {
    let by_quintile = get("/api/gaps?indicator=990002&by=imd-quintile")
        .await
        .json();
    let reading = by_quintile["reading"].as_str().unwrap();
    assert!(reading.contains("most deprived fifth"), "{reading}");
    assert_eq!(by_quintile["key_figures"].as_array().unwrap().len(), 5);
    // Localities are not a deprivation scale: no "most and least deprived" words.
    let by_locality = get("/api/gaps?indicator=990002&by=locality").await.json();
    assert!(by_locality.get("reading").is_none() && by_locality.get("key_figures").is_none());
}

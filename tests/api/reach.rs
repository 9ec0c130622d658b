//! Reach against need on a hand-made records file: counts, rates, Byar intervals and
//! suppression per area and per local quintile; rows whose postcode cannot be placed are
//! reported with their lines; the snapshot keeps aggregates only. And `/api/reach` on the
//! configured synthetic Family Hub demo: the SII read in words, and its CSV/XLSX downloads.

use crate::support;
use gapmap::dataset::{Dataset, ReachSummary};
use gapmap::gaps::GroupBy;
use gapmap::ingest::reach::{load_reach, ReachSpec};
use gapmap::level::Level;
use gapmap::public::PublicDataset;
use std::sync::Arc;

/// Byar's 95% limits of a count, written out (Breslow & Day 1987):
/// lower = O(1 − 1/(9O) − z/(3√O))³, upper = (O+1)(1 − 1/(9(O+1)) + z/(3√(O+1)))³.
fn byar(o: f64) -> (f64, f64) {
    let z = 1.959_963_984_540_054;
    let lower = o * (1.0 - 1.0 / (9.0 * o) - z / (3.0 * o.sqrt())).powi(3);
    let o1 = o + 1.0;
    let upper = o1 * (1.0 - 1.0 / (9.0 * o1) + z / (3.0 * o1.sqrt())).powi(3);
    (lower, upper)
}

struct Fixture {
    dataset: Dataset,
    summary: ReachSummary,
    msoa_a: String,
    msoa_b: String,
    postcodes: [String; 2],
    _dir: tempfile::TempDir,
}

/// Two MSOAs in different local quintiles: A gets 30 contacts (one pre-aggregated row of 25
/// and 5 single contacts), B gets 3; plus a malformed postcode (line 9), a London postcode
/// (line 10) and a row of another service.
fn fixture() -> Fixture {
    let mut dataset = support::durham().clone();
    let layer = dataset.layer(Level::Msoa11).unwrap();
    let quintile = |code: &str| layer.get(code).unwrap().imd.first().unwrap().local_quintile;
    let mut with_msoa = dataset.postcodes.iter().filter(|p| p.msoa11.is_some());
    let a = with_msoa.next().unwrap().clone();
    let b = with_msoa
        .find(|p| quintile(p.msoa11.as_deref().unwrap()) != quintile(a.msoa11.as_deref().unwrap()))
        .unwrap()
        .clone();
    let mut csv = String::from("postcode,date,service,age_band,count\n");
    csv.push_str(&format!("{},2024-04-02,Family Hub,0-4,25\n", a.postcode));
    for day in 10..15 {
        // lower case, no space: geocoding normalises it
        csv.push_str(&format!(
            "{},2024-05-{day},Family Hub,0-4,\n",
            a.postcode.replace(' ', "").to_lowercase()
        ));
    }
    csv.push_str(&format!("{},2024-06-01,Family Hub,,3\n", b.postcode));
    csv.push_str("NOT A POSTCODE,2024-06-02,Family Hub,0-4,1\n");
    csv.push_str("SW1A 1AA,2024-06-03,Family Hub,0-4,2\n");
    csv.push_str(&format!(
        "{},2024-06-04,Health visiting,0-4,7\n",
        a.postcode
    ));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("records.csv");
    std::fs::write(&path, csv).unwrap();
    let spec = ReachSpec {
        service: "Family Hub".into(),
        ages: (0, 4),
        level: Level::Msoa11,
        synthetic: false,
        source_id: "hand-made".into(),
    };
    let (indicator, summary) = load_reach(&path, &spec, &dataset).unwrap();
    // Replaces the configured synthetic Family Hub demo (same service, same indicator id).
    dataset.add_reach(indicator, summary.clone());
    Fixture {
        dataset,
        summary,
        msoa_a: a.msoa11.clone().unwrap(),
        msoa_b: b.msoa11.clone().unwrap(),
        postcodes: [a.postcode, b.postcode],
        _dir: dir,
    }
}

#[test]
fn reach_counts_rates_intervals_and_suppression_per_area_and_quintile() {
    let f = fixture();
    assert_eq!(
        f.summary.rows, 9,
        "rows of the service (the other service is skipped)"
    );
    assert_eq!(f.summary.contacts, 33.0);
    assert_eq!(f.summary.unknown_postcode, 1);
    assert_eq!(f.summary.outside_area, 1);
    assert_eq!(f.summary.unplaced_lines, vec![9, 10]);
    assert_eq!(
        (
            f.summary.first_month.as_str(),
            f.summary.last_month.as_str()
        ),
        ("2024-04", "2024-06")
    );
    let layer = f.dataset.layer(Level::Msoa11).unwrap();
    let children = |code: &str| {
        f64::from(
            layer
                .get(code)
                .unwrap()
                .population
                .as_ref()
                .unwrap()
                .ages(0, 4),
        )
    };
    let public = PublicDataset::new(Arc::new(f.dataset.clone()));

    // Per area: every published row has its hand-counted contacts (A 30, B 3, others 0), the
    // rate per 1,000 children aged 0–4 and, for 30, Byar's limits; B (3 contacts) is
    // suppressed, and the audit may withhold more so that B cannot be derived.
    let contacts = |code: &str| {
        if code == f.msoa_a {
            30.0
        } else if code == f.msoa_b {
            3.0
        } else {
            0.0
        }
    };
    let (lo30, hi30) = byar(30.0);
    let mut byar_checked = 0;
    let report = public
        .reach("Family Hub", GroupBy::Area, None, 1000)
        .unwrap();
    assert_eq!(report.table.groups.len(), layer.areas.len());
    for g in &report.table.groups {
        let n = children(&g.key);
        assert_eq!(g.denominator, Some(n), "{}", g.key);
        if g.suppressed {
            assert!(g.value.is_none() && g.count.is_none() && g.lower95.is_none());
            continue;
        }
        let c = contacts(&g.key);
        assert_eq!(g.count, Some(c), "{}", g.key);
        assert!(
            (g.value.unwrap() - c / n * 1000.0).abs() < 1e-9,
            "{}",
            g.key
        );
        if c == 0.0 {
            assert_eq!(g.lower95, Some(0.0));
        } else if c == 30.0 {
            assert!((g.lower95.unwrap() - lo30 / n * 1000.0).abs() < 1e-6);
            assert!((g.upper95.unwrap() - hi30 / n * 1000.0).abs() < 1e-6);
            byar_checked += 1;
        }
    }
    let row = |code: &str| {
        report
            .table
            .groups
            .iter()
            .find(|g| g.key == code)
            .unwrap()
            .clone()
    };
    assert!(row(&f.msoa_b).suppressed, "3 contacts are suppressed");
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("first lines: 9, 10")),
        "{:?}",
        report.notes
    );

    // Per local quintile: each published group holds the contacts of its areas; B's quintile
    // (3 contacts) is suppressed; the SII, which would reveal it, is withheld.
    let quintile = |code: &str| layer.get(code).unwrap().imd.first().unwrap().local_quintile;
    let report = public
        .reach("reach-family-hub", GroupBy::LocalQuintile, None, 1000)
        .unwrap();
    assert_eq!(report.table.groups.len(), 5);
    for (i, g) in report.table.groups.iter().enumerate() {
        let q = u8::try_from(i + 1).unwrap();
        let members: Vec<&str> = layer
            .areas
            .iter()
            .filter(|x| quintile(&x.code) == q)
            .map(|x| x.code.as_str())
            .collect();
        let n: f64 = members.iter().map(|c| children(c)).sum();
        let c: f64 = members.iter().map(|code| contacts(code)).sum();
        assert!((g.denominator.unwrap() - n).abs() < 1e-9);
        if q == quintile(&f.msoa_b) {
            assert!(g.suppressed && g.count.is_none() && g.value.is_none());
            continue;
        }
        if g.suppressed {
            continue;
        }
        assert_eq!(g.count, Some(c), "quintile {q}");
        assert!((g.value.unwrap() - c / n * 1000.0).abs() < 1e-9);
        if c == 30.0 {
            assert!((g.lower95.unwrap() - lo30 / n * 1000.0).abs() < 1e-6);
            assert!((g.upper95.unwrap() - hi30 / n * 1000.0).abs() < 1e-6);
            byar_checked += 1;
        }
    }
    assert!(
        report.table.summary.sii.is_none(),
        "SII withheld: it would reveal B's quintile"
    );
    assert!(
        byar_checked >= 1,
        "A's 30 contacts are published somewhere, with Byar limits"
    );
}

#[test]
fn unknown_service_lists_the_loaded_ones() {
    let f = fixture();
    let public = PublicDataset::new(Arc::new(f.dataset));
    let err = public
        .reach("Toddler group", GroupBy::Area, None, 1000)
        .unwrap_err();
    assert!(err.is_input_error());
    assert!(err.to_string().contains("Family Hub"), "{err}");
}

#[test]
fn the_snapshot_holds_no_record_level_rows() {
    let f = fixture();
    let bytes = gapmap::snapshot::encode(&f.dataset).unwrap();
    let contains = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
    // The record postcodes are in the snapshot's own postcode list (the geocoder); what must
    // not be there is any record: its date, its postcode next to a date, the other service.
    for needle in [
        "2024-04-02",
        "2024-05-10",
        "2024-06-01",
        "Health visiting",
        "NOT A POSTCODE",
        "SW1A 1AA",
    ] {
        assert!(!contains(needle), "snapshot contains {needle:?}");
    }
    let without_reach = gapmap::snapshot::encode(support::durham()).unwrap();
    // Every postcode byte in it is the geocoder's: the count of each postcode's occurrences
    // is unchanged by loading the records.
    for pc in &f.postcodes {
        let count = |b: &[u8]| b.windows(pc.len()).filter(|w| *w == pc.as_bytes()).count();
        assert_eq!(count(&bytes), count(&without_reach), "{pc}");
    }
    let decoded = gapmap::snapshot::decode(std::path::Path::new("memory"), &bytes).unwrap();
    assert_eq!(decoded.reach, vec![f.summary.clone()]);
}

/// The XLSX's shared strings (every text cell), read back from the zip.
fn xlsx_strings(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/sharedStrings.xml").unwrap(), &mut text)
        .unwrap();
    text
}

#[tokio::test]
async fn reach_reading_and_downloads_carry_the_table_and_the_reach_notes() {
    use crate::support::http::{assert_error, get};
    use axum::http::StatusCode;
    let json = get("/api/reach?service=Family%20Hub&by=imd-quintile")
        .await
        .json();
    // The demo was made with reach rising with deprivation (scripts: make_reach_demo).
    let sii = &json["table"]["summary"]["sii"];
    assert!(sii["lower95"].as_f64().unwrap() > 0.0, "{sii}");
    let reading = json["reading"].as_str().unwrap();
    assert!(
        reading.starts_with("The most deprived areas are reached significantly more"),
        "{reading}"
    );
    let notes = json["table"]["method_notes"].as_array().unwrap();
    assert!(notes.iter().any(|n| n
        .as_str()
        .unwrap()
        .contains("a positive SII means the most deprived areas are reached more")));

    let csv = get("/api/reach?service=Family%20Hub&by=imd-quintile&format=csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv
        .header(axum::http::header::CONTENT_DISPOSITION)
        .contains("gapmap_reach_reach-family-hub_imd-quintile_county.csv"));
    let mut reader = csv::Reader::from_reader(csv.body.as_slice());
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let groups: Vec<csv::StringRecord> = reader
        .records()
        .map(|r| r.unwrap())
        .filter(|r| &r[col("row_type")] == "group")
        .collect();
    let table_groups = json["table"]["groups"].as_array().unwrap();
    assert_eq!(groups.len(), table_groups.len());
    for (row, g) in groups.iter().zip(table_groups) {
        assert_eq!(row[col("key")], *g["key"].as_str().unwrap());
        let value: f64 = row[col("value")].parse().unwrap();
        assert_eq!(value, g["value"].as_f64().unwrap());
    }

    let xlsx = get("/api/reach?service=Family%20Hub&by=imd-quintile&format=xlsx").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    let strings = xlsx_strings(&xlsx.body);
    for needle in [
        "SYNTHETIC DEMONSTRATION DATA",
        "a positive SII means the most deprived areas are reached more",
        "The most deprived areas are reached significantly more",
        "Byar",
    ] {
        assert!(
            strings.contains(needle),
            "XLSX method notes lack {needle:?}"
        );
    }

    let bad = get("/api/reach?service=Family%20Hub&format=pdf").await;
    assert_error(&bad, StatusCode::BAD_REQUEST, &["pdf", "csv", "xlsx"]);
}

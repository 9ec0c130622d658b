//! `gapmap check --json` reports the counts of every level, the 30%-most-deprived counts and
//! every indicator's rows; each is asserted against the input files themselves.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use crate::support::{mirror, Fixture};
use std::collections::HashSet;
use std::io::Read;

fn geojson_codes(file: &str, field: &str) -> HashSet<String> {
    let text = std::fs::read_to_string(mirror().join("boundaries").join(file)).unwrap();
    let gj: serde_json::Value = serde_json::from_str(&text).unwrap();
    gj["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"][field].as_str().unwrap().to_string())
        .collect()
}

fn gz_csv(path: &str) -> (csv::StringRecord, Vec<csv::StringRecord>) {
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(mirror().join(path)).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    (header, reader.records().map(Result::unwrap).collect())
}

fn col(header: &csv::StringRecord, name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap()
}

#[test]
fn check_json_counts_match_the_input_files() {
    let fixture = Fixture::new();
    let out = fixture.gapmap(&["check", "--json", "--offline"]).success();
    let summary: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let levels = &summary["levels"];

    // Levels: the counts the issue names, and each equal to the boundary file's feature count.
    for (level, file, field, expected) in [
        ("msoa11", "durham_msoa11.geojson", "MSOA11CD", 66),
        ("lsoa11", "durham_lsoa11.geojson", "LSOA11CD", 324),
        ("ward", "durham_wards.geojson", "WD25CD", 51),
        ("ward22", "durham_wards22.geojson", "WD22CD", 63),
        ("msoa21", "durham_msoa21.geojson", "MSOA21CD", 65),
        ("lsoa21", "durham_lsoa21.geojson", "LSOA21CD", 330),
    ] {
        let in_file = geojson_codes(file, field).len();
        assert_eq!(in_file, expected, "{file}");
        assert_eq!(levels[level].as_u64(), Some(expected as u64), "{level}");
    }
    assert_eq!(levels["la"].as_u64(), Some(1));
    assert_eq!(levels["locality"].as_u64(), Some(4));

    // 30% most deprived LSOAs (IMD 2019 deciles 1–3) counted straight from the IMD file.
    let durham_lsoa11 = geojson_codes("durham_lsoa11.geojson", "LSOA11CD");
    let (h, rows) = gz_csv("imd/imd2019_england_lsoa11.csv.gz");
    let (c_code, c_dec) = (col(&h, "lsoa11_code"), col(&h, "IMD_decile"));
    let expected_30: usize = rows
        .iter()
        .filter(|r| durham_lsoa11.contains(&r[c_code]) && r[c_dec].parse::<u8>().unwrap() <= 3)
        .count();
    assert_eq!(expected_30, 158);
    assert_eq!(
        summary["most_deprived_30pct"]["lsoa11_imd2019"].as_u64(),
        Some(expected_30 as u64)
    );

    let durham_lsoa21 = geojson_codes("durham_lsoa21.geojson", "LSOA21CD");
    let (h, rows) = gz_csv("imd/imd2025_england_lsoa21.csv.gz");
    let (c_code, c_dec) = (col(&h, "lsoa21_code"), col(&h, "IMD_decile"));
    let expected_30_2025 = rows
        .iter()
        .filter(|r| durham_lsoa21.contains(&r[c_code]) && r[c_dec].parse::<u8>().unwrap() <= 3)
        .count();
    assert_eq!(
        summary["most_deprived_30pct"]["lsoa21_imd2025"].as_u64(),
        Some(expected_30_2025 as u64)
    );
    // MSOAs: deciles are re-derived nationally, so check the count is consistent with the deciles.
    assert!(
        summary["most_deprived_30pct"]["msoa11_imd2019"]
            .as_u64()
            .unwrap()
            > 0
    );

    // Indicators: every synthetic indicator with its MSOA row count from the file.
    let text = std::fs::read_to_string(mirror().join("indicators/durham_msoa_demo_indicators.csv"))
        .unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let h = reader.headers().unwrap().clone();
    let (c_id, c_type) = (col(&h, "Indicator ID"), col(&h, "Area Type"));
    let mut per_indicator = std::collections::BTreeMap::<String, u64>::new();
    for r in reader.records().map(Result::unwrap) {
        if &r[c_type] == "MSOA" {
            *per_indicator.entry(r[c_id].to_string()).or_default() += 1;
        }
    }
    // The configured synthetic Family Hub reach: one row per MSOA, labelled synthetic.
    let (reach, indicators): (Vec<&serde_json::Value>, Vec<&serde_json::Value>) = summary
        ["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .partition(|i| i["id"] == "reach-family-hub");
    assert_eq!(reach.len(), 1);
    assert_eq!(reach[0]["rows"].as_u64(), Some(66));
    assert_eq!(reach[0]["synthetic"].as_bool(), Some(true));
    assert_eq!(indicators.len(), per_indicator.len());
    for ind in indicators {
        let id = ind["id"].as_str().unwrap();
        assert_eq!(
            ind["rows"].as_u64(),
            per_indicator.get(id).copied(),
            "indicator {id}"
        );
        assert_eq!(
            ind["synthetic"].as_bool(),
            Some(true),
            "indicator {id} must be labelled synthetic"
        );
    }
    assert_eq!(summary["national_by_deprivation_rows"].as_u64(), Some(3100));
    assert_eq!(summary["synthetic"].as_bool(), Some(true));
}

#[test]
fn human_summary_labels_synthetic_indicators() {
    let fixture = Fixture::new();
    let out = fixture.gapmap(&["check", "--offline"]).success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(text.contains("[SYNTHETIC demonstration data]"), "{text}");
    assert!(text.contains("msoa11") && text.contains("66"));
}

//! Malformed inputs: each gives a specific error naming the file and the line or field,
//! exits with code 2, and never panics. A failed check/build writes nothing.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use crate::support::Fixture;

const TIDY_HEADER: &str = "area_code,indicator_id,period,count,denominator\n";

/// Point the config at a tidy indicator file written into the fixture.
fn tidy(fixture: &Fixture, body: &[u8]) {
    fixture.write("data/user/indicator.csv", body);
    fixture.append_config(
        "\n[[indicators]]\npath = \"data/user/indicator.csv\"\nformat = \"tidy\"\nlevel = \"msoa11\"\n",
    );
}

/// Run `gapmap check` and return stderr, asserting exit code 2 and no panic.
fn check_fails(fixture: &Fixture) -> String {
    let out = fixture.gapmap(&["check", "--offline"]).code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

fn assert_mentions(stderr: &str, parts: &[&str]) {
    for p in parts {
        assert!(stderr.contains(p), "expected {p:?} in: {stderr}");
    }
}

#[test]
fn missing_file_names_the_path() {
    let f = Fixture::new();
    f.edit_config(
        "durham_localities_illustrative.csv",
        "no_such_localities.csv",
    );
    assert_mentions(&check_fails(&f), &["no_such_localities.csv", "not found"]);
}

#[test]
fn wrong_checksum_names_file_and_both_digests() {
    let f = Fixture::new();
    f.write(
        "data/raw/boundaries/durham_msoa11.geojson",
        b"{\"type\":\"FeatureCollection\",\"features\":[]}",
    );
    assert_mentions(
        &check_fails(&f),
        &["durham_msoa11.geojson", "sha256", "expected e31efc49"],
    );
}

#[test]
fn csv_with_missing_column_lists_the_header() {
    let f = Fixture::new();
    tidy(
        &f,
        b"area_code,indicator_id,period,count\nE02004290,X1,2024,3\n",
    );
    assert_mentions(
        &check_fails(&f),
        &[
            "indicator.csv",
            "missing column \"denominator\"",
            "area_code, indicator_id",
        ],
    );
}

#[test]
fn non_numeric_count_names_line_and_field() {
    let f = Fixture::new();
    tidy(
        &f,
        format!("{TIDY_HEADER}E02004290,X1,2024,12,100\nE02004291,X1,2024,twelve,100\n").as_bytes(),
    );
    assert_mentions(
        &check_fails(&f),
        &["indicator.csv:3", "\"count\"", "twelve"],
    );
}

#[test]
fn bad_period_label_in_a_tidy_csv_names_line_and_field() {
    let f = Fixture::new();
    tidy(
        &f,
        format!("{TIDY_HEADER}E02004290,X1,2023/24,12,100\nE02004291,X1,2023/25,12,100\n")
            .as_bytes(),
    );
    assert_mentions(
        &check_fails(&f),
        &[
            "indicator.csv:3",
            "\"period\"",
            "2023/25",
            "2018/19 - 20/21",
        ],
    );
}

#[test]
fn bad_period_label_in_a_fingertips_export_names_line_and_field() {
    let f = Fixture::new();
    let header = "Indicator ID,Indicator Name,Area Code,Area Name,Time period,Value,Lower CI 95.0 limit,Upper CI 95.0 limit,Count,Denominator\n";
    f.write(
        "data/user/fingertips.csv",
        format!("{header}X2,Test,E02004290,A,2022/23,12,,,12,100\nX2,Test,E02004291,B,last year,12,,,12,100\n"),
    );
    f.append_config(
        "\n[[indicators]]\npath = \"data/user/fingertips.csv\"\nformat = \"fingertips\"\nlevel = \"msoa11\"\n",
    );
    assert_mentions(
        &check_fails(&f),
        &["fingertips.csv:3", "\"Time period\"", "last year"],
    );
}

#[test]
fn count_over_denominator_is_rejected() {
    let f = Fixture::new();
    tidy(
        &f,
        format!("{TIDY_HEADER}E02004290,X1,2024,120,100\n").as_bytes(),
    );
    assert_mentions(
        &check_fails(&f),
        &["indicator.csv:2", "count 120 exceeds denominator 100"],
    );
}

#[test]
fn negative_denominator_is_rejected() {
    let f = Fixture::new();
    tidy(
        &f,
        format!("{TIDY_HEADER}E02004290,X1,2024,0,-5\n").as_bytes(),
    );
    assert_mentions(
        &check_fails(&f),
        &["indicator.csv:2", "\"Denominator\" is negative"],
    );
}

#[test]
fn unknown_area_code_is_rejected() {
    let f = Fixture::new();
    tidy(
        &f,
        format!("{TIDY_HEADER}E02999999,X1,2024,3,100\n").as_bytes(),
    );
    assert_mentions(
        &check_fails(&f),
        &["indicator.csv:2", "E02999999", "msoa11"],
    );
}

#[test]
fn duplicate_area_period_rows_name_both_lines() {
    let f = Fixture::new();
    tidy(
        &f,
        format!("{TIDY_HEADER}E02004290,X1,2024,3,100\nE02004290,X1,2024,4,100\n").as_bytes(),
    );
    assert_mentions(
        &check_fails(&f),
        &["indicator.csv:3", "duplicate", "line 2"],
    );
}

#[test]
fn malformed_csv_row_names_its_line() {
    let f = Fixture::new();
    tidy(
        &f,
        format!("{TIDY_HEADER}E02004290,X1,2024,3,100\nE02004291,X1,2024,3,100,extra\n").as_bytes(),
    );
    assert_mentions(
        &check_fails(&f),
        &["indicator.csv:3", "6 fields", "header has 5"],
    );
}

#[test]
fn empty_file_is_rejected() {
    let f = Fixture::new();
    tidy(&f, b"");
    assert_mentions(&check_fails(&f), &["indicator.csv", "empty"]);
}

#[test]
fn wrong_encoding_names_the_line() {
    let f = Fixture::new();
    tidy(
        &f,
        b"area_code,indicator_id,period,count,denominator\nE02004290,caf\xe9,2024,3,100\n",
    );
    assert_mentions(&check_fails(&f), &["indicator.csv:2", "UTF-8"]);
}

#[test]
fn config_with_unknown_key_is_rejected() {
    let f = Fixture::new();
    f.edit_config(
        "suppress_max_count = 4",
        "suppress_max_count = 4\nsupress_threshold = 5",
    );
    assert_mentions(
        &check_fails(&f),
        &["durham.toml", "unknown field `supress_threshold`"],
    );
}

#[test]
fn config_referencing_a_missing_level_is_rejected() {
    let f = Fixture::new();
    f.edit_config("[boundaries.ward]\nsource = \"durham_wards25\"\ncode_field = \"WD25CD\"\nname_field = \"WD25NM\"\n", "");
    f.edit_config("default_level = \"msoa11\"", "default_level = \"ward\"");
    assert_mentions(
        &check_fails(&f),
        &["durham.toml", "default_level ward has no [boundaries.ward]"],
    );
}

#[test]
fn locality_file_naming_unknown_areas_is_rejected() {
    let f = Fixture::new();
    let path = f
        .root()
        .join("data/localities/durham_localities_illustrative.csv");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replacen("E02004290", "E02000001", 1);
    std::fs::write(&path, text).unwrap();
    assert_mentions(
        &check_fails(&f),
        &["durham_localities_illustrative.csv:2", "E02000001"],
    );
}

/// The real MSOA file with one polygon turned into a self-intersecting bow tie.
#[test]
fn geojson_with_invalid_geometry_names_the_feature() {
    let f = Fixture::new();
    let text =
        std::fs::read_to_string(crate::support::mirror().join("boundaries/durham_msoa11.geojson"))
            .unwrap();
    let mut gj: serde_json::Value = serde_json::from_str(&text).unwrap();
    gj["features"][3]["geometry"] = serde_json::json!({"type": "Polygon", "coordinates": [[[-1.6, 54.8], [-1.5, 54.9], [-1.5, 54.8], [-1.6, 54.9], [-1.6, 54.8]]]});
    let code = gj["features"][3]["properties"]["MSOA11CD"]
        .as_str()
        .unwrap()
        .to_string();
    f.write("data/user/bowtie.geojson", serde_json::to_vec(&gj).unwrap());
    let sha = gapmap::fsutil::sha256_hex(
        &std::fs::read(f.root().join("data/user/bowtie.geojson")).unwrap(),
    );
    std::fs::copy(
        f.root().join("data/user/bowtie.geojson"),
        f.root().join("data/raw/bowtie.geojson"),
    )
    .unwrap();
    let mut sources = std::fs::read_to_string(f.root().join("data/sources.toml")).unwrap();
    sources.push_str(&format!(
        "\n[sources.bowtie]\ntitle = \"t\"\npublisher = \"p\"\npage = \"\"\nlicence = \"l\"\nattribution = \"a\"\nmirror = \"bowtie.geojson\"\nfile = \"bowtie.geojson\"\nsha256 = \"{sha}\"\n"
    ));
    std::fs::write(f.root().join("data/sources.toml"), sources).unwrap();
    f.edit_config("source = \"durham_msoa11\"", "source = \"bowtie\"");
    assert_mentions(
        &check_fails(&f),
        &["bowtie.geojson", "feature 4", &code, "invalid geometry"],
    );
}

/// A shapefile made from the real boundaries with GDAL, with its .prj removed.
#[test]
fn shapefile_without_crs_is_rejected() {
    let f = Fixture::new();
    let shp = f.root().join("data/raw/nocrs/msoa.shp");
    std::fs::create_dir_all(shp.parent().unwrap()).unwrap();
    let status = std::process::Command::new("ogr2ogr")
        .arg(&shp)
        .arg(crate::support::mirror().join("boundaries/durham_msoa11.geojson"))
        .status()
        .expect("ogr2ogr (gdal-bin) must be installed: run scripts/setup");
    assert!(status.success());
    std::fs::remove_file(shp.with_extension("prj")).unwrap();
    let sha = gapmap::fsutil::sha256_hex(&std::fs::read(&shp).unwrap());
    let mut sources = std::fs::read_to_string(f.root().join("data/sources.toml")).unwrap();
    sources.push_str(&format!(
        "\n[sources.nocrs]\ntitle = \"t\"\npublisher = \"p\"\npage = \"\"\nlicence = \"l\"\nattribution = \"a\"\nmirror = \"x\"\nfile = \"nocrs/msoa.shp\"\nsha256 = \"{sha}\"\n"
    ));
    std::fs::write(f.root().join("data/sources.toml"), sources).unwrap();
    f.edit_config("source = \"durham_msoa11\"", "source = \"nocrs\"");
    assert_mentions(
        &check_fails(&f),
        &["msoa.shp", "no coordinate reference system"],
    );
}

#[test]
fn unknown_source_id_lists_known_sources() {
    let f = Fixture::new();
    f.edit_config("source = \"durham_msoa11\"", "source = \"durham_msoa2011\"");
    assert_mentions(
        &check_fails(&f),
        &["durham_msoa2011", "known sources", "durham_msoa11"],
    );
}

#[test]
fn failed_build_leaves_the_previous_snapshot_untouched() {
    let f = Fixture::new();
    f.gapmap(&["build", "--offline", "--quiet"]).success();
    let snapshot = f.root().join("data/build/durham.snapshot");
    let before = std::fs::read(&snapshot).unwrap();
    tidy(
        &f,
        format!("{TIDY_HEADER}E02999999,X1,2024,3,100\n").as_bytes(),
    );
    f.gapmap(&["build", "--offline", "--quiet"]).code(2);
    assert_eq!(std::fs::read(&snapshot).unwrap(), before);
    gapmap::snapshot::load(&snapshot).unwrap();
}

#[test]
fn an_age_band_outside_the_standard_population_names_line_and_field() {
    let f = Fixture::new();
    f.write(
        "data/user/bands.csv",
        b"area_code,indicator_id,period,age_band,count,population\nE02004290,B1,2024,0-4,3,400\nE02004290,B1,2024,5-11,2,380\n",
    );
    f.append_config(
        "\n[[indicators]]\npath = \"data/user/bands.csv\"\nformat = \"age_bands\"\nlevel = \"msoa11\"\n",
    );
    assert_mentions(
        &check_fails(&f),
        &["bands.csv:3", "age_band", "5-11", "esp2013", "0-4, 5-9"],
    );
}

//! `gapmap place` and the placement engine on the real County Durham build: the issue's JSON
//! fields, every output format, what-if evaluations equal to solves, the models' promises, a
//! bring-your-own instance, and every bad input of issue 9 (exit 2, naming file, line, field).

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

#[path = "../support/mod.rs"]
mod support;

use gapmap::level::Level;
use gapmap::place::candidates::{dataset_sites, generated_candidates, merge_sites};
use gapmap::place::demand::{dataset_demand, DemandSpec, Need, Quintiles};
use gapmap::place::{evaluate, solve, Access, Control, Instance, Model, SolveOptions, SolveStatus};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use support::durham;

/// The Durham snapshot, written once per test binary, for the CLI.
fn snapshot() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("place-durham-{}.snapshot", std::process::id()));
        gapmap::snapshot::write_atomic(&path, durham()).unwrap();
        path
    })
}

fn gapmap(args: &[&str]) -> assert_cmd::assert::Assert {
    let mut cmd = assert_cmd::Command::cargo_bin("gapmap").unwrap();
    cmd.env_remove("GAPMAP_CONFIG").args(args).assert()
}

/// `gapmap place --snapshot <durham> args…`, expecting success; stdout.
fn place(args: &[&str]) -> String {
    let mut all = vec!["place", "--snapshot", snapshot().to_str().unwrap(), "-q"];
    all.extend_from_slice(args);
    let out = gapmap(&all).success();
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

/// Run `gapmap place`, expecting exit 2 and no panic; stderr.
fn place_fails(args: &[&str]) -> String {
    let out = gapmap(args).code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

fn assert_mentions(text: &str, parts: &[&str]) {
    for p in parts {
        assert!(text.contains(p), "expected {p:?} in: {text}");
    }
}

/// Durham: LSOA 2011 demand (children 0–4 × IMD 2019 score), existing sites, MSOA centres.
fn durham_instance(radius: f64) -> Instance {
    let ds = durham();
    let spec = DemandSpec {
        level: Level::Lsoa11,
        ages: Default::default(),
        need: Need::ImdScore,
        edition: None,
        quintiles: Quintiles::National,
    };
    let (demand, _) = dataset_demand(ds, &spec).unwrap();
    let sites = merge_sites([
        dataset_sites(ds),
        generated_candidates(ds, Level::Msoa11, None).unwrap(),
    ]);
    Instance::new(demand, sites, Access::Distance { radius }).unwrap()
}

fn run(instance: &Instance, model: Model, k: usize) -> gapmap::place::Solution {
    solve(instance, &SolveOptions::new(model, k), &mut |_| {
        Control::Continue
    })
    .unwrap()
}

#[test]
fn durham_json_has_objective_bound_gap_status_chosen_and_the_quintile_table() {
    let report: Value = serde_json::from_str(&place(&[
        "--k", "3", "--radius", "3000", "--format", "json",
    ]))
    .unwrap();
    assert_eq!(report["status"], "optimal");
    assert_eq!(report["gap"], 0.0);
    let objective = report["objective"].as_f64().unwrap();
    let bound = report["bound"].as_f64().unwrap();
    assert!(
        (bound - objective).abs() <= 1e-6 * objective,
        "{objective} vs {bound}"
    );
    let chosen = report["chosen"].as_array().unwrap();
    assert!(!chosen.is_empty() && chosen.len() <= 3);
    // Quintiles 1–5 then all; the MCLP objective is the all-areas need covered after.
    let rows = report["by_quintile"].as_array().unwrap();
    let labels: Vec<&str> = rows.iter().map(|r| r["label"].as_str().unwrap()).collect();
    assert_eq!(
        labels,
        [
            "Q1 (most deprived)",
            "Q2",
            "Q3",
            "Q4",
            "Q5 (least deprived)",
            "All"
        ]
    );
    assert_eq!(rows[5]["need_covered_after"].as_f64().unwrap(), objective);
    assert_eq!(rows[5]["demand_points"], 324);
    // Children by quintile add up to the county's 0–4 population (ONS mid-2020: 25,658).
    let children: f64 = rows[..5]
        .iter()
        .map(|r| r["children_total"].as_f64().unwrap())
        .sum();
    assert_eq!(children, 25_658.0);
    assert_eq!(report["demand"]["need"], "imd-score");
    assert_eq!(report["access"]["radius"], 3000.0);
    assert!(report["gap_q1_q5"]["coverage_gap_change"].is_number());
}

#[test]
fn a_solve_and_a_what_if_evaluation_of_the_same_sites_agree_exactly() {
    let instance = durham_instance(3000.0);
    for model in [Model::Mclp, Model::PMedian, Model::Equity] {
        let solution = run(&instance, model, 3);
        assert_eq!(solution.status, SolveStatus::Optimal, "{model:?}");
        let what_if = evaluate(&instance, &solution.chosen);
        assert_eq!(what_if, solution.evaluation, "{model:?}");
        assert_eq!(what_if.objective(model), solution.objective, "{model:?}");
    }
}

#[test]
fn equity_covers_at_least_as_much_of_quintile_1_as_mclp_and_p_median_on_durham() {
    let instance = durham_instance(3000.0);
    let q1 = |s: &gapmap::place::Solution| s.evaluation.quintile(1).unwrap().need_covered_after;
    let equity = run(&instance, Model::Equity, 3);
    let mclp = run(&instance, Model::Mclp, 3);
    let median = run(&instance, Model::PMedian, 3);
    assert!(q1(&equity) >= q1(&mclp) - 1e-6);
    assert!(q1(&equity) >= q1(&median) - 1e-6);
    // MCLP maximises total coverage; p-median minimises weighted distance.
    assert!(
        mclp.evaluation.total().need_covered_after
            >= equity.evaluation.total().need_covered_after - 1e-6
    );
    assert!(median.evaluation.weighted_cost_after <= mclp.evaluation.weighted_cost_after + 1e-6);
    // Opening sites never makes any quintile worse off.
    for s in [&equity, &mclp, &median] {
        for g in &s.evaluation.groups {
            assert!(g.need_covered_after >= g.need_covered_before);
        }
    }
}

#[test]
fn xlsx_opens_in_openpyxl_with_a_method_notes_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("place.xlsx");
    place(&[
        "--k",
        "2",
        "--format",
        "xlsx",
        "--out",
        path.to_str().unwrap(),
    ]);
    let script = r#"
import sys, json
try:
    import openpyxl
except ImportError:
    sys.exit("openpyxl is not installed: run scripts/test-deps")
wb = openpyxl.load_workbook(sys.argv[1])
sites = [[c.value for c in r] for r in wb["Sites"].iter_rows()]
notes = [r[0].value for r in wb["Method notes"].iter_rows()]
print(json.dumps({"sheets": wb.sheetnames, "sites": sites, "notes": notes}))
"#;
    let output = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "openpyxl failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let book: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        book["sheets"],
        serde_json::json!(["Sites", "Coverage by quintile", "Summary", "Method notes"])
    );
    let notes = book["notes"].as_array().unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.as_str().unwrap().starts_with("Model: mclp")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.as_str().unwrap().contains("postcodes")),
        "{notes:?}"
    );
    // Header, then the new sites and the 15 illustrative existing sites.
    let sites = book["sites"].as_array().unwrap();
    assert_eq!(sites[0][0], "id");
    assert!(sites.len() >= 1 + 1 + 15);
}

#[test]
fn xlsx_without_out_is_a_usage_error() {
    let stderr = place_fails(&[
        "place",
        "--snapshot",
        snapshot().to_str().unwrap(),
        "--k",
        "2",
        "--format",
        "xlsx",
    ]);
    assert_mentions(&stderr, &["--out"]);
}

#[test]
fn geojson_has_new_and_existing_sites_and_every_area_as_points() {
    let text = place(&["--k", "2", "--model", "equity", "--format", "geojson"]);
    let collection: geojson::FeatureCollection = text
        .parse::<geojson::GeoJson>()
        .unwrap()
        .try_into()
        .unwrap();
    let kind = |f: &geojson::Feature| {
        f.property("feature_type")
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    };
    let count = |k: &str| collection.features.iter().filter(|f| kind(f) == k).count();
    let summary = &collection.foreign_members.as_ref().unwrap()["placement"];
    assert_eq!(
        count("new_site"),
        summary["chosen"].as_array().unwrap().len()
    );
    assert_eq!(count("existing_site"), 15);
    assert_eq!(count("area"), 324);
    for f in &collection.features {
        let geojson::Value::Point(p) = &f.geometry.as_ref().unwrap().value else {
            panic!("not a point")
        };
        assert!(
            (-2.6..-1.0).contains(&p[0]) && (54.3..55.1).contains(&p[1]),
            "{p:?}"
        );
        // No per-area weights or child counts are published.
        if kind(f) == "area" {
            assert!(f.property("children").is_none() && f.property("weight").is_none());
        }
    }
}

#[test]
fn csv_lists_sites_then_quintiles() {
    let text = place(&["--k", "1", "--format", "csv", "--model", "p-median"]);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let sections: Vec<&str> = rows.iter().map(|r| r.get(0).unwrap()).collect();
    assert_eq!(sections.iter().filter(|s| **s == "quintile").count(), 6);
    assert_eq!(sections.iter().filter(|s| **s == "site").count(), 16);
    assert!(rows
        .iter()
        .all(|r| r.get(24) == Some("p-median") && r.get(25) == Some("optimal")));
}

#[test]
fn table_output_says_status_and_shows_the_quintile_gap() {
    let text = place(&["--k", "1", "--need", "indicator:990003"]);
    assert_mentions(
        &text,
        &[
            "SYNTHETIC",
            "optimal",
            "Q1 − Q5 coverage gap",
            "excess of Smoking at time of delivery",
        ],
    );
}

/// The instance written by --write-instance, solved as a bring-your-own instance, gives the
/// same objective: the files hold exactly the instance (what scripts/compare-spopt relies on).
#[test]
fn a_written_instance_solves_to_the_same_objective() {
    let dir = tempfile::tempdir().unwrap();
    let from_dataset: Value = serde_json::from_str(&place(&[
        "--k",
        "3",
        "--radius",
        "5000",
        "--format",
        "json",
        "--write-instance",
        dir.path().to_str().unwrap(),
    ]))
    .unwrap();
    let p = |f: &str| dir.path().join(f).to_str().unwrap().to_string();
    let out = gapmap(&[
        "place",
        "-q",
        "--k",
        "3",
        "--radius",
        "5000",
        "--format",
        "json",
        "--demand",
        &p("demand.csv"),
        "--candidates",
        &p("candidates.csv"),
        "--existing",
        &p("existing.csv"),
    ])
    .success();
    let from_files: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(from_files["objective"], from_dataset["objective"]);
    assert_eq!(from_files["chosen"], from_dataset["chosen"]);
}

/// A small bring-your-own instance in a temp dir.
struct Byo {
    dir: tempfile::TempDir,
}

impl Byo {
    fn new() -> Byo {
        let b = Byo {
            dir: tempfile::tempdir().unwrap(),
        };
        b.write("demand.csv", "id,x,y,weight,imd_quintile,extra\nA,425000,542000,10,1,x\nB,428000,542000,20,5,y\nC,440000,530000,30,1,z\n");
        b.write(
            "candidates.csv",
            "id,x,y\nS1,425500,542000\nS2,440000,530500\nH1,428000,542500\n",
        );
        b.write("existing.csv", "id,lon,lat\nH1,-1.56,54.78\n");
        b
    }

    fn write(&self, name: &str, text: &str) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_str().unwrap().to_string()
    }

    fn args(&self, extra: &[&str]) -> Vec<String> {
        let mut a: Vec<String> = [
            "place",
            "-q",
            "--demand",
            &self.path("demand.csv"),
            "--candidates",
            &self.path("candidates.csv"),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    }

    fn fails(&self, extra: &[&str]) -> String {
        let args = self.args(extra);
        place_fails(&args.iter().map(String::as_str).collect::<Vec<_>>())
    }
}

#[test]
fn a_bring_your_own_instance_uses_weights_as_given_and_existing_ids_as_existing() {
    let b = Byo::new();
    let args = b.args(&[
        "--existing",
        &b.path("existing.csv"),
        "--k",
        "2",
        "--radius",
        "1000",
        "--format",
        "json",
    ]);
    let out = gapmap(&args.iter().map(String::as_str).collect::<Vec<_>>()).success();
    let report: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    // H1 is an existing site (open, not one of the k): the candidates are S1 and S2.
    assert_eq!(report["chosen"], serde_json::json!(["S1", "S2"]));
    assert_eq!(report["status"], "optimal");
    // Every point within 1 km of an open site: weight 10 + 20 + 30.
    assert_eq!(report["objective"], 60.0);
    assert_eq!(report["by_quintile"][0]["need_total"], 40.0);
}

#[test]
fn duplicate_ids_name_the_file_and_both_lines() {
    let b = Byo::new();
    b.write(
        "demand.csv",
        "id,x,y,weight\nA,425000,542000,1\nA,426000,542000,2\n",
    );
    assert_mentions(
        &b.fails(&["--k", "1"]),
        &["demand.csv:3", "duplicate", "\"A\"", "line 2"],
    );
}

#[test]
fn empty_demand_names_the_file() {
    let b = Byo::new();
    b.write("demand.csv", "id,x,y,weight\n");
    assert_mentions(
        &b.fails(&["--k", "1"]),
        &["demand.csv", "empty", "at least one row"],
    );
}

#[test]
fn bad_weights_name_line_and_field() {
    let b = Byo::new();
    b.write("demand.csv", "id,x,y,weight\nA,425000,542000,lots\n");
    assert_mentions(
        &b.fails(&["--k", "1"]),
        &["demand.csv:2", "\"weight\"", "\"lots\""],
    );
    b.write("demand.csv", "id,x,y,weight\nA,425000,542000,-3\n");
    assert_mentions(
        &b.fails(&["--k", "1"]),
        &["demand.csv:2", "\"weight\"", "negative"],
    );
}

#[test]
fn a_site_outside_england_names_line_and_field() {
    let b = Byo::new();
    // Edinburgh given as lon/lat, and lon/lat values put in the x,y columns.
    b.write(
        "candidates.csv",
        "id,lon,lat\nS1,-1.55,54.78\nEDI,-3.19,55.95\n",
    );
    assert_mentions(
        &b.fails(&["--k", "1"]),
        &["candidates.csv:3", "\"lon/lat\"", "England"],
    );
    b.write(
        "candidates.csv",
        "id,x,y\nS1,425500,542000\nS2,-1.55,54.78\n",
    );
    assert_mentions(
        &b.fails(&["--k", "1"]),
        &["candidates.csv:3", "\"x/y\"", "England"],
    );
}

#[test]
fn k_larger_than_the_candidates_and_a_bad_radius_are_input_errors() {
    let b = Byo::new();
    assert_mentions(
        &b.fails(&["--k", "9"]),
        &["k = 9", "3 candidate sites", "--k 3"],
    );
    assert_mentions(
        &b.fails(&["--k", "1", "--radius", "0"]),
        &["--radius 0", "greater than 0"],
    );
    assert_mentions(&b.fails(&["--k", "1", "--radius=-5"]), &["--radius -5"]);
}

#[test]
fn matrix_errors_name_file_line_and_field() {
    let b = Byo::new();
    let full = "origin,site,minutes\nA,S1,5\nA,S2,30\nB,H1,4\nC,S2,6\n";
    let m = b.write("m.csv", full);
    let ok = b.args(&[
        "--k", "1", "--matrix", &m, "--radius", "10", "--format", "json",
    ]);
    let report: Value = serde_json::from_slice(
        &gapmap(&ok.iter().map(String::as_str).collect::<Vec<_>>())
            .success()
            .get_output()
            .stdout,
    )
    .unwrap();
    assert_eq!(report["access"]["unit"], "min");

    b.write("m.csv", "origin,site,minutes\nA,S1,5\nC,S2,6\nA,H1,3\n");
    assert_mentions(
        &b.fails(&["--k", "1", "--matrix", &m, "--radius", "10"]),
        &["m.csv", "\"origin\"", "\"B\"", "has no row"],
    );
    b.write("m.csv", "origin,site,minutes\nA,S1,5\nB,S1,5\nC,S2,6\n");
    assert_mentions(
        &b.fails(&["--k", "1", "--matrix", &m, "--radius", "10"]),
        &["m.csv", "\"site\"", "\"H1\"", "has no row"],
    );
    b.write("m.csv", &format!("{full}B,S2,-4\n"));
    assert_mentions(
        &b.fails(&["--k", "1", "--matrix", &m, "--radius", "10"]),
        &["m.csv:6", "\"minutes\"", "negative"],
    );
    b.write("m.csv", &format!("{full}B,S2,soon\n"));
    assert_mentions(
        &b.fails(&["--k", "1", "--matrix", &m, "--radius", "10"]),
        &["m.csv:6", "\"minutes\"", "\"soon\""],
    );
    b.write("m.csv", &format!("{full}B,NOPE,4\n"));
    assert_mentions(
        &b.fails(&["--k", "1", "--matrix", &m, "--radius", "10"]),
        &["m.csv:6", "\"site\"", "\"NOPE\""],
    );
    // A sparse matrix is fine for MCLP but p-median needs every pair.
    b.write("m.csv", full);
    assert_mentions(
        &b.fails(&[
            "--k", "1", "--matrix", &m, "--radius", "10", "--model", "p-median",
        ]),
        &["p-median", "origin \"A\"", "site \"H1\""],
    );
    assert_mentions(
        &b.fails(&["--k", "1", "--matrix", &m]),
        &["--matrix needs --radius"],
    );
}

#[test]
fn unknown_and_terminated_postcodes_name_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("candidates.csv");
    // DH1 1AA was terminated in December 1994 (ONS postcode lookup); ZZ9 9ZZ never existed.
    for (postcode, line) in [
        ("DH1 1AA", "candidates.csv:3"),
        ("ZZ9 9ZZ", "candidates.csv:3"),
    ] {
        std::fs::write(
            &path,
            format!("id,name,postcode\nC1,Library,DH1 3NJ\nC2,Hall,{postcode}\n"),
        )
        .unwrap();
        let stderr = place_fails(&[
            "place",
            "--snapshot",
            snapshot().to_str().unwrap(),
            "--k",
            "1",
            "--candidates",
            path.to_str().unwrap(),
        ]);
        assert_mentions(&stderr, &[line, "\"postcode\"", postcode, "terminated"]);
    }
}

#[test]
fn the_equity_model_needs_quintiles() {
    let b = Byo::new();
    b.write("demand.csv", "id,x,y,weight\nA,425000,542000,1\n");
    assert_mentions(
        &b.fails(&["--k", "1", "--model", "equity"]),
        &["equity", "imd_quintile"],
    );
}

#[test]
fn an_indicator_whose_values_are_all_withheld_cannot_weight_demand() {
    // Tooth decay at 5: every MSOA value is withheld by the small-number rule (README).
    let stderr = place_fails(&[
        "place",
        "--snapshot",
        snapshot().to_str().unwrap(),
        "--k",
        "1",
        "--need",
        "indicator:990005",
    ]);
    assert_mentions(&stderr, &["990005", "withheld", "--need"]);
}

/// Unmet need (`unmet:SERVICE[:NEED]`): each LSOA's weight is children × need × (1 − min(1, r)),
/// r = its MSOA's public reach of the synthetic Family Hub demo ÷ 1,000 (contacts per child
/// aged 0–4). Worked here from the parts, not from the demand builder: the LSOA's own children,
/// its MSOA from the postcode lookup, the MSOA's reach and the LSOA's IMD score.
#[test]
fn unmet_need_is_the_need_the_service_has_not_reached() {
    let ds = durham();
    let spec = |need: &str| DemandSpec {
        level: Level::Lsoa11,
        ages: Default::default(),
        need: need.parse().unwrap(),
        edition: None,
        quintiles: Quintiles::National,
    };
    let reach = ds.indicator("reach-family-hub").unwrap();
    let msoa_of: std::collections::HashMap<&str, &str> = ds
        .postcodes
        .iter()
        .filter_map(|p| Some((p.lsoa11.as_deref()?, p.msoa11.as_deref()?)))
        .collect();
    let layer = ds.layer(Level::Lsoa11).unwrap();
    let (children_only, info) = dataset_demand(ds, &spec("unmet:reach-family-hub")).unwrap();
    let (by_score, _) = dataset_demand(ds, &spec("unmet:Family Hub:imd-score")).unwrap();
    assert_eq!(info.need, "unmet:reach-family-hub");
    assert!(
        info.synthetic,
        "the demo reach is synthetic and the demand says so"
    );
    assert!(info
        .weight_label
        .contains("1 − min(1, Family Hub contacts per child aged 0-4)"));
    let (mut fully_reached, mut partly) = (0, 0);
    for (point, scored) in children_only.iter().zip(&by_score) {
        let area = layer.get(&point.id).unwrap();
        let children = f64::from(area.population.as_ref().unwrap().ages(0, 4));
        let msoa = msoa_of[point.id.as_str()];
        let v = reach.value_for(msoa).unwrap();
        // No MSOA has a small count (1–4 contacts), so the public value is the value.
        let count = v.count.unwrap();
        assert!(count == 0.0 || count > 4.0, "{msoa}: {count}");
        let r = v.value.unwrap() / 1000.0;
        let expected = children * (1.0 - r.min(1.0));
        assert!(
            (point.weight - expected).abs() < 1e-9,
            "{}: {} vs {expected}",
            point.id,
            point.weight
        );
        let score = area.imd(gapmap::imd::ImdEdition::Imd2019).unwrap().score;
        assert!((scored.weight - expected * score).abs() < 1e-9 * (1.0 + expected * score));
        if r >= 1.0 {
            assert_eq!(
                point.weight, 0.0,
                "{}: reached at ≥ 1 contact per child",
                point.id
            );
            fully_reached += 1;
        } else {
            partly += 1;
        }
    }
    assert!(
        fully_reached > 0 && partly > 0,
        "{fully_reached} / {partly}"
    );

    // A hand-worked area: 60 children aged 0–4 in an MSOA with 450 contacts per 1,000 →
    // 60 × (1 − 0.45) = 33 children not reached; × IMD score 40 = 1,320.
    let (children, reach_per_1000, score) = (60.0_f64, 450.0_f64, 40.0_f64);
    assert!((children * (1.0 - (reach_per_1000 / 1000.0).min(1.0)) - 33.0).abs() < 1e-12);
    assert!((children * score * (1.0 - reach_per_1000 / 1000.0) - 1320.0).abs() < 1e-9);

    // Through the CLI: the report names the need; an unknown service lists the loaded ones.
    let report: Value = serde_json::from_str(&place(&[
        "--k",
        "2",
        "--need",
        "unmet:reach-family-hub",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(report["demand"]["need"], "unmet:reach-family-hub");
    let stderr = place_fails(&[
        "place",
        "--snapshot",
        snapshot().to_str().unwrap(),
        "--k",
        "1",
        "--need",
        "unmet:School nurse",
    ]);
    assert_mentions(&stderr, &["School nurse", "reach-family-hub (Family Hub)"]);
    let stderr = place_fails(&["place", "--k", "1", "--need", "unmet:"]);
    assert_mentions(&stderr, &["unmet:SERVICE"]);
}

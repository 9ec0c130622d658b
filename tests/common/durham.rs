//! The real County Durham `Dataset`, built once per test binary by the production pipeline
//! (`build_dataset` on `data/durham.toml`) from the mirror in `../shared/data`, offline.
#![allow(clippy::unwrap_used)]
#![allow(dead_code)]

use gapmap::dataset::Dataset;
use std::path::PathBuf;
use std::sync::OnceLock;

/// `../shared/data` relative to the crate.
pub fn shared_data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data")
}

pub fn durham_dataset() -> Dataset {
    static DATASET: OnceLock<Dataset> = OnceLock::new();
    DATASET
        .get_or_init(|| {
            let project = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
            let config = gapmap::config::Config::load(&project.join("data/durham.toml")).unwrap();
            let raw = std::env::temp_dir().join(format!("gapmap-test-raw-{}", std::process::id()));
            let fetcher = gapmap::fetch::Fetcher {
                raw_dir: raw.clone(),
                mirror: Some(shared_data()),
                allow_network: false,
            };
            let dataset = gapmap::build::build_dataset(&config, &fetcher, &|_, _, _| {}).unwrap();
            let _ = std::fs::remove_dir_all(raw);
            dataset
        })
        .clone()
}

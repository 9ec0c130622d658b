//! Fixtures for the crate's own tests: the data mirror and the real County Durham [`Dataset`]
//! built once per test binary by the production pipeline (offline, sha256-checked). The mirror
//! is `GAPMAP_MIRROR` when set, else `../shared/data` beside the checkout — nothing else.

use crate::dataset::Dataset;
use std::path::PathBuf;
use std::sync::OnceLock;

/// The open-data mirror.
pub fn mirror() -> PathBuf {
    let dir = std::env::var_os("GAPMAP_MIRROR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data"));
    assert!(
        dir.join("MANIFEST.md").is_file(),
        "data mirror not found at {} (set GAPMAP_MIRROR or put the mirror at ../shared/data)",
        dir.display()
    );
    dir
}

/// The County Durham dataset (`data/durham.toml`), built once.
pub fn durham() -> &'static Dataset {
    static DATASET: OnceLock<Dataset> = OnceLock::new();
    DATASET.get_or_init(|| {
        let project = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let config = crate::config::Config::load(&project.join("data/durham.toml")).unwrap();
        let raw = std::env::temp_dir().join(format!("gapmap-unit-raw-{}", std::process::id()));
        let fetcher = crate::fetch::Fetcher {
            raw_dir: raw.clone(),
            mirror: Some(mirror()),
            allow_network: false,
        };
        let dataset = crate::build::build_dataset(&config, &fetcher, &|_, _, _| {}).unwrap();
        let _ = std::fs::remove_dir_all(raw);
        dataset
    })
}

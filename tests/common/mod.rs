//! Test fixtures: a throw-away project root with the real Durham config and inputs.
//!
//! The inputs are fetched once per test binary (from the mirror, sha256-checked) into a
//! shared folder; each fixture gets its own `data/raw/` of symlinks to them, so a test can
//! add or replace a file without touching the others.
#![allow(dead_code)]
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

pub mod durham;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub fn project() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn mirror() -> PathBuf {
    project().join("../shared/data")
}

/// All registry inputs fetched once into `<target tmp>/gapmap-raw`.
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
            if source.pip.is_some() {
                continue; // England-wide extras are not needed for the Durham fixture.
            }
            fetcher.ensure(id, source).unwrap();
        }
        raw
    })
}

/// A project root in a temp dir: `data/durham.toml`, `data/sources.toml`, localities, sites,
/// and `data/raw/` holding symlinks to the shared inputs.
pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    pub fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        for sub in ["localities", "sites", "raw"] {
            std::fs::create_dir_all(data.join(sub)).unwrap();
        }
        for f in [
            "durham.toml",
            "sources.toml",
            "localities/durham_localities_illustrative.csv",
            "sites/durham_sites_illustrative.csv",
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

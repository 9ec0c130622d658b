//! `kill -9` during `gapmap build` never damages the previous snapshot: the new one is written
//! to a temporary file and renamed into place only when complete.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use crate::support::Fixture;
use std::time::{Duration, Instant};

#[test]
fn kill_during_build_leaves_previous_snapshot_loadable() {
    let f = Fixture::new();
    f.gapmap(&["build", "--offline", "--quiet"]).success();
    let dir = f.root().join("data/build");
    let snapshot = dir.join("durham.snapshot");
    let good = std::fs::read(&snapshot).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("gapmap");

    // Kill at several points: early in the build, and the moment the temporary snapshot appears
    // (mid-write).
    let mut killed_mid_write = 0;
    for attempt in 0..4 {
        let mut child = std::process::Command::new(&bin)
            .args(["build", "--offline", "--quiet"])
            .current_dir(f.root())
            .env("GAPMAP_MIRROR", f.root().join("no-mirror"))
            .spawn()
            .unwrap();
        let start = Instant::now();
        if attempt == 0 {
            std::thread::sleep(Duration::from_millis(300));
        } else {
            // Poll for the temporary file and kill as soon as it exists.
            loop {
                let temp_exists = std::fs::read_dir(&dir)
                    .unwrap()
                    .filter_map(Result::ok)
                    .any(|e| e.file_name().to_string_lossy().starts_with(".snapshot-"));
                if temp_exists {
                    killed_mid_write += 1;
                    break;
                }
                if start.elapsed() > Duration::from_secs(120) || child.try_wait().unwrap().is_some()
                {
                    break;
                }
                std::thread::sleep(Duration::from_micros(200));
            }
        }
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let ds = gapmap::snapshot::load(&snapshot).expect("previous snapshot must still load");
        assert_eq!(ds.layers.len(), 8);
        let now = std::fs::read(&snapshot).unwrap();
        assert!(now == good || gapmap::snapshot::decode(&snapshot, &now).is_ok());
    }
    println!("killed {killed_mid_write} builds mid-write");
    assert!(killed_mid_write >= 1, "never caught a build mid-write");

    // A rebuild afterwards succeeds and replaces the snapshot.
    f.gapmap(&["build", "--offline", "--quiet"]).success();
    gapmap::snapshot::load(&snapshot).unwrap();
}

#[test]
fn corrupt_snapshot_is_reported_not_loaded() {
    let f = Fixture::new();
    f.gapmap(&["build", "--offline", "--quiet"]).success();
    let snapshot = f.root().join("data/build/durham.snapshot");
    let mut bytes = std::fs::read(&snapshot).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(&snapshot, bytes).unwrap();
    let err = gapmap::snapshot::load(&snapshot).unwrap_err().to_string();
    assert!(
        err.contains("checksum mismatch") && err.contains("gapmap build"),
        "{err}"
    );
}

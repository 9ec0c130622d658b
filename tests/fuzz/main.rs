//! Fuzz targets on stable Rust, driven by proptest (`cargo fuzz` needs nightly's
//! `-Z sanitizer`, which this project's toolchain does not have).
//!
//! Each target mutates the seed inputs under `tests/fuzz/corpus/<kind>/` (byte flips,
//! insertions, deletions, duplicated runs and tokens that break CSV, TOML, URLs and numbers)
//! and checks a property: the CSV loaders, config and token parsing return `Ok` or a typed
//! error and never panic; every request the router can receive is answered below 500; the MVT
//! encoder's output decodes (geozero's prost decoder plus an independent command decoder) to
//! exactly the features, properties and rings that went in.
//!
//! Each target runs for `GAPMAP_FUZZ_SECS` seconds (default 2: the smoke run in
//! `scripts/test`); `scripts/fuzz <seconds>` runs each for longer and prints executions.
//! A failing input is shrunk by proptest and its seed saved under `tests/fuzz/regressions/`,
//! which is committed and replayed first on every run.
#![allow(clippy::unwrap_used)]

#[path = "../support/mod.rs"]
mod support;

mod targets;

use proptest::prelude::*;
use proptest::test_runner::{
    Config, FileFailurePersistence, RngAlgorithm, TestCaseError, TestRng, TestRunner,
};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// How long each target runs.
fn budget() -> Duration {
    let secs = std::env::var("GAPMAP_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(2);
    Duration::from_secs(secs)
}

/// The seed inputs of one kind.
pub fn corpus(kind: &str) -> Vec<Vec<u8>> {
    let dir = support::project().join("tests/fuzz/corpus").join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

/// Tokens that break the formats under test.
const TOKENS: &[&[u8]] = &[
    b",",
    b"\n",
    b"\r\n",
    b"\"",
    b"\"\"",
    b"\xEF\xBB\xBF",
    b"=cmd|' /C calc'!A0",
    b"-1",
    b"1e309",
    b"NaN",
    b"inf",
    b"E02004290",
    b"E92000001",
    b"\x00",
    b"\xff\xfe",
    b"%2e%2e%2f",
    b"%00",
    b"..",
    b"/",
    b"?",
    b"&",
    b"=",
    b"[",
    b"]",
    b"{",
    b"}",
    b"'''",
    b"18446744073709551616",
    b"\xc3\x28",
    b"\t",
];

/// One mutation: (kind, position, argument).
pub type Mutation = (u8, u32, u32);

/// Apply mutations to a seed.
pub fn mutate(seed: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut out = seed.to_vec();
    for &(kind, pos, arg) in mutations {
        let at = if out.is_empty() {
            0
        } else {
            pos as usize % (out.len() + 1)
        };
        match kind % 6 {
            0 if at < out.len() => out[at] ^= (arg % 255 + 1) as u8,
            1 => out.insert(at, arg as u8),
            2 if at < out.len() => {
                let end = (at + 1 + arg as usize % 16).min(out.len());
                out.drain(at..end);
            }
            3 => {
                let token = TOKENS[arg as usize % TOKENS.len()];
                out.splice(at..at, token.iter().copied());
            }
            4 if at < out.len() => {
                // Duplicate a run (long rows, many columns).
                let end = (at + 1 + arg as usize % 64).min(out.len());
                let run: Vec<u8> = out[at..end].to_vec();
                let times = 1 + arg as usize % 8;
                for _ in 0..times {
                    out.splice(end..end, run.iter().copied());
                }
            }
            5 if at < out.len() => out.truncate(at),
            _ => {}
        }
    }
    out
}

/// A seed of `kind` with up to 12 mutations.
pub fn mutated(kind: &str) -> impl Strategy<Value = Vec<u8>> {
    let seeds = corpus(kind);
    let n = seeds.len();
    (0..n, prop::collection::vec(any::<Mutation>(), 0..12))
        .prop_map(move |(i, m)| mutate(&seeds[i], &m))
}

/// Run `property` on inputs from `strategy` until the budget is spent; print executions.
pub fn fuzz<S: Strategy>(
    name: &str,
    strategy: S,
    property: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S::Value: std::fmt::Debug,
{
    let started = Instant::now();
    let budget = budget();
    let regressions = support::project()
        .join("tests/fuzz/regressions")
        .join(format!("{name}.txt"));
    let regressions: &'static str = Box::leak(regressions.display().to_string().into_boxed_str());
    let executions = std::cell::Cell::new(0u64);
    let mut batch = 0u64;
    while batch == 0 || started.elapsed() < budget {
        let config = Config {
            cases: 64,
            failure_persistence: Some(Box::new(FileFailurePersistence::Direct(regressions))),
            ..Config::default()
        };
        let mut seed = [0u8; 32];
        seed[..8].copy_from_slice(&batch.to_le_bytes());
        seed[8..16].copy_from_slice(&(started.elapsed().as_nanos() as u64).to_le_bytes());
        let mut runner =
            TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed));
        let result = runner.run(&strategy, |v| {
            executions.set(executions.get() + 1);
            property(v)
        });
        if let Err(e) = result {
            panic!("{name}: {e}");
        }
        batch += 1;
    }
    let secs = started.elapsed().as_secs_f64();
    let executions = executions.get();
    println!(
        "fuzz {name}: {executions} executions in {secs:.1} s ({:.0}/s), no failure",
        executions as f64 / secs
    );
}

//! Benchmark: map images and whole decks on the real County Durham build (the production
//! pipeline on `data/durham.toml`, offline from ../shared/data).
//!
//! - the county map PNG at 1600 × 1200 px (pixel ratio 2), indicator 990002 (goal < 100 ms);
//! - the whole Durham deck, 4 localities × 5 indicators (25 slides, 24 maps, SII/RII at
//!   100,000 replicates), built and written as PPTX and as PDF (goal < 3 s each).
//!
//! ```text
//! cargo bench --bench slides
//! ```
//! Prints the median and range of repeated runs after one warm-up, and the median CPU time
//! (all threads): on a shared machine the wall time includes waiting for a core, and with 2
//! cores the best wall time is about half the CPU time of the parallel parts.

use gapmap::figures::map::{render_map_png, MapLayer, MapRequest};
use gapmap::slides::{build_deck, write_deck, DeckFormat, DeckRequest};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn durham() -> gapmap::dataset::Dataset {
    let project = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let config = gapmap::config::Config::load(&project.join("data/durham.toml")).expect("config");
    let raw = std::env::temp_dir().join(format!("gapmap-bench-raw-{}", std::process::id()));
    let fetcher = gapmap::fetch::Fetcher {
        raw_dir: raw.clone(),
        mirror: Some(project.join("../shared/data")),
        allow_network: false,
    };
    let dataset = gapmap::build::build_dataset(&config, &fetcher, &|_, _, _| {}).expect("build");
    let _ = std::fs::remove_dir_all(raw);
    dataset
}

/// CPU time of this process so far (all threads, user + system), from /proc/self/stat
/// (clock ticks of 1/100 s, Linux's USER_HZ); `None` off Linux.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.get(stat.rfind(')')? + 2..)?;
    let fields: Vec<&str> = rest.split(' ').collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// Run `f` once to warm up, then `runs` times; print the median wall time (and the median
/// CPU time over all threads, since a shared machine's wall times include waiting for a core)
/// and return the median wall time.
fn measure<T>(name: &str, runs: usize, mut f: impl FnMut() -> T) -> Duration {
    std::hint::black_box(f());
    let mut times: Vec<(Duration, Option<Duration>)> = (0..runs)
        .map(|_| {
            let cpu = cpu_time();
            let start = Instant::now();
            std::hint::black_box(f());
            let wall = start.elapsed();
            (wall, cpu.zip(cpu_time()).map(|(a, b)| b.saturating_sub(a)))
        })
        .collect();
    let mut cpu: Vec<Duration> = times.iter().filter_map(|t| t.1).collect();
    cpu.sort();
    times.sort();
    let median = times[runs / 2].0;
    println!(
        "{name}: median {:.1} ms wall (min {:.1}, max {:.1}, {runs} runs){}",
        median.as_secs_f64() * 1e3,
        times[0].0.as_secs_f64() * 1e3,
        times[runs - 1].0.as_secs_f64() * 1e3,
        cpu.get(cpu.len() / 2)
            .map(|c| format!(
                "; median CPU {:.0} ms over all threads",
                c.as_secs_f64() * 1e3
            ))
            .unwrap_or_default()
    );
    median
}

fn main() {
    let dataset = std::sync::Arc::new(durham());
    let public = gapmap::public::PublicDataset::new(dataset.clone());
    let county = MapRequest {
        layer: MapLayer::Indicator("990002".into()),
        level: None,
        locality: None,
        width: 1600,
        height: 1200,
        pixel_ratio: 2.0,
    };
    let map = measure(
        "county map PNG 1600x1200 (990002, public values + classes + render + PNG)",
        21,
        || render_map_png(&public, &county).expect("map"),
    );
    let request = DeckRequest::default();
    let deck = build_deck(&public, &request).expect("deck");
    println!(
        "deck: {} slides, {} indicators",
        deck.slides.len(),
        dataset.indicators.len()
    );
    // Cold: a new public face per run, so every locality gap table (100,000 SII replicates)
    // and disclosure audit is computed inside the measurement.
    let cold = || gapmap::public::PublicDataset::new(dataset.clone());
    let build = measure(
        "deck model, cold (4 localities x 5 indicators: 20 gap tables, 24 maps, 20 charts)",
        5,
        || build_deck(&cold(), &request).expect("deck"),
    );
    let pptx = measure("whole deck as PPTX, cold (build + write)", 5, || {
        write_deck(
            &build_deck(&cold(), &request).expect("deck"),
            DeckFormat::Pptx,
        )
        .expect("pptx")
    });
    let pdf = measure("whole deck as PDF, cold (build + write)", 5, || {
        write_deck(
            &build_deck(&cold(), &request).expect("deck"),
            DeckFormat::Pdf,
        )
        .expect("pdf")
    });
    let goal = |d: Duration, limit: f64| {
        if d.as_secs_f64() < limit {
            "ok"
        } else {
            "OVER GOAL"
        }
    };
    println!(
        "goals: map {} (< 100 ms), deck model {:.2} s, PPTX {} (< 3 s), PDF {} (< 3 s)",
        goal(map, 0.1),
        build.as_secs_f64(),
        goal(pptx, 3.0),
        goal(pdf, 3.0)
    );
}

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
//! Prints the median and range of repeated runs after one warm-up.

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

/// Run `f` once to warm up, then `runs` times; print and return the median.
fn measure<T>(name: &str, runs: usize, mut f: impl FnMut() -> T) -> Duration {
    std::hint::black_box(f());
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed()
        })
        .collect();
    times.sort();
    let median = times[runs / 2];
    println!(
        "{name}: median {:.1} ms (min {:.1}, max {:.1}, {runs} runs)",
        median.as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        times[runs - 1].as_secs_f64() * 1e3
    );
    median
}

fn main() {
    let dataset = durham();
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
        || render_map_png(&dataset, &county).expect("map"),
    );
    let request = DeckRequest::default();
    let deck = build_deck(&dataset, &request).expect("deck");
    println!(
        "deck: {} slides, {} indicators",
        deck.slides.len(),
        dataset.indicators.len()
    );
    let build = measure(
        "deck model (4 localities x 5 indicators: tables, 24 maps, 5 charts)",
        5,
        || build_deck(&dataset, &request).expect("deck"),
    );
    let pptx = measure("whole deck as PPTX (build + write)", 5, || {
        write_deck(
            &build_deck(&dataset, &request).expect("deck"),
            DeckFormat::Pptx,
        )
        .expect("pptx")
    });
    let pdf = measure("whole deck as PDF (build + write)", 5, || {
        write_deck(
            &build_deck(&dataset, &request).expect("deck"),
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

//! Benchmark (criterion): map images and whole decks on the real County Durham build (the
//! production pipeline on `data/durham.toml`, offline from ../shared/data).
//!
//! - the county map PNG at 1600 × 1200 px (pixel ratio 2), indicator 990002 (goal < 100 ms);
//! - the whole Durham deck, 4 localities × 5 indicators (26 slides: 20 locality gap tables with
//!   SII/RII at 100,000 replicates, 24 maps, 20 charts), built cold (a new public face per run,
//!   so every gap table and disclosure audit is inside the measurement) and written as PPTX
//!   and as PDF (goal < 3 s each); the deck model alone for reference.
//!
//! ```text
//! CARGO_TARGET_DIR=/root/.cache/gapmap/target cargo bench --bench slides
//! ```
//! Wall times on a shared machine include waiting for a core: note the load (`uptime`) with
//! the figures. Byte stability is a test (`tests/slides/decks.rs`, sha256 of two builds).

use criterion::{criterion_group, criterion_main, Criterion};
use gapmap::figures::map::{render_map_png, MapLayer, MapRequest};
use gapmap::public::PublicDataset;
use gapmap::slides::{build_deck, write_deck, DeckFormat, DeckRequest};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

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

fn slides(c: &mut Criterion) {
    let dataset = Arc::new(durham());
    let public = PublicDataset::new(dataset.clone());
    let county = MapRequest {
        layer: MapLayer::Indicator("990002".into()),
        level: None,
        locality: None,
        width: 1600,
        height: 1200,
        pixel_ratio: 2.0,
    };
    let request = DeckRequest::default();
    let deck = build_deck(&public, &request).expect("deck");
    println!(
        "deck: {} slides, {} indicators",
        deck.slides.len(),
        dataset.indicators.len()
    );
    let cold = || PublicDataset::new(dataset.clone());

    let mut map = c.benchmark_group("map");
    map.sample_size(30)
        .measurement_time(Duration::from_secs(10));
    map.bench_function("county PNG 1600x1200 (990002)", |b| {
        b.iter(|| render_map_png(&public, &county).expect("map"))
    });
    map.finish();

    let mut decks = c.benchmark_group("durham deck, cold");
    decks
        .sample_size(10)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(25));
    decks.bench_function("model (20 gap tables, 24 maps, 20 charts)", |b| {
        b.iter(|| build_deck(&cold(), &request).expect("deck"))
    });
    for format in [DeckFormat::Pptx, DeckFormat::Pdf] {
        decks.bench_function(format!("{} (build + write)", format.extension()), |b| {
            b.iter(|| write_deck(&build_deck(&cold(), &request).expect("deck"), format))
        });
    }
    decks.finish();
}

criterion_group!(benches, slides);
criterion_main!(benches);

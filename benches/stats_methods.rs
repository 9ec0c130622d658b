//! Criterion benchmarks for the two performance figures of the method set (issue 14):
//!
//! - DSR of 6,791 MSOAs (England's MSOA 2011 count) × 19 ESP 2013 age bands, both 95% and
//!   99.8% limits: target < 20 ms;
//! - SII/RII with 1,000,000 Monte Carlo draws for one set of 10 deciles (`phe_sii` with two
//!   confidence levels and the RII): target < 1 s on 2 cores.
//!
//! Inputs are generated with a fixed seed (counts from a Poisson around realistic age-specific
//! rates); the timings do not depend on the values.
//!
//! ```text
//! CARGO_TARGET_DIR=... cargo bench --bench stats_methods
//! ```

use criterion::{criterion_group, criterion_main, Criterion};
use gapmap::stats::confidence::ConfidenceLevel;
use gapmap::stats::dsr::dsr_by_area;
use gapmap::stats::sii_options::{documentation_example, phe_sii, PheSiiOptions, QuantileValue};
use gapmap::stats::standard_population::ESP2013;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Poisson};
use std::hint::black_box;
use std::time::Duration;

const MSOAS: usize = 6_791;
const LEVELS: [ConfidenceLevel; 2] = [ConfidenceLevel::P95, ConfidenceLevel::P998];

fn msoa_bands() -> (Vec<f64>, Vec<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(14);
    let mut counts = Vec::with_capacity(MSOAS * 19);
    let mut populations = Vec::with_capacity(MSOAS * 19);
    for _ in 0..MSOAS {
        for band in 0..19 {
            let population = rng.random_range(100.0..900.0_f64).round();
            // Rates rising with age: 0.5 per 1,000 in 0-4 up to ~60 per 1,000 at 90+.
            let rate = 0.0005 * 1.3_f64.powi(band);
            let count = Poisson::new(population * rate).map_or(0.0, |p| p.sample(&mut rng));
            counts.push(count);
            populations.push(population);
        }
    }
    (counts, populations)
}

fn deciles() -> Vec<QuantileValue> {
    // Standard errors given, as phe_sii's second documented call.
    documentation_example()
        .into_iter()
        .map(|q| QuantileValue {
            lower95: None,
            upper95: None,
            ..q
        })
        .collect()
}

fn bench_dsr(c: &mut Criterion) {
    let (counts, populations) = msoa_bands();
    c.bench_function("dsr 6791 MSOAs x 19 bands (95% + 99.8%)", |b| {
        b.iter(|| {
            dsr_by_area(
                black_box(&counts),
                black_box(&populations),
                ESP2013.population,
                100_000.0,
                &LEVELS,
            )
        })
    });
}

fn bench_sii(c: &mut Criterion) {
    let groups = deciles();
    let options = PheSiiOptions {
        repetitions: 1_000_000,
        levels: LEVELS.to_vec(),
        ..PheSiiOptions::default()
    };
    let mut group = c.benchmark_group("sii");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(15));
    group.bench_function("sii 10 deciles, 1,000,000 draws (95% + 99.8%, RII)", |b| {
        b.iter(|| phe_sii(black_box(&groups), &options))
    });
    group.finish();
}

criterion_group!(benches, bench_dsr, bench_sii);
criterion_main!(benches);

//! Benchmark: the full gap table by national IMD decile for 10 indicators over all 32,844
//! English LSOAs (IMD 2019, real deciles and domain-rank scores from
//! ../shared/data/imd/imd2019_england_lsoa11.csv.gz; generated counts and denominators),
//! each with SII/RII at 100,000 Monte Carlo replicates.
//!
//! ```text
//! CARGO_BUILD_BUILD_DIR=/root/.cache/gapmap/build cargo bench --bench gaps
//! ```

use gapmap::dataset::*;
use gapmap::gaps::{GapRequest, GroupBy};
use gapmap::imd::{imd_score_from_domain_ranks, AreaImd, ImdEdition};
use gapmap::level::Level;
use gapmap::public::PublicDataset;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Binomial, Distribution, Poisson};
use std::io::Read;
use std::time::Instant;

fn england_lsoas() -> Vec<Area> {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/imd/imd2019_england_lsoa11.csv.gz");
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&path).expect("IMD 2019 LSOA file"))
        .read_to_string(&mut text)
        .expect("gzip");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().expect("header").clone();
    let col = |n: &str| headers.iter().position(|h| h == n).expect(n);
    let domains = [
        "Income_rank",
        "Employment_rank",
        "Education_rank",
        "Health_rank",
        "Crime_rank",
        "Housing_and_Access_rank",
        "Environment_rank",
    ]
    .map(col);
    let (code_c, decile_c, rank_c) = (col("lsoa11_code"), col("IMD_decile"), col("IMD_rank"));
    let mut areas: Vec<Area> = reader
        .records()
        .map(|r| {
            let r = r.expect("record");
            let decile: u8 = r[decile_c].parse().expect("decile");
            let ranks = domains.map(|c| r[c].parse::<u32>().expect("rank"));
            Area {
                code: r[code_c].to_string(),
                name: r[code_c].to_string(),
                ons_name: String::new(),
                geometry: geo::MultiPolygon::new(vec![]),
                area_m2: 0.0,
                centroid: [0.0, 0.0],
                centroid_bng: [0.0, 0.0],
                population: Some(Population {
                    year: 2020,
                    total: 1600,
                    ages_0_19: [20; 20],
                }),
                imd: vec![AreaImd {
                    edition: ImdEdition::Imd2019,
                    score: imd_score_from_domain_ranks(&ranks, 32_844),
                    rank: r[rank_c].parse().expect("rank"),
                    rank_of: 32_844,
                    decile,
                    quintile: decile.div_ceil(2),
                    local_quintile: decile.div_ceil(2),
                    most_deprived_30pct: decile <= 3,
                    domain_scores: [0.0; 7],
                }],
                locality: None,
                members: vec![],
            }
        })
        .collect();
    areas.sort_by(|a, b| a.code.cmp(&b.code));
    areas
}

fn indicators(areas: &[Area]) -> Vec<Indicator> {
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    (0..10)
        .map(|k| {
            let rate = k >= 7;
            let values = areas
                .iter()
                .map(|a| {
                    let d = f64::from(a.imd[0].decile);
                    let (count, denominator) = if rate {
                        let n = f64::from(rng.random_range(1200..2000u32));
                        let lambda = n * 0.004 * (1.6 - 0.06 * d);
                        (Poisson::new(lambda).expect("lambda").sample(&mut rng), n)
                    } else {
                        let n = rng.random_range(40..300u64);
                        let p = 1.0 / (1.0 + (-(-1.2 + 0.1 * f64::from(k as u8) - 0.08 * d)).exp());
                        (
                            Binomial::new(n, p).expect("p").sample(&mut rng) as f64,
                            n as f64,
                        )
                    };
                    IndicatorValue {
                        area_code: a.code.clone(),
                        count: Some(count),
                        denominator: Some(denominator),
                        value: None,
                        lower95: None,
                        upper95: None,
                        lower998: None,
                        upper998: None,
                        bands: Vec::new(),
                    }
                })
                .collect();
            Indicator {
                meta: IndicatorMeta {
                    id: format!("bench{k}"),
                    name: format!("Benchmark indicator {k} (generated)"),
                    short_name: format!("bench{k}"),
                    value_type: if rate {
                        ValueType::Rate
                    } else {
                        ValueType::Proportion
                    },
                    multiplier: if rate { 1000.0 } else { 100.0 },
                    polarity: Polarity::HigherIsWorse,
                    synthetic: true,
                    level: Level::Lsoa11,
                    period: "2024".into(),
                    sex: "Persons".into(),
                    age: "All ages".into(),
                    source_id: "bench".into(),
                    unit: String::new(),
                    standardisation: None,
                    age_standard: None,
                },
                values,
                england: None,
                county: None,
                earlier: Vec::new(),
            }
        })
        .collect()
}

fn components() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let start = Instant::now();
    let mut acc = 0.0;
    for _ in 0..10_000_000 {
        let z: f64 = rng.sample(rand_distr::StandardNormal);
        acc += z;
    }
    let normals = start.elapsed().as_secs_f64() * 1000.0;
    let start = Instant::now();
    let mut bits = 0u64;
    for _ in 0..10_000_000 {
        bits ^= rand::RngCore::next_u64(&mut rng);
    }
    let raw = start.elapsed().as_secs_f64() * 1000.0;
    println!("10M raw ChaCha8 u64: {raw:.1} ms ({bits})");
    let start = Instant::now();
    let mut acc2 = 0.0;
    for i in 0..10_000_000 {
        acc2 += 1.0 / (1.0 + (-(f64::from(i) * 1e-7 - 0.5)).exp());
    }
    let exps = start.elapsed().as_secs_f64() * 1000.0;
    println!("components (1 thread): 10M ChaCha8 standard normals {normals:.1} ms, 10M logistic {exps:.1} ms ({acc:.1} {acc2:.1})");
}

fn main() {
    components();
    let areas = england_lsoas();
    let n_areas = areas.len();
    let inds = indicators(&areas);
    let dataset = Dataset {
        meta: DatasetMeta {
            snapshot_version: SNAPSHOT_VERSION,
            name: "England (benchmark)".into(),
            area_of_interest: vec![],
            default_level: Level::Lsoa11,
            suppress_max_count: 4,
            built_at: String::new(),
            config_sha256: String::new(),
            sources: vec![],
            locality_scheme: None,
        },
        layers: vec![Layer::new(Level::Lsoa11, areas, vec![ImdEdition::Imd2019])],
        indicators: inds,
        national_by_deprivation: vec![],
        sites: vec![],
        postcodes: vec![],
        reach: vec![],
    };
    // The public face, as the server uses it, with no table cache (every table is computed);
    // the disclosure audit of each indicator is computed once, on first use, before timing.
    let dataset = std::sync::Arc::new(dataset);
    let public = PublicDataset::with_cache_bytes(dataset.clone(), 0);
    let requests: Vec<GapRequest> = dataset
        .indicators
        .iter()
        .map(|i| GapRequest::for_indicator(&dataset, &i.meta.id, GroupBy::ImdDecile))
        .collect();
    let mut timings = Vec::new();
    for run in 0..7 {
        let start = Instant::now();
        let tables: Vec<_> = requests
            .iter()
            .map(|r| public.gap_table(r).expect("gap table"))
            .collect();
        let elapsed = start.elapsed();
        assert!(tables.iter().all(|t| t.summary.sii.is_some()));
        if run == 0 {
            let s = tables[0].summary.sii.expect("sii");
            println!(
                "check: bench0 SII {:.3} ({:.3} to {:.3})",
                s.value, s.lower95, s.upper95
            );
        } else {
            timings.push(elapsed.as_secs_f64() * 1000.0);
        }
    }
    timings.sort_by(f64::total_cmp);
    // The same tables with 1,000 replicates: how much of the time is the simulation.
    let light: Vec<GapRequest> = requests
        .iter()
        .map(|r| GapRequest {
            reps: 1000,
            ..r.clone()
        })
        .collect();
    let mut light_timings: Vec<f64> = (0..6)
        .map(|_| {
            let start = Instant::now();
            for r in &light {
                public.gap_table(r).expect("gap table");
            }
            start.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    light_timings.sort_by(f64::total_cmp);
    println!(
        "same tables with SII at 1,000 reps: median {:.1} ms",
        light_timings[3]
    );
    println!(
        "gap tables: 10 indicators x {n_areas} LSOAs by IMD decile, SII/RII at {} reps, {} threads: median {:.1} ms (min {:.1}, max {:.1}) over {} runs",
        requests[0].reps,
        rayon::current_num_threads(),
        timings[timings.len() / 2],
        timings[0],
        timings[timings.len() - 1],
        timings.len()
    );
}

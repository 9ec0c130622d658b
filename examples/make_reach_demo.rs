//! Writes a SYNTHETIC service-use records file for the County Durham demo:
//! `data/reach/durham_family_hub_contacts_synthetic.csv`, columns
//! `postcode,date,service,age_band,count` (one row per postcode and month with contacts).
//!
//! SYNTHETIC DEMONSTRATION DATA, NOT OFFICIAL STATISTICS: no real person's contact is in it.
//! The pattern is made up to look plausible: each live postcode of the area of interest gets
//! the children aged 0–4 of its LSOA shared equally among the LSOA's postcodes, and a yearly
//! contact rate per child of `0.9 × exp(−d / 4 km) × (0.5 + deprivation)`, where `d` is the
//! distance to the nearest existing Family Hub and `deprivation` is `(10 − national IMD
//! decile) / 9` (0 least, 1 most deprived) — so reach falls off with distance from a hub and
//! rises with deprivation. Monthly contacts are Poisson draws (ChaCha8, seed 20250214) for the
//! twelve months April 2024 – March 2025, so the file is identical on every run.
//!
//! Run: `cargo run --release --example make_reach_demo -- [SNAPSHOT] [OUT]` (defaults:
//! `data/build/durham.snapshot`, the path above). Needs a built snapshot (`gapmap build`).

use gapmap::level::Level;
use rand::SeedableRng;
use rand_distr::{Distribution, Poisson};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let snapshot = PathBuf::from(
        args.next()
            .unwrap_or_else(|| "data/build/durham.snapshot".into()),
    );
    let out = PathBuf::from(
        args.next()
            .unwrap_or_else(|| "data/reach/durham_family_hub_contacts_synthetic.csv".into()),
    );
    let dataset = gapmap::snapshot::load(&snapshot)?;
    let lsoas = dataset
        .layer(Level::Lsoa11)
        .ok_or("the snapshot has no lsoa11 layer")?;
    let hubs: Vec<[f64; 2]> = dataset
        .sites
        .iter()
        .filter(|s| s.existing && s.kind == "family_hub")
        .map(|s| [s.easting, s.northing])
        .collect();
    if hubs.is_empty() {
        return Err("the snapshot has no existing family hubs".into());
    }
    let mut postcodes_per_lsoa: HashMap<&str, u32> = HashMap::new();
    for p in &dataset.postcodes {
        if let Some(l) = p.lsoa11.as_deref() {
            *postcodes_per_lsoa.entry(l).or_default() += 1;
        }
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(20_250_214);
    let mut csv = String::from("postcode,date,service,age_band,count\n");
    let mut rows = 0usize;
    for p in &dataset.postcodes {
        let Some(area) = p.lsoa11.as_deref().and_then(|l| lsoas.get(l)) else {
            continue;
        };
        let (Some(population), Some(imd)) = (&area.population, area.imd.first()) else {
            continue;
        };
        let share = f64::from(*postcodes_per_lsoa.get(area.code.as_str()).unwrap_or(&1));
        let children = f64::from(population.ages(0, 4)) / share;
        let distance_km = hubs
            .iter()
            .map(|h| (h[0] - p.easting).hypot(h[1] - p.northing))
            .fold(f64::INFINITY, f64::min)
            / 1000.0;
        let deprivation = f64::from(10 - imd.decile.min(10)) / 9.0;
        let per_month = children * 0.9 * (-distance_km / 4.0).exp() * (0.5 + deprivation) / 12.0;
        if per_month <= 0.0 {
            continue;
        }
        let poisson = Poisson::new(per_month)?;
        for month in 0..12u32 {
            let contacts = poisson.sample(&mut rng) as u64;
            if contacts == 0 {
                continue;
            }
            let (year, m) = (2024 + (month + 3) / 12, (month + 3) % 12 + 1);
            writeln!(
                csv,
                "{},{year}-{m:02}-01,Family Hub,0-4,{contacts}",
                p.postcode
            )?;
            rows += 1;
        }
    }
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    gapmap::fsutil::write_atomic(&out, csv.as_bytes())?;
    eprintln!("{}: {rows} rows (SYNTHETIC)", out.display());
    Ok(())
}

//! IMD fidelity against the published files (issue: foundation, "Done when" 3).
//!
//! - The IoD exponential-transform method reproduces every published IoD2025 LSOA IMD score
//!   within 0.001 (the scores are published to 3 decimals).
//! - The same method applied to the IoD2019 domain ranks reproduces the official IMD 2019 rank
//!   of every LSOA within ±2, and exactly for at least 99% of them.
//! - MSOA scores (population-weighted mean of LSOA scores, IoD2019 mid-2015 denominators)
//!   agree with the published MSOA aggregation for all 6,791 English MSOAs within 0.001.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use gapmap::build::aggregate_imd;
use gapmap::imd::rank_descending;
use gapmap::ingest::{imd, lookups, table::Table};
use std::collections::HashMap;
use std::path::PathBuf;

fn mirror(path: &str) -> PathBuf {
    crate::support::mirror().join(path)
}

#[test]
fn rebuilt_iod2025_scores_match_published_scores_for_every_lsoa() {
    let table = imd::load_imd2025(&mirror("imd/imd2025_england_lsoa21.csv.gz")).unwrap();
    assert_eq!(table.len(), 33_755);
    let worst = table
        .rows
        .iter()
        .map(|r| (r.rebuilt_score - r.score).abs())
        .fold(0.0_f64, f64::max);
    println!(
        "IoD2025: max |rebuilt - published| = {worst:.6} over {} LSOAs",
        table.len()
    );
    assert!(worst <= 0.001, "max difference {worst}");
}

#[test]
fn rebuilt_iod2019_scores_reproduce_official_ranks() {
    let table = imd::load_imd2019(&mirror("imd/imd2019_england_lsoa11.csv.gz")).unwrap();
    assert_eq!(table.len(), 32_844);
    let scores: Vec<f64> = table.rows.iter().map(|r| r.score).collect();
    let ranks = rank_descending(&scores);
    let mut exact = 0;
    let mut worst = 0i64;
    for (row, rank) in table.rows.iter().zip(&ranks) {
        let diff = (i64::from(*rank) - i64::from(row.rank)).abs();
        worst = worst.max(diff);
        exact += usize::from(diff == 0);
    }
    let share = exact as f64 / table.len() as f64;
    println!(
        "IoD2019: {exact} of {} ranks exact ({:.3}%), worst difference {worst}",
        table.len(),
        share * 100.0
    );
    assert!(worst <= 2, "worst rank difference {worst}");
    assert!(share >= 0.99, "only {share} exact");
}

#[test]
fn msoa_scores_match_the_published_population_weighted_aggregation() {
    let table = imd::load_imd2019(&mirror("imd/imd2019_england_lsoa11.csv.gz")).unwrap();
    let denominators = imd::load_iod2019_denominators(&mirror(
        "imd/File_6_-_IoD2019_Population_Denominators.csv.gz",
    ))
    .unwrap();
    let weights: HashMap<String, f64> = denominators
        .iter()
        .map(|(c, (_, t))| (c.clone(), *t))
        .collect();
    let parent: HashMap<String, String> = lookups::load_pairs(
        &mirror("lookups/lookup_lsoa11_msoa11.csv.gz"),
        "lsoa11_code",
        "msoa11_code",
    )
    .unwrap()
    .into_iter()
    .collect();
    let ours = aggregate_imd(&table, &weights, &parent, None);

    let published = Table::read(&mirror("imd/imd2019_england_msoa11.csv.gz")).unwrap();
    let codes = published.strings("msoa11_code").unwrap();
    let scores = published.numbers("Score").unwrap();
    assert_eq!(codes.len(), 6_791);
    let mut worst = 0.0_f64;
    for (code, score) in codes.iter().zip(&scores) {
        let mine = ours
            .get(code)
            .unwrap_or_else(|| panic!("no MSOA score for {code}"));
        worst = worst.max((mine.score - score).abs());
    }
    println!(
        "MSOA 2019: max |ours - published| = {worst:.6} over {} MSOAs",
        codes.len()
    );
    assert!(worst <= 0.001, "max difference {worst}");
    // Deciles are re-derived among the 6,791 MSOAs: 679 or 680 in each.
    let mut per_decile = [0usize; 11];
    for code in &codes {
        per_decile[usize::from(ours[code].decile)] += 1;
    }
    assert!(
        per_decile[1..].iter().all(|&n| (679..=680).contains(&n)),
        "{per_decile:?}"
    );
}

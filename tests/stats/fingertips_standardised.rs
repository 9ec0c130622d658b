//! The real Fingertips rows that `fingertips_ci.rs` leaves out as standardised —
//! 22401 and 93763 (directly age-standardised rates) and 41101 (indirectly standardised) —
//! in `../shared/data/indicators/england_by_deprivation_decile.csv`: what can be recomputed
//! from the file, and, row by row, why the rest cannot.
//!
//! **DSRs (22401, 93763): not recomputable from this file.** Dobson's method
//! ([`gapmap::stats::dsr`]) needs each group's 19 age-band counts and populations; the file
//! has one row per decile with the total count and total population (its Age column is a single
//! band such as "65+ yrs"), and the published value is not count/denominator × 100,000 (checked
//! for every row below). What the file does allow is a check of the *method*: Dobson's limits
//! are DSR + k·(O_limit − O) with one unknown k = √(var/O)·multiplier and Byar's O_limit, so k
//! solved from the published lower limit must predict the published upper limit. It does, for
//! every row, to the published precision: exactly for all 618 rows of 93763 and 226 of 22401;
//! the other 152 rows of 22401 match once the count's rounding is allowed for (22401 counts are
//! hospital admissions published rounded to the nearest 5 — 367 of its 378 counts are multiples
//! of 5 — while the limits were made from the unrounded count).
//!
//! **ISRs (41101): limits recomputed, values not.** The value is O/E × R (observed over
//! expected, times the England rate); E is not in the file, so the value cannot be recomputed.
//! But the limits are O_limit/E × R = value × O_limit/O ([`gapmap::stats::isr`]), a function of
//! the file's Count and Value only: recomputed for every row (exact Poisson limits below 10
//! events, Byar's from 10), matching the published limits to their precision once the rounding
//! of the published value (1 decimal place) is allowed for.

use gapmap::stats::byar::{byar_lower_unclamped, byar_upper};
use gapmap::stats::confidence::ConfidenceLevel;
use gapmap::stats::poisson_exact::count_limits_at;
use std::collections::BTreeMap;
use std::path::PathBuf;

fn file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/indicators/england_by_deprivation_decile.csv")
}

/// Half a unit in the last published decimal place.
fn half_unit(published: &str) -> f64 {
    let decimals = published.split_once('.').map(|(_, d)| d.len()).unwrap_or(0);
    0.5 * 10f64.powi(-(decimals as i32))
}

#[derive(Default, Debug)]
struct Tally {
    rows: u32,
    recomputed: u32,
    method_confirmed: u32,
    not_recomputable: BTreeMap<&'static str, u32>,
}

#[test]
fn standardised_fingertips_rows_are_recomputed_or_listed_with_the_reason() {
    let mut reader = csv::Reader::from_path(file()).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (id_c, age_c, value_c, lo_c, up_c, count_c, denom_c) = (
        col("Indicator ID"),
        col("Age"),
        col("Value"),
        col("Lower CI 95.0 limit"),
        col("Upper CI 95.0 limit"),
        col("Count"),
        col("Denominator"),
    );
    // No column carries age-band counts: the only age field is the indicator's single band.
    assert!(!headers
        .iter()
        .any(|h| h.to_lowercase().contains("age band")));
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut failures = Vec::new();
    let level = ConfidenceLevel::P95;
    for (i, record) in reader.records().enumerate() {
        let r = record.unwrap();
        let id = &r[id_c];
        if !matches!(id, "22401" | "93763" | "41101") {
            continue;
        }
        let line = i + 2;
        let tally = tallies.entry(id.to_string()).or_default();
        tally.rows += 1;
        if [value_c, lo_c, up_c, count_c]
            .iter()
            .any(|&c| r[c].is_empty())
        {
            *tally
                .not_recomputable
                .entry("no value, limits or count in the file")
                .or_default() += 1;
            continue;
        }
        let number = |c: usize| r[c].parse::<f64>().unwrap();
        let (value, lower, upper, observed) =
            (number(value_c), number(lo_c), number(up_c), number(count_c));
        if id == "41101" {
            // ISR: limits = value × O_limit / O.
            *tally
                .not_recomputable
                .entry("value: O/E × England rate, and the expected count E is not in the file")
                .or_default() += 1;
            let counts = count_limits_at(observed, level).unwrap();
            let value_rounding = half_unit(&r[value_c]) / observed;
            let ok = (counts.lower * value / observed - lower).abs()
                <= half_unit(&r[lo_c]) + counts.lower * value_rounding + 1e-9
                && (counts.upper * value / observed - upper).abs()
                    <= half_unit(&r[up_c]) + counts.upper * value_rounding + 1e-9;
            if ok {
                tally.recomputed += 1;
            } else {
                failures.push(format!(
                    "line {line}: 41101 limits {lower}–{upper} not value × O_limit/O"
                ));
            }
        } else {
            // DSR: value is not the crude rate, and the age bands are missing.
            let denominator = number(denom_c);
            let crude = observed / denominator * 100_000.0;
            assert!(
                (crude - value).abs() > half_unit(&r[value_c]),
                "line {line}: {id} value {value} equals the crude rate; it would not need standardising"
            );
            *tally
                .not_recomputable
                .entry("DSR value and limits: the 19 age-band counts and populations Dobson's method needs are not in the file (one total row per group)")
                .or_default() += 1;
            // Upper limit implied by the published lower limit for a true count o:
            // value + (lower − value)·R(o), R(o) = (Byar_u(o) − o)/(Byar_l(o) − o).
            let implied = |o: f64| {
                let ratio = (byar_upper(o, level) - o) / (byar_lower_unclamped(o, level) - o);
                (value + (lower - value) * ratio, ratio.abs())
            };
            let (predicted, ratio) = implied(observed);
            // Rounding of the published value, lower and upper limits propagates.
            let slack = half_unit(&r[value_c]) * (1.0 + ratio)
                + half_unit(&r[lo_c]) * ratio
                + half_unit(&r[up_c])
                + 1e-9;
            // 22401 counts are hospital admissions published rounded to the nearest 5 (HES
            // disclosure rule): the limits were made from the unrounded count, within ±2.5.
            let rounded_count = id == "22401" && observed % 5.0 == 0.0;
            let (low, high) = if rounded_count {
                let (a, b) = (implied(observed - 2.5).0, implied(observed + 2.5).0);
                (a.min(b), a.max(b))
            } else {
                (predicted, predicted)
            };
            if low - slack <= upper && upper <= high + slack {
                tally.method_confirmed += 1;
            } else {
                failures.push(format!(
                    "line {line}: {id} {} upper {upper} but Dobson/Byar from the lower limit gives {predicted}",
                    &r[age_c]
                ));
            }
        }
    }
    for (id, t) in &tallies {
        println!(
            "{id}: {} rows; limits recomputed {}; Dobson/Byar structure confirmed {}",
            t.rows, t.recomputed, t.method_confirmed
        );
        for (why, n) in &t.not_recomputable {
            println!("  not recomputed ({n} rows): {why}");
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(tallies["22401"].rows, 378);
    assert_eq!(tallies["22401"].method_confirmed, 378);
    assert_eq!(tallies["93763"].method_confirmed, 618);
    assert_eq!(tallies["41101"].recomputed, 108);
}

/// The loader's rule (`gapmap::ingest::standardisation::classify`) on the real rows: every
/// indicator's deprivation-decile rows are its samples and England's row its reference. The
/// rule must find 41101 indirectly standardised (England's value is its crude rate), the two
/// DSRs and the weighted survey estimate (93015) not crude, and every crude indicator crude —
/// the same split `fingertips_ci.rs` documents by hand.
#[test]
fn the_loader_tells_standardised_from_crude_on_the_real_rows() {
    use gapmap::dataset::Standardisation;
    use gapmap::ingest::standardisation::{classify, Sample};
    let mut reader = csv::Reader::from_path(file()).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (id_c, area_c, cat_c, value_c, count_c, denom_c) = (
        col("Indicator ID"),
        col("Area Code"),
        col("Category Type"),
        col("Value"),
        col("Count"),
        col("Denominator"),
    );
    let mut samples: BTreeMap<String, (Vec<Sample>, Option<Sample>)> = BTreeMap::new();
    for record in reader.records() {
        let r = record.unwrap();
        let number = |c: usize| r[c].parse::<f64>().ok();
        let sample = Sample::from_row(
            &r[value_c],
            number(value_c),
            number(count_c),
            number(denom_c),
        );
        let entry = samples.entry(r[id_c].to_string()).or_default();
        if r[cat_c].is_empty() && &r[area_c] == "E92000001" {
            entry.1 = entry.1.or(sample);
        } else if !r[cat_c].is_empty() {
            entry.0.extend(sample);
        }
    }
    let found: BTreeMap<&str, Option<Standardisation>> = samples
        .iter()
        .map(|(id, (rows, england))| {
            (
                id.as_str(),
                classify(None, rows, *england, None).standardisation,
            )
        })
        .collect();
    println!("{found:?}");
    assert_eq!(found["41101"], Some(Standardisation::Indirect));
    for id in ["22401", "93763", "93015"] {
        assert_eq!(found[id], Some(Standardisation::Adjusted), "{id}");
    }
    for id in [
        "20401", "92266", "92904", "41203", "93124", "91894", "93085", "93474", "93701",
    ] {
        assert_eq!(found[id], None, "{id} is a crude rate or proportion");
    }
}

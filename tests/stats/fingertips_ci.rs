//! Recompute the 95% interval of every real OHID Fingertips row in
//! `../shared/data/indicators/england_by_deprivation_decile.csv` from its Count and Denominator
//! and check it reproduces the published "Lower/Upper CI 95.0 limit" to the published
//! precision (half a unit in the last published decimal place).
//!
//! Method per indicator (from the Fingertips indicator definitions; confirmed because the
//! published value equals Count/Denominator × multiplier):
//! - proportions (%), Wilson score: 91894, 93085 (incl. fractional apportioned counts), 93474;
//! - crude rates, exact Poisson below 10 events else Byar: 20401 and 92266 (per 1,000),
//!   92904, 41203 and 93124 (per 100,000).
//!
//! Rows left out, each by a rule that says why the published limits are not a function of
//! this row's Count and Denominator:
//! 1. no Count or Denominator (92026, 92033, 93088, 93861, part of 93015): nothing to compute;
//! 2. directly age-standardised rates, 22401 and 93763: value ≠ count/denominator × 100,000;
//!    their limits come from the age-specific counts (Dobson's method), not in the file;
//! 3. indirectly standardised ratio, 41101 (emergency readmissions): value ≠ count/denominator
//!    × 100 (it is O/E × the England rate); limits need the expected count E, not in the file;
//! 4. survey estimate, 93015 (physically inactive adults, Active Lives): value is a weighted
//!    survey proportion; Count/Denominator are unweighted respondents (value ≠ count/denom);
//! 5. 93701 (children in absolute low income families, DWP): value published to 1 dp and
//!    limits to 2 dp that neither Wilson nor Byar reproduce from the given (rounded DWP)
//!    counts, e.g. most deprived decile 2018/19: 408,427/1,122,756 → Wilson 36.29–36.47,
//!    published 36.25–36.50; the limits were made from unpublished inputs;
//! 6. 92904 deprivation-decile rows for 2018/19 - 20/21 and 2019/20 - 21/22: the value equals
//!    count/denominator but the limits belong to a slightly larger count (e.g. Female, third
//!    more deprived decile 2018/19 - 20/21: 485 events; the published 29.71602509–35.57200445
//!    is exactly Byar for 486 events) — the count was revised after the limits were made. The
//!    England totals and later periods of 92904 all match, so the method is not in doubt.
//! 7. a crude-rate row whose published value is not Count/Denominator × multiplier to its own
//!    published precision: the limits were computed from different inputs. One row: 93124
//!    England 2018, value 0.685012400150299 implies a denominator of 55,619,431.1, not the
//!    file's 55,619,430 (its limits are the exact-Poisson ones on that population, agreeing
//!    with ours to 7 significant figures, 0.61794738 vs 0.61794740, but not to the 15 digits
//!    published). The other three years of the same series match Byar exactly.
//!
//! Small counts of 93124: for rows with fewer than 10 cases Fingertips published the *count's*
//! exact limits (e.g. 5 cases → 1.623486 to 11.668332) in the limit columns instead of the
//! rate's. They are compared with the exact Poisson limits of the count, which checks the same
//! method; a row is treated this way only when its published limits bracket the count and not
//! the value.

use gapmap::stats::poisson_exact::{count_limits, rate_interval};
use gapmap::stats::wilson::wilson_interval;
use gapmap::stats::{Confidence, Interval};
use std::collections::BTreeMap;
use std::path::PathBuf;

fn file() -> PathBuf {
    crate::support::mirror().join("indicators/england_by_deprivation_decile.csv")
}

/// Half a unit in the last decimal place of a published number (plus float dust).
fn tolerance(published: &str) -> f64 {
    let decimals = published.split_once('.').map(|(_, d)| d.len()).unwrap_or(0);
    0.5 * 10f64.powi(-(decimals as i32)) + 1e-9
}

enum Method {
    Wilson,
    Rate(f64),
}

fn method(indicator: &str) -> Option<Method> {
    match indicator {
        "91894" | "93085" | "93474" => Some(Method::Wilson),
        "20401" | "92266" => Some(Method::Rate(1_000.0)),
        "92904" | "41203" | "93124" => Some(Method::Rate(100_000.0)),
        _ => None,
    }
}

/// Rule 6 above.
fn count_revised_after_limits(indicator: &str, category_type: &str, period: &str) -> bool {
    indicator == "92904"
        && !category_type.is_empty()
        && (period == "2018/19 - 20/21" || period == "2019/20 - 21/22")
}

#[test]
fn fingertips_published_95_limits_are_reproduced() {
    let mut reader =
        csv::Reader::from_path(file()).expect("england_by_deprivation_decile.csv must be readable");
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (id_c, ct_c, period_c, value_c, lo_c, up_c, count_c, denom_c) = (
        col("Indicator ID"),
        col("Category Type"),
        col("Time period"),
        col("Value"),
        col("Lower CI 95.0 limit"),
        col("Upper CI 95.0 limit"),
        col("Count"),
        col("Denominator"),
    );
    let mut checked: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    let mut excluded: BTreeMap<String, u32> = BTreeMap::new();
    let mut count_scale = 0;
    let mut failures = Vec::new();
    let mut total_rows = 0;
    for (line, record) in reader.records().enumerate() {
        let r = record.unwrap();
        total_rows += 1;
        let id = &r[id_c];
        if r[count_c].is_empty()
            || r[denom_c].is_empty()
            || r[lo_c].is_empty()
            || r[up_c].is_empty()
        {
            *excluded
                .entry(format!("{id}: no count/denominator/limits"))
                .or_default() += 1;
            continue;
        }
        let Some(m) = method(id) else {
            *excluded
                .entry(format!(
                    "{id}: standardised/survey/unreproducible (rules 2–5)"
                ))
                .or_default() += 1;
            continue;
        };
        let count: f64 = r[count_c].parse().unwrap();
        let denominator: f64 = r[denom_c].parse().unwrap();
        let value: f64 = r[value_c].parse().unwrap();
        let (lo, up) = (&r[lo_c], &r[up_c]);
        let (lo_v, up_v): (f64, f64) = (lo.parse().unwrap(), up.parse().unwrap());
        if count_revised_after_limits(id, &r[ct_c], &r[period_c]) {
            // Not asserted, but counted, so the report shows how many match regardless.
            let ci = rate_interval(count, denominator, 100_000.0, Confidence::P95).unwrap();
            let ok = (ci.lower - lo_v).abs() <= tolerance(lo)
                && (ci.upper - up_v).abs() <= tolerance(up);
            *excluded
                .entry(format!("{id}: count revised after limits (rule 6)"))
                .or_default() += 1;
            if ok {
                *excluded
                    .entry(format!("{id}: of those (rule 6), match anyway"))
                    .or_default() += 1;
            }
            continue;
        }
        if let Method::Rate(mult) = m {
            if (count / denominator * mult - value).abs() > tolerance(&r[value_c]) {
                *excluded
                    .entry(format!("{id}: value is not count/denominator (rule 7)"))
                    .or_default() += 1;
                continue;
            }
        }
        let computed: Interval = match m {
            Method::Wilson => wilson_interval(count, denominator, Confidence::P95)
                .unwrap()
                .scaled(100.0),
            Method::Rate(mult) => {
                let on_count_scale = count < 10.0
                    && lo_v <= count
                    && count <= up_v
                    && !(lo_v <= value && value <= up_v);
                if on_count_scale {
                    count_scale += 1;
                    count_limits(count, Confidence::P95).unwrap()
                } else {
                    rate_interval(count, denominator, mult, Confidence::P95).unwrap()
                }
            }
        };
        let ok = (computed.lower - lo_v).abs() <= tolerance(lo)
            && (computed.upper - up_v).abs() <= tolerance(up);
        let entry = checked.entry(id.to_string()).or_default();
        entry.0 += 1;
        if ok {
            entry.1 += 1;
        } else {
            failures.push(format!(
                "line {}: {id} {} {} count {count} denom {denominator}: published {lo}–{up}, computed {:.10}–{:.10}",
                line + 2,
                &r[ct_c],
                &r[period_c],
                computed.lower,
                computed.upper
            ));
        }
    }
    let compared: u32 = checked.values().map(|c| c.0).sum();
    let matched: u32 = checked.values().map(|c| c.1).sum();
    println!("{total_rows} rows in the file; {compared} recomputed, {matched} match the published 95% limits");
    for (id, (n, ok)) in &checked {
        println!("  {id}: {ok}/{n} match");
    }
    println!("  (of which {count_scale} small-count 93124 rows published on the count scale)");
    for (why, n) in &excluded {
        println!("  excluded {n}: {why}");
    }
    assert!(
        failures.is_empty(),
        "{} rows differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(compared, 1500, "expected 1,500 reproducible rows");
}

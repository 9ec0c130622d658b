//! The runner on small CSVs: package column names, grouping, type, and errors naming the line
//! and column. Values are checked against the pure methods (whose own tests hold the
//! hand-worked figures) or worked here by hand.
#![allow(clippy::unwrap_used)]

use super::*;
use crate::stats::confidence::ConfidenceLevel;
use clap::Parser;

/// Parse a request the way the CLI does.
fn request(args: &[&str]) -> StatsRequest {
    #[derive(Parser)]
    struct Wrapper {
        #[command(flatten)]
        request: StatsRequest,
    }
    let mut argv = vec!["gapmap-stats"];
    argv.extend_from_slice(args);
    Wrapper::parse_from(argv).request
}

fn names(table: &OutputTable) -> Vec<&str> {
    table.columns.iter().map(|c| c.name.as_str()).collect()
}

fn number(table: &OutputTable, column: &str, row: usize) -> f64 {
    match &table.column(column).unwrap().cells[row] {
        Cell::Number(x) => *x,
        other => panic!("{column}[{row}] = {other:?}"),
    }
}

const PROPORTIONS: &str =
    "area,year,obs,pop\nA,2020,81,263\nA,2021,10,10\nB,2020,0,50\nB,2021,5,50\n";

#[test]
fn proportion_row_by_row_keeps_the_input_and_adds_package_columns() {
    let table = run(
        &request(&[
            "--method",
            "proportion",
            "--x",
            "obs",
            "--n",
            "pop",
            "--multiplier",
            "100",
        ]),
        PROPORTIONS.as_bytes(),
    )
    .unwrap();
    assert_eq!(
        names(&table),
        [
            "area",
            "year",
            "obs",
            "pop",
            "value",
            "lowercl",
            "uppercl",
            "confidence",
            "statistic",
            "method"
        ]
    );
    assert_eq!(table.rows(), 4);
    // 81/263 as a percentage: Wilson 25.53 to 36.62 (Newcombe & Altman p 47).
    assert!((number(&table, "lowercl", 0) - 25.53).abs() < 0.005);
    assert_eq!(number(&table, "uppercl", 1), 100.0);
    assert_eq!(number(&table, "lowercl", 2), 0.0);
    assert_eq!(
        table.column("statistic").unwrap().cells[0],
        Cell::Text("percentage".into())
    );
}

#[test]
fn grouped_rates_sum_counts_and_denominators_with_two_levels() {
    let table = run(
        &request(&[
            "--method",
            "rate",
            "--x",
            "obs",
            "--n",
            "pop",
            "--group-by",
            "area",
            "--confidence",
            "95,99.8",
        ]),
        PROPORTIONS.as_bytes(),
    )
    .unwrap();
    assert_eq!(
        names(&table),
        [
            "area",
            "obs",
            "pop",
            "value",
            "lower95_0cl",
            "upper95_0cl",
            "lower99_8cl",
            "upper99_8cl",
            "confidence",
            "statistic",
            "method"
        ]
    );
    // Area B: 5 events in 100 → 5,000 per 100,000, exact limits 1.623486/100 × 1e5.
    assert!((number(&table, "value", 1) - 5000.0).abs() < 1e-9);
    assert!((number(&table, "lower95_0cl", 1) - 1_623.486_390_118).abs() < 1e-6);
    assert_eq!(
        table.column("method").unwrap().cells[1],
        Cell::Text("Exact".into())
    );
    assert_eq!(
        table.column("method").unwrap().cells[0],
        Cell::Text("Byars".into())
    );
}

#[test]
fn type_standard_and_value_drop_columns_like_the_package() {
    let base = [
        "--method",
        "rate",
        "--x",
        "obs",
        "--n",
        "pop",
        "--group-by",
        "area",
    ];
    let standard = run(
        &request(&[&base[..], &["--type", "standard"]].concat()),
        PROPORTIONS.as_bytes(),
    )
    .unwrap();
    assert_eq!(
        names(&standard),
        ["area", "obs", "pop", "value", "lowercl", "uppercl"]
    );
    let value = run(
        &request(&[&base[..], &["--type", "value"]].concat()),
        PROPORTIONS.as_bytes(),
    )
    .unwrap();
    assert_eq!(names(&value), ["area", "value"]);
}

#[test]
fn mean_reports_the_package_columns() {
    // Observations 1..=10: sum 55, mean 5.5, sd 3.0276504; t(0.975, 9) = 2.2621572.
    let csv: String = std::iter::once("g,v".to_string())
        .chain((1..=10).map(|i| format!("a,{i}")))
        .collect::<Vec<_>>()
        .join("\n");
    let table = run(
        &request(&["--method", "mean", "--value", "v", "--group-by", "g"]),
        csv.as_bytes(),
    )
    .unwrap();
    assert_eq!(
        names(&table),
        [
            "g",
            "value_sum",
            "value_count",
            "stdev",
            "value",
            "lowercl",
            "uppercl",
            "confidence",
            "statistic",
            "method"
        ]
    );
    assert!((number(&table, "stdev", 0) - 3.027_650_354).abs() < 1e-8);
    assert!(
        (number(&table, "lowercl", 0) - (5.5 - 2.262_157_163 * 3.027_650_354 / 10f64.sqrt())).abs()
            < 1e-7
    );
}

#[test]
fn isratio_and_israte_from_reference_columns() {
    // The hand-worked example of stats::isr: E = 56, O = 70.
    let csv = "area,band,obs,pop,refx,refn\nA,1,3,4000,100,100000\nA,2,20,3000,400,100000\nA,3,47,2000,1000,50000\n";
    let args = [
        "--x",
        "obs",
        "--n",
        "pop",
        "--x-ref",
        "refx",
        "--n-ref",
        "refn",
        "--group-by",
        "area",
    ];
    let ratio = run(
        &request(&[&["--method", "isratio", "--refvalue", "100"], &args[..]].concat()),
        csv.as_bytes(),
    )
    .unwrap();
    assert_eq!(
        names(&ratio),
        [
            "area",
            "observed",
            "expected",
            "value",
            "lowercl",
            "uppercl",
            "confidence",
            "statistic",
            "method"
        ]
    );
    assert!((number(&ratio, "value", 0) - 125.0).abs() < 1e-9);
    let rate = run(
        &request(&[&["--method", "israte"], &args[..]].concat()),
        csv.as_bytes(),
    )
    .unwrap();
    assert!((number(&rate, "ref_rate", 0) - 600.0).abs() < 1e-9);
    assert!((number(&rate, "value", 0) - 750.0).abs() < 1e-9);
    assert_eq!(
        rate.column("statistic").unwrap().cells[0],
        Cell::Text("indirectly standardised rate per 100000".into())
    );
}

#[test]
fn quantiles_keep_row_order_within_groups() {
    let csv = "region,area,v\nR1,a,1\nR2,b,9\nR1,c,3\nR1,d,2\nR2,e,NA\nR2,f,4\n";
    let table = run(
        &request(&[
            "--method",
            "quantile",
            "--value",
            "v",
            "--group-by",
            "region",
            "--nquantiles",
            "3",
            "--invert",
            "false",
        ]),
        csv.as_bytes(),
    )
    .unwrap();
    assert_eq!(
        names(&table),
        [
            "region",
            "area",
            "v",
            "quantile",
            "nquantiles",
            "groupvars",
            "qinverted"
        ]
    );
    let q: Vec<Cell> = table.column("quantile").unwrap().cells.clone();
    // R1: 1, 3, 2 → ranks 1, 3, 2 of n = 3 → quantiles 1, 3, 2; R2: 9, NA, 4 → 2 values.
    assert_eq!(q[0], Cell::Number(1.0));
    assert_eq!(q[2], Cell::Number(3.0));
    assert_eq!(q[3], Cell::Number(2.0));
    assert_eq!(q[4], Cell::Empty);
}

#[test]
fn sii_outputs_the_package_columns_for_the_documentation_example() {
    let population = [7291, 7997, 6105, 7666, 5790, 6934, 5918, 5974, 7147, 7534];
    let value = [75.9, 78.3, 83.8, 83.6, 80.5, 81.1, 81.7, 84.2, 80.6, 86.3];
    let se = [1.64, 1.58, 1.51, 1.78, 1.7, 1.56, 1.37, 1.4, 2.43, 1.57];
    // Deciles given out of order: they are sorted by quantile number.
    let mut csv = "area,decile,population,value,se\n".to_string();
    for i in (0..10).rev() {
        csv += &format!("Area1,{},{},{},{}\n", i + 1, population[i], value[i], se[i]);
    }
    let table = run(
        &request(&[
            "--method",
            "sii",
            "--quantile",
            "decile",
            "--population",
            "population",
            "--value",
            "value",
            "--se",
            "se",
            "--group-by",
            "area",
            "--rii",
            "--intercept",
            "--repetitions",
            "10000",
            "--confidence",
            "95,99.8",
        ]),
        csv.as_bytes(),
    )
    .unwrap();
    assert_eq!(
        names(&table),
        [
            "area",
            "sii",
            "rii",
            "sii_lower95_0cl",
            "sii_upper95_0cl",
            "sii_lower99_8cl",
            "sii_upper99_8cl",
            "rii_lower95_0cl",
            "rii_upper95_0cl",
            "rii_lower99_8cl",
            "rii_upper99_8cl",
            "intercept",
            "indicator_type",
            "multiplier",
            "transform",
            "CI_confidence",
            "CI_method"
        ]
    );
    assert!((number(&table, "sii", 0) - 7.000_234_760_079_92).abs() < 1e-9);
    assert!((number(&table, "intercept", 0) - 78.032_078_77).abs() < 1e-6);
}

#[test]
fn errors_name_the_line_and_column() {
    let negative = "area,obs,pop\nA,1,10\nA,2,-5\n";
    let err = run(
        &request(&["--method", "rate", "--x", "obs", "--n", "pop"]),
        negative.as_bytes(),
    )
    .unwrap_err();
    assert!(
        matches!(&err, StatsRunError::Negative { line: 3, column, .. } if column == "pop"),
        "{err}"
    );
    let over = "obs,pop\n11,10\n";
    let err = run(
        &request(&["--method", "proportion", "--x", "obs", "--n", "pop"]),
        over.as_bytes(),
    )
    .unwrap_err();
    assert!(
        matches!(err, StatsRunError::CountOverDenominator { line: 2, .. }),
        "{err}"
    );
    let text = "obs,pop\nmany,10\n";
    let err = run(
        &request(&["--method", "rate", "--x", "obs", "--n", "pop"]),
        text.as_bytes(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 2, column \"obs\": \"many\" is not a number (leave it empty or NA for missing)"
    );
    let err = run(
        &request(&["--method", "rate", "--x", "events", "--n", "pop"]),
        text.as_bytes(),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("the columns are: obs, pop"),
        "{err}"
    );
    let err = run(
        &request(&["--method", "dsr", "--n", "pop"]),
        text.as_bytes(),
    )
    .unwrap_err();
    assert_eq!(
        err,
        StatsRunError::NeedsColumn {
            method: "dsr",
            flag: "--x"
        }
    );
    assert!("dsrs"
        .parse::<Method>()
        .unwrap_err()
        .to_string()
        .contains("proportion, rate, mean, dsr"));
    // A DSR group with the wrong number of bands for the ESP names the group and its lines.
    let short = "area,obs,pop\nA,1,10\nA,2,10\n";
    let err = run(
        &request(&[
            "--method",
            "dsr",
            "--x",
            "obs",
            "--n",
            "pop",
            "--group-by",
            "area",
        ]),
        short.as_bytes(),
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("group A (lines 2, 3): 2 age bands, but the esp2013 standard has 19"),
        "{err}"
    );
}

#[test]
fn requests_deserialise_from_json_for_the_api() {
    let request: StatsRequest = serde_json::from_str(
        r#"{"method": "dsr", "x": "obs", "n": "pop", "group_by": ["area"], "confidence": [95, 0.998]}"#,
    )
    .unwrap();
    assert_eq!(request.confidence[0], ConfidenceLevel::P95);
    assert_eq!(request.standard, Standard::Esp2013);
    assert!(
        serde_json::from_str::<StatsRequest>(r#"{"method": "dsr", "confidence": [1.5]}"#).is_err()
    );
    assert!(serde_json::from_str::<StatsRequest>(r#"{"method": "medians"}"#).is_err());
}

//! One function per method: read the columns a method needs, group, call the pure method in
//! [`crate::stats`], and lay out the package's output columns and method notes.

use super::error::StatsRunError;
use super::input::Input;
use super::request::{Method, Standard, StatsRequest};
use super::table::{Cell, OutputTable, Role, TableBuilder};
use crate::stats::confidence::{labels, ConfidenceLevel};
use crate::stats::dsr::{self, DsrBand, Limits, PersonsAtFrequency};
use crate::stats::isr::{self, IsrBand, Reference};
use crate::stats::mean::mean_interval_at;
use crate::stats::poisson_exact::{count_method, rate_interval_at};
use crate::stats::quantile::{assign_quantiles, inverted_label};
use crate::stats::sii_options::{phe_sii, PheSiiOptions, QuantileValue, SiiValueType};
use crate::stats::standard_population::{ESP1976, ESP2013};
use crate::stats::wilson::wilson_interval_at;
use crate::stats::Interval;

type Row = Vec<(String, Role, Cell)>;

pub(super) fn run(req: &StatsRequest, input: &Input) -> Result<OutputTable, StatsRunError> {
    let (mut table, mut notes) = match req.method {
        Method::Proportion | Method::Rate => crude(req, input)?,
        Method::Mean => mean(req, input)?,
        Method::Dsr => directly_standardised(req, input)?,
        Method::Isratio | Method::Israte => indirectly_standardised(req, input)?,
        Method::Quantile => quantiles(req, input)?,
        Method::Sii => slope_index(req, input)?,
    };
    notes.push(format!(
        "Confidence: {} two-sided (z = Φ⁻¹(level + (1 − level)/2)); levels of 90 or more are read as percentages, as in PHEindicatormethods.",
        labels(&req.confidence)
    ));
    notes.push(
        "Not suppressed: computed on your own data and returned only to you. Before publishing, suppress counts from 1 to 4 and anything that would reveal them, as Fingertips does."
            .into(),
    );
    notes.push(format!(
        "Produced by gapmap {} `gapmap stats --method {}`; column names follow PHEindicatormethods 2.x.",
        env!("CARGO_PKG_VERSION"),
        req.method.as_str()
    ));
    table.notes = notes;
    Ok(table)
}

/// Key cells of a group: the grouping columns and their values.
fn key_cells(input: &Input, columns: &[usize], key: &[String]) -> Row {
    columns
        .iter()
        .zip(key)
        .map(|(&c, v)| (input.header[c].clone(), Role::Key, Cell::Text(v.clone())))
        .collect()
}

/// Every input column of one row, as keys (row-wise methods keep the input).
fn input_cells(input: &Input, row: usize) -> Row {
    (0..input.header.len())
        .map(|c| {
            (
                input.header[c].clone(),
                Role::Key,
                Cell::Text(input.text(row, c).to_string()),
            )
        })
        .collect()
}

/// lowercl/uppercl for one level; lower95_0cl, upper95_0cl, … for several (package names).
fn limit_cells(levels: &[ConfidenceLevel], limits: &[(Option<f64>, Option<f64>)]) -> Row {
    let single = levels.len() == 1;
    let mut row = Row::new();
    for (level, (lower, upper)) in levels.iter().zip(limits) {
        let (l, u) = if single {
            ("lowercl".to_string(), "uppercl".to_string())
        } else {
            (
                format!("lower{}cl", level.suffix()),
                format!("upper{}cl", level.suffix()),
            )
        };
        row.push((l, Role::Lower, (*lower).into()));
        row.push((u, Role::Upper, (*upper).into()));
    }
    row
}

fn meta_cells(levels: &[ConfidenceLevel], statistic: String, method: &str) -> Row {
    vec![
        ("confidence".into(), Role::Meta, Cell::Text(labels(levels))),
        ("statistic".into(), Role::Meta, Cell::Text(statistic)),
        ("method".into(), Role::Meta, Cell::Text(method.to_string())),
    ]
}

fn num(name: &str, role: Role, x: Option<f64>) -> (String, Role, Cell) {
    (name.to_string(), role, x.into())
}

fn group_error(input: &Input, key: &[String], rows: &[usize], reason: String) -> StatsRunError {
    StatsRunError::Group {
        group: if key.is_empty() {
            "(all rows)".into()
        } else {
            key.join(" / ")
        },
        lines: input.lines(rows),
        reason,
    }
}

fn from_limits(limits: &[Limits]) -> Vec<(Option<f64>, Option<f64>)> {
    limits.iter().map(|l| (l.lower, l.upper)).collect()
}

fn from_intervals(intervals: &[Interval]) -> Vec<(Option<f64>, Option<f64>)> {
    intervals
        .iter()
        .map(|i| (Some(i.lower), Some(i.upper)))
        .collect()
}

/// `phe_proportion` and `phe_rate`: row by row, or summed per group.
fn crude(req: &StatsRequest, input: &Input) -> Result<(OutputTable, Vec<String>), StatsRunError> {
    let proportion = req.method == Method::Proportion;
    let name = req.method.as_str();
    let x = input.required(name, "--x", &req.x)?;
    let n = input.required(name, "--n", &req.n)?;
    let m = req
        .multiplier
        .unwrap_or(if proportion { 1.0 } else { 100_000.0 });
    let units: Vec<(Row, Vec<usize>, Vec<String>)> = if req.group_by.is_empty() {
        (0..input.rows.len())
            .map(|r| (input_cells(input, r), vec![r], Vec::new()))
            .collect()
    } else {
        let (columns, groups) = input.groups(&req.group_by)?;
        groups
            .into_iter()
            .map(|(key, rows)| (key_cells(input, &columns, &key), rows, key))
            .collect()
    };
    let mut table = TableBuilder::default();
    for (mut row, rows, key) in units {
        let (mut sum_x, mut sum_n) = (Some(0.0), 0.0);
        for &r in &rows {
            let count = input.count(r, x, "counts")?;
            let denominator = input.positive(r, n, "the denominator")?;
            if let (true, Some(c)) = (proportion, count) {
                if c > denominator {
                    return Err(StatsRunError::CountOverDenominator {
                        line: input.line(r),
                        x_column: input.header[x].clone(),
                        n_column: input.header[n].clone(),
                        x: c,
                        n: denominator,
                    });
                }
            }
            // A missing count makes the group's value NA, as sum() without na.rm in R.
            sum_x = sum_x.zip(count).map(|(a, b)| a + b);
            sum_n += denominator;
        }
        if !req.group_by.is_empty() {
            row.push(num(&input.header[x], Role::Data, sum_x));
            row.push(num(&input.header[n], Role::Data, Some(sum_n)));
        }
        let intervals = match sum_x {
            Some(c) => req
                .confidence
                .iter()
                .map(|&level| {
                    if proportion {
                        wilson_interval_at(c, sum_n, level).map(|i| i.scaled(m))
                    } else {
                        rate_interval_at(c, sum_n, m, level)
                    }
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| group_error(input, &key, &rows, e.to_string()))?,
            None => Vec::new(),
        };
        row.push(num("value", Role::Value, sum_x.map(|c| c / sum_n * m)));
        let limits = if intervals.is_empty() {
            vec![(None, None); req.confidence.len()]
        } else {
            from_intervals(&intervals)
        };
        row.extend(limit_cells(&req.confidence, &limits));
        let (statistic, method) = if proportion {
            let statistic = match m {
                1.0 => "proportion of 1".to_string(),
                100.0 => "percentage".to_string(),
                _ => format!("proportion of {m}"),
            };
            (statistic, "Wilson")
        } else {
            (format!("rate per {m}"), sum_x.map_or("Byars", count_method))
        };
        row.extend(meta_cells(&req.confidence, statistic, method));
        table.push(row);
    }
    let notes = if proportion {
        vec![
            format!("Proportions x/n × {m} with Wilson score limits: (2x + z² ± z√(z² + 4x(1 − x/n))) / (2(n + z²)); 0 to 1 at 100% confidence."),
            "Sources: Wilson EB (1927) JASA 22:209–212; Newcombe RG, Altman DG (2000) Statistics with confidence pp 46–48; PHEindicatormethods phe_proportion.".into(),
        ]
    } else {
        vec![
            format!("Crude rates x/n × {m}; limits from exact Poisson (χ²) limits of x below 10 events, Byar's approximation from 10 (column method)."),
            "Sources: Breslow NE, Day NE (1987) Statistical methods in cancer research II; Armitage P, Berry G (2002); PHEindicatormethods phe_rate.".into(),
        ]
    };
    Ok((table.finish(req.output_type, Vec::new()), notes))
}

/// `phe_mean`.
fn mean(req: &StatsRequest, input: &Input) -> Result<(OutputTable, Vec<String>), StatsRunError> {
    let value = input.required("mean", "--value", &req.value)?;
    let (columns, groups) = input.groups(&req.group_by)?;
    let mut table = TableBuilder::default();
    for (key, rows) in groups {
        let values: Vec<f64> = rows
            .iter()
            .map(|&r| input.number(r, value))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .flatten()
            .collect();
        let count = values.len() as f64;
        let sum: f64 = values.iter().sum();
        let average = sum / count;
        let sd = (values.iter().map(|v| (v - average).powi(2)).sum::<f64>() / (count - 1.0)).sqrt();
        let intervals = req
            .confidence
            .iter()
            .map(|&level| mean_interval_at(average, sd, count, level))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| group_error(input, &key, &rows, e.to_string()))?;
        let mut row = key_cells(input, &columns, &key);
        row.push(num("value_sum", Role::Data, Some(sum)));
        row.push(num("value_count", Role::Data, Some(count)));
        row.push(num("stdev", Role::Data, Some(sd)));
        row.push(num("value", Role::Value, Some(average)));
        row.extend(limit_cells(&req.confidence, &from_intervals(&intervals)));
        row.extend(meta_cells(
            &req.confidence,
            "mean".into(),
            "Student's t-distribution",
        ));
        table.push(row);
    }
    let notes = vec![
        "Means with limits mean ± t(1 − α/2; n − 1)·sd/√n (Student's t); missing values are left out.".into(),
        "Source: PHEindicatormethods phe_mean; Fingertips technical guidance, \"Means\".".into(),
    ];
    Ok((table.finish(req.output_type, Vec::new()), notes))
}

/// `calculate_dsr`, independent or non-independent events.
fn directly_standardised(
    req: &StatsRequest,
    input: &Input,
) -> Result<(OutputTable, Vec<String>), StatsRunError> {
    let x = input.required("dsr", "--x", &req.x)?;
    let n = input.required("dsr", "--n", &req.n)?;
    let stdpop = input.optional("--stdpop", &req.stdpop)?;
    let eventfreq = input.optional("--eventfreq", &req.eventfreq)?;
    let ageband = match eventfreq {
        Some(_) => Some(input.required("dsr with --eventfreq", "--ageband", &req.ageband)?),
        None => None,
    };
    let bundled = match req.standard {
        Standard::Esp2013 => ESP2013,
        Standard::Esp1976 => ESP1976,
    };
    let m = req.multiplier.unwrap_or(100_000.0);
    let (columns, groups) = input.groups(&req.group_by)?;
    let mut table = TableBuilder::default();
    for (key, rows) in groups {
        let fail = |reason: String| group_error(input, &key, &rows, reason);
        // Bands in first-appearance order: every row (independent) or every distinct age band.
        let mut band_rows: Vec<usize> = Vec::new();
        let mut persons = Vec::new();
        for &r in &rows {
            let band = match ageband {
                Some(a) => {
                    let label = input.text(r, a);
                    match band_rows.iter().position(|&b| input.text(b, a) == label) {
                        Some(i) => {
                            let first = band_rows[i];
                            let same = |c: usize| input.number(first, c) == input.number(r, c);
                            if !same(n) || !stdpop.is_none_or(same) {
                                return Err(fail(format!(
                                    "age band {label:?} has different populations (n) or standard populations on lines {} and {}",
                                    input.line(first),
                                    input.line(r)
                                )));
                            }
                            i
                        }
                        None => {
                            band_rows.push(r);
                            band_rows.len() - 1
                        }
                    }
                }
                None => {
                    band_rows.push(r);
                    band_rows.len() - 1
                }
            };
            if let Some(f) = eventfreq {
                persons.push(PersonsAtFrequency {
                    band,
                    frequency: input.positive(r, f, "the event frequency")?,
                    persons: input.count(r, x, "counts of people")?,
                });
            }
        }
        if stdpop.is_none() && band_rows.len() != bundled.population.len() {
            return Err(fail(format!(
                "{} age bands, but the {} standard has {} ({}), matched by position; give --stdpop to use your own",
                band_rows.len(),
                bundled.name,
                bundled.population.len(),
                bundled.bands.join(", ")
            )));
        }
        let bands = band_rows
            .iter()
            .enumerate()
            .map(|(i, &r)| {
                Ok(DsrBand {
                    count: input.count(r, x, "counts")?,
                    population: input.positive(r, n, "the population")?,
                    standard: match stdpop {
                        Some(s) => input.count(r, s, "standard populations")?.ok_or_else(|| {
                            StatsRunError::NotPositive {
                                line: input.line(r),
                                column: input.header[s].clone(),
                                value: String::new(),
                                what: "the standard population",
                            }
                        })?,
                        None => bundled.population[i],
                    },
                })
            })
            .collect::<Result<Vec<_>, StatsRunError>>()?;
        let result = match eventfreq {
            Some(_) => dsr::dsr_non_independent(&bands, &persons, m, &req.confidence),
            None => dsr::dsr(&bands, m, &req.confidence),
        }
        .map_err(|e| fail(e.to_string()))?;
        let mut row = key_cells(input, &columns, &key);
        row.push(num("total_count", Role::Data, Some(result.total_count)));
        row.push(num("total_pop", Role::Data, Some(result.total_pop)));
        row.push(num("value", Role::Value, result.value));
        row.extend(limit_cells(&req.confidence, &from_limits(&result.limits)));
        let method = if eventfreq.is_some() {
            "Dobson, with confidence adjusted for non-independent events"
        } else {
            "Dobson"
        };
        row.extend(meta_cells(&req.confidence, result.statistic(m), method));
        table.push(row);
    }
    let standard = match stdpop {
        Some(s) => format!("the standard population in column {:?}", input.header[s]),
        None => format!(
            "the {} ({}), matched to each area's rows by position",
            bundled.name,
            bundled.bands.join(", ")
        ),
    };
    let notes = vec![
        format!("Directly standardised rates per {m}: Σ(xᵢ·sᵢ/nᵢ)/Σsᵢ with {standard}."),
        "Limits (Dobson et al. 1991): DSR + √(var/O)·(O_limit − O)·multiplier, var = Σxᵢ(sᵢ/nᵢ)²/(Σsᵢ)², O_limit from Byar's method; value and limits are NA below 10 events.".into(),
        "Non-independent events (--eventfreq): x is people per event frequency f; variance Σ f²·var_f (Fingertips technical guidance, DSR chapter).".into(),
        "Sources: Dobson AJ et al. (1991) Stat Med 10:457–462; Breslow NE, Day NE (1987); PHEindicatormethods calculate_dsr. ESP 2013: Eurostat (2013) Revision of the European Standard Population.".into(),
    ];
    Ok((table.finish(req.output_type, Vec::new()), notes))
}

/// `calculate_ISRatio` and `calculate_ISRate`.
fn indirectly_standardised(
    req: &StatsRequest,
    input: &Input,
) -> Result<(OutputTable, Vec<String>), StatsRunError> {
    let rate = req.method == Method::Israte;
    let name = req.method.as_str();
    let x = input.required(name, "--x", &req.x)?;
    let n = input.required(name, "--n", &req.n)?;
    let ref_rate = input.optional("--ref-rate", &req.ref_rate)?;
    let reference_columns = match ref_rate {
        Some(_) => None,
        None => Some((
            input.required(name, "--x-ref (or --ref-rate)", &req.x_ref)?,
            input.required(name, "--n-ref", &req.n_ref)?,
        )),
    };
    let m = req.multiplier.unwrap_or(100_000.0);
    let (columns, groups) = input.groups(&req.group_by)?;
    let mut table = TableBuilder::default();
    for (key, rows) in groups {
        let bands = rows
            .iter()
            .map(|&r| {
                Ok(IsrBand {
                    observed: input.count(r, x, "counts")?,
                    population: input.count(r, n, "populations")?,
                })
            })
            .collect::<Result<Vec<_>, StatsRunError>>()?;
        let reference = match (reference_columns, ref_rate) {
            (Some((xr, nr)), _) => Reference::Population {
                events: rows
                    .iter()
                    .map(|&r| input.count(r, xr, "reference counts"))
                    .collect::<Result<_, _>>()?,
                population: rows
                    .iter()
                    .map(|&r| input.positive(r, nr, "the reference population"))
                    .collect::<Result<_, _>>()?,
            },
            (None, Some(rr)) => Reference::Rates {
                rates: rows
                    .iter()
                    .map(|&r| {
                        input.count(r, rr, "reference rates")?.ok_or_else(|| {
                            StatsRunError::NotPositive {
                                line: input.line(r),
                                column: input.header[rr].clone(),
                                value: String::new(),
                                what: "the reference rate",
                            }
                        })
                    })
                    .collect::<Result<_, _>>()?,
                overall: req.overall_ref_rate,
            },
            (None, None) => unreachable!("one of the reference forms is required above"),
        };
        let fail = |reason: String| group_error(input, &key, &rows, reason);
        let oe =
            isr::observed_expected(&bands, &reference, None).map_err(|e| fail(e.to_string()))?;
        let mut row = key_cells(input, &columns, &key);
        row.push(num("observed", Role::Data, Some(oe.observed)));
        row.push(num("expected", Role::Data, Some(oe.expected)));
        let (result, statistic) = if rate {
            let (result, ref_rate) = isr::isr_rate(oe, &reference, m, &req.confidence)
                .map_err(|e| fail(e.to_string()))?;
            row.push(num("ref_rate", Role::Data, Some(ref_rate)));
            (result, format!("indirectly standardised rate per {m}"))
        } else {
            (
                isr::isr_ratio(oe, req.refvalue, &req.confidence),
                format!("indirectly standardised ratio x {}", req.refvalue),
            )
        };
        row.push(num("value", Role::Value, result.value));
        row.extend(limit_cells(&req.confidence, &from_limits(&result.limits)));
        row.extend(meta_cells(&req.confidence, statistic, result.method));
        table.push(row);
    }
    let scale = if rate {
        format!("× the reference rate R = ΣXᵢ/ΣNᵢ × {m}")
    } else {
        format!("× {}", req.refvalue)
    };
    let notes = vec![
        format!("Indirectly standardised {}: observed O over expected E = Σ rᵢnᵢ (reference age-specific rates rᵢ, matched to each area's rows by position) {scale}.", if rate { "rates" } else { "ratios" }),
        "Limits: O's exact Poisson limits below 10 events (method Exact), Byar's from 10 (method Byars), divided by E and scaled the same way.".into(),
        "Sources: Breslow NE, Day NE (1987); Armitage P, Berry G (2002); PHEindicatormethods calculate_ISRatio / calculate_ISRate.".into(),
    ];
    Ok((table.finish(req.output_type, Vec::new()), notes))
}

/// `phe_quantile`: the input rows, in order, with their quantile.
fn quantiles(
    req: &StatsRequest,
    input: &Input,
) -> Result<(OutputTable, Vec<String>), StatsRunError> {
    let value = input.required("quantile", "--value", &req.value)?;
    let (_, groups) = input.groups(&req.group_by)?;
    let mut quantile_of = vec![None; input.rows.len()];
    for (key, rows) in groups {
        let values = rows
            .iter()
            .map(|&r| input.number(r, value))
            .collect::<Result<Vec<_>, _>>()?;
        let assigned = assign_quantiles(&values, req.nquantiles, req.invert)
            .map_err(|e| group_error(input, &key, &rows, e.to_string()))?;
        for (&r, q) in rows.iter().zip(assigned) {
            quantile_of[r] = q;
        }
    }
    let mut table = TableBuilder::default();
    for (r, q) in quantile_of.iter().enumerate() {
        let mut row = input_cells(input, r);
        row.push(num("quantile", Role::Value, q.map(f64::from)));
        row.push(num(
            "nquantiles",
            Role::Meta,
            Some(f64::from(req.nquantiles)),
        ));
        row.push((
            "groupvars".into(),
            Role::Meta,
            Cell::Text(req.group_by.join(", ")),
        ));
        row.push((
            "qinverted".into(),
            Role::Meta,
            Cell::Text(inverted_label(req.invert).into()),
        ));
        table.push(row);
    }
    let notes = vec![
        format!("Quantiles 1 to {} within each group: rank (ties share the lowest rank) of {} value; quantile = floor((q + 1) − ceiling(((n + 1) − rank)/(n/q))), 0 → 1; missing values get no quantile and do not count in n.", req.nquantiles, if req.invert { "max − value (highest value in quantile 1)" } else { "the value (lowest value in quantile 1)" }),
        "Tied areas straddling a boundary all fall in one quantile: review them by hand, as the package advises.".into(),
        "Sources: PHEindicatormethods phe_quantile; PHE Technical Guide: Assigning deprivation categories.".into(),
    ];
    Ok((table.finish(req.output_type, Vec::new()), notes))
}

/// Sort key of a quantile label: numeric when it parses, else text.
fn quantile_order(label: &str) -> (u8, f64, String) {
    match label.parse::<f64>() {
        Ok(v) => (0, v, String::new()),
        Err(_) => (1, 0.0, label.to_string()),
    }
}

/// `phe_sii`.
fn slope_index(
    req: &StatsRequest,
    input: &Input,
) -> Result<(OutputTable, Vec<String>), StatsRunError> {
    let quantile = input.required("sii", "--quantile", &req.quantile)?;
    let population = input.required("sii", "--population", &req.population)?;
    let value = input.optional("--value", &req.value)?;
    let x = input.optional("--x", &req.x)?;
    if value.is_none() && x.is_none() {
        return Err(StatsRunError::NeedsColumn {
            method: "sii",
            flag: "--value (or --x for proportions)",
        });
    }
    let lower = input.optional("--lower-cl", &req.lower_cl)?;
    let upper = input.optional("--upper-cl", &req.upper_cl)?;
    let se = input.optional("--se", &req.se)?;
    if se.is_none() && (lower.is_none() || upper.is_none()) {
        return Err(StatsRunError::NeedsColumn {
            method: "sii",
            flag: "--se, or both --lower-cl and --upper-cl",
        });
    }
    let options = PheSiiOptions {
        value_type: SiiValueType::from(req.value_type),
        transform: req.transform,
        multiplier: req.multiplier.unwrap_or(1.0),
        repetitions: req.repetitions,
        levels: req.confidence.clone(),
        reliability: req.reliability_stat,
        seed: req.seed,
    };
    let mut all_quantiles: Vec<&str> = (0..input.rows.len())
        .map(|r| input.text(r, quantile))
        .collect();
    all_quantiles.sort_unstable();
    all_quantiles.dedup();
    let (columns, groups) = input.groups(&req.group_by)?;
    let mut table = TableBuilder::default();
    let mut warnings = Vec::new();
    for (key, mut rows) in groups {
        rows.sort_by(|&a, &b| {
            let (ka, kb) = (
                quantile_order(input.text(a, quantile)),
                quantile_order(input.text(b, quantile)),
            );
            (ka.0, ka.2.as_str())
                .cmp(&(kb.0, kb.2.as_str()))
                .then(ka.1.total_cmp(&kb.1))
        });
        let fail = |reason: String| group_error(input, &key, &rows, reason);
        if rows.len() != all_quantiles.len() {
            // phe_sii drops a group without data for every quantile, with a warning.
            warnings.push(format!(
                "group {} (lines {}) left out: it has {} of the {} quantiles in the file (phe_sii: \"some records have been removed due to incomplete or invalid data\")",
                key.join(" / "),
                input.lines(&rows),
                rows.len(),
                all_quantiles.len()
            ));
            continue;
        }
        let groups = rows
            .iter()
            .map(|&r| {
                Ok(QuantileValue {
                    label: input.text(r, quantile).to_string(),
                    population: input.positive(r, population, "the quantile population")?,
                    value: value.map(|c| input.number(r, c)).transpose()?.flatten(),
                    count: x
                        .map(|c| input.count(r, c, "counts"))
                        .transpose()?
                        .flatten(),
                    lower95: lower.map(|c| input.number(r, c)).transpose()?.flatten(),
                    upper95: upper.map(|c| input.number(r, c)).transpose()?.flatten(),
                    se: se.map(|c| input.number(r, c)).transpose()?.flatten(),
                })
            })
            .collect::<Result<Vec<_>, StatsRunError>>()?;
        let result = phe_sii(&groups, &options).map_err(|e| fail(e.to_string()))?;
        warnings.extend(
            result
                .warnings
                .iter()
                .map(|w| format!("{}: {w}", key.join(" / "))),
        );
        let mut row = key_cells(input, &columns, &key);
        row.push(num("sii", Role::Value, Some(result.sii)));
        if req.rii {
            row.push(num("rii", Role::Data, Some(result.rii)));
        }
        for l in &result.levels {
            let s = l.level.suffix();
            row.push(num(
                &format!("sii_lower{s}cl"),
                Role::Lower,
                Some(l.sii_lower),
            ));
            row.push(num(
                &format!("sii_upper{s}cl"),
                Role::Upper,
                Some(l.sii_upper),
            ));
        }
        if req.rii {
            for l in &result.levels {
                let s = l.level.suffix();
                row.push(num(
                    &format!("rii_lower{s}cl"),
                    Role::Data,
                    Some(l.rii_lower),
                ));
                row.push(num(
                    &format!("rii_upper{s}cl"),
                    Role::Data,
                    Some(l.rii_upper),
                ));
            }
        }
        if req.reliability_stat {
            for l in &result.levels {
                row.push(num(
                    &format!("sii_mad{}", l.level.suffix()),
                    Role::Data,
                    l.sii_mad,
                ));
            }
            if req.rii {
                for l in &result.levels {
                    let name = format!("rii_mad{}", l.level.suffix());
                    row.push(num(&name, Role::Data, l.rii_mad));
                }
            }
        }
        if req.intercept {
            row.push(num("intercept", Role::Data, Some(result.intercept)));
        }
        let transform = match (req.transform, options.value_type) {
            (true, SiiValueType::Rate) => "log",
            (true, SiiValueType::Proportion) => "logit",
            _ => "none",
        };
        row.push((
            "indicator_type".into(),
            Role::Meta,
            Cell::Text(options.value_type.label().into()),
        ));
        row.push(num("multiplier", Role::Meta, Some(options.multiplier)));
        row.push(("transform".into(), Role::Meta, Cell::Text(transform.into())));
        row.push((
            "CI_confidence".into(),
            Role::Meta,
            Cell::Text(labels(&req.confidence)),
        ));
        row.push((
            "CI_method".into(),
            Role::Meta,
            Cell::Text(format!("simulation {} reps", req.repetitions)),
        ));
        table.push(row);
    }
    let mut notes = vec![
        "Slope index of inequality: weighted regression yᵢ√aᵢ = β₀√aᵢ + β₁bᵢ√aᵢ on each quantile's population share aᵢ and relative rank bᵢ (quantile 1 = rank 0, the most deprived, first); SII = β₁ × multiplier, RII = (β₀ + β₁)/β₀ (inverted for a negative multiplier).".into(),
        "transform: regress on the log (rates) or logit (proportions) scale and back-transform the fitted line; limits by simulation from N(value, SE²) on the log/logit scale for rates/proportions, SE from the 95% limits ((T(upper) − T(lower))/(2·1.959964)) unless given.".into(),
        format!("Limits: sorted replicates at positions round(reps·α/2) and round(reps·(1 − α/2)) of {} repetitions (seed {}); the reliability statistic is the mean absolute difference of the limits over 9 further runs.", req.repetitions, req.seed),
        "Sources: Low A, Low A (2004) J Public Health 26:388–395; PHEindicatormethods phe_sii (transform, intercept, reliability_stat).".into(),
    ];
    notes.extend(warnings.into_iter().map(|w| format!("Warning: {w}")));
    Ok((table.finish(req.output_type, Vec::new()), notes))
}

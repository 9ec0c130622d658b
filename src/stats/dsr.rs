//! Directly standardised rates (DSR) with Dobson's confidence limits built on Byar's method.
//!
//! For one area with age bands i (events xᵢ, population nᵢ, standard population sᵢ) and
//! O = Σ xᵢ events:
//!
//! ```text
//! DSR      = Σ (xᵢ · sᵢ/nᵢ) / Σ sᵢ × multiplier
//! var(DSR) = Σ (xᵢ · (sᵢ/nᵢ)²) / (Σ sᵢ)²                 (on the per-1 scale)
//! limit    = DSR + √(var/O) · (O_limit − O) × multiplier   (Dobson et al. 1991)
//! ```
//!
//! where O_limit is Byar's lower or upper limit of O ([`super::byar`]). A missing count in a
//! band is 0 (`na.zero`). Below 10 events the value and limits are not published (NA): "When
//! the total count is < 10 DSRs are not reliable and will therefore be suppressed".
//!
//! **Non-independent events** (one person can be admitted several times): the input gives,
//! per age band and event frequency f, the number of *people* xᵢ,f who had f events. The
//! variance is then Σ_f f² · var_f, where var_f is the variance above computed from the people
//! at frequency f alone (over the bands present at that frequency), while the value uses all
//! events Σ_f f · xᵢ,f per band ([`dsr_non_independent`]; the package's two passes through
//! `dsr_inner`, Fingertips technical guidance, "DSR: non-independent events").
//!
//! Sources: Dobson AJ, Kuulasmaa K, Eberle E, Scherer J (1991) *Confidence intervals for
//! weighted sums of Poisson parameters*, Stat Med 10:457–462; Breslow NE, Day NE (1987);
//! PHEindicatormethods `calculate_dsr`/`dsr_inner` (R/DSR.R, version 2.x) and its predecessor
//! `phe_dsr`; Fingertips *Public health data science technical guidance*, "Directly
//! standardised rates". The package's own expected outputs live in binary spreadsheets
//! (tests/testthat/testdata_DSR.xlsx), so the tests here use hand-worked values (computed
//! independently with Python) on the package's documented example inputs.

use super::byar::{byar_lower_unclamped, byar_upper};
use super::confidence::ConfidenceLevel;
use super::non_negative;

/// Below this many events the DSR and its limits are not calculated (NA).
pub const MIN_EVENTS: f64 = 10.0;

/// One age band of one area.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DsrBand {
    /// Events (missing = 0, as the package's `na.zero`).
    pub count: Option<f64>,
    /// Population of the band in the area (must be > 0).
    pub population: f64,
    /// Standard population of the band (≥ 0).
    pub standard: f64,
}

/// People with a given number of events in one age band (non-independent events).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PersonsAtFrequency {
    /// Index of the band in the area's bands.
    pub band: usize,
    /// Events per person (1, 2, 3, …).
    pub frequency: f64,
    /// Number of people with that many events (missing = 0).
    pub persons: Option<f64>,
}

/// A confidence interval at one level; a limit is `None` where the package gives NA.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    pub level: ConfidenceLevel,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

/// The DSR of one area.
#[derive(Debug, Clone, PartialEq)]
pub struct Dsr {
    pub total_count: f64,
    pub total_pop: f64,
    /// `None` below [`MIN_EVENTS`] events.
    pub value: Option<f64>,
    /// One entry per requested level, in order.
    pub limits: Vec<Limits>,
}

impl Dsr {
    /// The package's `statistic` column.
    pub fn statistic(&self, multiplier: f64) -> String {
        if self.value.is_some() {
            format!("dsr per {multiplier}")
        } else {
            format!("dsr NA for total count < {MIN_EVENTS}")
        }
    }
}

/// Why a DSR cannot be calculated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DsrError {
    #[error("a DSR needs at least one age band")]
    NoBands,
    #[error("age band {band}: count {value} is negative; counts must be 0 or more")]
    NegativeCount { band: usize, value: f64 },
    #[error("age band {band}: population {value} is not above 0; every band needs a population")]
    Population { band: usize, value: f64 },
    #[error("age band {band}: standard population {value} is negative or not a number")]
    Standard { band: usize, value: f64 },
    #[error("the standard population sums to 0")]
    EmptyStandard,
    #[error("event frequency {0} is not a positive number")]
    Frequency(f64),
    #[error("persons row refers to age band {band} but the area has {bands} bands")]
    UnknownBand { band: usize, bands: usize },
}

fn check(bands: &[DsrBand]) -> Result<(), DsrError> {
    if bands.is_empty() {
        return Err(DsrError::NoBands);
    }
    for (i, b) in bands.iter().enumerate() {
        if let Some(c) = b.count {
            if !non_negative(c) {
                return Err(DsrError::NegativeCount { band: i, value: c });
            }
        }
        if !(b.population > 0.0 && b.population.is_finite()) {
            return Err(DsrError::Population {
                band: i,
                value: b.population,
            });
        }
        if !(b.standard >= 0.0 && b.standard.is_finite()) {
            return Err(DsrError::Standard {
                band: i,
                value: b.standard,
            });
        }
    }
    Ok(())
}

/// Σ sᵢ, Σ xᵢ sᵢ/nᵢ and Σ xᵢ (sᵢ/nᵢ)² over bands given as (x, n, s).
fn weighted_sums(bands: impl Iterator<Item = (f64, f64, f64)>) -> (f64, f64, f64) {
    bands.fold((0.0, 0.0, 0.0), |(std, wt, sq), (x, n, s)| {
        let w = s / n;
        (std + s, wt + x * w, sq + x * w * w)
    })
}

/// Value and limits from the totals and the variance (per-1 scale).
fn finish(
    total_count: f64,
    total_pop: f64,
    rate: f64,
    variance: f64,
    multiplier: f64,
    levels: &[ConfidenceLevel],
) -> Dsr {
    let published = total_count >= MIN_EVENTS;
    let value = rate * multiplier;
    let spread = (variance / total_count).sqrt();
    let limits = levels
        .iter()
        .map(|&level| {
            if !published {
                return Limits {
                    level,
                    lower: None,
                    upper: None,
                };
            }
            let lower_count = byar_lower_unclamped(total_count, level);
            Limits {
                level,
                // byars_lower's NA (negative or −∞) propagates to the DSR's lower limit.
                lower: (lower_count >= 0.0)
                    .then_some(value + spread * (lower_count - total_count) * multiplier),
                upper: Some(
                    value + spread * (byar_upper(total_count, level) - total_count) * multiplier,
                ),
            }
        })
        .collect();
    Dsr {
        total_count,
        total_pop,
        value: published.then_some(value),
        limits,
    }
}

/// DSR of one area with independent events (`calculate_dsr(independent_events = TRUE)`).
pub fn dsr(
    bands: &[DsrBand],
    multiplier: f64,
    levels: &[ConfidenceLevel],
) -> Result<Dsr, DsrError> {
    check(bands)?;
    let (std, weighted, squared) = weighted_sums(
        bands
            .iter()
            .map(|b| (b.count.unwrap_or(0.0), b.population, b.standard)),
    );
    if std <= 0.0 {
        return Err(DsrError::EmptyStandard);
    }
    let total_count: f64 = bands.iter().filter_map(|b| b.count).sum();
    let total_pop: f64 = bands.iter().map(|b| b.population).sum();
    Ok(finish(
        total_count,
        total_pop,
        weighted / std,
        squared / (std * std),
        multiplier,
        levels,
    ))
}

/// DSR of one area with non-independent events: `bands` give the population and standard
/// of each age band (their counts are ignored), `persons` the people by event frequency.
pub fn dsr_non_independent(
    bands: &[DsrBand],
    persons: &[PersonsAtFrequency],
    multiplier: f64,
    levels: &[ConfidenceLevel],
) -> Result<Dsr, DsrError> {
    check(bands)?;
    let mut events = vec![0.0; bands.len()];
    // frequency → (Σ s, Σ x·(s/n)²) over the bands present at that frequency.
    let mut by_frequency: Vec<(f64, f64, f64)> = Vec::new();
    for p in persons {
        let band = bands.get(p.band).ok_or(DsrError::UnknownBand {
            band: p.band,
            bands: bands.len(),
        })?;
        if !(p.frequency > 0.0 && p.frequency.is_finite()) {
            return Err(DsrError::Frequency(p.frequency));
        }
        let x = p.persons.unwrap_or(0.0);
        if !non_negative(x) {
            return Err(DsrError::NegativeCount {
                band: p.band,
                value: x,
            });
        }
        events[p.band] += p.frequency * x;
        let (std, _, sq) = weighted_sums(std::iter::once((x, band.population, band.standard)));
        match by_frequency.iter_mut().find(|(f, _, _)| *f == p.frequency) {
            Some(entry) => {
                entry.1 += std;
                entry.2 += sq;
            }
            None => by_frequency.push((p.frequency, std, sq)),
        }
    }
    let variance: f64 = by_frequency
        .iter()
        .filter(|(_, std, _)| *std > 0.0)
        .map(|(f, std, sq)| f * f * sq / (std * std))
        .sum();
    let (std, weighted, _) = weighted_sums(
        bands
            .iter()
            .zip(&events)
            .map(|(b, x)| (*x, b.population, b.standard)),
    );
    if std <= 0.0 {
        return Err(DsrError::EmptyStandard);
    }
    let total_pop: f64 = bands.iter().map(|b| b.population).sum();
    Ok(finish(
        events.iter().sum(),
        total_pop,
        weighted / std,
        variance,
        multiplier,
        levels,
    ))
}

/// DSRs of many areas at once: `counts` and `populations` are row-major (area × band) with
/// `standard.len()` bands per area. One result per area; no allocation per band.
pub fn dsr_by_area(
    counts: &[f64],
    populations: &[f64],
    standard: &[f64],
    multiplier: f64,
    levels: &[ConfidenceLevel],
) -> Vec<Result<Dsr, DsrError>> {
    let width = standard.len().max(1);
    let std: f64 = standard.iter().sum();
    counts
        .chunks(width)
        .zip(populations.chunks(width))
        .map(|(x, n)| {
            for (band, (&c, &p)) in x.iter().zip(n).enumerate() {
                if !non_negative(c) {
                    return Err(DsrError::NegativeCount { band, value: c });
                }
                if !(p > 0.0 && p.is_finite()) {
                    return Err(DsrError::Population { band, value: p });
                }
            }
            if std <= 0.0 {
                return Err(DsrError::EmptyStandard);
            }
            let (_, weighted, squared) = weighted_sums(
                x.iter()
                    .zip(n)
                    .zip(standard)
                    .map(|((x, n), s)| (*x, *n, *s)),
            );
            Ok(finish(
                x.iter().sum(),
                n.iter().sum(),
                weighted / std,
                squared / (std * std),
                multiplier,
                levels,
            ))
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::stats::standard_population::{ESP1976, ESP2013};

    const BOTH: [ConfidenceLevel; 2] = [ConfidenceLevel::P95, ConfidenceLevel::P998];

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1.0)
    }

    /// The 19-band example the package carried in its source (R/SMR.R, `testpop`/`testobs`,
    /// ukhsa-collaboration/PHEindicatormethods), standardised to the ESP 2013.
    fn package_example() -> Vec<DsrBand> {
        let population = [
            84935.0, 80367.0, 72122.0, 79259.0, 99806.0, 87362.0, 81579.0, 71103.0, 70001.0,
            69007.0, 63203.0, 52638.0, 46087.0, 40887.0, 32604.0, 28399.0, 21625.0, 13021.0,
            7355.0,
        ];
        let observed = [
            27.0, 45.0, 55.0, 100.0, 125.0, 300.0, 295.0, 270.0, 275.0, 450.0, 455.0, 459.0, 345.0,
            300.0, 270.0, 265.0, 100.0, 90.0, 35.0,
        ];
        (0..19)
            .map(|i| DsrBand {
                count: Some(observed[i]),
                population: population[i],
                standard: ESP2013.population[i],
            })
            .collect()
    }

    #[test]
    fn dsr_reproduces_hand_worked_package_example() {
        // Hand-worked (python, scipy norm.ppf for z): Σxs/n / Σs × 1e5 = 464.9156513, var =
        // Σx(s/n)²/(Σs)² = 5.3483746e-09, O = 4261; Byar(4261) 95% = 4134.0103..4390.8990, so
        // the limits are 464.9157 + √(var/O)·(O_lim − O)·1e5 = 450.6883093 and 479.4689343;
        // at 99.8%: 442.6345623 and 487.9499777.
        let dsr = dsr(&package_example(), 100_000.0, &BOTH).unwrap();
        assert_eq!(dsr.total_count, 4261.0);
        assert_eq!(dsr.total_pop, 1_101_360.0);
        assert!(close(dsr.value.unwrap(), 464.915_651_3, 1e-9), "{dsr:?}");
        let [l95, l998] = [dsr.limits[0], dsr.limits[1]];
        assert!(close(l95.lower.unwrap(), 450.688_309_3, 1e-9), "{l95:?}");
        assert!(close(l95.upper.unwrap(), 479.468_934_3, 1e-9), "{l95:?}");
        assert!(close(l998.lower.unwrap(), 442.634_562_3, 1e-9), "{l998:?}");
        assert!(close(l998.upper.unwrap(), 487.949_977_7, 1e-9), "{l998:?}");
    }

    #[test]
    fn dsr_reproduces_the_calculate_dsr_documentation_example() {
        // calculate_dsr's documented example (R/DSR.R @examples, 2.x): area "North", bands
        // 0-19/20-64/65+, events 12/25/40, population 5000/12000/3000, standard
        // 5500/12500/3500. Hand-worked: (12·1.1 + 25·1.0416667 + 40·1.1666667)/21500 × 1e5
        // = 399.5736434; var = (12·1.21 + 25·1.0850694 + 40·1.3611111)/21500² = 2.07877e-07;
        // O = 77 → Byar 60.764993..96.238030 → 315.2187205 and 499.5318696 (python).
        let bands = [
            (12.0, 5000.0, 5500.0),
            (25.0, 12000.0, 12500.0),
            (40.0, 3000.0, 3500.0),
        ]
        .map(|(x, n, s)| DsrBand {
            count: Some(x),
            population: n,
            standard: s,
        });
        let d = dsr(&bands, 100_000.0, &[ConfidenceLevel::P95]).unwrap();
        assert!(close(d.value.unwrap(), 399.573_643_4, 1e-9), "{d:?}");
        assert!(
            close(d.limits[0].lower.unwrap(), 315.218_720_5, 1e-9),
            "{d:?}"
        );
        assert!(
            close(d.limits[0].upper.unwrap(), 499.531_869_6, 1e-9),
            "{d:?}"
        );
        assert_eq!(d.statistic(100_000.0), "dsr per 100000");
    }

    #[test]
    fn dsr_is_na_below_ten_events_and_for_zero_events() {
        let mut bands = package_example();
        for (i, b) in bands.iter_mut().enumerate() {
            b.count = Some(if i == 3 { 9.0 } else { 0.0 });
        }
        let d = dsr(&bands, 100_000.0, &BOTH).unwrap();
        assert_eq!(d.total_count, 9.0);
        assert_eq!(d.value, None);
        assert!(d
            .limits
            .iter()
            .all(|l| l.lower.is_none() && l.upper.is_none()));
        assert_eq!(d.statistic(100_000.0), "dsr NA for total count < 10");
        bands[3].count = Some(0.0);
        assert_eq!(dsr(&bands, 100_000.0, &BOTH).unwrap().value, None);
    }

    #[test]
    fn missing_band_counts_count_as_zero() {
        let mut with_missing = package_example();
        with_missing[0].count = None;
        let mut with_zero = package_example();
        with_zero[0].count = Some(0.0);
        let (a, b) = (
            dsr(&with_missing, 1e5, &BOTH).unwrap(),
            dsr(&with_zero, 1e5, &BOTH).unwrap(),
        );
        assert_eq!(a, b);
    }

    #[test]
    fn hundred_percent_confidence_has_no_lower_limit_and_infinite_upper() {
        let d = dsr(
            &package_example(),
            1e5,
            &[ConfidenceLevel::new(1.0).unwrap()],
        )
        .unwrap();
        assert_eq!(d.limits[0].lower, None);
        assert_eq!(d.limits[0].upper, Some(f64::INFINITY));
    }

    #[test]
    fn equal_age_specific_rates_standardise_to_that_rate_under_any_standard() {
        // Hand-worked: every band has 1 event per 1,000 → DSR = 100 per 100,000 whatever
        // the standard (ESP 1976 here).
        let bands: Vec<DsrBand> = ESP1976
            .population
            .iter()
            .map(|&s| DsrBand {
                count: Some(20.0),
                population: 20_000.0,
                standard: s,
            })
            .collect();
        let d = dsr(&bands, 100_000.0, &[ConfidenceLevel::P95]).unwrap();
        assert!(close(d.value.unwrap(), 100.0, 1e-12));
    }

    #[test]
    fn non_independent_events_keep_the_value_and_widen_the_interval() {
        // The calculate_dsr example: split each band's events into people with 1, 2 and 3
        // events (10% of events in people with 3, 20% in people with 2, the rest single).
        let bands = package_example();
        let mut persons = Vec::new();
        for (i, b) in bands.iter().enumerate() {
            let obs = b.count.unwrap();
            let f3 = (obs * 0.1 / 3.0).floor();
            let f2 = (obs * 0.2 / 2.0).floor();
            let f1 = obs - 3.0 * f3 - 2.0 * f2;
            for (f, p) in [(1.0, f1), (2.0, f2), (3.0, f3)] {
                persons.push(PersonsAtFrequency {
                    band: i,
                    frequency: f,
                    persons: Some(p),
                });
            }
        }
        let independent = dsr(&bands, 1e5, &[ConfidenceLevel::P95]).unwrap();
        let adjusted = dsr_non_independent(&bands, &persons, 1e5, &[ConfidenceLevel::P95]).unwrap();
        assert_eq!(adjusted.total_count, independent.total_count);
        assert!(close(
            adjusted.value.unwrap(),
            independent.value.unwrap(),
            1e-12
        ));
        // Hand-worked variance: Σ_f f²·Σ_i x_if (s_i/n_i)² / (Σ s)², all bands present at
        // every frequency; python gives the 95% limits 448.1359139 and 482.0798038.
        let l = adjusted.limits[0];
        assert!(close(l.lower.unwrap(), 448.135_913_9, 1e-9), "{l:?}");
        assert!(close(l.upper.unwrap(), 482.079_803_8, 1e-9), "{l:?}");
        assert!(l.lower < independent.limits[0].lower);
    }

    #[test]
    fn vectorised_dsr_matches_the_single_area_function() {
        let bands = package_example();
        let counts: Vec<f64> = bands.iter().map(|b| b.count.unwrap()).collect();
        let pops: Vec<f64> = bands.iter().map(|b| b.population).collect();
        let many = dsr_by_area(
            &[counts.clone(), counts].concat(),
            &[pops.clone(), pops].concat(),
            ESP2013.population,
            1e5,
            &BOTH,
        );
        assert_eq!(many.len(), 2);
        let single = dsr(&bands, 1e5, &BOTH).unwrap();
        assert_eq!(many[1].as_ref().unwrap(), &single);
    }

    #[test]
    fn bad_bands_are_refused_with_the_band_named() {
        let mut bands = package_example();
        bands[4].population = 0.0;
        assert_eq!(
            dsr(&bands, 1e5, &BOTH),
            Err(DsrError::Population {
                band: 4,
                value: 0.0
            })
        );
        let mut bands = package_example();
        bands[2].count = Some(-1.0);
        assert!(matches!(
            dsr(&bands, 1e5, &BOTH),
            Err(DsrError::NegativeCount { band: 2, .. })
        ));
        assert_eq!(dsr(&[], 1e5, &BOTH), Err(DsrError::NoBands));
    }
}

//! Indirectly standardised ratios and rates (ISR): observed over expected events.
//!
//! For one area with age bands i (area population nᵢ) and reference age-specific rates
//! rᵢ = Xᵢ/Nᵢ (reference events over reference population, or given directly):
//!
//! ```text
//! E       = Σ rᵢ · nᵢ                      expected events (missing → 0, `na.zero`)
//! O       = Σ xᵢ  (or a given total)       observed events
//! ratio   = O / E × refvalue               (`calculate_ISRatio`; refvalue 1 or 100)
//! rate    = O / E × R × multiplier,  R = Σ Xᵢ / Σ Nᵢ   (`calculate_ISRate`)
//! limits  = O_limit / E × (refvalue or R × multiplier)
//! ```
//!
//! where O_limit is the exact Poisson limit of O below 10 events and Byar's from 10 up
//! ([`super::poisson_exact::count_limits_at`]); the package's `method` column says "Exact" or
//! "Byars". Sources: Breslow NE, Day NE (1987); Armitage P, Berry G (2002) *Statistical methods
//! in medical research*; PHEindicatormethods `calculate_ISRatio` (R/ISRatio.R) and
//! `calculate_ISRate` (R/ISRate.R); Fingertips technical guidance, "Indirectly standardised
//! ratios and rates". The package's expected outputs are in binary spreadsheets
//! (tests/testthat/testdata_DSR_ISR_SMR.xlsx), so the tests use hand-worked values.

use super::confidence::ConfidenceLevel;
use super::dsr::Limits;
use super::non_negative;
use super::poisson_exact::{count_limits_at, count_method};

/// One age band of one area.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IsrBand {
    /// Observed events in the band (missing = 0); ignored when a total is given.
    pub observed: Option<f64>,
    /// Population of the band in the area (missing = 0).
    pub population: Option<f64>,
}

/// The reference the expected events come from.
#[derive(Debug, Clone, PartialEq)]
pub enum Reference {
    /// Reference events Xᵢ (missing = 0) and population Nᵢ per band.
    Population {
        events: Vec<Option<f64>>,
        population: Vec<f64>,
    },
    /// Reference rates rᵢ per person per band (e.g. 0.0021), with the overall reference
    /// rate per person R where an ISRate is wanted.
    Rates {
        rates: Vec<f64>,
        overall: Option<f64>,
    },
}

impl Reference {
    fn bands(&self) -> usize {
        match self {
            Reference::Population { population, .. } => population.len(),
            Reference::Rates { rates, .. } => rates.len(),
        }
    }

    fn rate(&self, band: usize) -> f64 {
        match self {
            Reference::Population { events, population } => {
                events[band].unwrap_or(0.0) / population[band]
            }
            Reference::Rates { rates, .. } => rates[band],
        }
    }

    /// R = Σ Xᵢ / Σ Nᵢ per person, or the given overall rate.
    pub fn overall_rate(&self) -> Option<f64> {
        match self {
            Reference::Population { events, population } => {
                Some(events.iter().flatten().sum::<f64>() / population.iter().sum::<f64>())
            }
            Reference::Rates { overall, .. } => *overall,
        }
    }
}

/// Observed and expected events of one area.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ObservedExpected {
    pub observed: f64,
    pub expected: f64,
}

/// An indirectly standardised ratio or rate with its limits.
#[derive(Debug, Clone, PartialEq)]
pub struct Isr {
    pub observed: f64,
    pub expected: f64,
    /// `None` when there are no expected events.
    pub value: Option<f64>,
    pub limits: Vec<Limits>,
    /// "Exact" (fewer than 10 observed) or "Byars".
    pub method: &'static str,
}

/// Why an ISR cannot be calculated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum IsrError {
    #[error("the area has {area} age bands but the reference has {reference}; they are matched by position")]
    BandCount { area: usize, reference: usize },
    #[error("age band {band}: {what} {value} is negative or not a number")]
    Negative {
        band: usize,
        what: &'static str,
        value: f64,
    },
    #[error("age band {band}: reference population {value} is not above 0")]
    ReferencePopulation { band: usize, value: f64 },
    #[error("observed total {0} is negative or not a number")]
    ObservedTotal(f64),
    #[error("an indirectly standardised rate needs the overall reference rate; give a reference population or the overall rate")]
    NoOverallRate,
}

/// Observed and expected events; `observed_total` replaces the band counts when given
/// (the package's `observed_totals`).
pub fn observed_expected(
    bands: &[IsrBand],
    reference: &Reference,
    observed_total: Option<f64>,
) -> Result<ObservedExpected, IsrError> {
    if bands.len() != reference.bands() {
        return Err(IsrError::BandCount {
            area: bands.len(),
            reference: reference.bands(),
        });
    }
    if let Reference::Population { events, population } = reference {
        for (band, (x, n)) in events.iter().zip(population).enumerate() {
            if let Some(x) = x.filter(|x| !non_negative(*x)) {
                return Err(IsrError::Negative {
                    band,
                    what: "reference count",
                    value: x,
                });
            }
            if !(*n > 0.0 && n.is_finite()) {
                return Err(IsrError::ReferencePopulation { band, value: *n });
            }
        }
    }
    let mut observed = 0.0;
    let mut expected = 0.0;
    for (band, b) in bands.iter().enumerate() {
        for (what, value) in [("count", b.observed), ("population", b.population)] {
            if let Some(v) = value.filter(|v| !non_negative(*v)) {
                return Err(IsrError::Negative {
                    band,
                    what,
                    value: v,
                });
            }
        }
        let rate = reference.rate(band);
        if !(rate >= 0.0 && rate.is_finite()) {
            return Err(IsrError::Negative {
                band,
                what: "reference rate",
                value: rate,
            });
        }
        observed += b.observed.unwrap_or(0.0);
        expected += rate * b.population.unwrap_or(0.0);
    }
    if let Some(total) = observed_total {
        if !(total >= 0.0 && total.is_finite()) {
            return Err(IsrError::ObservedTotal(total));
        }
        observed = total;
    }
    Ok(ObservedExpected { observed, expected })
}

fn scaled(oe: ObservedExpected, scale: f64, levels: &[ConfidenceLevel]) -> Isr {
    let defined = oe.expected > 0.0;
    let limits = levels
        .iter()
        .map(|&level| {
            let counts = count_limits_at(oe.observed, level).ok().filter(|_| defined);
            Limits {
                level,
                lower: counts.map(|c| c.lower / oe.expected * scale),
                upper: counts.map(|c| c.upper / oe.expected * scale),
            }
        })
        .collect();
    Isr {
        observed: oe.observed,
        expected: oe.expected,
        value: defined.then(|| oe.observed / oe.expected * scale),
        limits,
        method: count_method(oe.observed),
    }
}

/// Indirectly standardised ratio O/E × `refvalue` (`calculate_ISRatio`).
pub fn isr_ratio(oe: ObservedExpected, refvalue: f64, levels: &[ConfidenceLevel]) -> Isr {
    scaled(oe, refvalue, levels)
}

/// Indirectly standardised rate O/E × R × `multiplier` (`calculate_ISRate`); returns the
/// reference rate R × multiplier (the package's `ref_rate` column) with it.
pub fn isr_rate(
    oe: ObservedExpected,
    reference: &Reference,
    multiplier: f64,
    levels: &[ConfidenceLevel],
) -> Result<(Isr, f64), IsrError> {
    let ref_rate = reference.overall_rate().ok_or(IsrError::NoOverallRate)? * multiplier;
    Ok((scaled(oe, ref_rate, levels), ref_rate))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const BOTH: [ConfidenceLevel; 2] = [ConfidenceLevel::P95, ConfidenceLevel::P998];

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1.0)
    }

    /// Three bands, hand-workable: reference rates 1/1000, 4/1000, 20/1000.
    fn example() -> (Vec<IsrBand>, Reference) {
        let bands = vec![
            IsrBand {
                observed: Some(3.0),
                population: Some(4000.0),
            },
            IsrBand {
                observed: Some(20.0),
                population: Some(3000.0),
            },
            IsrBand {
                observed: Some(47.0),
                population: Some(2000.0),
            },
        ];
        let reference = Reference::Population {
            events: vec![Some(100.0), Some(400.0), Some(1000.0)],
            population: vec![100_000.0, 100_000.0, 50_000.0],
        };
        (bands, reference)
    }

    #[test]
    fn isratio_is_observed_over_expected_with_byar_limits() {
        // E = 4000·0.001 + 3000·0.004 + 2000·0.02 = 4 + 12 + 40 = 56; O = 70; ratio = 1.25.
        // Byar(70) at 95% = 54.566101..88.442065 (python) → 0.9743947 and 1.5793226 (× 1/56);
        // ×100 with refvalue 100.
        let (bands, reference) = example();
        let oe = observed_expected(&bands, &reference, None).unwrap();
        assert_eq!((oe.observed, oe.expected), (70.0, 56.0));
        let isr = isr_ratio(oe, 100.0, &BOTH);
        assert!(close(isr.value.unwrap(), 125.0, 1e-12));
        assert!(
            close(isr.limits[0].lower.unwrap(), 97.439_465_92, 1e-7),
            "{isr:?}"
        );
        assert!(
            close(isr.limits[0].upper.unwrap(), 157.932_259_16, 1e-7),
            "{isr:?}"
        );
        assert_eq!(isr.method, "Byars");
    }

    #[test]
    fn israte_scales_by_the_overall_reference_rate() {
        // R = 1500 / 250,000 = 0.006 → 600 per 100,000; rate = 1.25 × 600 = 750.
        let (bands, reference) = example();
        let oe = observed_expected(&bands, &reference, None).unwrap();
        let (isr, ref_rate) = isr_rate(oe, &reference, 100_000.0, &BOTH).unwrap();
        assert!(close(ref_rate, 600.0, 1e-12));
        assert!(close(isr.value.unwrap(), 750.0, 1e-12));
        assert!(
            close(isr.limits[0].lower.unwrap(), 584.636_795_54, 1e-7),
            "{isr:?}"
        );
    }

    #[test]
    fn small_observed_counts_use_exact_limits() {
        // O = 5 given as a total (observed_totals), E = 56: exact 95% limits
        // qchisq(0.025, 10)/2 = 1.6234864 and qchisq(0.975, 12)/2 = 11.6683321, / 56.
        let (bands, reference) = example();
        let oe = observed_expected(&bands, &reference, Some(5.0)).unwrap();
        let isr = isr_ratio(oe, 1.0, &[ConfidenceLevel::P95]);
        assert_eq!(isr.method, "Exact");
        assert!(close(
            isr.limits[0].lower.unwrap(),
            1.623_486_39 / 56.0,
            1e-8
        ));
        assert!(close(
            isr.limits[0].upper.unwrap(),
            11.668_332_08 / 56.0,
            1e-8
        ));
    }

    #[test]
    fn zero_observed_events_have_a_zero_lower_limit() {
        let (bands, reference) = example();
        let oe = observed_expected(&bands, &reference, Some(0.0)).unwrap();
        let isr = isr_ratio(oe, 1.0, &[ConfidenceLevel::P95]);
        assert_eq!(isr.value, Some(0.0));
        assert_eq!(isr.limits[0].lower, Some(0.0));
        // −ln(0.025)/56: the exact upper limit for no events.
        assert!(close(
            isr.limits[0].upper.unwrap(),
            -(0.025_f64.ln()) / 56.0,
            1e-9
        ));
    }

    #[test]
    fn reference_rates_given_directly_give_the_same_expected_count() {
        let (bands, _) = example();
        let direct = Reference::Rates {
            rates: vec![0.001, 0.004, 0.02],
            overall: None,
        };
        let oe = observed_expected(&bands, &direct, None).unwrap();
        assert!(close(oe.expected, 56.0, 1e-12));
        assert_eq!(
            isr_rate(oe, &direct, 1e5, &BOTH),
            Err(IsrError::NoOverallRate)
        );
    }

    #[test]
    fn no_expected_events_gives_no_value_and_mismatched_bands_are_refused() {
        let (mut bands, reference) = example();
        for b in &mut bands {
            b.population = Some(0.0);
        }
        let oe = observed_expected(&bands, &reference, None).unwrap();
        assert_eq!(isr_ratio(oe, 1.0, &BOTH).value, None);
        assert!(matches!(
            observed_expected(&bands[..2], &reference, None),
            Err(IsrError::BandCount {
                area: 2,
                reference: 3
            })
        ));
    }
}

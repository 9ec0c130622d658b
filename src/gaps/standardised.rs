//! Rows of a standardised indicator (stage 2 for [`Standardisation`] values): a directly or
//! indirectly standardised value cannot be pooled from counts and denominators (that would be
//! the crude rate), so a row is made only where the method allows, and every other row is
//! named with the reason ([`NotRecomputed`]).
//!
//! - **Indirect** (O/E × R): each area's expected count is recovered from its published value,
//!   E = O × R / value, with R England's value in the same period (England is the reference,
//!   so its own value is R). The row is ΣO / ΣE × R with exact Poisson limits below 10
//!   events and Byar's from 10 ([`crate::stats::isr`]; PHEindicatormethods
//!   `calculate_ISRatio`). It needs every area in the row to have events and a value: an area
//!   with no events has value 0, and its E cannot be recovered. The published value's rounding
//!   carries into E (for a value published to 1 d.p. near 100, under 0.05%).
//! - **Direct** (Dobson et al. 1991): a group's DSR needs the age-band counts and populations
//!   of its areas. Loaded from an age-band file ([`crate::ingest::age_bands`]), the row is the
//!   DSR of its areas' summed bands (below 10 events, none, as the package). From an export,
//!   which does not carry them, a row of one area is that area's published value and limits
//!   and a row of several areas is not recomputed. **Adjusted** values (not the
//!   crude rate, for a reason the data cannot name) are treated the same way.

use super::computed::Computed;
use super::groups::Row;
use crate::dataset::{BandCount, IndicatorMeta, IndicatorValue, Standardisation};
use crate::ingest::age_bands::dsr_of;
use crate::stats::confidence::ConfidenceLevel;
use crate::stats::isr::{isr_ratio, ObservedExpected};
use crate::stats::{gap, Confidence};
use serde::{Deserialize, Serialize};

/// A row of a gap table whose value could not be recomputed, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NotRecomputed {
    /// The row's key (as in `groups`).
    pub key: String,
    pub label: String,
    /// Why, in a sentence a reader can act on.
    pub reason: String,
}

/// The value of a standardised row, or why there is none.
pub(super) fn estimate(
    meta: &IndicatorMeta,
    kind: Standardisation,
    row: &Row,
    reference: Option<f64>,
) -> Result<Option<Computed>, String> {
    if row.published.is_empty() {
        return Ok(None);
    }
    match kind {
        Standardisation::Direct if meta.age_standard.is_some() => pooled(meta, row),
        Standardisation::Direct => direct(row, "a directly standardised rate for {n} areas together needs their age-band counts and populations (Dobson's method), which the file does not carry"),
        Standardisation::Adjusted => direct(row, "the published values are not count / denominator × multiplier (a directly standardised rate, a weighted survey estimate or a modelled value), so {n} areas cannot be pooled from their counts; set `standardisation` in the config if it is a crude rate"),
        Standardisation::Indirect => indirect(row, reference),
    }
}

/// A row of one area is its published value; a row of several areas gets `why` (with `{n}`
/// the number of areas).
fn direct(row: &Row, why: &str) -> Result<Option<Computed>, String> {
    match row.published.as_slice() {
        [one] => published(one)
            .map(Some)
            .ok_or_else(|| "its area has no published value with 95% limits".to_string()),
        many => Err(why.replace("{n}", &many.len().to_string())),
    }
}

/// A DSR of the row's areas pooled band by band (Dobson's method on the summed age-band counts
/// and populations: the group's own DSR, not an average of its areas').
fn pooled(meta: &IndicatorMeta, row: &Row) -> Result<Option<Computed>, String> {
    let Some(standard) = &meta.age_standard else {
        return Ok(None);
    };
    let n = standard.weights.len();
    let mut bands = vec![
        BandCount {
            count: 0.0,
            population: 0.0
        };
        n
    ];
    for v in &row.published {
        if v.bands.len() != n {
            return Err(format!("area {} has no age-band counts", v.area_code));
        }
        for (sum, b) in bands.iter_mut().zip(&v.bands) {
            sum.count += b.count;
            sum.population += b.population;
        }
    }
    let d = dsr_of(&bands, &standard.weights, meta.multiplier).map_err(|e| e.to_string())?;
    let (Some(value), [(Some(lower95), Some(upper95)), (Some(lower998), Some(upper998))]) =
        (d.value, d.limits)
    else {
        return Err(format!(
            "{} events: a directly standardised rate needs at least 10 (as PHEindicatormethods calculate_dsr)",
            d.count
        ));
    };
    Ok(Some(Computed {
        value,
        lower95,
        upper95,
        lower998,
        upper998,
        log_se: (lower95 > 0.0 && upper95 > lower95)
            .then(|| (upper95.ln() - lower95.ln()) / (2.0 * Confidence::P95.z())),
    }))
}

/// One area's published value and limits; 99.8% limits from the 95% ones on the log scale
/// where the file gives none.
fn published(v: &IndicatorValue) -> Option<Computed> {
    let (value, lower95, upper95) = (v.value?, v.lower95?, v.upper95?);
    let log_se = (lower95 > 0.0 && upper95 > lower95)
        .then(|| (upper95.ln() - lower95.ln()) / (2.0 * Confidence::P95.z()));
    let z998 = Confidence::P998.z();
    let derived = |sign: f64| log_se.map(|se| value * (sign * z998 * se).exp());
    Some(Computed {
        value,
        lower95,
        upper95,
        lower998: v.lower998.or_else(|| derived(-1.0))?,
        upper998: v.upper998.or_else(|| derived(1.0))?,
        log_se,
    })
}

fn indirect(row: &Row, reference: Option<f64>) -> Result<Option<Computed>, String> {
    let reference = reference.filter(|r| r.is_finite() && *r > 0.0).ok_or_else(|| {
        "the expected counts come from England's value (the reference), and the file has none for this period".to_string()
    })?;
    let mut oe = ObservedExpected {
        observed: 0.0,
        expected: 0.0,
    };
    for v in &row.published {
        match (v.count, v.value) {
            (Some(o), Some(value)) if o > 0.0 && value > 0.0 => {
                oe.observed += o;
                oe.expected += o * reference / value;
            }
            (Some(o), _) if o <= 0.0 => {
                return Err(format!(
                "area {} has no events, so its expected count cannot be recovered from its value",
                v.area_code
            ))
            }
            _ => {
                return Err(format!(
                    "area {} has no published count or value",
                    v.area_code
                ))
            }
        }
    }
    let isr = isr_ratio(
        oe,
        reference,
        &[ConfidenceLevel::P95, ConfidenceLevel::P998],
    );
    let limit = |i: usize| isr.limits.get(i).and_then(|l| l.lower.zip(l.upper));
    match (isr.value, limit(0), limit(1)) {
        (Some(value), Some((lower95, upper95)), Some((lower998, upper998))) => Ok(Some(Computed {
            value,
            lower95,
            upper95,
            lower998,
            upper998,
            log_se: gap::log_se_rate(oe.observed),
        })),
        _ => Err("no expected events".to_string()),
    }
}

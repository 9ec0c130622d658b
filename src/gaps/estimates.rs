//! Stage 2 of a gap table: each row's value and 95%/99.8% intervals by the indicator's method —
//! Wilson for proportions, Byar (exact Poisson below 10 events) for rates, a pooled mean for
//! means — from the row's summed count and denominator (never an average of area rates).

use super::computed::Computed;
use super::groups::Row;
use super::request::GapError;
use super::standardised::{self, NotRecomputed};
use crate::dataset::{Indicator, IndicatorMeta, ValueType};
use crate::stats::gap;
use crate::stats::mean::{pooled_mean, se_from_interval95};
use crate::stats::poisson_exact::rate_interval;
use crate::stats::wilson::wilson_interval;
use crate::stats::{Confidence, StatsError};

/// Whether the indicator's values are computed from counts (proportions, rates).
pub(crate) fn uses_counts(meta: &IndicatorMeta) -> bool {
    meta.value_type != ValueType::Mean
}

/// Value and intervals of a count/denominator pair by the indicator's method.
fn from_counts(meta: &IndicatorMeta, count: f64, denominator: f64) -> Result<Computed, StatsError> {
    let m = meta.multiplier;
    let (ci95, ci998, log_se) = match meta.value_type {
        ValueType::Proportion => (
            wilson_interval(count, denominator, Confidence::P95)?.scaled(m),
            wilson_interval(count, denominator, Confidence::P998)?.scaled(m),
            gap::log_se_proportion(count, denominator),
        ),
        // A mean with a count and denominator is not meaningful; treat as a rate.
        ValueType::Rate | ValueType::Mean => (
            rate_interval(count, denominator, m, Confidence::P95)?,
            rate_interval(count, denominator, m, Confidence::P998)?,
            gap::log_se_rate(count),
        ),
    };
    Ok(Computed {
        value: count / denominator * m,
        lower95: ci95.lower,
        upper95: ci95.upper,
        lower998: ci998.lower,
        upper998: ci998.upper,
        log_se,
    })
}

/// Every row's value, and the rows of a standardised indicator that could not be recomputed.
pub(super) struct Estimates {
    /// One per row (`None` for a row with no data or not recomputed).
    pub computed: Vec<Option<Computed>>,
    pub not_recomputed: Vec<NotRecomputed>,
}

/// The value of every row (`None` for a row with no data): from the summed counts, the pooled
/// mean, or for a standardised indicator by its method ([`super::standardised`]).
pub(super) fn estimate_rows(ind: &Indicator, rows: &[Row]) -> Result<Estimates, GapError> {
    let meta = &ind.meta;
    if let Some(kind) = meta.standardisation {
        let reference = ind.england.as_ref().and_then(|e| e.value);
        let mut not_recomputed = Vec::new();
        let computed = rows
            .iter()
            .map(|r| {
                standardised::estimate(meta, kind, r, reference).unwrap_or_else(|reason| {
                    not_recomputed.push(NotRecomputed {
                        key: r.key.clone(),
                        label: r.label.clone(),
                        reason,
                    });
                    None
                })
            })
            .collect();
        return Ok(Estimates {
            computed,
            not_recomputed,
        });
    }
    let computed = rows
        .iter()
        .map(|r| {
            if !uses_counts(meta) {
                return Ok(pooled_mean(&r.means).map(|e| {
                    let se = se_from_interval95(e.lower95, e.upper95);
                    let z998 = Confidence::P998.z();
                    Computed {
                        value: e.value,
                        lower95: e.lower95,
                        upper95: e.upper95,
                        lower998: e.value - z998 * se,
                        upper998: e.value + z998 * se,
                        log_se: gap::log_se_mean(e.value, se),
                    }
                }));
            }
            if r.totals.areas == 0 {
                return Ok(None);
            }
            from_counts(meta, r.totals.count, r.totals.denominator)
                .map(Some)
                .map_err(|source| GapError::BadInput {
                    indicator: meta.id.clone(),
                    place: r.label.clone(),
                    source,
                })
        })
        .collect::<Result<_, _>>()?;
    Ok(Estimates {
        computed,
        not_recomputed: Vec::new(),
    })
}

/// The weight each row gets in the SII regression: its denominator, or for means the sum of its
/// areas' weights. The chart's bar widths are the same weights ([`super::table::GapGroup::share`]).
pub(super) fn sii_weight(meta: &IndicatorMeta, row: &Row) -> f64 {
    if uses_counts(meta) {
        row.totals.denominator
    } else {
        row.means.iter().map(|m| m.weight).sum()
    }
}

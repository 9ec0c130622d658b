//! Stage 4 of a gap table: the summary measures between the most and least deprived rows — the
//! absolute and relative gap, the SII and RII — and the chart geometry behind the SII (each
//! row's weight share and rank midpoint, the fitted line's two ends), all from the same
//! weights, so a chart drawn from them shows the published SII.

use super::computed::Computed;
use super::estimates::{sii_weight, uses_counts};
use super::groups::Row;
use super::request::GapRequest;
use super::table::{GapSummary, SiiLine};
use crate::dataset::{IndicatorMeta, Polarity, ValueType};
use crate::stats::gap;
use crate::stats::poisson_exact::EXACT_BELOW;
use crate::stats::sii::{
    fitted_ends, rank_positions, slope_index, Orientation, SiiGroup, SiiOptions, Transform,
};

/// Where each row sits on the SII's cumulative rank: `(share, rank_midpoint)` per row, or
/// `None` when rows are not in deprivation order or a row has no weight.
pub(super) fn rank_geometry(
    meta: &IndicatorMeta,
    rows: &[Row],
    deprivation_ordered: bool,
) -> Option<(Vec<f64>, Vec<f64>)> {
    if !deprivation_ordered || rows.len() < 2 {
        return None;
    }
    let weights: Vec<f64> = rows.iter().map(|r| sii_weight(meta, r)).collect();
    weights
        .iter()
        .all(|w| w.is_finite() && *w > 0.0)
        .then(|| rank_positions(&weights))
}

/// Gaps, SII/RII and the SII line for rows in deprivation order (most deprived first).
pub(super) fn summarise(
    meta: &IndicatorMeta,
    rows: &[Row],
    computed: &[Option<Computed>],
    suppressed: &[bool],
    deprivation_ordered: bool,
    req: &GapRequest,
) -> GapSummary {
    let mut summary = GapSummary {
        absolute_gap: None,
        relative_gap: None,
        sii: None,
        rii: None,
        sii_line: None,
        most_deprived: rows.first().map(|r| r.label.clone()).unwrap_or_default(),
        least_deprived: rows.last().map(|r| r.label.clone()).unwrap_or_default(),
        reliability: None,
        notes: Vec::new(),
    };
    if !deprivation_ordered {
        summary.notes.push(format!(
            "No IMD loaded on level {}: rows are not in deprivation order, so no gap or SII is given.",
            req.level
        ));
        return summary;
    }
    if rows.len() < 2 {
        summary
            .notes
            .push("Fewer than 2 groups: no gap can be computed.".to_string());
        return summary;
    }
    gaps_between_ends(&mut summary, computed, suppressed);
    if suppressed.iter().any(|s| *s) {
        summary.notes.push(
            "SII/RII withheld: a group is suppressed, and with the other groups published the SII and RII would reveal its value."
                .to_string(),
        );
        return summary;
    }
    slope_and_line(&mut summary, meta, rows, computed, req.reps, req.seed);
    summary
}

/// Absolute gap (Newcombe) and relative gap (log method) between the first and last rows.
fn gaps_between_ends(summary: &mut GapSummary, computed: &[Option<Computed>], suppressed: &[bool]) {
    let last = computed.len() - 1;
    if suppressed[0] || suppressed[last] {
        summary.notes.push(
            "Gap withheld: the most or least deprived group is suppressed (small count), and the gap would reveal it."
                .to_string(),
        );
        return;
    }
    let (Some(most), Some(least)) = (computed[0], computed[last]) else {
        summary
            .notes
            .push("Gap not computed: the most or least deprived group has no data.".to_string());
        return;
    };
    let (most, least) = (most.estimate(), least.estimate());
    summary.absolute_gap = Some(gap::absolute_gap(&most, &least));
    summary.relative_gap = gap::relative_gap(&most, &least);
    if summary.relative_gap.is_none() {
        summary
            .notes
            .push("Relative gap undefined: a group has no events.".to_string());
    }
}

/// SII/RII by the PHE method and, with them, the fitted line a chart draws.
fn slope_and_line(
    summary: &mut GapSummary,
    meta: &IndicatorMeta,
    rows: &[Row],
    computed: &[Option<Computed>],
    reps: u32,
    seed: u64,
) {
    let scale = if meta.value_type == ValueType::Mean {
        1.0
    } else {
        meta.multiplier
    };
    let groups: Option<Vec<SiiGroup>> = rows
        .iter()
        .zip(computed)
        .map(|(r, c)| {
            c.map(|c| SiiGroup {
                label: r.label.clone(),
                population: sii_weight(meta, r),
                value: c.value / scale,
                lower95: c.lower95 / scale,
                upper95: c.upper95 / scale,
                events: uses_counts(meta).then_some(r.totals.count),
            })
        })
        .collect();
    let Some(groups) = groups else {
        summary
            .notes
            .push("SII/RII not computed: a group has no data.".to_string());
        return;
    };
    let options = SiiOptions {
        transform: match meta.value_type {
            ValueType::Proportion => Transform::Logit,
            ValueType::Rate => Transform::Log,
            ValueType::Mean => Transform::Identity,
        },
        multiplier: scale,
        orientation: if meta.polarity == Polarity::HigherIsBetter {
            Orientation::LeastMinusMost
        } else {
            Orientation::MostMinusLeast
        },
        reps,
        seed,
        min_events: EXACT_BELOW,
    };
    match slope_index(&groups, &options) {
        Ok(result) => {
            summary.sii = Some(result.sii);
            summary.rii = Some(result.rii);
            if !result.warnings.is_empty() {
                summary.reliability = Some(result.warnings.join("; "));
            }
            let weights: Vec<f64> = groups.iter().map(|g| g.population).collect();
            let values: Vec<f64> = groups.iter().map(|g| g.value * scale).collect();
            let (at_most_deprived, at_least_deprived) = fitted_ends(&weights, &values);
            summary.sii_line = Some(SiiLine {
                at_most_deprived,
                at_least_deprived,
            });
        }
        Err(e) => summary.notes.push(format!("SII/RII not computed: {e}.")),
    }
}

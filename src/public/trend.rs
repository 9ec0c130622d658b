//! Public gap trends: is the deprivation gap of an indicator narrowing or widening?
//!
//! [`PublicDataset::trend`] takes a gap request (indicator, grouping, level, edition, locality;
//! its period is ignored) and returns, for every period of the indicator oldest first, the
//! public gap table's rows and its SII and RII with their 95% intervals, then two tests of
//! change in the SII ([`crate::stats::trend`]):
//!
//! - **first versus latest**: the earliest and the latest period that have an SII, compared as
//!   two independent estimates (Altman & Bland 2003) using each SII's Monte Carlo interval;
//! - **slope**: the inverse-variance weighted regression of the SII on the period's middle
//!   (per year), across every period with an SII.
//!
//! The SII is oriented so that a positive value means the most deprived are worse off (see
//! [`crate::stats::sii`]), so a gap *narrows* when the SII moves toward 0. The verdict is the
//! first-versus-latest test, said in words ("the gap has narrowed significantly", "no
//! significant change"); the slope is reported beside it. Every period's table is the public
//! one (suppression and the disclosure audit of that period applied), so the trend publishes
//! nothing a period's own table would not.

use super::dataset::PublicDataset;
use super::error::PublicError;
use crate::dataset::IndicatorMeta;
use crate::gaps::{GapGroup, GapRequest, GapTable, GroupBy};
use crate::imd::ImdEdition;
use crate::level::Level;
use crate::lookup;
use crate::period::Period;
use crate::stats::trend::{difference, weighted_slope, Change, Slope};
use crate::stats::Estimate;
use serde::{Deserialize, Serialize};

/// One period of a gap trend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    /// The period's label, e.g. `2019/20 - 21/22`.
    pub period: String,
    /// The period's middle as a fractional year (the slope's time axis).
    pub mid_year: f64,
    pub sii: Option<Estimate>,
    pub rii: Option<Estimate>,
    pub absolute_gap: Option<Estimate>,
    /// The public gap table's rows for this period.
    pub groups: Vec<GapGroup>,
    /// Why a measure is missing, if it is (from the period's table).
    pub notes: Vec<String>,
}

/// How the gap changed, in one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GapDirection {
    /// The SII moved significantly toward 0.
    Narrowed,
    /// The SII moved significantly away from 0.
    Widened,
    NoSignificantChange,
    /// Fewer than two periods have an SII.
    CannotBeAssessed,
}

/// The first-versus-latest test of a gap trend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendChange {
    pub from_period: String,
    pub to_period: String,
    /// SII(to) − SII(from) with its 95% interval, z and p.
    pub change: Change,
    /// True when the two periods share time (rolling periods): they are not independent and
    /// the interval is too narrow.
    pub overlapping: bool,
}

/// The SII of an indicator's gap over time (`GET /api/trend`, `gapmap trend`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GapTrend {
    /// The indicator's metadata (latest period in `period`).
    pub indicator: IndicatorMeta,
    pub by: GroupBy,
    pub level: Level,
    pub edition: Option<ImdEdition>,
    pub locality: Option<String>,
    pub synthetic: bool,
    /// Oldest first.
    pub periods: Vec<TrendPoint>,
    pub change: Option<TrendChange>,
    /// SII change per year across every period with an SII.
    pub slope: Option<Slope>,
    pub direction: GapDirection,
    /// The result in words, e.g. "The gap has narrowed significantly: …".
    pub verdict: String,
    pub method_notes: Vec<String>,
}

impl PublicDataset {
    /// The gap trend of `request`'s indicator across all its periods (the request's `period`
    /// is ignored). Tables come from [`PublicDataset::gap_table`], so they are cached.
    pub fn trend(&self, request: &GapRequest) -> Result<GapTrend, PublicError> {
        let dataset = self.dataset();
        let indicator = lookup::indicator_at(dataset, &request.indicator, Some(request.level))?;
        let tables = indicator
            .periods()
            .into_iter()
            .map(|label| {
                self.gap_table(&GapRequest {
                    period: Some(label.to_string()),
                    ..request.clone()
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        trend_of(&indicator.meta, request, &tables)
    }
}

/// The trend of a series of gap tables, one per period, oldest first (every table of one
/// indicator, grouping and scope).
pub(crate) fn trend_of<T: std::ops::Deref<Target = GapTable>>(
    meta: &IndicatorMeta,
    request: &GapRequest,
    tables: &[T],
) -> Result<GapTrend, PublicError> {
    let Some(latest) = tables.last() else {
        return Err(PublicError::Internal(format!(
            "indicator {} has no periods",
            meta.id
        )));
    };
    let mut points = Vec::with_capacity(tables.len());
    for table in tables {
        let label = table.indicator.period.as_str();
        let period = Period::parse(label).map_err(|e| PublicError::Internal(e.to_string()))?;
        points.push(TrendPoint {
            period: label.to_string(),
            mid_year: period.mid_year(),
            sii: table.summary.sii,
            rii: table.summary.rii,
            absolute_gap: table.summary.absolute_gap,
            groups: table.groups.clone(),
            notes: table.summary.notes.clone(),
        });
    }
    let with_sii: Vec<(&TrendPoint, Estimate)> = points
        .iter()
        .filter_map(|p| p.sii.map(|s| (p, s)))
        .collect();
    let change = match (with_sii.first(), with_sii.last()) {
        (Some((first, a)), Some((last, b))) if with_sii.len() >= 2 => {
            let overlapping = Period::parse(&first.period)
                .ok()
                .zip(Period::parse(&last.period).ok())
                .is_some_and(|(f, l)| f.overlaps(&l));
            difference(a, b).ok().map(|change| TrendChange {
                from_period: first.period.clone(),
                to_period: last.period.clone(),
                change,
                overlapping,
            })
        }
        _ => None,
    };
    let slope = weighted_slope(
        &with_sii
            .iter()
            .map(|(p, s)| (p.mid_year, *s))
            .collect::<Vec<_>>(),
    )
    .ok();
    let first_sii = with_sii.first().map(|(_, s)| s.value);
    let direction = direction_of(change.as_ref(), first_sii);
    let unit = sii_unit(meta);
    let mut verdict = verdict(direction, change.as_ref(), slope.as_ref(), &with_sii, &unit);
    if with_sii.len() < points.len() {
        verdict.push_str(&format!(
            " {} of {} periods have no published SII (withheld to protect small counts, or not computable); they are left out.",
            points.len() - with_sii.len(),
            points.len()
        ));
    }
    let mut method_notes = latest.method_notes.clone();
    method_notes.retain(|n| !n.starts_with(&format!("Indicator {} ", meta.id)));
    method_notes.extend(trend_notes(points.len()));
    Ok(GapTrend {
        indicator: meta.clone(),
        by: request.by,
        level: request.level,
        edition: latest.edition,
        locality: latest.locality.clone(),
        synthetic: meta.synthetic,
        periods: points,
        change,
        slope,
        direction,
        verdict,
        method_notes,
    })
}

/// Narrowed / widened when the first-versus-latest change is significant: toward or away from
/// 0, judged by the sign of the first SII (positive = the most deprived worse off).
fn direction_of(change: Option<&TrendChange>, first_sii: Option<f64>) -> GapDirection {
    let (Some(c), Some(first)) = (change, first_sii) else {
        return GapDirection::CannotBeAssessed;
    };
    if !c.change.significant {
        return GapDirection::NoSignificantChange;
    }
    let sign = if first >= 0.0 { 1.0 } else { -1.0 };
    if c.change.difference.value * sign < 0.0 {
        GapDirection::Narrowed
    } else {
        GapDirection::Widened
    }
}

/// "percentage points" for a percentage, else the unit itself.
fn sii_unit(meta: &IndicatorMeta) -> String {
    if meta.unit == "%" {
        "percentage points".into()
    } else {
        meta.unit.clone()
    }
}

fn verdict(
    direction: GapDirection,
    change: Option<&TrendChange>,
    slope: Option<&Slope>,
    with_sii: &[(&TrendPoint, Estimate)],
    unit: &str,
) -> String {
    let Some(c) = change else {
        return format!(
            "The change in the gap cannot be assessed: {} of the periods has a published SII (two are needed).",
            with_sii.len()
        );
    };
    let (a, b) = (
        with_sii.first().map_or(f64::NAN, |(_, s)| s.value),
        with_sii.last().map_or(f64::NAN, |(_, s)| s.value),
    );
    let d = &c.change.difference;
    let what = format!(
        "SII {a:.1} in {} → {b:.1} in {} {unit} (change {:+.1}, 95% CI {:.1} to {:.1}, {})",
        c.from_period,
        c.to_period,
        d.value,
        d.lower95,
        d.upper95,
        p_text(c.change.p_value)
    );
    let mut text = match direction {
        GapDirection::Narrowed => format!("The gap has narrowed significantly: {what}."),
        GapDirection::Widened => format!("The gap has widened significantly: {what}."),
        _ => format!("No significant change in the gap: {what}; the interval includes 0."),
    };
    if c.overlapping {
        text.push_str(
            " The two periods overlap (rolling periods share years), so they are not independent and the interval is too narrow.",
        );
    }
    if let Some(s) = slope {
        text.push_str(&format!(
            " Across {} periods the SII changes by {:+.2} {unit} a year (95% CI {:.2} to {:.2}): {}.",
            with_sii.len(),
            s.slope.value,
            s.slope.lower95,
            s.slope.upper95,
            if s.significant {
                "a significant trend"
            } else {
                "no significant trend"
            }
        ));
    }
    text
}

/// "p = 0.042", or "p < 0.001".
fn p_text(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".into()
    } else {
        format!("p = {p:.3}")
    }
}

fn trend_notes(periods: usize) -> Vec<String> {
    vec![
        format!("Gap trend over {periods} periods: each period's gap table is computed as for a single period (same groups, suppression and SII method), oldest first."),
        "Change between the first and latest period with an SII: difference of two independent estimates, each standard error recovered from its 95% Monte Carlo interval as (upper − lower)/(2 × 1.96); 95% interval of the difference ± 1.96 × √(SE₁² + SE₂²); significant when it excludes 0 (Altman & Bland 2003, BMJ 326:219). A gap narrows when the SII moves toward 0 and widens when it moves away.".into(),
        "Slope: inverse-variance weighted regression of the SII on the middle of each period (per year), standard error 1/√Σw(t − t̄)² (fixed-effect meta-regression). It assumes the periods are independent; overlapping rolling periods are not, so trust the first-versus-latest test when they overlap.".into(),
    ]
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::test_support::durham;

    /// Tooth decay's public local-quintile tables withhold the SII in every period (the
    /// disclosure audit), so the public trend says it cannot be assessed. The method itself, on
    /// the engine's unsuppressed tables, finds no significant change and no significant slope:
    /// the swings in the synthetic file are sampling noise (indicators/README.md, Part C).
    #[test]
    fn tooth_decay_gap_shows_no_significant_change_on_the_unsuppressed_tables() {
        let dataset = durham();
        let request = GapRequest::for_indicator(dataset, "990005", GroupBy::LocalQuintile);
        let indicator = dataset.indicator("990005").unwrap();
        let tables: Vec<Box<GapTable>> = indicator
            .periods()
            .into_iter()
            .map(|p| {
                let req = GapRequest {
                    period: Some(p.to_string()),
                    ..request.clone()
                };
                Box::new(crate::gaps::gap_table(dataset, &req).unwrap())
            })
            .collect();
        let trend = trend_of(&indicator.meta, &request, &tables).unwrap();
        assert_eq!(trend.periods.len(), 5);
        assert!(trend.periods.iter().all(|p| p.sii.is_some()));
        assert_eq!(
            trend.direction,
            GapDirection::NoSignificantChange,
            "{}",
            trend.verdict
        );
        assert!(!trend.slope.unwrap().significant, "{}", trend.verdict);
        assert!(trend
            .verdict
            .starts_with("No significant change in the gap"));
        assert!(trend.verdict.contains("no significant trend"));
    }
}

//! The gap-table engine: [`gap_table`] is the sequence of stages — check the request, group
//! the areas, estimate each row, apply the engine's suppression, write the rows, summarise —
//! each stage a function in its own file. The table it returns is *not* yet public: the public
//! face (`crate::public`) adds the cross-table disclosure audit, so the engine is crate-private.

use super::computed::Computed;
use super::estimates::{estimate_rows, uses_counts};
use super::groups::{group_areas, Row};
use super::notes::{method_notes, suppression_note};
use super::request::{GapError, GapRequest, GroupBy};
use super::standardised::NotRecomputed;
use super::summary::{rank_geometry, summarise};
use super::suppression::suppress_rows;
use super::table::{GapGroup, GapTable};
use crate::dataset::{Dataset, Indicator, IndicatorMeta};
use crate::imd::ImdEdition;
use crate::lookup;
use crate::stats::significance::{compare, Comparison};

/// The gap table for a request, with the engine's own small-number suppression applied.
pub(crate) fn gap_table(dataset: &Dataset, req: &GapRequest) -> Result<GapTable, GapError> {
    let checked = check(dataset, req)?;
    let ind: &Indicator = &checked.indicator;
    let meta = &ind.meta;
    let grouped = group_areas(
        checked.layer,
        ind,
        req.by,
        checked.edition,
        checked.locality,
    );
    let rows = grouped.rows;
    let estimates = estimate_rows(ind, &rows)?;
    let computed = estimates.computed;
    let suppressed = suppress_rows(dataset, ind, req.by, &rows);
    let deprivation_ordered = req.by.is_deprivation() || checked.edition.is_some();
    let geometry = rank_geometry(meta, &rows, deprivation_ordered);
    let groups = public_rows(ind, &rows, &computed, &suppressed, geometry);
    let mut summary = summarise(
        meta,
        &rows,
        &computed,
        &suppressed,
        deprivation_ordered,
        req,
    );
    if !estimates.not_recomputed.is_empty() {
        summary
            .notes
            .push(not_recomputed_note(meta, &estimates.not_recomputed));
    }
    if grouped.skipped > 0 {
        summary.notes.push(format!(
            "{} areas have no {} and are left out of the table.",
            grouped.skipped,
            match req.by {
                GroupBy::Locality => "locality".to_string(),
                _ => format!(
                    "{} value",
                    checked.edition.map(|e| e.label()).unwrap_or("IMD")
                ),
            }
        ));
    }
    let max = dataset.meta.suppress_max_count;
    Ok(GapTable {
        indicator: meta.clone(),
        by: req.by,
        level: req.level,
        edition: checked.edition,
        locality: checked.locality.map(str::to_string),
        synthetic: meta.synthetic,
        groups,
        summary,
        england: ind.england.as_ref().map(|c| c.published(max)),
        county: ind.county.as_ref().map(|c| c.published(max)),
        not_recomputed: estimates.not_recomputed,
        method_notes: method_notes(dataset, meta, req, checked.edition, checked.locality),
        suppression_note: suppression_note(max),
        reps: req.reps,
        seed: req.seed,
    })
}

/// One sentence naming the rows a standardised indicator could not give a value for.
fn not_recomputed_note(meta: &IndicatorMeta, rows: &[NotRecomputed]) -> String {
    let kind = meta
        .standardisation
        .map_or("standardised value", |s| s.label());
    let labels: Vec<&str> = rows.iter().map(|r| r.label.as_str()).collect();
    format!(
        "Not recomputed ({kind}): {} — see not_recomputed for each reason; the published area values are shown on the map.",
        labels.join(", ")
    )
}

/// A request checked against the dataset (one rule per question, in [`lookup`]).
struct Checked<'a> {
    /// The indicator in the requested period.
    indicator: std::borrow::Cow<'a, Indicator>,
    layer: &'a crate::dataset::Layer,
    edition: Option<ImdEdition>,
    locality: Option<&'a str>,
}

fn check<'a>(dataset: &'a Dataset, req: &GapRequest) -> Result<Checked<'a>, GapError> {
    let indicator = lookup::indicator_in(
        dataset,
        &req.indicator,
        Some(req.level),
        req.period.as_deref(),
    )?;
    let layer = lookup::layer(dataset, req.level)?;
    let edition = lookup::edition(layer, req.edition)?;
    if req.by.is_deprivation() && edition.is_none() {
        // No edition is loaded on this layer: the lookup names what is (none).
        lookup::edition(layer, Some(req.level.native_imd()))?;
    }
    let locality = match &req.locality {
        Some(given) => {
            if req.by == GroupBy::Locality {
                return Err(GapError::LocalityWithinLocality);
            }
            Some(lookup::locality(dataset, given)?)
        }
        None => None,
    };
    Ok(Checked {
        indicator,
        layer,
        edition,
        locality,
    })
}

/// Stage 5: the published rows — a suppressed row keeps its denominator and nothing that would
/// give its count back; comparisons with England and the county at 95% and 99.8%.
fn public_rows(
    ind: &Indicator,
    rows: &[Row],
    computed: &[Option<Computed>],
    suppressed: &[bool],
    geometry: Option<(Vec<f64>, Vec<f64>)>,
) -> Vec<GapGroup> {
    let meta = &ind.meta;
    let england = ind.england.as_ref().and_then(|c| c.value);
    let county = ind.county.as_ref().and_then(|c| c.value);
    rows.iter()
        .zip(computed)
        .zip(suppressed)
        .enumerate()
        .map(|(i, ((r, c), &hidden))| {
            let shown = c.filter(|_| !hidden);
            let i95 = (shown.map(|c| c.lower95), shown.map(|c| c.upper95));
            let i998 = (shown.map(|c| c.lower998), shown.map(|c| c.upper998));
            let has_counts = uses_counts(meta) && r.totals.areas > 0;
            let versus = |benchmark: Option<f64>| {
                if hidden {
                    Comparison::NOT_COMPARED
                } else {
                    compare(i95, i998, benchmark, meta.polarity)
                }
            };
            GapGroup {
                key: r.key.clone(),
                label: r.label.clone(),
                order: u32::try_from(i + 1).unwrap_or(u32::MAX),
                areas: r.totals.areas + r.totals.areas_missing,
                population: r.population,
                count: (has_counts && !hidden).then_some(r.totals.count),
                denominator: (r.totals.areas > 0).then_some(r.totals.denominator),
                value: shown.map(|c| c.value),
                lower95: i95.0,
                upper95: i95.1,
                lower998: i998.0,
                upper998: i998.1,
                suppressed: hidden,
                vs_england: versus(england),
                vs_county: versus(county),
                share: geometry.as_ref().map(|g| g.0[i]),
                rank_midpoint: geometry.as_ref().map(|g| g.1[i]),
            }
        })
        .collect()
}

//! The placement report: what every output format (table, CSV, JSON, GeoJSON, XLSX, and the
//! API in phase 2) publishes about a solve or a what-if evaluation, with small counts
//! suppressed.
//!
//! # What is published
//! - Chosen sites with the need each newly covers (need-weighted: a weight, not a count) and
//!   the children it newly covers (a count: suppressed when 1 to `suppress_max_count`).
//! - By IMD quintile, before and after: need covered (share and weight), children covered,
//!   need-weighted mean distance to the nearest open site; the change in the quintile 1 −
//!   quintile 5 coverage and distance gaps.
//! - Status, objective, proven bound and gap, presolve sizes and timings; method notes.
//!
//! # Small counts
//! Child counts come from ONS small-area population estimates (already public per LSOA), but
//! the project rule applies to every count a placement output prints: a quintile row whose
//! children total, covered before, covered after, newly covered or uncovered is 1–4 hides all
//! its child counts (they differ by those amounts); when exactly one quintile row is hidden,
//! the row with the next smallest total is hidden too, so the all-areas row cannot give it
//! back by subtraction. Per-site child counts of 1–4 are hidden. When the need weight *is* the
//! child count (`--need children`), need figures follow the same rule. Per-LSOA child counts
//! are never printed.

use super::access::AccessInfo;
use super::demand::DemandInfo;
use super::evaluate::{Evaluation, GroupCoverage};
use super::instance::Instance;
use super::model::Model;
use super::solve::{Solution, SolveStatus, StageReport, Timings};
use crate::stats::suppress::is_small_count;
use serde::Serialize;

/// One site in the report (a chosen new site, or an existing one).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteRow {
    pub id: String,
    pub name: String,
    pub existing: bool,
    pub x: f64,
    pub y: f64,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    /// New sites: need within the radius that no existing site covers.
    pub need_newly_covered: Option<f64>,
    /// New sites: need covered by this site alone among the open sites.
    pub need_only_here: Option<f64>,
    pub demand_points_newly_covered: Option<usize>,
    /// `None` when suppressed (see `suppressed`) or not known.
    pub children_newly_covered: Option<f64>,
    pub suppressed: bool,
}

/// One row of the by-quintile table (`quintile: None` = all demand points).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuintileRow {
    pub quintile: Option<u8>,
    pub label: String,
    pub demand_points: usize,
    pub need_total: Option<f64>,
    pub need_covered_before: Option<f64>,
    pub need_covered_after: Option<f64>,
    /// Share of the row's need covered, 0–1.
    pub share_before: Option<f64>,
    pub share_after: Option<f64>,
    pub children_total: Option<f64>,
    pub children_covered_before: Option<f64>,
    pub children_covered_after: Option<f64>,
    pub children_newly_covered: Option<f64>,
    /// Need-weighted mean distance (or time) to the nearest open site.
    pub mean_distance_before: Option<f64>,
    pub mean_distance_after: Option<f64>,
    pub unreachable_before: usize,
    pub unreachable_after: usize,
    /// True when this row's counts are withheld (small-number rule).
    pub suppressed: bool,
}

/// One demand point's access (no weights or counts: safe to publish per area).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaRow {
    pub id: String,
    pub name: String,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub quintile: Option<u8>,
    pub covered_before: bool,
    pub covered_after: bool,
    /// Nearest open site after, and the distance (or time) to it.
    pub nearest_site: Option<String>,
    pub distance_after: Option<f64>,
}

/// Quintile 1 minus quintile 5, before and after.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapChange {
    /// Q1 share covered − Q5 share covered, percentage points (negative: Q1 worse covered).
    pub coverage_gap_before: Option<f64>,
    pub coverage_gap_after: Option<f64>,
    pub coverage_gap_change: Option<f64>,
    /// Q1 mean distance − Q5 mean distance (positive: Q1 further away).
    pub distance_gap_before: Option<f64>,
    pub distance_gap_after: Option<f64>,
    pub distance_gap_change: Option<f64>,
}

/// Everything a placement output publishes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlacementReport {
    pub title: String,
    /// True when any figure depends on synthetic demonstration data.
    pub synthetic: bool,
    pub model: Model,
    pub objective_label: String,
    pub k: usize,
    pub access: AccessInfo,
    pub demand: DemandInfo,
    pub status: SolveStatus,
    pub status_note: String,
    pub objective: f64,
    /// Equity: total need covered (the tie-break objective).
    pub secondary_objective: Option<f64>,
    pub bound: f64,
    pub gap: f64,
    /// Ids of the chosen new sites.
    pub chosen: Vec<String>,
    /// Slots of k that no site could fill usefully.
    pub unused_slots: usize,
    /// Chosen new sites, then existing sites.
    pub sites: Vec<SiteRow>,
    pub by_quintile: Vec<QuintileRow>,
    pub gap_q1_q5: Option<GapChange>,
    /// Every demand point: covered before/after and its nearest open site.
    pub areas: Vec<AreaRow>,
    pub stages: Vec<StageReport>,
    pub timings: Timings,
    pub suppression_note: String,
    pub method_notes: Vec<String>,
}

/// Context a report needs beyond the solution.
#[derive(Debug, Clone)]
pub struct ReportContext {
    /// e.g. "County Durham".
    pub area_name: String,
    pub demand: DemandInfo,
    /// Counts 1..=this are withheld.
    pub suppress_max_count: u32,
    /// True when the need weight is itself a count of children.
    pub weights_are_counts: bool,
}

/// The report of a solve.
pub fn report(instance: &Instance, solution: &Solution, ctx: &ReportContext) -> PlacementReport {
    let access = instance.access.describe();
    let mut r = evaluation_report(
        instance,
        &solution.evaluation,
        solution.model,
        solution.k,
        ctx,
    );
    r.status = solution.status;
    r.status_note = solution.status.explain().to_string();
    if solution.status == SolveStatus::Optimal && solution.rel_gap > crate::place::milp::MIP_REL_GAP
    {
        r.status_note = format!(
            "proven optimal within a relative gap of {}: no other choice of sites does better by more than that",
            solution.rel_gap
        );
    }
    r.objective = solution.objective.primary;
    r.secondary_objective = solution.objective.secondary;
    r.bound = solution.bound;
    r.gap = solution.gap;
    r.unused_slots = solution.unused_slots;
    r.stages = solution.stages.clone();
    r.timings = solution.timings.clone();
    if solution.unused_slots > 0 {
        r.method_notes.push(format!(
            "Only {} of the k = {} new sites add anything at {}: every site set of that size already reaches the optimum, so the other {} would add nothing.",
            solution.chosen.len(),
            solution.k,
            access.label,
            solution.unused_slots
        ));
    }
    for s in &solution.stages {
        let p = &s.presolve;
        r.method_notes.push(format!(
            "Solve ({}): {} demand points → {} covered by existing sites, {} out of reach, {} groups ({} folded into single candidates); {} candidates → {} dominated, {} useless; MILP {} rows × {} columns; greedy + swap {:.6}, MILP {:?} {:.6}, bound {:.6}.",
            s.name,
            p.demand_points,
            p.covered_by_existing,
            p.out_of_reach,
            p.groups,
            p.singleton_groups,
            p.candidates,
            p.candidates_dominated,
            p.candidates_useless,
            p.rows,
            p.columns,
            s.heuristic_objective,
            s.status,
            s.objective,
            s.bound
        ));
    }
    r
}

/// The report of any site set (a what-if evaluation): status is "optimal" only in the sense
/// that nothing was solved; callers that solved use [`report`].
pub fn evaluation_report(
    instance: &Instance,
    evaluation: &Evaluation,
    model: Model,
    k: usize,
    ctx: &ReportContext,
) -> PlacementReport {
    let access = instance.access.describe();
    let max = ctx.suppress_max_count;
    let objective = evaluation.objective(model);

    let mut sites: Vec<SiteRow> = evaluation
        .sites
        .iter()
        .map(|s| {
            let site = &instance.sites[s.site];
            let small_children = s
                .children_newly_covered
                .is_some_and(|c| is_small_count(c, max));
            let small_need = ctx.weights_are_counts
                && (is_small_count(s.need_newly_covered, max)
                    || is_small_count(s.need_only_here, max));
            let suppressed = small_children || small_need;
            SiteRow {
                id: site.id.clone(),
                name: site.name.clone(),
                existing: site.existing,
                x: site.x,
                y: site.y,
                lon: site.lonlat.map(|p| p[0]),
                lat: site.lonlat.map(|p| p[1]),
                need_newly_covered: (!small_need).then_some(s.need_newly_covered),
                need_only_here: (!small_need).then_some(s.need_only_here),
                demand_points_newly_covered: Some(s.demand_points_newly_covered),
                children_newly_covered: s.children_newly_covered.filter(|_| !suppressed),
                suppressed,
            }
        })
        .collect();
    sites.extend(
        instance
            .sites
            .iter()
            .filter(|s| s.existing)
            .map(|site| SiteRow {
                id: site.id.clone(),
                name: site.name.clone(),
                existing: true,
                x: site.x,
                y: site.y,
                lon: site.lonlat.map(|p| p[0]),
                lat: site.lonlat.map(|p| p[1]),
                need_newly_covered: None,
                need_only_here: None,
                demand_points_newly_covered: None,
                children_newly_covered: None,
                suppressed: false,
            }),
    );

    let hidden = suppressed_rows(&evaluation.groups, max, ctx.weights_are_counts);
    let by_quintile: Vec<QuintileRow> = evaluation
        .groups
        .iter()
        .zip(&hidden)
        .map(|(g, &suppressed)| quintile_row(g, suppressed, ctx.weights_are_counts))
        .collect();
    let gap_q1_q5 = gap_change(&by_quintile);
    let areas = instance
        .demand
        .iter()
        .zip(&evaluation.demand)
        .enumerate()
        .map(|(i, (d, a))| AreaRow {
            id: d.id.clone(),
            name: d.name.clone(),
            lon: d.lonlat.map(|p| p[0]),
            lat: d.lonlat.map(|p| p[1]),
            quintile: d.quintile,
            covered_before: evaluation.covered_before(i),
            covered_after: evaluation.covered_after(i),
            nearest_site: a.after.map(|(j, _)| instance.sites[j].id.clone()),
            distance_after: a.after.map(|(_, c)| c),
        })
        .collect();

    let synthetic = ctx.demand.synthetic;
    let mut method_notes = Vec::new();
    if synthetic {
        method_notes.push("SYNTHETIC DEMONSTRATION DATA - NOT OFFICIAL STATISTICS: the need weights use modelled indicator values that say nothing about the real health of any area.".to_string());
    }
    method_notes.extend([
        format!("Model: {} — {}.", model.as_str(), model_definition(model)),
        format!("Access: {}; a demand point is covered when an open site is within the radius (inclusive).", access.label),
        format!("Demand: {} points from {}, weight = {}.", ctx.demand.points, ctx.demand.source, ctx.demand.weight_label),
        format!("Demand points are placed at the {}.", ctx.demand.centres),
    ]);
    if let Some(q) = &ctx.demand.quintiles {
        method_notes.push(format!("Quintiles: {q}."));
    }
    method_notes.extend(ctx.demand.notes.iter().cloned());
    method_notes.push("Existing sites are always open and do not count towards k. Solved exactly with HiGHS (MILP, relative gap 1e-9) after a presolve that removes demand covered by existing sites, merges demand points with identical candidate sets and drops dominated candidates; greedy + swap gives the starting solution.".to_string());
    method_notes.push(
        "Mean distances are need-weighted means over the demand points, to the nearest open site."
            .to_string(),
    );

    PlacementReport {
        title: format!(
            "Placement of {k} new site{} ({}, {}) — {}",
            if k == 1 { "" } else { "s" },
            model.as_str(),
            access.label,
            ctx.area_name
        ),
        synthetic,
        model,
        objective_label: model.objective_label(access.unit),
        k,
        access,
        demand: ctx.demand.clone(),
        status: SolveStatus::Optimal,
        status_note: "evaluation of a given site set (nothing was optimised)".to_string(),
        objective: objective.primary,
        secondary_objective: objective.secondary,
        bound: objective.primary,
        gap: 0.0,
        chosen: evaluation.new_sites.iter().map(|&j| instance.sites[j].id.clone()).collect(),
        unused_slots: 0,
        sites,
        by_quintile,
        gap_q1_q5,
        areas,
        stages: Vec::new(),
        timings: Timings::default(),
        suppression_note: format!(
            "Counts of children from 1 to {max} are withheld (with a second row where one alone would be derivable from the total); need weights{} are not counts.",
            if ctx.weights_are_counts { " are counts here (need = children) and follow the same rule; otherwise they" } else { "" }
        ),
        method_notes,
    }
}

fn model_definition(model: Model) -> &'static str {
    match model {
        Model::Mclp => "open at most k new sites to maximise the need-weighted demand within the radius of an open site (existing sites included)",
        Model::PMedian => "open at most k new sites to minimise Σ need weight × distance to the nearest open site",
        Model::Equity => "open at most k new sites to maximise the need-weighted coverage of IMD quintile 1, then, among the best such sets, total coverage (so no quintile is ever made worse off to narrow the gap)",
    }
}

/// Which rows hide their counts (see the module doc).
fn suppressed_rows(groups: &[GroupCoverage], max: u32, weights_are_counts: bool) -> Vec<bool> {
    let small = |x: f64| is_small_count(x, max);
    let mut hidden: Vec<bool> = groups
        .iter()
        .map(|g| {
            let children = match (
                g.children_total,
                g.children_covered_before,
                g.children_covered_after,
            ) {
                (Some(t), Some(b), Some(a)) => [t, b, a, a - b, t - a].into_iter().any(small),
                _ => false,
            };
            let need = weights_are_counts
                && [
                    g.need_total,
                    g.need_covered_before,
                    g.need_covered_after,
                    g.need_covered_after - g.need_covered_before,
                    g.need_total - g.need_covered_after,
                ]
                .into_iter()
                .any(small);
            children || need
        })
        .collect();
    let quintile_rows: Vec<usize> = (0..groups.len())
        .filter(|&i| groups[i].quintile.is_some())
        .collect();
    if quintile_rows.iter().filter(|&&i| hidden[i]).count() == 1 {
        let next = quintile_rows
            .iter()
            .filter(|&&i| !hidden[i])
            .min_by(|&&a, &&b| {
                let size = |i: usize| groups[i].children_total.unwrap_or(groups[i].need_total);
                size(a).total_cmp(&size(b))
            })
            .copied();
        if let Some(i) = next {
            hidden[i] = true;
        }
    }
    hidden
}

fn quintile_row(g: &GroupCoverage, suppressed: bool, weights_are_counts: bool) -> QuintileRow {
    let need = |x: f64| (!(suppressed && weights_are_counts)).then_some(x);
    let children = |x: Option<f64>| x.filter(|_| !suppressed);
    QuintileRow {
        quintile: g.quintile,
        label: match g.quintile {
            Some(1) => "Q1 (most deprived)".to_string(),
            Some(5) => "Q5 (least deprived)".to_string(),
            Some(q) => format!("Q{q}"),
            None => "All".to_string(),
        },
        demand_points: g.demand_points,
        need_total: need(g.need_total),
        need_covered_before: need(g.need_covered_before),
        need_covered_after: need(g.need_covered_after),
        share_before: g
            .share_before()
            .filter(|_| !(suppressed && weights_are_counts)),
        share_after: g
            .share_after()
            .filter(|_| !(suppressed && weights_are_counts)),
        children_total: children(g.children_total),
        children_covered_before: children(g.children_covered_before),
        children_covered_after: children(g.children_covered_after),
        children_newly_covered: children(
            g.children_covered_after
                .zip(g.children_covered_before)
                .map(|(a, b)| a - b),
        ),
        mean_distance_before: g.mean_cost_before,
        mean_distance_after: g.mean_cost_after,
        unreachable_before: g.unreachable_before,
        unreachable_after: g.unreachable_after,
        suppressed,
    }
}

fn gap_change(rows: &[QuintileRow]) -> Option<GapChange> {
    let q1 = rows.iter().find(|r| r.quintile == Some(1))?;
    let q5 = rows.iter().find(|r| r.quintile == Some(5))?;
    let diff = |a: Option<f64>, b: Option<f64>| a.zip(b).map(|(a, b)| a - b);
    let pts = |x: Option<f64>| x.map(|v| v * 100.0);
    let coverage_gap_before = pts(diff(q1.share_before, q5.share_before));
    let coverage_gap_after = pts(diff(q1.share_after, q5.share_after));
    let distance_gap_before = diff(q1.mean_distance_before, q5.mean_distance_before);
    let distance_gap_after = diff(q1.mean_distance_after, q5.mean_distance_after);
    Some(GapChange {
        coverage_gap_change: diff(coverage_gap_after, coverage_gap_before),
        coverage_gap_before,
        coverage_gap_after,
        distance_gap_change: diff(distance_gap_after, distance_gap_before),
        distance_gap_before,
        distance_gap_after,
    })
}

fn fmt_opt(x: Option<f64>, decimals: usize) -> String {
    x.map(|v| format!("{v:.decimals$}"))
        .unwrap_or_else(|| "*".to_string())
}

fn fmt_share(x: Option<f64>) -> String {
    x.map(|v| format!("{:.1}%", v * 100.0))
        .unwrap_or_else(|| "*".to_string())
}

/// Aligned text columns: the first `left` columns left-aligned (text), the rest right-aligned.
fn text_table(headers: &[&str], rows: &[Vec<String>], left: usize) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| -> String {
        let mut out = cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, &w))| {
                if i < left {
                    format!("{c:<w$}")
                } else {
                    format!("{c:>w$}")
                }
            })
            .collect::<Vec<_>>()
            .join("  ");
        out.truncate(out.trim_end().len());
        out + "\n"
    };
    let mut out = line(&headers.iter().map(|h| h.to_string()).collect::<Vec<_>>());
    out.push_str(&line(
        &widths.iter().map(|&w| "-".repeat(w)).collect::<Vec<_>>(),
    ));
    for r in rows {
        out.push_str(&line(r));
    }
    out
}

/// A plain-text rendering for a terminal.
pub fn render_table(r: &PlacementReport) -> String {
    let mut out = String::new();
    if r.synthetic {
        out.push_str("*** SYNTHETIC DEMONSTRATION DATA - NOT OFFICIAL STATISTICS ***\n");
    }
    out.push_str(&format!("{}\n", r.title));
    out.push_str(&format!(
        "Demand: {} points, weight = {}\n",
        r.demand.points, r.demand.weight_label
    ));
    out.push_str(&format!(
        "Status: {} — {}\n",
        r.status.as_str(),
        r.status_note
    ));
    out.push_str(&format!(
        "Objective ({}): {:.2}{}; bound {:.2}; gap {:.4}%\n\n",
        r.objective_label,
        r.objective,
        r.secondary_objective
            .map(|s| format!(" (total covered {s:.2})"))
            .unwrap_or_default(),
        r.bound,
        r.gap * 100.0
    ));
    let unit = r.access.unit;
    let new_sites: Vec<Vec<String>> = r
        .sites
        .iter()
        .filter(|s| !s.existing)
        .map(|s| {
            vec![
                s.id.clone(),
                s.name.clone(),
                format!("{:.0}", s.x),
                format!("{:.0}", s.y),
                fmt_opt(s.need_newly_covered, 1),
                fmt_opt(s.need_only_here, 1),
                fmt_opt(s.children_newly_covered, 0),
            ]
        })
        .collect();
    if new_sites.is_empty() {
        out.push_str("No new site adds anything.\n");
    } else {
        out.push_str("New sites\n");
        out.push_str(&text_table(
            &[
                "Id",
                "Name",
                "Easting",
                "Northing",
                "Need newly covered",
                "Need only here",
                "Children newly covered",
            ],
            &new_sites,
            2,
        ));
    }
    if r.unused_slots > 0 {
        out.push_str(&format!(
            "({} of the k = {} slots would add nothing.)\n",
            r.unused_slots, r.k
        ));
    }
    let rows: Vec<Vec<String>> = r
        .by_quintile
        .iter()
        .map(|q| {
            vec![
                q.label.clone(),
                q.demand_points.to_string(),
                fmt_share(q.share_before),
                fmt_share(q.share_after),
                fmt_opt(
                    q.need_covered_after
                        .zip(q.need_covered_before)
                        .map(|(a, b)| a - b),
                    1,
                ),
                fmt_opt(q.children_newly_covered, 0),
                fmt_opt(q.mean_distance_before, 0),
                fmt_opt(q.mean_distance_after, 0),
            ]
        })
        .collect();
    out.push_str("\nCoverage by IMD quintile (need-weighted)\n");
    out.push_str(&text_table(
        &[
            "Quintile",
            "Areas",
            "Covered before",
            "Covered after",
            "Need newly covered",
            "Children newly covered",
            &format!("Mean {unit} before"),
            &format!("Mean {unit} after"),
        ],
        &rows,
        1,
    ));
    if let Some(g) = &r.gap_q1_q5 {
        out.push_str(&format!(
            "\nQ1 − Q5 coverage gap: {} → {} percentage points (change {})\n",
            fmt_opt(g.coverage_gap_before, 1),
            fmt_opt(g.coverage_gap_after, 1),
            fmt_opt(g.coverage_gap_change, 1)
        ));
        out.push_str(&format!(
            "Q1 − Q5 mean distance gap: {} → {} {unit} (change {})\n",
            fmt_opt(g.distance_gap_before, 0),
            fmt_opt(g.distance_gap_after, 0),
            fmt_opt(g.distance_gap_change, 0)
        ));
    }
    if r.by_quintile.iter().any(|q| q.suppressed) || r.sites.iter().any(|s| s.suppressed) {
        out.push_str("* withheld: small count\n");
    }
    let t = &r.timings;
    if t.total_ms > 0.0 {
        out.push_str(&format!(
            "\nTime: {:.0} ms (neighbours {:.0}, presolve {:.0}, greedy + swap {:.0}, MILP {:.0}, evaluation {:.0})\n",
            t.total_ms, t.reach_ms, t.presolve_ms, t.heuristic_ms, t.milp_ms, t.evaluate_ms
        ));
    }
    out.push('\n');
    for note in &r.method_notes {
        out.push_str(&format!("Note: {note}\n"));
    }
    out
}

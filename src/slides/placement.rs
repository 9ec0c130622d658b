//! The placement proposal slide: where new sites would go and what they would change, from a
//! [`PlacementReport`] — the report `gapmap place` prints and `/api/place` returns for the same
//! options (the callers build it with [`crate::public::placement`] and
//! [`crate::place::run::run`]; this module only words and lays it out).
//!
//! - a county map of national IMD deciles with the existing sites and the proposed ones (the
//!   web place panel's marker, with a dashed ring at the coverage radius);
//! - need covered by national IMD quintile before → after, and the quintile 1 − quintile 5
//!   coverage gap before → after with its change;
//! - the model, reach, k and need in plain English; synthetic need labelled as such;
//! - speaker notes with the numbers (coverage, children newly covered, mean distances, the new
//!   sites).
//!
//! Every figure is the report's own (shares as percentages to one decimal, the gap in
//! percentage points as the report gives it); withheld rows show "–", never a number.

use super::error::SlidesError;
use super::layout;
use super::model::{Align, Cell, Content, Layout, Paragraph, Rect, Run, Shape, Slide, Table};
use super::parts::{
    date_text, fitted_text, footer_box, header_cell, picture, pixel_ratio, reading_box, MAP,
};
use crate::figures::map::render_placement_map_png;
use crate::place::report::{PlacementReport, QuintileRow};
use crate::place::Model;
use crate::public::PublicDataset;
use crate::render::colour::Colour;
use crate::render::text::num;
use std::sync::Arc;

// Frames beside the map (points).
const TABLE: Rect = Rect::new(604.0, 128.0, 328.0, 192.0);
const METHOD: Rect = Rect::new(604.0, 328.0, 328.0, 185.0);

/// A share of need (0–1) as a percentage: "81.7%", "–" when withheld.
pub fn share_text(share: Option<f64>) -> String {
    match share {
        Some(s) => format!("{}%", num(Some(s * 100.0), 1)),
        None => num(None, 1),
    }
}

/// Percentage points with a sign on a change: "+10.9 pp", "-2.0 pp", "–" when unknown.
pub fn points_text(points: Option<f64>, signed: bool) -> String {
    match points {
        Some(p) if signed && p > 0.0 => format!("+{} pp", num(Some(p), 1)),
        Some(p) => format!("{} pp", num(Some(p), 1)),
        None => num(None, 1),
    }
}

/// The change of a row's share, in percentage points.
fn share_change(row: &QuintileRow) -> Option<f64> {
    row.share_after
        .zip(row.share_before)
        .map(|(a, b)| (a - b) * 100.0)
}

/// "3 km in a straight line", "15 minutes' travel".
pub fn reach_text(report: &PlacementReport) -> String {
    let r = report.access.radius;
    match report.access.unit {
        "m" if r >= 1000.0 => {
            let km = r / 1000.0;
            let dp = if km.fract() == 0.0 { 0 } else { 1 };
            format!("{} km in a straight line", num(Some(km), dp))
        }
        "m" => format!("{} m in a straight line", num(Some(r), 0)),
        unit => format!("{} {unit} of travel", num(Some(r), 0)),
    }
}

fn new_sites_text(report: &PlacementReport) -> String {
    let n = report.chosen.len();
    format!("{n} new site{}", if n == 1 { "" } else { "s" })
}

fn quintile(report: &PlacementReport, q: u8) -> Option<&QuintileRow> {
    report.by_quintile.iter().find(|r| r.quintile == Some(q))
}

/// The one-line reading: the most and least deprived fifths' coverage after and before.
pub fn placement_reading(report: &PlacementReport) -> String {
    let reach = reach_text(report);
    let sites = new_sites_text(report);
    match (quintile(report, 1), quintile(report, 5)) {
        (Some(q1), Some(q5)) if q1.share_after.is_some() && q5.share_after.is_some() => format!(
            "With {sites}, {} of need in the most deprived fifth of areas (national IMD) would be within {reach} of a site (now {}); in the least deprived fifth, {} (now {}).",
            share_text(q1.share_after),
            share_text(q1.share_before),
            share_text(q5.share_after),
            share_text(q5.share_before),
        ),
        _ => format!(
            "With {sites}, the share of need within {reach} of a site by deprivation fifth is in the table (some figures are withheld: small numbers)."
        ),
    }
}

/// Rows of the coverage table: [group, before, after, change] for each quintile and all
/// areas, then the quintile 1 − quintile 5 gap.
pub fn placement_rows(report: &PlacementReport) -> Vec<[String; 4]> {
    let mut rows: Vec<[String; 4]> = report
        .by_quintile
        .iter()
        .map(|q| {
            [
                if q.quintile.is_none() {
                    "All areas".to_string()
                } else {
                    q.label.clone()
                },
                share_text(q.share_before),
                share_text(q.share_after),
                points_text(share_change(q), true),
            ]
        })
        .collect();
    if let Some(g) = &report.gap_q1_q5 {
        rows.push([
            "Gap Q1 − Q5".to_string(),
            points_text(g.coverage_gap_before, false),
            points_text(g.coverage_gap_after, false),
            points_text(g.coverage_gap_change, true),
        ]);
    }
    rows
}

/// What the model does, in plain English.
fn model_text(model: Model) -> &'static str {
    match model {
        Model::Mclp => "maximal covering: the sites that bring the most need within reach",
        Model::PMedian => {
            "p-median: the sites that bring need closest to a site, on average"
        }
        Model::Equity => {
            "equity: the sites that bring the most need in the most deprived fifth within reach, then the most need overall"
        }
    }
}

/// The "how these sites were chosen" paragraphs.
fn method_paragraphs(report: &PlacementReport) -> Vec<Paragraph> {
    let bullet = |text: String| Paragraph {
        space_before: 4.0,
        bullet: true,
        ..Paragraph::plain(text, 13.0)
    };
    let existing = report.sites.iter().filter(|s| s.existing).count();
    let mut out = vec![Paragraph {
        runs: vec![Run::bold("How these sites were chosen")],
        ..Paragraph::plain("", 14.0)
    }];
    out.extend([
        bullet(format!("Model: {}.", model_text(report.model))),
        bullet(format!(
            "k = {}: up to {} new site{}; the {existing} existing sites stay open.",
            report.k,
            report.k,
            if report.k == 1 { "" } else { "s" }
        )),
        bullet(format!("Reach: within {}.", reach_text(report))),
        bullet(format!(
            "Need: {} in each of {} areas.",
            report.demand.weight_label, report.demand.points
        )),
        bullet(format!("Result: {}.", report.status_note)),
    ]);
    if report.synthetic {
        out.push(Paragraph {
            runs: vec![Run::bold(
                "Need uses synthetic demonstration data — not official statistics.",
            )],
            space_before: 4.0,
            ..Paragraph::plain("", 13.0)
        });
    }
    out
}

/// Speaker notes: every number of the slide and more of the report.
pub fn placement_notes(report: &PlacementReport) -> Vec<String> {
    let unit = report.access.unit;
    let mut notes = vec![report.title.clone(), placement_reading(report)];
    for q in &report.by_quintile {
        let mut line = format!(
            "{}: need covered {} → {} ({})",
            if q.quintile.is_none() {
                "All areas"
            } else {
                q.label.as_str()
            },
            share_text(q.share_before),
            share_text(q.share_after),
            points_text(share_change(q), true)
        );
        if let Some(c) = q.children_newly_covered {
            line.push_str(&format!("; children newly covered {}", num(Some(c), 0)));
        }
        line.push_str(&format!(
            "; mean distance to the nearest site {} → {} {unit}.",
            num(q.mean_distance_before, 0),
            num(q.mean_distance_after, 0)
        ));
        if q.suppressed {
            line.push_str(" Counts withheld (small numbers).");
        }
        notes.push(line);
    }
    if let Some(g) = &report.gap_q1_q5 {
        notes.push(format!(
            "Q1 − Q5 coverage gap: {} → {} (change {}); Q1 − Q5 mean distance gap {} → {} {unit}.",
            points_text(g.coverage_gap_before, false),
            points_text(g.coverage_gap_after, false),
            points_text(g.coverage_gap_change, true),
            num(g.distance_gap_before, 0),
            num(g.distance_gap_after, 0)
        ));
    }
    for s in report.sites.iter().filter(|s| !s.existing) {
        let mut line = format!(
            "New site {} ({}): need newly covered {}",
            s.name,
            s.id,
            num(s.need_newly_covered, 1)
        );
        match s.children_newly_covered {
            Some(c) => line.push_str(&format!("; children newly covered {}.", num(Some(c), 0))),
            None if s.suppressed => line.push_str("; children newly covered withheld."),
            None => line.push('.'),
        }
        notes.push(line);
    }
    notes.push(format!("Result: {}.", report.status_note));
    notes.push(report.suppression_note.clone());
    notes
}

/// The placement proposal slide.
pub fn placement_slide(
    public: &PublicDataset,
    report: &PlacementReport,
) -> Result<Slide, SlidesError> {
    let dataset = public.dataset();
    let ratio = pixel_ratio(MAP);
    let map = render_placement_map_png(
        public,
        report,
        (MAP.w * ratio).round() as u32,
        (MAP.h * ratio).round() as u32,
        ratio,
    )?;
    let mut rows = vec![vec![
        header_cell("Need covered", Align::Left),
        header_cell("Now", Align::Right),
        header_cell("After", Align::Right),
        header_cell("Change", Align::Right),
    ]];
    let data = placement_rows(report);
    let last = data.len().saturating_sub(1);
    for (i, [group, before, after, change]) in data.into_iter().enumerate() {
        let emphasis = i == last && report.gap_q1_q5.is_some();
        let cell = |text: String, bold: bool, align: Align| Cell {
            text,
            bold,
            align,
            fill: emphasis.then(|| Colour::hex("#f4f6f8")),
        };
        rows.push(vec![
            cell(group, emphasis, Align::Left),
            cell(before, false, Align::Right),
            cell(after, true, Align::Right),
            cell(change, false, Align::Right),
        ]);
    }
    let row_height = (TABLE.h / rows.len() as f32).min(26.0);
    let table_frame = Rect::new(TABLE.x, TABLE.y, TABLE.w, row_height * rows.len() as f32);
    let footer = format!(
        "Need covered = share of the need weight within reach of an open site. Quintiles: {}. Same report as gapmap place / /api/place. Built {}.",
        report
            .demand
            .quintiles
            .as_deref()
            .unwrap_or("as given"),
        date_text(&dataset.meta.built_at)
    );
    let reading_text = placement_reading(report);
    let title = format!(
        "Proposed: {} for {}",
        new_sites_text(report),
        dataset.meta.name
    );
    Ok(Slide {
        layout: Layout::TitleOnly,
        title_size: layout::fit_title_size(Layout::TitleOnly, &title),
        title,
        shapes: vec![
            reading_box(&reading_text),
            picture(
                "Placement map",
                MAP,
                Arc::new(map),
                format!(
                    "Map of {} by national IMD decile with the existing sites and the proposed new sites, each with a dashed ring at its reach. {reading_text}",
                    dataset.meta.name
                ),
            ),
            Shape {
                name: "Coverage by IMD quintile".into(),
                frame: table_frame,
                content: Content::Table(Table {
                    columns: vec![136.0, 60.0, 62.0, 70.0],
                    rows,
                    row_height,
                    size: 13.0,
                }),
            },
            fitted_text("How chosen", METHOD, method_paragraphs(report), 9.0),
            footer_box(footer),
        ],
        notes: placement_notes(report),
        synthetic_banner: report.synthetic,
    })
}

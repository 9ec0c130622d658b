//! The "Service reach" slide of a locality: who the loaded services (`[[reach]]` blocks, e.g.
//! the Family Hub) reach in the locality's areas, by national IMD quintile, and whether they
//! reach the most deprived more — the Early Help forums' question.
//!
//! Every figure is the public face's [`PublicDataset::reach`] for the locality (exactly
//! `/api/reach?service=&locality=`): suppression and the disclosure audit are applied there,
//! so a withheld quintile or SII has no number here to print. The slide shows
//!
//! - a map of the locality coloured by the *headline* service's reach (the first service, or
//!   the one the deck's indicators name), withheld areas hatched, as on indicator slides;
//! - a table with one row per service: the rate in each national IMD quintile (whole numbers:
//!   the unit is named once, in the header) and the SII with its 95% interval; "withheld"
//!   where suppressed, "–" where the locality has no area in a quintile. Column widths are
//!   measured from the cells (the bundled Carlito metrics), and the type shrinks until the
//!   longest real values fit, so [`super::content::check_slide`] passes;
//! - the headline service's [`ReachReport::reading`] across the top, how to read the figures
//!   beside the map (synthetic records said so in bold), and speaker notes with every
//!   service's reading, every quintile's figures and the reach notes.

use super::error::SlidesError;
use super::layout::{self, CELL_MARGIN_X, CELL_MARGIN_Y, MARGIN, SLIDE_W};
use super::model::{Align, Cell, Content, Layout, Paragraph, Rect, Run, Shape, Slide, Table};
use super::parts::{
    date_text, fitted_text, footer_box, header_cell, map_png, picture, DECK_GROUPING, FOOTER,
    READING,
};
use super::reading::value_text;
use crate::dataset::Area;
use crate::figures::map::MapLayer;
use crate::gaps::{GapGroup, GapTable};
use crate::public::{PublicDataset, ReachReport};
use crate::render::colour::Colour;
use crate::render::text::{self, num, Weight};
use std::sync::Arc;

/// What a table cell says for a suppressed figure (the gap tables' own marker).
pub const WITHHELD: &str = "withheld";
/// What a quintile cell says when the locality has no area in that quintile.
pub const NO_AREA: &str = "–";
/// The table's quintile columns (after the service's): drawn equally wide.
const QUINTILE_COLUMNS: std::ops::Range<usize> = 1..6;

/// The table starts under the reading, across the page; the map and the notes share the rest.
const TABLE_TOP: f32 = 128.0;
const TABLE_W: f32 = SLIDE_W - 2.0 * MARGIN;
/// At most this tall: more services get shorter rows and smaller type.
const TABLE_MAX_H: f32 = 160.0;
const ROW_H: f32 = 26.0;
const TABLE_SIZE: f32 = 14.0;
const MIN_TABLE_SIZE: f32 = 9.0;
/// The gap below the table and between the map and the notes.
const GUTTER: f32 = 10.0;
/// The indicator slides' map aspect (560 × 385), kept so the maps of a deck look alike.
const MAP_ASPECT: f32 = 560.0 / 385.0;
/// Extra width per column over its widest cell, so a renderer with other rounding (LibreOffice)
/// still fits the text on one line.
const COLUMN_SLACK: f32 = 4.0;

/// Every reach service's public report for one locality, in the dataset's service order:
/// `PublicDataset::reach(id, IMD quintiles, locality, reps)` with the deck's seed.
pub fn locality_reach(
    public: &PublicDataset,
    locality: &Area,
    services: &[String],
    reps: u32,
    seed: u64,
) -> Result<Vec<ReachReport>, SlidesError> {
    services
        .iter()
        .map(|id| -> Result<ReachReport, SlidesError> {
            Ok(public.reach_seeded(id, DECK_GROUPING, Some(locality.name.clone()), reps, seed)?)
        })
        .collect()
}

/// The unit all the services' rates share (every reach indicator is "per 1,000"), if they do.
fn shared_unit(reports: &[ReachReport]) -> Option<&str> {
    let first = reports.first()?.table.indicator.unit.as_str();
    reports
        .iter()
        .all(|r| r.table.indicator.unit == first)
        .then_some(first)
}

/// "0–4" from a service's age band "0-4".
fn ages_text(ages: &str) -> String {
    ages.replace('-', "–")
}

/// A rate as the table prints it: a whole number ("747", "1,032"), with the unit only when the
/// header cannot name one unit for every row.
pub fn rate_text(table: &GapTable, value: f64, unit_in_header: bool) -> String {
    if unit_in_header {
        whole(value)
    } else {
        format!("{} {}", whole(value), table.indicator.unit)
    }
}

/// One quintile's cell: its rate, [`WITHHELD`], [`NO_AREA`] or "no data".
fn quintile_cell(table: &GapTable, quintile: u32, unit_in_header: bool) -> String {
    let group = table
        .groups
        .iter()
        .find(|g| g.key.parse::<u32>().ok() == Some(quintile));
    match group {
        None => NO_AREA.into(),
        Some(g) if g.suppressed => WITHHELD.into(),
        Some(GapGroup { value: Some(v), .. }) => rate_text(table, *v, unit_in_header),
        Some(_) => "no data".into(),
    }
}

/// A whole number ("1,032", "-45"); one that rounds to zero is "0", never "-0" (`num` keeps
/// the sign, as the web's Intl formatting does, which reads oddly in a CI: "-0 to 12").
fn whole(value: f64) -> String {
    match num(Some(value), 0) {
        text if text == "-0" => "0".into(),
        text => text,
    }
}

/// A whole number with its sign ("+312", "-45", "0"), as the reach reading writes the SII.
fn signed(value: f64) -> String {
    let text = whole(value);
    if text == "0" || text.starts_with('-') {
        text
    } else {
        format!("+{text}")
    }
}

/// The SII cell: "+312 (120 to 505)" in the rates' unit, or why there is none.
pub fn sii_text(table: &GapTable) -> String {
    match table.summary.sii {
        Some(sii) => format!(
            "{} ({} to {})",
            signed(sii.value),
            whole(sii.lower95),
            whole(sii.upper95)
        ),
        None if withheld_anywhere(table) => WITHHELD.into(),
        None => "not available".into(),
    }
}

/// Whether the table withholds a group or says a measure is withheld.
fn withheld_anywhere(table: &GapTable) -> bool {
    table.groups.iter().any(|g| g.suppressed)
        || table.summary.notes.iter().any(|n| n.contains("withheld"))
}

/// The service's name and age band: "Family Hub (0–4)".
fn service_text(report: &ReachReport) -> String {
    format!(
        "{} ({})",
        report.summary.service,
        ages_text(&report.summary.ages)
    )
}

/// The table's text, header first: [service, Q1 … Q5, SII (95% CI)] per service.
pub fn reach_rows(reports: &[ReachReport]) -> Vec<[String; 7]> {
    let unit = shared_unit(reports);
    let first = match unit {
        Some(unit) => format!("Contacts {unit} children"),
        None => "Contacts per child".into(),
    };
    let mut rows = vec![[
        first,
        "Q1 (most deprived)".into(),
        "Q2".into(),
        "Q3".into(),
        "Q4".into(),
        "Q5 (least deprived)".into(),
        "SII (95% CI)".into(),
    ]];
    for r in reports {
        let t = r.table.as_ref();
        let q = |k: u32| quintile_cell(t, k, unit.is_some());
        rows.push([service_text(r), q(1), q(2), q(3), q(4), q(5), sii_text(t)]);
    }
    rows
}

fn weight(bold: bool) -> Weight {
    if bold {
        Weight::Bold
    } else {
        Weight::Regular
    }
}

/// Column widths that hold every cell on one line at `size`: each column its widest cell plus
/// the cell margins and [`COLUMN_SLACK`], the columns in `uniform` (the quintiles) as wide as
/// the widest of them so the figures sit on an even grid, the width left over shared out
/// evenly. `None` when the cells need more than `total`.
fn fitted_columns(
    rows: &[Vec<Cell>],
    size: f32,
    total: f32,
    uniform: std::ops::Range<usize>,
) -> Option<Vec<f32>> {
    let n = rows.first()?.len();
    let mut natural: Vec<f32> = (0..n)
        .map(|c| {
            rows.iter()
                .filter_map(|row| row.get(c))
                .map(|cell| text::text_width(&cell.text, size, weight(cell.bold)))
                .fold(0.0, f32::max)
                + 2.0 * CELL_MARGIN_X
                + COLUMN_SLACK
        })
        .collect();
    if let Some(widest) = natural
        .get(uniform.clone())
        .map(|w| w.iter().copied().fold(0.0, f32::max))
    {
        for w in natural.get_mut(uniform).into_iter().flatten() {
            *w = widest;
        }
    }
    let spare = total - natural.iter().sum::<f32>();
    (spare >= 0.0).then(|| natural.iter().map(|w| w + spare / n as f32).collect())
}

/// The reach table at the largest type size (down to [`MIN_TABLE_SIZE`]) whose rows fit their
/// height and whose columns fit the page. When even the smallest does not fit (a great many
/// services), the smallest with equal columns: the deck's layout check then reports it.
fn reach_table(reports: &[ReachReport], headline: usize) -> Table {
    let text_rows = reach_rows(reports);
    let row_height = (TABLE_MAX_H / text_rows.len() as f32).min(ROW_H);
    let rows: Vec<Vec<Cell>> = text_rows
        .into_iter()
        .enumerate()
        .map(|(i, row)| {
            let emphasis = i == headline + 1 && reports.len() > 1;
            row.into_iter()
                .enumerate()
                .map(|(c, text)| {
                    let align = if c == 0 { Align::Left } else { Align::Right };
                    if i == 0 {
                        header_cell(&text, align)
                    } else {
                        Cell {
                            text,
                            bold: c == 0 || emphasis,
                            align,
                            fill: emphasis.then(|| Colour::hex("#f4f6f8")),
                        }
                    }
                })
                .collect::<Vec<Cell>>()
        })
        .collect();
    let mut size = TABLE_SIZE;
    while size >= MIN_TABLE_SIZE {
        let fits_height = text::line_height(size) + 2.0 * CELL_MARGIN_Y <= row_height;
        if let (true, Some(columns)) = (
            fits_height,
            fitted_columns(&rows, size, TABLE_W, QUINTILE_COLUMNS),
        ) {
            return Table {
                columns,
                rows,
                row_height,
                size,
            };
        }
        size -= 0.5;
    }
    let n = rows.first().map_or(1, Vec::len);
    Table {
        columns: vec![TABLE_W / n as f32; n],
        rows,
        row_height,
        size: MIN_TABLE_SIZE,
    }
}

/// The reading across the top: the headline service's name, then its reading as `/api/reach`
/// words it.
fn reading_shape(headline: &ReachReport) -> Shape {
    let paragraph = Paragraph {
        runs: vec![
            Run::bold(format!("{}: ", headline.summary.service)),
            Run::plain(headline.reading.clone()),
        ],
        ..Paragraph::plain("", 18.0)
    };
    fitted_text("Reading", READING, vec![paragraph], 13.0)
}

/// How to read the slide, beside the map.
fn how_to_read(
    reports: &[ReachReport],
    headline: &ReachReport,
    locality: &str,
    suppress_max: u32,
) -> Vec<Paragraph> {
    let item = |text: String| Paragraph {
        space_before: 6.0,
        bullet: true,
        ..Paragraph::plain(text, 15.0)
    };
    let mut out = vec![Paragraph {
        runs: vec![Run::bold("How to read this")],
        ..Paragraph::plain("", 16.0)
    }];
    out.extend([
        item(format!(
            "Contacts per 1,000 children of the service's age band living in {locality}'s areas, by national IMD quintile (Q1 = the most deprived fifth of areas in England). Contacts, not children: a child seen twice counts twice."
        )),
        item("SII (slope index of inequality): positive = the most deprived are reached more.".into()),
        item(format!(
            "Map: {} reach by area; hatched = withheld.",
            headline.summary.service
        )),
        item(format!(
            "{WITHHELD} = small numbers (1 to {suppress_max} contacts) or a figure that would reveal them; {NO_AREA} = no area of {locality} in that quintile."
        )),
    ]);
    let synthetic: Vec<&str> = reports
        .iter()
        .filter(|r| r.summary.synthetic)
        .map(|r| r.summary.service.as_str())
        .collect();
    if !synthetic.is_empty() {
        out.push(Paragraph {
            runs: vec![Run::bold(format!(
                "The {} records are synthetic demonstration data, not official statistics.",
                synthetic.join(", ")
            ))],
            space_before: 8.0,
            ..Paragraph::plain("", 15.0)
        });
    }
    out
}

/// One quintile row of a service in the speaker notes.
fn group_note(table: &GapTable, g: &GapGroup, suppress_max: u32) -> String {
    if g.suppressed {
        return format!(
            "{}: withheld to protect small numbers (1 to {suppress_max} contacts).",
            g.label
        );
    }
    let meta = &table.indicator;
    match (g.value, g.lower95, g.upper95) {
        (Some(v), Some(lo), Some(hi)) => {
            let counts = match (g.count, g.denominator) {
                (Some(c), Some(d)) => format!(
                    ", {} contacts, {} children",
                    num(Some(c), 0),
                    num(Some(d), 0)
                ),
                _ => String::new(),
            };
            format!(
                "{}: {} (95% CI {} to {}){counts}.",
                g.label,
                value_text(meta, v),
                num(Some(lo), 1),
                num(Some(hi), 1)
            )
        }
        (Some(v), _, _) => format!("{}: {}.", g.label, value_text(meta, v)),
        _ => format!("{}: no data.", g.label),
    }
}

/// Speaker notes: every service's reading and quintile figures, then each service's reach
/// notes (the synthetic warning first where it applies).
pub fn reach_notes(
    reports: &[ReachReport],
    headline: usize,
    locality: &str,
    suppress_max: u32,
) -> Vec<String> {
    let mut notes = vec![format!(
        "Service reach in {locality}: the areas of {locality} by national IMD quintile, exactly as /api/reach?service=…&locality={locality} returns them. The map shows {}.",
        reports
            .get(headline)
            .map_or("the first service", |r| r.summary.service.as_str())
    )];
    for r in reports {
        notes.push(format!("{}: {}", service_text(r), r.reading));
        notes.extend(
            r.table
                .groups
                .iter()
                .map(|g| group_note(&r.table, g, suppress_max)),
        );
    }
    for r in reports {
        notes.extend(r.notes.iter().cloned());
    }
    notes
}

/// The source line: each service's records and months, and where the figures come from.
fn footer_text(reports: &[ReachReport], locality: &str, built_at: &str) -> String {
    let records = reports
        .iter()
        .map(|r| {
            format!(
                "{} records{}, {} to {}",
                r.summary.service,
                if r.summary.synthetic {
                    " (synthetic)"
                } else {
                    ""
                },
                r.summary.first_month,
                r.summary.last_month
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    format!(
        "{records}. Reach figures: {locality}'s areas by national IMD quintile (/api/reach). Built {}.",
        date_text(built_at)
    )
}

/// The map frame under a table `table_h` tall: as tall as the space above the footer allows,
/// the indicator slides' aspect.
fn map_frame(table_h: f32) -> Rect {
    let top = TABLE_TOP + table_h + GUTTER;
    let h = FOOTER.y - GUTTER / 2.0 - top;
    Rect::new(MARGIN, top, (h * MAP_ASPECT).min(560.0), h)
}

/// The "Service reach" slide of one locality; `headline` indexes `reports`.
pub fn reach_slide(
    public: &PublicDataset,
    locality: &Area,
    reports: &[ReachReport],
    headline: usize,
) -> Result<Slide, SlidesError> {
    let dataset = public.dataset();
    let max = dataset.meta.suppress_max_count;
    let lead = reports.get(headline).ok_or(SlidesError::NoReach)?;
    let table = reach_table(reports, headline);
    let table_frame = Rect::new(
        MARGIN,
        TABLE_TOP,
        TABLE_W,
        table.row_height * table.rows.len() as f32,
    );
    let map = map_frame(table_frame.h);
    let notes_x = map.x + map.w + GUTTER * 2.0;
    let notes_frame = Rect::new(notes_x, map.y, SLIDE_W - MARGIN - notes_x, map.h);
    let png = map_png(
        public,
        MapLayer::Indicator(lead.summary.indicator_id.clone()),
        locality,
        map,
    )?;
    let synthetic = reports
        .iter()
        .any(|r| r.summary.synthetic || r.table.synthetic);
    let title = format!("Service reach: {}", locality.name);
    Ok(Slide {
        layout: Layout::TitleOnly,
        title_size: layout::fit_title_size(Layout::TitleOnly, &title),
        title,
        shapes: vec![
            reading_shape(lead),
            Shape {
                name: "Reach by IMD quintile".into(),
                frame: table_frame,
                content: Content::Table(table),
            },
            picture(
                "Reach map",
                map,
                Arc::new(png),
                format!(
                    "Map of {} reach ({}) in {} locality by area, in five classes, withheld areas hatched; {}",
                    lead.summary.service,
                    lead.table.indicator.name,
                    locality.name,
                    if synthetic { "synthetic demonstration data." } else { "public values." }
                ),
            ),
            fitted_text(
                "How to read",
                notes_frame,
                how_to_read(reports, lead, &locality.name, max),
                9.0,
            ),
            footer_box(footer_text(reports, &locality.name, &dataset.meta.built_at)),
        ],
        notes: reach_notes(reports, headline, &locality.name, max),
        synthetic_banner: synthetic,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sii_is_signed_like_the_reading() {
        assert_eq!(signed(312.4), "+312");
        assert_eq!(signed(-45.6), "-46");
        assert_eq!(signed(-0.2), "0");
        assert_eq!(signed(0.2), "0");
        assert_eq!(signed(1234.0), "+1,234");
    }

    #[test]
    fn a_bound_that_rounds_to_zero_is_unsigned() {
        assert_eq!(whole(-0.3), "0");
        assert_eq!(whole(-0.6), "-1");
        assert_eq!(whole(1032.4), "1,032");
    }

    #[test]
    fn columns_share_the_spare_width_and_refuse_what_does_not_fit() {
        let row = |texts: [&str; 2]| -> Vec<Cell> {
            texts
                .iter()
                .map(|t| Cell {
                    text: (*t).to_string(),
                    bold: false,
                    align: Align::Left,
                    fill: None,
                })
                .collect()
        };
        let rows = vec![row(["Service", "Q1"]), row(["Family Hub (0–4)", "1,032"])];
        let widths = fitted_columns(&rows, 14.0, 400.0, 0..0).unwrap();
        assert!((widths.iter().sum::<f32>() - 400.0).abs() < 0.01);
        assert!(widths[0] > widths[1]);
        assert!(fitted_columns(&rows, 14.0, 60.0, 0..0).is_none());
        // Made uniform, both columns take the wider one's width and still share the rest.
        let even = fitted_columns(&rows, 14.0, 400.0, 0..2).unwrap();
        assert!((even[0] - even[1]).abs() < 0.01, "{even:?}");
        assert!((even.iter().sum::<f32>() - 400.0).abs() < 0.01);
        // Two columns of the widest cell: what a uniform table needs at least.
        let widest = text::text_width("Family Hub (0–4)", 14.0, Weight::Regular)
            + 2.0 * CELL_MARGIN_X
            + COLUMN_SLACK;
        assert!(fitted_columns(&rows, 14.0, 2.0 * widest + 0.5, 0..2).is_some());
        assert!(fitted_columns(&rows, 14.0, 2.0 * widest - 0.5, 0..2).is_none());
    }
}

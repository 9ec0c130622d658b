//! Slide geometry and text layout shared by the deck builder and both writers: the 16:9 page,
//! the banner and title positions, and line breaking with the bundled font's metrics, so the
//! PDF breaks lines where PowerPoint and LibreOffice do (Carlito = Calibri metrics) and the
//! builder can check that every text fits its box before anything is written.

use super::model::{Align, Layout, Paragraph, Rect, Table, TextBox};
use crate::render::colour::Colour;
use crate::render::text::{self, Weight};

/// 13.333 × 7.5 inches (PowerPoint's 16:9), in points.
pub const SLIDE_W: f32 = 960.0;
pub const SLIDE_H: f32 = 540.0;
/// EMU per point (OOXML lengths).
pub const EMU_PER_PT: f32 = 12_700.0;

/// The synthetic-data banner across the top of a slide.
pub const BANNER: Rect = Rect::new(0.0, 0.0, SLIDE_W, 24.0);
pub const BANNER_TEXT: &str = "Synthetic demonstration data — not official statistics";
pub const BANNER_SIZE: f32 = 13.0;
pub const BANNER_COLOUR: Colour = Colour::BANNER;

/// The banner's text box (drawn over a [`BANNER_COLOUR`] fill, centred both ways).
pub fn banner_box() -> TextBox {
    TextBox {
        paragraphs: vec![Paragraph {
            runs: vec![super::model::Run::bold(BANNER_TEXT)],
            size: BANNER_SIZE,
            align: Align::Centre,
            space_before: 0.0,
            bullet: false,
        }],
        fill: Some(BANNER_COLOUR),
    }
}

/// Left and right page margin.
pub const MARGIN: f32 = 28.0;
/// Hanging indent of a bulleted paragraph.
pub const BULLET_INDENT: f32 = 16.0;
/// Cell margins in tables: left/right, top/bottom.
pub const CELL_MARGIN_X: f32 = 5.0;
pub const CELL_MARGIN_Y: f32 = 2.0;

/// Where the title placeholder sits on each layout, and its type size.
pub fn title_frame(layout: Layout) -> Rect {
    match layout {
        Layout::Title => Rect::new(MARGIN + 20.0, 56.0, 420.0, 150.0),
        Layout::TitleOnly => Rect::new(MARGIN, 30.0, SLIDE_W - 2.0 * MARGIN, 40.0),
    }
}

pub fn title_size(layout: Layout) -> f32 {
    match layout {
        Layout::Title => 36.0,
        Layout::TitleOnly => 26.0,
    }
}

/// Title placeholder text, one paragraph, bold.
pub fn title_paragraph(title: &str, size: f32) -> Paragraph {
    Paragraph {
        runs: vec![super::model::Run::bold(title)],
        size,
        align: Align::Left,
        space_before: 0.0,
        bullet: false,
    }
}

/// A run of text on a laid-out line.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// Offset from the box's left edge.
    pub x: f32,
    pub text: String,
    pub bold: bool,
    pub colour: Colour,
}

/// One laid-out line: baseline offset from the box top, size, segments.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub baseline: f32,
    pub size: f32,
    pub segments: Vec<Segment>,
    /// The bullet's x, when the line opens a bulleted paragraph.
    pub bullet_at: Option<f32>,
}

/// A word with its style and whether a space precedes it.
struct Token<'a> {
    text: &'a str,
    bold: bool,
    colour: Colour,
    space_before: bool,
}

fn weight(bold: bool) -> Weight {
    if bold {
        Weight::Bold
    } else {
        Weight::Regular
    }
}

fn tokens(p: &Paragraph) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut pending_space = false;
    for run in &p.runs {
        let mut rest = run.text.as_str();
        while !rest.is_empty() {
            let trimmed = rest.trim_start_matches(' ');
            if trimmed.len() < rest.len() {
                pending_space = true;
            }
            if trimmed.is_empty() {
                break;
            }
            let end = trimmed.find(' ').unwrap_or(trimmed.len());
            out.push(Token {
                text: &trimmed[..end],
                bold: run.bold,
                colour: run.colour,
                space_before: pending_space && !out.is_empty(),
            });
            pending_space = false;
            rest = &trimmed[end..];
        }
    }
    out
}

/// Break one paragraph into lines `width` wide; baselines start at 0 (the first line's top).
fn paragraph_lines(p: &Paragraph, width: f32) -> Vec<Line> {
    let indent = if p.bullet { BULLET_INDENT } else { 0.0 };
    let avail = width - indent;
    let lh = text::line_height(p.size);
    let mut lines: Vec<(f32, Vec<Segment>)> = Vec::new();
    let mut current: Vec<Segment> = Vec::new();
    let mut x = 0.0f32;
    for t in tokens(p) {
        let w = text::text_width(t.text, p.size, weight(t.bold));
        let space = if t.space_before && !current.is_empty() {
            text::text_width(" ", p.size, weight(t.bold))
        } else {
            0.0
        };
        if !current.is_empty() && x + space + w > avail {
            lines.push((x, std::mem::take(&mut current)));
            x = 0.0;
        }
        let space = if current.is_empty() { 0.0 } else { space };
        match current.last_mut() {
            // Same style and adjacent: extend the segment (one text run per style in the PDF).
            Some(last) if last.bold == t.bold && last.colour == t.colour => {
                if space > 0.0 {
                    last.text.push(' ');
                }
                last.text.push_str(t.text);
            }
            _ => current.push(Segment {
                x: indent + x + space,
                text: t.text.to_string(),
                bold: t.bold,
                colour: t.colour,
            }),
        }
        x += space + w;
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push((x, current));
    }
    lines
        .into_iter()
        .enumerate()
        .map(|(i, (line_w, segments))| {
            let shift = match p.align {
                Align::Left => 0.0,
                Align::Centre => (avail - line_w) / 2.0,
                Align::Right => avail - line_w,
            };
            Line {
                baseline: i as f32 * lh + text::ascent(p.size),
                size: p.size,
                segments: segments
                    .into_iter()
                    .map(|s| Segment {
                        x: s.x + shift,
                        ..s
                    })
                    .collect(),
                bullet_at: (p.bullet && i == 0).then_some(0.0),
            }
        })
        .collect()
}

/// The layout's title size, or smaller (in 1 pt steps, down to 16 pt) until `title` fits the
/// title frame.
pub fn fit_title_size(layout: Layout, title: &str) -> f32 {
    let frame = title_frame(layout);
    let mut size = title_size(layout);
    while size > 16.0 {
        let tb = TextBox {
            paragraphs: vec![title_paragraph(title, size)],
            fill: None,
        };
        if check_text("title", &tb, frame).is_ok() {
            break;
        }
        size -= 1.0;
    }
    size
}

/// Lay out a text box's paragraphs in a box `width` wide; returns the lines and the height.
pub fn layout_text(tb: &TextBox, width: f32) -> (Vec<Line>, f32) {
    let mut out = Vec::new();
    let mut top = 0.0f32;
    for (i, p) in tb.paragraphs.iter().enumerate() {
        if i > 0 {
            top += p.space_before;
        }
        let lines = paragraph_lines(p, width);
        let lh = text::line_height(p.size);
        for l in &lines {
            out.push(Line {
                baseline: top + l.baseline,
                ..l.clone()
            });
        }
        top += lines.len() as f32 * lh;
    }
    (out, top)
}

/// Lay out one cell's text in a column `width` wide (margins included).
pub fn layout_cell(text_: &str, bold: bool, align: Align, size: f32, width: f32) -> Vec<Line> {
    let p = Paragraph {
        runs: vec![super::model::Run {
            text: text_.to_string(),
            bold,
            colour: Colour::INK,
        }],
        size,
        align,
        space_before: 0.0,
        bullet: false,
    };
    paragraph_lines(&p, width - 2.0 * CELL_MARGIN_X)
}

/// Why a shape does not fit its frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Overflow {
    pub shape: String,
    pub needed: f32,
    pub available: f32,
}

/// Height a text box needs and whether every line is within its width.
pub fn check_text(name: &str, tb: &TextBox, frame: Rect) -> Result<(), Overflow> {
    let (lines, height) = layout_text(tb, frame.w);
    let widest = lines
        .iter()
        .flat_map(|l| {
            l.segments
                .iter()
                .map(move |s| s.x + text::text_width(&s.text, l.size, weight(s.bold)))
        })
        .fold(0.0, f32::max);
    if height > frame.h + 0.5 || widest > frame.w + 0.5 {
        return Err(Overflow {
            shape: name.to_string(),
            needed: height.max(widest),
            available: frame.h.min(frame.w),
        });
    }
    Ok(())
}

/// Whether every cell of a table fits its row.
pub fn check_table(name: &str, table: &Table, frame: Rect) -> Result<(), Overflow> {
    let needed = table.rows.len() as f32 * table.row_height;
    if needed > frame.h + 0.5 {
        return Err(Overflow {
            shape: name.to_string(),
            needed,
            available: frame.h,
        });
    }
    for row in &table.rows {
        for (cell, &w) in row.iter().zip(&table.columns) {
            let lines = layout_cell(&cell.text, cell.bold, cell.align, table.size, w);
            let h = lines.len() as f32 * text::line_height(table.size) + 2.0 * CELL_MARGIN_Y;
            if lines.len() > 1 || h > table.row_height + 0.5 {
                return Err(Overflow {
                    shape: format!("{name}: {:?}", cell.text),
                    needed: h,
                    available: table.row_height,
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slides::model::Run;

    #[test]
    fn runs_keep_their_style_and_spaces_across_a_line_break() {
        let p = Paragraph {
            runs: vec![
                Run::plain("Gap "),
                Run::bold("6.9 points"),
                Run::plain(" (4.7 to 9.2) between the fifths"),
            ],
            size: 18.0,
            align: Align::Left,
            space_before: 0.0,
            bullet: false,
        };
        let lines = paragraph_lines(&p, 150.0);
        assert!(lines.len() >= 2);
        let text: Vec<String> = lines
            .iter()
            .map(|l| {
                l.segments
                    .iter()
                    .map(|s| s.text.as_str())
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect();
        assert!(text[0].starts_with("Gap|6.9 points"), "{}", text[0]);
        assert!(lines[0].segments[1].bold && !lines[0].segments[0].bold);
        let all: String = lines
            .iter()
            .flat_map(|l| l.segments.iter().map(|s| s.text.clone()))
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(all, "Gap 6.9 points (4.7 to 9.2) between the fifths");
    }

    #[test]
    fn text_that_does_not_fit_is_reported() {
        let tb = TextBox {
            paragraphs: vec![Paragraph::plain(
                "a long sentence that will need several lines here",
                20.0,
            )],
            fill: None,
        };
        assert!(check_text("t", &tb, Rect::new(0.0, 0.0, 600.0, 30.0)).is_ok());
        assert!(check_text("t", &tb, Rect::new(0.0, 0.0, 100.0, 30.0)).is_err());
    }
}

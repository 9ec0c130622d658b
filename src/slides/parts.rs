//! Pieces shared by the slide builders ([`super::content`], [`super::placement`],
//! [`super::reach`]): the frames of a "figure slide" (reading across the top, map on the left,
//! footer), the deck's grouping, a locality's map image, text boxes that shrink to fit,
//! pictures, the figures' pixel ratio and dates in words.

use super::error::SlidesError;
use super::layout::{check_text, MARGIN, SLIDE_W};
use super::model::{Align, Cell, Content, Paragraph, Picture, Rect, Run, Shape, TextBox};
use crate::dataset::Area;
use crate::figures::map::{render_map_png, MapLayer, MapRequest};
use crate::gaps::GroupBy;
use crate::public::PublicDataset;
use crate::render::colour::Colour;
use std::sync::Arc;

/// The grouping of every slide's gap and reach figures: national IMD quintiles (the default of
/// `/api/gaps` and `/api/reach`).
pub const DECK_GROUPING: GroupBy = GroupBy::ImdQuintile;

// Frames on a figure slide (points).
pub const READING: Rect = Rect::new(MARGIN, 74.0, SLIDE_W - 2.0 * MARGIN, 48.0);
pub const MAP: Rect = Rect::new(MARGIN, 128.0, 560.0, 385.0);
pub const FOOTER: Rect = Rect::new(MARGIN, 518.0, SLIDE_W - 2.0 * MARGIN, 18.0);

/// Reading size; shrunk (to no less than `MIN_READING`) when a long name needs it.
const READING_SIZE: f32 = 18.0;
const MIN_READING: f32 = 13.0;

/// Every figure's images are at least this many pixels wide.
const MIN_IMAGE_PX: f32 = 1600.0;

/// Pixel ratio that makes a frame at least [`MIN_IMAGE_PX`] wide and at least 3 px per point.
pub fn pixel_ratio(frame: Rect) -> f32 {
    (MIN_IMAGE_PX / frame.w).max(3.0)
}

/// A header cell of a slide's table (bold on the header grey).
pub fn header_cell(text: &str, align: Align) -> Cell {
    Cell {
        text: text.to_string(),
        bold: true,
        align,
        fill: Some(Colour::hex("#e9edf1")),
    }
}

/// A body cell of a slide's table.
pub fn cell(text: String, bold: bool, align: Align) -> Cell {
    Cell {
        text,
        bold,
        align,
        fill: None,
    }
}

/// The one-line reading across the top of a figure slide.
pub fn reading_box(text: &str) -> Shape {
    fitted_text(
        "Reading",
        READING,
        vec![Paragraph::plain(text, READING_SIZE)],
        MIN_READING,
    )
}

/// The source line at the foot of a figure slide.
pub fn footer_box(text: String) -> Shape {
    let paragraph = Paragraph {
        runs: vec![Run {
            colour: Colour::INK_2,
            ..Run::plain(text)
        }],
        ..Paragraph::plain("", 10.0)
    };
    fitted_text("Footer", FOOTER, vec![paragraph], 7.0)
}

/// A text box whose paragraphs shrink together (down to `min` for the largest) until they
/// fit the frame.
pub fn fitted_text(name: &str, frame: Rect, paragraphs: Vec<Paragraph>, min: f32) -> Shape {
    let largest = paragraphs.iter().map(|p| p.size).fold(0.0, f32::max);
    let mut scale = 1.0f32;
    loop {
        let scaled: Vec<Paragraph> = paragraphs
            .iter()
            .map(|p| Paragraph {
                size: (p.size * scale * 2.0).round() / 2.0,
                space_before: p.space_before * scale,
                ..p.clone()
            })
            .collect();
        let tb = TextBox {
            paragraphs: scaled,
            fill: None,
        };
        if check_text(name, &tb, frame).is_ok() || largest * scale * 0.95 < min {
            return Shape {
                name: name.to_string(),
                frame,
                content: Content::Text(tb),
            };
        }
        scale *= 0.95;
    }
}

/// The map of one indicator (or IMD) for a locality, at `frame`'s size: the locality in the
/// public legend's classes (withheld areas hatched), the rest of the county grey.
pub fn map_png(
    public: &PublicDataset,
    layer: MapLayer,
    locality: &Area,
    frame: Rect,
) -> Result<Vec<u8>, SlidesError> {
    let ratio = pixel_ratio(frame);
    let request = MapRequest {
        layer,
        level: None,
        locality: Some(locality.code.clone()),
        width: (frame.w * ratio).round() as u32,
        height: (frame.h * ratio).round() as u32,
        pixel_ratio: ratio,
    };
    Ok(render_map_png(public, &request)?)
}

pub fn picture(name: &str, frame: Rect, png: Arc<Vec<u8>>, description: String) -> Shape {
    Shape {
        name: name.to_string(),
        frame,
        content: Content::Image(Picture { png, description }),
    }
}

/// "1 December 2026" from an RFC 3339 time (the text as given when it cannot be read).
pub fn date_text(rfc3339: &str) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let date = rfc3339.get(..10).unwrap_or(rfc3339);
    let parts: Vec<&str> = date.split('-').collect();
    match parts.as_slice() {
        [y, m, d] => match (m.parse::<usize>(), d.parse::<u32>()) {
            (Ok(m @ 1..=12), Ok(d)) => format!("{d} {} {y}", MONTHS[m - 1]),
            _ => rfc3339.to_string(),
        },
        _ => rfc3339.to_string(),
    }
}

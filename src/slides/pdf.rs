//! PDF writer: a [`Deck`] as a PDF, one 960 × 540 pt page per slide, with krilla.
//!
//! Text is real text in the bundled Carlito (embedded as a subset, with a ToUnicode map, so
//! `pdftotext` and screen readers get the words), laid out by [`super::layout`] exactly where
//! the PPTX's Calibri text falls. Images are the same PNGs as in the PPTX (embedded once each,
//! however many slides show them). Speaker notes are not printed: the PDF is the handout.
//!
//! Byte-stable: krilla writes no time of its own; the creation date comes from the deck
//! (the dataset's `built_at`) and the document id is the deck's content id.

use super::error::SlidesError;
use super::layout::{
    self, layout_cell, layout_text, title_frame, title_paragraph, Line, BANNER, SLIDE_H, SLIDE_W,
};
use super::model::{Content, Deck, Rect, Slide, Table, TextBox};
use crate::render::colour::Colour;
use crate::render::text::{self, Weight};
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Size, Transform};
use krilla::image::Image;
use krilla::metadata::{DateTime, Metadata};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use krilla::{Data, Document};
use std::collections::HashMap;
use std::sync::Arc;

/// Table rules and cell borders.
const RULE: Colour = Colour::hex("#c4cbd3");

struct Fonts {
    regular: Font,
    bold: Font,
}

impl Fonts {
    fn load() -> Result<Fonts, SlidesError> {
        let font = |w: Weight| {
            let data: Arc<dyn AsRef<[u8]> + Send + Sync> = Arc::new(w.font_bytes());
            Font::new(Data::from(data), 0)
                .ok_or_else(|| SlidesError::Pdf("the bundled font could not be read".into()))
        };
        Ok(Fonts {
            regular: font(Weight::Regular)?,
            bold: font(Weight::Bold)?,
        })
    }

    fn get(&self, bold: bool) -> Font {
        if bold {
            self.bold.clone()
        } else {
            self.regular.clone()
        }
    }
}

fn fill(colour: Colour) -> Fill {
    Fill {
        paint: rgb::Color::new(colour.r, colour.g, colour.b).into(),
        opacity: NormalizedF32::ONE,
        rule: FillRule::NonZero,
    }
}

fn fill_rect(surface: &mut Surface, r: Rect, colour: Colour) {
    let mut pb = PathBuilder::new();
    if let Some(rect) = krilla::geom::Rect::from_xywh(r.x, r.y, r.w, r.h) {
        pb.push_rect(rect);
    }
    if let Some(path) = pb.finish() {
        surface.set_stroke(None);
        surface.set_fill(Some(fill(colour)));
        surface.draw_path(&path);
    }
}

fn rule(surface: &mut Surface, from: (f32, f32), to: (f32, f32)) {
    let mut pb = PathBuilder::new();
    pb.move_to(from.0, from.1);
    pb.line_to(to.0, to.1);
    if let Some(path) = pb.finish() {
        surface.set_fill(None);
        surface.set_stroke(Some(Stroke {
            paint: rgb::Color::new(RULE.r, RULE.g, RULE.b).into(),
            width: 0.5,
            ..Stroke::default()
        }));
        surface.draw_path(&path);
        surface.set_stroke(None);
    }
}

/// Draw laid-out lines with their top-left at (x, y).
fn draw_lines(surface: &mut Surface, fonts: &Fonts, lines: &[Line], x: f32, y: f32) {
    for line in lines {
        if let Some(bx) = line.bullet_at {
            surface.set_fill(Some(fill(Colour::INK)));
            surface.draw_text(
                Point::from_xy(x + bx, y + line.baseline),
                fonts.get(false),
                line.size,
                "•",
                false,
                TextDirection::Auto,
            );
        }
        for seg in &line.segments {
            surface.set_fill(Some(fill(seg.colour)));
            surface.draw_text(
                Point::from_xy(x + seg.x, y + line.baseline),
                fonts.get(seg.bold),
                line.size,
                &seg.text,
                false,
                TextDirection::LeftToRight,
            );
        }
    }
}

fn draw_text_box(surface: &mut Surface, fonts: &Fonts, tb: &TextBox, frame: Rect) {
    if let Some(colour) = tb.fill {
        fill_rect(surface, frame, colour);
    }
    let (lines, _) = layout_text(tb, frame.w);
    draw_lines(surface, fonts, &lines, frame.x, frame.y);
}

fn draw_table(surface: &mut Surface, fonts: &Fonts, t: &Table, frame: Rect) {
    let lh = text::line_height(t.size);
    let mut y = frame.y;
    for row in &t.rows {
        let mut x = frame.x;
        for (cell, &w) in row.iter().zip(&t.columns) {
            if let Some(colour) = cell.fill {
                fill_rect(surface, Rect::new(x, y, w, t.row_height), colour);
            }
            let lines = layout_cell(&cell.text, cell.bold, cell.align, t.size, w);
            let top = y + (t.row_height - lines.len() as f32 * lh) / 2.0;
            draw_lines(surface, fonts, &lines, x + layout::CELL_MARGIN_X, top);
            x += w;
        }
        y += t.row_height;
    }
    // Cell borders, as the PPTX's.
    let right = frame.x + t.columns.iter().sum::<f32>();
    for i in 0..=t.rows.len() {
        let ry = frame.y + i as f32 * t.row_height;
        rule(surface, (frame.x, ry), (right, ry));
    }
    let mut x = frame.x;
    for w in std::iter::once(&0.0).chain(&t.columns) {
        x += w;
        rule(surface, (x, frame.y), (x, y));
    }
}

fn draw_slide(
    surface: &mut Surface,
    fonts: &Fonts,
    images: &mut HashMap<*const Vec<u8>, Image>,
    slide: &Slide,
) -> Result<(), SlidesError> {
    let title = TextBox {
        paragraphs: vec![title_paragraph(&slide.title, slide.title_size)],
        fill: None,
    };
    draw_text_box(surface, fonts, &title, title_frame(slide.layout));
    for shape in &slide.shapes {
        match &shape.content {
            Content::Text(tb) => draw_text_box(surface, fonts, tb, shape.frame),
            Content::Table(t) => draw_table(surface, fonts, t, shape.frame),
            Content::Image(pic) => {
                let key = Arc::as_ptr(&pic.png);
                let image = match images.get(&key) {
                    Some(image) => image.clone(),
                    None => {
                        let image = Image::from_png(Data::from(Arc::clone(&pic.png)), true)
                            .map_err(|e| {
                                SlidesError::Pdf(format!("image {:?}: {e}", shape.name))
                            })?;
                        images.insert(key, image.clone());
                        image
                    }
                };
                let size = Size::from_wh(shape.frame.w, shape.frame.h).ok_or_else(|| {
                    SlidesError::Pdf(format!("image {:?} has no size", shape.name))
                })?;
                surface.push_transform(&Transform::from_translate(shape.frame.x, shape.frame.y));
                surface.draw_image(image, size);
                surface.pop();
            }
        }
    }
    if slide.synthetic_banner {
        // Vertically centred, as the PPTX's anchor="ctr".
        let tb = layout::banner_box();
        fill_rect(surface, BANNER, layout::BANNER_COLOUR);
        let (lines, height) = layout_text(&tb, BANNER.w);
        draw_lines(
            surface,
            fonts,
            &lines,
            BANNER.x,
            BANNER.y + (BANNER.h - height) / 2.0,
        );
    }
    Ok(())
}

/// PDF date from an RFC 3339 time ("2026-12-01T10:20:30Z"), UTC.
fn pdf_date(created: &str) -> Option<DateTime> {
    let field = |from: usize, to: usize| created.get(from..to).and_then(|s| s.parse::<u16>().ok());
    let small = |v: u16| u8::try_from(v).ok();
    Some(
        DateTime::new(field(0, 4)?)
            .month(small(field(5, 7)?)?)
            .day(small(field(8, 10)?)?)
            .hour(small(field(11, 13)?)?)
            .minute(small(field(14, 16)?)?)
            .second(small(field(17, 19)?)?)
            .utc_offset_hour(0)
            .utc_offset_minute(0),
    )
}

/// Write the deck as a PDF.
pub fn write_pdf(deck: &Deck) -> Result<Vec<u8>, SlidesError> {
    let fonts = Fonts::load()?;
    let mut document = Document::new();
    let mut metadata = Metadata::new()
        .title(deck.title.clone())
        .creator("gapmap".into())
        .producer("gapmap (krilla)".into())
        .language("en-GB".into())
        .document_id(deck.document_id.clone());
    if let Some(date) = pdf_date(&deck.created) {
        metadata = metadata.creation_date(date);
    }
    document.set_metadata(metadata);
    let mut images = HashMap::new();
    for slide in &deck.slides {
        let settings = PageSettings::from_wh(SLIDE_W, SLIDE_H)
            .ok_or_else(|| SlidesError::Pdf("bad page size".into()))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        draw_slide(&mut surface, &fonts, &mut images, slide)?;
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| SlidesError::Pdf(format!("{e:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creation_date_is_read_from_rfc3339() {
        assert!(pdf_date("2026-12-01T10:20:30Z").is_some());
        assert!(pdf_date("yesterday").is_none());
    }
}

//! Text: the bundled Carlito font, shaping, measuring, wrapping and drawing.
//!
//! The map and chart images and the PDF decks all set text in Carlito (Łukasz Dziedzic, SIL
//! Open Font License 1.1; `assets/fonts/`, with the licence and provenance), compiled into the
//! binary so an image looks the same on every machine. Carlito is metric-compatible with
//! Calibri, the font the PPTX decks name, so a line measured here breaks at the same word in
//! PowerPoint, in LibreOffice (which substitutes Carlito for Calibri) and in our PDF.
//!
//! Text is shaped with rustybuzz (a port of HarfBuzz: kerning and ligatures as the font
//! defines them) and drawn as glyph outlines filled by tiny-skia, so it is anti-aliased and
//! scales with the image's pixel ratio like every other shape.

use crate::render::colour::Colour;
use rustybuzz::ttf_parser;
use std::sync::OnceLock;
use tiny_skia::{FillRule, LineCap, LineJoin, Paint, PathBuilder, Pixmap, Stroke, Transform};

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/Carlito-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/Carlito-Bold.ttf");

/// Font weight: Carlito Regular or Bold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Weight {
    Regular,
    Bold,
}

impl Weight {
    /// The bundled TrueType file for this weight (the PDF writer embeds it).
    pub fn font_bytes(self) -> &'static [u8] {
        match self {
            Weight::Regular => REGULAR,
            Weight::Bold => BOLD,
        }
    }
}

/// A face with its shaping plan for left-to-right Latin text, compiled once (compiling a
/// plan per call was a tenth of the text time).
struct Shaper {
    face: rustybuzz::Face<'static>,
    plan: rustybuzz::ShapePlan,
}

impl Shaper {
    fn new(data: &'static [u8]) -> Shaper {
        // Compiled-in files, checked by `bundled_fonts_parse`; not input from outside.
        let face = rustybuzz::Face::from_slice(data, 0).expect("bundled Carlito parses");
        let plan = rustybuzz::ShapePlan::new(
            &face,
            rustybuzz::Direction::LeftToRight,
            Some(rustybuzz::script::LATIN),
            None,
            &[],
        );
        Shaper { face, plan }
    }
}

fn shaper(weight: Weight) -> &'static Shaper {
    static SHAPERS: OnceLock<[Shaper; 2]> = OnceLock::new();
    let shapers = SHAPERS.get_or_init(|| [Shaper::new(REGULAR), Shaper::new(BOLD)]);
    match weight {
        Weight::Regular => &shapers[0],
        Weight::Bold => &shapers[1],
    }
}

fn face(weight: Weight) -> &'static rustybuzz::Face<'static> {
    &shaper(weight).face
}

/// Distance between baselines of single-spaced lines: (ascender − descender + line gap) of
/// the font, ≈ 1.22 × the size for Carlito as for Calibri (PowerPoint's "single" spacing).
pub fn line_height(size: f32) -> f32 {
    let f = face(Weight::Regular);
    let units = f32::from(f.ascender()) - f32::from(f.descender()) + f32::from(f.line_gap());
    units / f.units_per_em() as f32 * size
}

/// Height of the ascender above the baseline (where the first baseline sits below a box top).
pub fn ascent(size: f32) -> f32 {
    let f = face(Weight::Regular);
    f32::from(f.ascender()) / f.units_per_em() as f32 * size
}

/// A shaped run: glyphs with their pen positions, in the same units as the size.
struct Shaped {
    glyphs: Vec<(ttf_parser::GlyphId, f32, f32)>,
    width: f32,
}

fn shape(text: &str, size: f32, weight: Weight) -> Shaped {
    let Shaper { face, plan } = shaper(weight);
    let mut buffer = rustybuzz::UnicodeBuffer::new();
    buffer.push_str(text);
    buffer.set_direction(rustybuzz::Direction::LeftToRight);
    buffer.set_script(rustybuzz::script::LATIN);
    let output = rustybuzz::shape_with_plan(face, plan, buffer);
    let scale = size / face.units_per_em() as f32;
    let mut pen = 0.0f32;
    let glyphs = output
        .glyph_infos()
        .iter()
        .zip(output.glyph_positions())
        .map(|(info, pos)| {
            let glyph = (
                ttf_parser::GlyphId(u16::try_from(info.glyph_id).unwrap_or(0)),
                pen + pos.x_offset as f32 * scale,
                pos.y_offset as f32 * scale,
            );
            pen += pos.x_advance as f32 * scale;
            glyph
        })
        .collect();
    Shaped { glyphs, width: pen }
}

/// Advance width of `text` set at `size`.
pub fn text_width(text: &str, size: f32, weight: Weight) -> f32 {
    shape(text, size, weight).width
}

/// Greedy word wrap to `max_width`, keeping explicit line breaks. A line's width is the sum of
/// its words' and spaces' widths (kerning across a space is nil in Carlito), so each word is
/// shaped once. A single word wider than the box stays on a line of its own (callers check
/// [`fits`] when overflow matters).
pub fn wrap(text: &str, size: f32, weight: Weight, max_width: f32) -> Vec<String> {
    let space = text_width(" ", size, weight);
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut width = 0.0f32;
        for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
            let w = text_width(word, size, weight);
            if line.is_empty() {
                line.push_str(word);
                width = w;
            } else if width + space + w <= max_width {
                line.push(' ');
                line.push_str(word);
                width += space + w;
            } else {
                lines.push(std::mem::replace(&mut line, word.to_string()));
                width = w;
            }
        }
        lines.push(line);
    }
    lines
}

/// Whether `text` wrapped to `width` at `size` (line height × `spacing`) fits in `height`
/// with no line wider than the box.
pub fn fits(text: &str, size: f32, weight: Weight, width: f32, height: f32, spacing: f32) -> bool {
    let lines = wrap(text, size, weight, width);
    let widest = lines
        .iter()
        .map(|l| text_width(l, size, weight))
        .fold(0.0, f32::max);
    widest <= width && lines.len() as f32 * line_height(size) * spacing <= height + 0.01
}

/// Horizontal placement of a line relative to its x.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

/// How a line of text is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextStyle {
    pub size: f32,
    pub weight: Weight,
    pub colour: Colour,
    /// A halo (outline) behind the glyphs, colour and width, for text over a map.
    pub halo: Option<(Colour, f32)>,
}

impl TextStyle {
    pub fn new(size: f32, weight: Weight, colour: Colour) -> TextStyle {
        TextStyle {
            size,
            weight,
            colour,
            halo: None,
        }
    }
}

/// Collects glyph outlines (font units, y up) into a path in image units (y down).
struct OutlineSink<'a> {
    path: &'a mut PathBuilder,
    scale: f32,
    x: f32,
    y: f32,
}

impl OutlineSink<'_> {
    fn pt(&self, x: f32, y: f32) -> (f32, f32) {
        (self.x + x * self.scale, self.y - y * self.scale)
    }
}

impl ttf_parser::OutlineBuilder for OutlineSink<'_> {
    fn move_to(&mut self, x: f32, y: f32) {
        let (x, y) = self.pt(x, y);
        self.path.move_to(x, y);
    }
    fn line_to(&mut self, x: f32, y: f32) {
        let (x, y) = self.pt(x, y);
        self.path.line_to(x, y);
    }
    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        let (x1, y1) = self.pt(x1, y1);
        let (x, y) = self.pt(x, y);
        self.path.quad_to(x1, y1, x, y);
    }
    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        let (x1, y1) = self.pt(x1, y1);
        let (x2, y2) = self.pt(x2, y2);
        let (x, y) = self.pt(x, y);
        self.path.cubic_to(x1, y1, x2, y2, x, y);
    }
    fn close(&mut self) {
        self.path.close();
    }
}

/// Draw one line of text with its baseline at `(x, baseline)` (image units, before
/// `transform`). Returns the line's width.
pub fn draw_text(
    pixmap: &mut Pixmap,
    text: &str,
    x: f32,
    baseline: f32,
    anchor: Anchor,
    style: &TextStyle,
    transform: Transform,
) -> f32 {
    let shaped = shape(text, style.size, style.weight);
    let start = match anchor {
        Anchor::Start => x,
        Anchor::Middle => x - shaped.width / 2.0,
        Anchor::End => x - shaped.width,
    };
    let face = face(style.weight);
    let scale = style.size / face.units_per_em() as f32;
    let mut builder = PathBuilder::new();
    for &(glyph, gx, gy) in &shaped.glyphs {
        let mut sink = OutlineSink {
            path: &mut builder,
            scale,
            x: start + gx,
            y: baseline - gy,
        };
        face.outline_glyph(glyph, &mut sink);
    }
    let Some(path) = builder.finish() else {
        return shaped.width; // only spaces
    };
    if let Some((halo, width)) = style.halo {
        let stroke = Stroke {
            width,
            line_join: LineJoin::Round,
            line_cap: LineCap::Round,
            ..Stroke::default()
        };
        pixmap.stroke_path(&path, &paint(halo), &stroke, transform, None);
    }
    pixmap.fill_path(
        &path,
        &paint(style.colour),
        FillRule::Winding,
        transform,
        None,
    );
    shaped.width
}

/// An anti-aliased solid paint.
pub fn paint(colour: Colour) -> Paint<'static> {
    let mut p = Paint::default();
    p.set_color(colour.to_skia());
    p.anti_alias = true;
    p
}

/// `num` in `web/js/format.js`: en-GB grouping, exactly `dp` decimals, halves away from zero
/// (ECMA-402 `halfExpand`), "–" for a missing value.
pub fn num(x: Option<f64>, dp: usize) -> String {
    let Some(x) = x.filter(|v| v.is_finite()) else {
        return "–".to_string();
    };
    // The exact decimal expansion decides ties (Rust's own rounding is half-to-even).
    let exact = format!("{:.60}", x.abs());
    let (int_part, frac) = exact.split_once('.').unwrap_or((&exact, ""));
    let tie_up = frac.as_bytes().get(dp).is_some_and(|&d| d >= b'5');
    let mut digits: Vec<u8> = int_part.bytes().chain(frac.bytes().take(dp)).collect();
    if tie_up {
        let mut i = digits.len();
        loop {
            if i == 0 {
                digits.insert(0, b'1');
                break;
            }
            i -= 1;
            if digits[i] == b'9' {
                digits[i] = b'0';
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    let split = digits.len() - dp;
    let int_digits = &digits[..split];
    let mut grouped = String::new();
    for (i, d) in int_digits.iter().enumerate() {
        if i > 0 && (int_digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(char::from(*d));
    }
    // Intl keeps the sign of a negative number that rounds to zero ("-0.0").
    let sign = if x.is_sign_negative() { "-" } else { "" };
    if dp == 0 {
        format!("{sign}{grouped}")
    } else {
        let frac: String = digits[split..].iter().map(|&d| char::from(d)).collect();
        format!("{sign}{grouped}.{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_fonts_parse() {
        for w in [Weight::Regular, Weight::Bold] {
            assert!(rustybuzz::Face::from_slice(w.font_bytes(), 0).is_some());
        }
    }

    #[test]
    fn carlito_has_calibri_line_spacing() {
        // Calibri/Carlito: ascender 1536 + descender 512 + line gap 452 over 2048 units.
        assert!((line_height(100.0) - 122.07).abs() < 0.01);
    }

    #[test]
    fn widths_add_up_and_bold_is_wider() {
        let a = text_width("Durham", 20.0, Weight::Regular);
        assert!(a > 40.0 && a < 80.0, "{a}");
        assert!(text_width("Durham", 20.0, Weight::Bold) > a);
        assert!((text_width("Durham", 40.0, Weight::Regular) - 2.0 * a).abs() < 0.01);
    }

    #[test]
    fn wrap_breaks_between_words_within_the_width() {
        let text = "Year 6 excess weight is 1.2 times as common in the most deprived fifth";
        let lines = wrap(text, 20.0, Weight::Regular, 200.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.join(" "), text);
        for l in &lines {
            assert!(text_width(l, 20.0, Weight::Regular) <= 200.0, "{l}");
        }
        assert_eq!(wrap("a\nb", 12.0, Weight::Regular, 500.0), vec!["a", "b"]);
    }

    #[test]
    fn drawn_text_covers_pixels_only_where_the_line_is() {
        let mut pixmap = Pixmap::new(200, 40).unwrap();
        let style = TextStyle::new(24.0, Weight::Bold, Colour::BLACK);
        let w = draw_text(
            &mut pixmap,
            "Gap",
            10.0,
            30.0,
            Anchor::Start,
            &style,
            Transform::identity(),
        );
        let inked: Vec<usize> = pixmap
            .pixels()
            .iter()
            .enumerate()
            .filter(|(_, p)| p.alpha() > 0)
            .map(|(i, _)| i % 200)
            .collect();
        assert!(!inked.is_empty());
        assert!(*inked.iter().min().unwrap() >= 10);
        assert!((*inked.iter().max().unwrap() as f32) <= 10.0 + w + 1.0);
    }

    #[test]
    fn num_formats_like_intl_en_gb() {
        assert_eq!(num(Some(1234.5), 1), "1,234.5");
        assert_eq!(num(Some(0.125), 2), "0.13"); // exact tie: half away from zero
        assert_eq!(num(Some(1.005), 2), "1.00"); // 1.005 is 1.00499… in binary
        assert_eq!(num(Some(-2.25), 1), "-2.3");
        assert_eq!(num(Some(999.96), 1), "1,000.0");
        assert_eq!(num(Some(1234567.0), 0), "1,234,567");
        assert_eq!(num(None, 1), "–");
    }
}

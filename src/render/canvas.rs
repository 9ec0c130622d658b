//! A drawing surface in logical units: a tiny-skia pixmap `pixel_ratio` times larger, so a
//! figure laid out once is crisp on a 2× projector, and the PNG encoding of the result.

use crate::render::colour::Colour;
use crate::render::text::{self, Anchor, TextStyle};
use crate::render::RenderError;
use tiny_skia::{
    FillRule, LineCap, LineJoin, Mask, Paint, Path, PathBuilder, Pixmap, Rect, Stroke, StrokeDash,
    Transform,
};

/// Largest image side in device pixels (a 16k × 16k RGBA image is 1 GiB).
pub const MAX_SIDE_PX: u32 = 8192;

/// A white canvas `width × height` logical units at `pixel_ratio` device pixels per unit.
pub struct Canvas {
    pixmap: Pixmap,
    transform: Transform,
    pub width: f32,
    pub height: f32,
    pub pixel_ratio: f32,
}

/// A stroke: colour, width in logical units, optional dash pattern.
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    pub colour: Colour,
    pub width: f32,
    pub dash: Option<&'a [f32]>,
}

impl<'a> Line<'a> {
    pub fn solid(colour: Colour, width: f32) -> Line<'a> {
        Line {
            colour,
            width,
            dash: None,
        }
    }
}

impl Canvas {
    pub fn new(width: f32, height: f32, pixel_ratio: f32) -> Result<Canvas, RenderError> {
        let px = |units: f32| (units * pixel_ratio).round();
        let (w, h) = (px(width), px(height));
        if !(w >= 1.0 && h >= 1.0 && w <= MAX_SIDE_PX as f32 && h <= MAX_SIDE_PX as f32) {
            return Err(RenderError::Size {
                width: w,
                height: h,
                max: MAX_SIDE_PX,
            });
        }
        let mut pixmap = Pixmap::new(w as u32, h as u32).ok_or(RenderError::Size {
            width: w,
            height: h,
            max: MAX_SIDE_PX,
        })?;
        pixmap.fill(Colour::WHITE.to_skia());
        Ok(Canvas {
            pixmap,
            transform: Transform::from_scale(pixel_ratio, pixel_ratio),
            width,
            height,
            pixel_ratio,
        })
    }

    /// Device pixel size.
    pub fn size_px(&self) -> (u32, u32) {
        (self.pixmap.width(), self.pixmap.height())
    }

    /// A clip mask covering a rectangle (logical units).
    pub fn clip_rect(&self, x: f32, y: f32, w: f32, h: f32) -> Option<Mask> {
        let rect = Rect::from_xywh(x, y, w, h)?;
        let mut mask = Mask::new(self.pixmap.width(), self.pixmap.height())?;
        mask.fill_path(
            &PathBuilder::from_rect(rect),
            FillRule::Winding,
            true,
            self.transform,
        );
        Some(mask)
    }

    pub fn fill_rect(&mut self, x: f32, y: f32, w: f32, h: f32, colour: Colour) {
        if let Some(rect) = Rect::from_xywh(x, y, w, h) {
            self.pixmap
                .fill_rect(rect, &text::paint(colour), self.transform, None);
        }
    }

    pub fn fill_path(&mut self, path: &Path, colour: Colour, rule: FillRule, clip: Option<&Mask>) {
        self.pixmap
            .fill_path(path, &text::paint(colour), rule, self.transform, clip);
    }

    /// Fill with any paint (e.g. a pattern), in logical units.
    pub fn fill_path_with(
        &mut self,
        path: &Path,
        paint: &Paint,
        rule: FillRule,
        clip: Option<&Mask>,
    ) {
        self.pixmap
            .fill_path(path, paint, rule, self.transform, clip);
    }

    pub fn stroke_path(&mut self, path: &Path, line: Line, clip: Option<&Mask>) {
        let stroke = Stroke {
            width: line.width,
            // Bevel: at a few pixels wide it looks like a round join, and it costs a triangle
            // per vertex instead of an arc (most of the stroking time on a boundary).
            line_join: LineJoin::Bevel,
            line_cap: if line.dash.is_some() {
                LineCap::Butt
            } else {
                LineCap::Round
            },
            dash: line.dash.and_then(|d| StrokeDash::new(d.to_vec(), 0.0)),
            ..Stroke::default()
        };
        self.pixmap.stroke_path(
            path,
            &text::paint(line.colour),
            &stroke,
            self.transform,
            clip,
        );
    }

    /// A polyline through `points`.
    pub fn polyline(&mut self, points: &[(f32, f32)], line: Line, clip: Option<&Mask>) {
        let mut pb = PathBuilder::new();
        for (i, &(x, y)) in points.iter().enumerate() {
            if i == 0 {
                pb.move_to(x, y);
            } else {
                pb.line_to(x, y);
            }
        }
        if let Some(path) = pb.finish() {
            self.stroke_path(&path, line, clip);
        }
    }

    /// One line of text; returns its width.
    pub fn text(
        &mut self,
        s: &str,
        x: f32,
        baseline: f32,
        anchor: Anchor,
        style: &TextStyle,
    ) -> f32 {
        text::draw_text(
            &mut self.pixmap,
            s,
            x,
            baseline,
            anchor,
            style,
            self.transform,
        )
    }

    /// Lines of text from `top`, one line height apart; returns the y below the last line.
    pub fn text_lines(&mut self, lines: &[String], x: f32, top: f32, style: &TextStyle) -> f32 {
        let lh = text::line_height(style.size);
        let mut y = top;
        for line in lines {
            self.text(line, x, y + text::ascent(style.size), Anchor::Start, style);
            y += lh;
        }
        y
    }

    /// The image as an opaque 8-bit RGB PNG. The canvas starts white and everything is drawn
    /// opaque onto it, so the premultiplied RGBA pixels are already the straight RGB values.
    pub fn png(&self) -> Result<Vec<u8>, RenderError> {
        let (w, h) = self.size_px();
        let rgb: Vec<u8> = self
            .pixmap
            .data()
            .chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect();
        let mut out = Vec::with_capacity(rgb.len() / 8);
        {
            let mut encoder = png::Encoder::new(&mut out, w, h);
            encoder.set_color(png::ColorType::Rgb);
            encoder.set_depth(png::BitDepth::Eight);
            // Measured on a 1680 × 1155 map: default deflate with the Sub filter gives 261 KB
            // in 22 ms, against 582 KB in 4 ms (fast) and 275 KB in 340 ms (best).
            encoder.set_compression(png::Compression::Default);
            encoder.set_filter(png::FilterType::Sub);
            let mut writer = encoder.write_header()?;
            writer.write_image_data(&rgb)?;
            writer.finish()?;
        }
        Ok(out)
    }

    /// The raw pixmap (tests and the PDF writer's pixel checks).
    pub fn pixmap(&self) -> &Pixmap {
        &self.pixmap
    }
}

//! The deck model: slides with a title, text boxes, images, tables, speaker notes and the
//! synthetic-data banner flag, positioned in points on a 16:9 page. Both writers
//! ([`super::pptx`], [`super::pdf`]) consume exactly this; neither adds content of its own.

use crate::render::colour::Colour;
use std::sync::Arc;

/// A rectangle in points from the slide's top-left corner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

impl Rect {
    pub const fn new(x: f32, y: f32, w: f32, h: f32) -> Rect {
        Rect { x, y, w, h }
    }
}

/// A whole deck.
#[derive(Debug, Clone, PartialEq)]
pub struct Deck {
    /// Document title (PPTX core properties, PDF metadata).
    pub title: String,
    /// Creation time (RFC 3339), taken from the dataset's `built_at` so output is byte-stable.
    pub created: String,
    /// Stable identifier of this deck's content (PDF document id).
    pub document_id: String,
    pub slides: Vec<Slide>,
}

/// Which slide layout a slide uses (PPTX: a layout part with the title placeholder there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// A large centred title (the deck's and each section's first slide).
    Title,
    /// A title at the top, content below.
    TitleOnly,
}

/// One slide.
#[derive(Debug, Clone, PartialEq)]
pub struct Slide {
    pub layout: Layout,
    /// Goes in the layout's title placeholder.
    pub title: String,
    /// Title type size, points (the layout's size, smaller for a long title).
    pub title_size: f32,
    pub shapes: Vec<Shape>,
    /// Speaker notes, one paragraph each (PPTX notes slide; not printed in the PDF).
    pub notes: Vec<String>,
    /// Draw "Synthetic demonstration data — not official statistics" across the top.
    pub synthetic_banner: bool,
}

/// A positioned shape.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    /// Shape name (PPTX selection pane; also names the figure in tests).
    pub name: String,
    pub frame: Rect,
    pub content: Content,
}

/// What a shape holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    Text(TextBox),
    Image(Picture),
    Table(Table),
}

/// An editable text box (no insets: text starts at the frame's top-left corner).
#[derive(Debug, Clone, PartialEq)]
pub struct TextBox {
    pub paragraphs: Vec<Paragraph>,
    /// Background fill.
    pub fill: Option<Colour>,
}

/// Horizontal alignment of a paragraph or cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Centre,
    Right,
}

/// A paragraph of runs, all one size.
#[derive(Debug, Clone, PartialEq)]
pub struct Paragraph {
    pub runs: Vec<Run>,
    /// Font size in points.
    pub size: f32,
    pub align: Align,
    /// Space above the paragraph, points.
    pub space_before: f32,
    /// A bullet (•) with a hanging indent.
    pub bullet: bool,
}

impl Paragraph {
    /// One plain run.
    pub fn plain(text: impl Into<String>, size: f32) -> Paragraph {
        Paragraph {
            runs: vec![Run::plain(text)],
            size,
            align: Align::Left,
            space_before: 0.0,
            bullet: false,
        }
    }

    pub fn text(&self) -> String {
        self.runs.iter().map(|r| r.text.as_str()).collect()
    }
}

/// A run of text in one style.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub text: String,
    pub bold: bool,
    pub colour: Colour,
}

impl Run {
    pub fn plain(text: impl Into<String>) -> Run {
        Run {
            text: text.into(),
            bold: false,
            colour: Colour::INK,
        }
    }

    pub fn bold(text: impl Into<String>) -> Run {
        Run {
            bold: true,
            ..Run::plain(text)
        }
    }
}

/// An embedded PNG image, stretched to the shape's frame (drawn at the frame's aspect).
#[derive(Debug, Clone, PartialEq)]
pub struct Picture {
    /// PNG bytes (shared: the same figure may appear in several decks).
    pub png: Arc<Vec<u8>>,
    /// Alternative text for screen readers.
    pub description: String,
}

/// A table of text cells, first row as the header.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Column widths in points (sum = the frame's width).
    pub columns: Vec<f32>,
    pub rows: Vec<Vec<Cell>>,
    /// Height of every row, points.
    pub row_height: f32,
    /// Font size, points.
    pub size: f32,
}

/// One table cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub text: String,
    pub bold: bool,
    pub align: Align,
    pub fill: Option<Colour>,
}

//! What a map's legend shows and how each area is filled, as the renderer takes them: plain
//! data the adapter ([`crate::figures::map`]) copies from the public legend
//! ([`crate::public::Legend`], the one classing rule, served as `/api/legend` and drawn by the
//! web map). Nothing here decides a class or a colour.

use crate::render::colour::Colour;

/// The hatch drawn over suppressed areas (`drawIcons` in `web/js/mapview.js`).
pub const SUPPRESSED_HATCH: Colour = Colour::hex("#3d4248");

/// How one area is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AreaClass {
    /// Class index into [`Legend::items`].
    Class(usize),
    /// Withheld to protect small numbers: grey under a hatch.
    Suppressed,
    /// No value: light grey.
    NoData,
}

/// One legend row: a class's colour, its label and how many areas it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct LegendItem {
    pub colour: Colour,
    pub label: String,
    pub count: usize,
}

/// What the map's legend explains (the web's `legend` object).
#[derive(Debug, Clone, PartialEq)]
pub struct Legend {
    pub title: String,
    pub subtitle: String,
    /// One per class, lowest values first (the legend lists them reversed).
    pub items: Vec<LegendItem>,
    /// Areas with no value, and their fill.
    pub no_data: usize,
    pub no_data_colour: Colour,
    /// Areas withheld; `None` where suppression does not apply (IMD).
    pub suppressed: Option<usize>,
    /// The fill under the hatch of a withheld area.
    pub suppressed_colour: Colour,
}

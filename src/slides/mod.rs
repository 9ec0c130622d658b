//! Slide decks for locality forums: a deck per locality (or all localities) with a map, a gap
//! chart, a plain-English reading, key figures and speaker notes per indicator, and a service
//! reach slide per locality (who the Family Hub and other loaded services reach, by national
//! IMD quintile), written as an editable PPTX or as a PDF, from the same public numbers as the
//! map, the gap tables and `/api/reach`.
//!
//! - [`model`]: the deck as plain data (slides, text boxes, images, tables, notes, banner flag).
//! - [`layout`]: the 16:9 page, title and banner positions, line breaking with the font's
//!   metrics, and the fit checks that keep text inside its box.
//! - [`reading`]: the reading sentence, key figures and speaker notes from a gap table.
//! - [`content`]: builds a [`model::Deck`] from the Dataset ([`content::build_deck`]).
//! - [`reach`]: the service reach slide from each service's public reach report (map of the
//!   headline service, rates by quintile and SII per service, reading, notes; `--no-reach`
//!   leaves it out, a reach id in `--indicator` picks the headline).
//! - [`placement`]: the placement proposal slide from a placement report (`--place`).
//! - `parts`: frames and shapes the slide builders share (reading, map image, footer, fitted
//!   text, the deck's grouping).
//! - [`pptx`]: Office Open XML PresentationML writer (the `zip` crate).
//! - [`pdf`]: PDF writer (krilla).
//!
//! The `gapmap slides` arguments and runner are in [`crate::cli::slides`].
//!
//! Output is byte-stable: the same Dataset and request give the same bytes (fixed zip
//! timestamps and PDF dates taken from the dataset's `built_at`, a document id hashed from
//! the content's identity, deterministic ordering), so a deck can be checked by its hash.

pub mod content;
mod error;
pub mod layout;
pub mod model;
mod parts;
pub mod pdf;
pub mod placement;
pub mod pptx;
pub mod reach;
pub mod reading;

pub use content::{build_deck, DeckRequest, LocalityChoice};
pub use error::SlidesError;

/// Output format of a deck.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DeckFormat {
    /// PowerPoint (Office Open XML), editable.
    Pptx,
    /// PDF, for sending and printing.
    Pdf,
}

impl DeckFormat {
    pub fn extension(self) -> &'static str {
        match self {
            DeckFormat::Pptx => "pptx",
            DeckFormat::Pdf => "pdf",
        }
    }

    /// The format a file name asks for (`.pptx`, `.pdf`, any case).
    pub fn from_path(path: &std::path::Path) -> Option<DeckFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        [DeckFormat::Pptx, DeckFormat::Pdf]
            .into_iter()
            .find(|f| f.extension() == ext)
    }
}

/// Write a deck in `format`.
pub fn write_deck(deck: &model::Deck, format: DeckFormat) -> Result<Vec<u8>, SlidesError> {
    match format {
        DeckFormat::Pptx => pptx::write_pptx(deck),
        DeckFormat::Pdf => pdf::write_pdf(deck),
    }
}

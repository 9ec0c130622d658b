//! Map and chart images and slide decks: the map's legend is the public one (`/api/legend`),
//! figures show public values only, decks open in LibreOffice and python-pptx with the gap tables'
//! numbers, and are byte-stable.
#![allow(clippy::unwrap_used)]

#[path = "../support/mod.rs"]
mod support;

mod decks;
mod figures;

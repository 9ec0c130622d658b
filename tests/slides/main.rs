//! Map and chart images and slide decks: the renderer's classes equal the web map's, figures
//! show public values only, decks open in LibreOffice and python-pptx with the gap tables'
//! numbers, and are byte-stable.
#![allow(clippy::unwrap_used)]

#[path = "../support/mod.rs"]
mod support;

mod classes_match_web;
mod decks;
mod figures;

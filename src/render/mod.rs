//! Figures in pure Rust: the choropleth map and the gap chart as PNG images, for slides and
//! (later) `GET /api/map.png`.
//!
//! Pure: plain inputs ([`map::MapSpec`], [`chart::ChartSpec`]) in, pixels out; no I/O, no
//! Dataset. The adapters that build those inputs from the Dataset's public view live in
//! [`crate::figures`].
//!
//! - [`colour`]: the `#rrggbb` colour type.
//! - [`legend`]: the legend and area classes as the map takes them (copied from the public legend).
//! - [`projection`]: Web Mercator fitted to a frame, and the scale bar's ground distance.
//! - [`text`]: the bundled Carlito font: shaping, measuring, wrapping, drawing.
//! - [`canvas`]: a tiny-skia surface in logical units at a pixel ratio, and PNG encoding.
//! - [`map`]: the map image (areas, hatch, outlines, sites, legend, scale bar, north arrow).
//! - [`chart`]: the gap chart image (bars by population share, CI whiskers, SII line).
//!
//! Why tiny-skia: a maintained, dependency-light 2D rasteriser (the one resvg uses) with
//! anti-aliased paths, dashes, clip masks and pattern fills, which is all a choropleth needs;
//! no system libraries, so an image is byte-identical on every machine.

pub mod canvas;
pub mod chart;
pub mod colour;
pub mod legend;
pub mod map;
pub mod projection;
pub mod text;

/// Why an image could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("image size {width}×{height} px is out of range: each side must be 1 to {max} px")]
    Size { width: f32, height: f32, max: u32 },
    #[error("a {width}×{height} figure is too small to lay out; use at least 200×150 units")]
    TooSmall { width: f32, height: f32 },
    #[error("nothing to draw: no area has a boundary")]
    NothingToDraw,
    #[error("could not encode the PNG: {0}")]
    Png(#[from] png::EncodingError),
}

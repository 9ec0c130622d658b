//! Vector tiles: the pure tile engine (values in, MVT bytes out) and the PMTiles writer.
//!
//! A [`TileSet`] ([`tileset`]) is built once per [`crate::dataset::Layer`] at server start (or by `gapmap tiles`) and then
//! answers any `z/x/y` from memory:
//!
//! 1. [`topology`]: the layer's rings are cut into shared arcs, and every vertex gets its
//!    Douglas–Peucker importance once. Each zoom's simplified, quantised arcs are computed on
//!    first use (one linear pass; [`TileSet::prepare`] does all zooms in parallel), so start-up
//!    costs only the topology pass.
//! 2. Per tile: candidate areas from an R-tree of bounding boxes; rings rebuilt from that
//!    zoom's arcs, so neighbours share every vertex (no slivers); tiny *islands* dropped
//!    (nothing else is dropped: see [`topology`]); [`clip`]ped to the tile plus buffer;
//!    oriented per MVT 2.1; encoded by [`mvt`].
//! 3. [`pmtiles`]: a PMTiles v3 archive of the same bytes for static hosting.
//!
//! Tiles hold geometry, ids and static properties only; indicator values are joined in the
//! browser (see [`mvt`] for why).

pub mod clip;
pub mod mvt;
pub mod pmtiles;
#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod test_support;
#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
pub mod tileset;
pub mod topology;

pub use self::pmtiles::{write_archive, write_pmtiles, ArchiveInfo, PmtilesSummary};
pub use self::tileset::{
    TileError, TileOptions, TileSet, EXTENT, PROPERTY_FIELDS, PROPERTY_KEYS, UNITS_PER_PIXEL,
};

//! gapmap: where are children's health gaps, and where should the services that close them go?
//!
//! # Layout
//! - [`level`]: the geography levels (MSOA/LSOA 2011 and 2021, wards, LA, locality).
//! - [`imd`]: IoD score method (exponential transform, domain weights), deciles, ranks.
//! - [`dataset`]: the immutable joined [`dataset::Dataset`] and its R-tree/code indexes.
//! - [`tiles`]: vector tiles: shared-arc simplification, clipping, MVT encoding ([`tiles::TileSet`]) and PMTiles export.

pub mod dataset;
pub mod imd;
pub mod level;
pub mod tiles;

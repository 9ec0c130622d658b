//! gapmap: where are children's health gaps, and where should the services that close them go?
//!
//! # Layout
//! - [`level`]: the geography levels (MSOA/LSOA 2011 and 2021, wards, LA, locality).
//! - [`imd`]: IoD score method (exponential transform, domain weights), deciles, ranks.
//! - [`dataset`]: the immutable joined [`dataset::Dataset`] and its R-tree/code indexes.
//! - [`geoexport`]: GeoJSON and GeoPackage (GDAL) encoding of areas with attributes.
//! - [`server`]: the HTTP server (axum): tiles, JSON API, downloads, OpenAPI, static web map, and the `serve`/`tiles` CLI arguments.

pub mod dataset;
pub mod geoexport;
pub mod imd;
pub mod level;
pub mod server;

//! gapmap: where are children's health gaps, and where should the services that close them go?
//!
//! gapmap joins small-area boundaries (MSOA, LSOA, wards, localities; 2011 and 2021
//! geographies) to the Index of Multiple Deprivation and to health indicators, computes gap
//! statistics the way OHID/Fingertips does, and serves vector tiles, a JSON API and a
//! MapLibre web map. See `README.md` for the two commands that set up and run it, and
//! `ARCHITECTURE.md` for the design.
//!
//! # Layout
//! - [`level`]: the geography levels (MSOA/LSOA 2011 and 2021, wards, LA, locality).
//! - [`imd`]: IoD score method (exponential transform, domain weights), deciles, ranks.
//! - [`dataset`]: the immutable joined [`dataset::Dataset`] and its R-tree/code indexes.
//! - [`config`]: the build config (`data/durham.toml`) and the source registry (`data/sources.toml`).
//! - [`fetch`]: materialises inputs under `data/raw/` from a mirror or the official URL, sha256-checked.
//! - [`ingest`]: loaders — boundaries via GDAL, tables via polars, IMD, population,
//!   indicators (Fingertips export and tidy CSV), localities, sites — each with typed errors.
//! - [`build`]: joins everything into a `Dataset`, derives MSOA/ward/LA IMD.
//! - [`snapshot`]: atomic write (temp + fsync + rename) and checked load of a built `Dataset`.
//! - [`summary`]: the counts `gapmap check`/`build` print.
//! - [`stats`]: pure statistical methods (Wilson, Byar, exact Poisson, means, gaps, SII/RII,
//!   significance, suppression), one method per file with formula and source.
//! - [`gaps`]: gap tables (by IMD decile/quintile, local quintile, locality, area) built from the
//!   Dataset, already suppressed; per-area comparisons; the `gapmap gaps` arguments.
//! - [`disclosure`]: the public view of values: small-number suppression with an exact
//!   disclosure audit across overlapping group totals, applied by every public output.
//! - [`export`]: gap tables as CSV, Parquet and XLSX (with method notes); atomic file writes.
//! - [`geoexport`]: GeoJSON and GeoPackage (GDAL) encoding of areas with attributes.
//! - [`tiles`]: vector tiles: shared-arc simplification, clipping, MVT encoding ([`tiles::TileSet`]) and PMTiles export.
//! - [`render`]: pure map and chart images (tiny-skia, bundled Carlito): the web legend's classes
//!   ported from `web/js/`, Web Mercator, legend, scale bar, north arrow; PNG encoding.
//! - [`figures`]: adapters from the Dataset's public values and gap tables to the renderers'
//!   inputs; [`figures::map::render_map_png`].
//! - [`slides`]: locality slide decks: the deck model, its content (maps, charts, readings,
//!   notes), and the PPTX (Office Open XML) and PDF (krilla) writers.
//! - [`server`]: the HTTP server (axum): tiles, JSON API, downloads, OpenAPI, static web map, and the `serve`/`tiles` CLI arguments.
//! - [`cli`]: clap definitions and one function per subcommand (`gapmap slides` in [`cli::slides`]).
//! - [`error`]: the top-level error type and exit codes (2 = bad input, 1 = internal).
//! - [`progress`]: indicatif progress bars that stay quiet off a terminal.

pub mod build;
pub mod cli;
pub mod config;
pub mod dataset;
pub mod disclosure;
pub mod error;
pub mod export;
pub mod fetch;
pub mod figures;
pub mod gaps;
pub mod geoexport;
pub mod imd;
pub mod ingest;
pub mod level;
pub mod progress;
pub mod render;
pub mod server;
pub mod slides;
pub mod snapshot;
pub mod stats;
pub mod summary;
pub mod tiles;

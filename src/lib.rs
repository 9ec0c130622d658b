//! gapmap: where are children's health gaps, and where should the services that close them go?
//!
//! gapmap joins small-area boundaries (MSOA, LSOA, wards, localities; 2011 and 2021
//! geographies) to the Index of Multiple Deprivation and to health indicators, computes gap
//! statistics the way OHID/Fingertips does, and serves vector tiles, a JSON API and a
//! MapLibre web map. See `README.md` for the two commands that set up and run it, and
//! `ARCHITECTURE.md` for the design.
//!
//! # Layout
//! Lower modules never reach up: `scripts/module-cycles` checks there is no import cycle.
//! - [`level`]: the geography levels (MSOA/LSOA 2011 and 2021, wards, LA, locality) and GSS codes.
//! - [`period`]: period labels (2019, 2019/20, 2018/19 - 20/21, quarters, months) parsed and
//!   ordered in time.
//! - [`imd`]: IoD score method (exponential transform, domain weights), deciles, ranks, editions.
//! - [`fsutil`]: atomic file writes and sha256, the one place a file is replaced.
//! - [`dataset`]: the immutable joined [`dataset::Dataset`] and its R-tree/code indexes.
//! - [`lookup`]: finding an indicator, level, edition, area or locality, each with one rule and
//!   one error listing what exists.
//! - [`config`]: the build config (`data/durham.toml`).
//! - [`fetch`]: the source registry (`data/sources.toml`) and materialising inputs under
//!   `data/raw/` from a mirror or the official URL, sha256-checked.
//! - [`ingest`]: loaders — boundaries via GDAL, tables via polars, IMD, population,
//!   indicators (Fingertips export and tidy CSV, every period), localities, sites, placement
//!   demand/sites/travel-time matrices, service-use records aggregated into reach indicators —
//!   each with typed errors.
//! - [`build`]: joins everything into a `Dataset`, derives MSOA/ward/LA IMD.
//! - [`snapshot`]: the snapshot file format: checked encode/decode of a built `Dataset`.
//! - [`summary`]: the counts `gapmap check`/`build` print.
//! - [`stats`]: pure statistical methods (Wilson, Byar, exact Poisson, means, gaps, SII/RII,
//!   significance, suppression), one method per file with formula and source.
//! - [`analyst`]: `gapmap stats`: PHEindicatormethods-style calculations (proportions, rates,
//!   means, DSR, ISR, quantiles, SII) on an analyst's CSV, with the package's column names.
//! - [`gaps`]: the gap-table engine (by IMD decile/quintile, local quintile, locality, area,
//!   optionally within one locality), a sequence of named stages; crate-private.
//! - [`public`]: the public face, [`public::PublicDataset`]: the only way to get values, gap
//!   tables (any period), gap trends, reach against need, England's SII per period, profiles,
//!   features, search, sites, groupings and legends, with suppression and the disclosure audit
//!   applied inside; and placement requests on the dataset (one path for `gapmap place` and
//!   `/api/place`).
//! - [`place`]: placement of new sites (MCLP, p-median, equity), pure: instance, access,
//!   presolve, greedy + swap, exact MILP (HiGHS), evaluation by IMD quintile, report, and one
//!   request → report (solve, or evaluate a given site set).
//! - [`export`]: gap tables as CSV, Parquet, XLSX (with method notes) and a text table;
//!   `gapmap stats` tables in the same three formats ([`export::table`]); placement
//!   reports as CSV, GeoJSON and XLSX ([`export::placement`]).
//! - [`geoexport`]: GeoJSON and GeoPackage (GDAL) encoding of areas with attributes.
//! - [`tiles`]: vector tiles: shared-arc simplification, clipping, MVT encoding ([`tiles::TileSet`]) and PMTiles export.
//! - [`render`]: pure map and chart images (tiny-skia, bundled Carlito): Web Mercator, areas,
//!   legend, scale bar, north arrow, the gap chart; PNG encoding. Decides no class or colour.
//! - [`figures`]: adapters from the public face (values, `/api/legend`, gap tables with their
//!   chart geometry) to the renderers' inputs; [`figures::map::render_map_png`].
//! - [`slides`]: locality slide decks: the deck model, its content (maps, charts, readings,
//!   notes, the placement proposal slide), the one wording of a gap table (reading, key
//!   figures, also served by `/api/gaps`), and the PPTX (Office Open XML) and PDF (krilla)
//!   writers.
//! - [`uploads`]: indicator, service-use (reach: aggregates only) and site uploads as an
//!   overlay on the built dataset, checked by the build's loaders, persisted atomically in one
//!   file beside the snapshot.
//! - [`postgis`]: PostGIS as the shared store: a dataset written as one generation of tables
//!   (atomic swap), read back whole, and followed by replicas (LISTEN/NOTIFY).
//! - [`server`]: the HTTP server (axum): tiles, JSON API, downloads, placement, map images and
//!   decks, uploads (bearer token, atomic swap of the public face), security headers, OpenAPI,
//!   the static web map and its present mode.
//! - [`cli`]: clap definitions, one file per subcommand (the gap selection `gaps` and `trend`
//!   share in [`cli::args`]), and the CLI's error and exit codes.
//! - [`progress`]: indicatif progress bars that stay quiet off a terminal.

pub mod analyst;
pub mod build;
pub mod cli;
pub mod config;
pub mod dataset;
pub mod export;
pub mod fetch;
pub mod figures;
pub mod fsutil;
pub mod gaps;
pub mod geoexport;
pub mod imd;
pub mod ingest;
pub mod level;
pub mod lookup;
pub mod period;
pub mod place;
pub mod postgis;
pub mod progress;
pub mod public;
pub mod render;
pub mod server;
pub mod slides;
pub mod snapshot;
pub mod stats;
pub mod summary;
#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod test_support;
pub mod tiles;
pub mod uploads;

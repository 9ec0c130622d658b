//! PostGIS as the shared store of a [`Dataset`], so any number of stateless replicas can serve
//! the same data: [`load`] writes a dataset into tables, [`read`] reads it back whole, and
//! [`follow`] tells a running replica when a new one has been loaded.
//!
//! # Design: the same tile engine, fed by PostGIS
//! A replica reads the whole dataset from PostGIS at start (and again on every change
//! notification) into the in-memory [`Dataset`], then serves tiles and the API from it with the
//! same code as a single server: the tile engine (shared-arc simplification, the integer
//! overlay that makes every feature valid), the public face (suppression, the disclosure
//! audit) and the caches. The alternative, tiles through `ST_AsMVT`, would be a second tile
//! engine with its own simplification and clipping (`ST_AsMVTGeom` simplifies each polygon on
//! its own, so neighbours' borders would no longer match) and every `/api/gaps` would still
//! need the in-memory statistics; reading once costs a few hundred milliseconds for Durham and
//! makes every replica's answers identical to the single server's by construction. The tables
//! are ordinary PostGIS tables with GiST indexes, so other tools (QGIS, Martin) can read them.
//!
//! # Layout in the database
//! - `gapmap.current`: one row, the generation and schema being served.
//! - `gapmap_g<N>`: generation N's tables ([`schema`]): `dataset_meta`, `sources`, `layers`,
//!   `areas` (geometry in EPSG:4326 and 27700, GiST-indexed), `area_imd`, `indicators`,
//!   `indicator_periods`, `indicator_values`, `comparators`, `national_by_deprivation`,
//!   `sites`, `postcodes`, `reach`.
//! - `gapmap.areas_<level>`: views of the current generation's areas of one level, for tools.
//!
//! # Atomic loads
//! [`load`] writes generation N+1 into a new schema, points `gapmap.current` at it, replaces
//! the views, drops generations older than N and sends `NOTIFY gapmap_dataset`, all in one
//! transaction: a reader sees the old dataset or the new one, never a half-loaded one, and a
//! failed load changes nothing. [`read`] reads in one `REPEATABLE READ` transaction starting
//! from `gapmap.current`, so every table it reads is of the generation it found (the pointer
//! and that schema's rows were committed together). The previous generation is kept until the
//! next load, so a reader that found it just before a swap can still finish.

mod connection;
mod follow;
mod read;
pub mod schema;
mod write;

pub use connection::{redact, PostgisError, CHANNEL};
pub use follow::follow;
pub use read::{read, Generation};
pub use write::{load, LoadReport};

//! The public face of the data: [`PublicDataset`], built once from an `Arc<Dataset>`, is the
//! only way to get what gapmap publishes — an indicator's values at a level, gap tables (by IMD
//! decile or quintile, local quintile, locality or area, optionally within one locality), area
//! profiles, map features for downloads, search results, sites, the groupings and their labels,
//! and the map's classes and colours. Small-number suppression, comparator hiding and the
//! disclosure audit across every published table are applied inside it, once; the HTTP
//! handlers, the CLI and the slide renderer only parse, call and encode.
//!
//! - [`dataset`]: [`PublicDataset`] itself: what it owns (per-indicator audits, a gap-table
//!   cache bounded in bytes) and why it is cheap to rebuild and swap.
//! - [`disclosure`]: the audit — what to withhold so no count of 1 to the threshold can be read
//!   or derived from the published totals.
//! - [`values`]: public values of one indicator ([`PublicValue`]) and published references.
//! - [`gaps`]: public gap tables (any period).
//! - [`national`]: England's SII/RII per period from the real national rows by deprivation.
//! - [`reach`]: reach of a service against need ([`ReachReport`]): its public gap table and
//!   how its records were placed.
//! - [`trend`]: gap trends across periods ([`GapTrend`]): SII/RII per period, change between
//!   the first and latest period and the slope, in words.
//! - [`profile`]: area lists, area profiles, the values endpoint.
//! - [`features`]: areas as GeoJSON/GeoPackage features with attributes.
//! - [`search`]: search by name, code or postcode.
//! - [`catalogue`]: meta, levels, indicators, groupings, sites.
//! - [`legend`]: classes and colours of the map layers.
//! - [`placement`]: a placement request on the dataset → its instance and report (the one path
//!   for `gapmap place` and `/api/place`).
//! - [`error`]: the error type, [`PublicError`].

pub mod catalogue;
pub mod dataset;
pub mod disclosure;
pub mod error;
pub mod features;
pub mod gaps;
pub mod legend;
pub mod national;
pub mod placement;
pub mod profile;
pub mod reach;
pub mod search;
pub mod trend;
pub mod values;

pub use catalogue::{GroupingInfo, IndicatorInfo, LevelInfo, LocalitySchemeInfo, Meta};
pub use dataset::{PublicDataset, DEFAULT_GAP_CACHE_BYTES};
pub use error::PublicError;
pub use legend::{Legend, LegendClass, LegendExtra};
pub use national::NationalSii;
pub use profile::{AreaProfile, AreaSummary, ImdInfo, PopulationInfo, ProfileIndicator};
pub use reach::ReachReport;
pub use search::{SearchHit, SEARCH_LIMIT};
pub use trend::{GapDirection, GapTrend, TrendChange, TrendPoint};
pub use values::{PublicFigures, PublicIndicator, PublicValue, Reference, ValuesResponse};

//! Why a build failed ([`BuildError`]).

use crate::fetch::FetchError;
use crate::ingest::IngestError;
use crate::level::Level;
use std::path::PathBuf;

/// Why a build failed. Every variant is about an input, which the user can fix.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error(transparent)]
    Ingest(#[from] IngestError),
    #[error("{level}: {count} areas of the area of interest have no boundary in {path} (e.g. {sample}); use a boundary file that covers the whole area")]
    MissingBoundaries {
        level: Level,
        count: usize,
        path: PathBuf,
        sample: String,
    },
    #[error("no areas found for {0}: check area_of_interest in the config")]
    EmptyArea(String),
}

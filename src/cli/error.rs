//! The CLI's error: every failure a subcommand can report, and how it maps to an exit code —
//! 2 for bad input (a file, the config, an argument: the user can fix it), 1 for internal
//! failures. `main` prints it with its chain of causes.

use crate::{
    analyst::StatsRunError, build::BuildError, config::ConfigError, export::ExportError,
    fetch::FetchError, fsutil::WriteError, ingest::IngestError, place::PlaceError,
    public::PublicError, server::ServerError, slides::SlidesError, snapshot::SnapshotError,
    tiles::TileError,
};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error(transparent)]
    Ingest(#[from] IngestError),
    #[error(transparent)]
    Build(#[from] BuildError),
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    #[error(transparent)]
    Public(#[from] PublicError),
    #[error(transparent)]
    Export(#[from] ExportError),
    #[error(transparent)]
    File(#[from] WriteError),
    #[error(transparent)]
    Server(#[from] ServerError),
    #[error(transparent)]
    Tiles(#[from] TileError),
    #[error(transparent)]
    Place(#[from] PlaceError),
    #[error(transparent)]
    Slides(#[from] SlidesError),
    #[error(transparent)]
    Placement(#[from] crate::public::placement::PlacementError),
    /// The uploads file cannot be used with this dataset.
    #[error(transparent)]
    Uploads(#[from] crate::uploads::UploadError),
    /// `gapmap stats` could not run on its input (names the line and column).
    #[error(transparent)]
    Stats(#[from] StatsRunError),
    /// PostGIS could not be reached, read or written (`load-postgis`, `serve --postgis`).
    #[error(transparent)]
    Postgis(#[from] crate::postgis::PostgisError),
    /// A bad command-line value, with what to do about it.
    #[error("{0}")]
    Usage(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
    /// Failure inside a subcommand that is not the user's fault.
    #[error("{0}")]
    Internal(String),
}

impl From<crate::lookup::LookupError> for Error {
    fn from(e: crate::lookup::LookupError) -> Self {
        Error::Public(e.into())
    }
}

impl Error {
    /// Process exit code: 2 when the input (files, config, arguments) is bad, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        let input = match self {
            // Every build error is about an input (fetch, ingest, missing boundaries, empty area).
            Error::Config(_)
            | Error::Fetch(_)
            | Error::Ingest(_)
            | Error::Build(_)
            | Error::Usage(_)
            | Error::Stats(_)
            | Error::File(_) => true,
            Error::Snapshot(e) => e.is_input_error(),
            Error::Public(e) => e.is_input_error(),
            Error::Server(e) => e.is_input_error(),
            Error::Slides(e) => e.is_input_error(),
            Error::Uploads(e) => {
                e.is_input_error()
                    || matches!(e, crate::uploads::UploadError::File(f) if f.is_input_error())
            }
            Error::Postgis(e) => e.is_input_error(),
            Error::Place(e) => !matches!(e, PlaceError::Solver(_)),
            Error::Placement(e) => e.is_input_error(),
            Error::Tiles(e) => matches!(
                e,
                TileError::BadZoomRange { .. } | TileError::NoTilesets | TileError::File(_)
            ),
            Error::Export(_) | Error::Io { .. } | Error::Internal(_) => false,
        };
        if input {
            2
        } else {
            1
        }
    }
}

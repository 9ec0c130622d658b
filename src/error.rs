//! The top-level error and how it maps to exit codes: 2 for bad input (the user can fix it),
//! 1 for internal failures.

use crate::{
    build::BuildError, config::ConfigError, fetch::FetchError, ingest::IngestError,
    snapshot::SnapshotError,
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
    Gap(#[from] crate::gaps::GapError),
    #[error(transparent)]
    Server(#[from] crate::server::ServerError),
    #[error(transparent)]
    Slides(#[from] crate::slides::SlidesError),
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

impl Error {
    /// Process exit code: 2 when the input (files, config, arguments) is bad, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            // Every build error is about an input (fetch, ingest, missing boundaries, empty area).
            Error::Config(_)
            | Error::Fetch(_)
            | Error::Ingest(_)
            | Error::Build(_)
            | Error::Usage(_) => 2,
            Error::Snapshot(e) if e.is_input_error() => 2,
            Error::Gap(crate::gaps::GapError::Export(_) | crate::gaps::GapError::Write(_)) => 1,
            Error::Gap(_) => 2,
            Error::Slides(e) if e.is_input_error() => 2,
            Error::Server(
                crate::server::ServerError::Bind { .. }
                | crate::server::ServerError::BadOrigin(_)
                | crate::server::ServerError::BadBasemap(_)
                | crate::server::ServerError::NothingToWrite(_)
                | crate::server::ServerError::Output { .. },
            ) => 2,
            _ => 1,
        }
    }
}

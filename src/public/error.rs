//! Why the public face could not answer: something asked for that does not exist (an input
//! error: HTTP 400/404, CLI exit 2), or a statistic that could not be computed (internal).

use crate::gaps::GapError;
use crate::lookup::LookupError;

/// An error from [`super::PublicDataset`].
#[derive(Debug, Clone, thiserror::Error)]
pub enum PublicError {
    #[error(transparent)]
    Lookup(#[from] LookupError),
    /// A request the gap-table engine refuses (e.g. locality within a locality).
    #[error("{0}")]
    Request(String),
    #[error(
        "search text must be 2 to 100 characters: part of an area name or code, or a postcode"
    )]
    BadSearch,
    #[error("unknown service {given:?}; services with records: {available}")]
    UnknownService { given: String, available: String },
    #[error("unknown map layer {given:?}; expected one of: {available}")]
    UnknownMapLayer { given: String, available: String },
    /// A statistic could not be computed from the stored values (not the requester's fault).
    #[error("{0}")]
    Internal(String),
}

impl From<GapError> for PublicError {
    fn from(e: GapError) -> Self {
        match e {
            GapError::Lookup(l) => PublicError::Lookup(l),
            GapError::LocalityWithinLocality => PublicError::Request(e.to_string()),
            GapError::BadInput { .. } => PublicError::Internal(e.to_string()),
        }
    }
}

impl PublicError {
    /// True when the request named something that does not exist or asked for something not
    /// allowed (the caller can fix it); false for internal failures.
    pub fn is_input_error(&self) -> bool {
        !matches!(self, PublicError::Internal(_))
    }

    /// True when what was asked for is a resource that does not exist (an area code).
    pub fn is_not_found(&self) -> bool {
        matches!(self, PublicError::Lookup(LookupError::UnknownArea { .. }))
    }

    /// A short, stable description for clients ("unknown indicator", …).
    pub fn kind(&self) -> &'static str {
        match self {
            PublicError::Lookup(l) => match l {
                LookupError::UnknownIndicator { .. } => "unknown indicator",
                LookupError::UnknownLevel { .. } => "unknown level",
                LookupError::LevelNotAvailable { .. } => "level not available for indicator",
                LookupError::EditionNotAvailable { .. } => "IMD edition not available",
                LookupError::UnknownArea { .. } => "unknown area",
                LookupError::UnknownLocality { .. } => "unknown locality",
                LookupError::UnknownPeriod { .. } => "unknown period",
            },
            PublicError::Request(_) => "grouping not available",
            PublicError::BadSearch => "bad search text",
            PublicError::UnknownMapLayer { .. } => "unknown map layer",
            PublicError::UnknownService { .. } => "unknown service",
            PublicError::Internal(_) => "internal error",
        }
    }
}

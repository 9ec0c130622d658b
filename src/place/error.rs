//! Why a placement cannot be computed.

/// Why a placement cannot be computed. Every variant says what to change.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlaceError {
    #[error("the demand is empty: at least one demand point with a weight is needed")]
    EmptyDemand,
    #[error(
        "there are no candidate sites: give --candidates or generate them (--generate msoa|lsoa)"
    )]
    NoCandidates,
    #[error("k = {k} is larger than the {candidates} candidate sites; use --k {candidates} or fewer, or add candidates")]
    KTooLarge { k: usize, candidates: usize },
    #[error("k must be at least 1 (the number of new sites to open)")]
    KZero,
    #[error("--radius {radius} must be greater than 0 ({unit})")]
    BadRadius { radius: f64, unit: &'static str },
    #[error("demand point {id:?}: weight {weight} must be a finite number ≥ 0")]
    BadWeight { id: String, weight: f64 },
    #[error("demand point {id:?}: IMD quintile {quintile} must be 1 (most deprived) to 5")]
    BadQuintile { id: String, quintile: u8 },
    #[error("duplicate {what} id {id:?}; ids must be unique")]
    DuplicateId { what: &'static str, id: String },
    #[error("the equity model needs an IMD quintile on every demand point; {missing} have none (add an imd_quintile column)")]
    MissingQuintile { missing: usize },
    #[error("p-median needs a travel time from every demand point to every site; origin {origin:?} has no time to site {site:?}. Give a complete matrix, or use --model mclp|equity")]
    IncompleteMatrix { origin: String, site: String },
    #[error("{0}")]
    Spec(String),
    #[error(
        "{purpose} needs the {level} layer, which the dataset does not load; it has: {loaded}"
    )]
    MissingLayer {
        purpose: String,
        level: crate::level::Level,
        loaded: String,
    },
    #[error("the solver failed: {0}")]
    Solver(String),
}

impl PlaceError {
    /// The dataset has no `level` layer for `purpose`.
    pub fn missing_layer(
        dataset: &crate::dataset::Dataset,
        level: crate::level::Level,
        purpose: &str,
    ) -> PlaceError {
        PlaceError::MissingLayer {
            purpose: purpose.to_string(),
            level,
            loaded: dataset.levels_list(),
        }
    }
}

//! A gap-table row's value with its 95% and 99.8% intervals, as stage 2 computes it
//! (`estimates` for crude values, `standardised` for standardised ones).

use crate::stats::gap::GroupEstimate;

/// A value with its intervals on the display scale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Computed {
    pub value: f64,
    pub lower95: f64,
    pub upper95: f64,
    pub lower998: f64,
    pub upper998: f64,
    pub log_se: Option<f64>,
}

impl Computed {
    /// The value as the gap methods take it.
    pub fn estimate(&self) -> GroupEstimate {
        GroupEstimate {
            value: self.value,
            lower95: self.lower95,
            upper95: self.upper95,
            log_se: self.log_se,
        }
    }
}

//! Statistics and deprivation checked against published values: every Fingertips 95% limit
//! that can be recomputed, and the IoD score method against MHCLG's published scores.
#![allow(clippy::unwrap_used)]

#[path = "../support/mod.rs"]
mod support;

mod fingertips_ci;
mod fingertips_standardised;
mod gap_trends;
mod imd_fidelity;

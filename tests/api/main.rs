//! The HTTP API driven through the router (`tower::ServiceExt::oneshot`, no socket) on the
//! County Durham fixture, one module per route group, plus the disclosure property test over
//! every public output.
#![allow(clippy::unwrap_used)]

#[path = "../support/mod.rs"]
mod support;

mod areas;
mod catalogue;
mod downloads;
mod figures;
mod hostile;
mod ops;
mod place;
mod postgis;
mod reach;
mod standardised;
mod stats;
mod suppression;
mod tiles;
mod trend;
mod uploads;
mod values;

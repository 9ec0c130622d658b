//! The command line and the files it reads and writes: bad inputs give exit 2 with a message
//! naming the file, line and field; `gapmap check` counts; a killed build never tears the
//! snapshot; boundary formats GDAL reads; `gapmap gaps` downloads open in real readers.
#![allow(clippy::unwrap_used)]

#[path = "../support/mod.rs"]
mod support;

mod bad_inputs;
mod boundary_formats;
mod check_counts;
mod exports;
mod hostile;
mod shutdown;
mod snapshot_crash;
mod stats;

//! Building the [`Dataset`]: every input joined, in named stages, each with its own input and
//! output types and its own file:
//!
//! 1. [`sources`] — the registry and the fetcher: each input's local path, fetched and
//!    sha256-checked on first use, with its provenance recorded ([`sources::Sources`]).
//! 2. [`geography`] — lookups between geographies, the areas of the area of interest at each
//!    level, and population per level ([`geography::Geography`]).
//! 3. [`deprivation`] — IMD for every level and edition: LSOA scores as published (IoD2019
//!    rebuilt from domain ranks), larger areas as population-weighted means of their LSOAs
//!    re-ranked nationally ([`deprivation::Deprivation`]).
//! 4. [`boundaries`] through GDAL, [`localities`] assigned to every level, then [`layers`] —
//!    boundaries joined to names, population, IMD and locality, local quintiles, and the
//!    derived LA and locality layers.
//! 5. [`indicators`] — indicator files, the national rows by deprivation, postcodes and sites.
//! 6. [`reach`] — service-use records aggregated into reach indicators (aggregates only).
//!
//! [`build_dataset`] runs them in that order and assembles the result.

pub mod boundaries;
pub mod deprivation;
pub mod error;
pub mod geography;
pub mod indicators;
pub mod layers;
pub mod localities;
pub mod reach;
pub mod sources;

pub use deprivation::aggregate_imd;
pub use error::BuildError;
pub use localities::locality_code;

use crate::config::Config;
use crate::dataset::{Dataset, DatasetMeta, SNAPSHOT_VERSION};
use crate::fetch::Fetcher;

/// Progress callback: (stage name, stage number, number of stages).
pub type Progress<'a> = &'a dyn Fn(&str, u64, u64);

/// Number of progress steps [`build_dataset`] reports.
pub const STAGES: u64 = 6;

/// Build the dataset described by `config`, fetching missing inputs with `fetcher`.
pub fn build_dataset(
    config: &Config,
    fetcher: &Fetcher,
    progress: Progress<'_>,
) -> Result<Dataset, BuildError> {
    let mut sources = sources::Sources::open(config, fetcher)?;
    progress("reading lookups and population", 1, STAGES);
    let geography = geography::Geography::load(config, &mut sources)?;
    progress("deriving IMD for every level", 2, STAGES);
    let deprivation = deprivation::Deprivation::derive(config, &mut sources, &geography)?;
    progress("reading boundaries (GDAL)", 3, STAGES);
    let boundaries = boundaries::read(config, &mut sources, &geography)?;
    progress("localities and layers", 4, STAGES);
    let localities = localities::assign(config, &geography, &boundaries)?;
    let layers = layers::assemble(config, boundaries, &geography, &deprivation, &localities);
    progress("loading indicators, postcodes and sites", 5, STAGES);
    let indicators = indicators::load(config, &mut sources, &geography, &layers)?;
    progress("assembling dataset", 6, STAGES);
    let mut dataset = Dataset {
        meta: DatasetMeta {
            snapshot_version: SNAPSHOT_VERSION,
            name: config.name.clone(),
            area_of_interest: config.area_of_interest.clone(),
            default_level: config.default_level,
            suppress_max_count: config.suppress_max_count,
            built_at: now_rfc3339(),
            config_sha256: config.sha256.clone(),
            sources: sources.into_records(),
            locality_scheme: localities.scheme,
        },
        layers,
        indicators: indicators.indicators,
        national_by_deprivation: indicators.national_by_deprivation,
        sites: indicators.sites,
        postcodes: indicators.postcodes,
        reach: Vec::new(),
    };
    reach::add(config, &mut dataset)?;
    Ok(dataset)
}

/// The current time as RFC 3339 (UTC, seconds).
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = secs / 86_400;
    let rem = secs % 86_400;
    // Civil-from-days (Howard Hinnant's algorithm), UTC.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

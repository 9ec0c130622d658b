//! Stage 4a: boundaries, read through GDAL (any OGR source, reprojected to WGS84 and BNG),
//! keeping the areas of the area of interest — all of which must be there.

use super::error::BuildError;
use super::geography::Geography;
use super::sources::Sources;
use crate::config::Config;
use crate::ingest::boundaries::{read_boundaries_with, RawBoundary};
use crate::level::Level;
use std::collections::{BTreeMap, HashSet};

/// Boundaries as read, by level.
pub type Boundaries = BTreeMap<Level, Vec<RawBoundary>>;

/// Read every configured boundary layer, keeping the areas of the area of interest.
pub fn read(
    config: &Config,
    sources: &mut Sources,
    geo: &Geography,
) -> Result<Boundaries, BuildError> {
    let mut layers = Boundaries::new();
    for (level, b) in &config.boundaries {
        let path = sources.path(&format!("boundaries.{level}.source"), &b.source)?;
        let wanted = geo.in_area(*level);
        let keep: Option<HashSet<String>> = wanted.map(|s| s.iter().cloned().collect());
        let raw =
            read_boundaries_with(&path, &b.code_field, &b.name_field, keep.as_ref(), b.repair)?;
        if let Some(expected) = wanted {
            let have: HashSet<&str> = raw.iter().map(|r| r.code.as_str()).collect();
            let missing: Vec<&str> = expected
                .iter()
                .map(String::as_str)
                .filter(|c| !have.contains(c))
                .collect();
            if !missing.is_empty() {
                return Err(BuildError::MissingBoundaries {
                    level: *level,
                    count: missing.len(),
                    path,
                    sample: missing[..missing.len().min(5)].join(", "),
                });
            }
        }
        layers.insert(*level, raw);
    }
    Ok(layers)
}

//! Build stage 7: each `[[reach]]` block's service-use records, aggregated into a reach
//! indicator ([`crate::ingest::reach`]) on the assembled dataset (it needs the layers'
//! populations and the postcode lookup). Only the aggregates enter the snapshot.

use super::error::BuildError;
use crate::config::Config;
use crate::dataset::Dataset;
use crate::ingest::reach::{load_reach, parse_ages, ReachSpec};
use crate::ingest::IngestError;

/// Add every configured service's reach indicator and load summary to `dataset`.
pub fn add(config: &Config, dataset: &mut Dataset) -> Result<(), BuildError> {
    for block in &config.reach {
        let path = config.resolve(&block.path);
        let ages = parse_ages(&block.ages).ok_or_else(|| IngestError::Invalid {
            path: config.path.clone(),
            message: format!(
                "[[reach]] for {:?}: ages = {:?} is not an age band such as \"0-4\" (years, at most 19)",
                block.service, block.ages
            ),
        })?;
        let spec = ReachSpec {
            service: block.service.clone(),
            ages,
            level: block.level,
            synthetic: block.synthetic,
            source_id: block.path.display().to_string(),
        };
        let (indicator, summary) = load_reach(&path, &spec, dataset)?;
        dataset.add_reach(indicator, summary);
    }
    Ok(())
}

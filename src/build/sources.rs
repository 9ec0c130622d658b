//! Stage 1: the inputs. [`Sources`] resolves a config field's source id through the registry,
//! makes sure the file is present and sha256-checked ([`crate::fetch`]), and records its
//! provenance (title, publisher, licence, attribution) for the snapshot.

use super::error::BuildError;
use crate::config::Config;
use crate::dataset::SourceRecord;
use crate::fetch::{Fetcher, Registry};
use std::path::{Path, PathBuf};

/// The registry, the fetcher and the inputs used so far.
pub struct Sources<'a> {
    registry: Registry,
    fetcher: &'a Fetcher,
    config: &'a Config,
    used: Vec<SourceRecord>,
}

impl<'a> Sources<'a> {
    /// Load the registry the config names.
    pub fn open(config: &'a Config, fetcher: &'a Fetcher) -> Result<Self, BuildError> {
        Ok(Sources {
            registry: Registry::load(&config.resolve(&config.sources))?,
            fetcher,
            config,
            used: Vec::new(),
        })
    }

    /// The local path of source `id` (named by config field `field`), fetched if missing.
    pub fn path(&mut self, field: &str, id: &str) -> Result<PathBuf, BuildError> {
        let source = self.registry.get(field, id)?;
        self.fetcher.ensure(id, source)?;
        if !self.used.iter().any(|s| s.id == id) {
            self.used.push(SourceRecord {
                id: id.to_string(),
                title: source.title.clone(),
                publisher: source.publisher.clone(),
                licence: source.licence.clone(),
                attribution: source.attribution.clone(),
                sha256: source.sha256.clone(),
            });
        }
        Ok(self.fetcher.path_of(source))
    }

    /// The path of an optional source.
    pub fn optional(
        &mut self,
        field: &str,
        id: Option<&String>,
    ) -> Result<Option<PathBuf>, BuildError> {
        id.map(|id| self.path(field, id)).transpose()
    }

    /// A path written in the config (a user's own file), resolved against the project root.
    pub fn local(&self, path: &Path) -> PathBuf {
        self.config.resolve(path)
    }

    /// Every input used, in first-use order.
    pub fn into_records(self) -> Vec<SourceRecord> {
        self.used
    }
}

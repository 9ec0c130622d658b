//! Options shared by the subcommands that read a config ([`ConfigArgs`]), the gap-table
//! selection `gapmap gaps` and `gapmap trend` share ([`GapSelection`]), and loading the dataset
//! they work on (snapshot, or a fresh build written atomically).

use super::error::Error;
use crate::config::Config;
use crate::dataset::Dataset;
use crate::fetch::Fetcher;
use crate::gaps::{GapRequest, GroupBy};
use crate::imd::ImdEdition;
use crate::level::Level;
use crate::stats::sii::DEFAULT_SEED;
use clap::Args;
use std::path::{Path, PathBuf};

/// Write a command's output to `out` (atomically) or, without one, to standard output.
pub fn write_output(
    out: Option<&Path>,
    bytes: &[u8],
    stdout: &mut dyn std::io::Write,
) -> Result<(), Error> {
    match out {
        Some(path) => crate::fsutil::write_atomic(path, bytes)?,
        None => stdout.write_all(bytes).map_err(|source| Error::Io {
            context: "cannot write to standard output".into(),
            source,
        })?,
    }
    Ok(())
}

/// Which gap table: the indicator, grouping, level, IMD edition, locality and the SII/RII
/// simulation. `gapmap gaps` (one period) and `gapmap trend` (every period) flatten it.
#[derive(Debug, Clone, Args)]
pub struct GapSelection {
    /// Indicator id, e.g. 990003.
    #[arg(long)]
    pub indicator: String,
    /// Grouping: imd-decile, imd-quintile, local-quintile, locality or area (deprivation
    /// groupings have an SII; `gapmap trend` takes only those).
    #[arg(long, default_value = "local-quintile")]
    pub by: GroupBy,
    /// Geography level; defaults to the indicator's own level (msoa11 for the demo set).
    #[arg(long)]
    pub level: Option<Level>,
    /// IMD edition for deprivation groups: 2019 or 2025 (default: the level's native one).
    #[arg(long)]
    pub imd: Option<ImdEdition>,
    /// Only the areas of this locality (name or LOC- code): the gap by deprivation within one
    /// locality. Not with --by locality.
    #[arg(long)]
    pub locality: Option<String>,
    /// Monte Carlo replicates for the SII/RII confidence intervals (per period for a trend).
    #[arg(long, default_value_t = 100_000)]
    pub reps: u32,
    /// Random seed for the SII/RII simulation (fixed by default, so output is reproducible).
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
}

impl GapSelection {
    /// The request this selection describes (the latest period; set `period` for another).
    pub fn request(&self, dataset: &Dataset) -> GapRequest {
        let mut req = GapRequest::for_indicator(dataset, &self.indicator, self.by);
        if let Some(level) = self.level {
            req.level = level;
        }
        req.edition = self.imd;
        req.locality = self.locality.clone();
        req.reps = self.reps;
        req.seed = self.seed;
        req
    }
}

/// Options shared by commands that read a config.
#[derive(Debug, Args, Clone)]
pub struct ConfigArgs {
    /// Build configuration (TOML).
    #[arg(
        long,
        short = 'c',
        default_value = "data/durham.toml",
        env = "GAPMAP_CONFIG"
    )]
    pub config: PathBuf,
    /// Local mirror of the open data (default: ../shared/data beside the project, when present).
    #[arg(long, env = "GAPMAP_MIRROR")]
    pub mirror: Option<PathBuf>,
    /// Never download: use data/raw and the mirror only.
    #[arg(long)]
    pub offline: bool,
}

impl ConfigArgs {
    pub fn load(&self) -> Result<(Config, Fetcher), Error> {
        let config = Config::load(&self.config)?;
        let mut fetcher = Fetcher::for_root(&config.root, self.mirror.clone());
        fetcher.allow_network = !self.offline;
        Ok((config, fetcher))
    }

    /// Where the uploads overlay of a snapshot is kept: `uploads` when given, else the
    /// snapshot's path (`snapshot`, or the config's) with extension `.uploads`.
    pub fn uploads_path(
        &self,
        snapshot: Option<&Path>,
        uploads: Option<&Path>,
    ) -> Result<PathBuf, Error> {
        if let Some(path) = uploads {
            return Ok(path.to_path_buf());
        }
        let snapshot = match snapshot {
            Some(p) => p.to_path_buf(),
            None => self.load()?.0.snapshot_path(),
        };
        Ok(snapshot.with_extension("uploads"))
    }

    /// The dataset for serving and querying: the given snapshot, or the config's snapshot when
    /// it exists and was built from this exact config, else a fresh build (written atomically).
    pub fn load_dataset(&self, snapshot: Option<&Path>, quiet: bool) -> Result<Dataset, Error> {
        if let Some(path) = snapshot {
            return Ok(crate::snapshot::load(path)?);
        }
        let (config, fetcher) = self.load()?;
        let path = config.snapshot_path();
        if path.exists() {
            match crate::snapshot::load(&path) {
                Ok(ds) if ds.meta.config_sha256 == config.sha256 => return Ok(ds),
                Ok(_) => tracing::warn!(
                    "{}: built from another version of {}; rebuilding",
                    path.display(),
                    config.path.display()
                ),
                Err(e) => tracing::warn!("{e}; rebuilding"),
            }
        }
        let ds = build_with_progress(&config, &fetcher, quiet)?;
        crate::snapshot::write_atomic(&path, &ds)?;
        Ok(ds)
    }
}

/// Build a dataset with a progress bar (quiet off a terminal).
pub fn build_with_progress(
    config: &Config,
    fetcher: &Fetcher,
    quiet: bool,
) -> Result<Dataset, Error> {
    let bar = crate::progress::bar(crate::build::STAGES, "building", quiet);
    let step = |name: &str, i: u64, _n: u64| {
        bar.set_position(i);
        bar.set_message(name.to_string());
    };
    let ds = crate::build::build_dataset(config, fetcher, &step)?;
    bar.finish_and_clear();
    Ok(ds)
}

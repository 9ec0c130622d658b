//! Command-line interface: clap definitions and one function per subcommand. `main.rs` only
//! parses, sets up logging and maps the result to an exit code.
//!
//! - [`args`]: options shared by the subcommands that read a config, and loading the dataset.
//! - [`error`]: the CLI's [`Error`] and exit codes (2 = bad input, 1 = internal).
//! - [`data`]: the `fetch`, `check` and `build` subcommands.
//! - [`gaps`]: the `gaps` subcommand.
//! - [`trend`]: the `trend` subcommand (gap trends across periods).
//! - [`reach`]: the `reach` subcommand (a service's reach against need from its records).
//! - [`place`]: the `place` subcommand (where new sites should go).
//! - [`serve`]: the `serve` subcommand.
//! - [`postgis`]: the `load-postgis` subcommand (the dataset into PostGIS for replicas).
//! - [`slides`]: the `slides` subcommand (decks for locality forums).
//! - [`stats`]: the `stats` subcommand (analysts' calculations on their own CSV).
//! - [`tiles`]: the `tiles` subcommand.

pub mod args;
pub mod data;
pub mod error;
pub mod gaps;
pub mod place;
pub mod postgis;
pub mod reach;
pub mod serve;
pub mod slides;
pub mod stats;
pub mod tiles;
pub mod trend;

pub use args::ConfigArgs;
pub use error::Error;

use clap::{Args, Parser, Subcommand};
use data::{BuildArgs, CheckArgs, FetchArgs};
use gaps::GapsCommand;
use serve::ServeArgs;
use tiles::TilesArgs;

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
    /// Is the gap narrowing? SII/RII of every period with 95% CIs, the change between the first and latest period and the slope, in words.
    Trend(trend::TrendCommand),
    /// Reach against need: a service's contacts per 1,000 children by deprivation, locality or area, from its use records (aggregated, never stored).
    Reach(Box<reach::ReachCommand>),
    /// Serve the web map, vector tiles and the JSON API (builds the snapshot first if it is missing or stale).
    Serve(ServeArgs),
    /// Write the dataset (snapshot plus uploads) into PostGIS as a new generation, atomically, for `gapmap serve --postgis` replicas.
    LoadPostgis(postgis::LoadPostgisArgs),
    /// Write a PMTiles archive of one or more levels for static hosting.
    Tiles(TilesArgs),
    /// PHEindicatormethods calculations (proportion, rate, mean, DSR, ISR, quantiles, SII) on your own CSV, with the package's column names.
    Stats(Box<stats::StatsArgs>),
    /// Where k new sites should go: exact MCLP, p-median or equity placement, judged by coverage by IMD quintile.
    Place(place::PlaceArgs),
    /// Slide deck (PPTX or PDF) for a locality forum: per indicator a map, the gap chart, a plain-English reading and speaker notes; per locality a service reach slide (contacts per 1,000 children by IMD quintile and the SII).
    Slides(slides::SlidesArgs),
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
        Command::Fetch(args) => data::fetch(&args, quiet),
        Command::Check(args) => data::check(&args, quiet),
        Command::Build(args) => data::build(&args, quiet),
        Command::Gaps(args) => {
            let ds = args.config.load_dataset(args.snapshot.as_deref(), quiet)?;
            let public = crate::public::PublicDataset::new(std::sync::Arc::new(ds));
            let stdout = std::io::stdout();
            gaps::run(&args.gaps, &public, &mut stdout.lock())
        }
        Command::Trend(args) => {
            let ds = args.config.load_dataset(args.snapshot.as_deref(), quiet)?;
            let public = crate::public::PublicDataset::new(std::sync::Arc::new(ds));
            trend::run(&args.trend, &public, &mut std::io::stdout().lock())
        }
        Command::Reach(args) => reach::run(&args, quiet, &mut std::io::stdout().lock()),
        Command::Serve(args) => serve::run(&args, quiet),
        Command::Tiles(args) => tiles::run(&args, quiet),
        Command::LoadPostgis(args) => postgis::run(&args, quiet, &mut std::io::stdout().lock()),
        Command::Slides(args) => {
            let ds = args.config.load_dataset(args.snapshot.as_deref(), quiet)?;
            let public = crate::public::PublicDataset::new(std::sync::Arc::new(ds));
            let summary = slides::run(&args, std::sync::Arc::new(public), quiet)?;
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
        Command::Place(args) => place::run(&args, quiet, &mut std::io::stdout().lock()),
        Command::Stats(args) => stats::run(
            &args,
            &mut std::io::stdout().lock(),
            &mut std::io::stderr().lock(),
        ),
    }
}

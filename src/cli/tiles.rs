//! `gapmap tiles`: a PMTiles archive of one or more levels for static hosting (the same tiles
//! `gapmap serve` answers), written atomically.

use super::args::ConfigArgs;
use super::error::Error;
use crate::dataset::Dataset;
use crate::level::Level;
use crate::lookup;
use crate::tiles::{ArchiveInfo, PmtilesSummary, TileOptions, TileSet};
use std::path::PathBuf;

/// Write a PMTiles archive of one or more levels for static hosting.
#[derive(Debug, Clone, clap::Args)]
pub struct TilesArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Load this dataset snapshot instead of the config's snapshot path.
    #[arg(long)]
    pub snapshot: Option<PathBuf>,
    /// Levels to include, comma-separated (each becomes a layer in every tile).
    #[arg(long, value_delimiter = ',', default_value = "msoa11,lsoa11")]
    pub level: Vec<String>,
    /// Lowest zoom written.
    #[arg(long, default_value_t = 0)]
    pub minzoom: u8,
    /// Highest zoom written (at most 18).
    #[arg(long, default_value_t = 12)]
    pub maxzoom: u8,
    /// Output archive (written to a temporary file, then renamed).
    #[arg(long)]
    pub out: PathBuf,
}

/// Run `gapmap tiles`: load the dataset, write the archive, report what was written.
pub fn run(args: &TilesArgs, quiet: bool) -> Result<(), Error> {
    let dataset = args.config.load_dataset(args.snapshot.as_deref(), quiet)?;
    let summary = write(args, &dataset, quiet)?;
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

/// Build the tile sets of the requested levels and write the archive.
pub fn write(args: &TilesArgs, dataset: &Dataset, quiet: bool) -> Result<PmtilesSummary, Error> {
    let mut levels: Vec<Level> = Vec::new();
    for given in &args.level {
        let level = lookup::level(dataset, given)?;
        if !levels.contains(&level) {
            levels.push(level);
        }
    }
    let options = TileOptions {
        max_zoom: args.maxzoom,
        ..TileOptions::default()
    };
    let sets: Vec<TileSet> = {
        use rayon::prelude::*;
        levels
            .par_iter()
            .filter_map(|&l| dataset.layer(l))
            .map(|layer| TileSet::new(layer, options.clone()))
            .collect()
    };
    let refs: Vec<&TileSet> = sets.iter().collect();
    let info = ArchiveInfo {
        name: format!(
            "gapmap {} ({})",
            dataset.meta.name,
            levels.iter().map(|l| l.as_str()).collect::<Vec<_>>().join(", ")
        ),
        description: "Small-area boundaries with IMD; indicator values are joined by code from the gapmap API".into(),
        attribution: dataset.meta.attribution().join("; "),
    };
    let bar = crate::progress::bar(0, "writing tiles", quiet);
    let summary = crate::tiles::write_archive(
        &args.out,
        &refs,
        args.minzoom,
        args.maxzoom,
        &info,
        &|done, total| {
            bar.set_length(total);
            bar.set_position(done);
        },
    )?;
    bar.finish_and_clear();
    Ok(summary)
}

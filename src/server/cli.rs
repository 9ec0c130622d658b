//! `gapmap serve` and `gapmap tiles`: their arguments and entry points. The lead's
//! `src/cli/` loads the dataset (snapshot or build) and calls [`run_serve`] / [`run_tiles`].

use super::{app, serve, shutdown_signal, validate_origins, AppState, ServerConfig, ServerError};
use crate::dataset::Dataset;
use crate::level::Level;
use crate::tiles::{pmtiles::ArchiveInfo, PmtilesSummary, TileOptions, TileSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// Serve the web map, vector tiles and JSON API.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub config: crate::cli::ConfigArgs,
    /// Load this dataset snapshot instead of the config's snapshot path (built if missing).
    #[arg(long)]
    pub snapshot: Option<PathBuf>,
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080", env = "GAPMAP_BIND")]
    pub bind: String,
    /// Directory with index.html, the app's files and vendor/maplibre-gl/.
    #[arg(long, default_value = "web")]
    pub web_dir: PathBuf,
    /// Allow cross-origin requests from this origin (repeatable; "*" for any). Off by default.
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    pub cors_origins: Vec<String>,
    /// Do not keep generated tiles in memory (every request regenerates its tile).
    #[arg(long)]
    pub no_tile_cache: bool,
    /// Size bound of the tile cache, in MiB of gzipped tiles.
    #[arg(long, default_value_t = 128)]
    pub tile_cache_mb: u64,
    /// Worker threads answering requests (default: one per CPU core).
    #[arg(long, env = "GAPMAP_WORKERS")]
    pub workers: Option<usize>,
    /// Public base URL for absolute tile URLs in TileJSON/style (default: from the Host header).
    #[arg(long)]
    pub public_url: Option<String>,
}

impl ServeArgs {
    pub fn server_config(&self) -> ServerConfig {
        ServerConfig {
            web_dir: self.web_dir.clone(),
            cors_origins: self.cors_origins.clone(),
            tile_cache: !self.no_tile_cache,
            tile_cache_bytes: self.tile_cache_mb.saturating_mul(1024 * 1024),
            public_url: self.public_url.clone(),
            ..ServerConfig::default()
        }
    }
}

/// Start the server on its own tokio runtime and run until Ctrl-C/SIGTERM.
///
/// Prints the URL and the time from this call to listening (tile sets built, socket bound).
pub fn run_serve(args: &ServeArgs, dataset: Dataset) -> Result<(), ServerError> {
    let started = Instant::now();
    validate_origins(&args.cors_origins)?;
    if !args.web_dir.join("index.html").is_file() {
        tracing::warn!(
            "{} has no index.html: the API and tiles work, but / will answer 404 (use --web-dir)",
            args.web_dir.display()
        );
    }
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = args.workers.filter(|&n| n > 0) {
        builder.worker_threads(n);
    }
    let runtime = builder.enable_all().build().map_err(ServerError::Runtime)?;
    runtime.block_on(async {
        let name = dataset.meta.name.clone();
        let state = AppState::with_tilesets(Arc::new(dataset), args.server_config());
        let listener = tokio::net::TcpListener::bind(&args.bind)
            .await
            .map_err(|source| ServerError::Bind {
                addr: args.bind.clone(),
                source,
            })?;
        let addr = listener.local_addr()?;
        println!(
            "gapmap: serving {name} at http://{addr}/ (ready in {:.0} ms; Ctrl-C to stop)",
            started.elapsed().as_secs_f64() * 1000.0
        );
        serve(listener, app(state), shutdown_signal()).await
    })
}

/// Write a PMTiles archive of one or more levels for static hosting.
#[derive(Debug, Clone, clap::Args)]
pub struct TilesArgs {
    #[command(flatten)]
    pub config: crate::cli::ConfigArgs,
    /// Load this dataset snapshot instead of the config's snapshot path.
    #[arg(long)]
    pub snapshot: Option<PathBuf>,
    /// Levels to include, comma-separated (each becomes a layer in every tile).
    #[arg(long, value_delimiter = ',', default_value = "msoa11,lsoa11")]
    pub level: Vec<String>,
    #[arg(long, default_value_t = 0)]
    pub minzoom: u8,
    #[arg(long, default_value_t = 12)]
    pub maxzoom: u8,
    /// Output archive (written to a temporary file, then renamed).
    #[arg(long)]
    pub out: PathBuf,
}

/// Build the tile sets and write the archive; returns what was written.
pub fn run_tiles(
    args: &TilesArgs,
    dataset: &Dataset,
    quiet: bool,
) -> Result<PmtilesSummary, ServerError> {
    let mut levels = Vec::new();
    for given in &args.level {
        let level: Level = given
            .parse()
            .map_err(|e: crate::level::UnknownLevel| ServerError::NothingToWrite(e.to_string()))?;
        if dataset.layer(level).is_none() {
            return Err(ServerError::NothingToWrite(format!(
                "level {level} is not in the dataset; loaded: {}",
                dataset
                    .levels()
                    .iter()
                    .map(|l| l.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
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
    let out_dir = args
        .out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let output_error = |detail: String| ServerError::Output {
        path: args.out.clone(),
        detail,
    };
    let tmp = tempfile::NamedTempFile::new_in(out_dir).map_err(|e| {
        output_error(format!(
            "{e} (does the directory exist and is it writable?)"
        ))
    })?;
    let bar = crate::progress::bar(0, "writing tiles", quiet);
    let info = ArchiveInfo {
        name: format!(
            "gapmap {} ({})",
            dataset.meta.name,
            levels.iter().map(|l| l.as_str()).collect::<Vec<_>>().join(", ")
        ),
        description: "Small-area boundaries with IMD; indicator values are joined by code from the gapmap API".into(),
        attribution: dataset
            .meta
            .sources
            .iter()
            .filter(|s| s.id.contains("msoa") || s.id.contains("lsoa") || s.id.contains("ward"))
            .map(|s| s.attribution.clone())
            .filter(|a| !a.is_empty())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
            .join("; "),
    };
    let summary = {
        let writer = std::io::BufWriter::new(tmp.as_file());
        crate::tiles::pmtiles::write_pmtiles_with(
            &refs,
            args.minzoom,
            args.maxzoom,
            &info,
            writer,
            &|done, total| {
                bar.set_length(total);
                bar.set_position(done);
            },
        )?
    };
    bar.finish_and_clear();
    tmp.persist(&args.out)
        .map_err(|e| output_error(e.error.to_string()))?;
    Ok(summary)
}

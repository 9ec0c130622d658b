//! `gapmap serve`: the web map, vector tiles and the JSON API (arguments, then
//! [`crate::server::run::run`]) from a snapshot, or from PostGIS (`--postgis`).

use super::args::ConfigArgs;
use super::error::Error;
use crate::server::auth::Tokens;
use crate::server::run::Source;
use crate::server::writer::Writer;
use crate::server::ServerConfig;
use std::path::PathBuf;
use std::sync::Arc;

/// Serve the web map, vector tiles and JSON API.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Load this dataset snapshot instead of the config's snapshot path (built if missing).
    #[arg(long, conflicts_with = "postgis")]
    pub snapshot: Option<PathBuf>,
    /// Serve the dataset loaded into PostGIS by `gapmap load-postgis` (a `postgresql://` URL or
    /// `key=value` connection string) instead of a snapshot, and swap in each new one loaded
    /// there (LISTEN/NOTIFY). Any number of such replicas serve identical answers. Uploads are
    /// disabled (403): change the data with `gapmap load-postgis`.
    #[arg(long, env = "GAPMAP_POSTGIS_URL", value_name = "URL", conflicts_with_all = ["uploads", "audit_log"])]
    pub postgis: Option<String>,
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
    /// Size bound of the tile cache, in MiB (gzipped tiles, their ETags and per-entry overhead).
    #[arg(long, default_value_t = 128)]
    pub tile_cache_mb: u64,
    /// Size bound of the gap-table cache, in MiB of tables held in memory.
    #[arg(long, default_value_t = 16)]
    pub gap_cache_mb: u64,
    /// Worker threads, each a single-threaded event loop with its own socket (default: one per CPU core).
    #[arg(long, env = "GAPMAP_WORKERS")]
    pub workers: Option<usize>,
    /// Raster basemap under the map, as a `{z}/{x}/{y}` URL template (e.g. an OpenStreetMap tile
    /// server your organisation may use). Off by default: the map then needs no internet.
    #[arg(long, env = "GAPMAP_BASEMAP_URL")]
    pub basemap_url: Option<String>,
    /// Public base URL for absolute tile URLs in TileJSON/style (default: from the Host header).
    #[arg(long)]
    pub public_url: Option<String>,
    /// Placement solves (/api/place with k) running at once; more are answered 503.
    #[arg(long, default_value_t = 2)]
    pub place_solves: usize,
    /// Cap, in seconds, on a placement solve's time limit; at most 25, so a solve ends before
    /// the 30 s request timeout.
    #[arg(long, default_value_t = 20)]
    pub place_time_limit: u64,
    /// Largest k (and what-if site list) /api/place accepts.
    #[arg(long, default_value_t = 50)]
    pub place_max_k: usize,
    /// File of bearer tokens for uploads, deletes and /metrics: one `name:secret` per line
    /// (the name goes in the audit log). With neither this nor GAPMAP_TOKEN, writes and
    /// /metrics are disabled (403).
    #[arg(long, env = "GAPMAP_TOKENS_FILE", value_name = "PATH")]
    pub tokens_file: Option<PathBuf>,
    /// Largest upload body accepted, in MiB (larger: 413). A gzip body may expand to 5× this.
    #[arg(long, default_value_t = 20)]
    pub max_upload_mb: usize,
    /// Where uploads are kept (default: the snapshot's path with extension `.uploads`); applied
    /// over the snapshot at start, replaced atomically on every change.
    #[arg(long, value_name = "PATH")]
    pub uploads: Option<PathBuf>,
    /// Audit log of changes, one JSON line each (default: the uploads file with `.audit.log`).
    #[arg(long, value_name = "PATH")]
    pub audit_log: Option<PathBuf>,
    /// On SIGTERM/Ctrl-C, wait at most this many seconds for in-flight requests to finish.
    #[arg(long, default_value_t = 10)]
    pub shutdown_timeout_s: u64,
}

impl ServeArgs {
    pub fn server_config(&self) -> ServerConfig {
        ServerConfig {
            web_dir: self.web_dir.clone(),
            cors_origins: self.cors_origins.clone(),
            tile_cache: !self.no_tile_cache,
            tile_cache_bytes: self.tile_cache_mb.saturating_mul(1024 * 1024),
            gap_cache_bytes: self.gap_cache_mb.saturating_mul(1024 * 1024),
            public_url: self.public_url.clone(),
            basemap_url: self.basemap_url.clone(),
            place_solves: self.place_solves.max(1),
            place_time_limit: std::time::Duration::from_secs(self.place_time_limit.clamp(1, 25)),
            place_max_k: self.place_max_k.max(1),
            shutdown_timeout: std::time::Duration::from_secs(self.shutdown_timeout_s),
            ..ServerConfig::default()
        }
    }
}

/// Run `gapmap serve` until Ctrl-C/SIGTERM.
pub fn run(args: &ServeArgs, quiet: bool) -> Result<(), Error> {
    let token = std::env::var("GAPMAP_TOKEN").ok();
    let tokens = Tokens::load(args.tokens_file.as_deref(), token.as_deref())
        .map_err(|e| Error::Usage(e.to_string()))?;
    if let Some(url) = &args.postgis {
        let generation = crate::postgis::read(url)?;
        return Ok(crate::server::run::run(
            Source::Postgis {
                url: url.clone(),
                generation,
            },
            tokens,
            args.server_config(),
            &args.bind,
            args.workers,
        )?);
    }
    let base = args.config.load_dataset(args.snapshot.as_deref(), quiet)?;
    let overlay = args
        .config
        .uploads_path(args.snapshot.as_deref(), args.uploads.as_deref())?;
    let audit = args
        .audit_log
        .clone()
        .unwrap_or_else(|| overlay.with_extension("audit.log"));
    let writer = Writer::open(
        Arc::new(base),
        overlay,
        audit,
        args.max_upload_mb.saturating_mul(1024 * 1024),
    )?;
    crate::server::run::run(
        Source::Snapshot(writer),
        tokens,
        args.server_config(),
        &args.bind,
        args.workers,
    )?;
    Ok(())
}

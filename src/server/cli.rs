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
}

impl ServeArgs {
    pub fn server_config(&self) -> ServerConfig {
        ServerConfig {
            web_dir: self.web_dir.clone(),
            cors_origins: self.cors_origins.clone(),
            tile_cache: !self.no_tile_cache,
            tile_cache_bytes: self.tile_cache_mb.saturating_mul(1024 * 1024),
            public_url: self.public_url.clone(),
            basemap_url: self.basemap_url.clone(),
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
    if let Some(url) = &args.basemap_url {
        let template_ok = ["{z}", "{x}", "{y}"].iter().all(|p| url.contains(p));
        if !(url.starts_with("https://") || url.starts_with("http://")) || !template_ok {
            return Err(ServerError::BadBasemap(url.clone()));
        }
    }
    if !args.web_dir.join("index.html").is_file() {
        tracing::warn!(
            "{} has no index.html: the API and tiles work, but / will answer 404 (use --web-dir)",
            args.web_dir.display()
        );
    }
    // One single-threaded event loop per worker, each with its own listening socket on the same
    // address (SO_REUSEPORT): the kernel spreads connections over them and no request ever
    // crosses threads, which saves the wake-ups a work-stealing scheduler pays per request.
    let workers = args
        .workers
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let main_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(ServerError::Runtime)?;
    let name = dataset.meta.name.clone();
    let router = main_rt.block_on(async {
        app(AppState::with_tilesets(
            Arc::new(dataset),
            args.server_config(),
        ))
    });
    let bind_error = |source| ServerError::Bind {
        addr: args.bind.clone(),
        source,
    };
    let requested = std::net::ToSocketAddrs::to_socket_addrs(&args.bind.as_str())
        .map_err(bind_error)?
        .next()
        .ok_or_else(|| bind_error(std::io::Error::other("the address resolves to nothing")))?;
    // The first socket fixes the port (port 0 asks the kernel for a free one). Sockets are
    // made inside the main runtime's context, then handed to the workers as std listeners.
    let guard = main_rt.enter();
    let first = reuseport_listener(requested).map_err(bind_error)?;
    let addr = first.local_addr()?;
    let mut listeners = vec![first];
    for _ in 1..workers {
        listeners.push(reuseport_listener(addr).map_err(bind_error)?);
    }
    drop(guard);
    println!(
        "gapmap: serving {name} at http://{addr}/ (ready in {:.0} ms; {workers} workers; Ctrl-C to stop)",
        started.elapsed().as_secs_f64() * 1000.0
    );
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut threads = Vec::new();
    for (i, listener) in listeners.into_iter().enumerate() {
        let router = router.clone();
        let mut stop = stop_rx.clone();
        let thread = std::thread::Builder::new()
            .name(format!("gapmap-worker-{i}"))
            .spawn(move || -> Result<(), ServerError> {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(ServerError::Runtime)?;
                rt.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener)?;
                    serve(listener, router, async move {
                        let _ = stop.wait_for(|stopped| *stopped).await;
                    })
                    .await
                })
            })
            .map_err(ServerError::Runtime)?;
        threads.push(thread);
    }
    main_rt.block_on(shutdown_signal());
    let _ = stop_tx.send(true);
    for thread in threads {
        thread.join().map_err(|_| {
            ServerError::Runtime(std::io::Error::other("a worker thread panicked"))
        })??;
    }
    Ok(())
}

/// A non-blocking listening socket on `addr` with SO_REUSEADDR and SO_REUSEPORT set.
fn reuseport_listener(addr: std::net::SocketAddr) -> std::io::Result<std::net::TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.set_reuseport(true)?;
    socket.bind(addr)?;
    let listener = socket.listen(1024)?.into_std()?;
    listener.set_nonblocking(true)?;
    Ok(listener)
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

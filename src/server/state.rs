//! What every handler shares: the server's settings ([`ServerConfig`]), the public face of the
//! data ([`PublicDataset`]), one tile source per level with a tile cache bounded in bytes, and
//! the request metrics, and the placement solve slots ([`AppState`]).
//!
//! Memory is bounded by construction: the tile cache by `tile_cache_bytes` (gzipped tile bytes
//! plus their ETags and a fixed per-entry overhead), the gap-table cache by the public face's
//! own bound (`gap_cache_bytes`), the metrics by the fixed set of route templates.

use super::metrics;
use super::store::DatasetStore;
use super::tile_source::TileSource;
use crate::dataset::Dataset;
use crate::level::Level;
use crate::public::PublicDataset;
use axum::http::HeaderValue;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Settings of a running server (from `gapmap serve` flags).
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Directory holding `index.html`, the app's files and `vendor/maplibre-gl/`.
    pub web_dir: PathBuf,
    /// Origins allowed by CORS; empty means CORS is off (same-origin only).
    pub cors_origins: Vec<String>,
    /// Keep gzipped tiles in memory.
    pub tile_cache: bool,
    /// Size bound of the tile cache, in bytes (gzipped tiles, their ETags and a per-entry
    /// overhead).
    pub tile_cache_bytes: u64,
    /// Size bound of the gap-table cache, in bytes of tables held in memory.
    pub gap_cache_bytes: u64,
    /// Base URL used in TileJSON/style URLs, e.g. `https://maps.example.org`; when absent
    /// the request's Host header is used.
    pub public_url: Option<String>,
    /// Requests taking longer are answered 408.
    pub request_timeout: Duration,
    /// `Cache-Control: max-age` for tiles, in seconds.
    pub tile_max_age: u32,
    pub minzoom: u8,
    pub maxzoom: u8,
    /// On shutdown, how long in-flight requests may take to finish.
    pub shutdown_timeout: Duration,
    /// Optional raster basemap under the choropleth (`{z}/{x}/{y}` template), for deployments
    /// with internet access; off by default, so nothing is fetched from outside.
    pub basemap_url: Option<String>,
    /// Placement solves running at once (`/api/place` with k); more are answered 503.
    pub place_solves: usize,
    /// Cap on a placement solve's time limit.
    pub place_time_limit: Duration,
    /// Largest k (and largest what-if site list) `/api/place` accepts.
    pub place_max_k: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            web_dir: PathBuf::from("web"),
            cors_origins: Vec::new(),
            tile_cache: true,
            tile_cache_bytes: 128 * 1024 * 1024,
            gap_cache_bytes: crate::public::DEFAULT_GAP_CACHE_BYTES,
            public_url: None,
            request_timeout: Duration::from_secs(30),
            tile_max_age: 3600,
            minzoom: 0,
            maxzoom: 14,
            basemap_url: None,
            place_solves: 2,
            place_time_limit: Duration::from_secs(20),
            place_max_k: 50,
            shutdown_timeout: Duration::from_secs(10),
        }
    }
}

/// Errors starting or running the server.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot listen on {addr}: {source} (is another server using the port? try --bind 127.0.0.1:0)")]
    Bind {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the server stopped with an I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("--cors-origin {0:?} is not a valid origin (expected e.g. https://maps.example.org)")]
    BadOrigin(String),
    #[error(
        "--basemap-url {0:?} must be an http(s) URL template containing {{z}}, {{x}} and {{y}}"
    )]
    BadBasemap(String),
    #[error("cannot start the tokio runtime: {0}")]
    Runtime(#[source] std::io::Error),
}

impl ServerError {
    /// True when the settings are wrong (the user can fix them), false for failures.
    pub fn is_input_error(&self) -> bool {
        matches!(
            self,
            ServerError::Bind { .. } | ServerError::BadOrigin(_) | ServerError::BadBasemap(_)
        )
    }
}

impl ServerConfig {
    /// Check the settings a person gives before starting: CORS origins and the basemap URL.
    pub fn validate(&self) -> Result<(), ServerError> {
        for origin in &self.cors_origins {
            let ok = origin == "*"
                || ((origin.starts_with("http://") || origin.starts_with("https://"))
                    && HeaderValue::from_str(origin).is_ok());
            if !ok {
                return Err(ServerError::BadOrigin(origin.clone()));
            }
        }
        if let Some(url) = &self.basemap_url {
            let template_ok = ["{z}", "{x}", "{y}"].iter().all(|p| url.contains(p));
            if !(url.starts_with("https://") || url.starts_with("http://")) || !template_ok {
                return Err(ServerError::BadBasemap(url.clone()));
            }
        }
        Ok(())
    }
}

/// A gzipped tile (or the fact that it is empty) with its strong ETag.
#[derive(Debug, Clone)]
pub(crate) enum CachedTile {
    Empty,
    Tile {
        gzipped: axum::body::Bytes,
        /// Strong ETags (from a digest of the uncompressed MVT bytes), made once per tile so
        /// a cache hit formats nothing: one for the gzipped body, one for the plain body.
        etag_gz: HeaderValue,
        etag_plain: HeaderValue,
    },
}

/// Bytes a cache entry costs beyond its tile and ETags (key, enum, `Bytes` and moka's own
/// bookkeeping), counted in the tile cache's bound.
const ENTRY_OVERHEAD: u32 = 256;

impl CachedTile {
    fn weight(&self) -> u32 {
        match self {
            CachedTile::Empty => ENTRY_OVERHEAD,
            CachedTile::Tile {
                gzipped,
                etag_gz,
                etag_plain,
            } => u32::try_from(
                gzipped.len() + etag_gz.len() + etag_plain.len() + ENTRY_OVERHEAD as usize,
            )
            .unwrap_or(u32::MAX),
        }
    }
}

pub(crate) type TileKey = (Level, u8, u32, u32);

pub(crate) struct Inner {
    /// The public face of the data (values, gap tables, profiles …) with its own caches,
    /// replaced whole by uploads.
    pub store: DatasetStore,
    /// Uploads and deletes (present when the server was started with somewhere to persist
    /// them); one change at a time.
    pub writer: Option<super::writer::Writer>,
    /// Bearer tokens for writes and `/metrics`; empty disables both.
    pub tokens: super::auth::Tokens,
    pub tiles: BTreeMap<Level, Arc<dyn TileSource>>,
    pub cache: Option<moka::sync::Cache<TileKey, CachedTile>>,
    pub metrics: Arc<metrics::Metrics>,
    /// Slots for placement solves, shared by every worker.
    pub place_slots: Arc<super::slots::SolveSlots>,
    /// `Cache-Control` of tile responses, made once from `config.tile_max_age`.
    pub tile_cache_control: HeaderValue,
    pub config: ServerConfig,
    /// Decks being built at once (`/api/slides`): each takes the blocking pool for ~1 s.
    pub slide_permits: Arc<tokio::sync::Semaphore>,
}

/// Decks `/api/slides` builds at once; more get 503 with `Retry-After`.
pub const SLIDE_BUILDS: usize = 2;

/// Everything a handler needs, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub(crate) inner: Arc<Inner>,
}

impl AppState {
    /// Build the state from a public face and one tile source per level.
    pub fn new(
        public: Arc<PublicDataset>,
        tiles: BTreeMap<Level, Arc<dyn TileSource>>,
        config: ServerConfig,
    ) -> Self {
        let cache = config.tile_cache.then(|| {
            moka::sync::Cache::builder()
                .max_capacity(config.tile_cache_bytes)
                .weigher(|_k: &TileKey, v: &CachedTile| v.weight())
                .build()
        });
        AppState {
            inner: Arc::new(Inner {
                store: DatasetStore::new(public),
                writer: None,
                tokens: super::auth::Tokens::default(),
                tiles,
                cache,
                metrics: Arc::new(metrics::Metrics::default()),
                place_slots: super::slots::SolveSlots::new(config.place_solves.max(1)),
                tile_cache_control: HeaderValue::from_str(&format!(
                    "public, max-age={}",
                    config.tile_max_age
                ))
                .unwrap_or_else(|_| HeaderValue::from_static("public, max-age=3600")),
                config,
                slide_permits: Arc::new(tokio::sync::Semaphore::new(SLIDE_BUILDS)),
            }),
        }
    }

    /// Build the state for a dataset: its public face (with the configured cache bound) and a
    /// tile set per loaded level (built in parallel).
    pub fn with_tilesets(dataset: Arc<Dataset>, config: ServerConfig) -> Self {
        let tiles = super::tile_source::build_tilesets(&dataset, config.maxzoom);
        let public = Arc::new(PublicDataset::with_cache_bytes(
            dataset,
            config.gap_cache_bytes,
        ));
        AppState::new(public, tiles, config)
    }

    /// Allow writes (uploads, deletes) authorised by `tokens`, persisted by `writer`; and
    /// put `/metrics` behind the same tokens. Call before [`super::app`].
    pub fn with_writes(
        mut self,
        tokens: super::auth::Tokens,
        writer: Option<super::writer::Writer>,
    ) -> Self {
        match Arc::get_mut(&mut self.inner) {
            Some(inner) => {
                inner.tokens = tokens;
                inner.writer = writer;
                self
            }
            // Already shared: a new state over the same data, tiles, caches and metrics.
            None => {
                let old = &self.inner;
                AppState {
                    inner: Arc::new(Inner {
                        store: DatasetStore::new(old.store.current()),
                        writer,
                        tokens,
                        tiles: old.tiles.clone(),
                        cache: old.cache.clone(),
                        metrics: old.metrics.clone(),
                        tile_cache_control: old.tile_cache_control.clone(),
                        place_slots: old.place_slots.clone(),
                        slide_permits: old.slide_permits.clone(),
                        config: old.config.clone(),
                    }),
                }
            }
        }
    }

    /// The public face of the data now (hold it for the whole request: see [`DatasetStore`]).
    pub fn public(&self) -> Arc<PublicDataset> {
        self.inner.store.current()
    }

    /// The dataset behind it (geometry and metadata; values come from [`AppState::public`]).
    pub fn dataset(&self) -> Arc<Dataset> {
        self.inner.store.dataset()
    }

    /// The store holding the public face (to replace it).
    pub fn store(&self) -> &DatasetStore {
        &self.inner.store
    }

    /// The placement solve slots (shared by every worker).
    pub fn place_slots(&self) -> &Arc<super::slots::SolveSlots> {
        &self.inner.place_slots
    }

    pub fn config(&self) -> &ServerConfig {
        &self.inner.config
    }

    /// `Cache-Control` for tiles, from `tile_max_age`.
    pub(crate) fn tile_cache_control(&self) -> HeaderValue {
        self.inner.tile_cache_control.clone()
    }
}

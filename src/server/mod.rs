//! The HTTP server: vector tiles, TileJSON and style, the JSON API, downloads, OpenAPI
//! and the static web map, on axum + tokio + tower-http.
//!
//! [`app`] builds the whole [`Router`] from an [`AppState`], so tests drive it with
//! `tower::ServiceExt::oneshot` without a socket; [`serve`] runs it on a listener until
//! Ctrl-C/SIGTERM and then drains in-flight requests (graceful shutdown).
//!
//! # Layout
//! - [`error`]: [`error::ApiError`] (every error is JSON `{error, detail}`) and the query extractor.
//! - [`public`]: what may be published of an indicator value: suppression and significance.
//! - [`metrics`]: Prometheus counters and the request-timing middleware.
//! - [`tiles`]: `/tiles/{level}/{z}/{x}/{y}.mvt`, `/tiles/{level}.json`, `/style.json`.
//! - [`api`]: the read-only JSON API (`/api/meta`, levels, indicators, values, areas, sites, search).
//! - [`downloads`]: `/api/gaps` and `/api/geo` (CSV, XLSX, Parquet, GeoJSON, GeoPackage).
//! - [`openapi`]: the OpenAPI 3.1 document and the `/docs` page.
//! - [`web`]: the static web map (`/`, `/static/*`, `/vendor/maplibre-gl/*`).
//! - [`cli`]: `gapmap serve` and `gapmap tiles` arguments and entry points.

pub mod api;
pub mod cli;
pub mod downloads;
pub mod error;
pub mod metrics;
pub mod openapi;
/// The public view of values lives in [`crate::disclosure`] (shared with the CLI).
pub use crate::disclosure as public;
pub mod tiles;
pub mod web;

use crate::dataset::Dataset;
use crate::level::Level;
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::routing::get;
use axum::Router;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use error::ApiError;
pub use tiles::TileSource;

/// Settings of a running server (from `gapmap serve` flags).
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Directory holding `index.html`, the app's files and `vendor/maplibre-gl/`.
    pub web_dir: PathBuf,
    /// Origins allowed by CORS; empty means CORS is off (same-origin only).
    pub cors_origins: Vec<String>,
    /// Keep gzipped tiles in memory.
    pub tile_cache: bool,
    /// Size bound of the tile cache, in bytes of gzipped tiles.
    pub tile_cache_bytes: u64,
    /// Base URL used in TileJSON/style URLs, e.g. `https://maps.example.org`; when absent
    /// the request's Host header is used.
    pub public_url: Option<String>,
    /// Requests taking longer are answered 408.
    pub request_timeout: Duration,
    /// `Cache-Control: max-age` for tiles, in seconds.
    pub tile_max_age: u32,
    pub minzoom: u8,
    pub maxzoom: u8,
    /// Optional raster basemap under the choropleth (`{z}/{x}/{y}` template), for deployments
    /// with internet access; off by default, so nothing is fetched from outside.
    pub basemap_url: Option<String>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            web_dir: PathBuf::from("web"),
            cors_origins: Vec::new(),
            tile_cache: true,
            tile_cache_bytes: 128 * 1024 * 1024,
            public_url: None,
            request_timeout: Duration::from_secs(30),
            tile_max_age: 3600,
            minzoom: 0,
            maxzoom: 14,
            basemap_url: None,
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
    #[error("cannot write the tiles: {0}")]
    Tiles(#[from] crate::tiles::TileError),
    #[error("--cors-origin {0:?} is not a valid origin (expected e.g. https://maps.example.org)")]
    BadOrigin(String),
    #[error(
        "--basemap-url {0:?} must be an http(s) URL template containing {{z}}, {{x}} and {{y}}"
    )]
    BadBasemap(String),
    #[error("cannot start the tokio runtime: {0}")]
    Runtime(#[source] std::io::Error),
    #[error("cannot write {path}: {detail}")]
    Output { path: PathBuf, detail: String },
    #[error("no tiles to write: {0}")]
    NothingToWrite(String),
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

impl CachedTile {
    fn weight(&self) -> u32 {
        match self {
            CachedTile::Empty => 64,
            CachedTile::Tile {
                gzipped,
                etag_gz,
                etag_plain,
            } => u32::try_from(gzipped.len() + etag_gz.len() + etag_plain.len() + 64)
                .unwrap_or(u32::MAX),
        }
    }
}

pub(crate) type TileKey = (Level, u8, u32, u32);

pub(crate) struct Inner {
    pub dataset: Arc<Dataset>,
    /// Publishable values per indicator id, computed once (see [`public`]).
    pub public: HashMap<String, Arc<public::PublicIndicator>>,
    pub tiles: BTreeMap<Level, Arc<dyn TileSource>>,
    pub cache: Option<moka::sync::Cache<TileKey, CachedTile>>,
    pub metrics: Arc<metrics::Metrics>,
    /// Computed gap tables (deterministic, so cached by request).
    pub gap_cache: downloads::GapCache,
    /// `Cache-Control` of tile responses, made once from `config.tile_max_age`.
    pub tile_cache_control: HeaderValue,
    pub config: ServerConfig,
}

/// Everything a handler needs, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub(crate) inner: Arc<Inner>,
}

impl AppState {
    /// Build the state: public values of every indicator, and one tile source per level.
    pub fn new(
        dataset: Arc<Dataset>,
        tiles: BTreeMap<Level, Arc<dyn TileSource>>,
        config: ServerConfig,
    ) -> Self {
        let public = dataset
            .indicators
            .iter()
            .map(|i| {
                (
                    i.meta.id.clone(),
                    Arc::new(public::PublicIndicator::new(&dataset, i)),
                )
            })
            .collect();
        let cache = config.tile_cache.then(|| {
            moka::sync::Cache::builder()
                .max_capacity(config.tile_cache_bytes)
                .weigher(|_k: &TileKey, v: &CachedTile| v.weight())
                .build()
        });
        AppState {
            inner: Arc::new(Inner {
                dataset,
                public,
                tiles,
                cache,
                metrics: Arc::new(metrics::Metrics::default()),
                gap_cache: moka::sync::Cache::new(512),
                tile_cache_control: HeaderValue::from_str(&format!(
                    "public, max-age={}",
                    config.tile_max_age
                ))
                .unwrap_or_else(|_| HeaderValue::from_static("public, max-age=3600")),
                config,
            }),
        }
    }

    /// Build the state with a tile set per loaded level (built in parallel).
    pub fn with_tilesets(dataset: Arc<Dataset>, config: ServerConfig) -> Self {
        let tiles = tiles::build_tilesets(&dataset, &config);
        AppState::new(dataset, tiles, config)
    }

    pub fn dataset(&self) -> &Dataset {
        &self.inner.dataset
    }

    pub fn config(&self) -> &ServerConfig {
        &self.inner.config
    }

    /// `Cache-Control` for tiles, from `tile_max_age`.
    pub(crate) fn tile_cache_control(&self) -> HeaderValue {
        self.inner.tile_cache_control.clone()
    }

    pub(crate) fn public_values(
        &self,
        indicator_id: &str,
    ) -> Option<&Arc<public::PublicIndicator>> {
        self.inner.public.get(indicator_id)
    }
}

/// Parse and check a level given by a client: it must be one of the loaded levels.
pub(crate) fn loaded_level(dataset: &Dataset, given: &str) -> Result<Level, ApiError> {
    let allowed = dataset
        .levels()
        .iter()
        .map(|l| l.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    match given.parse::<Level>() {
        Ok(level) if dataset.layer(level).is_some() => Ok(level),
        _ => Err(ApiError::bad_request(
            "unknown level",
            format!("level {given:?} is not loaded; expected one of: {allowed}"),
        )),
    }
}

/// Find an indicator by id, or a 400 listing the ids that exist.
pub(crate) fn known_indicator<'a>(
    dataset: &'a Dataset,
    id: &str,
) -> Result<&'a crate::dataset::Indicator, ApiError> {
    dataset.indicator(id).ok_or_else(|| {
        ApiError::bad_request(
            "unknown indicator",
            format!(
                "indicator {id:?} is not loaded; expected one of: {}",
                dataset.indicator_ids().join(", ")
            ),
        )
    })
}

/// The whole router: routes, middleware, fallback.
pub fn app(state: AppState) -> Router {
    let config = state.config().clone();
    let metrics = state.inner.metrics.clone();

    let routes = Router::new()
        .route("/health", get(api::health))
        .route("/metrics", get(api::metrics))
        .route("/api/meta", get(api::meta))
        .route("/api/levels", get(api::levels))
        .route("/api/indicators", get(api::indicators))
        .route("/api/values", get(api::values))
        .route("/api/areas", get(api::areas))
        .route("/api/areas/{code}", get(api::area_profile))
        .route("/api/sites", get(api::sites))
        .route("/api/search", get(api::search))
        .route("/api/gaps", get(downloads::gaps))
        .route("/api/geo", get(downloads::geo))
        .route("/tiles/{level}/{z}/{x}/{y}", get(tiles::tile))
        .route("/tiles/{tilejson}", get(tiles::tilejson))
        .route("/style.json", get(tiles::style))
        .route("/openapi.json", get(openapi::openapi_json))
        .route("/docs", get(openapi::docs_page))
        .with_state(state)
        .merge(web::routes(&config.web_dir))
        .fallback(error::no_such_route);

    // Compress JSON/text; tiles carry their own Content-Encoding (skipped automatically) and
    // already-compressed downloads are left alone.
    let compress = CompressionLayer::new().gzip(true).compress_when(
        SizeAbove::new(256)
            .and(NotForContentType::new("application/vnd.mapbox-vector-tile"))
            .and(NotForContentType::new(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ))
            .and(NotForContentType::new("application/vnd.apache.parquet"))
            .and(NotForContentType::IMAGES),
    );

    let mut router = routes
        .layer(axum::middleware::from_fn_with_state(
            metrics,
            metrics::track,
        ))
        .layer(compress)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            config.request_timeout,
        ))
        .layer(RequestBodyLimitLayer::new(64 * 1024))
        .layer(TraceLayer::new_for_http());
    if let Some(cors) = cors_layer(&config.cors_origins) {
        router = router.layer(cors);
    }
    router
}

/// CORS for the configured origins (`*` allows any); `None` when none are configured.
fn cors_layer(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            origins
                .iter()
                .filter_map(|o| HeaderValue::from_str(o.trim_end_matches('/')).ok()),
        )
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([Method::GET, Method::HEAD, Method::OPTIONS])
            .allow_headers([header::IF_NONE_MATCH, header::ACCEPT_ENCODING])
            .expose_headers([header::ETAG, HeaderName::from_static("content-disposition")])
            .max_age(Duration::from_secs(3600)),
    )
}

/// Check `--cors-origin` values before starting.
pub fn validate_origins(origins: &[String]) -> Result<(), ServerError> {
    for origin in origins {
        let ok = origin == "*"
            || ((origin.starts_with("http://") || origin.starts_with("https://"))
                && HeaderValue::from_str(origin).is_ok());
        if !ok {
            return Err(ServerError::BadOrigin(origin.clone()));
        }
    }
    Ok(())
}

/// Run the router on `listener` until `shutdown` resolves, then finish in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!("cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}

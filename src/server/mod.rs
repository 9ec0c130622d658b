//! The HTTP server: vector tiles, TileJSON and style, the JSON API, downloads, OpenAPI
//! and the static web map, on axum + tokio + tower-http.
//!
//! [`app`] builds the whole [`Router`] from an [`AppState`], so tests drive it with
//! `tower::ServiceExt::oneshot` without a socket; [`serve`] runs it on a listener until
//! Ctrl-C/SIGTERM and then drains in-flight requests (graceful shutdown, bounded by
//! `--shutdown-timeout-s` in [`run`]).
//!
//! # Layout
//! Handlers are thin adapters: they parse the request, call the public face of the data
//! ([`crate::public::PublicDataset`], which applies every suppression rule) and encode.
//!
//! # Layout
//! - [`state`]: [`AppState`] (the data store, tile sources, the byte-bounded tile cache,
//!   metrics, tokens, the upload writer), [`ServerConfig`] and [`ServerError`].
//! - [`store`]: [`store::DatasetStore`], the swappable public face (`current()`/`replace()`).
//! - [`auth`]: bearer tokens (constant-time), for writes and `/metrics`.
//! - [`uploads`]: `POST /api/indicators`, `DELETE /api/indicators/{id}`, `POST /api/sites`,
//!   `POST /api/reach-records` (service-use records, aggregated; only the aggregates are kept).
//! - [`writer`]: [`writer::Writer`], where uploads are kept and how a change is committed.
//! - [`replica`]: a server fed by PostGIS, swapping in each new generation loaded there.
//! - [`security`]: Content-Security-Policy, `nosniff`, `Referrer-Policy` on every response.
//! - [`error`]: [`error::ApiError`] (every error is JSON `{error, detail}`), the mapping from
//!   the public face's errors, and the query extractor.
//! - [`metrics`]: Prometheus counters and the request-timing middleware.
//! - [`tile_source`]: the [`TileSource`] trait tiles are served from, one per level.
//! - [`tiles`]: `/tiles/{level}/{z}/{x}/{y}.mvt`, `/tiles/{level}.json`, `/style.json`.
//! - [`api`]: the read-only JSON API (`/api/meta`, levels, indicators, values, areas, sites,
//!   search, groupings, legend).
//! - [`downloads`]: `/api/gaps` and `/api/geo` (CSV, XLSX, Parquet, GeoJSON, GeoPackage).
//! - [`place`]: `/api/place` (GET/POST): placement solves and what-if evaluations, with a
//!   limit on concurrent solves.
//! - [`slots`]: [`slots::SolveSlots`], the non-blocking limit on concurrent solves.
//! - [`reach`]: `/api/reach`, a service's reach against need.
//! - [`trend`]: `/api/trend`, gap trends across periods (JSON, CSV, XLSX).
//! - [`stats`]: `POST /api/stats`, the analysts' method set on a posted CSV.
//! - [`figures`]: `/api/map.png` (map images, the slides' renderer) and `/api/slides` (decks
//!   as PPTX or PDF, on the blocking pool, a few at once).
//! - [`openapi`]: the OpenAPI 3.1 document and the `/docs` page.
//! - [`web`]: the static web map (`/`, `/static/*`, `/vendor/maplibre-gl/*`).
//! - [`run`]: running the server: one single-threaded event loop per worker.

pub mod api;
pub mod auth;
pub mod downloads;
pub mod error;
pub mod figures;
pub mod metrics;
pub mod openapi;
pub mod place;
pub mod reach;
pub mod replica;
pub mod run;
pub mod security;
pub mod slots;
pub mod state;
pub mod stats;
pub mod store;
pub mod tile_source;
pub mod tiles;
pub mod trend;
pub mod uploads;
pub mod web;
pub mod writer;

use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::routing::{delete, get, post};
use axum::Router;
use std::time::Duration;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use error::ApiError;
pub use state::{AppState, ServerConfig, ServerError};
pub use tile_source::TileSource;

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
        .route("/api/groupings", get(api::groupings))
        .route("/api/legend", get(api::legend))
        .route("/api/gaps", get(downloads::gaps))
        .route("/api/trend", get(trend::trend))
        .route("/api/reach", get(reach::reach))
        .route("/api/geo", get(downloads::geo))
        .route("/api/place", get(place::place_get).post(place::place_post))
        .route("/api/map.png", get(figures::map_png))
        .route("/api/slides", get(figures::slides))
        .route("/tiles/{level}/{z}/{x}/{y}", get(tiles::tile))
        .route("/tiles/{tilejson}", get(tiles::tilejson))
        .route("/style.json", get(tiles::style))
        .route("/openapi.json", get(openapi::openapi_json))
        .route("/docs", get(openapi::docs_page))
        .route("/docs.js", get(openapi::docs_script))
        .with_state(state.clone())
        .merge(web::routes(&config.web_dir))
        // Reads take no body to speak of.
        .layer(RequestBodyLimitLayer::new(64 * 1024));
    // Analysts post their own CSV inside a JSON body (not a write: no token needed).
    let stats_route = Router::new()
        .route(
            "/api/stats",
            post(stats::stats).layer(RequestBodyLimitLayer::new(stats::MAX_BODY_BYTES)),
        )
        .with_state(state.clone());
    // Writes read their body themselves, within --max-upload-mb (413 with a message).
    let writes = Router::new()
        .route("/api/indicators", post(uploads::upload_indicators))
        .route("/api/indicators/{id}", delete(uploads::delete_indicator))
        .route("/api/sites", post(uploads::upload_sites))
        .route("/api/reach-records", post(uploads::upload_reach_records))
        .with_state(state);
    let routes = routes
        .merge(stats_route)
        .merge(writes)
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
        .layer(TraceLayer::new_for_http());
    for (name, value) in security::headers(config.basemap_url.as_deref()) {
        router = router.layer(SetResponseHeaderLayer::if_not_present(name, value));
    }
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

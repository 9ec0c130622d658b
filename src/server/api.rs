//! The read-only JSON API: health, metrics, meta, levels, indicators, values, areas, area
//! profiles, sites, search, groupings and map legends. Each handler parses its query, asks the
//! public face ([`crate::public::PublicDataset`]) and encodes the answer: suppression and every
//! other publication rule are applied there, once.

use super::error::{ApiError, ApiQuery, ErrorBody};
use super::state::AppState;
use crate::imd::ImdEdition;
use crate::level::Level;
use crate::lookup;
use crate::public::{
    AreaProfile, AreaSummary, GroupingInfo, IndicatorInfo, Legend, LevelInfo, Meta, SearchHit,
    ValuesResponse,
};
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// "ok" when the dataset is loaded and the server answers.
    pub status: String,
    pub dataset: String,
    pub built_at: String,
}

/// A level given in a query: parsed (aliases accepted) and checked against the loaded levels.
pub(crate) fn query_level(
    state: &AppState,
    given: Option<&str>,
) -> Result<Option<Level>, ApiError> {
    given
        .map(|l| lookup::level(&state.dataset(), l))
        .transpose()
        .map_err(ApiError::from)
}

/// A grouping given in a query (default: imd-quintile); unknown ones list the allowed.
pub(crate) fn query_group_by(given: Option<&str>) -> Result<crate::gaps::GroupBy, ApiError> {
    given.map_or(Ok(crate::gaps::GroupBy::ImdQuintile), |b| {
        b.parse().map_err(|e: crate::gaps::UnknownGroupBy| {
            ApiError::bad_request("unknown grouping", e.to_string())
        })
    })
}

/// An IMD edition given in a query (`imd2019`/`2019`, `imd2025`/`2025`).
pub(crate) fn query_edition(given: Option<&str>) -> Result<Option<ImdEdition>, ApiError> {
    given
        .map(str::parse::<ImdEdition>)
        .transpose()
        .map_err(|e| ApiError::bad_request("unknown IMD edition", e.to_string()))
}

/// `GET /health`
#[utoipa::path(get, path = "/health", tag = "ops",
    responses((status = 200, description = "Server and dataset status", body = Health)))]
pub async fn health(State(state): State<AppState>) -> Json<Health> {
    let dataset = state.dataset();
    let meta = &dataset.meta;
    Json(Health {
        status: "ok".into(),
        dataset: meta.name.clone(),
        built_at: meta.built_at.clone(),
    })
}

/// `GET /metrics`
#[utoipa::path(get, path = "/metrics", tag = "ops",
    security(("bearer" = [])),
    responses((status = 200, description = "Prometheus text exposition", content_type = "text/plain; version=0.0.4", body = String),
        (status = 401, description = "Missing or wrong bearer token", body = ErrorBody),
        (status = 403, description = "No token configured: metrics are not exposed", body = ErrorBody)))]
pub async fn metrics(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    state.inner.tokens.authorise(&headers, "/metrics")?;
    let tile_cache_bytes = state.inner.cache.as_ref().map_or(0, |c| {
        c.run_pending_tasks();
        c.weighted_size()
    });
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state
            .inner
            .metrics
            .render(tile_cache_bytes, state.public().cache_bytes()),
    ))
}

/// `GET /api/meta`
#[utoipa::path(get, path = "/api/meta", tag = "api",
    responses((status = 200, description = "What this server holds", body = Meta)))]
pub async fn meta(State(state): State<AppState>) -> Json<Meta> {
    let mut meta = state.public().meta();
    meta.basemap_url = state.config().basemap_url.clone();
    Json(meta)
}

/// `GET /api/levels`
#[utoipa::path(get, path = "/api/levels", tag = "api",
    responses((status = 200, description = "Loaded levels", body = [LevelInfo])))]
pub async fn levels(State(state): State<AppState>) -> Json<Vec<LevelInfo>> {
    Json(state.public().levels())
}

/// `GET /api/indicators`
#[utoipa::path(get, path = "/api/indicators", tag = "api",
    responses((status = 200, description = "Loaded indicators with England and county values", body = [IndicatorInfo])))]
pub async fn indicators(State(state): State<AppState>) -> Json<Vec<IndicatorInfo>> {
    Json(state.public().indicators())
}

/// `GET /api/groupings`
#[utoipa::path(get, path = "/api/groupings", tag = "api",
    responses((status = 200, description = "The groupings a gap table can use, with their labels, in display order", body = [GroupingInfo])))]
pub async fn groupings(State(state): State<AppState>) -> Json<Vec<GroupingInfo>> {
    Json(state.public().groupings())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ValuesQuery {
    /// Indicator id (see /api/indicators).
    pub indicator: String,
    /// Level id; defaults to the indicator's own level, and must equal it.
    pub level: Option<String>,
    /// Period label (see `periods` in /api/indicators); defaults to the latest.
    pub period: Option<String>,
}

/// `GET /api/values?indicator=ID&level=L&period=P`
#[utoipa::path(get, path = "/api/values", tag = "api", params(ValuesQuery),
    responses(
        (status = 200, description = "Every area's value (suppressed values are null)", body = ValuesResponse),
        (status = 400, description = "Unknown indicator, level or period", body = ErrorBody),
    ))]
pub async fn values(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ValuesQuery>,
) -> Result<Json<ValuesResponse>, ApiError> {
    let level = query_level(&state, q.level.as_deref())?;
    Ok(Json(state.public().values(
        &q.indicator,
        level,
        q.period.as_deref(),
    )?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AreasQuery {
    /// Level id; defaults to the dataset's default level.
    pub level: Option<String>,
    /// IMD edition ("imd2019" or "imd2025"); defaults to the level's native edition.
    pub imd: Option<String>,
}

/// `GET /api/areas?level=L`
#[utoipa::path(get, path = "/api/areas", tag = "api", params(AreasQuery),
    responses(
        (status = 200, description = "Areas of a level with IMD and locality", body = [AreaSummary]),
        (status = 400, description = "Unknown level or IMD edition", body = ErrorBody),
    ))]
pub async fn areas(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<AreasQuery>,
) -> Result<Json<Vec<AreaSummary>>, ApiError> {
    let level = query_level(&state, q.level.as_deref())?;
    let edition = query_edition(q.imd.as_deref())?;
    Ok(Json(state.public().areas(level, edition)?))
}

/// `GET /api/areas/{code}`
#[utoipa::path(get, path = "/api/areas/{code}", tag = "api",
    params(("code" = String, Path, description = "Area code, e.g. E02004290 (any level)")),
    responses(
        (status = 200, description = "Area profile: IMD, population and every indicator", body = AreaProfile),
        (status = 404, description = "No area has this code", body = ErrorBody),
    ))]
pub async fn area_profile(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<AreaProfile>, ApiError> {
    Ok(Json(state.public().area_profile(&code)?))
}

/// `GET /api/sites`
#[utoipa::path(get, path = "/api/sites", tag = "api",
    responses((status = 200, description = "GeoJSON FeatureCollection of sites (properties id, name, kind, existing, illustrative)", content_type = "application/geo+json", body = Object)))]
pub async fn sites(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/geo+json")],
        Json(state.public().sites_geojson()),
    )
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Text to find: part of an area name or code, or a full postcode (at least 2 characters).
    pub q: String,
}

/// `GET /api/search?q=`
#[utoipa::path(get, path = "/api/search", tag = "api", params(SearchQuery),
    responses(
        (status = 200, description = "Up to 10 matching areas, localities and postcodes", body = [SearchHit]),
        (status = 400, description = "Query too short", body = ErrorBody),
    ))]
pub async fn search(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> Result<Json<Vec<SearchHit>>, ApiError> {
    Ok(Json(state.public().search(&q.q)?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LegendQuery {
    /// Map layer: "imd-decile", "imd-score" or an indicator id (see /api/indicators).
    pub layer: String,
    /// Level id; defaults to the dataset's default level (IMD) or the indicator's own level.
    pub level: Option<String>,
    /// Period of an indicator layer; defaults to the latest.
    pub period: Option<String>,
}

/// `GET /api/legend?layer=&level=`
#[utoipa::path(get, path = "/api/legend", tag = "api", params(LegendQuery),
    responses(
        (status = 200, description = "Classes and colours of a map layer: breaks (a value is in class i = number of breaks ≤ it), each class's colour, label, bounds and area count, and the no-data and suppressed colours. The web map and server-rendered maps colour areas from this.", body = Legend),
        (status = 400, description = "Unknown layer or level", body = ErrorBody),
    ))]
pub async fn legend(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<LegendQuery>,
) -> Result<Json<Legend>, ApiError> {
    let level = query_level(&state, q.level.as_deref())?;
    Ok(Json(state.public().legend(
        &q.layer,
        level,
        q.period.as_deref(),
    )?))
}

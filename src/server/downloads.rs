//! Downloads: `/api/gaps` (the gap-statistics engine's table as JSON, CSV, XLSX or Parquet)
//! and `/api/geo` (areas with IMD and an indicator as GeoJSON or GeoPackage).
//!
//! File formats are sent with `Content-Disposition: attachment` and a descriptive file name.
//! Encoding that touches GDAL or polars runs on the blocking pool.

use super::api::edition_for;
use super::error::{ApiError, ApiQuery, ErrorBody};
use super::{known_indicator, loaded_level, AppState};
use crate::disclosure::apply_to_gap_table;
use crate::export::{write_csv, write_parquet, write_xlsx};
use crate::gaps::{gap_table, GapError, GapRequest, GapTable, GroupBy};
use crate::geoexport::{self, GeoFeature, GeoValue};
use crate::imd::ImdEdition;
use crate::level::Level;
use crate::stats::significance::Significance;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::sync::Arc;
use utoipa::IntoParams;

/// An attachment response with a content type and file name.
pub(crate) fn attachment(content_type: &'static str, filename: &str, body: Vec<u8>) -> Response {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response()
}

/// Keep file names to `[A-Za-z0-9_-]` so a header can never be malformed.
pub(crate) fn file_stem(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|p| {
            p.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("_")
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GeoQuery {
    /// Level id; defaults to the dataset's default level.
    pub level: Option<String>,
    /// Indicator id to attach (optional; must be on the same level).
    pub indicator: Option<String>,
    /// "geojson" (default) or "gpkg".
    pub format: Option<String>,
    /// IMD edition; defaults to the level's native edition.
    pub imd: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GeoFormat {
    GeoJson,
    Gpkg,
}

/// `GET /api/geo?level=L&indicator=ID&format=geojson|gpkg`
#[utoipa::path(get, path = "/api/geo", tag = "downloads", params(GeoQuery),
    responses(
        (status = 200, description = "Areas with IMD and indicator values (suppression applied)", content_type = "application/geo+json"),
        (status = 400, description = "Unknown level, indicator, IMD edition or format", body = ErrorBody),
    ))]
pub async fn geo(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<GeoQuery>,
) -> Result<Response, ApiError> {
    let format = match q.format.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("geojson") | Some("json") => GeoFormat::GeoJson,
        Some("gpkg") | Some("geopackage") => GeoFormat::Gpkg,
        Some(other) => {
            return Err(ApiError::bad_request(
                "unknown format",
                format!("format {other:?} is not supported here; expected one of: geojson, gpkg"),
            ))
        }
    };
    let (level, features) = geo_features(&state, &q)?;
    let mut stem = vec!["gapmap", level.as_str()];
    if let Some(i) = &q.indicator {
        stem.push(i);
    }
    let name = file_stem(&stem);
    match format {
        GeoFormat::GeoJson => {
            let bytes = geoexport::geojson_bytes(&features).map_err(ApiError::internal)?;
            Ok(attachment(
                "application/geo+json",
                &format!("{name}.geojson"),
                bytes,
            ))
        }
        GeoFormat::Gpkg => {
            let layer_name = level.as_str().to_string();
            let bytes =
                tokio::task::spawn_blocking(move || geoexport::gpkg_bytes(&layer_name, &features))
                    .await
                    .map_err(ApiError::internal)?
                    .map_err(ApiError::internal)?;
            Ok(attachment(
                "application/geopackage+sqlite3",
                &format!("{name}.gpkg"),
                bytes,
            ))
        }
    }
}

/// One feature per area of the level, with IMD and (if asked) the public indicator values.
pub(crate) fn geo_features(
    state: &AppState,
    q: &GeoQuery,
) -> Result<(crate::level::Level, Vec<GeoFeature>), ApiError> {
    let d = state.dataset();
    let level = match &q.level {
        Some(l) => loaded_level(d, l)?,
        None => d.meta.default_level,
    };
    let layer = d.layer(level).ok_or_else(|| {
        ApiError::bad_request("unknown level", format!("level {level} is not loaded"))
    })?;
    let edition = edition_for(layer, q.imd.as_deref())?;
    let indicator = match &q.indicator {
        Some(id) => {
            let i = known_indicator(d, id)?;
            if i.meta.level != level {
                return Err(ApiError::bad_request(
                    "level not available for indicator",
                    format!(
                        "indicator {} is published for level {} only; ask for level={}",
                        i.meta.id, i.meta.level, i.meta.level
                    ),
                ));
            }
            Some(i)
        }
        None => None,
    };
    let public = indicator.and_then(|i| state.public_values(&i.meta.id));
    let features = layer
        .areas
        .iter()
        .map(|a| {
            let imd = edition.and_then(|e| a.imd(e));
            let mut p = vec![
                ("code".to_string(), GeoValue::Text(Some(a.code.clone()))),
                ("name".into(), GeoValue::Text(Some(a.name.clone()))),
                ("ons_name".into(), GeoValue::Text(Some(a.ons_name.clone()))),
                ("level".into(), GeoValue::Text(Some(level.as_str().into()))),
                ("locality".into(), GeoValue::Text(a.locality.clone())),
                (
                    "population".into(),
                    GeoValue::Integer(a.population.as_ref().map(|p| i64::from(p.total))),
                ),
                (
                    "imd_edition".into(),
                    GeoValue::Text(edition.map(|e| e.as_str().into())),
                ),
                ("imd_score".into(), GeoValue::Real(imd.map(|i| i.score))),
                (
                    "imd_rank".into(),
                    GeoValue::Integer(imd.map(|i| i64::from(i.rank))),
                ),
                (
                    "imd_decile".into(),
                    GeoValue::Integer(imd.map(|i| i64::from(i.decile))),
                ),
                (
                    "imd_quintile".into(),
                    GeoValue::Integer(imd.map(|i| i64::from(i.quintile))),
                ),
                (
                    "imd_local_quintile".into(),
                    GeoValue::Integer(imd.map(|i| i64::from(i.local_quintile))),
                ),
                (
                    "imd_most_deprived_30pct".into(),
                    GeoValue::Bool(imd.map(|i| i.most_deprived_30pct)),
                ),
            ];
            if let Some(ind) = indicator {
                let v = public.and_then(|p| p.value(&a.code));
                let sig = |s: Option<Significance>| {
                    GeoValue::Text(
                        s.filter(|s| *s != Significance::NotCompared)
                            .map(|s| s.label().to_string()),
                    )
                };
                p.extend([
                    (
                        "indicator_id".to_string(),
                        GeoValue::Text(Some(ind.meta.id.clone())),
                    ),
                    (
                        "indicator".into(),
                        GeoValue::Text(Some(ind.meta.name.clone())),
                    ),
                    ("synthetic".into(), GeoValue::Bool(Some(ind.meta.synthetic))),
                    (
                        "period".into(),
                        GeoValue::Text(Some(ind.meta.period.clone())),
                    ),
                    ("value".into(), GeoValue::Real(v.and_then(|v| v.value))),
                    ("lower95".into(), GeoValue::Real(v.and_then(|v| v.lower95))),
                    ("upper95".into(), GeoValue::Real(v.and_then(|v| v.upper95))),
                    ("count".into(), GeoValue::Real(v.and_then(|v| v.count))),
                    (
                        "denominator".into(),
                        GeoValue::Real(v.and_then(|v| v.denominator)),
                    ),
                    ("suppressed".into(), GeoValue::Bool(v.map(|v| v.suppressed))),
                    ("vs_england".into(), sig(v.map(|v| v.vs_england))),
                    ("vs_county".into(), sig(v.map(|v| v.vs_county))),
                ]);
            }
            GeoFeature {
                geometry: a.geometry.clone(),
                properties: p,
            }
        })
        .collect();
    Ok((level, features))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GapsQuery {
    /// Indicator id (see /api/indicators).
    pub indicator: String,
    /// Grouping: imd-decile, imd-quintile (default), local-quintile, locality or area.
    pub by: Option<String>,
    /// Level id; defaults to the indicator's level, and must equal it.
    pub level: Option<String>,
    /// IMD edition for deprivation groups ("imd2019" or "imd2025"); default: the level's native one.
    pub imd: Option<String>,
    /// json (default), csv, xlsx or parquet.
    pub format: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GapsFormat {
    Json,
    Csv,
    Xlsx,
    Parquet,
}

/// Parse `?format=` for gap tables.
fn gaps_format(given: Option<&str>) -> Result<GapsFormat, ApiError> {
    match given.map(str::to_ascii_lowercase).as_deref() {
        None | Some("json") => Ok(GapsFormat::Json),
        Some("csv") => Ok(GapsFormat::Csv),
        Some("xlsx") => Ok(GapsFormat::Xlsx),
        Some("parquet") => Ok(GapsFormat::Parquet),
        Some(other) => Err(ApiError::bad_request(
            "unknown format",
            format!(
                "format {other:?} is not supported here; expected one of: json, csv, xlsx, parquet"
            ),
        )),
    }
}

/// Map the engine's errors to client errors (they all describe the request).
fn gap_error(e: GapError) -> ApiError {
    match e {
        GapError::UnknownIndicator { .. } => {
            ApiError::bad_request("unknown indicator", e.to_string())
        }
        GapError::LevelNotAvailable { .. } | GapError::LevelNotLoaded { .. } => {
            ApiError::bad_request("level not available for indicator", e.to_string())
        }
        GapError::EditionNotAvailable { .. } => {
            ApiError::bad_request("IMD edition not available", e.to_string())
        }
        GapError::UnknownArea { .. } => ApiError::not_found("unknown area", e.to_string()),
        other => ApiError::internal(other),
    }
}

/// Cache key → computed table; tables are deterministic (fixed seed), so caching is exact.
pub(crate) type GapCache =
    moka::sync::Cache<(String, GroupBy, Level, Option<ImdEdition>), Arc<GapTable>>;

/// `GET /api/gaps?indicator=&by=&level=&imd=&format=`
#[utoipa::path(get, path = "/api/gaps", tag = "downloads", params(GapsQuery),
    responses(
        (status = 200, description = "Gap table (suppression applied): JSON, or a CSV/XLSX/Parquet attachment", body = Object),
        (status = 400, description = "Unknown indicator, grouping, level, IMD edition or format", body = ErrorBody),
    ))]
pub async fn gaps(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<GapsQuery>,
) -> Result<Response, ApiError> {
    let format = gaps_format(q.format.as_deref())?;
    let by: GroupBy = match &q.by {
        Some(b) => b.parse().map_err(|e: crate::gaps::UnknownGroupBy| {
            ApiError::bad_request("unknown grouping", e.to_string())
        })?,
        None => GroupBy::ImdQuintile,
    };
    let d = state.dataset();
    let indicator = known_indicator(d, &q.indicator)?;
    let mut request = GapRequest::for_indicator(d, &indicator.meta.id, by);
    if let Some(level) = &q.level {
        request.level = loaded_level(d, level)?;
    }
    if let Some(imd) = &q.imd {
        request.edition = Some(super::api::parse_edition(imd)?);
    }
    let key = (
        request.indicator.clone(),
        request.by,
        request.level,
        request.edition,
    );
    let cached = state.inner.gap_cache.get(&key);
    let table = match cached {
        Some(t) => t,
        None => {
            let inner = state.inner.clone();
            let public = state.public_values(&indicator.meta.id).cloned();
            let computed = tokio::task::spawn_blocking(move || {
                let mut table = gap_table(&inner.dataset, &request)?;
                if let Some(public) = public {
                    apply_to_gap_table(&mut table, &public);
                }
                Ok::<_, GapError>(Arc::new(table))
            })
            .await
            .map_err(ApiError::internal)?
            .map_err(gap_error)?;
            state.inner.gap_cache.insert(key, computed.clone());
            computed
        }
    };
    let mut stem = vec![
        "gapmap",
        "gaps",
        table.indicator.id.as_str(),
        table.by.as_str(),
        table.level.as_str(),
    ];
    if let Some(e) = table.edition {
        stem.push(e.as_str());
    }
    let name = file_stem(&stem);
    match format {
        GapsFormat::Json => Ok(axum::Json(table.as_ref().clone()).into_response()),
        GapsFormat::Csv => {
            let mut bytes = Vec::new();
            write_csv(&table, &mut bytes).map_err(ApiError::internal)?;
            Ok(attachment(
                "text/csv; charset=utf-8",
                &format!("{name}.csv"),
                bytes,
            ))
        }
        GapsFormat::Xlsx => {
            let t = table.clone();
            let bytes = tokio::task::spawn_blocking(move || write_xlsx(&t))
                .await
                .map_err(ApiError::internal)?
                .map_err(ApiError::internal)?;
            Ok(attachment(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                &format!("{name}.xlsx"),
                bytes,
            ))
        }
        GapsFormat::Parquet => {
            let mut bytes = Vec::new();
            write_parquet(&table, &mut bytes).map_err(ApiError::internal)?;
            Ok(attachment(
                "application/vnd.apache.parquet",
                &format!("{name}.parquet"),
                bytes,
            ))
        }
    }
}

//! Downloads: `/api/gaps` (the gap-statistics engine's table as JSON, CSV, XLSX or Parquet)
//! and `/api/geo` (areas with IMD and an indicator as GeoJSON or GeoPackage).
//!
//! File formats are sent with `Content-Disposition: attachment` and a descriptive file name.
//! Encoding that touches GDAL or polars runs on the blocking pool.

use super::api::edition_for;
use super::error::{ApiError, ApiQuery, ErrorBody};
use super::{known_indicator, loaded_level, AppState};
use crate::geoexport::{self, GeoFeature, GeoValue};
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
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
                let v = public.and_then(|vals| {
                    vals.binary_search_by(|v| v.code.as_str().cmp(&a.code))
                        .ok()
                        .map(|k| &vals[k])
                });
                let sig = |s: Option<super::public::Significance>| {
                    GeoValue::Text(s.and_then(|s| {
                        serde_json::to_value(s)
                            .ok()
                            .and_then(|v| v.as_str().map(String::from))
                    }))
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
                    ("vs_england".into(), sig(v.and_then(|v| v.vs_england))),
                    ("vs_county".into(), sig(v.and_then(|v| v.vs_county))),
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

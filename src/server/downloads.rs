//! Downloads: `/api/gaps` (the gap-statistics engine's table as JSON, CSV, XLSX or Parquet)
//! and `/api/geo` (areas with IMD and an indicator as GeoJSON or GeoPackage).
//!
//! File formats are sent with `Content-Disposition: attachment` and a descriptive file name.
//! Encoding that touches GDAL or polars runs on the blocking pool.

use super::api::{query_edition, query_group_by, query_level};
use super::error::{ApiError, ApiQuery, ErrorBody};
use super::state::AppState;
use crate::export::{write_csv, write_parquet, write_xlsx};
use crate::gaps::GapRequest;
use crate::geoexport;
use crate::lookup;
use crate::slides::reading::GapTableJson;
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
    /// Period of the indicator; defaults to the latest.
    pub period: Option<String>,
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
    let level = query_level(&state, q.level.as_deref())?;
    let edition = query_edition(q.imd.as_deref())?;
    // Features and their encoding are CPU work (every area's geometry): off the event loop.
    let public = state.public();
    let indicator = q.indicator.clone();
    let period = q.period.clone();
    let (level, bytes) = tokio::task::spawn_blocking(move || {
        let (level, features) =
            public.features(level, indicator.as_deref(), edition, period.as_deref())?;
        let bytes = match format {
            GeoFormat::GeoJson => geoexport::geojson_bytes(&features),
            GeoFormat::Gpkg => geoexport::gpkg_bytes(level.as_str(), &features),
        }
        .map_err(|e| crate::public::PublicError::Internal(e.to_string()))?;
        Ok::<_, crate::public::PublicError>((level, bytes))
    })
    .await
    .map_err(ApiError::internal)??;
    let mut stem = vec!["gapmap", level.as_str()];
    if let Some(i) = &q.indicator {
        stem.push(i);
    }
    let name = file_stem(&stem);
    Ok(match format {
        GeoFormat::GeoJson => attachment("application/geo+json", &format!("{name}.geojson"), bytes),
        GeoFormat::Gpkg => attachment(
            "application/geopackage+sqlite3",
            &format!("{name}.gpkg"),
            bytes,
        ),
    })
}

/// Which gap table: the selection `/api/gaps` (one period) and `/api/trend` (every period)
/// share. Each handler takes it as its own query extractor beside one for its other
/// parameters (utoipa's `IntoParams` cannot flatten, and two extractors read the same query
/// string), so the parameters are declared and checked once.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GapSelectionQuery {
    /// Indicator id (see /api/indicators).
    pub indicator: String,
    /// Grouping: imd-decile, imd-quintile (default), local-quintile, locality or area (a trend
    /// needs a deprivation grouping).
    pub by: Option<String>,
    /// Level id; defaults to the indicator's level, and must equal it.
    pub level: Option<String>,
    /// IMD edition for deprivation groups ("imd2019" or "imd2025"); default: the level's native one.
    pub imd: Option<String>,
    /// Only the areas of this locality (name or code, see /api/areas?level=locality): the gap by
    /// deprivation within one locality. Not with `by=locality`.
    pub locality: Option<String>,
}

impl GapSelectionQuery {
    /// The gap request this selection describes: indicator, grouping (default imd-quintile),
    /// level (default the indicator's), IMD edition and locality, each checked ([`lookup`]).
    pub(crate) fn request(&self, state: &AppState) -> Result<GapRequest, ApiError> {
        let by = query_group_by(self.by.as_deref())?;
        let d = state.dataset();
        let indicator = lookup::indicator(&d, &self.indicator)?;
        let mut request = GapRequest::for_indicator(&d, &indicator.meta.id, by);
        if let Some(level) = query_level(state, self.level.as_deref())? {
            request.level = level;
        }
        request.edition = query_edition(self.imd.as_deref())?;
        request.locality = self.locality.clone();
        Ok(request)
    }
}

/// `/api/gaps`' own parameters, beside [`GapSelectionQuery`].
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GapsQuery {
    /// Period label (see `periods` in /api/indicators); defaults to the latest.
    pub period: Option<String>,
    /// json (default), csv, xlsx or parquet.
    pub format: Option<String>,
}

/// A table's download format (`?format=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TableFormat {
    Json,
    Csv,
    Xlsx,
    Parquet,
}

impl TableFormat {
    fn as_str(self) -> &'static str {
        match self {
            TableFormat::Json => "json",
            TableFormat::Csv => "csv",
            TableFormat::Xlsx => "xlsx",
            TableFormat::Parquet => "parquet",
        }
    }

    /// Parse `?format=` (default json) among the formats a route offers; anything else is a
    /// 400 listing them.
    pub(crate) fn parse(
        given: Option<&str>,
        offered: &[TableFormat],
    ) -> Result<TableFormat, ApiError> {
        let Some(given) = given else {
            return Ok(TableFormat::Json);
        };
        let wanted = given.to_ascii_lowercase();
        offered
            .iter()
            .copied()
            .find(|f| f.as_str() == wanted)
            .ok_or_else(|| {
                ApiError::bad_request(
                    "unknown format",
                    format!(
                        "format {given:?} is not supported here; expected one of: {}",
                        offered
                            .iter()
                            .map(|f| f.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })
    }
}

/// A CSV attachment named `{stem}.csv`.
pub(crate) fn csv_attachment(stem: &str, bytes: Vec<u8>) -> Response {
    attachment("text/csv; charset=utf-8", &format!("{stem}.csv"), bytes)
}

/// An XLSX attachment named `{stem}.xlsx`.
pub(crate) fn xlsx_attachment(stem: &str, bytes: Vec<u8>) -> Response {
    attachment(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("{stem}.xlsx"),
        bytes,
    )
}

/// `GET /api/gaps?indicator=&by=&level=&imd=&locality=&period=&format=`
#[utoipa::path(get, path = "/api/gaps", tag = "downloads", params(GapSelectionQuery, GapsQuery),
    responses(
        (status = 200, description = "Gap table (suppression applied): JSON, or a CSV/XLSX/Parquet attachment. For charts, each deprivation group carries `share` (its share of the SII weights, i.e. of the denominators: the bar width) and `rank_midpoint` (its x on the cumulative rank, 0 = most deprived), and `summary.sii_line` gives the fitted line's two ends (`at_most_deprived` at rank 0, `at_least_deprived` at rank 1), present exactly when the SII is. `reading` is the table in one plain-English sentence and `key_figures` its key-figures rows, both exactly as on the slide.", body = GapTableJson),
        (status = 400, description = "Unknown indicator, grouping, level, IMD edition or format", body = ErrorBody),
    ))]
pub async fn gaps(
    State(state): State<AppState>,
    ApiQuery(selection): ApiQuery<GapSelectionQuery>,
    ApiQuery(q): ApiQuery<GapsQuery>,
) -> Result<Response, ApiError> {
    use TableFormat::*;
    let format = TableFormat::parse(q.format.as_deref(), &[Json, Csv, Xlsx, Parquet])?;
    let mut request = selection.request(&state)?;
    request.period = q.period.clone();
    // One version of the data for the whole request (an upload may swap it meanwhile).
    let public = state.public();
    let engine = public.clone();
    let table = tokio::task::spawn_blocking(move || engine.gap_table(&request))
        .await
        .map_err(ApiError::internal)??;
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
    if let Some(l) = &table.locality {
        stem.push(l.as_str());
    }
    if q.period.is_some() {
        stem.push(table.indicator.period.as_str());
    }
    let name = file_stem(&stem);
    match format {
        Json => Ok(axum::Json(GapTableJson::new(public.dataset(), &table)).into_response()),
        Csv => {
            let mut bytes = Vec::new();
            write_csv(&table, &mut bytes).map_err(ApiError::internal)?;
            Ok(csv_attachment(&name, bytes))
        }
        Xlsx => {
            let t = table.clone();
            let bytes = tokio::task::spawn_blocking(move || write_xlsx(&t))
                .await
                .map_err(ApiError::internal)?
                .map_err(ApiError::internal)?;
            Ok(xlsx_attachment(&name, bytes))
        }
        Parquet => {
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

//! `GET /api/trend`: an indicator's gap across its periods (the public face's
//! [`crate::public::PublicDataset::trend`]) as JSON, or as a CSV/XLSX download with the verdict
//! and method notes.

use super::downloads::{attachment, file_stem, gap_request};
use super::error::{ApiError, ApiQuery, ErrorBody};
use super::state::AppState;
use crate::export::table::{write_table_csv, write_table_xlsx, CsvNotes};
use crate::export::trend::trend_table;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrendQuery {
    /// Indicator id (see /api/indicators).
    pub indicator: String,
    /// Grouping: imd-decile, imd-quintile (default) or local-quintile.
    pub by: Option<String>,
    /// Level id; defaults to the indicator's level, and must equal it.
    pub level: Option<String>,
    /// IMD edition ("imd2019" or "imd2025"); default: the level's native one.
    pub imd: Option<String>,
    /// Only the areas of this locality (name or code).
    pub locality: Option<String>,
    /// json (default), csv or xlsx.
    pub format: Option<String>,
}

/// `GET /api/trend?indicator=&by=&level=&imd=&locality=&format=`
#[utoipa::path(get, path = "/api/trend", tag = "api", params(TrendQuery),
    responses(
        (status = 200, description = "Gap trend: `periods` (oldest first; each with the public gap table's `groups`, `sii`, `rii`, `absolute_gap` and their 95% intervals), `change` (SII latest − first with 95% CI, z, p, `significant`; `overlapping` when the two periods share years), `slope` (SII change per year), `direction` (narrowed, widened, no_significant_change, cannot_be_assessed), `verdict` in words and `method_notes`. Or a CSV/XLSX attachment.", body = Object),
        (status = 400, description = "Unknown indicator, grouping, level, IMD edition, locality or format", body = ErrorBody),
    ))]
pub async fn trend(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<TrendQuery>,
) -> Result<Response, ApiError> {
    let format = q.format.as_deref().map(str::to_ascii_lowercase);
    if !matches!(format.as_deref(), None | Some("json" | "csv" | "xlsx")) {
        return Err(ApiError::bad_request(
            "unknown format",
            format!(
                "format {:?} is not supported here; expected one of: json, csv, xlsx",
                format.unwrap_or_default()
            ),
        ));
    }
    let mut request = gap_request(
        &state,
        &q.indicator,
        q.by.as_deref(),
        q.level.as_deref(),
        q.imd.as_deref(),
    )?;
    request.locality = q.locality.clone();
    let public = state.public();
    let trend = tokio::task::spawn_blocking(move || public.trend(&request))
        .await
        .map_err(ApiError::internal)??;
    let name = file_stem(&[
        "gapmap",
        "trend",
        trend.indicator.id.as_str(),
        trend.by.as_str(),
        trend.level.as_str(),
    ]);
    match format.as_deref() {
        Some("csv") => {
            let mut bytes = Vec::new();
            write_table_csv(&trend_table(&trend), CsvNotes::Comment, &mut bytes)
                .map_err(ApiError::internal)?;
            Ok(attachment(
                "text/csv; charset=utf-8",
                &format!("{name}.csv"),
                bytes,
            ))
        }
        Some("xlsx") => {
            let bytes = write_table_xlsx(&trend_table(&trend)).map_err(ApiError::internal)?;
            Ok(attachment(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                &format!("{name}.xlsx"),
                bytes,
            ))
        }
        _ => Ok(axum::Json(trend).into_response()),
    }
}

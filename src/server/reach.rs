//! `GET /api/reach`: a loaded service's reach against need (the public face's
//! [`crate::public::PublicDataset::reach`]): its public gap table and how its records were
//! placed, as JSON or as a CSV/XLSX download (the table with the reach notes, the reading in
//! words and the gap table's method notes). Records are loaded by the `[[reach]]` config block.

use super::downloads::{csv_attachment, file_stem, xlsx_attachment, TableFormat};
use super::error::{ApiError, ApiQuery, ErrorBody};
use super::state::AppState;
use crate::export::{write_csv, write_xlsx};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReachQuery {
    /// Service name or its reach indicator id (e.g. "Family Hub" or "reach-family-hub").
    pub service: String,
    /// Grouping: imd-decile, imd-quintile (default), local-quintile, locality or area.
    pub by: Option<String>,
    /// Only the areas of this locality (name or code).
    pub locality: Option<String>,
    /// json (default), csv or xlsx (the XLSX "Method notes" sheet carries the reach notes).
    pub format: Option<String>,
}

/// `GET /api/reach?service=&by=&locality=&format=`
#[utoipa::path(get, path = "/api/reach", tag = "api", params(ReachQuery),
    responses(
        (status = 200, description = "Reach of a service: `table` (a gap table of contacts per 1,000 children of the service's age band; a positive SII means the most deprived are reached more), `reading` (that SII in words), `summary` (rows read, contacts placed, rows with an unknown postcode or one outside the area, their first lines) and `notes`. Or a CSV/XLSX attachment of the table (suppression applied).", body = Object),
        (status = 400, description = "Unknown service, grouping, locality or format", body = ErrorBody),
    ))]
pub async fn reach(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ReachQuery>,
) -> Result<Response, ApiError> {
    use TableFormat::*;
    let format = TableFormat::parse(q.format.as_deref(), &[Json, Csv, Xlsx])?;
    let by = super::api::query_group_by(q.by.as_deref())?;
    let public = state.public();
    let service = q.service.clone();
    let locality = q.locality.clone();
    let report = tokio::task::spawn_blocking(move || public.reach(&service, by, locality, 100_000))
        .await
        .map_err(ApiError::internal)??;
    let name = file_stem(&[
        "gapmap",
        "reach",
        report.summary.indicator_id.as_str(),
        report.table.by.as_str(),
        report.table.locality.as_deref().unwrap_or("county"),
    ]);
    match format {
        Csv => {
            let mut bytes = Vec::new();
            write_csv(&report.download_table(), &mut bytes).map_err(ApiError::internal)?;
            Ok(csv_attachment(&name, bytes))
        }
        Xlsx => {
            let table = report.download_table();
            let bytes = tokio::task::spawn_blocking(move || write_xlsx(&table))
                .await
                .map_err(ApiError::internal)?
                .map_err(ApiError::internal)?;
            Ok(xlsx_attachment(&name, bytes))
        }
        Json | Parquet => Ok(axum::Json(report).into_response()),
    }
}

//! `GET /api/trend`: an indicator's gap across its periods (the public face's
//! [`crate::public::PublicDataset::trend`]) as JSON, or as a CSV/XLSX download with the verdict
//! and method notes. The selection is `/api/gaps`' own ([`GapSelectionQuery`]).

use super::downloads::{
    csv_attachment, file_stem, xlsx_attachment, GapSelectionQuery, TableFormat,
};
use super::error::{ApiError, ApiQuery, ErrorBody};
use super::state::AppState;
use crate::export::table::{write_table_csv, write_table_xlsx, CsvNotes};
use crate::export::trend::trend_table;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

/// `/api/trend`'s own parameter, beside [`GapSelectionQuery`] (every period is computed).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrendQuery {
    /// json (default), csv or xlsx.
    pub format: Option<String>,
}

/// `GET /api/trend?indicator=&by=&level=&imd=&locality=&format=`
#[utoipa::path(get, path = "/api/trend", tag = "api", params(GapSelectionQuery, TrendQuery),
    responses(
        (status = 200, description = "Gap trend: `periods` (oldest first; each with the public gap table's `groups`, `sii`, `rii`, `absolute_gap` and their 95% intervals), `change` (SII latest − first with 95% CI, z, p, `significant`; `overlapping` when the two periods share years), `slope` (SII change per year), `direction` (narrowed, widened, no_significant_change, cannot_be_assessed), `verdict` in words and `method_notes`. Or a CSV/XLSX attachment.", body = Object),
        (status = 400, description = "Unknown indicator, grouping, level, IMD edition, locality or format", body = ErrorBody),
    ))]
pub async fn trend(
    State(state): State<AppState>,
    ApiQuery(selection): ApiQuery<GapSelectionQuery>,
    ApiQuery(q): ApiQuery<TrendQuery>,
) -> Result<Response, ApiError> {
    use TableFormat::*;
    let format = TableFormat::parse(q.format.as_deref(), &[Json, Csv, Xlsx])?;
    let request = selection.request(&state)?;
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
    match format {
        Csv => {
            let mut bytes = Vec::new();
            write_table_csv(&trend_table(&trend), CsvNotes::Comment, &mut bytes)
                .map_err(ApiError::internal)?;
            Ok(csv_attachment(&name, bytes))
        }
        Xlsx => {
            let bytes = write_table_xlsx(&trend_table(&trend)).map_err(ApiError::internal)?;
            Ok(xlsx_attachment(&name, bytes))
        }
        Json | Parquet => Ok(axum::Json(trend).into_response()),
    }
}

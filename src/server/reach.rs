//! `GET /api/reach`: a loaded service's reach against need (the public face's
//! [`crate::public::PublicDataset::reach`]): its public gap table and how its records were
//! placed. Records are loaded by the `[[reach]]` config block; an authenticated upload route
//! is not wired here yet.

use super::error::{ApiError, ApiQuery, ErrorBody};
use super::state::AppState;
use crate::public::ReachReport;
use axum::extract::State;
use axum::Json;
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
}

/// `GET /api/reach?service=&by=&locality=`
#[utoipa::path(get, path = "/api/reach", tag = "api", params(ReachQuery),
    responses(
        (status = 200, description = "Reach of a service: `table` (a gap table of contacts per 1,000 children of the service's age band; a positive SII means the most deprived are reached more), `summary` (rows read, contacts placed, rows with an unknown postcode or one outside the area, their first lines) and `notes`.", body = Object),
        (status = 400, description = "Unknown service, grouping or locality", body = ErrorBody),
    ))]
pub async fn reach(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ReachQuery>,
) -> Result<Json<ReachReport>, ApiError> {
    let by = super::api::query_group_by(q.by.as_deref())?;
    let public = state.public();
    let service = q.service.clone();
    let locality = q.locality.clone();
    let report = tokio::task::spawn_blocking(move || public.reach(&service, by, locality, 100_000))
        .await
        .map_err(ApiError::internal)??;
    Ok(Json(report))
}

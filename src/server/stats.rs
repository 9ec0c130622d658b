//! `POST /api/stats`: the analysts' method set ([`crate::analyst`], the same runner as
//! `gapmap stats`) over HTTP, so a script in any language can swap an R call for one request.
//!
//! The body is JSON: `{"request": {…}, "csv": "…"}`, where `request` has the fields of
//! [`StatsRequest`] (the CLI's flags with underscores: `method`, `x`, `n`, `group_by`,
//! `confidence`, …) and `csv` is the analyst's table with a header row. `?format=` picks the
//! answer: `json` (default: column names, rows, method notes), `csv` (notes as leading `# `
//! lines), `xlsx` ("Data" and "Method notes" sheets) or `parquet` (notes in the key-value
//! metadata). Results are computed on the caller's own data and returned to them, not
//! published, so they are not suppressed; the notes say so. The calculation runs on the
//! blocking pool; Monte Carlo repetitions are capped at [`MAX_REPETITIONS`].

use super::downloads::attachment;
use super::error::ApiError;
use super::AppState;
use crate::analyst::{run, Cell, OutputTable, StatsRequest};
use crate::export::table::{write_table_csv, write_table_parquet, write_table_xlsx, CsvNotes};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Largest request body (JSON with the CSV inside): 20 MB.
pub const MAX_BODY_BYTES: usize = 20 * 1024 * 1024;

/// Most SII repetitions one request may ask for (the package's default is 100,000).
pub const MAX_REPETITIONS: u32 = 1_000_000;

/// The request body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatsBody {
    /// The options of `gapmap stats`, named as its flags with `_` for `-` (e.g.
    /// `{"method": "dsr", "x": "deaths", "n": "pop", "group_by": ["area"]}`).
    #[schema(value_type = Object)]
    pub request: StatsRequest,
    /// The input table as CSV text (UTF-8, header row, comma-separated).
    pub csv: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// json (default), csv, xlsx or parquet.
    pub format: Option<String>,
}

/// The JSON answer: the package's column names, one array per row (null = NA), method notes.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatsJson {
    pub columns: Vec<String>,
    #[schema(value_type = Vec<Vec<Object>>)]
    pub rows: Vec<Vec<serde_json::Value>>,
    pub notes: Vec<String>,
}

impl From<&OutputTable> for StatsJson {
    fn from(table: &OutputTable) -> Self {
        let cell = |c: &Cell| match c {
            Cell::Empty => serde_json::Value::Null,
            Cell::Text(t) => serde_json::Value::from(t.as_str()),
            Cell::Number(x) => serde_json::Number::from_f64(*x)
                .map_or(serde_json::Value::Null, serde_json::Value::Number),
        };
        StatsJson {
            columns: table.columns.iter().map(|c| c.name.clone()).collect(),
            rows: (0..table.rows())
                .map(|r| table.columns.iter().map(|c| cell(&c.cells[r])).collect())
                .collect(),
            notes: table.notes.clone(),
        }
    }
}

enum Format {
    Json,
    Csv,
    Xlsx,
    Parquet,
}

fn format_of(given: Option<&str>) -> Result<Format, ApiError> {
    match given.map(str::to_ascii_lowercase).as_deref() {
        None | Some("json") => Ok(Format::Json),
        Some("csv") => Ok(Format::Csv),
        Some("xlsx") => Ok(Format::Xlsx),
        Some("parquet") => Ok(Format::Parquet),
        Some(other) => Err(ApiError::bad_request(
            "bad_format",
            format!("format={other:?} is not offered; use json, csv, xlsx or parquet"),
        )),
    }
}

/// `POST /api/stats?format=`
#[utoipa::path(post, path = "/api/stats", tag = "api", params(StatsQuery),
    request_body(content = StatsBody, description = "The options of `gapmap stats` and the CSV to run them on", content_type = "application/json"),
    responses(
        (status = 200, description = "The package's output columns with method notes (JSON, or a CSV/XLSX/Parquet download)", body = StatsJson),
        (status = 400, description = "A malformed body, an unknown method or column, a bad value (names the CSV line and column), or a confidence level outside (0, 1]", body = super::error::ErrorBody),
    ))]
pub async fn stats(
    State(_state): State<AppState>,
    Query(q): Query<StatsQuery>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let format = format_of(q.format.as_deref())?;
    let body: StatsBody = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(
            "bad_body",
            format!(
                "the body must be JSON {{\"request\": {{…}}, \"csv\": \"…\"}}: {e} (line {}, column {})",
                e.line(),
                e.column()
            ),
        )
    })?;
    if body.request.repetitions > MAX_REPETITIONS {
        return Err(ApiError::bad_request(
            "bad_request",
            format!(
                "repetitions = {} is more than this server runs per request ({MAX_REPETITIONS}); use gapmap stats for more",
                body.request.repetitions
            ),
        ));
    }
    let table = tokio::task::spawn_blocking(move || run(&body.request, body.csv.as_bytes()))
        .await
        .map_err(ApiError::internal)?
        .map_err(|e| ApiError::bad_request("bad_input", e.to_string()))?;
    let file = |ext: &str| format!("gapmap-stats.{ext}");
    Ok(match format {
        Format::Json => Json(StatsJson::from(&table)).into_response(),
        Format::Csv => {
            let mut bytes = Vec::new();
            write_table_csv(&table, CsvNotes::Comment, &mut bytes).map_err(ApiError::internal)?;
            attachment("text/csv; charset=utf-8", &file("csv"), bytes)
        }
        Format::Xlsx => attachment(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &file("xlsx"),
            write_table_xlsx(&table).map_err(ApiError::internal)?,
        ),
        Format::Parquet => {
            let mut bytes = Vec::new();
            write_table_parquet(&table, &mut bytes).map_err(ApiError::internal)?;
            attachment("application/vnd.apache.parquet", &file("parquet"), bytes)
        }
    })
}

//! The write routes: `POST /api/indicators` (a Fingertips export or tidy CSV, optionally
//! gzip), `DELETE /api/indicators/{id}` (an uploaded indicator), `POST /api/sites` and
//! `POST /api/reach-records` (one service's use records: personal data, aggregated into its
//! reach indicator on arrival; the overlay, the audit log and the answer hold counts, never a
//! record).
//!
//! Each change runs the same steps, one change at a time ([`Writer`]): authorise the bearer
//! token ([`super::auth`]) → read the body within the size limit (413 beyond it; gzip is
//! decompressed with a cap, so a gzip bomb is a 413 too) → validate the whole file with the
//! build's loaders (400 naming the line and field) → lay the new overlay over the built
//! dataset ([`crate::uploads::Uploads::apply`]; only the indicator or site table changes) →
//! build its public face → persist the overlay atomically → append an audit line → swap the
//! face into the [`super::store::DatasetStore`]. A rejected upload changes nothing; requests
//! in flight finish on the version they started with.

use super::error::{ApiError, ApiQuery};
use super::state::AppState;
use super::writer::{AuditLine, Writer};
use crate::config::{IndicatorMetaConfig, StandardPopulationName, StandardisationSetting};
use crate::dataset::{Dataset, Polarity, ReachSummary, ValueType};
use crate::ingest::reach::{parse_ages, ReachSpec};
use crate::level::Level;
use crate::uploads::{IndicatorUpload, Provenance, UploadError, Uploads};
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::{Deserialize, Serialize};
use std::io::Read;
use utoipa::{IntoParams, ToSchema};

/// Default body limit of an upload: 20 MiB (`--max-upload-mb`).
pub const DEFAULT_MAX_UPLOAD_BYTES: usize = 20 * 1024 * 1024;

/// A gzip body may expand to at most this many times the body limit (a CSV compresses about
/// 5–10×; a gzip bomb expands a thousandfold and is cut off here).
pub const GZIP_EXPANSION_LIMIT: usize = 5;

fn upload_error(e: UploadError) -> ApiError {
    match &e {
        UploadError::NotUploaded { .. } => {
            ApiError::not_found("not an uploaded indicator", e.to_string())
        }
        _ if e.is_input_error() => ApiError::bad_request("invalid upload", e.to_string()),
        _ => ApiError::internal(e),
    }
}

/// Query of `POST /api/indicators`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// File name for errors and the audit log (default `upload.csv`).
    pub file: Option<String>,
    /// `fingertips`, `tidy` or `age_bands`; detected from the header when absent.
    pub format: Option<String>,
    /// Level of the area codes (default: the dataset's default level).
    pub level: Option<String>,
    /// Indicator name (tidy files have none).
    pub name: Option<String>,
    pub short_name: Option<String>,
    /// `proportion`, `rate` or `mean`.
    pub value_type: Option<String>,
    pub multiplier: Option<f64>,
    /// `higher_is_worse`, `higher_is_better` or `not_applicable`.
    pub polarity: Option<String>,
    pub unit: Option<String>,
    /// `none`, `direct` or `indirect`: how the values were standardised (default: from a
    /// `Value type` column, else detected from the data).
    pub standardisation: Option<String>,
    /// `esp2013` (default) or `esp1976`: the standard population of an age-band file.
    pub standard_population: Option<String>,
}

/// Query of `POST /api/sites`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SitesQuery {
    /// File name for errors and the audit log (default `sites.csv`).
    pub file: Option<String>,
    /// Mark the sites illustrative (not the real service locations).
    #[serde(default)]
    pub illustrative: bool,
}

/// Query of `POST /api/reach-records`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReachRecordsQuery {
    /// The service to count (the `service` column's value), e.g. "Family Hub". An upload for a
    /// service already loaded replaces it.
    pub service: String,
    /// Age band of the children the service is for, in years (default 0-4): the denominator.
    pub ages: Option<String>,
    /// Level to count at: msoa11 (default) or lsoa11.
    pub level: Option<String>,
    /// File name for errors and the audit log (default `records.csv`).
    pub file: Option<String>,
    /// Mark the records synthetic demonstration data (labels every output).
    #[serde(default)]
    pub synthetic: bool,
}

impl ReachRecordsQuery {
    fn to_spec(&self, file: &str) -> Result<ReachSpec, ApiError> {
        let service = self.service.trim();
        if service.is_empty()
            || service.chars().count() > 100
            || service.chars().any(char::is_control)
        {
            return Err(ApiError::bad_request(
                "bad query string",
                "service must be the service column's value: 1 to 100 printable characters",
            ));
        }
        let ages_text = self.ages.as_deref().unwrap_or("0-4");
        let ages = parse_ages(ages_text).ok_or_else(|| {
            ApiError::bad_request(
                "bad query string",
                format!("ages {ages_text:?} is not an age band such as 0-4 (years, at most 19)"),
            )
        })?;
        let level = match self.level.as_deref() {
            None => Level::Msoa11,
            Some(given) => given.parse::<Level>().map_err(|_| {
                ApiError::bad_request(
                    "bad query string",
                    format!("level {given:?}: reach is counted at msoa11 or lsoa11"),
                )
            })?,
        };
        Ok(ReachSpec {
            service: service.to_string(),
            ages,
            level,
            synthetic: self.synthetic,
            source_id: format!("upload:{file}"),
        })
    }
}

/// Answer of a change.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ChangeResult {
    /// What changed: indicator ids, or `sites`.
    pub changed: Vec<String>,
    /// The token's name.
    pub by: String,
    pub at: String,
    /// Indicators the server now holds.
    pub indicators: usize,
    pub sites: usize,
    /// For uploaded service-use records: how they were placed (rows read, contacts placed,
    /// rows whose postcode is unknown or outside the area and their first lines).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub reach: Option<ReachSummary>,
}

/// Parse a lowercase serde enum value from a query parameter, listing what is allowed.
fn parse_choice<T: serde::de::DeserializeOwned>(
    param: &'static str,
    value: Option<&str>,
    allowed: &str,
) -> Result<Option<T>, ApiError> {
    value
        .map(|v| {
            serde_json::from_value(serde_json::Value::String(v.to_ascii_lowercase())).map_err(
                |_| {
                    ApiError::bad_request(
                        "bad query string",
                        format!("{param} {v:?} is not one of: {allowed}"),
                    )
                },
            )
        })
        .transpose()
}

impl UploadQuery {
    fn to_upload(&self, state: &AppState) -> Result<IndicatorUpload, ApiError> {
        let level = super::api::query_level(state, self.level.as_deref())?;
        Ok(IndicatorUpload {
            file: file_name(self.file.as_deref(), "upload.csv")?,
            format: parse_choice("format", self.format.as_deref(), "fingertips, tidy, age_bands")?,
            level,
            meta: IndicatorMetaConfig {
                name: self.name.clone(),
                short_name: self.short_name.clone(),
                value_type: parse_choice::<ValueType>(
                    "value_type",
                    self.value_type.as_deref(),
                    "proportion, rate, mean",
                )?,
                multiplier: self
                    .multiplier
                    .map(|m| {
                        if m.is_finite() && m > 0.0 {
                            Ok(m)
                        } else {
                            Err(ApiError::bad_request(
                                "bad query string",
                                format!("multiplier {m} must be a positive number (100 for %, 100000 per 100,000)"),
                            ))
                        }
                    })
                    .transpose()?,
                polarity: parse_choice::<Polarity>(
                    "polarity",
                    self.polarity.as_deref(),
                    "higher_is_worse, higher_is_better, not_applicable",
                )?,
                unit: self.unit.clone(),
                period: None,
                standardisation: parse_choice::<StandardisationSetting>(
                    "standardisation",
                    self.standardisation.as_deref(),
                    "none, direct, indirect",
                )?,
                standard_population: parse_choice::<StandardPopulationName>(
                    "standard_population",
                    self.standard_population.as_deref(),
                    "esp2013, esp1976",
                )?,
            },
        })
    }
}

/// A client-given file name, for errors and the audit log only (never a path on disk): at
/// most 100 printable characters without path separators.
fn file_name(given: Option<&str>, default: &str) -> Result<String, ApiError> {
    let Some(name) = given else {
        return Ok(default.into());
    };
    let ok = !name.is_empty()
        && name.chars().count() <= 100
        && !name.contains(['/', '\\'])
        && name.chars().all(|c| !c.is_control());
    if ok {
        Ok(name.into())
    } else {
        Err(ApiError::bad_request(
            "bad query string",
            "file must be a plain file name of at most 100 printable characters, without / or \\",
        ))
    }
}

/// The body within `limit` bytes, gunzipped when it is gzip (`Content-Encoding: gzip` or
/// the gzip magic bytes) within `limit` × [`GZIP_EXPANSION_LIMIT`].
async fn read_body(headers: &HeaderMap, body: Body, limit: usize) -> Result<Bytes, ApiError> {
    let mb = |b: usize| b as f64 / (1024.0 * 1024.0);
    let too_large = || {
        ApiError::too_large(format!(
            "the upload is larger than {:.0} MB; split the file or ask the operator to raise --max-upload-mb",
            mb(limit)
        ))
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|e| {
        // axum wraps http-body-util's LengthLimitError ("length limit exceeded").
        let mut over = false;
        let mut cause: Option<&dyn std::error::Error> = Some(&e);
        while let Some(c) = cause {
            over |= c.to_string().contains("length limit exceeded");
            cause = c.source();
        }
        if over {
            too_large()
        } else {
            ApiError::bad_request(
                "incomplete body",
                format!("the upload could not be read: {e}"),
            )
        }
    })?;
    let encoding = headers
        .get(header::CONTENT_ENCODING)
        .map(|v| v.to_str().unwrap_or("?").trim().to_ascii_lowercase());
    let gzip = match encoding.as_deref() {
        None | Some("identity") => bytes.starts_with(&[0x1f, 0x8b]),
        Some("gzip") | Some("x-gzip") => true,
        Some(other) => {
            return Err(ApiError::bad_request(
                "unsupported content encoding",
                format!("Content-Encoding {other:?} is not supported; send the file plain or gzip"),
            ))
        }
    };
    if !gzip {
        return Ok(bytes);
    }
    let cap = limit.saturating_mul(GZIP_EXPANSION_LIMIT);
    tokio::task::spawn_blocking(move || gunzip_capped(&bytes, cap, limit))
        .await
        .map_err(ApiError::internal)?
}

/// Gunzip at most `cap` bytes; more is a 413 (a gzip bomb), a damaged stream a 400.
fn gunzip_capped(bytes: &[u8], cap: usize, limit: usize) -> Result<Bytes, ApiError> {
    let mut out = Vec::new();
    let mut decoder = flate2::read::MultiGzDecoder::new(bytes).take(cap as u64 + 1);
    decoder.read_to_end(&mut out).map_err(|e| {
        ApiError::bad_request(
            "bad gzip body",
            format!("the body is not valid gzip ({e}); send the file plain or gzip it again"),
        )
    })?;
    if out.len() > cap {
        return Err(ApiError::too_large(format!(
            "the gzip body expands to more than {} MB ({}× the {} MB upload limit); this looks like a gzip bomb, send the file plain",
            cap / (1024 * 1024),
            GZIP_EXPANSION_LIMIT,
            limit / (1024 * 1024)
        )));
    }
    Ok(Bytes::from(out))
}

/// The writer, or 403 when this server keeps no uploads.
fn writer(state: &AppState) -> Result<&Writer, ApiError> {
    state.inner.writer.as_ref().ok_or_else(|| {
        ApiError::forbidden(
            "disabled",
            "this server was started without a place to keep uploads",
        )
    })
}

/// The audit line of a change (`bytes`: the uploaded body, empty for a delete).
fn audit_line(prov: &Provenance, action: &'static str, what: String, bytes: &[u8]) -> AuditLine {
    AuditLine {
        at: prov.at.clone(),
        by: prov.by.clone(),
        action,
        what,
        file: prov.file.clone(),
        bytes: bytes.len(),
        sha256: if bytes.is_empty() {
            String::new()
        } else {
            crate::fsutil::sha256_hex(bytes)
        },
    }
}

/// Run an upload's validation against the current dataset on the blocking pool.
async fn validate<T: Send + 'static>(
    state: &AppState,
    check: impl FnOnce(&Dataset) -> Result<T, UploadError> + Send + 'static,
) -> Result<T, ApiError> {
    let base = state.public().dataset().clone();
    tokio::task::spawn_blocking(move || check(&base))
        .await
        .map_err(ApiError::internal)?
        .map_err(upload_error)
}

fn provenance(by: String, file: String) -> Provenance {
    Provenance {
        by,
        at: crate::build::now_rfc3339(),
        file,
    }
}

/// Run a change on the blocking pool and answer with what the server now holds.
async fn run_change(
    state: AppState,
    changed: Vec<String>,
    provenance: Provenance,
    audit: AuditLine,
    change: impl FnOnce(&Uploads) -> Result<Uploads, UploadError> + Send + 'static,
) -> Result<(StatusCode, Json<ChangeResult>), ApiError> {
    let s = state.clone();
    tokio::task::spawn_blocking(move || {
        writer(&s)?
            .commit(s.store(), s.config().gap_cache_bytes, audit, change)
            .map_err(upload_error)
    })
    .await
    .map_err(ApiError::internal)??;
    let public = state.public();
    let d = public.dataset();
    Ok((
        StatusCode::OK,
        Json(ChangeResult {
            changed,
            by: provenance.by,
            at: provenance.at,
            indicators: d.indicators.len(),
            sites: d.sites.len(),
            reach: None,
        }),
    ))
}

/// `POST /api/indicators`
#[utoipa::path(post, path = "/api/indicators", tag = "uploads",
    params(UploadQuery),
    request_body(content = String, content_type = "text/csv", description = "A Fingertips CSV export, a tidy CSV (area_code,indicator_id,period,count,denominator[,value]) or an age-band CSV (area_code,indicator_id,period,age_band,count,population; directly standardised by gapmap); may be gzip"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Validated, persisted and now served", body = ChangeResult),
        (status = 400, description = "The file is invalid (the message names the line and field); nothing changed", body = super::error::ErrorBody),
        (status = 401, description = "Missing or wrong bearer token", body = super::error::ErrorBody),
        (status = 403, description = "Uploads are disabled (no token configured)", body = super::error::ErrorBody),
        (status = 413, description = "Body over the limit, or gzip expanding beyond its cap", body = super::error::ErrorBody)))]
pub async fn upload_indicators(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<UploadQuery>,
    body: Body,
) -> Result<impl IntoResponse, ApiError> {
    let by = state.inner.tokens.authorise(&headers, "uploading")?;
    let w = writer(&state)?;
    let upload = q.to_upload(&state)?;
    let bytes = read_body(&headers, body, w.max_body()).await?;
    let (parse_upload, parse_bytes) = (upload.clone(), bytes.clone());
    let indicators = validate(&state, move |base| {
        crate::uploads::parse_indicators(base, &parse_bytes, &parse_upload)
    })
    .await?;
    let ids: Vec<String> = indicators.iter().map(|i| i.meta.id.clone()).collect();
    let prov = provenance(by, upload.file);
    let audit = audit_line(&prov, "upload-indicators", ids.join(","), &bytes);
    let p = prov.clone();
    run_change(state, ids, prov, audit, move |u| {
        Ok(u.with_indicators(indicators, &p))
    })
    .await
}

/// `DELETE /api/indicators/{id}`
#[utoipa::path(delete, path = "/api/indicators/{id}", tag = "uploads",
    params(("id" = String, Path, description = "An uploaded indicator's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Deleted (a built indicator of the same id is served again)", body = ChangeResult),
        (status = 401, description = "Missing or wrong bearer token", body = super::error::ErrorBody),
        (status = 403, description = "Writes are disabled (no token configured)", body = super::error::ErrorBody),
        (status = 404, description = "No uploaded indicator has this id", body = super::error::ErrorBody)))]
pub async fn delete_indicator(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let by = state.inner.tokens.authorise(&headers, "deleting")?;
    writer(&state)?;
    let prov = provenance(by, String::new());
    let audit = audit_line(&prov, "delete-indicator", id.clone(), &[]);
    let removed = id.clone();
    run_change(state, vec![id], prov, audit, move |u| {
        u.without_indicator(&removed)
    })
    .await
}

/// `POST /api/sites`
#[utoipa::path(post, path = "/api/sites", tag = "uploads",
    params(SitesQuery),
    request_body(content = String, content_type = "text/csv", description = "Sites CSV: id,name,kind,postcode,lon,lat,existing; may be gzip"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Validated, persisted and now served", body = ChangeResult),
        (status = 400, description = "The file is invalid (the message names the line and field)", body = super::error::ErrorBody),
        (status = 401, description = "Missing or wrong bearer token", body = super::error::ErrorBody),
        (status = 403, description = "Uploads are disabled (no token configured)", body = super::error::ErrorBody),
        (status = 413, description = "Body over the limit", body = super::error::ErrorBody)))]
pub async fn upload_sites(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<SitesQuery>,
    body: Body,
) -> Result<impl IntoResponse, ApiError> {
    let by = state.inner.tokens.authorise(&headers, "uploading")?;
    let w = writer(&state)?;
    let file = file_name(q.file.as_deref(), "sites.csv")?;
    let bytes = read_body(&headers, body, w.max_body()).await?;
    let (parse_file, parse_bytes) = (file.clone(), bytes.clone());
    let sites = validate(&state, move |base| {
        crate::uploads::parse_sites(base, &parse_file, &parse_bytes, q.illustrative)
    })
    .await?;
    let prov = provenance(by, file);
    let audit = audit_line(
        &prov,
        "upload-sites",
        format!("{} sites", sites.len()),
        &bytes,
    );
    let p = prov.clone();
    run_change(state, vec!["sites".into()], prov, audit, move |u| {
        Ok(u.with_sites(sites, &p))
    })
    .await
}

/// `POST /api/reach-records`
#[utoipa::path(post, path = "/api/reach-records", tag = "uploads",
    params(ReachRecordsQuery),
    request_body(content = String, content_type = "text/csv", description = "Service-use records: postcode,date,service[,age_band][,count] (one row per contact, or pre-aggregated with count); may be gzip. Personal data: aggregated on arrival, never stored"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Aggregated, persisted (per-area counts only) and now served by /api/reach, the map's reach layer and placement's unmet need; `reach` says how the rows were placed", body = ChangeResult),
        (status = 400, description = "The file is invalid (the message names the line and field), or no row is of this service; nothing changed", body = super::error::ErrorBody),
        (status = 401, description = "Missing or wrong bearer token", body = super::error::ErrorBody),
        (status = 403, description = "Uploads are disabled (no token configured)", body = super::error::ErrorBody),
        (status = 413, description = "Body over the limit, or gzip expanding beyond its cap", body = super::error::ErrorBody)))]
pub async fn upload_reach_records(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<ReachRecordsQuery>,
    body: Body,
) -> Result<impl IntoResponse, ApiError> {
    let by = state.inner.tokens.authorise(&headers, "uploading")?;
    let w = writer(&state)?;
    let file = file_name(q.file.as_deref(), "records.csv")?;
    let spec = q.to_spec(&file)?;
    let bytes = read_body(&headers, body, w.max_body()).await?;
    let (parse_file, parse_bytes) = (file.clone(), bytes.clone());
    let (indicator, summary) = validate(&state, move |base| {
        crate::uploads::parse_reach(base, &parse_file, &parse_bytes, &spec)
    })
    .await?;
    let prov = provenance(by, file);
    let id = summary.indicator_id.clone();
    // The audit line counts the rows and fingerprints the file (size, sha256); no row of it.
    let audit = audit_line(
        &prov,
        "upload-reach-records",
        format!(
            "{id}: {} rows, {} contacts placed, {} unknown postcodes, {} outside the area",
            summary.rows, summary.contacts, summary.unknown_postcode, summary.outside_area
        ),
        &bytes,
    );
    drop(bytes);
    let p = prov.clone();
    let placed = summary.clone();
    let (status, Json(mut result)) = run_change(state, vec![id], prov, audit, move |u| {
        Ok(u.with_reach(indicator, summary, &p))
    })
    .await?;
    result.reach = Some(placed);
    Ok((status, Json(result)))
}

//! `/api/place` (GET and POST): where new sites should go, and what-if evaluations of a given
//! site set, with the same options and the same report as `gapmap place` (both go through
//! [`crate::public::placement`]).
//!
//! # Limits
//! A solve is CPU work for up to its time limit, so it runs on the blocking pool and holds one
//! of `place_solves` slots ([`super::slots::SolveSlots`]); with every slot taken the answer is
//! 503 with `Retry-After`, so a few heavy solves cannot take the threads tiles and tables need. The
//! time limit is capped at `place_time_limit` and k at `place_max_k`. When the client goes
//! away (a closed connection, the map replacing its request, the request timeout), the solve
//! is told to stop at its next progress report. Evaluations (`sites=`) take no slot: they are
//! one pass over demand × open sites (milliseconds for a county).

use super::downloads::{attachment, file_stem};
use super::error::{ApiError, ApiQuery, ErrorBody};
use super::state::AppState;
use crate::export::placement::{encode_placement, PlacementFormat};
use crate::ingest::placement::site_points_from_rows;
use crate::level::Level;
use crate::place::candidates::{Sample, SampleRule};
use crate::place::demand::{AgeBand, DemandSpec, Need, Quintiles};
use crate::place::report::PlacementReport;
use crate::place::run::Task;
use crate::place::{Control, Model, SitePoint, SolveOptions};
use crate::public::placement::{Generate, PlacementError, PlacementRequest, DEFAULT_RADIUS_METRES};
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use utoipa::{IntoParams, ToSchema};

/// Options of `/api/place`, as query parameters (GET) or JSON members (POST). Each is what the
/// `gapmap place` flag of the same name (with `-` for `_`) does.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PlaceQuery {
    /// mclp (default: maximise need-weighted coverage), p-median (minimise need-weighted
    /// distance) or equity (maximise quintile 1 coverage, then total coverage).
    pub model: Option<String>,
    /// New sites to open, 1 to the server's limit (default 50). Not with `sites`.
    pub k: Option<String>,
    /// What-if: evaluate exactly these new sites, without solving: comma-separated site ids
    /// (candidates, e.g. MSOA codes) or `@LON:LAT` for a new place. Not with `k`.
    pub sites: Option<String>,
    /// Coverage radius in metres of straight-line distance (default 3000).
    pub radius: Option<String>,
    /// Children of this age band, FROM-TO within 0-19 (default 0-4).
    pub ages: Option<String>,
    /// children, imd-score (default), imd-decile, indicator:ID (excess over England) or
    /// unmet:SERVICE[:NEED] (unmet need: NEED × (1 − min(1, the service's contacts per child))).
    pub need: Option<String>,
    /// Demand geography: lsoa11 (default) or lsoa21.
    pub level: Option<String>,
    /// IMD edition for need and quintiles: 2019 or 2025 (default: the level's native one).
    pub imd: Option<String>,
    /// national (default) or local IMD quintiles.
    pub quintiles: Option<String>,
    /// Generated candidates: none, msoa (default) or lsoa area centres.
    pub generate: Option<String>,
    /// Keep only this many generated candidates (by `sample_rule`).
    pub sample: Option<String>,
    /// systematic (default) or grid.
    pub sample_rule: Option<String>,
    /// Seconds before the exact search stops with its best solution (capped by the server).
    pub time_limit: Option<String>,
    /// Relative gap at which a solve counts as optimal (default 1e-9).
    pub gap_tolerance: Option<String>,
    /// json (default), csv, geojson, xlsx or table.
    pub format: Option<String>,
}

/// `POST /api/place` body: the options of [`PlaceQuery`] as JSON members (numbers or strings;
/// `sites` may be an array), plus sites given inline.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PlaceBody {
    /// Extra candidate sites: objects with `id`, optional `name`, and `x`,`y` (EPSG:27700
    /// metres) or `lon`,`lat` (WGS84) or `postcode`, as in a `--candidates` CSV.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub candidates: Vec<Map<String, Value>>,
    /// Extra existing sites (always open, not counted in k), same members as `candidates`.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub existing: Vec<Map<String, Value>>,
    /// Every other member: the options of the GET form.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub options: Map<String, Value>,
}

/// Tells a running solve to stop when the request that started it is dropped.
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Release);
    }
}

fn bad(parameter: &str, detail: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request("bad placement parameter", format!("{parameter}: {detail}"))
}

/// A choice among a clap enum's values, case-insensitive; the error lists them.
fn choice<T: clap::ValueEnum>(parameter: &str, given: &str) -> Result<T, ApiError> {
    T::from_str(given.trim(), true).map_err(|_| {
        let allowed: Vec<String> = T::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value())
            .map(|p| p.get_name().to_string())
            .collect();
        bad(
            parameter,
            format!("{given:?} is not one of: {}", allowed.join(", ")),
        )
    })
}

fn number<T: std::str::FromStr>(
    parameter: &str,
    given: &str,
    expected: &str,
) -> Result<T, ApiError> {
    given
        .trim()
        .parse()
        .map_err(|_| bad(parameter, format!("{given:?} is not {expected}")))
}

fn parsed<T: std::str::FromStr>(parameter: &str, given: &str) -> Result<T, ApiError>
where
    T::Err: std::fmt::Display,
{
    given.parse().map_err(|e: T::Err| bad(parameter, e))
}

/// A parsed request, its radius and output format.
struct Parsed {
    request: PlacementRequest,
    radius: f64,
    format: PlacementFormat,
}

/// Parse the options (the one parser for GET and POST), enforcing the server's limits.
fn parse(
    state: &AppState,
    q: &PlaceQuery,
    candidates: Vec<SitePoint>,
    existing: Vec<SitePoint>,
) -> Result<Parsed, ApiError> {
    let config = state.config();
    let model = q
        .model
        .as_deref()
        .map(|m| choice::<Model>("model", m))
        .transpose()?
        .unwrap_or(Model::Mclp);
    let max_k = config.place_max_k;
    let task = match (&q.sites, &q.k) {
        (Some(_), Some(_)) => {
            return Err(bad(
                "sites",
                "give k (solve for the best k new sites) or sites (evaluate these), not both",
            ))
        }
        (Some(list), None) => {
            let sites: Vec<String> = list
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            if sites.len() > max_k {
                return Err(bad(
                    "sites",
                    format!(
                        "{} sites is more than this server evaluates at once ({max_k})",
                        sites.len()
                    ),
                ));
            }
            Task::Evaluate { model, sites }
        }
        (None, k) => {
            let k: usize = match k {
                Some(k) => number("k", k, "a whole number of new sites")?,
                None => {
                    return Err(bad(
                        "k",
                        "give k (new sites to open) or sites (a what-if site list)",
                    ))
                }
            };
            if k == 0 || k > max_k {
                return Err(bad(
                    "k",
                    format!("{k} is not between 1 and this server's limit of {max_k}"),
                ));
            }
            let mut options = SolveOptions::new(model, k);
            let cap = config.place_time_limit;
            options.time_limit = match &q.time_limit {
                Some(t) => {
                    let seconds: f64 = number("time_limit", t, "a number of seconds")?;
                    if !(seconds > 0.0 && seconds.is_finite()) {
                        return Err(bad(
                            "time_limit",
                            format!("{t:?} must be more than 0 seconds"),
                        ));
                    }
                    Duration::try_from_secs_f64(seconds).map_or(cap, |d| d.min(cap))
                }
                None => cap,
            };
            if let Some(g) = &q.gap_tolerance {
                let gap: f64 = number("gap_tolerance", g, "a number")?;
                if !(0.0..1.0).contains(&gap) {
                    return Err(bad(
                        "gap_tolerance",
                        format!("{g:?} must be at least 0 and below 1 (e.g. 1e-4 for 0.01%)"),
                    ));
                }
                options.rel_gap = gap;
            }
            Task::Solve(options)
        }
    };
    let radius = match &q.radius {
        Some(r) => {
            let metres: f64 = number("radius", r, "a distance in metres")?;
            if !(metres > 0.0 && metres.is_finite()) {
                return Err(bad(
                    "radius",
                    format!("{r:?} must be a distance in metres greater than 0"),
                ));
            }
            metres
        }
        None => DEFAULT_RADIUS_METRES,
    };
    let level: Level = match &q.level {
        Some(l) => parsed("level", l)?,
        None => Level::Lsoa11,
    };
    let demand = DemandSpec {
        level,
        ages: match &q.ages {
            Some(a) => parsed::<AgeBand>("ages", a)?,
            None => AgeBand::default(),
        },
        need: match &q.need {
            Some(n) => parsed::<Need>("need", n)?,
            None => Need::ImdScore,
        },
        edition: q.imd.as_deref().map(|e| parsed("imd", e)).transpose()?,
        quintiles: q
            .quintiles
            .as_deref()
            .map(|v| choice::<Quintiles>("quintiles", v))
            .transpose()?
            .unwrap_or(Quintiles::National),
    };
    let sample = match &q.sample {
        Some(n) => Some(Sample {
            size: number("sample", n, "a whole number of candidates")?,
            rule: q
                .sample_rule
                .as_deref()
                .map(|v| choice::<SampleRule>("sample_rule", v))
                .transpose()?
                .unwrap_or(SampleRule::Systematic),
        }),
        None => None,
    };
    Ok(Parsed {
        request: PlacementRequest {
            demand,
            generate: q
                .generate
                .as_deref()
                .map(|v| choice::<Generate>("generate", v))
                .transpose()?
                .unwrap_or(Generate::Msoa),
            sample,
            existing,
            candidates,
            task,
        },
        radius,
        format: q
            .format
            .as_deref()
            .map(|v| choice::<PlacementFormat>("format", v))
            .transpose()?
            .unwrap_or(PlacementFormat::Json),
    })
}

/// Sites given inline as JSON objects: read exactly like a sites CSV (columns = members).
fn inline_sites(
    state: &AppState,
    field: &str,
    items: &[Map<String, Value>],
    existing: bool,
) -> Result<Vec<SitePoint>, ApiError> {
    const COLUMNS: [&str; 7] = ["id", "name", "x", "y", "lon", "lat", "postcode"];
    let header: Vec<&str> = COLUMNS
        .into_iter()
        .filter(|c| items.iter().any(|i| i.contains_key(*c)))
        .collect();
    let text = |v: Option<&Value>| match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|i| header.iter().map(|c| text(i.get(*c))).collect())
        .collect();
    let ds = state.dataset();
    let geocode = |pc: &str| ds.postcode(pc).cloned();
    site_points_from_rows(field, &header, &rows, existing, Some(&geocode))
        .map_err(|e| PlacementError::from(e).into())
}

impl From<PlacementError> for ApiError {
    fn from(e: PlacementError) -> Self {
        if e.is_input_error() {
            ApiError::bad_request("invalid placement", e.to_string())
        } else {
            ApiError::internal(e)
        }
    }
}

/// The report of a parsed request: a solve takes a slot (503 when none is free), runs on the
/// blocking pool and stops when the request is dropped; an evaluation takes no slot. Shared
/// by `/api/place` and `/api/slides?place=`.
pub(super) async fn report(
    state: &AppState,
    request: PlacementRequest,
    radius: f64,
) -> Result<PlacementReport, ApiError> {
    let slot = match request.task {
        Task::Solve(_) => Some(state.inner.place_slots.try_take().ok_or_else(|| {
            ApiError::busy(format!(
                "all {} placement solve slots are in use; try again in a few seconds (what-if evaluations with sites= are not limited)",
                state.config().place_solves
            ))
        })?),
        Task::Evaluate { .. } => None,
    };
    let stop = Arc::new(AtomicBool::new(false));
    let _stop_on_drop = StopOnDrop(stop.clone());
    let public = state.public();
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        public.place(&request, radius, &mut |_| {
            if stop.load(Ordering::Acquire) {
                Control::Stop
            } else {
                Control::Continue
            }
        })
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::from)
}

/// The placement a `place=` parameter of `/api/slides` asks for: its value is an `/api/place`
/// query string (`k=3&model=equity`), read by the same parser with the same limits; `format`
/// belongs to the deck and is refused here.
pub(super) async fn report_for_query(
    state: &AppState,
    query: &str,
) -> Result<PlacementReport, ApiError> {
    let uri: axum::http::Uri = format!("/?{query}").parse().map_err(|_| {
        bad(
            "place",
            format!("{query:?} is not a query string such as k=3&model=equity"),
        )
    })?;
    let axum::extract::Query(q) = axum::extract::Query::<PlaceQuery>::try_from_uri(&uri)
        .map_err(|e| bad("place", e.body_text()))?;
    if q.format.is_some() {
        return Err(bad(
            "place",
            "format is the deck's own parameter (pptx or pdf), not the placement's",
        ));
    }
    let parsed = parse(state, &q, Vec::new(), Vec::new())?;
    report(state, parsed.request, parsed.radius).await
}

/// Solve or evaluate, then encode the report.
async fn answer(state: AppState, parsed: Parsed) -> Result<Response, ApiError> {
    let Parsed {
        request,
        radius,
        format,
    } = parsed;
    let report = report(&state, request, radius).await?;
    let bytes = tokio::task::spawn_blocking(move || {
        let bytes = encode_placement(&report, format).map_err(ApiError::internal)?;
        Ok::<_, ApiError>((report, bytes))
    })
    .await
    .map_err(ApiError::internal)?;
    let (report, bytes) = bytes?;
    if format == PlacementFormat::Json {
        return Ok((
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            bytes,
        )
            .into_response());
    }
    let (media_type, extension) = format.media_type();
    let k = report.k.to_string();
    let name = file_stem(&["gapmap", "place", report.model.as_str(), "k", &k]);
    Ok(attachment(
        media_type,
        &format!("{name}.{extension}"),
        bytes,
    ))
}

/// `GET /api/place?model=&k=&radius=&…` or `?sites=…`
#[utoipa::path(get, path = "/api/place", tag = "api", params(PlaceQuery),
    responses(
        (status = 200, description = "The placement report, exactly as `gapmap place --format json` prints it: objective, bound, gap, status, chosen (ids), sites with the need each newly covers, coverage and mean distance by IMD quintile before and after, the quintile 1 − quintile 5 gap change, per-area coverage, method notes; counts of 1 to the suppression threshold withheld. With format=csv|geojson|xlsx|table an attachment. With sites= an evaluation of exactly those sites (nothing solved).", content_type = "application/json"),
        (status = 400, description = "A bad parameter (named in the message): unknown model, k out of range or larger than the candidates, radius ≤ 0, a site that is not in England, an unknown site id, …", body = ErrorBody),
        (status = 503, description = "Every solve slot is in use; retry after the Retry-After seconds", body = ErrorBody),
    ))]
pub async fn place_get(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<PlaceQuery>,
) -> Result<Response, ApiError> {
    let parsed = parse(&state, &q, Vec::new(), Vec::new())?;
    answer(state, parsed).await
}

/// `POST /api/place` with a JSON body: the GET options plus `candidates`/`existing` inline.
#[utoipa::path(post, path = "/api/place", tag = "api", request_body = PlaceBody,
    responses(
        (status = 200, description = "The placement report (as for GET)", content_type = "application/json"),
        (status = 400, description = "A bad member or site (named in the message, e.g. `candidates:2: field \"x/y\"`)", body = ErrorBody),
        (status = 503, description = "Every solve slot is in use; retry after the Retry-After seconds", body = ErrorBody),
    ))]
pub async fn place_post(
    State(state): State<AppState>,
    body: Result<Json<PlaceBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(body) = body.map_err(|e| ApiError::bad_request("bad JSON body", e.body_text()))?;
    // Options as strings (numbers and lists written as the query string would give them), then
    // the GET form's parser, so both methods accept and reject exactly the same options.
    let options: Map<String, Value> = body
        .options
        .into_iter()
        .map(|(key, value)| {
            let text = match value {
                Value::String(s) => s,
                Value::Array(items) => items
                    .iter()
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                    .collect::<Vec<_>>()
                    .join(","),
                other => other.to_string(),
            };
            (key, Value::String(text))
        })
        .collect();
    let q: PlaceQuery = serde_json::from_value(Value::Object(options))
        .map_err(|e| ApiError::bad_request("bad placement parameter", e.to_string()))?;
    let candidates = inline_sites(&state, "candidates", &body.candidates, false)?;
    let existing = inline_sites(&state, "existing", &body.existing, true)?;
    let parsed = parse(&state, &q, candidates, existing)?;
    answer(state, parsed).await
}

//! Server-rendered figures and decks: `GET /api/map.png` (a map image drawn by
//! [`crate::figures::map::render_map_png`], the same function the slides use) and
//! `GET /api/slides` (a locality deck as PPTX or PDF, [`crate::slides`], with `place=` a
//! placement proposal slide from `/api/place`'s own parser and solve). Both run on the
//! blocking pool; decks are limited to [`super::state::SLIDE_BUILDS`] at once (503 with
//! `Retry-After` beyond that), map images are answered 304 when `If-None-Match` matches.

use super::downloads::{attachment, file_stem};
use super::error::{ApiError, ApiQuery, ErrorBody};
use super::state::AppState;
use crate::figures::map::{render_map_png, MapLayer, MapRequest};
use crate::figures::FigureError;
use crate::slides::{build_deck, write_deck, DeckFormat, DeckRequest, LocalityChoice};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MapPngQuery {
    /// Indicator id (see /api/indicators), or `imd-decile` / `imd-score`; default `imd-decile`.
    pub indicator: Option<String>,
    /// Level id; default: the indicator's own level (IMD: the dataset's default level).
    pub level: Option<String>,
    /// Highlight this locality (name or code); the rest of the county is drawn grey.
    pub locality: Option<String>,
    /// Image width in pixels, 200 to 4096 (default 1600).
    pub width: Option<String>,
    /// Image height in pixels, 200 to 4096 (default 1200).
    pub height: Option<String>,
    /// Pixel ratio, 1 to 4 (default 1; 2 draws text and lines twice as large for a 2× screen).
    pub scale: Option<String>,
}

/// Parse one numeric query parameter within `range`, naming it when it is wrong.
fn bounded<T>(
    name: &str,
    given: Option<&str>,
    default: T,
    range: std::ops::RangeInclusive<T>,
) -> Result<T, ApiError>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
{
    let Some(text) = given else {
        return Ok(default);
    };
    match text.trim().parse::<T>() {
        Ok(v) if range.contains(&v) => Ok(v),
        _ => Err(ApiError::bad_request(
            "bad parameter",
            format!(
                "{name}={text:?} is not allowed; give a number from {} to {}",
                range.start(),
                range.end()
            ),
        )),
    }
}

impl From<FigureError> for ApiError {
    fn from(e: FigureError) -> Self {
        match e {
            FigureError::Public(p) => p.into(),
            FigureError::Lookup(l) => l.into(),
            e if e.is_input_error() => ApiError::bad_request("bad figure request", e.to_string()),
            e => ApiError::internal(e),
        }
    }
}

/// `GET /api/map.png?indicator=&level=&locality=&width=&height=&scale=`
#[utoipa::path(get, path = "/api/map.png", tag = "figures", params(MapPngQuery),
    responses(
        (status = 200, description = "PNG map image: the web legend's classes and colours (/api/legend), suppressed areas hatched, no-data grey, the 30% most deprived outline, sites, the locality highlighted with the rest of the county grey, legend, scale bar, north arrow, attribution; synthetic values are labelled. Strong ETag (the dataset build and the normalised request).", content_type = "image/png"),
        (status = 304, description = "Not modified (If-None-Match matched the ETag)"),
        (status = 400, description = "Unknown indicator, level or locality, or a size out of range (the detail names the parameter)", body = ErrorBody),
    ))]
pub async fn map_png(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<MapPngQuery>,
) -> Result<Response, ApiError> {
    let width = bounded("width", q.width.as_deref(), 1600u32, MapRequest::SIDE_PX)?;
    let height = bounded("height", q.height.as_deref(), 1200u32, MapRequest::SIDE_PX)?;
    let scale = bounded("scale", q.scale.as_deref(), 1.0f32, MapRequest::RATIO)?;
    let layer = match q.indicator.as_deref().map(str::trim) {
        None | Some("") | Some("imd-decile") => MapLayer::ImdDecile,
        Some("imd-score") => MapLayer::ImdScore,
        Some(id) => MapLayer::Indicator(id.to_string()),
    };
    let level = super::api::query_level(&state, q.level.as_deref())?;
    let request = MapRequest {
        layer,
        level,
        locality: q.locality.clone(),
        width,
        height,
        pixel_ratio: scale,
    };
    let meta = &state.dataset().meta;
    let mut hash = Sha256::new();
    hash.update(meta.config_sha256.as_bytes());
    hash.update(meta.built_at.as_bytes());
    hash.update(format!("{request:?}").as_bytes());
    let etag = format!("\"{}\"", hex::encode(&hash.finalize()[..12]));
    if super::tiles::none_match(&headers, &etag) {
        let mut r = StatusCode::NOT_MODIFIED.into_response();
        if let Ok(v) = HeaderValue::from_str(&etag) {
            r.headers_mut().insert(header::ETAG, v);
        }
        return Ok(r);
    }
    let public = state.public();
    let png = tokio::task::spawn_blocking(move || render_map_png(&public, &request))
        .await
        .map_err(ApiError::internal)??;
    let mut response = (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/png")),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        png,
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(header::ETAG, v);
    }
    Ok(response)
}

/// A `true`/`false` query parameter (`default` when absent), naming it when it is neither.
fn query_flag(name: &str, given: Option<&str>, default: bool) -> Result<bool, ApiError> {
    match given.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
        None => Ok(default),
        Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(other) => Err(ApiError::bad_request(
            "bad parameter",
            format!("{name}={other:?} is not allowed; give true or false"),
        )),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SlidesQuery {
    /// Locality name or code (see /api/areas?level=locality), or `all` for every locality.
    pub locality: String,
    /// Indicator ids, comma-separated, in slide order; default: every health indicator. A
    /// service's reach id (e.g. `reach-family-hub`) picks the headline service of the reach slide.
    pub indicator: Option<String>,
    /// `false` leaves out the service reach slide (default `true`: one per locality whenever the
    /// dataset has service-use records).
    pub reach: Option<String>,
    /// pptx (default) or pdf.
    pub format: Option<String>,
    /// Add a placement proposal slide: an `/api/place` query string, URL-encoded as one value
    /// (e.g. `place=k%3D3%26model%3Dequity` for `k=3&model=equity`); the same options, limits
    /// and report as `/api/place`, `format` excepted.
    pub place: Option<String>,
}

/// `GET /api/slides?locality=&indicator=&format=&reach=&place=`
#[utoipa::path(get, path = "/api/slides", tag = "figures", params(SlidesQuery),
    responses(
        (status = 200, description = "A locality deck as an attachment (PPTX, editable; or PDF): a title slide, one slide per indicator (map, gap chart by national IMD quintile within the locality, reading, key figures, speaker notes), a service reach slide per locality unless reach=false (map of the headline service's reach, contacts per 1,000 children by national IMD quintile and the SII for every service, the reading; the numbers of /api/reach?service=&locality=), with place= a placement proposal slide (county map with existing and proposed sites, need covered by IMD quintile before and after, the Q1 − Q5 gap change; the numbers of /api/place for the same options), and sources; the numbers are /api/gaps?indicator=&locality= exactly; suppression applied.", content_type = "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        (status = 400, description = "Unknown locality, indicator or format, reach= other than true or false, a reach id in indicator= with reach=false, or a bad placement option in place= (the detail names it)", body = ErrorBody),
        (status = 503, description = "Too many decks are being built, or every placement solve slot is in use; retry after the Retry-After seconds", body = ErrorBody),
    ))]
pub async fn slides(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<SlidesQuery>,
) -> Result<Response, ApiError> {
    let format = match q.format.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("pptx") => DeckFormat::Pptx,
        Some("pdf") => DeckFormat::Pdf,
        Some(other) => {
            return Err(ApiError::bad_request(
                "unknown format",
                format!("format={other:?} is not supported here; expected pptx or pdf"),
            ))
        }
    };
    let locality = q.locality.trim();
    let reach = query_flag("reach", q.reach.as_deref(), true)?;
    let localities = if locality.eq_ignore_ascii_case("all") {
        LocalityChoice::All
    } else {
        LocalityChoice::One(locality.to_string())
    };
    let indicators: Vec<String> = q
        .indicator
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let Ok(permit) = state.inner.slide_permits.try_acquire() else {
        return Err(ApiError::busy(
            "other decks are being built; retry in a few seconds",
        ));
    };
    let placement = match q.place.as_deref() {
        Some(query) => Some(Arc::new(
            super::place::report_for_query(&state, query).await?,
        )),
        None => None,
    };
    let request = DeckRequest {
        localities,
        indicators,
        placement,
        reach,
        ..DeckRequest::default()
    };
    let public = state.public();
    let bytes = tokio::task::spawn_blocking(move || {
        build_deck(&public, &request).and_then(|deck| write_deck(&deck, format))
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(|e| match e {
        crate::slides::SlidesError::Figure(f) => f.into(),
        crate::slides::SlidesError::Public(p) => p.into(),
        e if e.is_input_error() => ApiError::bad_request("bad deck request", e.to_string()),
        e => ApiError::internal(e),
    })?;
    drop(permit);
    let name = file_stem(&["gapmap", "slides", locality]);
    Ok(match format {
        DeckFormat::Pptx => attachment(
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            &format!("{name}.pptx"),
            bytes,
        ),
        DeckFormat::Pdf => attachment("application/pdf", &format!("{name}.pdf"), bytes),
    })
}

//! Vector tile endpoints: `/tiles/{level}/{z}/{x}/{y}.mvt`, `/tiles/{level}.json` (TileJSON
//! 3.0.0) and `/style.json` (a MapLibre style using only this server's tiles).
//!
//! Tiles are generated on demand from the in-memory dataset by a [`TileSource`] per level
//! (the `tiles` module's `TileSet`), gzipped once and kept in a size-bounded moka cache keyed
//! by (level, z, x, y). The strong ETag is a digest of the uncompressed MVT bytes (with a
//! `-gz` suffix for the gzip representation, since the bytes differ); `If-None-Match` gets a
//! 304. Clients that do not accept gzip get the plain MVT. Empty tiles are 204.
//!
//! Specs: Mapbox Vector Tile 2.1; TileJSON 3.0.0 (github.com/mapbox/tilejson-spec);
//! MapLibre style spec v8; RFC 9110 §8.8.3 (ETag), §13.1.2 (If-None-Match, weak comparison).

use super::error::ApiError;
use super::state::{AppState, CachedTile, TileKey};
use super::tile_source::TileSource;
use crate::level::Level;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{Read, Write};

/// MIME type of Mapbox Vector Tiles.
pub const MVT_CONTENT_TYPE: &str = "application/vnd.mapbox-vector-tile";

/// Does the client accept a gzip body? (RFC 9110 §12.5.3: `gzip` or `*` with q > 0.)
pub fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.parse::<f64>().ok())
                })
                .next()
                .unwrap_or(1.0);
            (coding == "gzip" || coding == "x-gzip" || coding == "*") && q > 0.0
        })
}

/// Does `If-None-Match` match `etag`? Weak comparison, as RFC 9110 §13.1.2 requires.
pub(crate) fn none_match(headers: &HeaderMap, etag: &str) -> bool {
    fn bare(t: &str) -> &str {
        t.trim().trim_start_matches("W/")
    }
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == "*" || bare(t) == etag)
}

fn bad_coordinate(detail: String) -> ApiError {
    ApiError::bad_request("bad tile coordinate", detail)
}

/// Parse and check level, z, x and y (`y` carries the `.mvt` suffix).
fn parse_tile_path(
    state: &AppState,
    level: &str,
    z: &str,
    x: &str,
    y: &str,
) -> Result<TileKey, ApiError> {
    let tiled: Vec<&str> = state.inner.tiles.keys().map(|l| l.as_str()).collect();
    let level = match level.parse::<Level>() {
        Ok(l) if state.inner.tiles.contains_key(&l) => l,
        _ => {
            return Err(ApiError::bad_request(
                "unknown level",
                format!(
                    "no tiles for level {level:?}; expected one of: {}",
                    tiled.join(", ")
                ),
            ))
        }
    };
    let (minzoom, maxzoom) = (state.config().minzoom, state.config().maxzoom);
    let z: u8 = z
        .parse()
        .ok()
        .filter(|z| (minzoom..=maxzoom).contains(z))
        .ok_or_else(|| {
            bad_coordinate(format!(
                "z must be an integer from {minzoom} to {maxzoom}, got {z:?}"
            ))
        })?;
    let size = 1u64 << z;
    let in_range = |v: &str, name: &str| -> Result<u32, ApiError> {
        v.parse::<u32>()
            .ok()
            .filter(|&v| u64::from(v) < size)
            .ok_or_else(|| {
                bad_coordinate(format!(
                    "{name} must be an integer from 0 to {} at zoom {z}, got {v:?}",
                    size - 1
                ))
            })
    };
    let x = in_range(x, "x")?;
    let y = y
        .strip_suffix(".mvt")
        .ok_or_else(|| bad_coordinate(format!("tile path must end in {{y}}.mvt, got {y:?}")))?;
    let y = in_range(y, "y")?;
    Ok((level, z, x, y))
}

fn make_tile(source: &dyn TileSource, key: TileKey) -> Result<CachedTile, String> {
    let (_, z, x, y) = key;
    let Some(mvt) = source.tile(z, x, y)? else {
        return Ok(CachedTile::Empty);
    };
    let digest = hex::encode(&Sha256::digest(&mvt)[..12]);
    let mut gz = flate2::write::GzEncoder::new(
        Vec::with_capacity(mvt.len() / 2),
        flate2::Compression::default(),
    );
    gz.write_all(&mvt).map_err(|e| e.to_string())?;
    let gzipped = gz.finish().map_err(|e| e.to_string())?;
    let etag = |suffix: &str| {
        HeaderValue::from_str(&format!("\"{digest}{suffix}\"")).map_err(|e| e.to_string())
    };
    Ok(CachedTile::Tile {
        gzipped: Bytes::from(gzipped),
        etag_gz: etag("-gz")?,
        etag_plain: etag("")?,
    })
}

/// Fetch from the cache or generate (off the async threads; concurrent misses of the same
/// tile are generated once).
async fn cached_tile(state: &AppState, key: TileKey) -> Result<CachedTile, ApiError> {
    let inner = state.inner.clone();
    if let Some(cache) = &inner.cache {
        if let Some(hit) = cache.get(&key) {
            inner.metrics.tile_cache_hit();
            return Ok(hit);
        }
    }
    inner.metrics.tile_cache_miss();
    let source = inner
        .tiles
        .get(&key.0)
        .cloned()
        .ok_or_else(|| ApiError::internal(format!("no tile source for {}", key.0)))?;
    let task = tokio::task::spawn_blocking(move || match &inner.cache {
        Some(cache) => cache
            .try_get_with(key, || make_tile(source.as_ref(), key))
            .map_err(|e| e.to_string()),
        None => make_tile(source.as_ref(), key),
    });
    task.await
        .map_err(|e| ApiError::internal(format!("tile task failed: {e}")))?
        .map_err(|e| ApiError::internal(format!("tile {key:?}: {e}")))
}

/// `GET /tiles/{level}/{z}/{x}/{y}.mvt`
#[utoipa::path(
    get,
    path = "/tiles/{level}/{z}/{x}/{y}.mvt",
    tag = "tiles",
    params(
        ("level" = String, Path, description = "Level id, e.g. msoa11"),
        ("z" = u8, Path, description = "Zoom (0-14)"),
        ("x" = u32, Path, description = "Column, 0 .. 2^z-1"),
        ("y" = u32, Path, description = "Row (XYZ scheme, north up), 0 .. 2^z-1"),
    ),
    responses(
        (status = 200, description = "Mapbox Vector Tile 2.1 (gzip when accepted)", content_type = "application/vnd.mapbox-vector-tile"),
        (status = 204, description = "Empty tile: no area touches it"),
        (status = 304, description = "Not modified (If-None-Match matched the ETag)"),
        (status = 400, description = "Unknown level or bad z/x/y", body = super::error::ErrorBody),
    )
)]
pub async fn tile(
    State(state): State<AppState>,
    Path((level, z, x, y)): Path<(String, String, String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let key = parse_tile_path(&state, &level, &z, &x, &y)?;
    let cache_control = state.tile_cache_control();
    let (gzipped, etag_gz, etag_plain) = match cached_tile(&state, key).await? {
        CachedTile::Empty => {
            return Ok((
                StatusCode::NO_CONTENT,
                [(header::CACHE_CONTROL, cache_control)],
            )
                .into_response())
        }
        CachedTile::Tile {
            gzipped,
            etag_gz,
            etag_plain,
        } => (gzipped, etag_gz, etag_plain),
    };
    let gzip = accepts_gzip(&headers);
    let etag = if gzip { etag_gz } else { etag_plain };
    let common = [
        (header::CACHE_CONTROL, cache_control),
        (header::ETAG, etag.clone()),
        (header::VARY, HeaderValue::from_static("accept-encoding")),
    ];
    if none_match(&headers, etag.to_str().unwrap_or_default()) {
        return Ok((StatusCode::NOT_MODIFIED, common).into_response());
    }
    let content_type = (
        header::CONTENT_TYPE,
        HeaderValue::from_static(MVT_CONTENT_TYPE),
    );
    if gzip {
        Ok((
            common,
            [
                content_type,
                (header::CONTENT_ENCODING, HeaderValue::from_static("gzip")),
            ],
            gzipped,
        )
            .into_response())
    } else {
        let mut plain = Vec::with_capacity(gzipped.len() * 3);
        flate2::read::GzDecoder::new(&gzipped[..])
            .read_to_end(&mut plain)
            .map_err(|e| ApiError::internal(format!("cached tile does not gunzip: {e}")))?;
        Ok((common, [content_type], plain).into_response())
    }
}

/// Base URL for absolute links: `--public-url`, else scheme + Host of the request.
pub(crate) fn base_url(state: &AppState, headers: &HeaderMap) -> Result<String, ApiError> {
    if let Some(url) = &state.config().public_url {
        return Ok(url.trim_end_matches('/').to_string());
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)))
        .ok_or_else(|| {
            ApiError::bad_request(
                "missing Host header",
                "absolute tile URLs need a valid Host header (or start the server with --public-url)",
            )
        })?;
    let scheme = match headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
    {
        Some("https") => "https",
        _ => "http",
    };
    Ok(format!("{scheme}://{host}"))
}

/// One entry of TileJSON `vector_layers`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VectorLayer {
    pub id: String,
    pub description: String,
    pub minzoom: u8,
    pub maxzoom: u8,
    pub fields: BTreeMap<String, String>,
}

/// TileJSON 3.0.0 document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TileJson {
    pub tilejson: String,
    pub name: String,
    pub description: String,
    pub attribution: String,
    pub scheme: String,
    pub tiles: Vec<String>,
    pub minzoom: u8,
    pub maxzoom: u8,
    pub bounds: [f64; 4],
    pub center: [f64; 3],
    pub vector_layers: Vec<VectorLayer>,
}

fn attribution(state: &AppState) -> String {
    state.dataset().meta.attribution().join("; ")
}

fn tilejson_for(state: &AppState, level: Level, base: &str) -> Option<TileJson> {
    let source = state.inner.tiles.get(&level)?;
    let bounds = source.bounds();
    let (minzoom, maxzoom) = (state.config().minzoom, state.config().maxzoom);
    let center_zoom = 9.0_f64.clamp(f64::from(minzoom), f64::from(maxzoom));
    Some(TileJson {
        tilejson: "3.0.0".into(),
        name: format!("{} {}", state.dataset().meta.name, level.label()),
        description: format!(
            "{} boundaries with IMD; join indicator values from /api/values by code",
            level.label()
        ),
        attribution: attribution(state),
        scheme: "xyz".into(),
        tiles: vec![format!(
            "{base}/tiles/{}/{{z}}/{{x}}/{{y}}.mvt",
            level.as_str()
        )],
        minzoom,
        maxzoom,
        bounds,
        center: [
            (bounds[0] + bounds[2]) / 2.0,
            (bounds[1] + bounds[3]) / 2.0,
            center_zoom,
        ],
        vector_layers: vec![VectorLayer {
            id: source.layer_name(),
            description: level.label().to_string(),
            minzoom,
            maxzoom,
            fields: source.fields(),
        }],
    })
}

/// `GET /tiles/{level}.json`
#[utoipa::path(
    get,
    path = "/tiles/{level}.json",
    tag = "tiles",
    params(("level" = String, Path, description = "Level id, e.g. msoa11")),
    responses(
        (status = 200, description = "TileJSON 3.0.0", body = TileJson),
        (status = 400, description = "Unknown level", body = super::error::ErrorBody),
    )
)]
pub async fn tilejson(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<Json<TileJson>, ApiError> {
    let tiled: Vec<&str> = state.inner.tiles.keys().map(|l| l.as_str()).collect();
    let unknown = || {
        ApiError::bad_request(
            "unknown level",
            format!(
                "no tiles for {name:?}; expected one of: {} (as /tiles/LEVEL.json)",
                tiled.join(", ")
            ),
        )
    };
    let level: Level = name
        .strip_suffix(".json")
        .and_then(|l| l.parse().ok())
        .ok_or_else(unknown)?;
    let base = base_url(&state, &headers)?;
    tilejson_for(&state, level, &base)
        .map(Json)
        .ok_or_else(unknown)
}

/// The web map's background, area opacity and county outline (`web/js/map.js`, `mapview.js`):
/// `/style.json` draws the default view the way the web map does (tested in the browser).
const BACKGROUND: &str = "#e9edf1";
const AREA_OPACITY: f64 = 0.94;
const LA_OUTLINE: &str = "#13233a";

/// The IMD decile colours of the legend (`/api/legend?layer=imd-decile`) as a fill expression
/// on the tiles' `imd_decile`; no-data grey where the level has no IMD.
fn decile_fill(state: &AppState, level: Level) -> serde_json::Value {
    match state.public().legend("imd-decile", Some(level), None) {
        Ok(legend) if !legend.classes.iter().all(|c| c.count == 0) => {
            let mut fill = vec![
                json!("match"),
                json!(["to-number", ["get", "imd_decile"], 0]),
            ];
            for (i, class) in legend.classes.iter().enumerate() {
                fill.push(json!(i + 1));
                fill.push(json!(class.colour));
            }
            fill.push(json!(legend.no_data.colour));
            serde_json::Value::Array(fill)
        }
        _ => json!(crate::public::legend::NO_DATA),
    }
}

/// `GET /style.json`: a MapLibre style with one vector source per level, a fill (coloured by
/// IMD decile, as the web map's default view) and an outline layer per level (only the default
/// level's visible), the LA outline and MSOA name labels. No sprite or glyphs: labels use the
/// browser's local fonts.
#[utoipa::path(
    get,
    path = "/style.json",
    tag = "tiles",
    responses((status = 200, description = "MapLibre style (version 8)", body = Object))
)]
pub async fn style(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    let base = base_url(&state, &headers)?;
    let dataset = state.dataset();
    let default_level = dataset.meta.default_level;
    let mut sources = serde_json::Map::new();
    let mut fills = Vec::new();
    let mut lines = Vec::new();
    let mut labels = Vec::new();
    let mut bounds: Option<[f64; 4]> = None;
    for (&level, source) in &state.inner.tiles {
        let Some(tj) = tilejson_for(&state, level, &base) else {
            continue;
        };
        bounds = Some(match bounds {
            None => tj.bounds,
            Some(b) => [
                b[0].min(tj.bounds[0]),
                b[1].min(tj.bounds[1]),
                b[2].max(tj.bounds[2]),
                b[3].max(tj.bounds[3]),
            ],
        });
        let id = level.as_str();
        let source_layer = source.layer_name();
        sources.insert(
            id.to_string(),
            json!({
                "type": "vector",
                "tiles": tj.tiles,
                "minzoom": tj.minzoom,
                "maxzoom": tj.maxzoom,
                "bounds": tj.bounds,
                "attribution": tj.attribution,
                "promoteId": "code",
            }),
        );
        let visible = |on: bool| if on { "visible" } else { "none" };
        if level != Level::La {
            fills.push(json!({
                "id": format!("{id}-fill"),
                "type": "fill",
                "source": id,
                "source-layer": source_layer,
                "layout": { "visibility": visible(level == default_level) },
                "paint": {
                    "fill-color": decile_fill(&state, level),
                    "fill-opacity": AREA_OPACITY,
                },
            }));
        }
        let paint = match level {
            Level::La => {
                json!({ "line-color": LA_OUTLINE, "line-width": ["interpolate", ["linear"], ["zoom"], 8, 1.6, 12, 3] })
            }
            Level::Ward | Level::Ward22 => json!({ "line-color": "#5a5a5a", "line-width": 1.2 }),
            _ => json!({
                "line-color": "#ffffff",
                "line-width": ["interpolate", ["linear"], ["zoom"], 8, 0.4, 11, 1, 14, 1.6],
                "line-opacity": 0.85,
            }),
        };
        // As in the web map: the county outline and the default level's borders; electoral
        // divisions are available but hidden.
        let on = level == Level::La || level == default_level;
        lines.push(json!({
            "id": format!("{id}-line"),
            "type": "line",
            "source": id,
            "source-layer": source_layer,
            "layout": { "visibility": visible(on), "line-join": "round" },
            "paint": paint,
        }));
        if matches!(level, Level::Msoa11 | Level::Msoa21 | Level::Ward) {
            labels.push(json!({
                "id": format!("{id}-label"),
                "type": "symbol",
                "source": id,
                "source-layer": source_layer,
                "minzoom": 10,
                "layout": {
                    "visibility": visible(level == default_level),
                    "text-field": ["get", "name"],
                    "text-size": 12,
                    "text-max-width": 8,
                },
                "paint": {
                    "text-color": "#1a1a1a",
                    "text-halo-color": "#ffffff",
                    "text-halo-width": 1.5,
                },
            }));
        }
    }
    // Draw LA outline last among lines so it sits on top.
    lines.sort_by_key(|l| l["id"].as_str().is_some_and(|id| id.starts_with("la-")));
    let mut layers = vec![json!({
        "id": "background",
        "type": "background",
        "paint": { "background-color": BACKGROUND },
    })];
    layers.extend(fills);
    layers.extend(lines);
    layers.extend(labels);
    let b = bounds.unwrap_or([-180.0, -85.0, 180.0, 85.0]);
    Ok(Json(json!({
        "version": 8,
        "name": format!("gapmap: {}", dataset.meta.name),
        "metadata": { "gapmap:default_level": default_level.as_str() },
        "center": [(b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0],
        "zoom": 9,
        "sources": sources,
        "layers": layers,
    })))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn gzip_is_accepted_only_with_positive_quality() {
        assert!(accepts_gzip(&headers(&[(
            "accept-encoding",
            "gzip, deflate, br"
        )])));
        assert!(accepts_gzip(&headers(&[(
            "accept-encoding",
            "br;q=1.0, gzip;q=0.8"
        )])));
        assert!(accepts_gzip(&headers(&[("accept-encoding", "*")])));
        assert!(!accepts_gzip(&headers(&[("accept-encoding", "gzip;q=0")])));
        assert!(!accepts_gzip(&headers(&[("accept-encoding", "identity")])));
        assert!(!accepts_gzip(&headers(&[])));
    }

    #[test]
    fn if_none_match_uses_weak_comparison() {
        let tag = "\"abc-gz\"";
        assert!(none_match(
            &headers(&[("if-none-match", "\"abc-gz\"")]),
            tag
        ));
        assert!(none_match(
            &headers(&[("if-none-match", "W/\"abc-gz\"")]),
            tag
        ));
        assert!(none_match(
            &headers(&[("if-none-match", "\"x\", \"abc-gz\"")]),
            tag
        ));
        assert!(none_match(&headers(&[("if-none-match", "*")]), tag));
        assert!(!none_match(&headers(&[("if-none-match", "\"abc\"")]), tag));
    }
}

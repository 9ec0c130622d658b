//! The read-only JSON API: health, metrics, meta, levels, indicators, values, areas, area
//! profiles, sites and search. Handlers parse and validate, borrow from the shared
//! [`crate::dataset::Dataset`], and encode; indicator values always come from
//! [`super::public`], so suppression is applied in one place.

use super::error::{ApiError, ApiQuery, ErrorBody};
use super::public::{is_small_count, PublicValue};
use super::{known_indicator, loaded_level, AppState};
use crate::dataset::{Area, Comparator, Dataset, Polarity, ValueType};
use crate::imd::{AreaImd, ImdEdition};
use crate::level::Level;
use crate::stats::significance::Significance;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// "ok" when the dataset is loaded and the server answers.
    pub status: String,
    pub dataset: String,
    pub built_at: String,
}

/// `GET /health`
#[utoipa::path(get, path = "/health", tag = "ops",
    responses((status = 200, description = "Server and dataset status", body = Health)))]
pub async fn health(State(state): State<AppState>) -> Json<Health> {
    let meta = &state.dataset().meta;
    Json(Health {
        status: "ok".into(),
        dataset: meta.name.clone(),
        built_at: meta.built_at.clone(),
    })
}

/// `GET /metrics`
#[utoipa::path(get, path = "/metrics", tag = "ops",
    responses((status = 200, description = "Prometheus text exposition", content_type = "text/plain; version=0.0.4", body = String)))]
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let cache_bytes = state.inner.cache.as_ref().map_or(0, |c| {
        c.run_pending_tasks();
        c.weighted_size()
    });
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.inner.metrics.render(cache_bytes),
    )
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LevelInfo {
    /// Level id used in URLs, e.g. "msoa11".
    pub id: String,
    pub label: String,
    /// Number of areas.
    pub count: usize,
    /// IMD editions available on this level, e.g. ["imd2019"].
    pub imd_editions: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LocalitySchemeInfo {
    pub name: String,
    /// True for an illustrative grouping (not the council's own).
    pub illustrative: bool,
    pub note: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Meta {
    pub name: String,
    pub area_of_interest: Vec<String>,
    pub default_level: String,
    /// `[west, south, east, north]` of the default level.
    pub bounds: Option<[f64; 4]>,
    /// True when any indicator is synthetic demonstration data.
    pub synthetic: bool,
    pub levels: Vec<LevelInfo>,
    /// Counts from 1 to this value are never published.
    pub suppress_max_count: u32,
    /// Attribution statements to display.
    pub attribution: Vec<String>,
    pub locality_scheme: Option<LocalitySchemeInfo>,
    pub built_at: String,
    /// Raster basemap URL template (`--basemap-url`), absent unless configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basemap_url: Option<String>,
}

fn level_infos(dataset: &Dataset) -> Vec<LevelInfo> {
    dataset
        .layers
        .iter()
        .map(|l| LevelInfo {
            id: l.level.as_str().into(),
            label: l.level.label().into(),
            count: l.areas.len(),
            imd_editions: l.imd_editions.iter().map(|e| e.as_str().into()).collect(),
        })
        .collect()
}

/// `GET /api/meta`
#[utoipa::path(get, path = "/api/meta", tag = "api",
    responses((status = 200, description = "What this server holds", body = Meta)))]
pub async fn meta(State(state): State<AppState>) -> Json<Meta> {
    let d = state.dataset();
    let mut attribution: Vec<String> = Vec::new();
    for s in &d.meta.sources {
        if !s.attribution.is_empty() && !attribution.contains(&s.attribution) {
            attribution.push(s.attribution.clone());
        }
    }
    Json(Meta {
        name: d.meta.name.clone(),
        area_of_interest: d.meta.area_of_interest.clone(),
        default_level: d.meta.default_level.as_str().into(),
        bounds: d
            .layer(d.meta.default_level)
            .or_else(|| d.layers.first())
            .and_then(|l| l.bounds()),
        synthetic: d.has_synthetic(),
        levels: level_infos(d),
        suppress_max_count: d.meta.suppress_max_count,
        attribution,
        locality_scheme: d.meta.locality_scheme.as_ref().map(|s| LocalitySchemeInfo {
            name: s.name.clone(),
            illustrative: s.illustrative,
            note: s.note.clone(),
        }),
        built_at: d.meta.built_at.clone(),
        basemap_url: state.config().basemap_url.clone(),
    })
}

/// `GET /api/levels`
#[utoipa::path(get, path = "/api/levels", tag = "api",
    responses((status = 200, description = "Loaded levels", body = [LevelInfo])))]
pub async fn levels(State(state): State<AppState>) -> Json<Vec<LevelInfo>> {
    Json(level_infos(state.dataset()))
}

/// A reference value (England or the county) with its 95% interval.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Reference {
    pub value: Option<f64>,
    pub lower95: Option<f64>,
    pub upper95: Option<f64>,
}

/// A comparator as published: withheld when its own count is small.
fn reference(c: Option<&Comparator>, max: u32) -> Option<Reference> {
    let c = c?;
    if c.count.is_some_and(|n| is_small_count(n, max)) {
        return Some(Reference {
            value: None,
            lower95: None,
            upper95: None,
        });
    }
    Some(Reference {
        value: c.value,
        lower95: c.lower95,
        upper95: c.upper95,
    })
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct IndicatorInfo {
    pub id: String,
    pub name: String,
    pub short_name: String,
    /// "proportion", "rate" or "mean".
    pub value_type: String,
    pub multiplier: f64,
    /// "higher_is_worse", "higher_is_better" or "not_applicable".
    pub polarity: String,
    /// Synthetic demonstration data: label it wherever it is shown.
    pub synthetic: bool,
    pub level: String,
    pub period: String,
    pub sex: String,
    pub age: String,
    pub unit: String,
    pub england: Option<Reference>,
    pub county: Option<Reference>,
}

fn value_type_str(v: ValueType) -> &'static str {
    match v {
        ValueType::Proportion => "proportion",
        ValueType::Rate => "rate",
        ValueType::Mean => "mean",
    }
}

fn polarity_str(p: Polarity) -> &'static str {
    match p {
        Polarity::HigherIsWorse => "higher_is_worse",
        Polarity::HigherIsBetter => "higher_is_better",
        Polarity::NotApplicable => "not_applicable",
    }
}

/// `GET /api/indicators`
#[utoipa::path(get, path = "/api/indicators", tag = "api",
    responses((status = 200, description = "Loaded indicators with England and county values", body = [IndicatorInfo])))]
pub async fn indicators(State(state): State<AppState>) -> Json<Vec<IndicatorInfo>> {
    let d = state.dataset();
    let max = d.meta.suppress_max_count;
    Json(
        d.indicators
            .iter()
            .map(|i| {
                let m = &i.meta;
                IndicatorInfo {
                    id: m.id.clone(),
                    name: m.name.clone(),
                    short_name: m.short_name.clone(),
                    value_type: value_type_str(m.value_type).into(),
                    multiplier: m.multiplier,
                    polarity: polarity_str(m.polarity).into(),
                    synthetic: m.synthetic,
                    level: m.level.as_str().into(),
                    period: m.period.clone(),
                    sex: m.sex.clone(),
                    age: m.age.clone(),
                    unit: m.unit.clone(),
                    england: reference(i.england.as_ref(), max),
                    county: reference(i.county.as_ref(), max),
                }
            })
            .collect(),
    )
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ValuesQuery {
    /// Indicator id (see /api/indicators).
    pub indicator: String,
    /// Level id; defaults to the indicator's own level, and must equal it.
    pub level: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ValuesResponse {
    pub indicator: String,
    pub level: String,
    pub synthetic: bool,
    pub values: Vec<PublicValue>,
}

/// `GET /api/values?indicator=ID&level=L`
#[utoipa::path(get, path = "/api/values", tag = "api", params(ValuesQuery),
    responses(
        (status = 200, description = "Every area's value (suppressed values are null)", body = ValuesResponse),
        (status = 400, description = "Unknown indicator or level", body = ErrorBody),
    ))]
pub async fn values(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ValuesQuery>,
) -> Result<Json<ValuesResponse>, ApiError> {
    let d = state.dataset();
    let indicator = known_indicator(d, &q.indicator)?;
    let level = indicator.meta.level;
    if let Some(given) = &q.level {
        let asked = loaded_level(d, given)?;
        if asked != level {
            return Err(ApiError::bad_request(
                "level not available for indicator",
                format!(
                    "indicator {} is published for level {level} only; ask for level={level}",
                    indicator.meta.id
                ),
            ));
        }
    }
    let values = state
        .public_values(&indicator.meta.id)
        .map(|p| p.values.clone())
        .unwrap_or_default();
    Ok(Json(ValuesResponse {
        indicator: indicator.meta.id.clone(),
        level: level.as_str().into(),
        synthetic: indicator.meta.synthetic,
        values,
    }))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ImdInfo {
    /// "imd2019" or "imd2025".
    pub edition: String,
    pub score: f64,
    /// National rank among areas of this level (1 = most deprived).
    pub rank: u32,
    pub rank_of: u32,
    /// National decile, 1 = most deprived 10%.
    pub decile: u8,
    pub quintile: u8,
    /// Quintile within the area of interest (population-weighted), 1 = most deprived.
    pub local_quintile: u8,
    pub most_deprived_30pct: bool,
}

impl From<&AreaImd> for ImdInfo {
    fn from(i: &AreaImd) -> Self {
        ImdInfo {
            edition: i.edition.as_str().into(),
            score: i.score,
            rank: i.rank,
            rank_of: i.rank_of,
            decile: i.decile,
            quintile: i.quintile,
            local_quintile: i.local_quintile,
            most_deprived_30pct: i.most_deprived_30pct,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AreasQuery {
    /// Level id; defaults to the dataset's default level.
    pub level: Option<String>,
    /// IMD edition ("imd2019" or "imd2025"); defaults to the level's native edition.
    pub imd: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AreaSummary {
    pub code: String,
    pub name: String,
    pub ons_name: String,
    pub locality: Option<String>,
    /// `[lon, lat]`.
    pub centroid: [f64; 2],
    pub imd: Option<ImdInfo>,
}

/// Parse an IMD edition, or a 400 listing the allowed ones.
pub(crate) fn parse_edition(given: &str) -> Result<ImdEdition, ApiError> {
    match given.trim().to_ascii_lowercase().as_str() {
        "imd2019" | "2019" => Ok(ImdEdition::Imd2019),
        "imd2025" | "2025" => Ok(ImdEdition::Imd2025),
        _ => Err(ApiError::bad_request(
            "unknown IMD edition",
            format!("imd {given:?} is not known; expected one of: imd2019, imd2025"),
        )),
    }
}

/// The edition to show for a level: the requested one, else the level's native edition if
/// loaded, else the first loaded.
pub(crate) fn edition_for(
    layer: &crate::dataset::Layer,
    requested: Option<&str>,
) -> Result<Option<ImdEdition>, ApiError> {
    if let Some(given) = requested {
        let e = parse_edition(given)?;
        if !layer.imd_editions.contains(&e) {
            let have: Vec<&str> = layer.imd_editions.iter().map(|e| e.as_str()).collect();
            return Err(ApiError::bad_request(
                "IMD edition not available",
                format!(
                    "{} is not loaded for level {}; available: {}",
                    e.as_str(),
                    layer.level,
                    if have.is_empty() {
                        "none".into()
                    } else {
                        have.join(", ")
                    }
                ),
            ));
        }
        return Ok(Some(e));
    }
    let native = layer.level.native_imd();
    Ok(if layer.imd_editions.contains(&native) {
        Some(native)
    } else {
        layer.imd_editions.first().copied()
    })
}

/// `GET /api/areas?level=L`
#[utoipa::path(get, path = "/api/areas", tag = "api", params(AreasQuery),
    responses(
        (status = 200, description = "Areas of a level with IMD and locality", body = [AreaSummary]),
        (status = 400, description = "Unknown level or IMD edition", body = ErrorBody),
    ))]
pub async fn areas(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<AreasQuery>,
) -> Result<Json<Vec<AreaSummary>>, ApiError> {
    let d = state.dataset();
    let level = match &q.level {
        Some(l) => loaded_level(d, l)?,
        None => d.meta.default_level,
    };
    let layer = d.layer(level).ok_or_else(|| {
        loaded_level(d, level.as_str())
            .err()
            .unwrap_or_else(|| ApiError::internal("layer vanished"))
    })?;
    let edition = edition_for(layer, q.imd.as_deref())?;
    Ok(Json(
        layer
            .areas
            .iter()
            .map(|a| AreaSummary {
                code: a.code.clone(),
                name: a.name.clone(),
                ons_name: a.ons_name.clone(),
                locality: a.locality.clone(),
                centroid: a.centroid,
                imd: edition.and_then(|e| a.imd(e)).map(ImdInfo::from),
            })
            .collect(),
    ))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PopulationInfo {
    pub year: u16,
    pub total: u32,
    pub age_0_4: u32,
    pub age_0_19: u32,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ProfileIndicator {
    pub id: String,
    pub name: String,
    pub short_name: String,
    pub synthetic: bool,
    pub value: Option<f64>,
    pub lower95: Option<f64>,
    pub upper95: Option<f64>,
    pub count: Option<f64>,
    pub denominator: Option<f64>,
    pub suppressed: bool,
    /// Fingertips 95% comparison: better, similar, worse, higher, lower or not_compared.
    #[schema(value_type = String)]
    pub vs_england: Significance,
    #[schema(value_type = String)]
    pub vs_county: Significance,
    pub england_value: Option<f64>,
    pub county_value: Option<f64>,
    pub unit: String,
    pub polarity: String,
    pub period: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AreaProfile {
    pub code: String,
    pub name: String,
    pub ons_name: String,
    pub level: String,
    pub locality: Option<String>,
    /// `[west, south, east, north]`.
    pub bbox: Option<[f64; 4]>,
    /// Every loaded IMD edition.
    pub imd: Vec<ImdInfo>,
    pub population: Option<PopulationInfo>,
    pub indicators: Vec<ProfileIndicator>,
}

pub(crate) fn bbox(area: &Area) -> Option<[f64; 4]> {
    use geo::BoundingRect;
    area.geometry
        .bounding_rect()
        .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y])
}

/// Find an area by code in any layer (codes are unique across levels).
pub(crate) fn find_area<'a>(d: &'a Dataset, code: &str) -> Option<(Level, &'a Area)> {
    let code = code.trim();
    d.layers
        .iter()
        .find_map(|l| l.get(code).map(|a| (l.level, a)))
        .or_else(|| {
            let upper = code.to_ascii_uppercase();
            d.layers
                .iter()
                .find_map(|l| l.get(&upper).map(|a| (l.level, a)))
        })
}

/// `GET /api/areas/{code}`
#[utoipa::path(get, path = "/api/areas/{code}", tag = "api",
    params(("code" = String, Path, description = "Area code, e.g. E02004290 (any level)")),
    responses(
        (status = 200, description = "Area profile: IMD, population and every indicator", body = AreaProfile),
        (status = 404, description = "No area has this code", body = ErrorBody),
    ))]
pub async fn area_profile(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<AreaProfile>, ApiError> {
    let d = state.dataset();
    let (level, area) = find_area(d, &code).ok_or_else(|| {
        ApiError::not_found(
            "unknown area",
            format!(
                "no area has code {code:?} in any loaded level ({}); see /api/areas?level=…",
                d.levels()
                    .iter()
                    .map(|l| l.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    })?;
    let max = d.meta.suppress_max_count;
    let indicators = d
        .indicators
        .iter()
        .filter(|i| i.meta.level == level)
        .map(|i| {
            let public = state
                .public_values(&i.meta.id)
                .and_then(|p| p.value(&area.code).cloned());
            let england = reference(i.england.as_ref(), max).and_then(|r| r.value);
            let county = reference(i.county.as_ref(), max).and_then(|r| r.value);
            let p = public.unwrap_or(PublicValue {
                code: area.code.clone(),
                value: None,
                lower95: None,
                upper95: None,
                count: None,
                denominator: None,
                suppressed: false,
                vs_england: Significance::NotCompared,
                vs_county: Significance::NotCompared,
            });
            ProfileIndicator {
                id: i.meta.id.clone(),
                name: i.meta.name.clone(),
                short_name: i.meta.short_name.clone(),
                synthetic: i.meta.synthetic,
                value: p.value,
                lower95: p.lower95,
                upper95: p.upper95,
                count: p.count,
                denominator: p.denominator,
                suppressed: p.suppressed,
                vs_england: p.vs_england,
                vs_county: p.vs_county,
                england_value: england,
                county_value: county,
                unit: i.meta.unit.clone(),
                polarity: polarity_str(i.meta.polarity).into(),
                period: i.meta.period.clone(),
            }
        })
        .collect();
    Ok(Json(AreaProfile {
        code: area.code.clone(),
        name: area.name.clone(),
        ons_name: area.ons_name.clone(),
        level: level.as_str().into(),
        locality: area.locality.clone(),
        bbox: bbox(area),
        imd: area.imd.iter().map(ImdInfo::from).collect(),
        population: area.population.as_ref().map(|p| PopulationInfo {
            year: p.year,
            total: p.total,
            age_0_4: p.ages(0, 4),
            age_0_19: p.ages(0, 19),
        }),
        indicators,
    }))
}

/// `GET /api/sites`
#[utoipa::path(get, path = "/api/sites", tag = "api",
    responses((status = 200, description = "GeoJSON FeatureCollection of sites (properties id, name, kind, existing, illustrative)", content_type = "application/geo+json", body = Object)))]
pub async fn sites(State(state): State<AppState>) -> impl IntoResponse {
    let features: Vec<serde_json::Value> = state
        .dataset()
        .sites
        .iter()
        .map(|s| {
            serde_json::json!({
                "type": "Feature",
                "id": s.id,
                "geometry": { "type": "Point", "coordinates": [s.lon, s.lat] },
                "properties": {
                    "id": s.id,
                    "name": s.name,
                    "kind": s.kind,
                    "postcode": s.postcode,
                    "existing": s.existing,
                    "illustrative": s.illustrative,
                },
            })
        })
        .collect();
    (
        [(header::CONTENT_TYPE, "application/geo+json")],
        Json(serde_json::json!({ "type": "FeatureCollection", "features": features })),
    )
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Text to find: part of an area name or code, or a full postcode (at least 2 characters).
    pub q: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct SearchHit {
    /// "area", "locality" or "postcode".
    pub kind: String,
    pub code: String,
    pub name: String,
    /// Level id of an area; null for postcodes.
    pub level: Option<String>,
    pub lon: f64,
    pub lat: f64,
    /// `[west, south, east, north]` for areas.
    pub bbox: Option<[f64; 4]>,
}

/// Most results a search returns.
pub const SEARCH_LIMIT: usize = 10;

/// `GET /api/search?q=`
#[utoipa::path(get, path = "/api/search", tag = "api", params(SearchQuery),
    responses(
        (status = 200, description = "Up to 10 matching areas, localities and postcodes", body = [SearchHit]),
        (status = 400, description = "Query too short", body = ErrorBody),
    ))]
pub async fn search(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> Result<Json<Vec<SearchHit>>, ApiError> {
    let text = q.q.trim();
    if text.chars().count() < 2 || text.len() > 100 {
        return Err(ApiError::bad_request(
            "bad search text",
            "q must be 2 to 100 characters: part of an area name or code, or a postcode",
        ));
    }
    Ok(Json(search_dataset(state.dataset(), text)))
}

/// Postcode first (exact), then areas: exact code, name prefix, then any substring
/// of name, ONS name or code; case-insensitive; at most [`SEARCH_LIMIT`].
pub fn search_dataset(d: &Dataset, text: &str) -> Vec<SearchHit> {
    let needle = text.to_lowercase();
    let mut hits: Vec<(u8, SearchHit)> = Vec::new();
    if let Some(p) = d.postcode(text) {
        hits.push((
            0,
            SearchHit {
                kind: "postcode".into(),
                code: p.postcode.clone(),
                name: p.postcode.clone(),
                level: None,
                lon: p.lon,
                lat: p.lat,
                bbox: None,
            },
        ));
    }
    for layer in &d.layers {
        for area in &layer.areas {
            let code = area.code.to_lowercase();
            let name = area.name.to_lowercase();
            let ons = area.ons_name.to_lowercase();
            let rank = if code == needle {
                1
            } else if name.starts_with(&needle) {
                2
            } else if name.contains(&needle) || ons.contains(&needle) || code.contains(&needle) {
                3
            } else {
                continue;
            };
            hits.push((
                rank,
                SearchHit {
                    kind: if layer.level == Level::Locality {
                        "locality".into()
                    } else {
                        "area".into()
                    },
                    code: area.code.clone(),
                    name: area.name.clone(),
                    level: Some(layer.level.as_str().into()),
                    lon: area.centroid[0],
                    lat: area.centroid[1],
                    bbox: bbox(area),
                },
            ));
        }
    }
    hits.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.name.cmp(&b.1.name)));
    hits.into_iter()
        .take(SEARCH_LIMIT)
        .map(|(_, h)| h)
        .collect()
}

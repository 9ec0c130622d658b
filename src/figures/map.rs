//! The map adapter: a [`MapRequest`] and the Dataset's public values → a
//! [`MapSpec`](crate::render::map::MapSpec), and [`render_map_png`], the library function
//! behind the slides' maps and (phase 2) `GET /api/map.png`.
//!
//! The classes come from the web legend's rule ([`crate::render::classes`]) over every area of
//! the level, so a locality's map uses the county-wide classes the web map shows and colours
//! mean the same in every locality's deck. Values are the public ones
//! ([`PublicIndicator`]): suppressed areas are hatched and carry no value.

use super::{find_indicator, find_locality, locality_id, FigureError};
use crate::dataset::{Area, Dataset, Indicator};
use crate::imd::ImdEdition;
use crate::level::Level;
use crate::public::PublicIndicator;
use crate::render::classes::{
    imd_decile_choropleth, imd_score_choropleth, indicator_choropleth, Choropleth, ShownValue,
};
use crate::render::map::{render_map, Focus, MapArea, MapSite, MapSpec, SiteKind};

/// What the map colours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MapLayer {
    /// An indicator by id (public values, 5 quantile classes).
    Indicator(String),
    /// National IMD decile (10 fixed classes).
    ImdDecile,
    /// IMD score (5 quantile classes).
    ImdScore,
}

/// A map image request. Sizes are device pixels; text and lines are laid out for
/// `width / pixel_ratio` logical units, so a 1600 px image at ratio 2 is crisp on a 2×
/// projector.
#[derive(Debug, Clone, PartialEq)]
pub struct MapRequest {
    pub layer: MapLayer,
    /// Geography level; `None`: the indicator's own level (IMD: the dataset default).
    pub level: Option<Level>,
    /// Highlight one locality (name or code), the rest of the area of interest grey.
    pub locality: Option<String>,
    pub width: u32,
    pub height: u32,
    pub pixel_ratio: f32,
}

impl MapRequest {
    /// Image side limits (px) and pixel ratio limits.
    pub const SIDE_PX: std::ops::RangeInclusive<u32> = 200..=4096;
    pub const RATIO: std::ops::RangeInclusive<f32> = 1.0..=4.0;

    fn check_size(&self) -> Result<(), FigureError> {
        let ok = Self::SIDE_PX.contains(&self.width)
            && Self::SIDE_PX.contains(&self.height)
            && Self::RATIO.contains(&self.pixel_ratio);
        if ok {
            Ok(())
        } else {
            Err(FigureError::BadSize {
                width: self.width,
                height: self.height,
                ratio: self.pixel_ratio,
            })
        }
    }
}

/// Render the requested map as a PNG (public values only).
pub fn render_map_png(dataset: &Dataset, request: &MapRequest) -> Result<Vec<u8>, FigureError> {
    let public = match &request.layer {
        MapLayer::Indicator(id) => {
            Some(PublicIndicator::new(dataset, find_indicator(dataset, id)?))
        }
        MapLayer::ImdDecile | MapLayer::ImdScore => None,
    };
    let spec = map_spec(dataset, request, public.as_ref())?;
    Ok(render_map(&spec)?.png()?)
}

/// The edition a level's IMD is shown in: its native edition if loaded, else the first
/// loaded (the tiles' and the API's rule).
fn edition_for(dataset: &Dataset, level: Level) -> Option<ImdEdition> {
    let layer = dataset.layer(level)?;
    let native = level.native_imd();
    if layer.imd_editions.contains(&native) {
        Some(native)
    } else {
        layer.imd_editions.first().copied()
    }
}

/// Build the renderer's input. `public` must be the public view of the requested indicator
/// (computed once per indicator by callers that draw several maps); it is ignored for IMD.
pub fn map_spec(
    dataset: &Dataset,
    request: &MapRequest,
    public: Option<&PublicIndicator>,
) -> Result<MapSpec, FigureError> {
    request.check_size()?;
    let indicator = match &request.layer {
        MapLayer::Indicator(id) => Some(find_indicator(dataset, id)?),
        _ => None,
    };
    let level = request
        .level
        .or(indicator.map(|i| i.meta.level))
        .unwrap_or(dataset.meta.default_level);
    if let Some(ind) = indicator {
        if ind.meta.level != level {
            return Err(FigureError::IndicatorLevel {
                indicator: ind.meta.id.clone(),
                requested: level,
                available: ind.meta.level,
            });
        }
    }
    let layer = dataset
        .layer(level)
        .ok_or_else(|| FigureError::LevelNotLoaded {
            level,
            loaded: dataset.levels_list(),
        })?;
    let locality = request
        .locality
        .as_deref()
        .map(|q| find_locality(dataset, q))
        .transpose()?;
    let edition = edition_for(dataset, level);
    let edition_label = edition.map_or("IMD", |e| e.label());

    let choropleth = match (&request.layer, indicator) {
        (MapLayer::Indicator(_), Some(ind)) => {
            let computed;
            let public = match public {
                Some(p) => p,
                None => {
                    computed = PublicIndicator::new(dataset, ind);
                    &computed
                }
            };
            indicator_classes(ind, public, &layer.areas)
        }
        (layer_kind, _) => {
            let imd: Vec<Option<&crate::imd::AreaImd>> = layer
                .areas
                .iter()
                .map(|a| edition.and_then(|e| a.imd(e)))
                .collect();
            if *layer_kind == MapLayer::ImdScore {
                imd_score_choropleth(
                    &imd.iter().map(|i| i.map(|i| i.score)).collect::<Vec<_>>(),
                    edition_label,
                )
            } else {
                imd_decile_choropleth(
                    &imd.iter().map(|i| i.map(|i| i.decile)).collect::<Vec<_>>(),
                    edition_label,
                )
            }
        }
    };
    let focus_id = locality.map(locality_id);
    let areas = layer
        .areas
        .iter()
        .zip(&choropleth.classes)
        .map(|(a, &class)| MapArea {
            geometry: a.geometry.clone(),
            class,
            in_focus: focus_id.is_none_or(|id| a.locality.as_deref() == Some(id)),
            most_deprived_30pct: edition
                .and_then(|e| a.imd(e))
                .is_some_and(|i| i.most_deprived_30pct),
        })
        .collect();
    let synthetic = indicator.is_some_and(|i| i.meta.synthetic);
    Ok(MapSpec {
        width: request.width as f32 / request.pixel_ratio,
        height: request.height as f32 / request.pixel_ratio,
        pixel_ratio: request.pixel_ratio,
        areas,
        focus: locality.map(|l| Focus {
            name: format!("{} locality", l.name),
            outline: l.geometry.clone(),
        }),
        sites: dataset
            .sites
            .iter()
            .map(|s| MapSite {
                lon: s.lon,
                lat: s.lat,
                kind: SiteKind::from_kind(&s.kind),
            })
            .collect(),
        legend: choropleth.legend,
        suppressed_label: format!(
            "Suppressed: small numbers (count 1–{})",
            dataset.meta.suppress_max_count
        ),
        imd30_label: edition.map(|e| format!("30% most deprived nationally ({})", e.label())),
        context_label: format!("Rest of {}", dataset.meta.name),
        synthetic,
        attribution: attribution(dataset, indicator, synthetic),
    })
}

/// An indicator's published values as the classing rule takes them (`/api/values` rows).
pub fn shown_values(public: &PublicIndicator) -> Vec<ShownValue> {
    public
        .values
        .iter()
        .map(|v| ShownValue {
            value: v.figures.value,
            suppressed: v.figures.suppressed,
        })
        .collect()
}

/// Classes of an indicator over the layer's areas: each area's public value (no row = no
/// data), through the web's rule.
fn indicator_classes(
    indicator: &Indicator,
    public: &PublicIndicator,
    areas: &[Area],
) -> Choropleth {
    // The legend is built over the indicator's published values (as `/api/values`), the
    // classes are looked up per area.
    let all = indicator_choropleth(&indicator.meta, &shown_values(public));
    let classes = areas
        .iter()
        .map(|a| {
            public
                .values
                .binary_search_by(|v| v.code.as_str().cmp(&a.code))
                .ok()
                .map_or(crate::render::classes::AreaClass::NoData, |i| {
                    all.classes[i]
                })
        })
        .collect();
    Choropleth { classes, ..all }
}

/// The attribution line: boundaries (with the OS copyright), deprivation, the values' source,
/// and the synthetic-data warning when it applies. Texts come from the source registry.
fn attribution(dataset: &Dataset, indicator: Option<&Indicator>, synthetic: bool) -> String {
    let sources = &dataset.meta.sources;
    let find = |needle: &str| {
        sources
            .iter()
            .find(|s| s.attribution.contains(needle))
            .map(|s| s.attribution.clone())
    };
    let mut parts: Vec<String> = Vec::new();
    if let Some(a) = find("OS data") {
        parts.push(format!("Boundaries: {a}."));
    }
    if let Some(a) = find("Indices of Deprivation") {
        parts.push(format!("Deprivation: {a}."));
    }
    if let Some(ind) = indicator {
        if let Some(s) = sources.iter().find(|s| s.id == ind.meta.source_id) {
            parts.push(format!("Values: {}.", s.publisher));
        }
    }
    if synthetic {
        parts.push("Synthetic demonstration data — not official statistics.".into());
    }
    parts.join(" ").replace("..", ".")
}

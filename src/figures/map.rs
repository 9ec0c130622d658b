//! The map adapter: a [`MapRequest`] and the public face → a
//! [`MapSpec`](crate::render::map::MapSpec), and [`render_map_png`], the library function
//! behind the slides' maps and `GET /api/map.png`.
//!
//! Classes and colours are the public legend's ([`PublicDataset::legend`], served as
//! `/api/legend` and drawn by the web map) over every area of the level, so a locality's map
//! uses the county-wide classes the web map shows and colours mean the same in every deck.
//! Values are the public ones: suppressed areas are hatched and carry no value.

use super::{find_locality, locality_id, FigureError};
use crate::dataset::{Dataset, Indicator};
use crate::level::Level;
use crate::lookup;
use crate::place::report::PlacementReport;
use crate::public::{Legend as PublicLegend, PublicDataset};
use crate::render::colour::Colour;
use crate::render::legend::{AreaClass, Legend, LegendItem};
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
pub fn render_map_png(
    public: &PublicDataset,
    request: &MapRequest,
) -> Result<Vec<u8>, FigureError> {
    let spec = map_spec(public, request)?;
    Ok(render_map(&spec)?.png()?)
}

/// The county map of national IMD deciles with a placement's sites: the report's existing
/// sites (each with its own symbol) and its proposed new sites (the place panel's marker, with
/// a dashed ring at the coverage radius when access is straight-line distance). Positions are
/// the report's own, so the picture shows exactly the sites the numbers are about.
pub fn render_placement_map_png(
    public: &PublicDataset,
    report: &PlacementReport,
    width: u32,
    height: u32,
    pixel_ratio: f32,
) -> Result<Vec<u8>, FigureError> {
    let request = MapRequest {
        layer: MapLayer::ImdDecile,
        level: None,
        locality: None,
        width,
        height,
        pixel_ratio,
    };
    let mut spec = map_spec(public, &request)?;
    let dataset = public.dataset();
    let reach = (report.access.kind == "distance").then_some(report.access.radius);
    spec.sites = report
        .sites
        .iter()
        .filter_map(|s| {
            let (kind, reach_metres) = if s.existing {
                let kind = dataset
                    .sites
                    .iter()
                    .find(|d| d.id == s.id)
                    .map_or(SiteKind::Other, |d| SiteKind::from_kind(&d.kind));
                (kind, None)
            } else {
                (SiteKind::Proposed, reach)
            };
            Some(MapSite {
                lon: s.lon?,
                lat: s.lat?,
                kind,
                reach_metres,
            })
        })
        .collect();
    Ok(render_map(&spec)?.png()?)
}

impl MapLayer {
    /// The layer's name in `/api/legend` (`imd-decile`, `imd-score` or the indicator id).
    pub fn legend_name(&self) -> &str {
        match self {
            MapLayer::Indicator(id) => id,
            MapLayer::ImdDecile => "imd-decile",
            MapLayer::ImdScore => "imd-score",
        }
    }
}

/// Build the renderer's input from the public face: the legend of the requested layer, and
/// each area's class under it.
pub fn map_spec(public: &PublicDataset, request: &MapRequest) -> Result<MapSpec, FigureError> {
    request.check_size()?;
    let dataset: &Dataset = public.dataset();
    let indicator = match &request.layer {
        MapLayer::Indicator(id) => Some(lookup::indicator_at(dataset, id, request.level)?),
        _ => None,
    };
    let level = indicator
        .map(|i| i.meta.level)
        .or(request.level)
        .unwrap_or(dataset.meta.default_level);
    let layer = lookup::layer(dataset, level)?;
    let locality = request
        .locality
        .as_deref()
        .map(|q| find_locality(dataset, q))
        .transpose()?;
    let edition = lookup::edition(layer, None)?;
    let legend = public.legend(request.layer.legend_name(), Some(level), None)?;
    let classes: Vec<AreaClass> = match indicator {
        Some(ind) => {
            let values = public.public_indicator(ind);
            layer
                .areas
                .iter()
                .map(|a| match values.value(&a.code) {
                    Some(v) if v.figures.suppressed => AreaClass::Suppressed,
                    Some(v) => v
                        .figures
                        .value
                        .filter(|x| x.is_finite())
                        .map_or(AreaClass::NoData, |x| AreaClass::Class(legend.class_of(x))),
                    None => AreaClass::NoData,
                })
                .collect()
        }
        None => layer
            .areas
            .iter()
            .map(|a| match edition.and_then(|e| a.imd(e)) {
                Some(imd) if request.layer == MapLayer::ImdDecile => match imd.decile {
                    d @ 1..=10 => AreaClass::Class(usize::from(d) - 1),
                    _ => AreaClass::NoData,
                },
                Some(imd) if imd.score.is_finite() => AreaClass::Class(legend.class_of(imd.score)),
                _ => AreaClass::NoData,
            })
            .collect(),
    };
    let focus_id = locality.map(locality_id);
    let areas = layer
        .areas
        .iter()
        .zip(classes)
        .map(|(a, class)| MapArea {
            geometry: a.geometry.clone(),
            class,
            in_focus: focus_id.is_none_or(|id| a.locality.as_deref() == Some(id)),
            most_deprived_30pct: edition
                .and_then(|e| a.imd(e))
                .is_some_and(|i| i.most_deprived_30pct),
        })
        .collect();
    let synthetic = legend.synthetic;
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
                reach_metres: None,
            })
            .collect(),
        legend: render_legend(&legend)?,
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

/// The public legend as the renderer takes it (colours parsed, nothing re-decided).
fn render_legend(legend: &PublicLegend) -> Result<Legend, FigureError> {
    let colour = |hex: &str| {
        Colour::parse(hex).ok_or_else(|| FigureError::BadColour {
            layer: legend.layer.clone(),
            colour: hex.to_string(),
        })
    };
    Ok(Legend {
        title: legend.title.clone(),
        subtitle: legend.subtitle.clone(),
        items: legend
            .classes
            .iter()
            .map(|c| {
                Ok(LegendItem {
                    colour: colour(&c.colour)?,
                    label: c.label.clone(),
                    count: c.count,
                })
            })
            .collect::<Result<_, FigureError>>()?,
        no_data: legend.no_data.count,
        no_data_colour: colour(&legend.no_data.colour)?,
        suppressed: legend.suppressed.as_ref().map(|s| s.count),
        suppressed_colour: match &legend.suppressed {
            Some(s) => colour(&s.colour)?,
            None => colour(crate::public::legend::SUPPRESSED)?,
        },
    })
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

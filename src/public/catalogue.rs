//! What the dataset holds, as published: its description ([`Meta`]), levels, indicators with
//! their England and county references (withheld when small), the groupings a gap table can
//! use, and the sites.

use super::dataset::PublicDataset;
use super::values::Reference;
use crate::dataset::{Polarity, Site, ValueType};
use crate::gaps::GroupBy;
use crate::level::Level;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LevelInfo {
    /// Level id used in URLs, e.g. "msoa11".
    pub id: String,
    pub label: String,
    /// Number of areas.
    pub count: usize,
    /// IMD editions available on this level, e.g. ["imd2019"].
    pub imd_editions: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LocalitySchemeInfo {
    pub name: String,
    /// True for an illustrative grouping (not the council's own).
    pub illustrative: bool,
    pub note: String,
}

/// What this dataset is and what it holds (`GET /api/meta`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
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

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
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
    /// The latest period (what everything shows unless asked for another).
    pub period: String,
    /// Every period's label, oldest first (the last is `period`); any of them can be given as
    /// `period=` to `/api/values`, `/api/legend` and `/api/gaps`.
    #[serde(default)]
    pub periods: Vec<String>,
    /// For a reach indicator (service-use contacts per 1,000 children), the service's name as
    /// `/api/reach?service=` takes it; absent for health indicators.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    pub sex: String,
    pub age: String,
    pub unit: String,
    pub england: Option<Reference>,
    pub county: Option<Reference>,
}

/// A way of grouping areas into gap-table rows, as offered to people (`GET /api/groupings`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct GroupingInfo {
    /// The id `/api/gaps?by=` and `gapmap gaps --by` take, e.g. "imd-quintile".
    pub id: String,
    /// Label to show, e.g. "National IMD quintile".
    pub label: String,
    /// Rows are deprivation groups (most deprived first): a gap, an SII and a chart on the
    /// cumulative rank are given.
    pub deprivation: bool,
    /// One row per area rather than a group (long; usually a download, not a chart).
    pub per_area: bool,
    /// Can be restricted to one locality (`locality=`).
    pub locality_scope: bool,
    /// The dataset holds what the grouping needs (IMD on some level, or localities).
    pub available: bool,
}

fn value_type_str(v: ValueType) -> &'static str {
    match v {
        ValueType::Proportion => "proportion",
        ValueType::Rate => "rate",
        ValueType::Mean => "mean",
    }
}

pub(super) fn polarity_str(p: Polarity) -> &'static str {
    match p {
        Polarity::HigherIsWorse => "higher_is_worse",
        Polarity::HigherIsBetter => "higher_is_better",
        Polarity::NotApplicable => "not_applicable",
    }
}

impl PublicDataset {
    /// The dataset's description (`basemap_url` is the server's to fill in).
    pub fn meta(&self) -> Meta {
        let d = self.dataset();
        Meta {
            name: d.meta.name.clone(),
            area_of_interest: d.meta.area_of_interest.clone(),
            default_level: d.meta.default_level.as_str().into(),
            bounds: d
                .layer(d.meta.default_level)
                .or_else(|| d.layers.first())
                .and_then(|l| l.bounds()),
            synthetic: d.has_synthetic(),
            levels: self.levels(),
            suppress_max_count: d.meta.suppress_max_count,
            attribution: d.meta.attribution(),
            locality_scheme: d.meta.locality_scheme.as_ref().map(|s| LocalitySchemeInfo {
                name: s.name.clone(),
                illustrative: s.illustrative,
                note: s.note.clone(),
            }),
            built_at: d.meta.built_at.clone(),
            basemap_url: None,
        }
    }

    /// The loaded levels with their area counts and IMD editions.
    pub fn levels(&self) -> Vec<LevelInfo> {
        self.dataset()
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

    /// Every indicator with its England and county references as published.
    pub fn indicators(&self) -> Vec<IndicatorInfo> {
        let d = self.dataset();
        let max = d.meta.suppress_max_count;
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
                    periods: i.periods().into_iter().map(String::from).collect(),
                    service: d
                        .reach
                        .iter()
                        .find(|r| r.indicator_id == m.id)
                        .map(|r| r.service.clone()),
                    sex: m.sex.clone(),
                    age: m.age.clone(),
                    unit: m.unit.clone(),
                    england: Reference::of(i.england.as_ref(), max),
                    county: Reference::of(i.county.as_ref(), max),
                }
            })
            .collect()
    }

    /// The groupings a gap table can use, with their labels, in display order.
    pub fn groupings(&self) -> Vec<GroupingInfo> {
        let d = self.dataset();
        let any_imd = d.layers.iter().any(|l| !l.imd_editions.is_empty());
        let localities = d.layer(Level::Locality).is_some();
        GroupBy::ALL
            .iter()
            .map(|&by| GroupingInfo {
                id: by.as_str().into(),
                label: by.label().into(),
                deprivation: by.is_deprivation(),
                per_area: by == GroupBy::Area,
                locality_scope: by != GroupBy::Locality && localities,
                available: match by {
                    GroupBy::Locality => localities,
                    GroupBy::Area => true,
                    _ => any_imd,
                },
            })
            .collect()
    }

    /// Service sites (not disclosive: public buildings).
    pub fn sites(&self) -> &[Site] {
        &self.dataset().sites
    }

    /// The sites as a GeoJSON FeatureCollection (properties id, name, kind, postcode,
    /// existing, illustrative).
    pub fn sites_geojson(&self) -> serde_json::Value {
        let features: Vec<serde_json::Value> = self
            .sites()
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
        serde_json::json!({ "type": "FeatureCollection", "features": features })
    }
}

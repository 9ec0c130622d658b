//! Areas as published: the list of a level's areas with their IMD, and an area's profile —
//! IMD under every edition, population, and every indicator's public value with its 95%
//! interval and significance against England and the county; and the public values of one
//! indicator for the map.

use super::catalogue::polarity_str;
use super::dataset::PublicDataset;
use super::error::PublicError;
use super::values::{PublicFigures, Reference, ValuesResponse};
use crate::dataset::Area;
use crate::imd::{AreaImd, ImdEdition};
use crate::level::Level;
use crate::lookup;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
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

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AreaSummary {
    pub code: String,
    pub name: String,
    pub ons_name: String,
    pub locality: Option<String>,
    /// `[lon, lat]`.
    pub centroid: [f64; 2],
    pub imd: Option<ImdInfo>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PopulationInfo {
    pub year: u16,
    pub total: u32,
    pub age_0_4: u32,
    pub age_0_19: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProfileIndicator {
    pub id: String,
    pub name: String,
    pub short_name: String,
    pub synthetic: bool,
    /// The area's value, interval, count and Fingertips 95% comparisons, as published.
    #[serde(flatten)]
    pub figures: PublicFigures,
    pub england_value: Option<f64>,
    pub county_value: Option<f64>,
    pub unit: String,
    pub polarity: String,
    pub period: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
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

/// `[west, south, east, north]` of an area.
pub(crate) fn bbox(area: &Area) -> Option<[f64; 4]> {
    use geo::BoundingRect;
    area.geometry
        .bounding_rect()
        .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y])
}

impl PublicDataset {
    /// Every area's public value of one indicator, at its own level (`level`, when given, must
    /// be that level), in `period` (default: the latest).
    pub fn values(
        &self,
        indicator: &str,
        level: Option<Level>,
        period: Option<&str>,
    ) -> Result<ValuesResponse, PublicError> {
        let found = lookup::indicator_in(self.dataset(), indicator, level, period)?;
        Ok(ValuesResponse {
            indicator: found.meta.id.clone(),
            level: found.meta.level.as_str().into(),
            synthetic: found.meta.synthetic,
            values: self.public_indicator(&found).values.clone(),
        })
    }

    /// The areas of a level (default: the dataset's default level) with their IMD under
    /// `edition` (default: the level's native edition).
    pub fn areas(
        &self,
        level: Option<Level>,
        edition: Option<ImdEdition>,
    ) -> Result<Vec<AreaSummary>, PublicError> {
        let d = self.dataset();
        let layer = lookup::layer(d, level.unwrap_or(d.meta.default_level))?;
        let edition = lookup::edition(layer, edition)?;
        Ok(layer
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
            .collect())
    }

    /// One area's profile (any level; codes are unique across levels).
    pub fn area_profile(&self, code: &str) -> Result<AreaProfile, PublicError> {
        let d = self.dataset();
        let (level, area) = lookup::area(d, code)?;
        let max = d.meta.suppress_max_count;
        let indicators = d
            .indicators
            .iter()
            .filter(|i| i.meta.level == level)
            .map(|i| {
                let public = self.public_indicator(i);
                let figures = public
                    .value(&area.code)
                    .map_or(PublicFigures::NONE, |v| v.figures.clone());
                let reference = |c| Reference::of(c, max).and_then(|r| r.value);
                ProfileIndicator {
                    id: i.meta.id.clone(),
                    name: i.meta.name.clone(),
                    short_name: i.meta.short_name.clone(),
                    synthetic: i.meta.synthetic,
                    figures,
                    england_value: reference(i.england.as_ref()),
                    county_value: reference(i.county.as_ref()),
                    unit: i.meta.unit.clone(),
                    polarity: polarity_str(i.meta.polarity).into(),
                    period: i.meta.period.clone(),
                }
            })
            .collect();
        Ok(AreaProfile {
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
        })
    }
}

//! The public values of one indicator: each area's value, interval and count as it may be
//! published (withheld where the disclosure audit says so), with the Fingertips significance
//! labels against England and the county.
//!
//! `vs_england`/`vs_county` are [`crate::stats::significance::compare_interval`] at 95%
//! (Fingertips "confidence intervals overlapping reference value"), the same labels the gap
//! tables use.

use super::disclosure::disclosure;
use crate::dataset::{Comparator, Dataset, Indicator};
use crate::stats::significance::{compare_interval, Significance};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// One area's indicator value as it may be published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PublicValue {
    pub code: String,
    #[serde(flatten)]
    pub figures: PublicFigures,
}

/// The published figures of one area for one indicator (the fields of [`PublicValue`] and of
/// each indicator of an area profile).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PublicFigures {
    /// `null` when suppressed or not available.
    pub value: Option<f64>,
    pub lower95: Option<f64>,
    pub upper95: Option<f64>,
    /// `null` when suppressed or not available.
    pub count: Option<f64>,
    pub denominator: Option<f64>,
    /// True when the value is withheld to protect a small count (or its complement).
    pub suppressed: bool,
    /// Fingertips 95% comparison with England: better, similar, worse, higher, lower or
    /// not_compared (no interval, no England value, or suppressed).
    #[schema(value_type = String)]
    pub vs_england: Significance,
    /// The same against the county (area of interest) value.
    #[schema(value_type = String)]
    pub vs_county: Significance,
}

impl PublicFigures {
    /// Nothing known (an area without a value for the indicator).
    pub const NONE: PublicFigures = PublicFigures {
        value: None,
        lower95: None,
        upper95: None,
        count: None,
        denominator: None,
        suppressed: false,
        vs_england: Significance::NotCompared,
        vs_county: Significance::NotCompared,
    };
}

/// Everything publishable about one indicator, computed once (on first use).
#[derive(Debug, Clone, Default)]
pub struct PublicIndicator {
    /// In `indicator.values` order (sorted by code).
    pub values: Vec<PublicValue>,
    /// Gap-table group totals to withhold (see [`super::disclosure::group_key`]).
    pub withheld_groups: BTreeSet<String>,
}

impl PublicIndicator {
    pub fn new(dataset: &Dataset, indicator: &Indicator) -> Self {
        let d = disclosure(dataset, indicator);
        PublicIndicator {
            values: public_values_with(indicator, &d.hidden),
            withheld_groups: d.withheld_groups,
        }
    }

    /// The public value of one area, if the indicator has one.
    pub fn value(&self, code: &str) -> Option<&PublicValue> {
        self.values
            .binary_search_by(|v| v.code.as_str().cmp(code))
            .ok()
            .map(|k| &self.values[k])
    }

    /// Approximate heap size in bytes (for cache accounting).
    pub fn heap_bytes(&self) -> usize {
        self.values.len() * (std::mem::size_of::<PublicValue>() + 16)
            + self
                .withheld_groups
                .iter()
                .map(|k| k.len() + 32)
                .sum::<usize>()
    }
}

/// The publishable values given which ones are hidden.
pub fn public_values_with(indicator: &Indicator, mask: &[bool]) -> Vec<PublicValue> {
    let polarity = indicator.meta.polarity;
    let england = indicator.england.as_ref().and_then(|c| c.value);
    let county = indicator.county.as_ref().and_then(|c| c.value);
    indicator
        .values
        .iter()
        .zip(mask)
        .map(|(v, &suppressed)| {
            let figures = if suppressed {
                PublicFigures {
                    denominator: v.denominator,
                    suppressed: true,
                    ..PublicFigures::NONE
                }
            } else {
                PublicFigures {
                    value: v.value,
                    lower95: v.lower95,
                    upper95: v.upper95,
                    count: v.count,
                    denominator: v.denominator,
                    suppressed: false,
                    vs_england: compare_interval(v.lower95, v.upper95, england, polarity),
                    vs_county: compare_interval(v.lower95, v.upper95, county, polarity),
                }
            };
            PublicValue {
                code: v.area_code.clone(),
                figures,
            }
        })
        .collect()
}

/// Every area's public value of one indicator (`GET /api/values`).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ValuesResponse {
    pub indicator: String,
    pub level: String,
    pub synthetic: bool,
    pub values: Vec<PublicValue>,
}

/// A reference value (England or the county) with its 95% interval, as published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Reference {
    pub value: Option<f64>,
    pub lower95: Option<f64>,
    pub upper95: Option<f64>,
}

impl Reference {
    /// The comparator as published ([`Comparator::published`]).
    pub fn of(comparator: Option<&Comparator>, max_count: u32) -> Option<Reference> {
        comparator.map(|c| {
            let c = c.published(max_count);
            Reference {
                value: c.value,
                lower95: c.lower95,
                upper95: c.upper95,
            }
        })
    }
}

//! The public view of indicator values: small-number suppression and significance labels.
//!
//! Everything the server publishes about an area's indicator value (the values endpoint,
//! area profiles, GeoJSON/GeoPackage downloads) goes through [`public_values`], computed once
//! per indicator when the server starts.
//!
//! # Suppression
//! A count from 1 to `suppress_max_count` (default 4) is *primary* suppressed: its value,
//! count, confidence interval and significance are withheld (the denominator stays; on its
//! own it reveals nothing). Where no count is stored, the count implied by
//! `value × denominator / multiplier` is used, so a published rate cannot leak a small count.
//!
//! Withholding one cell is not enough when totals are published: a group total minus the
//! other published members gives the missing count back. So *complementary* suppression is
//! applied within every group a total can be published for (the whole area of interest,
//! each national IMD decile and quintile, each local quintile, each locality): while a group
//! has exactly one suppressed member, or its suppressed members' counts add up to no more
//! than the threshold, the member with the next smallest count is suppressed too. This is
//! the standard "at least two cells, and a safe suppressed total" rule (ONS, *Statistical
//! disclosure control for tables*; the Fingertips guidance suppresses small counts and
//! their derivable complements, PHE *Technical Guide: Confidence intervals and
//! suppression*, 2018).
//!
//! This rule contains the statistics engine's own area rule
//! ([`crate::gaps::suppressed_areas`]: a lone suppressed area pulls the next smallest with it
//! over the whole area of interest); its set is always included, so no output undoes another.
//!
//! # Significance
//! `vs_england`/`vs_county` are [`crate::stats::significance::compare_interval`] at 95%
//! (Fingertips "confidence intervals overlapping reference value"), the same labels the gap
//! tables use.

use crate::dataset::{Dataset, Indicator, IndicatorValue, ValueType};
use crate::stats::significance::{compare_interval, Significance};
use serde::Serialize;
use std::collections::BTreeMap;

/// One area's indicator value as it may be published.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct PublicValue {
    pub code: String,
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

/// The count behind a value: as stored, else implied by value × denominator / multiplier.
fn effective_count(indicator: &Indicator, v: &IndicatorValue) -> Option<f64> {
    if v.count.is_some() {
        return v.count;
    }
    match indicator.meta.value_type {
        ValueType::Proportion | ValueType::Rate if indicator.meta.multiplier > 0.0 => {
            Some(v.value? * v.denominator? / indicator.meta.multiplier)
        }
        _ => None,
    }
}

/// True for a count that must not be published: 1 ..= `max` (fractional counts from
/// apportioned data are treated the same, anything above 0 and below `max + 1`).
pub fn is_small_count(count: f64, max: u32) -> bool {
    count > 0.0 && count < f64::from(max) + 1.0
}

/// Which of an indicator's values (in `indicator.values` order) must be withheld.
pub fn suppressed_mask(dataset: &Dataset, indicator: &Indicator) -> Vec<bool> {
    let max = dataset.meta.suppress_max_count;
    let counts: Vec<Option<f64>> = indicator
        .values
        .iter()
        .map(|v| effective_count(indicator, v))
        .collect();
    let engine = crate::gaps::suppressed_areas(dataset, indicator);
    let mut suppressed: Vec<bool> = counts
        .iter()
        .zip(&indicator.values)
        .map(|(c, v)| c.is_some_and(|c| is_small_count(c, max)) || engine.contains(&v.area_code))
        .collect();
    if !suppressed.contains(&true) {
        return suppressed;
    }

    // Groups whose totals may be published anywhere: whole set, IMD groups, localities.
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    groups.insert("all".into(), (0..indicator.values.len()).collect());
    if let Some(layer) = dataset.layer(indicator.meta.level) {
        for (i, v) in indicator.values.iter().enumerate() {
            let Some(area) = layer.get(&v.area_code) else {
                continue;
            };
            for imd in &area.imd {
                let e = imd.edition.as_str();
                for key in [
                    format!("{e}/decile/{}", imd.decile),
                    format!("{e}/quintile/{}", imd.quintile),
                    format!("{e}/local_quintile/{}", imd.local_quintile),
                ] {
                    groups.entry(key).or_default().push(i);
                }
            }
            if let Some(locality) = &area.locality {
                groups
                    .entry(format!("locality/{locality}"))
                    .or_default()
                    .push(i);
            }
        }
    }

    let mut changed = true;
    while changed {
        changed = false;
        for members in groups.values() {
            let hidden: Vec<f64> = members
                .iter()
                .filter(|&&i| suppressed[i])
                .filter_map(|&i| counts[i])
                .collect();
            if hidden.is_empty() {
                continue;
            }
            let hidden_total: f64 = hidden.iter().sum();
            if hidden.len() >= 2 && !is_small_count(hidden_total, max) && hidden_total > 0.0 {
                continue;
            }
            let next = members
                .iter()
                .filter(|&&i| !suppressed[i])
                .filter_map(|&i| counts[i].map(|c| (c, i)))
                .min_by(|a, b| {
                    a.0.total_cmp(&b.0).then_with(|| {
                        indicator.values[a.1]
                            .area_code
                            .cmp(&indicator.values[b.1].area_code)
                    })
                });
            if let Some((_, i)) = next {
                suppressed[i] = true;
                changed = true;
            }
        }
    }
    suppressed
}

/// The publishable values of an indicator, in `indicator.values` order (sorted by code).
pub fn public_values(dataset: &Dataset, indicator: &Indicator) -> Vec<PublicValue> {
    let mask = suppressed_mask(dataset, indicator);
    let polarity = indicator.meta.polarity;
    let england = indicator.england.as_ref().and_then(|c| c.value);
    let county = indicator.county.as_ref().and_then(|c| c.value);
    indicator
        .values
        .iter()
        .zip(mask)
        .map(|(v, suppressed)| {
            if suppressed {
                PublicValue {
                    code: v.area_code.clone(),
                    value: None,
                    lower95: None,
                    upper95: None,
                    count: None,
                    denominator: v.denominator,
                    suppressed: true,
                    vs_england: Significance::NotCompared,
                    vs_county: Significance::NotCompared,
                }
            } else {
                PublicValue {
                    code: v.area_code.clone(),
                    value: v.value,
                    lower95: v.lower95,
                    upper95: v.upper95,
                    count: v.count,
                    denominator: v.denominator,
                    suppressed: false,
                    vs_england: compare_interval(v.lower95, v.upper95, england, polarity),
                    vs_county: compare_interval(v.lower95, v.upper95, county, polarity),
                }
            }
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::dataset::{DatasetMeta, IndicatorMeta, Layer, Polarity};
    use crate::level::Level;

    fn dataset_with(counts: &[Option<f64>]) -> (Dataset, Indicator) {
        let values = counts
            .iter()
            .enumerate()
            .map(|(i, &count)| IndicatorValue {
                area_code: format!("E0200{i:04}"),
                count,
                denominator: Some(100.0),
                value: count,
                lower95: None,
                upper95: None,
                lower998: None,
                upper998: None,
            })
            .collect();
        let indicator = Indicator {
            meta: IndicatorMeta {
                id: "1".into(),
                name: "n".into(),
                short_name: "n".into(),
                value_type: ValueType::Proportion,
                multiplier: 100.0,
                polarity: Polarity::HigherIsWorse,
                synthetic: true,
                level: Level::Msoa11,
                period: "2024".into(),
                sex: "Persons".into(),
                age: "All".into(),
                source_id: "s".into(),
                unit: "%".into(),
            },
            values,
            england: None,
            county: None,
        };
        let dataset = Dataset {
            meta: DatasetMeta {
                snapshot_version: 1,
                name: "t".into(),
                area_of_interest: vec![],
                default_level: Level::Msoa11,
                suppress_max_count: 4,
                built_at: String::new(),
                config_sha256: String::new(),
                sources: vec![],
                locality_scheme: None,
            },
            layers: vec![Layer::new(Level::Msoa11, vec![], vec![])],
            indicators: vec![],
            national_by_deprivation: vec![],
            sites: vec![],
            postcodes: vec![],
        };
        (dataset, indicator)
    }

    #[test]
    fn small_counts_are_suppressed_but_zero_is_not() {
        assert!(!is_small_count(0.0, 4));
        assert!(is_small_count(1.0, 4));
        assert!(is_small_count(4.0, 4));
        assert!(is_small_count(4.6, 4));
        assert!(!is_small_count(5.0, 4));
    }

    #[test]
    fn a_lone_suppressed_count_gets_a_complement() {
        let (d, ind) = dataset_with(&[Some(3.0), Some(50.0), Some(7.0), Some(20.0)]);
        // 3 is primary; 7 is the next smallest count, so it is withheld too.
        assert_eq!(suppressed_mask(&d, &ind), vec![true, false, true, false]);
    }

    #[test]
    fn two_small_counts_need_a_third_when_their_sum_is_small() {
        // 1 + 2 = 3 would reveal both (each must be ≥ 1): a third cell is withheld.
        let (d, ind) = dataset_with(&[Some(1.0), Some(2.0), Some(9.0), Some(30.0)]);
        assert_eq!(suppressed_mask(&d, &ind), vec![true, true, true, false]);
    }

    #[test]
    fn count_implied_by_value_and_denominator_is_suppressed() {
        let (d, mut ind) = dataset_with(&[Some(10.0), Some(20.0), Some(30.0)]);
        ind.values[0].count = None;
        ind.values[0].value = Some(2.0); // 2% of 100 = a count of 2
        let public = public_values(&d, &ind);
        assert!(public[0].suppressed && public[0].value.is_none());
        assert!(public[1].suppressed, "complement withheld");
        assert!(!public[2].suppressed);
        assert_eq!(public[2].count, Some(30.0));
    }
}

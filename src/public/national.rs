//! England's gap over time from the real national rows by deprivation decile or quintile
//! (Fingertips, [`crate::dataset::NationalDeprivationRow`]): the SII and RII of each period
//! by the same method as the gap tables ([`crate::stats::sii`]), so a local trend can be read
//! against England's.
//!
//! Rows are chosen by indicator, sex, age and a *family* of category types (the start of the
//! Fingertips "Category Type", e.g. `County & UA deprivation deciles in England`); when a
//! period has the family under several geography vintages the last one by name is used (the
//! newest, `4/23 geography` after `4/21 geography`). Groups are ordered from the Fingertips
//! category names (`Most deprived decile`, `Second most deprived decile`, …,
//! `Least deprived decile`; quintiles likewise), weighted by their denominators. The value
//! type is read from value ÷ (count ÷ denominator): 100 is a percentage (logit scale),
//! anything else a rate (log scale). National rows have no polarity here, so the SII is the
//! most deprived minus the least deprived.

use super::dataset::PublicDataset;
use super::error::PublicError;
use crate::dataset::NationalDeprivationRow;
use crate::period::Period;
use crate::stats::sii::{slope_index, Orientation, SiiGroup, SiiOptions, Transform};
use crate::stats::Estimate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// England's SII and RII in one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NationalSii {
    pub period: String,
    /// The category type used (with its geography vintage).
    pub category_type: String,
    /// Groups, most deprived first: (category, value, denominator).
    pub groups: Vec<(String, f64, f64)>,
    /// Most deprived minus least deprived, on the indicator's scale.
    pub sii: Estimate,
    /// Most deprived / least deprived (fitted).
    pub rii: Estimate,
}

/// Position of a Fingertips deprivation category, 1 = most deprived (deciles 1–10, quintiles
/// 1–5); `None` for any other category.
pub fn deprivation_rank(category: &str) -> Option<u32> {
    let name = category
        .split(" (")
        .next()
        .unwrap_or(category)
        .trim()
        .to_ascii_lowercase();
    const DECILES: [&str; 10] = [
        "most deprived decile",
        "second most deprived decile",
        "third more deprived decile",
        "fourth more deprived decile",
        "fifth more deprived decile",
        "fifth less deprived decile",
        "fourth less deprived decile",
        "third less deprived decile",
        "second least deprived decile",
        "least deprived decile",
    ];
    const QUINTILES: [&str; 5] = [
        "most deprived quintile",
        "second most deprived quintile",
        "average deprived quintile",
        "second least deprived quintile",
        "least deprived quintile",
    ];
    DECILES
        .iter()
        .chain(QUINTILES.iter())
        .position(|d| *d == name)
        .map(|i| if i < 10 { i as u32 + 1 } else { i as u32 - 9 })
}

impl PublicDataset {
    /// England's SII/RII per period (oldest first) for one indicator, sex, age and category
    /// family; periods without a full set of groups with values, intervals and denominators
    /// are left out.
    pub fn national_sii(
        &self,
        indicator: &str,
        sex: &str,
        age: &str,
        family: &str,
        reps: u32,
        seed: u64,
    ) -> Result<Vec<NationalSii>, PublicError> {
        let rows = &self.dataset().national_by_deprivation;
        let mut by_period: BTreeMap<Period, BTreeMap<&str, Vec<&NationalDeprivationRow>>> =
            BTreeMap::new();
        for r in rows.iter().filter(|r| {
            r.indicator_id == indicator
                && r.sex == sex
                && r.age == age
                && r.category_type.starts_with(family)
        }) {
            let period =
                Period::parse(&r.period).map_err(|e| PublicError::Internal(e.to_string()))?;
            by_period
                .entry(period)
                .or_default()
                .entry(r.category_type.as_str())
                .or_default()
                .push(r);
        }
        let mut out = Vec::new();
        for (period, types) in by_period {
            let Some((category_type, group_rows)) = types.into_iter().next_back() else {
                continue;
            };
            if let Some(point) = national_point(&period, category_type, group_rows, reps, seed)? {
                out.push(point);
            }
        }
        Ok(out)
    }
}

fn national_point(
    period: &Period,
    category_type: &str,
    mut rows: Vec<&NationalDeprivationRow>,
    reps: u32,
    seed: u64,
) -> Result<Option<NationalSii>, PublicError> {
    rows.retain(|r| deprivation_rank(&r.category).is_some());
    rows.sort_by_key(|r| deprivation_rank(&r.category));
    let ranks: Vec<Option<u32>> = rows.iter().map(|r| deprivation_rank(&r.category)).collect();
    let expected = if rows.len() == 10 { 10 } else { 5 };
    let complete = rows.len() == expected
        && ranks
            .iter()
            .zip(1..)
            .all(|(rank, want)| *rank == Some(want));
    if !complete {
        return Ok(None);
    }
    let Some(multiplier) = rows
        .iter()
        .find_map(|r| match (r.value, r.count, r.denominator) {
            (Some(v), Some(c), Some(d)) if c > 0.0 && d > 0.0 => Some(v / (c / d)),
            _ => None,
        })
    else {
        return Ok(None);
    };
    let multiplier = [1.0, 100.0, 1_000.0, 10_000.0, 100_000.0]
        .into_iter()
        .min_by(|a, b| {
            (multiplier / a)
                .ln()
                .abs()
                .total_cmp(&(multiplier / b).ln().abs())
        })
        .unwrap_or(100.0);
    let mut groups = Vec::with_capacity(rows.len());
    for r in &rows {
        let (Some(value), Some(lower), Some(upper), Some(denominator)) =
            (r.value, r.lower95, r.upper95, r.denominator)
        else {
            return Ok(None);
        };
        groups.push(SiiGroup {
            label: r.category.clone(),
            population: denominator,
            value: value / multiplier,
            lower95: lower / multiplier,
            upper95: upper / multiplier,
            events: r.count,
        });
    }
    let options = SiiOptions {
        transform: if multiplier == 100.0 {
            Transform::Logit
        } else {
            Transform::Log
        },
        multiplier,
        orientation: Orientation::MostMinusLeast,
        reps,
        seed,
        ..SiiOptions::default()
    };
    let result =
        slope_index(&groups, &options).map_err(|e| PublicError::Internal(e.to_string()))?;
    Ok(Some(NationalSii {
        period: period.label().to_string(),
        category_type: category_type.to_string(),
        groups: groups
            .iter()
            .map(|g| (g.label.clone(), g.value * multiplier, g.population))
            .collect(),
        sii: result.sii,
        rii: result.rii,
    }))
}

//! What every indicator loader shares: the geography a loader checks codes against
//! ([`AreaContext`]), period and duplicate checks, and the [`Draft`] an indicator is gathered in
//! before [`finish`] orders its periods, tells crude from standardised values
//! ([`super::standardisation`]) and sorts its values.

use super::standardisation::{self, Sample};
use super::IngestError;
use crate::config::{IndicatorConfig, IndicatorMetaConfig, StandardisationSetting};
use crate::dataset::PeriodValues;
use crate::dataset::{Comparator, Indicator, IndicatorMeta, IndicatorValue, Polarity, ValueType};
use crate::level::Level;
use crate::period::Period;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// What a loader needs to know about the geography.
pub struct AreaContext<'a> {
    pub level: Level,
    /// Codes of the level inside the area of interest.
    pub area_codes: &'a HashSet<String>,
    /// Every national code of the level (to tell "outside the area" from "no such area").
    pub national_codes: &'a HashSet<String>,
    /// LA codes of the area of interest, and the display name.
    pub county_codes: &'a [String],
}

impl AreaContext<'_> {
    /// `code` is an area of the level in the area of interest, else an error naming the line.
    pub fn check_area(&self, path: &Path, line: usize, code: &str) -> Result<(), IngestError> {
        if self.area_codes.contains(code) {
            return Ok(());
        }
        Err(IngestError::UnknownArea {
            path: path.into(),
            line,
            code: code.to_string(),
            level: self.level.to_string(),
            known: self.area_codes.len(),
        })
    }
}

/// The period of one row: a label in one of the forms [`Period::parse`] reads, else an error
/// naming the line and the field.
pub fn parse_period(
    path: &Path,
    line: usize,
    field: &str,
    text: &str,
) -> Result<Period, IngestError> {
    Period::parse(text).map_err(|e| IngestError::BadValue {
        path: path.into(),
        line,
        field: field.into(),
        value: text.to_string(),
        expected: e.to_string().split_once("; expected ").map_or_else(
            || "a period label".to_string(),
            |(_, forms)| forms.to_string(),
        ),
    })
}

/// Record the line of an (indicator, area, period, …) key; a second occurrence is an error
/// naming both lines.
pub(super) fn first_occurrence<K: std::hash::Hash + Eq>(
    seen: &mut HashMap<K, usize>,
    key: K,
    path: &Path,
    line: usize,
    (id, code, period): (&str, &str, &str),
) -> Result<(), IngestError> {
    if let Some(&first_line) = seen.get(&key) {
        return Err(IngestError::Duplicate {
            path: path.into(),
            line,
            key: format!("indicator {id}, area {code}, period {period}"),
            first_line,
        });
    }
    seen.insert(key, line);
    Ok(())
}

pub(super) struct Draft {
    pub meta: IndicatorMeta,
    /// period (in time order) → area code → (line, value)
    pub periods: BTreeMap<Period, BTreeMap<String, (usize, IndicatorValue)>>,
    pub england: BTreeMap<Period, Comparator>,
    pub county: BTreeMap<Period, Comparator>,
    /// Area rows' published values with their counts, to tell crude from standardised.
    pub samples: Vec<Sample>,
    /// England's row, the reference of an indirectly standardised indicator.
    pub england_sample: Option<Sample>,
    /// What a `Value type` column says (or the loader knows: age-band files are direct).
    pub value_type_setting: Option<StandardisationSetting>,
}

impl Draft {
    pub(super) fn new(meta: IndicatorMeta) -> Draft {
        Draft {
            meta,
            periods: BTreeMap::new(),
            england: BTreeMap::new(),
            county: BTreeMap::new(),
            samples: Vec::new(),
            england_sample: None,
            value_type_setting: None,
        }
    }

    /// Keep one area's value for a period (the caller has rejected duplicates).
    pub(super) fn add(&mut self, period: Period, code: String, line: usize, value: IndicatorValue) {
        self.periods
            .entry(period)
            .or_default()
            .insert(code, (line, value));
    }
}

pub(super) fn base_meta(
    id: &str,
    name: &str,
    cfg: &IndicatorMetaConfig,
    config: &IndicatorConfig,
    source_id: &str,
    sex: &str,
    age: &str,
) -> IndicatorMeta {
    let name = cfg.name.clone().unwrap_or_else(|| name.to_string());
    IndicatorMeta {
        id: id.to_string(),
        short_name: cfg.short_name.clone().unwrap_or_else(|| name.clone()),
        name,
        value_type: cfg.value_type.unwrap_or(ValueType::Proportion),
        multiplier: cfg.multiplier.unwrap_or(100.0),
        polarity: cfg.polarity.unwrap_or(Polarity::NotApplicable),
        synthetic: config.synthetic,
        level: config.level,
        period: cfg.period.clone().unwrap_or_default(),
        sex: sex.to_string(),
        age: age.to_string(),
        source_id: source_id.to_string(),
        unit: cfg.unit.clone().unwrap_or_else(|| "%".into()),
        standardisation: None,
        age_standard: None,
    }
}

/// Order the periods in time (the latest becomes the values, the rest `earlier`), infer value
/// type/multiplier when not configured, sort values.
pub(super) fn finish(
    path: &Path,
    mut draft: Draft,
    config: &IndicatorConfig,
) -> Result<Indicator, IngestError> {
    let cfg = config.meta.get(&draft.meta.id).cloned().unwrap_or_default();
    let Some((latest, values)) = draft.periods.pop_last() else {
        return Err(IngestError::Invalid {
            path: path.into(),
            message: format!(
                "indicator {} has no rows for {} areas in the area of interest; check the level (`level = \"{}\"` in the config) and the area codes",
                draft.meta.id, config.level, config.level
            ),
        });
    };
    let classified = standardisation::classify(
        cfg.standardisation.or(draft.value_type_setting),
        &draft.samples,
        draft.england_sample,
        cfg.multiplier,
    );
    let standardised = classified.standardisation;
    draft.meta.standardisation = standardised;
    if cfg.value_type.is_none() && cfg.multiplier.is_none() {
        if let Some((mult, unit)) = classified.scale {
            // Standardised values are rates with Byar's (or Dobson's) limits, whatever the scale.
            draft.meta.value_type = if standardised.is_none() && mult == 100.0 {
                ValueType::Proportion
            } else {
                ValueType::Rate
            };
            draft.meta.multiplier = mult;
            draft.meta.unit = cfg.unit.clone().unwrap_or_else(|| unit.to_string());
        }
    } else if standardised.is_some() && cfg.value_type.is_none() {
        draft.meta.value_type = ValueType::Rate;
    }
    if draft.meta.period.is_empty() {
        draft.meta.period = latest.label().to_string();
    }
    // A standardised value is never made from the count and denominator.
    let multiplier = standardised.is_none().then_some(draft.meta.multiplier);
    // A comparator of the period; for the latest, else the latest known (as before periods).
    let england = draft
        .england
        .remove(&latest)
        .or_else(|| draft.england.last_key_value().map(|(_, c)| c.clone()));
    let county = draft
        .county
        .remove(&latest)
        .or_else(|| draft.county.last_key_value().map(|(_, c)| c.clone()));
    let earlier = std::mem::take(&mut draft.periods)
        .into_iter()
        .map(|(period, values)| PeriodValues {
            england: draft.england.remove(&period),
            county: draft.county.remove(&period),
            period: period.label().to_string(),
            values: sorted_values(values, multiplier),
        })
        .collect();
    Ok(Indicator {
        england,
        county,
        meta: draft.meta,
        values: sorted_values(values, multiplier),
        earlier,
    })
}

/// One period's values in area-code order, with value = count / denominator × multiplier
/// where the file gives none (and the value is crude: `multiplier` is `None` otherwise).
fn sorted_values(
    values: BTreeMap<String, (usize, IndicatorValue)>,
    multiplier: Option<f64>,
) -> Vec<IndicatorValue> {
    values
        .into_values()
        .map(|(_, mut v)| {
            if let (None, Some(multiplier)) = (v.value, multiplier) {
                if let (Some(c), Some(d)) = (v.count, v.denominator) {
                    if d > 0.0 {
                        v.value = Some(c / d * multiplier);
                    }
                }
            }
            v
        })
        .collect()
}

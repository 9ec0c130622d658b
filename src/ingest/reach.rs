//! Service-use records (personal data) aggregated at load into a *reach* indicator.
//!
//! Input: a CSV `postcode,date,service[,age_band][,count]`, one row per contact or
//! pre-aggregated (`count` contacts in the row; default 1). Each row is geocoded through the
//! dataset's postcode → LSOA/MSOA lookup and counted in its area at the chosen level; rows of
//! other services are skipped. Nothing of a row is kept: only per-area contact totals, the
//! number of rows, the months covered and how many rows could not be placed (with the first
//! lines, so a person can fix them). A postcode that is well formed but not a live postcode of
//! the area of interest is counted as *outside the area*; one that is not a postcode at all is
//! counted as *unknown*. Neither is dropped silently.
//!
//! The reach indicator is an ordinary rate indicator — contacts per 1,000 children of the
//! service's age band (mid-year population of the area) — so its gap tables, Byar/exact
//! Poisson intervals, suppression of small counts and disclosure audit are the ones every
//! indicator gets. Its polarity is "not applicable" and the SII is most minus least deprived,
//! so a **positive SII means the most deprived areas are reached more** (proportionate
//! universalism).
//!
//! Contacts, not distinct children: the records carry no child identifier, so a child seen
//! twice counts twice.

use super::csvfile::{field, Csv};
use super::IngestError;
use crate::dataset::{
    Dataset, Indicator, IndicatorMeta, IndicatorValue, Layer, Polarity, ReachSummary, ValueType,
};
use crate::level::Level;
use crate::stats::poisson_exact::rate_interval;
use crate::stats::Confidence;
use std::collections::BTreeMap;
use std::path::Path;

/// How many line numbers of unplaced rows a summary keeps.
const LINES_KEPT: usize = 20;

/// What to count: one service, its age band, the level to aggregate to.
#[derive(Debug, Clone, PartialEq)]
pub struct ReachSpec {
    pub service: String,
    /// Children aged `ages.0..=ages.1` (years) are the denominator.
    pub ages: (u8, u8),
    pub level: Level,
    /// The records are a synthetic demonstration file.
    pub synthetic: bool,
    /// Registry source id or file name, for provenance.
    pub source_id: String,
}

/// `0-4` → (0, 4); ages 0 to 19 (the population's single years).
pub fn parse_ages(text: &str) -> Option<(u8, u8)> {
    let (a, b) = text.trim().split_once('-')?;
    let (a, b): (u8, u8) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
    (a <= b && b <= 19).then_some((a, b))
}

/// The indicator id of a service's reach: `reach-` and the service name in lower case with
/// runs of other characters as `-` (e.g. "Family Hub" → `reach-family-hub`).
pub fn reach_id(service: &str) -> String {
    let mut id = String::from("reach");
    let mut dash = true;
    for c in service.chars() {
        if c.is_ascii_alphanumeric() {
            if dash {
                id.push('-');
            }
            id.push(c.to_ascii_lowercase());
            dash = false;
        } else {
            dash = true;
        }
    }
    id
}

/// `YYYY-MM-DD` or `YYYY-MM` → months since year 0.
fn parse_month(text: &str) -> Option<u32> {
    let mut parts = text.trim().split('-');
    let year: u32 = parts.next().filter(|y| y.len() == 4)?.parse().ok()?;
    let month: u32 = parts.next().filter(|m| m.len() == 2)?.parse().ok()?;
    if let Some(day) = parts.next() {
        let day: u32 = day.parse().ok().filter(|_| day.len() == 2)?;
        if !(1..=31).contains(&day) {
            return None;
        }
    }
    (parts.next().is_none() && (1..=12).contains(&month) && (1900..2200).contains(&year))
        .then_some(year * 12 + month - 1)
}

fn month_label(m: u32) -> String {
    format!("{:04}-{:02}", m / 12, m % 12 + 1)
}

/// A UK postcode shape: outward code (2–4 characters, starting with a letter) and inward code
/// (a digit and two letters).
fn looks_like_postcode(normalised: &str) -> bool {
    let Some((outward, inward)) = normalised.split_once(' ') else {
        return false;
    };
    let inward = inward.as_bytes();
    (2..=4).contains(&outward.len())
        && outward.as_bytes()[0].is_ascii_alphabetic()
        && outward.bytes().all(|b| b.is_ascii_alphanumeric())
        && inward.len() == 3
        && inward[0].is_ascii_digit()
        && inward[1].is_ascii_alphabetic()
        && inward[2].is_ascii_alphabetic()
}

/// What a service-use CSV must look like, for errors.
const EXPECTED: &str = "a service-use CSV (postcode,date,service[,age_band][,count])";

/// Read the records and aggregate them into the reach indicator of `spec.service` at
/// `spec.level`, with its summary. Errors name the file, line and field.
pub fn load_reach(
    path: &Path,
    spec: &ReachSpec,
    dataset: &Dataset,
) -> Result<(Indicator, ReachSummary), IngestError> {
    let layer = reach_layer(path, spec, dataset)?;
    load_reach_csv(&Csv::read(path, EXPECTED)?, spec, dataset, layer)
}

/// [`load_reach`] on records already in memory (an upload), named `name` in errors. The
/// bytes are read and aggregated here and kept nowhere.
pub fn load_reach_bytes(
    name: &Path,
    bytes: &[u8],
    spec: &ReachSpec,
    dataset: &Dataset,
) -> Result<(Indicator, ReachSummary), IngestError> {
    let layer = reach_layer(name, spec, dataset)?;
    let text = super::text::decode_text(name, bytes, EXPECTED)?;
    load_reach_csv(&Csv::parse(name, &text, EXPECTED)?, spec, dataset, layer)
}

/// The layer reach is counted on: a loaded level the postcode lookup knows (msoa11 or lsoa11).
fn reach_layer<'d>(
    path: &Path,
    spec: &ReachSpec,
    dataset: &'d Dataset,
) -> Result<&'d Layer, IngestError> {
    let layer = dataset
        .layer(spec.level)
        .ok_or_else(|| IngestError::Invalid {
            path: path.into(),
            message: format!(
                "reach is counted at level {}, which is not loaded; loaded levels: {}",
                spec.level,
                dataset.levels_list()
            ),
        })?;
    if !matches!(spec.level, Level::Msoa11 | Level::Lsoa11) {
        return Err(IngestError::Invalid {
            path: path.into(),
            message: format!(
                "reach is counted at msoa11 or lsoa11 (the postcode lookup's levels), not {}; group by locality or deprivation in the gap table instead",
                spec.level
            ),
        });
    }
    Ok(layer)
}

fn load_reach_csv(
    csv: &Csv,
    spec: &ReachSpec,
    dataset: &Dataset,
    layer: &Layer,
) -> Result<(Indicator, ReachSummary), IngestError> {
    let path = csv.path.as_path();
    let [c_postcode, c_date, c_service] = csv.cols(["postcode", "date", "service"])?;
    let c_age = csv.opt_col("age_band");
    let c_count = csv.opt_col("count");
    let mut contacts: BTreeMap<String, f64> = BTreeMap::new();
    let mut summary = ReachSummary {
        indicator_id: reach_id(&spec.service),
        service: spec.service.clone(),
        ages: format!("{}-{}", spec.ages.0, spec.ages.1),
        rows: 0,
        contacts: 0.0,
        first_month: String::new(),
        last_month: String::new(),
        unknown_postcode: 0,
        outside_area: 0,
        unplaced_lines: Vec::new(),
        synthetic: spec.synthetic,
    };
    let (mut first, mut last) = (u32::MAX, 0);
    let bad = |line: usize, field: &str, value: &str, expected: &str| IngestError::BadValue {
        path: path.into(),
        line,
        field: field.into(),
        value: value.to_string(),
        expected: expected.into(),
    };
    for (line, r) in &csv.records {
        let line = *line;
        let service = field(r, c_service).trim();
        if service.is_empty() {
            return Err(bad(line, "service", service, "a service name"));
        }
        let date = field(r, c_date);
        let month = parse_month(date)
            .ok_or_else(|| bad(line, "date", date, "a date YYYY-MM-DD or a month YYYY-MM"))?;
        if let Some(c) = c_age {
            let age = field(r, c);
            if !age.trim().is_empty() && parse_ages(age).is_none() {
                return Err(bad(
                    line,
                    "age_band",
                    age,
                    "an age band such as 0-4 (years, at most 19)",
                ));
            }
        }
        let count = match c_count {
            Some(c) if !field(r, c).trim().is_empty() => {
                let text = field(r, c);
                text.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|n| n.is_finite() && *n >= 0.0 && n.fract() == 0.0)
                    .ok_or_else(|| {
                        bad(line, "count", text, "a whole number of contacts, 0 or more")
                    })?
            }
            _ => 1.0,
        };
        if service != spec.service {
            continue;
        }
        summary.rows += 1;
        first = first.min(month);
        last = last.max(month);
        let normalised = super::postcodes::normalise_postcode(field(r, c_postcode));
        let area = dataset
            .postcode(&normalised)
            .and_then(|p| match spec.level {
                Level::Lsoa11 => p.lsoa11.as_deref(),
                _ => p.msoa11.as_deref(),
            });
        match area.filter(|code| layer.get(code).is_some()) {
            Some(code) => {
                *contacts.entry(code.to_string()).or_default() += count;
                summary.contacts += count;
            }
            None => {
                if looks_like_postcode(&normalised) {
                    summary.outside_area += 1;
                } else {
                    summary.unknown_postcode += 1;
                }
                if summary.unplaced_lines.len() < LINES_KEPT {
                    summary.unplaced_lines.push(line);
                }
            }
        }
    }
    if summary.rows == 0 {
        return Err(IngestError::Invalid {
            path: path.into(),
            message: format!(
                "no rows for service {:?}; check the service name (it must match the service column exactly)",
                spec.service
            ),
        });
    }
    summary.first_month = month_label(first);
    summary.last_month = month_label(last);
    let indicator = reach_indicator(spec, &summary, layer, &contacts);
    Ok((indicator, summary))
}

/// Contacts per 1,000 children of the age band, every area of the layer (0 contacts where
/// none), exact Poisson limits below 10 contacts and Byar's above (Fingertips `phe_rate`).
fn reach_indicator(
    spec: &ReachSpec,
    summary: &ReachSummary,
    layer: &Layer,
    contacts: &BTreeMap<String, f64>,
) -> Indicator {
    let (from, to) = (usize::from(spec.ages.0), usize::from(spec.ages.1));
    let values = layer
        .areas
        .iter()
        .map(|a| {
            let children = a.population.as_ref().map(|p| f64::from(p.ages(from, to)));
            let count = contacts.get(&a.code).copied().unwrap_or(0.0);
            let (value, lower95, upper95, lower998, upper998) = match children {
                Some(n) if n > 0.0 => {
                    let at = |c| rate_interval(count, n, 1000.0, c).ok();
                    let (i95, i998) = (at(Confidence::P95), at(Confidence::P998));
                    (
                        Some(count / n * 1000.0),
                        i95.map(|i| i.lower),
                        i95.map(|i| i.upper),
                        i998.map(|i| i.lower),
                        i998.map(|i| i.upper),
                    )
                }
                _ => (None, None, None, None, None),
            };
            IndicatorValue {
                area_code: a.code.clone(),
                count: Some(count),
                denominator: children,
                value,
                lower95,
                upper95,
                lower998,
                upper998,
                bands: Vec::new(),
            }
        })
        .collect();
    let name = format!(
        "Reach of {}: contacts per 1,000 children aged {}–{}{}",
        spec.service,
        spec.ages.0,
        spec.ages.1,
        if spec.synthetic {
            " (synthetic demo)"
        } else {
            ""
        }
    );
    Indicator {
        meta: IndicatorMeta {
            id: summary.indicator_id.clone(),
            short_name: format!("Reach: {}", spec.service),
            name,
            value_type: ValueType::Rate,
            multiplier: 1000.0,
            polarity: Polarity::NotApplicable,
            synthetic: spec.synthetic,
            level: spec.level,
            period: if summary.first_month == summary.last_month {
                summary.first_month.clone()
            } else {
                format!("{} to {}", summary.first_month, summary.last_month)
            },
            sex: "Persons".into(),
            age: format!("{}-{} yrs", spec.ages.0, spec.ages.1),
            source_id: spec.source_id.clone(),
            unit: "per 1,000".into(),
            standardisation: None,
            age_standard: None,
        },
        values,
        england: None,
        county: None,
        earlier: Vec::new(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn ids_ages_months_and_postcode_shapes() {
        assert_eq!(reach_id("Family Hub"), "reach-family-hub");
        assert_eq!(reach_id("Start for Life: 0–2"), "reach-start-for-life-0-2");
        assert_eq!(parse_ages("0-4"), Some((0, 4)));
        assert_eq!(parse_ages("5-3"), None);
        assert_eq!(parse_ages("0-25"), None);
        assert_eq!(parse_month("2024-03-31"), Some(2024 * 12 + 2));
        assert_eq!(parse_month("2024-03"), Some(2024 * 12 + 2));
        assert_eq!(parse_month("31/03/2024"), None);
        assert_eq!(parse_month("2024-13-01"), None);
        assert!(looks_like_postcode("DH1 1AB"));
        assert!(looks_like_postcode("SW1A 1AA"));
        assert!(!looks_like_postcode("NOT A POSTCODE"));
        assert!(!looks_like_postcode("12345"));
    }
}

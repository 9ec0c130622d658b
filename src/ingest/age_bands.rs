//! Age-band counts for directly standardised rates:
//! `area_code,indicator_id,period,age_band,count,population`, one row per area × period × age
//! band (`format = "age_bands"`, or detected from an `age_band` column).
//!
//! Each area's value is its directly standardised rate by Dobson's method with Byar's limits
//! ([`crate::stats::dsr`], as PHEindicatormethods `calculate_dsr`: no value or limits below 10
//! events), against the European Standard Population 2013 (or 1976: the indicator's
//! `standard_population` in the config). The bands are the standard's (`0-4`, `5-9`, …, `90+`;
//! "yrs", spaces and dashes are forgiven); an indicator may use a subset (e.g. 0-4 to 15-19 for
//! children), but every area and period must give every band the indicator uses. The bands
//! are kept with each area so a gap table can pool a group's areas band by band
//! ([`crate::gaps::standardised`]), and the county row is the pool of all the areas.

use super::csvfile::{field, Csv};
use super::draft::{base_meta, finish, parse_period, AreaContext, Draft};
use super::{parse_opt_f64, IngestError};
use crate::config::{IndicatorConfig, StandardPopulationName, StandardisationSetting};
use crate::dataset::{AgeStandard, BandCount, Comparator, Indicator, IndicatorValue, ValueType};
use crate::period::Period;
use crate::stats::confidence::ConfidenceLevel;
use crate::stats::dsr::{dsr, DsrBand};
use crate::stats::standard_population::{StandardPopulation, ESP1976, ESP2013};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

/// Rows read for one indicator: period → area → band index → (line, counts).
type Rows = BTreeMap<Period, BTreeMap<String, BTreeMap<usize, (usize, BandCount)>>>;

/// Load an age-band file into directly standardised indicators.
pub(super) fn load_age_bands(
    csv: &Csv,
    config: &IndicatorConfig,
    source_id: &str,
    ctx: &AreaContext<'_>,
) -> Result<Vec<Indicator>, IngestError> {
    let path = csv.path.as_path();
    let [c_area, c_id, c_period, c_band, c_count, c_pop] = csv.cols([
        "area_code",
        "indicator_id",
        "period",
        "age_band",
        "count",
        "population",
    ])?;
    let mut rows: BTreeMap<String, Rows> = BTreeMap::new();
    let mut seen: HashMap<(String, String, String, usize), usize> = HashMap::new();
    for (line, r) in &csv.records {
        let line = *line;
        let id = field(r, c_id).to_string();
        if id.is_empty() {
            return Err(bad(path, line, "indicator_id", "", "an indicator id"));
        }
        let standard = standard_of(config, &id);
        let band_text = field(r, c_band);
        let band = band_index(standard, band_text).ok_or_else(|| {
            bad(
                path,
                line,
                "age_band",
                band_text,
                &format!(
                    "a band of the {} standard population: {}",
                    standard.name,
                    standard.bands.join(", ")
                ),
            )
        })?;
        let code = field(r, c_area).to_string();
        let period_text = field(r, c_period).to_string();
        if let Some(&first_line) = seen.get(&(id.clone(), code.clone(), period_text.clone(), band))
        {
            return Err(IngestError::Duplicate {
                path: path.into(),
                line,
                key: format!(
                    "indicator {id}, area {code}, period {period_text}, age band {}",
                    standard.bands[band]
                ),
                first_line,
            });
        }
        seen.insert((id.clone(), code.clone(), period_text.clone(), band), line);
        let period = parse_period(path, line, "period", &period_text)?;
        let count = required(path, line, "count", field(r, c_count))?;
        let population = required(path, line, "population", field(r, c_pop))?;
        if population <= 0.0 {
            return Err(bad(
                path,
                line,
                "population",
                field(r, c_pop),
                "a population above 0 (Dobson's method divides by each band's population)",
            ));
        }
        ctx.check_area(path, line, &code)?;
        rows.entry(id)
            .or_default()
            .entry(period)
            .or_default()
            .entry(code)
            .or_default()
            .insert(band, (line, BandCount { count, population }));
    }
    rows.into_iter()
        .map(|(id, periods)| indicator(path, config, source_id, ctx, &id, periods))
        .collect()
}

fn indicator(
    path: &Path,
    config: &IndicatorConfig,
    source_id: &str,
    ctx: &AreaContext<'_>,
    id: &str,
    periods: Rows,
) -> Result<Indicator, IngestError> {
    let standard = standard_of(config, id);
    // The bands this indicator uses: every band any of its rows gives.
    let used: Vec<usize> = periods
        .values()
        .flat_map(|areas| areas.values().flat_map(|bands| bands.keys().copied()))
        .collect::<BTreeSet<usize>>()
        .into_iter()
        .collect();
    let weights: Vec<f64> = used.iter().map(|&b| standard.population[b]).collect();
    let cfg = config.meta.get(id).cloned().unwrap_or_default();
    let multiplier = cfg.multiplier.unwrap_or(100_000.0);
    let mut meta = base_meta(id, id, &cfg, config, source_id, "", "");
    meta.value_type = cfg.value_type.unwrap_or(ValueType::Rate);
    meta.multiplier = multiplier;
    meta.unit = cfg.unit.clone().unwrap_or_else(|| {
        super::standardisation::unit_of(multiplier)
            .map_or_else(|| format!("per {multiplier}"), str::to_string)
    });
    meta.age_standard = Some(AgeStandard {
        name: standard.name.to_string(),
        bands: used
            .iter()
            .map(|&b| standard.bands[b].to_string())
            .collect(),
        weights: weights.clone(),
    });
    let mut draft = Draft::new(meta);
    draft.value_type_setting = Some(StandardisationSetting::Direct);
    for (period, areas) in periods {
        let mut pooled = vec![
            BandCount {
                count: 0.0,
                population: 0.0
            };
            used.len()
        ];
        for (code, bands) in areas {
            let first_line = bands.values().map(|(l, _)| *l).min().unwrap_or(0);
            let mut counts = Vec::with_capacity(used.len());
            for (slot, &band) in used.iter().enumerate() {
                let Some(&(_, b)) = bands.get(&band) else {
                    return Err(IngestError::Invalid {
                        path: path.into(),
                        message: format!(
                            "line {first_line}: indicator {id}, area {code}, period {}: no row for age band {}; every area needs every band the indicator uses ({})",
                            period.label(),
                            standard.bands[band],
                            used.iter().map(|&b| standard.bands[b]).collect::<Vec<_>>().join(", ")
                        ),
                    });
                };
                pooled[slot].count += b.count;
                pooled[slot].population += b.population;
                counts.push(b);
            }
            let value = area_value(path, id, &code, &counts, &weights, multiplier)?;
            draft.add(period.clone(), code, first_line, value);
        }
        let county = area_value(path, id, "the county", &pooled, &weights, multiplier)?;
        draft.county.insert(
            period,
            Comparator {
                area_code: ctx.county_codes.join("+"),
                area_name: "All areas (pooled age-band counts)".into(),
                value: county.value,
                lower95: county.lower95,
                upper95: county.upper95,
                count: county.count,
                denominator: county.denominator,
                note: "Directly standardised by gapmap from the areas' age-band counts".into(),
            },
        );
    }
    finish(path, draft, config)
}

/// One area's (or a pool's) DSR, with its bands kept.
fn area_value(
    path: &Path,
    id: &str,
    code: &str,
    bands: &[BandCount],
    weights: &[f64],
    multiplier: f64,
) -> Result<IndicatorValue, IngestError> {
    let result = dsr_of(bands, weights, multiplier).map_err(|e| IngestError::Invalid {
        path: path.into(),
        message: format!("indicator {id}, area {code}: {e}"),
    })?;
    Ok(IndicatorValue {
        area_code: code.to_string(),
        count: Some(result.count),
        denominator: Some(result.population),
        value: result.value,
        lower95: result.limits[0].0,
        upper95: result.limits[0].1,
        lower998: result.limits[1].0,
        upper998: result.limits[1].1,
        bands: bands.to_vec(),
    })
}

/// A DSR with its 95% and 99.8% limits.
pub struct BandDsr {
    pub count: f64,
    pub population: f64,
    /// `None` below 10 events (as the package).
    pub value: Option<f64>,
    /// (lower, upper) at 95% and 99.8%.
    pub limits: [(Option<f64>, Option<f64>); 2],
}

/// Dobson's DSR of age-band counts against standard `weights` (the same order).
pub fn dsr_of(
    bands: &[BandCount],
    weights: &[f64],
    multiplier: f64,
) -> Result<BandDsr, crate::stats::dsr::DsrError> {
    let input: Vec<DsrBand> = bands
        .iter()
        .zip(weights)
        .map(|(b, &standard)| DsrBand {
            count: Some(b.count),
            population: b.population,
            standard,
        })
        .collect();
    let levels = [ConfidenceLevel::P95, ConfidenceLevel::P998];
    let d = dsr(&input, multiplier, &levels)?;
    let limit = |i: usize| d.limits.get(i).map_or((None, None), |l| (l.lower, l.upper));
    Ok(BandDsr {
        count: d.total_count,
        population: d.total_pop,
        value: d.value,
        limits: [limit(0), limit(1)],
    })
}

fn standard_of(config: &IndicatorConfig, id: &str) -> StandardPopulation {
    match config.meta.get(id).and_then(|m| m.standard_population) {
        Some(StandardPopulationName::Esp1976) => ESP1976,
        Some(StandardPopulationName::Esp2013) | None => ESP2013,
    }
}

/// The standard's band a label names: "0-4", "0 - 4", "0–4 yrs", "90+", "90 and over", "<1".
fn band_index(standard: StandardPopulation, text: &str) -> Option<usize> {
    let normal: String = text
        .to_ascii_lowercase()
        .replace(['–', '—'], "-")
        .replace("and over", "+")
        .replace("plus", "+")
        .replace("years", "")
        .replace("yrs", "")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let normal = match normal.as_str() {
        "<1" | "under1" | "0-0" => "0".to_string(),
        _ => normal,
    };
    standard.bands.iter().position(|b| *b == normal)
}

fn required(path: &Path, line: usize, name: &str, raw: &str) -> Result<f64, IngestError> {
    let value = parse_opt_f64(path, line, name, raw)?
        .ok_or_else(|| bad(path, line, name, raw, "a number (it may not be empty)"))?;
    if value < 0.0 {
        return Err(IngestError::Negative {
            path: path.into(),
            line,
            field: name.into(),
            value,
        });
    }
    Ok(value)
}

fn bad(path: &Path, line: usize, field: &str, value: &str, expected: &str) -> IngestError {
    IngestError::BadValue {
        path: path.into(),
        line,
        field: field.into(),
        value: value.to_string(),
        expected: expected.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn band_labels_are_read_in_the_forms_people_write() {
        assert_eq!(band_index(ESP2013, "0-4"), Some(0));
        assert_eq!(band_index(ESP2013, "0 – 4 yrs"), Some(0));
        assert_eq!(band_index(ESP2013, "90 and over"), Some(18));
        assert_eq!(band_index(ESP2013, "90+"), Some(18));
        assert_eq!(band_index(ESP1976, "<1"), Some(0));
        assert_eq!(band_index(ESP1976, "85+"), Some(18));
        assert_eq!(band_index(ESP2013, "85+"), None);
        assert_eq!(band_index(ESP2013, "0-5"), None);
    }

    #[test]
    fn a_dsr_from_bands_matches_dobsons_formula_worked_by_hand() {
        // Two bands, standard 5,000 and 5,500 (ESP 2013 0-4 and 5-9); 30 events in 2,000
        // and 20 in 2,500 people. DSR = (5000·30/2000 + 5500·20/2500) / 10500 × 100,000
        // = (75 + 44) / 10500 × 100,000 = 1133.333…; var = (5000²·30/2000² + 5500²·20/2500²)
        // / 10500² = (187.5 + 96.8) / 110,250,000; O = 50; Byar's 95% upper count for 50 =
        // 65.9182…; upper = DSR + √(var/O) × (65.9182 − 50) × 100,000.
        let bands = [
            BandCount {
                count: 30.0,
                population: 2000.0,
            },
            BandCount {
                count: 20.0,
                population: 2500.0,
            },
        ];
        let d = dsr_of(&bands, &[5000.0, 5500.0], 100_000.0).unwrap();
        let value = 119.0 / 10500.0 * 100_000.0;
        assert!((d.value.unwrap() - value).abs() < 1e-9);
        let var: f64 = (187.5 + 96.8) / 110_250_000.0;
        let z = 1.959963984540054_f64;
        let upper_count = 51.0 * (1.0 - 1.0 / (9.0 * 51.0) + z / (3.0 * 51f64.sqrt())).powi(3);
        let upper = value + (var / 50.0).sqrt() * (upper_count - 50.0) * 100_000.0;
        assert!(
            (d.limits[0].1.unwrap() - upper).abs() < 1e-9 * upper,
            "{:?} vs {upper}",
            d.limits[0]
        );
        assert_eq!(d.count, 50.0);
        assert_eq!(d.population, 4500.0);
    }
}

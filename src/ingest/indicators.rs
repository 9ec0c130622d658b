//! Indicator loaders: the Fingertips CSV export and a tidy CSV.
//!
//! Fingertips export: one row per indicator × area × period × sex × age × category, with the
//! columns `Indicator ID, Indicator Name, Area Code, …, Time period, Value, Lower CI 95.0
//! limit, Upper CI 95.0 limit, Lower CI 99.8 limit, Upper CI 99.8 limit, Count, Denominator,
//! Value note`. Rows for England (E92000001) become the England comparator, rows for the area
//! of interest the county comparator, rows at the configured level inside the area of
//! interest the area values; rows with a Category Type are breakdowns and are skipped here
//! (national deprivation breakdowns are loaded by [`load_national_by_deprivation`]).
//! Every period is kept, ordered in time ([`crate::period::Period`]): the latest becomes the
//! indicator's values, the others its earlier periods. A period label in none of the forms
//! gapmap reads is an error naming the line and the field.
//!
//! Tidy CSV: `area_code,indicator_id,period,count,denominator[,value]`; names, value type,
//! multiplier and polarity come from the config's `[indicators.meta.<id>]` tables.
//! Age-band CSV (`…,age_band,count,population`): [`super::age_bands`].

use super::csvfile::{field, Csv};
use super::draft::{base_meta, finish, first_occurrence, Draft};
pub use super::draft::{parse_period, AreaContext};
use super::standardisation::{self, Sample};
use super::{parse_opt_f64, IngestError};
use crate::config::{IndicatorConfig, IndicatorFormat};
use crate::dataset::{Comparator, Indicator, IndicatorValue, NationalDeprivationRow, ValueType};
use crate::level::Level;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

const ENGLAND: &str = "E92000001";

const FINGERTIPS_EXPECTED: &str = "a Fingertips CSV export";
const TIDY_EXPECTED: &str =
    "a tidy indicator CSV (area_code,indicator_id,period,count,denominator[,value])";
const AGE_BANDS_EXPECTED: &str =
    "an age-band CSV (area_code,indicator_id,period,age_band,count,population)";

/// Load one configured indicator file.
pub fn load_indicator_file(
    path: &Path,
    config: &IndicatorConfig,
    source_id: &str,
    ctx: &AreaContext<'_>,
) -> Result<Vec<Indicator>, IngestError> {
    let csv = Csv::read(path, expected(config.format))?;
    load_indicator_csv(&csv, config, source_id, ctx)
}

/// Load indicators from bytes already in memory (an upload), named `name` in every error;
/// the same checks as [`load_indicator_file`].
pub fn load_indicator_bytes(
    name: &Path,
    bytes: &[u8],
    config: &IndicatorConfig,
    source_id: &str,
    ctx: &AreaContext<'_>,
) -> Result<Vec<Indicator>, IngestError> {
    let what = expected(config.format);
    let csv = Csv::parse(name, &super::text::decode_text(name, bytes, what)?, what)?;
    load_indicator_csv(&csv, config, source_id, ctx)
}

/// Which layout a CSV header is: `Indicator ID` means a Fingertips export, `indicator_id` a
/// tidy file; `None` for neither.
pub fn detect_format(header_line: &str) -> Option<IndicatorFormat> {
    let columns: Vec<&str> = header_line
        .trim_start_matches('\u{feff}')
        .split(',')
        .map(|c| c.trim().trim_matches('"'))
        .collect();
    if columns
        .iter()
        .any(|c| c.eq_ignore_ascii_case("Indicator ID"))
    {
        Some(IndicatorFormat::Fingertips)
    } else if columns.contains(&"indicator_id") && columns.contains(&"age_band") {
        Some(IndicatorFormat::AgeBands)
    } else if columns.contains(&"indicator_id") {
        Some(IndicatorFormat::Tidy)
    } else {
        None
    }
}

fn expected(format: IndicatorFormat) -> &'static str {
    match format {
        IndicatorFormat::Fingertips => FINGERTIPS_EXPECTED,
        IndicatorFormat::Tidy => TIDY_EXPECTED,
        IndicatorFormat::AgeBands => AGE_BANDS_EXPECTED,
    }
}

fn load_indicator_csv(
    csv: &Csv,
    config: &IndicatorConfig,
    source_id: &str,
    ctx: &AreaContext<'_>,
) -> Result<Vec<Indicator>, IngestError> {
    match config.format {
        IndicatorFormat::Fingertips => load_fingertips(csv, config, source_id, ctx),
        IndicatorFormat::Tidy => load_tidy(csv, config, source_id, ctx),
        IndicatorFormat::AgeBands => super::age_bands::load_age_bands(csv, config, source_id, ctx),
    }
}

/// Validate count/denominator for one row.
fn check_counts(
    path: &Path,
    line: usize,
    count: Option<f64>,
    denominator: Option<f64>,
    value_type: Option<ValueType>,
) -> Result<(), IngestError> {
    for (field, value) in [("Count", count), ("Denominator", denominator)] {
        if let Some(v) = value.filter(|v| *v < 0.0) {
            return Err(IngestError::Negative {
                path: path.into(),
                line,
                field: field.into(),
                value: v,
            });
        }
    }
    if let (Some(c), Some(d), Some(ValueType::Proportion) | None) = (count, denominator, value_type)
    {
        if c > d {
            return Err(IngestError::CountOverDenominator {
                path: path.into(),
                line,
                count: c,
                denominator: d,
            });
        }
    }
    Ok(())
}

/// Does this look like a code of `level`? (E02 MSOA, E01 LSOA, E05 ward.)
fn code_shape_matches(level: Level, code: &str) -> bool {
    let prefix = match level {
        Level::Msoa11 | Level::Msoa21 => "E02",
        Level::Lsoa11 | Level::Lsoa21 => "E01",
        Level::Ward | Level::Ward22 => "E05",
        Level::La => "E0",
        Level::Locality => return true,
    };
    code.starts_with(prefix)
}
fn load_fingertips(
    csv: &Csv,
    config: &IndicatorConfig,
    source_id: &str,
    ctx: &AreaContext<'_>,
) -> Result<Vec<Indicator>, IngestError> {
    let path = csv.path.as_path();
    let [c_id, c_name, c_area] = csv.cols(["Indicator ID", "Indicator Name", "Area Code"])?;
    let c_area_name = csv.opt_col("Area Name");
    let c_sex = csv.opt_col("Sex");
    let c_age = csv.opt_col("Age");
    let c_cat_type = csv.opt_col("Category Type");
    let [c_period, c_value, c_l95, c_u95] = csv.cols([
        "Time period",
        "Value",
        "Lower CI 95.0 limit",
        "Upper CI 95.0 limit",
    ])?;
    let c_l998 = csv.opt_col("Lower CI 99.8 limit");
    let c_u998 = csv.opt_col("Upper CI 99.8 limit");
    let c_count = csv.col("Count")?;
    let c_denom = csv.col("Denominator")?;
    let c_note = csv.opt_col("Value note");
    let c_value_type = csv.opt_col("Value type");

    let mut drafts: BTreeMap<String, Draft> = BTreeMap::new();
    let mut seen: HashMap<(String, String, String, String, String), usize> = HashMap::new();
    for (line, r) in &csv.records {
        let line = *line;
        if c_cat_type.is_some_and(|c| !field(r, c).is_empty()) {
            continue;
        }
        let id = field(r, c_id).to_string();
        if id.is_empty() {
            return Err(IngestError::BadValue {
                path: path.into(),
                line,
                field: "Indicator ID".into(),
                value: String::new(),
                expected: "an indicator id".into(),
            });
        }
        let code = field(r, c_area).to_string();
        let period = field(r, c_period).to_string();
        let sex = c_sex.map(|c| field(r, c).to_string()).unwrap_or_default();
        let age = c_age.map(|c| field(r, c).to_string()).unwrap_or_default();
        let key = (
            id.clone(),
            code.clone(),
            period.clone(),
            sex.clone(),
            age.clone(),
        );
        first_occurrence(&mut seen, key, path, line, (&id, &code, &period))?;
        let period = parse_period(path, line, "Time period", &period)?;
        let value = parse_opt_f64(path, line, "Value", field(r, c_value))?;
        let lower95 = parse_opt_f64(path, line, "Lower CI 95.0 limit", field(r, c_l95))?;
        let upper95 = parse_opt_f64(path, line, "Upper CI 95.0 limit", field(r, c_u95))?;
        let lower998 = match c_l998 {
            Some(c) => parse_opt_f64(path, line, "Lower CI 99.8 limit", field(r, c))?,
            None => None,
        };
        let upper998 = match c_u998 {
            Some(c) => parse_opt_f64(path, line, "Upper CI 99.8 limit", field(r, c))?,
            None => None,
        };
        let count = parse_opt_f64(path, line, "Count", field(r, c_count))?;
        let denominator = parse_opt_f64(path, line, "Denominator", field(r, c_denom))?;
        let meta_cfg = config.meta.get(&id).cloned().unwrap_or_default();
        check_counts(path, line, count, denominator, meta_cfg.value_type)?;
        let name = field(r, c_name).to_string();
        let note = c_note.map(|c| field(r, c).to_string()).unwrap_or_default();
        let synthetic_row =
            note.to_ascii_lowercase().contains("synthetic") || name.contains("(synthetic demo)");
        let draft = drafts.entry(id.clone()).or_insert_with(|| {
            Draft::new(base_meta(
                &id, &name, &meta_cfg, config, source_id, &sex, &age,
            ))
        });
        draft.meta.synthetic |= synthetic_row;
        if let Some(c) = c_value_type {
            draft.value_type_setting = draft
                .value_type_setting
                .or_else(|| standardisation::from_value_type(field(r, c)));
        }
        let sample = Sample::from_row(field(r, c_value), value, count, denominator);
        let area_name = c_area_name
            .map(|c| field(r, c).to_string())
            .unwrap_or_default();
        let is_england = code == ENGLAND;
        if is_england {
            draft.england_sample = sample.or(draft.england_sample);
        }
        if is_england || ctx.county_codes.iter().any(|c| c == &code) {
            let comparators = if is_england {
                &mut draft.england
            } else {
                &mut draft.county
            };
            comparators.insert(
                period.clone(),
                Comparator {
                    area_code: code,
                    area_name,
                    value,
                    lower95,
                    upper95,
                    count,
                    denominator,
                    note,
                },
            );
            continue;
        }
        if !code_shape_matches(ctx.level, &code) {
            // Regions, other LAs, … : not this level; a Fingertips export carries many.
            continue;
        }
        if !ctx.area_codes.contains(&code) && ctx.national_codes.contains(&code) {
            continue; // a real area outside the area of interest
        }
        ctx.check_area(path, line, &code)?;
        let v = IndicatorValue {
            area_code: code.clone(),
            count,
            denominator,
            value,
            lower95,
            upper95,
            lower998,
            upper998,
            bands: Vec::new(),
        };
        draft.samples.extend(sample);
        draft.add(period, code, line, v);
    }
    drafts
        .into_values()
        .map(|d| finish(path, d, config))
        .collect()
}

fn load_tidy(
    csv: &Csv,
    config: &IndicatorConfig,
    source_id: &str,
    ctx: &AreaContext<'_>,
) -> Result<Vec<Indicator>, IngestError> {
    let path = csv.path.as_path();
    let [c_area, c_id, c_period, c_count, c_denom] = csv.cols([
        "area_code",
        "indicator_id",
        "period",
        "count",
        "denominator",
    ])?;
    let c_value = csv.opt_col("value");
    let mut drafts: BTreeMap<String, Draft> = BTreeMap::new();
    let mut seen: HashMap<(String, String, String), usize> = HashMap::new();
    for (line, r) in &csv.records {
        let line = *line;
        let code = field(r, c_area).to_string();
        let id = field(r, c_id).to_string();
        let period = field(r, c_period).to_string();
        if id.is_empty() {
            return Err(IngestError::BadValue {
                path: path.into(),
                line,
                field: "indicator_id".into(),
                value: id,
                expected: "an indicator id".into(),
            });
        }
        let key = (id.clone(), code.clone(), period.clone());
        first_occurrence(&mut seen, key, path, line, (&id, &code, &period))?;
        let period = parse_period(path, line, "period", &period)?;
        let count = parse_opt_f64(path, line, "count", field(r, c_count))?;
        let denominator = parse_opt_f64(path, line, "denominator", field(r, c_denom))?;
        let value = match c_value {
            Some(c) => parse_opt_f64(path, line, "value", field(r, c))?,
            None => None,
        };
        let meta_cfg = config.meta.get(&id).cloned().unwrap_or_default();
        check_counts(path, line, count, denominator, meta_cfg.value_type)?;
        ctx.check_area(path, line, &code)?;
        let draft = drafts.entry(id.clone()).or_insert_with(|| {
            Draft::new(base_meta(&id, &id, &meta_cfg, config, source_id, "", ""))
        });
        let v = IndicatorValue {
            area_code: code.clone(),
            count,
            denominator,
            value,
            lower95: None,
            upper95: None,
            lower998: None,
            upper998: None,
            bands: Vec::new(),
        };
        let value_text = c_value.map_or("", |c| field(r, c));
        draft
            .samples
            .extend(Sample::from_row(value_text, value, count, denominator));
        draft.add(period, code, line, v);
    }
    drafts
        .into_values()
        .map(|d| finish(path, d, config))
        .collect()
}

/// The real national rows broken down by deprivation (England, Fingertips export layout).
pub fn load_national_by_deprivation(
    path: &Path,
) -> Result<Vec<NationalDeprivationRow>, IngestError> {
    let csv = Csv::read(path, "a Fingertips CSV export of England by deprivation")?;
    let [c_id, c_name, c_area, c_sex, c_age, c_cat_type, c_cat, c_period, c_value, c_l95, c_u95, c_count, c_denom] =
        csv.cols([
            "Indicator ID",
            "Indicator Name",
            "Area Code",
            "Sex",
            "Age",
            "Category Type",
            "Category",
            "Time period",
            "Value",
            "Lower CI 95.0 limit",
            "Upper CI 95.0 limit",
            "Count",
            "Denominator",
        ])?;
    let mut out = Vec::with_capacity(csv.records.len());
    for (line, r) in &csv.records {
        let line = *line;
        if field(r, c_area) != ENGLAND {
            continue;
        }
        let count = parse_opt_f64(path, line, "Count", field(r, c_count))?;
        let denominator = parse_opt_f64(path, line, "Denominator", field(r, c_denom))?;
        check_counts(path, line, count, denominator, Some(ValueType::Rate))?;
        out.push(NationalDeprivationRow {
            indicator_id: field(r, c_id).to_string(),
            indicator_name: field(r, c_name).to_string(),
            sex: field(r, c_sex).to_string(),
            age: field(r, c_age).to_string(),
            category_type: field(r, c_cat_type).to_string(),
            category: field(r, c_cat).to_string(),
            period: parse_period(path, line, "Time period", field(r, c_period))?
                .label()
                .to_string(),
            value: parse_opt_f64(path, line, "Value", field(r, c_value))?,
            lower95: parse_opt_f64(path, line, "Lower CI 95.0 limit", field(r, c_l95))?,
            upper95: parse_opt_f64(path, line, "Upper CI 95.0 limit", field(r, c_u95))?,
            count,
            denominator,
            line,
        });
    }
    Ok(out)
}

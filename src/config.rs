//! Build configuration (`data/durham.toml`) and the source registry (`data/sources.toml`).
//!
//! A config names the area of interest, the levels to load and, for every input, the id of an
//! entry in the source registry. The registry says where each input officially comes from,
//! its licence and attribution, and its sha256; [`crate::fetch`] materialises it under
//! `data/raw/`. Unknown keys are errors, so a typo never silently drops an input.

use crate::level::Level;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: cannot read config: {source}. Check the path (the default is data/durham.toml, relative to the project root).")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{path}: default_level {level} has no [boundaries.{level}] section; add one or choose one of: {available}")]
    MissingLevel {
        path: PathBuf,
        level: Level,
        available: String,
    },
    #[error(
        "{path}: {field} names source {id:?}, which is not in {registry}; known sources: {known}"
    )]
    UnknownSource {
        path: PathBuf,
        field: String,
        id: String,
        registry: PathBuf,
        known: String,
    },
    #[error("{path}: {field}: {message}")]
    Invalid {
        path: PathBuf,
        field: String,
        message: String,
    },
}

/// The whole build configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Display name, e.g. "County Durham".
    pub name: String,
    /// Local authority codes (E06/E07/E08/E09…) making up the area of interest.
    pub area_of_interest: Vec<String>,
    pub default_level: Level,
    /// Counts 1..=this are suppressed in public outputs.
    #[serde(default = "default_suppress_max_count")]
    pub suppress_max_count: u32,
    /// Where the snapshot is written (relative to the project root).
    #[serde(default = "default_snapshot")]
    pub snapshot: PathBuf,
    /// The source registry (relative to the project root).
    #[serde(default = "default_sources")]
    pub sources: PathBuf,
    pub boundaries: BTreeMap<Level, BoundaryConfig>,
    pub imd: ImdConfig,
    pub lookups: LookupConfig,
    pub population: PopulationConfig,
    #[serde(default)]
    pub postcodes: Option<PostcodeConfig>,
    #[serde(default)]
    pub indicators: Vec<IndicatorConfig>,
    /// Real national rows by deprivation decile (Fingertips export layout).
    #[serde(default)]
    pub national_by_deprivation: Option<String>,
    #[serde(default)]
    pub localities: Option<LocalityConfig>,
    #[serde(default)]
    pub sites: Option<SiteConfig>,
    /// Service-use records, aggregated at build into reach indicators.
    #[serde(default)]
    pub reach: Vec<ReachConfig>,
    /// Where the config was read from (set by [`Config::load`]).
    #[serde(skip)]
    pub path: PathBuf,
    /// Directory paths in the config are relative to (the project root).
    #[serde(skip)]
    pub root: PathBuf,
    /// sha256 of the config text.
    #[serde(skip)]
    pub sha256: String,
}

fn default_suppress_max_count() -> u32 {
    4
}
fn default_snapshot() -> PathBuf {
    PathBuf::from("data/build/durham.snapshot")
}
fn default_sources() -> PathBuf {
    PathBuf::from("data/sources.toml")
}

/// One boundary layer: a source id and the fields holding code and name.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoundaryConfig {
    pub source: String,
    pub code_field: String,
    pub name_field: String,
    /// Repair invalid geometries with GEOS MakeValid instead of rejecting the file.
    #[serde(default)]
    pub repair: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImdConfig {
    /// IoD2019 ranks and deciles per LSOA 2011 (overall + 7 domains).
    pub imd2019_ranks: String,
    /// IoD2019 population denominators (mid-2015), the weights for MSOA scores.
    pub imd2019_denominators: String,
    /// IoD2025 scores, ranks and deciles per LSOA 2021.
    #[serde(default)]
    pub imd2025: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LookupConfig {
    pub lsoa11_msoa11: String,
    pub lsoa11_lsoa21: String,
    pub msoa11_msoa21: String,
    /// LSOA 2021 → ward (2025 divisions) best fit.
    #[serde(default)]
    pub lsoa21_ward: Option<String>,
    /// LSOA 2021 → ward (2024 divisions, national) best fit.
    #[serde(default)]
    pub lsoa21_ward22: Option<String>,
    pub msoa_names: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PopulationConfig {
    /// Single-year-of-age estimates per LSOA 2011.
    pub lsoa11: String,
    /// Single-year-of-age estimates per MSOA 2011.
    pub msoa11: String,
    pub year: u16,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostcodeConfig {
    pub codepoint: String,
    pub ons_lookup: String,
}

/// Layout of an indicator file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IndicatorFormat {
    /// The Fingertips CSV export (Indicator ID, Indicator Name, …, Area Code, …, Count, Denominator).
    Fingertips,
    /// `area_code,indicator_id,period,count,denominator[,value]` plus a metadata table in the config.
    Tidy,
    /// `area_code,indicator_id,period,age_band,count,population`: age-band counts, directly
    /// standardised by gapmap (`ingest::age_bands`).
    #[serde(rename = "age_bands")]
    AgeBands,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorConfig {
    /// Source id in the registry, or a path to a local file (`path = …`).
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub path: Option<PathBuf>,
    pub format: IndicatorFormat,
    /// Level of the area rows.
    pub level: Level,
    /// Mark every indicator from this file synthetic (the demo file).
    #[serde(default)]
    pub synthetic: bool,
    /// Per-indicator metadata overrides, keyed by indicator id.
    #[serde(default)]
    pub meta: BTreeMap<String, IndicatorMetaConfig>,
}

/// Metadata gapmap cannot read from a Fingertips export (polarity, value type, short name).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorMetaConfig {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub short_name: Option<String>,
    /// proportion | rate | mean
    #[serde(default)]
    pub value_type: Option<crate::dataset::ValueType>,
    #[serde(default)]
    pub multiplier: Option<f64>,
    /// higher_is_worse | higher_is_better | not_applicable
    #[serde(default)]
    pub polarity: Option<crate::dataset::Polarity>,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub period: Option<String>,
    /// none | direct | indirect: how the published values were standardised. Default: read
    /// from a `Value type` column, else from the data (values that are not count /
    /// denominator × multiplier are standardised); see `ingest::standardisation`.
    #[serde(default)]
    pub standardisation: Option<StandardisationSetting>,
    /// esp2013 (default) | esp1976: the standard population of an age-band file's DSRs.
    #[serde(default)]
    pub standard_population: Option<StandardPopulationName>,
}

/// A bundled standard population (`stats::standard_population`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StandardPopulationName {
    /// European Standard Population 2013 (19 bands, 0-4 … 90+).
    Esp2013,
    /// European Standard Population 1976 (19 bands, <1, 1-4 … 85+).
    Esp1976,
}

/// The config's word on an indicator's standardisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StandardisationSetting {
    /// Crude: value = count / denominator × multiplier.
    None,
    /// Directly age-standardised rate.
    Direct,
    /// Indirectly standardised ratio or rate.
    Indirect,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalityConfig {
    /// CSV `area_code,locality` (relative to the project root).
    pub file: PathBuf,
    /// Level of the area codes in the file.
    pub level: Level,
    pub name: String,
    #[serde(default)]
    pub illustrative: bool,
    #[serde(default)]
    pub note: String,
}

/// Service-use records (`postcode,date,service[,age_band][,count]`): one service's contacts
/// become a reach indicator (contacts per 1,000 children of `ages`) at `level`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReachConfig {
    /// CSV relative to the project root (personal data: keep it out of version control).
    pub path: PathBuf,
    /// The value of the `service` column to count, e.g. "Family Hub".
    pub service: String,
    /// Age band of the children the service is for, in years, e.g. "0-4".
    pub ages: String,
    /// Level to count at: msoa11 (default) or lsoa11.
    #[serde(default = "default_reach_level")]
    pub level: Level,
    /// The records are synthetic demonstration data.
    #[serde(default)]
    pub synthetic: bool,
}

fn default_reach_level() -> Level {
    Level::Msoa11
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// CSV `id,name,kind,postcode,lon,lat,existing` (postcode or lon/lat).
    pub file: PathBuf,
    #[serde(default)]
    pub illustrative: bool,
}

impl Config {
    /// Read and validate a config file. Relative paths inside it are relative to `root`
    /// (the directory holding `data/`, i.e. the config's grandparent when it lives in `data/`).
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::parse(path, &text)
    }

    /// Parse and validate config text read from `path` (which fixes the project root).
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let mut config: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        config.path = path.to_path_buf();
        config.root = project_root_for(path);
        config.sha256 = crate::fsutil::sha256_hex(text.as_bytes());
        config.validate()?;
        Ok(config)
    }

    /// The error for a level the config has no boundaries for.
    fn missing_level(&self, level: Level) -> ConfigError {
        ConfigError::MissingLevel {
            path: self.path.clone(),
            level,
            available: self
                .boundaries
                .keys()
                .map(|l| l.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let path = self.path.clone();
        if !self.boundaries.contains_key(&self.default_level) {
            return Err(self.missing_level(self.default_level));
        }
        if self.area_of_interest.is_empty() {
            return Err(ConfigError::Invalid {
                path,
                field: "area_of_interest".into(),
                message: "list at least one local authority code, e.g. [\"E06000047\"]".into(),
            });
        }
        for code in &self.area_of_interest {
            if !crate::level::is_la_code(code) && code != crate::level::ENGLAND {
                return Err(ConfigError::Invalid {
                    path,
                    field: "area_of_interest".into(),
                    message: format!("{code:?} is not a local authority code (E06…, E07…, E08… or E09… followed by 6 digits), or E92000001 for the whole of England"),
                });
            }
        }
        if let Some(loc) = &self.localities {
            if !self.boundaries.contains_key(&loc.level) {
                return Err(self.missing_level(loc.level));
            }
        }
        for (i, ind) in self.indicators.iter().enumerate() {
            if ind.source.is_some() == ind.path.is_some() {
                return Err(ConfigError::Invalid {
                    path,
                    field: format!("indicators[{i}]"),
                    message:
                        "give exactly one of `source` (a registry id) or `path` (a local file)"
                            .into(),
                });
            }
            if !self.boundaries.contains_key(&ind.level) {
                return Err(self.missing_level(ind.level));
            }
        }
        if self.boundaries.contains_key(&Level::La)
            || self.boundaries.contains_key(&Level::Locality)
        {
            return Err(ConfigError::Invalid {
                path,
                field: "boundaries".into(),
                message: "la and locality layers are derived (dissolved from smaller areas); remove their [boundaries.*] sections".into(),
            });
        }
        Ok(())
    }

    /// Every source id the config refers to, with the field that names it.
    pub fn source_ids(&self) -> Vec<(String, String)> {
        let mut ids = Vec::new();
        for (level, b) in &self.boundaries {
            ids.push((format!("boundaries.{level}.source"), b.source.clone()));
        }
        ids.push(("imd.imd2019_ranks".into(), self.imd.imd2019_ranks.clone()));
        ids.push((
            "imd.imd2019_denominators".into(),
            self.imd.imd2019_denominators.clone(),
        ));
        if let Some(s) = &self.imd.imd2025 {
            ids.push(("imd.imd2025".into(), s.clone()));
        }
        let l = &self.lookups;
        ids.push(("lookups.lsoa11_msoa11".into(), l.lsoa11_msoa11.clone()));
        ids.push(("lookups.lsoa11_lsoa21".into(), l.lsoa11_lsoa21.clone()));
        ids.push(("lookups.msoa11_msoa21".into(), l.msoa11_msoa21.clone()));
        if let Some(s) = &l.lsoa21_ward {
            ids.push(("lookups.lsoa21_ward".into(), s.clone()));
        }
        if let Some(s) = &l.lsoa21_ward22 {
            ids.push(("lookups.lsoa21_ward22".into(), s.clone()));
        }
        ids.push(("lookups.msoa_names".into(), l.msoa_names.clone()));
        ids.push(("population.lsoa11".into(), self.population.lsoa11.clone()));
        ids.push(("population.msoa11".into(), self.population.msoa11.clone()));
        if let Some(p) = &self.postcodes {
            ids.push(("postcodes.codepoint".into(), p.codepoint.clone()));
            ids.push(("postcodes.ons_lookup".into(), p.ons_lookup.clone()));
        }
        for (i, ind) in self.indicators.iter().enumerate() {
            if let Some(s) = &ind.source {
                ids.push((format!("indicators[{i}].source"), s.clone()));
            }
        }
        if let Some(s) = &self.national_by_deprivation {
            ids.push(("national_by_deprivation".into(), s.clone()));
        }
        ids
    }

    /// Resolve a path from the config against the project root.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.root.join(path)
        }
    }

    pub fn snapshot_path(&self) -> PathBuf {
        self.resolve(&self.snapshot)
    }
}

/// A config in `<root>/data/x.toml` has its project root two levels up; otherwise the
/// current directory is the root.
fn project_root_for(config_path: &Path) -> PathBuf {
    let parent = config_path.parent().unwrap_or(Path::new(""));
    if parent.file_name().is_some_and(|n| n == "data") {
        let root = parent.parent().unwrap_or(Path::new(""));
        if root.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            root.to_path_buf()
        }
    } else {
        PathBuf::from(".")
    }
}

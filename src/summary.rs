//! What `gapmap check` and `gapmap build` report: counts per level, deprivation headline
//! counts, and every indicator with its row count.

use crate::dataset::Dataset;
use crate::imd::ImdEdition;
use crate::level::Level;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Serialize)]
pub struct Summary {
    pub name: String,
    pub area_of_interest: Vec<String>,
    pub levels: BTreeMap<String, usize>,
    /// Areas in the 30% most deprived nationally, by level and edition.
    pub most_deprived_30pct: BTreeMap<String, usize>,
    /// LSOA 2011 counts per IMD 2019 national decile (1 = most deprived).
    pub lsoa11_imd2019_deciles: BTreeMap<u8, usize>,
    pub indicators: Vec<IndicatorSummary>,
    pub national_by_deprivation_rows: usize,
    pub postcodes: usize,
    pub sites: usize,
    pub synthetic: bool,
}

#[derive(Debug, Serialize)]
pub struct IndicatorSummary {
    pub id: String,
    pub name: String,
    pub level: Level,
    pub period: String,
    pub rows: usize,
    pub synthetic: bool,
}

pub fn summarise(ds: &Dataset) -> Summary {
    let levels = ds
        .layers
        .iter()
        .map(|l| (l.level.to_string(), l.areas.len()))
        .collect();
    let mut most_deprived_30pct = BTreeMap::new();
    for layer in &ds.layers {
        for edition in &layer.imd_editions {
            if matches!(layer.level, Level::La | Level::Locality) {
                continue;
            }
            let n = layer
                .areas
                .iter()
                .filter(|a| a.imd(*edition).is_some_and(|m| m.most_deprived_30pct))
                .count();
            most_deprived_30pct.insert(format!("{}_{}", layer.level, edition.as_str()), n);
        }
    }
    let mut deciles = BTreeMap::new();
    if let Some(l) = ds.layer(Level::Lsoa11) {
        for a in &l.areas {
            if let Some(m) = a.imd(ImdEdition::Imd2019) {
                *deciles.entry(m.decile).or_insert(0) += 1;
            }
        }
    }
    Summary {
        name: ds.meta.name.clone(),
        area_of_interest: ds.meta.area_of_interest.clone(),
        levels,
        most_deprived_30pct,
        lsoa11_imd2019_deciles: deciles,
        indicators: ds
            .indicators
            .iter()
            .map(|i| IndicatorSummary {
                id: i.meta.id.clone(),
                name: i.meta.name.clone(),
                level: i.meta.level,
                period: i.meta.period.clone(),
                rows: i.values.len(),
                synthetic: i.meta.synthetic,
            })
            .collect(),
        national_by_deprivation_rows: ds.national_by_deprivation.len(),
        postcodes: ds.postcodes.len(),
        sites: ds.sites.len(),
        synthetic: ds.has_synthetic(),
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{} ({})", self.name, self.area_of_interest.join(", "))?;
        writeln!(f, "Areas:")?;
        for (level, n) in &self.levels {
            let label = level.parse::<Level>().map(|l| l.label()).unwrap_or("");
            writeln!(f, "  {level:<9} {n:>5}  {label}")?;
        }
        writeln!(f, "In the 30% most deprived nationally:")?;
        for (k, n) in &self.most_deprived_30pct {
            writeln!(f, "  {k:<18} {n:>5}")?;
        }
        writeln!(f, "Indicators:")?;
        for i in &self.indicators {
            let tag = if i.synthetic {
                "  [SYNTHETIC demonstration data]"
            } else {
                ""
            };
            writeln!(
                f,
                "  {:<8} {:>4} rows  {} ({}, {}){tag}",
                i.id, i.rows, i.name, i.level, i.period
            )?;
        }
        writeln!(
            f,
            "National rows by deprivation (Fingertips, real): {}",
            self.national_by_deprivation_rows
        )?;
        writeln!(f, "Postcodes: {}   Sites: {}", self.postcodes, self.sites)?;
        if self.synthetic {
            writeln!(f, "NOTE: synthetic demonstration indicators are loaded; they are not official statistics.")?;
        }
        Ok(())
    }
}

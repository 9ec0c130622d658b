//! Stage 5: what is measured and where services are — indicator files (Fingertips exports or
//! tidy CSVs) checked against the layer's areas, the real national rows by deprivation decile,
//! live postcodes of the area of interest, and service sites (placed by postcode or lon/lat).

use super::error::BuildError;
use super::geography::Geography;
use super::sources::Sources;
use crate::config::Config;
use crate::dataset::{Indicator, Layer, NationalDeprivationRow, Postcode, Site};
use crate::ingest::indicators::AreaContext;
use crate::ingest::reproject::{Reprojection, BNG, WGS84};
use crate::ingest::{self, IngestError};
use std::collections::HashSet;

/// Everything stage 5 reads.
pub struct Measures {
    pub indicators: Vec<Indicator>,
    pub national_by_deprivation: Vec<NationalDeprivationRow>,
    pub postcodes: Vec<Postcode>,
    pub sites: Vec<Site>,
}

/// Read the indicator files, national rows, postcodes and sites.
pub fn load(
    config: &Config,
    sources: &mut Sources,
    geo: &Geography,
    layers: &[Layer],
) -> Result<Measures, BuildError> {
    let empty = HashSet::new();
    let mut indicators = Vec::new();
    for (i, ind) in config.indicators.iter().enumerate() {
        let (path, source_id) = match (&ind.source, &ind.path) {
            (Some(id), _) => (
                sources.path(&format!("indicators[{i}].source"), id)?,
                id.clone(),
            ),
            (None, Some(p)) => (sources.local(p), p.display().to_string()),
            (None, None) => continue,
        };
        let area_codes: HashSet<String> = layers
            .iter()
            .find(|l| l.level == ind.level)
            .map(|l| l.areas.iter().map(|a| a.code.clone()).collect())
            .unwrap_or_default();
        let ctx = AreaContext {
            level: ind.level,
            area_codes: &area_codes,
            national_codes: geo.national.get(&ind.level).unwrap_or(&empty),
            county_codes: &config.area_of_interest,
        };
        indicators.extend(ingest::indicators::load_indicator_file(
            &path, ind, &source_id, &ctx,
        )?);
    }
    let national_by_deprivation = match sources.optional(
        "national_by_deprivation",
        config.national_by_deprivation.as_ref(),
    )? {
        Some(p) => ingest::indicators::load_national_by_deprivation(&p)?,
        None => Vec::new(),
    };
    let postcodes = match &config.postcodes {
        Some(p) => ingest::postcodes::load_postcodes(
            &sources.path("postcodes.codepoint", &p.codepoint)?,
            &sources.path("postcodes.ons_lookup", &p.ons_lookup)?,
            &config.area_of_interest.iter().cloned().collect(),
        )?,
        None => Vec::new(),
    };
    let sites = match &config.sites {
        Some(s) => {
            let path = sources.local(&s.file);
            let to_bng = Reprojection::new(WGS84, BNG).map_err(|e| IngestError::Gdal {
                path: path.clone(),
                action: "set up a transform to EPSG:27700".into(),
                message: e.to_string(),
            })?;
            let geocode = |pc: &str| {
                let key = ingest::postcodes::normalise_postcode(pc);
                postcodes
                    .binary_search_by(|p| p.postcode.as_str().cmp(&key))
                    .ok()
                    .map(|i| postcodes[i].clone())
            };
            ingest::sites::load_sites(&path, s.illustrative, geocode, |lon, lat| {
                to_bng.point(lon, lat)
            })?
        }
        None => Vec::new(),
    };
    Ok(Measures {
        indicators,
        national_by_deprivation,
        postcodes,
        sites,
    })
}

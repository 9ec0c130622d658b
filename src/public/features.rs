//! Areas as map features for downloads (GeoJSON, GeoPackage): geometry, names, locality,
//! population and IMD, and — when an indicator is asked for — its public value, interval,
//! count and significance (withheld exactly as everywhere else).

use super::dataset::PublicDataset;
use super::error::PublicError;
use crate::geoexport::{GeoFeature, GeoValue};
use crate::imd::ImdEdition;
use crate::level::Level;
use crate::lookup;
use crate::stats::significance::Significance;

impl PublicDataset {
    /// One feature per area of `level` (default: the dataset's default level), with IMD under
    /// `edition` and, if given, the public values of `indicator` (which must be on that level)
    /// in `period` (default: the latest).
    pub fn features(
        &self,
        level: Option<Level>,
        indicator: Option<&str>,
        edition: Option<ImdEdition>,
        period: Option<&str>,
    ) -> Result<(Level, Vec<GeoFeature>), PublicError> {
        let d = self.dataset();
        let level = level.unwrap_or(d.meta.default_level);
        let layer = lookup::layer(d, level)?;
        let edition = lookup::edition(layer, edition)?;
        let indicator = match indicator {
            Some(id) => Some(lookup::indicator_in(d, id, Some(level), period)?),
            None => None,
        };
        let public = indicator.as_deref().map(|i| self.public_indicator(i));
        let features = layer
            .areas
            .iter()
            .map(|a| {
                let imd = edition.and_then(|e| a.imd(e));
                let mut p = vec![
                    ("code".to_string(), GeoValue::Text(Some(a.code.clone()))),
                    ("name".into(), GeoValue::Text(Some(a.name.clone()))),
                    ("ons_name".into(), GeoValue::Text(Some(a.ons_name.clone()))),
                    ("level".into(), GeoValue::Text(Some(level.as_str().into()))),
                    ("locality".into(), GeoValue::Text(a.locality.clone())),
                    (
                        "population".into(),
                        GeoValue::Integer(a.population.as_ref().map(|p| i64::from(p.total))),
                    ),
                    (
                        "imd_edition".into(),
                        GeoValue::Text(edition.map(|e| e.as_str().into())),
                    ),
                    ("imd_score".into(), GeoValue::Real(imd.map(|i| i.score))),
                    (
                        "imd_rank".into(),
                        GeoValue::Integer(imd.map(|i| i64::from(i.rank))),
                    ),
                    (
                        "imd_decile".into(),
                        GeoValue::Integer(imd.map(|i| i64::from(i.decile))),
                    ),
                    (
                        "imd_quintile".into(),
                        GeoValue::Integer(imd.map(|i| i64::from(i.quintile))),
                    ),
                    (
                        "imd_local_quintile".into(),
                        GeoValue::Integer(imd.map(|i| i64::from(i.local_quintile))),
                    ),
                    (
                        "imd_most_deprived_30pct".into(),
                        GeoValue::Bool(imd.map(|i| i.most_deprived_30pct)),
                    ),
                ];
                if let Some(ind) = indicator.as_deref() {
                    let v = public.as_ref().and_then(|p| p.value(&a.code));
                    let sig = |s: Option<Significance>| {
                        GeoValue::Text(
                            s.filter(|s| *s != Significance::NotCompared)
                                .map(|s| s.label().to_string()),
                        )
                    };
                    p.extend([
                        (
                            "indicator_id".to_string(),
                            GeoValue::Text(Some(ind.meta.id.clone())),
                        ),
                        (
                            "indicator".into(),
                            GeoValue::Text(Some(ind.meta.name.clone())),
                        ),
                        ("synthetic".into(), GeoValue::Bool(Some(ind.meta.synthetic))),
                        (
                            "period".into(),
                            GeoValue::Text(Some(ind.meta.period.clone())),
                        ),
                        (
                            "value".into(),
                            GeoValue::Real(v.and_then(|v| v.figures.value)),
                        ),
                        (
                            "lower95".into(),
                            GeoValue::Real(v.and_then(|v| v.figures.lower95)),
                        ),
                        (
                            "upper95".into(),
                            GeoValue::Real(v.and_then(|v| v.figures.upper95)),
                        ),
                        (
                            "count".into(),
                            GeoValue::Real(v.and_then(|v| v.figures.count)),
                        ),
                        (
                            "denominator".into(),
                            GeoValue::Real(v.and_then(|v| v.figures.denominator)),
                        ),
                        (
                            "suppressed".into(),
                            GeoValue::Bool(v.map(|v| v.figures.suppressed)),
                        ),
                        ("vs_england".into(), sig(v.map(|v| v.figures.vs_england))),
                        ("vs_county".into(), sig(v.map(|v| v.figures.vs_county))),
                    ]);
                }
                GeoFeature {
                    geometry: a.geometry.clone(),
                    properties: p,
                }
            })
            .collect();
        Ok((level, features))
    }
}

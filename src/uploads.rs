//! Uploads: indicator files, service-use records and a sites file pushed into a running
//! server, checked exactly like the build's inputs, kept as an overlay on the built
//! [`Dataset`] and persisted in one file so a restart serves them.
//!
//! The overlay ([`Uploads`]) holds the uploaded indicators (each replacing a built indicator
//! of the same id, or added), the uploaded services' reach — only the aggregates: the reach
//! indicator (contacts per area) and its load summary, never a record — and optionally a
//! replacement sites list, with who uploaded each and when. [`Uploads::apply`] lays it over the built dataset; only the indicator and site
//! tables change, never geometry, so tiles built from the base stay valid.
//!
//! The overlay file (`<snapshot>.uploads` beside the snapshot) uses the snapshot's checked
//! layout (own magic, version, postcard, sha256) and is replaced atomically
//! ([`crate::fsutil`]): a crash or `kill -9` at any moment leaves the previous overlay or the
//! new one, never a torn one.

use crate::config::{IndicatorConfig, IndicatorFormat, IndicatorMetaConfig};
use crate::dataset::{Dataset, Indicator, ReachSummary, Site};
use crate::ingest::indicators::{detect_format, load_indicator_bytes, AreaContext};
use crate::ingest::reproject::{Reprojection, BNG, WGS84};
use crate::ingest::IngestError;
use crate::level::Level;
use crate::snapshot::SnapshotError;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 8] = b"GAPMAPUP";

/// Who changed something, and when (RFC 3339, UTC).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// The name of the token that authorised the change.
    pub by: String,
    pub at: String,
    /// The file name the client gave (or `upload.csv`).
    pub file: String,
}

/// One uploaded indicator with its provenance.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UploadedIndicator {
    pub indicator: Indicator,
    pub provenance: Provenance,
}

/// An uploaded service's reach: the aggregates of its records (the records themselves are
/// read, counted per area and dropped).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UploadedReach {
    pub indicator: Indicator,
    pub summary: ReachSummary,
    pub provenance: Provenance,
}

/// An uploaded sites list (replaces the built one).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UploadedSites {
    pub sites: Vec<Site>,
    pub provenance: Provenance,
}

/// Everything uploaded to a server, laid over its built dataset.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Uploads {
    /// Keyed by indicator id.
    pub indicators: BTreeMap<String, UploadedIndicator>,
    pub sites: Option<UploadedSites>,
    /// Keyed by reach indicator id (each replacing a configured service of the same id).
    pub reach: BTreeMap<String, UploadedReach>,
}

/// The overlay's layout before reach uploads (postcard has no optional trailing fields).
#[derive(Deserialize)]
struct UploadsWithoutReach {
    indicators: BTreeMap<String, UploadedIndicator>,
    sites: Option<UploadedSites>,
}

/// An upload that cannot be used; nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// The file's own problem, naming its line and field.
    #[error(transparent)]
    Ingest(#[from] IngestError),
    #[error("{name}: the header is neither a Fingertips export (with an \"Indicator ID\" column) nor a tidy file (with an \"indicator_id\" column); found: {header}")]
    UnknownFormat { name: String, header: String },
    #[error("level {level} is not loaded on this server; loaded: {loaded}")]
    LevelNotLoaded { level: Level, loaded: String },
    #[error(
        "no uploaded indicator {id:?}; uploaded: {uploaded} (built indicators cannot be deleted)"
    )]
    NotUploaded { id: String, uploaded: String },
    #[error("{path}: the uploads no longer fit the dataset: {detail}. Delete {path} (the uploads are lost) or rebuild from the same config")]
    Stale { path: PathBuf, detail: String },
    #[error(transparent)]
    File(#[from] SnapshotError),
    #[error("cannot set up the WGS84 → British National Grid transform: {0}")]
    Projection(String),
}

impl UploadError {
    /// True when the client can fix it (400/404), false for failures on the server's side.
    pub fn is_input_error(&self) -> bool {
        !matches!(self, UploadError::File(_) | UploadError::Projection(_))
    }
}

/// How to read an uploaded indicator file (the query parameters of `POST /api/indicators`).
#[derive(Debug, Clone, Default)]
pub struct IndicatorUpload {
    /// Name used in errors and provenance (`upload.csv` when the client gives none).
    pub file: String,
    /// `None`: detected from the header.
    pub format: Option<IndicatorFormat>,
    /// `None`: the dataset's default level.
    pub level: Option<Level>,
    /// Applied to every indicator in the file (name, polarity, value type, multiplier, unit).
    pub meta: IndicatorMetaConfig,
}

impl Uploads {
    /// The overlay at `path`; none yet is an empty overlay. An overlay written before uploads
    /// held reach (indicators and sites only) is read as such.
    pub fn load(path: &Path) -> Result<Uploads, SnapshotError> {
        match std::fs::read(path) {
            Ok(bytes) => crate::snapshot::decode_checked(path, MAGIC, &bytes).or_else(|e| {
                crate::snapshot::decode_checked::<UploadsWithoutReach>(path, MAGIC, &bytes)
                    .map(|old| Uploads {
                        indicators: old.indicators,
                        sites: old.sites,
                        reach: BTreeMap::new(),
                    })
                    .map_err(|_| e)
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Uploads::default()),
            Err(source) => Err(SnapshotError::Io {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    /// Replace the overlay at `path` atomically.
    pub fn save(&self, path: &Path) -> Result<(), SnapshotError> {
        let bytes = crate::snapshot::encode_checked(MAGIC, self)?;
        crate::snapshot::write_bytes_atomic(path, &bytes)?;
        Ok(())
    }

    /// The built dataset with the uploads laid over it: uploaded indicators replace built
    /// ones of the same id (keeping their place) or are appended; uploaded sites replace the
    /// built sites. Geometry is untouched.
    pub fn apply(&self, base: &Dataset) -> Dataset {
        let mut dataset = base.clone();
        let mut pending: BTreeMap<&str, &Indicator> = self
            .indicators
            .iter()
            .map(|(id, u)| (id.as_str(), &u.indicator))
            .collect();
        for indicator in &mut dataset.indicators {
            if let Some(uploaded) = pending.remove(indicator.meta.id.as_str()) {
                *indicator = uploaded.clone();
            }
        }
        dataset.indicators.extend(pending.into_values().cloned());
        if let Some(sites) = &self.sites {
            dataset.sites = sites.sites.clone();
        }
        for upload in self.reach.values() {
            dataset.add_reach(upload.indicator.clone(), upload.summary.clone());
        }
        dataset
    }

    /// Check an overlay read from `path` still fits `base` (every area code of every uploaded
    /// indicator is in its layer), so a rebuilt snapshot with other areas is not silently mixed.
    pub fn check_against(&self, base: &Dataset, path: &Path) -> Result<(), UploadError> {
        let indicators = self
            .indicators
            .iter()
            .map(|(id, u)| (id, &u.indicator))
            .chain(self.reach.iter().map(|(id, u)| (id, &u.indicator)));
        for (id, indicator) in indicators {
            let level = indicator.meta.level;
            let Some(layer) = base.layer(level) else {
                return Err(UploadError::Stale {
                    path: path.into(),
                    detail: format!("indicator {id} is at level {level}, which is not loaded"),
                });
            };
            if let Some(v) = indicator
                .values
                .iter()
                .find(|v| layer.get(&v.area_code).is_none())
            {
                return Err(UploadError::Stale {
                    path: path.into(),
                    detail: format!(
                        "indicator {id} has a value for {}, which is not a {level} area of this dataset",
                        v.area_code
                    ),
                });
            }
        }
        Ok(())
    }

    /// The overlay with `indicators` added (replacing uploads of the same ids).
    pub fn with_indicators(&self, indicators: Vec<Indicator>, provenance: &Provenance) -> Uploads {
        let mut next = self.clone();
        for indicator in indicators {
            next.indicators.insert(
                indicator.meta.id.clone(),
                UploadedIndicator {
                    indicator,
                    provenance: provenance.clone(),
                },
            );
        }
        next
    }

    /// The overlay without uploaded indicator `id` (a built indicator of that id comes back).
    pub fn without_indicator(&self, id: &str) -> Result<Uploads, UploadError> {
        let mut next = self.clone();
        if next.indicators.remove(id).is_none() {
            return Err(UploadError::NotUploaded {
                id: id.into(),
                uploaded: self.uploaded_ids(),
            });
        }
        Ok(next)
    }

    /// The overlay with a service's reach added (replacing an upload of the same service).
    pub fn with_reach(
        &self,
        indicator: Indicator,
        summary: ReachSummary,
        provenance: &Provenance,
    ) -> Uploads {
        let mut next = self.clone();
        next.reach.insert(
            summary.indicator_id.clone(),
            UploadedReach {
                indicator,
                summary,
                provenance: provenance.clone(),
            },
        );
        next
    }

    /// The overlay with the sites replaced.
    pub fn with_sites(&self, sites: Vec<Site>, provenance: &Provenance) -> Uploads {
        let mut next = self.clone();
        next.sites = Some(UploadedSites {
            sites,
            provenance: provenance.clone(),
        });
        next
    }

    fn uploaded_ids(&self) -> String {
        if self.indicators.is_empty() {
            "none".into()
        } else {
            self.indicators
                .keys()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        }
    }
}

/// Read an uploaded indicator file against the dataset's areas, with every check of the
/// build's loaders (line and field in every error). Area codes must be areas of the dataset:
/// an upload cannot add geography.
pub fn parse_indicators(
    base: &Dataset,
    bytes: &[u8],
    upload: &IndicatorUpload,
) -> Result<Vec<Indicator>, UploadError> {
    let name = Path::new(&upload.file);
    let format = match upload.format {
        Some(f) => f,
        None => {
            let text = String::from_utf8_lossy(&bytes[..bytes.len().min(64 * 1024)]);
            let header = text.lines().next().unwrap_or("");
            detect_format(header).ok_or_else(|| UploadError::UnknownFormat {
                name: upload.file.clone(),
                header: header.chars().take(200).collect(),
            })?
        }
    };
    let level = upload.level.unwrap_or(base.meta.default_level);
    let layer = base
        .layer(level)
        .ok_or_else(|| UploadError::LevelNotLoaded {
            level,
            loaded: base.levels_list(),
        })?;
    let area_codes: HashSet<String> = layer.areas.iter().map(|a| a.code.clone()).collect();
    let ctx = AreaContext {
        level,
        area_codes: &area_codes,
        national_codes: &area_codes,
        county_codes: &base.meta.area_of_interest,
    };
    let mut config = IndicatorConfig {
        source: None,
        path: None,
        format,
        level,
        synthetic: false,
        meta: BTreeMap::new(),
    };
    let source_id = format!("upload:{}", upload.file);
    let indicators = load_indicator_bytes(name, bytes, &config, &source_id, &ctx)?;
    if !has_overrides(&upload.meta) {
        return Ok(indicators);
    }
    // The overrides change how values are computed (multiplier, value type): read again with
    // them set for every indicator the file holds.
    config.meta = indicators
        .iter()
        .map(|i| (i.meta.id.clone(), upload.meta.clone()))
        .collect();
    Ok(load_indicator_bytes(
        name, bytes, &config, &source_id, &ctx,
    )?)
}

fn has_overrides(meta: &IndicatorMetaConfig) -> bool {
    meta.name.is_some()
        || meta.short_name.is_some()
        || meta.value_type.is_some()
        || meta.multiplier.is_some()
        || meta.polarity.is_some()
        || meta.unit.is_some()
        || meta.period.is_some()
        || meta.standardisation.is_some()
        || meta.standard_population.is_some()
}

/// Read uploaded service-use records (`postcode,date,service[,age_band][,count]`) and
/// aggregate them into `spec.service`'s reach indicator and summary, with the build's checks
/// (line and field in every error). The bytes are not kept.
pub fn parse_reach(
    base: &Dataset,
    file: &str,
    bytes: &[u8],
    spec: &crate::ingest::reach::ReachSpec,
) -> Result<(Indicator, ReachSummary), UploadError> {
    Ok(crate::ingest::reach::load_reach_bytes(
        Path::new(file),
        bytes,
        spec,
        base,
    )?)
}

/// Read an uploaded sites CSV (`id,name,kind,postcode,lon,lat,existing`), placing sites by
/// lon/lat or by the dataset's postcodes.
pub fn parse_sites(
    base: &Dataset,
    file: &str,
    bytes: &[u8],
    illustrative: bool,
) -> Result<Vec<Site>, UploadError> {
    let to_bng =
        Reprojection::new(WGS84, BNG).map_err(|e| UploadError::Projection(e.to_string()))?;
    let sites = crate::ingest::sites::load_sites_bytes(
        Path::new(file),
        bytes,
        illustrative,
        |pc| base.postcode(pc).cloned(),
        |lon, lat| to_bng.point(lon, lat),
    )?;
    Ok(sites)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn an_overlay_written_before_reach_uploads_still_loads() {
        #[derive(Serialize)]
        struct Old {
            indicators: BTreeMap<String, UploadedIndicator>,
            sites: Option<UploadedSites>,
        }
        let base = durham();
        let provenance = Provenance {
            by: "tester".into(),
            at: "2026-01-01T00:00:00Z".into(),
            file: "sites.csv".into(),
        };
        let old = Old {
            indicators: BTreeMap::new(),
            sites: Some(UploadedSites {
                sites: base.sites[..2].to_vec(),
                provenance,
            }),
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.uploads");
        let bytes = crate::snapshot::encode_checked(MAGIC, &old).unwrap();
        crate::snapshot::write_bytes_atomic(&path, &bytes).unwrap();
        let loaded = Uploads::load(&path).unwrap();
        assert_eq!(loaded.sites.unwrap().sites.len(), 2);
        assert!(loaded.reach.is_empty());
    }
    use crate::test_support::durham;

    fn tidy_upload(base: &Dataset) -> Vec<u8> {
        let layer = base.layer(base.meta.default_level).unwrap();
        let mut csv = String::from("area_code,indicator_id,period,count,denominator\n");
        for (i, area) in layer.areas.iter().enumerate() {
            csv.push_str(&format!(
                "{},uploaded-test,2024/25,{},{}\n",
                area.code,
                10 + i % 7,
                200
            ));
        }
        csv.into_bytes()
    }

    #[test]
    fn an_uploaded_tidy_file_becomes_an_indicator_over_the_built_dataset() {
        let base = durham();
        let upload = IndicatorUpload {
            file: "mine.csv".into(),
            ..IndicatorUpload::default()
        };
        let indicators = parse_indicators(base, &tidy_upload(base), &upload).unwrap();
        assert_eq!(indicators.len(), 1);
        let provenance = Provenance {
            by: "alice".into(),
            at: "2026-01-01T00:00:00Z".into(),
            file: "mine.csv".into(),
        };
        let overlay = Uploads::default().with_indicators(indicators, &provenance);
        let applied = overlay.apply(base);
        assert_eq!(applied.indicators.len(), base.indicators.len() + 1);
        let ind = applied.indicator("uploaded-test").unwrap();
        assert_eq!(
            ind.values.len(),
            base.layer(base.meta.default_level).unwrap().areas.len()
        );
        assert!((ind.values[0].value.unwrap() - 10.0 / 200.0 * 100.0).abs() < 1e-9);
        overlay.check_against(base, Path::new("x.uploads")).unwrap();
        let back = overlay
            .without_indicator("uploaded-test")
            .unwrap()
            .apply(base);
        assert_eq!(back.indicators.len(), base.indicators.len());
        assert!(overlay.without_indicator("nope").is_err());
    }

    #[test]
    fn the_overlay_file_round_trips_and_detects_damage() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("durham.uploads");
        assert!(Uploads::load(&path).unwrap().indicators.is_empty());
        let base = durham();
        let indicators = parse_indicators(
            base,
            &tidy_upload(base),
            &IndicatorUpload {
                file: "mine.csv".into(),
                ..IndicatorUpload::default()
            },
        )
        .unwrap();
        let p = Provenance {
            by: "env".into(),
            at: "now".into(),
            file: "mine.csv".into(),
        };
        let overlay = Uploads::default().with_indicators(indicators, &p);
        overlay.save(&path).unwrap();
        let back = Uploads::load(&path).unwrap();
        assert_eq!(back.indicators["uploaded-test"].provenance, p);
        let mut bytes = std::fs::read(&path).unwrap();
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0xff;
        std::fs::write(&path, bytes).unwrap();
        let err = Uploads::load(&path).unwrap_err();
        assert!(err.to_string().contains("checksum"), "{err}");
    }

    #[test]
    fn a_bad_row_names_the_upload_line_and_field() {
        let base = durham();
        let code = &base.layer(base.meta.default_level).unwrap().areas[0].code;
        let csv =
            format!("area_code,indicator_id,period,count,denominator\n{code},x,2024,ten,100\n");
        let err = parse_indicators(
            base,
            csv.as_bytes(),
            &IndicatorUpload {
                file: "bad.csv".into(),
                ..IndicatorUpload::default()
            },
        )
        .unwrap_err();
        assert!(
            err.to_string().starts_with("bad.csv:2: field \"count\""),
            "{err}"
        );
    }
}

//! Search by area name or code, or by postcode: what the search box and `/api/search` return.

use super::dataset::PublicDataset;
use super::error::PublicError;
use super::profile::bbox;
use crate::dataset::Dataset;
use crate::level::Level;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct SearchHit {
    /// "area", "locality" or "postcode".
    pub kind: String,
    pub code: String,
    pub name: String,
    /// Level id of an area; null for postcodes.
    pub level: Option<String>,
    pub lon: f64,
    pub lat: f64,
    /// `[west, south, east, north]` for areas.
    pub bbox: Option<[f64; 4]>,
}

/// Most results a search returns.
pub const SEARCH_LIMIT: usize = 10;

impl PublicDataset {
    /// Up to [`SEARCH_LIMIT`] areas, localities and postcodes matching `text` (2 to 100
    /// characters).
    pub fn search(&self, text: &str) -> Result<Vec<SearchHit>, PublicError> {
        let text = text.trim();
        if text.chars().count() < 2 || text.len() > 100 {
            return Err(PublicError::BadSearch);
        }
        Ok(search_dataset(self.dataset(), text))
    }
}

/// Postcode first (exact), then areas: exact code, name prefix, then any substring
/// of name, ONS name or code; case-insensitive; at most [`SEARCH_LIMIT`].
fn search_dataset(d: &Dataset, text: &str) -> Vec<SearchHit> {
    let needle = text.to_lowercase();
    let mut hits: Vec<(u8, SearchHit)> = Vec::new();
    if let Some(p) = d.postcode(text) {
        hits.push((
            0,
            SearchHit {
                kind: "postcode".into(),
                code: p.postcode.clone(),
                name: p.postcode.clone(),
                level: None,
                lon: p.lon,
                lat: p.lat,
                bbox: None,
            },
        ));
    }
    for layer in &d.layers {
        for area in &layer.areas {
            let code = area.code.to_lowercase();
            let name = area.name.to_lowercase();
            let ons = area.ons_name.to_lowercase();
            let rank = if code == needle {
                1
            } else if name.starts_with(&needle) {
                2
            } else if name.contains(&needle) || ons.contains(&needle) || code.contains(&needle) {
                3
            } else {
                continue;
            };
            hits.push((
                rank,
                SearchHit {
                    kind: if layer.level == Level::Locality {
                        "locality".into()
                    } else {
                        "area".into()
                    },
                    code: area.code.clone(),
                    name: area.name.clone(),
                    level: Some(layer.level.as_str().into()),
                    lon: area.centroid[0],
                    lat: area.centroid[1],
                    bbox: bbox(area),
                },
            ));
        }
    }
    hits.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.name.cmp(&b.1.name)));
    hits.into_iter()
        .take(SEARCH_LIMIT)
        .map(|(_, h)| h)
        .collect()
}

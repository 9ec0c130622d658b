//! Service sites: CSV `id,name,kind,postcode,lon,lat,existing`. A site is placed by lon/lat
//! when given, else geocoded from its postcode (Code-Point Open).

use super::csvfile::{field, Csv};
use super::IngestError;
use crate::dataset::{Postcode, Site};
use std::path::Path;

/// Read sites; `geocode` finds a postcode's position.
pub fn load_sites(
    path: &Path,
    illustrative: bool,
    geocode: impl Fn(&str) -> Option<Postcode>,
    to_bng: impl Fn(f64, f64) -> Option<(f64, f64)>,
) -> Result<Vec<Site>, IngestError> {
    let csv = Csv::read(path, SITES_EXPECTED)?;
    sites_from_csv(&csv, illustrative, geocode, to_bng)
}

const SITES_EXPECTED: &str = "a sites CSV with columns id,name,kind,postcode,lon,lat,existing";

/// Load sites from bytes already in memory (an upload), named `name` in every error; the same
/// checks as [`load_sites`].
pub fn load_sites_bytes(
    name: &Path,
    bytes: &[u8],
    illustrative: bool,
    geocode: impl Fn(&str) -> Option<Postcode>,
    to_bng: impl Fn(f64, f64) -> Option<(f64, f64)>,
) -> Result<Vec<Site>, IngestError> {
    let text = super::text::decode_text(name, bytes, SITES_EXPECTED)?;
    let csv = Csv::parse(name, &text, SITES_EXPECTED)?;
    sites_from_csv(&csv, illustrative, geocode, to_bng)
}

fn sites_from_csv(
    csv: &Csv,
    illustrative: bool,
    geocode: impl Fn(&str) -> Option<Postcode>,
    to_bng: impl Fn(f64, f64) -> Option<(f64, f64)>,
) -> Result<Vec<Site>, IngestError> {
    let path = csv.path.as_path();
    let (c_id, c_name, c_kind, c_pc, c_lon, c_lat, c_existing) = (
        csv.col("id")?,
        csv.col("name")?,
        csv.col("kind")?,
        csv.col("postcode")?,
        csv.col("lon")?,
        csv.col("lat")?,
        csv.col("existing")?,
    );
    let mut sites = Vec::new();
    for (line, r) in &csv.records {
        let line = *line;
        let get = |i: usize| field(r, i).to_string();
        let postcode = Some(get(c_pc)).filter(|p| !p.is_empty());
        let lon = super::parse_opt_f64(path, line, "lon", &get(c_lon))?;
        let lat = super::parse_opt_f64(path, line, "lat", &get(c_lat))?;
        let existing = match get(c_existing).to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => true,
            "false" | "no" | "0" | "" => false,
            other => {
                return Err(IngestError::BadValue {
                    path: path.into(),
                    line,
                    field: "existing".into(),
                    value: other.into(),
                    expected: "true or false".into(),
                })
            }
        };
        let (lon, lat, easting, northing) = match (lon, lat, &postcode) {
            (Some(lon), Some(lat), _) => {
                if !(-8.7..=2.0).contains(&lon) || !(49.8..=60.9).contains(&lat) {
                    return Err(IngestError::BadValue {
                        path: path.into(),
                        line,
                        field: "lon/lat".into(),
                        value: format!("{lon}, {lat}"),
                        expected: "WGS84 longitude/latitude in Great Britain (did you give eastings/northings?)".into(),
                    });
                }
                let (e, n) = to_bng(lon, lat).unwrap_or((0.0, 0.0));
                (lon, lat, e, n)
            }
            (_, _, Some(pc)) => {
                let found = geocode(pc).ok_or_else(|| IngestError::BadValue {
                    path: path.into(),
                    line,
                    field: "postcode".into(),
                    value: pc.clone(),
                    expected: "a live postcode in the area of interest (or give lon and lat)"
                        .into(),
                })?;
                (found.lon, found.lat, found.easting, found.northing)
            }
            _ => {
                return Err(IngestError::BadValue {
                    path: path.into(),
                    line,
                    field: "postcode".into(),
                    value: String::new(),
                    expected: "a postcode, or both lon and lat".into(),
                })
            }
        };
        sites.push(Site {
            id: get(c_id),
            name: get(c_name),
            kind: get(c_kind),
            postcode,
            lon,
            lat,
            easting,
            northing,
            existing,
            illustrative,
        });
    }
    Ok(sites)
}

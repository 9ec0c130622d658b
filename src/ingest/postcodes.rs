//! Postcodes: OS Code-Point Open locations (BNG metres) joined to the ONS postcode→LSOA/MSOA
//! lookup, kept for the area of interest only. Positions are reprojected to WGS84 with GDAL.

use super::reproject::{Reprojection, BNG, WGS84};
use super::table::Table;
use super::IngestError;
use crate::dataset::Postcode;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Live postcodes whose LA is in `las`, sorted by postcode.
pub fn load_postcodes(
    codepoint: &Path,
    ons_lookup: &Path,
    las: &HashSet<String>,
) -> Result<Vec<Postcode>, IngestError> {
    let lookup = Table::read(ons_lookup)?;
    let pcds = lookup.strings("pcds")?;
    let doterm = lookup.strings("doterm")?;
    let lsoa = lookup.strings("lsoa11cd")?;
    let msoa = lookup.strings("msoa11cd")?;
    let mut ons: HashMap<String, (String, String)> = HashMap::new();
    for i in 0..pcds.len() {
        if doterm[i].is_empty() {
            ons.insert(
                pcds[i].to_ascii_uppercase(),
                (lsoa[i].clone(), msoa[i].clone()),
            );
        }
    }
    let cp = Table::read(codepoint)?;
    let codes = cp.strings("Postcode")?;
    let eastings = cp.numbers("Eastings")?;
    let northings = cp.numbers("Northings")?;
    let districts = cp.strings("Admin_district_code")?;
    let gdal_err = |e: gdal::errors::GdalError| IngestError::Gdal {
        path: codepoint.to_path_buf(),
        action: "reproject postcodes".into(),
        message: e.to_string(),
    };
    let transform = Reprojection::new(BNG, WGS84).map_err(gdal_err)?;

    let keep: Vec<usize> = (0..codes.len())
        .filter(|&i| las.contains(&districts[i]) && eastings[i] > 0.0 && northings[i] > 0.0)
        .collect();
    let mut xs: Vec<f64> = keep.iter().map(|&i| eastings[i]).collect();
    let mut ys: Vec<f64> = keep.iter().map(|&i| northings[i]).collect();
    transform.points(&mut xs, &mut ys).map_err(gdal_err)?;
    let mut out: Vec<Postcode> = keep
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            let postcode = normalise_postcode(&codes[i]);
            let (lsoa11, msoa11) = ons
                .get(&postcode)
                .cloned()
                .map_or((None, None), |(l, m)| (Some(l), Some(m)));
            Postcode {
                postcode,
                lon: xs[k],
                lat: ys[k],
                easting: eastings[i],
                northing: northings[i],
                lsoa11,
                msoa11,
            }
        })
        .collect();
    out.sort_by(|a, b| a.postcode.cmp(&b.postcode));
    out.dedup_by(|a, b| a.postcode == b.postcode);
    Ok(out)
}

/// Upper case with exactly one space before the inward code ("dh11ab" → "DH1 1AB").
pub use crate::dataset::normalise_postcode;

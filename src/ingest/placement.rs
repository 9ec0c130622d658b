//! Placement inputs: bring-your-own demand and site CSVs, and travel-time matrices.
//!
//! - **Demand** (`--demand D.csv`): columns found by name: `id`; `x,y` (EPSG:27700 metres) or
//!   `lon,lat` (WGS84); `weight` (≥ 0, used as given); optional `imd_quintile` (1 = most
//!   deprived … 5) and `name`. Other columns are ignored.
//! - **Sites** (`--candidates C.csv`, `--existing E.csv`): `id`; `x,y` or `lon,lat`, or a
//!   `postcode` geocoded from the Dataset's live postcodes; optional `name`.
//! - **Matrix** (`--matrix M.csv`): `origin,site,minutes`: origins are demand ids, sites are
//!   site ids; minutes finite and ≥ 0; every demand point and every site must appear at least
//!   once; pairs not listed are unreachable.
//!
//! `x,y` are used exactly as given (so results can be compared with other tools on the same
//! instance); `lon,lat` are projected to EPSG:27700 with GDAL (PROJ). Every point must lie
//! within England's extent on the British National Grid (eastings 79,000–656,000, northings
//! 5,000–658,000): this catches swapped columns, lon/lat given as x/y, and places in Scotland
//! north of the border's latitude or abroad; it is a box, so a point in Wales passes it.

use super::csvfile::{field, Csv};
use super::reproject::{Reprojection, BNG, WGS84};
use super::IngestError;
use crate::dataset::Postcode;
use crate::place::{DemandPoint, SitePoint, TravelTimes};
use std::collections::HashMap;
use std::path::Path;

/// Finds a live postcode's position (the Dataset's postcodes).
pub type Geocoder<'a> = &'a dyn Fn(&str) -> Option<Postcode>;

/// England's extent on the British National Grid (metres), with a margin of about 1 km.
pub const ENGLAND_BNG: ([f64; 2], [f64; 2]) = ([79_000.0, 656_000.0], [5_000.0, 658_000.0]);

/// Project WGS84 lon/lat pairs to EPSG:27700, or back (`inverse`).
fn project(points: &mut [[f64; 2]], inverse: bool, path: &Path) -> Result<(), IngestError> {
    let mut xs: Vec<f64> = points.iter().map(|p| p[0]).collect();
    let mut ys: Vec<f64> = points.iter().map(|p| p[1]).collect();
    let action = "project coordinates between WGS84 and EPSG:27700";
    let (from, to) = if inverse { (BNG, WGS84) } else { (WGS84, BNG) };
    Reprojection::new(from, to)
        .and_then(|r| r.points(&mut xs, &mut ys))
        .map_err(|e| IngestError::Gdal {
            path: path.to_path_buf(),
            action: action.to_string(),
            message: e.to_string(),
        })?;
    for (p, (x, y)) in points.iter_mut().zip(xs.into_iter().zip(ys)) {
        *p = [x, y];
    }
    Ok(())
}

/// How a file gives positions.
enum Position {
    Bng(usize, usize),
    LonLat(usize, usize),
    Postcode(usize),
}

/// One row's id, name and position as read (before projection).
struct Located {
    line: usize,
    id: String,
    name: String,
    /// BNG x/y, or lon/lat when `lonlat_input`.
    xy: [f64; 2],
    lonlat_input: bool,
    /// Known lon/lat (from a postcode).
    lonlat: Option<[f64; 2]>,
}

fn number(
    path: &Path,
    line: usize,
    name: &str,
    raw: &str,
    expected: &str,
) -> Result<f64, IngestError> {
    match raw.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(IngestError::BadValue {
            path: path.to_path_buf(),
            line,
            field: name.to_string(),
            value: raw.to_string(),
            expected: expected.to_string(),
        }),
    }
}

fn bad(path: &Path, line: usize, name: &str, value: String, expected: &str) -> IngestError {
    IngestError::BadValue {
        path: path.to_path_buf(),
        line,
        field: name.to_string(),
        value,
        expected: expected.to_string(),
    }
}

/// Read ids, names and positions of every row; check ids are present and unique.
fn read_located(csv: &Csv, geocode: Option<Geocoder<'_>>) -> Result<Vec<Located>, IngestError> {
    let path = csv.path.as_path();
    let c_id = csv.col("id")?;
    let c_name = csv.opt_col("name");
    let position = match (
        csv.opt_col("x").zip(csv.opt_col("y")),
        csv.opt_col("lon").zip(csv.opt_col("lat")),
        csv.opt_col("postcode"),
    ) {
        (Some((x, y)), _, _) => Position::Bng(x, y),
        (None, Some((lon, lat)), _) => Position::LonLat(lon, lat),
        (None, None, Some(pc)) if geocode.is_some() => Position::Postcode(pc),
        _ => {
            return Err(IngestError::MissingColumn {
                path: path.to_path_buf(),
                column: if geocode.is_some() {
                    "x,y or lon,lat or postcode"
                } else {
                    "x,y or lon,lat"
                }
                .into(),
                found: csv.header.join(", "),
            })
        }
    };
    let mut first_line: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::with_capacity(csv.records.len());
    for (line, r) in &csv.records {
        let line = *line;
        let id = field(r, c_id).to_string();
        if id.is_empty() {
            return Err(bad(path, line, "id", id, "a non-empty id"));
        }
        if let Some(&first) = first_line.get(&id) {
            return Err(IngestError::Duplicate {
                path: path.to_path_buf(),
                line,
                key: format!("id {id:?}"),
                first_line: first,
            });
        }
        first_line.insert(id.clone(), line);
        let name = c_name.map(|c| field(r, c).to_string()).unwrap_or_default();
        let (xy, lonlat_input, lonlat) = match position {
            Position::Bng(x, y) => {
                let xy = [
                    number(
                        path,
                        line,
                        "x",
                        field(r, x),
                        "an easting in metres (EPSG:27700)",
                    )?,
                    number(
                        path,
                        line,
                        "y",
                        field(r, y),
                        "a northing in metres (EPSG:27700)",
                    )?,
                ];
                (xy, false, None)
            }
            Position::LonLat(lon, lat) => {
                let p = [
                    number(path, line, "lon", field(r, lon), "a WGS84 longitude")?,
                    number(path, line, "lat", field(r, lat), "a WGS84 latitude")?,
                ];
                if !(-8.7..=2.0).contains(&p[0]) || !(49.8..=60.9).contains(&p[1]) {
                    return Err(bad(
                        path,
                        line,
                        "lon/lat",
                        format!("{}, {}", p[0], p[1]),
                        "WGS84 longitude/latitude in Great Britain (for eastings/northings use columns x,y)",
                    ));
                }
                (p, true, Some(p))
            }
            Position::Postcode(pc) => {
                let code = field(r, pc);
                let found = geocode.and_then(|g| g(code)).ok_or_else(|| {
                    bad(
                        path,
                        line,
                        "postcode",
                        code.to_string(),
                        "a live postcode of the area of interest (it is unknown, terminated or elsewhere); give x,y or lon,lat instead",
                    )
                })?;
                (
                    [found.easting, found.northing],
                    false,
                    Some([found.lon, found.lat]),
                )
            }
        };
        out.push(Located {
            line,
            id,
            name,
            xy,
            lonlat_input,
            lonlat,
        });
    }
    // Project lon/lat input to BNG in one batch, then check every point is in England.
    let mut to_project: Vec<[f64; 2]> = out
        .iter()
        .filter(|l| l.lonlat_input)
        .map(|l| l.xy)
        .collect();
    project(&mut to_project, false, path)?;
    for (l, xy) in out.iter_mut().filter(|l| l.lonlat_input).zip(to_project) {
        l.xy = xy;
    }
    let (ex, ey) = ENGLAND_BNG;
    for l in &out {
        let [x, y] = l.xy;
        if !(ex[0]..=ex[1]).contains(&x) || !(ey[0]..=ey[1]).contains(&y) {
            let field_name = if l.lonlat_input { "lon/lat" } else { "x/y" };
            return Err(bad(
                path,
                l.line,
                field_name,
                format!("{x:.0}, {y:.0} (EPSG:27700)"),
                "a place in England (eastings 79,000–656,000, northings 5,000–658,000 on the British National Grid); check the columns are not swapped",
            ));
        }
    }
    // Fill lon/lat for x/y input (for maps).
    let mut missing: Vec<[f64; 2]> = out
        .iter()
        .filter(|l| l.lonlat.is_none())
        .map(|l| l.xy)
        .collect();
    project(&mut missing, true, path)?;
    for (l, ll) in out.iter_mut().filter(|l| l.lonlat.is_none()).zip(missing) {
        l.lonlat = Some(ll);
    }
    Ok(out)
}

/// Read a demand CSV. Returns the points and the line of each.
pub fn load_demand(path: &Path) -> Result<(Vec<DemandPoint>, Vec<usize>), IngestError> {
    let csv = Csv::read(
        path,
        "a demand CSV with columns id, x,y (or lon,lat), weight and optionally imd_quintile",
    )?;
    let c_weight = csv.col("weight")?;
    let c_quintile = csv.opt_col("imd_quintile");
    let located = read_located(&csv, None)?;
    let mut points = Vec::with_capacity(located.len());
    let mut lines = Vec::with_capacity(located.len());
    for (l, (_, r)) in located.into_iter().zip(&csv.records) {
        let weight = number(
            path,
            l.line,
            "weight",
            field(r, c_weight),
            "a number ≥ 0 (the demand weight)",
        )?;
        if weight < 0.0 {
            return Err(IngestError::Negative {
                path: path.to_path_buf(),
                line: l.line,
                field: "weight".into(),
                value: weight,
            });
        }
        let quintile = match c_quintile.map(|c| field(r, c)).filter(|q| !q.is_empty()) {
            None => None,
            Some(q) => match q.parse::<u8>() {
                Ok(v @ 1..=5) => Some(v),
                _ => {
                    return Err(bad(
                        path,
                        l.line,
                        "imd_quintile",
                        q.to_string(),
                        "1 (most deprived) to 5, or empty",
                    ))
                }
            },
        };
        lines.push(l.line);
        points.push(DemandPoint {
            id: l.id,
            name: l.name,
            x: l.xy[0],
            y: l.xy[1],
            lonlat: l.lonlat,
            weight,
            quintile,
            children: None,
        });
    }
    Ok((points, lines))
}

/// Read a sites CSV (candidates, or existing sites when `existing`). `geocode` finds a
/// postcode's position when the file gives postcodes.
pub fn load_site_points(
    path: &Path,
    existing: bool,
    geocode: Option<Geocoder<'_>>,
) -> Result<Vec<SitePoint>, IngestError> {
    let csv = Csv::read(
        path,
        "a sites CSV with columns id and x,y (or lon,lat, or postcode)",
    )?;
    Ok(site_points(read_located(&csv, geocode)?, existing))
}

/// Site points given inline rather than in a file (an API request body, a what-if site on the
/// map): `rows` of values under `header`, read exactly like a sites CSV (same columns, same
/// checks). Errors name `source` as the file and the row's 1-based position as the line.
pub fn site_points_from_rows(
    source: &str,
    header: &[&str],
    rows: &[Vec<String>],
    existing: bool,
    geocode: Option<Geocoder<'_>>,
) -> Result<Vec<SitePoint>, IngestError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let csv = Csv {
        path: source.into(),
        header: header.iter().map(|h| h.to_string()).collect(),
        records: rows
            .iter()
            .enumerate()
            .map(|(i, r)| (i + 1, csv::StringRecord::from(r.clone())))
            .collect(),
    };
    Ok(site_points(read_located(&csv, geocode)?, existing))
}

fn site_points(located: Vec<Located>, existing: bool) -> Vec<SitePoint> {
    located
        .into_iter()
        .map(|l| SitePoint {
            id: l.id,
            name: l.name,
            x: l.xy[0],
            y: l.xy[1],
            lonlat: l.lonlat,
            existing,
        })
        .collect()
}

/// Read a travel-time matrix over the given demand and site ids (in instance order).
pub fn load_matrix(
    path: &Path,
    radius_minutes: f64,
    demand_ids: &[&str],
    site_ids: &[&str],
) -> Result<TravelTimes, IngestError> {
    let csv = Csv::read(
        path,
        "a travel-time matrix CSV with columns origin,site,minutes",
    )?;
    let (c_origin, c_site, c_minutes) = (csv.col("origin")?, csv.col("site")?, csv.col("minutes")?);
    let origin_index: HashMap<&str, usize> = demand_ids
        .iter()
        .enumerate()
        .map(|(i, &id)| (id, i))
        .collect();
    let site_index: HashMap<&str, usize> = site_ids
        .iter()
        .enumerate()
        .map(|(j, &id)| (id, j))
        .collect();
    let mut seen: HashMap<(usize, usize), usize> = HashMap::new();
    let mut pairs = Vec::with_capacity(csv.records.len());
    for (line, r) in &csv.records {
        let line = *line;
        let origin = field(r, c_origin);
        let i = *origin_index.get(origin).ok_or_else(|| {
            bad(
                path,
                line,
                "origin",
                origin.to_string(),
                &format!("the id of a demand point ({} known)", demand_ids.len()),
            )
        })?;
        let site = field(r, c_site);
        let j = *site_index.get(site).ok_or_else(|| {
            bad(
                path,
                line,
                "site",
                site.to_string(),
                &format!(
                    "the id of a candidate or existing site ({} known)",
                    site_ids.len()
                ),
            )
        })?;
        let raw = field(r, c_minutes);
        let minutes = number(
            path,
            line,
            "minutes",
            raw,
            "a travel time in minutes (a number ≥ 0)",
        )?;
        if minutes < 0.0 {
            return Err(IngestError::Negative {
                path: path.to_path_buf(),
                line,
                field: "minutes".into(),
                value: minutes,
            });
        }
        if let Some(&first) = seen.get(&(i, j)) {
            return Err(IngestError::Duplicate {
                path: path.to_path_buf(),
                line,
                key: format!("origin {origin:?} and site {site:?}"),
                first_line: first,
            });
        }
        seen.insert((i, j), line);
        pairs.push((i, j, minutes));
    }
    let mut has_origin = vec![false; demand_ids.len()];
    let mut has_site = vec![false; site_ids.len()];
    for &(i, j, _) in &pairs {
        has_origin[i] = true;
        has_site[j] = true;
    }
    if let Some(i) = has_origin.iter().position(|&h| !h) {
        return Err(IngestError::Invalid {
            path: path.to_path_buf(),
            message: format!(
                "column \"origin\": demand point {:?} has no row; every demand point needs at least one origin,site,minutes row (list the sites it can reach)",
                demand_ids[i]
            ),
        });
    }
    if let Some(j) = has_site.iter().position(|&h| !h) {
        return Err(IngestError::Invalid {
            path: path.to_path_buf(),
            message: format!(
                "column \"site\": site {:?} has no row; every candidate and existing site needs at least one origin,site,minutes row",
                site_ids[j]
            ),
        });
    }
    Ok(TravelTimes::new(
        radius_minutes,
        demand_ids.len(),
        site_ids.len(),
        pairs,
    ))
}

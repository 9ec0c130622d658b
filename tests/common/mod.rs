//! Test fixture: a County Durham [`Dataset`] built directly from the shared data mirror
//! (`../shared/data`): the 66 MSOA 2011 boundaries, House of Commons Library names, IMD 2019
//! MSOA scores ranked nationally, mid-2020 population, the five synthetic demo indicators,
//! Code-Point Open postcodes and two illustrative sites.
//!
//! This is the minimum the HTTP tests need without the full build pipeline; the LA layer is
//! the MSOA polygons collected (not dissolved).
#![allow(dead_code, clippy::unwrap_used)]

use gapmap::dataset::*;
use gapmap::imd::{self, AreaImd, ImdEdition};
use gapmap::level::Level;
use geo::{MultiPolygon, Polygon};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub fn data_dir() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    for candidate in [
        manifest.join("../shared/data"),
        PathBuf::from("/work/shared/data"),
    ] {
        if candidate.join("MANIFEST.md").exists() {
            return candidate;
        }
    }
    panic!("shared data mirror not found (expected ../shared/data)");
}

fn gz_csv(path: &Path) -> csv::Reader<Box<dyn Read>> {
    let file = std::fs::File::open(path).unwrap();
    let reader: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::GzDecoder::new(file))
    } else {
        Box::new(file)
    };
    csv::Reader::from_reader(reader)
}

fn rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut r = gz_csv(path);
    let headers: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

fn opt_f64(s: &str) -> Option<f64> {
    s.trim().parse().ok()
}

/// The Durham fixture, built once per test binary.
pub fn durham() -> &'static Dataset {
    static D: OnceLock<Dataset> = OnceLock::new();
    D.get_or_init(build_durham)
}

pub fn build_durham() -> Dataset {
    let data = data_dir();

    // HCL names and local quintiles.
    let quintiles: HashMap<String, (String, u8)> =
        rows(&data.join("indicators/durham_msoa_imd_quintiles.csv"))
            .into_iter()
            .map(|r| {
                (
                    r["MSOA11CD"].clone(),
                    (
                        r["MSOA11HCLNM"].clone(),
                        r["Local IMD quintile (1 = most deprived)"].parse().unwrap(),
                    ),
                )
            })
            .collect();

    // National IMD 2019 MSOA scores, ranked among all 6,791 English MSOAs.
    let imd_rows = rows(&data.join("imd/imd2019_england_msoa11.csv.gz"));
    let scores: Vec<f64> = imd_rows
        .iter()
        .map(|r| r["Score"].parse().unwrap())
        .collect();
    let ranks = imd::rank_descending(&scores);
    let n = u32::try_from(scores.len()).unwrap();
    let domain_cols = [
        "Income_Score",
        "Employment_Score",
        "Education_Score",
        "Health_Score",
        "Crime_Score",
        "Housing_and_Access_Score",
        "Environment_Score",
    ];
    let imd_by_code: HashMap<String, (f64, u32, [f64; 7])> = imd_rows
        .iter()
        .zip(&ranks)
        .map(|(r, &rank)| {
            let mut d = [0.0; 7];
            for (k, c) in domain_cols.iter().enumerate() {
                d[k] = r[*c].parse().unwrap();
            }
            (
                r["msoa11_code"].clone(),
                (r["Score"].parse().unwrap(), rank, d),
            )
        })
        .collect();

    let population: HashMap<String, Population> =
        rows(&data.join("population/population20_msoa11.csv.gz"))
            .into_iter()
            .filter(|r| quintiles.contains_key(&r["msoa11_code"]))
            .map(|r| {
                let mut ages = [0u32; 20];
                for (a, slot) in ages.iter_mut().enumerate() {
                    *slot = r[&a.to_string()].parse().unwrap();
                }
                (
                    r["msoa11_code"].clone(),
                    Population {
                        year: 2020,
                        total: r["total_population"].parse().unwrap(),
                        ages_0_19: ages,
                    },
                )
            })
            .collect();

    let text = std::fs::read_to_string(data.join("boundaries/durham_msoa11.geojson")).unwrap();
    let fc: geojson::FeatureCollection = text.parse().unwrap();
    let mut areas: Vec<Area> = fc
        .features
        .iter()
        .map(|f| {
            let p = f.properties.as_ref().unwrap();
            let s = |k: &str| p[k].as_str().unwrap().to_string();
            let num = |k: &str| p[k].as_f64().unwrap();
            let code = s("MSOA11CD");
            let geometry: geo::Geometry<f64> = f.geometry.clone().unwrap().try_into().unwrap();
            let geometry = match geometry {
                geo::Geometry::Polygon(p) => MultiPolygon(vec![p]),
                geo::Geometry::MultiPolygon(m) => m,
                other => panic!("unexpected geometry {other:?}"),
            };
            let (score, rank, domains) = imd_by_code[&code];
            let decile = imd::decile_from_rank(rank, n);
            let (hcl, local_quintile) = quintiles[&code].clone();
            Area {
                name: hcl,
                ons_name: s("MSOA11NM"),
                area_m2: {
                    use geo::GeodesicArea;
                    geometry.geodesic_area_unsigned()
                },
                centroid: [num("LONG"), num("LAT")],
                centroid_bng: [num("BNG_E"), num("BNG_N")],
                population: population.get(&code).cloned(),
                imd: vec![AreaImd {
                    edition: ImdEdition::Imd2019,
                    score,
                    rank,
                    rank_of: n,
                    decile,
                    quintile: imd::quintile_from_rank(rank, n),
                    local_quintile,
                    most_deprived_30pct: decile <= 3,
                    domain_scores: domains,
                }],
                locality: None,
                members: vec![],
                geometry,
                code,
            }
        })
        .collect();
    areas.sort_by(|a, b| a.code.cmp(&b.code));

    let la_polygons: Vec<Polygon<f64>> = areas
        .iter()
        .flat_map(|a| a.geometry.0.iter().cloned())
        .collect();
    let total: u32 = areas
        .iter()
        .filter_map(|a| a.population.as_ref())
        .map(|p| p.total)
        .sum();
    let mut ages = [0u32; 20];
    for p in areas.iter().filter_map(|a| a.population.as_ref()) {
        for (k, v) in p.ages_0_19.iter().enumerate() {
            ages[k] += v;
        }
    }
    let la = Area {
        code: "E06000047".into(),
        name: "County Durham".into(),
        ons_name: "County Durham".into(),
        geometry: MultiPolygon(la_polygons),
        area_m2: areas.iter().map(|a| a.area_m2).sum(),
        centroid: [-1.8406, 54.6854],
        centroid_bng: [418000.0, 537000.0],
        population: Some(Population {
            year: 2020,
            total,
            ages_0_19: ages,
        }),
        imd: vec![],
        locality: None,
        members: areas.iter().map(|a| a.code.clone()).collect(),
    };

    let indicators = load_demo_indicators(&data.join("indicators/durham_msoa_demo_indicators.csv"));
    let sites = vec![
        site(
            "fh-1",
            "Fixture Family Hub A",
            "family_hub",
            &areas[10],
            true,
        ),
        site(
            "op-1",
            "Fixture outreach point B",
            "outreach",
            &areas[40],
            true,
        ),
    ];
    let postcodes = load_postcodes(&data);

    Dataset {
        meta: DatasetMeta {
            snapshot_version: SNAPSHOT_VERSION,
            name: "County Durham".into(),
            area_of_interest: vec!["E06000047".into()],
            default_level: Level::Msoa11,
            suppress_max_count: 4,
            built_at: "2025-01-01T00:00:00Z".into(),
            config_sha256: "fixture".into(),
            sources: vec![
                SourceRecord {
                    id: "boundaries".into(),
                    title: "MSOA (Dec 2011) Boundaries EW BGC".into(),
                    publisher: "ONS".into(),
                    licence: "OGL-UK-3.0".into(),
                    attribution: "Source: Office for National Statistics licensed under the Open Government Licence v.3.0; Contains OS data © Crown copyright and database right 2025".into(),
                    sha256: String::new(),
                },
                SourceRecord {
                    id: "imd2019".into(),
                    title: "English Indices of Deprivation 2019".into(),
                    publisher: "MHCLG".into(),
                    licence: "OGL-UK-3.0".into(),
                    attribution: "Contains public sector information licensed under the Open Government Licence v3.0".into(),
                    sha256: String::new(),
                },
            ],
            locality_scheme: None,
        },
        layers: vec![
            Layer::new(Level::Msoa11, areas, vec![ImdEdition::Imd2019]),
            Layer::new(Level::La, vec![la], vec![]),
        ],
        indicators,
        national_by_deprivation: vec![],
        sites,
        postcodes,
    }
}

fn site(id: &str, name: &str, kind: &str, area: &Area, existing: bool) -> Site {
    Site {
        id: id.into(),
        name: name.into(),
        kind: kind.into(),
        postcode: None,
        lon: area.centroid[0],
        lat: area.centroid[1],
        easting: area.centroid_bng[0],
        northing: area.centroid_bng[1],
        existing,
        illustrative: true,
    }
}

pub fn load_demo_indicators(path: &Path) -> Vec<Indicator> {
    let mut by_id: Vec<Indicator> = Vec::new();
    for r in rows(path) {
        let id = r["Indicator ID"].clone();
        if !by_id.iter().any(|i| i.meta.id == id) {
            let name = r["Indicator Name"].clone();
            let short = name
                .split(',')
                .next()
                .unwrap_or(&name)
                .replace(" (synthetic demo)", "");
            by_id.push(Indicator {
                meta: IndicatorMeta {
                    id: id.clone(),
                    short_name: short,
                    name,
                    value_type: ValueType::Proportion,
                    multiplier: 100.0,
                    polarity: if id == "990004" {
                        Polarity::HigherIsBetter
                    } else {
                        Polarity::HigherIsWorse
                    },
                    synthetic: true,
                    level: Level::Msoa11,
                    period: r["Time period"].clone(),
                    sex: r["Sex"].clone(),
                    age: r["Age"].clone(),
                    source_id: "demo".into(),
                    unit: "%".into(),
                },
                values: vec![],
                england: None,
                county: None,
            });
        }
        let Some(ind) = by_id.iter_mut().find(|i| i.meta.id == id) else {
            continue;
        };
        let comparator = || Comparator {
            area_code: r["Area Code"].clone(),
            area_name: r["Area Name"].clone(),
            value: opt_f64(&r["Value"]),
            lower95: opt_f64(&r["Lower CI 95.0 limit"]),
            upper95: opt_f64(&r["Upper CI 95.0 limit"]),
            count: opt_f64(&r["Count"]),
            denominator: opt_f64(&r["Denominator"]),
            note: r["Value note"].clone(),
        };
        match r["Area Type"].as_str() {
            "MSOA" => ind.values.push(IndicatorValue {
                area_code: r["Area Code"].clone(),
                count: opt_f64(&r["Count"]),
                denominator: opt_f64(&r["Denominator"]),
                value: opt_f64(&r["Value"]),
                lower95: opt_f64(&r["Lower CI 95.0 limit"]),
                upper95: opt_f64(&r["Upper CI 95.0 limit"]),
                lower998: opt_f64(&r["Lower CI 99.8 limit"]),
                upper998: opt_f64(&r["Upper CI 99.8 limit"]),
            }),
            "England" => ind.england = Some(comparator()),
            _ => ind.county = Some(comparator()),
        }
    }
    for i in &mut by_id {
        i.values.sort_by(|a, b| a.area_code.cmp(&b.area_code));
    }
    by_id
}

/// Live Durham postcodes (ONS lookup) located by Code-Point Open, reprojected with GDAL.
fn load_postcodes(data: &Path) -> Vec<Postcode> {
    let ons: HashMap<String, (String, String)> =
        rows(&data.join("postcodes/ons_pcd_lsoa_msoa_durham.csv.gz"))
            .into_iter()
            .filter(|r| r["doterm"].is_empty())
            .map(|r| {
                (
                    r["pcds"].clone(),
                    (r["lsoa11cd"].clone(), r["msoa11cd"].clone()),
                )
            })
            .collect();
    let mut out: Vec<Postcode> = rows(&data.join("postcodes/codepoint_dh_dl_ne_sr_ts.csv.gz"))
        .into_iter()
        .filter(|r| r["Admin_district_code"] == "E06000047")
        .filter_map(|r| {
            let (lsoa, msoa) = ons.get(&r["Postcode"])?.clone();
            Some(Postcode {
                postcode: r["Postcode"].clone(),
                lon: 0.0,
                lat: 0.0,
                easting: r["Eastings"].parse().ok()?,
                northing: r["Northings"].parse().ok()?,
                lsoa11: Some(lsoa),
                msoa11: Some(msoa),
            })
        })
        .collect();
    let mut bng = gdal::spatial_ref::SpatialRef::from_epsg(27700).unwrap();
    let mut wgs = gdal::spatial_ref::SpatialRef::from_epsg(4326).unwrap();
    use gdal::spatial_ref::AxisMappingStrategy::TraditionalGisOrder;
    bng.set_axis_mapping_strategy(TraditionalGisOrder);
    wgs.set_axis_mapping_strategy(TraditionalGisOrder);
    let t = gdal::spatial_ref::CoordTransform::new(&bng, &wgs).unwrap();
    let mut xs: Vec<f64> = out.iter().map(|p| p.easting).collect();
    let mut ys: Vec<f64> = out.iter().map(|p| p.northing).collect();
    t.transform_coords(&mut xs, &mut ys, &mut []).unwrap();
    for (p, (x, y)) in out.iter_mut().zip(xs.into_iter().zip(ys)) {
        p.lon = x;
        p.lat = y;
    }
    out.sort_by(|a, b| a.postcode.cmp(&b.postcode));
    out
}

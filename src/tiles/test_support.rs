//! Test fixtures for the tile engine: real Durham boundaries from the data mirror as a
//! [`Layer`], and an MVT decoder built on geozero (independent of [`super::mvt`]).

use crate::dataset::{Area, Layer};
use crate::imd::{decile_from_rank, quintile_from_rank, rank_descending, AreaImd, ImdEdition};
use crate::level::Level;
use geo::{MultiPolygon, Polygon};
use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;

/// The shared data mirror (see [`crate::test_support::mirror`]).
pub fn shared_data() -> PathBuf {
    crate::test_support::mirror()
}

/// Read a boundary GeoJSON into areas: code, name and geometry from the given properties.
pub fn areas_from_geojson(path: &std::path::Path, code_key: &str, name_key: &str) -> Vec<Area> {
    let text = std::fs::read_to_string(path).unwrap();
    let geojson: geojson::GeoJson = text.parse().unwrap();
    let geojson::GeoJson::FeatureCollection(fc) = geojson else {
        panic!("{} is not a FeatureCollection", path.display());
    };
    fc.features
        .iter()
        .map(|f| {
            let props = f.properties.as_ref().unwrap();
            let value = &f.geometry.as_ref().unwrap().value;
            let geometry = match value {
                geojson::Value::Polygon(_) => MultiPolygon(vec![Polygon::try_from(value).unwrap()]),
                _ => MultiPolygon::try_from(value).unwrap(),
            };
            Area::outline(
                props[code_key].as_str().unwrap().to_string(),
                props[name_key].as_str().unwrap().to_string(),
                geometry,
            )
        })
        .collect()
}

/// IMD 2019 on MSOA 2011 from the mirror's `imd2019_england_msoa11.csv.gz` (population-
/// weighted LSOA scores): national rank/decile/quintile among all 6,791 MSOAs. The local
/// quintile here is by equal *counts* of areas (a fixture simplification; the real loader
/// cuts by population).
fn msoa_imd(codes: &[String]) -> HashMap<String, AreaImd> {
    let mut gz = flate2::read::GzDecoder::new(
        std::fs::File::open(shared_data().join("imd/imd2019_england_msoa11.csv.gz")).unwrap(),
    );
    let mut text = String::new();
    gz.read_to_string(&mut text).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<(String, f64)> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[1].parse().unwrap())
        })
        .collect();
    let scores: Vec<f64> = rows.iter().map(|r| r.1).collect();
    let ranks = rank_descending(&scores);
    let n = rows.len() as u32;
    let national: HashMap<&str, (f64, u32)> = rows
        .iter()
        .zip(&ranks)
        .map(|(r, &rank)| (r.0.as_str(), (r.1, rank)))
        .collect();
    let mut local: Vec<(&String, f64, u32)> = codes
        .iter()
        .filter_map(|c| national.get(c.as_str()).map(|&(s, r)| (c, s, r)))
        .collect();
    local.sort_by_key(|l| l.2);
    let m = local.len() as u32;
    local
        .iter()
        .enumerate()
        .map(|(i, &(code, score, rank))| {
            let decile = decile_from_rank(rank, n);
            (
                code.clone(),
                AreaImd {
                    edition: ImdEdition::Imd2019,
                    score,
                    rank,
                    rank_of: n,
                    decile,
                    quintile: quintile_from_rank(rank, n),
                    local_quintile: quintile_from_rank(i as u32 + 1, m),
                    most_deprived_30pct: decile <= 3,
                    domain_scores: [0.0; 7],
                },
            )
        })
        .collect()
}

/// County Durham's 66 MSOA 2011 areas (ONS generalised clipped boundaries) with IMD 2019.
pub fn durham_msoa11_layer() -> Layer {
    let path = shared_data().join("boundaries/durham_msoa11.geojson");
    let mut areas = areas_from_geojson(&path, "MSOA11CD", "MSOA11NM");
    let codes: Vec<String> = areas.iter().map(|a| a.code.clone()).collect();
    let imd = msoa_imd(&codes);
    for area in &mut areas {
        if let Some(record) = imd.get(&area.code) {
            area.imd.push(record.clone());
        }
    }
    Layer::new(Level::Msoa11, areas, vec![ImdEdition::Imd2019])
}

/// County Durham's 324 LSOA 2011 areas (no IMD attached).
pub fn durham_lsoa11_layer() -> Layer {
    let path = shared_data().join("boundaries/durham_lsoa11.geojson");
    let areas = areas_from_geojson(&path, "LSOA11CD", "LSOA11NM");
    Layer::new(Level::Lsoa11, areas, vec![ImdEdition::Imd2019])
}

/// One decoded feature: id, properties as JSON, polygons in tile coordinates.
#[derive(Debug, Clone)]
pub struct DecodedFeature {
    pub id: u64,
    pub properties: serde_json::Map<String, serde_json::Value>,
    pub geometry: MultiPolygon<f64>,
    /// Raw rings (closed) exactly as encoded, in order, with their surveyor's-formula sign.
    pub rings: Vec<(Vec<[i64; 2]>, i64)>,
}

/// One decoded layer.
#[derive(Debug, Clone)]
pub struct DecodedLayer {
    pub name: String,
    pub extent: u32,
    pub version: u32,
    pub features: Vec<DecodedFeature>,
}

/// Decode a tile with geozero's prost `Tile` message and its MVT geometry reader.
pub fn decode(bytes: &[u8]) -> Vec<DecodedLayer> {
    use geozero::mvt::{tile, Message, Tile};
    use geozero::ToGeo;
    let tile = Tile::decode(bytes).unwrap();
    tile.layers
        .iter()
        .map(|layer| {
            let features = layer
                .features
                .iter()
                .map(|f| {
                    assert_eq!(f.r#type, Some(tile::GeomType::Polygon as i32));
                    let mut properties = serde_json::Map::new();
                    for pair in f.tags.chunks(2) {
                        let key = layer.keys[pair[0] as usize].clone();
                        let v = &layer.values[pair[1] as usize];
                        let value = if let Some(s) = &v.string_value {
                            serde_json::json!(s)
                        } else if let Some(d) = v.double_value {
                            serde_json::json!(d)
                        } else if let Some(u) = v.uint_value {
                            serde_json::json!(u)
                        } else if let Some(b) = v.bool_value {
                            serde_json::json!(b)
                        } else {
                            panic!("unexpected value type {v:?}")
                        };
                        properties.insert(key, value);
                    }
                    let geometry = match f.to_geo().unwrap() {
                        geo::Geometry::Polygon(p) => MultiPolygon(vec![p]),
                        geo::Geometry::MultiPolygon(mp) => mp,
                        other => panic!("not a polygon: {other:?}"),
                    };
                    DecodedFeature {
                        id: f.id.unwrap(),
                        properties,
                        geometry,
                        rings: raw_rings(&f.geometry),
                    }
                })
                .collect();
            DecodedLayer {
                name: layer.name.clone(),
                extent: layer.extent.unwrap_or(4096),
                version: layer.version,
                features,
            }
        })
        .collect()
}

/// Rings straight from the command stream (MVT spec 4.3), independent of geozero's reader,
/// with twice their signed area by the spec's surveyor's formula.
fn raw_rings(commands: &[u32]) -> Vec<(Vec<[i64; 2]>, i64)> {
    let unzig = |v: u32| ((v >> 1) as i64) ^ -((v & 1) as i64);
    let mut rings = Vec::new();
    let mut cursor = [0i64; 2];
    let mut i = 0;
    let mut ring: Vec<[i64; 2]> = Vec::new();
    while i < commands.len() {
        let id = commands[i] & 7;
        let count = (commands[i] >> 3) as usize;
        i += 1;
        match id {
            1 | 2 => {
                if id == 1 {
                    assert_eq!(count, 1, "MoveTo count must be 1 for polygons");
                    ring.clear();
                }
                for _ in 0..count {
                    cursor = [
                        cursor[0] + unzig(commands[i]),
                        cursor[1] + unzig(commands[i + 1]),
                    ];
                    ring.push(cursor);
                    i += 2;
                }
            }
            7 => {
                let mut closed = ring.clone();
                closed.push(ring[0]);
                let area2: i64 = closed
                    .windows(2)
                    .map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1])
                    .sum();
                rings.push((closed, area2));
            }
            other => panic!("unknown command {other}"),
        }
    }
    rings
}

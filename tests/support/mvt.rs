//! Reading tiles back independently of gapmap's encoder: XYZ tile arithmetic, geozero's MVT
//! decoder, and polygon validity by GEOS rules (through GDAL's `OGR_G_IsValid`, which calls
//! `GEOSisValid`: OGC simple features, so a ring may not touch or cross itself, rings of a
//! polygon may meet only at points, and polygons of a multipolygon may not overlap).

use geo::{Geometry, MultiPolygon, Polygon};

/// XYZ tile containing a lon/lat point (OSM slippy-map formula).
pub fn tile_of(lon: f64, lat: f64, z: u8) -> (u32, u32) {
    let n = f64::from(1u32 << z);
    let x = ((lon + 180.0) / 360.0 * n).floor();
    let lat = lat.to_radians();
    let y = ((1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n).floor();
    (x as u32, y as u32)
}

/// Every tile `(x, y)` at zoom `z` that meets `[west, south, east, north]`.
pub fn tiles_over(bounds: [f64; 4], z: u8) -> impl Iterator<Item = (u32, u32)> {
    let [w, s, e, n] = bounds;
    let (x0, y0) = tile_of(w, n, z);
    let (x1, y1) = tile_of(e, s, z);
    (x0..=x1).flat_map(move |x| (y0..=y1).map(move |y| (x, y)))
}

/// A decoded layer: its name and each feature's id and geometry.
pub type DecodedLayer = (String, Vec<(u64, MultiPolygon<f64>)>);

/// Layer name, feature ids and geometries of every layer in a tile (geozero's reader, which
/// groups rings into polygons by winding as MVT 2.1 §4.3.4.4 says).
pub fn decode_polygons(mvt: &[u8]) -> Vec<DecodedLayer> {
    use geozero::mvt::{Message, Tile};
    use geozero::ToGeo;
    let tile = Tile::decode(mvt).unwrap();
    tile.layers
        .iter()
        .map(|layer| {
            let features = layer
                .features
                .iter()
                .map(|f| {
                    let geometry = match f.to_geo().unwrap() {
                        Geometry::Polygon(p) => MultiPolygon(vec![p]),
                        Geometry::MultiPolygon(mp) => mp,
                        other => panic!("feature {:?} is not a polygon: {other:?}", f.id),
                    };
                    (f.id.unwrap_or(0), geometry)
                })
                .collect();
            (layer.name.clone(), features)
        })
        .collect()
}

/// WKT of a multipolygon (tile coordinates are integers, so nothing is rounded).
pub fn wkt(mp: &MultiPolygon<f64>) -> String {
    let ring = |r: &geo::LineString<f64>| {
        let points: Vec<String> = r.0.iter().map(|c| format!("{} {}", c.x, c.y)).collect();
        format!("({})", points.join(", "))
    };
    let polygon = |p: &Polygon<f64>| {
        let rings: Vec<String> = std::iter::once(p.exterior())
            .chain(p.interiors())
            .map(ring)
            .collect();
        format!("({})", rings.join(", "))
    };
    let polygons: Vec<String> = mp.0.iter().map(polygon).collect();
    format!("MULTIPOLYGON ({})", polygons.join(", "))
}

/// Whether GEOS finds the multipolygon valid.
pub fn geos_valid(mp: &MultiPolygon<f64>) -> bool {
    assert!(
        gdal::version::VersionInfo::has_geos(),
        "this GDAL is built without GEOS: validity cannot be checked"
    );
    gdal::vector::Geometry::from_wkt(&wkt(mp))
        .unwrap()
        .is_valid()
}

/// The features of a tile that GEOS finds invalid, as `(id, WKT)`, and how many it checked.
pub fn invalid_features(mvt: &[u8]) -> (usize, Vec<(u64, String)>) {
    let mut checked = 0;
    let mut invalid = Vec::new();
    for (_, features) in decode_polygons(mvt) {
        for (id, geometry) in features {
            checked += 1;
            if !geos_valid(&geometry) {
                invalid.push((id, wkt(&geometry)));
            }
        }
    }
    (checked, invalid)
}

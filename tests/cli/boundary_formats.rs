//! The same boundaries read from GeoJSON, GeoPackage, Shapefile (all made from the GeoJSON
//! with GDAL's ogr2ogr here) and from a British National Grid copy give the same codes and
//! areas (within 0.1%).

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use gapmap::ingest::boundaries::read_boundaries;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

fn ogr2ogr(args: &[&str], out: &Path, input: &Path) {
    let status = Command::new("ogr2ogr")
        .args(args)
        .arg(out)
        .arg(input)
        .status()
        .expect("ogr2ogr (gdal-bin) must be installed: run scripts/setup");
    assert!(status.success(), "ogr2ogr {args:?} failed");
}

fn areas(path: &Path) -> BTreeMap<String, f64> {
    read_boundaries(path, "MSOA11CD", "MSOA11NM", None)
        .unwrap()
        .into_iter()
        .map(|b| (b.code, b.area_m2))
        .collect()
}

#[test]
fn geojson_geopackage_shapefile_and_bng_copies_agree() {
    let source = crate::support::mirror().join("boundaries/durham_msoa11.geojson");
    let dir = tempfile::tempdir().unwrap();
    let gpkg = dir.path().join("msoa.gpkg");
    let shp = dir.path().join("msoa.shp");
    let bng = dir.path().join("msoa_bng.geojson");
    let bng_gpkg = dir.path().join("msoa_bng.gpkg");
    ogr2ogr(&["-f", "GPKG"], &gpkg, &source);
    ogr2ogr(&["-f", "ESRI Shapefile"], &shp, &source);
    ogr2ogr(
        &[
            "-f",
            "GeoJSON",
            "-t_srs",
            "EPSG:27700",
            "-lco",
            "RFC7946=NO",
        ],
        &bng,
        &source,
    );
    ogr2ogr(&["-f", "GPKG", "-t_srs", "EPSG:27700"], &bng_gpkg, &source);

    let reference = areas(&source);
    assert_eq!(reference.len(), 66);
    let total: f64 = reference.values().sum();
    // County Durham is about 2,226 km².
    assert!((2.1e9..2.4e9).contains(&total), "total area {total}");
    for other in [&gpkg, &shp, &bng, &bng_gpkg] {
        let got = areas(other);
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            reference.keys().collect::<Vec<_>>(),
            "{}",
            other.display()
        );
        for (code, a) in &reference {
            let b = got[code];
            assert!(
                (a - b).abs() / a < 0.001,
                "{}: {code} area {a} vs {b}",
                other.display()
            );
        }
    }
}

#[test]
fn reprojected_geometry_is_in_lon_lat_order() {
    // The BNG copy must come back as longitude/latitude, not latitude/longitude.
    let source = crate::support::mirror().join("boundaries/durham_msoa11.geojson");
    let dir = tempfile::tempdir().unwrap();
    let bng = dir.path().join("msoa_bng.gpkg");
    ogr2ogr(&["-f", "GPKG", "-t_srs", "EPSG:27700"], &bng, &source);
    for b in read_boundaries(&bng, "MSOA11CD", "MSOA11NM", None).unwrap() {
        let [lon, lat] = b.label_point;
        assert!(
            (-2.5..-1.2).contains(&lon) && (54.4..55.0).contains(&lat),
            "{}: {lon},{lat}",
            b.code
        );
        assert!(
            (380_000.0..470_000.0).contains(&b.centroid_bng[0]),
            "{}",
            b.code
        );
    }
}

//! Tile polygons are valid by GEOS rules (MVT 2.1 §4.3.4.4 requires valid polygons): every
//! tile from z0 to z14 of County Durham's MSOAs and LSOAs, and (an ignored test run by
//! `scripts/check-england-tiles`) every England LSOA tile z0–z8 of an archive from
//! `gapmap tiles`.
//!
//! The checker is independent of the tile engine: geozero decodes the tiles and GEOS (through
//! GDAL) judges the polygons, so a zero-width run along the tile buffer's edge — a ring touching
//! itself — counts as invalid, as it does for every other OGC reader.
#![allow(clippy::unwrap_used)]

mod support;

use gapmap::level::Level;
use gapmap::tiles::{TileOptions, TileSet};
use std::collections::BTreeMap;
use support::mvt::{invalid_features, tiles_over};

/// Check every tile of `level` from z0 to z14; returns checked and invalid counts per zoom and
/// up to five invalid examples.
fn check_level(level: Level) -> (BTreeMap<u8, (usize, usize)>, Vec<String>) {
    let layer = support::durham().layer(level).unwrap();
    let tiles = TileSet::new(layer, TileOptions::default());
    let bounds = tiles.bounds();
    let mut per_zoom = BTreeMap::new();
    let mut examples = Vec::new();
    for z in 0..=14u8 {
        let (mut checked, mut bad) = (0, 0);
        for (x, y) in tiles_over(bounds, z) {
            let Some(mvt) = tiles.tile(z, x, y).unwrap() else {
                continue;
            };
            let (n, invalid) = invalid_features(&mvt);
            checked += n;
            bad += invalid.len();
            for (id, wkt) in invalid {
                if examples.len() < 5 {
                    examples.push(format!("{level} {z}/{x}/{y} feature {id}: {wkt}"));
                }
            }
        }
        per_zoom.insert(z, (checked, bad));
    }
    (per_zoom, examples)
}

fn assert_all_valid(level: Level) {
    let (per_zoom, examples) = check_level(level);
    let invalid: usize = per_zoom.values().map(|(_, bad)| bad).sum();
    let checked: usize = per_zoom.values().map(|(n, _)| n).sum();
    eprintln!("{level}: zoom → (features checked, invalid): {per_zoom:?}");
    assert!(checked > 1000, "{level}: only {checked} features checked");
    assert_eq!(
        invalid,
        0,
        "{level}: {invalid} of {checked} decoded polygons are invalid by GEOS; per zoom {per_zoom:?}; e.g.\n{}",
        examples.join("\n")
    );
}

#[test]
fn every_durham_msoa_tile_z0_to_z14_is_valid_by_geos() {
    assert_all_valid(Level::Msoa11);
}

#[test]
fn every_durham_lsoa_tile_z0_to_z14_is_valid_by_geos() {
    assert_all_valid(Level::Lsoa11);
}

/// Every tile of an England LSOA archive written by `gapmap tiles` (`GAPMAP_ENGLAND_PMTILES`),
/// z0 to z8. Slow (33k areas at nine zooms): run by `scripts/check-england-tiles`.
#[tokio::test]
#[ignore = "needs the England archive; run scripts/check-england-tiles"]
async fn every_england_lsoa_tile_z0_to_z8_from_gapmap_tiles_is_valid_by_geos() {
    use pmtiles::{AsyncPmTilesReader, TileCoord};
    let path = std::env::var("GAPMAP_ENGLAND_PMTILES")
        .expect("set GAPMAP_ENGLAND_PMTILES to an archive from `gapmap tiles --config data/england.toml --level lsoa11 --maxzoom 8`");
    let reader = AsyncPmTilesReader::new_with_path(&path).await.unwrap();
    let header = reader.get_header();
    let bounds = [
        header.min_longitude,
        header.min_latitude,
        header.max_longitude,
        header.max_latitude,
    ];
    let mut per_zoom = BTreeMap::new();
    let mut examples = Vec::new();
    for z in 0..=8u8 {
        let (mut tiles, mut checked, mut bad) = (0, 0, 0);
        for (x, y) in tiles_over(bounds, z) {
            let Some(bytes) = reader
                .get_tile_decompressed(TileCoord::new(z, x, y).unwrap())
                .await
                .unwrap()
            else {
                continue;
            };
            tiles += 1;
            let (n, invalid) = invalid_features(&bytes);
            checked += n;
            bad += invalid.len();
            for (id, wkt) in invalid {
                if examples.len() < 5 {
                    examples.push(format!("{z}/{x}/{y} feature {id}: {wkt}"));
                }
            }
        }
        per_zoom.insert(z, (tiles, checked, bad));
    }
    eprintln!("England lsoa11: zoom → (tiles, features checked, invalid): {per_zoom:?}");
    let invalid: usize = per_zoom.values().map(|v| v.2).sum();
    let checked: usize = per_zoom.values().map(|v| v.1).sum();
    assert!(checked > 30_000, "only {checked} features checked");
    assert_eq!(
        invalid,
        0,
        "{invalid} of {checked} England LSOA polygons are invalid by GEOS; per zoom {per_zoom:?}; e.g.\n{}",
        examples.join("\n")
    );
}

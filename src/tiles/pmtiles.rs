//! PMTiles v3 export: the same tiles as [`TileSet::tile`] in one file for static/CDN hosting.
//!
//! One archive holds every requested level: each archived tile is the concatenation of the
//! levels' MVT messages for that `z/x/y`, in the order the tilesets are given. Protobuf merges
//! concatenated messages by appending repeated fields, so the result is one `Tile` with one
//! layer per level (MVT 2.1 section 4.1 allows several layers; layer names are the level ids).
//! One archive per deployment is simpler to host than one per level, and a map style needs
//! only one source. For a single tileset the archived bytes equal `TileSet::tile` exactly.
//!
//! Written with the `pmtiles` crate's streaming writer (spec: protomaps/PMTiles `spec/v3`):
//! gzip tile and directory compression, tiles added in increasing Hilbert tile id so the
//! archive is *clustered*, identical tiles stored once, metadata with TileJSON
//! `vector_layers`. Tiles are generated in parallel (rayon) in blocks and written in order.

use super::tileset::{TileError, TileSet, PROPERTY_FIELDS};
use ::pmtiles::{PmTilesWriter, TileCoord, TileId, TileType};
use rayon::prelude::*;
use serde_json::json;
use std::io::{Seek, SeekFrom, Write};

/// What `write_pmtiles` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PmtilesSummary {
    /// Tiles whose buffered box meets some area, i.e. tiles generated.
    pub tiles_generated: u64,
    /// Non-empty tiles addressed in the archive.
    pub tiles_written: u64,
    /// Sum of the uncompressed MVT sizes of the tiles written.
    pub tile_bytes_uncompressed: u64,
    /// Size of the archive file.
    pub archive_bytes: u64,
}

/// Descriptive metadata stored in the archive (shown by viewers and TileJSON clients).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ArchiveInfo {
    pub name: String,
    pub description: String,
    /// Data attribution, e.g. the ONS/OS boundary notices.
    pub attribution: String,
}

/// Tiles per parallel block: large enough to keep both cores busy, small enough to bound memory.
const BLOCK: usize = 256;

/// Write the archive to the file `path` atomically ([`crate::fsutil::write_atomic_with`]): a
/// failure leaves any previous archive in place.
pub fn write_archive(
    path: &std::path::Path,
    tilesets: &[&TileSet],
    minzoom: u8,
    maxzoom: u8,
    info: &ArchiveInfo,
    progress: &dyn Fn(u64, u64),
) -> Result<PmtilesSummary, TileError> {
    let mut outcome: Option<Result<PmtilesSummary, TileError>> = None;
    let written = crate::fsutil::write_atomic_with(path, |file| {
        let mut out = std::io::BufWriter::new(file);
        let result = write_pmtiles_with(tilesets, minzoom, maxzoom, info, &mut out, progress);
        let failed = result
            .as_ref()
            .err()
            .map(|e| std::io::Error::other(e.to_string()));
        outcome = Some(result);
        match failed {
            Some(e) => Err(e),
            None => out.flush(),
        }
    });
    match (outcome, written) {
        (Some(Err(e)), _) => Err(e),
        (_, Err(e)) => Err(TileError::File(e)),
        (Some(Ok(summary)), Ok(())) => Ok(summary),
        (None, Ok(())) => Err(TileError::NoTilesets),
    }
}

/// Write a PMTiles v3 archive of `tilesets` for zooms `minzoom..=maxzoom`; `progress(done,
/// total)` is called after each block of tiles.
pub fn write_pmtiles(
    tilesets: &[&TileSet],
    minzoom: u8,
    maxzoom: u8,
    out: impl Write + Seek,
    progress: &dyn Fn(u64, u64),
) -> Result<PmtilesSummary, TileError> {
    write_pmtiles_with(
        tilesets,
        minzoom,
        maxzoom,
        &ArchiveInfo::default(),
        out,
        progress,
    )
}

/// [`write_pmtiles`] with a name, description and attribution in the archive metadata.
pub fn write_pmtiles_with(
    tilesets: &[&TileSet],
    minzoom: u8,
    maxzoom: u8,
    info: &ArchiveInfo,
    out: impl Write + Seek,
    progress: &dyn Fn(u64, u64),
) -> Result<PmtilesSummary, TileError> {
    let max_zoom = tilesets
        .iter()
        .map(|t| t.max_zoom())
        .min()
        .ok_or(TileError::NoTilesets)?;
    if minzoom > maxzoom || maxzoom > max_zoom {
        return Err(TileError::BadZoomRange {
            minzoom,
            maxzoom,
            max_zoom,
        });
    }
    let bounds = union_bounds(tilesets);

    // Every tile that may hold a feature, in PMTiles tile-id (Hilbert) order.
    let mut ids: Vec<u64> = Vec::new();
    for z in minzoom..=maxzoom {
        // One tile more on each side: a tile's buffer can reach features just beyond it.
        let last = (1u32 << z) - 1;
        let (x0, y0) = lonlat_to_tile(bounds[0], bounds[3], z);
        let (x1, y1) = lonlat_to_tile(bounds[2], bounds[1], z);
        for x in x0.saturating_sub(1)..=(x1 + 1).min(last) {
            for y in y0.saturating_sub(1)..=(y1 + 1).min(last) {
                if tilesets.iter().any(|t| t.may_have_features(z, x, y)) {
                    ids.push(TileId::from(TileCoord::new(z, x, y)?).value());
                }
            }
        }
    }
    ids.sort_unstable();
    for t in tilesets {
        t.prepare(minzoom..=maxzoom);
    }

    let metadata = metadata_json(tilesets, minzoom, maxzoom, info);
    let center_lon = (bounds[0] + bounds[2]) / 2.0;
    let center_lat = (bounds[1] + bounds[3]) / 2.0;
    let mut counting = CountingSeek::new(out);
    let mut writer = PmTilesWriter::new(TileType::Mvt)
        .min_zoom(minzoom)
        .max_zoom(maxzoom)
        .bounds(bounds[0], bounds[1], bounds[2], bounds[3])
        .center(center_lon, center_lat)
        .center_zoom(minzoom.max(maxzoom.saturating_sub(4)))
        .metadata(metadata)
        .create(&mut counting)?;

    let total = ids.len() as u64;
    let mut summary = PmtilesSummary {
        tiles_generated: total,
        tiles_written: 0,
        tile_bytes_uncompressed: 0,
        archive_bytes: 0,
    };
    let mut done = 0u64;
    progress(0, total);
    for block in ids.chunks(BLOCK) {
        let tiles: Vec<Result<(TileCoord, Vec<u8>), TileError>> = block
            .par_iter()
            .map(|&id| {
                let coord = TileCoord::from(TileId::new(id)?);
                Ok((
                    coord,
                    archive_tile(tilesets, coord.z(), coord.x(), coord.y())?,
                ))
            })
            .collect();
        for tile in tiles {
            let (coord, bytes) = tile?;
            if !bytes.is_empty() {
                summary.tiles_written += 1;
                summary.tile_bytes_uncompressed += bytes.len() as u64;
                writer.add_tile(coord, &bytes)?;
            }
        }
        done += block.len() as u64;
        progress(done, total);
    }
    writer.finalize()?;
    summary.archive_bytes = counting.len;
    Ok(summary)
}

/// The bytes archived for one tile: the tilesets' tiles concatenated (empty if none has one).
pub fn archive_tile(tilesets: &[&TileSet], z: u8, x: u32, y: u32) -> Result<Vec<u8>, TileError> {
    let mut bytes = Vec::new();
    for t in tilesets {
        if let Some(tile) = t.tile(z, x, y)? {
            bytes.extend_from_slice(&tile);
        }
    }
    Ok(bytes)
}

fn metadata_json(tilesets: &[&TileSet], minzoom: u8, maxzoom: u8, info: &ArchiveInfo) -> String {
    let layers: Vec<serde_json::Value> = tilesets
        .iter()
        .map(|t| {
            let fields: serde_json::Map<String, serde_json::Value> = PROPERTY_FIELDS
                .iter()
                .map(|(k, v)| ((*k).to_string(), json!(v)))
                .collect();
            json!({
                "id": t.level().as_str(),
                "description": t.level().label(),
                "minzoom": minzoom,
                "maxzoom": maxzoom,
                "fields": fields,
            })
        })
        .collect();
    let mut meta = json!({
        "name": if info.name.is_empty() { "gapmap" } else { info.name.as_str() },
        "format": "pbf",
        "type": "overlay",
        "generator": concat!("gapmap ", env!("CARGO_PKG_VERSION")),
        "vector_layers": layers,
    });
    if let Some(obj) = meta.as_object_mut() {
        if !info.description.is_empty() {
            obj.insert("description".into(), json!(info.description));
        }
        if !info.attribution.is_empty() {
            obj.insert("attribution".into(), json!(info.attribution));
        }
    }
    meta.to_string()
}

fn union_bounds(tilesets: &[&TileSet]) -> [f64; 4] {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for t in tilesets {
        let tb = t.bounds();
        b = [
            b[0].min(tb[0]),
            b[1].min(tb[1]),
            b[2].max(tb[2]),
            b[3].max(tb[3]),
        ];
    }
    b
}

/// XYZ tile containing lon/lat at zoom `z` (clamped to the world).
fn lonlat_to_tile(lon: f64, lat: f64, z: u8) -> (u32, u32) {
    let n = f64::from(1u32 << z);
    let lat = lat.clamp(-85.051_128_78, 85.051_128_78).to_radians();
    let x = ((lon + 180.0) / 360.0 * n).floor();
    let y = ((1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n).floor();
    let max = n - 1.0;
    (x.clamp(0.0, max) as u32, y.clamp(0.0, max) as u32)
}

/// Passes writes through and records the furthest byte written (the archive size).
struct CountingSeek<W> {
    inner: W,
    position: u64,
    len: u64,
}

impl<W> CountingSeek<W> {
    fn new(inner: W) -> Self {
        CountingSeek {
            inner,
            position: 0,
            len: 0,
        }
    }
}

impl<W: Write> Write for CountingSeek<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.position += n as u64;
        self.len = self.len.max(self.position);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl<W: Seek> Seek for CountingSeek<W> {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        self.position = self.inner.seek(pos)?;
        Ok(self.position)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn tile_of_durham_at_z8_is_126_81() {
        // Durham City (-1.57, 54.78): x = floor((178.43/360)·256) = 126,
        // y = floor((1 − ln(tan φ + sec φ)/π)/2 · 256) = 81 (standard slippy-map formula).
        assert_eq!(lonlat_to_tile(-1.57, 54.78, 8), (126, 81));
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod read_back {
    use super::*;
    use crate::tiles::test_support::{decode, durham_lsoa11_layer, durham_msoa11_layer};
    use crate::tiles::tileset::TileOptions;
    use ::pmtiles::{AsyncPmTilesReader, Compression};
    use std::cell::Cell;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
    }

    #[test]
    fn archive_read_by_the_pmtiles_reader_equals_served_tiles() {
        let msoa = TileSet::new(&durham_msoa11_layer(), TileOptions::default());
        let file = tempfile::NamedTempFile::new().unwrap();
        let calls = Cell::new(0u64);
        let last = Cell::new((0u64, 0u64));
        let summary = write_pmtiles(&[&msoa], 0, 12, file.reopen().unwrap(), &|done, total| {
            calls.set(calls.get() + 1);
            last.set((done, total));
        })
        .unwrap();
        assert!(calls.get() >= 2);
        assert_eq!(last.get().0, last.get().1);
        assert_eq!(
            summary.archive_bytes,
            std::fs::metadata(file.path()).unwrap().len()
        );
        println!("msoa11 z0-12: {summary:?}");

        let rt = runtime();
        let reader = rt
            .block_on(AsyncPmTilesReader::new_with_path(file.path()))
            .unwrap();
        let header = reader.get_header();
        assert_eq!((header.min_zoom, header.max_zoom), (0, 12));
        assert_eq!(header.tile_compression, Compression::Gzip);
        assert!(header.clustered());
        let metadata: serde_json::Value =
            serde_json::from_str(&rt.block_on(reader.get_metadata()).unwrap()).unwrap();
        assert_eq!(metadata["vector_layers"][0]["id"], "msoa11");
        assert_eq!(
            metadata["vector_layers"][0]["fields"]["imd_decile"],
            "Number"
        );

        // Every tile of the pyramid over the county (and a ring of empty ones around it).
        let pyramid: Vec<(u8, u32, u32)> = (0..=12u8)
            .flat_map(|z| {
                let (x0, y0) = lonlat_to_tile(msoa.bounds()[0], msoa.bounds()[3], z);
                let (x1, y1) = lonlat_to_tile(msoa.bounds()[2], msoa.bounds()[1], z);
                let n = (1u32 << z) - 1;
                (x0.saturating_sub(1)..=(x1 + 1).min(n)).flat_map(move |x| {
                    (y0.saturating_sub(1)..=(y1 + 1).min(n)).map(move |y| (z, x, y))
                })
            })
            .collect();
        let mut served_count = 0;
        for &(z, x, y) in &pyramid {
            let coord = TileCoord::new(z, x, y).unwrap();
            let archived = rt.block_on(reader.get_tile_decompressed(coord)).unwrap();
            let served = msoa.tile(z, x, y).unwrap();
            served_count += u64::from(served.is_some());
            assert!(
                archived.map(|b| b.to_vec()) == served,
                "{z}/{x}/{y} differs"
            );
        }
        let compared = pyramid.len();
        assert_eq!(summary.tiles_written, served_count);
        assert!(compared > 100, "compared {compared}");
    }

    #[test]
    fn two_level_archive_holds_one_layer_per_level() {
        let msoa = TileSet::new(&durham_msoa11_layer(), TileOptions::default());
        let lsoa = TileSet::new(&durham_lsoa11_layer(), TileOptions::default());
        let file = tempfile::NamedTempFile::new().unwrap();
        write_pmtiles(&[&msoa, &lsoa], 6, 9, file.reopen().unwrap(), &|_, _| {}).unwrap();
        let rt = runtime();
        let reader = rt
            .block_on(AsyncPmTilesReader::new_with_path(file.path()))
            .unwrap();
        let coord = TileCoord::new(8, 126, 81).unwrap();
        let archived = rt
            .block_on(reader.get_tile_decompressed(coord))
            .unwrap()
            .unwrap();
        let layers = decode(&archived);
        let names: Vec<&str> = layers.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["msoa11", "lsoa11"]);
        assert_eq!(
            archived.to_vec(),
            archive_tile(&[&msoa, &lsoa], 8, 126, 81).unwrap()
        );
        // Outside the archive's zoom range: nothing.
        let outside = TileCoord::new(10, 506, 325).unwrap();
        assert!(rt
            .block_on(reader.get_tile_decompressed(outside))
            .unwrap()
            .is_none());
    }

    #[test]
    fn bad_zoom_ranges_and_empty_tileset_lists_are_refused() {
        let msoa = TileSet::new(&durham_msoa11_layer(), TileOptions::default());
        let mut sink = std::io::Cursor::new(Vec::new());
        let err = write_pmtiles(&[&msoa], 5, 3, &mut sink, &|_, _| {}).unwrap_err();
        assert!(matches!(err, TileError::BadZoomRange { .. }), "{err}");
        let err = write_pmtiles(&[&msoa], 0, 15, &mut sink, &|_, _| {}).unwrap_err();
        assert!(err.to_string().contains("maxzoom <= 14"), "{err}");
        let err = write_pmtiles(&[], 0, 3, &mut sink, &|_, _| {}).unwrap_err();
        assert!(matches!(err, TileError::NoTilesets));
    }
}

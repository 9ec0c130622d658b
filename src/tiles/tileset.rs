//! [`TileSet`]: all tiles of one layer, cut on demand from in-memory arcs (the pipeline is
//! described in the [`super`] module docs), and the options and errors of the tile engine.

use super::clip::{
    clean_ring, clip_ring, convex_hull, repair_tiny_ring, signed_area2, untangle, TilePt,
};
use super::mvt::{EncodedValue, GeometryEncoder, LayerEncoder};
use super::topology::{Topology, ZoomArcs, EXTENT_BITS, GRID_BITS, MAX_SUPPORTED_ZOOM};
use crate::dataset::{Area, Layer};
use crate::level::Level;
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};
use std::sync::OnceLock;

/// Tile extent (MVT `extent`): 4096 units per tile side.
pub const EXTENT: u32 = 1 << EXTENT_BITS;

/// MapLibre draws vector tiles at 512 CSS pixels, so one pixel is 4096 / 512 = 8 tile units.
pub const UNITS_PER_PIXEL: f64 = (EXTENT / 512) as f64;

/// Property keys, in the order they are written (the MVT `keys` table of every tile).
pub const PROPERTY_KEYS: [&str; 9] = [
    "code",
    "name",
    "locality",
    "imd_score",
    "imd_decile",
    "imd_quintile",
    "imd_local_quintile",
    "imd_30pct",
    "imd_edition",
];

/// TileJSON `vector_layers[].fields` types/descriptions, same order as [`PROPERTY_KEYS`].
pub const PROPERTY_FIELDS: [(&str, &str); 9] = [
    ("code", "String"),
    ("name", "String"),
    ("locality", "String"),
    ("imd_score", "Number"),
    ("imd_decile", "Number"),
    ("imd_quintile", "Number"),
    ("imd_local_quintile", "Number"),
    ("imd_30pct", "Boolean"),
    ("imd_edition", "String"),
];

/// How tiles are cut.
#[derive(Debug, Clone, PartialEq)]
pub struct TileOptions {
    /// Highest zoom served (default 14, at most 18).
    pub max_zoom: u8,
    /// Buffer around each tile, in tile units (default 64 of 4096), so strokes and labels at
    /// tile edges are drawn without seams.
    pub buffer: u32,
    /// Douglas–Peucker tolerance in screen pixels (default 0.5: half a pixel of a 512-px
    /// tile, i.e. 4 tile units; the change is below what a screen shows).
    pub simplify_px: f64,
    /// Island polygons (bordering no other area) smaller than this many square pixels are
    /// dropped (default 1.0).
    pub min_island_px2: f64,
}

impl Default for TileOptions {
    fn default() -> Self {
        TileOptions {
            max_zoom: 14,
            buffer: 64,
            simplify_px: 0.5,
            min_island_px2: 1.0,
        }
    }
}

/// Errors from the tile engine and the PMTiles writer.
#[derive(Debug, thiserror::Error)]
pub enum TileError {
    #[error(
        "zoom {z} is above this tileset's maximum zoom {max_zoom}; request zoom 0..={max_zoom}"
    )]
    ZoomTooHigh { z: u8, max_zoom: u8 },
    #[error("tile {z}/{x}/{y} does not exist: at zoom {z}, x and y must be below {n}")]
    OutOfRange { z: u8, x: u32, y: u32, n: u64 },
    #[error("zoom range {minzoom}..={maxzoom} is empty or above the tilesets' maximum zoom {max_zoom}; use minzoom <= maxzoom <= {max_zoom}")]
    BadZoomRange {
        minzoom: u8,
        maxzoom: u8,
        max_zoom: u8,
    },
    #[error("no tilesets given: name at least one level to put in the archive")]
    NoTilesets,
    #[error("writing the PMTiles archive failed: {0}")]
    Pmtiles(#[from] ::pmtiles::PmtError),
    #[error("writing the PMTiles archive failed: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    File(#[from] crate::fsutil::WriteError),
}

type FeatureBox = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// All tiles of one layer, computed on demand from in-memory arcs.
pub struct TileSet {
    level: Level,
    options: TileOptions,
    topology: Topology,
    zooms: Vec<OnceLock<ZoomArcs>>,
    index: RTree<FeatureBox>,
    properties: Vec<Vec<(u32, EncodedValue)>>,
    bounds: [f64; 4],
}

impl std::fmt::Debug for TileSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TileSet")
            .field("level", &self.level)
            .field("features", &self.properties.len())
            .field("arcs", &self.topology.arc_count())
            .field("vertices", &self.topology.vertex_count())
            .finish()
    }
}

/// Static properties of one area, as (key index, value).
fn area_properties(area: &Area, level: Level) -> Vec<(u32, EncodedValue)> {
    let mut props = vec![
        (0, EncodedValue::string(&area.code)),
        (1, EncodedValue::string(&area.name)),
    ];
    if let Some(locality) = &area.locality {
        props.push((2, EncodedValue::string(locality)));
    }
    let edition = level.native_imd();
    if let Some(imd) = area.imd(edition) {
        props.push((3, EncodedValue::double(imd.score)));
        props.push((4, EncodedValue::uint(u64::from(imd.decile))));
        props.push((5, EncodedValue::uint(u64::from(imd.quintile))));
        props.push((6, EncodedValue::uint(u64::from(imd.local_quintile))));
        props.push((7, EncodedValue::boolean(imd.most_deprived_30pct)));
        props.push((8, EncodedValue::string(edition.as_str())));
    }
    props
}

impl TileSet {
    /// Build the tileset of one layer: arcs, DP importance, bounding boxes and properties.
    /// Per-zoom geometry is computed on first use (see [`TileSet::prepare`]).
    pub fn new(layer: &Layer, options: TileOptions) -> TileSet {
        let mut options = options;
        options.max_zoom = options.max_zoom.min(MAX_SUPPORTED_ZOOM);
        let topology = Topology::build(layer.areas.iter().map(|a| &a.geometry));
        let boxes = topology
            .features
            .iter()
            .enumerate()
            .filter_map(|(i, f)| {
                let [lo, hi] = f.bbox?;
                let rect = Rectangle::from_corners(
                    [f64::from(lo[0]), f64::from(lo[1])],
                    [f64::from(hi[0]), f64::from(hi[1])],
                );
                Some(GeomWithData::new(rect, i))
            })
            .collect();
        let properties = layer
            .areas
            .iter()
            .map(|a| area_properties(a, layer.level))
            .collect();
        let bounds = layer_bounds(layer);
        TileSet {
            level: layer.level,
            zooms: (0..=options.max_zoom).map(|_| OnceLock::new()).collect(),
            options,
            topology,
            index: RTree::bulk_load(boxes),
            properties,
            bounds,
        }
    }

    /// The level (layer name in every tile is `level.as_str()`).
    pub fn level(&self) -> Level {
        self.level
    }

    pub fn options(&self) -> &TileOptions {
        &self.options
    }

    pub fn max_zoom(&self) -> u8 {
        self.options.max_zoom
    }

    /// `[west, south, east, north]` in degrees.
    pub fn bounds(&self) -> [f64; 4] {
        self.bounds
    }

    /// Property names and types for TileJSON `vector_layers[].fields`.
    pub fn fields(&self) -> Vec<(String, String)> {
        PROPERTY_FIELDS
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    }

    /// Lowest zoom from which simplified borders are guaranteed not to cross (see
    /// [`super::topology::REPAIR_MIN_FEATURE_UNITS`]): below it the median area is under a pixel.
    pub fn valid_from_zoom(&self) -> u8 {
        self.topology.repair_from_zoom()
    }

    /// Number of shared arcs and stored vertices (for logs and benchmarks).
    pub fn arc_stats(&self) -> (usize, usize) {
        (self.topology.arc_count(), self.topology.vertex_count())
    }

    /// Compute the simplified arcs of every zoom in `zooms` now, in parallel, instead of on
    /// first request.
    pub fn prepare(&self, zooms: std::ops::RangeInclusive<u8>) {
        let zooms: Vec<u8> = zooms.filter(|z| *z <= self.options.max_zoom).collect();
        zooms.par_iter().for_each(|&z| {
            self.zoom_arcs(z);
        });
    }

    fn zoom_arcs(&self, z: u8) -> &ZoomArcs {
        self.zooms[usize::from(z)].get_or_init(|| {
            self.topology
                .simplify(z, self.options.simplify_px * UNITS_PER_PIXEL)
        })
    }

    fn check(&self, z: u8, x: u32, y: u32) -> Result<(), TileError> {
        if z > self.options.max_zoom {
            return Err(TileError::ZoomTooHigh {
                z,
                max_zoom: self.options.max_zoom,
            });
        }
        let n = 1u64 << z;
        if u64::from(x) >= n || u64::from(y) >= n {
            return Err(TileError::OutOfRange { z, x, y, n });
        }
        Ok(())
    }

    /// Areas whose bounding box meets tile `z/x/y` plus its buffer, in layer order.
    fn candidates(&self, z: u8, x: u32, y: u32) -> Vec<usize> {
        let shift = GRID_BITS - u32::from(z);
        let buffer = f64::from(self.options.buffer) * f64::from(1u32 << (shift - EXTENT_BITS));
        let size = f64::from(1u32 << shift);
        let (x0, y0) = (f64::from(x) * size, f64::from(y) * size);
        let envelope = AABB::from_corners(
            [x0 - buffer, y0 - buffer],
            [x0 + size + buffer, y0 + size + buffer],
        );
        let mut found: Vec<usize> = self
            .index
            .locate_in_envelope_intersecting(&envelope)
            .map(|b| b.data)
            .collect();
        found.sort_unstable();
        found
    }

    /// Whether tile `z/x/y` could hold any feature (its buffered box meets an area's box).
    pub fn may_have_features(&self, z: u8, x: u32, y: u32) -> bool {
        self.check(z, x, y).is_ok() && !self.candidates(z, x, y).is_empty()
    }

    /// The uncompressed MVT bytes of tile `z/x/y` (one layer named after the level), or `None`
    /// when no area reaches the tile.
    pub fn tile(&self, z: u8, x: u32, y: u32) -> Result<Option<Vec<u8>>, TileError> {
        self.check(z, x, y)?;
        let candidates = self.candidates(z, x, y);
        if candidates.is_empty() {
            return Ok(None);
        }
        let arcs = self.zoom_arcs(z);
        let extent = i64::from(EXTENT);
        let origin = [i64::from(x) * extent, i64::from(y) * extent];
        let (min, max) = (
            -i64::from(self.options.buffer),
            extent + i64::from(self.options.buffer),
        );
        // Below the zoom where the median area reaches a pixel, the whole layer is a few pixels
        // across: a sub-pixel-scale defect may span a few pixels there, so hulls are allowed up
        // to 4 px (still invisible at that scale); from that zoom on, only up to 1 px.
        let hull_max = if z < self.topology.pixel_zoom() {
            4 * UNITS_PER_PIXEL as i64
        } else {
            UNITS_PER_PIXEL as i64
        };
        let min_island_area2 =
            (2.0 * self.options.min_island_px2 * UNITS_PER_PIXEL * UNITS_PER_PIXEL) as i128;

        let mut encoder = LayerEncoder::new(self.level.as_str(), &PROPERTY_KEYS, EXTENT);
        let mut geometry = GeometryEncoder::default();
        let mut world = Vec::new();
        let mut local: Vec<TilePt> = Vec::new();
        let mut clipped: Vec<TilePt> = Vec::new();
        let mut scratch: Vec<TilePt> = Vec::new();
        let mut rings: Vec<Vec<TilePt>> = Vec::new();
        let mut feature_rings: Vec<Vec<TilePt>> = Vec::new();
        let mut features = 0usize;
        for index in candidates {
            geometry.clear();
            feature_rings.clear();
            for polygon in &self.topology.features[index].polygons {
                rings.clear();
                for (ring_index, ring) in polygon.rings.iter().enumerate() {
                    let exterior = ring_index == 0;
                    world.clear();
                    self.topology.ring_points(arcs, ring, &mut world);
                    local.clear();
                    local.extend(
                        world
                            .iter()
                            .skip(1)
                            .map(|p| [i64::from(p[0]) - origin[0], i64::from(p[1]) - origin[1]]),
                    );
                    if exterior && ring.island && signed_area2(&local).abs() < min_island_area2 {
                        break;
                    }
                    let inside = local
                        .iter()
                        .all(|p| p[0] >= min && p[0] <= max && p[1] >= min && p[1] <= max);
                    if inside {
                        clipped.clear();
                        clipped.extend_from_slice(&local);
                    } else {
                        clip_ring(&local, min, max, &mut clipped, &mut scratch);
                    }
                    clean_ring(&mut clipped);
                    repair_tiny_ring(&mut clipped, hull_max);
                    let area = signed_area2(&clipped);
                    if area == 0 {
                        if exterior {
                            break;
                        }
                        continue;
                    }
                    if (area > 0) != exterior {
                        clipped.reverse();
                    }
                    rings.push(clipped.clone());
                }
                feature_rings.append(&mut rings);
            }
            // Make the polygon valid by OGC rules (what GEOS checks): clipping leaves runs along
            // the buffer's edge that overlap or touch (Sutherland–Hodgman bridges, a hole cut by
            // the edge), and rounding to the tile grid can make a ring touch or cross itself
            // (the arc repair of [`super::topology`] only keeps arcs from crossing, and national layers
            // skip it below the zoom where most areas reach a pixel). A feature that is already
            // valid comes back unchanged (see [`super::clip::untangle`]).
            feature_rings = untangle(&feature_rings);
            // A feature within one pixel whose parts or holes rounded onto each other is drawn
            // as the hull of its points: the same pixel, and a valid polygon.
            if feature_rings.len() > 1 && within(&feature_rings, hull_max) {
                let points: Vec<TilePt> = feature_rings.iter().flatten().copied().collect();
                let hull = convex_hull(&points, true);
                feature_rings.clear();
                if !hull.is_empty() {
                    feature_rings.push(hull);
                }
            }
            for ring in &feature_rings {
                geometry.ring(ring);
            }
            if !geometry.is_empty() {
                encoder.add_polygon(index as u64, &self.properties[index], geometry.commands());
                features += 1;
            }
        }
        Ok((features > 0).then(|| encoder.finish()))
    }
}

/// Do all the rings fit in a `size` × `size` box?
fn within(rings: &[Vec<TilePt>], size: i64) -> bool {
    let (mut lo, mut hi) = ([i64::MAX; 2], [i64::MIN; 2]);
    for p in rings.iter().flatten() {
        lo = [lo[0].min(p[0]), lo[1].min(p[1])];
        hi = [hi[0].max(p[0]), hi[1].max(p[1])];
    }
    hi[0] - lo[0] <= size && hi[1] - lo[1] <= size
}

fn layer_bounds(layer: &Layer) -> [f64; 4] {
    use geo::BoundingRect;
    let mut bounds: Option<[f64; 4]> = None;
    for area in &layer.areas {
        if let Some(r) = area.geometry.bounding_rect() {
            bounds = Some(match bounds {
                None => [r.min().x, r.min().y, r.max().x, r.max().y],
                Some(b) => [
                    b[0].min(r.min().x),
                    b[1].min(r.min().y),
                    b[2].max(r.max().x),
                    b[3].max(r.max().y),
                ],
            });
        }
    }
    bounds.unwrap_or([-180.0, -85.051_128_78, 180.0, 85.051_128_78])
}

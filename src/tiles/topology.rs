//! Topology-aware simplification: the shared arcs of one layer's polygons, simplified once per
//! zoom, and the rings rebuilt from them.
//!
//! # Why arcs
//! Areas of one level tile the plane: ONS generalised clipped boundaries give neighbours
//! identical vertices along their common border. Simplifying each polygon on its own removes
//! different vertices on the two sides of a border and opens slivers (gaps and overlaps).
//! Here every ring is cut into *arcs* at junctions and each arc is simplified once, so both
//! neighbours draw the same polyline (the TopoJSON / mapshaper approach: M. Bostock,
//! *TopoJSON specification*, "Arcs"; M. Bloch, *mapshaper* wiki "Simplification").
//!
//! * **Junction**: a vertex where the set of polygons using an edge changes. It is found as in
//!   TopoJSON's `join` step: a vertex visited by rings with different (unordered) pairs of
//!   neighbouring vertices is a junction. Rings without junctions (islands, and an area wholly
//!   inside one neighbour together with that neighbour's hole) become one closed arc that
//!   starts at the ring's smallest vertex, so the two copies match.
//! * **Coordinates**: lon/lat is projected once to Web Mercator and stored as integers on a
//!   2^30 grid per world axis ([`GRID_BITS`]; ≈ 2 cm at Durham's latitude). Exact integer
//!   equality then identifies shared vertices, and quantising to a zoom's tile grid is a
//!   rounding shift that gives both neighbours bit-identical output.
//! * **Simplification**: Douglas–Peucker (D. Douglas, T. Peucker, 1973, *Cartographica*
//!   10(2):112–122) with endpoints fixed, measured in Web Mercator (the tile space, so the
//!   tolerance is in pixels). Because the split vertex of every DP step does not depend on the
//!   tolerance, one pass stores for every vertex the largest tolerance at which DP keeps it
//!   (its own distance, capped by its ancestors' — the same "effective area" idea mapshaper
//!   uses). A zoom then keeps the vertices above its tolerance: exactly DP at that tolerance,
//!   for every zoom, from one O(n log n) pass. Visvalingam was not chosen: DP bounds the
//!   displacement (≤ tolerance), which is what "invisible at this zoom" means.
//! * **No crossings**: DP is not topology-safe, and rounding to a zoom's grid can make
//!   nearby borders cross. After each zoom's simplification, segments are checked against each
//!   other (R-tree); a conflicting segment gets back its most important dropped vertex, and
//!   where only rounding is to blame the least important endpoint is dropped instead (the
//!   mapshaper "repair intersections" idea). This runs where the median area is at least a
//!   pixel across ([`REPAIR_MIN_FEATURE_UNITS`]; Durham MSOAs from z4, Durham LSOAs by z5);
//!   below that areas are specks and tiles only fix sub-pixel rings.
//! * **No collapse**: arcs in rings of fewer than three arcs keep their first split vertex
//!   (closed arcs their first two levels of splits), so every ring keeps at least three
//!   distinct vertices before quantisation. Rings that still become degenerate after
//!   quantisation have zero area, and since the neighbours draw the same arcs, dropping them
//!   opens nothing. Only *islands* (rings made of unshared arcs) are dropped for being small
//!   (see [`RingTopology::island`]); a hole or a shared border never is.

use geo::MultiPolygon;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A vertex on the 2^[`GRID_BITS`] Web Mercator grid (x east, y south, both from 0).
pub type Pt = [i32; 2];

/// Bits of the integer Web Mercator grid on which input vertices are stored.
pub const GRID_BITS: u32 = 30;

/// Bits of the MVT extent (4096 = 2^12).
pub const EXTENT_BITS: u32 = 12;

/// Highest zoom the grid resolves (each zoom's tile grid must be no finer than the input grid).
pub const MAX_SUPPORTED_ZOOM: u8 = (GRID_BITS - EXTENT_BITS) as u8;

const MAX_LATITUDE: f64 = 85.051_128_779_806_59;

/// Project lon/lat (degrees) to the integer Web Mercator grid (EPSG:3857 normalised to [0, 1),
/// origin top-left as in the XYZ tile scheme). Latitudes are clamped to ±85.0511° (the square
/// Web Mercator world). `None` for non-finite input.
pub fn project(lon: f64, lat: f64) -> Option<Pt> {
    if !lon.is_finite() || !lat.is_finite() {
        return None;
    }
    let x = (lon + 180.0) / 360.0;
    let phi = lat.clamp(-MAX_LATITUDE, MAX_LATITUDE).to_radians();
    let y =
        0.5 - (std::f64::consts::FRAC_PI_4 + phi / 2.0).tan().ln() / (2.0 * std::f64::consts::PI);
    let scale = f64::from(1u32 << GRID_BITS);
    let max = f64::from((1u32 << GRID_BITS) - 1);
    Some([
        (x * scale).round().clamp(0.0, max) as i32,
        (y * scale).round().clamp(0.0, max) as i32,
    ])
}

/// Inverse of [`project`] for a fractional grid position: (lon, lat) in degrees.
pub fn unproject(x: f64, y: f64) -> (f64, f64) {
    let scale = f64::from(1u32 << GRID_BITS);
    let lon = x / scale * 360.0 - 180.0;
    let n = std::f64::consts::PI * (1.0 - 2.0 * y / scale);
    let lat = n.sinh().atan().to_degrees();
    (lon, lat)
}

/// A reference to an arc, TopoJSON style: `i >= 0` is arc `i` forwards, `!i` arc `i` reversed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArcRef(pub i32);

impl ArcRef {
    pub fn index(self) -> usize {
        if self.0 >= 0 {
            self.0 as usize
        } else {
            (!self.0) as usize
        }
    }
    pub fn reversed(self) -> bool {
        self.0 < 0
    }
}

/// One ring as a sequence of arcs.
#[derive(Debug, Clone)]
pub struct RingTopology {
    pub arcs: Vec<ArcRef>,
    /// Every arc of this ring is used by this ring only: the ring borders no other area of the
    /// layer (an island or a lake). Only such exterior rings may be dropped for being small.
    pub island: bool,
}

/// One polygon: exterior ring first, then holes.
#[derive(Debug, Clone)]
pub struct PolygonTopology {
    pub rings: Vec<RingTopology>,
}

/// One area's geometry as arcs, with its bounding box on the grid.
#[derive(Debug, Clone)]
pub struct FeatureTopology {
    pub polygons: Vec<PolygonTopology>,
    /// `[min, max]` corners on the grid; `None` for an empty geometry.
    pub bbox: Option<[Pt; 2]>,
}

/// The arcs of one layer with their DP importance, and every feature's rings as arcs.
#[derive(Debug, Clone)]
pub struct Topology {
    points: Vec<Pt>,
    arc_start: Vec<usize>,
    /// Squared DP tolerance (grid units²) up to which each vertex is kept; `INFINITY` = always.
    importance: Vec<f64>,
    pub features: Vec<FeatureTopology>,
    /// Median of the features' larger bounding-box side, in grid units.
    median_feature_size: i64,
    /// Repair conflicts at every zoom (small layers, see [`ALWAYS_REPAIR_MAX_FEATURES`]).
    repair_all_zooms: bool,
}

/// Conflict repair runs at zooms where the median feature is at least this many tile units
/// across (one pixel of a 512-px tile). Below that most areas are sub-pixel specks whose fixed
/// junctions round onto each other: repair cannot help there and would cost minutes on
/// England (z0–5); tiles instead replace the few sub-pixel rings that touch themselves by
/// their hulls (see [`super::clip::repair_tiny_ring`]).
pub const REPAIR_MIN_FEATURE_UNITS: i64 = 8;

/// Layers with at most this many features (a county's MSOAs, LSOAs or wards) are repaired at
/// every zoom: it costs milliseconds there, and makes every tile's polygons valid down to z0.
/// Only national layers (England's 33k LSOAs) skip the repair at their sub-pixel zooms.
pub const ALWAYS_REPAIR_MAX_FEATURES: usize = 10_000;

/// The arcs of a layer simplified and quantised for one zoom: vertices in that zoom's world
/// tile-pixel coordinates (2^(z+12) units per world axis).
#[derive(Debug, Clone, Default)]
pub struct ZoomArcs {
    points: Vec<Pt>,
    arc_start: Vec<usize>,
}

impl ZoomArcs {
    fn arc(&self, i: usize) -> &[Pt] {
        &self.points[self.arc_start[i]..self.arc_start[i + 1]]
    }

    /// Total vertices kept at this zoom.
    pub fn vertex_count(&self) -> usize {
        self.points.len()
    }
}

/// FxHash-style hasher for integer points: the std SipHash costs more than the rest of the
/// junction pass on England's ~1.5 million vertices, and keys here are not attacker-chosen.
#[derive(Default)]
struct PointHasher(u64);

impl Hasher for PointHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_i32(&mut self, v: i32) {
        self.write_u64(u64::from(v as u32));
    }
    fn write_usize(&mut self, v: usize) {
        self.write_u64(v as u64);
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<PointHasher>>;

/// Neighbours of a vertex seen so far: one unordered pair, or "more than one" (a junction).
#[derive(Clone, Copy)]
enum Neighbours {
    Pair(Pt, Pt),
    Junction,
}

fn sorted_pair(a: Pt, b: Pt) -> (Pt, Pt) {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

/// Index of a ring in the input: feature, polygon, ring.
struct InputRing {
    feature: usize,
    polygon: usize,
    points: Vec<Pt>,
}

impl Topology {
    /// Build the arcs of a set of (multi)polygons in lon/lat.
    pub fn build<'a>(geometries: impl IntoIterator<Item = &'a MultiPolygon<f64>>) -> Topology {
        let mut features: Vec<FeatureTopology> = Vec::new();
        let mut rings: Vec<InputRing> = Vec::new();
        for (feature, geometry) in geometries.into_iter().enumerate() {
            let mut polygons = Vec::new();
            let mut bbox: Option<[Pt; 2]> = None;
            for polygon in geometry {
                let Some(exterior) = project_ring(polygon.exterior()) else {
                    continue;
                };
                for p in &exterior {
                    bbox = Some(match bbox {
                        None => [*p, *p],
                        Some([lo, hi]) => [
                            [lo[0].min(p[0]), lo[1].min(p[1])],
                            [hi[0].max(p[0]), hi[1].max(p[1])],
                        ],
                    });
                }
                let polygon_index = polygons.len();
                rings.push(InputRing {
                    feature,
                    polygon: polygon_index,
                    points: exterior,
                });
                for interior in polygon.interiors() {
                    if let Some(points) = project_ring(interior) {
                        rings.push(InputRing {
                            feature,
                            polygon: polygon_index,
                            points,
                        });
                    }
                }
                polygons.push(PolygonTopology { rings: Vec::new() });
            }
            features.push(FeatureTopology { polygons, bbox });
        }

        // Junctions (TopoJSON "join").
        let mut neighbours: FastMap<Pt, Neighbours> = FastMap::default();
        neighbours.reserve(rings.iter().map(|r| r.points.len()).sum());
        for ring in &rings {
            let n = ring.points.len();
            for i in 0..n {
                let here = ring.points[i];
                let pair = sorted_pair(ring.points[(i + n - 1) % n], ring.points[(i + 1) % n]);
                neighbours
                    .entry(here)
                    .and_modify(|seen| {
                        if let Neighbours::Pair(a, b) = *seen {
                            if (a, b) != pair {
                                *seen = Neighbours::Junction;
                            }
                        }
                    })
                    .or_insert(Neighbours::Pair(pair.0, pair.1));
            }
        }
        let is_junction = |p: &Pt| matches!(neighbours.get(p), Some(Neighbours::Junction) | None);

        // Cut rings into arcs and share identical arcs.
        let mut points: Vec<Pt> = Vec::new();
        let mut arc_start: Vec<usize> = vec![0];
        let mut arc_uses: Vec<u8> = Vec::new();
        let mut arc_ids: FastMap<Vec<Pt>, i32> = FastMap::default();
        let mut ring_arcs: Vec<Vec<ArcRef>> = Vec::with_capacity(rings.len());
        let mut sequence: Vec<Pt> = Vec::new();
        for ring in &rings {
            let n = ring.points.len();
            let first_junction = ring.points.iter().position(&is_junction);
            let start = match first_junction {
                Some(j) => j,
                None => {
                    // No junction: one closed arc from the smallest vertex.
                    let mut min = 0;
                    for (i, p) in ring.points.iter().enumerate() {
                        if *p < ring.points[min] {
                            min = i;
                        }
                    }
                    min
                }
            };
            let mut arcs = Vec::new();
            sequence.clear();
            sequence.push(ring.points[start]);
            for k in 1..=n {
                let p = ring.points[(start + k) % n];
                sequence.push(p);
                if k == n || (first_junction.is_some() && is_junction(&p)) {
                    let arc = intern_arc(
                        &sequence,
                        &mut arc_ids,
                        &mut points,
                        &mut arc_start,
                        &mut arc_uses,
                    );
                    arcs.push(arc);
                    sequence.clear();
                    sequence.push(p);
                }
            }
            ring_arcs.push(arcs);
        }
        drop(arc_ids);
        drop(neighbours);

        // Which arcs must keep a vertex so that their rings cannot collapse.
        let arc_count = arc_start.len() - 1;
        let mut force_depth = vec![0u8; arc_count];
        for arcs in &ring_arcs {
            if arcs.len() < 3 {
                for a in arcs {
                    let i = a.index();
                    let closed = points[arc_start[i]] == points[arc_start[i + 1] - 1];
                    force_depth[i] = force_depth[i].max(if closed { 2 } else { 1 });
                }
            }
        }

        let mut importance = vec![0.0; points.len()];
        for i in 0..arc_count {
            let range = arc_start[i]..arc_start[i + 1];
            dp_importance(
                &points[range.clone()],
                &mut importance[range],
                force_depth[i],
            );
        }

        for (ring, arcs) in rings.iter().zip(ring_arcs) {
            let island = arcs.iter().all(|a| arc_uses[a.index()] == 1);
            features[ring.feature].polygons[ring.polygon]
                .rings
                .push(RingTopology { arcs, island });
        }

        let mut sizes: Vec<i64> = features
            .iter()
            .filter_map(|f| f.bbox)
            .map(|[lo, hi]| i64::from(hi[0] - lo[0]).max(i64::from(hi[1] - lo[1])))
            .collect();
        sizes.sort_unstable();
        let median_feature_size = sizes.get(sizes.len() / 2).copied().unwrap_or(0);
        let repair_all_zooms = features.len() <= ALWAYS_REPAIR_MAX_FEATURES;
        Topology {
            points,
            arc_start,
            importance,
            features,
            median_feature_size,
            repair_all_zooms,
        }
    }

    /// The lowest zoom at which [`Topology::simplify`] repairs conflicts (see
    /// [`REPAIR_MIN_FEATURE_UNITS`]).
    pub fn repair_from_zoom(&self) -> u8 {
        if self.repair_all_zooms {
            return 0;
        }
        self.pixel_zoom()
    }

    /// The lowest zoom at which the median feature is at least [`REPAIR_MIN_FEATURE_UNITS`]
    /// across. Below it, arcs may collapse onto each other (the whole area is a few pixels);
    /// tiles there stay valid because clipping cleans degenerate rings (and small layers are
    /// still repaired), but arcs are only guaranteed not to overlap from this zoom.
    pub fn pixel_zoom(&self) -> u8 {
        (0..=MAX_SUPPORTED_ZOOM)
            .find(|&z| {
                let shift = GRID_BITS - EXTENT_BITS - u32::from(z);
                (self.median_feature_size >> shift) >= REPAIR_MIN_FEATURE_UNITS
            })
            .unwrap_or(MAX_SUPPORTED_ZOOM)
    }

    /// Number of distinct arcs.
    pub fn arc_count(&self) -> usize {
        self.arc_start.len() - 1
    }

    /// Number of stored (shared) vertices.
    pub fn vertex_count(&self) -> usize {
        self.points.len()
    }

    /// The arcs simplified with Douglas–Peucker at `tolerance_units` tile units of zoom `z`
    /// (4096 units per tile), quantised to that zoom's world tile-unit grid, and repaired so
    /// that no two simplified segments cross or overlap (where features are at least
    /// [`REPAIR_MIN_FEATURE_UNITS`] across).
    pub fn simplify(&self, z: u8, tolerance_units: f64) -> ZoomArcs {
        let z = z.min(MAX_SUPPORTED_ZOOM);
        let shift = GRID_BITS - EXTENT_BITS - u32::from(z);
        let tolerance_grid = tolerance_units * f64::from(1u32 << shift);
        let tolerance_sq = tolerance_grid * tolerance_grid;
        let mut kept: Vec<bool> = self.importance.iter().map(|&i| i > tolerance_sq).collect();
        if !self.repair_all_zooms && (self.median_feature_size >> shift) < REPAIR_MIN_FEATURE_UNITS
        {
            return self.quantised(&kept, shift);
        }
        let mut banned = vec![false; kept.len()];
        // Repair, so that the simplified arcs still form a planar partition:
        // 1. restore, in every conflicting segment, the most important vertex it dropped
        //    (the input arcs do not cross, so restoring enough vertices resolves simplification
        //    conflicts);
        // 2. where only quantisation is left (two input vertices closer than one tile unit on
        //    either side of a thin strip round to crossing positions), drop the least important
        //    droppable endpoint of the conflicting pair instead, and never restore it.
        // Every round changes at least one vertex for good, so this ends. The first round checks
        // every segment; later rounds only the arcs involved in a conflict so far ("active"),
        // against each other and against the first round's index of the others.
        let arc_count = self.arc_count();
        let mut segments: Vec<Vec<Segment>> = (0..arc_count)
            .map(|i| self.arc_segments(i, &kept, shift))
            .collect();
        let all: Vec<Segment> = segments.iter().flatten().copied().collect();
        let static_index = segment_index(&all);
        let mut conflicts = find_conflicts(&all, &all, &static_index, |_| false);
        let mut active = vec![false; arc_count];
        let mut active_arcs: Vec<usize> = Vec::new();
        while !conflicts.is_empty() {
            let mut changed = false;
            for (s, t) in &conflicts {
                for seg in [s, t] {
                    let best = (seg.first_dropped..seg.end_original)
                        .filter(|&i| !kept[i] && !banned[i])
                        .max_by(|&a, &b| self.importance[a].total_cmp(&self.importance[b]));
                    if let Some(i) = best {
                        kept[i] = true;
                        changed = true;
                    }
                }
            }
            if !changed {
                for (s, t) in &conflicts {
                    let candidate = [s.a_original, s.end_original, t.a_original, t.end_original]
                        .into_iter()
                        .filter(|&i| kept[i] && self.importance[i].is_finite())
                        .min_by(|&a, &b| self.importance[a].total_cmp(&self.importance[b]));
                    if let Some(i) = candidate {
                        kept[i] = false;
                        banned[i] = true;
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
            for (s, t) in &conflicts {
                for arc in [s.arc as usize, t.arc as usize] {
                    if !active[arc] {
                        active[arc] = true;
                        active_arcs.push(arc);
                    }
                }
            }
            for &arc in &active_arcs {
                segments[arc] = self.arc_segments(arc, &kept, shift);
            }
            let moving: Vec<Segment> = active_arcs
                .iter()
                .flat_map(|&arc| segments[arc].iter().copied())
                .collect();
            let moving_index = segment_index(&moving);
            conflicts = find_conflicts(&moving, &moving, &moving_index, |_| false);
            conflicts.extend(find_conflicts(&moving, &all, &static_index, |s| {
                active[s.arc as usize]
            }));
            conflicts.sort_unstable_by_key(|(s, t)| (s.key(), t.key()));
            conflicts.dedup_by_key(|(s, t)| (s.key(), t.key()));
        }
        self.quantised(&kept, shift)
    }

    /// The segments of arc `arc` from its kept vertices quantised by `shift`.
    fn arc_segments(&self, arc: usize, kept: &[bool], shift: u32) -> Vec<Segment> {
        let mut segments = Vec::new();
        let mut last: Option<(Pt, usize)> = None;
        for v in (self.arc_start[arc]..self.arc_start[arc + 1]).filter(|&v| kept[v]) {
            let q = quantise(self.points[v], shift);
            if let Some((p, last_original)) = last {
                if p != q {
                    segments.push(Segment {
                        arc: arc as u32,
                        a: p,
                        b: q,
                        a_original: last_original,
                        first_dropped: last_original + 1,
                        end_original: v,
                    });
                }
            }
            last = Some((q, v));
        }
        segments
    }

    /// Kept vertices quantised by `shift`, consecutive duplicates removed.
    fn quantised(&self, kept: &[bool], shift: u32) -> ZoomArcs {
        let mut out = ZoomArcs {
            points: Vec::new(),
            arc_start: Vec::with_capacity(self.arc_start.len()),
        };
        out.arc_start.push(0);
        for i in 0..self.arc_count() {
            let begin = out.points.len();
            for v in (self.arc_start[i]..self.arc_start[i + 1]).filter(|&v| kept[v]) {
                let q = quantise(self.points[v], shift);
                if out.points.len() == begin || out.points.last() != Some(&q) {
                    out.points.push(q);
                }
            }
            out.arc_start.push(out.points.len());
        }
        out
    }

    /// Append ring `ring` at one zoom to `out` as a closed ring (first vertex repeated last),
    /// with consecutive duplicate vertices removed.
    pub fn ring_points(&self, arcs: &ZoomArcs, ring: &RingTopology, out: &mut Vec<Pt>) {
        let begin = out.len();
        for a in &ring.arcs {
            let pts = arcs.arc(a.index());
            let mut push = |p: &Pt| {
                if out.len() == begin || out.last() != Some(p) {
                    out.push(*p);
                }
            };
            if a.reversed() {
                pts.iter().rev().for_each(&mut push);
            } else {
                pts.iter().for_each(&mut push);
            }
        }
        if out.len() > begin && out[begin] != out[out.len() - 1] {
            let first = out[begin];
            out.push(first);
        }
    }
}

/// One simplified segment at a zoom, and the input vertices `first_dropped..end_original`
/// that lie between its endpoints (dropped by the simplification, or duplicates).
#[derive(Debug, Clone, Copy)]
struct Segment {
    arc: u32,
    a: Pt,
    b: Pt,
    /// Input vertex at `a` (the last one, if several round to `a`).
    a_original: usize,
    first_dropped: usize,
    end_original: usize,
}

impl Segment {
    /// Identifies a segment within one state of the kept vertices.
    fn key(&self) -> (u32, usize) {
        (self.arc, self.end_original)
    }
}

fn orientation(a: Pt, b: Pt, c: Pt) -> i64 {
    let (ax, ay) = (i64::from(a[0]), i64::from(a[1]));
    ((i64::from(b[0]) - ax) * (i64::from(c[1]) - ay)
        - (i64::from(b[1]) - ay) * (i64::from(c[0]) - ax))
        .signum()
}

fn within_box(a: Pt, b: Pt, p: Pt) -> bool {
    p[0] >= a[0].min(b[0])
        && p[0] <= a[0].max(b[0])
        && p[1] >= a[1].min(b[1])
        && p[1] <= a[1].max(b[1])
}

/// Whether two segments of a planar partition conflict: they cross, touch, or overlap anywhere
/// except at one shared endpoint where they leave in different directions.
fn segments_conflict(s: &Segment, t: &Segment) -> bool {
    let shared = [
        (s.a, s.b, t.a, t.b),
        (s.a, s.b, t.b, t.a),
        (s.b, s.a, t.a, t.b),
        (s.b, s.a, t.b, t.a),
    ]
    .into_iter()
    .find(|(sj, _, tj, _)| sj == tj);
    if let Some((joint, s_far, _, t_far)) = shared {
        if s_far == t_far {
            return true; // the same segment twice
        }
        // Only a collinear overlap beyond the joint conflicts.
        let d1 = [
            i64::from(s_far[0]) - i64::from(joint[0]),
            i64::from(s_far[1]) - i64::from(joint[1]),
        ];
        let d2 = [
            i64::from(t_far[0]) - i64::from(joint[0]),
            i64::from(t_far[1]) - i64::from(joint[1]),
        ];
        return orientation(joint, s_far, t_far) == 0 && d1[0] * d2[0] + d1[1] * d2[1] > 0;
    }
    let (o1, o2) = (orientation(s.a, s.b, t.a), orientation(s.a, s.b, t.b));
    let (o3, o4) = (orientation(t.a, t.b, s.a), orientation(t.a, t.b, s.b));
    (o1 != o2 && o3 != o4)
        || (o1 == 0 && within_box(s.a, s.b, t.a))
        || (o2 == 0 && within_box(s.a, s.b, t.b))
        || (o3 == 0 && within_box(t.a, t.b, s.a))
        || (o4 == 0 && within_box(t.a, t.b, s.b))
}

type SegmentBox = rstar::primitives::GeomWithData<rstar::primitives::Rectangle<[i64; 2]>, usize>;

fn segment_box(s: &Segment, i: usize) -> SegmentBox {
    let lo = [i64::from(s.a[0].min(s.b[0])), i64::from(s.a[1].min(s.b[1]))];
    let hi = [i64::from(s.a[0].max(s.b[0])), i64::from(s.a[1].max(s.b[1]))];
    rstar::primitives::GeomWithData::new(rstar::primitives::Rectangle::from_corners(lo, hi), i)
}

/// R-tree of segment boxes; the data is the index into the slice.
fn segment_index(segments: &[Segment]) -> rstar::RTree<SegmentBox> {
    rstar::RTree::bulk_load(
        segments
            .iter()
            .enumerate()
            .map(|(i, s)| segment_box(s, i))
            .collect(),
    )
}

/// Conflicting pairs (see [`segments_conflict`]) between `query` segments and the segments of
/// `pool` (indexed by `index`), ignoring pool segments for which `skip` holds. Each unordered
/// pair is reported once when `query` and `pool` are the same slice. Checks run in parallel.
fn find_conflicts(
    query: &[Segment],
    pool: &[Segment],
    index: &rstar::RTree<SegmentBox>,
    skip: impl Fn(&Segment) -> bool + Sync,
) -> Vec<(Segment, Segment)> {
    use rayon::prelude::*;
    let same = std::ptr::eq(query, pool);
    query
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, s)| {
            let envelope = rstar::RTreeObject::envelope(segment_box(s, i).geom());
            index
                .locate_in_envelope_intersecting(&envelope)
                .filter(|o| !(same && o.data <= i))
                .map(|o| pool[o.data])
                .filter(|t| t.key() != s.key() && !skip(t) && segments_conflict(s, t))
                .map(|t| (*s, t))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Pairs of segment indices that conflict, for tests.
#[cfg(test)]
fn conflicting_segments(segments: &[Segment]) -> Vec<(Segment, Segment)> {
    find_conflicts(segments, segments, &segment_index(segments), |_| false)
}

/// Rounding shift from the input grid to a coarser power-of-two grid; identical input gives
/// identical output, which keeps shared vertices shared.
fn quantise(p: Pt, shift: u32) -> Pt {
    if shift == 0 {
        return p;
    }
    let half = 1i64 << (shift - 1);
    [
        ((i64::from(p[0]) + half) >> shift) as i32,
        ((i64::from(p[1]) + half) >> shift) as i32,
    ]
}

fn project_ring(ring: &geo::LineString<f64>) -> Option<Vec<Pt>> {
    let mut points: Vec<Pt> = Vec::with_capacity(ring.0.len());
    for c in &ring.0 {
        let p = project(c.x, c.y)?;
        if points.last() != Some(&p) {
            points.push(p);
        }
    }
    while points.len() > 1 && points.first() == points.last() {
        points.pop();
    }
    // A ring needs three distinct vertices to enclose any area.
    (points.len() >= 3).then_some(points)
}

/// Store an arc once, in a canonical direction, and return a reference in the caller's direction.
fn intern_arc(
    sequence: &[Pt],
    ids: &mut FastMap<Vec<Pt>, i32>,
    points: &mut Vec<Pt>,
    arc_start: &mut Vec<usize>,
    arc_uses: &mut Vec<u8>,
) -> ArcRef {
    let n = sequence.len();
    let reversed = if sequence[0] != sequence[n - 1] {
        sequence[n - 1] < sequence[0]
    } else {
        n > 2 && sequence[n - 2] < sequence[1]
    };
    let canonical: Vec<Pt> = if reversed {
        sequence.iter().rev().copied().collect()
    } else {
        sequence.to_vec()
    };
    let id = match ids.get(&canonical) {
        Some(&id) => id,
        None => {
            let id = (arc_start.len() - 1) as i32;
            points.extend_from_slice(&canonical);
            arc_start.push(points.len());
            arc_uses.push(0);
            ids.insert(canonical, id);
            id
        }
    };
    let uses = &mut arc_uses[id as usize];
    *uses = uses.saturating_add(1);
    ArcRef(if reversed { !id } else { id })
}

/// Squared distance from `p` to the segment `a`–`b` (to `a` if the segment is a point).
fn segment_distance_sq(p: Pt, a: Pt, b: Pt) -> f64 {
    let (px, py) = (f64::from(p[0]), f64::from(p[1]));
    let (ax, ay) = (f64::from(a[0]), f64::from(a[1]));
    let (dx, dy) = (f64::from(b[0]) - ax, f64::from(b[1]) - ay);
    let len_sq = dx * dx + dy * dy;
    let t = if len_sq == 0.0 {
        0.0
    } else {
        (((px - ax) * dx + (py - ay) * dy) / len_sq).clamp(0.0, 1.0)
    };
    let (ex, ey) = (px - (ax + t * dx), py - (ay + t * dy));
    ex * ex + ey * ey
}

/// For every vertex of `arc`, the largest squared tolerance at which Douglas–Peucker keeps it
/// (endpoints: infinity). Splits at recursion depth below `force_depth` are always kept.
fn dp_importance(arc: &[Pt], out: &mut [f64], force_depth: u8) {
    let n = arc.len();
    if n == 0 {
        return;
    }
    out[0] = f64::INFINITY;
    out[n - 1] = f64::INFINITY;
    let mut stack: Vec<(usize, usize, f64, u8)> = vec![(0, n - 1, f64::INFINITY, 0)];
    while let Some((a, b, cap, depth)) = stack.pop() {
        if b <= a + 1 {
            continue;
        }
        let mut best = a + 1;
        let mut best_d = -1.0;
        for i in a + 1..b {
            let d = segment_distance_sq(arc[i], arc[a], arc[b]);
            if d > best_d {
                best_d = d;
                best = i;
            }
        }
        let imp = if depth < force_depth {
            f64::INFINITY
        } else {
            best_d.min(cap)
        };
        out[best] = imp;
        stack.push((a, best, imp, depth + 1));
        stack.push((best, b, imp, depth + 1));
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use geo::{polygon, MultiPolygon};

    fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon![
            (x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1), (x: x0, y: y0)
        ]])
    }

    #[test]
    fn two_squares_share_one_arc() {
        let left = square(0.0, 0.0, 1.0, 1.0);
        let right = square(1.0, 0.0, 2.0, 1.0);
        let topo = Topology::build([&left, &right]);
        // Shared border (1,0)-(1,1) is one arc used by both; each square has one outer arc.
        assert_eq!(topo.arc_count(), 3);
        let shared: Vec<usize> = topo.features[0].polygons[0].rings[0]
            .arcs
            .iter()
            .map(|a| a.index())
            .filter(|i| {
                topo.features[1].polygons[0].rings[0]
                    .arcs
                    .iter()
                    .any(|b| b.index() == *i)
            })
            .collect();
        assert_eq!(shared.len(), 1);
        assert!(!topo.features[0].polygons[0].rings[0].island);
    }

    #[test]
    fn enclosed_area_and_its_hole_share_a_closed_arc() {
        let outer = MultiPolygon(vec![polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 4.0), (x: 0.0, y: 4.0)],
            interiors: [[(x: 1.0, y: 1.0), (x: 1.0, y: 2.0), (x: 2.0, y: 2.0), (x: 2.0, y: 1.0)]],
        )]);
        let inner = square(1.0, 1.0, 2.0, 2.0);
        let topo = Topology::build([&outer, &inner]);
        let hole = &topo.features[0].polygons[0].rings[1];
        let island = &topo.features[1].polygons[0].rings[0];
        assert_eq!(hole.arcs.len(), 1);
        assert_eq!(island.arcs.len(), 1);
        assert_eq!(hole.arcs[0].index(), island.arcs[0].index());
        assert_ne!(hole.arcs[0].reversed(), island.arcs[0].reversed());
        // The outer exterior ring borders nothing else: an island ring.
        assert!(topo.features[0].polygons[0].rings[0].island);
        assert!(!island.island);
    }

    #[test]
    fn douglas_peucker_importance_matches_direct_dp() {
        // Hand-worked: a zigzag whose middle vertex is 3 units off the chord, the others 1.
        let arc: Vec<Pt> = vec![[0, 0], [2, 1], [4, 3], [6, 1], [8, 0]];
        let mut imp = vec![0.0; arc.len()];
        dp_importance(&arc, &mut imp, 0);
        assert_eq!(imp[0], f64::INFINITY);
        assert_eq!(imp[4], f64::INFINITY);
        assert!((imp[2] - 9.0).abs() < 1e-9);
        // (2,1) to segment (0,0)-(4,3): |3*2 - 4*1| / 5 = 0.4 → 0.16, capped by parent 9.
        assert!((imp[1] - 0.16).abs() < 1e-9);
        assert!((imp[3] - 0.16).abs() < 1e-9);
    }

    #[test]
    fn small_rings_keep_three_vertices_at_any_tolerance() {
        let lone = square(0.0, 0.0, 0.001, 0.001);
        let topo = Topology::build([&lone]);
        let arcs = topo.simplify(14, 1e9);
        let mut ring = Vec::new();
        topo.ring_points(&arcs, &topo.features[0].polygons[0].rings[0], &mut ring);
        assert!(ring.len() >= 4, "{ring:?}");
        assert_eq!(ring.first(), ring.last());
    }

    #[test]
    fn projection_round_trips() {
        let p = project(-1.5, 54.7).unwrap();
        let (lon, lat) = unproject(f64::from(p[0]), f64::from(p[1]));
        assert!((lon + 1.5).abs() < 1e-6 && (lat - 54.7).abs() < 1e-6);
    }

    #[test]
    fn simplified_durham_arcs_never_cross_at_any_zoom() {
        use crate::tiles::test_support::{durham_lsoa11_layer, durham_msoa11_layer};
        for layer in [durham_msoa11_layer(), durham_lsoa11_layer()] {
            let topo = Topology::build(layer.areas.iter().map(|a| &a.geometry));
            // Durham MSOAs reach a pixel at z4, LSOAs at z5; below that arcs may collapse.
            let from = topo.pixel_zoom();
            assert!(from <= 5, "{} reaches a pixel only at z{from}", layer.level);
            assert_eq!(
                topo.repair_from_zoom(),
                0,
                "a county layer is repaired at every zoom"
            );
            for z in from..=14u8 {
                let arcs = topo.simplify(z, 4.0);
                // Every segment of every arc, with a unique key (arc, position).
                let segments: Vec<Segment> = (0..arcs.arc_start.len() - 1)
                    .flat_map(|i| {
                        arcs.arc(i)
                            .windows(2)
                            .enumerate()
                            .map(|(k, w)| Segment {
                                arc: i as u32,
                                a: w[0],
                                b: w[1],
                                a_original: k,
                                first_dropped: k + 1,
                                end_original: k + 1,
                            })
                            .collect::<Vec<_>>()
                    })
                    .collect();
                let conflicts = conflicting_segments(&segments);
                assert!(
                    conflicts.is_empty(),
                    "{} z{z}: {:?}",
                    layer.level,
                    &conflicts[..conflicts.len().min(4)]
                );
            }
        }
    }
}

//! Clipping polygon rings to a tile (plus buffer) in integer tile coordinates, and ring clean-up
//! after quantisation.
//!
//! # Method
//! Sutherland–Hodgman (I. Sutherland, G. Hodgman, 1974, *Reentrant polygon clipping*, CACM
//! 17(1)) against the four sides of the square `[min, max]²`, one ring at a time. Rings arrive
//! already quantised to the tile's 4096 grid (see [`super::topology`]), so clipping works on
//! integers; the only new vertices are crossings with the clip lines. A crossing is computed
//! from the segment's endpoints taken in a canonical (lexicographic) order, so the two
//! neighbours that traverse a shared border in opposite directions get the same rounded
//! crossing — clipping never opens a sliver at the tile edge either.
//!
//! Sutherland–Hodgman keeps one output ring per input ring: where a concave ring leaves and
//! re-enters the square, the output runs along the clip line and back (a zero-width "bridge"),
//! and a hole cut by the clip line shares a stretch of it with its exterior. Renderers never
//! show these (they lie `buffer` units outside the visible tile), but the polygon is then not
//! valid — GEOS reports "Ring Self-intersection" on the clip line — and MVT 2.1 §4.3.4.4 asks
//! for valid polygons (no self-intersection or self-tangency). Rounding to the tile grid can
//! also make a small ring touch or cross itself. So every feature's rings are finally rebuilt by
//! [`untangle`] with an integer polygon overlay (i_overlay's `simplify`, non-zero fill rule):
//! overlapping opposite runs cancel, a hole that reaches the edge opens its exterior, crossings
//! are resolved, and a ring that touches itself at a point is split there. The overlay returns
//! a ring that is already simple as it is (and then every vertex of the result is a vertex of
//! the input), so neighbours' shared borders stay identical.
//!
//! # Winding (MVT 2.1, section 4.3.4.4)
//! Exterior rings have positive area by the surveyor's formula in tile coordinates (y down),
//! i.e. clockwise on screen; holes negative. [`signed_area2`] computes twice that area.

/// A vertex in tile coordinates (x right, y down; 0..4096 is the visible tile).
pub type TilePt = [i64; 2];

/// Twice the signed area by the surveyor's formula, `Σ (x_i·y_{i+1} − x_{i+1}·y_i)`, of an open
/// or closed ring. Positive = exterior ring in MVT terms.
pub fn signed_area2(ring: &[TilePt]) -> i128 {
    let n = ring.len();
    if n < 3 {
        return 0;
    }
    let mut sum: i128 = 0;
    for i in 0..n {
        let a = ring[i];
        let b = ring[(i + 1) % n];
        sum += i128::from(a[0]) * i128::from(b[1]) - i128::from(b[0]) * i128::from(a[1]);
    }
    sum
}

#[derive(Clone, Copy)]
enum Side {
    Left,
    Right,
    Top,
    Bottom,
}

impl Side {
    fn inside(self, p: TilePt, min: i64, max: i64) -> bool {
        match self {
            Side::Left => p[0] >= min,
            Side::Right => p[0] <= max,
            Side::Top => p[1] >= min,
            Side::Bottom => p[1] <= max,
        }
    }

    /// Crossing of segment `a`–`b` with this side's line, endpoints in canonical order.
    fn crossing(self, a: TilePt, b: TilePt, min: i64, max: i64) -> TilePt {
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        let (axis, value) = match self {
            Side::Left => (0, min),
            Side::Right => (0, max),
            Side::Top => (1, min),
            Side::Bottom => (1, max),
        };
        let other = 1 - axis;
        let t = (value - a[axis]) as f64 / (b[axis] - a[axis]) as f64;
        let v = a[other] as f64 + t * (b[other] - a[other]) as f64;
        let mut p = [0i64; 2];
        p[axis] = value;
        p[other] = v.round() as i64;
        p
    }
}

/// Clip an open ring (no repeated closing vertex) to `[min, max]²`. `scratch` is reused.
/// The output is open and may be empty.
pub fn clip_ring(
    ring: &[TilePt],
    min: i64,
    max: i64,
    out: &mut Vec<TilePt>,
    scratch: &mut Vec<TilePt>,
) {
    out.clear();
    out.extend_from_slice(ring);
    for side in [Side::Left, Side::Right, Side::Top, Side::Bottom] {
        if out.is_empty() {
            return;
        }
        std::mem::swap(out, scratch);
        out.clear();
        let n = scratch.len();
        for i in 0..n {
            let current = scratch[i];
            let previous = scratch[(i + n - 1) % n];
            let current_in = side.inside(current, min, max);
            let previous_in = side.inside(previous, min, max);
            if current_in {
                if !previous_in {
                    out.push(side.crossing(previous, current, min, max));
                }
                out.push(current);
            } else if previous_in {
                out.push(side.crossing(previous, current, min, max));
            }
        }
    }
}

/// Rebuild a feature's rings (exteriors with positive, holes with negative surveyor's area) as
/// valid polygons, in MVT order: each exterior followed by its holes. See the module
/// docs; rings that touch themselves at a vertex are split into simple rings there.
pub fn untangle(rings: &[Vec<TilePt>]) -> Vec<Vec<TilePt>> {
    use i_overlay::core::fill_rule::FillRule;
    use i_overlay::core::overlay::IntOverlayOptions;
    use i_overlay::core::simplify::Simplify;
    use i_overlay::i_float::int::point::IntPoint;
    // Tile coordinates lie within the buffered tile (a few thousand units): they fit i32.
    let to_int = |p: &TilePt| IntPoint::new(p[0] as i32, p[1] as i32);
    let contours: Vec<Vec<IntPoint>> = rings
        .iter()
        .filter(|r| r.len() >= 3)
        .map(|r| r.iter().map(to_int).collect())
        .collect();
    let shapes = contours
        .as_slice()
        .simplify(FillRule::NonZero, IntOverlayOptions::default());
    let mut out = Vec::new();
    for shape in shapes {
        let mut exteriors: Vec<Vec<TilePt>> = Vec::new();
        let mut holes: Vec<Vec<TilePt>> = Vec::new();
        for (k, contour) in shape.iter().enumerate() {
            let ring: Vec<TilePt> = contour
                .iter()
                .map(|p| [i64::from(p.x), i64::from(p.y)])
                .collect();
            let turn = signed_area2(&ring).signum();
            for mut simple in split_at_repeated_vertices(with_touch_points(ring)) {
                let area = signed_area2(&simple);
                if area == 0 {
                    continue;
                }
                // The first contour of a shape is its exterior; a loop split off it with the
                // opposite turn is a hole touching the exterior at one point (valid in OGC),
                // and a loop split off a hole with the opposite turn is an island in it.
                let exterior = (k == 0) == (area.signum() == turn);
                if exterior == (area < 0) {
                    simple.reverse();
                }
                if exterior {
                    exteriors.push(simple);
                } else {
                    holes.push(simple);
                }
            }
        }
        // A shape splits into several exteriors only at pinch points; give each hole to the
        // exterior that contains one of its vertices not on that exterior.
        let mut assigned: Vec<Vec<Vec<TilePt>>> =
            exteriors.iter().map(|e| vec![e.clone()]).collect();
        for hole in holes {
            let owner = (0..exteriors.len())
                .find(|&i| {
                    hole.iter()
                        .any(|p| point_in_ring(*p, &exteriors[i]) == Some(true))
                })
                .unwrap_or(0);
            if let Some(rings) = assigned.get_mut(owner) {
                rings.push(hole);
            }
        }
        out.extend(assigned.into_iter().flatten());
    }
    out
}

/// The ring with every one of its vertices that lies inside another of its edges (a ring
/// touching itself at a vertex, which the overlay leaves in place) inserted into that edge, so
/// the touch becomes a repeated vertex that [`split_at_repeated_vertices`] can cut at. Edges
/// are found through an R-tree of their bounding boxes.
fn with_touch_points(ring: Vec<TilePt>) -> Vec<TilePt> {
    use rstar::primitives::{GeomWithData, Rectangle};
    use rstar::{RTree, AABB};
    let n = ring.len();
    if n < 4 {
        return ring;
    }
    let edges: Vec<GeomWithData<Rectangle<[i64; 2]>, usize>> = (0..n)
        .map(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            GeomWithData::new(Rectangle::from_corners(a, b), i)
        })
        .collect();
    let tree = RTree::bulk_load(edges);
    // Extra vertices per edge, with their position along it.
    let mut inserted: Vec<Vec<TilePt>> = vec![Vec::new(); n];
    let mut any = false;
    for (v, &p) in ring.iter().enumerate() {
        for edge in tree.locate_in_envelope_intersecting(&AABB::from_point(p)) {
            let i = edge.data;
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            if i == v || (i + 1) % n == v || p == a || p == b {
                continue;
            }
            let cross = i128::from(b[0] - a[0]) * i128::from(p[1] - a[1])
                - i128::from(b[1] - a[1]) * i128::from(p[0] - a[0]);
            if cross == 0 {
                inserted[i].push(p);
                any = true;
            }
        }
    }
    if !any {
        return ring;
    }
    let mut out = Vec::with_capacity(n + 4);
    for (i, extra) in inserted.iter_mut().enumerate() {
        let a = ring[i];
        out.push(a);
        extra.sort_by_key(|p| (p[0] - a[0]).abs() + (p[1] - a[1]).abs());
        extra.dedup();
        out.extend_from_slice(extra);
    }
    out
}

/// Split a ring that passes through one vertex twice into simple loops (recursively).
fn split_at_repeated_vertices(ring: Vec<TilePt>) -> Vec<Vec<TilePt>> {
    let mut seen = std::collections::HashMap::with_capacity(ring.len());
    for (j, p) in ring.iter().enumerate() {
        if let Some(&i) = seen.get(p) {
            let inner: Vec<TilePt> = ring[i..j].to_vec();
            let mut outer: Vec<TilePt> = ring[..i].to_vec();
            outer.extend_from_slice(&ring[j..]);
            let mut loops = split_at_repeated_vertices(inner);
            loops.extend(split_at_repeated_vertices(outer));
            return loops;
        }
        seen.insert(*p, j);
    }
    vec![ring]
}

/// Even–odd point-in-ring test: `Some(true)` inside, `Some(false)` outside, `None` on the
/// boundary.
fn point_in_ring(p: TilePt, ring: &[TilePt]) -> Option<bool> {
    let n = ring.len();
    let mut inside = false;
    for i in 0..n {
        let (a, b) = (ring[i], ring[(i + 1) % n]);
        let cross = i128::from(b[0] - a[0]) * i128::from(p[1] - a[1])
            - i128::from(b[1] - a[1]) * i128::from(p[0] - a[0]);
        let within = p[0] >= a[0].min(b[0])
            && p[0] <= a[0].max(b[0])
            && p[1] >= a[1].min(b[1])
            && p[1] <= a[1].max(b[1]);
        if cross == 0 && within {
            return None;
        }
        if (a[1] > p[1]) != (b[1] > p[1]) {
            // x of the edge at p's y, compared without division.
            let lhs = i128::from(p[0] - a[0]) * i128::from(b[1] - a[1]);
            let rhs = i128::from(b[0] - a[0]) * i128::from(p[1] - a[1]);
            if (b[1] > a[1] && lhs < rhs) || (b[1] < a[1] && lhs > rhs) {
                inside = !inside;
            }
        }
    }
    Some(inside)
}

/// Remove repeated vertices, spikes and collinear vertices from an open ring, in place.
/// None of these change the area covered, so neighbours stay gap-free.
pub fn clean_ring(ring: &mut Vec<TilePt>) {
    ring.dedup();
    while ring.len() > 1 && ring.first() == ring.last() {
        ring.pop();
    }
    // Repeatedly drop vertices whose neighbours are collinear with them (this includes spikes
    // A→B→A and repeated points), until none is left or the ring is degenerate.
    let mut changed = true;
    while changed && ring.len() >= 3 {
        changed = false;
        let mut kept: Vec<TilePt> = Vec::with_capacity(ring.len());
        let n = ring.len();
        for i in 0..n {
            let prev = match kept.last() {
                Some(p) => *p,
                None => ring[(i + n - 1) % n],
            };
            let here = ring[i];
            let next = ring[(i + 1) % n];
            let cross = i128::from(here[0] - prev[0]) * i128::from(next[1] - here[1])
                - i128::from(here[1] - prev[1]) * i128::from(next[0] - here[0]);
            if cross == 0 || here == prev {
                changed = true;
            } else {
                kept.push(here);
            }
        }
        *ring = kept;
    }
    if ring.len() < 3 {
        ring.clear();
    }
}

/// Whether an open ring is simple: no two non-adjacent edges meet and no adjacent edges fold
/// back. O(n²): used only on rings a pixel or two across (see [`repair_tiny_ring`]).
pub fn is_simple(ring: &[TilePt]) -> bool {
    let n = ring.len();
    if n < 3 {
        return false;
    }
    let orient = |a: TilePt, b: TilePt, c: TilePt| {
        ((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])).signum()
    };
    let boxed = |a: TilePt, b: TilePt, p: TilePt| {
        p[0] >= a[0].min(b[0])
            && p[0] <= a[0].max(b[0])
            && p[1] >= a[1].min(b[1])
            && p[1] <= a[1].max(b[1])
    };
    for i in 0..n {
        let (a, b) = (ring[i], ring[(i + 1) % n]);
        for j in i + 1..n {
            let (c, d) = (ring[j], ring[(j + 1) % n]);
            let adjacent = j == i + 1 || (i == 0 && j == n - 1);
            if adjacent {
                // Shared vertex; a fold-back makes the third point collinear and inside.
                let (shared, p, q) = if j == i + 1 { (b, a, d) } else { (a, b, c) };
                if orient(p, shared, q) == 0 && (boxed(shared, p, q) || boxed(shared, q, p)) {
                    return false;
                }
                continue;
            }
            let (o1, o2, o3, o4) = (
                orient(a, b, c),
                orient(a, b, d),
                orient(c, d, a),
                orient(c, d, b),
            );
            if (o1 != o2 && o3 != o4)
                || (o1 == 0 && boxed(a, b, c))
                || (o2 == 0 && boxed(a, b, d))
                || (o3 == 0 && boxed(c, d, a))
                || (o4 == 0 && boxed(c, d, b))
            {
                return false;
            }
        }
    }
    true
}

/// Replace a ring no more than `max_size` units across that is not simple by its convex hull
/// (Andrew's monotone chain, A. M. Andrew 1979, *Inf. Proc. Letters* 9(5)), keeping its
/// orientation. At low zooms several fixed junctions of a tiny area can round onto one
/// another so that its ring touches itself; the hull covers the same pixel(s) and is valid.
/// Shape changes stay below `max_size` units (a pixel), so nothing visible moves.
pub fn repair_tiny_ring(ring: &mut Vec<TilePt>, max_size: i64) {
    let (mut lo, mut hi) = ([i64::MAX; 2], [i64::MIN; 2]);
    for p in ring.iter() {
        lo = [lo[0].min(p[0]), lo[1].min(p[1])];
        hi = [hi[0].max(p[0]), hi[1].max(p[1])];
    }
    if ring.is_empty() || hi[0] - lo[0] > max_size || hi[1] - lo[1] > max_size || is_simple(ring) {
        return;
    }
    let positive = signed_area2(ring) > 0;
    *ring = convex_hull(ring, positive);
}

/// Convex hull of `points` (Andrew's monotone chain) with the given orientation (positive =
/// the MVT exterior orientation); empty when the points are collinear.
pub fn convex_hull(points: &[TilePt], positive: bool) -> Vec<TilePt> {
    let mut points = points.to_vec();
    points.sort_unstable();
    points.dedup();
    let cross = |o: TilePt, a: TilePt, b: TilePt| {
        (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])
    };
    let mut hull: Vec<TilePt> = Vec::with_capacity(points.len() + 1);
    for pass in 0..2 {
        let start = hull.len();
        let iter: Box<dyn Iterator<Item = &TilePt>> = if pass == 0 {
            Box::new(points.iter())
        } else {
            Box::new(points.iter().rev())
        };
        for &p in iter {
            while hull.len() >= start + 2
                && cross(hull[hull.len() - 2], hull[hull.len() - 1], p) <= 0
            {
                hull.pop();
            }
            hull.push(p);
        }
        hull.pop();
    }
    if (signed_area2(&hull) > 0) != positive {
        hull.reverse();
    }
    if hull.len() < 3 {
        hull.clear();
    }
    hull
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn square_partly_outside_is_cut_at_the_clip_line() {
        let ring = vec![[-100, 10], [50, 10], [50, 60], [-100, 60]];
        let (mut out, mut scratch) = (Vec::new(), Vec::new());
        clip_ring(&ring, 0, 4096, &mut out, &mut scratch);
        clean_ring(&mut out);
        assert_eq!(out.len(), 4);
        assert!(out.iter().all(|p| p[0] >= 0));
        // Area 50 × 50 kept, orientation kept.
        assert_eq!(signed_area2(&out).abs(), 2 * 50 * 50);
        assert_eq!(signed_area2(&out).signum(), signed_area2(&ring).signum());
    }

    #[test]
    fn shared_edge_crossings_agree_in_both_directions() {
        let a = [-37, 11];
        let b = [91, 4000];
        for side in [Side::Left, Side::Right, Side::Top, Side::Bottom] {
            assert_eq!(side.crossing(a, b, 0, 64), side.crossing(b, a, 0, 64));
        }
    }

    #[test]
    fn ring_entirely_outside_vanishes() {
        let ring = vec![[5000, 5000], [6000, 5000], [6000, 6000]];
        let (mut out, mut scratch) = (Vec::new(), Vec::new());
        clip_ring(&ring, -64, 4160, &mut out, &mut scratch);
        clean_ring(&mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn clean_ring_removes_spikes_and_collinear_points() {
        let mut ring = vec![
            [0, 0],
            [5, 0],
            [10, 0],
            [10, 10],
            [10, 20],
            [10, 10],
            [0, 10],
            [0, 10],
        ];
        clean_ring(&mut ring);
        assert_eq!(ring, vec![[0, 0], [10, 0], [10, 10], [0, 10]]);
    }

    #[test]
    fn tiny_bow_tie_becomes_its_hull_and_large_rings_are_left_alone() {
        let bow_tie = vec![[0, 0], [2, 2], [2, 0], [0, 2]];
        assert!(!is_simple(&bow_tie));
        let mut tiny = bow_tie.clone();
        repair_tiny_ring(&mut tiny, 8);
        assert!(is_simple(&tiny));
        assert_eq!(signed_area2(&tiny).abs(), 8);
        let mut large: Vec<TilePt> = bow_tie.iter().map(|p| [p[0] * 100, p[1] * 100]).collect();
        repair_tiny_ring(&mut large, 8);
        assert_eq!(large.len(), 4);
    }

    #[test]
    fn untangle_removes_a_bridge_along_the_clip_line() {
        // A U clipped at x = 0: the two arms joined by a run out and back along the clip line.
        let u = vec![
            [0, 0],
            [10, 0],
            [10, 30],
            [0, 30],
            [0, 20],
            [5, 20],
            [5, 10],
            [0, 10],
            [0, 20],
            [0, 30],
        ];
        let mut ring = u.clone();
        clean_ring(&mut ring);
        let rings = untangle(&[ring]);
        let area: i128 = rings.iter().map(|r| signed_area2(r)).sum();
        assert_eq!(area, 2 * (10 * 30 - 5 * 10));
        assert!(
            rings.iter().all(|r| signed_area2(r) > 0 && is_simple(r)),
            "{rings:?}"
        );
    }

    #[test]
    fn untangle_splits_a_ring_touching_itself_at_a_vertex_inside_an_edge() {
        // (4, 0) lies inside the edge (0, 0)–(8, 0): two triangles touching at a point.
        let ring = vec![[0, 0], [8, 0], [8, 8], [4, 0], [0, 8]];
        let rings = untangle(&[ring]);
        assert_eq!(rings.len(), 2, "{rings:?}");
        assert!(rings.iter().all(|r| is_simple(r) && signed_area2(r) > 0));
    }

    #[test]
    fn untangle_leaves_a_simple_ring_with_its_vertices() {
        let ring = vec![[0, 0], [10, 0], [10, 10], [0, 10]];
        let rings = untangle(std::slice::from_ref(&ring));
        assert_eq!(rings.len(), 1);
        let mut got = rings[0].clone();
        got.sort_unstable();
        let mut want = ring;
        want.sort_unstable();
        assert_eq!(got, want);
    }

    #[test]
    fn surveyor_area_is_positive_for_clockwise_on_screen() {
        // y down: (0,0) → (10,0) → (10,10) → (0,10) turns clockwise on screen.
        assert_eq!(signed_area2(&[[0, 0], [10, 0], [10, 10], [0, 10]]), 200);
    }
}

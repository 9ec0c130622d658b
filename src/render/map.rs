//! The choropleth map image: areas coloured by class, suppressed areas hatched, no-data grey,
//! the "30% most deprived nationally" outline, sites, a focus area (a locality) with the rest
//! drawn in grey for context, and a legend, scale bar, north arrow and attribution.
//!
//! The input is a plain [`MapSpec`]; nothing here reads the Dataset (the adapter is
//! [`crate::figures::map`]). Styles follow the web map (`web/js/mapview.js`, `web/app.css`):
//! white area borders, a black 30% outline on a white casing, the same hatch, the same site
//! symbols and the same legend rows, so a printed map reads like the screen. The legend is a
//! panel beside the map, never over it, and its type shrinks until every row fits.

use crate::render::canvas::{Canvas, Line};
use crate::render::colour::Colour;
use crate::render::legend::{AreaClass, Legend, SUPPRESSED_HATCH};
use crate::render::projection::{Frame, Viewport};
use crate::render::text::{self, Anchor, TextStyle, Weight};
use crate::render::RenderError;
use geo::{BoundingRect, MultiPolygon};
use tiny_skia::{
    FillRule, FilterQuality, Paint, Path, PathBuilder, Pattern, Pixmap, SpreadMode, Transform,
};

/// Areas outside the focus (the rest of the county): flat grey.
pub const CONTEXT: Colour = Colour::hex("#e4e7eb");
/// Proposed sites and their reach: the place panel's marker colour (`web/js/place.js`).
pub const PROPOSED: Colour = Colour::hex("#d95f02");
/// The focus outline (a locality): the web map's accent blue, distinct from the black 30% line.
pub const FOCUS_OUTLINE: Colour = Colour::hex("#0b5cad");

/// What the renderer needs to draw one map.
#[derive(Debug, Clone)]
pub struct MapSpec {
    /// Logical size; the image is `pixel_ratio` times larger in pixels.
    pub width: f32,
    pub height: f32,
    pub pixel_ratio: f32,
    pub areas: Vec<MapArea>,
    /// The area the map is about (e.g. a locality): fitted to the frame and outlined.
    pub focus: Option<Focus>,
    pub sites: Vec<MapSite>,
    /// Classes and colours; [`MapArea::class`] indexes `legend.items`.
    pub legend: Legend,
    /// Legend text for suppressed areas, e.g. "Suppressed: small numbers (count 1–4)".
    pub suppressed_label: String,
    /// Legend text for the 30% outline; `None` hides the outline.
    pub imd30_label: Option<String>,
    /// Legend text for the grey context areas, e.g. "Rest of County Durham".
    pub context_label: String,
    /// Marks the legend "Synthetic data" (the values are not official statistics).
    pub synthetic: bool,
    /// Source and licence line(s) under the map.
    pub attribution: String,
}

/// One area: its boundary (WGS84 lon/lat), class, and whether it is in the focus.
#[derive(Debug, Clone)]
pub struct MapArea {
    pub geometry: MultiPolygon<f64>,
    pub class: AreaClass,
    /// False for context areas (outside the focus): drawn grey.
    pub in_focus: bool,
    pub most_deprived_30pct: bool,
}

/// The focus area's name (for the legend) and boundary.
#[derive(Debug, Clone)]
pub struct Focus {
    pub name: String,
    pub outline: MultiPolygon<f64>,
}

/// A service site.
#[derive(Debug, Clone, PartialEq)]
pub struct MapSite {
    pub lon: f64,
    pub lat: f64,
    pub kind: SiteKind,
    /// Ground radius (metres) drawn as a dashed ring around the site: a proposed site's reach.
    pub reach_metres: Option<f64>,
}

/// Site symbols, as `siteStyle` in `web/js/mapview.js`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SiteKind {
    FamilyHub,
    OnePointHub,
    Centre,
    Outreach,
    Candidate,
    Other,
    /// A new site proposed by a placement (the web map's place-panel marker); drawn last.
    Proposed,
}

impl SiteKind {
    /// Classify a site's `kind` by pattern, so "one_point_hub" and "family_hub" both read as
    /// hubs (`siteStyle`).
    pub fn from_kind(kind: &str) -> SiteKind {
        let k = kind.to_lowercase();
        if k.contains("candidate") || k.contains("proposed") {
            SiteKind::Candidate
        } else if k.contains("outreach") {
            SiteKind::Outreach
        } else if k.contains("hub") {
            let one_point = k.contains("onepoint")
                || k.contains("one point")
                || k.contains("one_point")
                || k.contains("one-point");
            if one_point {
                SiteKind::OnePointHub
            } else {
                SiteKind::FamilyHub
            }
        } else if k.contains("centre") || k.contains("center") {
            SiteKind::Centre
        } else {
            SiteKind::Other
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SiteKind::FamilyHub => "Family hub",
            SiteKind::OnePointHub => "One Point hub",
            SiteKind::Centre => "Family / One Point centre",
            SiteKind::Outreach => "Outreach point",
            SiteKind::Candidate => "Candidate site",
            SiteKind::Other => "Other site",
            SiteKind::Proposed => "Proposed new site (ring: its reach)",
        }
    }
}

/// Type sizes (logical units) at the reference width; scaled with the image, and shrunk
/// together when the legend would not fit.
const REFERENCE_WIDTH: f32 = 560.0;
const HEADING: f32 = 15.0;
const LABEL: f32 = 13.0;
const NOTE: f32 = 10.5;
const ATTRIBUTION: f32 = 8.5;

/// Render the map to a canvas.
pub fn render_map(spec: &MapSpec) -> Result<Canvas, RenderError> {
    let layout = map_layout(spec)?;
    let mut canvas = Canvas::new(spec.width, spec.height, spec.pixel_ratio)?;
    let u = layout.scale;
    let pad = 8.0 * u;
    let drawn_sites = draw_map_frame(&mut canvas, spec, layout.frame, layout.view, u)?;
    // Paint over anything drawn past the frame, then the legend and the attribution.
    let body_h = layout.frame.height;
    canvas.fill_rect(
        layout.panel.x,
        0.0,
        layout.panel.width,
        spec.height,
        Colour::WHITE,
    );
    canvas.fill_rect(0.0, body_h, spec.width, spec.height - body_h, Colour::WHITE);
    draw_legend(&mut canvas, spec, &drawn_sites, layout.panel, u);
    canvas.fill_rect(0.0, body_h, spec.width, 0.8 * u, Colour::hex("#d6dbe1"));
    let style = TextStyle::new(ATTRIBUTION * u, Weight::Regular, Colour::INK_2);
    let attribution = text::wrap(
        &spec.attribution,
        style.size,
        Weight::Regular,
        spec.width - 2.0 * pad,
    );
    canvas.text_lines(&attribution, pad, body_h + pad * 0.4, &style);
    Ok(canvas)
}

/// Bounds to fit: the focus outline, else every area.
fn fit_bounds(spec: &MapSpec) -> Option<[f64; 4]> {
    let rects: Vec<geo::Rect<f64>> = match &spec.focus {
        Some(f) => f.outline.bounding_rect().into_iter().collect(),
        None => spec
            .areas
            .iter()
            .filter_map(|a| a.geometry.bounding_rect())
            .collect(),
    };
    rects.iter().fold(None, |acc: Option<[f64; 4]>, r| {
        let b = [r.min().x, r.min().y, r.max().x, r.max().y];
        Some(match acc {
            None => b,
            Some(a) => [
                a[0].min(b[0]),
                a[1].min(b[1]),
                a[2].max(b[2]),
                a[3].max(b[3]),
            ],
        })
    })
}

/// A multipolygon as one path (rings closed; holes by the even-odd rule). Vertices closer
/// than `min_step` (image units) to the last one kept are dropped: at a third of a device
/// pixel they change nothing visible, and they are most of the stroking work.
fn area_path(geometry: &MultiPolygon<f64>, view: &Viewport, min_step: f32) -> Option<Path> {
    let mut pb = PathBuilder::new();
    let min_sq = min_step * min_step;
    for polygon in geometry {
        for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
            let mut last: Option<(f32, f32)> = None;
            for c in ring.coords() {
                let (x, y) = view.project(c.x, c.y);
                match last {
                    None => pb.move_to(x, y),
                    Some((lx, ly)) if (x - lx).powi(2) + (y - ly).powi(2) < min_sq => continue,
                    Some(_) => pb.line_to(x, y),
                }
                last = Some((x, y));
            }
            pb.close();
        }
    }
    pb.finish()
}

/// The suppression hatch as a repeating pattern (the web's 8-unit tile: grey under dark
/// diagonal lines), built at device resolution.
fn hatch_tile(fill: Colour, pixel_ratio: f32, u: f32) -> Option<Pixmap> {
    let side = 8.0 * u;
    let px = (side * pixel_ratio).round().max(2.0);
    let mut tile = Pixmap::new(px as u32, px as u32)?;
    tile.fill(fill.to_skia());
    let s = px / 8.0;
    let mut pb = PathBuilder::new();
    for (a, b) in [
        ((-2.0, 10.0), (10.0, -2.0)),
        ((-2.0, 2.0), (2.0, -2.0)),
        ((6.0, 10.0), (10.0, 6.0)),
    ] {
        pb.move_to(a.0 * s, a.1 * s);
        pb.line_to(b.0 * s, b.1 * s);
    }
    let path = pb.finish()?;
    let stroke = tiny_skia::Stroke {
        width: 1.4 * s,
        ..tiny_skia::Stroke::default()
    };
    tile.stroke_path(
        &path,
        &text::paint(SUPPRESSED_HATCH),
        &stroke,
        Transform::identity(),
        None,
    );
    Some(tile)
}

fn hatch_paint(tile: &Pixmap, pixel_ratio: f32) -> Paint<'_> {
    Paint {
        anti_alias: true,
        // The canvas scales by the pixel ratio; undo it so the tile maps 1:1 to device pixels.
        shader: Pattern::new(
            tile.as_ref(),
            SpreadMode::Repeat,
            FilterQuality::Nearest,
            1.0,
            Transform::from_scale(1.0 / pixel_ratio, 1.0 / pixel_ratio),
        ),
        ..Paint::default()
    }
}

/// Draw the areas, outlines, sites, north arrow and scale bar; returns the kinds of site drawn
/// (the legend lists only those).
/// The layout of a map image: the map frame, the legend panel, and where lon/lat land.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MapLayout {
    pub frame: Frame,
    pub panel: Frame,
    pub view: Viewport,
    /// Type scale (1 at the reference width).
    pub scale: f32,
}

/// Where everything goes on a map image (logical units), without drawing it.
pub fn map_layout(spec: &MapSpec) -> Result<MapLayout, RenderError> {
    let u = (spec.width / REFERENCE_WIDTH).clamp(0.6, 3.0);
    let pad = 8.0 * u;
    let attribution = text::wrap(
        &spec.attribution,
        ATTRIBUTION * u,
        Weight::Regular,
        spec.width - 2.0 * pad,
    );
    let attribution_h = attribution.len() as f32 * text::line_height(ATTRIBUTION * u) + pad * 0.75;
    let body_h = spec.height - attribution_h;
    let panel_w = (spec.width * 0.34).clamp(120.0 * u, 320.0 * u);
    let frame = Frame {
        x: 0.0,
        y: 0.0,
        width: spec.width - panel_w,
        height: body_h,
    };
    if frame.width < 40.0 || body_h < 40.0 {
        return Err(RenderError::TooSmall {
            width: spec.width,
            height: spec.height,
        });
    }
    let bounds = fit_bounds(spec).ok_or(RenderError::NothingToDraw)?;
    let view = Viewport::fit(bounds, frame, 14.0 * u).ok_or(RenderError::NothingToDraw)?;
    Ok(MapLayout {
        frame,
        panel: Frame {
            x: frame.right(),
            y: 0.0,
            width: panel_w,
            height: body_h,
        },
        view,
        scale: u,
    })
}

fn draw_map_frame(
    canvas: &mut Canvas,
    spec: &MapSpec,
    frame: Frame,
    view: Viewport,
    u: f32,
) -> Result<Vec<SiteKind>, RenderError> {
    // No clip mask (it slows every fill): the frame is the canvas's top-left corner, and the
    // legend panel and attribution strip are painted over anything drawn past its edges.
    let tile = hatch_tile(spec.legend.suppressed_colour, canvas.pixel_ratio, u);
    let min_step = 0.35 / canvas.pixel_ratio;
    let paths: Vec<Option<Path>> = spec
        .areas
        .iter()
        .map(|a| area_path(&a.geometry, &view, min_step))
        .collect();

    // Fills, then borders, so every border is drawn over both neighbours.
    for (area, path) in spec.areas.iter().zip(&paths) {
        let Some(path) = path else { continue };
        let colour = if !area.in_focus {
            CONTEXT
        } else {
            match area.class {
                AreaClass::Class(i) => spec
                    .legend
                    .items
                    .get(i)
                    .map_or(spec.legend.no_data_colour, |it| it.colour),
                AreaClass::Suppressed => spec.legend.suppressed_colour,
                AreaClass::NoData => spec.legend.no_data_colour,
            }
        };
        match (&tile, area.in_focus && area.class == AreaClass::Suppressed) {
            (Some(tile), true) => {
                let paint = hatch_paint(tile, canvas.pixel_ratio);
                canvas.fill_path_with(path, &paint, FillRule::EvenOdd, None);
            }
            _ => canvas.fill_path(path, colour, FillRule::EvenOdd, None),
        }
    }
    // One device pixel: tiny-skia draws it as an anti-aliased hairline, far cheaper than a
    // stroke outline (the web map's borders are 0.4–1 CSS px at county zooms).
    let border = Line::solid(Colour::WHITE, 1.0 / canvas.pixel_ratio);
    for path in paths.iter().flatten() {
        canvas.stroke_path(path, border, None);
    }
    // 30% most deprived nationally: black on a white casing, focus areas only.
    if spec.imd30_label.is_some() {
        let flagged: Vec<&Path> = spec
            .areas
            .iter()
            .zip(&paths)
            .filter(|(a, _)| a.in_focus && a.most_deprived_30pct)
            .filter_map(|(_, p)| p.as_ref())
            .collect();
        for p in &flagged {
            canvas.stroke_path(p, Line::solid(Colour::WHITE, 3.4 * u), None);
        }
        for p in &flagged {
            canvas.stroke_path(p, Line::solid(Colour::BLACK, 1.5 * u), None);
        }
    }
    if let Some(focus) = &spec.focus {
        if let Some(path) = area_path(&focus.outline, &view, min_step) {
            canvas.stroke_path(&path, Line::solid(Colour::WHITE, 5.0 * u), None);
            canvas.stroke_path(&path, Line::solid(FOCUS_OUTLINE, 2.8 * u), None);
        }
    }
    let mut drawn = Vec::new();
    let per_unit = view.metres_per_unit();
    let reach_dash = [6.0 * u, 4.0 * u];
    for site in &spec.sites {
        let (x, y) = view.project(site.lon, site.lat);
        let inside = x >= frame.x && x <= frame.right() && y >= frame.y && y <= frame.bottom();
        if !inside {
            continue;
        }
        let ring = site
            .reach_metres
            .filter(|r| *r > 0.0 && per_unit > 0.0)
            .and_then(|r| PathBuilder::from_circle(x, y, (r / per_unit) as f32));
        if let Some(ring) = ring {
            canvas.stroke_path(&ring, Line::solid(Colour::WHITE, 3.0 * u), None);
            let line = Line {
                colour: PROPOSED,
                width: 1.6 * u,
                dash: Some(&reach_dash),
            };
            canvas.stroke_path(&ring, line, None);
        }
    }
    // Proposed sites last, so an existing symbol never hides one.
    let mut order: Vec<&MapSite> = spec.sites.iter().collect();
    order.sort_by_key(|s| s.kind == SiteKind::Proposed);
    for site in order {
        let (x, y) = view.project(site.lon, site.lat);
        let inside = x >= frame.x && x <= frame.right() && y >= frame.y && y <= frame.bottom();
        if inside {
            let size = if site.kind == SiteKind::Proposed {
                18.0
            } else {
                15.0
            };
            draw_site(canvas, site.kind, x, y, size * u);
            drawn.push(site.kind);
        }
    }
    draw_north_arrow(canvas, frame, u);
    draw_scale_bar(canvas, &view, frame, u);
    drawn.sort();
    drawn.dedup();
    Ok(drawn)
}

/// A site symbol centred at (x, y), `size` units across (the web's 22-unit icons, scaled).
pub fn draw_site(canvas: &mut Canvas, kind: SiteKind, x: f32, y: f32, size: f32) {
    let s = size / 22.0;
    let p = |px: f32, py: f32| (x + (px - 11.0) * s, y + (py - 11.0) * s);
    let poly = |pts: &[(f32, f32)]| {
        let mut pb = PathBuilder::new();
        for (i, &(px, py)) in pts.iter().enumerate() {
            let (qx, qy) = p(px, py);
            if i == 0 {
                pb.move_to(qx, qy);
            } else {
                pb.line_to(qx, qy);
            }
        }
        pb.close();
        pb.finish()
    };
    let navy = Colour::hex("#13233a");
    match kind {
        SiteKind::FamilyHub | SiteKind::OnePointHub => {
            let house = [
                (11.0, 2.0),
                (20.5, 10.0),
                (18.0, 10.0),
                (18.0, 20.0),
                (4.0, 20.0),
                (4.0, 10.0),
                (1.5, 10.0),
            ];
            if let Some(path) = poly(&house) {
                canvas.stroke_path(&path, Line::solid(Colour::WHITE, 3.2 * s), None);
                canvas.fill_path(&path, navy, FillRule::Winding, None);
            }
            let (dx, dy) = p(9.0, 13.5);
            let door = if kind == SiteKind::OnePointHub {
                Colour::hex("#7fd4ff")
            } else {
                Colour::hex("#ffd23f")
            };
            canvas.fill_rect(dx, dy, 4.0 * s, 6.5 * s, door);
        }
        SiteKind::Centre => {
            let (cx, cy) = p(11.0, 11.0);
            if let Some(ring) = PathBuilder::from_circle(cx, cy, 8.0 * s) {
                canvas.fill_path(&ring, Colour::WHITE, FillRule::Winding, None);
                canvas.stroke_path(&ring, Line::solid(navy, 3.0 * s), None);
            }
            if let Some(dot) = PathBuilder::from_circle(cx, cy, 3.2 * s) {
                canvas.fill_path(&dot, navy, FillRule::Winding, None);
            }
        }
        SiteKind::Outreach => {
            if let Some(path) = poly(&[(11.0, 2.5), (20.0, 19.0), (2.0, 19.0)]) {
                canvas.stroke_path(&path, Line::solid(Colour::WHITE, 3.6 * s), None);
                canvas.fill_path(&path, Colour::hex("#d95f02"), FillRule::Winding, None);
            }
        }
        SiteKind::Candidate => {
            if let Some(path) = poly(&[(11.0, 2.0), (20.0, 11.0), (11.0, 20.0), (2.0, 11.0)]) {
                canvas.fill_path(&path, Colour::WHITE, FillRule::Winding, None);
                let dash = [3.0 * s, 2.0 * s];
                canvas.stroke_path(
                    &path,
                    Line {
                        colour: Colour::hex("#c51b7d"),
                        width: 2.4 * s,
                        dash: Some(&dash),
                    },
                    None,
                );
            }
        }
        SiteKind::Other => {
            if let Some(path) = poly(&[(4.0, 4.0), (18.0, 4.0), (18.0, 18.0), (4.0, 18.0)]) {
                canvas.stroke_path(&path, Line::solid(Colour::WHITE, 3.2 * s), None);
                canvas.fill_path(&path, Colour::hex("#5b636e"), FillRule::Winding, None);
            }
        }
        SiteKind::Proposed => {
            // The place panel's marker: an orange disc with a white ring and a white plus
            // (drawn a little larger than the other symbols on the map).
            let (cx, cy) = p(11.0, 11.0);
            if let Some(disc) = PathBuilder::from_circle(cx, cy, 10.0 * s) {
                canvas.fill_path(&disc, PROPOSED, FillRule::Winding, None);
                canvas.stroke_path(&disc, Line::solid(Colour::WHITE, 2.6 * s), None);
            }
            let arm = 5.0 * s;
            let plus = Line::solid(Colour::WHITE, 2.4 * s);
            canvas.polyline(&[(cx, cy - arm), (cx, cy + arm)], plus, None);
            canvas.polyline(&[(cx - arm, cy), (cx + arm, cy)], plus, None);
        }
    }
}

fn draw_north_arrow(canvas: &mut Canvas, frame: Frame, u: f32) {
    let (cx, top) = (frame.x + 20.0 * u, frame.y + 10.0 * u);
    let letter = TextStyle {
        halo: Some((Colour::WHITE, 3.0 * u)),
        ..TextStyle::new(12.0 * u, Weight::Bold, Colour::INK)
    };
    canvas.text(
        "N",
        cx,
        top + text::ascent(letter.size),
        Anchor::Middle,
        &letter,
    );
    let tip = top + 16.0 * u;
    let arrow = [
        (cx, tip),
        (cx + 6.0 * u, tip + 20.0 * u),
        (cx, tip + 15.0 * u),
        (cx - 6.0 * u, tip + 20.0 * u),
    ];
    let mut pb = PathBuilder::new();
    pb.move_to(arrow[0].0, arrow[0].1);
    for &(x, y) in &arrow[1..] {
        pb.line_to(x, y);
    }
    pb.close();
    if let Some(path) = pb.finish() {
        canvas.stroke_path(&path, Line::solid(Colour::WHITE, 2.5 * u), None);
        canvas.fill_path(&path, Colour::INK, FillRule::Winding, None);
    }
}

/// The largest "nice" ground distance (1, 2 or 5 × 10ⁿ metres) no longer than `max_metres`.
pub fn nice_distance(max_metres: f64) -> f64 {
    if max_metres.is_nan() || max_metres <= 0.0 {
        return 0.0;
    }
    let mag = 10f64.powf(max_metres.log10().floor());
    [5.0, 2.0, 1.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|&d| d <= max_metres)
        .unwrap_or(mag)
}

/// "500 m", "2 km", "2.5 km".
pub fn distance_label(metres: f64) -> String {
    if metres >= 1000.0 {
        let km = metres / 1000.0;
        if (km - km.round()).abs() < 1e-9 {
            format!("{km:.0} km")
        } else {
            format!("{km} km")
        }
    } else {
        format!("{metres:.0} m")
    }
}

fn draw_scale_bar(canvas: &mut Canvas, view: &Viewport, frame: Frame, u: f32) {
    let per_unit = view.metres_per_unit();
    let metres = nice_distance(f64::from(frame.width * 0.28) * per_unit);
    if metres <= 0.0 {
        return;
    }
    let len = (metres / per_unit) as f32;
    let (x, y) = (frame.x + 12.0 * u, frame.bottom() - 12.0 * u);
    let bar_h = 5.0 * u;
    let label_style = TextStyle {
        halo: Some((Colour::WHITE, 3.0 * u)),
        ..TextStyle::new(10.5 * u, Weight::Regular, Colour::INK)
    };
    canvas.fill_rect(
        x - 1.0 * u,
        y - bar_h - 1.0 * u,
        len + 2.0 * u,
        bar_h + 2.0 * u,
        Colour::WHITE,
    );
    canvas.fill_rect(x, y - bar_h, len / 2.0, bar_h, Colour::INK);
    canvas.fill_rect(x + len / 2.0, y - bar_h, len / 2.0, bar_h, Colour::WHITE);
    canvas.polyline(
        &[
            (x, y - bar_h),
            (x + len, y - bar_h),
            (x + len, y),
            (x, y),
            (x, y - bar_h),
        ],
        Line::solid(Colour::INK, 0.8 * u),
        None,
    );
    canvas.text(
        &distance_label(metres),
        x,
        y - bar_h - 4.0 * u,
        Anchor::Start,
        &label_style,
    );
}

/// One row of the legend.
enum Row<'a> {
    Heading(Vec<String>),
    Tag(&'a str),
    Note(Vec<String>),
    Swatch(Colour, String),
    Hatch(String),
    Outline {
        colour: Colour,
        casing: Option<Colour>,
        width: f32,
        label: String,
    },
    Site(SiteKind, String),
    Gap,
}

/// Legend rows at type scale `t` for a panel `width` wide.
fn legend_rows<'a>(
    spec: &'a MapSpec,
    sites: &[SiteKind],
    t: f32,
    width: f32,
    with_note: bool,
) -> Vec<Row<'a>> {
    let swatch_w = 24.0 * t;
    let label_w = width - swatch_w - 8.0 * t;
    let mut rows = vec![Row::Heading(text::wrap(
        &spec.legend.title,
        HEADING * t,
        Weight::Bold,
        width,
    ))];
    if spec.synthetic {
        rows.push(Row::Tag("SYNTHETIC DATA"));
    }
    if with_note {
        rows.push(Row::Note(text::wrap(
            &spec.legend.subtitle,
            NOTE * t,
            Weight::Regular,
            width,
        )));
    }
    let wrap_label = |s: &str| text::wrap(s, LABEL * t, Weight::Regular, label_w).join("\n");
    // With no value shown anywhere (everything withheld) the class rows would read "– to –".
    if spec.legend.items.iter().any(|i| i.count > 0) {
        for item in spec.legend.items.iter().rev() {
            rows.push(Row::Swatch(item.colour, wrap_label(&item.label)));
        }
    }
    rows.push(Row::Gap);
    if spec.legend.suppressed.is_some() {
        rows.push(Row::Hatch(wrap_label(&spec.suppressed_label)));
    }
    rows.push(Row::Swatch(spec.legend.no_data_colour, "No data".into()));
    if spec.imd30_label.is_some() || spec.focus.is_some() {
        rows.push(Row::Gap);
    }
    if let Some(label) = &spec.imd30_label {
        rows.push(Row::Outline {
            colour: Colour::BLACK,
            casing: Some(Colour::WHITE),
            width: 1.8 * t,
            label: wrap_label(label),
        });
    }
    if let Some(focus) = &spec.focus {
        rows.push(Row::Outline {
            colour: FOCUS_OUTLINE,
            casing: None,
            width: 2.8 * t,
            label: wrap_label(&focus.name),
        });
        rows.push(Row::Swatch(CONTEXT, wrap_label(&spec.context_label)));
    }
    if !sites.is_empty() {
        rows.push(Row::Gap);
    }
    rows.extend(
        sites
            .iter()
            .map(|&kind| Row::Site(kind, wrap_label(kind.label()))),
    );
    rows
}

fn row_height(row: &Row, t: f32) -> f32 {
    let lines = |s: &str| s.split('\n').count() as f32;
    let item = |label: &str| (lines(label) * text::line_height(LABEL * t)).max(16.0 * t) + 3.0 * t;
    match row {
        Row::Heading(l) => l.len() as f32 * text::line_height(HEADING * t) + 2.0 * t,
        Row::Tag(_) => 18.0 * t,
        Row::Note(l) => l.len() as f32 * text::line_height(NOTE * t) + 4.0 * t,
        Row::Swatch(_, label)
        | Row::Hatch(label)
        | Row::Outline { label, .. }
        | Row::Site(_, label) => item(label),
        Row::Gap => 6.0 * t,
    }
}

fn draw_legend(canvas: &mut Canvas, spec: &MapSpec, sites: &[SiteKind], panel: Frame, u: f32) {
    let pad = 10.0 * u;
    let inner_w = panel.width - 1.5 * pad;
    let avail = panel.height - 2.0 * pad;
    // Shrink the type until every row fits; drop the explanatory note first if need be.
    let fits = |t: f32, with_note: bool| {
        let rows = legend_rows(spec, sites, t, inner_w, with_note);
        rows.iter().map(|r| row_height(r, t)).sum::<f32>() <= avail
    };
    // Larger type beats the explanatory note: keep the note only while the type stays at
    // 85% or more of its size.
    let scales = std::iter::successors(Some(u), |t| Some(t * 0.94)).take_while(|t| *t >= 0.55 * u);
    let candidates: Vec<(f32, bool)> = scales
        .clone()
        .take_while(|t| *t >= 0.85 * u)
        .map(|t| (t, true))
        .chain(scales.map(|t| (t, false)))
        .collect();
    let (t, with_note) = candidates
        .into_iter()
        .find(|&(t, n)| fits(t, n))
        .unwrap_or((0.55 * u, false));
    let rows = legend_rows(spec, sites, t, inner_w, with_note);
    let x = panel.x + pad * 0.75;
    let mut y = panel.y + pad;
    let swatch_w = 24.0 * t;
    let swatch_h = 14.0 * t;
    let label_x = x + swatch_w + 8.0 * t;
    let label = TextStyle::new(LABEL * t, Weight::Regular, Colour::INK);
    let tile = hatch_tile(spec.legend.suppressed_colour, canvas.pixel_ratio, t);
    for row in &rows {
        let h = row_height(row, t);
        let mid = y + (h - 3.0 * t) / 2.0;
        let label_lines = |s: &str| s.split('\n').map(str::to_string).collect::<Vec<_>>();
        let label_top =
            |s: &str| mid - s.split('\n').count() as f32 * text::line_height(label.size) / 2.0;
        match row {
            Row::Heading(lines) => {
                canvas.text_lines(
                    lines,
                    x,
                    y,
                    &TextStyle::new(HEADING * t, Weight::Bold, Colour::INK),
                );
            }
            Row::Tag(tag) => {
                let style = TextStyle::new(10.0 * t, Weight::Bold, Colour::INK);
                let w = text::text_width(tag, style.size, style.weight) + 8.0 * t;
                canvas.fill_rect(x, y + 1.0 * t, w, 14.0 * t, Colour::BANNER);
                canvas.text(
                    tag,
                    x + 4.0 * t,
                    y + 1.0 * t + 11.0 * t,
                    Anchor::Start,
                    &style,
                );
            }
            Row::Note(lines) => {
                canvas.text_lines(
                    lines,
                    x,
                    y,
                    &TextStyle::new(NOTE * t, Weight::Regular, Colour::INK_2),
                );
            }
            Row::Swatch(colour, text) => {
                swatch(
                    canvas,
                    x,
                    mid - swatch_h / 2.0,
                    swatch_w,
                    swatch_h,
                    *colour,
                    t,
                );
                canvas.text_lines(&label_lines(text), label_x, label_top(text), &label);
            }
            Row::Hatch(text) => {
                if let (Some(tile), Some(rect)) = (
                    &tile,
                    tiny_skia::Rect::from_xywh(x, mid - swatch_h / 2.0, swatch_w, swatch_h),
                ) {
                    let paint = hatch_paint(tile, canvas.pixel_ratio);
                    canvas.fill_path_with(
                        &PathBuilder::from_rect(rect),
                        &paint,
                        FillRule::Winding,
                        None,
                    );
                }
                swatch_border(canvas, x, mid - swatch_h / 2.0, swatch_w, swatch_h, t);
                canvas.text_lines(&label_lines(text), label_x, label_top(text), &label);
            }
            Row::Outline {
                colour,
                casing,
                width,
                label: text,
            } => {
                let pts = [
                    (x, mid - swatch_h / 2.0),
                    (x + swatch_w, mid - swatch_h / 2.0),
                    (x + swatch_w, mid + swatch_h / 2.0),
                    (x, mid + swatch_h / 2.0),
                    (x, mid - swatch_h / 2.0),
                ];
                canvas.fill_rect(
                    x,
                    mid - swatch_h / 2.0,
                    swatch_w,
                    swatch_h,
                    Colour::hex("#f4f6f8"),
                );
                if let Some(c) = casing {
                    canvas.polyline(&pts, Line::solid(*c, width + 2.0 * t), None);
                }
                canvas.polyline(&pts, Line::solid(*colour, *width), None);
                canvas.text_lines(&label_lines(text), label_x, label_top(text), &label);
            }
            Row::Site(kind, text) => {
                draw_site(canvas, *kind, x + swatch_w / 2.0, mid, 16.0 * t);
                canvas.text_lines(&label_lines(text), label_x, label_top(text), &label);
            }
            Row::Gap => {}
        }
        y += h;
    }
}

fn swatch(canvas: &mut Canvas, x: f32, y: f32, w: f32, h: f32, colour: Colour, t: f32) {
    canvas.fill_rect(x, y, w, h, colour);
    swatch_border(canvas, x, y, w, h, t);
}

fn swatch_border(canvas: &mut Canvas, x: f32, y: f32, w: f32, h: f32, t: f32) {
    canvas.polyline(
        &[(x, y), (x + w, y), (x + w, y + h), (x, y + h), (x, y)],
        Line::solid(Colour::hex("#9aa1a9"), 0.8 * t),
        None,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_kinds_follow_the_web_patterns() {
        assert_eq!(SiteKind::from_kind("family_hub"), SiteKind::FamilyHub);
        assert_eq!(SiteKind::from_kind("one_point_hub"), SiteKind::OnePointHub);
        assert_eq!(SiteKind::from_kind("outreach"), SiteKind::Outreach);
        assert_eq!(SiteKind::from_kind("Proposed site"), SiteKind::Candidate);
        assert_eq!(SiteKind::from_kind("children_centre"), SiteKind::Centre);
        assert_eq!(SiteKind::from_kind("library"), SiteKind::Other);
    }

    #[test]
    fn scale_bar_distances_are_round() {
        assert_eq!(nice_distance(7300.0), 5000.0);
        assert_eq!(nice_distance(2100.0), 2000.0);
        assert_eq!(nice_distance(999.0), 500.0);
        assert_eq!(distance_label(5000.0), "5 km");
        assert_eq!(distance_label(2500.0), "2.5 km");
        assert_eq!(distance_label(500.0), "500 m");
    }
}

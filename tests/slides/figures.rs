//! Map and chart images on the real Durham build: the map's legend is the public legend
//! (`/api/legend`: same labels, colours and counts) and matches the map (pixels inside each
//! area have its class's legend colour; suppressed areas are hatched, context areas grey), the
//! chart draws the server's shares, rank midpoints and SII line, and bad requests are typed
//! errors.

use crate::support::{durham, durham_public};
use gapmap::dataset::Polarity;
use gapmap::figures::chart::chart_spec;
use gapmap::figures::map::{map_spec, render_map_png, MapLayer, MapRequest};
use gapmap::figures::FigureError;
use gapmap::gaps::{GapRequest, GroupBy};
use gapmap::render::colour::Colour;
use gapmap::render::legend::{AreaClass, SUPPRESSED_HATCH};
use gapmap::render::map::{map_layout, render_map, CONTEXT};
use geo::{Contains, InteriorPoint};

fn request(layer: MapLayer, locality: Option<&str>) -> MapRequest {
    MapRequest {
        layer,
        level: None,
        locality: locality.map(str::to_string),
        width: 1600,
        height: 1200,
        pixel_ratio: 2.0,
    }
}

/// Distance from `p` to the segment `a`–`b`.
fn segment_distance(a: (f32, f32), b: (f32, f32), p: (f32, f32)) -> f32 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (a.0 + t * dx - p.0).hypot(a.1 + t * dy - p.1)
}

/// The colour at a logical position of a rendered map.
fn pixel(pixmap: &tiny_skia::Pixmap, ratio: f32, (x, y): (f32, f32)) -> Colour {
    let p = pixmap
        .pixel((x * ratio) as u32, (y * ratio) as u32)
        .unwrap()
        .demultiply();
    Colour {
        r: p.red(),
        g: p.green(),
        b: p.blue(),
    }
}

#[test]
fn every_area_is_drawn_in_its_legend_colour() {
    for (id, locality) in [
        ("990002", None),
        ("990004", Some("North")),
        ("990005", Some("East")),
    ] {
        let req = request(MapLayer::Indicator(id.into()), locality);
        let spec = map_spec(durham_public(), &req).unwrap();
        // The map's legend is the public one (`/api/legend`): labels, colours and counts.
        let public_legend = durham_public().legend(id, None, None).unwrap();
        assert_eq!(spec.legend.items.len(), public_legend.classes.len());
        for (item, class) in spec.legend.items.iter().zip(&public_legend.classes) {
            assert_eq!(item.colour, Colour::parse(&class.colour).unwrap());
            assert_eq!((&item.label, item.count), (&class.label, class.count));
        }
        assert_eq!(
            spec.legend.suppressed,
            public_legend.suppressed.as_ref().map(|s| s.count)
        );
        let (no_data, suppressed) = (spec.legend.no_data_colour, spec.legend.suppressed_colour);
        let layout = map_layout(&spec).unwrap();
        let canvas = render_map(&spec).unwrap();
        assert_eq!(canvas.size_px(), (1600, 1200));
        // Sample a point well inside each area, away from borders, outlines and site symbols:
        // the interior point, else the first clear point of a grid over the area.
        let (mut checked, mut hatched) = (0, 0);
        for area in &spec.areas {
            let Some(rect) = geo::BoundingRect::bounding_rect(&area.geometry) else {
                continue;
            };
            let grid = (1..12)
                .flat_map(|i| (1..12).map(move |j| (i, j)))
                .map(|(i, j)| {
                    geo::Point::new(
                        rect.min().x + rect.width() * f64::from(i) / 12.0,
                        rect.min().y + rect.height() * f64::from(j) / 12.0,
                    )
                });
            let clear = |p: &geo::Point<f64>| {
                let (x, y) = layout.view.project(p.x(), p.y());
                let near_site = spec.sites.iter().any(|s| {
                    let (sx, sy) = layout.view.project(s.lon, s.lat);
                    (sx - x).hypot(sy - y) < 12.0
                });
                let near_edge = area.geometry.0.iter().any(|poly| {
                    std::iter::once(poly.exterior())
                        .chain(poly.interiors())
                        .flat_map(|ring| ring.lines())
                        .any(|seg| {
                            let a = layout.view.project(seg.start.x, seg.start.y);
                            let b = layout.view.project(seg.end.x, seg.end.y);
                            segment_distance(a, b, (x, y)) < 3.0
                        })
                });
                let in_frame = layout.frame.x + 30.0 < x
                    && x < layout.frame.right() - 10.0
                    && layout.frame.y + 50.0 < y
                    && y < layout.frame.bottom() - 30.0;
                area.geometry.contains(p) && in_frame && !near_site && !near_edge
            };
            let Some(inside) = area
                .geometry
                .interior_point()
                .into_iter()
                .chain(grid)
                .find(|p| clear(p))
            else {
                continue;
            };
            let (x, y) = layout.view.project(inside.x(), inside.y());
            let got = pixel(canvas.pixmap(), 2.0, (x, y));
            let want = if !area.in_focus {
                CONTEXT
            } else {
                match area.class {
                    AreaClass::Class(i) => spec.legend.items[i].colour,
                    AreaClass::NoData => no_data,
                    AreaClass::Suppressed => {
                        // The hatch: the grey ground or the dark line (sample a few pixels).
                        assert!(
                            got == suppressed
                                || got.contrast(SUPPRESSED_HATCH) < 3.0
                                || got.contrast(suppressed) < 2.0,
                            "{id}: suppressed area drawn {got}"
                        );
                        hatched += 1;
                        continue;
                    }
                }
            };
            assert_eq!(
                got, want,
                "{id} {locality:?}: an area is drawn {got}, its legend says {want}"
            );
            checked += 1;
        }
        let shown = spec
            .areas
            .iter()
            .filter(|a| locality.is_none() || a.in_focus)
            .count();
        assert!(
            checked + hatched >= shown * 3 / 4,
            "{id}: only {checked} + {hatched} of {shown} areas sampled"
        );
        if id == "990005" {
            assert!(hatched > 0, "tooth decay has withheld areas in East");
        }
    }
}

#[test]
fn a_suppressed_value_never_gets_a_class_colour() {
    let dataset = durham();
    let indicator = dataset.indicator("990005").unwrap();
    let values = durham_public().values("990005", None, None).unwrap();
    let spec = map_spec(
        durham_public(),
        &request(MapLayer::Indicator("990005".into()), None),
    )
    .unwrap();
    let layer = dataset.layer(indicator.meta.level).unwrap();
    let mut suppressed = 0;
    for (area, drawn) in layer.areas.iter().zip(&spec.areas) {
        if values
            .values
            .iter()
            .any(|v| v.code == area.code && v.figures.suppressed)
        {
            assert_eq!(drawn.class, AreaClass::Suppressed, "{}", area.code);
            suppressed += 1;
        }
    }
    assert!(
        suppressed > 30,
        "tooth decay withholds most MSOAs: {suppressed}"
    );
}

#[test]
fn map_png_is_at_least_1600_px_wide_and_a_valid_png() {
    let png = render_map_png(
        durham_public(),
        &request(MapLayer::ImdDecile, Some("South")),
    )
    .unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let decoded = tiny_skia::Pixmap::decode_png(&png).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (1600, 1200));
}

#[test]
fn bad_map_requests_are_typed_errors_that_list_the_choices() {
    let public = durham_public();
    let err = render_map_png(
        public,
        &request(MapLayer::Indicator("990002".into()), Some("Atlantis")),
    )
    .unwrap_err();
    assert!(
        matches!(err, FigureError::UnknownLocality { .. }) && err.to_string().contains("North"),
        "{err}"
    );
    assert!(err.is_input_error());
    let err =
        render_map_png(public, &request(MapLayer::Indicator("nope".into()), None)).unwrap_err();
    assert!(
        err.to_string().contains("990001") && err.is_input_error(),
        "{err}"
    );
    let mut tiny = request(MapLayer::ImdDecile, None);
    tiny.width = 10;
    assert!(matches!(
        render_map_png(public, &tiny).unwrap_err(),
        FigureError::BadSize { .. }
    ));
    let mut wrong_level = request(MapLayer::Indicator("990002".into()), None);
    wrong_level.level = Some(gapmap::level::Level::Lsoa11);
    let err = render_map_png(public, &wrong_level).unwrap_err();
    assert!(
        err.is_input_error() && err.to_string().contains("msoa11"),
        "{err}"
    );
}

#[test]
fn the_chart_draws_the_servers_shares_midpoints_and_sii_line() {
    let dataset = durham();
    for (id, locality) in [("990002", None), ("990004", Some("North"))] {
        let mut req = GapRequest::for_indicator(dataset, id, GroupBy::ImdQuintile);
        req.reps = 2000;
        req.locality = locality.map(str::to_string);
        let table = durham_public().gap_table(&req).unwrap();
        let spec = chart_spec(&table, "x", 328.0, 232.0, 3.0);
        let published = table.summary.sii_line.unwrap();
        let line = spec.sii_line.unwrap();
        assert_eq!(
            (line.at_most_deprived, line.at_least_deprived),
            (published.at_most_deprived, published.at_least_deprived)
        );
        // The server's line is the published SII/RII.
        let (sii, rii) = (
            table.summary.sii.unwrap().value,
            table.summary.rii.unwrap().value,
        );
        let (most, least) = (line.at_most_deprived, line.at_least_deprived);
        if table.indicator.polarity == Polarity::HigherIsBetter {
            assert!((least - most - sii).abs() < 1e-9, "{id}");
        } else {
            assert!((most - least - sii).abs() < 1e-9, "{id}");
            assert!((most / least - rii).abs() < 1e-6, "{id}");
        }
        let mut edge = 0.0;
        for (group, bar) in table.groups.iter().zip(&spec.bars) {
            assert_eq!(Some(bar.share), group.share, "{id}");
            assert_eq!(Some(bar.midpoint), group.rank_midpoint, "{id}");
            edge += bar.share;
        }
        assert!((edge - 1.0).abs() < 1e-9);
    }
    // A withheld SII draws no line.
    let mut req = GapRequest::for_indicator(dataset, "990005", GroupBy::LocalQuintile);
    req.reps = 2000;
    let tooth = durham_public().gap_table(&req).unwrap();
    assert!(tooth.summary.sii.is_none());
    assert!(chart_spec(&tooth, "x", 328.0, 232.0, 3.0)
        .sii_line
        .is_none());
}

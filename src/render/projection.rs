//! Web Mercator (EPSG:3857), fitted to a frame: the projection the web map (MapLibre) shows,
//! so a rendered map has the shape a reader already knows from the screen.
//!
//! `x = R·λ`, `y = R·ln tan(π/4 + φ/2)` with R = 6,378,137 m (the WGS84 semi-major axis, as
//! EPSG:3857 defines it). A Mercator metre is `1 / cos φ` ground metres long at latitude φ, so
//! the scale bar uses the cosine of the frame's centre latitude (the error across County
//! Durham, 54.45°–54.92° N, is under 1%).

/// EPSG:3857 sphere radius.
const R: f64 = 6_378_137.0;

/// Lon/lat (degrees) to Web Mercator metres.
pub fn mercator(lon: f64, lat: f64) -> (f64, f64) {
    let lat = lat.clamp(-85.051_128_78, 85.051_128_78);
    (
        R * lon.to_radians(),
        R * (std::f64::consts::FRAC_PI_4 + lat.to_radians() / 2.0)
            .tan()
            .ln(),
    )
}

/// A rectangle in image units: x, y (top left), width, height.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

impl Frame {
    pub fn right(&self) -> f32 {
        self.x + self.width
    }
    pub fn bottom(&self) -> f32 {
        self.y + self.height
    }
}

/// Maps lon/lat into a frame, keeping the aspect ratio and centring the fitted bounds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Viewport {
    /// Image units per Mercator metre.
    scale: f64,
    /// Mercator x at the frame's left edge and y at its top edge.
    left: f64,
    top: f64,
    frame: Frame,
    centre_lat: f64,
}

impl Viewport {
    /// Fit `[west, south, east, north]` into `frame` with `padding` image units on every side.
    /// Returns `None` for empty or degenerate bounds.
    pub fn fit(bounds: [f64; 4], frame: Frame, padding: f32) -> Option<Viewport> {
        let [west, south, east, north] = bounds;
        let (x0, y0) = mercator(west, south);
        let (x1, y1) = mercator(east, north);
        let (w, h) = (x1 - x0, y1 - y0);
        let inner_w = f64::from(frame.width - 2.0 * padding);
        let inner_h = f64::from(frame.height - 2.0 * padding);
        if !(w > 0.0 && h > 0.0 && inner_w > 0.0 && inner_h > 0.0) {
            return None;
        }
        let scale = (inner_w / w).min(inner_h / h);
        let cx = (x0 + x1) / 2.0;
        let cy = (y0 + y1) / 2.0;
        Some(Viewport {
            scale,
            left: cx - f64::from(frame.width) / 2.0 / scale,
            top: cy + f64::from(frame.height) / 2.0 / scale,
            frame,
            centre_lat: (south + north) / 2.0,
        })
    }

    /// Image position of a lon/lat point.
    pub fn project(&self, lon: f64, lat: f64) -> (f32, f32) {
        let (x, y) = mercator(lon, lat);
        (
            self.frame.x + ((x - self.left) * self.scale) as f32,
            self.frame.y + ((self.top - y) * self.scale) as f32,
        )
    }

    /// Ground metres per image unit at the frame's centre latitude.
    pub fn metres_per_unit(&self) -> f64 {
        self.centre_lat.to_radians().cos() / self.scale
    }

    pub fn frame(&self) -> Frame {
        self.frame
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mercator_matches_epsg_3857() {
        // EPSG:3857 of (−1.5754, 54.7761) (Durham): 175,372.1 m E, 7,314,307.1 m N
        // (x = R·λ, y = R·atanh(sin φ), evaluated independently).
        let (x, y) = mercator(-1.5754, 54.7761);
        let phi = 54.7761f64.to_radians();
        assert!((x - R * (-1.5754f64).to_radians()).abs() < 1e-6);
        assert!((y - R * phi.sin().atanh()).abs() < 1e-6);
        assert!((x + 175_372.1).abs() < 1.0, "{x}");
    }

    #[test]
    fn fitted_bounds_stay_inside_the_frame_and_are_centred() {
        let frame = Frame {
            x: 10.0,
            y: 20.0,
            width: 400.0,
            height: 300.0,
        };
        let v = Viewport::fit([-2.36, 54.45, -1.24, 54.92], frame, 8.0).unwrap();
        let (l, b) = v.project(-2.36, 54.45);
        let (r, t) = v.project(-1.24, 54.92);
        assert!(
            l >= 17.9 && r <= 402.1 && t >= 27.9 && b <= 312.1,
            "{l} {r} {t} {b}"
        );
        // Durham is wider than tall at this aspect: width-limited, centred vertically.
        assert!((l - 18.0).abs() < 0.01 && (r - 402.0).abs() < 0.01);
        assert!(((t + b) / 2.0 - 170.0).abs() < 0.01);
    }

    #[test]
    fn scale_bar_metres_use_the_latitude_cosine() {
        let frame = Frame {
            x: 0.0,
            y: 0.0,
            width: 1000.0,
            height: 1000.0,
        };
        let v = Viewport::fit([0.0, -0.001, 1.0, 0.001], frame, 0.0).unwrap();
        // One degree of longitude at the equator: 111,319.5 m over 1000 units.
        assert!((v.metres_per_unit() * 1000.0 - 111_319.49).abs() < 0.1);
        assert!(Viewport::fit([1.0, 1.0, 1.0, 2.0], frame, 0.0).is_none());
    }
}

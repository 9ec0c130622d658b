//! Reprojection between coordinate reference systems with GDAL/PROJ, always in the traditional
//! GIS axis order (x = longitude or easting, y = latitude or northing): WGS84 (EPSG:4326) for
//! the map, British National Grid (EPSG:27700) for areas and distances.

use gdal::errors::GdalError;
use gdal::spatial_ref::{AxisMappingStrategy, CoordTransform, SpatialRef};

/// WGS84 longitude/latitude.
pub const WGS84: u32 = 4326;
/// British National Grid (OSGB36) eastings/northings in metres.
pub const BNG: u32 = 27700;

/// A spatial reference by EPSG code, in traditional GIS axis order.
pub fn srs(epsg: u32) -> Result<SpatialRef, GdalError> {
    let mut srs = SpatialRef::from_epsg(epsg)?;
    srs.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    Ok(srs)
}

/// A transform from one CRS to another, made once and used for many points.
pub struct Reprojection {
    transform: CoordTransform,
}

impl Reprojection {
    /// From `from` to `to`, both EPSG codes.
    pub fn new(from: u32, to: u32) -> Result<Self, GdalError> {
        Self::from_srs(&srs(from)?, to)
    }

    /// From a spatial reference (e.g. a file's own) to an EPSG code. The source's axis order is
    /// set to the traditional GIS order first.
    pub fn from_srs(from: &SpatialRef, to: u32) -> Result<Self, GdalError> {
        let mut from = from.clone();
        from.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
        Ok(Reprojection {
            transform: CoordTransform::new(&from, &srs(to)?)?,
        })
    }

    /// Transform many points in place.
    pub fn points(&self, xs: &mut [f64], ys: &mut [f64]) -> Result<(), GdalError> {
        let mut zs = vec![0.0; xs.len()];
        self.transform.transform_coords(xs, ys, &mut zs)
    }

    /// Transform one point; `None` when PROJ cannot.
    pub fn point(&self, x: f64, y: f64) -> Option<(f64, f64)> {
        let (mut xs, mut ys) = ([x], [y]);
        self.points(&mut xs, &mut ys).ok()?;
        Some((xs[0], ys[0]))
    }

    /// The underlying GDAL transform (for transforming whole geometries).
    pub fn gdal(&self) -> &CoordTransform {
        &self.transform
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn durham_cathedral_is_where_the_ordnance_survey_puts_it() {
        // Durham Cathedral, OS grid reference NZ 27390 42150 ≈ (427390, 542150);
        // WGS84 about 54.7735 N, 1.5762 W.
        let to_bng = Reprojection::new(WGS84, BNG).unwrap();
        let (e, n) = to_bng.point(-1.5762, 54.7735).unwrap();
        assert!(
            (e - 427_390.0).abs() < 150.0 && (n - 542_150.0).abs() < 150.0,
            "{e} {n}"
        );
        let back = Reprojection::new(BNG, WGS84).unwrap().point(e, n).unwrap();
        assert!((back.0 + 1.5762).abs() < 1e-6 && (back.1 - 54.7735).abs() < 1e-6);
    }
}

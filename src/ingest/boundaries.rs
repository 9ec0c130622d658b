//! Area boundaries through GDAL: any OGR source (GeoJSON, GeoPackage, Shapefile, FlatGeobuf,
//! CSV with WKT …) in any CRS, reprojected to WGS84 longitude/latitude (traditional GIS axis
//! order) for display and tiles, and to British National Grid (EPSG:27700) for areas in m²
//! and centroids in metres.

use super::reproject::{Reprojection, BNG, WGS84};
use super::IngestError;
use gdal::vector::LayerAccess;
use geo::{Area as _, Centroid, InteriorPoint, MultiPolygon};
use std::collections::HashSet;
use std::path::Path;

/// One area as read from a boundary file.
#[derive(Debug, Clone)]
pub struct RawBoundary {
    pub code: String,
    pub name: String,
    /// WGS84 lon/lat.
    pub geometry: MultiPolygon<f64>,
    /// Area in m², from the EPSG:27700 geometry.
    pub area_m2: f64,
    /// A point inside the polygon (lon, lat), for labels and search.
    pub label_point: [f64; 2],
    /// Polygon centroid in EPSG:27700 (easting, northing).
    pub centroid_bng: [f64; 2],
}

/// Send GDAL's own diagnostics (e.g. GEOS "Nested shells" while checking validity) to the
/// log instead of stderr; errors still reach the user through our typed errors.
fn route_gdal_messages() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        gdal::config::set_error_handler(|class, number, message| match class {
            gdal::errors::CplErrType::Failure | gdal::errors::CplErrType::Fatal => {
                tracing::warn!(target: "gdal", number, "{message}")
            }
            _ => tracing::debug!(target: "gdal", number, "{message}"),
        });
    });
}

fn gdal_err(path: &Path, action: &str, e: gdal::errors::GdalError) -> IngestError {
    IngestError::Gdal {
        path: path.to_path_buf(),
        action: action.to_string(),
        message: e.to_string(),
    }
}

/// Read boundaries from `path`, keeping features whose code is in `keep` (all when `None`).
/// Codes must be unique; every kept geometry must be a valid (multi)polygon.
pub fn read_boundaries(
    path: &Path,
    code_field: &str,
    name_field: &str,
    keep: Option<&HashSet<String>>,
) -> Result<Vec<RawBoundary>, IngestError> {
    read_boundaries_with(path, code_field, name_field, keep, false)
}

/// As [`read_boundaries`]; with `repair`, invalid geometries are repaired with GEOS
/// MakeValid (keeping the polygonal parts) and counted in the log instead of rejected.
pub fn read_boundaries_with(
    path: &Path,
    code_field: &str,
    name_field: &str,
    keep: Option<&HashSet<String>>,
    repair: bool,
) -> Result<Vec<RawBoundary>, IngestError> {
    route_gdal_messages();
    if !path.exists() {
        return Err(IngestError::Missing {
            path: path.to_path_buf(),
        });
    }
    let size = std::fs::metadata(path)
        .map_err(|source| IngestError::Read {
            path: path.to_path_buf(),
            source,
        })?
        .len();
    if size == 0 {
        return Err(IngestError::Empty {
            path: path.to_path_buf(),
            expected: "a vector dataset with polygons".into(),
        });
    }
    let dataset = gdal::Dataset::open(path)
        .map_err(|e| gdal_err(path, "open the file as a vector dataset", e))?;
    let mut layer = dataset
        .layer(0)
        .map_err(|e| gdal_err(path, "read its first layer", e))?;
    let source_srs = layer.spatial_ref().ok_or_else(|| IngestError::NoCrs {
        path: path.to_path_buf(),
    })?;
    let to_wgs84 = Reprojection::from_srs(&source_srs, WGS84)
        .map_err(|e| gdal_err(path, "set up a transform to EPSG:4326", e))?;
    let to_bng = Reprojection::from_srs(&source_srs, BNG)
        .map_err(|e| gdal_err(path, "set up a transform to EPSG:27700", e))?;

    let defn_names: Vec<String> = layer.defn().fields().map(|f| f.name()).collect();
    let code_idx = field_index(path, &defn_names, code_field)?;
    let name_idx = field_index(path, &defn_names, name_field)?;

    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut repaired_count = 0usize;
    for (n, feature) in layer.features().enumerate() {
        let feature_no = n as u64 + 1;
        let code = feature
            .field_as_string(code_idx)
            .map_err(|e| gdal_err(path, "read a code field", e))?
            .unwrap_or_default()
            .trim()
            .to_string();
        if code.is_empty() {
            return Err(IngestError::BadValue {
                path: path.to_path_buf(),
                line: n + 1,
                field: code_field.into(),
                value: String::new(),
                expected: "an area code (feature number given as line)".into(),
            });
        }
        if keep.is_some_and(|k| !k.contains(&code)) {
            continue;
        }
        if !seen.insert(code.clone()) {
            return Err(IngestError::Duplicate {
                path: path.to_path_buf(),
                line: n + 1,
                key: format!("area {code}"),
                first_line: 0,
            });
        }
        let name = feature
            .field_as_string(name_idx)
            .map_err(|e| gdal_err(path, "read a name field", e))?
            .unwrap_or_default();
        let geom = feature
            .geometry()
            .ok_or_else(|| IngestError::InvalidGeometry {
                path: path.to_path_buf(),
                feature: feature_no,
                code: code.clone(),
                reason: "no geometry".into(),
            })?;
        let repaired;
        let geom = if geom.is_valid() {
            geom
        } else if repair {
            repaired = geom
                .make_valid(&gdal::cpl::CslStringList::new())
                .map_err(|e| gdal_err(path, &format!("repair feature {feature_no} ({code})"), e))?;
            repaired_count += 1;
            &repaired
        } else {
            return Err(IngestError::InvalidGeometry {
                path: path.to_path_buf(),
                feature: feature_no,
                code,
                reason: "GEOS reports it invalid (self-intersection, nested shells, unclosed or too-short ring); set `repair = true` on this layer in the config to repair such geometries with MakeValid".into(),
            });
        };
        let wgs = geom
            .transform(to_wgs84.gdal())
            .map_err(|e| gdal_err(path, "reproject to EPSG:4326", e))?;
        let metric = geom
            .transform(to_bng.gdal())
            .map_err(|e| gdal_err(path, "reproject to EPSG:27700", e))?;
        let geometry = to_multipolygon(path, feature_no, &code, &wgs)?;
        let metric = to_multipolygon(path, feature_no, &code, &metric)?;
        let label = geometry
            .interior_point()
            .map(|p| [p.x(), p.y()])
            .unwrap_or([0.0, 0.0]);
        let centroid = metric
            .centroid()
            .map(|p| [p.x(), p.y()])
            .unwrap_or([0.0, 0.0]);
        out.push(RawBoundary {
            code,
            name: name.trim().to_string(),
            geometry,
            area_m2: metric.unsigned_area(),
            label_point: label,
            centroid_bng: centroid,
        });
    }
    if repaired_count > 0 {
        tracing::warn!(
            "{}: repaired {repaired_count} invalid geometries with MakeValid",
            path.display()
        );
    }
    Ok(out)
}

fn field_index(path: &Path, names: &[String], wanted: &str) -> Result<usize, IngestError> {
    names
        .iter()
        .position(|n| n == wanted)
        .ok_or_else(|| IngestError::MissingColumn {
            path: path.to_path_buf(),
            column: wanted.to_string(),
            found: names.join(", "),
        })
}

fn to_multipolygon(
    path: &Path,
    feature: u64,
    code: &str,
    geom: &gdal::vector::Geometry,
) -> Result<MultiPolygon<f64>, IngestError> {
    let converted = geom
        .to_geo()
        .map_err(|e| gdal_err(path, "convert a geometry", e))?;
    match converted {
        geo::Geometry::Polygon(p) => Ok(MultiPolygon::new(vec![p])),
        geo::Geometry::MultiPolygon(mp) => Ok(mp),
        // MakeValid can return a collection: keep its polygonal parts.
        geo::Geometry::GeometryCollection(gc)
            if gc.iter().any(|g| {
                matches!(
                    g,
                    geo::Geometry::Polygon(_) | geo::Geometry::MultiPolygon(_)
                )
            }) =>
        {
            let mut polygons = Vec::new();
            for g in gc {
                match g {
                    geo::Geometry::Polygon(p) => polygons.push(p),
                    geo::Geometry::MultiPolygon(mp) => polygons.extend(mp.0),
                    _ => {}
                }
            }
            Ok(MultiPolygon::new(polygons))
        }
        other => Err(IngestError::InvalidGeometry {
            path: path.to_path_buf(),
            feature,
            code: code.to_string(),
            reason: format!(
                "expected a Polygon or MultiPolygon, found {}",
                geometry_kind(&other)
            ),
        }),
    }
}

fn geometry_kind(g: &geo::Geometry<f64>) -> &'static str {
    match g {
        geo::Geometry::Point(_) => "a Point",
        geo::Geometry::Line(_) | geo::Geometry::LineString(_) => "a LineString",
        geo::Geometry::MultiPoint(_) => "a MultiPoint",
        geo::Geometry::MultiLineString(_) => "a MultiLineString",
        geo::Geometry::GeometryCollection(_) => "a GeometryCollection",
        _ => "another geometry type",
    }
}

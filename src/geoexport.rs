//! Geographic downloads: areas with attributes as GeoJSON (RFC 7946) or GeoPackage.
//!
//! This module only encodes. Callers decide which attributes go out, and must have applied
//! small-number suppression already (the server builds its rows from
//! [`crate::public`]). GeoJSON goes through the `geojson` crate; GeoPackage through
//! GDAL's `GPKG` driver, which writes to a file, so [`gpkg_bytes`] writes to a temporary file
//! and reads it back.
//!
//! Coordinates are WGS84 longitude/latitude in both formats (GeoJSON requires it; the
//! GeoPackage layer is tagged EPSG:4326 with traditional GIS axis order, as QGIS expects).

use gdal::spatial_ref::{AxisMappingStrategy, SpatialRef};
use gdal::vector::{FieldValue, LayerAccess, LayerOptions, OGRFieldType, ToGdal};
use gdal::DriverManager;
use geo::MultiPolygon;
use std::path::{Path, PathBuf};

/// One attribute value. `None` is written as JSON `null` / an SQL NULL.
#[derive(Debug, Clone, PartialEq)]
pub enum GeoValue {
    Text(Option<String>),
    Real(Option<f64>),
    Integer(Option<i64>),
    Bool(Option<bool>),
}

impl GeoValue {
    fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            GeoValue::Text(v) => v.clone().map_or(Value::Null, Value::String),
            GeoValue::Real(v) => v
                .and_then(serde_json::Number::from_f64)
                .map_or(Value::Null, Value::Number),
            GeoValue::Integer(v) => v.map_or(Value::Null, |i| Value::Number(i.into())),
            GeoValue::Bool(v) => v.map_or(Value::Null, Value::Bool),
        }
    }

    fn ogr_type(&self) -> OGRFieldType::Type {
        match self {
            GeoValue::Text(_) => OGRFieldType::OFTString,
            GeoValue::Real(_) => OGRFieldType::OFTReal,
            GeoValue::Integer(_) | GeoValue::Bool(_) => OGRFieldType::OFTInteger64,
        }
    }

    fn to_ogr(&self) -> Option<FieldValue> {
        match self {
            GeoValue::Text(v) => v.clone().map(FieldValue::StringValue),
            GeoValue::Real(v) => v.filter(|x| x.is_finite()).map(FieldValue::RealValue),
            GeoValue::Integer(v) => v.map(FieldValue::Integer64Value),
            GeoValue::Bool(v) => v.map(|b| FieldValue::Integer64Value(i64::from(b))),
        }
    }
}

/// One area: its boundary and its attributes, in column order.
#[derive(Debug, Clone)]
pub struct GeoFeature {
    pub geometry: MultiPolygon<f64>,
    pub properties: Vec<(String, GeoValue)>,
}

#[derive(Debug, thiserror::Error)]
pub enum GeoExportError {
    #[error("GeoPackage export: GDAL failed while {step}: {source}")]
    Gdal {
        step: &'static str,
        #[source]
        source: gdal::errors::GdalError,
    },
    #[error("GeoPackage export: temporary file {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "GeoPackage export: feature {index} has columns {found:?}, expected {expected:?} \
         (every feature must have the same columns in the same order)"
    )]
    InconsistentColumns {
        index: usize,
        expected: Vec<String>,
        found: Vec<String>,
    },
    #[error("GeoJSON encoding failed: {0}")]
    Json(#[from] serde_json::Error),
}

fn gdal_step(step: &'static str) -> impl FnOnce(gdal::errors::GdalError) -> GeoExportError {
    move |source| GeoExportError::Gdal { step, source }
}

/// A GeoJSON FeatureCollection of the features (ids are the features' positions).
pub fn feature_collection(features: &[GeoFeature]) -> geojson::FeatureCollection {
    let features = features
        .iter()
        .enumerate()
        .map(|(index, f)| {
            let properties: serde_json::Map<String, serde_json::Value> = f
                .properties
                .iter()
                .map(|(k, v)| (k.clone(), v.to_json()))
                .collect();
            geojson::Feature {
                bbox: None,
                geometry: Some(geojson::Geometry::new(geojson::Value::from(&f.geometry))),
                id: Some(geojson::feature::Id::Number(index.into())),
                properties: Some(properties),
                foreign_members: None,
            }
        })
        .collect();
    geojson::FeatureCollection {
        bbox: None,
        features,
        foreign_members: None,
    }
}

/// GeoJSON bytes of the features.
pub fn geojson_bytes(features: &[GeoFeature]) -> Result<Vec<u8>, GeoExportError> {
    Ok(serde_json::to_vec(&feature_collection(features))?)
}

/// Write the features as one GeoPackage layer named `layer_name` at `path` (which must not
/// exist yet).
pub fn write_gpkg(
    path: &Path,
    layer_name: &str,
    features: &[GeoFeature],
) -> Result<(), GeoExportError> {
    let columns: Vec<String> = features
        .first()
        .map(|f| f.properties.iter().map(|(k, _)| k.clone()).collect())
        .unwrap_or_default();
    for (index, f) in features.iter().enumerate() {
        if f.properties.len() != columns.len()
            || f.properties.iter().zip(&columns).any(|((k, _), c)| k != c)
        {
            return Err(GeoExportError::InconsistentColumns {
                index,
                expected: columns,
                found: f.properties.iter().map(|(k, _)| k.clone()).collect(),
            });
        }
    }
    let driver =
        DriverManager::get_driver_by_name("GPKG").map_err(gdal_step("loading the GPKG driver"))?;
    let mut dataset = driver
        .create_vector_only(path)
        .map_err(gdal_step("creating the GeoPackage"))?;
    let mut srs = SpatialRef::from_epsg(4326).map_err(gdal_step("creating EPSG:4326"))?;
    srs.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    {
        let mut txn = dataset
            .start_transaction()
            .map_err(gdal_step("starting a transaction"))?;
        {
            let layer = txn
                .create_layer(LayerOptions {
                    name: layer_name,
                    srs: Some(&srs),
                    ty: gdal::vector::OGRwkbGeometryType::wkbMultiPolygon,
                    options: None,
                })
                .map_err(gdal_step("creating the layer"))?;
            if let Some(first) = features.first() {
                let defs: Vec<(&str, OGRFieldType::Type)> = first
                    .properties
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.ogr_type()))
                    .collect();
                layer
                    .create_defn_fields(&defs)
                    .map_err(gdal_step("defining the columns"))?;
            }
            for f in features {
                let mut feature = gdal::vector::Feature::new(layer.defn())
                    .map_err(gdal_step("creating a feature"))?;
                let geometry = f
                    .geometry
                    .to_gdal()
                    .map_err(gdal_step("converting a boundary"))?;
                feature
                    .set_geometry(geometry)
                    .map_err(gdal_step("setting a boundary"))?;
                for (index, (_, value)) in f.properties.iter().enumerate() {
                    match value.to_ogr() {
                        Some(v) => feature.set_field(index, &v),
                        None => feature.set_field_null(index),
                    }
                    .map_err(gdal_step("setting an attribute"))?;
                }
                feature
                    .create(&layer)
                    .map_err(gdal_step("writing a feature"))?;
            }
        }
        txn.commit().map_err(gdal_step("committing"))?;
    }
    dataset
        .close()
        .map_err(gdal_step("closing the GeoPackage"))?;
    Ok(())
}

/// GeoPackage bytes of the features: written to a temporary directory, read back, removed.
pub fn gpkg_bytes(layer_name: &str, features: &[GeoFeature]) -> Result<Vec<u8>, GeoExportError> {
    let dir = tempfile::tempdir().map_err(|source| GeoExportError::Io {
        path: std::env::temp_dir(),
        source,
    })?;
    let path = dir.path().join("export.gpkg");
    write_gpkg(&path, layer_name, features)?;
    std::fs::read(&path).map_err(|source| GeoExportError::Io { path, source })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use geo::polygon;

    fn square(x: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon![
            (x: x, y: 54.0), (x: x + 0.1, y: 54.0), (x: x + 0.1, y: 54.1), (x: x, y: 54.1), (x: x, y: 54.0)
        ]])
    }

    fn features() -> Vec<GeoFeature> {
        vec![
            GeoFeature {
                geometry: square(-1.6),
                properties: vec![
                    ("code".into(), GeoValue::Text(Some("E02004290".into()))),
                    ("value".into(), GeoValue::Real(Some(20.5))),
                    ("count".into(), GeoValue::Integer(None)),
                    ("most_deprived_30pct".into(), GeoValue::Bool(Some(true))),
                ],
            },
            GeoFeature {
                geometry: square(-1.5),
                properties: vec![
                    ("code".into(), GeoValue::Text(Some("E02004291".into()))),
                    ("value".into(), GeoValue::Real(None)),
                    ("count".into(), GeoValue::Integer(Some(12))),
                    ("most_deprived_30pct".into(), GeoValue::Bool(Some(false))),
                ],
            },
        ]
    }

    #[test]
    fn geojson_keeps_nulls_and_coordinates() {
        let bytes = geojson_bytes(&features()).unwrap();
        let fc: geojson::FeatureCollection = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(fc.features.len(), 2);
        let p = fc.features[1].properties.as_ref().unwrap();
        assert_eq!(p["value"], serde_json::Value::Null);
        assert_eq!(p["count"], serde_json::json!(12));
        let geom: geo::Geometry<f64> = fc.features[0].geometry.clone().unwrap().try_into().unwrap();
        assert_eq!(geom, geo::Geometry::MultiPolygon(square(-1.6)));
    }

    #[test]
    fn gpkg_round_trips_through_gdal() {
        let bytes = gpkg_bytes("areas", &features()).unwrap();
        assert_eq!(&bytes[..16], b"SQLite format 3\0");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("read.gpkg");
        std::fs::write(&path, &bytes).unwrap();
        let ds = gdal::Dataset::open(&path).unwrap();
        let mut layer = ds.layer_by_name("areas").unwrap();
        assert_eq!(layer.feature_count(), 2);
        let rows: Vec<(Option<String>, Option<f64>, Option<i64>)> = layer
            .features()
            .map(|f| {
                (
                    f.field_as_string(0).unwrap(),
                    f.field_as_double(1)
                        .unwrap()
                        .filter(|_| f.field(1).unwrap().is_some()),
                    f.field_as_integer64(2)
                        .unwrap()
                        .filter(|_| f.field(2).unwrap().is_some()),
                )
            })
            .collect();
        assert_eq!(
            rows,
            vec![
                (Some("E02004290".into()), Some(20.5), None),
                (Some("E02004291".into()), None, Some(12)),
            ]
        );
        let srs = layer.spatial_ref().unwrap();
        assert_eq!(srs.auth_code().unwrap(), 4326);
    }

    #[test]
    fn gpkg_rejects_features_with_different_columns() {
        let mut f = features();
        f[1].properties.pop();
        let err = gpkg_bytes("areas", &f).unwrap_err();
        assert!(matches!(
            err,
            GeoExportError::InconsistentColumns { index: 1, .. }
        ));
    }
}

//! The fuzz targets: CSV loaders, config and token parsing, the router's query and path
//! parsing, and the MVT encoder round trip.

use super::{corpus, fuzz, mutate, mutated, Mutation};
use crate::support;
use gapmap::tiles::mvt::{EncodedValue, GeometryEncoder, LayerEncoder};
use gapmap::uploads::{parse_indicators, parse_sites, IndicatorUpload};
use proptest::prelude::*;
use std::path::Path;

#[test]
fn fuzz_csv_loaders() {
    let base = support::durham();
    let upload = IndicatorUpload {
        file: "fuzz.csv".into(),
        ..IndicatorUpload::default()
    };
    fuzz("csv_loaders", mutated("csv"), |bytes| {
        // Ok or a typed error naming the upload; never a panic.
        if let Err(e) = parse_indicators(base, &bytes, &upload) {
            let message = e.to_string();
            prop_assert!(message.contains("fuzz.csv"), "{message}");
        }
        if bytes.starts_with(b"id,") {
            let _ = parse_sites(base, "sites.csv", &bytes, false);
        }
        Ok(())
    });
}

#[test]
fn fuzz_config_and_tokens() {
    fuzz("config", mutated("config"), |bytes| {
        let text = String::from_utf8_lossy(&bytes);
        if let Err(e) = gapmap::config::Config::parse(Path::new("data/durham.toml"), &text) {
            prop_assert!(e.to_string().contains("durham.toml"), "{e}");
        }
        let _ = gapmap::server::auth::Tokens::parse(Path::new("tokens"), &text);
        Ok(())
    });
}

/// Seed lines of the query corpus, each mutated.
fn uris() -> impl Strategy<Value = Vec<u8>> {
    let lines: Vec<Vec<u8>> = corpus("query")
        .iter()
        .flat_map(|f| {
            f.split(|&b| b == b'\n')
                .map(<[u8]>::to_vec)
                .collect::<Vec<_>>()
        })
        .filter(|l| !l.is_empty())
        .collect();
    let n = lines.len();
    (0..n, prop::collection::vec(any::<Mutation>(), 0..8))
        .prop_map(move |(i, m)| mutate(&lines[i], &m))
}

#[test]
fn fuzz_query_and_path_parsing() {
    use axum::body::Body;
    use axum::http::{Request, Uri};
    use tower::ServiceExt;
    let state = support::http::state();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    fuzz("query", uris(), |bytes| {
        // Only what an HTTP server can receive: a parseable origin-form URI.
        let Ok(uri) = Uri::try_from(bytes.as_slice()) else {
            return Ok(());
        };
        if uri.scheme().is_some() || !uri.path().starts_with('/') {
            return Ok(());
        }
        let req = Request::builder()
            .uri(uri.clone())
            .header("host", "gapmap.test")
            .body(Body::empty())
            .unwrap();
        let status = rt
            .block_on(gapmap::server::app(state.clone()).oneshot(req))
            .unwrap()
            .status();
        prop_assert!(status.as_u16() < 500, "{uri} answered {status}");
        Ok(())
    });
}

/// A feature for the MVT round trip: id, properties, rings (open, ≥ 3 vertices).
type Feature = (u64, Vec<(u32, Prop)>, Vec<Vec<[i64; 2]>>);

#[derive(Debug, Clone)]
enum Prop {
    Text(String),
    Double(f64),
    Uint(u64),
    Bool(bool),
}

fn prop_value() -> impl Strategy<Value = Prop> {
    prop_oneof![
        ".{0,12}".prop_map(Prop::Text),
        any::<f64>()
            .prop_filter("NaN has no equality", |v| !v.is_nan())
            .prop_map(Prop::Double),
        any::<u64>().prop_map(Prop::Uint),
        any::<bool>().prop_map(Prop::Bool),
    ]
}

fn feature(keys: usize) -> impl Strategy<Value = Feature> {
    let point = (-512i64..4608, -512i64..4608).prop_map(|(x, y)| [x, y]);
    (
        any::<u64>(),
        prop::collection::vec((0..keys as u32, prop_value()), 0..4),
        prop::collection::vec(prop::collection::vec(point, 3..12), 1..4),
    )
}

/// Decode an MVT polygon command stream (spec 4.3) into open rings, independently of the
/// encoder: MoveTo(1) / LineTo(n) / ClosePath, zigzag deltas from a running cursor.
fn decode_rings(commands: &[u32]) -> Option<Vec<Vec<[i64; 2]>>> {
    let unzig = |v: u32| (i64::from(v >> 1)) ^ -(i64::from(v & 1));
    let mut rings = Vec::new();
    let mut ring = Vec::new();
    let mut cursor = [0i64, 0];
    let mut i = 0;
    while i < commands.len() {
        let (id, count) = (commands[i] & 7, commands[i] >> 3);
        i += 1;
        match id {
            1 | 2 => {
                for _ in 0..count {
                    cursor[0] += unzig(*commands.get(i)?);
                    cursor[1] += unzig(*commands.get(i + 1)?);
                    ring.push(cursor);
                    i += 2;
                }
            }
            7 => rings.push(std::mem::take(&mut ring)),
            _ => return None,
        }
    }
    Some(rings)
}

#[test]
fn fuzz_mvt_round_trip() {
    use geozero::mvt::{Message, Tile};
    const KEYS: &[&str] = &["code", "name", "imd_decile"];
    let features = prop::collection::vec(feature(KEYS.len()), 0..8);
    fuzz("mvt_round_trip", features, |features| {
        let encoded: Vec<Vec<(u32, EncodedValue)>> = features
            .iter()
            .map(|(_, props, _)| {
                props
                    .iter()
                    .map(|(k, v)| {
                        let value = match v {
                            Prop::Text(s) => EncodedValue::string(s),
                            Prop::Double(d) => EncodedValue::double(*d),
                            Prop::Uint(u) => EncodedValue::uint(*u),
                            Prop::Bool(b) => EncodedValue::boolean(*b),
                        };
                        (*k, value)
                    })
                    .collect()
            })
            .collect();
        let mut layer = LayerEncoder::new("areas", KEYS, 4096);
        let mut geometry = GeometryEncoder::default();
        for ((id, _, rings), props) in features.iter().zip(&encoded) {
            geometry.clear();
            for ring in rings {
                geometry.ring(ring);
            }
            layer.add_polygon(*id, props, geometry.commands());
        }
        let bytes = layer.finish();
        let tile =
            Tile::decode(bytes.as_slice()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(tile.layers.len(), 1);
        let decoded = &tile.layers[0];
        prop_assert_eq!(decoded.name.as_str(), "areas");
        prop_assert_eq!(decoded.extent, Some(4096));
        prop_assert_eq!(decoded.features.len(), features.len());
        for (f, (id, props, rings)) in decoded.features.iter().zip(&features) {
            prop_assert_eq!(f.id, Some(*id));
            let rings_back = decode_rings(&f.geometry);
            prop_assert_eq!(rings_back.as_ref(), Some(rings));
            prop_assert_eq!(f.tags.len(), props.len() * 2);
            for (pair, (key, value)) in f.tags.chunks(2).zip(props) {
                prop_assert_eq!(decoded.keys[pair[0] as usize].as_str(), KEYS[*key as usize]);
                let v = &decoded.values[pair[1] as usize];
                match value {
                    Prop::Text(s) => prop_assert_eq!(v.string_value.as_deref(), Some(s.as_str())),
                    Prop::Double(d) => {
                        prop_assert_eq!(v.double_value.map(f64::to_bits), Some(d.to_bits()))
                    }
                    Prop::Uint(u) => prop_assert_eq!(v.uint_value, Some(*u)),
                    Prop::Bool(b) => prop_assert_eq!(v.bool_value, Some(*b)),
                }
            }
        }
        Ok(())
    });
}

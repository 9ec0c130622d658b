//! Vector tiles, TileJSON, `/style.json` and the PMTiles archive from `gapmap tiles`.

use crate::support;
use crate::support::http::*;
use crate::support::mvt::tile_of;
#[allow(unused_imports)]
use axum::http::{header, StatusCode};
#[allow(unused_imports)]
use gapmap::server::ServerConfig;
#[allow(unused_imports)]
use serde_json::Value;
use std::io::Read;

/// A z10 tile over Durham city (E02004312, County Durham 028, lies inside it).
fn durham_tile() -> String {
    let area = support::durham()
        .layer(gapmap::level::Level::Msoa11)
        .unwrap()
        .get("E02004312")
        .unwrap();
    let (x, y) = tile_of(area.centroid[0], area.centroid[1], 10);
    format!("/tiles/msoa11/10/{x}/{y}.mvt")
}

fn decode_codes(mvt: &[u8]) -> Vec<String> {
    use geozero::mvt::{Message, Tile};
    let tile = Tile::decode(mvt).unwrap();
    assert_eq!(tile.layers.len(), 1);
    let layer = &tile.layers[0];
    assert_eq!(layer.name, "msoa11");
    let code_key = layer.keys.iter().position(|k| k == "code").unwrap() as u32;
    let mut codes: Vec<String> = layer
        .features
        .iter()
        .map(|f| {
            let i = f.tags.chunks(2).find(|kv| kv[0] == code_key).unwrap()[1];
            layer.values[i as usize].string_value.clone().unwrap()
        })
        .collect();
    codes.sort();
    codes
}

#[tokio::test]
async fn tiles_are_gzipped_when_accepted_and_plain_otherwise() {
    let uri = durham_tile();
    let gz = send(state(), &uri, &[("accept-encoding", "gzip, deflate")]).await;
    assert_eq!(
        gz.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&gz.body)
    );
    assert_eq!(
        gz.header(header::CONTENT_TYPE),
        "application/vnd.mapbox-vector-tile"
    );
    assert_eq!(gz.header(header::CONTENT_ENCODING), "gzip");
    assert!(gz
        .header(header::CACHE_CONTROL)
        .starts_with("public, max-age="));
    assert_eq!(gz.header(header::VARY), "accept-encoding");
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&gz.body[..])
        .read_to_end(&mut unzipped)
        .unwrap();

    let plain = send(state(), &uri, &[]).await;
    assert_eq!(plain.status, StatusCode::OK);
    assert_eq!(plain.header(header::CONTENT_ENCODING), "");
    assert_eq!(plain.body, unzipped, "same tile either way");
    let codes = decode_codes(&plain.body);
    assert!(codes.contains(&"E02004312".to_string()), "{codes:?}");
    assert_ne!(
        gz.header(header::ETAG),
        plain.header(header::ETAG),
        "representations differ"
    );
}

#[tokio::test]
async fn etag_if_none_match_gives_304() {
    let uri = durham_tile();
    let first = send(state(), &uri, &[("accept-encoding", "gzip")]).await;
    let etag = first.header(header::ETAG).to_string();
    assert!(
        etag.starts_with('"') && etag.ends_with('"') && etag.len() > 10,
        "strong ETag {etag}"
    );
    let again = send(
        state(),
        &uri,
        &[("accept-encoding", "gzip"), ("if-none-match", &etag)],
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    assert_eq!(again.header(header::ETAG), etag);
    let other = send(
        state(),
        &uri,
        &[("accept-encoding", "gzip"), ("if-none-match", "\"stale\"")],
    )
    .await;
    assert_eq!(other.status, StatusCode::OK);
}

#[tokio::test]
async fn empty_tile_far_from_durham_is_204() {
    // z10 0/0 is in the Arctic Ocean off Alaska.
    let r = get("/tiles/msoa11/10/0/0.mvt").await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(r.body.is_empty());
    // London (51.5 N, 0.12 W) at z10: no Durham area reaches it either.
    let (x, y) = tile_of(-0.12, 51.5, 10);
    assert_eq!(
        get(&format!("/tiles/msoa11/10/{x}/{y}.mvt")).await.status,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn bad_tile_requests_are_400_listing_what_is_allowed() {
    assert_error(
        &get("/tiles/postcode/0/0/0.mvt").await,
        StatusCode::BAD_REQUEST,
        &["msoa11", "lsoa11", "ward"],
    );
    assert_error(
        &get("/tiles/msoa11/15/0/0.mvt").await,
        StatusCode::BAD_REQUEST,
        &["0 to 14"],
    );
    assert_error(
        &get("/tiles/msoa11/z/0/0.mvt").await,
        StatusCode::BAD_REQUEST,
        &["z must be"],
    );
    assert_error(
        &get("/tiles/msoa11/2/4/0.mvt").await,
        StatusCode::BAD_REQUEST,
        &["x must be", "0 to 3"],
    );
    assert_error(
        &get("/tiles/msoa11/2/0/-1.mvt").await,
        StatusCode::BAD_REQUEST,
        &["y must be"],
    );
    assert_error(
        &get("/tiles/msoa11/2/0/0.png").await,
        StatusCode::BAD_REQUEST,
        &[".mvt"],
    );
    assert_error(
        &get("/tiles/nope.json").await,
        StatusCode::BAD_REQUEST,
        &["msoa11"],
    );
}

#[tokio::test]
async fn tile_cache_counts_hits_and_can_be_switched_off() {
    let s = state_with(config());
    let uri = durham_tile();
    send(s.clone(), &uri, &[("accept-encoding", "gzip")]).await;
    send(s.clone(), &uri, &[("accept-encoding", "gzip")]).await;
    let text =
        String::from_utf8(send(s, "/metrics", &[("authorization", BEARER)]).await.body).unwrap();
    assert!(text.contains("gapmap_tile_cache_hits_total 1"), "{text}");
    assert!(text.contains("gapmap_tile_cache_misses_total 1"));
    assert!(!text.contains("gapmap_tile_cache_bytes 0\n"));

    let off = state_with(ServerConfig {
        tile_cache: false,
        ..config()
    });
    let a = send(off.clone(), &uri, &[]).await;
    let b = send(off.clone(), &uri, &[]).await;
    assert_eq!(a.body, b.body);
    let text = String::from_utf8(
        send(off, "/metrics", &[("authorization", BEARER)])
            .await
            .body,
    )
    .unwrap();
    assert!(text.contains("gapmap_tile_cache_hits_total 0"));
    assert!(text.contains("gapmap_tile_cache_misses_total 2"));
}

#[tokio::test]
async fn tilejson_has_absolute_urls_bounds_and_fields() {
    let r = get("/tiles/msoa11.json").await;
    assert_eq!(r.status, StatusCode::OK);
    let mut j = r.json();
    assert_eq!(j["tilejson"], "3.0.0");
    assert_eq!(
        j["tiles"][0],
        "http://gapmap.test:8080/tiles/msoa11/{z}/{x}/{y}.mvt"
    );
    let b: Vec<f64> = j["bounds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    // durham_msoa11.geojson bounding box (MANIFEST.md): lon -2.3555 .. -1.2419, lat 54.4515 .. 54.9187.
    for (got, want) in b.iter().zip([-2.3555, 54.4515, -1.2419, 54.9187]) {
        assert!((got - want).abs() < 1e-3, "{b:?}");
    }
    let c = j["center"].as_array().unwrap();
    assert!(c[0].as_f64().unwrap() > b[0] && c[0].as_f64().unwrap() < b[2]);
    assert_eq!(j["vector_layers"][0]["id"], "msoa11");
    assert_eq!(j["vector_layers"][0]["fields"]["code"], "String");
    j["bounds"] = Value::from("[bounds]");
    j["center"] = Value::from("[center]");
    insta::assert_json_snapshot!("tilejson_msoa11", j);

    let s = state_with(ServerConfig {
        public_url: Some("https://maps.example.org/".into()),
        ..config()
    });
    let j = send(s, "/tiles/lsoa11.json", &[]).await.json();
    assert_eq!(
        j["tiles"][0],
        "https://maps.example.org/tiles/lsoa11/{z}/{x}/{y}.mvt"
    );
}

#[tokio::test]
async fn style_uses_only_local_sources() {
    let r = get("/style.json").await;
    assert_eq!(r.status, StatusCode::OK);
    let j = r.json();
    assert_eq!(j["version"], 8);
    assert!(j.get("glyphs").is_none() && j.get("sprite").is_none());
    let sources = j["sources"].as_object().unwrap();
    for (id, src) in sources {
        assert_eq!(src["type"], "vector");
        assert_eq!(src["promoteId"], "code");
        let url = src["tiles"][0].as_str().unwrap();
        assert!(
            url.starts_with("http://gapmap.test:8080/tiles/"),
            "{id}: {url}"
        );
    }
    let layers = j["layers"].as_array().unwrap();
    let ids: Vec<&str> = layers.iter().map(|l| l["id"].as_str().unwrap()).collect();
    for want in [
        "msoa11-fill",
        "lsoa11-fill",
        "ward-line",
        "msoa11-line",
        "la-line",
        "msoa11-label",
    ] {
        assert!(ids.contains(&want), "{want} in {ids:?}");
    }
    let visible: Vec<&str> = layers
        .iter()
        .filter(|l| l["type"] == "fill" && l["layout"]["visibility"] == "visible")
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert_eq!(visible, ["msoa11-fill"], "only the default level is filled");
    for l in layers.iter().filter(|l| l["type"] != "background") {
        assert!(sources.contains_key(l["source"].as_str().unwrap()));
    }
}

#[tokio::test]
async fn pmtiles_archive_holds_exactly_the_served_tiles() {
    use pmtiles::{AsyncPmTilesReader, TileCoord};
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("durham.pmtiles");
    let args = gapmap::cli::tiles::TilesArgs {
        config: gapmap::cli::ConfigArgs {
            config: "data/durham.toml".into(),
            mirror: None,
            offline: true,
        },
        snapshot: None,
        level: vec!["msoa11".into()],
        minzoom: 0,
        maxzoom: 10,
        out: out.clone(),
    };
    let dataset = support::durham().clone();
    let summary =
        tokio::task::spawn_blocking(move || gapmap::cli::tiles::write(&args, &dataset, true))
            .await
            .unwrap()
            .unwrap();
    assert!(summary.tiles_written > 10);
    let reader = AsyncPmTilesReader::new_with_path(&out).await.unwrap();
    let layer = support::durham()
        .layer(gapmap::level::Level::Msoa11)
        .unwrap();
    let [w, s, e, n] = layer.bounds().unwrap();
    let mut compared = 0;
    for z in 0..=10u8 {
        let (x0, y0) = tile_of(w, n, z);
        let (x1, y1) = tile_of(e, s, z);
        for x in x0..=x1 {
            for y in y0..=y1 {
                let archived = reader
                    .get_tile_decompressed(TileCoord::new(z, x, y).unwrap())
                    .await
                    .unwrap();
                let served = get(&format!("/tiles/msoa11/{z}/{x}/{y}.mvt")).await;
                match archived {
                    Some(bytes) => {
                        assert_eq!(served.status, StatusCode::OK, "{z}/{x}/{y}");
                        assert_eq!(served.body, bytes.to_vec(), "{z}/{x}/{y} differs");
                    }
                    None => assert_eq!(served.status, StatusCode::NO_CONTENT, "{z}/{x}/{y}"),
                }
                compared += 1;
            }
        }
    }
    assert!(compared >= 20, "compared {compared}");
}

//! PostGIS as the shared store (issue 11, done-when 5): Durham loaded into a throw-away
//! PostGIS, a replica's router built from what it reads back, and the snapshot's router
//! compared on every decoded tile feature (a sample of tiles at every level and zoom 0–14)
//! and on `/api/gaps` for every indicator × grouping, plus the rest of the read API. Then the
//! swap: a failed load changes nothing, a new generation is picked up by a following replica
//! (LISTEN/NOTIFY), and one with other boundaries is refused.

use super::support::{durham, http, mvt, postgres::TempPostgres};
use axum::http::StatusCode;
use gapmap::public::PublicDataset;
use gapmap::server::AppState;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The snapshot's state and a replica's, which must answer the same.
fn replica_state(url: &str) -> (AppState, gapmap::postgis::Generation) {
    let generation = gapmap::postgis::read(url).unwrap();
    let state = AppState::with_tilesets(Arc::new(generation.dataset.clone()), http::config())
        .with_writes(http::tokens(), None);
    (state, generation)
}

/// Both states' answers to `uri`: status and body must be equal.
async fn same_answer(snapshot: &AppState, replica: &AppState, uri: &str) -> http::Reply {
    let a = http::send(snapshot.clone(), uri, &[]).await;
    let b = http::send(replica.clone(), uri, &[]).await;
    assert_eq!(a.status, b.status, "{uri}");
    assert!(
        a.body == b.body,
        "{uri}: bodies differ\n{}\n{}",
        a.text(),
        b.text()
    );
    a
}

#[tokio::test(flavor = "multi_thread")]
async fn a_postgis_replica_serves_what_the_snapshot_serves() {
    // The synchronous PostgreSQL client runs its own runtime: call it off the async threads.
    let Some(pg) = tokio::task::block_in_place(TempPostgres::start) else {
        return;
    };
    let url = pg.url.clone();
    let report = tokio::task::spawn_blocking({
        let url = url.clone();
        move || gapmap::postgis::load(&url, durham()).unwrap()
    })
    .await
    .unwrap();
    assert_eq!(report.generation, 1);
    let areas: u64 = durham().layers.iter().map(|l| l.areas.len() as u64).sum();
    assert!(report.rows.contains(&("areas", areas)), "{:?}", report.rows);

    let (replica, generation) = tokio::task::spawn_blocking({
        let url = url.clone();
        move || replica_state(&url)
    })
    .await
    .unwrap();
    let snapshot = http::state_with(http::config());

    // Tiles: every level, zooms 0–14; all tiles over the county up to z9, then a sample.
    let mut compared = 0;
    let mut features = 0;
    for layer in &durham().layers {
        let level = layer.level.as_str();
        let bounds = layer.bounds().unwrap();
        for z in 0..=14u8 {
            let tiles: Vec<(u32, u32)> = mvt::tiles_over(bounds, z).collect();
            let step = (tiles.len() / 12).max(1);
            for &(x, y) in tiles.iter().step_by(if z <= 9 { 1 } else { step }) {
                let uri = format!("/tiles/{level}/{z}/{x}/{y}.mvt");
                let r = same_answer(&snapshot, &replica, &uri).await;
                if r.status == StatusCode::OK {
                    // Decoded, feature by feature: ids, properties and geometry.
                    use geozero::mvt::{Message, Tile};
                    let a = Tile::decode(r.body.as_slice()).unwrap();
                    let b_reply = http::send(replica.clone(), &uri, &[]).await;
                    let b = Tile::decode(b_reply.body.as_slice()).unwrap();
                    assert_eq!(a, b, "{uri}");
                    assert_eq!(
                        mvt::decode_polygons(&r.body),
                        mvt::decode_polygons(&b_reply.body)
                    );
                    features += a.layers.iter().map(|l| l.features.len()).sum::<usize>();
                }
                compared += 1;
            }
        }
    }
    assert!(
        compared > 500 && features > 2000,
        "{compared} tiles, {features} features"
    );

    // /api/gaps for every indicator × available grouping, and each indicator's values.
    let indicators = http::get_json(&snapshot, "/api/indicators").await;
    let groupings = http::get_json(&snapshot, "/api/groupings").await;
    let mut tables = 0;
    for ind in indicators.as_array().unwrap() {
        let id = ind["id"].as_str().unwrap();
        same_answer(&snapshot, &replica, &format!("/api/values?indicator={id}")).await;
        for g in groupings.as_array().unwrap() {
            if g["available"] != true {
                continue;
            }
            let by = g["id"].as_str().unwrap();
            let r = same_answer(
                &snapshot,
                &replica,
                &format!("/api/gaps?indicator={id}&by={by}"),
            )
            .await;
            tables += usize::from(r.status == StatusCode::OK);
        }
    }
    assert!(
        tables >= 2 * indicators.as_array().unwrap().len(),
        "{tables} gap tables"
    );
    for uri in [
        "/api/meta",
        "/api/levels",
        "/api/indicators",
        "/api/sites",
        "/api/areas?level=locality",
        "/api/search?q=DH1%201",
        "/tiles/msoa11.json",
    ] {
        same_answer(&snapshot, &replica, uri).await;
    }

    // A load that fails part-way (a duplicated area breaks a primary key) changes nothing.
    let url2 = url.clone();
    let failed = tokio::task::spawn_blocking(move || {
        let mut broken = durham().clone();
        let dup = broken.layers[0].areas[0].clone();
        broken.layers[0].areas.push(dup);
        gapmap::postgis::load(&url2, &broken)
    })
    .await
    .unwrap();
    let err = failed.unwrap_err().to_string();
    assert!(err.contains("cannot write areas"), "{err}");
    let still = tokio::task::spawn_blocking({
        let url = url.clone();
        move || gapmap::postgis::read(&url).unwrap()
    })
    .await
    .unwrap();
    assert_eq!(still.number, 1);
    assert_eq!(still.geometry_sha256, generation.geometry_sha256);

    // A following replica swaps in a new generation with the same boundaries.
    let first = &durham().indicators[0];
    let mut changed = durham().clone();
    for v in &mut changed.indicators[0].values {
        v.value = v.value.map(|x| x + 1.0);
    }
    gapmap::server::replica::follow_postgis(
        url.clone(),
        generation.number,
        generation.geometry_sha256.clone(),
        replica.clone(),
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(300)); // the follower is listening
    let url3 = url.clone();
    let report =
        tokio::task::spawn_blocking(move || gapmap::postgis::load(&url3, &changed).unwrap())
            .await
            .unwrap();
    assert_eq!(
        report.generation, 2,
        "the failed load left no generation behind"
    );
    let started = Instant::now();
    let value_now = |state: &AppState| -> Option<f64> {
        let public: Arc<PublicDataset> = state.public();
        public.dataset().indicators[0].values[0].value
    };
    let want = first.values[0].value.map(|x| x + 1.0);
    while value_now(&replica) != want {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the replica never swapped: {}",
            pg.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // Tiles did not change (same boundaries), values did.
    same_answer(&snapshot, &replica, "/tiles/msoa11/10/507/325.mvt").await;
    let a = http::send(
        snapshot.clone(),
        &format!("/api/values?indicator={}", first.meta.id),
        &[],
    )
    .await;
    let b = http::send(
        replica.clone(),
        &format!("/api/values?indicator={}", first.meta.id),
        &[],
    )
    .await;
    assert_ne!(a.body, b.body);

    // A generation with other boundaries is refused: the replica keeps the whole old one.
    let mut moved = durham().clone();
    moved.layers[0].areas[0].geometry.0[0].exterior_mut(|ring| {
        for c in ring.0.iter_mut() {
            c.x += 1e-6;
        }
    });
    moved.indicators[0].values[0].value = Some(-1.0);
    let url4 = url.clone();
    let report = tokio::task::spawn_blocking(move || gapmap::postgis::load(&url4, &moved).unwrap())
        .await
        .unwrap();
    assert_eq!(report.generation, 3);
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        value_now(&replica),
        want,
        "a generation with other boundaries is not served"
    );

    // Only the generation replaced by the last load is kept besides the current one.
    let schemas: Vec<String> = tokio::task::block_in_place(|| {
        pg.client()
            .query(
                "SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'gapmap_g%' ORDER BY 1",
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect()
    });
    assert_eq!(schemas, ["gapmap_g2", "gapmap_g3"]);
}

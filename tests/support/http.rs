//! Driving the router without a socket (`tower::ServiceExt::oneshot`) on the Durham fixture.

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use gapmap::server::auth::Tokens;
use gapmap::server::writer::Writer;
use gapmap::server::{app, AppState, ServerConfig};
use http_body_util::BodyExt;
use serde_json::Value;
use std::sync::{Arc, OnceLock};
use tower::ServiceExt;

/// A web directory with an index page and a vendored module, like `web/`.
pub fn web_dir() -> &'static std::path::Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("index.html"),
            "<!doctype html><title>gapmap</title>",
        )
        .unwrap();
        std::fs::write(dir.path().join("app.js"), "export const x = 1;").unwrap();
        let vendor = dir.path().join("vendor/maplibre-gl");
        std::fs::create_dir_all(&vendor).unwrap();
        std::fs::write(vendor.join("maplibre-gl.mjs"), "export default {};").unwrap();
        dir
    })
    .path()
}

/// Server settings for tests: the small web directory above, defaults otherwise.
pub fn config() -> ServerConfig {
    ServerConfig {
        web_dir: web_dir().to_path_buf(),
        ..ServerConfig::default()
    }
}

/// The bearer token test states accept (token name `tester`).
pub const TOKEN: &str = "test-token-0123456789abcdef";
/// `Authorization` header value carrying [`TOKEN`].
pub const BEARER: &str = "Bearer test-token-0123456789abcdef";

/// The tokens test states accept: [`TOKEN`], named `tester`.
pub fn tokens() -> Tokens {
    Tokens::parse(std::path::Path::new("tokens"), &format!("tester:{TOKEN}")).unwrap()
}

/// A fresh state (own caches and metrics) on the Durham dataset; `/metrics` takes [`TOKEN`],
/// uploads are off (no writer).
pub fn state_with(config: ServerConfig) -> AppState {
    AppState::with_tilesets(Arc::new(super::durham().clone()), config).with_writes(tokens(), None)
}

/// A fresh state that accepts uploads with [`TOKEN`], keeping them in `dir`
/// (`durham.uploads`, `audit.log`), with a body limit of `max_body` bytes.
pub fn writable_state(dir: &std::path::Path, max_body: usize) -> AppState {
    let writer = Writer::open(
        Arc::new(super::durham().clone()),
        dir.join("durham.uploads"),
        dir.join("audit.log"),
        max_body,
    )
    .unwrap();
    AppState::with_tilesets(Arc::new(writer.dataset()), config())
        .with_writes(tokens(), Some(writer))
}

/// Any request with a body.
pub async fn request(
    state: AppState,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Reply {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::HOST, "gapmap.test:8080");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    call(state, req.body(Body::from(body)).unwrap()).await
}

/// Any request on `state`, its response read whole.
pub async fn call(state: AppState, req: Request<Body>) -> Reply {
    let res = app(state).oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

/// The shared state of this test binary.
pub fn state() -> AppState {
    static S: OnceLock<AppState> = OnceLock::new();
    S.get_or_init(|| state_with(config())).clone()
}

/// A response, read whole.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// `GET uri` with extra headers.
pub async fn send(state: AppState, uri: &str, headers: &[(&str, &str)]) -> Reply {
    request(state, "GET", uri, headers, Vec::new()).await
}

/// `GET uri` on the shared state.
pub async fn get(uri: &str) -> Reply {
    send(state(), uri, &[]).await
}

/// `GET uri`, which must answer 200 with JSON.
pub async fn get_json(state: &AppState, uri: &str) -> Value {
    let r = send(state.clone(), uri, &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.text());
    r.json()
}

/// An error response: the status, a JSON `{error, detail}` body, and a detail that names each
/// of `mentions`.
pub fn assert_error(r: &Reply, status: StatusCode, mentions: &[&str]) {
    assert_eq!(r.status, status, "body: {}", r.text());
    let j = r.json();
    assert!(j["error"].is_string(), "error field: {j}");
    let detail = j["detail"].as_str().unwrap();
    for m in mentions {
        assert!(detail.contains(m), "detail {detail:?} should mention {m:?}");
    }
}

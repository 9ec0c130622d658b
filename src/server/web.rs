//! The static web map: `GET /` is `web/index.html`, `GET /present` is `web/present.html` (present
//! mode: full-screen locality slides, `web/js/present.js`), `/static/*` any file under `web/`,
//! `/vendor/maplibre-gl/*` the vendored MapLibre GL JS build.
//!
//! Files are served by tower-http's `ServeDir`, which rejects `..` and absolute paths, so no
//! request can reach outside the web directory. `.mjs` is sent as `text/javascript` (module
//! scripts need a JavaScript MIME type; `mime_guess` says `application/javascript`).

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use std::path::Path;
use tower_http::services::{ServeDir, ServeFile};

pub fn routes(web_dir: &Path) -> Router {
    Router::new()
        .route_service("/", ServeFile::new(web_dir.join("index.html")))
        .route_service("/present", ServeFile::new(web_dir.join("present.html")))
        .nest_service("/static", ServeDir::new(web_dir))
        .nest_service(
            "/vendor/maplibre-gl",
            ServeDir::new(web_dir.join("vendor").join("maplibre-gl")),
        )
        .layer(axum::middleware::from_fn(javascript_modules))
}

async fn javascript_modules(request: Request, next: Next) -> Response {
    let is_module = request.uri().path().ends_with(".mjs");
    let mut response = next.run(request).await;
    if is_module && response.status().is_success() {
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/javascript; charset=utf-8"),
        );
    }
    response
}

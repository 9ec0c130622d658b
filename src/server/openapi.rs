//! The OpenAPI 3.1 document (`/openapi.json`, derived with utoipa from the handlers and
//! response types) and `/docs`, a small self-contained page that renders it (no CDN).

use super::{
    api, downloads, error::ErrorBody, figures, place, reach, stats, tiles, trend, uploads,
};
use axum::response::{Html, IntoResponse};
use axum::Json;
use std::sync::OnceLock;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "gapmap",
        description = "Children's health gaps by deprivation in small areas: vector tiles, \
            indicator values with confidence intervals, gap tables and downloads. Counts from 1 \
            to the suppression threshold are never published. Indicators flagged `synthetic` \
            are demonstration data, not official statistics."
    ),
    paths(
        api::health,
        api::metrics,
        api::meta,
        api::levels,
        api::indicators,
        api::values,
        api::areas,
        api::area_profile,
        api::sites,
        api::search,
        api::groupings,
        api::legend,
        downloads::gaps,
        downloads::geo,
        trend::trend,
        reach::reach,
        stats::stats,
        place::place_get,
        place::place_post,
        figures::map_png,
        figures::slides,
        tiles::tile,
        tiles::tilejson,
        tiles::style,
        openapi_json,
        docs_page,
        uploads::upload_indicators,
        uploads::delete_indicator,
        uploads::upload_sites,
        uploads::upload_reach_records,
    ),
    components(schemas(
        ErrorBody,
        place::PlaceBody,
        crate::public::PublicValue,
        crate::gaps::GapTable,
        crate::slides::reading::GapTableJson,
        crate::gaps::GapGroup,
        crate::gaps::GapSummary,
        crate::gaps::SiiLine,
        stats::StatsBody,
        stats::StatsJson
    )),
    tags(
        (name = "api", description = "JSON API for the web map and scripts"),
        (name = "downloads", description = "Gap tables and geographic downloads"),
        (name = "figures", description = "Server-rendered map images and locality slide decks"),
        (name = "tiles", description = "Vector tiles, TileJSON and the MapLibre style"),
        (name = "ops", description = "Health, metrics and documentation"),
        (name = "uploads", description = "Indicator and site uploads (bearer token; off when no token is configured)"),
    ),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

/// The `bearer` security scheme the write routes and `/metrics` name.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The document, built once.
pub fn document() -> &'static utoipa::openapi::OpenApi {
    static DOC: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    DOC.get_or_init(ApiDoc::openapi)
}

/// `GET /openapi.json`
#[utoipa::path(get, path = "/openapi.json", tag = "ops",
    responses((status = 200, description = "This OpenAPI 3.1 document", body = Object)))]
pub async fn openapi_json() -> impl IntoResponse {
    Json(document())
}

/// `GET /docs`
#[utoipa::path(get, path = "/docs", tag = "ops",
    responses((status = 200, description = "Human-readable API documentation", content_type = "text/html")))]
pub async fn docs_page() -> Html<&'static str> {
    Html(DOCS_HTML)
}

/// `GET /docs.js`: the docs page's script (a file, so the page runs under the same
/// Content-Security-Policy as the map: no inline scripts).
pub async fn docs_script() -> impl IntoResponse {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/javascript; charset=utf-8",
        )],
        DOCS_JS,
    )
}

const DOCS_JS: &str = r##"const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
};
fetch('/openapi.json').then(r => r.json()).then(doc => {
  document.getElementById('description').textContent = doc.info.description || '';
  const main = document.getElementById('paths');
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const s = el('section', { id: (method + path).replace(/[^a-z0-9]+/gi, '-') });
      s.append(el('h2', {}, el('span', { class: 'method' }, method.toUpperCase()), ' ',
        el('span', { class: 'path' }, path), ' ', el('span', { class: 'tag' }, (op.tags || []).join(', '))));
      if (op.description || op.summary) s.append(el('p', {}, op.description || op.summary));
      if (op.parameters && op.parameters.length) {
        const t = el('table', {}, el('tr', {}, el('th', {}, 'parameter'), el('th', {}, 'in'),
          el('th', {}, 'required'), el('th', {}, 'description')));
        for (const p of op.parameters) t.append(el('tr', {}, el('td', {}, el('code', {}, p.name)),
          el('td', {}, p.in), el('td', {}, p.required ? 'yes' : 'no'), el('td', {}, p.description || '')));
        s.append(t);
      }
      const t = el('table', {}, el('tr', {}, el('th', {}, 'status'), el('th', {}, 'response')));
      for (const [code, r] of Object.entries(op.responses || {})) {
        const types = Object.keys(r.content || {}).join(', ');
        t.append(el('tr', {}, el('td', {}, code), el('td', {}, r.description + (types ? ' (' + types + ')' : ''))));
      }
      s.append(t);
      main.append(s);
    }
  }
}).catch(e => { document.getElementById('description').textContent = 'Could not load /openapi.json: ' + e; });
"##;

const DOCS_HTML: &str = r##"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>gapmap API</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 60rem; padding: 1rem 1.5rem; color: #1a1a1a; }
  h1 { margin-bottom: 0; } .desc { color: #333; }
  section { border-top: 1px solid #ccc; padding: .5rem 0; }
  code, .path { font-family: ui-monospace, monospace; }
  .method { display: inline-block; min-width: 3.5rem; font-weight: 700; color: #0b5394; }
  .path { font-weight: 600; }
  table { border-collapse: collapse; margin: .3rem 0; }
  td, th { border: 1px solid #ddd; padding: .15rem .5rem; text-align: left; vertical-align: top; }
  th { background: #f2f2f2; }
  .tag { color: #555; font-size: .85rem; }
</style>
</head>
<body>
<h1>gapmap API</h1>
<p class="desc" id="description">Loading <a href="/openapi.json">/openapi.json</a>…</p>
<main id="paths"></main>
<script src="/docs.js"></script>
</body>
</html>
"##;

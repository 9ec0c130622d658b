//! Request metrics in the Prometheus text exposition format (version 0.0.4): requests by
//! route and status, a latency histogram by route, and tile-cache hits and misses.
//!
//! Hand-rolled on purpose: a handful of counters behind one short-held mutex does not
//! justify a metrics registry dependency.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// Upper bounds (seconds) of the latency histogram buckets.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

#[derive(Debug, Default)]
struct Histogram {
    /// Non-cumulative counts per bucket; the last slot is +Inf.
    buckets: [u64; BUCKETS.len() + 1],
    sum: f64,
    count: u64,
}

#[derive(Debug, Default)]
struct ByRoute {
    /// route → (status → count, latency histogram); looked up by `&str`, so a request to a
    /// route seen before allocates nothing.
    routes: BTreeMap<String, RouteStats>,
}

#[derive(Debug, Default)]
struct RouteStats {
    requests: BTreeMap<u16, u64>,
    latency: Histogram,
}

/// Counters shared by every request.
#[derive(Debug, Default)]
pub struct Metrics {
    by_route: Mutex<ByRoute>,
    pub tile_cache_hits: AtomicU64,
    pub tile_cache_misses: AtomicU64,
}

impl Metrics {
    pub fn record(&self, route: &str, status: u16, seconds: f64) {
        let Ok(mut m) = self.by_route.lock() else {
            return;
        };
        if !m.routes.contains_key(route) {
            m.routes.insert(route.to_string(), RouteStats::default());
        }
        let Some(stats) = m.routes.get_mut(route) else {
            return;
        };
        *stats.requests.entry(status).or_default() += 1;
        let h = &mut stats.latency;
        let slot = BUCKETS
            .iter()
            .position(|&b| seconds <= b)
            .unwrap_or(BUCKETS.len());
        h.buckets[slot] += 1;
        h.sum += seconds;
        h.count += 1;
    }

    pub fn tile_cache_hit(&self) {
        self.tile_cache_hits.fetch_add(1, Ordering::Relaxed);
    }

    pub fn tile_cache_miss(&self) {
        self.tile_cache_misses.fetch_add(1, Ordering::Relaxed);
    }

    /// Prometheus text exposition of every metric. `cache_bytes` is the tile cache's
    /// current weighted size, `public_cache_bytes` what the public face's caches hold.
    pub fn render(&self, cache_bytes: u64, public_cache_bytes: u64) -> String {
        let mut out = String::new();
        let hits = self.tile_cache_hits.load(Ordering::Relaxed);
        let misses = self.tile_cache_misses.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "# HELP gapmap_http_requests_total HTTP requests answered, by route and status.\n\
             # TYPE gapmap_http_requests_total counter"
        );
        if let Ok(m) = self.by_route.lock() {
            for (route, stats) in &m.routes {
                for (status, n) in &stats.requests {
                    let _ = writeln!(
                        out,
                        "gapmap_http_requests_total{{route=\"{}\",status=\"{status}\"}} {n}",
                        escape(route)
                    );
                }
            }
            let _ = writeln!(
                out,
                "# HELP gapmap_http_request_duration_seconds Time to answer a request, by route.\n\
                 # TYPE gapmap_http_request_duration_seconds histogram"
            );
            for (route, stats) in &m.routes {
                let h = &stats.latency;
                let route = escape(route);
                let mut cumulative = 0;
                for (i, bound) in BUCKETS.iter().enumerate() {
                    cumulative += h.buckets[i];
                    let _ = writeln!(
                        out,
                        "gapmap_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {cumulative}"
                    );
                }
                let _ = writeln!(
                    out,
                    "gapmap_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}\n\
                     gapmap_http_request_duration_seconds_sum{{route=\"{route}\"}} {}\n\
                     gapmap_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                    h.count, h.sum, h.count
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP gapmap_tile_cache_hits_total Tiles answered from the in-memory cache.\n\
             # TYPE gapmap_tile_cache_hits_total counter\n\
             gapmap_tile_cache_hits_total {hits}\n\
             # HELP gapmap_tile_cache_misses_total Tiles that had to be generated.\n\
             # TYPE gapmap_tile_cache_misses_total counter\n\
             gapmap_tile_cache_misses_total {misses}\n\
             # HELP gapmap_tile_cache_bytes Bytes held by the tile cache (tiles, ETags, entry overhead).\n\
             # TYPE gapmap_tile_cache_bytes gauge\n\
             gapmap_tile_cache_bytes {cache_bytes}\n\
             # HELP gapmap_public_cache_bytes Bytes held by the public face's caches (gap tables, audited values).\n\
             # TYPE gapmap_public_cache_bytes gauge\n\
             gapmap_public_cache_bytes {public_cache_bytes}"
        );
        out
    }
}

/// Label values escape backslash, double quote and newline (exposition format spec).
fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Middleware: time each request and count it under its route template (not the raw path,
/// so tile coordinates do not explode the label set).
pub async fn track(
    State(metrics): State<std::sync::Arc<Metrics>>,
    request: Request,
    next: Next,
) -> Response {
    let route = request.extensions().get::<MatchedPath>().cloned();
    let start = Instant::now();
    let response = next.run(request).await;
    metrics.record(
        route.as_ref().map_or("unmatched", MatchedPath::as_str),
        response.status().as_u16(),
        start.elapsed().as_secs_f64(),
    );
    response
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn histogram_is_cumulative_and_counts_match() {
        let m = Metrics::default();
        m.record("/api/meta", 200, 0.0007);
        m.record("/api/meta", 200, 0.02);
        m.record("/api/meta", 400, 9.0);
        m.tile_cache_hit();
        let text = m.render(10, 20);
        assert!(text.contains("gapmap_http_requests_total{route=\"/api/meta\",status=\"200\"} 2"));
        assert!(text.contains("gapmap_http_requests_total{route=\"/api/meta\",status=\"400\"} 1"));
        assert!(text.contains("duration_seconds_bucket{route=\"/api/meta\",le=\"0.001\"} 1"));
        assert!(text.contains("duration_seconds_bucket{route=\"/api/meta\",le=\"0.025\"} 2"));
        assert!(text.contains("duration_seconds_bucket{route=\"/api/meta\",le=\"5\"} 2"));
        assert!(text.contains("duration_seconds_bucket{route=\"/api/meta\",le=\"+Inf\"} 3"));
        assert!(text.contains("gapmap_http_request_duration_seconds_count{route=\"/api/meta\"} 3"));
        assert!(text.contains("gapmap_tile_cache_hits_total 1"));
        assert!(text.contains("gapmap_tile_cache_bytes 10"));
    }
}

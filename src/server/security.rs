//! Security headers on every response: a Content-Security-Policy the web map runs under,
//! `X-Content-Type-Options: nosniff` and a `Referrer-Policy`. CORS is separate and off unless
//! `--cors-origin` is given ([`super::app`]).
//!
//! The policy allows only this origin for scripts, data and frames. MapLibre needs
//! `worker-src blob:` (it starts its tile workers from a blob URL; `child-src` for browsers
//! that predate `worker-src`) and `img-src data: blob:` (sprites and canvases); styles may be
//! inline because MapLibre and the app set element styles. A configured raster basemap's
//! origin is added to `img-src` and `connect-src`. `tests/browser/` checks that the map loads
//! with no CSP violation in the console.

use axum::http::{header, HeaderName, HeaderValue};

/// The origin (`scheme://host[:port]`) of an http(s) URL, if it has one.
fn origin(url: &str) -> Option<&str> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    Some(&url[..scheme.len() + 3 + host_end])
}

/// The Content-Security-Policy for a server with an optional basemap URL template.
pub fn content_security_policy(basemap_url: Option<&str>) -> String {
    let basemap = basemap_url
        .and_then(origin)
        .map(|o| format!(" {o}"))
        .unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self'; worker-src 'self' blob:; child-src 'self' blob:; \
         img-src 'self' data: blob:{basemap}; connect-src 'self'{basemap}; \
         style-src 'self' 'unsafe-inline'; font-src 'self' data:; object-src 'none'; \
         base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
    )
}

/// The headers every response carries (a handler's own value wins).
pub fn headers(basemap_url: Option<&str>) -> Vec<(HeaderName, HeaderValue)> {
    let csp = HeaderValue::from_str(&content_security_policy(basemap_url)).unwrap_or_else(|_| {
        // Only a basemap URL with characters a header cannot carry gets here (validated
        // at start); fall back to the policy without it.
        HeaderValue::from_str(&content_security_policy(None))
            .unwrap_or(HeaderValue::from_static("default-src 'self'"))
    });
    vec![
        (header::CONTENT_SECURITY_POLICY, csp),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_basemap_origin_is_allowed_for_images_and_connections_only() {
        let csp = content_security_policy(Some("https://tile.example.org/{z}/{x}/{y}.png"));
        assert!(csp.contains("img-src 'self' data: blob: https://tile.example.org;"));
        assert!(csp.contains("connect-src 'self' https://tile.example.org;"));
        assert!(csp.contains("script-src 'self';"));
        assert!(!content_security_policy(None).contains("example"));
        assert_eq!(origin("ftp://x/y"), None);
    }
}

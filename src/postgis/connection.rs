//! The connection-level pieces every PostGIS module shares: the notify channel, the error
//! type, connecting, the URL without its password, enum ↔ text columns and WKB geometry.

/// The channel `load` notifies on commit (payload: the new generation).
pub const CHANNEL: &str = "gapmap_dataset";

/// What can go wrong talking to PostGIS. Messages name the database (without its password) and
/// what to do.
#[derive(Debug, thiserror::Error)]
pub enum PostgisError {
    #[error("cannot connect to PostgreSQL at {url}: {source} (check --postgis/--url, e.g. postgresql://user@localhost:5432/gapmap, and that the server is running)")]
    Connect {
        url: String,
        #[source]
        source: postgres::Error,
    },
    #[error("PostgreSQL at {url} has no PostGIS: {source} (run `CREATE EXTENSION postgis;` in that database as its owner)")]
    NoPostgis {
        url: String,
        #[source]
        source: postgres::Error,
    },
    #[error("PostgreSQL at {url}: {what}: {source}")]
    Query {
        url: String,
        what: String,
        #[source]
        source: postgres::Error,
    },
    #[error("PostgreSQL at {url} holds no gapmap dataset (no row in gapmap.current): load one with `gapmap load-postgis --url URL`")]
    Empty { url: String },
    #[error("PostgreSQL at {url}, schema {schema}: {what} (reload it with `gapmap load-postgis`)")]
    Bad {
        url: String,
        schema: String,
        what: String,
    },
}

impl PostgisError {
    /// True when the user can fix it (a wrong URL, no PostGIS, nothing loaded yet).
    pub fn is_input_error(&self) -> bool {
        matches!(
            self,
            PostgisError::Connect { .. }
                | PostgisError::NoPostgis { .. }
                | PostgisError::Empty { .. }
        )
    }
}

/// `url` with any password replaced by `***`, for messages and logs.
pub fn redact(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        if let Some((userinfo, host)) = rest.rsplit_once('@') {
            if let Some((user, _password)) = userinfo.split_once(':') {
                return format!("{scheme}://{user}:***@{host}");
            }
        }
        return url.to_string();
    }
    // key=value form: hide the value of password=…
    url.split_whitespace()
        .map(|kv| match kv.split_once('=') {
            Some((k, _)) if k.eq_ignore_ascii_case("password") => "password=***".to_string(),
            _ => kv.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A client for `url` (a `postgresql://` URL or `key=value` connection string), without TLS.
pub(crate) fn connect(url: &str) -> Result<postgres::Client, PostgisError> {
    postgres::Client::connect(url, postgres::NoTls).map_err(|source| PostgisError::Connect {
        url: redact(url),
        source,
    })
}

/// The text of a serde enum value (`"proportion"`, `"higher_is_worse"`, …), as stored.
pub(crate) fn enum_text<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        other => format!("{other:?}"),
    }
}

/// A serde enum value back from its stored text.
pub(crate) fn enum_from_text<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(text.to_string())).ok()
}

/// A boundary as WKB (little-endian, 2D), as PostGIS stores it bit for bit.
pub(crate) fn multipolygon_wkb(geometry: &geo::MultiPolygon<f64>) -> Vec<u8> {
    use geozero::{CoordDimensions, ToWkb};
    // Writing WKB to memory cannot fail for a MultiPolygon; an empty body would be refused by
    // PostGIS with a message, never stored.
    geo::Geometry::MultiPolygon(geometry.clone())
        .to_wkb(CoordDimensions::xy())
        .unwrap_or_default()
}

/// A boundary back from WKB (a Polygon is read as a MultiPolygon of one).
pub(crate) fn multipolygon_from_wkb(wkb: &[u8]) -> Result<geo::MultiPolygon<f64>, String> {
    use geozero::ToGeo;
    match geozero::wkb::Wkb(wkb).to_geo() {
        Ok(geo::Geometry::MultiPolygon(mp)) => Ok(mp),
        Ok(geo::Geometry::Polygon(p)) => Ok(geo::MultiPolygon(vec![p])),
        Ok(other) => Err(format!("expected a MultiPolygon, found {other:?}")),
        Err(e) => Err(format!("unreadable WKB: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redact("postgresql://gapmap:s3cret@db.internal:5432/gapmap"),
            "postgresql://gapmap:***@db.internal:5432/gapmap"
        );
        assert_eq!(
            redact("postgresql://gapmap@db/gapmap"),
            "postgresql://gapmap@db/gapmap"
        );
        assert_eq!(
            redact("host=/tmp port=5433 password=s3cret user=gapmap"),
            "host=/tmp port=5433 password=*** user=gapmap"
        );
    }

    #[test]
    fn enums_round_trip_through_their_text() {
        use crate::dataset::{Polarity, ValueType};
        assert_eq!(enum_text(&Polarity::HigherIsWorse), "higher_is_worse");
        assert_eq!(
            enum_from_text::<ValueType>(&enum_text(&ValueType::Rate)),
            Some(ValueType::Rate)
        );
        assert_eq!(enum_from_text::<ValueType>("median"), None);
    }

    #[test]
    fn boundaries_round_trip_through_wkb_bit_for_bit() {
        let durham = crate::test_support::durham();
        for layer in &durham.layers {
            for area in layer.areas.iter().take(20) {
                let back = multipolygon_from_wkb(&multipolygon_wkb(&area.geometry)).unwrap();
                assert_eq!(back, area.geometry, "{} {}", layer.level, area.code);
            }
        }
    }
}

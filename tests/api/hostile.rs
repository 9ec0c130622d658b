//! Hostile input, table-driven: query and path parameters (traversal, percent-encoding, NUL,
//! huge and negative z/x/y, 10 kB query strings, repeated parameters), uploads (truncated,
//! wrong encoding, BOM, CRLF, a 100 MB body, a gzip bomb, a million columns, formula
//! injection) and headers (bad `If-None-Match`, `Accept-Encoding`, `Authorization`). Each case
//! has its expected status and a substring of the message; none may answer 5xx or panic.
//! The CLI's cases (files, config, flags) are in `tests/cli/hostile.rs`.

use super::uploads::{gzip, tidy_file};
use crate::support::http::*;
use axum::http::StatusCode;

/// One request and what it must get.
struct Case {
    name: &'static str,
    method: &'static str,
    uri: String,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    status: u16,
    /// A substring of the response body (the JSON error's detail, or content).
    says: &'static str,
}

fn get(name: &'static str, uri: impl Into<String>, status: u16, says: &'static str) -> Case {
    Case {
        name,
        method: "GET",
        uri: uri.into(),
        headers: vec![],
        body: vec![],
        status,
        says,
    }
}

fn with_header(mut c: Case, k: &'static str, v: impl Into<String>) -> Case {
    c.headers.push((k, v.into()));
    c
}

fn upload(name: &'static str, uri: &str, body: Vec<u8>, status: u16, says: &'static str) -> Case {
    Case {
        name,
        method: "POST",
        uri: uri.into(),
        headers: vec![("authorization", BEARER.into())],
        body,
        status,
        says,
    }
}

const TIDY: &str = "area_code,indicator_id,period,count,denominator\n";

fn cases() -> Vec<Case> {
    let long = "a".repeat(10_000);
    let tidy = tidy_file("hostile");
    let tidy_text = String::from_utf8(tidy.clone()).unwrap();
    let mut million_columns = (0..1_000_000)
        .map(|i| format!("c{i}"))
        .collect::<Vec<_>>()
        .join(",");
    million_columns.push_str("\n1\n");
    let bomb = gzip(&vec![0u8; 120 << 20]);
    let area = &crate::support::durham().layers[0].areas[0];
    let (x, y) = crate::support::mvt::tile_of(area.centroid[0], area.centroid[1], 10);
    let tile = format!(
        "/tiles/{}/10/{x}/{y}.mvt",
        crate::support::durham().layers[0].level.as_str()
    );
    vec![
        // Path parameters.
        get(
            "traversal in a static path",
            "/static/../../etc/passwd",
            404,
            "",
        ),
        get(
            "encoded traversal in a static path",
            "/static/%2e%2e/%2e%2e/etc/passwd",
            404,
            "",
        ),
        get(
            "encoded traversal in the vendor path",
            "/vendor/maplibre-gl/..%2f..%2fCargo.toml",
            404,
            "",
        ),
        get(
            "traversal as an area code",
            "/api/areas/..%2f..%2fetc%2fpasswd",
            404,
            "no area",
        ),
        get(
            "NUL in an area code",
            "/api/areas/E02004290%00",
            404,
            "no area",
        ),
        get(
            "10 kB area code",
            format!("/api/areas/{long}"),
            404,
            "no area",
        ),
        get(
            "traversal as a tile level",
            "/tiles/..%2f..%2fetc/0/0/0.mvt",
            400,
            "level",
        ),
        get("unknown tile level", "/tiles/nope/0/0/0.mvt", 400, "level"),
        get(
            "huge zoom",
            "/tiles/msoa11/99/0/0.mvt",
            400,
            "z must be an integer from 0 to 14",
        ),
        get("negative zoom", "/tiles/msoa11/-1/0/0.mvt", 400, ""),
        get(
            "u32 overflow in x",
            "/tiles/msoa11/8/99999999999/0.mvt",
            400,
            "",
        ),
        get(
            "x outside the zoom's range",
            "/tiles/msoa11/2/4/0.mvt",
            400,
            "from 0 to 3 at zoom 2",
        ),
        get("negative y", "/tiles/msoa11/8/127/-80.mvt", 400, ""),
        get("y not a number", "/tiles/msoa11/8/127/abc.mvt", 400, ""),
        get(
            "wrong tile extension",
            "/tiles/msoa11/8/127/80.png",
            400,
            ".mvt",
        ),
        get(
            "NUL in a tile path",
            "/tiles/msoa11/8/127/80%00.mvt",
            400,
            "",
        ),
        get(
            "traversal in a TileJSON name",
            "/tiles/..%2fCargo.json",
            400,
            "level",
        ),
        // Query parameters.
        get("missing indicator", "/api/values", 400, "indicator"),
        get(
            "unknown indicator",
            "/api/values?indicator=nope",
            400,
            "990001",
        ),
        get(
            "NUL in an indicator",
            "/api/values?indicator=990001%00",
            400,
            "990001",
        ),
        get(
            "traversal as an indicator",
            "/api/values?indicator=..%2f..%2fetc%2fpasswd",
            400,
            "990001",
        ),
        get(
            "10 kB query string",
            format!("/api/values?indicator={long}"),
            400,
            "990001",
        ),
        get(
            "repeated parameter",
            "/api/values?indicator=990001&indicator=990002",
            400,
            "duplicate",
        ),
        get(
            "unknown level",
            "/api/values?indicator=990001&level=oa21",
            400,
            "msoa11",
        ),
        get("unknown IMD edition", "/api/areas?imd=1999", 400, "2019"),
        get(
            "unknown grouping",
            "/api/gaps?indicator=990003&by=star-sign",
            400,
            "imd-quintile",
        ),
        get(
            "unknown format",
            "/api/gaps?indicator=990003&format=exe",
            400,
            "csv",
        ),
        get(
            "bad percent-encoding (kept as text, no match)",
            "/api/search?q=%zz",
            200,
            "[]",
        ),
        get(
            "invalid UTF-8 in a query (replaced, no match)",
            "/api/search?q=%ff%fe",
            200,
            "[]",
        ),
        get("empty search", "/api/search?q=", 400, "search"),
        get(
            "byte-order mark inside a postcode search (found by fuzzing)",
            "/api/search?q=DH86%EF%BB%BFDE",
            200,
            "[]",
        ),
        get(
            "10 kB search",
            format!("/api/search?q={long}"),
            400,
            "search",
        ),
        get(
            "unknown legend layer",
            "/api/legend?layer=%3Cscript%3E",
            400,
            "imd-decile",
        ),
        get(
            "unknown locality",
            "/api/gaps?indicator=990003&locality=Atlantis",
            400,
            "locality",
        ),
        get("unknown geo format", "/api/geo?format=shp", 400, "geojson"),
        // Headers.
        with_header(
            get("garbage If-None-Match", tile.clone(), 200, ""),
            "if-none-match",
            "W/\"x\", ,, \"unterminated",
        ),
        with_header(
            get("wildcard If-None-Match", tile.clone(), 304, ""),
            "if-none-match",
            "*",
        ),
        with_header(
            get("nonsense Accept-Encoding", "/api/levels", 200, "msoa11"),
            "accept-encoding",
            "br;q=banana, *;q=-1",
        ),
        with_header(
            get("10 kB Accept-Encoding", "/api/levels", 200, "msoa11"),
            "accept-encoding",
            long.clone(),
        ),
        with_header(
            get("metrics with a Basic header", "/metrics", 401, "Bearer"),
            "authorization",
            "Basic YWxhZGRpbjpvcGVuc2VzYW1l",
        ),
        with_header(
            get("metrics with a wrong token", "/metrics", 401, "not valid"),
            "authorization",
            "Bearer wrong-wrong-wrong-wrong",
        ),
        get("metrics without a token", "/metrics", 401, "Bearer"),
        // Uploads.
        Case {
            headers: vec![],
            ..upload(
                "upload without a token",
                "/api/indicators",
                tidy.clone(),
                401,
                "Bearer",
            )
        },
        upload(
            "truncated upload",
            "/api/indicators",
            tidy[..tidy.len() / 2 + 7].to_vec(),
            400,
            "upload.csv:",
        ),
        upload(
            "header only",
            "/api/indicators",
            TIDY.as_bytes().to_vec(),
            400,
            "at least one row",
        ),
        upload(
            "empty body",
            "/api/indicators",
            vec![],
            400,
            "neither a Fingertips export",
        ),
        upload(
            "Latin-1 upload",
            "/api/indicators?format=tidy",
            format!("{TIDY}E02004290,x,2024,1,10\nE02004291,caf\u{e9},2024,1,10\n")
                .replace('\u{e9}', "\u{1}")
                .into_bytes()
                .into_iter()
                .map(|b| if b == 1 { 0xe9 } else { b })
                .collect(),
            400,
            "upload.csv:3: not valid UTF-8",
        ),
        upload(
            "UTF-16 upload",
            "/api/indicators?format=tidy",
            [
                &[0xff, 0xfe][..],
                &TIDY
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes)
                    .collect::<Vec<u8>>(),
            ]
            .concat(),
            400,
            "not valid UTF-8",
        ),
        upload(
            "BOM upload",
            "/api/indicators?file=bom.csv",
            [b"\xEF\xBB\xBF".as_slice(), &tidy].concat(),
            200,
            "hostile",
        ),
        upload(
            "CRLF upload",
            "/api/indicators?file=crlf.csv",
            tidy_text.replace('\n', "\r\n").into_bytes(),
            200,
            "hostile",
        ),
        upload(
            "ragged row",
            "/api/indicators",
            format!("{TIDY}E02004290,x,2024,1\n").into_bytes(),
            400,
            "upload.csv:2",
        ),
        upload(
            "unknown area",
            "/api/indicators",
            format!("{TIDY}E02999999,x,2024,1,10\n").into_bytes(),
            400,
            "E02999999",
        ),
        upload(
            "count over denominator",
            "/api/indicators",
            format!("{TIDY}E02004290,x,2024,11,10\n").into_bytes(),
            400,
            "exceeds denominator",
        ),
        upload(
            "NaN count",
            "/api/indicators",
            format!("{TIDY}E02004290,x,2024,NaN,10\n").into_bytes(),
            400,
            "a number",
        ),
        upload(
            "1e309 denominator",
            "/api/indicators",
            format!("{TIDY}E02004290,x,2024,1,1e309\n").into_bytes(),
            400,
            "a number",
        ),
        upload(
            "million columns",
            "/api/indicators?format=tidy",
            million_columns.into_bytes(),
            400,
            "1000000 columns",
        ),
        upload(
            "100 MB body",
            "/api/indicators",
            vec![b'a'; 100 << 20],
            413,
            "larger than 20 MB",
        ),
        Case {
            headers: vec![
                ("authorization", BEARER.into()),
                ("content-encoding", "gzip".into()),
            ],
            ..upload("gzip bomb", "/api/indicators", bomb, 413, "gzip bomb")
        },
        Case {
            headers: vec![
                ("authorization", BEARER.into()),
                ("content-encoding", "gzip".into()),
            ],
            ..upload(
                "damaged gzip",
                "/api/indicators",
                gzip(&tidy)[..40].to_vec(),
                400,
                "not valid gzip",
            )
        },
        Case {
            headers: vec![
                ("authorization", BEARER.into()),
                ("content-encoding", "br".into()),
            ],
            ..upload(
                "unsupported encoding",
                "/api/indicators",
                tidy.clone(),
                400,
                "not supported",
            )
        },
        upload(
            "file name with a path",
            "/api/indicators?file=..%2F..%2Fetc%2Fpasswd",
            tidy.clone(),
            400,
            "plain file name",
        ),
        upload(
            "unknown query parameter",
            "/api/indicators?drop=tables",
            tidy.clone(),
            400,
            "drop",
        ),
        upload(
            "bad polarity",
            "/api/indicators?polarity=sideways",
            tidy.clone(),
            400,
            "higher_is_worse",
        ),
        upload(
            "negative multiplier",
            "/api/indicators?multiplier=-100",
            tidy.clone(),
            400,
            "positive",
        ),
        upload(
            "formula in an indicator id",
            "/api/indicators",
            format!("{TIDY}E02004290,=cmd|' /C calc'!A0,2024,1,10\n").into_bytes(),
            200,
            "=cmd",
        ),
        upload(
            "sites with eastings as lon/lat",
            "/api/sites",
            b"id,name,kind,postcode,lon,lat,existing\nS,x,hub,,430000,540000,true\n".to_vec(),
            400,
            "sites.csv:2",
        ),
        upload(
            "sites with an unknown postcode",
            "/api/sites",
            b"id,name,kind,postcode,lon,lat,existing\nS,x,hub,ZZ9 9ZZ,,,true\n".to_vec(),
            400,
            "ZZ9 9ZZ",
        ),
        upload(
            "byte-order mark inside a site postcode (found by fuzzing)",
            "/api/sites",
            "id,name,kind,postcode,lon,lat,existing\nS,x,hub,DH86\u{feff}DE,,,true\n"
                .as_bytes()
                .to_vec(),
            400,
            "expected a live postcode",
        ),
        Case {
            method: "DELETE",
            ..upload(
                "delete a built indicator",
                "/api/indicators/990001",
                vec![],
                404,
                "built indicators cannot be deleted",
            )
        },
        Case {
            method: "PUT",
            ..upload("wrong method", "/api/indicators", vec![], 405, "")
        },
    ]
}

#[tokio::test]
async fn hostile_requests_get_specific_errors_and_never_a_5xx() {
    let dir = tempfile::tempdir().unwrap();
    let state = writable_state(dir.path(), 20 << 20);
    let cases = cases();
    assert!(cases.len() >= 50, "{} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let headers: Vec<(&str, &str)> =
            case.headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = request(
            state.clone(),
            case.method,
            &case.uri,
            &headers,
            case.body.clone(),
        )
        .await;
        let text = r.text();
        if r.status.as_u16() != case.status || !text.contains(case.says) {
            failures.push(format!(
                "{}: expected {} with {:?}, got {}: {}",
                case.name,
                case.status,
                case.says,
                r.status,
                text.chars().take(300).collect::<String>()
            ));
        }
        assert!(
            r.status.as_u16() < 500 || r.status == StatusCode::NOT_IMPLEMENTED,
            "{}: {}",
            case.name,
            r.status
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

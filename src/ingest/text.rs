//! Reading input files: transparent gzip, UTF-8 validation with the offending line, and a
//! clear error for empty files.

use super::IngestError;
use std::io::Read;
use std::path::Path;

/// Read a file's bytes, gunzipping `.gz` files.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, IngestError> {
    if !path.exists() {
        return Err(IngestError::Missing {
            path: path.to_path_buf(),
        });
    }
    let raw = std::fs::read(path).map_err(|source| IngestError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    if path.extension().is_some_and(|e| e == "gz") {
        let mut out = Vec::with_capacity(raw.len() * 4);
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .map_err(|source| IngestError::Read {
                path: path.to_path_buf(),
                source,
            })?;
        Ok(out)
    } else {
        Ok(raw)
    }
}

/// Read a text file as UTF-8 (a leading byte-order mark is dropped). Empty files and
/// invalid UTF-8 are errors naming the line.
pub fn read_text(path: &Path, expected: &str) -> Result<String, IngestError> {
    decode_text(path, &read_bytes(path)?, expected)
}

/// Bytes as UTF-8 text (a leading byte-order mark is dropped), for a file or an upload named
/// `path` in errors. Empty input and invalid UTF-8 are errors naming the line.
pub fn decode_text(path: &Path, bytes: &[u8], expected: &str) -> Result<String, IngestError> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(IngestError::Empty {
            path: path.to_path_buf(),
            expected: expected.to_string(),
        });
    }
    match std::str::from_utf8(body) {
        Ok(text) => Ok(text.to_string()),
        Err(e) => {
            let valid = &body[..e.valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
            Err(IngestError::Encoding {
                path: path.to_path_buf(),
                line,
                byte: e.valid_up_to() - line_start + 1,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_byte_is_reported_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.csv");
        std::fs::write(&path, b"a,b\n1,2\n3,caf\xe9\n").unwrap();
        let err = read_text(&path, "a CSV").unwrap_err();
        assert!(
            matches!(
                err,
                IngestError::Encoding {
                    line: 3,
                    byte: 6,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn empty_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.csv");
        std::fs::write(&path, b"\n").unwrap();
        assert!(matches!(
            read_text(&path, "a CSV"),
            Err(IngestError::Empty { .. })
        ));
    }
}

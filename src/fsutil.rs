//! Writing files atomically and checksumming bytes: the one place gapmap replaces a file.
//!
//! A file is written to a temporary name in the same directory (`.<extension>-XXXXXX`), flushed to disk (`fsync`), and
//! renamed over the target; then the directory is synced so the rename itself survives a crash.
//! A failure or a `kill -9` at any moment leaves the old file or the new one, never a torn one,
//! and readers never see a half-written file.

use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A file that could not be written (the old file, if any, is untouched).
#[derive(Debug, thiserror::Error)]
#[error("cannot write {path}: {source}; check the directory exists and is writable")]
pub struct WriteError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// Lower-case hex sha256 of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Write `bytes` to `path` atomically. The directory must exist.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    write_atomic_with(path, |file| file.write_all(bytes))
}

/// Write `path` atomically with `write`, which gets the temporary file (buffer it if it writes
/// in small pieces). The directory must exist.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> Result<(), WriteError> {
    let error = |source| WriteError {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // A hidden name that says what is being written: `.snapshot-XXXXXX`, `.csv-XXXXXX`, …
    let kind = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("gapmap");
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{kind}-"))
        .tempfile_in(dir)
        .map_err(error)?;
    write(tmp.as_file_mut()).map_err(error)?;
    tmp.as_file().sync_all().map_err(error)?;
    tmp.persist(path).map_err(|e| error(e.error))?;
    if let Ok(d) = std::fs::File::open(dir) {
        // Best effort: some filesystems do not sync directories.
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_the_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("table.csv");
        write_atomic(&path, b"old").unwrap();
        write_atomic(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn atomic_write_to_a_missing_directory_names_the_path() {
        let err = write_atomic(Path::new("/nonexistent-gapmap-dir/x.csv"), b"x").unwrap_err();
        assert!(err.to_string().contains("/nonexistent-gapmap-dir/x.csv"));
    }

    #[test]
    fn a_failed_write_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("snapshot");
        write_atomic(&path, b"good").unwrap();
        let err = write_atomic_with(&path, |f| {
            f.write_all(b"half")?;
            Err(std::io::Error::other("disk full"))
        });
        assert!(err.is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"good");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn sha256_of_empty_input_is_the_published_digest() {
        // FIPS 180-4 test vector: SHA-256("") .
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}

//! Snapshot files: a built [`Dataset`] on disk.
//!
//! Layout: the magic `GAPMAPSS`, the format version (u32 LE), the postcard-encoded dataset,
//! and a sha256 of everything before it. Writes go to a temporary file in the same directory,
//! are fsynced, then renamed over the old snapshot (and the directory fsynced), so a crash or
//! `kill -9` at any moment leaves either the old or the new snapshot, never a torn one.

use crate::dataset::{Dataset, SNAPSHOT_VERSION};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 8] = b"GAPMAPSS";

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("{path}: no snapshot. Build one with `gapmap build --config data/durham.toml`.")]
    Missing { path: PathBuf },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not a gapmap snapshot, or damaged ({why}). Rebuild it with `gapmap build`.")]
    Corrupt { path: PathBuf, why: String },
    #[error("{path}: snapshot format {found}, this gapmap reads {expected}. Rebuild it with `gapmap build`.")]
    Version {
        path: PathBuf,
        found: u32,
        expected: u32,
    },
    #[error("cannot encode the dataset: {0}")]
    Encode(String),
}

impl SnapshotError {
    pub fn is_input_error(&self) -> bool {
        !matches!(self, SnapshotError::Encode(_) | SnapshotError::Io { .. })
    }
}

fn io(path: &Path, source: std::io::Error) -> SnapshotError {
    SnapshotError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Encode a dataset into snapshot bytes.
pub fn encode(dataset: &Dataset) -> Result<Vec<u8>, SnapshotError> {
    encode_checked(MAGIC, dataset)
}

/// The snapshot layout for any value: `magic`, [`SNAPSHOT_VERSION`], postcard, sha256 (the
/// uploads file uses it with its own magic).
pub fn encode_checked<T: serde::Serialize>(
    magic: &[u8; 8],
    value: &T,
) -> Result<Vec<u8>, SnapshotError> {
    let body = postcard::to_stdvec(value).map_err(|e| SnapshotError::Encode(e.to_string()))?;
    let mut bytes = Vec::with_capacity(body.len() + 44);
    bytes.extend_from_slice(magic);
    bytes.extend_from_slice(&SNAPSHOT_VERSION.to_le_bytes());
    bytes.extend_from_slice(&body);
    let digest = Sha256::digest(&bytes);
    bytes.extend_from_slice(&digest);
    Ok(bytes)
}

/// Write a snapshot atomically ([`crate::fsutil::write_atomic`]), creating its directory.
pub fn write_atomic(path: &Path, dataset: &Dataset) -> Result<u64, SnapshotError> {
    write_bytes_atomic(path, &encode(dataset)?)
}

/// Write encoded bytes atomically, creating the directory.
pub fn write_bytes_atomic(path: &Path, bytes: &[u8]) -> Result<u64, SnapshotError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    crate::fsutil::write_atomic(path, bytes).map_err(|e| io(path, e.source))?;
    Ok(bytes.len() as u64)
}

/// Load and verify a snapshot.
pub fn load(path: &Path) -> Result<Dataset, SnapshotError> {
    if !path.exists() {
        return Err(SnapshotError::Missing {
            path: path.to_path_buf(),
        });
    }
    let bytes = std::fs::read(path).map_err(|e| io(path, e))?;
    decode(path, &bytes)
}

pub fn decode(path: &Path, bytes: &[u8]) -> Result<Dataset, SnapshotError> {
    let mut dataset: Dataset = decode_checked(path, MAGIC, bytes)?;
    dataset.rebuild_indexes();
    Ok(dataset)
}

/// Verify and decode bytes written by [`encode_checked`] with the same `magic`.
pub fn decode_checked<T: serde::de::DeserializeOwned>(
    path: &Path,
    magic: &[u8; 8],
    bytes: &[u8],
) -> Result<T, SnapshotError> {
    let corrupt = |why: &str| SnapshotError::Corrupt {
        path: path.to_path_buf(),
        why: why.to_string(),
    };
    if bytes.len() < 8 + 4 + 32 || &bytes[..8] != magic {
        return Err(corrupt("wrong magic bytes"));
    }
    let (content, digest) = bytes.split_at(bytes.len() - 32);
    if Sha256::digest(content)[..] != *digest {
        return Err(corrupt("checksum mismatch"));
    }
    let mut version = [0u8; 4];
    version.copy_from_slice(&content[8..12]);
    let found = u32::from_le_bytes(version);
    if found != SNAPSHOT_VERSION {
        return Err(SnapshotError::Version {
            path: path.to_path_buf(),
            found,
            expected: SNAPSHOT_VERSION,
        });
    }
    postcard::from_bytes(&content[12..]).map_err(|e| corrupt(&e.to_string()))
}

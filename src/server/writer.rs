//! [`Writer`]: where a server keeps its uploads and how a change is committed — one change at
//! a time: apply the change to the overlay, lay it over the built dataset, build the new
//! public face, persist the overlay atomically, append an audit line, swap the face into the
//! [`DatasetStore`]. The HTTP side (tokens, bodies, validation) is [`super::uploads`].

use super::store::DatasetStore;
use crate::dataset::Dataset;
use crate::public::PublicDataset;
use crate::uploads::{UploadError, Uploads};
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Where and how uploads are kept; one change at a time.
pub struct Writer {
    /// The dataset as built, without uploads (deleting an upload restores a built indicator).
    base: Arc<Dataset>,
    /// The overlay file ([`Uploads`]), replaced atomically.
    overlay_path: PathBuf,
    /// One JSON line per change, appended.
    audit_path: PathBuf,
    /// Largest accepted body, in bytes.
    max_body: usize,
    /// The overlay now; locked for the whole of a change.
    uploads: Mutex<Uploads>,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer")
            .field("overlay_path", &self.overlay_path)
            .field("audit_path", &self.audit_path)
            .field("max_body", &self.max_body)
            .finish()
    }
}

impl Writer {
    /// A writer over the built dataset `base` with the overlay read from `overlay_path` (none
    /// yet is empty) and checked against it.
    pub fn open(
        base: Arc<Dataset>,
        overlay_path: PathBuf,
        audit_path: PathBuf,
        max_body: usize,
    ) -> Result<Writer, UploadError> {
        let uploads = Uploads::load(&overlay_path)?;
        uploads.check_against(&base, &overlay_path)?;
        Ok(Writer {
            base,
            overlay_path,
            audit_path,
            max_body,
            uploads: Mutex::new(uploads),
        })
    }

    /// The dataset to serve at start: the built one with the overlay laid over it.
    pub fn dataset(&self) -> Dataset {
        match self.uploads.lock() {
            Ok(u) => u.apply(&self.base),
            Err(poisoned) => poisoned.into_inner().apply(&self.base),
        }
    }

    /// Largest accepted body, in bytes.
    pub fn max_body(&self) -> usize {
        self.max_body
    }

    /// Apply `change` to the overlay, persist it, log it and publish the new public face in
    /// `store` (with a gap-table cache of `gap_cache_bytes`).
    pub fn commit(
        &self,
        store: &DatasetStore,
        gap_cache_bytes: u64,
        audit: AuditLine,
        change: impl FnOnce(&Uploads) -> Result<Uploads, UploadError>,
    ) -> Result<(), UploadError> {
        let mut current = match self.uploads.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let next = change(&current)?;
        let dataset = Arc::new(next.apply(&self.base));
        let public = Arc::new(PublicDataset::with_cache_bytes(dataset, gap_cache_bytes));
        next.save(&self.overlay_path)?;
        if let Err(e) = audit.append(&self.audit_path) {
            // The change is persisted; losing its audit line must be seen by an operator.
            tracing::error!(
                "cannot append to the audit log {}: {e}",
                self.audit_path.display()
            );
        }
        store.replace(public);
        *current = next;
        Ok(())
    }
}

/// One change in the audit log (a JSON line).
#[derive(Debug, Serialize)]
pub struct AuditLine {
    pub at: String,
    /// The token's name.
    pub by: String,
    /// `upload-indicators`, `delete-indicator`, `upload-sites`, `upload-reach-records`.
    pub action: &'static str,
    /// Indicator ids, the number of sites, or a reach upload's counts.
    pub what: String,
    pub file: String,
    pub bytes: usize,
    pub sha256: String,
}

impl AuditLine {
    fn append(&self, path: &std::path::Path) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(self).map_err(std::io::Error::other)?;
        line.push(b'\n');
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        file.write_all(&line)?;
        file.sync_data()
    }
}

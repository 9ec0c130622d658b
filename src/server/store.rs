//! [`DatasetStore`]: the one place a running server holds its data, and the one way to
//! replace it.
//!
//! Every request starts by taking [`DatasetStore::current`] — an `Arc` of the public face that
//! request keeps until it finishes — and a change (an upload, a delete, a replica following a
//! shared store) builds a whole new [`PublicDataset`] and publishes it with
//! [`DatasetStore::replace`]. The swap is one atomic pointer store (`arc-swap`): a request sees
//! the old data or the new data, never a mix, and never waits for a writer. The old face and
//! its caches are freed when the last request holding it ends.
//!
//! Geometry never changes through the store (uploads change indicator values and sites), so
//! the tile sources and the tile cache outlive a swap and tile ETags stay valid.

use crate::dataset::Dataset;
use crate::public::PublicDataset;
use arc_swap::ArcSwap;
use std::sync::Arc;

/// The current public face of the data, swappable while the server runs.
pub struct DatasetStore {
    current: ArcSwap<PublicDataset>,
}

impl std::fmt::Debug for DatasetStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatasetStore")
            .field("current", &self.current.load())
            .finish()
    }
}

impl DatasetStore {
    pub fn new(public: Arc<PublicDataset>) -> Self {
        DatasetStore {
            current: ArcSwap::new(public),
        }
    }

    /// The public face now; hold it for the whole request so every answer comes from one
    /// version of the data.
    pub fn current(&self) -> Arc<PublicDataset> {
        self.current.load_full()
    }

    /// The dataset behind the current face (geometry and metadata).
    pub fn dataset(&self) -> Arc<Dataset> {
        self.current.load().dataset().clone()
    }

    /// Publish `next` for every request that starts from now on; returns the face it replaced.
    pub fn replace(&self, next: Arc<PublicDataset>) -> Arc<PublicDataset> {
        self.current.swap(next)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_reader_keeps_its_version_across_a_replace() {
        let dataset = Arc::new(crate::test_support::durham().clone());
        let first = Arc::new(PublicDataset::new(dataset.clone()));
        let store = DatasetStore::new(first.clone());
        let held = store.current();
        let mut changed = (*dataset).clone();
        changed.indicators.clear();
        let old = store.replace(Arc::new(PublicDataset::new(Arc::new(changed))));
        assert!(Arc::ptr_eq(&old, &first));
        assert!(
            !held.dataset().indicators.is_empty(),
            "the held face is unchanged"
        );
        assert!(store.current().dataset().indicators.is_empty());
    }
}

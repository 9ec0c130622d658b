//! [`PublicDataset`]: the dataset as it may be published, built once from an `Arc<Dataset>`.
//!
//! It owns everything derived for publication — each indicator's disclosure audit, per period
//! (computed on first use) and a cache of computed gap tables bounded in bytes — and holds no global state,
//! so building a new one and swapping the `Arc<PublicDataset>` a server shares (as uploads
//! will, with arc-swap) replaces the data and every cache at once.

use super::values::PublicIndicator;
use crate::dataset::{Dataset, Indicator};
use crate::gaps::{GapRequest, GapTable};
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

/// Default bound of the gap-table cache: 16 MiB of tables (their size in memory; a Durham
/// decile table is about 10 KiB).
pub const DEFAULT_GAP_CACHE_BYTES: u64 = 16 * 1024 * 1024;

/// The public face of one [`Dataset`]. Cheap to share (`Arc`), cheap to rebuild.
pub struct PublicDataset {
    dataset: Arc<Dataset>,
    /// Keyed by (indicator id, period label): every period of every indicator.
    indicators: BTreeMap<(String, String), OnceLock<Arc<PublicIndicator>>>,
    pub(super) gap_cache: moka::sync::Cache<GapRequest, Arc<GapTable>>,
}

impl std::fmt::Debug for PublicDataset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PublicDataset")
            .field("dataset", &self.dataset.meta.name)
            .field("indicators", &self.indicators.len())
            .field("gap_cache_entries", &self.gap_cache.entry_count())
            .finish()
    }
}

impl PublicDataset {
    /// The public face with the default gap-table cache bound.
    pub fn new(dataset: Arc<Dataset>) -> Self {
        Self::with_cache_bytes(dataset, DEFAULT_GAP_CACHE_BYTES)
    }

    /// The public face with a gap-table cache of at most `gap_cache_bytes` (the tables' size in
    /// memory; 0 keeps nothing).
    pub fn with_cache_bytes(dataset: Arc<Dataset>, gap_cache_bytes: u64) -> Self {
        let indicators = dataset
            .indicators
            .iter()
            .flat_map(|i| {
                i.periods()
                    .into_iter()
                    .map(|p| ((i.meta.id.clone(), p.to_string()), OnceLock::new()))
            })
            .collect();
        let gap_cache = moka::sync::Cache::builder()
            .max_capacity(gap_cache_bytes)
            .weigher(|_: &GapRequest, table: &Arc<GapTable>| table_weight(table))
            .build();
        PublicDataset {
            dataset,
            indicators,
            gap_cache,
        }
    }

    /// The underlying dataset, *unsuppressed*: for geometry (tiles), codes and metadata only.
    /// Anything shown to a person about an indicator comes from this type's methods.
    pub fn dataset(&self) -> &Arc<Dataset> {
        &self.dataset
    }

    /// The audit and public values of one indicator in one period (`indicator` as
    /// [`Indicator::in_period`] gives it), computed on first use.
    pub(crate) fn public_indicator(&self, indicator: &Indicator) -> Arc<PublicIndicator> {
        let key = (indicator.meta.id.clone(), indicator.meta.period.clone());
        match self.indicators.get(&key) {
            Some(cell) => cell
                .get_or_init(|| Arc::new(PublicIndicator::new(&self.dataset, indicator)))
                .clone(),
            // An indicator of another dataset: audit it now (not cached).
            None => Arc::new(PublicIndicator::new(&self.dataset, indicator)),
        }
    }

    /// Bytes held by the caches this face owns (gap tables, and the per-indicator public
    /// values computed so far), for `/metrics`.
    pub fn cache_bytes(&self) -> u64 {
        self.gap_cache.run_pending_tasks();
        let values: usize = self
            .indicators
            .values()
            .filter_map(|c| c.get())
            .map(|p| p.heap_bytes())
            .sum();
        self.gap_cache.weighted_size() + values as u64
    }
}

/// A table's weight in the cache: its size in memory, counting the strings it owns (text is
/// most of a table) and the fixed size of its rows; plus the request it is keyed by.
fn table_weight(table: &GapTable) -> u32 {
    use std::mem::size_of;
    let text = |s: &String| s.capacity();
    let rows: usize = table
        .groups
        .iter()
        .map(|g| size_of::<crate::gaps::GapGroup>() + text(&g.key) + text(&g.label))
        .sum();
    let notes: usize = table
        .method_notes
        .iter()
        .chain(&table.summary.notes)
        .map(|n| n.capacity() + size_of::<String>())
        .sum();
    let meta = &table.indicator;
    let fixed = size_of::<GapTable>()
        + size_of::<GapRequest>()
        + text(&meta.name)
        + text(&meta.short_name)
        + text(&table.suppression_note)
        + 2 * size_of::<crate::dataset::Comparator>()
        + 256;
    u32::try_from(fixed + rows + notes).unwrap_or(u32::MAX)
}

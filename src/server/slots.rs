//! [`SolveSlots`]: a fixed number of slots for heavy work (placement solves), taken without
//! waiting, so a request that finds none can be answered 503 at once instead of queueing.
//! Shared by every worker (one `Arc` in the state); a slot is freed when its guard drops.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Solve slots: at most `max` solves at once across the whole server.
#[derive(Debug)]
pub struct SolveSlots {
    max: usize,
    busy: AtomicUsize,
}

/// One taken slot; freed on drop.
pub struct SolveSlot(Arc<SolveSlots>);

impl Drop for SolveSlot {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::AcqRel);
    }
}

impl SolveSlots {
    pub fn new(max: usize) -> Arc<SolveSlots> {
        Arc::new(SolveSlots {
            max,
            busy: AtomicUsize::new(0),
        })
    }

    /// A slot, or `None` when all are taken.
    pub fn try_take(self: &Arc<Self>) -> Option<SolveSlot> {
        self.busy
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.max).then_some(n + 1)
            })
            .ok()
            .map(|_| SolveSlot(self.clone()))
    }

    /// Solves running now.
    pub fn busy(&self) -> usize {
        self.busy.load(Ordering::Acquire)
    }
}

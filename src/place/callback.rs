//! Progress from inside HiGHS: its C callback API (`Highs_setCallback`, the
//! `kHighsCallbackMipInterrupt` event) reports the incumbent, the dual bound and the gap while
//! branch and bound runs, and lets the caller stop the search.
//!
//! The `highs` crate has no safe wrapper for callbacks, so this file holds the only `unsafe`
//! code of the placement engine. It is sound because: the observer lives on the caller's stack
//! for the whole synchronous `Highs_run` (the callback is registered on a model that is
//! consumed by that one run); HiGHS calls back on the thread that called `Highs_run`; the
//! pointers HiGHS passes are checked for null; and a panic in the observer is caught, never
//! unwound through C++ (it stops the search instead).

use highs_sys::{
    kHighsCallbackMipInterrupt, HighsCallbackDataIn, HighsCallbackDataOut, Highs_setCallback,
    Highs_startCallback,
};
use std::os::raw::{c_char, c_int, c_void};
use std::time::{Duration, Instant};

/// Branch-and-bound state, in the MILP's own objective space.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MipProgress {
    /// Seconds since the MILP started.
    pub seconds: f64,
    /// Best feasible objective found (HiGHS `mip_primal_bound`).
    pub primal_bound: f64,
    /// Best proven bound (HiGHS `mip_dual_bound`).
    pub dual_bound: f64,
    /// Relative gap as HiGHS defines it (`|primal − dual| / |primal|`).
    pub gap: f64,
    pub nodes: i64,
}

/// Called about every `interval`; returns false to stop the search.
pub type Observer<'a> = dyn FnMut(&MipProgress) -> bool + 'a;

struct State<'a, 'b> {
    observer: &'b mut Observer<'a>,
    interval: Duration,
    last: Option<Instant>,
    stop: bool,
}

unsafe extern "C" fn on_event(
    callback_type: c_int,
    _message: *const c_char,
    data_out: *const HighsCallbackDataOut,
    data_in: *mut HighsCallbackDataIn,
    user_data: *mut c_void,
) {
    if callback_type != kHighsCallbackMipInterrupt || user_data.is_null() || data_out.is_null() {
        return;
    }
    // SAFETY: `user_data` is the `State` registered in `observe`, alive for the whole run;
    // `data_out` is valid for the duration of this call (checked for null above).
    let state = unsafe { &mut *(user_data as *mut State) };
    let out = unsafe { &*data_out };
    let due = state.last.is_none_or(|t| t.elapsed() >= state.interval);
    if due && !state.stop {
        state.last = Some(Instant::now());
        let progress = MipProgress {
            seconds: out.running_time,
            primal_bound: out.mip_primal_bound,
            dual_bound: out.mip_dual_bound,
            gap: out.mip_gap,
            nodes: out.mip_node_count,
        };
        let observer = &mut state.observer;
        let keep_going =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| observer(&progress)))
                .unwrap_or(false);
        state.stop = !keep_going;
    }
    if state.stop && !data_in.is_null() {
        // SAFETY: HiGHS passes a valid input struct for interrupt events (checked for null).
        unsafe { (*data_in).user_interrupt = 1 };
    }
}

/// Solve `model` with `observer` called about every `interval` during branch and bound.
pub fn solve_observed(
    mut model: highs::Model,
    interval: Duration,
    observer: &mut Observer<'_>,
) -> Result<highs::SolvedModel, highs::HighsStatus> {
    let mut state = State {
        observer,
        interval,
        last: None,
        stop: false,
    };
    let ptr = model.as_mut_ptr();
    // SAFETY: `ptr` is the live HiGHS instance owned by `model`; `state` outlives the run below,
    // the only code that can trigger the callback (synchronous, on this thread).
    let registered = unsafe {
        Highs_setCallback(ptr, Some(on_event), &mut state as *mut State as *mut c_void) == 0
            && Highs_startCallback(ptr, kHighsCallbackMipInterrupt) == 0
    };
    if !registered {
        tracing::warn!("HiGHS did not accept the progress callback; solving without progress");
    }
    let mut result = model.try_solve();
    if let Ok(solved) = &mut result {
        // SAFETY: unregister before `state` goes out of scope, so the solved model keeps no
        // dangling pointer (on error the HiGHS instance was already destroyed).
        unsafe {
            Highs_setCallback(solved.as_mut_ptr(), None, std::ptr::null_mut());
        }
    }
    result
}

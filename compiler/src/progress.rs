//! Compile progress, for the command line's progress line: how many functions are compiled
//! out of how many, and whether linking has started. The compiler only counts; showing it
//! (on a terminal, after about a second) is the CLI's business (`cli/progress.rs`).
//!
//! Must never change what is compiled or slow it measurably: relaxed atomic counters only.

use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};

/// What the compile is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Idle,
    Compiling { done: usize, total: usize },
    Linking,
}

static PHASE: AtomicU8 = AtomicU8::new(0);
static DONE: AtomicUsize = AtomicUsize::new(0);
static TOTAL: AtomicUsize = AtomicUsize::new(0);

/// The current phase (of the last compile started in this process).
pub fn current() -> Phase {
    match PHASE.load(Ordering::Relaxed) {
        1 => Phase::Compiling {
            done: DONE.load(Ordering::Relaxed),
            total: TOTAL.load(Ordering::Relaxed),
        },
        2 => Phase::Linking,
        _ => Phase::Idle,
    }
}

pub(crate) fn start_compiling(total: usize) {
    DONE.store(0, Ordering::Relaxed);
    TOTAL.store(total, Ordering::Relaxed);
    PHASE.store(1, Ordering::Relaxed);
}

pub(crate) fn function_done() {
    DONE.fetch_add(1, Ordering::Relaxed);
}

pub(crate) fn start_linking() {
    PHASE.store(2, Ordering::Relaxed);
}

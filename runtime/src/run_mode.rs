//! How `wasmaot run` ends the guest when WASI finds an error wasmtime reports as a host error
//! rather than a trap: a `proc_exit` status of 126 or more, and a WASI call from a module that
//! exports no memory named `memory`.
//!
//! Under `wasmaot run` (the run-time policy has `wasmtime-run`) both end as under `wasmtime
//! run`: `Error: failed to run main module `MODULE``, `Caused by:` and wasmtime's message on
//! stderr, exit status 1. A compiled executable (fixed policy) keeps its own behaviour: it exits
//! with the guest's status, as a native program may, and lets a module without a `memory`
//! export use its memory 0 (or none: every pointer is then EFAULT), as it always did. Library
//! mode (an embedder) sets nothing here either.
//!
//! Must never be consulted from a signal handler (it writes with `eprint!`), and must never be
//! set by anything but the executable's entry point.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

/// The module name `wasmaot run` was given, when running under it.
static WASMTIME_RUN: OnceLock<String> = OnceLock::new();
/// The module exports no memory named `memory`: under `wasmaot run`, every WASI call fails.
static NO_MEMORY_EXPORT: AtomicBool = AtomicBool::new(false);

/// wasmtime's message for a WASI call from a module without a `memory` export.
pub const MISSING_MEMORY: &str = "missing required memory export";
/// wasmtime's message for `proc_exit` with a status outside `0..126`.
pub const INVALID_EXIT: &str = "exit with invalid exit status outside of [0..126)";

/// Behave as `wasmtime run` for `module` (the executable's entry point, from the policy).
pub(crate) fn set_wasmtime_run(module: String) {
    let _ = WASMTIME_RUN.set(module);
}

/// The module has no `memory` export (the executable's entry point, from the descriptor).
pub(crate) fn set_no_memory_export() {
    NO_MEMORY_EXPORT.store(true, Ordering::Relaxed);
}

/// Called first by every WASI host function: under `wasmaot run`, ends the guest if the
/// module exports no memory.
pub(crate) fn check_memory_export() {
    if NO_MEMORY_EXPORT.load(Ordering::Relaxed)
        && let Some(module) = WASMTIME_RUN.get()
    {
        fail(module, MISSING_MEMORY);
    }
}

/// The process exit status for `proc_exit(code)`: the code itself, except under `wasmaot run`
/// where a status outside `0..126` ends the guest as wasmtime does.
pub(crate) fn exit_status(code: i32) -> i32 {
    match WASMTIME_RUN.get() {
        Some(module) if !(0..126).contains(&code) => fail(module, INVALID_EXIT),
        _ => code,
    }
}

/// Ends the process as `wasmtime run` does for a host error: its report, exit status 1.
fn fail(module: &str, message: &str) -> ! {
    eprint!(
        "Error: failed to run main module `{module}`\n\nCaused by:\n    \
         0: failed to invoke command default\n    1: {message}\n"
    );
    // SAFETY: _exit has no preconditions; stderr is unbuffered.
    unsafe { libc::_exit(1) }
}

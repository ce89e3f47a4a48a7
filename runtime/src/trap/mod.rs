//! Traps: the [`Trap`] value, and the single path every trap takes once it is detected, whether
//! by the signal handler (`signals`) or by a builtin that found an out-of-bounds operand.
//!
//! Library mode (a catch point is active on the thread, see [`catch_traps`]): [`raise`] records
//! the trap and its backtrace and jumps back to the catch point, which returns `Err(trap)`;
//! `Instance::call`/`call_export`/`Instance::new` then return the trap as an error.
//!
//! Executable mode (no catch point): print `wasm trap: <message>` and a wasm backtrace to
//! stderr with async-signal-safe writes, then `_exit(134)` like `wasmtime run`.
//!
//! Must never allocate, lock or unwind with Rust panics on the raise path: it runs inside signal
//! handlers.

pub mod backtrace;
mod catch;
pub mod signals;
#[cfg(test)]
mod tests;

use core::fmt;

pub use catch::{catch_traps, catching};

use wasmaot_abi::trap::{TRAP_EXIT_STATUS, TrapCode};

/// One frame of a wasm backtrace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// Function index (imported functions counted).
    pub func_index: u32,
    /// Name from the name section, if any.
    pub name: Option<String>,
}

/// A wasm trap, as returned to an embedder (library mode) or reported before exiting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trap {
    pub code: TrapCode,
    /// Innermost frame first; may be empty (e.g. traps during instantiation).
    pub backtrace: Vec<Frame>,
}

impl Trap {
    pub fn new(code: TrapCode) -> Trap {
        Trap {
            code,
            backtrace: Vec::new(),
        }
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "wasm trap: {}", self.code.message())
    }
}

impl std::error::Error for Trap {}

/// Raises a trap detected at `pc` (a PC inside wasm code) with frame pointer `fp` (the frame
/// of the function containing `pc`). Never returns.
///
/// # Safety
/// `fp` must be the frame pointer of the wasm frame containing `pc`, or 0.
pub(crate) unsafe fn raise(code: TrapCode, pc: usize, fp: usize) -> ! {
    // SAFETY: forwarded contract; returns only when no catch point is active.
    unsafe {
        catch::unwind_to_catch_point(code, Some((pc, fp)));
        report_and_exit(code, Some((pc, fp)))
    }
}

/// Reports a trap that has no wasm frames to show (e.g. during instantiation) and exits.
pub fn exit_with_trap(trap: &Trap) -> ! {
    // SAFETY: no frame to walk.
    unsafe { report_and_exit(trap.code, None) }
}

/// Executable mode: prints the trap and the backtrace, then `_exit(134)`.
///
/// # Safety
/// As for [`raise`].
unsafe fn report_and_exit(code: TrapCode, at: Option<(usize, usize)>) -> ! {
    let mut w = backtrace::RawWriter::new();
    w.str("wasm trap: ");
    w.str(code.message());
    w.str("\n");
    if let Some((pc, fp)) = at {
        // SAFETY: forwarded contract.
        unsafe { backtrace::write_backtrace(&mut w, pc, fp) };
    }
    w.flush();
    // SAFETY: _exit is async-signal-safe; nothing of ours needs flushing.
    unsafe { libc::_exit(TRAP_EXIT_STATUS) }
}

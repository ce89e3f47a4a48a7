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
pub(crate) mod timeout;

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

/// How a call into wasm ended early, as returned to an embedder (library mode) or reported
/// before exiting: a wasm trap, or — when `exit_status` is set — the guest's `proc_exit`,
/// which in library mode ends the guest's call instead of the process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trap {
    pub code: TrapCode,
    /// The host's message for [`TrapCode::HostTrap`] (`wasmaot_caller_trap`).
    pub message: Option<String>,
    /// `Some(status)` when the guest called `proc_exit(status)`: not a trap.
    pub exit_status: Option<i32>,
    /// Innermost frame first; may be empty (e.g. traps during instantiation).
    pub backtrace: Vec<Frame>,
    /// For [`TrapCode::UncaughtException`]: the exception object (`wasmaot_abi::exception`),
    /// which an embedder may throw again into wasm (`wasmaot_caller_throw`).
    pub exception: Option<u64>,
}

impl Trap {
    pub fn new(code: TrapCode) -> Trap {
        Trap {
            code,
            message: None,
            exit_status: None,
            backtrace: Vec::new(),
            exception: None,
        }
    }

    /// The trap's message: the host's for a host trap, wasmtime's wording otherwise.
    pub fn message(&self) -> &str {
        match &self.message {
            Some(m) => m,
            None => self.code.message(),
        }
    }

    /// The message and the backtrace, as an executable prints them: `wasm trap: <message>`,
    /// then `wasm backtrace:` and one `    N: <function>` line per frame.
    pub fn report(&self) -> String {
        let mut s = self.to_string();
        if !self.backtrace.is_empty() {
            s.push_str("\nwasm backtrace:");
            for (i, f) in self.backtrace.iter().enumerate() {
                match &f.name {
                    Some(n) => s.push_str(&format!("\n    {i}: {n}")),
                    None => s.push_str(&format!("\n    {i}: <wasm function {}>", f.func_index)),
                }
            }
        }
        s
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.exit_status {
            Some(status) => write!(f, "the guest exited with status {status}"),
            None if self.code == TrapCode::UncaughtException => {
                write!(f, "wasm exception: {}", self.message())
            }
            None => write!(f, "wasm trap: {}", self.message()),
        }
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

std::thread_local! {
    /// The message of the host trap being raised on this thread (set before raising, taken
    /// by the catch point or printed by the executable's report).
    static HOST_TRAP_MESSAGE: core::cell::RefCell<Option<String>> =
        const { core::cell::RefCell::new(None) };
}

/// Raises a host trap with `message` for a host function called through a host-import
/// trampoline whose frame record is `frame` (`[frame]` = the wasm caller's fp, `[frame + 1]` =
/// the return address into it), or with no backtrace when `frame` is null. Never returns.
/// Not for signal handlers: it allocates.
///
/// # Safety
/// `frame` must be null or the frame record of a trampoline that is still on this thread's
/// stack; every frame between the catch point and here must own nothing that needs dropping
/// (the host function's C frames are skipped like a `longjmp` skips them).
pub(crate) unsafe fn raise_host_trap(message: String, frame: *const usize) -> ! {
    HOST_TRAP_MESSAGE.with(|m| *m.borrow_mut() = Some(message));
    // SAFETY: caller's contract.
    unsafe {
        let at = (!frame.is_null()).then(|| (frame.add(1).read().wrapping_sub(1), frame.read()));
        catch::unwind_to_catch_point(TrapCode::HostTrap, at);
        report_and_exit(TrapCode::HostTrap, at)
    }
}

/// The message of the host trap just raised on this thread, if any (taken: a second call
/// returns `None`).
pub(crate) fn take_host_trap_message() -> Option<String> {
    HOST_TRAP_MESSAGE.with(|m| m.borrow_mut().take())
}

/// Ends the guest with `proc_exit(status)`: under a catch point (an embedder's call) the call
/// returns with [`Trap::exit_status`] set and the host process goes on; otherwise (an
/// executable) the process exits with `status`.
///
/// # Safety
/// Every frame between the catch point and here must own nothing that needs dropping.
pub(crate) unsafe fn exit_guest(status: i32) -> ! {
    // SAFETY: caller's contract.
    unsafe { catch::unwind_exit_to_catch_point(status) };
    std::process::exit(status)
}

/// Executable mode: an exception no handler caught reached the host. Ends the process as
/// `wasmtime run` does: `Error: ... thrown Wasm exception` on stderr, exit status 1.
pub fn exit_uncaught_exception() -> ! {
    let mut w = backtrace::RawWriter::new();
    w.str("Error: ");
    w.str(TrapCode::UncaughtException.message());
    w.str(" (no handler caught it)\n");
    w.flush();
    std::process::exit(1)
}

/// Executable mode: prints the trap and the backtrace, then `_exit(134)`.
///
/// # Safety
/// As for [`raise`].
unsafe fn report_and_exit(code: TrapCode, at: Option<(usize, usize)>) -> ! {
    let mut w = backtrace::RawWriter::new();
    w.str("wasm trap: ");
    match code {
        // Raised from a host function, never from a signal handler: the thread-local is safe.
        TrapCode::HostTrap => match take_host_trap_message() {
            Some(m) => w.str(&m),
            None => w.str(code.message()),
        },
        _ => w.str(code.message()),
    }
    w.str("\n");
    if let Some((pc, fp)) = at {
        // SAFETY: forwarded contract.
        unsafe { backtrace::write_backtrace(&mut w, pc, fp) };
    }
    w.flush();
    // SAFETY: _exit is async-signal-safe; nothing of ours needs flushing.
    unsafe { libc::_exit(TRAP_EXIT_STATUS) }
}

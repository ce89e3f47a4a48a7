//! The run's time limit (`--timeout`): a watchdog thread sleeps for the limit, then sends
//! `SIGALRM` to the wasm thread, whose handler ends the guest with `wasm trap: interrupt` and
//! status 134 (as wasmtime's epoch interruption reports it), with the wasm backtrace when the
//! signal lands in wasm code. Compiled code carries no checks: nothing costs anything when no
//! limit is set (no thread, no handler).
//!
//! Must never return from the handler (the guest is over) and never do anything in it but the
//! async-signal-safe report of [`super::report_and_exit`].

use wasmaot_abi::trap::TrapCode;

use crate::registry;

/// Arms the limit for the wasm thread `target`: after `ms` milliseconds it is interrupted.
/// Called once, by an executable's entry point, before the guest runs.
pub(crate) fn arm(target: libc::pthread_t, ms: u64) -> Result<(), String> {
    // SAFETY: installing a handler for SIGALRM; the guest cannot install handlers of its own.
    unsafe {
        let mut sa: libc::sigaction = core::mem::zeroed();
        sa.sa_sigaction = handler as *const () as usize;
        sa.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
        libc::sigemptyset(&mut sa.sa_mask);
        if libc::sigaction(libc::SIGALRM, &sa, core::ptr::null_mut()) != 0 {
            return Err(format!(
                "cannot install the --timeout handler: {}",
                std::io::Error::last_os_error()
            ));
        }
    }
    // `pthread_t` is an integer on Linux; it crosses to the watchdog as one.
    let target = target as usize;
    std::thread::Builder::new()
        .name("wasm-timeout".into())
        .stack_size(64 << 10)
        .spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(ms));
            // SAFETY: the wasm thread lives until the process exits (its end exits the
            // process), so its id is valid.
            unsafe { libc::pthread_kill(target as libc::pthread_t, libc::SIGALRM) };
        })
        .map(drop)
        .map_err(|e| format!("cannot start the --timeout thread: {e}"))
}

/// SIGALRM on the wasm thread: the time is up.
extern "C" fn handler(_sig: libc::c_int, _info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    // SAFETY: the kernel passes the interrupted context.
    let (pc, fp) = unsafe { super::signals::pc_fp(ctx) };
    // In wasm code, the frame pointer leads through the wasm frames; anywhere else (a WASI
    // call, a builtin) there is no wasm frame we could safely start from.
    let at = registry::lookup(pc).is_some().then_some((pc, fp));
    // SAFETY: `fp` is the frame pointer of the wasm frame containing `pc` when `at` is set.
    unsafe { super::report_and_exit(TrapCode::Interrupt, at) }
}

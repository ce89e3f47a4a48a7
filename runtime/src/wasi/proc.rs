//! proc_exit (ends the guest: the process, or in an embedder the current call, with the guest's
//! code) and proc_raise (sends the signal to our
//! own process, as the preview1 specification says: "similar to raise in POSIX"). A
//! `proc_exit` status of 126 or more under `wasmaot run` is wasmtime's error (`run_mode`).
//! Must never return from proc_exit.

use super::errno;

pub unsafe extern "C" fn wasmaot_wasi_proc_exit(_vmctx: *mut u8, code: i32) -> ! {
    crate::run_mode::check_memory_export();
    let code = crate::run_mode::exit_status(code);
    // SAFETY: this frame owns nothing; the frames below it up to the catch point are compiled
    // wasm code and trampolines.
    unsafe { crate::trap::exit_guest(code) }
}

/// The host signal for a WASI `signal` value (0 = none, 1 = HUP ... 30 = SYS, in the order of
/// the preview1 witx).
fn host_signal(sig: i32) -> Option<i32> {
    use libc::*;
    const TABLE: [i32; 30] = [
        SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGKILL, SIGUSR1,
        SIGSEGV, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM, SIGCHLD, SIGCONT, SIGSTOP, SIGTSTP, SIGTTIN,
        SIGTTOU, SIGURG, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGWINCH, SIGPOLL, SIGPWR, SIGSYS,
    ];
    TABLE
        .get(usize::try_from(sig).ok()?.checked_sub(1)?)
        .copied()
}

pub unsafe extern "C" fn wasmaot_wasi_proc_raise(_vmctx: *mut u8, sig: i32) -> i32 {
    crate::run_mode::check_memory_export();
    if sig == 0 {
        return 0;
    }
    let Some(host) = host_signal(sig) else {
        return i32::from(errno::INVAL);
    };
    // The guest cannot install handlers, so the signal gets its default action: our own
    // dispositions (trap handlers on SEGV/BUS/ILL/FPE, SIGPIPE ignored) are reset first, so that
    // e.g. SIGABRT or SIGSEGV end the process by that signal, as a native raise would.
    // SAFETY: resetting a disposition, unblocking and raising have no memory preconditions.
    unsafe {
        libc::signal(host, libc::SIG_DFL);
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, host);
        libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        if libc::raise(host) != 0 {
            return i32::from(errno::last());
        }
    }
    0
}

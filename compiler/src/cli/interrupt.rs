//! Interrupted compiles leave nothing behind: SIGINT, SIGTERM and SIGHUP are blocked in every
//! thread and taken by one watcher thread, which removes the compile's temporary files
//! ([`wasmaot::cleanup::remove_all`]) and then ends the process by the same signal, so the
//! shell sees the usual status (130 for Ctrl-C).
//!
//! Must be installed before any other thread starts (threads inherit the blocked mask), and
//! must never leave a signal blocked in another program: children started with `Command`
//! get an empty mask, but `exec` keeps ours, so [`unblock`] comes first.

const SIGNALS: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

/// Blocks the signals and starts the watcher. Call first thing in `main`.
pub fn install() {
    // SAFETY: plain signal-set manipulation on this thread's mask.
    let set = unsafe {
        let mut set: libc::sigset_t = core::mem::zeroed();
        libc::sigemptyset(&mut set);
        for s in SIGNALS {
            libc::sigaddset(&mut set, s);
        }
        if libc::pthread_sigmask(libc::SIG_BLOCK, &set, core::ptr::null_mut()) != 0 {
            return;
        }
        set
    };
    let spawned = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            let mut sig: libc::c_int = 0;
            // SAFETY: waits for one of the blocked signals.
            if unsafe { libc::sigwait(&set, &mut sig) } != 0 {
                return;
            }
            wasmaot::cleanup::remove_all();
            // SAFETY: default disposition, unblocked, then raised: the process ends by `sig`.
            unsafe {
                libc::signal(sig, libc::SIG_DFL);
                let mut one: libc::sigset_t = core::mem::zeroed();
                libc::sigemptyset(&mut one);
                libc::sigaddset(&mut one, sig);
                libc::pthread_sigmask(libc::SIG_UNBLOCK, &one, core::ptr::null_mut());
                libc::raise(sig);
                libc::_exit(128 + sig);
            }
        });
    if spawned.is_err() {
        // No watcher: let the signals act as before rather than be ignored.
        // SAFETY: as above.
        unsafe { libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, core::ptr::null_mut()) };
    }
}

/// Unblocks the signals on this thread: before `exec`ing another program (which would keep the
/// mask) once nothing is left to clean up.
pub fn unblock() {
    set_mask(libc::SIG_UNBLOCK);
}

/// Blocks the signals on this thread again, after an `exec` that failed and before more work
/// that may leave temporaries (the watcher then takes the signals again).
pub fn block() {
    set_mask(libc::SIG_BLOCK);
}

fn set_mask(how: libc::c_int) {
    // SAFETY: plain signal-set manipulation on this thread's mask.
    unsafe {
        let mut set: libc::sigset_t = core::mem::zeroed();
        libc::sigemptyset(&mut set);
        for s in SIGNALS {
            libc::sigaddset(&mut set, s);
        }
        libc::pthread_sigmask(how, &set, core::ptr::null_mut());
    }
}

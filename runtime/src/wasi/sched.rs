//! sched_yield: yields the host thread.
//! Must never fail (a module without a `memory` export ends here, as on every WASI call).

pub unsafe extern "C" fn wasmaot_wasi_sched_yield(_vmctx: *mut u8) -> i32 {
    crate::run_mode::check_memory_export();
    // SAFETY: no preconditions.
    unsafe { libc::sched_yield() };
    0
}

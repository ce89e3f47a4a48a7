//! sched_yield: yields the host thread.
//! Must never fail.

#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmaot_wasi_sched_yield(_vmctx: *mut u8) -> i32 {
    // SAFETY: no preconditions.
    unsafe { libc::sched_yield() };
    0
}

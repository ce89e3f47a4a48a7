//! clock_res_get/clock_time_get: realtime, monotonic, process and thread CPU time, in ns.
//! Must never return a time for an unknown clock id (EINVAL).

use super::errno::{self, Errno};
use super::mem::Mem;
use super::ret;

pub(crate) const REALTIME: u32 = 0;
pub(crate) const MONOTONIC: u32 = 1;
pub(crate) const PROCESS_CPUTIME: u32 = 2;
pub(crate) const THREAD_CPUTIME: u32 = 3;

pub(crate) fn host_clock(id: u32) -> Result<libc::clockid_t, Errno> {
    Ok(match id {
        REALTIME => libc::CLOCK_REALTIME,
        MONOTONIC => libc::CLOCK_MONOTONIC,
        PROCESS_CPUTIME => libc::CLOCK_PROCESS_CPUTIME_ID,
        THREAD_CPUTIME => libc::CLOCK_THREAD_CPUTIME_ID,
        _ => return Err(errno::INVAL),
    })
}

fn ts_ns(ts: &libc::timespec) -> u64 {
    (ts.tv_sec as u64)
        .wrapping_mul(1_000_000_000)
        .wrapping_add(ts.tv_nsec as u64)
}

/// Current time of WASI clock `id` in ns.
pub(crate) fn now(id: u32) -> Result<u64, Errno> {
    let c = host_clock(id)?;
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid out pointer.
    errno::check(unsafe { libc::clock_gettime(c, &mut ts) })?;
    Ok(ts_ns(&ts))
}

/// Current monotonic time in ns.
pub(crate) fn mono_now() -> u64 {
    now(MONOTONIC).unwrap_or(0)
}

pub unsafe extern "C" fn wasmaot_wasi_clock_res_get(vmctx: *mut u8, id: i32, res: i32) -> i32 {
    let mem = unsafe { Mem::from_vmctx(vmctx) };
    ret((|| {
        let c = host_clock(id as u32)?;
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid out pointer.
        errno::check(unsafe { libc::clock_getres(c, &mut ts) })?;
        mem.write_u64(res as u32, ts_ns(&ts).max(1))
    })())
}

pub unsafe extern "C" fn wasmaot_wasi_clock_time_get(
    vmctx: *mut u8,
    id: i32,
    _precision: i64,
    time: i32,
) -> i32 {
    let mem = unsafe { Mem::from_vmctx(vmctx) };
    ret(now(id as u32).and_then(|t| mem.write_u64(time as u32, t)))
}

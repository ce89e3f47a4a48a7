//! The native stack wasm code runs on: per thread, the stack limit written into every vmctx
//! (`STACK_LIMIT`; Cranelift's prologue check traps with `StackOverflow` when SP would go
//! below it), the thread's stack bounds (for backtrace validation and classifying guard-page
//! faults), and the alternate signal stack.
//!
//! Must never let the limit leave less than a host margin (or half a small stack) below it (host calls, builtins and the
//! trap path run there), so exhaustion is always `call stack exhausted`, never a segfault.

use core::cell::{Cell, RefCell};

use wasmaot_abi::{DEFAULT_WASM_STACK, HOST_STACK_MARGIN};

use crate::trap::signals::{self, AltStack};

/// Extra room below the stack's low end counted as "guard" when classifying faults.
const GUARD_SLACK: usize = 64 << 10;

#[derive(Clone, Copy)]
struct ThreadStack {
    /// Lowest and highest address of the thread's stack (0, 0 when unknown).
    low: usize,
    high: usize,
    /// The limit written into vmctxs on this thread (0 = not initialised).
    limit: usize,
}

thread_local! {
    static STACK: Cell<ThreadStack> = const { Cell::new(ThreadStack { low: 0, high: 0, limit: 0 }) };
    static ALTSTACK: RefCell<Option<AltStack>> = const { RefCell::new(None) };
}

/// The current stack pointer.
#[inline(always)]
pub fn current_sp() -> usize {
    let sp: usize;
    // SAFETY: reads SP into a register; no memory access.
    unsafe {
        #[cfg(target_arch = "x86_64")]
        core::arch::asm!("mov {}, rsp", out(reg) sp, options(nomem, nostack, preserves_flags));
        #[cfg(target_arch = "aarch64")]
        core::arch::asm!("mov {}, sp", out(reg) sp, options(nomem, nostack, preserves_flags));
    }
    sp
}

/// `(low, high)` of the current thread's stack from pthread, or `(0, 0)`.
fn query_bounds() -> (usize, usize) {
    // SAFETY: pthread_getattr_np on the current thread, attr destroyed after use.
    unsafe {
        let mut attr: libc::pthread_attr_t = core::mem::zeroed();
        if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
            return (0, 0);
        }
        let mut addr: *mut libc::c_void = core::ptr::null_mut();
        let mut size: libc::size_t = 0;
        let rc = libc::pthread_attr_getstack(&attr, &mut addr, &mut size);
        libc::pthread_attr_destroy(&mut attr);
        if rc != 0 {
            return (0, 0);
        }
        (addr as usize, addr as usize + size)
    }
}

/// Prepares the current thread to run wasm: installs the alternate signal stack, records the
/// stack bounds and computes the limit: `SP - DEFAULT_WASM_STACK`, raised if needed so at
/// least a host margin stays below it. Returns the limit. Idempotent.
pub fn init_current_thread() -> usize {
    let s = STACK.with(|s| s.get());
    if s.limit != 0 {
        return s.limit;
    }
    ALTSTACK.with(|a| {
        let mut a = a.borrow_mut();
        if a.is_none() {
            *a = signals::install_altstack();
        }
    });
    let sp = current_sp();
    let (low, high) = query_bounds();
    let mut limit = sp.saturating_sub(DEFAULT_WASM_STACK as usize);
    if low != 0 && sp > low {
        // A full host margin when the stack is large enough, half the stack otherwise.
        let margin = (HOST_STACK_MARGIN as usize).min((sp - low) / 2);
        limit = limit.max(low + margin);
    }
    STACK.with(|s| s.set(ThreadStack { low, high, limit }));
    limit
}

/// The limit for the current thread (initialising the thread if needed).
pub fn current_limit() -> usize {
    init_current_thread()
}

/// `(low, high)` of the current thread's stack, `(0, 0)` if not initialised. Signal-safe.
pub fn thread_stack_bounds() -> (usize, usize) {
    STACK.with(|s| {
        let s = s.get();
        (s.low, s.high)
    })
}

/// Whether a fault at `addr` is below this thread's wasm stack limit, i.e. the stack ran out.
/// Signal-safe.
pub fn is_stack_guard_fault(addr: usize) -> bool {
    let s = STACK.with(|s| s.get());
    if s.limit == 0 {
        return false;
    }
    let bottom = if s.low != 0 {
        s.low
    } else {
        s.limit.saturating_sub(HOST_STACK_MARGIN as usize)
    };
    addr < s.limit && addr >= bottom.saturating_sub(GUARD_SLACK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_leaves_a_host_margin() {
        std::thread::Builder::new()
            .stack_size((DEFAULT_WASM_STACK + HOST_STACK_MARGIN) as usize)
            .spawn(|| {
                let limit = init_current_thread();
                assert_eq!(init_current_thread(), limit);
                let sp = current_sp();
                let (low, high) = thread_stack_bounds();
                assert!(low < limit && limit < sp && sp < high);
                assert!(limit - low >= (HOST_STACK_MARGIN as usize) / 2);
                assert!(sp - limit > (DEFAULT_WASM_STACK as usize) * 3 / 4);
                assert!(is_stack_guard_fault(limit - 1));
                assert!(!is_stack_guard_fault(limit));
            })
            .unwrap()
            .join()
            .unwrap();
        // A small default thread still gets a usable limit.
        std::thread::spawn(|| {
            let limit = init_current_thread();
            let (low, _) = thread_stack_bounds();
            assert!(limit > low && limit < current_sp());
        })
        .join()
        .unwrap();
    }
}

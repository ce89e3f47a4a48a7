//! Signal handlers: SIGSEGV, SIGBUS, SIGILL and SIGFPE, run on a per-thread alternate stack,
//! turn faults inside wasm code into wasm traps.
//!
//! Classification (PC and FP come from the ucontext: x86_64 `REG_RIP`/`REG_RBP`, aarch64
//! `pc`/`regs[29]`):
//! 1. PC not inside any registered wasm function: not a wasm trap. The previous handler (if it
//!    was a real handler) is called, otherwise the default action is restored and the handler
//!    returns, so the faulting instruction re-executes and the real crash happens.
//! 2. PC at a recorded trap site: that site's trap code (heap accesses recorded as
//!    `MemoryOutOfBounds`, `ud2`/`udf` for explicit traps, x86 `idiv` for division traps).
//! 3. PC in wasm code but not a trap site, SIGSEGV/SIGBUS with the fault address in this
//!    thread's stack guard region: `StackOverflow`.
//! 4. Anything else is a bug in compiled code: handled as in 1 (a crash stays a crash).
//!
//! Must never allocate, lock, or touch anything but atomics, the registry and thread-local
//! `Cell`s: it runs inside a signal handler.

use core::cell::UnsafeCell;
use core::mem::MaybeUninit;
use core::ptr;
use std::sync::Once;

use wasmaot_abi::trap::TrapCode;

use crate::registry;

const SIGNALS: [libc::c_int; 4] = [libc::SIGSEGV, libc::SIGBUS, libc::SIGILL, libc::SIGFPE];

/// The handlers that were installed before ours, written once before ours are installed.
struct PrevActions(UnsafeCell<[MaybeUninit<libc::sigaction>; 4]>);
// SAFETY: written only inside `INSTALL.call_once`, before any of our handlers can run;
// read-only afterwards.
unsafe impl Sync for PrevActions {}
static PREV: PrevActions = PrevActions(UnsafeCell::new([MaybeUninit::uninit(); 4]));
static INSTALL: Once = Once::new();

/// Installs the process-wide handlers (idempotent). Each thread that runs wasm must also call
/// [`crate::stack::init_current_thread`], which installs its alternate signal stack.
pub fn install() {
    INSTALL.call_once(|| {
        for (i, &sig) in SIGNALS.iter().enumerate() {
            // SAFETY: plain sigaction calls; PREV is written before our handler is live.
            unsafe {
                let mut sa: libc::sigaction = core::mem::zeroed();
                sa.sa_sigaction = handler as *const () as usize;
                sa.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK | libc::SA_NODEFER;
                libc::sigemptyset(&mut sa.sa_mask);
                let prev = (*PREV.0.get())[i].as_mut_ptr();
                if libc::sigaction(sig, &sa, prev) != 0 {
                    panic!("sigaction failed: {}", std::io::Error::last_os_error());
                }
            }
        }
    });
}

/// `(pc, fp)` of the interrupted context.
///
/// # Safety
/// `ctx` must be the `ucontext_t` the kernel passed to the handler.
pub(super) unsafe fn pc_fp(ctx: *mut libc::c_void) -> (usize, usize) {
    let uc = ctx.cast::<libc::ucontext_t>();
    // SAFETY: the kernel passes a valid ucontext_t.
    unsafe {
        #[cfg(target_arch = "x86_64")]
        {
            let g = &(*uc).uc_mcontext.gregs;
            (
                g[libc::REG_RIP as usize] as usize,
                g[libc::REG_RBP as usize] as usize,
            )
        }
        #[cfg(target_arch = "aarch64")]
        {
            let m = &(*uc).uc_mcontext;
            (m.pc as usize, m.regs[29] as usize)
        }
    }
}

extern "C" fn handler(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    // SAFETY: arguments come from the kernel.
    let (pc, fp) = unsafe { pc_fp(ctx) };
    if let Some(code) = classify(sig, info, pc) {
        // SAFETY: pc is inside wasm code and fp is that frame's frame pointer.
        unsafe { crate::trap::raise(code, pc, fp) }
    }
    // Not a wasm trap: hand it on.
    // SAFETY: PREV was filled before this handler was installed.
    unsafe { forward(sig, info, ctx) }
}

/// The trap code for a fault at `pc`, or `None` when it is not a wasm trap.
fn classify(sig: libc::c_int, info: *mut libc::siginfo_t, pc: usize) -> Option<TrapCode> {
    let code_info = registry::lookup(pc)?;
    if let Some(code) = code_info.trap_code() {
        return Some(code);
    }
    if sig == libc::SIGSEGV || sig == libc::SIGBUS {
        // SAFETY: for SIGSEGV/SIGBUS the kernel fills si_addr.
        let addr = unsafe { (*info).si_addr() } as usize;
        if crate::stack::is_stack_guard_fault(addr) {
            return Some(TrapCode::StackOverflow);
        }
    }
    None
}

/// Calls the previous handler, or restores the default action and returns.
///
/// # Safety
/// Must only be called from [`handler`] with its arguments.
unsafe fn forward(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    let Some(i) = SIGNALS.iter().position(|&s| s == sig) else {
        return;
    };
    // SAFETY: PREV[i] was initialised by sigaction before our handler was installed.
    let prev = unsafe { (*PREV.0.get())[i].assume_init_ref() };
    let h = prev.sa_sigaction;
    if h == libc::SIG_DFL || h == libc::SIG_IGN {
        // SAFETY: restoring the default; returning re-executes the faulting instruction,
        // which now kills the process with the real signal.
        unsafe {
            let mut sa: libc::sigaction = core::mem::zeroed();
            sa.sa_sigaction = libc::SIG_DFL;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(sig, &sa, ptr::null_mut());
        }
        return;
    }
    // SAFETY: h is the handler that was installed before ours, with the flags it asked for.
    unsafe {
        if prev.sa_flags & libc::SA_SIGINFO != 0 {
            let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                core::mem::transmute(h);
            f(sig, info, ctx);
        } else {
            let f: extern "C" fn(libc::c_int) = core::mem::transmute(h);
            f(sig);
        }
    }
}

/// Installs an alternate signal stack on the current thread unless one of at least 16 KiB is
/// already there. Returns the mapping to free at thread exit, if we made one.
pub(crate) fn install_altstack() -> Option<AltStack> {
    const SIZE: usize = 256 << 10;
    // An embedder's thread may have one already (every Go thread has 32 KiB): the handler
    // needs a few KiB before it jumps away, so a stack of this size is kept as it is.
    const MIN_EXISTING: usize = 16 << 10;
    // SAFETY: querying and setting the current thread's sigaltstack.
    unsafe {
        let mut old: libc::stack_t = core::mem::zeroed();
        if libc::sigaltstack(ptr::null(), &mut old) == 0
            && old.ss_flags & libc::SS_DISABLE == 0
            && old.ss_size >= MIN_EXISTING
        {
            return None;
        }
        let page = libc::sysconf(libc::_SC_PAGESIZE) as usize;
        let total = SIZE + page;
        let map = libc::mmap(
            ptr::null_mut(),
            total,
            libc::PROT_NONE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        );
        if map == libc::MAP_FAILED {
            return None;
        }
        // The lowest page stays PROT_NONE as a guard.
        let sp = map.cast::<u8>().add(page);
        if libc::mprotect(sp.cast(), SIZE, libc::PROT_READ | libc::PROT_WRITE) != 0 {
            libc::munmap(map, total);
            return None;
        }
        let st = libc::stack_t {
            ss_sp: sp.cast(),
            ss_flags: 0,
            ss_size: SIZE,
        };
        if libc::sigaltstack(&st, ptr::null_mut()) != 0 {
            libc::munmap(map, total);
            return None;
        }
        Some(AltStack {
            map: map.cast(),
            total,
        })
    }
}

/// An alternate signal stack we installed; disabled and unmapped when dropped (thread exit).
pub(crate) struct AltStack {
    map: *mut u8,
    total: usize,
}

impl Drop for AltStack {
    fn drop(&mut self) {
        // SAFETY: disabling our own altstack on this thread, then unmapping it.
        unsafe {
            let st = libc::stack_t {
                ss_sp: ptr::null_mut(),
                ss_flags: libc::SS_DISABLE,
                ss_size: 0,
            };
            libc::sigaltstack(&st, ptr::null_mut());
            libc::munmap(self.map.cast(), self.total);
        }
    }
}

//! Library mode: catch points. [`catch_traps`] records the callee-saved registers, stack pointer
//! and return address of a host call (a hand-written `setjmp` in naked asm, `wasmaot_catch`) in
//! a per-thread catch point; [`super::raise`] — from the signal handler (on the alternate stack,
//! so stack exhaustion is catchable too) or from a builtin — records the trap and its backtrace
//! in that catch point and jumps back to it (`wasmaot_unwind`), making `wasmaot_catch` return 1.
//!
//! Skipping frames this way runs no destructors: the frames between a catch point and a trap
//! are compiled wasm code, array-call trampolines and builtin bodies, which own nothing when
//! they raise (builtins drop everything before raising). Signals are installed with
//! `SA_NODEFER`, so leaving a handler by a jump needs no signal-mask restore; the kernel sees
//! the thread leave the alternate stack as soon as SP is back on the thread's stack.
//!
//! Must never allocate, lock or panic on the raise path ([`CatchPoint::record`], [`unwind`]):
//! it runs inside signal handlers.

use core::cell::Cell;
use core::mem::MaybeUninit;
use core::ptr;

use wasmaot_abi::trap::TrapCode;

use super::{Frame, Trap};

/// Frames of backtrace kept per caught trap (innermost first).
const MAX_FRAMES: usize = 64;

/// Callee-saved state: x86_64 rbx, rbp, r12–r15, sp, return address (8 words); aarch64
/// x19–x30, sp, d8–d15 (21 words).
#[repr(C, align(16))]
struct JmpBuf([u64; 22]);

/// One active catch point; they nest (each records the one it replaced).
struct CatchPoint {
    buf: JmpBuf,
    code: TrapCode,
    /// Set when the guest called `proc_exit`: the call ends with this status, not a trap.
    exit: Option<i32>,
    /// The first `nframes` are written by the raise path; the rest is never read (left
    /// uninitialised: a catch point is set up for every call from a host, and zeroing 1.5 KiB
    /// each time was a third of an export call's cost).
    frames: [MaybeUninit<(u32, &'static [u8])>; MAX_FRAMES],
    nframes: usize,
    prev: *mut CatchPoint,
}

thread_local! {
    static CURRENT: Cell<*mut CatchPoint> = const { Cell::new(ptr::null_mut()) };
}

/// Whether a catch point is active on this thread (a trap then returns to it instead of
/// exiting the process).
pub fn catching() -> bool {
    CURRENT.with(|c| !c.get().is_null())
}

unsafe extern "C" {
    /// Saves the callee-saved state in `buf`, calls `f(ctx)`, returns 0; returns 1 (with the
    /// saved state restored) when [`wasmaot_unwind`] jumps to `buf`.
    fn wasmaot_catch(buf: *mut JmpBuf, f: unsafe extern "C" fn(*mut u8), ctx: *mut u8) -> u32;
}

#[cfg(target_arch = "x86_64")]
core::arch::global_asm!(
    ".text",
    ".p2align 4",
    ".globl wasmaot_catch",
    ".hidden wasmaot_catch",
    ".type wasmaot_catch, @function",
    "wasmaot_catch:",
    "mov [rdi], rbx",
    "mov [rdi + 8], rbp",
    "mov [rdi + 16], r12",
    "mov [rdi + 24], r13",
    "mov [rdi + 32], r14",
    "mov [rdi + 40], r15",
    "lea rax, [rsp + 8]",
    "mov [rdi + 48], rax",
    "mov rax, [rsp]",
    "mov [rdi + 56], rax",
    // Realign the stack (entry: rsp = 8 mod 16) with a frame record, call f(ctx).
    "push rbp",
    "mov rbp, rsp",
    "mov rdi, rdx",
    "call rsi",
    "pop rbp",
    "xor eax, eax",
    "ret",
    ".size wasmaot_catch, . - wasmaot_catch",
    "",
    ".p2align 4",
    ".globl wasmaot_unwind",
    ".hidden wasmaot_unwind",
    ".type wasmaot_unwind, @function",
    "wasmaot_unwind:",
    "mov rbx, [rdi]",
    "mov rbp, [rdi + 8]",
    "mov r12, [rdi + 16]",
    "mov r13, [rdi + 24]",
    "mov r14, [rdi + 32]",
    "mov r15, [rdi + 40]",
    "mov rsp, [rdi + 48]",
    "mov eax, 1",
    "jmp qword ptr [rdi + 56]",
    ".size wasmaot_unwind, . - wasmaot_unwind",
);

#[cfg(target_arch = "aarch64")]
core::arch::global_asm!(
    ".text",
    ".p2align 4",
    ".globl wasmaot_catch",
    ".hidden wasmaot_catch",
    ".type wasmaot_catch, %function",
    "wasmaot_catch:",
    "stp x19, x20, [x0, #0]",
    "stp x21, x22, [x0, #16]",
    "stp x23, x24, [x0, #32]",
    "stp x25, x26, [x0, #48]",
    "stp x27, x28, [x0, #64]",
    "stp x29, x30, [x0, #80]",
    "mov x9, sp",
    "str x9, [x0, #96]",
    "stp d8, d9, [x0, #104]",
    "stp d10, d11, [x0, #120]",
    "stp d12, d13, [x0, #136]",
    "stp d14, d15, [x0, #152]",
    "stp x29, x30, [sp, #-16]!",
    "mov x29, sp",
    "mov x0, x2",
    "blr x1",
    "ldp x29, x30, [sp], #16",
    "mov w0, #0",
    "ret",
    ".size wasmaot_catch, . - wasmaot_catch",
    "",
    ".p2align 4",
    ".globl wasmaot_unwind",
    ".hidden wasmaot_unwind",
    ".type wasmaot_unwind, %function",
    "wasmaot_unwind:",
    "ldp x19, x20, [x0, #0]",
    "ldp x21, x22, [x0, #16]",
    "ldp x23, x24, [x0, #32]",
    "ldp x25, x26, [x0, #48]",
    "ldp x27, x28, [x0, #64]",
    "ldp x29, x30, [x0, #80]",
    "ldr x9, [x0, #96]",
    "mov sp, x9",
    "ldp d8, d9, [x0, #104]",
    "ldp d10, d11, [x0, #120]",
    "ldp d12, d13, [x0, #136]",
    "ldp d14, d15, [x0, #152]",
    "mov w0, #1",
    "ret",
    ".size wasmaot_unwind, . - wasmaot_unwind",
);

unsafe extern "C" {
    fn wasmaot_unwind(buf: *const JmpBuf) -> !;
}

/// Runs `f`; a wasm trap raised while it runs (on this thread) ends it and comes back as
/// `Err(trap)`. Nests: an inner catch point takes traps raised while it is active. A Rust
/// panic inside `f` propagates normally.
pub fn catch_traps<R, F: FnOnce() -> R>(f: F) -> Result<R, Trap> {
    // Run wasm only on threads prepared for it (alternate stack, stack bounds).
    crate::stack::init_current_thread();
    struct Ctx<F, R> {
        f: Option<F>,
        result: Option<std::thread::Result<R>>,
    }
    unsafe extern "C" fn call<F: FnOnce() -> R, R>(ctx: *mut u8) {
        // SAFETY: `ctx` is the `Ctx` below, alive for the whole call.
        let ctx = unsafe { &mut *ctx.cast::<Ctx<F, R>>() };
        let f = ctx.f.take().expect("called once");
        // A panic must not unwind through the asm frame.
        ctx.result = Some(std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)));
    }
    let mut ctx = Ctx::<F, R> {
        f: Some(f),
        result: None,
    };
    let mut cp = CatchPoint {
        buf: JmpBuf([0; 22]),
        code: TrapCode::UnreachableCodeReached,
        exit: None,
        frames: [const { MaybeUninit::uninit() }; MAX_FRAMES],
        nframes: 0,
        prev: CURRENT.with(|c| c.get()),
    };
    let cp_ptr: *mut CatchPoint = &mut cp;
    CURRENT.with(|c| c.set(cp_ptr));
    // SAFETY: `buf` lives in this frame, which stays live until `wasmaot_catch` returns (a
    // jump to it only happens while `f` runs, below this frame); `call` matches `ctx`'s type.
    let trapped = unsafe {
        wasmaot_catch(
            ptr::addr_of_mut!((*cp_ptr).buf),
            call::<F, R>,
            ptr::addr_of_mut!(ctx).cast(),
        )
    };
    // SAFETY: still our catch point; reading through the raw pointer the raise path wrote
    // through.
    let cp = unsafe { &*cp_ptr };
    CURRENT.with(|c| c.set(cp.prev));
    if trapped != 0 {
        let backtrace = cp.frames[..cp.nframes]
            .iter()
            // SAFETY: the raise path wrote frames 0..nframes.
            .map(|f| unsafe { f.assume_init() })
            .map(|(func_index, name)| Frame {
                func_index,
                name: (!name.is_empty()).then(|| String::from_utf8_lossy(name).into_owned()),
            })
            .collect();
        let message = match cp.code {
            TrapCode::HostTrap => super::take_host_trap_message(),
            _ => None,
        };
        return Err(Trap {
            code: cp.code,
            message,
            exit_status: cp.exit,
            backtrace,
            exception: None,
        });
    }
    match ctx.result.expect("the closure ran") {
        Ok(r) => Ok(r),
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// If a catch point is active on this thread, records the trap in it and jumps to it; returns
/// otherwise. Async-signal-safe.
///
/// # Safety
/// `at`, if given, is `(pc, fp)` as for [`super::raise`]. Every frame between the catch point and
/// here must be skippable (own nothing).
pub(crate) unsafe fn unwind_to_catch_point(code: TrapCode, at: Option<(usize, usize)>) {
    let cp = CURRENT.with(|c| c.get());
    if cp.is_null() {
        return;
    }
    // SAFETY: an active catch point lives in a frame of `catch_traps` below us on this stack.
    let cp = unsafe { &mut *cp };
    cp.code = code;
    cp.exit = None;
    cp.nframes = 0;
    if let Some((pc, fp)) = at {
        // SAFETY: forwarded contract.
        unsafe {
            super::backtrace::walk_while(pc, fp, |info| {
                cp.frames[cp.nframes] = MaybeUninit::new((info.func_index, info.name()));
                cp.nframes += 1;
                cp.nframes < MAX_FRAMES
            })
        };
    }
    // SAFETY: the buffer was filled by `wasmaot_catch`, whose frame is still live.
    unsafe { wasmaot_unwind(&cp.buf) }
}

/// If a catch point is active on this thread, makes it return an exit with `status` (the
/// guest's `proc_exit`); returns otherwise.
///
/// # Safety
/// Every frame between the catch point and here must be skippable (own nothing).
pub(crate) unsafe fn unwind_exit_to_catch_point(status: i32) {
    let cp = CURRENT.with(|c| c.get());
    if cp.is_null() {
        return;
    }
    // SAFETY: an active catch point lives in a frame of `catch_traps` below us on this stack.
    let cp = unsafe { &mut *cp };
    cp.code = TrapCode::UnreachableCodeReached;
    cp.exit = Some(status);
    cp.nframes = 0;
    // SAFETY: the buffer was filled by `wasmaot_catch`, whose frame is still live.
    unsafe { wasmaot_unwind(&cp.buf) }
}

//! Exception objects (exception handling): the builtins compiled code calls to allocate and
//! release them, and the check of a vmctx's pending exception after a call from the host.
//! Layout and protocol: `wasmaot_abi::exception`.
//!
//! Must never free an exception whose reference reached wasm (`FLAG_EXPOSED`): it may live in
//! any local, global or table. Such objects are never freed (there is no GC); each costs
//! 16 bytes plus 16 per payload value.

use std::alloc::{self, Layout};

use wasmaot_abi::exception::{FLAG_EXPOSED, FLAGS, SLOT_SIZE, SLOTS, TAG, VALUES};
use wasmaot_abi::vmctx::VmOffsets;

fn layout(slots: u32) -> Layout {
    let size = VALUES as usize + SLOT_SIZE as usize * slots as usize;
    Layout::from_size_align(size, 16).expect("exception layout")
}

/// `exn_alloc(tag, slots)`: a zeroed exception of tag `tag` with `slots` payload slots.
#[unsafe(no_mangle)]
pub extern "C" fn wasmaot_rt_exn_alloc(_vmctx: *mut u8, tag: u64, slots: u32) -> u64 {
    let layout = layout(slots);
    // SAFETY: non-zero size.
    let p = unsafe { alloc::alloc_zeroed(layout) };
    if p.is_null() {
        alloc::handle_alloc_error(layout);
    }
    // SAFETY: the header fields are within the new block and aligned.
    unsafe {
        p.add(TAG as usize).cast::<u64>().write(tag);
        p.add(SLOTS as usize).cast::<u32>().write(slots);
    }
    p as u64
}

/// `exn_release(exn)`: frees `exn` unless wasm ever held a reference to it.
///
/// # Safety
/// `exn` must be a live exception from [`wasmaot_rt_exn_alloc`] that no handler released yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmaot_rt_exn_release(_vmctx: *mut u8, exn: u64) {
    let p = exn as *mut u8;
    // SAFETY: caller's contract: a live exception's header.
    unsafe {
        if p.add(FLAGS as usize).cast::<u32>().read() & FLAG_EXPOSED != 0 {
            return;
        }
        let slots = p.add(SLOTS as usize).cast::<u32>().read();
        alloc::dealloc(p, layout(slots));
    }
}

/// Marks `exn` as referenced from outside a handler (it will never be freed).
///
/// # Safety
/// `exn` must be a live exception from [`wasmaot_rt_exn_alloc`].
pub(crate) unsafe fn expose(exn: u64) {
    let flags = (exn as *mut u8).wrapping_add(FLAGS as usize).cast::<u32>();
    // SAFETY: caller's contract: a live exception's header.
    unsafe { flags.write(flags.read() | FLAG_EXPOSED) };
}

/// Makes `exn` the pending exception of `vmctx`: when the host function `vmctx` was given
/// returns, its wasm caller finds the exception thrown (`wasmaot_abi::exception`).
///
/// # Safety
/// `vmctx` must point at a VMContext fixed prefix; `exn` must be a live exception.
pub(crate) unsafe fn set_pending(vmctx: *mut u8, exn: u64) {
    // SAFETY: caller's contract.
    unsafe {
        vmctx
            .add(VmOffsets::PENDING_EXCEPTION as usize)
            .cast::<u64>()
            .write(exn)
    };
}

/// Takes the exception pending in `vmctx` after a call from the host returned, if any: the
/// exception no handler caught. The object stays allocated (an embedder may still report it).
///
/// # Safety
/// `vmctx` must be null or point at a VMContext fixed prefix.
pub(crate) unsafe fn take_pending(vmctx: *mut u8) -> Option<u64> {
    if vmctx.is_null() {
        return None;
    }
    // SAFETY: caller's contract.
    unsafe {
        let field = vmctx
            .add(VmOffsets::PENDING_EXCEPTION as usize)
            .cast::<u64>();
        let exn = field.read();
        if exn == 0 {
            return None;
        }
        field.write(0);
        Some(exn)
    }
}

//! `wasmaot_caller`: what a host function (a linked C function implementing a wasm import)
//! can do with the instance that called it — see its linear memory, trap, find the
//! embedder's data. The `wasmaot_caller *` a host function receives is the calling instance's
//! VMContext.
//!
//! Must never be used outside the host call that received the caller.

use core::ffi::{c_char, c_void};

use wasmaot_abi::vmctx::{VmOffsets, memory_def};

use super::c_bytes;
use crate::instance::InstanceData;

/// Memory 0 of the calling instance.
///
/// # Safety
/// `caller` is the `wasmaot_caller *` of a host call in progress; `len` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmaot_caller_memory(caller: *mut u8, len: *mut usize) -> *mut u8 {
    let (base, n) = if caller.is_null() {
        (core::ptr::null_mut(), 0)
    } else {
        // SAFETY: a live vmctx: its fixed prefix holds memory 0's base and definition.
        unsafe {
            let base = caller
                .add(VmOffsets::MEMORY0_BASE as usize)
                .cast::<*mut u8>()
                .read();
            let def = caller
                .add(VmOffsets::MEMORY0_DEF as usize)
                .cast::<*const u8>()
                .read();
            if base.is_null() || def.is_null() {
                (core::ptr::null_mut(), 0)
            } else {
                let n = def.add(memory_def::LENGTH as usize).cast::<u64>().read();
                (base, n as usize)
            }
        }
    };
    if !len.is_null() {
        // SAFETY: caller's contract.
        unsafe { *len = n };
    }
    base
}

/// Ends the current call into wasm with a trap carrying `message`.
///
/// # Safety
/// As for [`wasmaot_caller_memory`]; `message` NULL or a C string. The host function's frames
/// are skipped without running anything.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmaot_caller_trap(caller: *mut u8, message: *const c_char) -> ! {
    // SAFETY: caller's contract.
    let message = unsafe { c_bytes(message) }
        .map(|m| String::from_utf8_lossy(m).into_owned())
        .unwrap_or_else(|| "host function trapped".to_string());
    let frame = if caller.is_null() {
        core::ptr::null()
    } else {
        // SAFETY: a live vmctx; HOST_FRAME was written by the trampoline of this host call.
        unsafe {
            caller
                .add(VmOffsets::HOST_FRAME as usize)
                .cast::<*const usize>()
                .read()
        }
    };
    // SAFETY: the frame record is the trampoline's, still on this stack below us.
    unsafe { crate::trap::raise_host_trap(message, frame) }
}

/// Throws the exception `err` carries (an uncaught exception from another call into wasm)
/// into the calling wasm function: when the host function returns, its caller's handlers
/// see it as if the call had thrown. 0 on success, -1 if `err` is not an exception.
///
/// # Safety
/// As for [`wasmaot_caller_memory`]; `err` NULL or a live error.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmaot_caller_throw(
    caller: *mut u8,
    err: *const crate::embed::error::Error,
) -> core::ffi::c_int {
    // SAFETY: caller's contract.
    let Some(exn) = (unsafe { err.as_ref() }).and_then(|e| e.exception) else {
        return -1;
    };
    if caller.is_null() {
        return -1;
    }
    // SAFETY: a live vmctx (the host function's caller); the exception lives for ever (exposed
    // when it reached the host).
    unsafe { crate::exceptions::set_pending(caller, exn) };
    0
}

/// The embedder's pointer for the calling instance (`wasmaot_config_host_data`).
///
/// # Safety
/// As for [`wasmaot_caller_memory`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmaot_caller_host_data(caller: *mut u8) -> *mut c_void {
    if caller.is_null() {
        return core::ptr::null_mut();
    }
    // SAFETY: a live vmctx; its INSTANCE field is null (never for a live instance) or its data.
    unsafe {
        let data = caller
            .add(VmOffsets::INSTANCE as usize)
            .cast::<*const InstanceData>()
            .read();
        data.as_ref().map_or(core::ptr::null_mut(), |d| d.host_data)
    }
}

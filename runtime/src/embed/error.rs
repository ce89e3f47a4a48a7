//! `wasmaot_error`: why an API call failed — instantiation, a trap (message and wasm
//! backtrace), the guest's `proc_exit`, an exception no handler caught, or a call the API does
//! not allow.
//!
//! Must never hand out a string that dies before the error does.

use core::ffi::{c_char, c_int};
use std::ffi::CString;

use crate::trap::Trap;

/// Error kinds (`enum wasmaot_error_kind` in `wasmaot.h`).
pub const KIND_INSTANTIATE: c_int = 1;
pub const KIND_TRAP: c_int = 2;
pub const KIND_EXIT: c_int = 3;
pub const KIND_USAGE: c_int = 4;
pub const KIND_EXCEPTION: c_int = 5;

/// An error (`wasmaot_error *`).
#[derive(Debug)]
pub struct Error {
    kind: c_int,
    message: CString,
    trap_message: Option<CString>,
    exit_status: c_int,
    /// For [`KIND_EXCEPTION`]: the exception object.
    pub(crate) exception: Option<u64>,
}

fn c_string(s: &str) -> CString {
    CString::new(s.replace('\0', "\\0")).expect("NULs replaced")
}

impl Error {
    pub(crate) fn new(kind: c_int, message: &str) -> Error {
        Error {
            kind,
            message: c_string(message),
            trap_message: None,
            exit_status: -1,
            exception: None,
        }
    }

    /// A trap, the guest's exit, or an uncaught exception.
    pub(crate) fn from_trap(trap: &Trap) -> Error {
        match trap.exit_status {
            Some(status) => Error {
                exit_status: status,
                ..Error::new(KIND_EXIT, &trap.to_string())
            },
            None if trap.exception.is_some() => Error {
                exception: trap.exception,
                ..Error::new(KIND_EXCEPTION, &trap.to_string())
            },
            None => Error {
                trap_message: Some(c_string(trap.message())),
                ..Error::new(KIND_TRAP, &trap.report())
            },
        }
    }

    /// Hands the error to the caller through `out` (or drops it when `out` is NULL).
    ///
    /// # Safety
    /// `out` is NULL or writable.
    pub(crate) unsafe fn give(self, out: *mut *mut Error) {
        if !out.is_null() {
            // SAFETY: caller's contract.
            unsafe { *out = Box::into_raw(Box::new(self)) };
        }
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmaot_error_message(err: *const Error) -> *const c_char {
    // SAFETY: a live error or NULL.
    match unsafe { err.as_ref() } {
        Some(e) => e.message.as_ptr(),
        None => c"(no error)".as_ptr(),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmaot_error_kind(err: *const Error) -> c_int {
    // SAFETY: a live error or NULL.
    unsafe { err.as_ref() }.map_or(0, |e| e.kind)
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmaot_error_trap_message(err: *const Error) -> *const c_char {
    // SAFETY: a live error or NULL.
    match unsafe { err.as_ref() }.and_then(|e| e.trap_message.as_ref()) {
        Some(m) => m.as_ptr(),
        None => core::ptr::null(),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmaot_error_exit_status(err: *const Error) -> c_int {
    // SAFETY: a live error or NULL.
    unsafe { err.as_ref() }.map_or(-1, |e| e.exit_status)
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmaot_error_free(err: *mut Error) {
    if !err.is_null() {
        // SAFETY: came from Error::give.
        drop(unsafe { Box::from_raw(err) });
    }
}

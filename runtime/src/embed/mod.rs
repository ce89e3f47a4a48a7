//! The C embedding API (`wasmaot.h`, written by `wasmaot header`): what a host program calls
//! when it links a module compiled with `wasmaot --emit staticlib`. One file per object of the
//! API: [`config`] (`wasmaot_config_*`), [`error`] (`wasmaot_error_*`), [`instance`]
//! (`wasmaot_instance_*`) and [`caller`] (`wasmaot_caller_*`, for host functions).
//!
//! Must never abort, exit or unwind a Rust panic into the host: every entry point catches
//! panics and reports them as errors, and every call into wasm runs under a catch point, so
//! traps and `proc_exit` come back as errors. The C declarations live in
//! `runtime/abi/include/wasmaot.h`; a function added here is added there too.
#![allow(clippy::missing_safety_doc)]

pub mod caller;
pub mod config;
pub mod error;
pub mod instance;

/// Runs `f`, turning a Rust panic into `Err` with its message (an API entry point must never
/// unwind into C).
pub(crate) fn no_panic<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|p| {
        let what = p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        format!("internal error in the wasmaot runtime: {what}")
    })
}

/// A C string argument as bytes (`None` for NULL).
///
/// # Safety
/// `s` is NULL or a NUL-terminated string.
pub(crate) unsafe fn c_bytes<'a>(s: *const core::ffi::c_char) -> Option<&'a [u8]> {
    // SAFETY: caller's contract.
    (!s.is_null()).then(|| unsafe { core::ffi::CStr::from_ptr(s) }.to_bytes())
}

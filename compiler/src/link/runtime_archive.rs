//! The runtime staticlib for each target, embedded in the `wasmaot` binary at build time
//! (see `build.rs`), so an installed compiler needs no runtime files beside it.
//!
//! Must never read a runtime archive from the file system at compile time of a user program.

/// The embedded `libwasmaot_runtime.a` for `triple`, if this build of wasmaot has it.
pub fn runtime_archive(triple: &str) -> Option<&'static [u8]> {
    match triple {
        #[cfg(wasmaot_runtime_x86_64)]
        "x86_64-unknown-linux-gnu" => Some(include_bytes!(env!("WASMAOT_RUNTIME_X86_64"))),
        #[cfg(wasmaot_runtime_aarch64)]
        "aarch64-unknown-linux-gnu" => Some(include_bytes!(env!("WASMAOT_RUNTIME_AARCH64"))),
        _ => None,
    }
}

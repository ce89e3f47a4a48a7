//! The runtime staticlib for each target, embedded in the `wasmaot` binary at build time
//! (see `build.rs`), so an installed compiler needs no runtime files beside it; and, for the
//! targets whose executables link against musl, the C library and start files to link with.
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

/// A static musl C library to link an executable with, instead of the system's glibc: Rust's
/// self-contained copy for the target, with the runtime built against it.
pub struct MuslLibc {
    pub runtime: &'static [u8],
    /// Start files before the program's objects, in link order (`crt1.o crti.o crtbegin.o`).
    pub start: &'static [(&'static str, &'static [u8])],
    /// Archives after the runtime (`libunwind.a libc.a`).
    pub libs: &'static [(&'static str, &'static [u8])],
    /// Files after everything (`crtend.o crtn.o`).
    pub end: &'static [(&'static str, &'static [u8])],
}

/// Embeds file `name` of Rust's self-contained musl directory for a target (`$key`).
macro_rules! libc_file {
    ($key:literal, $name:literal) => {
        (
            $name,
            include_bytes!(concat!(env!($key), "/", $name)) as &[u8],
        )
    };
}

/// The musl C library that executables for `triple` (a `-gnu` triple) link with, if this
/// build of wasmaot has it.
pub fn musl_libc(triple: &str) -> Option<&'static MuslLibc> {
    match triple {
        #[cfg(wasmaot_runtime_x86_64_musl)]
        "x86_64-unknown-linux-gnu" => Some(&MuslLibc {
            runtime: include_bytes!(env!("WASMAOT_RUNTIME_X86_64_MUSL")),
            start: &[
                libc_file!("WASMAOT_LIBC_X86_64_MUSL", "crt1.o"),
                libc_file!("WASMAOT_LIBC_X86_64_MUSL", "crti.o"),
                libc_file!("WASMAOT_LIBC_X86_64_MUSL", "crtbegin.o"),
            ],
            libs: &[
                libc_file!("WASMAOT_LIBC_X86_64_MUSL", "libunwind.a"),
                libc_file!("WASMAOT_LIBC_X86_64_MUSL", "libc.a"),
            ],
            end: &[
                libc_file!("WASMAOT_LIBC_X86_64_MUSL", "crtend.o"),
                libc_file!("WASMAOT_LIBC_X86_64_MUSL", "crtn.o"),
            ],
        }),
        _ => None,
    }
}

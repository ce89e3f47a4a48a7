//! The contract between the wasmaot compiler and the wasmaot runtime: one source of truth.
//!
//! Everything both sides must agree on lives here and nowhere else: the VMContext layout
//! ([`vmctx`]), the exception protocol ([`exception`]), the module descriptor the compiler embeds ([`descriptor`]), trap codes and their
//! messages ([`trap`]), symbol names ([`symbols`]), runtime builtins ([`builtins`]) and the table
//! of WASI host functions ([`wasi`]). The prose version is `docs/ABI.md`.
//!
//! This crate must never depend on Cranelift, libc or anything target-specific, and holds no
//! `unsafe` code: it is plain data and arithmetic, compiled into both the compiler (for the host)
//! and the runtime (for the target). Both supported targets are 64-bit little-endian, so the
//! `#[repr(C)]` layouts here are identical on host and target.

#![forbid(unsafe_code)]

pub mod builtins;
pub mod descriptor;
pub mod exception;
pub mod leb128;
pub mod policy;
pub mod symbols;
pub mod trap;
pub mod types;
pub mod vmctx;
pub mod wasi;

/// Bumped whenever any layout or symbol in this crate changes incompatibly.
pub const ABI_VERSION: u32 = 10;

/// The C declarations of the embedding API (`wasmaot.h`): what a host program linking a
/// static library calls. The runtime defines every function it declares (`runtime/src/embed/`).
pub const C_HEADER: &str = include_str!("../include/wasmaot.h");

/// First eight bytes of the module descriptor: `b"WASMAOT\0"` read as a little-endian u64.
pub const DESCRIPTOR_MAGIC: u64 = u64::from_le_bytes(*b"WASMAOT\0");

/// WebAssembly page size in bytes.
pub const WASM_PAGE_SIZE: u64 = 65536;

/// Bytes of virtual address space reserved for every linear memory: 4 GiB of addressable index
/// space plus 4 GiB + 64 KiB of guard. The largest address compiled code can form is
/// `base + (2^32 - 1) + (2^32 - 1) + 16` (index, static offset, widest access), which stays
/// inside the reservation, so compiled code needs no bounds checks.
pub const MEMORY_RESERVATION: u64 = (8 << 30) + WASM_PAGE_SIZE;

/// Bytes of native stack compiled wasm code may use before `call stack exhausted`
/// (Go's own `go_wasip1_wasm_exec` asks wasmtime for 8 MiB).
pub const DEFAULT_WASM_STACK: u64 = 8 << 20;

/// Extra native stack kept free below the wasm stack limit for host calls (WASI, builtins) and
/// the trap handler's frame walking.
pub const HOST_STACK_MARGIN: u64 = 1 << 20;

#[cfg(test)]
mod tests {
    #[test]
    fn c_header_states_this_abi_version() {
        let line = format!("#define WASMAOT_ABI_VERSION {}", super::ABI_VERSION);
        assert!(super::C_HEADER.contains(&line), "wasmaot.h lacks `{line}`");
    }
}

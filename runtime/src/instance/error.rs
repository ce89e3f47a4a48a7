//! Why instantiation fails: `InstantiationError`, the one error type of every instantiation
//! step, and `malformed`, its shorthand for a descriptor the compiler should never have
//! emitted.
//!
//! Must never fold one variant into another: the spec runner tells an unlinkable module by
//! `UnknownImport` / `IncompatibleImport`, and embedders show the messages to their users.

use crate::memory::MemoryError;
use crate::trap::Trap;

/// Why instantiation failed.
#[derive(Debug, thiserror::Error)]
pub enum InstantiationError {
    #[error("not a wasmaot module descriptor (bad magic)")]
    BadMagic,
    #[error(
        "module was compiled for runtime ABI version {found}, this runtime is version {expected}"
    )]
    AbiVersion { found: u32, expected: u32 },
    #[error("module descriptor is inconsistent: {0}")]
    Malformed(String),
    #[error("unknown import: `{module}::{name}` has not been defined")]
    UnknownImport { module: String, name: String },
    #[error("incompatible import type for `{module}::{name}`: {reason}")]
    IncompatibleImport {
        module: String,
        name: String,
        reason: String,
    },
    #[error("{0}")]
    Memory(#[from] MemoryError),
    #[error("{0}")]
    Table(String),
    /// A trap while initialising segments or running the start function.
    #[error("{0}")]
    Trap(#[from] Trap),
}

/// A descriptor that contradicts itself (a compiler bug, or not our compiler's output).
pub(super) fn malformed(s: String) -> InstantiationError {
    InstantiationError::Malformed(s)
}

//! The differential fuzzer's parts (used by `src/bin/fuzz.rs`): [`generate`] makes module `i`
//! of a seed with wasm-smith, [`oracle`] runs it under wasmtime, [`aot`] under wasmaot (the
//! spec runner's compile, link and `dlopen` path), both recording a [`trace::Trace`] that
//! [`trace::compare`] holds side by side.
//!
//! Must never compare anything the spec leaves to the engine: NaN payloads (any NaN equals
//! any NaN), reference identities (only null versus non-null), and the depth at which the
//! stack runs out (a stack overflow on either side ends the comparison of that module).

pub mod aot;
pub mod generate;
pub mod oracle;
pub mod trace;

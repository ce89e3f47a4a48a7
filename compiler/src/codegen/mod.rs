//! Code generation: the target ISA, the parallel per-function compile (with inlining and the
//! multi-word arithmetic idioms of `idioms.rs`), and the trampolines (array-call entry points
//! and the C `main` shim), and the C-convention adapters of tail-convention functions.

pub mod compile;
pub mod disas;
pub mod func_cache;
pub mod guard;
pub mod host_api;
mod idioms;
mod inline;
pub mod isa;
pub mod tail_adapters;
pub mod trampolines;

pub use compile::{CompiledFunction, FuncReloc, RelocTarget, compile_module};
pub use isa::{Cpu, OptLevel, build_isa};
pub use trampolines::{PinnedSlot, compile_array_call, compile_main_shim};

#[cfg(test)]
mod memory64_tests;
#[cfg(test)]
mod tests;

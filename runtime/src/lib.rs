//! The wasmaot runtime: everything a compiled module needs at run time.
//!
//! Built twice: as a staticlib that `wasmaot` embeds and links into every executable, and as an
//! rlib for embedders and the test harness. It defines every symbol `wasmaot_abi` says the
//! runtime defines (builtins, WASI host functions, the executable entry point).
//! Must never reference a symbol of a compiled module by name: the module descriptor is always
//! passed in.

pub mod wasi;

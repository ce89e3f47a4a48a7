//! The wasmaot runtime: everything a compiled module needs at run time.
//!
//! Built twice: as a staticlib that `wasmaot` embeds and links into every executable, and as an
//! rlib for embedders and the test harness. It defines every symbol `wasmaot_abi` says the
//! runtime defines (builtins, WASI host functions, the executable entry point).
//! Must never reference a symbol of a compiled module by name: the module descriptor is always
//! passed in.
//!
//! Embedder API: [`Instance::new`] with [`Imports`], [`Instance::call_export`] /
//! [`Instance::call`] with [`ValRaw`] slots, [`Instance::get_export`] returning [`Extern`]s,
//! [`Func::host`] for host-function imports, and [`Trap`]: run calls under
//! [`trap::catch_traps`] to get traps back as errors instead of exiting. Executables enter
//! through [`entry::wasmaot_rt_main`].

pub mod builtins;
pub mod embed;
pub mod entry;
pub mod exceptions;
pub mod instance;
pub mod mem_ops;
pub mod memory;
pub mod registry;
mod run_mode;
pub mod signatures;
pub mod stack;
pub mod table;
pub mod trap;
pub mod wasi;

pub use instance::{
    ArrayCall, Extern, Func, GlobalRef, Imports, Instance, InstantiationError, ValRaw,
};
pub use memory::{LinearMemory, MemoryError, VMMemoryDefinition};
pub use table::{Table, VMFuncRef, VMTableDefinition};
pub use trap::{Frame, Trap};

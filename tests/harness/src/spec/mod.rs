//! The spec-suite runner's parts (used by `src/bin/spec.rs`): [`load`] compiles a module into a
//! loaded shared object, [`spectest`] is the host module, [`script`] runs one `.wast`, and
//! [`known`] reads the known-failures list.

pub mod known;
pub mod load;
pub mod script;
pub mod spectest;

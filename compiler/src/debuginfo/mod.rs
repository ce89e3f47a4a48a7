//! Native debug information from a module's wasm DWARF: [`source_map`] reads where each wasm
//! code address came from, [`native`] writes DWARF for the machine code, and
//! [`trap_lines`] gives the runtime's backtraces the file and line of each trap site and call.
//!
//! Must never change the machine code: debug information only describes it (the one codegen
//! consequence of keeping DWARF, no inlining across functions, is decided in
//! `codegen::compile`).

pub mod native;
pub mod source_map;
pub mod trap_lines;

#[cfg(test)]
mod tests;

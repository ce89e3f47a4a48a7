//! Errors the compiler reports to its caller: every one names what is wrong in words a user can
//! act on, and for wasm input the byte offset.
//!
//! Must never carry a panic message or a Rust type name: these reach users verbatim (the one
//! exception, [`CompileError::Function`], quotes a compiler panic for the bug report).

use thiserror::Error;

/// Why a compile failed.
#[derive(Debug, Error)]
pub enum CompileError {
    /// The bytes are not a valid WebAssembly module (malformed or fails validation).
    #[error("invalid module at offset {offset:#x}: {message}")]
    Invalid { offset: u64, message: String },
    /// The module is valid but uses something wasmaot does not support yet.
    #[error("unsupported at offset {offset:#x}: {what}")]
    Unsupported { offset: u64, what: String },
    /// The module imports something no executable can provide.
    #[error("cannot import `{module}::{name}` (offset {offset:#x}): {reason}")]
    UnknownImport {
        module: String,
        name: String,
        offset: u64,
        reason: String,
    },
    /// The text format input could not be parsed.
    #[error("{0}")]
    Wat(String),
    /// Code generation failed inside Cranelift (a wasmaot bug: please report it).
    #[error("code generation failed in function {func}: {message}")]
    Codegen { func: u32, message: String },
    /// Compiling one wasm function failed inside the code generator (a Cranelift error or a
    /// panic, caught by `codegen::guard`): a wasmaot bug. `what` may quote the panic message
    /// and its source location, the one place a panic's text reaches users (so that the bug
    /// can be reported).
    #[error("function {index} ({}) at offset {offset:#x}: {what}", name.as_deref().unwrap_or("<unnamed>"))]
    Function {
        index: u32,
        name: Option<String>,
        offset: u64,
        what: String,
    },
    /// Writing the object file failed.
    #[error("writing the object file failed: {0}")]
    Object(String),
    /// Function imports that nothing linked provides: `(module, name, symbol)` each.
    #[error("{}", unresolved_message(imports))]
    UnresolvedImports {
        imports: Vec<(String, String, String)>,
    },
    /// Linking the executable failed.
    #[error("{0}")]
    Link(String),
    /// Invalid options.
    #[error("{0}")]
    Options(String),
}

impl CompileError {
    /// Builds an `Invalid` error from a wasmparser error.
    pub fn from_parser(e: wasmparser::BinaryReaderError) -> CompileError {
        CompileError::Invalid {
            offset: e.offset(),
            message: e.message().to_string(),
        }
    }
}

impl From<wasmparser::BinaryReaderError> for CompileError {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        CompileError::from_parser(e)
    }
}

/// Result alias for the compiler.
pub type Result<T, E = CompileError> = std::result::Result<T, E>;

fn unresolved_message(imports: &[(String, String, String)]) -> String {
    let list: Vec<String> = imports
        .iter()
        .map(|(m, n, s)| format!("`{m}::{n}` (no host function `{s}` was linked)"))
        .collect();
    let (m, n, _) = &imports[0];
    format!(
        "unresolved import{} {}: pass the object, archive or C file that defines {} with --link, or name another symbol with --import {m}::{n}=SYMBOL",
        if imports.len() > 1 { "s" } else { "" },
        list.join(", "),
        if imports.len() > 1 { "them" } else { "it" },
    )
}

//! wasmaot: compiles a WebAssembly module to a native object file and links it with the runtime
//! into a static executable.
//!
//! The pipeline, in order:
//! - [`module::parse`] reads and validates the bytes into a [`module::ModuleInfo`];
//! - [`codegen`] translates every function to Cranelift IR and compiles it, in parallel;
//! - [`emit`] writes one object file: functions, trampolines, the `main` shim, the descriptor;
//! - [`link`] links the object with the embedded runtime staticlib.
//!
//! Must never print: errors are returned as [`CompileError`] for the caller to report.

pub mod codegen;
pub mod emit;
pub mod env;
pub mod error;
pub mod link;
pub mod module;
pub mod options;
pub mod translate;

use std::path::Path;

pub use error::{CompileError, Result};
pub use options::{Cpu, Emit, OptLevel, Options};

/// Reads wasm bytes from binary or text input. `name` is only used to pick the format by its
/// extension (`.wat`/`.wast` are text); otherwise the `\0asm` magic decides.
pub fn read_input(bytes: Vec<u8>, name: &Path) -> Result<Vec<u8>> {
    let ext = name.extension().and_then(|e| e.to_str()).unwrap_or("");
    let is_text = matches!(ext, "wat" | "wast") || !bytes.starts_with(b"\0asm");
    if !is_text {
        return Ok(bytes);
    }
    match wat::parse_bytes(&bytes) {
        Ok(wasm) => Ok(wasm.into_owned()),
        Err(e) if matches!(ext, "wat" | "wast") => Err(CompileError::Wat(e.to_string().replace('\n', " "))),
        Err(_) => Err(CompileError::Invalid {
            offset: 0,
            message: "not a WebAssembly module: it does not start with the `\\0asm` magic number and is not WebAssembly text"
                .to_string(),
        }),
    }
}

/// Compiles wasm bytes to an object file.
pub fn compile_object(wasm: &[u8], opts: &Options) -> Result<Vec<u8>> {
    opts.validate().map_err(CompileError::Options)?;
    let policy = opts.policy.encode().map_err(CompileError::Options)?;
    let run = || -> Result<Vec<u8>> {
        let info = module::parse(
            wasm,
            module::ParseOptions {
                allow_host_imports: opts.library,
            },
        )?;
        let triple: target_lexicon::Triple = opts
            .target
            .parse()
            .map_err(|e| CompileError::Options(format!("bad target `{}`: {e}", opts.target)))?;
        let isa = codegen::isa::build_isa(&triple, opts.opt_level, opts.library, opts.cpu)?;
        let functions = codegen::compile::compile_module(&info, &*isa)?;
        let array_calls = info
            .types
            .iter()
            .map(|sig| codegen::trampolines::compile_array_call(sig, &*isa))
            .collect::<Result<Vec<_>>>()?;
        let main_shim = match opts.library {
            true => None,
            false => Some(codegen::trampolines::compile_main_shim(&*isa)),
        };
        let input = emit::EmitInput {
            info: &info,
            functions: &functions,
            array_calls: &array_calls,
            main_shim: main_shim.as_ref(),
            policy: &policy,
        };
        emit::emit_object(isa, &input)
    };
    match opts.jobs {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map_err(|e| CompileError::Options(format!("cannot start {n} compile threads: {e}")))?
            .install(run),
        None => run(),
    }
}

/// Compiles wasm bytes to `output`: an object file or a linked executable, per `opts.emit`.
/// On failure nothing is left at `output`.
pub fn compile_to_file(wasm: &[u8], opts: &Options, output: &Path) -> Result<()> {
    // Fail early on an unwritable output, before spending time compiling.
    let probe = link::temp_output(output)?;
    let object = compile_object(wasm, opts)?;
    match opts.emit {
        Emit::Obj => {
            std::fs::write(&probe, &object).map_err(|e| {
                CompileError::Link(format!("cannot write `{}`: {e}", output.display()))
            })?;
            link::persist(probe, output)
        }
        Emit::Exe => {
            drop(probe);
            link::link_executable(&object, &opts.target, opts.linker.as_deref(), output)
        }
    }
}

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

pub mod cache_prune;
pub mod cleanup;
pub mod codegen;
pub mod debuginfo;
pub mod embed;
pub mod emit;
pub mod env;
pub mod error;
pub mod link;
pub mod module;
pub mod options;
pub mod progress;
pub mod translate;

use std::path::Path;

pub use error::{CompileError, Result};
pub use options::{Cpu, Emit, ImportSymbol, OptLevel, Options};

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
    compile_module(wasm, opts).map(|c| c.object)
}

/// The result of one compile: the object, and what a host sees of the module.
pub struct Compiled {
    pub object: Vec<u8>,
    pub interface: embed::ModuleInterface,
    /// Whether the object carries native DWARF (translated from the module's), which the
    /// link must keep.
    pub debug_info: bool,
}

/// Compiles wasm bytes to an object file and the module's host-facing interface, validating
/// with `opts.features` (by default the WebAssembly 3.0 features wasmaot implements: what
/// `wasmtime run` accepts by default, GC aside).
pub fn compile_module(wasm: &[u8], opts: &Options) -> Result<Compiled> {
    compile_module_with(wasm, opts, opts.features)
}

/// Compiles wasm bytes to an object file, validating with `features` (not the options').
pub fn compile_object_with(
    wasm: &[u8],
    opts: &Options,
    features: module::FeatureSet,
) -> Result<Vec<u8>> {
    compile_module_with(wasm, opts, features).map(|c| c.object)
}

/// [`compile_module`] with a chosen feature set (the spec runner's 3.0 suite uses
/// [`module::FeatureSet::Wasm3`]).
pub fn compile_module_with(
    wasm: &[u8],
    opts: &Options,
    features: module::FeatureSet,
) -> Result<Compiled> {
    opts.validate().map_err(CompileError::Options)?;
    let policy = opts.policy.encode().map_err(CompileError::Options)?;
    let run = || -> Result<Compiled> {
        let mut info = module::parse(
            wasm,
            module::ParseOptions {
                dynamic_imports: opts.library,
                features,
                keep_dwarf: !opts.strip,
                pin_global: !opts.library && !opts.is_static_library(),
            },
        )?;
        apply_import_symbols(&mut info, &opts.import_symbols)?;
        let triple: target_lexicon::Triple = opts
            .target
            .parse()
            .map_err(|e| CompileError::Options(format!("bad target `{}`: {e}", opts.target)))?;
        let pic = opts.library || opts.is_static_library();
        let isa = codegen::isa::build_isa(
            &triple,
            opts.opt_level,
            pic,
            opts.cpu,
            info.pinned_global.is_some(),
        )?;
        let functions = codegen::compile::compile_module(&info, &*isa, opts.func_cache.as_deref())?;
        let source_map = info.dwarf.as_ref().map(|d| {
            let code_len = info.bodies.last().map_or(0, |b| {
                b.body.range().end.saturating_sub(d.code_section_start)
            });
            debuginfo::source_map::SourceMap::read(d, code_len)
        });
        let pinned = codegen::PinnedSlot::of(&info);
        let tail_adapters = codegen::tail_adapters::compile_tail_adapters(&info, &*isa)?;
        let array_calls = info
            .types
            .iter()
            .map(|sig| codegen::trampolines::compile_array_call(sig, &*isa, pinned))
            .collect::<Result<Vec<_>>>()?;
        let host_trampolines = (0..info.num_imported_funcs)
            .filter_map(|i| {
                let symbol = info.funcs[i as usize].linked_symbol.as_deref()?;
                Some(
                    codegen::trampolines::compile_host_trampoline(
                        info.func_signature(i),
                        symbol,
                        &*isa,
                    )
                    .map(|f| (i, f)),
                )
            })
            .collect::<Result<Vec<_>>>()?;
        let main_shim = match opts.library || opts.is_static_library() {
            true => None,
            false => Some(codegen::trampolines::compile_main_shim(&*isa)),
        };
        let prefix = embed::prefix(opts);
        let descriptor_symbol = match opts.is_static_library() {
            true => embed::descriptor_symbol(&prefix),
            false => wasmaot_abi::symbols::MODULE.to_string(),
        };
        let interface = embed::ModuleInterface::of(&info);
        let api_functions = match opts.is_static_library() {
            true => codegen::host_api::compile_host_api(&prefix, &interface, &*isa)?,
            false => Vec::new(),
        };
        let input = emit::EmitInput {
            info: &info,
            functions: &functions,
            array_calls: &array_calls,
            tail_adapters: &tail_adapters,
            main_shim: main_shim.as_ref(),
            policy: &policy,
            host_trampolines: &host_trampolines,
            descriptor_symbol: &descriptor_symbol,
            unwind_info: !opts.strip,
            source_map: source_map.as_ref().filter(|m| !m.is_empty()),
            api_functions: &api_functions,
        };
        let object = emit::emit_object(isa, &input)?;
        Ok(Compiled {
            object,
            interface,
            debug_info: input.source_map.is_some(),
        })
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

/// Applies `--import MODULE::NAME=SYMBOL`: each must name a function import that is linked to a
/// C function.
fn apply_import_symbols(info: &mut module::ModuleInfo<'_>, picks: &[ImportSymbol]) -> Result<()> {
    for pick in picks {
        let import = info.imports.iter().find(|i| {
            i.module == pick.module
                && i.name == pick.name
                && i.kind == wasmaot_abi::descriptor::extern_kind::FUNC
        });
        let Some(import) = import else {
            return Err(CompileError::Options(format!(
                "--import {}::{}={}: the module imports no function `{}::{}`",
                pick.module, pick.name, pick.symbol, pick.module, pick.name
            )));
        };
        let decl = &mut info.funcs[import.index as usize];
        match &mut decl.linked_symbol {
            Some(symbol) => *symbol = pick.symbol.clone(),
            None => {
                return Err(CompileError::Options(format!(
                    "--import {}::{}={}: `{}::{}` is a WASI function, which the runtime provides",
                    pick.module, pick.name, pick.symbol, pick.module, pick.name
                )));
            }
        }
    }
    Ok(())
}

/// Compiles wasm bytes to `output`: an object file, a linked executable, a static library with
/// its header, or a Go package, per `opts.emit`. On failure nothing is left at `output`.
pub fn compile_to_file(wasm: &[u8], opts: &Options, output: &Path) -> Result<()> {
    // Fail early on an unwritable output, before spending time compiling.
    let probe = link::temp_output(output)?;
    let compiled = compile_module(wasm, opts)?;
    progress::start_linking();
    match opts.emit {
        Emit::Obj => {
            std::fs::write(&probe, &compiled.object).map_err(|e| {
                CompileError::Link(format!("cannot write `{}`: {e}", output.display()))
            })?;
            link::persist(probe, output, link::OutputKind::Data)
        }
        Emit::Exe => {
            drop(probe);
            link::link_executable(&compiled, opts, output)
        }
        Emit::StaticLib => {
            drop(probe);
            embed::write_static_library(&compiled, opts, output)
        }
        Emit::Go => {
            drop(probe);
            embed::write_go_package(&compiled, opts, output)
        }
    }
}

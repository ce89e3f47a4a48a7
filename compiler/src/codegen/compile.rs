//! Compiles the module's defined functions to machine code, in parallel, into
//! position-independent byte blobs with their relocations and trap sites.
//!
//! Must never let thread scheduling show in the output: functions are compiled independently
//! and collected in index order, so the result is byte-identical whatever the thread count.

use cranelift_codegen::binemit::Reloc;
use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir::{self, ExternalName, UserFuncName};
use cranelift_codegen::isa::TargetIsa;
use cranelift_codegen::settings::OptLevel;
use cranelift_codegen::{Context, FinalizedRelocTarget};
use rayon::prelude::*;
use wasmaot_abi::descriptor::{InlineSite, TrapSite};

use crate::env::{
    FuncEnv, NS_SYMBOL, NS_WASM_FUNC, SymbolTable, traps::abi_trap_code, wasm_signature,
};
use crate::error::{CompileError, Result};
use crate::module::ModuleInfo;
use crate::translate::FuncTranslator;

use super::func_cache::FuncCache;
use super::guard;
use super::inline::{self, InlineRecorder, Inliner};

/// Largest function (CLIF instructions, after compiling) whose Cranelift context the next
/// function reuses; see [`compile_module`]. Measured (callgrind, `--jobs 1`): with no limit,
/// gofmt took 1% more instructions than with a fresh context per function; 1000, 3000 and
/// 10 000 gave -0.25%, -0.6% and -0.8% on gofmt, and -0.9%, -1.1% and -1.25% on SQLite.
const REUSE_MAX_INSTS: usize = 10_000;

/// One function's machine code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompiledFunction {
    pub bytes: Vec<u8>,
    /// Required alignment of the code's start, in bytes.
    pub alignment: u64,
    pub relocs: Vec<FuncReloc>,
    /// Trap sites, sorted by offset.
    pub traps: Vec<TrapSite>,
    /// Trap sites and calls inside inlined code, sorted by key.
    pub inlined: Vec<InlineSite>,
    /// Call-frame information (written to `.eh_frame`), if Cranelift produced it.
    pub unwind: Option<cranelift_codegen::isa::unwind::UnwindInfo>,
    /// Where the machine code came from in the wasm module, for native debug information;
    /// only for modules whose DWARF is kept (`ModuleInfo::dwarf`).
    pub debug: Option<Box<FunctionDebug>>,
}

/// A compiled function's map back to wasm code offsets (file offsets, as the translator's
/// source locations hold them).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FunctionDebug {
    /// `(start, end, wasm offset)` of every run of machine code translated from one wasm
    /// instruction, sorted by `start`; code with no wasm origin (the prologue) is absent.
    pub ranges: Vec<(u32, u32, u32)>,
    /// `(key, wasm offset)` of every trap site and call, keyed as a frame walk looks them up
    /// (a trap site's offset; a call's return offset minus one), sorted by key.
    pub sites: Vec<(u32, u32)>,
}

/// A relocation inside a function's code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FuncReloc {
    /// Offset of the patched bytes from the function's start.
    pub offset: u32,
    pub kind: Reloc,
    pub target: RelocTarget,
    pub addend: i64,
}

/// What a relocation points at.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RelocTarget {
    /// A wasm function, by function index (imported functions counted; always a defined one).
    Func(u32),
    /// A named symbol: runtime builtins, WASI host functions, libcalls, data symbols.
    Symbol(String),
}

/// A translated function and the symbols it refers to.
type Translated = (ir::Function, SymbolTable);

/// Compiles every defined function of `info`, in parallel; the result is in function order.
/// If several functions fail, the error of the lowest function index is returned.
///
/// Two parallel passes: the first translates the small functions and keeps the inlinable ones
/// (`inline.rs`); the second translates the rest, inlines, and compiles everything.
///
/// A module whose DWARF is kept is compiled without inlining across functions, so that every
/// source line of every function keeps its own machine code (a breakpoint on a line of a small
/// function is hit from every caller), as a `-g` build expects.
///
/// With a function cache ([`FuncCache`]), a function whose inlined IR is in it skips
/// Cranelift's compile; the output is the same.
pub fn compile_module(
    info: &ModuleInfo,
    isa: &dyn TargetIsa,
    cache: Option<&FuncCache>,
) -> Result<Vec<CompiledFunction>> {
    let inlining = isa.flags().opt_level() != OptLevel::None && info.dwarf.is_none();
    crate::progress::start_compiling(info.num_defined_funcs() as usize);
    let mut small: Vec<Option<Result<Translated>>> = (0..info.num_defined_funcs())
        .into_par_iter()
        .map_init(FuncTranslator::new, |translator, def| {
            let range = info.bodies[def as usize].body.range();
            let size = range.end - range.start;
            (inlining && size <= inline::MAX_BODY_BYTES)
                .then(|| guarded_translate(info, isa, translator, def))
        })
        .collect();
    let callees: Vec<Option<ir::Function>> = small
        .iter()
        .map(|t| match t {
            Some(Ok((f, _))) if inline::is_inlinable(f) => Some(f.clone()),
            _ => None,
        })
        .collect();
    let inliner = Inliner {
        num_imported_funcs: info.num_imported_funcs,
        callees: &callees,
    };
    // Each worker keeps one Cranelift `Context` for all its functions, as wasmtime does: its
    // analyses and the register allocator's context keep their allocations from one function
    // to the next (a fresh context per function cost 1% more instructions on SQLite, mostly
    // `malloc`, `free` and dropping the register allocator's context). Every pass clears what
    // it reuses, so the code does not depend on what the context compiled before.
    let results: Vec<Result<CompiledFunction>> = small
        .par_iter_mut()
        .enumerate()
        .map_init(
            || (FuncTranslator::new(), Context::new()),
            |(translator, ctx), (def, translated)| {
                let def = def as u32;
                let (func, symbols) = match translated.take() {
                    Some(t) => t?,
                    None => guarded_translate(info, isa, translator, def)?,
                };
                let inliner = inlining.then_some(&inliner);
                let index = info.num_imported_funcs + def;
                let debug = info.dwarf.is_some();
                let mut panicked = true;
                let compiled = guard::guarded(info, index, || {
                    let r = finish_function(
                        ctx,
                        func,
                        isa,
                        &symbols,
                        Some(index),
                        inliner,
                        debug,
                        cache,
                    );
                    panicked = false;
                    r
                });
                // A context a panic left half-way is not reused, nor one a large function
                // grew: regalloc2 clears some of its tables in time proportional to their
                // capacity, on every allocation attempt, so the capacity a large function
                // leaves behind would slow down every small function after it.
                if panicked || ctx.func.dfg.num_insts() > REUSE_MAX_INSTS {
                    *ctx = Context::new();
                }
                crate::progress::function_done();
                compiled
            },
        )
        .collect();
    results.into_iter().collect()
}

/// [`translate_function`] under the panic guard; a translator a panic left half-way is
/// replaced by a fresh one.
fn guarded_translate(
    info: &ModuleInfo,
    isa: &dyn TargetIsa,
    translator: &mut FuncTranslator,
    def_index: u32,
) -> Result<Translated> {
    let index = info.num_imported_funcs + def_index;
    let mut panicked = true;
    let result = guard::guarded(info, index, || {
        let r = translate_function(info, isa, translator, def_index);
        panicked = false;
        r
    });
    if panicked {
        *translator = FuncTranslator::new();
    }
    result
}

/// Translates defined function `def_index` (0 = the first defined function) to CLIF.
pub(crate) fn translate_function(
    info: &ModuleInfo,
    isa: &dyn TargetIsa,
    translator: &mut FuncTranslator,
    def_index: u32,
) -> Result<Translated> {
    let index = info.num_imported_funcs + def_index;
    let body = &info.bodies[def_index as usize].body;
    let call_conv = if info.uses_tail_cc(index) {
        cranelift_codegen::isa::CallConv::Tail
    } else {
        isa.default_call_conv()
    };
    let sig = wasm_signature(info.func_signature(index), call_conv, isa.pointer_type());
    let mut func = ir::Function::with_name_signature(UserFuncName::user(NS_WASM_FUNC, index), sig);
    let mut env = FuncEnv::new(info, isa);
    translator.translate(&mut env, body, &mut func)?;
    Ok((func, env.symbols))
}

/// Compiles a translated CLIF function, first inlining the calls `inliner` picks. `self_index`
/// is its wasm function index, if any (for relocations that point back into the function
/// itself).
pub(crate) fn finish(
    func: ir::Function,
    isa: &dyn TargetIsa,
    symbols: &SymbolTable,
    self_index: Option<u32>,
    inliner: Option<&Inliner>,
) -> Result<CompiledFunction> {
    let mut ctx = Context::new();
    finish_function(
        &mut ctx, func, isa, symbols, self_index, inliner, false, None,
    )
}

/// [`finish`] in the reused context `ctx` (whatever it compiled before), also keeping the map
/// back to wasm offsets ([`FunctionDebug`]) when `debug`, and taking the machine code from
/// `cache` when it has it.
#[allow(clippy::too_many_arguments)]
fn finish_function(
    ctx: &mut Context,
    func: ir::Function,
    isa: &dyn TargetIsa,
    symbols: &SymbolTable,
    self_index: Option<u32>,
    inliner: Option<&Inliner>,
    debug: bool,
    cache: Option<&FuncCache>,
) -> Result<CompiledFunction> {
    let func_id = self_index.unwrap_or(u32::MAX);
    let codegen_error = |message: String| CompileError::Codegen {
        func: func_id,
        message,
    };
    ctx.clear();
    ctx.func = func;
    if let Some(inliner) = inliner {
        let mut recorder = InlineRecorder {
            inliner,
            starts: Vec::new(),
        };
        if let Err(e) = ctx.inline(&mut recorder) {
            return Err(codegen_error(format!("inlining failed: {e}")));
        }
        inline::mark_inlined(&mut ctx.func, &recorder.starts);
    }
    if isa.flags().opt_level() != OptLevel::None {
        super::idioms::rewrite(&mut ctx.func);
    }
    // Everything below reads only the compiled code and the function's parameters (its
    // external names and base source location), never the IR: a hit, which has no IR of its
    // own compile, gives the same result.
    let compiled = match cache {
        Some(cache) => ctx
            .compile_with_cache(isa, &mut cache.store(), &mut ControlPlane::default())
            .map(|(_, hit)| cache.record(hit)),
        None => ctx.compile(isa, &mut ControlPlane::default()).map(|_| ()),
    };
    if let Err(e) = compiled {
        return Err(codegen_error(
            cranelift_codegen::print_errors::pretty_error(e.func, e.inner),
        ));
    }
    let code = ctx.compiled_code().expect("compiled above");
    let buffer = &code.buffer;

    let mut relocs = Vec::with_capacity(buffer.relocs().len());
    for r in buffer.relocs() {
        let (target, extra_addend) = match &r.target {
            FinalizedRelocTarget::ExternalName(ExternalName::User(name_ref)) => {
                let name = &ctx.func.params.user_named_funcs()[*name_ref];
                match name.namespace {
                    NS_WASM_FUNC => (RelocTarget::Func(name.index), 0),
                    NS_SYMBOL => {
                        let symbol = symbols.name(name.index).expect("interned symbol");
                        (RelocTarget::Symbol(symbol.to_string()), 0)
                    }
                    ns => {
                        return Err(codegen_error(format!(
                            "relocation to unknown namespace {ns}"
                        )));
                    }
                }
            }
            FinalizedRelocTarget::ExternalName(ExternalName::LibCall(libcall)) => (
                RelocTarget::Symbol(cranelift_module::default_libcall_names()(*libcall)),
                0,
            ),
            FinalizedRelocTarget::ExternalName(other) => {
                return Err(codegen_error(format!(
                    "unexpected relocation target {other:?}"
                )));
            }
            // A reference into the function itself (e.g. a constant pool entry reached
            // through a relocation): expressed against the function's own symbol.
            FinalizedRelocTarget::Func(offset) => match self_index {
                Some(i) => (RelocTarget::Func(i), *offset as i64),
                None => return Err(codegen_error("self-relocation in a trampoline".to_string())),
            },
        };
        relocs.push(FuncReloc {
            offset: r.offset,
            kind: r.kind,
            target,
            addend: r.addend + extra_addend,
        });
    }

    let mut traps = Vec::with_capacity(buffer.traps().len());
    for t in buffer.traps() {
        let code = abi_trap_code(t.code).ok_or_else(|| {
            codegen_error(format!(
                "unexpected trap code {} at offset {:#x}",
                t.code, t.offset
            ))
        })?;
        traps.push(TrapSite {
            offset: t.offset,
            code: code as u8,
            _pad: [0; 3],
        });
    }
    traps.sort_by_key(|t| t.offset);

    let inlined = inline::inline_sites(buffer, &ctx.func.params);
    let unwind = code
        .create_unwind_info(isa)
        .map_err(|e| codegen_error(format!("unwind information: {e}")))?;

    Ok(CompiledFunction {
        bytes: buffer.data().to_vec(),
        // The ISA's preferred start alignment (32 bytes on x86_64), not just the minimum: a hot
        // function that starts mid fetch-block decodes slower, and with unaligned starts every
        // function's branch layout shifts whenever anything before it changes size.
        alignment: (buffer.alignment as u64).max(isa.function_alignment().preferred as u64),
        relocs,
        traps,
        inlined,
        unwind,
        debug: debug.then(|| Box::new(function_debug(buffer))),
    })
}

/// The map from machine code back to wasm offsets: Cranelift's source locations, which the
/// translator sets to each instruction's file offset.
fn function_debug(
    buffer: &cranelift_codegen::MachBufferFinalized<cranelift_codegen::Final>,
) -> FunctionDebug {
    let ranges: Vec<(u32, u32, u32)> = buffer
        .get_srclocs_sorted()
        .iter()
        .filter(|s| !s.loc.is_default() && s.start < s.end)
        .map(|s| (s.start, s.end, s.loc.bits()))
        .collect();
    let origin = |offset: u32| {
        let i = ranges.partition_point(|r| r.1 <= offset);
        ranges
            .get(i)
            .filter(|r| r.0 <= offset)
            .map(|r| (offset, r.2))
    };
    let mut sites: Vec<(u32, u32)> = inline::site_keys(buffer).filter_map(origin).collect();
    sites.sort_unstable();
    sites.dedup_by_key(|s| s.0);
    FunctionDebug { ranges, sites }
}

//! The text of the code wasmaot generates for each function of a module: the CLIF after
//! Cranelift's optimisations and the machine code (Cranelift's VCode listing, registers
//! allocated, before encoding), for a target, optimisation level and CPU level fixed by the
//! caller. Used by the golden tests (`compiler/tests/disas.rs`) and for looking at codegen.
//!
//! Each function is translated exactly as [`super::compile::compile_module`] translates it,
//! but compiled on its own: without the cross-function inlining of small callees, so that a
//! function's text does not depend on its neighbours.
//!
//! Must never depend on the host (no `--cpu native`): the same inputs give the same text on
//! every machine.

use std::fmt::Write;

use cranelift_codegen::Context;
use cranelift_codegen::control::ControlPlane;
use target_lexicon::Triple;

use super::compile::translate_function;
use super::isa::{Cpu, OptLevel, build_isa};
use crate::error::{CompileError, Result};
use crate::module::{self, FeatureSet, ParseOptions};
use crate::translate::FuncTranslator;

/// What to compile for.
#[derive(Clone, Debug)]
pub struct DisasOptions {
    /// `x86_64-unknown-linux-gnu` or `aarch64-unknown-linux-gnu`.
    pub target: String,
    pub opt_level: OptLevel,
    /// [`Cpu::Baseline`] or [`Cpu::X86_64V3`] ([`Cpu::Native`] is refused).
    pub cpu: Cpu,
    pub features: FeatureSet,
}

/// The CLIF and machine code of every defined function of `wasm`, in index order, each
/// headed by `;; function <index> (<name>)`.
pub fn disassemble(wasm: &[u8], opts: &DisasOptions) -> Result<String> {
    if opts.cpu == Cpu::Native {
        return Err(CompileError::Options(
            "disassembly is for a fixed CPU level, not `native`".to_string(),
        ));
    }
    let info = module::parse(
        wasm,
        ParseOptions {
            dynamic_imports: true,
            features: opts.features,
            keep_dwarf: false,
            // As an executable is compiled (the pinned global included).
            pin_global: true,
        },
    )?;
    let triple: Triple = opts
        .target
        .parse()
        .map_err(|e| CompileError::Options(format!("bad target `{}`: {e}", opts.target)))?;
    let isa = build_isa(
        &triple,
        opts.opt_level,
        false,
        opts.cpu,
        info.pinned_global.is_some(),
    )?;
    let mut translator = FuncTranslator::new();
    let mut out = String::new();
    for def in 0..info.num_defined_funcs() {
        let index = info.num_imported_funcs + def;
        let (func, _symbols) = translate_function(&info, isa.as_ref(), &mut translator, def)?;
        let mut ctx = Context::for_function(func);
        if opts.opt_level != OptLevel::O0 {
            super::idioms::rewrite(&mut ctx.func);
        }
        ctx.set_disasm(true);
        let code = ctx
            .compile(isa.as_ref(), &mut ControlPlane::default())
            .map_err(|e| CompileError::Codegen {
                func: index,
                message: cranelift_codegen::print_errors::pretty_error(e.func, e.inner),
            })?;
        let vcode = code.vcode.clone().unwrap_or_default();
        let name = info
            .func_names
            .get(&index)
            .map_or(String::new(), |n| format!(" ({n})"));
        let _ = writeln!(out, ";; function {index}{name}");
        let _ = write!(out, "{}", ctx.func.display());
        let _ = writeln!(out, ";; machine code");
        for line in vcode.lines() {
            let _ = writeln!(out, "{}", line.trim_end());
        }
    }
    Ok(out)
}

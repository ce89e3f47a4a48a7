//! The function translator: one wasm function body to one CLIF `Function`. Knows wasm
//! semantics; reaches the runtime only through [`crate::env::FuncEnv`].
//!
//! Must never compute a VMContext offset or name a runtime symbol (that is `env/`), and must
//! never do I/O: translation is a pure function of the module and the body.
//!
//! One file per operator family; each family's `translate` returns `Ok(false)` for operators
//! that are not its own, and the dispatcher here tries them in turn.

mod calls;
mod control;
mod dispatch;
mod exceptions;
mod memory;
mod numeric;
mod simd;
mod simd_float;
mod simd_memory;
mod simd_relaxed;
mod stack;
mod tables;
mod tail_calls;
#[cfg(test)]
mod tests;
mod variables;

use cranelift_codegen::ir::immediates::{Ieee32, Ieee64};
use cranelift_codegen::ir::{self, Block, BlockArg, InstBuilder, SourceLoc, Type, Value, types};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use wasmaot_abi::types::ValType;
use wasmparser::{BlockType, FunctionBody, Operator};

use crate::env::{FuncEnv, clif_type};
use crate::error::{CompileError, Result};
pub use simd_relaxed::RelaxedSimdTarget;
use stack::{ControlFrame, FrameKind, Stacks};

/// Translates function bodies; keeps the frontend's allocations across functions.
pub struct FuncTranslator {
    ctx: FunctionBuilderContext,
    /// Jump threading through dispatch loops (see [`dispatch`]); on by default.
    pub jump_threading: bool,
}

impl Default for FuncTranslator {
    fn default() -> FuncTranslator {
        FuncTranslator {
            ctx: FunctionBuilderContext::default(),
            jump_threading: true,
        }
    }
}

impl FuncTranslator {
    pub fn new() -> FuncTranslator {
        FuncTranslator::default()
    }

    /// Translates `body` into `func`, whose signature must already be the function's native
    /// signature (`env::wasm_signature`).
    pub fn translate(
        &mut self,
        env: &mut FuncEnv,
        body: &FunctionBody,
        func: &mut ir::Function,
    ) -> Result<()> {
        let r = self.translate_body(env, body, func);
        if r.is_err() {
            // A translation abandoned half-way leaves the builder context dirty; the next
            // function translated with this translator would trip the frontend's assertion.
            self.ctx = FunctionBuilderContext::new();
        }
        r
    }

    fn translate_body(
        &mut self,
        env: &mut FuncEnv,
        body: &FunctionBody,
        func: &mut ir::Function,
    ) -> Result<()> {
        let body_offset = body.get_binary_reader().original_position();
        // The base of the function's source locations (Cranelift stores them relative to it):
        // the body's start, before every instruction's offset (`codegen/inline.rs`).
        func.params
            .ensure_base_srcloc(SourceLoc::new(body_offset as u32));
        let mut builder = FunctionBuilder::new(func, &mut self.ctx);
        builder.set_srcloc(SourceLoc::new(body_offset as u32));
        let entry = builder.create_block();
        builder.append_block_params_for_function_params(entry);
        builder.switch_to_block(entry);
        builder.seal_block(entry);
        let vmctx = builder.block_params(entry)[0];
        env.prepare_function(&mut builder, vmctx);

        // Locals: the parameters (after vmctx), then the declared locals, zero-initialised.
        let mut locals = Vec::new();
        let params: Vec<Value> = builder.block_params(entry)[1..].to_vec();
        for p in params {
            let ty = builder.func.dfg.value_type(p);
            let var = builder.declare_var(ty);
            builder.def_var(var, p);
            locals.push(var);
        }
        let mut reader = body.get_locals_reader()?;
        for _ in 0..reader.get_count() {
            let (count, ty) = reader.read()?;
            let ty = clif_type(val_type(ty));
            let zero = zero_value(&mut builder, ty);
            for _ in 0..count {
                let var = builder.declare_var(ty);
                builder.def_var(var, zero);
                locals.push(var);
            }
        }

        // The function body is a block whose end returns.
        let return_types: Vec<Type> = builder
            .func
            .signature
            .returns
            .iter()
            .map(|p| p.value_type)
            .collect();
        let return_block = block_with_params(&mut builder, &return_types);
        let mut t = Translator {
            b: builder,
            env,
            st: Stacks::default(),
            locals,
            threading: dispatch::Threading::new(self.jump_threading),
            propagate: None,
        };
        t.st.reachable = true;
        t.st.control.push(ControlFrame {
            kind: FrameKind::Block,
            destination: return_block,
            num_params: 0,
            num_results: return_types.len(),
            original_stack_size: 0,
            exit_is_branched_to: false,
            unreachable_placeholder: false,
            dispatch: dispatch::FrameRole::None,
        });

        let mut ops = body.get_operators_reader()?;
        while !ops.eof() {
            let (op, offset) = ops.read_with_offset()?;
            dispatch::look_ahead(&mut t, &op, &ops);
            t.b.set_srcloc(SourceLoc::new(offset as u32));
            t.translate_operator(&op, offset)?;
        }
        if t.st.reachable {
            let results = t.st.popn(return_types.len());
            t.b.ins().return_(&results);
        }
        exceptions::finish_function(&mut t, &return_types);
        t.b.finalize(t.env.frontend_config());
        Ok(())
    }
}

/// The state shared by the operator families while translating one function.
pub(crate) struct Translator<'a, 'f, 'm> {
    pub b: FunctionBuilder<'f>,
    pub env: &'a mut FuncEnv<'m>,
    pub st: Stacks,
    pub locals: Vec<Variable>,
    /// Jump threading through dispatch loops ([`dispatch`]).
    pub threading: dispatch::Threading,
    /// The block an exception not caught in this function goes to (exception handling),
    /// created by the first throw that needs it.
    pub propagate: Option<Block>,
}

impl Translator<'_, '_, '_> {
    fn translate_operator(&mut self, op: &Operator, offset: u64) -> Result<()> {
        if !self.st.reachable {
            return control::translate_unreachable(self, op, offset);
        }
        let handled = control::translate(self, op)?
            || numeric::translate(self, op)?
            || variables::translate(self, op)?
            || memory::translate(self, op)?
            || calls::translate(self, op)?
            || tables::translate(self, op)?
            || simd::translate(self, op)?
            || simd_float::translate(self, op)?
            || simd_memory::translate(self, op)?
            || simd_relaxed::translate(self, op, offset)?
            || exceptions::translate(self, op)?
            || tail_calls::translate(self, op)?;
        if handled {
            Ok(())
        } else {
            Err(unsupported_operator(op, offset))
        }
    }

    /// `(params, results)` of a block type.
    fn block_type(&self, bt: BlockType) -> (Vec<Type>, Vec<Type>) {
        match bt {
            BlockType::Empty => (vec![], vec![]),
            BlockType::Type(ty) => (vec![], vec![clif_type(val_type(ty))]),
            BlockType::FuncType(i) => {
                let sig = &self.env.info.types[i as usize];
                let conv = |ts: &[ValType]| ts.iter().map(|&t| clif_type(t)).collect();
                (conv(&sig.params), conv(&sig.results))
            }
        }
    }

    /// Pushes an i1-style CLIF comparison result as a wasm i32 boolean.
    fn push_bool(&mut self, b: Value) {
        let v = self.b.ins().uextend(types::I32, b);
        self.st.push(v);
    }
}

/// Our value type of a wasmparser value type.
fn val_type(t: wasmparser::ValType) -> ValType {
    crate::module::val_type(t)
}

/// A new block with parameters of `tys`.
fn block_with_params(b: &mut FunctionBuilder, tys: &[Type]) -> Block {
    let block = b.create_block();
    for &ty in tys {
        b.append_block_param(block, ty);
    }
    block
}

/// Block-call arguments from values.
fn block_args(vals: &[Value]) -> Vec<BlockArg> {
    vals.iter().map(|&v| BlockArg::Value(v)).collect()
}

/// Zero of `ty` (the initial value of a local).
fn zero_value(b: &mut FunctionBuilder, ty: Type) -> Value {
    match ty {
        types::F32 => b.ins().f32const(Ieee32::with_bits(0)),
        types::F64 => b.ins().f64const(Ieee64::with_bits(0)),
        types::I8X16 => simd::v128_const(b, [0; 16]),
        _ => b.ins().iconst(ty, 0),
    }
}

/// Prefixes of the SIMD operators' names as wasmparser spells them.
const SIMD_PREFIXES: [&str; 7] = ["V128", "I8x16", "I16x8", "I32x4", "I64x2", "F32x4", "F64x2"];

/// The text-format name of an operator, derived from wasmparser's variant name
/// (`I32x4ExtendLowI16x8S` → `i32x4.extend_low_i16x8_s`).
pub fn operator_name(op: &Operator) -> String {
    let dbg = format!("{op:?}");
    let head = dbg.split([' ', '{', '(']).next().unwrap_or_default();
    let prefixes = SIMD_PREFIXES.iter().chain(
        [
            "I32", "I64", "F32", "F64", "Ref", "Memory", "Table", "Data", "Elem", "Local", "Global",
        ]
        .iter(),
    );
    let snake = |s: &str| {
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if c.is_ascii_uppercase() {
                if i > 0 {
                    out.push('_');
                }
                out.push(c.to_ascii_lowercase());
            } else {
                out.push(c);
            }
        }
        out
    };
    for p in prefixes {
        if let Some(rest) = head.strip_prefix(p)
            && !rest.is_empty()
        {
            return format!("{}.{}", p.to_ascii_lowercase(), snake(rest));
        }
    }
    snake(head)
}

/// The error for an operator wasmaot cannot translate (one outside WebAssembly 2.0, which only
/// a body that skipped validation can contain).
fn unsupported_operator(op: &Operator, offset: u64) -> CompileError {
    CompileError::Unsupported {
        offset,
        what: format!("operator `{}` is not supported", operator_name(op)),
    }
}

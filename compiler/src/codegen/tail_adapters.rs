//! Tail-convention adapters: for each function compiled in the tail calling convention (it
//! makes or receives tail calls, see `module/call_graph.rs`), a small C-convention function
//! that calls it and returns its results. Function references, exports and the runtime reach
//! such a function through its adapter (`FunctionDesc::entry`); tail calls reach it directly.
//!
//! Must never be used by a tail call: the adapter's frame would stay on the stack.

use cranelift_codegen::ir::UserFuncName;
use cranelift_codegen::ir::{self, ExtFuncData, ExternalName, InstBuilder, UserExternalName};
use cranelift_codegen::isa::{CallConv, TargetIsa};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use rayon::prelude::*;

use super::compile::{CompiledFunction, finish};
use crate::env::{NS_WASM_FUNC, SymbolTable, wasm_signature};
use crate::error::Result;
use crate::module::ModuleInfo;

/// One adapter per defined function in the tail convention, `None` for the others; in
/// function order.
pub fn compile_tail_adapters(
    info: &ModuleInfo,
    isa: &dyn TargetIsa,
) -> Result<Vec<Option<CompiledFunction>>> {
    (info.num_imported_funcs..info.funcs.len() as u32)
        .into_par_iter()
        .map(|index| {
            info.uses_tail_cc(index)
                .then(|| compile_adapter(info, isa, index))
                .transpose()
        })
        .collect()
}

fn compile_adapter(info: &ModuleInfo, isa: &dyn TargetIsa, index: u32) -> Result<CompiledFunction> {
    let wasm_sig = info.func_signature(index);
    let native = wasm_signature(wasm_sig, isa.default_call_conv(), isa.pointer_type());
    let tail = wasm_signature(wasm_sig, CallConv::Tail, isa.pointer_type());
    let mut func = ir::Function::with_name_signature(UserFuncName::default(), native);
    let mut ctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut func, &mut ctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    b.seal_block(entry);
    let args = b.block_params(entry).to_vec();
    let name = b
        .func
        .declare_imported_user_function(UserExternalName::new(NS_WASM_FUNC, index));
    let signature = b.import_signature(tail);
    let callee = b.import_function(ExtFuncData {
        name: ExternalName::user(name),
        signature,
        colocated: true,
        patchable: false,
    });
    let call = b.ins().call(callee, &args);
    let results = b.inst_results(call).to_vec();
    b.ins().return_(&results);
    b.finalize(isa.frontend_config());
    finish(func, isa, &SymbolTable::default(), None, None)
}

//! Trampolines: the array-call entry point of each module type (how the runtime calls wasm
//! code with values in memory) and the C `main` of executables.
//!
//! Must never assume anything about a callee beyond its wasm signature.

use cranelift_codegen::ir::{
    self, AbiParam, ExtFuncData, ExternalName, GlobalValueData, InstBuilder, MemFlagsData,
    UserExternalName, UserFuncName, types,
};
use cranelift_codegen::isa::TargetIsa;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use wasmaot_abi::types::VAL_RAW_SIZE;

use super::compile::{CompiledFunction, finish};
use crate::env::{NS_SYMBOL, SymbolTable, wasm_signature};
use crate::error::Result;
use crate::module::Signature;

/// Where the module's pinned global lives between calls into it (`env/globals.rs`).
#[derive(Clone, Copy, Debug)]
pub struct PinnedSlot {
    /// The vmctx offset of its slot.
    pub offset: i32,
    /// `I32` or `I64`.
    pub ty: ir::Type,
}

impl PinnedSlot {
    /// The pinned global of `info`, if it has one.
    pub fn of(info: &crate::module::ModuleInfo<'_>) -> Option<PinnedSlot> {
        let index = info.pinned_global?;
        let offsets = wasmaot_abi::vmctx::VmOffsets::new(info.counts());
        Some(PinnedSlot {
            offset: offsets.defined_global(index) as i32,
            ty: crate::env::clif_type(info.globals[index as usize].ty),
        })
    }
}

/// The array-call trampoline of a module type:
/// `extern "C" fn(code: *const u8, vmctx: *mut u8, values: *mut u8)`. Loads the params from the
/// 16-byte slots at `values` (slot i at `16 * i`, little-endian at the slot's start), calls
/// `code(vmctx, params...)` with the wasm signature, and stores the results into slots 0..n.
/// A `v128` fills its whole slot. With a pinned global, the call runs with the global's slot
/// loaded into the pinned register, stores the register back after, and restores the caller's.
pub fn compile_array_call(
    sig: &Signature,
    isa: &dyn TargetIsa,
    pinned: Option<PinnedSlot>,
) -> Result<CompiledFunction> {
    let ptr = isa.pointer_type();
    let mut native = ir::Signature::new(isa.default_call_conv());
    native
        .params
        .extend([AbiParam::new(ptr), AbiParam::new(ptr), AbiParam::new(ptr)]);
    let wasm_sig = wasm_signature(sig, isa.default_call_conv(), ptr);
    let mut func = ir::Function::with_name_signature(UserFuncName::default(), native);
    let mut ctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut func, &mut ctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    b.seal_block(entry);
    let (code, vmctx, values) = {
        let p = b.block_params(entry);
        (p[0], p[1], p[2])
    };
    // The caller owns `values`: valid, but not necessarily 16-byte aligned.
    let flags = MemFlagsData::new()
        .with_notrap()
        .with_endianness(ir::Endianness::Little);
    let mut args = vec![vmctx];
    for (i, param) in wasm_sig.params[1..].iter().enumerate() {
        args.push(b.ins().load(
            param.value_type,
            flags,
            values,
            (VAL_RAW_SIZE as usize * i) as i32,
        ));
    }
    let sig_ref = b.import_signature(wasm_sig);
    // The host's register (callee-saved in its ABI), kept in an ordinary value across the call.
    let host_reg = pinned.map(|slot| {
        let saved = b.ins().get_pinned_reg(types::I64);
        let value = b
            .ins()
            .load(slot.ty, MemFlagsData::trusted(), vmctx, slot.offset);
        let value = match slot.ty {
            types::I64 => value,
            _ => b.ins().uextend(types::I64, value),
        };
        b.ins().set_pinned_reg(value);
        saved
    });
    let call = b.ins().call_indirect(sig_ref, code, &args);
    let results = b.inst_results(call).to_vec();
    if let (Some(slot), Some(saved)) = (pinned, host_reg) {
        let value = b.ins().get_pinned_reg(types::I64);
        let value = match slot.ty {
            types::I64 => value,
            _ => b.ins().ireduce(slot.ty, value),
        };
        b.ins()
            .store(MemFlagsData::trusted(), value, vmctx, slot.offset);
        b.ins().set_pinned_reg(saved);
    }
    for (i, r) in results.into_iter().enumerate() {
        b.ins()
            .store(flags, r, values, (VAL_RAW_SIZE as usize * i) as i32);
    }
    b.ins().return_(&[]);
    b.finalize(isa.frontend_config());
    finish(func, isa, &SymbolTable::default(), None, None)
}

/// The C `main(argc: i32, argv: *mut *mut u8) -> i32` of an executable: returns
/// `wasmaot_rt_main(argc, argv, &wasmaot_module)`.
pub fn compile_main_shim(isa: &dyn TargetIsa) -> CompiledFunction {
    let ptr = isa.pointer_type();
    let call_conv = isa.default_call_conv();
    let mut sig = ir::Signature::new(call_conv);
    sig.params
        .extend([AbiParam::new(types::I32), AbiParam::new(ptr)]);
    sig.returns.push(AbiParam::new(types::I32));
    let mut rt_main_sig = sig.clone();
    rt_main_sig.params.push(AbiParam::new(ptr));

    let mut symbols = SymbolTable::default();
    let mut func = ir::Function::with_name_signature(UserFuncName::default(), sig);
    let module_name = func.declare_imported_user_function(UserExternalName::new(
        NS_SYMBOL,
        symbols.intern(wasmaot_abi::symbols::MODULE),
    ));
    // The runtime's entry point follows the builtin naming scheme: `wasmaot_rt_main`.
    let rt_main_name = func.declare_imported_user_function(UserExternalName::new(
        NS_SYMBOL,
        symbols.intern(&wasmaot_abi::symbols::builtin("main")),
    ));
    // A data symbol: not assumed to be within PC-relative call range of the code.
    let module_gv = func.create_global_value(GlobalValueData::Symbol {
        name: ExternalName::user(module_name),
        offset: 0.into(),
        colocated: false,
        tls: false,
    });
    let rt_main_sig = func.import_signature(rt_main_sig);
    let pic = isa.flags().is_pic();
    let rt_main = func.import_function(ExtFuncData {
        name: ExternalName::user(rt_main_name),
        signature: rt_main_sig,
        colocated: !pic,
        patchable: false,
    });

    let mut ctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut func, &mut ctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    b.seal_block(entry);
    let (argc, argv) = {
        let p = b.block_params(entry);
        (p[0], p[1])
    };
    let module = b.ins().symbol_value(ptr, module_gv);
    let call = b.ins().call(rt_main, &[argc, argv, module]);
    let status = b.inst_results(call)[0];
    b.ins().return_(&[status]);
    b.finalize(isa.frontend_config());
    finish(func, isa, &symbols, None, None).expect("the main shim always compiles")
}

/// The trampoline through which compiled code calls a linked C host function
/// (`wasmaot_host_trampoline_<i>`), with the wasm function's native shape
/// `(vmctx, params...) -> result`: it stores its own frame pointer in the vmctx's
/// `HOST_FRAME` (so `wasmaot_caller_trap` can start the wasm backtrace at the exact call
/// site, whatever frame layout the host's C compiler chose), then calls `host_symbol` with the
/// same arguments — the vmctx doubling as the host's `wasmaot_caller *` — and returns its
/// result. Frame pointers are always kept, so the trampoline's frame record is
/// `[caller's fp, return address into the caller]`.
pub fn compile_host_trampoline(
    sig: &Signature,
    host_symbol: &str,
    isa: &dyn TargetIsa,
) -> Result<CompiledFunction> {
    let ptr = isa.pointer_type();
    let call_conv = isa.default_call_conv();
    let wasm_sig = wasm_signature(sig, call_conv, ptr);
    let mut symbols = SymbolTable::default();
    let mut func = ir::Function::with_name_signature(UserFuncName::default(), wasm_sig.clone());
    let host_name = func.declare_imported_user_function(UserExternalName::new(
        NS_SYMBOL,
        symbols.intern(host_symbol),
    ));
    let host_sig = func.import_signature(wasm_sig);
    let host = func.import_function(ExtFuncData {
        name: ExternalName::user(host_name),
        signature: host_sig,
        // The host function comes from another object: reached through the PLT/GOT in PIC
        // code, by a plain call otherwise.
        colocated: !isa.flags().is_pic(),
        patchable: false,
    });
    let mut ctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut func, &mut ctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    b.seal_block(entry);
    let args = b.block_params(entry).to_vec();
    let fp = b.ins().get_frame_pointer(ptr);
    b.ins().store(
        MemFlagsData::trusted(),
        fp,
        args[0],
        wasmaot_abi::vmctx::VmOffsets::HOST_FRAME as i32,
    );
    let call = b.ins().call(host, &args);
    let results = b.inst_results(call).to_vec();
    b.ins().return_(&results);
    b.finalize(isa.frontend_config());
    finish(func, isa, &symbols, None, None)
}

//! Tail calls' runtime shape: `return_call` of a defined function (both in the tail calling
//! convention), and the parts of a function reference a `return_call_indirect`/`return_call_ref`
//! needs (its tail entry, `wasmaot_abi::vmctx::func_ref::TAIL_CODE`, and its vmctx).
//!
//! Must never emit a tail call to code that is not in the tail calling convention: a function
//! reference's `CODE` is always the C-convention entry.

use cranelift_codegen::ir::{InstBuilder, Value};
use cranelift_codegen::isa::CallConv;
use cranelift_frontend::FunctionBuilder;
use wasmaot_abi::vmctx::func_ref;

use super::{FuncEnv, mutable_flags};

impl FuncEnv<'_> {
    /// `return_call callee` for a defined function in the tail convention: ends the block.
    pub fn return_call_direct(
        &mut self,
        builder: &mut FunctionBuilder,
        callee: u32,
        args: &[Value],
    ) {
        debug_assert!(self.info.uses_tail_cc(callee));
        let f = self.direct_func_ref(builder, callee);
        let vmctx = self.vmctx(builder);
        let mut full = Vec::with_capacity(args.len() + 1);
        full.push(vmctx);
        full.extend_from_slice(args);
        builder.ins().return_call(f, &full);
    }

    /// The function reference of function `index` in our vmctx (imported functions included).
    pub fn own_func_ref(&mut self, builder: &mut FunctionBuilder, index: u32) -> Value {
        let vmctx = self.vmctx(builder);
        let offset = self.offsets.func_ref(index);
        builder.ins().iadd_imm_u(vmctx, i64::from(offset))
    }

    /// `(tail entry or null, vmctx)` of a checked, non-null function reference.
    pub fn func_ref_tail_parts(
        &mut self,
        builder: &mut FunctionBuilder,
        funcref: Value,
    ) -> (Value, Value) {
        let flags = mutable_flags().with_readonly();
        let tail = builder.ins().load(
            self.pointer_type,
            flags,
            funcref,
            func_ref::TAIL_CODE as i32,
        );
        let vmctx = builder
            .ins()
            .load(self.pointer_type, flags, funcref, func_ref::VMCTX as i32);
        (tail, vmctx)
    }

    /// `return_call_indirect` of `tail_code` (a tail entry of type `type_index`) with
    /// `callee_vmctx`: ends the block.
    pub fn return_call_tail_entry(
        &mut self,
        builder: &mut FunctionBuilder,
        type_index: u32,
        tail_code: Value,
        callee_vmctx: Value,
        args: &[Value],
    ) {
        let mut sig = self.signature_of_type(type_index);
        sig.call_conv = CallConv::Tail;
        let sig = builder.import_signature(sig);
        let mut full = Vec::with_capacity(args.len() + 1);
        full.push(callee_vmctx);
        full.extend_from_slice(args);
        builder.ins().return_call_indirect(sig, tail_code, &full);
    }
}

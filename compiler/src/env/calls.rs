//! Calls: direct calls to defined functions, WASI host functions and imported functions;
//! `call_indirect` with its null and signature checks; `call_ref` with its null check; calls to
//! runtime builtins.
//!
//! Must never call through a table element without the bounds, null and type-id checks.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    self, AbiParam, ExtFuncData, ExternalName, FuncRef, InstBuilder, SigRef, UserExternalName,
    Value, types,
};
use cranelift_frontend::FunctionBuilder;
use wasmaot_abi::builtins::{Builtin, BuiltinType};
use wasmaot_abi::trap::TrapCode;
use wasmaot_abi::vmctx::{func_import, func_ref};

use super::alias::Region;
use super::{FuncEnv, NS_WASM_FUNC, mutable_flags};

impl FuncEnv<'_> {
    /// The imported signature of wasm type `type_index` (cached).
    fn sig_ref(&mut self, builder: &mut FunctionBuilder, type_index: u32) -> SigRef {
        if let Some(&s) = self.sigs.get(&type_index) {
            return s;
        }
        let sig = self.signature_of_type(type_index);
        let s = builder.import_signature(sig);
        self.sigs.insert(type_index, s);
        s
    }

    /// The `FuncRef` of a function called directly: a defined wasm function, or a WASI host
    /// function (same native shape: `(vmctx, params...) -> results`, C ABI).
    pub(super) fn direct_func_ref(
        &mut self,
        builder: &mut FunctionBuilder,
        callee: u32,
    ) -> FuncRef {
        if let Some(&f) = self.direct_funcs.get(&callee) {
            return f;
        }
        let sig = self.signature_of_func(callee);
        let f = match &self.info.funcs[callee as usize].direct_symbol {
            Some(symbol) => {
                let symbol = symbol.clone();
                self.import_symbol_func(builder.func, &symbol, sig)
            }
            None => {
                let r = builder
                    .func
                    .declare_imported_user_function(UserExternalName::new(NS_WASM_FUNC, callee));
                let signature = builder.import_signature(sig);
                // Wasm functions are all in the same object: always a direct, PC-relative call.
                builder.import_function(ExtFuncData {
                    name: ExternalName::user(r),
                    signature,
                    colocated: true,
                    patchable: false,
                })
            }
        };
        self.direct_funcs.insert(callee, f);
        f
    }

    /// `call callee`: returns the results and the vmctx the callee ran with (where a pending
    /// exception would be, see `wasmaot_abi::exception`).
    pub fn call(
        &mut self,
        builder: &mut FunctionBuilder,
        callee: u32,
        args: &[Value],
    ) -> (Vec<Value>, Value) {
        let imported_host = callee < self.info.num_imported_funcs
            && self.info.funcs[callee as usize].direct_symbol.is_none();
        let inst = if imported_host {
            // An import supplied by the embedder: `{code, vmctx}` in our vmctx, set at
            // instantiation.
            let type_index = self.info.funcs[callee as usize].type_index;
            let sig = self.sig_ref(builder, type_index);
            let slot = self.offsets.imported_func(callee);
            let code =
                self.load_vmctx_readonly(builder, self.pointer_type, slot + func_import::CODE);
            let callee_vmctx =
                self.load_vmctx_readonly(builder, self.pointer_type, slot + func_import::VMCTX);
            let mut full = Vec::with_capacity(args.len() + 1);
            full.push(callee_vmctx);
            full.extend_from_slice(args);
            (builder.ins().call_indirect(sig, code, &full), callee_vmctx)
        } else {
            let f = self.direct_func_ref(builder, callee);
            let vmctx = self.vmctx(builder);
            let mut full = Vec::with_capacity(args.len() + 1);
            full.push(vmctx);
            full.extend_from_slice(args);
            (builder.ins().call(f, &full), vmctx)
        };
        let (inst, callee_vmctx) = inst;
        (builder.inst_results(inst).to_vec(), callee_vmctx)
    }

    /// `call_indirect (type type_index) table`: element `index` of `table` must be in bounds
    /// (`TableOutOfBounds`), non-null (`IndirectCallToNull`) and of the same canonical
    /// signature as `type_index` (`BadSignature`); then its code is called with its vmctx.
    pub fn call_indirect(
        &mut self,
        builder: &mut FunctionBuilder,
        table: u32,
        type_index: u32,
        index: Value,
        args: &[Value],
    ) -> (Vec<Value>, Value) {
        let funcref = self.checked_table_func_ref(builder, table, type_index, index);
        self.call_through_func_ref(builder, type_index, funcref, args)
    }

    /// The function reference element `index` of `table` holds, checked as `call_indirect`
    /// checks it: in bounds, non-null, of the canonical signature of `type_index`.
    pub fn checked_table_func_ref(
        &mut self,
        builder: &mut FunctionBuilder,
        table: u32,
        type_index: u32,
        index: Value,
    ) -> Value {
        let addr = self.table_elem_addr(builder, table, index);
        let flags = self.in_region(builder.func, mutable_flags(), Region::TableElements);
        let funcref = builder.ins().load(self.pointer_type, flags, addr, 0);
        self.trapz(builder, funcref, TrapCode::IndirectCallToNull);
        // A live VMFuncRef never changes, but these loads depend on the null check above: they
        // may not be hoisted (no `can_move`).
        let fr_flags = mutable_flags().with_readonly();
        let actual = builder
            .ins()
            .load(types::I32, fr_flags, funcref, func_ref::TYPE_ID as i32);
        let expected =
            self.load_vmctx_readonly(builder, types::I32, self.offsets.type_id(type_index));
        let mismatch = builder.ins().icmp(IntCC::NotEqual, actual, expected);
        self.trapnz(builder, mismatch, TrapCode::BadSignature);
        funcref
    }

    /// `call_ref type_index` (typed function references): `funcref` must be non-null
    /// (`NullFunctionReference`); validation guarantees its type is `type_index`, so there is
    /// no signature check. Its code is called with its vmctx.
    pub fn call_ref(
        &mut self,
        builder: &mut FunctionBuilder,
        type_index: u32,
        funcref: Value,
        args: &[Value],
    ) -> (Vec<Value>, Value) {
        self.trapz(builder, funcref, TrapCode::NullFunctionReference);
        self.call_through_func_ref(builder, type_index, funcref, args)
    }

    /// Calls the function a checked, non-null function reference of type `type_index` points
    /// at (after `call_indirect`'s or `call_ref`'s checks, or as a tail call's fallback): the
    /// results and the callee's vmctx.
    pub fn call_through_func_ref(
        &mut self,
        builder: &mut FunctionBuilder,
        type_index: u32,
        funcref: Value,
        args: &[Value],
    ) -> (Vec<Value>, Value) {
        let sig = self.sig_ref(builder, type_index);
        // The loads from the reference depend on the checks before: no `can_move`.
        let fr_flags = mutable_flags().with_readonly();
        self.call_func_ref(builder, sig, funcref, fr_flags, args)
    }

    /// Calls the function a checked, non-null `funcref` (a `VMFuncRef`) points at: its code,
    /// with its vmctx first. `fr_flags` are the flags of the loads from the func ref. Returns
    /// the results and the callee's vmctx.
    fn call_func_ref(
        &mut self,
        builder: &mut FunctionBuilder,
        sig: ir::SigRef,
        funcref: Value,
        fr_flags: ir::MemFlagsData,
        args: &[Value],
    ) -> (Vec<Value>, Value) {
        let code = builder
            .ins()
            .load(self.pointer_type, fr_flags, funcref, func_ref::CODE as i32);
        let callee_vmctx =
            builder
                .ins()
                .load(self.pointer_type, fr_flags, funcref, func_ref::VMCTX as i32);
        let mut full = Vec::with_capacity(args.len() + 1);
        full.push(callee_vmctx);
        full.extend_from_slice(args);
        let inst = builder.ins().call_indirect(sig, code, &full);
        (builder.inst_results(inst).to_vec(), callee_vmctx)
    }

    /// Calls runtime builtin `b` (C ABI, vmctx first): returns its results.
    pub fn call_builtin(
        &mut self,
        builder: &mut FunctionBuilder,
        b: &Builtin,
        args: &[Value],
    ) -> Vec<Value> {
        let f = match self.builtins.get(b.name) {
            Some(&f) => f,
            None => {
                let native = |t: &BuiltinType| match t {
                    BuiltinType::I32 => AbiParam::new(types::I32),
                    BuiltinType::I64 => AbiParam::new(types::I64),
                };
                let mut sig = ir::Signature::new(self.call_conv);
                sig.params.push(AbiParam::new(self.pointer_type));
                sig.params.extend(b.params.iter().map(native));
                sig.returns.extend(b.results.iter().map(native));
                let symbol = wasmaot_abi::symbols::builtin(b.name);
                let f = self.import_symbol_func(builder.func, &symbol, sig);
                self.builtins.insert(b.name, f);
                f
            }
        };
        debug_assert_eq!(args.len(), b.params.len());
        let vmctx = self.vmctx(builder);
        let mut full = Vec::with_capacity(args.len() + 1);
        full.push(vmctx);
        full.extend_from_slice(args);
        let inst = builder.ins().call(f, &full);
        builder.inst_results(inst).to_vec()
    }
}

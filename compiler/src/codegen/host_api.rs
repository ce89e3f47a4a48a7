//! The per-module functions of a static library's C API (`PREFIX_new`, `PREFIX_run`,
//! `PREFIX_initialize`, one typed `PREFIX_call_EXPORT` per exported function), compiled into
//! the module's object so no C compiler is needed to make the library. Each is a thin
//! wrapper around the runtime's generic API (`wasmaot_instance_*` in `wasmaot.h`), passing the
//! module's own descriptor and, for exports, its function index.
//!
//! Must never encode anything about the runtime beyond the C declarations in `wasmaot.h`.

use cranelift_codegen::ir::{
    self, AbiParam, ExtFuncData, ExternalName, GlobalValueData, InstBuilder, MemFlagsData,
    StackSlotData, StackSlotKind, UserExternalName, UserFuncName, types,
};
use cranelift_codegen::isa::TargetIsa;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use wasmaot_abi::types::VAL_RAW_SIZE;

use super::compile::{CompiledFunction, finish};
use crate::env::{NS_SYMBOL, SymbolTable, clif_type};
use crate::error::Result;
use crate::module::Signature;

/// One function of the module's C API, ready to be defined under `symbol`.
pub struct ApiFunction {
    pub symbol: String,
    pub code: CompiledFunction,
}

/// A function being built: its symbols and the runtime functions it calls.
struct Builder<'i> {
    isa: &'i dyn TargetIsa,
    symbols: SymbolTable,
    func: ir::Function,
}

impl<'i> Builder<'i> {
    fn new(isa: &'i dyn TargetIsa, params: &[ir::Type], returns: &[ir::Type]) -> Builder<'i> {
        let mut sig = ir::Signature::new(isa.default_call_conv());
        sig.params.extend(params.iter().map(|&t| AbiParam::new(t)));
        sig.returns
            .extend(returns.iter().map(|&t| AbiParam::new(t)));
        Builder {
            isa,
            symbols: SymbolTable::default(),
            func: ir::Function::with_name_signature(UserFuncName::default(), sig),
        }
    }

    /// Declares runtime function `name` with the given C signature.
    fn runtime_func(
        &mut self,
        name: &str,
        params: &[ir::Type],
        returns: &[ir::Type],
    ) -> ir::FuncRef {
        let mut sig = ir::Signature::new(self.isa.default_call_conv());
        sig.params.extend(params.iter().map(|&t| AbiParam::new(t)));
        sig.returns
            .extend(returns.iter().map(|&t| AbiParam::new(t)));
        let sig = self.func.import_signature(sig);
        let name = self
            .func
            .declare_imported_user_function(UserExternalName::new(
                NS_SYMBOL,
                self.symbols.intern(name),
            ));
        self.func.import_function(ExtFuncData {
            name: ExternalName::user(name),
            signature: sig,
            colocated: !self.isa.flags().is_pic(),
            patchable: false,
        })
    }

    /// The module descriptor's address.
    fn descriptor(&mut self) -> ir::GlobalValue {
        let name = self
            .func
            .declare_imported_user_function(UserExternalName::new(
                NS_SYMBOL,
                self.symbols.intern(wasmaot_abi::symbols::MODULE),
            ));
        self.func.create_global_value(GlobalValueData::Symbol {
            name: ExternalName::user(name),
            offset: 0.into(),
            colocated: false,
            tls: false,
        })
    }

    fn finish(
        mut self,
        symbol: String,
        body: impl FnOnce(&mut FunctionBuilder, &[ir::Value]),
    ) -> Result<ApiFunction> {
        let mut ctx = FunctionBuilderContext::new();
        let mut b = FunctionBuilder::new(&mut self.func, &mut ctx);
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        b.seal_block(entry);
        let params = b.block_params(entry).to_vec();
        body(&mut b, &params);
        b.finalize(self.isa.frontend_config());
        let code = finish(self.func, self.isa, &self.symbols, None, None)?;
        Ok(ApiFunction { symbol, code })
    }
}

/// `wasmaot_instance *PREFIX_new(const wasmaot_config *, wasmaot_error **)`.
fn compile_new(prefix: &str, isa: &dyn TargetIsa) -> Result<ApiFunction> {
    let ptr = isa.pointer_type();
    let mut f = Builder::new(isa, &[ptr, ptr], &[ptr]);
    let new = f.runtime_func("wasmaot_instance_new", &[ptr, ptr, ptr], &[ptr]);
    let desc = f.descriptor();
    f.finish(format!("{prefix}_new"), |b, p| {
        let module = b.ins().symbol_value(ptr, desc);
        let call = b.ins().call(new, &[module, p[0], p[1]]);
        let r = b.inst_results(call)[0];
        b.ins().return_(&[r]);
    })
}

/// `PREFIX_run` and `PREFIX_initialize`: forward to the generic runtime function.
fn compile_forward(
    symbol: String,
    target: &str,
    nparams: usize,
    isa: &dyn TargetIsa,
) -> Result<ApiFunction> {
    let ptr = isa.pointer_type();
    let params = vec![ptr; nparams];
    let mut f = Builder::new(isa, &params, &[types::I32]);
    let callee = f.runtime_func(target, &params, &[types::I32]);
    f.finish(symbol, |b, p| {
        let call = b.ins().call(callee, p);
        let r = b.inst_results(call)[0];
        b.ins().return_(&[r]);
    })
}

/// `int PREFIX_call_NAME(wasmaot_instance *, params..., result pointers..., wasmaot_error **)`:
/// the parameters go into 16-byte value slots on the stack, `wasmaot_instance_call_func` runs
/// function `func_index`, and on success each result is stored through its pointer (a NULL
/// pointer skips that result).
fn compile_call(
    symbol: String,
    func_index: u32,
    sig: &Signature,
    isa: &dyn TargetIsa,
) -> Result<ApiFunction> {
    let ptr = isa.pointer_type();
    let param_types: Vec<ir::Type> = sig.params.iter().map(|&t| clif_type(t)).collect();
    let result_types: Vec<ir::Type> = sig.results.iter().map(|&t| clif_type(t)).collect();
    let mut c_params = vec![ptr];
    c_params.extend(&param_types);
    c_params.extend(std::iter::repeat_n(ptr, result_types.len()));
    c_params.push(ptr);
    let mut f = Builder::new(isa, &c_params, &[types::I32]);
    let call_func = f.runtime_func(
        "wasmaot_instance_call_func",
        &[ptr, ptr, types::I32, ptr, ptr, ptr],
        &[types::I32],
    );
    let desc = f.descriptor();
    let nslots = sig.params.len().max(sig.results.len()).max(1);
    f.finish(symbol, |b, p| {
        let slots = b.create_sized_stack_slot(StackSlotData::new(
            StackSlotKind::ExplicitSlot,
            (nslots * VAL_RAW_SIZE as usize) as u32,
            4,
        ));
        let flags = MemFlagsData::trusted();
        let inst = p[0];
        let args = &p[1..1 + param_types.len()];
        let result_ptrs = &p[1 + param_types.len()..1 + param_types.len() + result_types.len()];
        let err = p[p.len() - 1];
        for (i, &a) in args.iter().enumerate() {
            b.ins()
                .stack_store(ptr, a, slots, (i * VAL_RAW_SIZE as usize) as i32);
        }
        let module = b.ins().symbol_value(ptr, desc);
        let index = b.ins().iconst(types::I32, i64::from(func_index));
        let values = b.ins().stack_addr(ptr, slots, 0);
        let n = b.ins().iconst(ptr, nslots as i64);
        let call = b
            .ins()
            .call(call_func, &[inst, module, index, values, n, err]);
        let rc = b.inst_results(call)[0];
        let done = b.create_block();
        b.append_block_param(done, types::I32);
        let mut next = b.create_block();
        b.ins().brif(rc, done, &[rc.into()], next, &[]);
        for (j, (&out, &ty)) in result_ptrs.iter().zip(&result_types).enumerate() {
            b.switch_to_block(next);
            b.seal_block(next);
            let store = b.create_block();
            next = b.create_block();
            b.ins().brif(out, store, &[], next, &[]);
            b.switch_to_block(store);
            b.seal_block(store);
            let v = b
                .ins()
                .stack_load(ptr, ty, slots, (j * VAL_RAW_SIZE as usize) as i32);
            b.ins().store(flags, v, out, 0);
            b.ins().jump(next, &[]);
        }
        b.switch_to_block(next);
        b.seal_block(next);
        let zero = b.ins().iconst(types::I32, 0);
        b.ins().jump(done, &[zero.into()]);
        b.switch_to_block(done);
        b.seal_block(done);
        let r = b.block_params(done)[0];
        b.ins().return_(&[r]);
    })
}

/// Every function of the module's C API (see [`crate::embed::ModuleInterface`] for which
/// exports get a typed function).
pub fn compile_host_api(
    prefix: &str,
    interface: &crate::embed::ModuleInterface,
    isa: &dyn TargetIsa,
) -> Result<Vec<ApiFunction>> {
    let mut out = vec![
        compile_new(prefix, isa)?,
        compile_forward(format!("{prefix}_run"), "wasmaot_instance_run", 3, isa)?,
        compile_forward(
            format!("{prefix}_initialize"),
            "wasmaot_instance_initialize",
            2,
            isa,
        )?,
    ];
    for e in interface.callable_exports() {
        out.push(compile_call(
            e.c_function(prefix),
            e.func_index,
            &e.sig,
            isa,
        )?);
    }
    Ok(out)
}

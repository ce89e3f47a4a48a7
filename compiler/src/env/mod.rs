//! The function environment: everything the translator needs to know about the runtime's shape
//! (VMContext loads, heap addressing, globals, tables, calls, builtins, traps), as a concrete
//! struct the translator calls through a small set of methods.
//!
//! Must never see a wasm `Operator` (operator semantics live in `translate/`), and is the only
//! compiler code that asks `wasmaot_abi::vmctx::VmOffsets` for an offset.

mod alias;
mod calls;
mod exceptions;
mod globals;
mod heap;
mod heap64;
mod tables;
mod tail_calls;
pub mod traps;

use cranelift_codegen::ir::{
    self, AbiParam, ArgumentPurpose, ExtFuncData, ExternalName, FuncRef, GlobalValue,
    GlobalValueData, InstBuilder, MemFlagsData, SigRef, Type, UserExternalName, Value, types,
};
use cranelift_codegen::isa::{CallConv, TargetFrontendConfig, TargetIsa};
use cranelift_frontend::FunctionBuilder;
use std::collections::HashMap;
use wasmaot_abi::types::ValType;
use wasmaot_abi::vmctx::VmOffsets;

use crate::module::{ModuleInfo, Signature};

/// `UserExternalName` namespace of wasm functions: the index is the wasm function index.
pub const NS_WASM_FUNC: u32 = 0;
/// `UserExternalName` namespace of named symbols (builtins, WASI, runtime entry points, data):
/// the index is a position in the function's [`SymbolTable`].
pub const NS_SYMBOL: u32 = 1;

/// The symbol names a function refers to through [`NS_SYMBOL`], in first-use order.
#[derive(Clone, Debug, Default)]
pub struct SymbolTable {
    names: Vec<String>,
    index: HashMap<String, u32>,
}

impl SymbolTable {
    /// The index of `name`, added if new.
    pub fn intern(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(name.to_string());
        self.index.insert(name.to_string(), i);
        i
    }

    /// The name at `index`.
    pub fn name(&self, index: u32) -> Option<&str> {
        self.names.get(index as usize).map(String::as_str)
    }
}

/// The Cranelift type of a wasm value type. A `v128` is always an `I8X16`, whatever lanes the
/// operator that made it works on (see `translate/simd.rs`).
pub fn clif_type(ty: ValType) -> Type {
    match ty {
        ValType::I32 => types::I32,
        ValType::I64 => types::I64,
        ValType::F32 => types::F32,
        ValType::F64 => types::F64,
        ValType::V128 => types::I8X16,
        // References are pointers (funcref: `*const VMFuncRef`, exnref: an exception object) or
        // opaque host values; both
        // targets are 64-bit. 0 is null.
        ValType::FuncRef | ValType::ExternRef | ValType::ExnRef => types::I64,
    }
}

/// The native signature of a wasm function of type `sig`: `(vmctx, params...) -> results`.
pub fn wasm_signature(sig: &Signature, call_conv: CallConv, pointer_type: Type) -> ir::Signature {
    let mut s = ir::Signature::new(call_conv);
    s.params
        .push(AbiParam::special(pointer_type, ArgumentPurpose::VMContext));
    for &p in &sig.params {
        s.params.push(AbiParam::new(clif_type(p)));
    }
    for &r in &sig.results {
        s.returns.push(AbiParam::new(clif_type(r)));
    }
    s
}

/// Flags for loads of VMContext fields that never change while code runs (set at
/// instantiation): they cannot trap, are aligned, and may be hoisted anywhere.
fn readonly_flags() -> MemFlagsData {
    MemFlagsData::trusted().with_readonly().with_can_move()
}

/// Flags for loads/stores of runtime-owned data that may change (globals, table lengths).
fn mutable_flags() -> MemFlagsData {
    MemFlagsData::trusted()
}

/// The runtime environment of one function being translated.
pub struct FuncEnv<'m> {
    pub info: &'m ModuleInfo<'m>,
    pub offsets: VmOffsets,
    pub pointer_type: Type,
    pub call_conv: CallConv,
    /// Position-independent code: calls to symbols outside the object go through the PLT/GOT.
    pub pic: bool,
    frontend_config: TargetFrontendConfig,
    /// Named symbols referred to by this function.
    pub symbols: SymbolTable,
    vmctx_gv: Option<GlobalValue>,
    vmctx: Option<Value>,
    /// Base of memory 0, loaded once in the entry block (which dominates every use).
    memory0_base: Option<Value>,
    sigs: HashMap<u32, SigRef>,
    direct_funcs: HashMap<u32, FuncRef>,
    builtins: HashMap<&'static str, FuncRef>,
    /// How the relaxed SIMD operators are lowered for this target (as wasmtime does).
    pub relaxed_simd: crate::translate::RelaxedSimdTarget,
}

impl<'m> FuncEnv<'m> {
    /// A fresh environment for one function of `info` compiled for `isa`.
    pub fn new(info: &'m ModuleInfo<'m>, isa: &dyn TargetIsa) -> FuncEnv<'m> {
        FuncEnv {
            info,
            offsets: VmOffsets::new(info.counts()),
            pointer_type: isa.pointer_type(),
            call_conv: isa.default_call_conv(),
            pic: isa.flags().is_pic(),
            frontend_config: isa.frontend_config(),
            symbols: SymbolTable::default(),
            vmctx_gv: None,
            vmctx: None,
            memory0_base: None,
            sigs: HashMap::new(),
            direct_funcs: HashMap::new(),
            builtins: HashMap::new(),
            relaxed_simd: crate::translate::RelaxedSimdTarget::of(isa),
        }
    }

    /// The target's frontend configuration (pointer type, ...).
    pub fn frontend_config(&self) -> TargetFrontendConfig {
        self.frontend_config
    }

    /// The native signature of wasm function type `type_index`.
    pub fn signature_of_type(&self, type_index: u32) -> ir::Signature {
        wasm_signature(
            &self.info.types[type_index as usize],
            self.call_conv,
            self.pointer_type,
        )
    }

    /// The native signature of function `index`: its type's, in the tail calling convention
    /// if the module analysis put it there (`ModuleInfo::tail_cc`).
    pub fn signature_of_func(&self, index: u32) -> ir::Signature {
        let mut sig = self.signature_of_type(self.info.funcs[index as usize].type_index);
        if self.info.uses_tail_cc(index) {
            sig.call_conv = CallConv::Tail;
        }
        sig
    }

    /// The global value of the vmctx parameter.
    fn vmctx_gv(&mut self, func: &mut ir::Function) -> GlobalValue {
        *self
            .vmctx_gv
            .get_or_insert_with(|| func.create_global_value(GlobalValueData::VMContext))
    }

    /// A global value loading a pointer-sized VMContext field that never changes.
    fn vmctx_readonly_gv(&mut self, func: &mut ir::Function, offset: u32) -> GlobalValue {
        let base = self.vmctx_gv(func);
        let flags = func
            .dfg
            .mem_flags
            .insert(readonly_flags())
            .expect("few memflags");
        func.create_global_value(GlobalValueData::Load {
            base,
            offset: (offset as i32).into(),
            global_type: self.pointer_type,
            flags,
        })
    }

    /// Sets up the per-function state, at the start of the entry block: records the vmctx
    /// parameter, loads the base of memory 0, and sets the stack limit (loaded from the vmctx, so
    /// that overflow traps with STACK_OVERFLOW, "call stack exhausted").
    pub fn prepare_function(&mut self, builder: &mut FunctionBuilder, vmctx: Value) {
        self.vmctx = Some(vmctx);
        let gv = self.vmctx_readonly_gv(builder.func, VmOffsets::STACK_LIMIT);
        builder.func.stack_limit = Some(gv);
        if !self.info.memories.is_empty() {
            // Memory bases never move (the whole reservation is mapped up front), so one load
            // serves the whole function; unused, it is removed as dead code.
            // Deliberately not `can_move`: a movable load is a pure value to the optimiser,
            // which re-materialises it in every block that uses it (a dependent load before each
            // access). Pinned in the entry block it is one register (or one spill slot).
            let vmctx = self.vmctx(builder);
            let flags = MemFlagsData::trusted().with_readonly();
            let base = builder.ins().load(
                self.pointer_type,
                flags,
                vmctx,
                VmOffsets::MEMORY0_BASE as i32,
            );
            self.memory0_base = Some(base);
        }
    }

    /// The vmctx `Value` (the first parameter of every wasm function).
    pub fn vmctx(&mut self, _builder: &mut FunctionBuilder) -> Value {
        self.vmctx.expect("prepare_function sets the vmctx")
    }

    /// A loaded VMContext field that never changes (`readonly`, hoistable).
    fn load_vmctx_readonly(
        &mut self,
        builder: &mut FunctionBuilder,
        ty: Type,
        offset: u32,
    ) -> Value {
        let vmctx = self.vmctx(builder);
        builder
            .ins()
            .load(ty, readonly_flags(), vmctx, offset as i32)
    }

    /// A reference to a named symbol, declared as a user external name.
    fn symbol_name(&mut self, func: &mut ir::Function, symbol: &str) -> ExternalName {
        let index = self.symbols.intern(symbol);
        let r = func.declare_imported_user_function(UserExternalName::new(NS_SYMBOL, index));
        ExternalName::user(r)
    }

    /// Imports a function named `symbol` outside this object (runtime builtins, WASI).
    fn import_symbol_func(
        &mut self,
        func: &mut ir::Function,
        symbol: &str,
        sig: ir::Signature,
    ) -> FuncRef {
        let name = self.symbol_name(func, symbol);
        let signature = func.import_signature(sig);
        // In a static executable every symbol is in range of a direct call; a shared object
        // reaches the runtime through the PLT.
        func.import_function(ExtFuncData {
            name,
            signature,
            colocated: !self.pic,
            patchable: false,
        })
    }
}

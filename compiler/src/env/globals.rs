//! Globals: defined globals live in a 16-byte slot inside the vmctx; imported globals are
//! reached through a pointer (set at instantiation) to the owner's slot. Values are
//! little-endian at offset 0 of the slot; a `v128` fills it.
//!
//! **The pinned global** ([`ModuleInfo::pinned_global`](crate::module::ModuleInfo), only in
//! executables): while the module's code runs, its value is in the pinned register (x86_64 r15,
//! aarch64 x21, both callee-saved in the C ABI, and never allocated by Cranelift when pinning is
//! on), zero-extended to 64 bits; the slot is stale. The array-call trampoline loads the slot
//! into the register on entry and stores it back on return (restoring the host's register);
//! around every call out to the runtime or a host function the register is stored to the slot
//! and reloaded after, so a host that re-enters the module, or reads the slot, sees the current
//! value. Calls between the module's own functions (direct, indirect, tail) pass it along in
//! the register: an executable has one instance, so every function reference is its own.
//!
//! Must never claim a `v128` access is 16-byte aligned: an imported global's slot may be a
//! host's value, aligned only as the host allocated it. Must never call out of compiled code
//! without [`FuncEnv::pinned_to_slot`] before and [`FuncEnv::pinned_from_slot`] after.

use cranelift_codegen::ir::{InstBuilder, MemFlagsData, Value, types};
use cranelift_frontend::FunctionBuilder;
use wasmaot_abi::types::ValType;

use super::alias::Region;
use super::{FuncEnv, clif_type, mutable_flags};

impl FuncEnv<'_> {
    /// The base pointer and offset of global `index`'s slot, and the flags to access it with.
    fn global_slot(
        &mut self,
        builder: &mut FunctionBuilder,
        index: u32,
    ) -> (Value, i32, MemFlagsData) {
        let g = &self.info.globals[index as usize];
        // `trusted` (cannot trap, aligned) but for a v128: x86 folds an aligned vector load into
        // the SSE instruction using it, which faults on an address that is not 16-byte aligned.
        let flags = if g.ty == ValType::V128 {
            MemFlagsData::new().with_notrap()
        } else {
            mutable_flags()
        };
        // An immutable global never changes after instantiation: its loads may be hoisted.
        let flags = if g.mutable {
            flags
        } else {
            flags.with_readonly().with_can_move()
        };
        let region = if index < self.info.num_imported_globals {
            Region::ImportedGlobals
        } else {
            Region::DefinedGlobal(index)
        };
        let flags = self.in_region(builder.func, flags, region);
        if index < self.info.num_imported_globals {
            let ptr = self.load_vmctx_readonly(
                builder,
                self.pointer_type,
                self.offsets.imported_global(index),
            );
            (ptr, 0, flags)
        } else {
            let vmctx = self.vmctx(builder);
            (vmctx, self.offsets.defined_global(index) as i32, flags)
        }
    }

    /// `global.get`.
    pub fn global_get(&mut self, builder: &mut FunctionBuilder, index: u32) -> Value {
        let ty = clif_type(self.info.globals[index as usize].ty);
        if self.info.pinned_global == Some(index) {
            let v = builder.ins().get_pinned_reg(types::I64);
            return match ty {
                types::I64 => v,
                _ => builder.ins().ireduce(ty, v),
            };
        }
        let (base, offset, flags) = self.global_slot(builder, index);
        builder.ins().load(ty, flags, base, offset)
    }

    /// `global.set`.
    pub fn global_set(&mut self, builder: &mut FunctionBuilder, index: u32, value: Value) {
        if self.info.pinned_global == Some(index) {
            let wide = match builder.func.dfg.value_type(value) {
                types::I64 => value,
                _ => builder.ins().uextend(types::I64, value),
            };
            builder.ins().set_pinned_reg(wide);
            return;
        }
        let (base, offset, flags) = self.global_slot(builder, index);
        builder.ins().store(flags, value, base, offset);
    }
}

//! Globals: defined globals live in a 16-byte slot inside the vmctx; imported globals are
//! reached through a pointer (set at instantiation) to the owner's slot. Values are
//! little-endian at offset 0 of the slot; a `v128` fills it.
//!
//! Must never claim a `v128` access is 16-byte aligned: an imported global's slot may be a
//! host's value, aligned only as the host allocated it.

use cranelift_codegen::ir::{InstBuilder, MemFlagsData, Value};
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
        let (base, offset, flags) = self.global_slot(builder, index);
        builder.ins().load(ty, flags, base, offset)
    }

    /// `global.set`.
    pub fn global_set(&mut self, builder: &mut FunctionBuilder, index: u32, value: Value) {
        let (base, offset, flags) = self.global_slot(builder, index);
        builder.ins().store(flags, value, base, offset);
    }
}

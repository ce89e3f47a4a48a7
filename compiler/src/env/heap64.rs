//! 64-bit linear memories and tables (memory64 proposal): the explicit bounds check of a load or
//! store in a 64-bit memory, and the widening of index operands to the i64 the runtime builtins
//! take for every memory and table.
//!
//! The guard-region argument of `heap.rs` holds only for 32-bit indices: a 64-bit index can reach
//! any address, so an access to a 64-bit memory must never be emitted without the check of
//! [`FuncEnv::heap_addr64`], and the check must never wrap around 2^64.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{InstBuilder, Value, types};
use cranelift_frontend::FunctionBuilder;
use wasmaot_abi::trap::TrapCode;

use super::FuncEnv;
use super::traps::clif_trap_code;

impl FuncEnv<'_> {
    /// Whether memory `mem` is a 64-bit memory.
    pub(super) fn memory_is_64(&self, mem: u32) -> bool {
        self.info.memories[mem as usize].index64
    }

    /// Whether table `table` is a 64-bit table.
    pub(super) fn table_is_64(&self, table: u32) -> bool {
        self.info.tables[table as usize].index64
    }

    /// `v` as an i64: a 32-bit memory's or table's i32 operand zero-extended, a 64-bit one's
    /// as it is.
    pub(super) fn zext64(&mut self, builder: &mut FunctionBuilder, v: Value) -> Value {
        match builder.func.dfg.value_type(v) {
            types::I64 => v,
            _ => builder.ins().uextend(types::I64, v),
        }
    }

    /// `a + b` (both i64), trapping with `code` if the sum wraps: an end that does not fit in
    /// 64 bits is past every memory's length.
    pub(super) fn add_or_trap(
        &mut self,
        builder: &mut FunctionBuilder,
        a: Value,
        b: Value,
        code: TrapCode,
    ) -> Value {
        builder.ins().uadd_overflow_trap(a, b, clif_trap_code(code))
    }

    /// The native address of an `access_size`-byte access at `index + offset` (index an i64)
    /// in 64-bit memory `mem`, as `(address, immediate offset)`, after trapping with
    /// `MemoryOutOfBounds` unless the whole access lies within the current length.
    ///
    /// Derivation: the access touches bytes `[index + offset, index + offset + size)` of the
    /// memory, so it is in bounds iff `index + offset + size <= length`, the sum taken without
    /// wrapping. `offset + size` is a constant: when it fits in 64 bits, one overflow-trapping
    /// add gives `end = index + (offset + size)` (a wrap means `end >= 2^64 > length`: out of
    /// bounds); when it does not, `index + offset` and then `+ size` are added with a trap on
    /// either wrap (the second always wraps, so the access always traps, as it must). Then
    /// `end > length` traps. Past the check `index + offset < length`, so `base + index +
    /// offset` lies in the accessible part of the reservation and the access cannot fault.
    pub(super) fn heap_addr64(
        &mut self,
        builder: &mut FunctionBuilder,
        mem: u32,
        index: Value,
        offset: u64,
        access_size: u32,
    ) -> (Value, i32) {
        let oob = TrapCode::MemoryOutOfBounds;
        let end = match offset.checked_add(access_size as u64) {
            Some(end_offset) => {
                let c = builder.ins().iconst(types::I64, end_offset as i64);
                self.add_or_trap(builder, index, c, oob)
            }
            None => {
                let c = builder.ins().iconst(types::I64, offset as i64);
                let start = self.add_or_trap(builder, index, c, oob);
                let size = builder.ins().iconst(types::I64, access_size as i64);
                self.add_or_trap(builder, start, size, oob)
            }
        };
        let length = self.memory_length(builder, mem);
        let out = builder.ins().icmp(IntCC::UnsignedGreaterThan, end, length);
        self.trapnz(builder, out, oob);
        let base = self.memory_base(builder, mem);
        let addr = builder.ins().iadd(base, index);
        // Small offsets go into the instruction's immediate; larger ones into the address.
        match i32::try_from(offset) {
            Ok(imm) => (addr, imm),
            Err(_) => (builder.ins().iadd_imm_u(addr, offset as i64), 0),
        }
    }
}

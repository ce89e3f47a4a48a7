//! Linear memories: native addresses for loads and stores, `memory.size`, and the builtins
//! behind `memory.grow` and the bulk-memory operators.
//!
//! Must never omit a bounds check unless the reservation covers the whole 32-bit index space
//! plus the static offset plus the access width (it does: see the derivation in `heap_addr`).

use cranelift_codegen::ir::{InstBuilder, MemFlagsData, Value, types};
use cranelift_frontend::FunctionBuilder;
use wasmaot_abi::builtins;
use wasmaot_abi::vmctx::{VmOffsets, memory_def};

use super::{FuncEnv, readonly_flags};

/// Flags of a wasm load or store: little-endian, possibly unaligned, and trapping with the heap
/// code, so the faulting PC is recorded as a `MemoryOutOfBounds` trap site.
pub fn heap_flags() -> MemFlagsData {
    // `MemFlagsData::new()` already carries HEAP_OUT_OF_BOUNDS; say so explicitly.
    MemFlagsData::new()
        .with_endianness(cranelift_codegen::ir::Endianness::Little)
        .with_trap_code(Some(cranelift_codegen::ir::TrapCode::HEAP_OUT_OF_BOUNDS))
}

impl FuncEnv<'_> {
    /// The base address of memory `mem`. Memory bases never move (the whole reservation is
    /// mapped up front): memory 0's is loaded once per function, others' loads are `readonly`
    /// and `can_move`, so the optimiser hoists and shares them.
    fn memory_base(&mut self, builder: &mut FunctionBuilder, mem: u32) -> Value {
        if mem == 0
            && let Some(base) = self.memory0_base
        {
            return base;
        }
        let def = self.memory_def(builder, mem);
        builder.ins().load(
            self.pointer_type,
            readonly_flags(),
            def,
            memory_def::BASE as i32,
        )
    }

    /// The native address of a wasm access at `index + offset` in memory `mem`, as
    /// `(address, immediate offset)` for a load/store instruction.
    ///
    /// No bounds check. Derivation: `index` is a u32 zero-extended, so `index <= 2^32 - 1`;
    /// the static `offset` of a 32-bit memory is also `<= 2^32 - 1`; the widest access is 16
    /// bytes. So the last byte touched is at most `base + 2^33 - 2 + 15`, which is below
    /// `base + MEMORY_RESERVATION` (`8 GiB + 64 KiB`). Every byte of the reservation beyond the
    /// current length is inaccessible, so an out-of-bounds access faults at this very
    /// instruction, which carries the heap trap code.
    pub fn heap_addr(
        &mut self,
        builder: &mut FunctionBuilder,
        mem: u32,
        index: Value,
        offset: u64,
    ) -> (Value, i32) {
        debug_assert!(offset <= u32::MAX as u64);
        let base = self.memory_base(builder, mem);
        let index = builder.ins().uextend(self.pointer_type, index);
        let addr = builder.ins().iadd(base, index);
        // Small offsets go into the instruction's immediate; larger ones into the address.
        match i32::try_from(offset) {
            Ok(imm) => (addr, imm),
            Err(_) => (builder.ins().iadd_imm_u(addr, offset as i64), 0),
        }
    }

    /// The pointer to memory `mem`'s `{base, length}` definition.
    fn memory_def(&mut self, builder: &mut FunctionBuilder, mem: u32) -> Value {
        let offset = if mem == 0 {
            VmOffsets::MEMORY0_DEF
        } else {
            self.offsets.memory(mem)
        };
        self.load_vmctx_readonly(builder, self.pointer_type, offset)
    }

    /// `memory.size`: the current length in pages, as i32.
    pub fn memory_size(&mut self, builder: &mut FunctionBuilder, mem: u32) -> Value {
        let def = self.memory_def(builder, mem);
        // The length changes when the memory grows: not readonly.
        let len = builder.ins().load(
            types::I64,
            super::mutable_flags(),
            def,
            memory_def::LENGTH as i32,
        );
        let pages = builder
            .ins()
            .ushr_imm_u(len, wasmaot_abi::WASM_PAGE_SIZE.trailing_zeros() as i64);
        builder.ins().ireduce(types::I32, pages)
    }

    /// `memory.grow`: the old size in pages, or -1.
    pub fn memory_grow(&mut self, builder: &mut FunctionBuilder, mem: u32, delta: Value) -> Value {
        let mem = builder.ins().iconst(types::I32, mem as i64);
        self.call_builtin(builder, &builtins::MEMORY_GROW, &[mem, delta])[0]
    }

    /// `memory.fill`.
    pub fn memory_fill(
        &mut self,
        builder: &mut FunctionBuilder,
        mem: u32,
        dst: Value,
        byte: Value,
        len: Value,
    ) {
        let mem = builder.ins().iconst(types::I32, mem as i64);
        self.call_builtin(builder, &builtins::MEMORY_FILL, &[mem, dst, byte, len]);
    }

    /// `memory.copy`.
    pub fn memory_copy(
        &mut self,
        builder: &mut FunctionBuilder,
        dst_mem: u32,
        src_mem: u32,
        dst: Value,
        src: Value,
        len: Value,
    ) {
        let dst_mem = builder.ins().iconst(types::I32, dst_mem as i64);
        let src_mem = builder.ins().iconst(types::I32, src_mem as i64);
        self.call_builtin(
            builder,
            &builtins::MEMORY_COPY,
            &[dst_mem, src_mem, dst, src, len],
        );
    }

    /// `memory.init`.
    pub fn memory_init(
        &mut self,
        builder: &mut FunctionBuilder,
        mem: u32,
        data: u32,
        dst: Value,
        src: Value,
        len: Value,
    ) {
        let mem = builder.ins().iconst(types::I32, mem as i64);
        let data = builder.ins().iconst(types::I32, data as i64);
        self.call_builtin(builder, &builtins::MEMORY_INIT, &[mem, data, dst, src, len]);
    }

    /// `data.drop`.
    pub fn data_drop(&mut self, builder: &mut FunctionBuilder, data: u32) {
        let data = builder.ins().iconst(types::I32, data as i64);
        self.call_builtin(builder, &builtins::DATA_DROP, &[data]);
    }
}

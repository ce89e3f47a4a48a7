//! Linear memories: native addresses for loads and stores, `memory.size`, inline `memory.copy`
//! and `memory.fill` (bounds check + C library call), and the builtins behind `memory.grow`,
//! `memory.init` and `data.drop`. 64-bit memories (memory64) take their addresses from
//! `heap64.rs`; the bulk operators here accept i32 and i64 operands alike.
//!
//! Must never omit a bounds check unless the reservation covers the whole 32-bit index space
//! plus the static offset plus the access width (it does for a 32-bit memory: see the
//! derivation in `heap_addr`; never for a 64-bit one).

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{self, AbiParam, InstBuilder, MemFlagsData, Value, types};
use cranelift_frontend::FunctionBuilder;
use wasmaot_abi::trap::TrapCode;
use wasmaot_abi::vmctx::{VmOffsets, memory_def};
use wasmaot_abi::{builtins, symbols};

use super::alias::Region;
use super::{FuncEnv, readonly_flags};

impl FuncEnv<'_> {
    /// Flags of a wasm load or store: little-endian, possibly unaligned, trapping with the heap
    /// code (so the faulting PC is recorded as a `MemoryOutOfBounds` trap site), in the linear
    /// memory alias region.
    pub fn heap_flags(&mut self, builder: &mut FunctionBuilder) -> MemFlagsData {
        // `MemFlagsData::new()` already carries HEAP_OUT_OF_BOUNDS; say so explicitly.
        let flags = MemFlagsData::new()
            .with_endianness(cranelift_codegen::ir::Endianness::Little)
            .with_trap_code(Some(cranelift_codegen::ir::TrapCode::HEAP_OUT_OF_BOUNDS));
        self.in_region(builder.func, flags, Region::Memory)
    }

    /// The base address of memory `mem`. Memory bases never move (the whole reservation is
    /// mapped up front): memory 0's is loaded once per function, others' loads are `readonly`
    /// and `can_move`, so the optimiser hoists and shares them.
    pub(super) fn memory_base(&mut self, builder: &mut FunctionBuilder, mem: u32) -> Value {
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

    /// The native address of an `access_size`-byte wasm access at `index + offset` in memory
    /// `mem`, as `(address, immediate offset)` for a load/store instruction.
    ///
    /// A 64-bit memory is checked explicitly ([`FuncEnv::heap_addr64`]). A 32-bit memory has
    /// no bounds check. Derivation: `index` is a u32 zero-extended, so `index <= 2^32 - 1`;
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
        access_size: u32,
    ) -> (Value, i32) {
        if self.memory_is_64(mem) {
            return self.heap_addr64(builder, mem, index, offset, access_size);
        }
        debug_assert!(offset <= u32::MAX as u64 && access_size <= 16);
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

    /// The current length of memory `mem` in bytes (an i64).
    pub(super) fn memory_length(&mut self, builder: &mut FunctionBuilder, mem: u32) -> Value {
        let def = self.memory_def(builder, mem);
        // The length changes when the memory grows: not readonly.
        builder.ins().load(
            types::I64,
            super::mutable_flags(),
            def,
            memory_def::LENGTH as i32,
        )
    }

    /// `memory.size`: the current length in pages, as the memory's index type.
    pub fn memory_size(&mut self, builder: &mut FunctionBuilder, mem: u32) -> Value {
        let len = self.memory_length(builder, mem);
        let pages = builder
            .ins()
            .ushr_imm_u(len, wasmaot_abi::WASM_PAGE_SIZE.trailing_zeros() as i64);
        match self.memory_is_64(mem) {
            true => pages,
            false => builder.ins().ireduce(types::I32, pages),
        }
    }

    /// `memory.grow`: the old size in pages, or -1, as the memory's index type.
    pub fn memory_grow(&mut self, builder: &mut FunctionBuilder, mem: u32, delta: Value) -> Value {
        let delta = self.zext64(builder, delta);
        let index = builder.ins().iconst(types::I32, mem as i64);
        let old = self.call_builtin(builder, &builtins::MEMORY_GROW, &[index, delta])[0];
        match self.memory_is_64(mem) {
            true => old,
            false => builder.ins().ireduce(types::I32, old),
        }
    }

    /// The native address of the `len`-byte range at `index` in memory `mem`, after trapping
    /// with `MemoryOutOfBounds` unless the whole range lies within the memory's current length.
    /// Returns `(address, len as a pointer-sized value)`. `index` and `len` are i32 or i64
    /// (memory64: either may be 64-bit, as in a `memory.copy` between a 32-bit and a 64-bit
    /// memory).
    fn checked_range(
        &mut self,
        builder: &mut FunctionBuilder,
        mem: u32,
        index: Value,
        len: Value,
    ) -> (Value, Value) {
        let length = self.memory_length(builder, mem);
        let wide = [index, len]
            .iter()
            .any(|&v| builder.func.dfg.value_type(v) == types::I64);
        let index = self.zext64(builder, index);
        let len = self.zext64(builder, len);
        let end = match wide {
            // A 64-bit operand: the sum may wrap, which is out of bounds.
            true => self.add_or_trap(builder, index, len, TrapCode::MemoryOutOfBounds),
            // Both are below 2^32: the sum cannot wrap.
            false => builder.ins().iadd(index, len),
        };
        let oob = builder.ins().icmp(IntCC::UnsignedGreaterThan, end, length);
        self.trapnz(builder, oob, TrapCode::MemoryOutOfBounds);
        let base = self.memory_base(builder, mem);
        (builder.ins().iadd(base, index), len)
    }

    /// Calls the runtime's `symbol` (its `memmove` or `memset`: pointer, pointer-or-int, size).
    fn call_mem_op(&mut self, builder: &mut FunctionBuilder, symbol: &str, args: [Value; 3]) {
        let ptr = self.pointer_type;
        let mut sig = ir::Signature::new(self.call_conv);
        for v in args {
            sig.params
                .push(AbiParam::new(builder.func.dfg.value_type(v)));
        }
        sig.returns.push(AbiParam::new(ptr));
        let f = self.import_symbol_func(builder.func, symbol, sig);
        builder.ins().call(f, &args);
    }

    /// `memory.fill`: an inline bounds check, then `memset` (no builtin frame: Go clears every
    /// allocation this way, often a few bytes at a time).
    pub fn memory_fill(
        &mut self,
        builder: &mut FunctionBuilder,
        mem: u32,
        dst: Value,
        byte: Value,
        len: Value,
    ) {
        let (dst, len) = self.checked_range(builder, mem, dst, len);
        self.call_mem_op(builder, symbols::RT_MEMSET, [dst, byte, len]);
    }

    /// `memory.copy`: inline bounds checks of both ranges (both before any byte is written, as
    /// the spec requires), then `memmove` (overlap-safe).
    pub fn memory_copy(
        &mut self,
        builder: &mut FunctionBuilder,
        dst_mem: u32,
        src_mem: u32,
        dst: Value,
        src: Value,
        len: Value,
    ) {
        let (src, _) = self.checked_range(builder, src_mem, src, len);
        let (dst, len) = self.checked_range(builder, dst_mem, dst, len);
        self.call_mem_op(builder, symbols::RT_MEMMOVE, [dst, src, len]);
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
        let dst = self.zext64(builder, dst);
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

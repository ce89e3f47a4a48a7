//! Tables and references: bounds-checked element access through the `{base, length}` table
//! definition the vmctx points at, `ref.func`, and the builtins behind the table operators that
//! allocate or copy. Indices, sizes and lengths are i32 or, for a 64-bit table (memory64), i64.
//!
//! Must never read an element without first checking the index against the current length.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{InstBuilder, Value, types};
use cranelift_frontend::FunctionBuilder;
use wasmaot_abi::builtins;
use wasmaot_abi::trap::TrapCode;
use wasmaot_abi::vmctx::table_def;

use super::alias::Region;
use super::{FuncEnv, mutable_flags};

impl FuncEnv<'_> {
    /// The pointer to table `table`'s definition (fixed at instantiation).
    fn table_def(&mut self, builder: &mut FunctionBuilder, table: u32) -> Value {
        self.load_vmctx_readonly(builder, self.pointer_type, self.offsets.table(table))
    }

    /// The current length of table `table` (u64, changes on `table.grow`).
    fn table_len(&mut self, builder: &mut FunctionBuilder, def: Value) -> Value {
        builder
            .ins()
            .load(types::I64, mutable_flags(), def, table_def::LENGTH as i32)
    }

    /// The address of element `index` (the table's index type) of `table`, after trapping
    /// with `TableOutOfBounds` unless `index < length` (unsigned).
    pub fn table_elem_addr(
        &mut self,
        builder: &mut FunctionBuilder,
        table: u32,
        index: Value,
    ) -> Value {
        let def = self.table_def(builder, table);
        let len = self.table_len(builder, def);
        let index = self.zext64(builder, index);
        let oob = builder
            .ins()
            .icmp(IntCC::UnsignedGreaterThanOrEqual, index, len);
        self.trapnz(builder, oob, TrapCode::TableOutOfBounds);
        let base = builder.ins().load(
            self.pointer_type,
            mutable_flags(),
            def,
            table_def::BASE as i32,
        );
        let scaled = builder.ins().imul_imm_u(index, table_def::ELEM_SIZE as i64);
        builder.ins().iadd(base, scaled)
    }

    /// `table.get`: the element (a reference, I64).
    pub fn table_get(&mut self, builder: &mut FunctionBuilder, table: u32, index: Value) -> Value {
        let addr = self.table_elem_addr(builder, table, index);
        let flags = self.in_region(builder.func, mutable_flags(), Region::TableElements);
        builder.ins().load(types::I64, flags, addr, 0)
    }

    /// `table.set`.
    pub fn table_set(
        &mut self,
        builder: &mut FunctionBuilder,
        table: u32,
        index: Value,
        value: Value,
    ) {
        let addr = self.table_elem_addr(builder, table, index);
        let flags = self.in_region(builder.func, mutable_flags(), Region::TableElements);
        builder.ins().store(flags, value, addr, 0);
    }

    /// `table.size`: the current length, as the table's index type.
    pub fn table_size(&mut self, builder: &mut FunctionBuilder, table: u32) -> Value {
        let def = self.table_def(builder, table);
        let len = self.table_len(builder, def);
        match self.table_is_64(table) {
            true => len,
            false => builder.ins().ireduce(types::I32, len),
        }
    }

    /// `table.grow`: the old size, or -1, as the table's index type.
    pub fn table_grow(
        &mut self,
        builder: &mut FunctionBuilder,
        table: u32,
        init: Value,
        delta: Value,
    ) -> Value {
        let delta = self.zext64(builder, delta);
        let index = builder.ins().iconst(types::I32, table as i64);
        let old = self.call_builtin(builder, &builtins::TABLE_GROW, &[index, init, delta])[0];
        match self.table_is_64(table) {
            true => old,
            false => builder.ins().ireduce(types::I32, old),
        }
    }

    /// `table.fill`.
    pub fn table_fill(
        &mut self,
        builder: &mut FunctionBuilder,
        table: u32,
        dst: Value,
        value: Value,
        len: Value,
    ) {
        let dst = self.zext64(builder, dst);
        let len = self.zext64(builder, len);
        let table = builder.ins().iconst(types::I32, table as i64);
        self.call_builtin(builder, &builtins::TABLE_FILL, &[table, dst, value, len]);
    }

    /// `table.copy`.
    pub fn table_copy(
        &mut self,
        builder: &mut FunctionBuilder,
        dst_table: u32,
        src_table: u32,
        dst: Value,
        src: Value,
        len: Value,
    ) {
        let dst = self.zext64(builder, dst);
        let src = self.zext64(builder, src);
        let len = self.zext64(builder, len);
        let dst_table = builder.ins().iconst(types::I32, dst_table as i64);
        let src_table = builder.ins().iconst(types::I32, src_table as i64);
        self.call_builtin(
            builder,
            &builtins::TABLE_COPY,
            &[dst_table, src_table, dst, src, len],
        );
    }

    /// `table.init`.
    pub fn table_init(
        &mut self,
        builder: &mut FunctionBuilder,
        table: u32,
        elem: u32,
        dst: Value,
        src: Value,
        len: Value,
    ) {
        let dst = self.zext64(builder, dst);
        let table = builder.ins().iconst(types::I32, table as i64);
        let elem = builder.ins().iconst(types::I32, elem as i64);
        self.call_builtin(
            builder,
            &builtins::TABLE_INIT,
            &[table, elem, dst, src, len],
        );
    }

    /// `elem.drop`.
    pub fn elem_drop(&mut self, builder: &mut FunctionBuilder, elem: u32) {
        let elem = builder.ins().iconst(types::I32, elem as i64);
        self.call_builtin(builder, &builtins::ELEM_DROP, &[elem]);
    }

    /// `ref.func`: the address of function `index`'s `VMFuncRef` inside the vmctx.
    pub fn ref_func(&mut self, builder: &mut FunctionBuilder, index: u32) -> Value {
        let vmctx = self.vmctx(builder);
        builder
            .ins()
            .iadd_imm_u(vmctx, self.offsets.func_ref(index) as i64)
    }
}

//! Table and reference operators: `table.*`, `elem.drop`, `ref.null`, `ref.is_null`,
//! `ref.func`, `ref.as_non_null` (typed function references). References are I64 values, 0
//! being null.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{InstBuilder, types};
use wasmparser::Operator;

use wasmaot_abi::trap::TrapCode;

use super::Translator;
use crate::error::Result;

pub(super) fn translate(t: &mut Translator, op: &Operator) -> Result<bool> {
    use Operator as O;
    match op {
        O::TableGet { table } => {
            let index = t.st.pop();
            let v = t.env.table_get(&mut t.b, *table, index);
            t.st.push(v);
        }
        O::TableSet { table } => {
            let (index, value) = t.st.pop2();
            t.env.table_set(&mut t.b, *table, index, value);
        }
        O::TableSize { table } => {
            let v = t.env.table_size(&mut t.b, *table);
            t.st.push(v);
        }
        O::TableGrow { table } => {
            let (init, delta) = t.st.pop2();
            let v = t.env.table_grow(&mut t.b, *table, init, delta);
            t.st.push(v);
        }
        O::TableFill { table } => {
            let (dst, value, len) = t.st.pop3();
            t.env.table_fill(&mut t.b, *table, dst, value, len);
        }
        O::TableCopy {
            dst_table,
            src_table,
        } => {
            let (dst, src, len) = t.st.pop3();
            t.env
                .table_copy(&mut t.b, *dst_table, *src_table, dst, src, len);
        }
        O::TableInit { elem_index, table } => {
            let (dst, src, len) = t.st.pop3();
            t.env
                .table_init(&mut t.b, *table, *elem_index, dst, src, len);
        }
        O::ElemDrop { elem_index } => t.env.elem_drop(&mut t.b, *elem_index),
        O::RefNull { .. } => {
            let v = t.b.ins().iconst(types::I64, 0);
            t.st.push(v);
        }
        O::RefIsNull => {
            let r = t.st.pop();
            let c = t.b.ins().icmp_imm_u(IntCC::Equal, r, 0);
            t.push_bool(c);
        }
        O::RefAsNonNull => {
            let r = t.st.pop();
            t.env.trapz(&mut t.b, r, TrapCode::NullReference);
            t.st.push(r);
        }
        O::RefFunc { function_index } => {
            let v = t.env.ref_func(&mut t.b, *function_index);
            t.st.push(v);
        }
        _ => return Ok(false),
    }
    Ok(true)
}

//! Tail calls: `return_call`, `return_call_indirect`, `return_call_ref`.
//!
//! A function containing one is compiled in the tail calling convention (see
//! `module/call_graph.rs`), and so is every defined function a `return_call` names, so a
//! direct tail call is a Cranelift `return_call`: constant stack however deep the recursion.
//! Through a function reference, the callee's tail entry is used when it has one (it is a
//! tail-convention function of a module compiled by wasmaot) and, when this module can see
//! exceptions, runs with our vmctx (so an exception it throws is pending where our caller
//! looks); otherwise the callee is called normally and its results returned. A `return_call`
//! of an import goes through the import's function reference the same way.
//!
//! Must never let a handler of this function catch an exception from a tail-called callee:
//! the callee runs after this function's frame is gone, outside its `try_table`s.

use cranelift_codegen::ir::{InstBuilder, Value, condcodes::IntCC};
use wasmaot_abi::trap::TrapCode;
use wasmparser::Operator;

use super::{Translator, exceptions};
use crate::error::Result;

pub(super) fn translate(t: &mut Translator, op: &Operator) -> Result<bool> {
    match op {
        Operator::ReturnCall { function_index } => {
            let callee = *function_index;
            let type_index = t.env.info.funcs[callee as usize].type_index;
            let n = t.env.info.types[type_index as usize].params.len();
            let args = t.st.popn(n);
            if callee >= t.env.info.num_imported_funcs {
                t.env.return_call_direct(&mut t.b, callee, &args);
            } else {
                let funcref = t.env.own_func_ref(&mut t.b, callee);
                tail_call_through_ref(t, type_index, funcref, &args);
            }
        }
        Operator::ReturnCallIndirect {
            type_index,
            table_index,
        } => {
            let index = t.st.pop();
            let n = t.env.info.types[*type_index as usize].params.len();
            let args = t.st.popn(n);
            let funcref = t
                .env
                .checked_table_func_ref(&mut t.b, *table_index, *type_index, index);
            tail_call_through_ref(t, *type_index, funcref, &args);
        }
        Operator::ReturnCallRef { type_index } => {
            let funcref = t.st.pop();
            let n = t.env.info.types[*type_index as usize].params.len();
            let args = t.st.popn(n);
            t.env
                .trapz(&mut t.b, funcref, TrapCode::NullFunctionReference);
            tail_call_through_ref(t, *type_index, funcref, &args);
        }
        _ => return Ok(false),
    }
    t.st.reachable = false;
    Ok(true)
}

/// Tail-calls the function a checked, non-null `funcref` points at (see the module doc).
fn tail_call_through_ref(t: &mut Translator, type_index: u32, funcref: Value, args: &[Value]) {
    let (tail_code, callee_vmctx) = t.env.func_ref_tail_parts(&mut t.b, funcref);
    let exceptions_seen = t.env.info.indirect_call_may_throw();
    let cond = if exceptions_seen {
        let own = t.env.vmctx(&mut t.b);
        let same = t.b.ins().icmp(IntCC::Equal, callee_vmctx, own);
        let has_tail = t.b.ins().icmp_imm_u(IntCC::NotEqual, tail_code, 0);
        t.b.ins().band(same, has_tail)
    } else {
        tail_code
    };
    let tail = t.b.create_block();
    let slow = t.b.create_block();
    t.b.ins().brif(cond, tail, &[], slow, &[]);
    t.b.seal_block(tail);
    t.b.seal_block(slow);

    t.b.switch_to_block(tail);
    t.env
        .return_call_tail_entry(&mut t.b, type_index, tail_code, callee_vmctx, args);

    t.b.switch_to_block(slow);
    t.b.set_cold_block(slow);
    let (results, callee_vmctx) = t
        .env
        .call_through_func_ref(&mut t.b, type_index, funcref, args);
    if exceptions_seen {
        exceptions::check_after_call_propagating(t, callee_vmctx);
    }
    t.b.ins().return_(&results);
}

//! `call`, `call_indirect` and `call_ref` (typed function references): pops the arguments, lets
//! the environment emit the call, checks for an exception the callee threw (when it may have,
//! see `exceptions.rs`), pushes the results. (`return_call*` belong to the tail-call
//! proposal, which wasmaot does not implement.)

use wasmparser::Operator;

use super::{Translator, exceptions};
use crate::error::Result;

pub(super) fn translate(t: &mut Translator, op: &Operator) -> Result<bool> {
    match op {
        Operator::Call { function_index } => {
            let n = t.env.info.func_signature(*function_index).params.len();
            let args = t.st.popn(n);
            let (results, callee_vmctx) = t.env.call(&mut t.b, *function_index, &args);
            if t.env.info.call_may_throw(*function_index) {
                exceptions::check_after_call(t, callee_vmctx);
            }
            t.st.values.extend(results);
        }
        Operator::CallIndirect {
            type_index,
            table_index,
        } => {
            let index = t.st.pop();
            let n = t.env.info.types[*type_index as usize].params.len();
            let args = t.st.popn(n);
            let (results, callee_vmctx) =
                t.env
                    .call_indirect(&mut t.b, *table_index, *type_index, index, &args);
            if t.env.info.indirect_call_may_throw() {
                exceptions::check_after_call(t, callee_vmctx);
            }
            t.st.values.extend(results);
        }
        Operator::CallRef { type_index } => {
            let callee = t.st.pop();
            let n = t.env.info.types[*type_index as usize].params.len();
            let args = t.st.popn(n);
            let (results, callee_vmctx) = t.env.call_ref(&mut t.b, *type_index, callee, &args);
            if t.env.info.indirect_call_may_throw() {
                exceptions::check_after_call(t, callee_vmctx);
            }
            t.st.values.extend(results);
        }
        _ => return Ok(false),
    }
    Ok(true)
}

//! Locals (CLIF `Variable`s, so the SSA builder places block params) and globals (whose storage
//! the environment knows).

use wasmparser::Operator;

use super::Translator;
use crate::error::Result;

pub(super) fn translate(t: &mut Translator, op: &Operator) -> Result<bool> {
    match op {
        Operator::LocalGet { local_index } => {
            let v = t.b.use_var(t.locals[*local_index as usize]);
            t.st.push(v);
        }
        Operator::LocalSet { local_index } => {
            let v = t.st.pop();
            t.b.def_var(t.locals[*local_index as usize], v);
        }
        Operator::LocalTee { local_index } => {
            let v = *t.st.peekn(1).first().expect("validated");
            t.b.def_var(t.locals[*local_index as usize], v);
        }
        Operator::GlobalGet { global_index } => {
            let v = t.env.global_get(&mut t.b, *global_index);
            t.st.push(v);
        }
        Operator::GlobalSet { global_index } => {
            let v = t.st.pop();
            t.env.global_set(&mut t.b, *global_index, v);
        }
        _ => return Ok(false),
    }
    Ok(true)
}

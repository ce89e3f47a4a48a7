//! Exception handling (Wasm 3.0): `try_table` with `catch`/`catch_ref`/`catch_all`/
//! `catch_all_ref`, `throw`, `throw_ref`, and the check after calls that may throw.
//!
//! Exceptions follow the protocol of `wasmaot_abi::exception`: no native unwinding. Each
//! `try_table` gets a *dispatch block* taking the exception; a throw (or a callee found to
//! have thrown) jumps to the innermost dispatch block of this function, or to the function's
//! *propagate block*, which makes the exception pending in our vmctx and returns. A dispatch
//! block tries the catch clauses in order and, if none matches, jumps to the next one out.
//!
//! Must never let execution continue after a call whose callee threw: every call the module
//! analysis (`module/throws.rs`) says may throw is followed by [`check_after_call`].

use cranelift_codegen::ir::{Block, InstBuilder, Value, condcodes::IntCC, types};
use wasmaot_abi::trap::TrapCode;
use wasmparser::{Catch, Operator, TryTable};

use super::stack::FrameKind;
use super::{Translator, block_args, block_with_params, control, zero_value};
use crate::env::clif_type;
use crate::error::Result;

pub(super) fn translate(t: &mut Translator, op: &Operator) -> Result<bool> {
    match op {
        Operator::TryTable { try_table } => translate_try_table(t, try_table),
        Operator::Throw { tag_index } => {
            let n = tag_params(t, *tag_index).len();
            let args = t.st.popn(n);
            let exn = t.env.exception_alloc(&mut t.b, *tag_index, n as u32);
            for (i, v) in args.into_iter().enumerate() {
                t.env.exception_store_value(&mut t.b, exn, i as u32, v);
            }
            let handler = current_handler(t);
            t.b.ins().jump(handler, &block_args(&[exn]));
            t.st.reachable = false;
        }
        Operator::ThrowRef => {
            let exn = t.st.pop();
            t.env.trapz(&mut t.b, exn, TrapCode::NullReference);
            let handler = current_handler(t);
            t.b.ins().jump(handler, &block_args(&[exn]));
            t.st.reachable = false;
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// The parameter types of tag `tag`'s function type.
fn tag_params(t: &Translator, tag: u32) -> Vec<wasmaot_abi::types::ValType> {
    let ty = t.env.info.tags[tag as usize];
    t.env.info.types[ty as usize].params.clone()
}

/// Where an exception thrown here goes: the innermost `try_table`'s dispatch block, or the
/// function's propagate block.
fn current_handler(t: &mut Translator) -> Block {
    if let Some(&h) = t.st.handlers.last() {
        return h;
    }
    propagate_block(t)
}

/// The function's propagate block (created on first use).
fn propagate_block(t: &mut Translator) -> Block {
    *t.propagate.get_or_insert_with(|| {
        let b = t.b.create_block();
        t.b.append_block_param(b, types::I64);
        b
    })
}

/// After a call that may throw (`callee_vmctx` is the vmctx the callee ran with): if it left
/// an exception pending, take it and go to the current handler.
pub(super) fn check_after_call(t: &mut Translator, callee_vmctx: Value) {
    let handler = current_handler(t);
    check_after_call_to(t, callee_vmctx, handler);
}

/// As [`check_after_call`], but the exception leaves this function whatever handlers enclose
/// the call: a `return_call` done as a call and a return is outside them.
pub(super) fn check_after_call_propagating(t: &mut Translator, callee_vmctx: Value) {
    let handler = propagate_block(t);
    check_after_call_to(t, callee_vmctx, handler);
}

fn check_after_call_to(t: &mut Translator, callee_vmctx: Value, handler: Block) {
    let exn = t.env.pending_exception(&mut t.b, callee_vmctx);
    let landing = t.b.create_block();
    let cont = t.b.create_block();
    t.b.ins().brif(exn, landing, &[], cont, &[]);
    t.b.seal_block(landing);
    t.b.set_cold_block(landing);
    t.b.switch_to_block(landing);
    let null = t.b.ins().iconst(types::I64, 0);
    t.env.set_pending_exception(&mut t.b, callee_vmctx, null);
    t.b.ins().jump(handler, &block_args(&[exn]));
    t.b.seal_block(cont);
    t.b.switch_to_block(cont);
}

/// Emits the propagate block, if a throw used it: the exception becomes pending in our
/// vmctx and the function returns zeros (which the caller never reads).
pub(super) fn finish_function(t: &mut Translator, return_types: &[cranelift_codegen::ir::Type]) {
    let Some(block) = t.propagate.take() else {
        return;
    };
    t.b.seal_block(block);
    t.b.set_cold_block(block);
    t.b.switch_to_block(block);
    let exn = t.b.block_params(block)[0];
    let vmctx = t.env.vmctx(&mut t.b);
    t.env.set_pending_exception(&mut t.b, vmctx, exn);
    let zeros: Vec<Value> = return_types
        .iter()
        .map(|&ty| zero_value(&mut t.b, ty))
        .collect();
    t.b.ins().return_(&zeros);
}

/// `try_table bt catch* instr* end`: a block whose dispatch block is built now (the catch
/// labels are relative to the context outside the `try_table`), then the body.
fn translate_try_table(t: &mut Translator, tt: &TryTable) {
    let (params, results) = t.block_type(tt.ty);
    let destination = block_with_params(&mut t.b, &results);
    let body = t.b.create_block();
    t.b.ins().jump(body, &[]);

    let outer = current_handler(t);
    let dispatch = t.b.create_block();
    let exn = t.b.append_block_param(dispatch, types::I64);
    t.b.set_cold_block(dispatch);
    t.b.switch_to_block(dispatch);
    let mut caught_all = false;
    for catch in &tt.catches {
        let (tag, label, with_ref) = match *catch {
            Catch::One { tag, label } => (Some(tag), label, false),
            Catch::OneRef { tag, label } => (Some(tag), label, true),
            Catch::All { label } => (None, label, false),
            Catch::AllRef { label } => (None, label, true),
        };
        let mut values = Vec::new();
        let next = match tag {
            Some(tag) => {
                let want = t.env.tag_identity(&mut t.b, tag);
                let have = t.env.exception_tag(&mut t.b, exn);
                let hit = t.b.ins().icmp(IntCC::Equal, want, have);
                let matched = t.b.create_block();
                let next = t.b.create_block();
                t.b.ins().brif(hit, matched, &[], next, &[]);
                t.b.seal_block(matched);
                t.b.switch_to_block(matched);
                for (i, ty) in tag_params(t, tag).into_iter().enumerate() {
                    let v = t
                        .env
                        .exception_load_value(&mut t.b, exn, i as u32, clif_type(ty));
                    values.push(v);
                }
                Some(next)
            }
            None => None,
        };
        if with_ref {
            t.env.exception_expose(&mut t.b, exn);
            values.push(exn);
        } else {
            t.env.exception_release(&mut t.b, exn);
        }
        let (target, _) = control::branch_target(t, label);
        t.b.ins().jump(target, &block_args(&values));
        match next {
            Some(next) => {
                t.b.seal_block(next);
                t.b.switch_to_block(next);
            }
            // A catch-all clause catches everything: later clauses are dead.
            None => {
                caught_all = true;
                break;
            }
        }
    }
    if !caught_all {
        t.b.ins().jump(outer, &block_args(&[exn]));
    }

    t.b.seal_block(body);
    t.b.switch_to_block(body);
    t.st.handlers.push(dispatch);
    control::push_frame(
        t,
        FrameKind::TryTable { dispatch },
        destination,
        params.len(),
        results.len(),
    );
}

/// At the `end` of a `try_table`: its dispatch block has all its predecessors.
pub(super) fn end_try_table(t: &mut Translator, dispatch: Block) {
    let popped = t.st.handlers.pop();
    debug_assert_eq!(popped, Some(dispatch));
    t.b.seal_block(dispatch);
}

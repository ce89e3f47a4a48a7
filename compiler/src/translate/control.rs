//! Control flow: `block`/`loop`/`if`/`else`/`end`, branches (`br`, `br_if`, `br_table`),
//! `return`, `unreachable`, `nop`, `drop`, `select`, and skipping unreachable code.
//!
//! Wasm blocks map to CLIF blocks with real block parameters: a block's `destination` takes
//! its results, a loop's `header` takes its params. Must never leave the operand stack
//! inconsistent with the control stack at `else`/`end`.

use std::collections::HashMap;

use cranelift_codegen::entity::packed_option::ReservedValue;
use cranelift_codegen::ir::{Block, BlockCall, InstBuilder, JumpTableData, Type};
use wasmaot_abi::trap::TrapCode;
use wasmparser::Operator;

use super::dispatch::{self, FrameRole};
use super::stack::{ControlFrame, ElseData, FrameKind};
use super::{Translator, block_args, block_with_params};
use crate::error::Result;

pub(super) fn translate(t: &mut Translator, op: &Operator) -> Result<bool> {
    match op {
        Operator::Nop => {}
        Operator::Unreachable => {
            t.env.trap(&mut t.b, TrapCode::UnreachableCodeReached);
            t.st.reachable = false;
        }
        Operator::Drop => {
            t.st.pop();
        }
        Operator::Select | Operator::TypedSelect { .. } => {
            let (a, b, c) = t.st.pop3();
            let v = t.b.ins().select(c, a, b);
            t.st.push(v);
        }
        Operator::Block { blockty } => {
            let (params, results) = t.block_type(*blockty);
            let destination = block_with_params(&mut t.b, &results);
            push_frame(
                t,
                FrameKind::Block,
                destination,
                params.len(),
                results.len(),
            );
            dispatch::enter_block(t);
        }
        Operator::Loop { blockty } => {
            let (params, results) = t.block_type(*blockty);
            let header = block_with_params(&mut t.b, &params);
            let destination = block_with_params(&mut t.b, &results);
            let args = t.st.popn(params.len());
            t.b.ins().jump(header, &block_args(&args));
            // The header is sealed at `end`, once every back edge is known.
            t.b.switch_to_block(header);
            t.st.values.extend_from_slice(t.b.block_params(header));
            push_frame(
                t,
                FrameKind::Loop { header },
                destination,
                params.len(),
                results.len(),
            );
            dispatch::enter_loop(t);
        }
        Operator::If { blockty } => translate_if(t, *blockty),
        Operator::Else => translate_else(t),
        Operator::End => translate_end(t),
        Operator::Br { relative_depth } => {
            let (block, n) = branch(t, *relative_depth);
            let args = block_args(t.st.peekn(n));
            t.b.ins().jump(block, &args);
            t.st.reachable = false;
        }
        Operator::BrIf { relative_depth } => {
            let cond = t.st.pop();
            let (block, n) = branch(t, *relative_depth);
            let args = block_args(t.st.peekn(n));
            let next = t.b.create_block();
            t.b.ins().brif(cond, block, &args, next, &[]);
            t.b.seal_block(next);
            t.b.switch_to_block(next);
        }
        Operator::BrOnNull { relative_depth } => {
            // Null: branch with the values below the reference; else keep it and fall through.
            let r = t.st.pop();
            let (block, n) = branch(t, *relative_depth);
            let args = block_args(t.st.peekn(n));
            let next = t.b.create_block();
            t.b.ins().brif(r, next, &[], block, &args);
            t.b.seal_block(next);
            t.b.switch_to_block(next);
            t.st.push(r);
        }
        Operator::BrOnNonNull { relative_depth } => {
            // Non-null: branch with the reference as the last argument; else drop it.
            let r = t.st.pop();
            let (block, n) = branch(t, *relative_depth);
            let mut vals = t.st.peekn(n - 1).to_vec();
            vals.push(r);
            let args = block_args(&vals);
            let next = t.b.create_block();
            t.b.ins().brif(r, block, &args, next, &[]);
            t.b.seal_block(next);
            t.b.switch_to_block(next);
        }
        Operator::BrTable { targets } => {
            let depths = targets.targets().collect::<Result<Vec<u32>, _>>()?;
            translate_br_table(t, &depths, targets.default());
        }
        Operator::Return => {
            let n = t.st.control[0].num_results;
            let results = t.st.popn(n);
            t.b.ins().return_(&results);
            t.st.reachable = false;
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// In unreachable code only the nesting matters: placeholder frames for nested blocks, and a
/// real `else`/`end` of a frame opened in reachable code may make code reachable again.
pub(super) fn translate_unreachable(t: &mut Translator, op: &Operator, _offset: u64) -> Result<()> {
    let top_is_placeholder =
        t.st.control
            .last()
            .is_some_and(|f| f.unreachable_placeholder);
    match op {
        Operator::Block { .. }
        | Operator::Loop { .. }
        | Operator::If { .. }
        | Operator::TryTable { .. } => {
            t.st.control.push(ControlFrame {
                kind: FrameKind::Block,
                destination: Block::reserved_value(),
                num_params: 0,
                num_results: 0,
                original_stack_size: t.st.values.len(),
                exit_is_branched_to: false,
                unreachable_placeholder: true,
                dispatch: FrameRole::None,
            });
        }
        Operator::Else if !top_is_placeholder => translate_else(t),
        Operator::End if !top_is_placeholder => translate_end(t),
        Operator::End => {
            t.st.control.pop();
        }
        _ => {}
    }
    Ok(())
}

pub(super) fn push_frame(
    t: &mut Translator,
    kind: FrameKind,
    destination: Block,
    num_params: usize,
    num_results: usize,
) {
    let original_stack_size = t.st.values.len() - num_params;
    t.st.control.push(ControlFrame {
        kind,
        destination,
        num_params,
        num_results,
        original_stack_size,
        exit_is_branched_to: false,
        unreachable_placeholder: false,
        dispatch: FrameRole::None,
    });
}

/// The block a branch to `depth` jumps to, threaded through a dispatch loop where possible
/// ([`dispatch::threaded_target`]), and its argument count; records the branch.
fn branch(t: &mut Translator, depth: u32) -> (Block, usize) {
    let (block, n) = branch_target(t, depth);
    (dispatch::threaded_target(t, depth).unwrap_or(block), n)
}

/// The block a branch to `depth` jumps to and its argument count; records the branch.
pub(super) fn branch_target(t: &mut Translator, depth: u32) -> (Block, usize) {
    let frame = t.st.frame_mut(depth);
    if !frame.is_loop() {
        frame.exit_is_branched_to = true;
    }
    frame.br_destination()
}

fn translate_if(t: &mut Translator, blockty: wasmparser::BlockType) {
    let cond = t.st.pop();
    let (params, results) = t.block_type(blockty);
    let then_block = t.b.create_block();
    let destination = block_with_params(&mut t.b, &results);
    let args = block_args(t.st.peekn(params.len()));
    let else_data = if params == results {
        // Without an `else`, the false edge goes straight to the end, the params becoming the
        // results. An `else`, if any, retargets this branch.
        let branch_inst = t.b.ins().brif(cond, then_block, &[], destination, &args);
        ElseData::NoElse {
            branch_inst,
            placeholder: destination,
        }
    } else {
        let else_block = block_with_params(&mut t.b, &params);
        t.b.ins().brif(cond, then_block, &[], else_block, &args);
        t.b.seal_block(else_block);
        ElseData::WithElse { else_block }
    };
    t.b.seal_block(then_block);
    t.b.switch_to_block(then_block);
    let kind = FrameKind::If {
        else_data,
        head_is_reachable: true,
    };
    push_frame(t, kind, destination, params.len(), results.len());
}

fn translate_else(t: &mut Translator) {
    let reachable = t.st.reachable;
    let i = t.st.control.len() - 1;
    let (destination, num_results, original) = {
        let f = &t.st.control[i];
        (f.destination, f.num_results, f.original_stack_size)
    };
    if reachable {
        let results = t.st.popn(num_results);
        t.b.ins().jump(destination, &block_args(&results));
        t.st.control[i].exit_is_branched_to = true;
    }
    t.st.values.truncate(original);
    let FrameKind::If {
        else_data,
        head_is_reachable,
        ..
    } = t.st.control[i].kind
    else {
        unreachable!("`else` outside `if` in validated code")
    };
    let else_block = match else_data {
        ElseData::NoElse {
            branch_inst,
            placeholder,
        } => {
            // params == results: the else block takes the result types.
            let tys: Vec<Type> =
                t.b.block_params(destination)
                    .iter()
                    .map(|&v| t.b.func.dfg.value_type(v))
                    .collect();
            let else_block = block_with_params(&mut t.b, &tys);
            t.b.change_jump_destination(branch_inst, placeholder, else_block);
            t.b.seal_block(else_block);
            else_block
        }
        ElseData::WithElse { else_block } => else_block,
    };
    t.st.control[i].kind = FrameKind::If {
        else_data: ElseData::WithElse { else_block },
        head_is_reachable,
    };
    t.b.switch_to_block(else_block);
    t.st.values.extend_from_slice(t.b.block_params(else_block));
    t.st.reachable = head_is_reachable;
}

fn translate_end(t: &mut Translator) {
    let frame =
        t.st.control
            .pop()
            .expect("`end` matches a frame in validated code");
    let reachable = t.st.reachable;
    if reachable {
        let results = t.st.popn(frame.num_results);
        t.b.ins().jump(frame.destination, &block_args(&results));
    }
    // An `if` whose `else` never came: its false edge reaches the end directly.
    let else_edge = matches!(
        frame.kind,
        FrameKind::If {
            else_data: ElseData::NoElse { .. },
            head_is_reachable: true,
            ..
        }
    );
    if let FrameKind::TryTable { dispatch } = frame.kind {
        super::exceptions::end_try_table(t, dispatch);
    }
    if let FrameKind::Loop { header } = frame.kind {
        t.b.seal_block(header);
        dispatch::end_loop(t, &frame);
    }
    t.b.switch_to_block(frame.destination);
    if !dispatch::defer_seal(t, &frame) {
        t.b.seal_block(frame.destination);
    }
    t.st.values.truncate(frame.original_stack_size);
    t.st.values
        .extend_from_slice(t.b.block_params(frame.destination));
    t.st.reachable = reachable || frame.exit_is_branched_to || else_edge;
}

/// `br_table`: a CLIF jump table. When the targets take values, each distinct target gets one
/// edge block that jumps there with the values, so a huge table with few distinct targets
/// (Go's resume tables) stays small.
fn translate_br_table(t: &mut Translator, depths: &[u32], default: u32) {
    dispatch::before_br_table(t, depths, default);
    let index = t.st.pop();
    let (_, n) = t.st.frame_mut(default).br_destination();
    // Distinct depths in first-use order (deterministic output), each with its jump target.
    let mut order: Vec<u32> = Vec::new();
    let mut seen: HashMap<u32, Block> = HashMap::new();
    let mut entry_block = |t: &mut Translator, depth: u32| -> Block {
        if let Some(&b) = seen.get(&depth) {
            return b;
        }
        let (dest, _) = branch_target(t, depth);
        let b = if n == 0 { dest } else { t.b.create_block() };
        seen.insert(depth, b);
        order.push(depth);
        b
    };
    let default_block = entry_block(t, default);
    let blocks: Vec<Block> = depths.iter().map(|&d| entry_block(t, d)).collect();
    let pool = &mut t.b.func.dfg.value_lists;
    let def_call = BlockCall::new(default_block, [], pool);
    let calls: Vec<BlockCall> = blocks
        .iter()
        .map(|&b| BlockCall::new(b, [], pool))
        .collect();
    let jt = t.b.create_jump_table(JumpTableData::new(def_call, &calls));
    t.b.ins().br_table(index, jt);
    if n > 0 {
        let args = block_args(t.st.peekn(n));
        for depth in order {
            let edge = seen[&depth];
            let (dest, _) = t.st.frame_mut(depth).br_destination();
            t.b.seal_block(edge);
            t.b.switch_to_block(edge);
            t.b.ins().jump(dest, &args);
        }
    }
    t.st.reachable = false;
}

//! Control flow: `block`/`loop`/`if`/`else`/`end`, branches (`br`, `br_if`, `br_table`),
//! `return`, `unreachable`, `nop`, `drop`, `select`, and skipping unreachable code.
//!
//! Wasm blocks map to CLIF blocks with real block parameters: a block's `destination` takes
//! its results, a loop's `header` takes its params. Must never leave the operand stack
//! inconsistent with the control stack at `else`/`end`.

use std::collections::HashMap;

use cranelift_codegen::entity::packed_option::ReservedValue;
use cranelift_codegen::ir::{
    Block, BlockCall, InstBuilder, InstructionData, JumpTableData, Opcode, Type, ValueDef,
};
use wasmaot_abi::trap::TrapCode;
use wasmparser::Operator;

use super::stack::{ControlFrame, Dispatch, ElseData, FrameKind};
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
            // One of a dispatch loop's leading blocks (the lookahead guarantees the shape).
            if let Some((loop_index, left)) = t.st.dispatch_prologue
                && left > 0
            {
                t.st.control.last_mut().expect("pushed").defer_seal_to = Some(loop_index);
                t.st.dispatch_prologue = Some((loop_index, left - 1));
            }
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
            t.st.dispatch_prologue = None;
            if let Some((local, num_blocks)) = t.loop_lookahead.take() {
                t.st.control.last_mut().expect("pushed").dispatch = Some(Box::new(Dispatch {
                    local,
                    ..Dispatch::default()
                }));
                t.st.dispatch_prologue = Some((t.st.control.len() - 1, num_blocks));
            }
        }
        Operator::If { blockty } => translate_if(t, *blockty),
        Operator::Else => translate_else(t),
        Operator::End => translate_end(t),
        Operator::Br { relative_depth } => {
            let (block, n) = branch_target(t, *relative_depth);
            let block = threaded_target(t, *relative_depth).unwrap_or(block);
            let args = block_args(t.st.peekn(n));
            t.b.ins().jump(block, &args);
            t.st.reachable = false;
        }
        Operator::BrIf { relative_depth } => {
            let cond = t.st.pop();
            let (block, n) = branch_target(t, *relative_depth);
            let block = threaded_target(t, *relative_depth).unwrap_or(block);
            let args = block_args(t.st.peekn(n));
            let next = t.b.create_block();
            t.b.ins().brif(cond, block, &args, next, &[]);
            t.b.seal_block(next);
            t.b.switch_to_block(next);
        }
        Operator::BrOnNull { relative_depth } => {
            // Null: branch with the values below the reference; else keep it and fall through.
            let r = t.st.pop();
            let (block, n) = branch_target(t, *relative_depth);
            let block = threaded_target(t, *relative_depth).unwrap_or(block);
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
            let (block, n) = branch_target(t, *relative_depth);
            let block = threaded_target(t, *relative_depth).unwrap_or(block);
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
                dispatch: None,
                defer_seal_to: None,
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
        dispatch: None,
        defer_seal_to: None,
    });
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
        // A dispatch loop's leading blocks are complete now: no threaded jump can follow.
        for block in frame.dispatch.iter().flat_map(|d| &d.deferred_seals) {
            t.b.seal_block(*block);
        }
    }
    t.b.switch_to_block(frame.destination);
    match frame.defer_seal_to {
        Some(loop_index) => t.st.control[loop_index]
            .dispatch
            .as_mut()
            .expect("leading blocks belong to a dispatch loop")
            .deferred_seals
            .push(frame.destination),
        None => t.b.seal_block(frame.destination),
    }
    t.st.values.truncate(frame.original_stack_size);
    t.st.values
        .extend_from_slice(t.b.block_params(frame.destination));
    t.st.reachable = reachable || frame.exit_is_branched_to || else_edge;
}

/// Jump threading: where a branch to `depth` may go directly. If the target is a dispatch loop
/// whose `br_table` has been translated and the switched-on local holds a constant on this
/// path (its current SSA value is an `iconst`), the `br_table`'s target for that constant;
/// the loop header otherwise. Only the local's current value matters, so this is exact however
/// the constant got there.
fn threaded_target(t: &mut Translator, depth: u32) -> Option<Block> {
    let local = match &t.st.frame_mut(depth).dispatch {
        Some(d) if d.default.is_some() => d.local,
        _ => return None,
    };
    let value = t.b.use_var(t.locals[local as usize]);
    let ValueDef::Result(inst, _) = t.b.func.dfg.value_def(value) else {
        return None;
    };
    let InstructionData::UnaryImm {
        opcode: Opcode::Iconst,
        imm,
    } = t.b.func.dfg.insts[inst]
    else {
        return None;
    };
    let k = imm.bits() as u32 as usize;
    let d = t.st.frame_mut(depth).dispatch.as_ref().expect("checked");
    Some(
        d.table
            .get(k)
            .copied()
            .unwrap_or(d.default.expect("checked")),
    )
}

/// `br_table`: a CLIF jump table. When the targets take values, each distinct target gets one
/// edge block that jumps there with the values, so a huge table with few distinct targets
/// (Go's resume tables) stays small.
fn translate_br_table(t: &mut Translator, depths: &[u32], default: u32) {
    // The `br_table` of a dispatch loop: record where each index leads, for threading.
    if let Some((loop_index, 0)) = t.st.dispatch_prologue.take() {
        let resolve = |t: &mut Translator, depth: u32| t.st.frame_mut(depth).br_destination().0;
        let table: Vec<Block> = depths.iter().map(|&d| resolve(t, d)).collect();
        let default = resolve(t, default);
        let d = t.st.control[loop_index]
            .dispatch
            .as_mut()
            .expect("dispatch loop");
        let first = table.first().copied().unwrap_or(default);
        d.table = table;
        d.default = Some(default);
        // With constant edges threaded, the `br_table` is left to the function's entry, where
        // the index (Go's PC_B) is 0 on every ordinary call: test for that before the
        // indirect jump.
        let index = t.st.pop();
        let switch = t.b.create_block();
        t.b.ins().brif(index, switch, &[], first, &[]);
        t.b.seal_block(switch);
        t.b.switch_to_block(switch);
        t.st.push(index);
    }
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

//! Jump threading through dispatch loops, for Go's wasm code.
//!
//! Go's wasm backend compiles a function as one `loop` whose body starts with `block`*
//! `local.get $pc` `br_table`: the resume-point switch, which every jump between Go basic
//! blocks goes through as `i32.const k; local.set $pc; br $loop`. Such a loop is a *dispatch
//! loop*. A branch to it while `$pc` holds the constant `k` on that path jumps straight to the
//! `br_table`'s target for `k`; other entries (the function's entry, resumption after a
//! goroutine switch) go through the `br_table` as before.
//!
//! The control-flow translator (`control.rs`) and the operator loop (`mod.rs`) call these
//! hooks, and nothing else here:
//! * [`look_ahead`] before each operator: recognises a dispatch loop at its `loop`;
//! * [`enter_loop`] and [`enter_block`] once a `loop`'s or `block`'s frame is pushed;
//! * [`before_br_table`] at a `br_table`: records a dispatch loop's table;
//! * [`threaded_target`] at a branch: where it may jump instead of its target;
//! * [`defer_seal`] and [`end_loop`] at `end`: a leading block's destination can gain threaded
//!   predecessors until its loop ends, so it is sealed then.
//!
//! Must never change what a program computes: a branch is threaded only where the `br_table`
//! would certainly have gone, and a block is never sealed while a threaded jump to it may still
//! come. Must never be needed: with [`Threading::enabled`] off, translation is plain.

use cranelift_codegen::ir::{Block, InstBuilder, InstructionData, Opcode, ValueDef};
use wasmparser::{BlockType, Operator, OperatorsReader};

use super::Translator;
use super::stack::ControlFrame;

/// The translator's dispatch-loop state for one function.
#[derive(Debug, Default)]
pub struct Threading {
    /// Whether dispatch loops are recognised and branches into them threaded.
    pub enabled: bool,
    /// Set just before translating a `loop` that starts like a dispatch loop: the switched-on
    /// local and the number of leading blocks.
    lookahead: Option<(u32, usize)>,
    /// A dispatch loop whose leading blocks and `br_table` are still to come: the loop
    /// frame's control-stack index and how many leading blocks are left.
    prologue: Option<(usize, usize)>,
}

impl Threading {
    pub fn new(enabled: bool) -> Threading {
        Threading {
            enabled,
            ..Threading::default()
        }
    }
}

/// A control frame's part in a dispatch loop.
#[derive(Debug, Clone, Default)]
pub enum FrameRole {
    #[default]
    None,
    /// The dispatch loop itself.
    Loop(Box<DispatchLoop>),
    /// One of a dispatch loop's leading blocks: its destination may gain threaded predecessors
    /// until the loop ends, so it is sealed then, not at its own `end`. `loop_index` is the
    /// control-stack index of the loop frame.
    LeadingBlock { loop_index: usize },
}

/// What a dispatch loop's frame knows about its `br_table`.
#[derive(Debug, Clone, Default)]
pub struct DispatchLoop {
    /// The local the `br_table` switches on.
    local: u32,
    /// The `br_table`'s targets by index (empty until the `br_table` is translated), and its
    /// default.
    table: Vec<Block>,
    default: Option<Block>,
    /// Destinations of ended leading blocks, sealed when the loop ends.
    deferred_seals: Vec<Block>,
}

/// Before `op` (reachable) is translated: if it is a `loop` that starts like a dispatch loop,
/// remembers the shape for [`enter_loop`]. `ops` reads the operators after `op`.
pub(super) fn look_ahead(t: &mut Translator, op: &Operator, ops: &OperatorsReader) {
    if t.threading.enabled
        && t.st.reachable
        && let Operator::Loop {
            blockty: BlockType::Empty,
        } = op
    {
        t.threading.lookahead = dispatch_shape(ops.clone());
    }
}

/// Whether the operators after a `loop` (`ops`) are `block`* `local.get x` `br_table` with
/// empty block types: `Some((x, number of blocks))`.
fn dispatch_shape(mut ops: OperatorsReader) -> Option<(u32, usize)> {
    let mut blocks = 0;
    loop {
        match ops.read().ok()? {
            Operator::Block {
                blockty: BlockType::Empty,
            } => blocks += 1,
            Operator::LocalGet { local_index } => {
                return match ops.read().ok()? {
                    Operator::BrTable { .. } => Some((local_index, blocks)),
                    _ => None,
                };
            }
            _ => return None,
        }
    }
}

/// A `loop`'s frame has just been pushed: makes it a dispatch loop if [`look_ahead`] saw one.
pub(super) fn enter_loop(t: &mut Translator) {
    t.threading.prologue = None;
    if let Some((local, num_blocks)) = t.threading.lookahead.take() {
        t.st.control.last_mut().expect("pushed").dispatch =
            FrameRole::Loop(Box::new(DispatchLoop {
                local,
                ..DispatchLoop::default()
            }));
        t.threading.prologue = Some((t.st.control.len() - 1, num_blocks));
    }
}

/// A `block`'s frame has just been pushed: one of a dispatch loop's leading blocks, if the
/// loop's prologue has some left (the lookahead guarantees the shape).
pub(super) fn enter_block(t: &mut Translator) {
    if let Some((loop_index, left)) = t.threading.prologue
        && left > 0
    {
        t.st.control.last_mut().expect("pushed").dispatch = FrameRole::LeadingBlock { loop_index };
        t.threading.prologue = Some((loop_index, left - 1));
    }
}

/// At a `br_table` with the index on the operand stack: if it is a dispatch loop's, records
/// where each index leads (for [`threaded_target`]) and emits a test for index 0 that skips
/// the indirect jump.
pub(super) fn before_br_table(t: &mut Translator, depths: &[u32], default: u32) {
    let Some((loop_index, 0)) = t.threading.prologue.take() else {
        return;
    };
    let resolve = |t: &mut Translator, depth: u32| t.st.frame_mut(depth).br_destination().0;
    let table: Vec<Block> = depths.iter().map(|&d| resolve(t, d)).collect();
    let default = resolve(t, default);
    let FrameRole::Loop(d) = &mut t.st.control[loop_index].dispatch else {
        unreachable!("a dispatch prologue belongs to a dispatch loop")
    };
    let first = table.first().copied().unwrap_or(default);
    d.table = table;
    d.default = Some(default);
    // With constant edges threaded, the `br_table` is left to the function's entry, where the
    // index (Go's PC_B) is 0 on every ordinary call: test for that before the indirect jump.
    let index = t.st.pop();
    let switch = t.b.create_block();
    t.b.ins().brif(index, switch, &[], first, &[]);
    t.b.seal_block(switch);
    t.b.switch_to_block(switch);
    t.st.push(index);
}

/// Where a branch to `depth` may go directly. If the target is a dispatch loop whose
/// `br_table` has been translated and the switched-on local holds a constant on this path (its
/// current SSA value is an `iconst`), the `br_table`'s target for that constant; `None`
/// otherwise. Only the local's current value matters, so this is exact however the constant
/// got there.
pub(super) fn threaded_target(t: &mut Translator, depth: u32) -> Option<Block> {
    let local = match &t.st.frame_mut(depth).dispatch {
        FrameRole::Loop(d) if d.default.is_some() => d.local,
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
    let FrameRole::Loop(d) = &t.st.frame_mut(depth).dispatch else {
        unreachable!("checked")
    };
    Some(
        d.table
            .get(k)
            .copied()
            .unwrap_or(d.default.expect("checked")),
    )
}

/// At the `end` of `frame` (popped): whether sealing its destination waits for its dispatch
/// loop's end (then it is recorded for [`end_loop`]).
pub(super) fn defer_seal(t: &mut Translator, frame: &ControlFrame) -> bool {
    let FrameRole::LeadingBlock { loop_index } = frame.dispatch else {
        return false;
    };
    let FrameRole::Loop(d) = &mut t.st.control[loop_index].dispatch else {
        unreachable!("leading blocks belong to a dispatch loop")
    };
    d.deferred_seals.push(frame.destination);
    true
}

/// At the `end` of a loop (`frame`, popped): a dispatch loop's leading blocks are complete
/// now, since no threaded jump can follow; seals them.
pub(super) fn end_loop(t: &mut Translator, frame: &ControlFrame) {
    if let FrameRole::Loop(d) = &frame.dispatch {
        for block in &d.deferred_seals {
            t.b.seal_block(*block);
        }
    }
}

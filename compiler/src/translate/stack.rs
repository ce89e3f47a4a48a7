//! The translation state of one function: the operand stack of CLIF values, the control stack
//! of wasm blocks, and whether the current position is reachable.
//!
//! Must never hold anything about the runtime's shape (that is `env/`).

use cranelift_codegen::ir::{Block, Inst, Value};

use super::dispatch::FrameRole;

/// How an `if` without a reached `else` gets to its else arm.
#[derive(Debug, Clone, Copy)]
pub enum ElseData {
    /// No `else` seen yet and the block type has params == results: the `brif` at `if` goes
    /// straight to the destination (the params are the results); an `else` retargets it from
    /// `placeholder` to a fresh else block.
    NoElse {
        branch_inst: Inst,
        placeholder: Block,
    },
    /// The `brif` at `if` goes to `else_block` (which takes the block's params).
    WithElse { else_block: Block },
}

/// What kind of wasm block a frame is.
#[derive(Debug, Clone, Copy)]
pub enum FrameKind {
    Block,
    /// A branch to a loop goes to its header, with the loop's params.
    Loop {
        header: Block,
    },
    If {
        else_data: ElseData,
        /// Whether the `if` itself was reachable (the else arm is reachable iff it was).
        head_is_reachable: bool,
    },
    /// A `try_table` (exception handling): a block whose throws go to `dispatch`.
    TryTable {
        dispatch: Block,
    },
}

/// One wasm `block`/`loop`/`if` (or the function body) being translated.
#[derive(Debug, Clone)]
pub struct ControlFrame {
    pub kind: FrameKind,
    /// The CLIF block after `end`; its block params are the wasm results.
    pub destination: Block,
    pub num_params: usize,
    pub num_results: usize,
    /// Operand stack height below the block's params: truncated to this at `else`/`end`.
    pub original_stack_size: usize,
    /// Whether some branch targets `destination` (so the code after `end` is reachable).
    pub exit_is_branched_to: bool,
    /// A frame pushed while translating unreachable code: only its nesting matters.
    pub unreachable_placeholder: bool,
    /// The frame's part in a dispatch loop, if any (see [`super::dispatch`]).
    pub dispatch: FrameRole,
}

impl ControlFrame {
    /// The block a `br` to this frame jumps to, and how many values it passes.
    pub fn br_destination(&self) -> (Block, usize) {
        match self.kind {
            FrameKind::Loop { header } => (header, self.num_params),
            _ => (self.destination, self.num_results),
        }
    }

    /// Whether a `br` to this frame counts as reaching its end.
    pub fn is_loop(&self) -> bool {
        matches!(self.kind, FrameKind::Loop { .. })
    }
}

/// Operand and control stacks plus reachability.
#[derive(Debug, Default)]
pub struct Stacks {
    pub values: Vec<Value>,
    pub control: Vec<ControlFrame>,
    /// Whether the current position can execute. When false, operators are skipped except for
    /// the nesting structure (`block`/`loop`/`if`/`else`/`end`).
    pub reachable: bool,
    /// Dispatch blocks of the enclosing `try_table`s, innermost last.
    pub handlers: Vec<Block>,
}

impl Stacks {
    pub fn push(&mut self, v: Value) {
        self.values.push(v);
    }

    pub fn pop(&mut self) -> Value {
        self.values
            .pop()
            .expect("operand stack underflow in validated code")
    }

    pub fn pop2(&mut self) -> (Value, Value) {
        let b = self.pop();
        let a = self.pop();
        (a, b)
    }

    pub fn pop3(&mut self) -> (Value, Value, Value) {
        let c = self.pop();
        let (a, b) = self.pop2();
        (a, b, c)
    }

    /// Removes and returns the top `n` values, bottom first.
    pub fn popn(&mut self, n: usize) -> Vec<Value> {
        let at = self.values.len() - n;
        self.values.split_off(at)
    }

    /// The top `n` values, bottom first, left in place.
    pub fn peekn(&self, n: usize) -> &[Value] {
        &self.values[self.values.len() - n..]
    }

    /// The frame `depth` levels out (0 = innermost), as a `br` label counts.
    pub fn frame_mut(&mut self, depth: u32) -> &mut ControlFrame {
        let i = self.control.len() - 1 - depth as usize;
        &mut self.control[i]
    }
}

//! Multi-word arithmetic idioms that wasm cannot say in one instruction, rewritten to the one
//! CLIF instruction that says it, before Cranelift optimises a function.
//!
//! Wasm has no 64×64→128-bit multiply and no carry flag, so Go's `math/bits.Mul64` and
//! `bits.Add64` (the inner loops of `math/big`, `strconv`'s float parsing, the runtime's
//! `memhash` fallback and map hashing, `crypto/...`) are compiled from their portable Go
//! definitions:
//!
//! * **High half of a product.** With `x1 = x >> 32`, `x0 = x & 0xffffffff` (the same for
//!   `y`), `t = x1*y0 + (x0*y0 >> 32)`: `hi = x1*y1 + (t >> 32) + ((t & 0xffffffff) + x0*y1 >> 32)`:
//!   four multiplies, five shifts and masks, four adds. It becomes `umulhi x, y` (one `mul` on
//!   x86_64, one `umulh` on aarch64). Any association of the three-term sum and any operand
//!   order of the commutative adds and multiplies is recognised, with `x` and `y` in either
//!   role.
//! * **Carry out of an add.** `((a & b) | ((a | b) & ^(a + b))) >> 63` is the carry of the
//!   64-bit add `a + b`; it becomes `(a + b) <u a`, zero-extended.
//!
//! Both rewrites compute exactly what the original computes, for every input: the first is the
//! textbook schoolbook product (each partial sum fits in 64 bits), the second the textbook carry
//! of an add without carry in. The replaced value keeps its number; the instructions that fed
//! only it become dead and are removed by Cranelift.
//!
//! Must never rewrite an expression unless every operand has been matched to the exact shape
//! above (the same SSA value `x` in both halves, the exact constants): a near miss is left alone.

use cranelift_codegen::cursor::{Cursor, FuncCursor};
use cranelift_codegen::ir::condcodes::IntCC;
use std::cell::OnceCell;
use std::collections::HashMap;

use cranelift_codegen::ir::{
    Block, BlockArg, Function, Inst, InstBuilder, InstructionData, Opcode, Value, ValueDef, types,
};

/// What one instruction becomes.
enum Rewrite {
    /// `umulhi x, y`.
    MulHi(Operand, Operand),
    /// `uextend.i64 (icmp ult sum, a)`.
    Carry { sum: Value, a: Value },
}

/// Rewrites every recognised idiom in `func`; returns how many.
pub fn rewrite(func: &mut Function) -> usize {
    let mut found: Vec<(Inst, Rewrite)> = Vec::new();
    let preds = OnceCell::new();
    for block in func.layout.blocks() {
        for inst in func.layout.block_insts(block) {
            let Some(&[result]) = func.dfg.inst_results(inst).get(..) else {
                continue;
            };
            if func.dfg.value_type(result) != types::I64 {
                continue;
            }
            let m = Matcher {
                func,
                predecessors: &preds,
            };
            let rewrite = match func.dfg.insts[inst].opcode() {
                Opcode::Iadd => m.mul_hi(result).map(|(x, y)| Rewrite::MulHi(x, y)),
                Opcode::Ushr => m
                    .add_carry(result)
                    .map(|(sum, a)| Rewrite::Carry { sum, a }),
                _ => None,
            };
            if let Some(r) = rewrite {
                found.push((inst, r));
            }
        }
    }
    let n = found.len();
    for (inst, r) in found {
        match r {
            Rewrite::MulHi(x, y) => {
                let mut pos = FuncCursor::new(func).at_inst(inst);
                let [x, y] = [x, y].map(|o| match o {
                    Operand::Value(v) => v,
                    Operand::Halves { hi, lo } => {
                        let shifted = pos.ins().ishl_imm_u(hi, 32);
                        pos.ins().bor(shifted, lo)
                    }
                });
                pos.func.replace(inst).umulhi(x, y);
            }
            Rewrite::Carry { sum, a } => {
                let mut pos = FuncCursor::new(func).at_inst(inst);
                let below = pos.ins().icmp(IntCC::UnsignedLessThan, sum, a);
                pos.func.replace(inst).uextend(types::I64, below);
            }
        }
    }
    n
}

/// Shape queries on one function's data-flow graph.
struct Matcher<'f> {
    func: &'f Function,
    /// For each block, the branches to it: `(instruction, index among its destinations)`;
    /// computed on first need (rarely: only for a product's halves held in block parameters).
    predecessors: &'f OnceCell<HashMap<Block, Vec<(Inst, usize)>>>,
}

/// A multiplication operand: a value, or one to build from two 32-bit halves.
#[derive(Clone, Copy, Debug)]
enum Operand {
    Value(Value),
    Halves { hi: Value, lo: Value },
}

/// Every block's predecessors (branch instruction and destination index).
fn predecessors(func: &Function) -> HashMap<Block, Vec<(Inst, usize)>> {
    let mut preds: HashMap<Block, Vec<(Inst, usize)>> = HashMap::new();
    for block in func.layout.blocks() {
        let Some(inst) = func.layout.last_inst(block) else {
            continue;
        };
        let dests = func.dfg.insts[inst]
            .branch_destination(&func.dfg.jump_tables, &func.dfg.exception_tables);
        for (k, call) in dests.iter().enumerate() {
            preds
                .entry(call.block(&func.dfg.value_lists))
                .or_default()
                .push((inst, k));
        }
    }
    preds
}

impl Matcher<'_> {
    fn resolve(&self, v: Value) -> Value {
        self.func.dfg.resolve_aliases(v)
    }

    /// Whether `a` and `b` certainly hold the same value: the same SSA value; the same pure
    /// operation (`iadd`, `uextend`, a constant, ...) of operands that are the same; or two
    /// loads of the same type and flags from the same address in one block with nothing that
    /// may store or call between them (Go's wasm reloads a stack argument at each use, each
    /// with its own address computation).
    fn same(&self, a: Value, b: Value) -> bool {
        self.same_within(a, b, 8)
    }

    fn same_within(&self, a: Value, b: Value, depth: u32) -> bool {
        let (a, b) = (self.resolve(a), self.resolve(b));
        if a == b {
            return true;
        }
        if depth == 0 || self.func.dfg.value_type(a) != self.func.dfg.value_type(b) {
            return false;
        }
        let (Some(ia), Some(ib)) = (
            self.func.dfg.value_def(a).inst(),
            self.func.dfg.value_def(b).inst(),
        ) else {
            return false;
        };
        let same = |p: Value, q: Value| self.same_within(p, q, depth - 1);
        match (&self.func.dfg.insts[ia], &self.func.dfg.insts[ib]) {
            (
                InstructionData::UnaryImm {
                    opcode: o1,
                    imm: i1,
                },
                InstructionData::UnaryImm {
                    opcode: o2,
                    imm: i2,
                },
            ) => o1 == o2 && i1 == i2,
            (
                InstructionData::Unary { opcode: o1, arg: p },
                InstructionData::Unary { opcode: o2, arg: q },
            ) => {
                o1 == o2
                    && matches!(o1, Opcode::Uextend | Opcode::Sextend | Opcode::Ireduce)
                    && same(*p, *q)
            }
            (
                InstructionData::Binary {
                    opcode: o1,
                    args: p,
                },
                InstructionData::Binary {
                    opcode: o2,
                    args: q,
                },
            ) if o1 == o2
                && matches!(
                    o1,
                    Opcode::Iadd
                        | Opcode::Isub
                        | Opcode::Band
                        | Opcode::Bor
                        | Opcode::Bxor
                        | Opcode::Imul
                        | Opcode::Ishl
                        | Opcode::Ushr
                ) =>
            {
                (same(p[0], q[0]) && same(p[1], q[1]))
                    || (!matches!(o1, Opcode::Isub | Opcode::Ishl | Opcode::Ushr)
                        && same(p[0], q[1])
                        && same(p[1], q[0]))
            }
            (
                InstructionData::Load {
                    opcode: Opcode::Load,
                    arg: pa,
                    flags: fa,
                    offset: oa,
                },
                InstructionData::Load {
                    opcode: Opcode::Load,
                    arg: pb,
                    flags: fb,
                    offset: ob,
                },
            ) => fa == fb && oa == ob && same(*pa, *pb) && self.nothing_stores_between(ia, ib),
            _ => false,
        }
    }

    /// Whether `a` and `b` are in one block with no instruction between them that may store,
    /// call or have other effects.
    fn nothing_stores_between(&self, a: Inst, b: Inst) -> bool {
        let layout = &self.func.layout;
        if layout.inst_block(a).is_none() || layout.inst_block(a) != layout.inst_block(b) {
            return false;
        }
        let (first, last) = match layout.pp_cmp(a, b) {
            core::cmp::Ordering::Less => (a, b),
            _ => (b, a),
        };
        let mut cur = layout.next_inst(first);
        while let Some(inst) = cur {
            if inst == last {
                return true;
            }
            let op = self.func.dfg.insts[inst].opcode();
            if op.can_store() || op.is_call() || op.other_side_effects() {
                return false;
            }
            cur = layout.next_inst(inst);
        }
        false
    }

    /// The defining instruction's data, if `v` is an instruction result.
    fn def(&self, v: Value) -> Option<&InstructionData> {
        let inst = self.func.dfg.value_def(self.resolve(v)).inst()?;
        Some(&self.func.dfg.insts[inst])
    }

    /// The constant `v` is, if it is an `iconst`.
    fn constant(&self, v: Value) -> Option<u64> {
        match self.def(v)? {
            InstructionData::UnaryImm {
                opcode: Opcode::Iconst,
                imm,
            } => Some(imm.bits() as u64),
            _ => None,
        }
    }

    /// The operands of `v` if it is `op a, b` (two value operands).
    fn binary(&self, v: Value, op: Opcode) -> Option<(Value, Value)> {
        match self.def(v)? {
            InstructionData::Binary { opcode, args } if *opcode == op => {
                Some((self.resolve(args[0]), self.resolve(args[1])))
            }
            _ => None,
        }
    }

    /// `(x, c)` if `v` is `op x, iconst c` (or, for a commutative `op`, `op iconst c, x`).
    fn with_const(&self, v: Value, op: Opcode, commutative: bool) -> Option<(Value, u64)> {
        let (a, b) = self.binary(v, op)?;
        if let Some(c) = self.constant(b) {
            return Some((a, c));
        }
        match commutative {
            true => self.constant(a).map(|c| (b, c)),
            false => None,
        }
    }

    /// `x` if `v` is `x >> 32` (logical).
    fn high(&self, v: Value) -> Option<Value> {
        match self.with_const(v, Opcode::Ushr, false)? {
            (x, 32) => Some(x),
            _ => None,
        }
    }

    /// `x` if `v` is `x & 0xffffffff`.
    fn low(&self, v: Value) -> Option<Value> {
        match self.with_const(v, Opcode::Band, true)? {
            (x, 0xffff_ffff) => Some(x),
            _ => None,
        }
    }

    /// Whether `v` is `p * q` with `p` and `q` satisfying the two tests in either order.
    fn is_mul(&self, v: Value, p: impl Fn(Value) -> bool, q: impl Fn(Value) -> bool) -> bool {
        self.binary(v, Opcode::Imul)
            .is_some_and(|(a, b)| (p(a) && q(b)) || (p(b) && q(a)))
    }

    /// Whether `v` is `p + q` with `p` and `q` satisfying the two tests in either order.
    fn is_add(&self, v: Value, p: impl Fn(Value) -> bool, q: impl Fn(Value) -> bool) -> bool {
        self.binary(v, Opcode::Iadd)
            .is_some_and(|(a, b)| (p(a) && q(b)) || (p(b) && q(a)))
    }

    /// The leaves of the tree of `iadd`s rooted at `v`, if there are exactly three.
    fn three_terms(&self, v: Value) -> Option<[Value; 3]> {
        let (a, b) = self.binary(v, Opcode::Iadd)?;
        let mut leaves = Vec::with_capacity(3);
        for side in [a, b] {
            match self.binary(side, Opcode::Iadd) {
                // One level down only: the product's sum has exactly three terms.
                Some((c, d)) if leaves.len() + 2 <= 3 => leaves.extend([c, d]),
                _ => leaves.push(side),
            }
        }
        leaves.try_into().ok()
    }

    /// `(x, y)` if `v` is the high half of `x * y` computed from 32-bit halves: the three
    /// terms `x1*y1`, `t >> 32` and `((t & 0xffffffff) + x0*y1) >> 32` with
    /// `t = x1*y0 + (x0*y0 >> 32)`, in any order. The halves are read off that structure, then
    /// each pair must be the halves of one value (see [`Matcher::join`]).
    fn mul_hi(&self, v: Value) -> Option<(Operand, Operand)> {
        let terms = self.three_terms(v)?;
        for (i, &p) in terms.iter().enumerate() {
            let Some((a, b)) = self.binary(p, Opcode::Imul) else {
                continue;
            };
            let (q, r) = match i {
                0 => (terms[1], terms[2]),
                1 => (terms[0], terms[2]),
                _ => (terms[0], terms[1]),
            };
            for (x1, y1) in [(a, b), (b, a)] {
                for (q, r) in [(q, r), (r, q)] {
                    if let Some(found) = self.cross_terms(x1, y1, q, r) {
                        return Some(found);
                    }
                }
            }
        }
        None
    }

    /// With `x1` and `y1` the high halves: whether `q` is `t >> 32` and `r` is
    /// `((t & 0xffffffff) + x0*y1) >> 32` for `t = x1*y0 + (x0*y0 >> 32)`; then the two
    /// operands.
    fn cross_terms(&self, x1: Value, y1: Value, q: Value, r: Value) -> Option<(Operand, Operand)> {
        let t = self.high(q)?;
        let u = self.high(r)?;
        // t = x1*y0 + (x0*y0 >> 32): find y0, then x0.
        let (m, w0h) = self.binary(t, Opcode::Iadd)?;
        let (y0, x0) = [(m, w0h), (w0h, m)].into_iter().find_map(|(m, w0h)| {
            let (ma, mb) = self.binary(m, Opcode::Imul)?;
            let y0 = match () {
                _ if self.same(ma, x1) => mb,
                _ if self.same(mb, x1) => ma,
                _ => return None,
            };
            let (wa, wb) = self.binary(self.high(w0h)?, Opcode::Imul)?;
            let x0 = match () {
                _ if self.same(wb, y0) => wa,
                _ if self.same(wa, y0) => wb,
                _ => return None,
            };
            Some((y0, x0))
        })?;
        // u = (t & 0xffffffff) + x0*y1.
        let u_ok = self.is_add(
            u,
            |s| self.low(s).is_some_and(|l| self.same(l, t)),
            |m| self.is_mul(m, |s| self.same(s, x0), |s| self.same(s, y1)),
        );
        if !u_ok {
            return None;
        }
        Some((self.join(x1, x0)?, self.join(y1, y0)?))
    }

    /// The 64-bit value whose halves are `hi` and `lo`: `x` itself if they are `x >> 32` and
    /// `x & 0xffffffff`; otherwise, if both are provably below 2^32 (see
    /// [`Matcher::below_2_32`]), `hi << 32 | lo`, to be built.
    fn join(&self, hi: Value, lo: Value) -> Option<Operand> {
        if let (Some(a), Some(b)) = (self.high(hi), self.low(lo))
            && self.same(a, b)
        {
            return Some(Operand::Value(a));
        }
        let mut seen = Vec::new();
        (self.below_2_32(hi, &mut seen) && self.below_2_32(lo, &mut seen))
            .then_some(Operand::Halves { hi, lo })
    }

    /// Whether `v` is always below 2^32: a constant that is, `_ >> 32..63`,
    /// `_ & c` with `c < 2^32`, a zero-extended 32-bit value, or a block parameter that every
    /// branch to its block passes such a value (Go's wasm keeps loop-invariant halves in locals,
    /// which reach the loop through its dispatch loop's parameters). `seen` holds the block
    /// parameters under test: a cycle back to one adds nothing new, so it counts as below.
    fn below_2_32(&self, v: Value, seen: &mut Vec<Value>) -> bool {
        let v = self.resolve(v);
        if self.func.dfg.value_type(v) != types::I64 {
            return false;
        }
        match self.func.dfg.value_def(v) {
            ValueDef::Param(block, index) => {
                if seen.contains(&v) {
                    return true;
                }
                if seen.len() >= 64 {
                    return false;
                }
                seen.push(v);
                let preds = self.predecessors.get_or_init(|| predecessors(self.func));
                let Some(preds) = preds.get(&block) else {
                    // The entry block: its parameters are the function's.
                    return false;
                };
                preds.iter().all(|&(inst, succ)| {
                    let Some(arg) = self.branch_arg(inst, succ, index) else {
                        return false;
                    };
                    self.below_2_32(arg, seen)
                })
            }
            ValueDef::Result(..) => {
                if let Some(c) = self.constant(v) {
                    return c <= 0xffff_ffff;
                }
                if let Some((_, c)) = self.with_const(v, Opcode::Ushr, false) {
                    return (32..64).contains(&(c & 63));
                }
                if let Some((_, c)) = self.with_const(v, Opcode::Band, true) {
                    return c <= 0xffff_ffff;
                }
                match self.def(v) {
                    Some(InstructionData::Unary {
                        opcode: Opcode::Uextend,
                        arg,
                    }) => self.func.dfg.value_type(*arg).bits() <= 32,
                    _ => false,
                }
            }
            _ => false,
        }
    }

    /// The value branch `inst` passes as parameter `index` of its `succ`-th destination, if it
    /// is a plain value.
    fn branch_arg(&self, inst: Inst, succ: usize, index: usize) -> Option<Value> {
        let dests = self.func.dfg.insts[inst]
            .branch_destination(&self.func.dfg.jump_tables, &self.func.dfg.exception_tables);
        let call = dests.get(succ)?;
        match call.args(&self.func.dfg.value_lists).nth(index)? {
            BlockArg::Value(v) => Some(self.resolve(v)),
            _ => None,
        }
    }

    /// `(a + b, a)` if `v` is `((a & b) | ((a | b) & !(a + b))) >> 63`, the carry out of `a + b`.
    fn add_carry(&self, v: Value) -> Option<(Value, Value)> {
        let (or, shift) = self.with_const(v, Opcode::Ushr, false)?;
        if shift != 63 {
            return None;
        }
        let (l, r) = self.binary(or, Opcode::Bor)?;
        for (both, masked) in [(l, r), (r, l)] {
            let Some((a, b)) = self.binary(both, Opcode::Band) else {
                continue;
            };
            let Some((m1, m2)) = self.binary(masked, Opcode::Band) else {
                continue;
            };
            for (either, not_sum) in [(m1, m2), (m2, m1)] {
                let Some(sum) = self.not(not_sum) else {
                    continue;
                };
                let same_pair = |p: Value, q: Value| {
                    (self.same(p, a) && self.same(q, b)) || (self.same(p, b) && self.same(q, a))
                };
                let either_ok = self
                    .binary(either, Opcode::Bor)
                    .is_some_and(|(p, q)| same_pair(p, q));
                let sum_ok = self
                    .binary(sum, Opcode::Iadd)
                    .is_some_and(|(p, q)| same_pair(p, q));
                if either_ok && sum_ok {
                    return Some((sum, a));
                }
            }
        }
        None
    }

    /// `x` if `v` is `!x` (`bnot x`, or `x ^ -1` as wasm says it).
    fn not(&self, v: Value) -> Option<Value> {
        if let Some(InstructionData::Unary {
            opcode: Opcode::Bnot,
            arg,
        }) = self.def(v)
        {
            return Some(self.resolve(*arg));
        }
        match self.with_const(v, Opcode::Bxor, true)? {
            (x, u64::MAX) => Some(x),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cranelift_codegen::ir::{AbiParam, Signature, UserFuncName};
    use cranelift_codegen::isa::CallConv;
    use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};

    /// A function `(x, y) -> body(x, y)` built with `body`.
    fn func(body: impl Fn(&mut FunctionBuilder, Value, Value) -> Value) -> Function {
        let mut sig = Signature::new(CallConv::SystemV);
        sig.params.extend([AbiParam::new(types::I64); 2]);
        sig.returns.push(AbiParam::new(types::I64));
        let mut f = Function::with_name_signature(UserFuncName::default(), sig);
        let mut ctx = FunctionBuilderContext::new();
        let mut b = FunctionBuilder::new(&mut f, &mut ctx);
        let block = b.create_block();
        b.append_block_params_for_function_params(block);
        b.switch_to_block(block);
        let (x, y) = (b.block_params(block)[0], b.block_params(block)[1]);
        let r = body(&mut b, x, y);
        b.ins().return_(&[r]);
        b.seal_all_blocks();
        b.finalize(cranelift_codegen::isa::TargetFrontendConfig {
            default_call_conv: CallConv::SystemV,
            pointer_width: target_lexicon::PointerWidth::U64,
            page_size_align_log2: 12,
        });
        f
    }

    fn hi(x: u64, y: u64) -> u64 {
        ((u128::from(x) * u128::from(y)) >> 64) as u64
    }

    /// Go's `bits.Mul64` high half, as Go's wasm backend leaves it (fresh constants at every
    /// use, the order of Go's source); `swap` puts y first in every product and sum.
    fn go_mul_hi(b: &mut FunctionBuilder, x: Value, y: Value, swap: bool) -> Value {
        go_mul_hi_shifting(b, x, y, swap, 32)
    }

    /// [`go_mul_hi`] with `t >> w2_shift` for the middle term (32 is the real thing).
    fn go_mul_hi_shifting(
        b: &mut FunctionBuilder,
        x: Value,
        y: Value,
        swap: bool,
        w2_shift: i64,
    ) -> Value {
        let c32 = |b: &mut FunctionBuilder| b.ins().iconst(types::I64, 32);
        let mask = |b: &mut FunctionBuilder| b.ins().iconst(types::I64, 0xffff_ffff);
        let mul = |b: &mut FunctionBuilder, p, q| match swap {
            true => b.ins().imul(q, p),
            false => b.ins().imul(p, q),
        };
        let add = |b: &mut FunctionBuilder, p, q| match swap {
            true => b.ins().iadd(q, p),
            false => b.ins().iadd(p, q),
        };
        let (m, s) = (mask(b), c32(b));
        let x0 = b.ins().band(x, m);
        let x1 = b.ins().ushr(x, s);
        let (m, s) = (mask(b), c32(b));
        let y0 = b.ins().band(m, y);
        let y1 = b.ins().ushr(y, s);
        let w0 = mul(b, x0, y0);
        let s = c32(b);
        let w0h = b.ins().ushr(w0, s);
        let x1y0 = mul(b, x1, y0);
        let t = add(b, x1y0, w0h);
        let m = mask(b);
        let w1 = b.ins().band(t, m);
        let s = b.ins().iconst(types::I64, w2_shift);
        let w2 = b.ins().ushr(t, s);
        let x0y1 = mul(b, x0, y1);
        let w1 = add(b, w1, x0y1);
        let x1y1 = mul(b, x1, y1);
        let hi = add(b, x1y1, w2);
        let s = c32(b);
        let w1h = b.ins().ushr(w1, s);
        add(b, hi, w1h)
    }

    fn count(f: &Function, op: Opcode) -> usize {
        f.layout
            .blocks()
            .flat_map(|b| f.layout.block_insts(b))
            .filter(|&i| f.dfg.insts[i].opcode() == op)
            .count()
    }

    #[test]
    fn go_mul64_high_half_becomes_umulhi() {
        for swap in [false, true] {
            let mut f = func(|b, x, y| go_mul_hi(b, x, y, swap));
            assert_eq!(rewrite(&mut f), 1, "swap={swap}");
            assert_eq!(count(&f, Opcode::Umulhi), 1);
            // The umulhi multiplies the two parameters.
            let params = f.dfg.block_params(f.layout.entry_block().unwrap()).to_vec();
            let inst = f
                .layout
                .blocks()
                .flat_map(|b| f.layout.block_insts(b))
                .find(|&i| f.dfg.insts[i].opcode() == Opcode::Umulhi)
                .unwrap();
            let args = f.dfg.inst_args(inst).to_vec();
            assert!(args == params || args == [params[1], params[0]]);
        }
        // The identity the rewrite relies on: for any 32-bit halves, the schoolbook formula
        // (which never overflows 64 bits) is the high half of the joined values' product.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let edges = [
            0,
            1,
            0xffff_ffff,
            0x8000_0000,
            0xffff_ffff_ffff_ffff,
            1 << 63,
        ];
        let pairs = (0..2000).map(|_| (next(), next())).chain(
            edges
                .iter()
                .flat_map(|&a| edges.iter().map(move |&b| (a, b))),
        );
        for (x, y) in pairs {
            let (x0, x1, y0, y1) = (x & 0xffff_ffff, x >> 32, y & 0xffff_ffff, y >> 32);
            let t = x1 * y0 + ((x0 * y0) >> 32);
            let w1 = (t & 0xffff_ffff) + x0 * y1;
            assert_eq!(
                x1 * y1 + (t >> 32) + (w1 >> 32),
                hi(x, y),
                "{x:#x} * {y:#x}"
            );
        }
    }

    #[test]
    fn near_misses_are_left_alone() {
        // A different shift amount in one term.
        let mut f = func(|b, x, y| go_mul_hi_shifting(b, x, y, false, 31));
        assert_eq!(rewrite(&mut f), 0);
        // A "low half" that may be 2^32 or more: not the halves of any value.
        let mut f = func(|b, x, y| halves_of(b, x, y, false));
        assert_eq!(rewrite(&mut f), 0);
        // Halves of two different values, both masked: still the product of the value they
        // make up, `x1 << 32 | z0`, so rewritten to that.
        let mut f = func(|b, x, y| halves_of(b, x, y, true));
        assert_eq!(rewrite(&mut f), 1);
        assert_eq!(count(&f, Opcode::Umulhi), 1);
        assert_eq!(count(&f, Opcode::Bor), 1);
    }

    /// The product formula with `x1 = x >> 32` but `x0 = (x + 1)`, masked or not.
    fn halves_of(b: &mut FunctionBuilder, x: Value, y: Value, masked: bool) -> Value {
        let z = b.ins().iadd_imm_u(x, 1);
        let m = b.ins().iconst(types::I64, 0xffff_ffff);
        let z0 = match masked {
            true => b.ins().band(z, m),
            false => z,
        };
        let s = b.ins().iconst(types::I64, 32);
        let x1 = b.ins().ushr(x, s);
        let y1 = b.ins().ushr(y, s);
        let y0 = b.ins().band(y, m);
        let w0 = b.ins().imul(z0, y0);
        let w0h = b.ins().ushr(w0, s);
        let x1y0 = b.ins().imul(x1, y0);
        let t = b.ins().iadd(x1y0, w0h);
        let w1 = b.ins().band(t, m);
        let w2 = b.ins().ushr(t, s);
        let x0y1 = b.ins().imul(z0, y1);
        let w1 = b.ins().iadd(w1, x0y1);
        let x1y1 = b.ins().imul(x1, y1);
        let hi = b.ins().iadd(x1y1, w2);
        let w1h = b.ins().ushr(w1, s);
        b.ins().iadd(hi, w1h)
    }

    /// Go's shape: `y`'s halves computed once, reaching the product through a loop header's
    /// parameters (the other edge passes `other` for the high half); the product inside.
    fn through_loop(other: impl Fn(&mut FunctionBuilder, Value) -> Value) -> Function {
        func(|b, x, y| {
            let header = b.create_block();
            let body = b.create_block();
            let exit = b.create_block();
            b.append_block_param(header, types::I64);
            b.append_block_param(header, types::I64);
            b.append_block_param(exit, types::I64);
            let s = b.ins().iconst(types::I64, 32);
            let y1 = b.ins().ushr(y, s);
            let m = b.ins().iconst(types::I64, 0xffff_ffff);
            let y0 = b.ins().band(y, m);
            b.ins().jump(header, &[y1.into(), y0.into()]);
            b.switch_to_block(header);
            let (h, l) = (b.block_params(header)[0], b.block_params(header)[1]);
            let x1 = b.ins().ushr(x, s);
            let x0 = b.ins().band(x, m);
            let w0 = b.ins().imul(x0, l);
            let w0h = b.ins().ushr(w0, s);
            let x1y0 = b.ins().imul(x1, l);
            let t = b.ins().iadd(x1y0, w0h);
            let w1 = b.ins().band(t, m);
            let w2 = b.ins().ushr(t, s);
            let x0y1 = b.ins().imul(x0, h);
            let w1 = b.ins().iadd(w1, x0y1);
            let x1y1 = b.ins().imul(x1, h);
            let hi = b.ins().iadd(x1y1, w2);
            let w1h = b.ins().ushr(w1, s);
            let hi = b.ins().iadd(hi, w1h);
            b.ins().brif(hi, exit, &[hi.into()], body, &[]);
            b.switch_to_block(body);
            let again = other(b, x);
            b.ins().jump(header, &[again.into(), l.into()]);
            b.switch_to_block(exit);
            b.block_params(exit)[0]
        })
    }

    #[test]
    fn halves_reaching_a_loop_through_block_parameters_are_joined() {
        // The loop's back edge passes a constant below 2^32: the halves are still 32-bit.
        let mut f = through_loop(|b, _| b.ins().iconst(types::I64, 7));
        assert_eq!(rewrite(&mut f), 1);
        assert_eq!(count(&f, Opcode::Umulhi), 1);
        assert_eq!(count(&f, Opcode::Bor), 1);
        // The back edge passes a value that may be 2^32 or more: left alone.
        let mut f = through_loop(|_, x| x);
        assert_eq!(rewrite(&mut f), 0);
    }

    #[test]
    fn go_add64_carry_becomes_a_compare() {
        let carry = |b: &mut FunctionBuilder, x: Value, y: Value| {
            let sum = b.ins().iadd(x, y);
            let ones = b.ins().iconst(types::I64, -1);
            let not_sum = b.ins().bxor(sum, ones);
            let either = b.ins().bor(y, x);
            let masked = b.ins().band(not_sum, either);
            let both = b.ins().band(x, y);
            let or = b.ins().bor(masked, both);
            let s = b.ins().iconst(types::I64, 63);
            b.ins().ushr(or, s)
        };
        let mut f = func(carry);
        assert_eq!(rewrite(&mut f), 1);
        assert_eq!(count(&f, Opcode::Icmp), 1);
        assert_eq!(count(&f, Opcode::Uextend), 1);
        // With a carry in, the sum is not `a + b`: left alone.
        let mut f = func(|b, x, y| {
            let sum0 = b.ins().iadd(x, y);
            let sum = b.ins().iadd_imm_u(sum0, 1);
            let not_sum = b.ins().bnot(sum);
            let either = b.ins().bor(x, y);
            let masked = b.ins().band(either, not_sum);
            let both = b.ins().band(x, y);
            let or = b.ins().bor(both, masked);
            b.ins().ushr_imm_u(or, 63)
        });
        assert_eq!(rewrite(&mut f), 0);
        // Operands reloaded from memory at each use (Go's stack arguments): the same value
        // while nothing stores in between.
        let reloads = |store_between: bool| {
            func(move |b, p, _| {
                let flags = cranelift_codegen::ir::MemFlagsData::trusted();
                let load =
                    |b: &mut FunctionBuilder, off: i32| b.ins().load(types::I64, flags, p, off);
                let (x, y) = (load(b, 8), load(b, 16));
                let sum = b.ins().iadd(x, y);
                let ones = b.ins().iconst(types::I64, -1);
                let not_sum = b.ins().bxor(sum, ones);
                if store_between {
                    b.ins().store(flags, ones, p, 8);
                }
                let (x, y) = (load(b, 8), load(b, 16));
                let either = b.ins().bor(y, x);
                let masked = b.ins().band(not_sum, either);
                let (x, y) = (load(b, 8), load(b, 16));
                let both = b.ins().band(x, y);
                let or = b.ins().bor(masked, both);
                b.ins().ushr_imm_u(or, 63)
            })
        };
        assert_eq!(rewrite(&mut reloads(false)), 1);
        assert_eq!(rewrite(&mut reloads(true)), 0);
        // The identity the rewrite relies on.
        for (a, b) in [
            (u64::MAX, 1),
            (1 << 63, 1 << 63),
            (5, 7),
            (u64::MAX, 0),
            (u64::MAX, u64::MAX),
        ] {
            let sum = a.wrapping_add(b);
            let carry = ((a & b) | ((a | b) & !sum)) >> 63;
            assert_eq!(carry, u64::from(sum < a));
        }
    }
}

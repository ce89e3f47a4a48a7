//! SIMD (`v128`) operators on lanes and integers: `v128.const`, shuffles and swizzle, splats,
//! lane extraction and replacement, integer comparisons, the bitwise operators, and integer
//! lane arithmetic. Float lanes and conversions are in `simd_float.rs`, memory accesses in
//! `simd_memory.rs`; this file also holds the vector representation the three share.
//!
//! Representation: wasm has one vector type, CLIF one per lane shape (`I8X16`, `I16X8`, ...,
//! `F64X2`), and its instructions want operands of the shape they work on. Every `v128` outside
//! these files (operand stack, locals, block params, `select`, globals, call arguments and
//! results) is an `I8X16`: an operator views its operands as its own shape
//! ([`Translator::pop_vector`]) and pushes its result back as `I8X16`
//! ([`Translator::push_vector`]). The views are `bitcast`s between same-sized registers, which
//! cost nothing; lane order is little-endian on both targets, as in wasm.
//!
//! Cranelift's vector instructions already have wasm's semantics where it matters, relied on
//! here: shift amounts are taken modulo the lane width; `iadd_pairwise` of the low and high
//! widened halves, `snarrow`/`unarrow`, `sqmul_round_sat` and `avg_round` are the wasm
//! operators exactly. Must never push a vector of another type than `I8X16`.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    ConstantData, Endianness, InstBuilder, MemFlagsData, Type, Value, types,
};
use cranelift_frontend::FunctionBuilder;
use wasmparser::Operator;

use super::Translator;
use crate::error::Result;

/// The flags of a lane-shape view: explicitly little-endian, as the verifier requires of a
/// `bitcast` that changes the lane count.
fn view_flags() -> MemFlagsData {
    MemFlagsData::new().with_endianness(Endianness::Little)
}

/// `v` viewed with the lane shape `ty` (no instruction if it already has it).
pub(super) fn view(b: &mut FunctionBuilder, v: Value, ty: Type) -> Value {
    if b.func.dfg.value_type(v) == ty {
        v
    } else {
        b.ins().bitcast(ty, view_flags(), v)
    }
}

/// A `v128` constant (little-endian bytes), as `I8X16`.
pub(super) fn v128_const(b: &mut FunctionBuilder, bytes: [u8; 16]) -> Value {
    let c = b.func.dfg.constants.insert(ConstantData::from(&bytes[..]));
    b.ins().vconst(types::I8X16, c)
}

impl Translator<'_, '_, '_> {
    /// Pops a `v128`, viewed with the lane shape `ty`.
    pub(super) fn pop_vector(&mut self, ty: Type) -> Value {
        let v = self.st.pop();
        view(&mut self.b, v, ty)
    }

    /// Pops two `v128`s (bottom first), viewed with the lane shape `ty`.
    pub(super) fn pop2_vector(&mut self, ty: Type) -> (Value, Value) {
        let b = self.pop_vector(ty);
        let a = self.pop_vector(ty);
        (a, b)
    }

    /// Pushes a vector of any lane shape as a `v128` (`I8X16`).
    pub(super) fn push_vector(&mut self, v: Value) {
        let v = view(&mut self.b, v, types::I8X16);
        self.st.push(v);
    }
}

pub(super) fn translate(t: &mut Translator, op: &Operator) -> Result<bool> {
    use Operator as O;
    use types::{F32X4, F64X2, I8X16, I16X8, I32, I32X4, I64X2};

    macro_rules! unary {
        ($ty:expr, $f:ident) => {{
            let a = t.pop_vector($ty);
            let v = t.b.ins().$f(a);
            t.push_vector(v);
        }};
    }
    macro_rules! binary {
        ($ty:expr, $f:ident) => {{
            let (a, b) = t.pop2_vector($ty);
            let v = t.b.ins().$f(a, b);
            t.push_vector(v);
        }};
    }
    // Lane-wise comparison: all ones where `$cc` holds, zeros elsewhere.
    macro_rules! icmp {
        ($ty:expr, $cc:expr) => {{
            let (a, b) = t.pop2_vector($ty);
            let v = t.b.ins().icmp($cc, a, b);
            t.push_vector(v);
        }};
    }
    // The amount is an i32, taken modulo the lane width (by `ishl`/`sshr`/`ushr` themselves).
    macro_rules! shift {
        ($ty:expr, $f:ident) => {{
            let amount = t.st.pop();
            let a = t.pop_vector($ty);
            let v = t.b.ins().$f(a, amount);
            t.push_vector(v);
        }};
    }
    macro_rules! all_true {
        ($ty:expr) => {{
            let a = t.pop_vector($ty);
            let c = t.b.ins().vall_true(a);
            t.push_bool(c);
        }};
    }
    // Bit i of the i32 result is the top bit of lane i.
    macro_rules! bitmask {
        ($ty:expr) => {{
            let a = t.pop_vector($ty);
            let v = t.b.ins().vhigh_bits(I32, a);
            t.st.push(v);
        }};
    }
    // i8 and i16 lanes: the i32 operand is truncated to the lane.
    macro_rules! splat {
        ($ty:expr) => {{
            let x = t.st.pop();
            let lane = $ty.lane_type();
            let x = if t.b.func.dfg.value_type(x) == lane {
                x
            } else {
                t.b.ins().ireduce(lane, x)
            };
            let v = t.b.ins().splat($ty, x);
            t.push_vector(v);
        }};
    }
    macro_rules! extract {
        ($ty:expr, $lane:expr) => {{
            let a = t.pop_vector($ty);
            let v = t.b.ins().extractlane(a, *$lane);
            t.st.push(v);
        }};
        ($ty:expr, $lane:expr, $extend:ident) => {{
            let a = t.pop_vector($ty);
            let x = t.b.ins().extractlane(a, *$lane);
            let v = t.b.ins().$extend(I32, x);
            t.st.push(v);
        }};
    }
    macro_rules! replace {
        ($ty:expr, $lane:expr) => {{
            let x = t.st.pop();
            let a = t.pop_vector($ty);
            let lane = $ty.lane_type();
            let x = if t.b.func.dfg.value_type(x) == lane {
                x
            } else {
                t.b.ins().ireduce(lane, x)
            };
            let v = t.b.ins().insertlane(a, x, *$lane);
            t.push_vector(v);
        }};
    }

    match op {
        O::V128Const { value } => {
            let v = v128_const(&mut t.b, *value.bytes());
            t.st.push(v);
        }
        O::I8x16Shuffle { lanes } => {
            let (a, b) = t.pop2_vector(I8X16);
            let mask = t.b.func.dfg.immediates.push(ConstantData::from(&lanes[..]));
            let v = t.b.ins().shuffle(a, b, mask);
            t.push_vector(v);
        }
        // Indices 16 and up select 0, as in wasm.
        O::I8x16Swizzle => binary!(I8X16, swizzle),

        O::I8x16Splat => splat!(I8X16),
        O::I16x8Splat => splat!(I16X8),
        O::I32x4Splat => splat!(I32X4),
        O::I64x2Splat => splat!(I64X2),
        O::F32x4Splat => splat!(F32X4),
        O::F64x2Splat => splat!(F64X2),

        O::I8x16ExtractLaneS { lane } => extract!(I8X16, lane, sextend),
        O::I8x16ExtractLaneU { lane } => extract!(I8X16, lane, uextend),
        O::I16x8ExtractLaneS { lane } => extract!(I16X8, lane, sextend),
        O::I16x8ExtractLaneU { lane } => extract!(I16X8, lane, uextend),
        O::I32x4ExtractLane { lane } => extract!(I32X4, lane),
        O::I64x2ExtractLane { lane } => extract!(I64X2, lane),
        O::F32x4ExtractLane { lane } => extract!(F32X4, lane),
        O::F64x2ExtractLane { lane } => extract!(F64X2, lane),
        O::I8x16ReplaceLane { lane } => replace!(I8X16, lane),
        O::I16x8ReplaceLane { lane } => replace!(I16X8, lane),
        O::I32x4ReplaceLane { lane } => replace!(I32X4, lane),
        O::I64x2ReplaceLane { lane } => replace!(I64X2, lane),
        O::F32x4ReplaceLane { lane } => replace!(F32X4, lane),
        O::F64x2ReplaceLane { lane } => replace!(F64X2, lane),

        // Integer comparisons (i64x2 has no unsigned ones in wasm).
        O::I8x16Eq => icmp!(I8X16, IntCC::Equal),
        O::I8x16Ne => icmp!(I8X16, IntCC::NotEqual),
        O::I8x16LtS => icmp!(I8X16, IntCC::SignedLessThan),
        O::I8x16LtU => icmp!(I8X16, IntCC::UnsignedLessThan),
        O::I8x16GtS => icmp!(I8X16, IntCC::SignedGreaterThan),
        O::I8x16GtU => icmp!(I8X16, IntCC::UnsignedGreaterThan),
        O::I8x16LeS => icmp!(I8X16, IntCC::SignedLessThanOrEqual),
        O::I8x16LeU => icmp!(I8X16, IntCC::UnsignedLessThanOrEqual),
        O::I8x16GeS => icmp!(I8X16, IntCC::SignedGreaterThanOrEqual),
        O::I8x16GeU => icmp!(I8X16, IntCC::UnsignedGreaterThanOrEqual),
        O::I16x8Eq => icmp!(I16X8, IntCC::Equal),
        O::I16x8Ne => icmp!(I16X8, IntCC::NotEqual),
        O::I16x8LtS => icmp!(I16X8, IntCC::SignedLessThan),
        O::I16x8LtU => icmp!(I16X8, IntCC::UnsignedLessThan),
        O::I16x8GtS => icmp!(I16X8, IntCC::SignedGreaterThan),
        O::I16x8GtU => icmp!(I16X8, IntCC::UnsignedGreaterThan),
        O::I16x8LeS => icmp!(I16X8, IntCC::SignedLessThanOrEqual),
        O::I16x8LeU => icmp!(I16X8, IntCC::UnsignedLessThanOrEqual),
        O::I16x8GeS => icmp!(I16X8, IntCC::SignedGreaterThanOrEqual),
        O::I16x8GeU => icmp!(I16X8, IntCC::UnsignedGreaterThanOrEqual),
        O::I32x4Eq => icmp!(I32X4, IntCC::Equal),
        O::I32x4Ne => icmp!(I32X4, IntCC::NotEqual),
        O::I32x4LtS => icmp!(I32X4, IntCC::SignedLessThan),
        O::I32x4LtU => icmp!(I32X4, IntCC::UnsignedLessThan),
        O::I32x4GtS => icmp!(I32X4, IntCC::SignedGreaterThan),
        O::I32x4GtU => icmp!(I32X4, IntCC::UnsignedGreaterThan),
        O::I32x4LeS => icmp!(I32X4, IntCC::SignedLessThanOrEqual),
        O::I32x4LeU => icmp!(I32X4, IntCC::UnsignedLessThanOrEqual),
        O::I32x4GeS => icmp!(I32X4, IntCC::SignedGreaterThanOrEqual),
        O::I32x4GeU => icmp!(I32X4, IntCC::UnsignedGreaterThanOrEqual),
        O::I64x2Eq => icmp!(I64X2, IntCC::Equal),
        O::I64x2Ne => icmp!(I64X2, IntCC::NotEqual),
        O::I64x2LtS => icmp!(I64X2, IntCC::SignedLessThan),
        O::I64x2GtS => icmp!(I64X2, IntCC::SignedGreaterThan),
        O::I64x2LeS => icmp!(I64X2, IntCC::SignedLessThanOrEqual),
        O::I64x2GeS => icmp!(I64X2, IntCC::SignedGreaterThanOrEqual),

        // Bitwise.
        O::V128Not => unary!(I8X16, bnot),
        O::V128And => binary!(I8X16, band),
        // `a & !b`, as `band_not`.
        O::V128AndNot => binary!(I8X16, band_not),
        O::V128Or => binary!(I8X16, bor),
        O::V128Xor => binary!(I8X16, bxor),
        // wasm `bitselect(a, b, mask)` takes `a`'s bits where the mask is set, `b`'s elsewhere:
        // CLIF's `bitselect(mask, a, b)`.
        O::V128Bitselect => {
            let mask = t.pop_vector(I8X16);
            let (a, b) = t.pop2_vector(I8X16);
            let v = t.b.ins().bitselect(mask, a, b);
            t.push_vector(v);
        }
        O::V128AnyTrue => {
            let a = t.pop_vector(I8X16);
            let c = t.b.ins().vany_true(a);
            t.push_bool(c);
        }
        O::I8x16AllTrue => all_true!(I8X16),
        O::I16x8AllTrue => all_true!(I16X8),
        O::I32x4AllTrue => all_true!(I32X4),
        O::I64x2AllTrue => all_true!(I64X2),
        O::I8x16Bitmask => bitmask!(I8X16),
        O::I16x8Bitmask => bitmask!(I16X8),
        O::I32x4Bitmask => bitmask!(I32X4),
        O::I64x2Bitmask => bitmask!(I64X2),

        // Lane-wise integer arithmetic.
        O::I8x16Abs => unary!(I8X16, iabs),
        O::I16x8Abs => unary!(I16X8, iabs),
        O::I32x4Abs => unary!(I32X4, iabs),
        O::I64x2Abs => unary!(I64X2, iabs),
        O::I8x16Neg => unary!(I8X16, ineg),
        O::I16x8Neg => unary!(I16X8, ineg),
        O::I32x4Neg => unary!(I32X4, ineg),
        O::I64x2Neg => unary!(I64X2, ineg),
        O::I8x16Popcnt => unary!(I8X16, popcnt),
        O::I8x16Add => binary!(I8X16, iadd),
        O::I16x8Add => binary!(I16X8, iadd),
        O::I32x4Add => binary!(I32X4, iadd),
        O::I64x2Add => binary!(I64X2, iadd),
        O::I8x16Sub => binary!(I8X16, isub),
        O::I16x8Sub => binary!(I16X8, isub),
        O::I32x4Sub => binary!(I32X4, isub),
        O::I64x2Sub => binary!(I64X2, isub),
        O::I16x8Mul => binary!(I16X8, imul),
        O::I32x4Mul => binary!(I32X4, imul),
        O::I64x2Mul => binary!(I64X2, imul),
        O::I8x16AddSatS => binary!(I8X16, sadd_sat),
        O::I8x16AddSatU => binary!(I8X16, uadd_sat),
        O::I16x8AddSatS => binary!(I16X8, sadd_sat),
        O::I16x8AddSatU => binary!(I16X8, uadd_sat),
        O::I8x16SubSatS => binary!(I8X16, ssub_sat),
        O::I8x16SubSatU => binary!(I8X16, usub_sat),
        O::I16x8SubSatS => binary!(I16X8, ssub_sat),
        O::I16x8SubSatU => binary!(I16X8, usub_sat),
        O::I8x16MinS => binary!(I8X16, smin),
        O::I8x16MinU => binary!(I8X16, umin),
        O::I8x16MaxS => binary!(I8X16, smax),
        O::I8x16MaxU => binary!(I8X16, umax),
        O::I16x8MinS => binary!(I16X8, smin),
        O::I16x8MinU => binary!(I16X8, umin),
        O::I16x8MaxS => binary!(I16X8, smax),
        O::I16x8MaxU => binary!(I16X8, umax),
        O::I32x4MinS => binary!(I32X4, smin),
        O::I32x4MinU => binary!(I32X4, umin),
        O::I32x4MaxS => binary!(I32X4, smax),
        O::I32x4MaxU => binary!(I32X4, umax),
        // `(a + b + 1) >> 1` without overflow, unsigned.
        O::I8x16AvgrU => binary!(I8X16, avg_round),
        O::I16x8AvgrU => binary!(I16X8, avg_round),
        // `(a * b + 2^14) >> 15`, saturated (only -32768 * -32768 saturates).
        O::I16x8Q15MulrSatS => binary!(I16X8, sqmul_round_sat),

        O::I8x16Shl => shift!(I8X16, ishl),
        O::I8x16ShrS => shift!(I8X16, sshr),
        O::I8x16ShrU => shift!(I8X16, ushr),
        O::I16x8Shl => shift!(I16X8, ishl),
        O::I16x8ShrS => shift!(I16X8, sshr),
        O::I16x8ShrU => shift!(I16X8, ushr),
        O::I32x4Shl => shift!(I32X4, ishl),
        O::I32x4ShrS => shift!(I32X4, sshr),
        O::I32x4ShrU => shift!(I32X4, ushr),
        O::I64x2Shl => shift!(I64X2, ishl),
        O::I64x2ShrS => shift!(I64X2, sshr),
        O::I64x2ShrU => shift!(I64X2, ushr),

        // Narrowing (saturating) and widening.
        O::I8x16NarrowI16x8S => binary!(I16X8, snarrow),
        O::I8x16NarrowI16x8U => binary!(I16X8, unarrow),
        O::I16x8NarrowI32x4S => binary!(I32X4, snarrow),
        O::I16x8NarrowI32x4U => binary!(I32X4, unarrow),
        O::I16x8ExtendLowI8x16S => unary!(I8X16, swiden_low),
        O::I16x8ExtendHighI8x16S => unary!(I8X16, swiden_high),
        O::I16x8ExtendLowI8x16U => unary!(I8X16, uwiden_low),
        O::I16x8ExtendHighI8x16U => unary!(I8X16, uwiden_high),
        O::I32x4ExtendLowI16x8S => unary!(I16X8, swiden_low),
        O::I32x4ExtendHighI16x8S => unary!(I16X8, swiden_high),
        O::I32x4ExtendLowI16x8U => unary!(I16X8, uwiden_low),
        O::I32x4ExtendHighI16x8U => unary!(I16X8, uwiden_high),
        O::I64x2ExtendLowI32x4S => unary!(I32X4, swiden_low),
        O::I64x2ExtendHighI32x4S => unary!(I32X4, swiden_high),
        O::I64x2ExtendLowI32x4U => unary!(I32X4, uwiden_low),
        O::I64x2ExtendHighI32x4U => unary!(I32X4, uwiden_high),

        // Sums of adjacent lanes, widened.
        O::I16x8ExtAddPairwiseI8x16S => extadd_pairwise(t, I8X16, Sign::Signed),
        O::I16x8ExtAddPairwiseI8x16U => extadd_pairwise(t, I8X16, Sign::Unsigned),
        O::I32x4ExtAddPairwiseI16x8S => extadd_pairwise(t, I16X8, Sign::Signed),
        O::I32x4ExtAddPairwiseI16x8U => extadd_pairwise(t, I16X8, Sign::Unsigned),
        // Products of one half's lanes, widened.
        O::I16x8ExtMulLowI8x16S => extmul(t, I8X16, Sign::Signed, Half::Low),
        O::I16x8ExtMulHighI8x16S => extmul(t, I8X16, Sign::Signed, Half::High),
        O::I16x8ExtMulLowI8x16U => extmul(t, I8X16, Sign::Unsigned, Half::Low),
        O::I16x8ExtMulHighI8x16U => extmul(t, I8X16, Sign::Unsigned, Half::High),
        O::I32x4ExtMulLowI16x8S => extmul(t, I16X8, Sign::Signed, Half::Low),
        O::I32x4ExtMulHighI16x8S => extmul(t, I16X8, Sign::Signed, Half::High),
        O::I32x4ExtMulLowI16x8U => extmul(t, I16X8, Sign::Unsigned, Half::Low),
        O::I32x4ExtMulHighI16x8U => extmul(t, I16X8, Sign::Unsigned, Half::High),
        O::I64x2ExtMulLowI32x4S => extmul(t, I32X4, Sign::Signed, Half::Low),
        O::I64x2ExtMulHighI32x4S => extmul(t, I32X4, Sign::Signed, Half::High),
        O::I64x2ExtMulLowI32x4U => extmul(t, I32X4, Sign::Unsigned, Half::Low),
        O::I64x2ExtMulHighI32x4U => extmul(t, I32X4, Sign::Unsigned, Half::High),
        // Lane i: a[2i] * b[2i] + a[2i+1] * b[2i+1], signed 16 x 16 -> 32 bits. Written as the
        // pairwise sum of the widened low and high products, the shape the x86 backend lowers
        // to one `pmaddwd`.
        O::I32x4DotI16x8S => {
            let (a, b) = t.pop2_vector(I16X8);
            let low = {
                let (a, b) = (t.b.ins().swiden_low(a), t.b.ins().swiden_low(b));
                t.b.ins().imul(a, b)
            };
            let high = {
                let (a, b) = (t.b.ins().swiden_high(a), t.b.ins().swiden_high(b));
                t.b.ins().imul(a, b)
            };
            let v = t.b.ins().iadd_pairwise(low, high);
            t.push_vector(v);
        }

        _ => return Ok(false),
    }
    Ok(true)
}

/// Signed or unsigned widening.
#[derive(Clone, Copy)]
enum Sign {
    Signed,
    Unsigned,
}

/// Which half of the lanes a widening takes.
#[derive(Clone, Copy)]
enum Half {
    Low,
    High,
}

/// Half of `v`'s lanes, widened to twice their width.
fn widen(t: &mut Translator, v: Value, sign: Sign, half: Half) -> Value {
    let ins = t.b.ins();
    match (sign, half) {
        (Sign::Signed, Half::Low) => ins.swiden_low(v),
        (Sign::Signed, Half::High) => ins.swiden_high(v),
        (Sign::Unsigned, Half::Low) => ins.uwiden_low(v),
        (Sign::Unsigned, Half::High) => ins.uwiden_high(v),
    }
}

/// `extadd_pairwise`: lane i of the result is `a[2i] + a[2i+1]`, widened. `iadd_pairwise` of
/// the widened low and high halves of one vector: the shape the backends match to a single
/// instruction (`saddlp`/`uaddlp` on aarch64, `pmaddubsw`/`pmaddwd` on x86).
fn extadd_pairwise(t: &mut Translator, ty: Type, sign: Sign) {
    let a = t.pop_vector(ty);
    let low = widen(t, a, sign, Half::Low);
    let high = widen(t, a, sign, Half::High);
    let v = t.b.ins().iadd_pairwise(low, high);
    t.push_vector(v);
}

/// `extmul_{low,high}`: the products of one half's lanes, widened first (so they cannot
/// overflow).
fn extmul(t: &mut Translator, ty: Type, sign: Sign, half: Half) {
    let (a, b) = t.pop2_vector(ty);
    let a = widen(t, a, sign, half);
    let b = widen(t, b, sign, half);
    let v = t.b.ins().imul(a, b);
    t.push_vector(v);
}

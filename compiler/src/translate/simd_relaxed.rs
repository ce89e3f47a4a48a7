//! The relaxed SIMD operators (WebAssembly 3.0): `i8x16.relaxed_swizzle`, the relaxed
//! truncations, `relaxed_madd`/`relaxed_nmadd`, `relaxed_laneselect`, `relaxed_min`/`max`,
//! `i16x8.relaxed_q15mulr_s` and the two relaxed dot products.
//!
//! The spec lets each of them give one of a few results where inputs are out of range (NaN,
//! overflow, an index ≥ 16, a mask lane that is not all-ones or all-zeros, `i8` operands
//! beyond 7 bits). Which one a program sees must be exactly what `wasmtime run` gives on the
//! same CPU features, so every choice here is the one wasmtime's translator makes in its
//! default, non-deterministic mode (`relaxed_simd_deterministic = false`,
//! `crates/cranelift/src/translate/code_translator.rs` and `func_environ.rs`), driven by the
//! same questions to the Cranelift ISA ([`RelaxedSimdTarget::of`]):
//!
//! | operator | x86_64 (SSE4.1 baseline) | x86_64 with `--cpu x86-64-v3` | aarch64 |
//! |---|---|---|---|
//! | `relaxed_swizzle` | `pshufb` (index ≥ 128 → 0, else index mod 16) | same | `swizzle` (wasm's) |
//! | `relaxed_trunc_f32x4_s`, `_f64x2_s_zero` | `cvtt*2dq` (NaN/overflow → `i32::MIN`) | same | saturating (wasm's `trunc_sat`) |
//! | `relaxed_trunc_*_u*` | saturating | saturating | saturating |
//! | `relaxed_madd`/`nmadd` | `fmul` then `fadd` (two roundings) | `fma` (one rounding) | `fma` |
//! | `relaxed_laneselect` i8/i32/i64 | `blendv` (top bit of each mask lane) | same | `bitselect` |
//! | `relaxed_laneselect` i16 | `bitselect` | `bitselect` | `bitselect` |
//! | `relaxed_min`/`max` | `pmin`/`pmax` shape (`minps`/`maxps`: NaN or ±0 pairs give the first operand) | same | wasm's `min`/`max` |
//! | `relaxed_q15mulr_s` | `pmulhrsw` (`-32768²` → `-32768`) | same | `sqmul_round_sat` |
//! | `relaxed_dot_i8x16_i7x16_s`, `_add_s` | `pmaddubsw` (second operand read unsigned, pair sums saturated) | same | exact signed products |
//!
//! Must never decide a lowering from anything but [`RelaxedSimdTarget`] (never the host
//! CPU), and never choose differently from wasmtime for the same ISA flags: the spec allows
//! either result, but a program's output would then differ from `wasmtime run`.

use cranelift_codegen::ir::{InstBuilder, Type, Value, types};
use cranelift_codegen::isa::TargetIsa;
use target_lexicon::Architecture;
use wasmparser::Operator;

use super::Translator;
use super::simd_float::{Pseudo, pseudo_min_max, zero_vector};
use crate::error::{CompileError, Result};

/// What the target's code generator offers the relaxed operators: the answers of the
/// Cranelift ISA to the questions wasmtime asks, taken once per function
/// ([`crate::env::FuncEnv::new`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RelaxedSimdTarget {
    /// The target is x86_64 (wasmtime's `is_x86`: `cvtt*2dq` truncation, `pmin`/`pmax`).
    pub x86: bool,
    /// Fused multiply-add is one native instruction (x86 AVX+FMA, every aarch64).
    pub native_fma: bool,
    /// Vector rounding instructions (x86 SSE4.1); without them the unsigned f64→i32
    /// truncation is done lane by lane.
    pub round: bool,
    /// `blendv` is lowered for i8x16 / i32x4 / i64x2 (x86 SSE4.1; never for i16x8).
    pub blendv: bool,
    /// `x86_pshufb` is lowered (x86 SSSE3).
    pub pshufb: bool,
    /// `x86_pmulhrsw` is lowered (x86 SSSE3).
    pub pmulhrsw: bool,
    /// `x86_pmaddubsw` is lowered (x86 SSSE3).
    pub pmaddubsw: bool,
}

impl RelaxedSimdTarget {
    /// The choices for code compiled by `isa`.
    pub fn of(isa: &dyn TargetIsa) -> RelaxedSimdTarget {
        RelaxedSimdTarget {
            x86: isa.triple().architecture == Architecture::X86_64,
            native_fma: isa.has_native_fma(),
            round: isa.has_round(),
            // i8x16 stands for the three lane shapes with a blend (i16x8 has none).
            blendv: isa.has_blendv_lowering(types::I8X16),
            pshufb: isa.has_x86_pshufb_lowering(),
            pmulhrsw: isa.has_x86_pmulhrsw_lowering(),
            pmaddubsw: isa.has_x86_pmaddubsw_lowering(),
        }
    }

    /// Whether `relaxed_laneselect` on lanes of `ty` is a `blendv`.
    fn blendv_for(&self, ty: Type) -> bool {
        self.blendv && ty != types::I16X8
    }
}

/// Translates `op` if it is a relaxed SIMD operator (`Ok(false)` otherwise).
pub(super) fn translate(t: &mut Translator, op: &Operator, offset: u64) -> Result<bool> {
    use Operator as O;
    use types::{F32X4, F64X2, I8X16, I16X8, I32, I32X4, I64X2};
    let target = t.env.relaxed_simd;

    match op {
        O::I8x16RelaxedSwizzle => {
            let (a, b) = t.pop2_vector(I8X16);
            let v = if !target.x86 {
                t.b.ins().swizzle(a, b)
            } else if target.pshufb {
                t.b.ins().x86_pshufb(a, b)
            } else {
                // wasmtime calls a runtime builtin here; every x86 CPU wasmaot targets has
                // SSSE3 (`codegen/isa.rs`), so this is only reachable with a changed baseline.
                return Err(CompileError::Unsupported {
                    offset,
                    what: "i8x16.relaxed_swizzle on x86_64 without SSSE3".to_string(),
                });
            };
            t.push_vector(v);
        }

        O::I32x4RelaxedTruncF32x4S => {
            let a = t.pop_vector(F32X4);
            let v = match target.x86 {
                true => t.b.ins().x86_cvtt2dq(I32X4, a),
                false => t.b.ins().fcvt_to_sint_sat(I32X4, a),
            };
            t.push_vector(v);
        }
        O::I32x4RelaxedTruncF32x4U => {
            let a = t.pop_vector(F32X4);
            let v = t.b.ins().fcvt_to_uint_sat(I32X4, a);
            t.push_vector(v);
        }
        O::I32x4RelaxedTruncF64x2SZero => {
            // Two i64 lanes narrowed with a zero vector into i32 lanes 0 and 1; on x86 the
            // backend folds `snarrow(x86_cvtt2dq(..), 0)` into one `cvttpd2dq`.
            let a = t.pop_vector(F64X2);
            let wide = match target.x86 {
                true => t.b.ins().x86_cvtt2dq(I64X2, a),
                false => t.b.ins().fcvt_to_sint_sat(I64X2, a),
            };
            let zero = zero_vector(&mut t.b, I64X2);
            let v = t.b.ins().snarrow(wide, zero);
            t.push_vector(v);
        }
        O::I32x4RelaxedTruncF64x2UZero => {
            let a = t.pop_vector(F64X2);
            let v = if target.x86 && !target.round {
                // Lane by lane: the vector lowering needs SSE4.1 `round*`.
                let zero = zero_vector(&mut t.b, I32X4);
                let mut v = zero;
                for lane in 0..2u8 {
                    let x = t.b.ins().extractlane(a, lane);
                    let i = t.b.ins().fcvt_to_uint_sat(I32, x);
                    v = t.b.ins().insertlane(v, i, lane);
                }
                v
            } else {
                let wide = t.b.ins().fcvt_to_uint_sat(I64X2, a);
                let zero = zero_vector(&mut t.b, I64X2);
                t.b.ins().uunarrow(wide, zero)
            };
            t.push_vector(v);
        }

        O::F32x4RelaxedMadd => madd(t, F32X4, false),
        O::F64x2RelaxedMadd => madd(t, F64X2, false),
        O::F32x4RelaxedNmadd => madd(t, F32X4, true),
        O::F64x2RelaxedNmadd => madd(t, F64X2, true),

        O::I8x16RelaxedLaneselect => laneselect(t, I8X16),
        O::I16x8RelaxedLaneselect => laneselect(t, I16X8),
        O::I32x4RelaxedLaneselect => laneselect(t, I32X4),
        O::I64x2RelaxedLaneselect => laneselect(t, I64X2),

        O::F32x4RelaxedMin => min_max(t, F32X4, Pseudo::Min),
        O::F32x4RelaxedMax => min_max(t, F32X4, Pseudo::Max),
        O::F64x2RelaxedMin => min_max(t, F64X2, Pseudo::Min),
        O::F64x2RelaxedMax => min_max(t, F64X2, Pseudo::Max),

        O::I16x8RelaxedQ15mulrS => {
            let (a, b) = t.pop2_vector(I16X8);
            let v = match target.pmulhrsw {
                true => t.b.ins().x86_pmulhrsw(a, b),
                false => t.b.ins().sqmul_round_sat(a, b),
            };
            t.push_vector(v);
        }
        O::I16x8RelaxedDotI8x16I7x16S => {
            let (a, b) = t.pop2_vector(I8X16);
            let v = dot_i16x8(t, a, b);
            t.push_vector(v);
        }
        O::I32x4RelaxedDotI8x16I7x16AddS => {
            let c = t.pop_vector(I32X4);
            let (a, b) = t.pop2_vector(I8X16);
            let dot = if target.pmaddubsw {
                // Pairs of the saturated i16 sums, widened and added.
                let d = t.b.ins().x86_pmaddubsw(a, b);
                let lo = t.b.ins().swiden_low(d);
                let hi = t.b.ins().swiden_high(d);
                t.b.ins().iadd_pairwise(lo, hi)
            } else {
                // Each i32 lane is the exact sum of its four signed i8 products.
                let (lo, hi) = signed_products(t, a, b);
                let lo_lo = t.b.ins().swiden_low(lo);
                let lo_hi = t.b.ins().swiden_high(lo);
                let hi_lo = t.b.ins().swiden_low(hi);
                let hi_hi = t.b.ins().swiden_high(hi);
                let sum_lo = t.b.ins().iadd_pairwise(lo_lo, lo_hi);
                let sum_hi = t.b.ins().iadd_pairwise(hi_lo, hi_hi);
                t.b.ins().iadd_pairwise(sum_lo, sum_hi)
            };
            let v = t.b.ins().iadd(dot, c);
            t.push_vector(v);
        }

        _ => return Ok(false),
    }
    Ok(true)
}

/// `relaxed_madd(a, b, c) = a * b + c`, `relaxed_nmadd(a, b, c) = -a * b + c`: one `fma`
/// where it is a native instruction, else a multiply and an add, each rounded (wasmtime's
/// non-deterministic choice; its deterministic mode would call a libm-style builtin).
fn madd(t: &mut Translator, ty: Type, negate: bool) {
    let c = t.pop_vector(ty);
    let (a, b) = t.pop2_vector(ty);
    let a = match negate {
        true => t.b.ins().fneg(a),
        false => a,
    };
    let v = match t.env.relaxed_simd.native_fma {
        true => t.b.ins().fma(a, b, c),
        false => {
            let product = t.b.ins().fmul(a, b);
            t.b.ins().fadd(product, c)
        }
    };
    t.push_vector(v);
}

/// `relaxed_laneselect(a, b, m)`: lanes of `a` where `m` is set, of `b` elsewhere. A `blendv`
/// looks only at the top bit of each mask lane, `bitselect` at every bit.
fn laneselect(t: &mut Translator, ty: Type) {
    let m = t.pop_vector(ty);
    let (a, b) = t.pop2_vector(ty);
    let v = match t.env.relaxed_simd.blendv_for(ty) {
        true => t.b.ins().blendv(m, a, b),
        false => t.b.ins().bitselect(m, a, b),
    };
    t.push_vector(v);
}

/// `relaxed_min`/`relaxed_max`: on x86 the pseudo-min/max shape, which the backend lowers to
/// one `minp*`/`maxp*` (a lane with a NaN or two zeros gives the first operand's lane);
/// elsewhere wasm's `min`/`max`.
fn min_max(t: &mut Translator, ty: Type, which: Pseudo) {
    if t.env.relaxed_simd.x86 {
        pseudo_min_max(t, ty, which);
        return;
    }
    let (a, b) = t.pop2_vector(ty);
    let v = match which {
        Pseudo::Min => t.b.ins().fmin(a, b),
        Pseudo::Max => t.b.ins().fmax(a, b),
    };
    t.push_vector(v);
}

/// `i16x8.relaxed_dot_i8x16_i7x16_s`: `pmaddubsw` on x86, else the exact signed dot product
/// of adjacent lane pairs.
fn dot_i16x8(t: &mut Translator, a: Value, b: Value) -> Value {
    if t.env.relaxed_simd.pmaddubsw {
        return t.b.ins().x86_pmaddubsw(a, b);
    }
    let (lo, hi) = signed_products(t, a, b);
    t.b.ins().iadd_pairwise(lo, hi)
}

/// The i16 products of the signed i8 lanes of `a` and `b`: (lanes 0-7, lanes 8-15).
fn signed_products(t: &mut Translator, a: Value, b: Value) -> (Value, Value) {
    let a_lo = t.b.ins().swiden_low(a);
    let b_lo = t.b.ins().swiden_low(b);
    let lo = t.b.ins().imul(a_lo, b_lo);
    let a_hi = t.b.ins().swiden_high(a);
    let b_hi = t.b.ins().swiden_high(b);
    let hi = t.b.ins().imul(a_hi, b_hi);
    (lo, hi)
}

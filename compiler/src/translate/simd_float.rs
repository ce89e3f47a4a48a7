//! SIMD operators on float lanes (`f32x4`, `f64x2`): comparisons, arithmetic, rounding, and
//! the conversions between float and integer lanes. The vector representation (`v128` as
//! `I8X16`, viewed per operator) is `simd.rs`'s.
//!
//! Cranelift's vector instructions have wasm's semantics, relied on here as in `numeric.rs`:
//! `fmin`/`fmax` propagate NaN and order -0 below +0; `nearest` rounds ties to even; the
//! `fcvt_to_*_sat` conversions saturate and map NaN to 0. Both backends lower every instruction
//! used here natively (x86-64-v2 has SSE4.1's `round*`). Must never emit a libcall.

use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::{ConstantData, InstBuilder, Type, Value, types};
use cranelift_frontend::FunctionBuilder;
use wasmparser::Operator;

use super::Translator;
use super::simd::view;
use crate::error::Result;

pub(super) fn translate(t: &mut Translator, op: &Operator) -> Result<bool> {
    use Operator as O;
    use types::{F32X4, F64X2, I32X4, I64X2};

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
    // Lane-wise comparison: all ones where `$cc` holds. `ne` holds for unordered lanes, the
    // others do not.
    macro_rules! fcmp {
        ($ty:expr, $cc:expr) => {{
            let (a, b) = t.pop2_vector($ty);
            let v = t.b.ins().fcmp($cc, a, b);
            t.push_vector(v);
        }};
    }
    // A conversion of every lane to `$to`'s lanes.
    macro_rules! convert {
        ($from:expr, $f:ident, $to:expr) => {{
            let a = t.pop_vector($from);
            let v = t.b.ins().$f($to, a);
            t.push_vector(v);
        }};
    }

    match op {
        O::F32x4Eq => fcmp!(F32X4, FloatCC::Equal),
        O::F32x4Ne => fcmp!(F32X4, FloatCC::NotEqual),
        O::F32x4Lt => fcmp!(F32X4, FloatCC::LessThan),
        O::F32x4Gt => fcmp!(F32X4, FloatCC::GreaterThan),
        O::F32x4Le => fcmp!(F32X4, FloatCC::LessThanOrEqual),
        O::F32x4Ge => fcmp!(F32X4, FloatCC::GreaterThanOrEqual),
        O::F64x2Eq => fcmp!(F64X2, FloatCC::Equal),
        O::F64x2Ne => fcmp!(F64X2, FloatCC::NotEqual),
        O::F64x2Lt => fcmp!(F64X2, FloatCC::LessThan),
        O::F64x2Gt => fcmp!(F64X2, FloatCC::GreaterThan),
        O::F64x2Le => fcmp!(F64X2, FloatCC::LessThanOrEqual),
        O::F64x2Ge => fcmp!(F64X2, FloatCC::GreaterThanOrEqual),

        O::F32x4Abs => unary!(F32X4, fabs),
        O::F32x4Neg => unary!(F32X4, fneg),
        O::F32x4Sqrt => unary!(F32X4, sqrt),
        O::F32x4Ceil => unary!(F32X4, ceil),
        O::F32x4Floor => unary!(F32X4, floor),
        O::F32x4Trunc => unary!(F32X4, trunc),
        O::F32x4Nearest => unary!(F32X4, nearest),
        O::F64x2Abs => unary!(F64X2, fabs),
        O::F64x2Neg => unary!(F64X2, fneg),
        O::F64x2Sqrt => unary!(F64X2, sqrt),
        O::F64x2Ceil => unary!(F64X2, ceil),
        O::F64x2Floor => unary!(F64X2, floor),
        O::F64x2Trunc => unary!(F64X2, trunc),
        O::F64x2Nearest => unary!(F64X2, nearest),
        O::F32x4Add => binary!(F32X4, fadd),
        O::F32x4Sub => binary!(F32X4, fsub),
        O::F32x4Mul => binary!(F32X4, fmul),
        O::F32x4Div => binary!(F32X4, fdiv),
        O::F32x4Min => binary!(F32X4, fmin),
        O::F32x4Max => binary!(F32X4, fmax),
        O::F64x2Add => binary!(F64X2, fadd),
        O::F64x2Sub => binary!(F64X2, fsub),
        O::F64x2Mul => binary!(F64X2, fmul),
        O::F64x2Div => binary!(F64X2, fdiv),
        O::F64x2Min => binary!(F64X2, fmin),
        O::F64x2Max => binary!(F64X2, fmax),
        O::F32x4PMin => pseudo_min_max(t, F32X4, Pseudo::Min),
        O::F32x4PMax => pseudo_min_max(t, F32X4, Pseudo::Max),
        O::F64x2PMin => pseudo_min_max(t, F64X2, Pseudo::Min),
        O::F64x2PMax => pseudo_min_max(t, F64X2, Pseudo::Max),

        // Float to integer, saturating (NaN gives 0).
        O::I32x4TruncSatF32x4S => convert!(F32X4, fcvt_to_sint_sat, I32X4),
        O::I32x4TruncSatF32x4U => convert!(F32X4, fcvt_to_uint_sat, I32X4),
        // The two f64 lanes to i32 lanes 0 and 1; lanes 2 and 3 are zero. Converted to i64
        // lanes, then narrowed (saturating) together with a zero vector. The x86 backend has
        // no general `uunarrow` and no `snarrow` of i64x2: it lowers only this exact shape
        // (to `cvttpd2dq` and fix-ups).
        O::I32x4TruncSatF64x2SZero => {
            let a = t.pop_vector(F64X2);
            let wide = t.b.ins().fcvt_to_sint_sat(I64X2, a);
            let zero = zero_vector(&mut t.b, I64X2);
            let v = t.b.ins().snarrow(wide, zero);
            t.push_vector(v);
        }
        O::I32x4TruncSatF64x2UZero => {
            let a = t.pop_vector(F64X2);
            let wide = t.b.ins().fcvt_to_uint_sat(I64X2, a);
            let zero = zero_vector(&mut t.b, I64X2);
            let v = t.b.ins().uunarrow(wide, zero);
            t.push_vector(v);
        }

        // Integer to float (rounded to nearest, ties to even).
        O::F32x4ConvertI32x4S => convert!(I32X4, fcvt_from_sint, F32X4),
        O::F32x4ConvertI32x4U => convert!(I32X4, fcvt_from_uint, F32X4),
        // The low two i32 lanes, widened to i64 first (exact in f64); the signed form is the
        // shape the x86 backend lowers to one `cvtdq2pd`.
        O::F64x2ConvertLowI32x4S => {
            let a = t.pop_vector(I32X4);
            let wide = t.b.ins().swiden_low(a);
            let v = t.b.ins().fcvt_from_sint(F64X2, wide);
            t.push_vector(v);
        }
        O::F64x2ConvertLowI32x4U => {
            let a = t.pop_vector(I32X4);
            let wide = t.b.ins().uwiden_low(a);
            let v = t.b.ins().fcvt_from_uint(F64X2, wide);
            t.push_vector(v);
        }

        // f64x2 to the low two f32 lanes (the high two are zero), and back.
        O::F32x4DemoteF64x2Zero => unary!(F64X2, fvdemote),
        O::F64x2PromoteLowF32x4 => unary!(F32X4, fvpromote_low),

        _ => return Ok(false),
    }
    Ok(true)
}

/// An all-zero vector of lane shape `ty`, made with that type (not viewed from `I8X16`), so
/// that pattern-matching lowerings see a constant of the right type.
pub(super) fn zero_vector(b: &mut FunctionBuilder, ty: Type) -> Value {
    let c = b
        .func
        .dfg
        .constants
        .insert(ConstantData::from(&[0u8; 16][..]));
    b.ins().vconst(ty, c)
}

/// `pmin` or `pmax`.
#[derive(Clone, Copy)]
pub(super) enum Pseudo {
    Min,
    Max,
}

/// wasm's pseudo-minimum and -maximum, defined by one comparison (unlike `min`/`max`, NaN and
/// signed zeros get no special treatment): `pmin(a, b) = b < a ? b : a`,
/// `pmax(a, b) = a < b ? b : a`. A lane where the comparison is unordered gives `a`. This
/// exact shape (`bitselect` of the bitcast `fcmp lt`, operands in this order) is what the x86
/// backend lowers to one `minp*`/`maxp*`, whose semantics are these.
pub(super) fn pseudo_min_max(t: &mut Translator, ty: Type, which: Pseudo) {
    let (a, b) = t.pop2_vector(ty);
    let take_b = match which {
        Pseudo::Min => t.b.ins().fcmp(FloatCC::LessThan, b, a),
        Pseudo::Max => t.b.ins().fcmp(FloatCC::LessThan, a, b),
    };
    // The mask has integer lanes; `bitselect` wants all three operands of one type.
    let take_b = view(&mut t.b, take_b, ty);
    let v = t.b.ins().bitselect(take_b, b, a);
    t.push_vector(v);
}

//! Numeric operators: constants, integer and float arithmetic, comparisons, conversions.
//!
//! Cranelift's instructions already have wasm's semantics where it matters, and this file
//! relies on them (each noted at its arm): `sdiv`/`udiv`/`srem`/`urem` trap on a zero divisor,
//! `sdiv` traps on `INT_MIN / -1` while `srem` gives 0; shift and rotate amounts are taken
//! modulo the width; `fmin`/`fmax` propagate NaN and order -0 below +0; `nearest` rounds ties
//! to even; `fcvt_to_{s,u}int` trap with BAD_CONVERSION_TO_INTEGER on NaN and
//! INTEGER_OVERFLOW out of range; the `_sat` forms saturate and map NaN to 0.
//! Must never add a check Cranelift already performs.

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::immediates::{Ieee32, Ieee64};
use cranelift_codegen::ir::{InstBuilder, MemFlagsData, types};
use wasmparser::Operator;

use super::Translator;
use crate::error::Result;

pub(super) fn translate(t: &mut Translator, op: &Operator) -> Result<bool> {
    use Operator as O;
    use types::{F32, F64, I8, I16, I32, I64};

    macro_rules! unary {
        ($f:ident) => {{
            let a = t.st.pop();
            let v = t.b.ins().$f(a);
            t.st.push(v);
        }};
    }
    macro_rules! binary {
        ($f:ident) => {{
            let (a, b) = t.st.pop2();
            let v = t.b.ins().$f(a, b);
            t.st.push(v);
        }};
    }
    macro_rules! convert {
        ($f:ident, $ty:expr) => {{
            let a = t.st.pop();
            let v = t.b.ins().$f($ty, a);
            t.st.push(v);
        }};
    }
    macro_rules! icmp {
        ($cc:expr) => {{
            let (a, b) = t.st.pop2();
            let c = t.b.ins().icmp($cc, a, b);
            t.push_bool(c);
        }};
    }
    macro_rules! fcmp {
        ($cc:expr) => {{
            let (a, b) = t.st.pop2();
            let c = t.b.ins().fcmp($cc, a, b);
            t.push_bool(c);
        }};
    }
    // Sign-extend the low `$from` bits of a `$to` value.
    macro_rules! sext_low {
        ($from:expr, $to:expr) => {{
            let a = t.st.pop();
            let narrow = t.b.ins().ireduce($from, a);
            let v = t.b.ins().sextend($to, narrow);
            t.st.push(v);
        }};
    }
    macro_rules! reinterpret {
        ($ty:expr) => {{
            let a = t.st.pop();
            let v = t.b.ins().bitcast($ty, MemFlagsData::new(), a);
            t.st.push(v);
        }};
    }

    match op {
        O::I32Const { value } => {
            let v = t.b.ins().iconst(I32, *value as i64);
            t.st.push(v);
        }
        O::I64Const { value } => {
            let v = t.b.ins().iconst(I64, *value);
            t.st.push(v);
        }
        O::F32Const { value } => {
            let v = t.b.ins().f32const(Ieee32::with_bits(value.bits()));
            t.st.push(v);
        }
        O::F64Const { value } => {
            let v = t.b.ins().f64const(Ieee64::with_bits(value.bits()));
            t.st.push(v);
        }

        // Integer tests and comparisons.
        O::I32Eqz | O::I64Eqz => {
            let a = t.st.pop();
            let c = t.b.ins().icmp_imm_u(IntCC::Equal, a, 0);
            t.push_bool(c);
        }
        O::I32Eq | O::I64Eq => icmp!(IntCC::Equal),
        O::I32Ne | O::I64Ne => icmp!(IntCC::NotEqual),
        O::I32LtS | O::I64LtS => icmp!(IntCC::SignedLessThan),
        O::I32LtU | O::I64LtU => icmp!(IntCC::UnsignedLessThan),
        O::I32GtS | O::I64GtS => icmp!(IntCC::SignedGreaterThan),
        O::I32GtU | O::I64GtU => icmp!(IntCC::UnsignedGreaterThan),
        O::I32LeS | O::I64LeS => icmp!(IntCC::SignedLessThanOrEqual),
        O::I32LeU | O::I64LeU => icmp!(IntCC::UnsignedLessThanOrEqual),
        O::I32GeS | O::I64GeS => icmp!(IntCC::SignedGreaterThanOrEqual),
        O::I32GeU | O::I64GeU => icmp!(IntCC::UnsignedGreaterThanOrEqual),

        // Integer arithmetic.
        O::I32Clz | O::I64Clz => unary!(clz),
        O::I32Ctz | O::I64Ctz => unary!(ctz),
        O::I32Popcnt | O::I64Popcnt => unary!(popcnt),
        O::I32Add | O::I64Add => binary!(iadd),
        O::I32Sub | O::I64Sub => binary!(isub),
        O::I32Mul | O::I64Mul => binary!(imul),
        // Traps: zero divisor (INTEGER_DIVISION_BY_ZERO), INT_MIN / -1 (INTEGER_OVERFLOW).
        O::I32DivS | O::I64DivS => binary!(sdiv),
        O::I32DivU | O::I64DivU => binary!(udiv),
        // Traps on a zero divisor only; INT_MIN rem -1 is 0, as wasm requires.
        O::I32RemS | O::I64RemS => binary!(srem),
        O::I32RemU | O::I64RemU => binary!(urem),
        O::I32And | O::I64And => binary!(band),
        O::I32Or | O::I64Or => binary!(bor),
        O::I32Xor | O::I64Xor => binary!(bxor),
        // Shift and rotate amounts are taken modulo the type's width, as in wasm.
        O::I32Shl | O::I64Shl => binary!(ishl),
        O::I32ShrS | O::I64ShrS => binary!(sshr),
        O::I32ShrU | O::I64ShrU => binary!(ushr),
        O::I32Rotl | O::I64Rotl => binary!(rotl),
        O::I32Rotr | O::I64Rotr => binary!(rotr),

        // Float comparisons. `ne` is true for unordered operands, the others false.
        O::F32Eq | O::F64Eq => fcmp!(FloatCC::Equal),
        O::F32Ne | O::F64Ne => fcmp!(FloatCC::NotEqual),
        O::F32Lt | O::F64Lt => fcmp!(FloatCC::LessThan),
        O::F32Gt | O::F64Gt => fcmp!(FloatCC::GreaterThan),
        O::F32Le | O::F64Le => fcmp!(FloatCC::LessThanOrEqual),
        O::F32Ge | O::F64Ge => fcmp!(FloatCC::GreaterThanOrEqual),

        // Float arithmetic.
        O::F32Abs | O::F64Abs => unary!(fabs),
        O::F32Neg | O::F64Neg => unary!(fneg),
        O::F32Ceil | O::F64Ceil => unary!(ceil),
        O::F32Floor | O::F64Floor => unary!(floor),
        O::F32Trunc | O::F64Trunc => unary!(trunc),
        O::F32Nearest | O::F64Nearest => unary!(nearest),
        O::F32Sqrt | O::F64Sqrt => unary!(sqrt),
        O::F32Add | O::F64Add => binary!(fadd),
        O::F32Sub | O::F64Sub => binary!(fsub),
        O::F32Mul | O::F64Mul => binary!(fmul),
        O::F32Div | O::F64Div => binary!(fdiv),
        O::F32Min | O::F64Min => binary!(fmin),
        O::F32Max | O::F64Max => binary!(fmax),
        O::F32Copysign | O::F64Copysign => binary!(fcopysign),

        // Integer width changes.
        O::I32WrapI64 => convert!(ireduce, I32),
        O::I64ExtendI32S => convert!(sextend, I64),
        O::I64ExtendI32U => convert!(uextend, I64),
        O::I32Extend8S => sext_low!(I8, I32),
        O::I32Extend16S => sext_low!(I16, I32),
        O::I64Extend8S => sext_low!(I8, I64),
        O::I64Extend16S => sext_low!(I16, I64),
        O::I64Extend32S => sext_low!(I32, I64),

        // Float to integer: NaN traps BAD_CONVERSION_TO_INTEGER, out of range INTEGER_OVERFLOW.
        O::I32TruncF32S | O::I32TruncF64S => convert!(fcvt_to_sint, I32),
        O::I32TruncF32U | O::I32TruncF64U => convert!(fcvt_to_uint, I32),
        O::I64TruncF32S | O::I64TruncF64S => convert!(fcvt_to_sint, I64),
        O::I64TruncF32U | O::I64TruncF64U => convert!(fcvt_to_uint, I64),
        // Saturating: NaN gives 0, out of range the nearest bound.
        O::I32TruncSatF32S | O::I32TruncSatF64S => convert!(fcvt_to_sint_sat, I32),
        O::I32TruncSatF32U | O::I32TruncSatF64U => convert!(fcvt_to_uint_sat, I32),
        O::I64TruncSatF32S | O::I64TruncSatF64S => convert!(fcvt_to_sint_sat, I64),
        O::I64TruncSatF32U | O::I64TruncSatF64U => convert!(fcvt_to_uint_sat, I64),

        // Integer to float, float to float.
        O::F32ConvertI32S | O::F32ConvertI64S => convert!(fcvt_from_sint, F32),
        O::F32ConvertI32U | O::F32ConvertI64U => convert!(fcvt_from_uint, F32),
        O::F64ConvertI32S | O::F64ConvertI64S => convert!(fcvt_from_sint, F64),
        O::F64ConvertI32U | O::F64ConvertI64U => convert!(fcvt_from_uint, F64),
        O::F32DemoteF64 => convert!(fdemote, F32),
        O::F64PromoteF32 => convert!(fpromote, F64),

        // Bit reinterpretations.
        O::I32ReinterpretF32 => reinterpret!(I32),
        O::I64ReinterpretF64 => reinterpret!(I64),
        O::F32ReinterpretI32 => reinterpret!(F32),
        O::F64ReinterpretI64 => reinterpret!(F64),

        _ => return Ok(false),
    }
    Ok(true)
}

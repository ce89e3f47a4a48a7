//! Traps: how each `wasmaot_abi::trap::TrapCode` is raised in CLIF, and how a Cranelift trap
//! code found in compiled code maps back to ours.
//!
//! Must never invent a code: every trap raised here is one of the ABI's codes.

use cranelift_codegen::ir::{self, InstBuilder, Value};
use cranelift_frontend::FunctionBuilder;
use wasmaot_abi::trap::TrapCode;

use super::FuncEnv;

/// The Cranelift trap code raising `code`.
pub fn clif_trap_code(code: TrapCode) -> ir::TrapCode {
    ir::TrapCode::unwrap_user(code.to_clif_user())
}

/// Our trap code for a Cranelift trap code found in compiled code: user codes decode directly,
/// Cranelift's built-in codes (emitted by loads/stores, division, float-to-int conversion and
/// the stack-limit check) map to their wasm meaning.
pub fn abi_trap_code(code: ir::TrapCode) -> Option<TrapCode> {
    Some(match code {
        ir::TrapCode::HEAP_OUT_OF_BOUNDS => TrapCode::MemoryOutOfBounds,
        ir::TrapCode::INTEGER_OVERFLOW => TrapCode::IntegerOverflow,
        ir::TrapCode::INTEGER_DIVISION_BY_ZERO => TrapCode::IntegerDivisionByZero,
        ir::TrapCode::BAD_CONVERSION_TO_INTEGER => TrapCode::BadConversionToInteger,
        ir::TrapCode::STACK_OVERFLOW => TrapCode::StackOverflow,
        other => return TrapCode::from_clif_user(other.as_raw().get()),
    })
}

impl FuncEnv<'_> {
    /// Traps unconditionally.
    pub fn trap(&mut self, builder: &mut FunctionBuilder, code: TrapCode) {
        builder.ins().trap(clif_trap_code(code));
    }

    /// Traps if `cond` is zero.
    pub fn trapz(&mut self, builder: &mut FunctionBuilder, cond: Value, code: TrapCode) {
        builder.ins().trapz(cond, clif_trap_code(code));
    }

    /// Traps if `cond` is non-zero.
    pub fn trapnz(&mut self, builder: &mut FunctionBuilder, cond: Value, code: TrapCode) {
        builder.ins().trapnz(cond, clif_trap_code(code));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmaot_abi::trap::ALL_TRAP_CODES;

    #[test]
    fn user_codes_round_trip() {
        for code in ALL_TRAP_CODES {
            assert_eq!(abi_trap_code(clif_trap_code(code)), Some(code));
        }
        assert_eq!(
            abi_trap_code(ir::TrapCode::HEAP_OUT_OF_BOUNDS),
            Some(TrapCode::MemoryOutOfBounds)
        );
        assert_eq!(
            abi_trap_code(ir::TrapCode::STACK_OVERFLOW),
            Some(TrapCode::StackOverflow)
        );
    }
}

//! Constant expressions (global initialisers, element and data offsets, element items) as
//! descriptor `ConstExprDesc`s: the one-instruction 2.0 forms, and the extended-const
//! proposal's `i32`/`i64` `add`/`sub`/`mul` expressions, folded to one constant when they read
//! no global, else kept as a postfix program in `ModuleInfo::const_ops` for the runtime to
//! evaluate at instantiation (`wasmaot_abi::descriptor::eval_extended`, docs/ABI.md).
//!
//! Must never accept an expression the validator did not (it runs first), and never evaluate
//! arithmetic any other way than `eval_extended` does.

use wasmaot_abi::descriptor::{ConstExprDesc, MAX_CONST_OPS, const_kind, eval_extended};
use wasmparser::Operator;

use crate::error::{CompileError, Result};

/// An `i32.const`.
pub(crate) fn const_i32(v: i32) -> ConstExprDesc {
    desc(const_kind::I32, 0, v as u32 as u64, 0)
}

fn desc(kind: u32, index: u32, lo: u64, hi: u64) -> ConstExprDesc {
    ConstExprDesc {
        kind,
        index,
        bits: [lo, hi],
    }
}

fn unsupported(offset: u64, what: &str) -> CompileError {
    CompileError::Unsupported {
        offset,
        what: what.to_string(),
    }
}

/// Reads a (validated) constant expression; an extended one that reads a global appends its
/// program to `ops`.
pub(crate) fn const_expr(
    ops: &mut Vec<ConstExprDesc>,
    expr: &wasmparser::ConstExpr<'_>,
) -> Result<ConstExprDesc> {
    let mut reader = expr.get_operators_reader();
    let offset = reader.original_position();
    let mut code = Vec::new();
    loop {
        match reader.read()? {
            Operator::End => break,
            op => code.push(op),
        }
    }
    match &code[..] {
        [op] => single(op, offset),
        _ => extended(ops, &code, offset),
    }
}

/// The 2.0 forms: one instruction.
fn single(op: &Operator<'_>, offset: u64) -> Result<ConstExprDesc> {
    Ok(match *op {
        Operator::I32Const { value } => const_i32(value),
        Operator::I64Const { value } => desc(const_kind::I64, 0, value as u64, 0),
        Operator::F32Const { value } => desc(const_kind::F32, 0, value.bits() as u64, 0),
        Operator::F64Const { value } => desc(const_kind::F64, 0, value.bits(), 0),
        Operator::V128Const { value } => {
            let b = value.i128() as u128;
            desc(const_kind::V128, 0, b as u64, (b >> 64) as u64)
        }
        Operator::GlobalGet { global_index } => desc(const_kind::GLOBAL_GET, global_index, 0, 0),
        Operator::RefNull { .. } => desc(const_kind::REF_NULL, 0, 0, 0),
        Operator::RefFunc { function_index } => desc(const_kind::REF_FUNC, function_index, 0, 0),
        _ => return Err(unsupported(offset, "this constant expression")),
    })
}

/// An extended-const expression: folded when it reads no global, else an `EXTENDED` reference
/// to its program, appended to `ops`.
fn extended(
    ops: &mut Vec<ConstExprDesc>,
    code: &[Operator<'_>],
    offset: u64,
) -> Result<ConstExprDesc> {
    let what = "this extended constant expression";
    let mut program = Vec::with_capacity(code.len());
    for op in code {
        program.push(match *op {
            Operator::I32Const { value } => const_i32(value),
            Operator::I64Const { value } => desc(const_kind::I64, 0, value as u64, 0),
            Operator::GlobalGet { global_index } => {
                desc(const_kind::GLOBAL_GET, global_index, 0, 0)
            }
            Operator::I32Add => desc(const_kind::I32_ADD, 0, 0, 0),
            Operator::I32Sub => desc(const_kind::I32_SUB, 0, 0, 0),
            Operator::I32Mul => desc(const_kind::I32_MUL, 0, 0, 0),
            Operator::I64Add => desc(const_kind::I64_ADD, 0, 0, 0),
            Operator::I64Sub => desc(const_kind::I64_SUB, 0, 0, 0),
            Operator::I64Mul => desc(const_kind::I64_MUL, 0, 0, 0),
            _ => return Err(unsupported(offset, what)),
        });
    }
    let is_i64 = match program.last().map(|op| op.kind) {
        Some(const_kind::I32_ADD | const_kind::I32_SUB | const_kind::I32_MUL) => false,
        Some(const_kind::I64_ADD | const_kind::I64_SUB | const_kind::I64_MUL) => true,
        _ => return Err(unsupported(offset, what)),
    };
    if let Some(v) = eval_extended(&program, |_| None) {
        let kind = if is_i64 {
            const_kind::I64
        } else {
            const_kind::I32
        };
        return Ok(desc(kind, 0, v, 0));
    }
    if program.len() > MAX_CONST_OPS {
        return Err(unsupported(offset, "a constant expression this long"));
    }
    let start = u32::try_from(ops.len()).map_err(|_| unsupported(offset, what))?;
    let len = program.len() as u64;
    ops.extend(program);
    Ok(desc(const_kind::EXTENDED, start, len, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (ConstExprDesc, Vec<ConstExprDesc>) {
        let wasm = wat::parse_str(text).unwrap();
        let mut ops = Vec::new();
        for payload in wasmparser::Parser::new(0).parse_all(&wasm) {
            if let wasmparser::Payload::GlobalSection(r) = payload.unwrap() {
                let g = r.into_iter().last().unwrap().unwrap();
                return (const_expr(&mut ops, &g.init_expr).unwrap(), ops);
            }
        }
        panic!("no global")
    }

    #[test]
    fn constant_arithmetic_folds() {
        let (c, ops) = parse("(module (global i32 (i32.sub (i32.const 1) (i32.const 2))))");
        assert_eq!((c.kind, c.bits[0]), (const_kind::I32, 0xffff_ffff));
        assert!(ops.is_empty());
        let (c, _) = parse(
            "(module (global i64 (i64.mul (i64.add (i64.const 3) (i64.const 4)) (i64.const -1))))",
        );
        assert_eq!((c.kind, c.bits[0]), (const_kind::I64, -7i64 as u64));
    }

    #[test]
    fn global_reads_become_programs() {
        let (c, ops) = parse(
            r#"(module (import "m" "g" (global i32))
                 (global i32 (i32.add (global.get 0) (i32.const 5))))"#,
        );
        assert_eq!((c.kind, c.index, c.bits[0]), (const_kind::EXTENDED, 0, 3));
        assert_eq!(eval_extended(&ops, |_| Some(10)), Some(15));
    }

    #[test]
    fn single_instructions_stay_2_0_forms() {
        let (c, ops) = parse("(module (global f32 (f32.const 1)))");
        assert_eq!(
            (c.kind, c.bits[0]),
            (const_kind::F32, 1f32.to_bits() as u64)
        );
        assert!(ops.is_empty());
    }
}

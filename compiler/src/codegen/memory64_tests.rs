//! Code generator tests of the memory64 proposal: every operator on 64-bit memories and tables
//! (and between 32-bit and 64-bit ones) compiled for both targets at -O0 and -O2 with the
//! verifier on, and the explicit bounds check a 64-bit access must carry.
//!
//! Must never parse with a feature set that lacks memory64 (the modules here would be rejected).

use wasmaot_abi::trap::TrapCode;

use super::*;
use crate::module::{FeatureSet, ModuleInfo, ParseOptions, parse};

fn parse_wat(text: &str) -> ModuleInfo<'static> {
    let bytes: &'static [u8] = Box::leak(wat::parse_str(text).unwrap().into_boxed_slice());
    parse(
        bytes,
        ParseOptions {
            dynamic_imports: true,
            features: FeatureSet::Wasm3,
            ..Default::default()
        },
    )
    .unwrap()
}

/// The compiled functions of `text`, for every target and optimisation level.
fn compile_all(text: &str) -> Vec<Vec<CompiledFunction>> {
    let info = parse_wat(text);
    super::tests::isas()
        .iter()
        .map(|isa| compile_module(&info, isa.as_ref(), None).unwrap())
        .collect()
}

fn count(f: &CompiledFunction, code: TrapCode) -> usize {
    f.traps.iter().filter(|t| t.code == code as u8).count()
}

const MEMORY64_OPERATORS: &str = r#"
(module
  (memory $m32 1)
  (memory $m64 i64 1 100)
  (table $t32 2 funcref)
  (table $t64 i64 2 funcref)
  (type $v (func))
  (data $d "abc")
  (elem $e func $load32)
  (data (memory $m64) (i64.const 0x10) "xy")
  (elem (table $t64) (i64.const 1) func $load32)
  (func $load32 (param i32) (result i32) (i32.load (local.get 0)))
  (func $load64 (param i64) (result i32) (i32.load $m64 (local.get 0)))
  (func $accesses (param $a i64) (param $v v128)
    (i64.store $m64 offset=0xffff_ffff_ffff_fff8 (local.get $a) (i64.const 1))
    (i64.store32 $m64 offset=0x1_0000_0000 (local.get $a) (i64.const 2))
    (f64.store $m64 (local.get $a) (f64.load $m64 offset=3 (local.get $a)))
    (v128.store $m64 (local.get $a) (v128.load8x8_s $m64 (local.get $a)))
    (v128.store64_lane $m64 1 (local.get $a) (v128.load32_splat $m64 (local.get $a)))
    (drop (i64.load16_s $m64 offset=0xffff_ffff_ffff_ffff (local.get $a))))
  (func $bulk (param $a i64) (param $b i32) (result i64)
    (memory.fill $m64 (local.get $a) (i32.const 7) (local.get $a))
    (memory.copy $m64 $m32 (local.get $a) (local.get $b) (local.get $b))
    (memory.copy $m32 $m64 (local.get $b) (local.get $a) (local.get $b))
    (memory.copy $m64 $m64 (local.get $a) (local.get $a) (local.get $a))
    (memory.init $m64 $d (local.get $a) (i32.const 0) (i32.const 1))
    (drop (memory.grow $m32 (local.get $b)))
    (i64.add (memory.size $m64) (memory.grow $m64 (local.get $a))))
  (func $tables (param $a i64) (param $b i32) (result i64)
    (table.set $t64 (local.get $a) (table.get $t32 (local.get $b)))
    (table.fill $t64 (local.get $a) (ref.null func) (local.get $a))
    (table.copy $t64 $t32 (local.get $a) (local.get $b) (local.get $b))
    (table.copy $t32 $t64 (local.get $b) (local.get $a) (local.get $b))
    (table.init $t64 $e (local.get $a) (i32.const 0) (i32.const 1))
    (call_indirect $t64 (type $v) (local.get $a))
    (drop (table.grow $t32 (ref.null func) (local.get $b)))
    (i64.add (table.size $t64) (table.grow $t64 (ref.null func) (local.get $a)))))
"#;

#[test]
fn memory64_operators_compile_for_every_target() {
    let info = parse_wat(MEMORY64_OPERATORS);
    assert!(!info.memories[0].index64 && info.memories[1].index64);
    assert!(!info.tables[0].index64 && info.tables[1].index64);
    for funcs in compile_all(MEMORY64_OPERATORS) {
        let [load32, load64, accesses, bulk, tables] = &funcs[..] else {
            panic!("five functions");
        };
        // A 32-bit memory needs no check: the one trap site is the load itself. A 64-bit one
        // adds the overflow check of `index + offset + size` and the comparison with the length.
        assert_eq!(count(load32, TrapCode::MemoryOutOfBounds), 1);
        assert_eq!(count(load64, TrapCode::MemoryOutOfBounds), 3);
        // Every one of the six accesses is checked; an offset whose `offset + size` wraps gets
        // a second overflow check.
        assert!(count(accesses, TrapCode::MemoryOutOfBounds) >= 6 * 3);
        assert!(count(bulk, TrapCode::MemoryOutOfBounds) >= 4);
        assert!(count(tables, TrapCode::TableOutOfBounds) >= 3);
    }
}

#[test]
fn memory64_is_rejected_by_the_2_0_feature_set() {
    let bytes = wat::parse_str("(module (memory i64 1))").unwrap();
    let e = parse(&bytes, ParseOptions::default()).unwrap_err();
    assert!(
        matches!(e, crate::error::CompileError::Unsupported { .. }),
        "{e}"
    );
}

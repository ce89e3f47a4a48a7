//! Translator tests that look at the CLIF itself: jump threading through dispatch loops, the
//! `v128` representation.

use std::str::FromStr;

use cranelift_codegen::flowgraph::ControlFlowGraph;
use cranelift_codegen::ir::{self, Block, Opcode, UserFuncName};
use target_lexicon::Triple;

use super::FuncTranslator;
use crate::codegen::{Cpu, OptLevel, build_isa};
use crate::env::{FuncEnv, wasm_signature};
use crate::module::{ParseOptions, parse};

/// A Go-shaped function (`tests/wat/run/dispatch_loop.wat` runs the same shape): a loop whose
/// body starts with `block`s and a `br_table` on the PC param, every edge between the "basic
/// blocks" being `i32.const k; local.set $pc; br $L` (or `br_if`), plus one edge with a
/// computed index and one with an out-of-range constant.
const GO_SHAPED: &str = r#"
(module
  (func $sum (param $pc i32) (param $n i32) (result i32)
    (local $i i32) (local $s i32)
    loop $L
      block $B4
      block $B3
      block $B2
      block $B1
      block $B0
        local.get $pc
        br_table $B0 $B1 $B2 $B3 $B4
      end
      ;; B0: entry; a negative n goes to index 99 (out of range: the default, B4)
      i32.const 0 local.set $i
      i32.const 0 local.set $s
      i32.const 99 local.set $pc
      local.get $n i32.const 0 i32.lt_s
      br_if $L
      i32.const 1 local.set $pc
      br $L
      end
      ;; B1: loop condition
      local.get $i local.get $n i32.lt_s
      if
        i32.const 2 local.set $pc
        br $L
      end
      i32.const 3 local.set $pc
      br $L
      end
      ;; B2: loop body, then back to B1 (already ended: a back edge)
      local.get $i i32.const 1 i32.and
      if
        local.get $s local.get $i i32.const 3 i32.mul i32.xor local.set $s
      else
        local.get $s local.get $i local.get $i i32.mul i32.add local.set $s
      end
      local.get $i i32.const 1 i32.add local.set $i
      i32.const 1 local.set $pc
      local.get $i i32.const 1000 i32.lt_s
      br_if $L
      ;; from i = 1000 on: a computed index (always 1), through the br_table
      local.get $i i32.const 1000 i32.ge_s
      local.set $pc
      br $L
      end
      ;; B3: return
      local.get $s
      return
      end
      ;; B4: add a marker and return through B3
      local.get $s i32.const 1000000 i32.add local.set $s
      i32.const 3 local.set $pc
      br $L
    end
    unreachable)
  (export "sum" (func $sum)))
"#;

/// The CLIF of the module's first function, with or without jump threading.
fn translate(text: &str, jump_threading: bool) -> ir::Function {
    let bytes: &'static [u8] = Box::leak(wat::parse_str(text).unwrap().into_boxed_slice());
    let info = parse(
        bytes,
        ParseOptions {
            dynamic_imports: true,
            ..Default::default()
        },
    )
    .unwrap();
    let isa = build_isa(
        &Triple::from_str("x86_64-unknown-linux-gnu").unwrap(),
        OptLevel::O2,
        false,
        Cpu::Baseline,
        false,
    )
    .unwrap();
    let index = info.num_imported_funcs;
    let sig = wasm_signature(
        info.func_signature(index),
        isa.default_call_conv(),
        isa.pointer_type(),
    );
    let mut func = ir::Function::with_name_signature(UserFuncName::user(0, index), sig);
    let mut env = FuncEnv::new(&info, isa.as_ref());
    let mut translator = FuncTranslator::new();
    translator.jump_threading = jump_threading;
    translator
        .translate(&mut env, &info.bodies[0].body, &mut func)
        .unwrap();
    func
}

/// The block ending in the function's only `br_table`.
fn br_table_block(func: &ir::Function) -> Block {
    let blocks: Vec<Block> = func
        .layout
        .blocks()
        .filter(|&b| {
            func.layout
                .last_inst(b)
                .is_some_and(|i| func.dfg.insts[i].opcode() == Opcode::BrTable)
        })
        .collect();
    assert_eq!(blocks.len(), 1, "{}", func.display());
    blocks[0]
}

/// The predecessors of `block`.
fn preds(func: &ir::Function, block: Block) -> Vec<Block> {
    let cfg = ControlFlowGraph::with_function(func);
    cfg.pred_iter(block).map(|p| p.block).collect()
}

#[test]
fn constant_edges_skip_the_br_table() {
    // Without threading, every `br $L` / `br_if $L` goes through the `br_table`: the entry,
    // B0 (twice), B1 (twice), B2 (twice: `br_if` and the computed `br`) and B4.
    let plain = translate(GO_SHAPED, false);
    assert_eq!(
        preds(&plain, br_table_block(&plain)).len(),
        8,
        "{}",
        plain.display()
    );
    // With threading only the function entry and the computed edge reach the loop header,
    // which tests for index 0 (Go's ordinary call) before the `br_table`.
    let threaded = translate(GO_SHAPED, true);
    let switch = br_table_block(&threaded);
    let switch_preds = preds(&threaded, switch);
    assert_eq!(switch_preds.len(), 1, "{}", threaded.display());
    let header = switch_preds[0];
    let brif = threaded.layout.last_inst(header).unwrap();
    assert_eq!(threaded.dfg.insts[brif].opcode(), Opcode::Brif);
    assert_eq!(preds(&threaded, header).len(), 2, "{}", threaded.display());
    // The verifier accepts the threaded function (seal order, SSA).
    let flags = cranelift_codegen::settings::Flags::new(cranelift_codegen::settings::builder());
    cranelift_codegen::verify_function(&threaded, &flags).unwrap();
}

#[test]
fn loops_of_other_shapes_are_left_alone() {
    // The `br_table` is not on a local right after the leading blocks: no threading.
    let text = r#"
    (module
      (func (param $pc i32) (result i32)
        loop $L
          block $B1
          block $B0
            local.get $pc
            i32.const 1
            i32.xor
            br_table $B0 $B1
          end
          i32.const 1 local.set $pc
          br $L
          end
        end
        local.get $pc))
    "#;
    let a = translate(text, true);
    let b = translate(text, false);
    assert_eq!(a.display().to_string(), b.display().to_string());
}

// GO_SHAPED is run, and its results checked, on both targets by the e2e program
// tests/wat/run/dispatch_loop.wat; the tests here check the CLIF it translates to.

#[test]
fn v128_values_cross_blocks_as_i8x16() {
    // Operators of four lane shapes feed a local, `if` and `loop` results, `select` and the
    // return: every vector in the signature and every vector block parameter is an `I8X16`.
    let text = r#"
    (module
      (func (param v128 i32) (result v128)
        (local $t v128)
        (local.set $t (f32x4.add (local.get 0) (local.get 0)))
        (if (result v128) (local.get 1)
          (then (i64x2.neg (local.get $t)))
          (else
            (loop (result v128)
              (br_if 0 (i32.eqz (local.get 1)))
              (i16x8.splat (local.get 1)))))
        (select (local.get $t) (local.get 1))))
    "#;
    let func = translate(text, true);
    let sig = &func.signature;
    let vectors = sig
        .params
        .iter()
        .chain(&sig.returns)
        .map(|p| p.value_type)
        .chain(func.layout.blocks().flat_map(|b| {
            func.dfg
                .block_params(b)
                .iter()
                .map(|&v| func.dfg.value_type(v))
        }))
        .filter(|t| t.is_vector());
    let mut n = 0;
    for ty in vectors {
        assert_eq!(ty, ir::types::I8X16, "{}", func.display());
        n += 1;
    }
    assert!(n >= 4, "{}", func.display());
    let flags = cranelift_codegen::settings::Flags::new(cranelift_codegen::settings::builder());
    cranelift_codegen::verify_function(&func, &flags).unwrap();
}

//! Call-graph facts, from one scan of every body: which functions may throw, which are
//! compiled with the tail calling convention, and which global is worth the pinned register.
//!
//! **Tail calls.** Cranelift's `return_call` needs the caller and callee in its `tail`
//! calling convention, while function references, exports and the runtime call the C one.
//! So a function that contains a `return_call*`, or that a `return_call` names directly, is
//! compiled with the tail convention (plus a C-convention adapter for function references);
//! every other function keeps the C convention, so modules without tail calls are unchanged.
//!
//! **Throwing.** Which functions may throw: what lets calls skip the pending-exception check
//! (`wasmaot_abi::exception`) where no exception can come back.
//!
//! An exception can only reach a module's code if the module can see one: it has tags, or
//! calls functions from outside (non-WASI function imports, imported tables whose elements
//! other modules set). A module that can see none (every Go, C or Rust WASI program without
//! exceptions) gets an empty answer and no checks at all. Otherwise a function may throw if
//! its body contains `throw`/`throw_ref`, an indirect call, or a call to an import or to a
//! function that may throw (a fixed point over the call graph). WASI functions never throw.
//!
//! **The pinned global.** Go keeps its stack pointer in global 0, C, C++ and Rust their
//! `__stack_pointer`; nearly every function reads and writes it. The candidate for the pinned
//! register is the defined, mutable, unexported i32 or i64 global with the most `global.get`
//! and `global.set` operators, if it has at least [`MIN_PINNED_USES`]. Unexported, because the
//! host reads an exported global's slot at any time; defined, because an imported one is
//! another instance's slot.
//!
//! Must never answer "cannot throw" for a function that can: a missed check lets a function
//! run on after its callee threw. Over-approximating only costs a load and a branch. Must
//! never leave a `return_call` whose caller or direct callee is not in the tail convention.

use rayon::prelude::*;
use wasmparser::Operator;

use super::ModuleInfo;
use crate::error::Result;

/// Fewer static uses than this and a global is not worth taking a register from every function.
pub const MIN_PINNED_USES: u32 = 8;

/// What one body does that matters here.
#[derive(Default)]
struct BodyFacts {
    /// Contains `throw`, `throw_ref`, an indirect call or a call to an import from outside.
    throws_itself: bool,
    /// Defined functions it calls directly.
    callees: Vec<u32>,
    /// Contains a `return_call*`.
    tail_calls: bool,
    /// Defined functions it `return_call`s directly.
    tail_callees: Vec<u32>,
    /// The global index of every `global.get` and `global.set`, in order.
    globals: Vec<u32>,
}

/// What the scan found: see [`ModuleInfo::may_throw`] and [`ModuleInfo::tail_cc`].
pub struct CallGraph {
    pub may_throw: Vec<bool>,
    pub tail_cc: Vec<bool>,
    /// The candidate for the pinned register (see the module doc).
    pub pinned_global: Option<u32>,
}

/// Scans every body and computes both answers.
pub fn analyze(info: &ModuleInfo<'_>) -> Result<CallGraph> {
    let num_imported = info.num_imported_funcs as usize;
    // An import throws unless it is a WASI function (called directly, never linked).
    let import_throws = |i: u32| (i as usize) < num_imported && !is_wasi(info, i);
    let facts: Vec<BodyFacts> = info
        .bodies
        .par_iter()
        .map(|b| body_facts(&b.body, &import_throws))
        .collect::<Result<_>>()?;
    let mut tail_cc = vec![false; info.funcs.len()];
    for (k, f) in facts.iter().enumerate() {
        if f.tail_calls {
            tail_cc[num_imported + k] = true;
        }
        for &c in &f.tail_callees {
            tail_cc[c as usize] = true;
        }
    }
    Ok(CallGraph {
        may_throw: may_throw(info, &facts, import_throws),
        tail_cc,
        pinned_global: pinned_global(info, &facts),
    })
}

/// The most used defined, mutable, unexported i32/i64 global, if used often enough.
fn pinned_global(info: &ModuleInfo<'_>, facts: &[BodyFacts]) -> Option<u32> {
    use wasmaot_abi::descriptor::extern_kind;
    use wasmaot_abi::types::ValType;
    let mut uses = vec![0u32; info.globals.len()];
    for g in facts.iter().flat_map(|f| &f.globals) {
        uses[*g as usize] += 1;
    }
    let exported = |i: u32| {
        info.exports
            .iter()
            .any(|e| e.kind == extern_kind::GLOBAL && e.index == i)
    };
    (info.num_imported_globals..info.globals.len() as u32)
        .filter(|&i| {
            let g = &info.globals[i as usize];
            g.mutable && matches!(g.ty, ValType::I32 | ValType::I64) && !exported(i)
        })
        .filter(|&i| uses[i as usize] >= MIN_PINNED_USES)
        // The most used; the lowest index among equals.
        .max_by_key(|&i| (uses[i as usize], std::cmp::Reverse(i)))
}

/// `may_throw` by function index, or empty if no exception can reach this module.
fn may_throw(
    info: &ModuleInfo<'_>,
    facts: &[BodyFacts],
    import_throws: impl Fn(u32) -> bool,
) -> Vec<bool> {
    if !can_see_exceptions(info) {
        return Vec::new();
    }
    let num_imported = info.num_imported_funcs as usize;
    // An import throws unless it is a WASI function (called directly, never linked).
    let mut may_throw: Vec<bool> = (0..info.funcs.len() as u32).map(import_throws).collect();
    // callers[f] = defined functions calling defined function f directly.
    let mut callers: Vec<Vec<u32>> = vec![Vec::new(); info.funcs.len()];
    let mut work = Vec::new();
    for (k, f) in facts.iter().enumerate() {
        let index = (num_imported + k) as u32;
        for &c in &f.callees {
            callers[c as usize].push(index);
        }
        if f.throws_itself {
            may_throw[index as usize] = true;
            work.push(index);
        }
    }
    while let Some(f) = work.pop() {
        for &caller in &callers[f as usize] {
            if !may_throw[caller as usize] {
                may_throw[caller as usize] = true;
                work.push(caller);
            }
        }
    }
    may_throw
}

/// Whether an exception can reach this module's code: it has tags, calls functions from
/// outside (non-WASI imports), or can be handed another module's function references (an
/// imported table or reference global, an exported table, an exported function with a
/// reference parameter), whose calls through `call_indirect`/`call_ref` may throw.
fn can_see_exceptions(info: &ModuleInfo<'_>) -> bool {
    use wasmaot_abi::descriptor::extern_kind;
    let outside_calls = info
        .funcs
        .iter()
        .take(info.num_imported_funcs as usize)
        .any(|f| f.direct_symbol.is_none() || f.linked_symbol.is_some());
    let imported_ref_global = info
        .globals
        .iter()
        .take(info.num_imported_globals as usize)
        .any(|g| g.ty.is_ref());
    let reference_in = info.exports.iter().any(|e| match e.kind {
        extern_kind::TABLE => true,
        extern_kind::FUNC => info
            .func_signature(e.index)
            .params
            .iter()
            .any(|t| t.is_ref()),
        _ => false,
    });
    !info.tags.is_empty()
        || outside_calls
        || info.num_imported_tables > 0
        || imported_ref_global
        || reference_in
}

/// Whether import `i` is a WASI function compiled as a direct call (never throws).
fn is_wasi(info: &ModuleInfo<'_>, i: u32) -> bool {
    let f = &info.funcs[i as usize];
    f.direct_symbol.is_some() && f.linked_symbol.is_none()
}

fn body_facts(
    body: &wasmparser::FunctionBody<'_>,
    import_throws: &impl Fn(u32) -> bool,
) -> Result<BodyFacts> {
    let mut facts = BodyFacts::default();
    let mut ops = body.get_operators_reader()?;
    while !ops.eof() {
        match ops.read()? {
            Operator::Throw { .. }
            | Operator::ThrowRef
            | Operator::CallIndirect { .. }
            | Operator::CallRef { .. }
            | Operator::Rethrow { .. }
            | Operator::Delegate { .. } => facts.throws_itself = true,
            Operator::ReturnCallIndirect { .. } | Operator::ReturnCallRef { .. } => {
                facts.throws_itself = true;
                facts.tail_calls = true;
            }
            Operator::Call { function_index } => {
                if import_throws(function_index) {
                    facts.throws_itself = true;
                } else {
                    facts.callees.push(function_index);
                }
            }
            Operator::ReturnCall { function_index } => {
                facts.tail_calls = true;
                if import_throws(function_index) {
                    facts.throws_itself = true;
                } else {
                    facts.callees.push(function_index);
                    facts.tail_callees.push(function_index);
                }
            }
            Operator::GlobalGet { global_index } | Operator::GlobalSet { global_index } => {
                facts.globals.push(global_index)
            }
            _ => {}
        }
    }
    Ok(facts)
}

#[cfg(test)]
mod tests {
    use crate::module::{FeatureSet, ParseOptions, parse};

    fn may_throw(text: &str) -> Vec<bool> {
        let wasm = wat::parse_str(text).unwrap();
        let opts = ParseOptions {
            features: FeatureSet::Wasm3,
            dynamic_imports: true,
            ..Default::default()
        };
        parse(Box::leak(wasm.into_boxed_slice()), opts)
            .unwrap()
            .may_throw
    }

    #[test]
    fn tail_callers_and_their_direct_callees_use_the_tail_convention() {
        let wasm = wat::parse_str(
            r#"(module
                 (func $a (return_call $b))
                 (func $b)
                 (func $c (call $b))
                 (type $v (func)) (table 1 funcref)
                 (func $d (return_call_indirect (type $v) (i32.const 0))))"#,
        )
        .unwrap();
        let opts = ParseOptions {
            features: FeatureSet::Wasm3,
            dynamic_imports: true,
            ..Default::default()
        };
        let info = parse(Box::leak(wasm.into_boxed_slice()), opts).unwrap();
        assert_eq!(info.tail_cc, vec![true, true, false, true]);
    }

    fn pinned(text: &str, pin_global: bool) -> Option<u32> {
        let wasm = wat::parse_str(text).unwrap();
        let opts = ParseOptions {
            features: FeatureSet::Wasm3,
            dynamic_imports: true,
            pin_global,
            keep_dwarf: false,
        };
        parse(Box::leak(wasm.into_boxed_slice()), opts)
            .unwrap()
            .pinned_global
    }

    /// A module whose function `f` uses each global `uses[i]` times (gets and sets).
    fn uses(globals: &str, uses: &[u32], export: &str) -> String {
        let mut body = String::new();
        for (i, &n) in uses.iter().enumerate() {
            for k in 0..n {
                match k % 2 {
                    0 => body += &format!("(drop (global.get {i})) "),
                    _ => body += &format!("(global.set {i} (global.get {i})) "),
                }
            }
        }
        format!("(module {globals} {export} (func $f {body}))")
    }

    #[test]
    fn the_most_used_mutable_unexported_global_is_pinned() {
        let g = "(global (mut i32) (i32.const 0)) (global (mut i64) (i64.const 0))";
        assert_eq!(pinned(&uses(g, &[10, 30], ""), true), Some(1));
        assert_eq!(pinned(&uses(g, &[30, 10], ""), true), Some(0));
        // Ties go to the lower index.
        assert_eq!(pinned(&uses(g, &[12, 12], ""), true), Some(0));
        // Only in a single-instance executable.
        assert_eq!(pinned(&uses(g, &[30, 10], ""), false), None);
        // Too few uses.
        assert_eq!(pinned(&uses(g, &[5, 2], ""), true), None);
        // Exported: the host may read its slot.
        let exp = r#"(export "sp" (global 0))"#;
        assert_eq!(pinned(&uses(g, &[30, 10], exp), true), Some(1));
    }

    #[test]
    fn immutable_imported_and_float_globals_are_never_pinned() {
        let g = r#"(import "env" "g" (global (mut i32)))
                   (global i32 (i32.const 0)) (global (mut f64) (f64.const 0))"#;
        let text = uses(g, &[20, 20, 0], "")
            .replace("(global.set 1 (global.get 1))", "(drop (global.get 1))");
        assert_eq!(pinned(&text, true), None);
        let f = "(global (mut f64) (f64.const 0))";
        assert_eq!(pinned(&uses(f, &[20], ""), true), None);
    }

    #[test]
    fn modules_that_cannot_see_exceptions_need_no_checks() {
        let m = may_throw(
            r#"(module (import "wasi_snapshot_preview1" "sched_yield" (func (result i32)))
                 (func (drop (call 0))) (func (call 1)))"#,
        );
        assert!(m.is_empty());
    }

    #[test]
    fn throwing_propagates_to_direct_callers_only() {
        let m = may_throw(
            r#"(module (tag $t)
                 (func $leaf)
                 (func $thrower (throw $t))
                 (func $mid (call $thrower))
                 (func $top (call $mid) (call $leaf))
                 (func $safe (call $leaf))
                 (type $v (func)) (table 1 funcref)
                 (func $ind (call_indirect (type $v) (i32.const 0))))"#,
        );
        assert_eq!(m, vec![false, true, true, true, false, true]);
    }

    #[test]
    fn references_from_outside_make_indirect_calls_checked() {
        // An exported table another module may fill with functions that throw.
        let m = may_throw(
            r#"(module (type $v (func)) (table (export "t") 1 funcref)
                 (func (call_indirect (type $v) (i32.const 0))))"#,
        );
        assert_eq!(m, vec![true]);
        // A function reference passed in by a caller.
        let m = may_throw(
            r#"(module (type $v (func))
                 (func (export "f") (param (ref null $v)) (call_ref $v (local.get 0))))"#,
        );
        assert_eq!(m, vec![true]);
        // Neither: a private table and no exports.
        let m = may_throw(
            r#"(module (type $v (func)) (table 1 funcref)
                 (func (call_indirect (type $v) (i32.const 0))))"#,
        );
        assert!(m.is_empty());
    }

    #[test]
    fn calls_to_outside_functions_may_throw() {
        let m = may_throw(
            r#"(module (import "env" "f" (func $f))
                 (func $a (call $f)) (func $b))"#,
        );
        assert_eq!(m, vec![true, true, false]);
    }
}

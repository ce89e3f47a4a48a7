//! The per-function guard around translation and code generation: a Cranelift error or a panic
//! while compiling one wasm function becomes a [`CompileError::Function`] naming the function
//! (index, name-section name, body offset), instead of a crash with a Rust backtrace.
//!
//! Panics are caught with `catch_unwind` on the compiling thread (a rayon worker). While a
//! guarded closure runs, a process-wide panic hook (installed once, chaining to the previous
//! one for every other panic) keeps the panic's message and location for the error instead of
//! printing them, so stderr stays one `error: ...` line.
//!
//! Test hook: `WASMAOT_TEST_PANIC_IN_FUNCTION=N` makes the compile of wasm function index `N`
//! panic inside the guard, exactly where a Cranelift panic would surface. It exists only for
//! the tests of this guard (`bad-input/panic-in-function` in the e2e runner, and the unit
//! tests below); it is read once per process and has no other effect.
//!
//! Must never swallow a panic outside a guarded closure, and never turn an error that already
//! names a wasm offset (invalid or unsupported input) into an internal one.

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Once, OnceLock};

use crate::error::{CompileError, Result};
use crate::module::ModuleInfo;

/// The environment variable of the test hook (see the module doc).
pub const TEST_PANIC_ENV: &str = "WASMAOT_TEST_PANIC_IN_FUNCTION";

thread_local! {
    /// `Some` while a guarded closure runs on this thread: the last panic's message.
    static CAPTURE: RefCell<Option<Option<String>>> = const { RefCell::new(None) };
}

/// Installs the capturing hook once per process.
fn install_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let captured = CAPTURE.with(|c| {
                let mut c = c.borrow_mut();
                match c.as_mut() {
                    Some(slot) => {
                        let location = info
                            .location()
                            .map(|l| format!(" at {}:{}", l.file(), l.line()))
                            .unwrap_or_default();
                        *slot = Some(format!("{}{location}", payload_text(info.payload())));
                        true
                    }
                    None => false,
                }
            });
            if !captured {
                previous(info);
            }
        }));
    });
}

/// The text of a panic payload (`panic!` gives a `&str` or a `String`).
fn payload_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_string()
    }
}

/// The function index the test hook makes panic, if set.
fn test_panic_index() -> Option<u32> {
    static INDEX: OnceLock<Option<u32>> = OnceLock::new();
    *INDEX.get_or_init(|| std::env::var(TEST_PANIC_ENV).ok()?.trim().parse().ok())
}

/// Runs `compile` for wasm function `index` of `info`: its result, with a Cranelift error
/// ([`CompileError::Codegen`]) or a panic reported as [`CompileError::Function`]. After a
/// panic the caller must not reuse state `compile` was mutating (the translator's builder
/// context): reset it.
pub fn guarded<T>(info: &ModuleInfo, index: u32, compile: impl FnOnce() -> Result<T>) -> Result<T> {
    install_hook();
    let previous = CAPTURE.with(|c| c.borrow_mut().replace(None));
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        if test_panic_index() == Some(index) {
            panic!("{TEST_PANIC_ENV}={index} (test hook)");
        }
        compile()
    }));
    let message = CAPTURE.with(|c| std::mem::replace(&mut *c.borrow_mut(), previous));
    match result {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(CompileError::Codegen { message, .. })) => Err(function_error(
            info,
            index,
            format!("code generation failed: {message}"),
        )),
        Ok(Err(e)) => Err(e),
        Err(payload) => {
            let text = message
                .flatten()
                .unwrap_or_else(|| payload_text(payload.as_ref()));
            Err(function_error(
                info,
                index,
                format!("internal compiler error (a wasmaot bug: please report it): {text}"),
            ))
        }
    }
}

/// The error for wasm function `index`.
fn function_error(info: &ModuleInfo, index: u32, what: String) -> CompileError {
    let offset: u64 = index
        .checked_sub(info.num_imported_funcs)
        .and_then(|def| info.bodies.get(def as usize))
        .map_or(0, |b| b.body.range().start);
    CompileError::Function {
        index,
        name: info.func_names.get(&index).cloned(),
        offset,
        what,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::module::{FeatureSet, ParseOptions, parse};

    fn module(wat: &str) -> Vec<u8> {
        wat::parse_str(wat).unwrap()
    }

    fn info(wasm: &[u8]) -> ModuleInfo<'_> {
        parse(
            wasm,
            ParseOptions {
                dynamic_imports: true,
                features: FeatureSet::Wasm2,
                ..Default::default()
            },
        )
        .unwrap()
    }

    const WAT: &str = r#"(module (import "m" "f" (func)) (func $first) (func $second))"#;

    #[test]
    fn a_panic_names_the_function_and_keeps_its_message() {
        let wasm = module(WAT);
        let info = info(&wasm);
        let e = guarded::<()>(&info, 2, || panic!("boom {}", 42)).unwrap_err();
        let text = e.to_string();
        let offset = info.bodies[1].body.range().start;
        assert!(
            text.starts_with(&format!("function 2 (second) at offset {offset:#x}: ")),
            "{text}"
        );
        assert!(text.contains("please report it): boom 42 at "), "{text}");
        assert!(text.contains("guard.rs"), "{text}");
    }

    #[test]
    fn a_cranelift_error_names_the_function() {
        use cranelift_codegen::ir::{self, AbiParam, InstBuilder, UserFuncName, types};
        use target_lexicon::Triple;

        let wasm = module(WAT);
        let info = info(&wasm);
        // A function declared to return an i32 whose body returns nothing: Cranelift's
        // verifier (on in every test build) rejects it.
        let mut sig = ir::Signature::new(cranelift_codegen::isa::CallConv::SystemV);
        sig.returns.push(AbiParam::new(types::I32));
        let mut func = ir::Function::with_name_signature(UserFuncName::user(0, 1), sig);
        let triple: Triple = "x86_64-unknown-linux-gnu".parse().unwrap();
        let isa = crate::codegen::build_isa(
            &triple,
            crate::codegen::OptLevel::O2,
            false,
            crate::codegen::Cpu::Baseline,
            false,
        )
        .unwrap();
        let mut ctx = cranelift_frontend::FunctionBuilderContext::new();
        let mut b = cranelift_frontend::FunctionBuilder::new(&mut func, &mut ctx);
        let block = b.create_block();
        b.switch_to_block(block);
        b.seal_block(block);
        b.ins().return_(&[]);
        b.finalize(isa.frontend_config());
        let symbols = crate::env::SymbolTable::default();
        let e = guarded(&info, 1, || {
            crate::codegen::compile::finish(func, isa.as_ref(), &symbols, Some(1), None)
        })
        .unwrap_err();
        let text = e.to_string();
        let offset = info.bodies[0].body.range().start;
        assert!(
            text.starts_with(&format!(
                "function 1 (first) at offset {offset:#x}: code generation failed: "
            )),
            "{text}"
        );
        assert!(text.contains("return"), "{text}");
    }

    #[test]
    fn input_errors_and_results_pass_through() {
        let wasm = module(WAT);
        let info = info(&wasm);
        assert_eq!(guarded(&info, 1, || Ok(7)).unwrap(), 7);
        let e = guarded::<()>(&info, 1, || {
            Err(CompileError::Unsupported {
                offset: 9,
                what: "x".into(),
            })
        })
        .unwrap_err();
        assert!(matches!(e, CompileError::Unsupported { offset: 9, .. }));
    }

    #[test]
    fn panics_outside_a_guard_still_reach_the_previous_hook() {
        // After a guarded panic, the capture slot is cleared: an unguarded panic is not
        // captured (it unwinds as usual here).
        let wasm = module(WAT);
        let info = info(&wasm);
        let _ = guarded::<()>(&info, 1, || panic!("inside"));
        assert!(CAPTURE.with(|c| c.borrow().is_none()));
        let r = panic::catch_unwind(|| panic!("outside"));
        assert!(r.is_err());
        assert!(CAPTURE.with(|c| c.borrow().is_none()));
    }
}

//! Runs one `.wast` script: every module is compiled up front (in parallel), then the
//! directives run in order against instances of the loaded modules. Each directive that checks
//! something (`module`, `module definition`/`module instance` (3.0 scripts), `invoke`, every
//! `assert_*`) is one test, identified by its line.

use std::collections::HashMap;
use std::path::Path;

use rayon::prelude::*;
use wast::core::{NanPattern, V128Pattern, WastArgCore, WastRetCore};
use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, Wast, WastArg, WastDirective, WastExecute, WastInvoke, WastRet, Wat};

use wasmaot::module::FeatureSet;
use wasmaot_abi::descriptor::ModuleDescriptor;
use wasmaot_abi::trap::TrapCode;
use wasmaot_abi::types::ValType;
use wasmaot_runtime::{Extern, Imports, Instance, InstantiationError, ValRaw};

use super::load;
use super::spectest::Spectest;

/// The outcome of one test (directive).
#[derive(Debug)]
pub struct TestResult {
    pub line: usize,
    /// What the directive is (`assert_return`, ...).
    pub kind: &'static str,
    /// `None` = passed, else why it failed.
    pub failure: Option<String>,
}

/// A whole script's results and the number of modules compiled to shared objects and loaded;
/// `Err` if it could not be parsed at all. Modules are validated with `features`.
pub fn run_file(
    path: &Path,
    scratch: &Path,
    features: FeatureSet,
) -> Result<(Vec<TestResult>, usize), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    // names.wast has export names with bidi and zero-width characters on purpose.
    let mut lexer = wast::lexer::Lexer::new(&text);
    lexer.allow_confusing_unicode(true);
    let buf = ParseBuffer::new_with_lexer(lexer).map_err(|e| with_path(e, path, &text))?;
    let wast: Wast = parser::parse(&buf).map_err(|e| with_path(e, path, &text))?;
    let line_of = |span: wast::token::Span| span.linecol_in(&text).0 + 1;

    // Phase 1: encode and compile every module of the script, in parallel.
    let mut directives = wast.directives;
    let mut jobs: Vec<(usize, Result<Vec<u8>, String>, bool)> = Vec::new();
    for (i, d) in directives.iter_mut().enumerate() {
        let (wat, link): (Option<Result<Vec<u8>, String>>, bool) = match d {
            WastDirective::Module(q) | WastDirective::ModuleDefinition(q) => {
                (Some(encode_quote(q)), true)
            }
            WastDirective::AssertInvalid { module, .. }
            | WastDirective::AssertMalformed { module, .. } => (Some(encode_quote(module)), false),
            WastDirective::AssertUnlinkable { module, .. } => (Some(encode_wat(module)), true),
            WastDirective::AssertTrap {
                exec: WastExecute::Wat(w),
                ..
            }
            | WastDirective::AssertReturn {
                exec: WastExecute::Wat(w),
                ..
            } => (Some(encode_wat(w)), true),
            _ => (None, false),
        };
        if let Some(w) = wat {
            jobs.push((i, w, link));
        }
    }
    let compiled: HashMap<usize, Compiled> = jobs
        .into_par_iter()
        .map(|(i, wasm, link)| {
            let c = match wasm {
                Err(e) => Compiled::Rejected(format!("text: {e}")),
                Ok(wasm) => match load::compile(&wasm, features) {
                    Err(e) => Compiled::Rejected(e),
                    Ok(_) if !link => Compiled::Accepted,
                    Ok(obj) => match load::link_and_load(&obj, &scratch.join(format!("m{i}.so"))) {
                        Ok(d) => Compiled::Loaded(d),
                        Err(e) => Compiled::LoadFailed(e),
                    },
                },
            };
            (i, c)
        })
        .collect();

    let loaded = compiled
        .values()
        .filter(|c| matches!(c, Compiled::Loaded(_)))
        .count();

    // Phase 2: run the directives in order, with traps caught.
    let mut results = Vec::new();
    let outcome = wasmaot_runtime::trap::catch_traps(|| {
        let mut st = State::new();
        for (i, d) in directives.iter().enumerate() {
            let line = line_of(d.span());
            if let Some((kind, failure)) = st.run(d, compiled.get(&i)) {
                results.push(TestResult {
                    line,
                    kind,
                    failure,
                });
            }
        }
        // Importers were created after their exporters: drop newest first.
        while st.instances.pop().is_some() {}
    });
    if let Err(trap) = outcome {
        return Err(format!("trap escaped every catch point: {trap}"));
    }
    Ok((results, loaded))
}

fn with_path(mut e: wast::Error, path: &Path, text: &str) -> String {
    e.set_path(path);
    e.set_text(text);
    e.to_string()
}

fn encode_quote(q: &mut QuoteWat) -> Result<Vec<u8>, String> {
    q.encode().map_err(|e| e.to_string())
}

fn encode_wat(w: &mut Wat) -> Result<Vec<u8>, String> {
    w.encode().map_err(|e| e.to_string())
}

enum Compiled {
    /// Rejected by the text parser or by wasmaot (the error).
    Rejected(String),
    /// Compiled (not linked: only its validity was asked).
    Accepted,
    Loaded(&'static ModuleDescriptor),
    LoadFailed(String),
}

// SAFETY: a loaded descriptor is immutable data that lives for the process lifetime.
unsafe impl Send for Compiled {}

/// A value as the script sees it.
#[derive(Clone, Copy, Debug)]
struct Val {
    ty: ValType,
    raw: ValRaw,
}

struct State {
    spectest: Spectest,
    instances: Vec<Instance>,
    named: HashMap<String, usize>,
    registered: HashMap<String, usize>,
    current: Option<usize>,
    /// `(module definition $M ...)`: loaded, not instantiated (by name; `None` = the last).
    definitions: HashMap<Option<String>, &'static ModuleDescriptor>,
}

type Outcome = Option<(&'static str, Option<String>)>;

fn pass(kind: &'static str) -> Outcome {
    Some((kind, None))
}

fn fail(kind: &'static str, why: impl Into<String>) -> Outcome {
    Some((kind, Some(why.into())))
}

impl State {
    fn new() -> State {
        State {
            spectest: Spectest::new(),
            instances: Vec::new(),
            named: HashMap::new(),
            registered: HashMap::new(),
            current: None,
            definitions: HashMap::new(),
        }
    }

    fn run(&mut self, d: &WastDirective, compiled: Option<&Compiled>) -> Outcome {
        match d {
            WastDirective::Module(q) => {
                let kind = "module";
                match self.instantiate_loaded(compiled) {
                    Err(e) => fail(kind, e),
                    Ok(Ok(idx)) => {
                        self.current = Some(idx);
                        if let Some(id) = q.name() {
                            self.named.insert(id.name().to_string(), idx);
                        }
                        pass(kind)
                    }
                    Ok(Err(e)) => fail(kind, format!("instantiation failed: {e}")),
                }
            }
            WastDirective::ModuleDefinition(q) => {
                let kind = "module definition";
                match loaded(compiled) {
                    Err(e) => fail(kind, e),
                    Ok(desc) => {
                        let name = q.name().map(|id| id.name().to_string());
                        self.definitions.insert(None, desc);
                        self.definitions.insert(name, desc);
                        pass(kind)
                    }
                }
            }
            WastDirective::ModuleInstance {
                instance, module, ..
            } => {
                let kind = "module instance";
                let key = module.map(|m| m.name().to_string());
                let Some(&desc) = self.definitions.get(&key) else {
                    return fail(kind, format!("no module definition {key:?}"));
                };
                match self.instantiate(desc) {
                    Err(e) => fail(kind, format!("instantiation failed: {e}")),
                    Ok(inst) => {
                        self.instances.push(inst);
                        let idx = self.instances.len() - 1;
                        self.current = Some(idx);
                        if let Some(id) = instance {
                            self.named.insert(id.name().to_string(), idx);
                        }
                        pass(kind)
                    }
                }
            }
            WastDirective::Register { name, module, .. } => {
                match self.instance_index(module.map(|m| m.name())) {
                    Ok(i) => {
                        self.registered.insert(name.to_string(), i);
                        None
                    }
                    Err(e) => fail("register", e),
                }
            }
            WastDirective::Invoke(inv) => match self.invoke(inv) {
                Ok(Ok(_)) => pass("invoke"),
                Ok(Err(trap)) => fail("invoke", format!("trapped: {trap}")),
                Err(e) => fail("invoke", e),
            },
            WastDirective::AssertReturn { exec, results, .. } => {
                let kind = "assert_return";
                let got = match exec {
                    WastExecute::Invoke(inv) => match self.invoke(inv) {
                        Ok(Ok(v)) => v,
                        Ok(Err(trap)) => return fail(kind, format!("trapped: {trap}")),
                        Err(e) => return fail(kind, e),
                    },
                    WastExecute::Get { module, global, .. } => {
                        match self.get(module.map(|m| m.name()), global) {
                            Ok(v) => vec![v],
                            Err(e) => return fail(kind, e),
                        }
                    }
                    WastExecute::Wat(_) => {
                        return match self.instantiate_loaded(compiled) {
                            Ok(Ok(_)) => pass(kind),
                            Ok(Err(e)) => fail(kind, e.to_string()),
                            Err(e) => fail(kind, e),
                        };
                    }
                };
                match check_results(&got, results) {
                    Ok(()) => pass(kind),
                    Err(e) => fail(kind, e),
                }
            }
            WastDirective::AssertTrap { exec, message, .. } => {
                let kind = "assert_trap";
                let trap = match exec {
                    WastExecute::Invoke(inv) => match self.invoke(inv) {
                        Ok(Ok(v)) => return fail(kind, format!("returned {v:?}, expected a trap")),
                        Ok(Err(trap)) => trap,
                        Err(e) => return fail(kind, e),
                    },
                    WastExecute::Get { .. } => return fail(kind, "`get` cannot trap"),
                    WastExecute::Wat(_) => match self.instantiate_loaded(compiled) {
                        Err(e) => return fail(kind, e),
                        Ok(Ok(_)) => return fail(kind, "instantiated, expected a trap"),
                        Ok(Err(InstantiationError::Trap(t))) => t,
                        Ok(Err(e)) => return fail(kind, format!("instantiation failed: {e}")),
                    },
                };
                if trap_matches(trap.code, message) {
                    pass(kind)
                } else {
                    fail(
                        kind,
                        format!(
                            "trapped with `{}`, expected `{message}`",
                            trap.code.message()
                        ),
                    )
                }
            }
            WastDirective::AssertException { exec, .. } => {
                let kind = "assert_exception";
                match exec {
                    WastExecute::Invoke(inv) => match self.invoke(inv) {
                        Ok(Ok(v)) => fail(kind, format!("returned {v:?}, expected an exception")),
                        Ok(Err(t)) if t.code == TrapCode::UncaughtException => pass(kind),
                        Ok(Err(t)) => {
                            fail(kind, format!("trapped with `{t}`, expected an exception"))
                        }
                        Err(e) => fail(kind, e),
                    },
                    _ => fail(kind, "only `invoke` can throw in a script"),
                }
            }
            WastDirective::AssertExhaustion { call, message, .. } => {
                let kind = "assert_exhaustion";
                match self.invoke(call) {
                    Ok(Ok(v)) => fail(kind, format!("returned {v:?}, expected `{message}`")),
                    Ok(Err(t)) if t.code == TrapCode::StackOverflow => pass(kind),
                    Ok(Err(t)) => fail(kind, format!("trapped with `{t}`, expected `{message}`")),
                    Err(e) => fail(kind, e),
                }
            }
            WastDirective::AssertInvalid { message, .. }
            | WastDirective::AssertMalformed { message, .. } => {
                let kind = if matches!(d, WastDirective::AssertInvalid { .. }) {
                    "assert_invalid"
                } else {
                    "assert_malformed"
                };
                match compiled {
                    Some(Compiled::Rejected(_)) => pass(kind),
                    _ => fail(kind, format!("module accepted, expected `{message}`")),
                }
            }
            WastDirective::AssertUnlinkable { message, .. } => {
                let kind = "assert_unlinkable";
                match self.instantiate_loaded(compiled) {
                    Err(e) => fail(kind, e),
                    Ok(Ok(_)) => fail(kind, format!("instantiated, expected `{message}`")),
                    Ok(Err(
                        InstantiationError::UnknownImport { .. }
                        | InstantiationError::IncompatibleImport { .. },
                    )) => pass(kind),
                    Ok(Err(e)) => fail(kind, format!("failed with `{e}`, expected `{message}`")),
                }
            }
            other => fail("unsupported", format!("unsupported directive {other:?}")),
        }
    }

    /// Instantiates the directive's module and keeps the instance: its index, or how
    /// instantiation failed; the outer error says why there was no module to instantiate.
    fn instantiate_loaded(
        &mut self,
        compiled: Option<&Compiled>,
    ) -> Result<Result<usize, InstantiationError>, String> {
        let inst = self.instantiate(loaded(compiled)?);
        Ok(inst.map(|inst| {
            self.instances.push(inst);
            self.instances.len() - 1
        }))
    }

    fn instance_index(&self, name: Option<&str>) -> Result<usize, String> {
        match name {
            Some(n) => self
                .named
                .get(n)
                .copied()
                .ok_or_else(|| format!("no module named ${n}")),
            None => self.current.ok_or_else(|| "no current module".to_string()),
        }
    }

    fn instantiate(&self, desc: &'static ModuleDescriptor) -> Result<Instance, InstantiationError> {
        let imports = Imports::resolve(desc, |module, name| {
            if module == "spectest" {
                return self.spectest.get(name);
            }
            let &i = self.registered.get(module)?;
            self.instances[i].get_export(name)
        })?;
        Instance::new(desc, imports)
    }

    fn get(&self, module: Option<&str>, name: &str) -> Result<Val, String> {
        let inst = &self.instances[self.instance_index(module)?];
        match inst.get_export(name) {
            Some(Extern::Global(g)) => {
                let ty = ValType::from_u8(g.ty).ok_or("bad global type")?;
                // SAFETY: a live global's 16-byte slot.
                let bits = unsafe { g.ptr.cast::<[u8; 16]>().read_unaligned() };
                Ok(Val {
                    ty,
                    raw: ValRaw(bits),
                })
            }
            _ => Err(format!("no global export `{name}`")),
        }
    }

    /// `Err` = the invocation itself is broken; `Ok(Err(trap))` = it trapped.
    fn invoke(&self, inv: &WastInvoke) -> Result<Result<Vec<Val>, wasmaot_runtime::Trap>, String> {
        let inst = &self.instances[self.instance_index(inv.module.map(|m| m.name()))?];
        let Some(Extern::Func(f)) = inst.get_export(inv.name) else {
            return Err(format!("no function export `{}`", inv.name));
        };
        // SAFETY: descriptor slices live for the process lifetime.
        let (params, results) = unsafe {
            (
                std::slice::from_raw_parts(f.sig.params.ptr, f.sig.params.len as usize),
                std::slice::from_raw_parts(f.sig.results.ptr, f.sig.results.len as usize),
            )
        };
        if params.len() != inv.args.len() {
            return Err(format!(
                "`{}` takes {} arguments, {} given",
                inv.name,
                params.len(),
                inv.args.len()
            ));
        }
        let mut values = vec![ValRaw::default(); f.slots().max(1)];
        for (slot, arg) in values.iter_mut().zip(&inv.args) {
            *slot = arg_value(arg)?;
        }
        if let Err(trap) = inst.call(&f, &mut values) {
            return Ok(Err(trap));
        }
        let vals = results
            .iter()
            .zip(&values)
            .map(|(&t, &raw)| {
                Ok(Val {
                    ty: ValType::from_u8(t).ok_or("bad result type")?,
                    raw,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Ok(vals))
    }
}

fn loaded(c: Option<&Compiled>) -> Result<&'static ModuleDescriptor, String> {
    match c {
        Some(Compiled::Loaded(d)) => Ok(d),
        Some(Compiled::Rejected(e)) => Err(format!("module rejected: {e}")),
        Some(Compiled::LoadFailed(e)) => Err(format!("cannot load the module: {e}")),
        Some(Compiled::Accepted) | None => Err("module was not compiled".into()),
    }
}

/// Externref `ref.extern N` is the host value N + 1 (0 is null).
fn extern_ref(n: u32) -> u64 {
    n as u64 + 1
}

fn arg_value(arg: &WastArg) -> Result<ValRaw, String> {
    let WastArg::Core(a) = arg else {
        return Err(format!("unsupported argument {arg:?}"));
    };
    Ok(match a {
        WastArgCore::I32(v) => ValRaw::i32(*v),
        WastArgCore::I64(v) => ValRaw::i64(*v),
        WastArgCore::F32(v) => ValRaw::f32_bits(v.bits),
        WastArgCore::F64(v) => ValRaw::f64_bits(v.bits),
        WastArgCore::V128(v) => ValRaw(v.to_le_bytes()),
        WastArgCore::RefNull(_) => ValRaw::reference(0),
        WastArgCore::RefExtern(n) => ValRaw::reference(extern_ref(*n)),
        other => return Err(format!("unsupported argument {other:?}")),
    })
}

fn check_results(got: &[Val], want: &[WastRet]) -> Result<(), String> {
    if got.len() != want.len() {
        return Err(format!("{} results, expected {}", got.len(), want.len()));
    }
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let WastRet::Core(w) = w else {
            return Err(format!("unsupported expected result {w:?}"));
        };
        if !matches_ret(g, w) {
            return Err(format!("result {i}: got {}, expected {w:?}", show(g)));
        }
    }
    Ok(())
}

fn show(v: &Val) -> String {
    match v.ty {
        ValType::I32 => format!("i32 {}", v.raw.get_i32()),
        ValType::I64 => format!("i64 {}", v.raw.get_i64()),
        ValType::F32 => format!(
            "f32 {} ({:#x})",
            f32::from_bits(v.raw.get_f32_bits()),
            v.raw.get_f32_bits()
        ),
        ValType::F64 => format!(
            "f64 {} ({:#x})",
            f64::from_bits(v.raw.get_f64_bits()),
            v.raw.get_f64_bits()
        ),
        ValType::V128 => format!("v128 {:#034x}", v.raw.v128()),
        ValType::FuncRef => format!("funcref {:#x}", v.raw.get_reference()),
        ValType::ExternRef => format!("externref {:#x}", v.raw.get_reference()),
        ValType::ExnRef => format!("exnref {:#x}", v.raw.get_reference()),
    }
}

fn f32_matches(bits: u32, p: &NanPattern<wast::token::F32>) -> bool {
    match p {
        NanPattern::CanonicalNan => bits & 0x7fff_ffff == 0x7fc0_0000,
        NanPattern::ArithmeticNan => bits & 0x7fc0_0000 == 0x7fc0_0000,
        NanPattern::Value(v) => bits == v.bits,
    }
}

fn f64_matches(bits: u64, p: &NanPattern<wast::token::F64>) -> bool {
    match p {
        NanPattern::CanonicalNan => bits & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000,
        NanPattern::ArithmeticNan => bits & 0x7ff8_0000_0000_0000 == 0x7ff8_0000_0000_0000,
        NanPattern::Value(v) => bits == v.bits,
    }
}

fn matches_ret(g: &Val, w: &WastRetCore) -> bool {
    let r = g.raw.get_reference();
    match (g.ty, w) {
        (ValType::I32, WastRetCore::I32(v)) => g.raw.get_i32() == *v,
        (ValType::I64, WastRetCore::I64(v)) => g.raw.get_i64() == *v,
        (ValType::F32, WastRetCore::F32(p)) => f32_matches(g.raw.get_f32_bits(), p),
        (ValType::F64, WastRetCore::F64(p)) => f64_matches(g.raw.get_f64_bits(), p),
        (ValType::V128, WastRetCore::V128(p)) => {
            let b = g.raw.0;
            let lane = |i: usize, n: usize| {
                let mut x = [0u8; 8];
                x[..n].copy_from_slice(&b[i * n..(i + 1) * n]);
                u64::from_le_bytes(x)
            };
            match p {
                V128Pattern::I8x16(v) => (0..16).all(|i| lane(i, 1) as u8 == v[i] as u8),
                V128Pattern::I16x8(v) => (0..8).all(|i| lane(i, 2) as u16 == v[i] as u16),
                V128Pattern::I32x4(v) => (0..4).all(|i| lane(i, 4) as u32 == v[i] as u32),
                V128Pattern::I64x2(v) => (0..2).all(|i| lane(i, 8) == v[i] as u64),
                V128Pattern::F32x4(v) => (0..4).all(|i| f32_matches(lane(i, 4) as u32, &v[i])),
                V128Pattern::F64x2(v) => (0..2).all(|i| f64_matches(lane(i, 8), &v[i])),
            }
        }
        (ValType::FuncRef | ValType::ExternRef, WastRetCore::RefNull(_)) => r == 0,
        (ValType::ExternRef, WastRetCore::RefExtern(Some(n))) => r == extern_ref(*n),
        (ValType::ExternRef, WastRetCore::RefExtern(None)) => r != 0,
        (ValType::FuncRef, WastRetCore::RefFunc(_)) => r != 0,
        (_, WastRetCore::Either(alts)) => alts.iter().any(|a| matches_ret(g, a)),
        _ => false,
    }
}

/// Whether a trap matches the script's expected message. Our messages are wasmtime's, which
/// contain the spec's wording; `unreachable` and `undefined element` are spelled out in full.
fn trap_matches(code: TrapCode, expected: &str) -> bool {
    // The reference interpreter appends the element index ("uninitialized element 2").
    let expected = match expected.rsplit_once(' ') {
        Some((head, n)) if n.parse::<u32>().is_ok() => head,
        _ => expected,
    };
    code.message().contains(expected)
}

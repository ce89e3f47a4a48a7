//! The engine under test: the module compiled by wasmaot in library mode, linked into a shared
//! object, `dlopen`ed and instantiated through the runtime's embedder API (the spec runner's
//! `load` path), each planned call made through the export's array-call trampoline with traps
//! caught.

use std::path::Path;

use wasmaot::module::FeatureSet;
use wasmaot::{Cpu, OptLevel, Options};
use wasmaot_abi::descriptor::ModuleDescriptor;
use wasmaot_abi::types::ValType;
use wasmaot_runtime::{Extern, Imports, Instance, InstantiationError, ValRaw};

use super::generate;
use super::trace::{self, Call, Outcome, Step, Stop, Trace, Val};
use crate::load;

/// Compiles `wasm` (the Wasm 3.0 feature set, at `opt_level` for `cpu`), links it as `so_path` and loads it, then runs
/// `plan`; `Err` says why wasmaot could not run it at all (a rejection, a compiler panic, a
/// link or load failure: each one a divergence, since wasmtime accepted the module).
pub fn run(
    wasm: &[u8],
    (opt_level, cpu): (OptLevel, Cpu),
    so_path: &Path,
    plan: &[Call],
) -> Result<Trace, String> {
    let opts = Options {
        opt_level,
        cpu,
        ..load::options()
    };
    let compile =
        || wasmaot::compile_object_with(wasm, &opts, FeatureSet::Wasm3).map_err(|e| e.to_string());
    let object = std::panic::catch_unwind(compile)
        .map_err(|p| format!("wasmaot panicked: {}", panic_text(&p)))?
        .map_err(|e| format!("wasmaot rejected the module: {e}"))?;
    let desc = load::link_and_load(&object, so_path)?;
    let provider_desc = provider(so_path)?;
    let traced = wasmaot_runtime::trap::catch_traps(|| {
        let mut trace = Trace::default();
        // Declared first, dropped last: the module's instance imports from it.
        let provider = Instance::new(provider_desc, Imports::new())
            .map_err(|e| format!("the provider does not instantiate: {e}"))?;
        let imports = Imports::resolve(desc, |m, n| {
            (m == "env").then(|| provider.get_export(n)).flatten()
        })
        .map_err(|e| format!("imports: {e}"))?;
        let inst = match Instance::new(desc, imports) {
            Ok(i) => i,
            Err(InstantiationError::Trap(t)) => {
                trace.steps.push(Step {
                    outcome: Outcome::Stopped(Stop::Trap(t.code)),
                    state: Vec::new(),
                });
                return Ok(trace);
            }
            Err(e) => return Err(format!("instantiation failed: {e}")),
        };
        trace.steps.push(Step {
            outcome: Outcome::Returned(Vec::new()),
            state: state(&inst, &provider),
        });
        for call in plan {
            if let Some(Extern::Global(g)) = inst.get_export(generate::FUEL_EXPORT) {
                // SAFETY: a live i32 global's slot.
                unsafe { g.ptr.cast::<i32>().write(generate::FUEL as i32) };
            }
            let outcome = invoke(&inst, call)?;
            trace.steps.push(Step {
                outcome,
                state: state(&inst, &provider),
            });
        }
        Ok(trace)
    });
    traced.map_err(|t| format!("a trap escaped every catch point: {t}"))?
}

fn invoke(inst: &Instance, call: &Call) -> Result<Outcome, String> {
    let Some(Extern::Func(f)) = inst.get_export(&call.func) else {
        return Err(format!("no function export `{}`", call.func));
    };
    // SAFETY: descriptor slices live for the process lifetime.
    let results =
        unsafe { std::slice::from_raw_parts(f.sig.results.ptr, f.sig.results.len as usize) };
    let mut values = vec![ValRaw::default(); f.slots().max(1)];
    for (slot, a) in values.iter_mut().zip(&call.args) {
        *slot = match *a {
            Val::I32(v) => ValRaw::i32(v as i32),
            Val::I64(v) => ValRaw::i64(v as i64),
            Val::F32(v) => ValRaw::f32_bits(v),
            Val::F64(v) => ValRaw::f64_bits(v),
            Val::V128(v) => ValRaw::v128_bits(v),
            Val::Ref { .. } => ValRaw::reference(0),
        };
    }
    if let Err(trap) = inst.call(&f, &mut values) {
        return Ok(Outcome::Stopped(Stop::Trap(trap.code)));
    }
    results
        .iter()
        .zip(&values)
        .map(|(&t, raw)| {
            let ty = ValType::from_u8(t).ok_or_else(|| format!("bad result type {t}"))?;
            Ok(value(ty, raw))
        })
        .collect::<Result<Vec<Val>, String>>()
        .map(Outcome::Returned)
}

fn value(ty: ValType, raw: &ValRaw) -> Val {
    match ty {
        ValType::I32 => Val::I32(raw.get_i32() as u32),
        ValType::I64 => Val::I64(raw.get_i64() as u64),
        ValType::F32 => Val::F32(raw.get_f32_bits()),
        ValType::F64 => Val::F64(raw.get_f64_bits()),
        ValType::V128 => Val::V128(raw.v128()),
        ValType::FuncRef | ValType::ExternRef | ValType::ExnRef => Val::Ref {
            null: raw.get_reference() == 0,
        },
    }
}

/// [`generate::PROVIDER`], compiled, linked next to `so_path` and loaded once per process.
fn provider(so_path: &Path) -> Result<&'static ModuleDescriptor, String> {
    // The descriptor's address (a descriptor is immutable data that lives for the process
    // lifetime, but holds raw pointers, so it is not `Sync` itself).
    static PROVIDER: std::sync::OnceLock<Result<usize, String>> = std::sync::OnceLock::new();
    let addr = PROVIDER
        .get_or_init(|| {
            let wasm = wat::parse_str(generate::PROVIDER).map_err(|e| e.to_string())?;
            let object = load::compile(&wasm, FeatureSet::Wasm3)?;
            load::link_and_load(&object, &so_path.with_file_name("provider.so"))
                .map(|d| d as *const ModuleDescriptor as usize)
        })
        .clone()?;
    // SAFETY: the address of a loaded descriptor, never unloaded.
    Ok(unsafe { &*(addr as *const ModuleDescriptor) })
}

/// The state lines of every exported memory, table and global, in export order, then the
/// provider's (named `env.NAME`).
fn state(inst: &Instance, provider: &Instance) -> Vec<String> {
    let mut out = exports_state(inst, "");
    out.extend(exports_state(provider, "env."));
    out
}

fn exports_state(inst: &Instance, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (name, e) in inst.exports() {
        let name = format!("{prefix}{name}");
        match e {
            Extern::Memory(m) => {
                // SAFETY: a live instance's memory; no wasm code runs while we read it.
                let bytes = unsafe {
                    let m = &*m;
                    match m.byte_len() {
                        0 => &[][..],
                        n => std::slice::from_raw_parts(m.base(), n as usize),
                    }
                };
                out.push(trace::memory_state(&name, bytes));
            }
            Extern::Table(t) => {
                // SAFETY: a live instance's table.
                let t = unsafe { &*t };
                out.push(trace::table_state(
                    &name,
                    t.elements().iter().map(|&e| e == 0),
                ));
            }
            Extern::Global(g) => {
                let Some(ty) = ValType::from_u8(g.ty) else {
                    continue;
                };
                // SAFETY: a live global's 16-byte slot.
                let raw = ValRaw(unsafe { g.ptr.cast::<[u8; 16]>().read_unaligned() });
                out.push(trace::global_state(&name, value(ty, &raw)));
            }
            Extern::Func(_) | Extern::Tag(_) => {}
        }
    }
    out
}

fn panic_text(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "(no message)".into())
}

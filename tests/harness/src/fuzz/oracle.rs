//! The oracle: wasmtime (the crate, the release built on our Cranelift) configured with the
//! same proposals as wasmaot and, on x86_64, exactly the CPU features of wasmaot's default
//! `--cpu baseline` (`compiler/src/codegen/isa.rs`), so relaxed SIMD gives the same results
//! on both (wasmaot promises wasmtime's choices, see `tests/harness/src/bin/e2e/relaxed.rs`).

use wasmtime::{Config, Engine, Extern, Instance, Module, Store, ValType};

use super::generate::{self, ArgType, Rng};
use super::trace::{self, Call, Outcome, Step, Stop, Trace, Val};

/// Cranelift settings for wasmaot's x86_64 baseline: SSE3 to SSE4.2 and POPCNT.
const X86_64_BASELINE: &[&str] = &[
    "has_sse3",
    "has_ssse3",
    "has_sse41",
    "has_sse42",
    "has_popcnt",
];

pub struct Oracle {
    /// At wasmaot's `--cpu baseline` (on x86_64), and at this machine's features (for
    /// modules wasmaot compiles with `--cpu native`).
    levels: [Level; 2],
}

/// One engine and [`generate::PROVIDER`] compiled by it.
struct Level {
    engine: Engine,
    provider: Module,
}

/// A module compiled by the oracle, at one of its levels.
pub struct Compiled {
    module: Module,
    level: usize,
}

impl Oracle {
    pub fn new() -> anyhow::Result<Oracle> {
        Ok(Oracle {
            levels: [Level::new(false)?, Level::new(true)?],
        })
    }

    /// Validates and compiles `wasm` for wasmaot's `cpu` level; the error text if wasmtime
    /// rejects it.
    pub fn compile(&self, wasm: &[u8], cpu: wasmaot::Cpu) -> Result<Compiled, String> {
        let level = usize::from(cpu == wasmaot::Cpu::Native);
        Module::new(&self.levels[level].engine, wasm)
            .map(|module| Compiled { module, level })
            .map_err(|e| format!("{e:#}"))
    }
}

impl Level {
    fn new(native: bool) -> anyhow::Result<Level> {
        let mut c = Config::new();
        c.wasm_simd(true)
            .wasm_relaxed_simd(true)
            .relaxed_simd_deterministic(false)
            .wasm_exceptions(true)
            .wasm_tail_call(true)
            .wasm_memory64(true)
            .wasm_multi_memory(true)
            .wasm_function_references(true)
            .wasm_extended_const(true)
            .wasm_reference_types(true)
            .wasm_bulk_memory(true)
            .wasm_multi_value(true)
            .wasm_gc(false)
            // wasmaot's wasm stack is 8 MiB: as much here (the default 512 KiB ran out in one
            // module in eight; the async limit only bounds it, nothing here is async).
            .async_stack_size(8 << 20)
            .max_wasm_stack(8 << 20);
        if cfg!(target_arch = "x86_64") && !native {
            // An explicit target: wasmtime then starts from no CPU features (not the host's).
            c.target("x86_64-unknown-linux-gnu")
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            for flag in X86_64_BASELINE {
                // SAFETY: every x86_64 machine this runs on has the baseline features (wasmaot's
                // own output needs them).
                unsafe { c.cranelift_flag_enable(flag) };
            }
        }
        let engine = Engine::new(&c).map_err(|e| anyhow::anyhow!("{e}"))?;
        let provider = Module::new(&engine, wat::parse_str(generate::PROVIDER)?)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(Level { engine, provider })
    }
}

impl Oracle {
    /// The calls to make: every exported function, [`generate::ARG_SETS`] times, with arguments
    /// drawn from `rng`; `None` if an export takes a parameter the host cannot make.
    pub fn plan(compiled: &Compiled, rng: &mut Rng) -> Option<Vec<Call>> {
        let mut plan = Vec::new();
        for e in compiled.module.exports() {
            let Some(f) = e.ty().func().cloned() else {
                continue;
            };
            let params: Vec<ArgType> = f.params().map(|t| arg_type(&t)).collect::<Option<_>>()?;
            for set in 0..generate::ARG_SETS {
                plan.push(Call {
                    func: e.name().to_string(),
                    args: generate::args(&params, set, rng),
                });
            }
        }
        Some(plan)
    }

    /// Instantiates `compiled` (its imports from a fresh instance of the provider) and makes the
    /// calls of `plan`.
    pub fn run(&self, compiled: &Compiled, plan: &[Call]) -> Trace {
        let level = &self.levels[compiled.level];
        let module = &compiled.module;
        let mut store = Store::new(&level.engine, ());
        let mut trace = Trace::default();
        let provider =
            Instance::new(&mut store, &level.provider, &[]).expect("the provider instantiates");
        let mut imports = Vec::new();
        for imp in module.imports() {
            match provider.get_export(&mut store, imp.name()) {
                Some(e) if imp.module() == "env" => imports.push(e),
                _ => {
                    trace.steps.push(Step {
                        outcome: Outcome::Stopped(Stop::Other(format!(
                            "unknown import {}",
                            imp.name()
                        ))),
                        state: Vec::new(),
                    });
                    return trace;
                }
            }
        }
        let instance = match Instance::new(&mut store, module, &imports) {
            Ok(i) => i,
            Err(e) => {
                trace.steps.push(Step {
                    outcome: Outcome::Stopped(stop(&e)),
                    state: Vec::new(),
                });
                return trace;
            }
        };
        trace.steps.push(Step {
            outcome: Outcome::Returned(Vec::new()),
            state: state(&mut store, module, &instance, &level.provider, &provider),
        });
        for call in plan {
            let f = instance
                .get_func(&mut store, &call.func)
                .expect("planned calls name exported functions");
            if let Some(g) = instance.get_global(&mut store, generate::FUEL_EXPORT) {
                let _ = g.set(&mut store, wasmtime::Val::I32(generate::FUEL as i32));
            }
            let ty = f.ty(&store);
            let args: Vec<wasmtime::Val> = call
                .args
                .iter()
                .zip(ty.params())
                .map(|(a, t)| to_wasmtime(*a, &t))
                .collect();
            let mut results: Vec<wasmtime::Val> =
                ty.results().map(|_| wasmtime::Val::I32(0)).collect();
            let outcome = match f.call(&mut store, &args, &mut results) {
                Ok(()) => Outcome::Returned(results.iter().map(from_wasmtime).collect()),
                Err(e) => Outcome::Stopped(stop(&e)),
            };
            let _ = store.take_pending_exception();
            if std::env::var_os("FUZZ_VERBOSE").is_some() {
                eprintln!("fuzz: outcome {}", outcome_kind(&outcome));
            }
            trace.steps.push(Step {
                outcome,
                state: state(&mut store, module, &instance, &level.provider, &provider),
            });
        }
        trace
    }
}

fn arg_type(t: &ValType) -> Option<ArgType> {
    Some(match t {
        ValType::I32 => ArgType::I32,
        ValType::I64 => ArgType::I64,
        ValType::F32 => ArgType::F32,
        ValType::F64 => ArgType::F64,
        ValType::V128 => ArgType::V128,
        ValType::Ref(r) if r.is_nullable() => ArgType::Ref,
        ValType::Ref(_) => return None,
    })
}

fn to_wasmtime(v: Val, t: &ValType) -> wasmtime::Val {
    match v {
        Val::I32(x) => wasmtime::Val::I32(x as i32),
        Val::I64(x) => wasmtime::Val::I64(x as i64),
        Val::F32(x) => wasmtime::Val::F32(x),
        Val::F64(x) => wasmtime::Val::F64(x),
        Val::V128(x) => wasmtime::Val::V128(x.into()),
        Val::Ref { .. } => wasmtime::Val::default_for_ty(t).expect("a nullable reference type"),
    }
}

fn from_wasmtime(v: &wasmtime::Val) -> Val {
    match v {
        wasmtime::Val::I32(x) => Val::I32(*x as u32),
        wasmtime::Val::I64(x) => Val::I64(*x as u64),
        wasmtime::Val::F32(x) => Val::F32(*x),
        wasmtime::Val::F64(x) => Val::F64(*x),
        wasmtime::Val::V128(x) => Val::V128(x.as_u128()),
        wasmtime::Val::FuncRef(r) => Val::Ref { null: r.is_none() },
        wasmtime::Val::ExternRef(r) => Val::Ref { null: r.is_none() },
        wasmtime::Val::AnyRef(r) => Val::Ref { null: r.is_none() },
        wasmtime::Val::ExnRef(r) => Val::Ref { null: r.is_none() },
        wasmtime::Val::ContRef(r) => Val::Ref { null: r.is_none() },
    }
}

/// A wasmtime error as a [`Stop`]: traps by their message, an uncaught exception as ours.
fn stop(e: &wasmtime::Error) -> Stop {
    if let Some(t) = e.downcast_ref::<wasmtime::Trap>() {
        let msg = t.to_string();
        return Stop::from_message(msg.strip_prefix("wasm trap: ").unwrap_or(&msg));
    }
    if e.downcast_ref::<wasmtime::ThrownException>().is_some() {
        return Stop::Trap(wasmaot_abi::trap::TrapCode::UncaughtException);
    }
    Stop::Other(format!("{e:#}"))
}

/// The state lines of every exported memory, table and global, in export order, then the
/// provider's (named `env.NAME`).
fn state(
    store: &mut Store<()>,
    module: &Module,
    instance: &Instance,
    provider_module: &Module,
    provider: &Instance,
) -> Vec<String> {
    let mut out = exports_state(store, module, instance, "");
    out.extend(exports_state(store, provider_module, provider, "env."));
    out
}

fn exports_state(
    store: &mut Store<()>,
    module: &Module,
    instance: &Instance,
    prefix: &str,
) -> Vec<String> {
    let mut out = Vec::new();
    for e in module.exports() {
        let name = e.name();
        let shown = format!("{prefix}{name}");
        let name_shown = shown.as_str();
        match instance.get_export(&mut *store, name) {
            Some(Extern::Memory(m)) => out.push(trace::memory_state(name_shown, m.data(&*store))),
            Some(Extern::Table(t)) => {
                let n = t.size(&*store);
                let nulls: Vec<bool> = (0..n)
                    .map(|i| t.get(&mut *store, i).is_none_or(|r| r.is_null()))
                    .collect();
                out.push(trace::table_state(name_shown, nulls.into_iter()));
            }
            Some(Extern::Global(g)) => {
                let v = g.get(&mut *store);
                out.push(trace::global_state(name_shown, from_wasmtime(&v)));
            }
            _ => {}
        }
    }
    out
}

fn outcome_kind(o: &Outcome) -> String {
    match o {
        Outcome::Returned(_) => "returned".into(),
        Outcome::Stopped(s) => s.to_string(),
    }
}

//! The executable entry point: `wasmaot_rt_main`, called by the `main` the compiler emits. It
//! sets up WASI from argv, the baked-in policy and (if allowed) the host environment, installs
//! the trap handlers, and runs the module on a thread with a known stack: instantiate, then
//! `_initialize` if exported, then `_start` if exported.
//!
//! Must never give the program anything the policy does not grant (no inherited environment
//! without `inherit-env`, no directories but the granted ones).

use core::ffi::{CStr, c_char};
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use wasmaot_abi::descriptor::{ModuleDescriptor, extern_kind};
use wasmaot_abi::policy::{Policy, RUN_POLICY_ENV};
use wasmaot_abi::{DEFAULT_WASM_STACK, HOST_STACK_MARGIN};

use crate::instance::{Extern, Imports, Instance, InstantiationError, ValRaw};
use crate::registry::slice;
use crate::wasi::{Preopen, WasiConfig};

/// Exit status for start-up errors (bad descriptor, policy, instantiation).
const ERROR_EXIT: i32 = 1;

/// Runs the module; returns the process exit status (0 when `_start` returns). Traps exit with
/// status 134 from the trap path; `proc_exit` exits from WASI.
///
/// # Safety
/// `argv` must hold `argc` valid C strings and `module` must point to the compiled module's
/// descriptor (`wasmaot_module`), which lives for the whole process.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmaot_rt_main(
    argc: i32,
    argv: *const *const c_char,
    module: *const ModuleDescriptor,
) -> i32 {
    if module.is_null() {
        eprintln!("error: no module descriptor");
        return ERROR_EXIT;
    }
    // SAFETY: caller's contract.
    let module: &'static ModuleDescriptor = unsafe { &*module };
    // SAFETY: caller's contract.
    let args = unsafe { collect_args(argc, argv) };
    match start(module, args) {
        Ok(status) => status,
        Err(msg) => {
            eprintln!("error: {msg}");
            ERROR_EXIT
        }
    }
}

/// # Safety
/// As for [`wasmaot_rt_main`].
unsafe fn collect_args(argc: i32, argv: *const *const c_char) -> Vec<Vec<u8>> {
    if argv.is_null() {
        return Vec::new();
    }
    (0..argc.max(0) as usize)
        // SAFETY: argv has argc entries.
        .map(|i| unsafe { *argv.add(i) })
        .take_while(|p| !p.is_null())
        // SAFETY: each entry is a NUL-terminated string.
        .map(|p| unsafe { CStr::from_ptr(p) }.to_bytes().to_vec())
        .collect()
}

fn start(module: &'static ModuleDescriptor, args: Vec<Vec<u8>>) -> Result<i32, String> {
    // SAFETY: descriptor slices live for the process lifetime.
    let policy_text = unsafe { slice(module.policy.ptr, module.policy.len) };
    let policy_text =
        core::str::from_utf8(policy_text).map_err(|_| "sandbox policy is not UTF-8".to_string())?;
    let mut policy = Policy::decode(policy_text)?;
    if policy.from_env {
        policy = run_time_policy()?;
    }
    // `wasmaot run` behaves as `wasmtime run` where an executable would differ (run_mode).
    if let Some(name) = policy.wasmtime_run.take() {
        crate::run_mode::set_wasmtime_run(name);
        if !exports_memory(module) {
            crate::run_mode::set_no_memory_export();
        }
    }
    if let Some(bytes) = policy.max_memory {
        crate::memory::set_byte_limit(bytes);
    }
    crate::wasi::init(wasi_config(&policy, args)?)?;
    crate::trap::signals::install();

    // The descriptor is immutable static data; it crosses to the wasm thread as an address.
    let addr = module as *const ModuleDescriptor as usize;
    let runner = std::thread::Builder::new()
        .name("wasm".into())
        .stack_size((DEFAULT_WASM_STACK + HOST_STACK_MARGIN) as usize)
        .spawn(move || {
            // SAFETY: `addr` is the 'static descriptor from above.
            run(unsafe { &*(addr as *const ModuleDescriptor) })
        })
        .map_err(|e| format!("cannot start the wasm thread: {e}"))?;
    if let Some(ms) = policy.timeout_ms {
        use std::os::unix::thread::JoinHandleExt;
        crate::trap::timeout::arm(runner.as_pthread_t() as _, ms)?;
    }
    match runner.join() {
        Ok(r) => r,
        Err(_) => Err("the runtime panicked".into()),
    }
}

/// Whether the module exports a memory named `memory`, the one WASI host functions may use
/// (as wasmtime requires; see `run_mode`).
fn exports_memory(module: &'static ModuleDescriptor) -> bool {
    // SAFETY: descriptor slices live for the process lifetime.
    let exports = unsafe { slice(module.exports.ptr, module.exports.len) };
    exports.iter().any(|e| {
        // SAFETY: as above.
        let name = unsafe { slice(e.name.ptr, e.name.len) };
        e.kind == extern_kind::MEMORY && name == b"memory"
    })
}

/// The policy `wasmaot run` passed in [`RUN_POLICY_ENV`] (an executable whose baked policy is
/// `from-env`). The variable is removed from our environment first, so that `--inherit-env`
/// never hands it to the guest. Absent, the policy is empty: wasmtime's secure default.
fn run_time_policy() -> Result<Policy, String> {
    let text = std::env::var_os(RUN_POLICY_ENV);
    // SAFETY: called before any other thread of this process exists (the wasm thread and the
    // signal handlers are set up later), so nobody reads the environment concurrently.
    unsafe { std::env::remove_var(RUN_POLICY_ENV) };
    let Some(text) = text else {
        return Ok(Policy::default());
    };
    let text = text
        .into_string()
        .map_err(|_| format!("{RUN_POLICY_ENV} is not UTF-8"))?;
    let p = Policy::decode(&text).map_err(|e| format!("{RUN_POLICY_ENV}: {e}"))?;
    if p.from_env {
        return Err(format!(
            "{RUN_POLICY_ENV}: a run-time policy cannot defer again"
        ));
    }
    Ok(p)
}

/// The WASI configuration the policy allows.
///
/// A directory granted under the guest name `.` (`--dir .`) is shown to the guest as `/`
/// (unless another grant already is `/`): wasi-libc programs (C, Rust, TinyGo) resolve relative
/// paths against either name alike, but Go's wasip1 port resolves them against `$PWD` or the
/// first preopen's name and can only match them against an absolute preopen name, so under
/// the name `.` a Go program could open nothing (that is what happens under `wasmtime run
/// --dir .`). For the same reason an inherited (not explicitly set) `PWD` is replaced by `/`
/// then: the host's working directory is the guest's `/`.
pub(crate) fn wasi_config(policy: &Policy, args: Vec<Vec<u8>>) -> Result<WasiConfig, String> {
    let dot_as_root =
        policy.dirs.iter().any(|d| d.guest == ".") && !policy.dirs.iter().any(|d| d.guest == "/");
    let key_of = |kv: &[u8]| kv.split(|&b| b == b'=').next().unwrap_or(b"").to_vec();
    let mut env: Vec<Vec<u8>> = Vec::new();
    if policy.inherit_env {
        let overridden: Vec<Vec<u8>> = policy.env.iter().map(|kv| key_of(kv.as_bytes())).collect();
        for (k, v) in std::env::vars_os() {
            if overridden.iter().any(|o| o.as_slice() == k.as_bytes()) {
                continue;
            }
            let mut kv = k.as_bytes().to_vec();
            kv.push(b'=');
            if dot_as_root && k.as_bytes() == b"PWD" {
                kv.push(b'/');
            } else {
                kv.extend_from_slice(v.as_bytes());
            }
            env.push(kv);
        }
    }
    env.extend(policy.env.iter().map(|kv| kv.as_bytes().to_vec()));

    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the working directory: {e}"))?;
    let preopens = policy
        .dirs
        .iter()
        .map(|d| {
            let host = PathBuf::from(OsStr::from_bytes(d.host.as_bytes()));
            Preopen {
                host: if host.is_absolute() {
                    host
                } else {
                    cwd.join(host)
                },
                guest: if dot_as_root && d.guest == "." {
                    "/".to_string()
                } else {
                    d.guest.clone()
                },
            }
        })
        .collect();
    let listeners = policy
        .tcp_listen
        .iter()
        .map(|addr| {
            std::net::TcpListener::bind(addr.as_str())
                .map_err(|e| format!("--tcplisten {addr}: {e}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(WasiConfig {
        args,
        env,
        preopens,
        listeners,
        stdio: crate::wasi::Stdio::Inherit,
    })
}

/// The wasm thread: instantiate, `_initialize`, `_start`.
fn run(module: &'static ModuleDescriptor) -> Result<i32, String> {
    crate::stack::init_current_thread();
    let instance = match Instance::new(module, Imports::new()) {
        Ok(i) => i,
        Err(InstantiationError::Trap(trap)) => crate::trap::exit_with_trap(&trap),
        Err(e) => return Err(e.to_string()),
    };
    for name in ["_initialize", "_start"] {
        if let Some(Extern::Func(f)) = instance.get_export(name) {
            let mut slots = vec![ValRaw::default(); f.slots().max(1)];
            if let Err(trap) = instance.call(&f, &mut slots) {
                crate::trap::exit_with_trap(&trap);
            }
        }
    }
    // The instance (and its memory) stays alive until the process exits: WASI state or other
    // threads may still refer to it.
    core::mem::forget(instance);
    Ok(0)
}

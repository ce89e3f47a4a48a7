//! Running a wasm program under both engines: [`RunSpec`] describes one run (argv, env,
//! preopens, stdin); [`run_wasmtime`] runs it under `wasmtime run`, [`compile_flags`] +
//! [`wasmaot_compile`] + [`run_native`] compile it with wasmaot and run the executable
//! (under qemu for aarch64).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Result, bail};

use crate::{Invocation, Outcome, Tools, indent, run, wasmtime_precompiled};

/// One run of a WASI command, engine-independent.
#[derive(Debug, Clone, Default)]
pub struct RunSpec {
    /// The full argv, argv[0] included.
    pub argv: Vec<String>,
    /// Exactly these variables (nothing is inherited).
    pub env: Vec<(String, String)>,
    /// Preopens, in fd order (3, 4, ...): host directory and guest name.
    pub dirs: Vec<(PathBuf, String)>,
    pub stdin: Vec<u8>,
    /// The module imports `wasi_unstable`.
    pub preview0: bool,
    pub timeout: Option<Duration>,
}

impl RunSpec {
    fn timeout(&self) -> Duration {
        self.timeout.unwrap_or(Duration::from_secs(120))
    }

    fn argv0(&self) -> String {
        self.argv.first().cloned().unwrap_or_default()
    }
}

/// `wasmtime run` with the same argv/env/preopens/stdin a wasmaot executable gets.
/// `RUST_BACKTRACE` is cleared so that wasmtime prints only its wasm backtrace.
pub fn run_wasmtime(tools: &Tools, wasm: &Path, spec: &RunSpec) -> Result<Outcome> {
    let module = wasmtime_precompiled(tools, wasm)?;
    let mut inv = Invocation::new(&tools.wasmtime).timeout(spec.timeout());
    inv.args.push("run".into());
    if spec.preview0 {
        inv.args.extend(["-S".into(), "preview0=y".into()]);
    }
    inv.args.push("--allow-precompiled".into());
    inv.args.extend(["--argv0".into(), spec.argv0().into()]);
    inv.args
        .extend(compile_flags(spec).into_iter().map(OsString::from));
    inv.args.push(module.into_os_string());
    inv.args
        .extend(spec.argv.iter().skip(1).map(OsString::from));
    inv.clear_env = true;
    inv.env = vec![
        ("RUST_BACKTRACE".into(), "0".into()),
        ("PATH".into(), "/usr/bin:/bin".into()),
    ];
    inv.stdin = spec.stdin.clone();
    run(&inv)
}

/// The `wasmaot` flags that bake `spec`'s sandbox policy (env, preopens) into the executable;
/// `wasmtime run` takes the same flags for the same policy.
pub fn compile_flags(spec: &RunSpec) -> Vec<String> {
    let mut flags = Vec::new();
    for (host, guest) in &spec.dirs {
        flags.push("--dir".into());
        flags.push(format!("{}::{guest}", host.display()));
    }
    flags.extend(env_flags(spec.env.iter().map(|(k, v)| (k, v))));
    flags
}

/// `--env K=V` for each variable, in order (the flag of both `wasmaot` and `wasmtime run`).
pub fn env_flags<'a>(env: impl IntoIterator<Item = (&'a String, &'a String)>) -> Vec<String> {
    env.into_iter()
        .flat_map(|(k, v)| ["--env".to_string(), format!("{k}={v}")])
        .collect()
}

/// `wasmaot INPUT -o OUTPUT FLAGS...`, with a generous time limit.
pub fn wasmaot_compile(
    tools: &Tools,
    input: &Path,
    output: &Path,
    flags: &[String],
) -> Result<Outcome> {
    if !tools.wasmaot.is_file() {
        bail!(
            "wasmaot not found at {} (cargo build -p wasmaot)",
            tools.wasmaot.display()
        );
    }
    let inv = Invocation::new(&tools.wasmaot)
        .arg(input)
        .arg("-o")
        .arg(output)
        .args(flags.iter().map(OsString::from))
        .timeout(Duration::from_secs(900));
    run(&inv)
}

/// Compiles with [`wasmaot_compile`] and fails with the compiler's stderr unless it succeeded
/// and produced the output file.
pub fn wasmaot_compile_ok(
    tools: &Tools,
    input: &Path,
    output: &Path,
    flags: &[String],
) -> Result<()> {
    let res = wasmaot_compile(tools, input, output, flags)?;
    if res.status() != 0 || res.timed_out {
        bail!(
            "wasmaot {} -o {} {} failed ({}):\n{}",
            input.display(),
            output.display(),
            flags.join(" "),
            res.describe_end(),
            indent(res.stderr_text().trim_end())
        );
    }
    if !output.is_file() {
        bail!("wasmaot exited 0 but wrote no {}", output.display());
    }
    Ok(())
}

/// Runs a wasmaot executable the way a user would: argv[0] as given, an empty environment
/// (the guest's environment was fixed at compile time), under `qemu` if given.
pub fn run_native(exe: &Path, spec: &RunSpec, qemu: Option<&Path>) -> Result<Outcome> {
    let mut inv = match qemu {
        Some(q) => {
            let mut inv = Invocation::new(q);
            inv.args
                .extend(["-0".into(), spec.argv0().into(), exe.as_os_str().to_owned()]);
            inv
        }
        None => {
            let mut inv = Invocation::new(exe);
            inv.argv0 = Some(spec.argv0());
            inv
        }
    };
    inv.args
        .extend(spec.argv.iter().skip(1).map(OsString::from));
    inv.clear_env = true;
    inv.stdin = spec.stdin.clone();
    inv.timeout = spec.timeout();
    run(&inv)
}

//! `wasmaot IN.wasm|IN.wat -o OUT [flags]`: compile one module to an executable or object.
//!
//! Must never let an error escape as a panic: everything is reported as `error: <input>: ...`
//! on one line with exit status 1 (by [`super::main`]).

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Parser;
use wasmaot::{Cpu, Emit, OptLevel, Options};
use wasmaot_abi::policy::{DirGrant, Policy};

/// Compile a WebAssembly module (binary or text) ahead of time into a native executable.
#[derive(Parser, Debug)]
#[command(
    name = "wasmaot",
    version,
    about,
    after_help = "To compile into a cache and run at once, as `wasmtime run` does: `wasmaot run [--dir HOST[::GUEST]]... [--env NAME=VALUE]... [--inherit-env] [--] MODULE [ARGS]...` (`wasmaot run --help`)."
)]
struct Args {
    /// The module to compile (`.wasm`, or `.wat` text).
    input: PathBuf,
    /// Where to write the executable (or object file with `--emit obj`).
    #[arg(short = 'o', long = "output")]
    output: PathBuf,
    /// Target triple: x86_64-unknown-linux-gnu or aarch64-unknown-linux-gnu (default: the host).
    #[arg(long)]
    target: Option<String>,
    /// Optimisation level: 0, 1 or 2.
    #[arg(short = 'O', default_value = "2", value_parser = clap::value_parser!(u8).range(0..=2))]
    opt: u8,
    /// CPU features the code may use: `baseline` (x86-64-v2 / ARMv8.0: runs anywhere),
    /// `x86-64-v3` (AVX2, BMI1/2, LZCNT, FMA), or `native` (this machine's).
    #[arg(long, default_value = "baseline", value_parser = ["baseline", "x86-64-v3", "native"])]
    cpu: String,
    /// What to write: `exe` (a static executable), `obj` (the object file only), `staticlib`
    /// (an archive with the module, its C API and the runtime, plus PREFIX.h and wasmaot.h
    /// beside it) or `go` (a Go package in the directory OUTPUT).
    #[arg(long, default_value = "exe", value_parser = ["exe", "obj", "staticlib", "go"])]
    emit: String,
    /// An object file, static archive or C source defining host functions the module imports
    /// (see `wasmaot_import_*` in the module's header). Repeatable.
    #[arg(long = "link", value_name = "FILE")]
    link: Vec<PathBuf>,
    /// Implement the function import MODULE::NAME with the C function SYMBOL instead of its
    /// default `wasmaot_import_...` name. Repeatable.
    #[arg(long = "import", value_name = "MODULE::NAME=SYMBOL")]
    imports: Vec<String>,
    /// Prefix of a static library's C names (`PREFIX_new`, `PREFIX_call_...`) and its header
    /// `PREFIX.h` (default: the output's file name without `lib` and extension).
    #[arg(long, value_name = "PREFIX")]
    name: Option<String>,
    /// Grant the program a host directory, seen as GUEST (default: the same path). Repeatable.
    #[arg(long = "dir", value_name = "HOST[::GUEST]")]
    dirs: Vec<String>,
    /// Set an environment variable for the program. Repeatable.
    #[arg(long = "env", value_name = "NAME=VALUE")]
    envs: Vec<String>,
    /// Pass the host environment to the program (entries from --env take precedence).
    #[arg(long)]
    inherit_env: bool,
    /// Bind a TCP listener (HOST:PORT) when the program starts and hand it over as a socket
    /// fd after the preopened directories. Repeatable.
    #[arg(long = "tcplisten", value_name = "HOST:PORT")]
    tcp_listen: Vec<String>,
    /// Limit every linear memory to SIZE (bytes, or N KiB/MiB/GiB): `memory.grow` past it
    /// returns -1, a larger declared minimum fails at start.
    #[arg(long = "max-memory", value_name = "SIZE")]
    max_memory: Option<String>,
    /// End the program with `wasm trap: interrupt` (status 134) after DURATION (500ms, 2s,
    /// 1m).
    #[arg(long = "timeout", value_name = "DURATION")]
    timeout: Option<String>,
    /// The linker driver to use (default: `cc`, or `aarch64-linux-gnu-gcc` when cross-compiling).
    #[arg(long)]
    linker: Option<String>,
    /// Leave out the symbol table, the call-frame information and the DWARF of compiled code
    /// (also spelled `-g0`): the smallest output, which debuggers and profilers see as bare
    /// addresses.
    #[arg(long)]
    strip: bool,
    /// Compile threads (default: one per core). The output is identical whatever the number.
    #[arg(short = 'j', long)]
    jobs: Option<usize>,
    /// The WebAssembly version modules are validated as: `3.0` (the default) for 2.0 plus the
    /// 3.0 proposals wasmaot implements (everything but GC), or exactly `2.0`.
    // Not `--wasm`: `wasmaot run` reads that as wasmtime's `-W KEY=VAL`.
    #[arg(long = "wasm-version", value_name = "VERSION", default_value = "3.0", value_parser = ["2.0", "3.0"])]
    wasm_version: String,
    /// Take the machine code of functions compiled before from the function cache, and add
    /// this module's (in the cache directory of `wasmaot run`; also `WASMAOT_FUNC_CACHE=1`).
    /// The output is the same with or without it.
    #[arg(long, conflicts_with = "no_cache")]
    cache: bool,
    /// Do not use the function cache, even if `WASMAOT_FUNC_CACHE=1`.
    #[arg(long)]
    no_cache: bool,
}

/// Parses a `--dir HOST[::GUEST]` value.
pub(crate) fn dir_grant(d: &str) -> Result<DirGrant> {
    let (host, guest) = match d.split_once("::") {
        Some((h, g)) => (h, g),
        None => (d, d),
    };
    if host.is_empty() || guest.is_empty() {
        bail!("--dir `{d}`: expected HOST or HOST::GUEST");
    }
    Ok(DirGrant {
        host: host.to_string(),
        guest: guest.to_string(),
    })
}

/// Checks a `--env NAME=VALUE` value.
pub(crate) fn env_entry(e: &str) -> Result<String> {
    match e.split_once('=') {
        Some((k, _)) if !k.is_empty() => Ok(e.to_string()),
        _ => bail!("--env `{e}`: expected NAME=VALUE"),
    }
}

fn policy(args: &Args) -> Result<Policy> {
    let mut p = Policy {
        inherit_env: args.inherit_env,
        tcp_listen: args.tcp_listen.clone(),
        ..Policy::default()
    };
    for d in &args.dirs {
        p.dirs.push(dir_grant(d)?);
    }
    for e in &args.envs {
        p.env.push(env_entry(e)?);
    }
    p.max_memory = args
        .max_memory
        .as_deref()
        .map(super::limits::parse_size)
        .transpose()?;
    p.timeout_ms = args
        .timeout
        .as_deref()
        .map(super::limits::parse_duration_ms)
        .transpose()?;
    Ok(p)
}

fn run(args: Args) -> Result<()> {
    let opts = Options {
        target: args
            .target
            .clone()
            .unwrap_or_else(|| wasmaot::options::host_target().to_string()),
        opt_level: match args.opt {
            0 => OptLevel::O0,
            1 => OptLevel::O1,
            _ => OptLevel::O2,
        },
        cpu: Cpu::parse(&args.cpu).expect("clap checked the value"),
        strip: args.strip,
        emit: match args.emit.as_str() {
            "obj" => Emit::Obj,
            "staticlib" => Emit::StaticLib,
            "go" => Emit::Go,
            _ => Emit::Exe,
        },
        policy: policy(&args)?,
        linker: args.linker.clone(),
        jobs: args.jobs,
        library: false,
        link: args.link.clone(),
        import_symbols: args
            .imports
            .iter()
            .map(|s| wasmaot::ImportSymbol::parse(s).map_err(anyhow::Error::msg))
            .collect::<Result<_>>()?,
        name: args
            .name
            .clone()
            .or_else(|| Some(wasmaot::embed::default_name(&args.output))),
        features: match args.wasm_version.as_str() {
            "3.0" => wasmaot::module::FeatureSet::Wasm3,
            _ => wasmaot::module::FeatureSet::Wasm2,
        },
        func_cache: super::cache::func_cache(
            false,
            match (args.cache, args.no_cache) {
                (true, _) => Some(true),
                (_, true) => Some(false),
                _ => None,
            },
        )?,
    };
    let input = &args.input;
    let bytes =
        std::fs::read(input).with_context(|| format!("{}: cannot read", input.display()))?;
    let wasm = wasmaot::read_input(bytes, input).with_context(|| input.display().to_string())?;
    let progress = super::progress::ProgressLine::start();
    let result = wasmaot::compile_to_file(&wasm, &opts, &args.output);
    drop(progress);
    result
        .map_err(|e| wasm2_hint(e, &wasm, &opts))
        .with_context(|| input.display().to_string())?;
    if let Some(cache) = &opts.func_cache {
        let verbose =
            std::env::var_os("WASMAOT_VERBOSE").is_some_and(|v| !v.is_empty() && v != "0");
        super::cache::finish_func_cache(cache, "wasmaot", verbose);
    }
    Ok(())
}

/// `e`, with a pointer to `--wasm-version 2.0` when that is what rejected the module (it uses
/// a 3.0 proposal wasmaot implements).
fn wasm2_hint(e: wasmaot::CompileError, wasm: &[u8], opts: &Options) -> anyhow::Error {
    use wasmaot::module::{FeatureSet, ParseOptions, parse};
    let accepted_by_3_0 = opts.features == FeatureSet::Wasm2
        && matches!(e, wasmaot::CompileError::Unsupported { .. })
        && parse(
            wasm,
            ParseOptions {
                features: FeatureSet::Wasm3,
                dynamic_imports: opts.library,
                ..Default::default()
            },
        )
        .is_ok();
    match accepted_by_3_0 {
        true => anyhow::anyhow!(
            "{e} (a WebAssembly 3.0 feature, rejected because of `--wasm-version 2.0`)"
        ),
        false => e.into(),
    }
}

/// Runs the compile command (everything but `run`); errors are reported by the caller.
pub fn main() -> Result<i32> {
    main_from(std::env::args_os().collect())
}

/// [`main`] with the command line `argv` (`argv[0]` first).
pub fn main_from(argv: Vec<std::ffi::OsString>) -> Result<i32> {
    // `-g0`, as C compilers spell "no debug information", is `--strip`.
    let argv = argv
        .into_iter()
        .map(|a| if a == "-g0" { "--strip".into() } else { a });
    let args = match Args::try_parse_from(argv) {
        Ok(a) => a,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return Ok(code);
        }
    };
    run(args).map(|()| 0)
}

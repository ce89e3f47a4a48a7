//! `wasmaot run [OPTIONS] [--] MODULE [ARGS]...`: a drop-in for `wasmtime run`. The module is
//! compiled once into the content-addressed cache ([`super::cache`]); the cached executable is
//! then `exec`ed with argv[0] = the module's file name (as wasmtime), the guest arguments, and
//! the sandbox policy in the environment variable `WASMAOT_RUN_POLICY` (the executable itself
//! carries no policy, so one cache entry serves every set of flags). Because of the `exec`,
//! stdio is inherited and the program's exit status or signal is ours.
//!
//! Accepted spellings (wasmtime's): `--dir HOST[::GUEST]`, `--dir=...`, `--env NAME=VALUE`,
//! `--env NAME` (the host's value), `--inherit-env`, `-S inherit-env[=y|n]`,
//! `--tcplisten HOST:PORT`, `-S tcplisten=HOST:PORT`, `--argv0 NAME`, `--max-memory SIZE` /
//! `-W max-memory-size=BYTES`, `--timeout DURATION` / `-W timeout=DURATION`, and, accepted and
//! ignored because they change nothing for a compiled executable, other `-W KEY=VAL` (e.g.
//! `max-wasm-stack`: our wasm stack is fixed at 8 MiB), `-O`, `-C`, `-D`, other `-S` keys
//! (`cli`, `preview0`, `preview2`, ...), `--allow-precompiled`. Ours: `-v`/`--verbose` reports
//! the cache entry used and whether it was compiled (`WASMAOT_VERBOSE=1` does the same),
//! `--opt N` the optimisation level (default 2), `--cpu baseline|x86-64-v3|native` the CPU
//! features (default `baseline`, as `wasmaot`: measured, `native` pays only for `math/big`),
//! `--wasm-version 2.0|3.0` the feature set (as `wasmaot`). Options must come before the
//! module; the arguments after it belong to the program.
//!
//! Must never give the program more than the flags grant.

use std::ffi::{OsStr, OsString};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use wasmaot::module::FeatureSet;
use wasmaot::{Cpu, OptLevel};
use wasmaot_abi::policy::{Policy, RUN_POLICY_ENV};

use super::cache;
use super::compile::{dir_grant, env_entry};

const USAGE: &str = "\
usage: wasmaot run [OPTIONS] [--] MODULE [ARGS]...

Compiles MODULE (.wasm or .wat) into the cache (once) and runs it, like `wasmtime run`.

Options:
  --dir HOST[::GUEST]    grant the host directory HOST, seen by the program as GUEST
                         (default: the same name); repeatable
  --env NAME[=VALUE]     set an environment variable (without =VALUE: the host's value)
  --inherit-env          pass the whole host environment (-S inherit-env also works)
  --tcplisten HOST:PORT  bind a TCP listener and hand it to the program as a socket fd
                         (-S tcplisten=HOST:PORT also works)
  --argv0 NAME           argv[0] for the program (default: the module's file name)
  --opt N                optimisation level 0, 1 or 2 (default 2)
  --cpu CPU              CPU features: baseline, x86-64-v3 or native (default baseline)
  --wasm-version V       validate as WebAssembly 3.0 (default: 2.0 plus every 3.0 proposal
                         but GC) or exactly 2.0
  --max-memory SIZE      limit each linear memory to SIZE (bytes, or N KiB/MiB/GiB;
                         -W max-memory-size=BYTES also works)
  --timeout DURATION     end the program with `wasm trap: interrupt` after DURATION
                         (500ms, 2s, 1m; -W timeout=DURATION also works)
  -v, --verbose          report the cache entry and whether it was compiled
  -W/-O/-C/-D KEY=VAL    other wasmtime settings: accepted and ignored (max-wasm-stack etc.)

Cache: $WASMAOT_CACHE_DIR, else $XDG_CACHE_HOME/wasmaot, else ~/.cache/wasmaot; at most
$WASMAOT_CACHE_MAX (default 2G; 500M, bytes, 0 or unlimited), least recently used pruned.
WASMAOT_FUNC_CACHE=1: also keep each function's machine code, for later compiles of modules
sharing it (a quarter of the cap).";

/// A parsed `wasmaot run` command line.
#[derive(Debug, Default)]
struct RunArgs {
    policy: Policy,
    argv0: Option<OsString>,
    opt: u8,
    cpu: Cpu,
    features: FeatureSet,
    verbose: bool,
    module: PathBuf,
    args: Vec<OsString>,
}

fn utf8<'a>(a: &'a OsStr, what: &str) -> Result<&'a str> {
    a.to_str()
        .with_context(|| format!("{what} `{}` is not UTF-8", a.to_string_lossy()))
}

/// `-S KEY[=VAL]` settings: the ones that mean something to us, the rest ignored.
fn wasi_setting(p: &mut RunArgs, setting: &str) -> Result<()> {
    for kv in setting.split(',') {
        let (k, v) = kv.split_once('=').unwrap_or((kv, "y"));
        let yes = matches!(v, "y" | "yes" | "true");
        match k {
            "inherit-env" => p.policy.inherit_env = yes,
            "tcplisten" => p.policy.tcp_listen.push(v.to_string()),
            // Everything else (cli, preview0, preview2, common, inherit-network, ...) only
            // selects what wasmtime links in; our runtime always provides preview1.
            _ => {}
        }
    }
    Ok(())
}

/// `-W KEY=VAL` settings: the resource limits (`max-memory-size=BYTES`, `timeout=DURATION`),
/// the rest ignored (`max-wasm-stack` etc. change nothing for compiled code).
fn wasm_setting(p: &mut RunArgs, setting: &str) -> Result<()> {
    for kv in setting.split(',') {
        match kv.split_once('=') {
            Some(("max-memory-size", v)) => {
                p.policy.max_memory = Some(super::limits::parse_size(v)?)
            }
            Some(("timeout", v)) => {
                p.policy.timeout_ms = Some(super::limits::parse_duration_ms(v)?)
            }
            _ => {}
        }
    }
    Ok(())
}

fn parse(argv: Vec<OsString>) -> Result<Option<RunArgs>> {
    let mut p = RunArgs {
        opt: 2,
        cpu: Cpu::Baseline,
        verbose: std::env::var_os("WASMAOT_VERBOSE").is_some_and(|v| !v.is_empty() && v != "0"),
        features: FeatureSet::Wasm3,
        ..RunArgs::default()
    };
    let mut it = argv.into_iter();
    let mut module = None;
    while let Some(a) = it.next() {
        let s = a.to_string_lossy().into_owned();
        if s == "--" {
            module = it.next();
            break;
        }
        if !s.starts_with('-') || s == "-" {
            module = Some(a);
            break;
        }
        // `--flag=value` or `--flag value`; `-Xvalue` or `-X value` for the short ones.
        let (flag, inline) = if let Some(rest) = s.strip_prefix("--") {
            match rest.split_once('=') {
                Some((f, v)) => (format!("--{f}"), Some(v.to_string())),
                None => (s.clone(), None),
            }
        } else if s.len() > 2 && ["-W", "-S", "-O", "-C", "-D"].contains(&&s[..2]) {
            (s[..2].to_string(), Some(s[2..].to_string()))
        } else {
            (s.clone(), None)
        };
        let mut value = |name: &str| -> Result<String> {
            match &inline {
                Some(v) => Ok(v.clone()),
                None => {
                    let v = it.next().with_context(|| format!("{name} needs a value"))?;
                    Ok(utf8(&v, name)?.to_string())
                }
            }
        };
        match flag.as_str() {
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(None);
            }
            "--dir" | "--mapdir" => {
                let v = value("--dir")?;
                p.policy.dirs.push(dir_grant(&v)?);
            }
            "--env" => {
                let v = value("--env")?;
                if v.contains('=') {
                    p.policy.env.push(env_entry(&v)?);
                } else if !v.is_empty() {
                    // As wasmtime: `--env NAME` passes the host's value, if it has one.
                    if let Some(val) = std::env::var_os(&v) {
                        let val = utf8(&val, "environment value")?.to_string();
                        p.policy.env.push(format!("{v}={val}"));
                    }
                } else {
                    bail!("--env needs NAME or NAME=VALUE");
                }
            }
            "--inherit-env" => p.policy.inherit_env = true,
            "--tcplisten" => {
                let v = value("--tcplisten")?;
                p.policy.tcp_listen.push(v);
            }
            "-S" | "--wasi" => {
                let v = value("-S")?;
                wasi_setting(&mut p, &v)?;
            }
            "--argv0" => p.argv0 = Some(value("--argv0")?.into()),
            "--opt" => {
                let v = value("--opt")?;
                p.opt = match v.as_str() {
                    "0" => 0,
                    "1" => 1,
                    "2" => 2,
                    _ => bail!("--opt `{v}`: expected 0, 1 or 2"),
                };
            }
            "--cpu" => {
                let v = value("--cpu")?;
                p.cpu = Cpu::parse(&v).with_context(|| {
                    format!("--cpu `{v}`: expected one of {}", Cpu::NAMES.join(", "))
                })?;
            }
            "--wasm-version" => {
                let v = value("--wasm-version")?;
                p.features = match v.as_str() {
                    "2.0" => FeatureSet::Wasm2,
                    "3.0" => FeatureSet::Wasm3,
                    _ => bail!("--wasm-version `{v}`: expected 2.0 or 3.0"),
                };
            }
            "-v" | "--verbose" => p.verbose = true,
            "--max-memory" => {
                p.policy.max_memory = Some(super::limits::parse_size(&value("--max-memory")?)?)
            }
            "--timeout" => {
                p.policy.timeout_ms = Some(super::limits::parse_duration_ms(&value("--timeout")?)?)
            }
            "-W" | "--wasm" => {
                let v = value("-W")?;
                wasm_setting(&mut p, &v)?;
            }
            "-O" | "--optimize" | "-C" | "--codegen" | "-D" | "--debug" => {
                value(&flag)?;
            }
            "--allow-precompiled" => {}
            "--invoke" | "--preload" | "--profile" | "-g" | "--gdbstub" | "-R" | "--record"
            | "--config" | "--target" => {
                bail!("wasmaot run: `{flag}` is not supported (see `wasmaot run --help`)")
            }
            _ => bail!("wasmaot run: unknown option `{s}` (see `wasmaot run --help`)"),
        }
    }
    let Some(module) = module else {
        bail!("wasmaot run: no module given\n{USAGE}");
    };
    p.module = PathBuf::from(module);
    p.args = it.collect();
    Ok(Some(p))
}

/// argv[0] as wasmtime gives it: the module's file name without its directories.
fn default_argv0(module: &Path) -> OsString {
    module
        .file_name()
        .map(OsStr::to_os_string)
        .unwrap_or_else(|| module.as_os_str().to_os_string())
}

pub fn main(argv: Vec<OsString>) -> Result<i32> {
    let Some(args) = parse(argv)? else {
        return Ok(0);
    };
    let input = &args.module;
    let bytes =
        std::fs::read(input).with_context(|| format!("{}: cannot read", input.display()))?;
    let wasm = wasmaot::read_input(bytes, input).with_context(|| input.display().to_string())?;
    let opt_level = match args.opt {
        0 => OptLevel::O0,
        1 => OptLevel::O1,
        _ => OptLevel::O2,
    };
    // The executable reports what wasmtime reports as an error as wasmtime does (see
    // `wasmaot_abi::policy::Policy::wasmtime_run`), naming the module as the user did.
    let mut policy = args.policy;
    policy.wasmtime_run = Some(input.to_string_lossy().into_owned());
    let policy = policy
        .encode()
        .map_err(anyhow::Error::msg)
        .with_context(|| input.display().to_string())?;
    let argv0 = args.argv0.unwrap_or_else(|| default_argv0(input));
    let mut attempts = 0;
    loop {
        attempts += 1;
        let entry = cache::executable(&wasm, opt_level, args.cpu, args.features, args.verbose)
            .with_context(|| input.display().to_string())?;
        // The program must be interruptible: `exec` keeps this thread's blocked signals.
        super::interrupt::unblock();
        let err = std::process::Command::new(&entry)
            .arg0(&argv0)
            .args(&args.args)
            .env(RUN_POLICY_ENV, &policy)
            .exec();
        super::interrupt::block();
        // Another process pruned the entry between the lookup and the `exec`: compile it
        // again (a cache cap smaller than what concurrent runs use could repeat this).
        let pruned = err.kind() == std::io::ErrorKind::NotFound && !entry.exists();
        if pruned && attempts < 5 {
            if args.verbose {
                eprintln!("wasmaot run: {} was pruned before it ran", entry.display());
            }
            continue;
        }
        let why = if pruned {
            format!(
                "other runs pruned its cache entry {attempts} times; is {} too small?",
                wasmaot::cache_prune::CACHE_MAX_ENV
            )
        } else {
            format!("cannot start {}", entry.display())
        };
        return Err(err).with_context(|| format!("{}: {why}", input.display()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_strs(a: &[&str]) -> RunArgs {
        parse(a.iter().map(OsString::from).collect())
            .unwrap()
            .unwrap()
    }

    #[test]
    fn wasmtime_spellings() {
        let p = parse_strs(&[
            "--dir=/::/",
            "--dir",
            "a::b",
            "--env",
            "PWD=/x",
            "-W",
            "max-wasm-stack=8388608",
            "-Wfoo=1",
            "-W",
            "max-memory-size=65536,timeout=2s",
            "-S",
            "inherit-env",
            "--tcplisten=127.0.0.1:0",
            "app.wasm",
            "--dir",
            "x",
        ]);
        assert_eq!(p.policy.dirs.len(), 2);
        assert_eq!(p.policy.dirs[0].host, "/");
        assert_eq!(p.policy.dirs[1].guest, "b");
        assert_eq!(p.policy.env, vec!["PWD=/x".to_string()]);
        assert!(p.policy.inherit_env);
        assert_eq!(p.policy.tcp_listen, vec!["127.0.0.1:0".to_string()]);
        assert_eq!(p.policy.max_memory, Some(65536));
        assert_eq!(p.policy.timeout_ms, Some(2000));
        assert_eq!(p.features, FeatureSet::Wasm3);
        let q = parse_strs(&[
            "--max-memory",
            "2MiB",
            "--timeout=500ms",
            "--wasm-version=3.0",
            "a.wasm",
        ]);
        assert_eq!(q.features, FeatureSet::Wasm3);
        assert_eq!(q.policy.max_memory, Some(2 << 20));
        assert_eq!(q.policy.timeout_ms, Some(500));
        assert_eq!(p.module, PathBuf::from("app.wasm"));
        assert_eq!(p.args, vec![OsString::from("--dir"), OsString::from("x")]);
        assert_eq!(default_argv0(Path::new("x/y/app.wasm")), "app.wasm");
    }

    #[test]
    fn double_dash_and_errors() {
        let p = parse_strs(&["--", "-odd.wasm", "a"]);
        assert_eq!(p.module, PathBuf::from("-odd.wasm"));
        assert!(parse(vec!["--bogus".into(), "a.wasm".into()]).is_err());
        assert!(parse(vec!["--dir".into()]).is_err());
        assert!(parse(vec!["--wasm-version".into(), "4.0".into(), "a.wasm".into()]).is_err());
        assert!(parse(vec![]).is_err());
    }
}

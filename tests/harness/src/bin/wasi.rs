//! The WASI runner: the wasi-testsuite (C, Rust and AssemblyScript preview1 binaries from the
//! shared corpus) and our own sandbox-escape programs (`tests/sandbox/`), each compiled with
//! `wasmaot` into a native executable and run, and also run under `wasmtime run`.
//!
//! ```text
//! wasi [--no-wasmtime] [--no-aarch64] [--jobs N] [--list] [FILTER...]
//! ```
//!
//! * A wasi-testsuite case is `<name>.wasm` with an optional `<name>.json` (legacy format:
//!   `args`, `env`, `root`, `exit_code`, `stdout`, `stderr`; see the corpus' MANIFEST.md). Its
//!   `root` is copied to a fresh directory for each run and preopened as the guest's `/`:
//!   wasmtime gets `--dir COPY::/`, the executable is compiled with `--dir .::/` (and the
//!   JSON's `--env`s) and started in the copy, so the baked-in relative preopen is exercised.
//!   stdout/stderr are prefix matches, as in the upstream runner; stdin is an empty pipe.
//! * A sandbox case is `tests/sandbox/<name>.c` (built with zig's wasm32-wasi clang into
//!   `tests/.cache/sandbox/`), run by `wasmaot run` (the run mode and its run-time policy) with
//!   the sandbox tree of [`sandbox_tree`] preopened as `/`; its stdout must equal
//!   `<name>.expected`, and nothing outside the preopen may change.
//! * Each case passes when the wasmaot side passes. A wasmaot failure is a failure unless the
//!   case is listed in a `[[wasi]]` entry of `tests/known-failures.toml` with a reason; a listed
//!   case that passes, or that does not exist, is reported (and counted as a failure, so the
//!   list stays honest). The wasmtime side
//!   is shown next to it (`wasmtime: ok` / `wasmtime: FAIL`), and the summary lists every case
//!   where the two disagree.
//!
//! * An `aarch64/` case is a suite or sandbox case again (`aarch64/c/...`,
//!   `aarch64/sandbox/adv-...`), compiled with `--target aarch64-unknown-linux-gnu` (linked by
//!   `aarch64-linux-gnu-gcc`) and run under `qemu-aarch64` (`$QEMU_AARCH64`), with the same
//!   expectations: the aarch64 code generator and the aarch64 side of the runtime's WASI layer
//!   against the same tests. A sandbox program is compiled with `--dir .::/` and started in its
//!   tree's root (a compiled executable's baked-in policy; `wasmaot run` builds for the host
//!   only). These cases have no wasmtime side (the host case already has it). A missing qemu
//!   fails them (`make tools` installs it); `--no-aarch64` leaves them out. The `run/` checks are about the host's
//!   `wasmaot run` and have no aarch64 form.
//! * A `run/` case checks `wasmaot run` itself (tests/sandbox/run/: C, WAT and Go programs):
//!   argv/env/dir/exit status against `wasmtime run`, `--dir .`, the cache under concurrency,
//!   killed compiles and `WASMAOT_CACHE_MAX` pruning, `--tcplisten` sockets and proc_raise (these have no wasmtime side:
//!   wasmtime 49 cannot hand sockets to preview1 modules and does not implement proc_raise),
//!   wasmtime's errors for a `proc_exit` status of 126 or more and for a module without a
//!   `memory` export, and the resource limits `--max-memory` and `--timeout` (each against
//!   `wasmtime run` inside the check, and baked into an executable).
//!
//! Compiled executables are cached in `tests/.cache/wasi/`, keyed by the wasmaot binary, the
//! module and the flags. Environment: as for `e2e` (`WASMAOT`, `WASMTIME`, `WASMAOT_CORPUS`).

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use wasmaot_tests::{
    Invocation, Outcome, RunSpec, Tools, check_prefix, check_status_showing, copy_tree,
    default_jobs, env_flags, file_name, file_stem, indent, jobs_value, parallel, run, run_wasmtime,
    runner_main, scratch_dir, sha256_hex, truncate, wasmaot_compile_ok, write_failure,
};

const SUITES: [&str; 3] = ["c", "rust", "assemblyscript"];
const TIMEOUT: Duration = Duration::from_secs(60);

/// The target of the aarch64 cases.
const AARCH64: &str = "aarch64-unknown-linux-gnu";

/// A test's JSON file (the legacy v0 format).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
struct Config {
    args: Vec<String>,
    env: BTreeMap<String, String>,
    root: Option<String>,
    dirs: Vec<String>,
    exit_code: i32,
    stdout: Option<String>,
    stderr: Option<String>,
}

#[derive(Clone)]
enum Kind {
    /// A wasi-testsuite binary and its config.
    Suite { wasm: PathBuf, config: Config },
    /// One of our sandbox programs (C source) and its expected stdout.
    Sandbox { source: PathBuf, expected: String },
    /// A check of `wasmaot run` itself (tests/sandbox/run/*.c).
    Run { check: RunCheck, source: PathBuf },
}

#[derive(Clone, Copy)]
enum RunCheck {
    /// argv (argv[0] = the module's file name), --env (both forms), --dir, exit status: the
    /// same output as `wasmtime run` with the same flags.
    Args,
    /// `--dir .`: the working directory is the guest's `/` (see README, "Sandbox policy").
    DirDot,
    /// `--dir .` baked into executables (Go and C): `./app data.txt` opens the file in the
    /// directory the user runs it from.
    BakedDirDot,
    /// A fresh cache: concurrent runs all succeed, one compiles, one entry; then a hit.
    Cache,
    /// A compile killed at some point leaves nothing a later run trusts.
    KilledCompile,
    /// `WASMAOT_CACHE_MAX`: with room for two entries, a run of a third module removes the
    /// least recently used one (a hit counts as a use); `0` keeps only the newest; a bad value
    /// is an error naming the variable.
    CachePrune,
    /// `--tcplisten`: sock_accept/recv/send/shutdown on a loopback listener (C), and Go's
    /// netpoller (poll_oneoff on sockets, non-blocking accept) on one.
    TcpListen,
    /// proc_raise ends the process by the signal.
    ProcRaise,
    /// proc_exit(200): `wasmaot run` refuses it as `wasmtime run` does (error, status 1); a
    /// compiled executable exits with 200.
    BadExit,
    /// A WASI call from a module that exports no `memory`: `wasmaot run` as `wasmtime run`
    /// (error, status 1); a compiled executable runs it on its memory 0 (status 0).
    NoMemoryExport,
    /// `--max-memory`/`-W max-memory-size=`: memory.grow past the limit returns -1 and a
    /// larger declared minimum fails at start (WAT); a Go program allocating without end stops
    /// with Go's out-of-memory failure; as `wasmtime run`, and in a compiled executable.
    MaxMemory,
    /// `--timeout`/`-W timeout=`: a Go program looping without end ends with `wasm trap:
    /// interrupt`, status 134, as under `wasmtime run`, and in a compiled executable.
    Timeout,
}

struct Case {
    name: String,
    kind: Kind,
    /// Compiled for aarch64 and run under qemu (an `aarch64/` case).
    aarch64: bool,
    /// Why it is expected to fail on wasmaot (its `[[wasi]]` entry in tests/known-failures.toml).
    known: Option<String>,
}

struct Ctx {
    tools: Tools,
    wasmtime: bool,
    tmp: PathBuf,
    /// sha256 of the wasmaot binary: part of every cache key.
    wasmaot_id: String,
    /// zig's C compiler (`python -m ziglang`), if installed.
    zig: Option<PathBuf>,
}

fn suite_cases(tools: &Tools, cases: &mut Vec<Case>) -> Result<()> {
    for suite in SUITES {
        let dir = tools
            .corpus
            .join("wasi-testsuite/tests")
            .join(suite)
            .join("testsuite/wasm32-wasip1");
        let mut entries: Vec<PathBuf> = fs::read_dir(&dir)
            .with_context(|| format!("reading {}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "wasm"))
            .collect();
        entries.sort();
        for wasm in entries {
            let json = wasm.with_extension("json");
            let config = if json.is_file() {
                serde_json::from_slice(&fs::read(&json)?)
                    .with_context(|| format!("parsing {}", json.display()))?
            } else {
                Config::default()
            };
            let stem = wasm.file_stem().unwrap_or_default().to_string_lossy();
            cases.push(Case {
                name: format!("{suite}/{stem}"),
                kind: Kind::Suite { wasm, config },
                known: None,
                aarch64: false,
            });
        }
    }
    Ok(())
}

fn sandbox_cases(tools: &Tools, cases: &mut Vec<Case>) -> Result<()> {
    let dir = tools.root.join("tests/sandbox");
    let mut sources: Vec<PathBuf> = fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "c"))
        .collect();
    sources.sort();
    for source in sources {
        let expected = fs::read_to_string(source.with_extension("expected"))
            .with_context(|| format!("{}: no .expected file", source.display()))?;
        let stem = source.file_stem().unwrap_or_default().to_string_lossy();
        cases.push(Case {
            name: format!("sandbox/{stem}"),
            kind: Kind::Sandbox { source, expected },
            known: None,
            aarch64: false,
        });
    }
    Ok(())
}

fn run_cases(tools: &Tools, cases: &mut Vec<Case>) {
    let dir = tools.root.join("tests/sandbox/run");
    for (name, check, src) in [
        ("run/args-env-dir-exit", RunCheck::Args, "args.c"),
        ("run/dir-dot", RunCheck::DirDot, "args.c"),
        ("run/dir-dot-baked-c", RunCheck::BakedDirDot, "args.c"),
        ("run/dir-dot-baked-go", RunCheck::BakedDirDot, "dirdot"),
        ("run/cache-concurrent", RunCheck::Cache, "args.c"),
        (
            "run/cache-killed-compile",
            RunCheck::KilledCompile,
            "args.c",
        ),
        ("run/cache-prune", RunCheck::CachePrune, "args.c"),
        ("run/tcplisten", RunCheck::TcpListen, "tcp.c"),
        ("run/tcplisten-go", RunCheck::TcpListen, "tcpgo"),
        ("run/proc_raise", RunCheck::ProcRaise, "raise.c"),
        ("run/exit-126-or-more", RunCheck::BadExit, "exit200.c"),
        (
            "run/no-memory-export",
            RunCheck::NoMemoryExport,
            "nomem.wat",
        ),
        ("run/max-memory-wat", RunCheck::MaxMemory, "grow.wat"),
        ("run/max-memory-go", RunCheck::MaxMemory, "allocgo"),
        ("run/timeout-go", RunCheck::Timeout, "loopgo"),
    ] {
        cases.push(Case {
            name: name.to_string(),
            kind: Kind::Run {
                check,
                source: dir.join(src),
            },
            known: None,
            aarch64: false,
        });
    }
}

/// The `aarch64/` twin of every suite and sandbox case.
fn aarch64_cases(cases: &mut Vec<Case>) {
    let twins: Vec<Case> = cases
        .iter()
        .filter(|c| matches!(c.kind, Kind::Suite { .. } | Kind::Sandbox { .. }))
        .map(|c| Case {
            name: format!("aarch64/{}", c.name),
            kind: c.kind.clone(),
            known: None,
            aarch64: true,
        })
        .collect();
    cases.extend(twins);
}

/// The `[[wasi]]` entries of `tests/known-failures.toml`: case name → reason; an entry naming
/// none of `names` is an error.
fn known_failures<'a>(
    tools: &Tools,
    names: impl IntoIterator<Item = &'a str>,
) -> Result<BTreeMap<String, String>> {
    wasmaot_tests::known_failures::tests_of_existing(
        &tools.root.join("tests/known-failures.toml"),
        "wasi",
        names,
    )
}

impl Ctx {
    /// Compiles `wasm` with `flags` into the cache; returns the executable.
    fn compile(&self, wasm: &Path, flags: &[String]) -> Result<PathBuf> {
        let bytes = fs::read(wasm)?;
        let mut parts: Vec<&[u8]> = vec![self.wasmaot_id.as_bytes(), &bytes];
        parts.extend(flags.iter().map(|f| f.as_bytes()));
        let key = sha256_hex(&parts);
        let dir = self.tools.cache.join("wasi").join(&key[..24]);
        let exe = dir.join(wasm.file_stem().unwrap_or_default());
        if exe.is_file() {
            return Ok(exe);
        }
        fs::create_dir_all(&dir)?;
        let mut flags = flags.to_vec();
        flags.extend(["--jobs".into(), "1".into()]);
        wasmaot_compile_ok(&self.tools, wasm, &exe, &flags)?;
        Ok(exe)
    }

    /// Builds a test program: a C file with [`Ctx::build_c`], a Go directory with `go build`;
    /// a `.wat` file is used as it is (both engines take the text format).
    fn build(&self, source: &Path) -> Result<PathBuf> {
        if source.extension().is_some_and(|x| x == "wat") {
            Ok(source.to_path_buf())
        } else if source.is_dir() {
            wasmaot_tests::go_build(&self.tools, source)
        } else {
            self.build_c(source)
        }
    }

    /// Builds a sandbox C program into `tests/.cache/sandbox/` (keyed by its source).
    fn build_c(&self, source: &Path) -> Result<PathBuf> {
        let Some(python) = &self.zig else {
            bail!("zig is not installed (`make tools` installs it)");
        };
        let text = fs::read(source)?;
        let key = sha256_hex(&[&text]);
        let dir = self.tools.cache.join("sandbox");
        fs::create_dir_all(&dir)?;
        let stem = file_stem(source);
        let wasm = dir.join(format!("{stem}-{}.wasm", &key[..16]));
        if wasm.is_file() {
            return Ok(wasm);
        }
        let tmp = dir.join(format!(
            "{stem}-{}.wasm.tmp{}",
            &key[..16],
            std::process::id()
        ));
        let inv = Invocation::new(python)
            .args([
                "-m",
                "ziglang",
                "cc",
                "-target",
                "wasm32-wasi",
                "-O2",
                "-s",
                "-o",
            ])
            .arg(&tmp)
            .arg(source)
            .timeout(Duration::from_secs(600));
        let out = run(&inv)?;
        if out.status() != 0 {
            bail!("zig cc failed:\n{}", indent(out.stderr_text().trim_end()));
        }
        fs::rename(&tmp, &wasm)?;
        Ok(wasm)
    }

    fn scratch(&self, name: &str) -> Result<tempfile::TempDir> {
        scratch_dir(&self.tmp, name)
    }
}

/// The flags a suite case is compiled with: its `--env`s, and `--dir .::/` if it has a root
/// (the executable is started in a copy of it); `--target` for an aarch64 case.
fn suite_flags(wasm: &Path, config: &Config, aarch64: bool) -> Vec<String> {
    let mut flags = env_flags(&config.env);
    if root_dir(wasm, config).is_some() {
        flags.extend(["--dir".into(), ".::/".into()]);
    }
    if aarch64 {
        flags.extend(["--target".into(), AARCH64.into()]);
    }
    flags
}

/// The flags an aarch64 sandbox program is compiled with: the policy `wasmaot run --dir
/// ROOT::/` gives it, baked in as `--dir .::/` (it is started in ROOT).
fn sandbox_aarch64_flags() -> Vec<String> {
    ["--dir", ".::/", "--target", AARCH64]
        .map(String::from)
        .to_vec()
}

/// An invocation of a compiled executable with `argv0`: directly, or an aarch64 one under qemu
/// (a missing qemu is an error that says how to install it).
fn native_invocation(ctx: &Ctx, exe: &Path, argv0: String, aarch64: bool) -> Result<Invocation> {
    if !aarch64 {
        let mut inv = Invocation::new(exe);
        inv.argv0 = Some(argv0);
        return Ok(inv);
    }
    let Some(qemu) = &ctx.tools.qemu_aarch64 else {
        bail!(
            "qemu-aarch64 not found: run `make tools` (or `apt-get install qemu-user \
             gcc-aarch64-linux-gnu libc6-dev-arm64-cross`), or set QEMU_AARCH64"
        );
    };
    Ok(Invocation::new(qemu).arg("-0").arg(argv0).arg(exe))
}

/// The root fixture of a suite case, if any.
fn root_dir(wasm: &Path, config: &Config) -> Option<PathBuf> {
    let dir = wasm.parent()?;
    config
        .root
        .as_ref()
        .or(config.dirs.first())
        .map(|r| dir.join(r))
}

fn check_suite_outcome(out: &Outcome, config: &Config) -> Vec<String> {
    let mut problems = Vec::new();
    check_status_showing(&mut problems, out, config.exit_code, 2000);
    if let Some(s) = &config.stdout {
        check_prefix(&mut problems, "stdout", s, &out.stdout_text());
    }
    if let Some(s) = &config.stderr {
        check_prefix(&mut problems, "stderr", s, &out.stderr_text());
    }
    problems
}

/// Prepares a scratch copy of the case's root (or an empty directory).
fn copy_root(ctx: &Ctx, name: &str, root: Option<&Path>) -> Result<(tempfile::TempDir, PathBuf)> {
    let scratch = ctx.scratch(name)?;
    let dir = scratch.path().join("root");
    match root {
        Some(r) => copy_tree(r, &dir, &[])?,
        None => fs::create_dir_all(&dir)?,
    }
    Ok((scratch, dir))
}

fn run_suite_wasmaot(
    ctx: &Ctx,
    name: &str,
    wasm: &Path,
    config: &Config,
    aarch64: bool,
) -> Result<Vec<String>> {
    let exe = ctx.compile(wasm, &suite_flags(wasm, config, aarch64))?;
    let (_scratch, dir) = copy_root(ctx, name, root_dir(wasm, config).as_deref())?;
    let mut inv = native_invocation(ctx, &exe, file_name(wasm), aarch64)?.timeout(TIMEOUT);
    inv.args.extend(config.args.iter().map(OsString::from));
    inv.clear_env = true;
    inv.cwd = Some(dir);
    Ok(check_suite_outcome(&run(&inv)?, config))
}

fn run_suite_wasmtime(ctx: &Ctx, name: &str, wasm: &Path, config: &Config) -> Result<Vec<String>> {
    let root = root_dir(wasm, config);
    let (_scratch, dir) = copy_root(ctx, name, root.as_deref())?;
    let mut argv = vec![file_name(wasm)];
    argv.extend(config.args.iter().cloned());
    let spec = RunSpec {
        argv,
        env: config.env.clone().into_iter().collect(),
        dirs: root.map(|_| (dir, "/".to_string())).into_iter().collect(),
        timeout: Some(TIMEOUT),
        ..RunSpec::default()
    };
    Ok(check_suite_outcome(
        &run_wasmtime(&ctx.tools, wasm, &spec)?,
        config,
    ))
}

/// The tree a sandbox program sees, built fresh for every run:
///
/// ```text
/// SCRATCH/outside/secret.txt          "secret\n" (must never be read, changed or linked)
/// SCRATCH/outside/dir/                (must stay empty)
/// SCRATCH/root/                       preopened as `/`
///   file.txt  "hello\n"
///   sub/inner.txt  "inner\n"
///   link-etc -> /etc                  absolute symlink
///   link-passwd -> /etc/passwd
///   link-out -> ../outside            relative symlink leaving the root
///   sub/link-up2 -> ../../outside/secret.txt
///   loop-a -> loop-b, loop-b -> loop-a, self -> self
///   link-file -> sub/inner.txt        a symlink that stays inside
/// ```
fn sandbox_tree(scratch: &Path) -> Result<PathBuf> {
    use std::os::unix::fs::symlink;
    let outside = scratch.join("outside");
    fs::create_dir_all(outside.join("dir"))?;
    fs::write(outside.join("secret.txt"), "secret\n")?;
    let root = scratch.join("root");
    fs::create_dir_all(root.join("sub"))?;
    fs::write(root.join("file.txt"), "hello\n")?;
    fs::write(root.join("sub/inner.txt"), "inner\n")?;
    symlink("/etc", root.join("link-etc"))?;
    symlink("/etc/passwd", root.join("link-passwd"))?;
    symlink("../outside", root.join("link-out"))?;
    symlink("../../outside/secret.txt", root.join("sub/link-up2"))?;
    symlink("loop-b", root.join("loop-a"))?;
    symlink("loop-a", root.join("loop-b"))?;
    symlink("self", root.join("self"))?;
    symlink("sub/inner.txt", root.join("link-file"))?;
    Ok(root)
}

/// A listing of everything outside the root (names, kinds, sizes, contents, link counts), to
/// prove the run touched nothing there.
fn snapshot_outside(scratch: &Path) -> Result<String> {
    use std::os::unix::fs::MetadataExt;
    fn walk(dir: &Path, out: &mut String) -> Result<()> {
        let mut entries: Vec<_> = fs::read_dir(dir)?.filter_map(|e| e.ok()).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let p = e.path();
            let md = fs::symlink_metadata(&p)?;
            out.push_str(&format!(
                "{} mode={:o} nlink={} size={} mtime={}\n",
                p.display(),
                md.mode(),
                md.nlink(),
                md.len(),
                md.mtime_nsec() + md.mtime() * 1_000_000_000
            ));
            if md.is_file() {
                out.push_str(&sha256_hex(&[&fs::read(&p)?]));
                out.push('\n');
            } else if md.is_dir() {
                walk(&p, out)?;
            }
        }
        Ok(())
    }
    let mut s = String::new();
    walk(&scratch.join("outside"), &mut s)?;
    Ok(s)
}

/// Runs a sandbox program under `engine`: "wasmaot" (`wasmaot run`), "wasmtime", or
/// "aarch64" (compiled for aarch64, run under qemu in the root).
fn run_sandbox(
    ctx: &Ctx,
    name: &str,
    source: &Path,
    expected: &str,
    engine: &str,
) -> Result<Vec<String>> {
    let wasm = ctx.build_c(source)?;
    let scratch = ctx.scratch(name)?;
    let root = sandbox_tree(scratch.path())?;
    let before = snapshot_outside(scratch.path())?;
    let mut inv = match engine {
        "aarch64" => {
            let exe = ctx.compile(&wasm, &sandbox_aarch64_flags())?;
            let mut inv = native_invocation(ctx, &exe, file_name(&wasm), true)?;
            inv.cwd = Some(root.clone());
            inv
        }
        "wasmaot" => {
            let mut inv = Invocation::new(&ctx.tools.wasmaot).arg("run");
            inv.env.push((
                "WASMAOT_CACHE_DIR".into(),
                ctx.tools.cache.join("wasmaot-run").display().to_string(),
            ));
            inv
        }
        _ => Invocation::new(&ctx.tools.wasmtime).arg("run"),
    };
    if engine != "aarch64" {
        inv = inv
            .arg("--dir")
            .arg(format!("{}::/", root.display()))
            .arg(&wasm);
    }
    inv = inv.timeout(TIMEOUT);
    inv.clear_env = true;
    inv.env.push(("PATH".into(), "/usr/bin:/bin".into()));
    let out = run(&inv)?;
    let mut problems = Vec::new();
    if out.timed_out || out.status() != 0 {
        problems.push(format!(
            "{}, expected exit status 0; stderr:\n{}",
            out.describe_end(),
            indent(&truncate(&out.stderr_text(), 2000))
        ));
    }
    wasmaot_tests::check_exact(&mut problems, "stdout", expected, &out.stdout_text());
    let after = snapshot_outside(scratch.path())?;
    if before != after {
        problems.push(format!(
            "the run changed files outside the preopen:\n{}",
            indent(&wasmaot_tests::diff_text(&before, &after))
        ));
    }
    Ok(problems)
}

/// Compiles what a case needs on the wasmaot side (run before the runs, in parallel).
fn prepare(ctx: &Ctx, case: &Case) -> Result<()> {
    match &case.kind {
        Kind::Suite { wasm, config } => ctx
            .compile(wasm, &suite_flags(wasm, config, case.aarch64))
            .map(drop),
        Kind::Sandbox { source, .. } if case.aarch64 => ctx
            .compile(&ctx.build_c(source)?, &sandbox_aarch64_flags())
            .map(drop),
        Kind::Sandbox { source, .. } | Kind::Run { source, .. } => ctx.build(source).map(drop),
    }
}

struct Verdict {
    wasmaot: Result<Vec<String>>,
    wasmtime: Option<Result<Vec<String>>>,
}

fn side_ok(r: &Result<Vec<String>>) -> bool {
    matches!(r, Ok(p) if p.is_empty())
}

fn run_case(ctx: &Ctx, case: &Case) -> Verdict {
    // An aarch64 case's wasmtime side would be its host twin's.
    let wasmtime = ctx.wasmtime && !case.aarch64;
    match &case.kind {
        Kind::Suite { wasm, config } => Verdict {
            wasmaot: run_suite_wasmaot(ctx, &case.name, wasm, config, case.aarch64),
            wasmtime: wasmtime.then(|| run_suite_wasmtime(ctx, &case.name, wasm, config)),
        },
        Kind::Sandbox { source, expected } => Verdict {
            wasmaot: run_sandbox(
                ctx,
                &case.name,
                source,
                expected,
                if case.aarch64 { "aarch64" } else { "wasmaot" },
            ),
            wasmtime: wasmtime.then(|| run_sandbox(ctx, &case.name, source, expected, "wasmtime")),
        },
        Kind::Run { check, source } => Verdict {
            wasmaot: run_check(ctx, &case.name, *check, source),
            wasmtime: None,
        },
    }
}

// ---------------------------------------------------------------------------------------
// `wasmaot run` checks
// ---------------------------------------------------------------------------------------

/// `wasmaot run FLAGS...` (or `wasmtime run`), in `cwd`, with a clean environment plus `env`.
fn engine_run(
    ctx: &Ctx,
    engine: &str,
    cache: &Path,
    cwd: &Path,
    flags: &[&str],
    env: &[(&str, &str)],
) -> Result<Outcome> {
    let program = if engine == "wasmaot" {
        &ctx.tools.wasmaot
    } else {
        &ctx.tools.wasmtime
    };
    let mut inv = Invocation::new(program)
        .arg("run")
        .args(flags.iter().copied())
        .timeout(TIMEOUT);
    inv.clear_env = true;
    inv.cwd = Some(cwd.to_path_buf());
    inv.env.push(("PATH".into(), "/usr/bin:/bin".into()));
    inv.env
        .push(("WASMAOT_CACHE_DIR".into(), cache.display().to_string()));
    for (k, v) in env {
        inv.env.push((k.to_string(), v.to_string()));
    }
    run(&inv)
}

fn expect_status(problems: &mut Vec<String>, what: &str, out: &Outcome, status: i32) {
    if out.timed_out || out.status() != status {
        problems.push(format!(
            "{what}: {}, expected exit status {status}; stderr:\n{}",
            out.describe_end(),
            indent(&truncate(&out.stderr_text(), 2000))
        ));
    }
}

fn expect_lines(problems: &mut Vec<String>, what: &str, out: &Outcome, lines: &[&str]) {
    let text = out.stdout_text();
    for l in lines {
        if !text.lines().any(|x| x == *l) {
            problems.push(format!(
                "{what}: no line `{l}` in stdout:\n{}",
                indent(&text)
            ));
        }
    }
}

/// Entries of a cache's `v1/exe`: (complete entries, temporaries).
fn cache_entries(cache: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut done = Vec::new();
    let mut tmp = Vec::new();
    if let Ok(rd) = fs::read_dir(cache.join("v1/exe")) {
        for e in rd.flatten() {
            if e.file_name().to_string_lossy().starts_with('.') {
                tmp.push(e.path());
            } else {
                done.push(e.path());
            }
        }
    }
    (done, tmp)
}

/// The cache entry a `wasmaot run -v` used, from its `compiled PATH` or `cache hit PATH` line.
fn entry_used(out: &Outcome) -> Option<PathBuf> {
    out.stderr_text().lines().find_map(|l| {
        let rest = l
            .strip_prefix("wasmaot run: compiled ")
            .or_else(|| l.strip_prefix("wasmaot run: cache hit "))?;
        rest.split_whitespace().next().map(PathBuf::from)
    })
}

/// `wasm` with a custom section appended: the same program under another cache key.
fn with_custom_section(wasm: &[u8], name: &str) -> Vec<u8> {
    assert!(name.len() < 127, "one-byte LEB128 sizes");
    let mut out = wasm.to_vec();
    out.extend([0, name.len() as u8 + 1, name.len() as u8]);
    out.extend(name.as_bytes());
    out
}

/// `RunCheck::CachePrune`: modules `m0`..`m3` (one program, four keys) run one after another
/// in a fresh cache capped at two and a half entries.
fn cache_prune_check(
    ctx: &Ctx,
    problems: &mut Vec<String>,
    dir: &Path,
    cache: &Path,
    wasm: &[u8],
) -> Result<()> {
    let modules: Vec<String> = (0..4)
        .map(|i| {
            let path = dir.join(format!("m{i}.wasm"));
            fs::write(&path, with_custom_section(wasm, &format!("m{i}")))?;
            Ok(path.display().to_string())
        })
        .collect::<Result<_>>()?;
    // The cache entry of each module, as its runs report it.
    let mut entries: Vec<Option<PathBuf>> = vec![None; 4];
    let run_one = |problems: &mut Vec<String>,
                   entries: &mut [Option<PathBuf>],
                   i: usize,
                   max: &str|
     -> Result<Outcome> {
        let flags = ["-v", "--dir", ".", modules[i].as_str(), "3"];
        let env = [("WASMAOT_CACHE_MAX", max)];
        let out = engine_run(ctx, "wasmaot", cache, dir, &flags, &env)?;
        let what = format!("m{i} with WASMAOT_CACHE_MAX={max}");
        expect_status(problems, &what, &out, 3);
        expect_lines(problems, &what, &out, &["data.txt: data"]);
        if entries[i].is_none() {
            entries[i] = entry_used(&out);
        }
        Ok(out)
    };
    let expect_cache =
        |problems: &mut Vec<String>, entries: &[Option<PathBuf>], after: &str, want: &[usize]| {
            let mut have = cache_entries(cache).0;
            have.sort();
            let mut want_paths: Vec<PathBuf> =
                want.iter().filter_map(|&i| entries[i].clone()).collect();
            want_paths.sort();
            if have != want_paths || want_paths.len() != want.len() {
                let names: Vec<String> = want.iter().map(|i| format!("m{i}")).collect();
                problems.push(format!(
                    "after {after}: the cache holds {have:?}, expected the entries of \
                     {names:?}: {want_paths:?}"
                ));
            }
        };
    let stderr_has = |problems: &mut Vec<String>, out: &Outcome, what: &str, text: &str| {
        if !out.stderr_text().contains(text) {
            problems.push(format!(
                "{what}: no `{text}` on stderr: {}",
                out.stderr_text().trim()
            ));
        }
    };

    run_one(problems, &mut entries, 0, "unlimited")?;
    let size = match cache_entries(cache).0.as_slice() {
        [one] => fs::metadata(one)?.len(),
        other => bail!("expected one cache entry after the first run, found {other:?}"),
    };
    let max = (size * 5 / 2).to_string();
    run_one(problems, &mut entries, 1, &max)?;
    // A hit makes m0 the most recently used, so m1 is the one to go.
    let out = run_one(problems, &mut entries, 0, &max)?;
    stderr_has(problems, &out, "m0 again", "wasmaot run: cache hit");
    let out = run_one(problems, &mut entries, 2, &max)?;
    stderr_has(problems, &out, "m2", "wasmaot run: pruned 1 ");
    expect_cache(problems, &entries, "m2", &[0, 2]);
    run_one(problems, &mut entries, 3, &max)?;
    expect_cache(problems, &entries, "m3", &[2, 3]);
    // A pruned module runs again (compiled again); `0` keeps only the entry just compiled.
    let out = run_one(problems, &mut entries, 1, "0")?;
    stderr_has(problems, &out, "m1 after pruning", "wasmaot run: compiled");
    expect_cache(problems, &entries, "m1 with a cap of 0", &[1]);
    // Lock files go with their entries.
    let locks = fs::read_dir(cache.join("v1/lock"))?.count();
    if locks != 1 {
        problems.push(format!("{locks} lock files left, expected 1"));
    }
    let flags = [modules[1].as_str()];
    let bad = engine_run(
        ctx,
        "wasmaot",
        cache,
        dir,
        &flags,
        &[("WASMAOT_CACHE_MAX", "lots")],
    )?;
    expect_status(problems, "WASMAOT_CACHE_MAX=lots", &bad, 1);
    stderr_has(
        problems,
        &bad,
        "WASMAOT_CACHE_MAX=lots",
        "WASMAOT_CACHE_MAX `lots`",
    );
    Ok(())
}

fn run_check(ctx: &Ctx, name: &str, check: RunCheck, source: &Path) -> Result<Vec<String>> {
    let built = ctx.build(source)?;
    let scratch = ctx.scratch(name)?;
    let dir = scratch.path().join("work");
    fs::create_dir_all(dir.join("sub"))?;
    fs::write(dir.join("data.txt"), "data\n")?;
    // argv[0] is the module's file name: give it a stable one.
    let ext = built.extension().unwrap_or_default().to_string_lossy();
    let wasm = dir.join(format!(
        "{}.{}",
        file_stem(source),
        if ext == "wat" { "wat" } else { "wasm" }
    ));
    fs::copy(&built, &wasm)?;
    let wasm_s = wasm.display().to_string();
    let shared_cache = ctx.tools.cache.join("wasmaot-run");
    let fresh_cache = scratch.path().join("cache");
    let mut problems = Vec::new();
    match check {
        RunCheck::Args => {
            let root = format!("{}::/", dir.display());
            let flags = [
                "--dir",
                root.as_str(),
                "--env",
                "FOO=bar",
                "--env",
                "HOSTVAR",
                "--env=X=a=b",
                "-W",
                "max-wasm-stack=8388608",
                wasm_s.as_str(),
                "7",
                "two words",
                "--dir",
            ];
            let env = [("HOSTVAR", "from host"), ("SECRET", "not passed")];
            let aot = engine_run(ctx, "wasmaot", &shared_cache, &dir, &flags, &env)?;
            expect_status(&mut problems, "wasmaot run", &aot, 7);
            expect_lines(
                &mut problems,
                "wasmaot run",
                &aot,
                &[
                    "argv[0]=args.wasm",
                    "argv[2]=two words",
                    "argv[3]=--dir",
                    "env FOO=bar",
                    "env HOSTVAR=from host",
                    "env X=a=b",
                    "preopen 3 /",
                    "data.txt: data",
                ],
            );
            if aot.stdout_text().contains("SECRET") {
                problems.push("the program saw an environment variable it was not given".into());
            }
            let wt = engine_run(ctx, "wasmtime", &shared_cache, &dir, &flags, &env)?;
            if wt.stdout != aot.stdout || wt.status() != aot.status() {
                problems.push(format!(
                    "differs from wasmtime run (status {} vs {}):\n{}",
                    aot.status(),
                    wt.status(),
                    indent(&wasmaot_tests::diff_text(
                        &wt.stdout_text(),
                        &aot.stdout_text()
                    ))
                ));
            }
            // --inherit-env passes the host environment, never the run-time policy variable.
            let aot = engine_run(
                ctx,
                "wasmaot",
                &shared_cache,
                &dir,
                &["--inherit-env", wasm_s.as_str()],
                &env,
            )?;
            expect_status(&mut problems, "--inherit-env", &aot, 0);
            expect_lines(
                &mut problems,
                "--inherit-env",
                &aot,
                &["env SECRET=not passed"],
            );
            if aot.stdout_text().contains("WASMAOT_RUN_POLICY") {
                problems.push("--inherit-env leaked WASMAOT_RUN_POLICY to the program".into());
            }
        }
        RunCheck::DirDot => {
            // Run from `work/`: `--dir .` shows it as `/`, relative paths work (C here; Go in
            // tests/go via the e2e runner), and an inherited PWD becomes `/`.
            let flags = ["--dir", ".", "--inherit-env", wasm_s.as_str()];
            let cwd = dir.display().to_string();
            let aot = engine_run(
                ctx,
                "wasmaot",
                &shared_cache,
                &dir,
                &flags,
                &[("PWD", &cwd)],
            )?;
            expect_status(&mut problems, "wasmaot run --dir .", &aot, 0);
            expect_lines(
                &mut problems,
                "wasmaot run --dir .",
                &aot,
                &["preopen 3 /", "data.txt: data", "env PWD=/"],
            );
        }
        RunCheck::BakedDirDot => {
            let exe = ctx.compile(&built, &["--dir".into(), ".".into()])?;
            let mut inv = Invocation::new(&exe)
                .args(["data.txt", "./sub/../data.txt", "/data.txt", "../data.txt"])
                .timeout(TIMEOUT);
            inv.clear_env = true;
            inv.env.push(("PWD".into(), dir.display().to_string()));
            inv.cwd = Some(dir.clone());
            let out = run(&inv)?;
            expect_status(&mut problems, "./app", &out, 0);
            if source.is_dir() {
                // Go: relative paths, absolute ones beneath the directory, never above it.
                expect_lines(
                    &mut problems,
                    "./app (Go)",
                    &out,
                    &[
                        "getwd: / <nil>",
                        "data.txt: data",
                        "./sub/../data.txt: data",
                        "/data.txt: data",
                    ],
                );
                // `..` of the guest's `/` is `/` itself (Go cleans the path), never the
                // directory above the working directory.
                expect_lines(&mut problems, "./app (Go)", &out, &["../data.txt: data"]);
                if fs::read_to_string(dir.join("written.txt")).ok().as_deref() != Some("written\n")
                {
                    problems.push("written.txt was not written in the working directory".into());
                }
            } else {
                expect_lines(
                    &mut problems,
                    "./app (C)",
                    &out,
                    &["preopen 3 /", "data.txt: data"],
                );
            }
        }
        RunCheck::Cache => {
            let flags = ["-v", "--dir", ".", wasm_s.as_str(), "3"];
            let outs: Vec<Result<Outcome>> = std::thread::scope(|s| {
                let handles: Vec<_> = (0..6)
                    .map(|_| {
                        s.spawn(|| engine_run(ctx, "wasmaot", &fresh_cache, &dir, &flags, &[]))
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| {
                        h.join()
                            .unwrap_or_else(|_| Err(anyhow::anyhow!("panicked")))
                    })
                    .collect()
            });
            let mut compiled = 0;
            for o in outs {
                let o = o?;
                expect_status(&mut problems, "concurrent run", &o, 3);
                expect_lines(&mut problems, "concurrent run", &o, &["data.txt: data"]);
                compiled += o.stderr_text().matches("wasmaot run: compiled").count();
            }
            if compiled != 1 {
                problems.push(format!(
                    "{compiled} of 6 concurrent runs compiled, expected 1"
                ));
            }
            let (done, tmp) = cache_entries(&fresh_cache);
            if done.len() != 1 || !tmp.is_empty() {
                problems.push(format!(
                    "expected one cache entry and no temporaries, found {done:?} and {tmp:?}"
                ));
            }
            let again = engine_run(ctx, "wasmaot", &fresh_cache, &dir, &flags, &[])?;
            expect_status(&mut problems, "second run", &again, 3);
            if !again.stderr_text().contains("wasmaot run: cache hit") {
                problems.push(format!(
                    "the second run was not a cache hit: {}",
                    again.stderr_text().trim()
                ));
            }
        }
        RunCheck::CachePrune => {
            let bytes = fs::read(&wasm)?;
            cache_prune_check(ctx, &mut problems, &dir, &fresh_cache, &bytes)?;
        }
        RunCheck::KilledCompile => {
            // Kill compiles at several points; whatever is left, no complete-looking entry may
            // be broken, and the next run must work.
            for delay_ms in [50u64, 150, 300, 600] {
                let cache = scratch.path().join(format!("cache-{delay_ms}"));
                let mut child = std::process::Command::new(&ctx.tools.wasmaot)
                    .args(["run", wasm_s.as_str()])
                    .env("WASMAOT_CACHE_DIR", &cache)
                    .current_dir(&dir)
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .spawn()?;
                std::thread::sleep(Duration::from_millis(delay_ms));
                let _ = child.kill();
                let _ = child.wait();
                let (done, _tmp) = cache_entries(&cache);
                for entry in &done {
                    let mut inv = Invocation::new(entry).timeout(TIMEOUT);
                    inv.clear_env = true;
                    inv.cwd = Some(dir.clone());
                    let o = run(&inv)?;
                    expect_status(
                        &mut problems,
                        "a cache entry left by a killed compile",
                        &o,
                        0,
                    );
                }
                let o = engine_run(ctx, "wasmaot", &cache, &dir, &[wasm_s.as_str(), "5"], &[])?;
                expect_status(&mut problems, "the run after a killed compile", &o, 5);
            }
        }
        RunCheck::TcpListen => {
            let go = source.is_dir();
            let port = std::net::TcpListener::bind("127.0.0.1:0")?
                .local_addr()?
                .port();
            let addr = format!("127.0.0.1:{port}");
            let mut child = std::process::Command::new(&ctx.tools.wasmaot)
                .args(["run", "--tcplisten", addr.as_str(), wasm_s.as_str()])
                .env("WASMAOT_CACHE_DIR", &shared_cache)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()?;
            let start = Instant::now();
            let reply = loop {
                match std::net::TcpStream::connect(&addr) {
                    Ok(mut s) => {
                        use std::io::Read;
                        s.set_read_timeout(Some(Duration::from_secs(20)))?;
                        s.write_all(if go { b"hello\n" } else { b"hello" })?;
                        let mut buf = String::new();
                        let _ = s.read_to_string(&mut buf);
                        break Some(buf);
                    }
                    Err(_) if start.elapsed() < Duration::from_secs(60) => {
                        std::thread::sleep(Duration::from_millis(50));
                    }
                    Err(_) => break None,
                }
            };
            if reply.is_none() {
                let _ = child.kill();
            }
            let out = child.wait_with_output()?;
            let (want_reply, want) = if go {
                ("echo: hello\n", "got \"hello\\n\" <nil>\n")
            } else {
                (
                    "echo: hello",
                    "accept: 0\nrecv: 0 5 bytes\nsend: 0 11 bytes\nshutdown: 0\naccept on a file: 57\nclose: 0\n",
                )
            };
            if reply.as_deref() != Some(want_reply) {
                problems.push(format!(
                    "the server answered {reply:?}, expected {want_reply:?}"
                ));
            }
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            wasmaot_tests::check_exact(&mut problems, "stdout", want, &text);
            if !out.status.success() {
                problems.push(format!(
                    "exit {:?}; stderr: {}",
                    out.status,
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
        }
        RunCheck::ProcRaise => {
            let out = engine_run(ctx, "wasmaot", &shared_cache, &dir, &[wasm_s.as_str()], &[])?;
            if out.signal != Some(15) {
                problems.push(format!(
                    "{}, expected killed by signal 15",
                    out.describe_end()
                ));
            }
            wasmaot_tests::check_exact(
                &mut problems,
                "stdout",
                "raise(0): 0\nraise(99): 28\n",
                &out.stdout_text(),
            );
        }
        RunCheck::MaxMemory | RunCheck::Timeout => {
            limit_check(
                ctx,
                &mut problems,
                check,
                source,
                &shared_cache,
                &dir,
                &wasm,
            )?;
        }
        RunCheck::BadExit | RunCheck::NoMemoryExport => {
            let (message, exe_status, stdout) = match check {
                RunCheck::BadExit => (
                    "exit with invalid exit status outside of [0..126)",
                    200,
                    "exiting with 200\n",
                ),
                _ => ("missing required memory export", 0, ""),
            };
            let name = wasm.file_name().unwrap_or_default().to_string_lossy();
            let first = format!("Error: failed to run main module `{name}`");
            let flags = [name.as_ref()];
            let mut engines = vec!["wasmaot"];
            if ctx.wasmtime {
                engines.push("wasmtime");
            }
            for engine in engines {
                let what = format!("{engine} run");
                let out = engine_run(ctx, engine, &shared_cache, &dir, &flags, &[])?;
                expect_status(&mut problems, &what, &out, 1);
                wasmaot_tests::check_exact(&mut problems, &what, stdout, &out.stdout_text());
                let err = out.stderr_text();
                if err.lines().next() != Some(first.as_str()) || !err.contains(message) {
                    problems.push(format!(
                        "{what}: expected `{first}` ... `{message}` on stderr:\n{}",
                        indent(&truncate(&err, 2000))
                    ));
                }
            }
            // A compiled executable: the guest's status; WASI uses memory 0 even unexported.
            let exe = ctx.compile(&wasm, &[])?;
            let mut inv = Invocation::new(&exe).timeout(TIMEOUT);
            inv.clear_env = true;
            let out = run(&inv)?;
            expect_status(&mut problems, "executable", &out, exe_status);
            wasmaot_tests::check_exact(&mut problems, "executable", stdout, &out.stdout_text());
        }
    }
    Ok(problems)
}

/// One expected ending of a limit check: exit status, stdout lines, a stderr substring.
struct Ending {
    status: i32,
    stdout: &'static [&'static str],
    stderr: &'static str,
}

fn expect_ending(problems: &mut Vec<String>, what: &str, out: &Outcome, want: &Ending) {
    expect_status(problems, what, out, want.status);
    expect_lines(problems, what, out, want.stdout);
    if !out.stderr_text().contains(want.stderr) {
        problems.push(format!(
            "{what}: expected `{}` on stderr:\n{}",
            want.stderr,
            indent(&truncate(&out.stderr_text(), 2000))
        ));
    }
}

/// [`RunCheck::MaxMemory`] and [`RunCheck::Timeout`]: each limit in our spelling and in
/// wasmtime's under `wasmaot run`, the same under `wasmtime run`, and baked into an executable.
fn limit_check(
    ctx: &Ctx,
    problems: &mut Vec<String>,
    check: RunCheck,
    source: &Path,
    cache: &Path,
    dir: &Path,
    wasm: &Path,
) -> Result<()> {
    let wasm_s = wasm.display().to_string();
    let is_wat = source.extension().is_some_and(|x| x == "wat");
    // (our flags, wasmtime's flags, expected ending)
    let mut runs: Vec<([&str; 2], [&str; 2], Ending)> = Vec::new();
    match check {
        RunCheck::MaxMemory if is_wat => {
            runs.push((
                ["--max-memory", "128KiB"],
                ["-W", "max-memory-size=131072"],
                Ending {
                    status: 99,
                    stdout: &[],
                    stderr: "",
                },
            ));
            runs.push((
                ["--max-memory", "64KiB"],
                ["-W", "max-memory-size=65536"],
                Ending {
                    status: 1,
                    stdout: &[],
                    stderr: "exceeds memory limits",
                },
            ));
        }
        RunCheck::MaxMemory => runs.push((
            ["--max-memory", "64MiB"],
            ["-W", "max-memory-size=67108864"],
            Ending {
                status: 2,
                stdout: &["allocated 49 MiB"],
                stderr: "fatal error: out of memory",
            },
        )),
        _ => runs.push((
            ["--timeout", "500ms"],
            ["-W", "timeout=500ms"],
            Ending {
                status: 134,
                stdout: &["looping"],
                stderr: "wasm trap: interrupt",
            },
        )),
    }
    for (ours, theirs, want) in &runs {
        let flags = [ours[0], ours[1], wasm_s.as_str()];
        let out = engine_run(ctx, "wasmaot", cache, dir, &flags, &[])?;
        expect_ending(
            problems,
            &format!("wasmaot run {}", ours.join(" ")),
            &out,
            want,
        );
        let flags = [theirs[0], theirs[1], wasm_s.as_str()];
        let out = engine_run(ctx, "wasmaot", cache, dir, &flags, &[])?;
        expect_ending(
            problems,
            &format!("wasmaot run {}", theirs.join(" ")),
            &out,
            want,
        );
        if ctx.wasmtime {
            let out = engine_run(
                ctx,
                "wasmtime",
                cache,
                dir,
                &flags,
                &[("RUST_BACKTRACE", "0")],
            )?;
            expect_ending(
                problems,
                &format!("wasmtime run {}", theirs.join(" ")),
                &out,
                want,
            );
        }
        // Baked into an executable by the compiler's flags.
        let exe = ctx.compile(wasm, &[ours[0].to_string(), ours[1].to_string()])?;
        let mut inv = Invocation::new(&exe).timeout(TIMEOUT);
        inv.clear_env = true;
        let out = run(&inv)?;
        expect_ending(
            problems,
            &format!("executable ({})", ours.join(" ")),
            &out,
            want,
        );
    }
    // Without a limit, the WAT module's grow succeeds.
    if is_wat {
        let out = engine_run(ctx, "wasmaot", cache, dir, &[wasm_s.as_str()], &[])?;
        expect_status(problems, "wasmaot run (no limit)", &out, 102);
    }
    Ok(())
}

fn problems_text(r: &Result<Vec<String>>) -> String {
    match r {
        Ok(p) => p.join("\n"),
        Err(e) => format!("{e:#}"),
    }
}

struct Args {
    wasmtime: bool,
    aarch64: bool,
    jobs: usize,
    list: bool,
    filters: Vec<String>,
}

fn parse_args() -> Result<Args> {
    let mut args = Args {
        wasmtime: true,
        aarch64: true,
        jobs: default_jobs(),
        list: false,
        filters: Vec::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--no-wasmtime" => args.wasmtime = false,
            "--no-aarch64" => args.aarch64 = false,
            "--list" => args.list = true,
            "--jobs" | "-j" => args.jobs = jobs_value(&mut it)?,
            "-h" | "--help" => {
                println!(
                    "usage: wasi [--no-wasmtime] [--no-aarch64] [--jobs N] [--list] [FILTER...]"
                );
                std::process::exit(0);
            }
            s if s.starts_with('-') => bail!("unknown option {s}"),
            s => args.filters.push(s.to_string()),
        }
    }
    args.jobs = args.jobs.max(1);
    Ok(args)
}

fn main() -> ExitCode {
    runner_main("wasi", real_main)
}

fn real_main() -> Result<bool> {
    let args = parse_args()?;
    let tools = Tools::discover()?;
    let mut cases = Vec::new();
    suite_cases(&tools, &mut cases)?;
    sandbox_cases(&tools, &mut cases)?;
    run_cases(&tools, &mut cases);
    aarch64_cases(&mut cases);
    // A listed case that no longer exists is a stale entry: the run fails.
    let known = known_failures(&tools, cases.iter().map(|c| c.name.as_str()))?;
    for c in &mut cases {
        c.known = known.get(&c.name).cloned();
    }
    if !args.aarch64 {
        cases.retain(|c| !c.aarch64);
    }
    if !args.filters.is_empty() {
        cases.retain(|c| args.filters.iter().any(|f| c.name.contains(f.as_str())));
    }
    if args.list {
        for c in &cases {
            println!("{}", c.name);
        }
        return Ok(true);
    }
    if !tools.wasmaot.is_file() {
        bail!(
            "{} does not exist (cargo build -p wasmaot)",
            tools.wasmaot.display()
        );
    }
    let start = Instant::now();
    let wasmaot_id = sha256_hex(&[&fs::read(&tools.wasmaot)?]);
    let venv_python = tools.root.join(".tools/venv/bin/python");
    let zig = (venv_python.is_file()
        && run(&Invocation::new(&venv_python).args(["-m", "ziglang", "version"]))
            .is_ok_and(|o| o.status() == 0))
    .then_some(venv_python);
    fs::create_dir_all(&tools.cache)?;
    let tmp = tempfile::Builder::new().prefix("wasmaot-wasi-").tempdir()?;
    let ctx = Ctx {
        tools,
        wasmtime: args.wasmtime,
        tmp: tmp.path().to_path_buf(),
        wasmaot_id,
        zig,
    };

    // Compile everything first (in parallel); a compile error shows up again in the run.
    parallel(cases.iter().collect(), args.jobs, |c| prepare(&ctx, c));
    let compiled = start.elapsed().as_secs_f64();

    let out = Mutex::new(std::io::stdout());
    let verdicts = parallel(cases.iter().collect(), args.jobs, |c| {
        let v = run_case(&ctx, c);
        let aot_ok = side_ok(&v.wasmaot);
        let wt = match &v.wasmtime {
            None => "",
            Some(r) if side_ok(r) => "  (wasmtime: ok)",
            Some(_) => "  (wasmtime: FAIL)",
        };
        let mut o = out.lock().unwrap_or_else(|e| e.into_inner());
        let _ = match (aot_ok, &c.known) {
            (true, None) => writeln!(o, "ok {}{wt}", c.name),
            (true, Some(_)) => writeln!(
                o,
                "FAIL {}: passes but is listed in tests/known-failures.toml{wt}",
                c.name
            ),
            (false, Some(why)) => writeln!(o, "known-failure {}: {why}{wt}", c.name),
            (false, None) => write_failure(&mut *o, &c.name, &problems_text(&v.wasmaot), wt),
        };
        let _ = o.flush();
        v
    });

    let mut passed = 0;
    let mut failed = 0;
    let mut differences = Vec::new();
    let (mut wt_passed, mut wt_failed) = (0, 0);
    for (c, v) in cases.iter().zip(&verdicts) {
        let aot_ok = side_ok(&v.wasmaot);
        if aot_ok == c.known.is_none() {
            passed += 1;
        } else {
            failed += 1;
        }
        if let Some(w) = &v.wasmtime {
            let wt_ok = side_ok(w);
            if wt_ok {
                wt_passed += 1;
            } else {
                wt_failed += 1;
            }
            if wt_ok != aot_ok {
                let detail = if wt_ok {
                    "passes under wasmtime, fails under wasmaot".to_string()
                } else {
                    let text = problems_text(w);
                    format!(
                        "passes under wasmaot, fails under wasmtime: {}",
                        text.lines().next().unwrap_or("")
                    )
                };
                differences.push(format!("  {}: {detail}", c.name));
            }
        }
    }
    println!(
        "wasi: {} cases in {:.1}s (compiling {:.1}s)",
        cases.len(),
        start.elapsed().as_secs_f64(),
        compiled
    );
    if wt_passed + wt_failed > 0 {
        println!("wasmtime: {wt_passed} passed, {wt_failed} failed");
        if differences.is_empty() {
            println!("no differences between wasmaot and wasmtime");
        } else {
            println!("differences between wasmaot and wasmtime:");
            for d in &differences {
                println!("{d}");
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    Ok(failed == 0)
}

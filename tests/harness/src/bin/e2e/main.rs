//! wasmaot's end-to-end runner: real programs compiled with `wasmaot` and run, compared
//! with their expectations and with `wasmtime run`.
//!
//! ```text
//! e2e [--wasmtime-only] [--no-wasmtime] [--jobs N] [--list] [FILTER...]
//! ```
//!
//! * `--wasmtime-only`: run only the reference side (checks the runner and the
//!   expectations; cases that need wasmaot are skipped).
//! * `--no-wasmtime`: skip the reference side (faster when iterating on the compiler).
//! * `--jobs N`: cases run on N threads (default: the number of cores, 2 to 4).
//! * `--list`: print the case names and exit.
//! * `FILTER`: run only the cases whose name contains one of these strings.
//!
//! Groups of cases (the name prefix): `go/` our Go programs in `tests/go`, `wat/` our WAT
//! programs in `tests/wat/run`, `c/` our C programs in `tests/c` (built by zig's clang with
//! SIMD), `cpp/` our C++ programs in `tests/cpp` (built with Wasm exceptions), `corpus/` the corpus' tinygo, go-wasip1 and wasi-wat cases, `trap/` one module per
//! trap kind in `tests/wat/traps`, `bad-input/` compiler errors, `aarch64/` cross-compiled
//! programs under qemu, `relaxed/` relaxed SIMD against wasmtime at each CPU level
//! (`relaxed.rs`), `determinism/` object bytes
//! independent of `--jobs`, `embed/` host functions, static libraries, Go packages and their
//! host programs (`embed.rs`), `interrupt/` compiles killed by signals (`interrupt.rs`), `trace/` the WASI
//! call trace against golden files in `tests/trace` (`trace.rs`; `BLESS=1` rewrites them),
//! `func-cache/` the function cache: the same bytes with or without it, damage, pruning
//! (`func_cache.rs`).
//!
//! Environment: `WASMAOT`, `GO`, `WASMTIME`, `QEMU_AARCH64`, `WASMAOT_CORPUS` override
//! where the tools and the corpus are found (see `wasmaot_tests::Tools`).

mod build;
mod debug;
mod embed;
mod func_cache;
mod guard;
mod interrupt;
mod invoke;
mod relaxed;
mod trace;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use wasmaot_tests::{
    CorpusCase, Expectation, Memo, Outcome, RunSpec, Tools, check_backtrace, check_trap,
    compile_flags, default_jobs, file_name, file_stem, go_build, indent, jobs_value,
    non_wasi_imports, parallel, read_corpus_file, read_expectations, run_native, run_wasmtime,
    runner_main, scratch_dir, sha256_hex, trap_message, wasmaot_compile, wasmaot_compile_ok,
    write_failure, zig_cc, zig_cxx_exceptions,
};

const AARCH64: &str = "aarch64-unknown-linux-gnu";

#[derive(Clone, Copy)]
struct Mode {
    wasmtime: bool,
    wasmaot: bool,
}

struct Ctx {
    tools: Tools,
    mode: Mode,
    /// Per-run scratch space: executables, objects, scratch copies of fixtures.
    tmp: PathBuf,
    /// Executables compiled in this run, by module and flags.
    exes: Memo<PathBuf>,
}

impl Ctx {
    fn scratch(&self, name: &str) -> Result<tempfile::TempDir> {
        scratch_dir(&self.tmp, name)
    }

    /// Compiles `wasm` with `flags` and returns the executable's path. Runs with the same
    /// module and flags share one executable (`dir` is not used then).
    fn compile(&self, wasm: &Path, _dir: &Path, name: &str, flags: &[String]) -> Result<PathBuf> {
        let mut key = vec![wasm.as_os_str().as_encoded_bytes().to_vec()];
        key.extend(flags.iter().map(|f| f.as_bytes().to_vec()));
        let refs: Vec<&[u8]> = key.iter().map(Vec::as_slice).collect();
        let hash = sha256_hex(&refs);
        self.exes.get(&hash, || {
            let dir = self.tmp.join("exe").join(&hash[..16]);
            fs::create_dir_all(&dir)?;
            let exe = dir.join(name);
            wasmaot_compile_ok(&self.tools, wasm, &exe, flags)?;
            Ok(exe)
        })
    }

    /// Compiles `wasm` with `spec`'s sandbox flags (see [`Ctx::compile`]) and runs the
    /// executable natively.
    fn compile_and_run(
        &self,
        wasm: &Path,
        dir: &Path,
        name: &str,
        spec: &RunSpec,
    ) -> Result<Outcome> {
        let exe = self.compile(wasm, dir, name, &compile_flags(spec))?;
        run_native(&exe, spec, None)
    }
}

enum Verdict {
    Pass,
    Fail(Vec<String>),
    Skip(String),
}

type CaseFn = Box<dyn FnOnce(&Ctx) -> Verdict + Send>;

struct Case {
    name: String,
    run: CaseFn,
}

fn case(name: impl Into<String>, run: impl FnOnce(&Ctx) -> Verdict + Send + 'static) -> Case {
    Case {
        name: name.into(),
        run: Box::new(run),
    }
}

/// Collects the problems of the two sides of a case.
#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    fn side(&mut self, side: &str, result: Result<Vec<String>>) {
        match result {
            Ok(list) => self
                .0
                .extend(list.into_iter().map(|p| format!("[{side}] {p}"))),
            Err(e) => self.0.push(format!("[{side}] {e:#}")),
        }
    }

    fn verdict(self) -> Verdict {
        if self.0.is_empty() {
            Verdict::Pass
        } else {
            Verdict::Fail(self.0)
        }
    }
}

fn wasmaot_only(ctx: &Ctx, f: impl FnOnce() -> Result<Vec<String>>) -> Verdict {
    if !ctx.mode.wasmaot {
        return Verdict::Skip("needs wasmaot".into());
    }
    let mut p = Problems::default();
    p.side("wasmaot", f());
    p.verdict()
}

// ---------------------------------------------------------------------------------------
// Our programs: tests/go/<name>/, tests/wat/run/<name>.wat, tests/c/<name>/ and tests/cpp/<name>/
// ---------------------------------------------------------------------------------------

/// Our programs: (case name base, source, expectations), in a stable order.
fn own_programs(tools: &Tools) -> Result<Vec<(String, Source, Vec<Expectation>)>> {
    let mut programs = Vec::new();
    for dir in sorted_entries(&tools.root.join("tests/go"))? {
        if !dir.join("main.go").is_file() {
            continue;
        }
        let expectations = read_expectations(&dir.join("expected.json"))?;
        programs.push((
            format!("go/{}", file_name(&dir)),
            Source::Go(dir),
            expectations,
        ));
    }
    for wat in sorted_entries(&tools.root.join("tests/wat/run"))? {
        if wat.extension().is_none_or(|x| x != "wat") {
            continue;
        }
        let expectations = read_expectations(&wat.with_extension("json"))?;
        programs.push((
            format!("wat/{}", file_stem(&wat)),
            Source::File(wat),
            expectations,
        ));
    }
    for dir in c_programs(tools)? {
        let expectations = read_expectations(&dir.join("expected.json"))?;
        programs.push((
            format!("c/{}", file_name(&dir)),
            Source::C(dir),
            expectations,
        ));
    }
    for dir in sorted_entries(&tools.root.join("tests/cpp"))? {
        if dir.join("main.cpp").is_file() {
            let expectations = read_expectations(&dir.join("expected.json"))?;
            let name = format!("cpp/{}", file_name(&dir));
            programs.push((name, Source::Cpp(dir), expectations));
        }
    }
    Ok(programs)
}

fn own_program_cases(tools: &Tools, cases: &mut Vec<Case>) -> Result<()> {
    for (base, source, expectations) in own_programs(tools)? {
        add_program_runs(cases, &base, source, expectations);
    }
    Ok(())
}

/// The case name of run `i` of a program with `count` runs.
fn run_name(base: &str, exp: &Expectation, i: usize, count: usize) -> String {
    match (&exp.name, count == 1) {
        (_, true) => base.to_string(),
        (Some(n), false) => format!("{base}/{n}"),
        (None, false) => format!("{base}/{i}"),
    }
}

/// The folders of our C programs: `tests/c/<name>/main.c` with its `expected.json`.
fn c_programs(tools: &Tools) -> Result<Vec<PathBuf>> {
    Ok(sorted_entries(&tools.root.join("tests/c"))?
        .into_iter()
        .filter(|dir| dir.join("main.c").is_file())
        .collect())
}

/// How our C programs are built: optimised, with 128-bit SIMD (they exist to test it).
const C_FLAGS: [&str; 3] = ["-O2", "-msimd128", "-s"];

#[derive(Clone)]
enum Source {
    /// A Go program's folder, built with `go build` (cached).
    Go(PathBuf),
    /// A `.wasm` or `.wat` file, used as it is.
    File(PathBuf),
    /// A C program's folder (`main.c`), built with zig's clang and [`C_FLAGS`] (cached).
    C(PathBuf),
    /// A C++ program's folder (`main.cpp`), built with Wasm exceptions (cached).
    Cpp(PathBuf),
}

impl Source {
    fn wasm(&self, tools: &Tools) -> Result<PathBuf> {
        match self {
            Source::Go(dir) => go_build(tools, dir),
            Source::File(f) => Ok(f.clone()),
            Source::C(dir) => zig_cc(tools, &dir.join("main.c"), &C_FLAGS),
            Source::Cpp(dir) => zig_cxx_exceptions(tools, &dir.join("main.cpp")),
        }
    }
}

fn add_program_runs(
    cases: &mut Vec<Case>,
    base: &str,
    source: Source,
    expectations: Vec<Expectation>,
) {
    let count = expectations.len();
    for (i, exp) in expectations.into_iter().enumerate() {
        let name = run_name(base, &exp, i, count);
        let source = source.clone();
        let case_name = name.clone();
        cases.push(case(name, move |ctx| {
            run_program(ctx, &case_name, &source, &exp)
        }));
    }
}

fn run_program(ctx: &Ctx, name: &str, source: &Source, exp: &Expectation) -> Verdict {
    let wasm = match source.wasm(&ctx.tools) {
        Ok(w) => w,
        Err(e) => return Verdict::Fail(vec![format!("{e:#}")]),
    };
    let mut p = Problems::default();
    if ctx.mode.wasmtime {
        p.side(
            "wasmtime",
            (|| {
                let scratch = ctx.scratch(name)?;
                let spec = exp.prepare(scratch.path())?;
                let out = run_wasmtime(&ctx.tools, &wasm, &spec)?;
                Ok(exp.check(&out, &spec))
            })(),
        );
    }
    if ctx.mode.wasmaot {
        p.side(
            "wasmaot",
            (|| {
                let scratch = ctx.scratch(name)?;
                let spec = exp.prepare(scratch.path())?;
                let out = ctx.compile_and_run(&wasm, scratch.path(), "program", &spec)?;
                Ok(exp.check(&out, &spec))
            })(),
        );
    }
    p.verdict()
}

// ---------------------------------------------------------------------------------------
// The corpus: tinygo/, go-wasip1/, wasi-wat/
// ---------------------------------------------------------------------------------------

fn corpus_cases(tools: &Tools, cases: &mut Vec<Case>) -> Result<()> {
    for suite_name in ["tinygo", "go-wasip1", "wasi-wat"] {
        let suite = tools.corpus.join(suite_name);
        let mut files = Vec::new();
        if suite.join("expected.json").is_file() {
            files.push(suite.join("expected.json"));
        }
        for dir in sorted_entries(&suite)? {
            if dir.join("expected.json").is_file() {
                files.push(dir.join("expected.json"));
            }
        }
        for file in files {
            let folder = file
                .parent()
                .context("expected.json without a folder")?
                .to_path_buf();
            let rel = folder
                .strip_prefix(&tools.corpus)
                .unwrap_or(&folder)
                .display()
                .to_string();
            for c in read_corpus_file(&file)?.cases {
                let name = format!("corpus/{rel}/{}", c.name);
                let (suite, folder) = (suite.clone(), folder.clone());
                let case_name = name.clone();
                cases.push(case(name, move |ctx| {
                    run_corpus_case(ctx, &case_name, &suite, &folder, &c)
                }));
            }
        }
    }
    Ok(())
}

fn run_corpus_case(ctx: &Ctx, name: &str, suite: &Path, folder: &Path, c: &CorpusCase) -> Verdict {
    let wasm = folder.join(&c.wasm);
    match c.kind.as_str() {
        "command" => corpus_command(ctx, name, suite, folder, &wasm, c),
        "compile-only" => corpus_compile_only(ctx, name, &wasm),
        "timeout" => corpus_timeout(ctx, name, suite, folder, &wasm, c),
        "invoke" => invoke::corpus_invoke(ctx, name, suite, folder, c),
        other => Verdict::Fail(vec![format!("unknown case kind {other:?}")]),
    }
}

fn corpus_command(
    ctx: &Ctx,
    name: &str,
    suite: &Path,
    folder: &Path,
    wasm: &Path,
    c: &CorpusCase,
) -> Verdict {
    let mut p = Problems::default();
    if ctx.mode.wasmtime {
        // Where wasmtime 49 is known to differ from the intended result, hold it to what it
        // actually does, so that the runner itself stays checked.
        let exp = match &c.wasmtime_49_actual {
            Some(actual) => {
                let mut a = actual.clone();
                a.stdout = a.stdout.or_else(|| Some(String::new()));
                a
            }
            None => c.expected.clone(),
        };
        p.side(
            "wasmtime",
            (|| {
                let scratch = ctx.scratch(name)?;
                let (spec, work) = c.prepare(suite, folder, scratch.path())?;
                let out = run_wasmtime(&ctx.tools, wasm, &spec)?;
                Ok(c.check(&exp, &out, &spec, &work))
            })(),
        );
    }
    if ctx.mode.wasmaot {
        p.side(
            "wasmaot",
            (|| {
                let scratch = ctx.scratch(name)?;
                let (spec, work) = c.prepare(suite, folder, scratch.path())?;
                let out = ctx.compile_and_run(wasm, scratch.path(), "program.exe", &spec)?;
                Ok(c.check(&c.expected, &out, &spec, &work))
            })(),
        );
    }
    p.verdict()
}

/// A module that only has to compile. A non-WASI import (e.g. `env.get_random_string`)
/// must instead be rejected: exit 1 and one `error:` line naming the import.
fn corpus_compile_only(ctx: &Ctx, name: &str, wasm: &Path) -> Verdict {
    let mut p = Problems::default();
    if ctx.mode.wasmtime {
        p.side(
            "wasmtime",
            (|| {
                let scratch = ctx.scratch(name)?;
                let inv = wasmaot_tests::Invocation::new(&ctx.tools.wasmtime)
                    .arg("compile")
                    .arg(wasm)
                    .arg("-o")
                    .arg(scratch.path().join("m.cwasm"));
                let out = wasmaot_tests::run(&inv)?;
                Ok(if out.status() == 0 {
                    vec![]
                } else {
                    vec![format!("wasmtime compile failed: {}", out.stderr_text())]
                })
            })(),
        );
    }
    if ctx.mode.wasmaot {
        p.side(
            "wasmaot",
            (|| {
                let bytes = fs::read(wasm)?;
                let unknown = non_wasi_imports(&bytes)?;
                let scratch = ctx.scratch(name)?;
                let exe = scratch.path().join("program.exe");
                let out = wasmaot_compile(&ctx.tools, wasm, &exe, &[])?;
                let mut problems = Vec::new();
                match unknown.first() {
                    None => {
                        if out.status() != 0 || !exe.is_file() {
                            problems.push(format!(
                                "compile failed ({}):\n{}",
                                out.describe_end(),
                                indent(&out.stderr_text())
                            ));
                        }
                    }
                    Some((module, field)) => {
                        // Record the outcome: compile error naming the import.
                        check_compile_error(&mut problems, &out, &exe, wasm, &[field.as_str()], false);
                        if problems.is_empty() {
                            eprintln!("note: {name}: rejected as expected (unknown import {module}.{field})");
                        }
                    }
                }
                Ok(problems)
            })(),
        );
    }
    p.verdict()
}

/// A program that never ends: it must still be running after 2 s (then it is killed).
fn corpus_timeout(
    ctx: &Ctx,
    name: &str,
    suite: &Path,
    folder: &Path,
    wasm: &Path,
    c: &CorpusCase,
) -> Verdict {
    let limit = Duration::from_secs(2);
    let check = |out: Outcome| -> Vec<String> {
        if out.timed_out {
            vec![]
        } else {
            vec![format!(
                "ended ({}) before the 2 s limit: {}",
                out.describe_end(),
                out.stderr_text()
            )]
        }
    };
    let mut p = Problems::default();
    if ctx.mode.wasmtime {
        p.side(
            "wasmtime",
            (|| {
                let scratch = ctx.scratch(name)?;
                let (mut spec, _) = c.prepare(suite, folder, scratch.path())?;
                // Compile first so that the limit covers only the run.
                wasmaot_tests::wasmtime_precompiled(&ctx.tools, wasm)?;
                spec.timeout = Some(limit);
                Ok(check(run_wasmtime(&ctx.tools, wasm, &spec)?))
            })(),
        );
    }
    if ctx.mode.wasmaot {
        p.side(
            "wasmaot",
            (|| {
                let scratch = ctx.scratch(name)?;
                let (mut spec, _) = c.prepare(suite, folder, scratch.path())?;
                // The limit is not a compile flag: it covers only the run.
                spec.timeout = Some(limit);
                Ok(check(ctx.compile_and_run(
                    wasm,
                    scratch.path(),
                    "program.exe",
                    &spec,
                )?))
            })(),
        );
    }
    p.verdict()
}

// ---------------------------------------------------------------------------------------
// Traps: tests/wat/traps/*.wat
// ---------------------------------------------------------------------------------------

/// A trap module's first line is `;; what -> "expected message"`; the first function
/// defined in it is the one that traps and must appear in the backtrace. An optional second
/// line `;; backtrace: f g h` lists every frame wasmaot's backtrace must show, innermost first
/// (inlined functions included). An optional line `;; wasmaot flags: ...` among the leading
/// comment lines gives extra `wasmaot` flags (`--wasm-version 3.0` for a 3.0 proposal;
/// wasmtime runs with its defaults).
struct TrapModule {
    path: PathBuf,
    message: String,
    function: String,
    frames: Vec<String>,
    flags: Vec<String>,
}

fn read_trap_module(path: &Path) -> Result<TrapModule> {
    let text = fs::read_to_string(path)?;
    let first = text.lines().next().unwrap_or_default();
    let message = first
        .split_once("-> \"")
        .and_then(|(_, rest)| rest.rsplit_once('"'))
        .map(|(m, _)| m.to_string())
        .with_context(|| {
            format!(
                "{}: first line must be `;; ... -> \"trap message\"`",
                path.display()
            )
        })?;
    let function = text
        .split("(func $")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| c.is_whitespace() || c == ')').next())
        .map(str::to_string)
        .with_context(|| format!("{}: no named function", path.display()))?;
    let frames = text
        .lines()
        .nth(1)
        .and_then(|l| l.strip_prefix(";; backtrace:"))
        .map(|l| l.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default();
    let flags = text
        .lines()
        .take_while(|l| l.starts_with(";;"))
        .find_map(|l| l.strip_prefix(";; wasmaot flags:"))
        .map(|l| l.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default();
    Ok(TrapModule {
        path: path.to_path_buf(),
        message,
        function,
        frames,
        flags,
    })
}

fn trap_modules(tools: &Tools) -> Result<Vec<TrapModule>> {
    sorted_entries(&tools.root.join("tests/wat/traps"))?
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "wat"))
        .map(|p| read_trap_module(&p))
        .collect()
}

fn trap_spec(module: &TrapModule) -> RunSpec {
    RunSpec {
        argv: vec![file_stem(&module.path)],
        ..RunSpec::default()
    }
}

fn trap_cases(tools: &Tools, cases: &mut Vec<Case>) -> Result<()> {
    for module in trap_modules(tools)? {
        let name = format!("trap/{}", file_stem(&module.path));
        let case_name = name.clone();
        cases.push(case(name, move |ctx| {
            let spec = trap_spec(&module);
            let mut p = Problems::default();
            // What wasmtime prints is the reference; the module's header states it too.
            let mut reference = module.message.clone();
            if ctx.mode.wasmtime {
                p.side(
                    "wasmtime",
                    (|| {
                        let out = run_wasmtime(&ctx.tools, &module.path, &spec)?;
                        if let Some(m) = trap_message(&out.stderr_text()) {
                            reference = m;
                        }
                        Ok(check_trap(&out, &module.message, &module.function))
                    })(),
                );
            }
            if ctx.mode.wasmaot {
                p.side(
                    "wasmaot",
                    (|| {
                        let scratch = ctx.scratch(&case_name)?;
                        let exe =
                            ctx.compile(&module.path, scratch.path(), "trap.exe", &module.flags)?;
                        let out = run_native(&exe, &spec, None)?;
                        let mut problems = check_trap(&out, &reference, &module.function);
                        problems.extend(check_backtrace(&out, &module.frames));
                        Ok(problems)
                    })(),
                );
            }
            p.verdict()
        }));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Bad input: the compiler must fail cleanly
// ---------------------------------------------------------------------------------------

/// Exit 1, exactly one stderr line `error: ...` naming the input file (and `needles`, and
/// `offset` if asked), no panic, and no output file.
fn check_compile_error(
    problems: &mut Vec<String>,
    out: &Outcome,
    output: &Path,
    input: &Path,
    needles: &[&str],
    wants_offset: bool,
) {
    let stderr = out.stderr_text();
    if out.status() != 1 || out.timed_out {
        problems.push(format!("{}, expected exit status 1", out.describe_end()));
    }
    let lines: Vec<&str> = stderr.lines().collect();
    if lines.len() != 1 {
        let shown = if stderr.is_empty() {
            String::new()
        } else {
            format!(":\n{}", indent(&stderr))
        };
        problems.push(format!(
            "expected exactly one line on stderr, got {}{shown}",
            lines.len()
        ));
    }
    let first = lines.first().copied().unwrap_or_default();
    if !first.starts_with("error:") {
        problems.push(format!("stderr does not start with `error:`: {first:?}"));
    }
    let input_name = file_name(input);
    if !first.contains(&input_name) {
        problems.push(format!(
            "error does not name the input file {input_name:?}: {first:?}"
        ));
    }
    for needle in needles {
        if !first.contains(needle) {
            problems.push(format!("error does not mention {needle:?}: {first:?}"));
        }
    }
    if wants_offset && !first.contains("offset") {
        problems.push(format!("error does not give the byte offset: {first:?}"));
    }
    for bad in ["panicked", "RUST_BACKTRACE"] {
        if stderr.contains(bad) {
            problems.push(format!("stderr contains {bad:?} (the compiler panicked)"));
        }
    }
    if output.symlink_metadata().is_ok() {
        problems.push(format!(
            "output {} exists after a failed compile",
            output.display()
        ));
    }
}

/// A module whose only import, `env.foo`, is a host function.
const IMPORTS_ENV_FOO: &str = r#"(module
    (import "env" "foo" (func $foo))
    (memory (export "memory") 1)
    (func (export "_start") call $foo))"#;

fn bad_input_cases(cases: &mut Vec<Case>) {
    struct Bad {
        name: &'static str,
        file: &'static str,
        make: fn(&Tools) -> Result<Vec<u8>>,
        needles: &'static [&'static str],
        offset: bool,
        unwritable_output: bool,
        /// Compile flags besides the input and output.
        flags: &'static [&'static str],
    }
    let bads = [
        Bad {
            name: "not-wasm",
            file: "not_a_module.wasm",
            make: |_| Ok(b"#!/bin/sh\necho this is not a wasm module\n".to_vec()),
            needles: &[],
            offset: false,
            unwritable_output: false,
            flags: &[],
        },
        Bad {
            name: "bad-wat-syntax",
            file: "bad_syntax.wat",
            make: |_| Ok(b"(module (func $f (result i32) i32.const))\n".to_vec()),
            needles: &[],
            offset: false,
            unwritable_output: false,
            flags: &[],
        },
        Bad {
            name: "truncated",
            file: "truncated.wasm",
            make: |tools| {
                let whole = fs::read(
                    tools
                        .corpus
                        .join("tinygo/hello-tinygo-llvm15-2023/hello_world.wasm"),
                )?;
                Ok(whole[..whole.len() / 2].to_vec())
            },
            needles: &[],
            offset: true,
            unwritable_output: false,
            flags: &[],
        },
        Bad {
            name: "invalid-body",
            file: "invalid_body.wasm",
            make: |_| {
                Ok(wat::parse_str(
                    r#"(module
                        (memory (export "memory") 1)
                        (func $returns_wrong_type (result i32) i64.const 1)
                        (func (export "_start") (drop (call $returns_wrong_type))))"#,
                )?)
            },
            needles: &[],
            offset: true,
            unwritable_output: false,
            flags: &[],
        },
        Bad {
            // A host function nothing linked provides: named as the wasm import, not as a
            // linker's undefined symbol.
            name: "unresolved-import",
            file: "unresolved_import.wasm",
            make: |_| Ok(wat::parse_str(IMPORTS_ENV_FOO)?),
            needles: &[
                "unresolved import `env::foo`",
                "wasmaot_import_env__foo",
                "--link",
            ],
            offset: false,
            unwritable_output: false,
            flags: &[],
        },
        Bad {
            name: "import-flag-names-no-import",
            file: "imports_foo.wasm",
            make: |_| Ok(wat::parse_str(IMPORTS_ENV_FOO)?),
            needles: &["--import env::bar=my_bar", "imports no function `env::bar`"],
            offset: false,
            unwritable_output: false,
            flags: &["--import", "env::bar=my_bar"],
        },
        Bad {
            // A 3.0 proposal wasmaot implements, with `--wasm-version 2.0`: the error says why.
            name: "relaxed-simd-with-wasm-version-2",
            file: "relaxed.wasm",
            make: |_| {
                Ok(wat::parse_str(
                    r#"(module (memory (export "memory") 1) (func (export "_start")
                        (drop (i8x16.relaxed_swizzle (v128.const i64x2 0 0) (v128.const i64x2 0 0)))))"#,
                )?)
            },
            needles: &["relaxed", "rejected because of `--wasm-version 2.0`"],
            offset: true,
            unwritable_output: false,
            flags: &["--wasm-version", "2.0"],
        },
        Bad {
            name: "link-input-missing",
            file: "imports_foo.wasm",
            make: |_| Ok(wat::parse_str(IMPORTS_ENV_FOO)?),
            needles: &["--link", "no_such_host.o", "no such file"],
            offset: false,
            unwritable_output: false,
            flags: &["--link", "/no/such/dir/no_such_host.o"],
        },
        Bad {
            name: "host-memory-import",
            file: "host_memory.wasm",
            make: |_| {
                Ok(wat::parse_str(
                    r#"(module (import "env" "memory" (memory 1)) (func (export "_start")))"#,
                )?)
            },
            needles: &["env::memory", "it is a memory", "only functions"],
            offset: true,
            unwritable_output: false,
            flags: &[],
        },
        Bad {
            name: "host-multi-value-import",
            file: "host_pair.wasm",
            make: |_| {
                Ok(wat::parse_str(
                    r#"(module (import "env" "pair" (func (result i32 i32)))
                        (memory (export "memory") 1) (func (export "_start")))"#,
                )?)
            },
            needles: &["env::pair", "several values"],
            offset: true,
            unwritable_output: false,
            flags: &[],
        },
        Bad {
            name: "unwritable-output",
            file: "fine.wasm",
            make: |_| {
                Ok(wat::parse_str(
                    r#"(module (memory (export "memory") 1) (func (export "_start")))"#,
                )?)
            },
            needles: &[],
            offset: false,
            unwritable_output: true,
            flags: &[],
        },
        Bad {
            // A `--cpu` level for another architecture than the target's.
            name: "cpu-for-other-target",
            file: "fine.wasm",
            make: |_| {
                Ok(wat::parse_str(
                    r#"(module (memory (export "memory") 1) (func (export "_start")))"#,
                )?)
            },
            needles: &["x86-64-v3"],
            offset: false,
            unwritable_output: false,
            flags: &["--cpu", "x86-64-v3", "--target", AARCH64],
        },
    ];
    for bad in bads {
        let name = format!("bad-input/{}", bad.name);
        let case_name = name.clone();
        cases.push(case(name, move |ctx| {
            wasmaot_only(ctx, || {
                let scratch = ctx.scratch(&case_name)?;
                let input = scratch.path().join(bad.file);
                fs::write(&input, (bad.make)(&ctx.tools)?)?;
                let output = if bad.unwritable_output {
                    scratch.path().join("no/such/dir/out.exe")
                } else {
                    scratch.path().join("out.exe")
                };
                let flags: Vec<String> = bad.flags.iter().map(|f| f.to_string()).collect();
                let out = wasmaot_compile(&ctx.tools, &input, &output, &flags)?;
                let mut problems = Vec::new();
                check_compile_error(
                    &mut problems,
                    &out,
                    &output,
                    &input,
                    bad.needles,
                    bad.offset,
                );
                Ok(problems)
            })
        }));
    }
}

// ---------------------------------------------------------------------------------------
// aarch64 under qemu, and determinism
// ---------------------------------------------------------------------------------------

fn aarch64_cases(tools: &Tools, cases: &mut Vec<Case>) -> Result<()> {
    // Every run of our Go, WAT and C programs (the C ones use SIMD: NEON instead of SSE).
    for (base, source, expectations) in own_programs(tools)? {
        let count = expectations.len();
        for (i, exp) in expectations.into_iter().enumerate() {
            let name = format!("aarch64/{}", run_name(&base, &exp, i, count));
            let (source, case_name) = (source.clone(), name.clone());
            cases.push(case(name, move |ctx| {
                aarch64_run(ctx, |qemu| {
                    let wasm = source.wasm(&ctx.tools)?;
                    let scratch = ctx.scratch(&case_name)?;
                    let spec = exp.prepare(scratch.path())?;
                    let mut flags = vec!["--target".to_string(), AARCH64.to_string()];
                    flags.extend(compile_flags(&spec));
                    let exe = ctx.compile(&wasm, scratch.path(), "program", &flags)?;
                    Ok(exp.check(&run_native(&exe, &spec, Some(qemu))?, &spec))
                })
            }));
        }
    }
    for module in trap_modules(tools)? {
        let name = format!("aarch64/trap/{}", file_stem(&module.path));
        let case_name = name.clone();
        cases.push(case(name, move |ctx| {
            aarch64_run(ctx, |qemu| {
                let scratch = ctx.scratch(&case_name)?;
                let mut flags = vec!["--target".to_string(), AARCH64.to_string()];
                flags.extend(module.flags.iter().cloned());
                let exe = ctx.compile(&module.path, scratch.path(), "trap.exe", &flags)?;
                let out = run_native(&exe, &trap_spec(&module), Some(qemu))?;
                let mut problems = check_trap(&out, &module.message, &module.function);
                problems.extend(check_backtrace(&out, &module.frames));
                Ok(problems)
            })
        }));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// --cpu levels
// ---------------------------------------------------------------------------------------

/// Whether this machine's CPU has every feature `--cpu x86-64-v3` uses.
fn host_has_x86_64_v3() -> bool {
    let Ok(info) = fs::read_to_string("/proc/cpuinfo") else {
        return false;
    };
    let Some(flags) = info.lines().find(|l| l.starts_with("flags")) else {
        return false;
    };
    let flags: Vec<&str> = flags.split_whitespace().collect();
    ["avx", "avx2", "bmi1", "bmi2", "abm", "fma"]
        .iter()
        .all(|f| flags.contains(f))
}

/// `tests/go/bigmath` (math/big: clz, ctz, wide multiplies) built with each `--cpu` level gives
/// the expected output (a level for another architecture is a `bad-input/` case).
fn cpu_cases(tools: &Tools, cases: &mut Vec<Case>) -> Result<()> {
    let dir = tools.root.join("tests/go/bigmath");
    let exp = read_expectations(&dir.join("expected.json"))?
        .into_iter()
        .next()
        .context("tests/go/bigmath/expected.json has no run")?;
    for cpu in ["x86-64-v3", "native"] {
        let dir = dir.clone();
        let exp = exp.clone();
        cases.push(case(format!("cpu/{cpu}/go/bigmath"), move |ctx| {
            if !cfg!(target_arch = "x86_64") {
                return Verdict::Skip("the --cpu levels are tested on x86_64 hosts".into());
            }
            if cpu == "x86-64-v3" && !host_has_x86_64_v3() {
                return Verdict::Skip("this CPU lacks x86-64-v3 features".into());
            }
            wasmaot_only(ctx, || {
                let wasm = go_build(&ctx.tools, &dir)?;
                let scratch = ctx.scratch(&format!("cpu-{cpu}"))?;
                let spec = exp.prepare(scratch.path())?;
                let mut flags = vec!["--cpu".to_string(), cpu.to_string()];
                flags.extend(compile_flags(&spec));
                let exe = ctx.compile(&wasm, scratch.path(), "bigmath", &flags)?;
                Ok(exp.check(&run_native(&exe, &spec, None)?, &spec))
            })
        }));
    }
    Ok(())
}

/// Runs an aarch64 case under qemu. A missing qemu is a failure, not a skip: `make tools`
/// installs it.
fn aarch64_run(ctx: &Ctx, f: impl FnOnce(&Path) -> Result<Vec<String>>) -> Verdict {
    let Some(qemu) = ctx.tools.qemu_aarch64.clone() else {
        return Verdict::Fail(vec![
            "qemu-aarch64 not found: run `make tools` (or `apt-get install qemu-user gcc-aarch64-linux-gnu libc6-dev-arm64-cross`), or set QEMU_AARCH64".into(),
        ]);
    };
    wasmaot_only(ctx, || f(&qemu))
}

fn determinism_cases(tools: &Tools, cases: &mut Vec<Case>) {
    let hello = tools.root.join("tests/go/hello");
    cases.push(case("determinism/go/hello-jobs-1-vs-2", move |ctx| {
        wasmaot_only(ctx, || {
            let wasm = go_build(&ctx.tools, &hello)?;
            let scratch = ctx.scratch("determinism")?;
            let mut digests = Vec::new();
            for jobs in ["1", "2"] {
                let obj = scratch.path().join(format!("hello-{jobs}.o"));
                let flags: Vec<String> = ["--emit", "obj", "--jobs", jobs].map(String::from).into();
                wasmaot_compile_ok(&ctx.tools, &wasm, &obj, &flags)?;
                let bytes = fs::read(&obj)?;
                digests.push((bytes.len(), sha256_hex(&[&bytes])));
            }
            Ok(if digests[0] == digests[1] {
                vec![]
            } else {
                vec![format!(
                    "objects differ: --jobs 1 gives {} bytes sha256 {}, --jobs 2 gives {} bytes sha256 {}",
                    digests[0].0, digests[0].1, digests[1].0, digests[1].1
                )]
            })
        })
    }));
}

// ---------------------------------------------------------------------------------------
// Driver
// ---------------------------------------------------------------------------------------

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    v.sort();
    Ok(v)
}

struct Args {
    mode: Mode,
    jobs: usize,
    list: bool,
    filters: Vec<String>,
}

fn parse_args() -> Result<Args> {
    let mut args = Args {
        mode: Mode {
            wasmtime: true,
            wasmaot: true,
        },
        jobs: default_jobs(),
        list: false,
        filters: Vec::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--wasmtime-only" => args.mode.wasmaot = false,
            "--no-wasmtime" => args.mode.wasmtime = false,
            "--list" => args.list = true,
            "--jobs" | "-j" => args.jobs = jobs_value(&mut it)?,
            "-h" | "--help" => {
                println!(
                    "usage: e2e [--wasmtime-only] [--no-wasmtime] [--jobs N] [--list] [FILTER...]"
                );
                std::process::exit(0);
            }
            s if s.starts_with("--jobs=") => {
                args.jobs = s["--jobs=".len()..].parse().context("bad --jobs")?;
            }
            s if s.starts_with('-') => bail!("unknown option {s} (see --help)"),
            _ => args.filters.push(a),
        }
    }
    if !args.mode.wasmtime && !args.mode.wasmaot {
        bail!("--wasmtime-only and --no-wasmtime together leave nothing to run");
    }
    args.jobs = args.jobs.max(1);
    Ok(args)
}

fn main() -> ExitCode {
    runner_main("e2e", real_main)
}

fn real_main() -> Result<bool> {
    let args = parse_args()?;
    let tools = Tools::discover()?;
    let mut cases = Vec::new();
    own_program_cases(&tools, &mut cases)?;
    corpus_cases(&tools, &mut cases)?;
    trap_cases(&tools, &mut cases)?;
    bad_input_cases(&mut cases);
    guard::guard_cases(&mut cases);
    aarch64_cases(&tools, &mut cases)?;
    cpu_cases(&tools, &mut cases)?;
    determinism_cases(&tools, &mut cases);
    func_cache::func_cache_cases(&mut cases);
    embed::embed_cases(&mut cases);
    interrupt::interrupt_cases(&mut cases);
    relaxed::relaxed_cases(&mut cases);
    debug::debug_cases(&mut cases);
    build::build_cases(&mut cases);
    trace::trace_cases(&mut cases);
    // `[[e2e]]` entries of tests/known-failures.toml: a listed case that fails is reported as
    // a known failure, one that passes or does not exist fails the run.
    let known = wasmaot_tests::known_failures::tests_of_existing(
        &tools.root.join("tests/known-failures.toml"),
        "e2e",
        cases.iter().map(|c| c.name.as_str()),
    )?;
    if !args.filters.is_empty() {
        cases.retain(|c| args.filters.iter().any(|f| c.name.contains(f.as_str())));
    }
    if args.list {
        for c in &cases {
            println!("{}", c.name);
        }
        return Ok(true);
    }
    if args.mode.wasmaot && !tools.wasmaot.is_file() {
        eprintln!(
            "warning: {} does not exist; every wasmaot side will fail",
            tools.wasmaot.display()
        );
    }
    let tmp = tempfile::Builder::new().prefix("wasmaot-e2e-").tempdir()?;
    let ctx = Ctx {
        tools,
        mode: args.mode,
        tmp: tmp.path().to_path_buf(),
        exes: Memo::default(),
    };
    let total = cases.len();
    let tally = Mutex::new((0usize, 0usize, 0usize));
    let start = Instant::now();
    parallel(cases, args.jobs, |c| {
        let t = Instant::now();
        let verdict = (c.run)(&ctx);
        let secs = t.elapsed().as_secs_f64();
        let mut tally = tally.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = std::io::stdout().lock();
        let listed = known.get(&c.name);
        let _ = match (verdict, listed) {
            (Verdict::Pass, None) => {
                tally.0 += 1;
                writeln!(out, "ok {} ({secs:.1}s)", c.name)
            }
            (Verdict::Pass, Some(_)) => {
                tally.1 += 1;
                writeln!(
                    out,
                    "FAIL {}: passes but is listed in tests/known-failures.toml: delete its entry",
                    c.name
                )
            }
            (Verdict::Fail(_), Some(why)) => {
                tally.2 += 1;
                writeln!(out, "known-failure {}: {why}", c.name)
            }
            (Verdict::Fail(problems), None) => {
                tally.1 += 1;
                write_failure(&mut out, &c.name, &problems.join("\n"), "")
            }
            (Verdict::Skip(why), _) => {
                tally.2 += 1;
                writeln!(out, "SKIP {}: {why}", c.name)
            }
        };
        let _ = out.flush();
    });
    let (passed, failed, skipped) = *tally.lock().unwrap_or_else(|e| e.into_inner());
    println!(
        "e2e: {total} cases in {:.1}s",
        start.elapsed().as_secs_f64()
    );
    if skipped > 0 {
        println!("{passed} passed, {failed} failed, {skipped} skipped");
    } else {
        println!("{passed} passed, {failed} failed");
    }
    Ok(failed == 0)
}

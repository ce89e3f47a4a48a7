//! `embed/` cases: modules used from host programs, through the real pipeline (wasmaot →
//! static library or executable → a C or Go host built here → run natively, or under qemu for
//! `aarch64/embed/`). The programs live in `tests/embed/<case>/`, each with the exact stdout
//! it must print in `expected.txt`:
//!
//! * `hostfuncs/`: a Go wasip1 program with `//go:wasmimport` host functions, linked with a C
//!   host object into an executable (`--link host.c`); run plainly and with `trap`, where a
//!   host function traps (`expected-trap.txt`, exit status 134, the host's message and the
//!   wasm backtrace).
//! * `reactor/`: a Go reactor (`-buildmode=c-shared`) as a static library, called 10,000
//!   times per export from a C host (`host.c`).
//! * `isolation/`: two instances of one module and one of another from two threads (`host.c`).
//! * `exceptions/`: wasm exceptions crossing host frames: an exception from one instance
//!   comes back to a host function as `WASMAOT_ERROR_EXCEPTION`, which throws it on into its
//!   wasm caller (`wasmaot_caller_throw`) or swallows it (`host.c`, `exc_host.c`).
//! * `gohost/`: the seed scenario — a Go program built with cgo that runs TinyGo and Go
//!   modules through the Go packages `--emit go` writes, and through the plain C API.
//!
//! Must never pass a case whose host program was not built and run here.

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use wasmaot_tests::{
    Invocation, Outcome, Tools, check_exact, check_status, go_build, go_build_with, go_env_native,
    indent, run, wasmaot_compile, wasmaot_compile_ok,
};

use super::{AARCH64, Case, Ctx, aarch64_run, case, wasmaot_only};

/// `tests/embed/<name>`.
fn case_dir(tools: &Tools, name: &str) -> PathBuf {
    tools.root.join("tests/embed").join(name)
}

fn read_expected(dir: &Path, file: &str) -> Result<String> {
    fs::read_to_string(dir.join(file))
        .with_context(|| format!("reading {}", dir.join(file).display()))
}

/// `--target aarch64...` when cross-compiling.
fn target_flags(aarch64: bool) -> Vec<String> {
    match aarch64 {
        true => vec!["--target".into(), AARCH64.into()],
        false => vec![],
    }
}

/// Compiles `input` into `dir/lib<name>.a` (with `dir/<name>.h` and `dir/wasmaot.h`), with
/// the host functions of `link` in it.
fn staticlib(
    ctx: &Ctx,
    input: &Path,
    dir: &Path,
    name: &str,
    aarch64: bool,
    link: &[PathBuf],
) -> Result<PathBuf> {
    let lib = dir.join(format!("lib{name}.a"));
    let mut flags = vec!["--emit".to_string(), "staticlib".to_string()];
    flags.extend(target_flags(aarch64));
    for l in link {
        flags.extend(["--link".to_string(), l.display().to_string()]);
    }
    wasmaot_compile_ok(&ctx.tools, input, &lib, &flags)?;
    for header in [format!("{name}.h"), "wasmaot.h".to_string()] {
        if !dir.join(&header).is_file() {
            bail!(
                "wasmaot --emit staticlib wrote no {header} beside {}",
                lib.display()
            );
        }
    }
    Ok(lib)
}

/// Builds a C host program: `cc` (statically, with the aarch64 cross compiler, for aarch64).
fn build_c_host(
    src: &Path,
    include: &Path,
    libs: &[PathBuf],
    out: &Path,
    aarch64: bool,
) -> Result<()> {
    let cc = if aarch64 {
        "aarch64-linux-gnu-gcc"
    } else {
        "cc"
    };
    let mut inv = Invocation::new(cc).args(["-O2", "-Wall", "-o"]).arg(out);
    if aarch64 {
        inv = inv.arg("-static");
    }
    inv = inv
        .arg("-I")
        .arg(include)
        .arg(src)
        .args(libs.iter().map(|l| l.as_os_str().to_owned()))
        .arg("-lpthread")
        .timeout(Duration::from_secs(300));
    let res = run(&inv)?;
    if res.status() != 0 || !out.is_file() {
        bail!(
            "{} failed ({}):\n{}",
            inv.describe(),
            res.describe_end(),
            indent(&res.stderr_text())
        );
    }
    Ok(())
}

/// Runs a native program (under `qemu` if given) with `args`.
fn run_host(exe: &Path, args: &[&str], qemu: Option<&Path>) -> Result<Outcome> {
    let mut inv = match qemu {
        Some(q) => Invocation::new(q).arg(exe),
        None => Invocation::new(exe),
    };
    inv = inv
        .args(args.iter().map(OsString::from))
        .timeout(Duration::from_secs(300));
    inv.clear_env = true;
    inv.env = vec![("PATH".into(), "/usr/bin:/bin".into())];
    run(&inv)
}

/// Exit status 0 and exactly the expected stdout.
fn check_run(out: &Outcome, expected: &str) -> Vec<String> {
    let mut problems = Vec::new();
    check_status(&mut problems, out, 0);
    check_exact(&mut problems, "stdout", expected, &out.stdout_text());
    problems
}

/// `hostfuncs/`: an executable whose host functions come from `--link host.c`.
fn host_functions(ctx: &Ctx, qemu: Option<&Path>) -> Result<Vec<String>> {
    let dir = case_dir(&ctx.tools, "hostfuncs");
    let wasm = go_build(&ctx.tools, &dir)?;
    let aarch64 = qemu.is_some();
    let mut flags = vec![
        "--link".to_string(),
        dir.join("host.c").display().to_string(),
    ];
    flags.extend(target_flags(aarch64));
    let scratch = ctx.scratch(if aarch64 {
        "aarch64-hostfuncs"
    } else {
        "hostfuncs"
    })?;
    let exe = ctx.compile(&wasm, scratch.path(), "hostfuncs", &flags)?;
    let expected = read_expected(&dir, "expected.txt")?;
    let mut problems = check_run(&run_host(&exe, &[], qemu)?, &expected);
    if !aarch64 {
        problems.extend(host_functions_from_archive(
            ctx,
            &wasm,
            &dir,
            scratch.path(),
            &expected,
        )?);
    }

    let out = run_host(&exe, &["trap"], qemu)?;
    check_status(&mut problems, &out, 134);
    check_exact(
        &mut problems,
        "stdout of `hostfuncs trap`",
        &read_expected(&dir, "expected-trap.txt")?,
        &out.stdout_text(),
    );
    let stderr = out.stderr_text();
    if stderr.lines().next() != Some("wasm trap: host refused: code 7") {
        problems.push(format!(
            "the trap line is not the host's message:\n{}",
            indent(&stderr)
        ));
    }
    let frames = wasmaot_tests::backtrace_frames(&stderr);
    if frames.first().map(String::as_str) != Some("main.fail")
        || !frames.iter().any(|f| f == "main.main")
    {
        problems.push(format!(
            "the backtrace does not start at the importing function main.fail inside main.main: {frames:?}"
        ));
    }
    Ok(problems)
}

/// The same host functions compiled separately (`cc -c` against the header `wasmaot header`
/// writes) and given to `--link` as an object and as an archive.
fn host_functions_from_archive(
    ctx: &Ctx,
    wasm: &Path,
    dir: &Path,
    scratch: &Path,
    expected: &str,
) -> Result<Vec<String>> {
    let include = scratch.join("include");
    fs::create_dir_all(&include)?;
    let header = run(&Invocation::new(&ctx.tools.wasmaot)
        .arg("header")
        .arg("-o")
        .arg(include.join("wasmaot.h")))?;
    if header.status() != 0 {
        bail!("wasmaot header failed: {}", header.stderr_text());
    }
    let obj = scratch.join("host.o");
    let cc = run(&Invocation::new("cc")
        .args(["-c", "-O2", "-Wall", "-Werror", "-I"])
        .arg(&include)
        .arg(dir.join("host.c"))
        .arg("-o")
        .arg(&obj))?;
    if cc.status() != 0 {
        bail!("cc -c host.c failed:\n{}", indent(&cc.stderr_text()));
    }
    let archive = scratch.join("libhost.a");
    let ar = run(&Invocation::new("ar").arg("rcs").arg(&archive).arg(&obj))?;
    if ar.status() != 0 {
        bail!("ar failed: {}", ar.stderr_text());
    }
    let mut problems = Vec::new();
    for input in [&obj, &archive] {
        let flags = vec!["--link".to_string(), input.display().to_string()];
        let exe = ctx.compile(wasm, scratch, "hostfuncs", &flags)?;
        problems.extend(
            check_run(&run_host(&exe, &[], None)?, expected)
                .into_iter()
                .map(|p| format!("with --link {}: {p}", input.display())),
        );
    }
    Ok(problems)
}

/// `reactor/`: a Go reactor in a static library, driven by a C host.
fn reactor_c(ctx: &Ctx, qemu: Option<&Path>) -> Result<Vec<String>> {
    let dir = case_dir(&ctx.tools, "reactor");
    let wasm = go_build_with(&ctx.tools, &dir, &["-buildmode=c-shared"])?;
    let aarch64 = qemu.is_some();
    let scratch = ctx.scratch("reactor")?;
    let lib = staticlib(ctx, &wasm, scratch.path(), "reactor", aarch64, &[])?;
    let exe = scratch.path().join("reactor_host");
    build_c_host(&dir.join("host.c"), scratch.path(), &[lib], &exe, aarch64)?;
    Ok(check_run(
        &run_host(&exe, &[], qemu)?,
        &read_expected(&dir, "expected.txt")?,
    ))
}

/// `isolation/`: instances of two modules from two threads.
fn isolation(ctx: &Ctx, qemu: Option<&Path>) -> Result<Vec<String>> {
    let dir = case_dir(&ctx.tools, "isolation");
    let aarch64 = qemu.is_some();
    let scratch = ctx.scratch("isolation")?;
    let state = staticlib(
        ctx,
        &dir.join("state.wat"),
        scratch.path(),
        "state",
        aarch64,
        &[],
    )?;
    let other = staticlib(
        ctx,
        &dir.join("other.wat"),
        scratch.path(),
        "other",
        aarch64,
        &[dir.join("other_host.c")],
    )?;
    let exe = scratch.path().join("isolation_host");
    build_c_host(
        &dir.join("host.c"),
        scratch.path(),
        &[state, other],
        &exe,
        aarch64,
    )?;
    // Under qemu a tenth of the calls (the full counts take minutes there).
    let args: &[&str] = if aarch64 { &["10"] } else { &[] };
    Ok(check_run(
        &run_host(&exe, args, qemu)?,
        &read_expected(&dir, "expected.txt")?,
    ))
}

/// `exceptions/`: wasm exceptions through host frames, both ways.
fn exceptions(ctx: &Ctx, qemu: Option<&Path>) -> Result<Vec<String>> {
    let dir = case_dir(&ctx.tools, "exceptions");
    let aarch64 = qemu.is_some();
    let scratch = ctx.scratch("exceptions")?;
    let lib = staticlib(
        ctx,
        &dir.join("exc.wat"),
        scratch.path(),
        "exc",
        aarch64,
        &[dir.join("exc_host.c")],
    )?;
    let exe = scratch.path().join("exceptions_host");
    build_c_host(&dir.join("host.c"), scratch.path(), &[lib], &exe, aarch64)?;
    Ok(check_run(
        &run_host(&exe, &[], qemu)?,
        &read_expected(&dir, "expected.txt")?,
    ))
}

/// `gohost/`: Go packages from `--emit go` and the C API, in a Go program built with cgo.
fn go_host(ctx: &Ctx) -> Result<Vec<String>> {
    let tools = &ctx.tools;
    let dir = case_dir(tools, "gohost");
    let corpus = |p: &str| tools.corpus.join(p);
    let modules: Vec<(&str, PathBuf)> = vec![
        (
            "tinyhello",
            corpus("tinygo/hello-tinygo-llvm15-2023/hello_world.wasm"),
        ),
        (
            "gohello",
            go_build(tools, &tools.root.join("tests/go/hello"))?,
        ),
        (
            "exit3",
            go_build(tools, &tools.root.join("tests/go/exit_code"))?,
        ),
        (
            "unstable",
            corpus("tinygo/wasi-unstable-tinygo-2020/panic.wasm"),
        ),
        ("fib", corpus("tinygo/wasi-unstable-tinygo-2020/fib.wasm")),
        (
            "reactor",
            go_build_with(
                tools,
                &tools.root.join("tests/embed/reactor"),
                &["-buildmode=c-shared"],
            )?,
        ),
    ];
    let scratch = ctx.scratch("gohost")?;
    let module_dir = scratch.path().join("gohost");
    fs::create_dir_all(&module_dir)?;
    for (name, wasm) in &modules {
        let package = module_dir.join(name);
        let flags = vec!["--emit".to_string(), "go".to_string()];
        let res = wasmaot_compile(tools, wasm, &package, &flags)?;
        let go_file = package.join(format!("{name}.go"));
        if res.status() != 0 || !go_file.is_file() {
            bail!(
                "wasmaot {} --emit go -o {} failed ({}):\n{}",
                wasm.display(),
                package.display(),
                res.describe_end(),
                indent(&res.stderr_text())
            );
        }
    }
    fs::write(module_dir.join("go.mod"), "module gohost\n\ngo 1.21\n")?;
    for f in ["main.go", "capi.go"] {
        fs::copy(dir.join(format!("{f}.txt")), module_dir.join(f))?;
    }
    let exe = scratch.path().join("gohost_exe");
    let mut inv = Invocation::new(&tools.go)
        .args(["build", "-o"])
        .arg(&exe)
        .arg(".")
        .timeout(Duration::from_secs(600));
    inv.env = go_env_native(tools);
    inv.cwd = Some(module_dir.clone());
    let res = run(&inv)?;
    if res.status() != 0 || !exe.is_file() {
        bail!(
            "go build of the Go host failed ({}):\n{}",
            res.describe_end(),
            indent(&res.stderr_text())
        );
    }
    let out = run_host(&exe, &[], None)?;
    let mut problems = check_run(&out, &read_expected(&dir, "expected.txt")?);
    check_exact(
        &mut problems,
        "stderr",
        "to stderr before exit\nto stderr before exit\n",
        &out.stderr_text(),
    );
    Ok(problems)
}

pub(super) fn embed_cases(cases: &mut Vec<Case>) {
    cases.push(case("embed/host-functions", |ctx| {
        wasmaot_only(ctx, || host_functions(ctx, None))
    }));
    cases.push(case("embed/reactor-c", |ctx| {
        wasmaot_only(ctx, || reactor_c(ctx, None))
    }));
    cases.push(case("embed/isolation", |ctx| {
        wasmaot_only(ctx, || isolation(ctx, None))
    }));
    cases.push(case("embed/exceptions", |ctx| {
        wasmaot_only(ctx, || exceptions(ctx, None))
    }));
    cases.push(case("embed/go-host", |ctx| {
        wasmaot_only(ctx, || go_host(ctx))
    }));
    cases.push(case("aarch64/embed/host-functions", |ctx| {
        aarch64_run(ctx, |qemu| host_functions(ctx, Some(qemu)))
    }));
    cases.push(case("aarch64/embed/reactor-c", |ctx| {
        aarch64_run(ctx, |qemu| reactor_c(ctx, Some(qemu)))
    }));
    cases.push(case("aarch64/embed/isolation", |ctx| {
        aarch64_run(ctx, |qemu| isolation(ctx, Some(qemu)))
    }));
    cases.push(case("aarch64/embed/exceptions", |ctx| {
        aarch64_run(ctx, |qemu| exceptions(ctx, Some(qemu)))
    }));
}

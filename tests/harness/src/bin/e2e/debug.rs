//! `debug/` cases: what debuggers and profilers see of a wasmaot executable (issue 11).
//!
//! * `debug/go-gdb`: the Go program `tests/go/hello` compiled by wasmaot runs under
//!   `gdb -batch`; a breakpoint on `main.main` by name is hit, and `bt` shows `main.main` above
//!   `runtime.main` with wasmaot's runtime frames below (the `.eh_frame` call-frame
//!   information of compiled code); `nm` lists `main.main`, `fmt.Fprintln` and
//!   `runtime.mallocgc` (function symbols carry the name section's names).
//! * `debug/progress`: on a terminal (`script` gives one) the compiler shows its progress line
//!   (`wasmaot: compiling N/M functions`); with stderr not a terminal it prints nothing.
//! * `debug/strip`: the same program with `--strip` runs and prints the same, has no symbol
//!   table and no `.eh_frame` of its own code, and is smaller.
//!
//! Must never pass when gdb is missing: that is a failure saying how to install it.

use std::path::Path;

use anyhow::{Context, Result};
use wasmaot_tests::{Invocation, go_build, run};

use super::{Case, Ctx, case, wasmaot_only};

pub(super) fn debug_cases(cases: &mut Vec<Case>) {
    cases.push(case("debug/go-gdb", |ctx| {
        wasmaot_only(ctx, || go_under_gdb(ctx))
    }));
    cases.push(case("debug/strip", |ctx| wasmaot_only(ctx, || strip(ctx))));
    cases.push(case("debug/progress", |ctx| {
        wasmaot_only(ctx, || progress(ctx))
    }));
}

fn progress(ctx: &Ctx) -> Result<Vec<String>> {
    let wasm = go_build(&ctx.tools, &ctx.tools.root.join("tests/go/hello"))?;
    let scratch = ctx.scratch("debug-progress")?;
    let out = scratch.path().join("hello");
    let command = format!(
        "'{}' '{}' -o '{}'",
        ctx.tools.wasmaot.display(),
        wasm.display(),
        out.display()
    );
    let mut inv = Invocation::new("script").args(["-qec", &command, "/dev/null"]);
    inv.env
        .push(("WASMAOT_PROGRESS_AFTER_MS".into(), "0".into()));
    let tty = run(&inv).context("running `script` (util-linux) for a terminal")?;
    let mut problems = Vec::new();
    let text = String::from_utf8_lossy(&tty.stdout);
    if tty.status() != 0 || !text.contains("wasmaot: compiling") || !text.contains(" functions") {
        problems.push(format!(
            "no progress line on a terminal: {}",
            tty.describe_end()
        ));
    }
    let mut plain = Invocation::new(&ctx.tools.wasmaot)
        .arg(&wasm)
        .arg("-o")
        .arg(scratch.path().join("hello2"));
    plain
        .env
        .push(("WASMAOT_PROGRESS_AFTER_MS".into(), "0".into()));
    let plain = run(&plain)?;
    if plain.status() != 0 || !plain.stderr.is_empty() {
        problems.push(format!(
            "output without a terminal: {}",
            plain.describe_end()
        ));
    }
    Ok(problems)
}

fn strip(ctx: &Ctx) -> Result<Vec<String>> {
    let wasm = go_build(&ctx.tools, &ctx.tools.root.join("tests/go/hello"))?;
    let scratch = ctx.scratch("debug-strip")?;
    let full = ctx.compile(&wasm, scratch.path(), "hello", &[])?;
    let stripped = ctx.compile(&wasm, scratch.path(), "hello", &["--strip".to_string()])?;
    let mut problems = Vec::new();
    let out = |exe: &Path| -> Result<Vec<u8>> { Ok(run(&Invocation::new(exe))?.stdout) };
    if out(&stripped)? != out(&full)? {
        problems.push("the --strip executable prints something else".to_string());
    }
    let nm = run(&Invocation::new("nm").arg(&stripped)).context("running nm (binutils)")?;
    if nm.stdout.contains(&b'\n') {
        problems.push("the --strip executable still has symbols".to_string());
    }
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len());
    let (a, b) = (size(&full)?, size(&stripped)?);
    if b >= a {
        problems.push(format!("--strip is not smaller: {b} bytes against {a}"));
    }
    Ok(problems)
}

fn go_under_gdb(ctx: &Ctx) -> Result<Vec<String>> {
    let wasm = go_build(&ctx.tools, &ctx.tools.root.join("tests/go/hello"))?;
    let scratch = ctx.scratch("debug-go")?;
    let exe = ctx.compile(&wasm, scratch.path(), "hello", &[])?;
    let mut problems = Vec::new();

    let nm = run(&Invocation::new("nm").arg(&exe)).context("running nm (binutils)")?;
    let symbols = String::from_utf8_lossy(&nm.stdout);
    for name in [
        "main.main",
        "runtime.main",
        "fmt.Fprintln",
        "runtime.mallocgc",
    ] {
        if !symbols.lines().any(|l| l.ends_with(&format!(" {name}"))) {
            problems.push(format!("nm does not list `{name}`"));
        }
    }

    let gdb = gdb_batch(
        &exe,
        &[
            // gdb takes Go's `main.main` for the program's `main` and would stop there.
            "set backtrace past-main on",
            "break main.main",
            "run",
            "bt",
        ],
    )?;
    let out = String::from_utf8_lossy(&gdb.stdout);
    let frames: Vec<&str> = out.lines().filter(|l| l.starts_with('#')).collect();
    let position = |needle: &str| frames.iter().position(|f| f.contains(needle));
    if !out.contains("hit Breakpoint 1") || !frames.first().is_some_and(|f| f.contains("main.main"))
    {
        problems.push(format!("the breakpoint on main.main was not hit:\n{out}"));
    } else {
        // gdb shows Go's `runtime.main` as `runtime[main]`.
        match (position("runtime"), position("wasmaot_runtime::entry")) {
            (Some(rt), Some(entry)) if rt > 0 && entry > rt => {}
            _ => problems.push(format!(
                "bt does not walk from main.main through runtime.main into wasmaot's runtime:\n{}",
                frames.join("\n")
            )),
        }
    }
    Ok(problems)
}

/// Runs `gdb -batch` on `exe` with `commands`; a missing gdb is an error saying how to get it.
fn gdb_batch(exe: &Path, commands: &[&str]) -> Result<wasmaot_tests::Outcome> {
    let mut inv = Invocation::new("gdb").args(["-nx", "-batch"]);
    for c in commands {
        inv = inv.args(["-ex", c]);
    }
    run(&inv.arg(exe)).context("running gdb (install it with `make tools`, Debian's gdb)")
}

//! `debug/` cases: what debuggers and profilers see of a wasmaot executable (issue 11).
//!
//! * `debug/go-gdb`: the Go program `tests/go/hello` compiled by wasmaot runs under
//!   `gdb -batch`; a breakpoint on `main.main` by name is hit, and `bt` shows `main.main` above
//!   `runtime.main` with wasmaot's runtime frames below (the `.eh_frame` call-frame
//!   information of compiled code); `nm` lists `main.main`, `fmt.Fprintln` and
//!   `runtime.mallocgc` (function symbols carry the name section's names).
//! * `debug/c-gdb`: a C program of two files (`tests/debug/c/`) built with `zig cc -g` keeps
//!   its DWARF, translated to native code: `break calc.c:8` is hit under gdb and `bt` shows
//!   the C functions with their files and lines, `addr2line` maps a function's address to its
//!   opening line, and a deliberate trap prints `calc.c:15` in the wasm backtrace.
//! * `debug/go-perf`: `perf record -g` and `perf record --call-graph dwarf` on a Go program
//!   (`tests/debug/perf/`), then `perf report --stdio`, show its Go function names and the
//!   call chain from the hot function through `runtime.main` into wasmaot's runtime; skipped,
//!   with the reason, where perf cannot record (missing, or `perf_event_paranoid` forbids it).
//! * `debug/mode`: the executable's mode is 0777 minus the umask, as `cc` and `go build` give
//!   (checked with umask 022 and 077), and an object file's 0666 minus the umask.
//! * `debug/progress`: on a terminal (`script` gives one) the compiler shows its progress line
//!   (`wasmaot: compiling N/M functions`); with stderr not a terminal it prints nothing.
//! * `debug/strip`: the same program with `--strip` runs and prints the same, has no symbol
//!   table and no `.eh_frame` of its own code, and is smaller.
//!
//! Must never pass when gdb is missing: that is a failure saying how to install it.

use std::path::Path;

use anyhow::{Context, Result};
use wasmaot_tests::{Invocation, go_build, run, zig_cc_files};

use super::{Case, Ctx, Verdict, case, wasmaot_only};

pub(super) fn debug_cases(cases: &mut Vec<Case>) {
    cases.push(case("debug/go-gdb", |ctx| {
        wasmaot_only(ctx, || go_under_gdb(ctx))
    }));
    cases.push(case("debug/strip", |ctx| wasmaot_only(ctx, || strip(ctx))));
    cases.push(case("debug/c-gdb", |ctx| {
        wasmaot_only(ctx, || c_under_gdb(ctx))
    }));
    cases.push(case("debug/go-perf", |ctx| match perf_unavailable() {
        Some(why) => Verdict::Skip(why),
        None => wasmaot_only(ctx, || go_under_perf(ctx)),
    }));
    cases.push(case("debug/mode", |ctx| wasmaot_only(ctx, || modes(ctx))));
    cases.push(case("debug/progress", |ctx| {
        wasmaot_only(ctx, || progress(ctx))
    }));
}

fn modes(ctx: &Ctx) -> Result<Vec<String>> {
    use std::os::unix::fs::PermissionsExt;
    let wasm = ctx.tools.root.join("tests/wat/run/proc_exit.wat");
    let scratch = ctx.scratch("debug-mode")?;
    let mut problems = Vec::new();
    for (umask, extra, want) in [
        ("022", "", 0o755),
        ("077", "", 0o700),
        ("022", "--emit obj", 0o644),
        ("077", "--emit obj", 0o600),
    ] {
        let out = scratch.path().join(format!("out-{umask}-{}", extra.len()));
        let command = format!(
            "umask {umask} && exec '{}' '{}' {extra} -o '{}'",
            ctx.tools.wasmaot.display(),
            wasm.display(),
            out.display()
        );
        let res = run(&Invocation::new("sh").args(["-c", &command]))?;
        if res.status() != 0 {
            problems.push(format!("umask {umask} {extra}: {}", res.describe_end()));
            continue;
        }
        let mode = std::fs::metadata(&out)?.permissions().mode() & 0o777;
        if mode != want {
            problems.push(format!(
                "umask {umask} {extra}: the output's mode is {mode:o}, not {want:o}"
            ));
        }
    }
    Ok(problems)
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

/// Lines of `tests/debug/c/calc.c` the test names.
const SQUARE_BODY_LINE: u32 = 8;
const SQUARE_OPENING_LINE: u32 = 6;
const TRAP_LINE: u32 = 15;

fn c_under_gdb(ctx: &Ctx) -> Result<Vec<String>> {
    let dir = ctx.tools.root.join("tests/debug/c");
    let (main_c, calc_c) = (dir.join("main.c"), dir.join("calc.c"));
    let wasm = zig_cc_files(
        &ctx.tools,
        &[&main_c, &calc_c],
        &["-g", "-O0", "-fno-sanitize=undefined"],
    )?;
    let scratch = ctx.scratch("debug-c")?;
    let exe = ctx.compile(&wasm, scratch.path(), "calc", &[])?;
    let mut problems = Vec::new();

    // A breakpoint on a line of the second file, reached through a static function of the
    // first: both frames show their function, file and line.
    let gdb = gdb_batch_args(
        &exe,
        &[&format!("break calc.c:{SQUARE_BODY_LINE}"), "run", "bt"],
        &["3"],
    )?;
    let out = String::from_utf8_lossy(&gdb.stdout);
    let frames: Vec<&str> = out.lines().filter(|l| l.starts_with('#')).collect();
    let hit = out.contains("hit Breakpoint 1");
    let top = frames.first().copied().unwrap_or_default();
    let caller = frames.get(1).copied().unwrap_or_default();
    if !hit
        || !top.contains("square")
        || !top.contains(&format!("calc.c:{SQUARE_BODY_LINE}"))
        || !caller.contains("accumulate")
        || !caller.contains("main.c:14")
    {
        problems.push(format!(
            "gdb did not stop at calc.c:{SQUARE_BODY_LINE} in square, called from accumulate at main.c:14:\n{out}{}",
            gdb.stderr_text()
        ));
    } else if !frames.iter().any(|f| f.contains("wasmaot_runtime::entry")) {
        problems.push(format!(
            "bt does not walk from the C frames into wasmaot's runtime:\n{}",
            frames.join("\n")
        ));
    }

    // addr2line: the address of `square` is its opening line.
    let nm = run(&Invocation::new("nm").arg(&exe)).context("running nm (binutils)")?;
    let symbols = String::from_utf8_lossy(&nm.stdout);
    match symbols
        .lines()
        .find(|l| l.ends_with(" square"))
        .and_then(|l| l.split_whitespace().next())
    {
        None => problems.push("nm does not list `square`".to_string()),
        Some(address) => {
            let a2l = run(&Invocation::new("addr2line")
                .args(["-f", "-e"])
                .arg(&exe)
                .arg(address))
            .context("running addr2line (binutils)")?;
            let text = String::from_utf8_lossy(&a2l.stdout);
            let mut lines = text.lines();
            let (func, place) = (lines.next().unwrap_or(""), lines.next().unwrap_or(""));
            if func != "square" || !place.ends_with(&format!("calc.c:{SQUARE_OPENING_LINE}")) {
                problems.push(format!(
                    "addr2line -f of square's address {address} gives `{func}` at `{place}`, not square at calc.c:{SQUARE_OPENING_LINE}"
                ));
            }
        }
    }

    // `-g0` (`--strip`) leaves the DWARF out, with the symbols.
    let bare = ctx.compile(&wasm, scratch.path(), "calc", &["-g0".to_string()])?;
    let has_section = |exe: &Path, name: &str| -> Result<bool> {
        let sections = run(&Invocation::new("readelf").args(["-S", "-W"]).arg(exe))
            .context("running readelf (binutils)")?;
        Ok(String::from_utf8_lossy(&sections.stdout)
            .split_whitespace()
            .any(|w| w == name))
    };
    if !has_section(&exe, ".debug_line")? {
        problems.push("the executable has no .debug_line".to_string());
    }
    if has_section(&bare, ".debug_line")? || has_section(&bare, ".symtab")? {
        problems.push("the -g0 executable still has .debug_line or .symtab".to_string());
    }

    // A trap: the backtrace gives the trapping line and the caller's.
    let trap = run(&Invocation::new(&exe).args(["4", "trap"]))?;
    let stderr = trap.stderr_text();
    let frame_line = |name: &str| {
        stderr
            .lines()
            .find(|l| {
                l.trim_start()
                    .split_once(": ")
                    .is_some_and(|(_, f)| f == name || f.starts_with(&format!("{name} at ")))
            })
            .unwrap_or_default()
            .to_string()
    };
    let top = frame_line("check_positive");
    if trap.status() == 0
        || !top.contains(&format!("calc.c:{TRAP_LINE}"))
        || !frame_line("main").contains("main.c:22")
    {
        problems.push(format!(
            "the trap's backtrace does not give check_positive at calc.c:{TRAP_LINE} and its caller at main.c:22 ({}; found `{top}`):\n{stderr}",
            trap.describe_end()
        ));
    }
    Ok(problems)
}

/// Why `perf record` cannot run here, if it cannot.
fn perf_unavailable() -> Option<String> {
    let paranoid = std::fs::read_to_string("/proc/sys/kernel/perf_event_paranoid")
        .ok()
        .and_then(|s| s.trim().parse::<i32>().ok());
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    if paranoid.is_some_and(|p| p > 2) && !root {
        return Some(format!(
            "perf cannot record here: kernel.perf_event_paranoid is {}",
            paranoid.unwrap_or_default()
        ));
    }
    match run(&Invocation::new("perf").arg("--version")) {
        Ok(o) if o.status() == 0 => {}
        _ => return Some("perf is not installed (Debian's linux-perf)".to_string()),
    }
    // The kernel or a container can still refuse perf events: try a recording of `true`.
    let data = std::env::temp_dir().join(format!("wasmaot-perf-probe-{}.data", std::process::id()));
    let probe = run(&Invocation::new("perf")
        .args(["record", "-q", "-g", "-o"])
        .arg(&data)
        .args(["--", "true"]));
    let _ = std::fs::remove_file(&data);
    match probe {
        Ok(o) if o.status() == 0 => None,
        Ok(o) => Some(format!(
            "perf cannot record here ({}): {}",
            o.describe_end(),
            o.stderr_text().lines().next().unwrap_or_default()
        )),
        Err(e) => Some(format!("perf cannot record here: {e}")),
    }
}

fn go_under_perf(ctx: &Ctx) -> Result<Vec<String>> {
    let wasm = go_build(&ctx.tools, &ctx.tools.root.join("tests/debug/perf"))?;
    let scratch = ctx.scratch("debug-perf")?;
    let exe = ctx.compile(&wasm, scratch.path(), "collatz", &[])?;
    let mut problems = Vec::new();
    // Frame pointers (`-g`), then the `.eh_frame` call-frame information found through
    // `.eh_frame_hdr` (`--call-graph dwarf`).
    for (mode, flags) in [
        ("fp", &["-g"][..]),
        ("dwarf", &["--call-graph", "dwarf"][..]),
    ] {
        let data = scratch.path().join(format!("perf-{mode}.data"));
        let record = run(&Invocation::new("perf")
            .args(["record", "-q", "-F", "1000"])
            .args(flags.iter().copied())
            .arg("-o")
            .arg(&data)
            .arg(&exe)
            .arg("1000000"))?;
        if record.status() != 0 || !data.is_file() {
            // Recording can be refused by the kernel or the container (no perf events).
            let why = record.stderr_text();
            if why.contains("perf_event")
                || why.contains("Permission")
                || why.contains("not supported")
            {
                println!(
                    "debug/go-perf: perf cannot record here, so it was not checked: {}",
                    why.trim()
                );
                return Ok(Vec::new());
            }
            problems.push(format!(
                "perf record {} failed ({}):\n{why}",
                flags.join(" "),
                record.describe_end()
            ));
            continue;
        }
        let report = run(&Invocation::new("perf")
            .args(["report", "--stdio", "--no-children", "-i"])
            .arg(&data))?;
        let text = String::from_utf8_lossy(&report.stdout);
        // The hot function, and the call chain above it into the runtime, by Go name.
        let missing: Vec<&str> = [
            "main.longestCollatz",
            "main.main",
            "runtime.main",
            "wasmaot_runtime::entry::run",
        ]
        .into_iter()
        .filter(|name| !text.contains(name))
        .collect();
        if !missing.is_empty() {
            let head: Vec<&str> = text
                .lines()
                .filter(|l| !l.starts_with('#'))
                .take(30)
                .collect();
            problems.push(format!(
                "perf record {} / report --stdio does not show {}:\n{}",
                flags.join(" "),
                missing.join(", "),
                head.join("\n")
            ));
        }
    }
    Ok(problems)
}

/// Runs `gdb -batch` on `exe` with `commands`; a missing gdb is an error saying how to get it.
fn gdb_batch(exe: &Path, commands: &[&str]) -> Result<wasmaot_tests::Outcome> {
    gdb_batch_args(exe, commands, &[])
}

/// [`gdb_batch`], the program run with `args`.
fn gdb_batch_args(exe: &Path, commands: &[&str], args: &[&str]) -> Result<wasmaot_tests::Outcome> {
    let mut inv = Invocation::new("gdb").args(["-nx", "-batch"]);
    for c in commands {
        inv = inv.args(["-ex", c]);
    }
    inv = inv.arg("--args").arg(exe).args(args.iter().copied());
    run(&inv).context("running gdb (install it with `make tools`, Debian's gdb)")
}

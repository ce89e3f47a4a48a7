//! `relaxed/` and `aarch64/relaxed-simd` cases: `tests/relaxed-simd/main.c` (every relaxed
//! SIMD operator, fed the inputs where engines may differ) built with `-mrelaxed-simd`,
//! compiled with `wasmaot` at each CPU level, and run. Its output must equal, byte
//! for byte, both `expected-<level>.txt` and what `wasmtime run` prints for the same CPU
//! features, because wasmaot promises the relaxed results wasmtime gives
//! (`compiler/src/translate/simd_relaxed.rs`):
//!
//! - `relaxed/x86_64-baseline`: wasmtime compiles for x86_64 with exactly the features of
//!   wasmaot's baseline (SSE3 to SSE4.2, POPCNT; no AVX, no FMA);
//! - `relaxed/x86_64-v3`: both with the x86-64-v3 features (FMA: fused `relaxed_madd`);
//! - `relaxed/x86_64-native`: `--cpu native` against wasmtime's default (this machine's
//!   features), with no expected file (the output depends on the machine);
//! - `aarch64/relaxed-simd`: wasmaot's aarch64 executable under qemu against
//!   `wasmtime run -W relaxed-simd-deterministic=y` on this machine: Cranelift's aarch64
//!   choices are all the deterministic ones (fused madd, saturating truncation, wasm's
//!   swizzle, min/max and q15mulr, `bitselect`, exact dot products).
//!
//! Must never compare wasmaot with wasmtime at different CPU features: the expected outputs
//! differ between levels by design (the madd lines, for one).

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use wasmaot_tests::{Invocation, Outcome, RunSpec, run, run_native, zig_cc};

use super::{AARCH64, Case, Ctx, Problems, Verdict, aarch64_run, case, host_has_x86_64_v3};

/// zig cc flags: the e2e C flags plus relaxed SIMD.
const C_FLAGS: [&str; 4] = ["-O2", "-msimd128", "-mrelaxed-simd", "-s"];

/// Cranelift settings giving wasmtime wasmaot's `--cpu baseline` on x86_64 (`codegen/isa.rs`).
const WASMTIME_BASELINE: &[&str] = &[
    "cranelift-has-sse3",
    "cranelift-has-ssse3",
    "cranelift-has-sse41",
    "cranelift-has-sse42",
    "cranelift-has-popcnt",
];

/// What `--cpu x86-64-v3` adds.
const WASMTIME_V3: &[&str] = &[
    "cranelift-has-avx",
    "cranelift-has-avx2",
    "cranelift-has-bmi1",
    "cranelift-has-bmi2",
    "cranelift-has-lzcnt",
    "cranelift-has-fma",
];

/// One CPU level: the case name, wasmaot's flags, and wasmtime's Cranelift settings (`None`:
/// this machine's features, wasmtime's default, with no expected file since the output then
/// depends on the machine).
struct Level {
    name: &'static str,
    wasmaot_flags: &'static [&'static str],
    wasmtime_settings: Option<Vec<&'static str>>,
}

pub(super) fn relaxed_cases(cases: &mut Vec<Case>) {
    let levels = [
        Level {
            name: "x86_64-baseline",
            wasmaot_flags: &[],
            wasmtime_settings: Some(WASMTIME_BASELINE.to_vec()),
        },
        Level {
            name: "x86_64-v3",
            wasmaot_flags: &["--cpu", "x86-64-v3"],
            wasmtime_settings: Some([WASMTIME_BASELINE, WASMTIME_V3].concat()),
        },
        Level {
            name: "x86_64-native",
            wasmaot_flags: &["--cpu", "native"],
            wasmtime_settings: None,
        },
    ];
    for level in levels {
        cases.push(case(format!("relaxed/{}", level.name), move |ctx| {
            if !cfg!(target_arch = "x86_64") {
                return Verdict::Skip("the x86_64 levels are tested on x86_64 hosts".into());
            }
            if level.name == "x86_64-v3" && !host_has_x86_64_v3() {
                return Verdict::Skip("this CPU lacks x86-64-v3 features".into());
            }
            if level.wasmtime_settings.is_none() && !(ctx.mode.wasmtime && ctx.mode.wasmaot) {
                // With no expected file, the only check is wasmaot against wasmtime.
                return Verdict::Skip("the native level needs both wasmaot and wasmtime".into());
            }
            x86_64_level(ctx, &level)
        }));
    }
    cases.push(case("aarch64/relaxed-simd", |ctx| {
        aarch64_run(ctx, |qemu| {
            let (wasm, expected) = program(ctx, "aarch64")?;
            let scratch = ctx.scratch("aarch64-relaxed")?;
            let flags = ["--target", AARCH64].map(String::from);
            let exe = ctx.compile(&wasm, scratch.path(), "relaxed", &flags)?;
            let ours = stdout_of(&run_native(&exe, &spec(), Some(qemu))?)?;
            let mut problems = compare("wasmaot (aarch64)", &ours, "expected", &expected);
            if ctx.mode.wasmtime {
                let inv = Invocation::new(&ctx.tools.wasmtime)
                    .args(["run", "-W", "relaxed-simd-deterministic=y"])
                    .arg(&wasm);
                let theirs = stdout_of(&run(&inv)?)?;
                problems.extend(compare(
                    "wasmaot (aarch64)",
                    &ours,
                    "wasmtime (deterministic)",
                    &theirs,
                ));
            }
            Ok(problems)
        })
    }));
}

/// The program's wasm and the expected output at `level` (`None` for the native level).
fn program_at(ctx: &Ctx, level: &str) -> Result<(PathBuf, Option<String>)> {
    let dir = ctx.tools.root.join("tests/relaxed-simd");
    let wasm = zig_cc(&ctx.tools, &dir.join("main.c"), &C_FLAGS)?;
    let path = dir.join(format!("expected-{level}.txt"));
    if level.ends_with("native") {
        return Ok((wasm, None));
    }
    let expected =
        fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    Ok((wasm, Some(expected)))
}

/// [`program_at`] for a level with an expected file.
fn program(ctx: &Ctx, level: &str) -> Result<(PathBuf, String)> {
    let (wasm, expected) = program_at(ctx, level)?;
    Ok((wasm, expected.context("no expected file at this level")?))
}

fn spec() -> RunSpec {
    RunSpec {
        argv: vec!["relaxed".into()],
        ..RunSpec::default()
    }
}

/// The stdout of a run that must exit 0 with nothing on stderr.
fn stdout_of(out: &Outcome) -> Result<String> {
    if out.status() != 0 || !out.stderr.is_empty() {
        bail!("{}; stderr: {}", out.describe_end(), out.stderr_text());
    }
    Ok(out.stdout_text())
}

/// The lines where `a` and `b` differ, as problems.
fn compare(a_name: &str, a: &str, b_name: &str, b: &str) -> Vec<String> {
    if a == b {
        return vec![];
    }
    let (al, bl): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let mut problems = Vec::new();
    for i in 0..al.len().max(bl.len()) {
        let (x, y) = (al.get(i).copied(), bl.get(i).copied());
        if x != y {
            problems.push(format!(
                "line {}: {a_name} {:?}, {b_name} {:?}",
                i + 1,
                x.unwrap_or("<none>"),
                y.unwrap_or("<none>")
            ));
        }
    }
    if problems.is_empty() {
        problems.push(format!("{a_name} and {b_name} differ in line endings"));
    }
    problems
}

/// One x86_64 level: each side against the expected file, and wasmaot against wasmtime.
fn x86_64_level(ctx: &Ctx, level: &Level) -> Verdict {
    let mut p = Problems::default();
    let (wasm, expected) = match program_at(ctx, level.name) {
        Ok(x) => x,
        Err(e) => return Verdict::Fail(vec![format!("{e:#}")]),
    };
    let scratch = match ctx.scratch(&format!("relaxed-{}", level.name)) {
        Ok(s) => s,
        Err(e) => return Verdict::Fail(vec![format!("{e:#}")]),
    };
    let mut theirs = None;
    if ctx.mode.wasmtime {
        let result = wasmtime_at_level(ctx, &wasm, scratch.path(), level);
        p.side(
            "wasmtime",
            result.map(|out| {
                let problems = match &expected {
                    Some(expected) => compare("wasmtime", &out, "expected", expected),
                    None => vec![],
                };
                theirs = Some(out);
                problems
            }),
        );
    }
    if ctx.mode.wasmaot {
        p.side(
            "wasmaot",
            (|| {
                let flags: Vec<String> =
                    level.wasmaot_flags.iter().map(|f| f.to_string()).collect();
                let exe = ctx.compile(&wasm, scratch.path(), "relaxed", &flags)?;
                let ours = stdout_of(&run_native(&exe, &spec(), None)?)?;
                let mut problems = match &expected {
                    Some(expected) => compare("wasmaot", &ours, "expected", expected),
                    None => vec![],
                };
                if let Some(theirs) = &theirs {
                    problems.extend(compare("wasmaot", &ours, "wasmtime", theirs));
                }
                Ok(problems)
            })(),
        );
    }
    p.verdict()
}

/// `wasmtime compile` for x86_64 with exactly `level`'s features (no host detection; or this
/// machine's for the native level), then `wasmtime run` of the result: its stdout.
fn wasmtime_at_level(ctx: &Ctx, wasm: &Path, dir: &Path, level: &Level) -> Result<String> {
    let cwasm = dir.join("relaxed.cwasm");
    let mut compile = Invocation::new(&ctx.tools.wasmtime).arg("compile");
    if let Some(settings) = &level.wasmtime_settings {
        compile = compile.args(["--target", "x86_64-unknown-linux-gnu"]);
        for setting in settings {
            compile = compile.arg(format!("-C{setting}=true"));
        }
    }
    let compile = compile.arg(wasm).arg("-o").arg(&cwasm);
    let out = run(&compile)?;
    if out.status() != 0 {
        bail!("{} failed: {}", compile.describe(), out.stderr_text());
    }
    let inv = Invocation::new(&ctx.tools.wasmtime)
        .args(["run", "--allow-precompiled"])
        .arg(&cwasm);
    stdout_of(&run(&inv)?)
}

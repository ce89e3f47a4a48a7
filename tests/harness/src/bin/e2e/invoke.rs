//! The corpus' `invoke` cases (`wasmtime run --invoke NAME MODULE ARGS...`: instantiate, run
//! `_initialize` if exported, call one export with arguments given in decimal, print each
//! result on a line). wasmaot has no run mode for this; the case does what a user would do:
//! compile the module into a static library and call the export from a small C program
//! through the embedding API (`wasmaot_instance_call`), generated here for the export's
//! signature. A trap prints the error and exits with 134, as wasmtime does.
//!
//! Must never pass without running the export through both engines (unless `--no-wasmtime` /
//! `--wasmtime-only` leave out one side).

use std::ffi::OsString;
use std::fs;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use wasmaot_tests::{
    CorpusCase, Invocation, Outcome, indent, run, wasmaot_compile_ok, wasmtime_precompiled,
};

use super::{Ctx, Problems, Verdict};

/// The C type, the conversion from a decimal argument, and the `printf` of a result, per wasm
/// value type.
fn c_scalar(t: wasmparser::ValType) -> Result<(&'static str, &'static str, &'static str)> {
    Ok(match t {
        wasmparser::ValType::I32 => (
            "i32",
            "(int32_t)strtoll(%s, 0, 10)",
            "printf(\"%d\\n\", v[%d].i32);",
        ),
        wasmparser::ValType::I64 => (
            "i64",
            "(int64_t)strtoll(%s, 0, 10)",
            "printf(\"%lld\\n\", (long long)v[%d].i64);",
        ),
        wasmparser::ValType::F32 => ("f32", "strtof(%s, 0)", "printf(\"%g\\n\", v[%d].f32);"),
        wasmparser::ValType::F64 => ("f64", "strtod(%s, 0)", "printf(\"%g\\n\", v[%d].f64);"),
        other => {
            bail!("invoke of a function with a {other:?} value is not supported by the driver")
        }
    })
}

/// The signature of the exported function `name`.
fn export_signature(wasm: &[u8], name: &str) -> Result<wasmparser::FuncType> {
    let mut types = Vec::new();
    let mut funcs: Vec<u32> = Vec::new();
    let mut export = None;
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload? {
            wasmparser::Payload::TypeSection(r) => {
                for ty in r.into_iter_err_on_gc_types() {
                    types.push(ty?);
                }
            }
            wasmparser::Payload::ImportSection(r) => {
                for imp in r.into_imports() {
                    if let wasmparser::TypeRef::Func(t) = imp?.ty {
                        funcs.push(t);
                    }
                }
            }
            wasmparser::Payload::FunctionSection(r) => {
                for t in r {
                    funcs.push(t?);
                }
            }
            wasmparser::Payload::ExportSection(r) => {
                for e in r {
                    let e = e?;
                    if e.name == name && e.kind == wasmparser::ExternalKind::Func {
                        export = Some(e.index);
                    }
                }
            }
            _ => {}
        }
    }
    let index = export.with_context(|| format!("the module exports no function `{name}`"))?;
    let ty = *funcs
        .get(index as usize)
        .context("function index out of range")?;
    types
        .get(ty as usize)
        .cloned()
        .context("type index out of range")
}

/// The C driver for one export.
fn driver_source(prefix: &str, name: &str, sig: &wasmparser::FuncType) -> Result<String> {
    let n = sig.params().len().max(sig.results().len()).max(1);
    let mut s = format!(
        "#include <stdio.h>\n#include <stdlib.h>\n#include \"{prefix}.h\"\n\nint main(int argc, char **argv) {{\n    if (argc != {} + 1) {{ fprintf(stderr, \"expected {} arguments\\n\"); return 2; }}\n    wasmaot_config *cfg = wasmaot_config_new();\n    wasmaot_config_arg(cfg, \"{prefix}\");\n    wasmaot_config_inherit_stdio(cfg);\n    wasmaot_error *err = NULL;\n    wasmaot_instance *inst = {prefix}_new(cfg, &err);\n    if (!inst || {prefix}_initialize(inst, &err)) {{ fprintf(stderr, \"%s\\n\", wasmaot_error_message(err)); return 1; }}\n    wasmaot_val v[{n}];\n",
        sig.params().len(),
        sig.params().len(),
    );
    for (i, &t) in sig.params().iter().enumerate() {
        let (field, parse, _) = c_scalar(t)?;
        s.push_str(&format!(
            "    v[{i}].{field} = {};\n",
            parse.replace("%s", &format!("argv[{}]", i + 1))
        ));
    }
    let quoted: String = name.bytes().map(|b| format!("\\x{b:02x}")).collect();
    s.push_str(&format!(
        "    if (wasmaot_instance_call(inst, \"{quoted}\", v, {n}, &err)) {{\n        if (wasmaot_error_kind(err) == WASMAOT_ERROR_EXIT) return wasmaot_error_exit_status(err);\n        fflush(stdout);\n        fprintf(stderr, \"%s\\n\", wasmaot_error_message(err));\n        return wasmaot_error_kind(err) == WASMAOT_ERROR_TRAP ? 134 : 1;\n    }}\n"
    ));
    for (i, &t) in sig.results().iter().enumerate() {
        let (_, _, print) = c_scalar(t)?;
        s.push_str(&format!("    {}\n", print.replace("%d]", &format!("{i}]"))));
    }
    s.push_str("    return 0;\n}\n");
    Ok(s)
}

/// wasmaot: static library + generated driver, run natively.
fn wasmaot_side(
    ctx: &Ctx,
    name: &str,
    wasm: &Path,
    export: &str,
    args: &[String],
) -> Result<Outcome> {
    let bytes = fs::read(wasm)?;
    let sig = export_signature(&bytes, export)?;
    let scratch = ctx.scratch(name)?;
    let dir = scratch.path().to_path_buf();
    let lib = dir.join("libinvoked.a");
    let flags = vec!["--emit".to_string(), "staticlib".to_string()];
    wasmaot_compile_ok(&ctx.tools, wasm, &lib, &flags)?;
    let src = dir.join("driver.c");
    fs::write(&src, driver_source("invoked", export, &sig)?)?;
    let exe = dir.join("driver");
    let cc = run(&Invocation::new("cc")
        .args(["-O2", "-Wall", "-Werror", "-o"])
        .arg(&exe)
        .arg("-I")
        .arg(&dir)
        .arg(&src)
        .arg(&lib)
        .timeout(Duration::from_secs(300)))?;
    if cc.status() != 0 {
        bail!(
            "building the invoke driver failed:\n{}",
            indent(&cc.stderr_text())
        );
    }
    let mut inv = Invocation::new(&exe).args(args.iter().map(OsString::from));
    inv.clear_env = true;
    run(&inv)
}

/// What the corpus recorded of an invoke run: wasmtime's warnings that `--invoke` with
/// arguments or results is experimental are not part of it, and its stdout has `\n` line ends
/// where TinyGo's `println` writes `\r\n` (both engines print the `\r`).
fn as_recorded(mut out: Outcome) -> Outcome {
    let stderr = out.stderr_text();
    let kept: String = stderr
        .split_inclusive('\n')
        .filter(|l| !(l.starts_with("warning: using `--invoke`") && l.contains("experimental")))
        .collect();
    out.stderr = kept.into_bytes();
    out.stdout = out.stdout_text().replace("\r\n", "\n").into_bytes();
    out
}

/// wasmtime: `wasmtime run --invoke`.
fn wasmtime_side(ctx: &Ctx, wasm: &Path, c: &CorpusCase, export: &str) -> Result<Outcome> {
    let module = wasmtime_precompiled(&ctx.tools, wasm)?;
    let mut inv = Invocation::new(&ctx.tools.wasmtime).arg("run");
    if c.preview0 {
        inv = inv.args(["-S", "preview0=y"]);
    }
    inv = inv
        .args(["--allow-precompiled", "--invoke", export])
        .arg(module)
        .args(c.args.iter().map(OsString::from));
    inv.clear_env = true;
    inv.env = vec![("RUST_BACKTRACE".into(), "0".into())];
    run(&inv)
}

pub(super) fn corpus_invoke(
    ctx: &Ctx,
    name: &str,
    suite: &Path,
    folder: &Path,
    c: &CorpusCase,
) -> Verdict {
    let wasm = folder.join(&c.wasm);
    let Some(export) = c.invoke.clone() else {
        return Verdict::Fail(vec!["an invoke case without `invoke`".into()]);
    };
    let mut p = Problems::default();
    let check = |out: Result<Outcome>| -> Result<Vec<String>> {
        let scratch = ctx.scratch(name)?;
        let (spec, work) = c.prepare(suite, folder, scratch.path())?;
        Ok(c.check(&c.expected, &as_recorded(out?), &spec, &work))
    };
    if ctx.mode.wasmtime {
        p.side("wasmtime", check(wasmtime_side(ctx, &wasm, c, &export)));
    }
    if ctx.mode.wasmaot {
        p.side(
            "wasmaot",
            check(wasmaot_side(ctx, name, &wasm, &export, &c.args)),
        );
    }
    p.verdict()
}

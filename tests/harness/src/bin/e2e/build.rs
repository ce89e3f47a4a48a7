//! `build/` cases: `wasmaot build`, Go's build and the compiler in one step.
//!
//! * `build/go-package`: a Go module in a fresh folder, built with `wasmaot build -o app .`
//!   (the Go toolchain is `$GO`); the executable runs and prints what the program prints.
//! * `build/go-error`: a syntax error: Go's own message on stderr, exit status 1, no output.
//! * `build/no-go`: `$GO` names nothing: a clear error saying how to get Go, no output.
//!
//! Must never use the network: Go runs offline with the repository's caches.

use std::fs;
use std::path::Path;

use anyhow::Result;
use wasmaot_tests::{Invocation, Outcome, go_env, run};

use super::{Case, Ctx, case, wasmaot_only};

const GOOD: &str =
    "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"built by wasmaot build\") }\n";
const BAD: &str = "package main\n\nfunc main() { x := }\n";

pub(super) fn build_cases(cases: &mut Vec<Case>) {
    cases.push(case("build/go-package", |ctx| {
        wasmaot_only(ctx, || {
            let (dir, out) = build(ctx, "good", GOOD, None)?;
            let app = dir.path().join("app");
            let mut p = Vec::new();
            if out.status() != 0 {
                p.push(format!("wasmaot build failed: {}", out.describe_end()));
                return Ok(p);
            }
            let ran = run(&Invocation::new(&app))?;
            if ran.stdout_text() != "built by wasmaot build\n" || ran.status() != 0 {
                p.push(format!("the executable printed: {}", ran.describe_end()));
            }
            Ok(p)
        })
    }));
    cases.push(case("build/go-error", |ctx| {
        wasmaot_only(ctx, || {
            let (dir, out) = build(ctx, "bad", BAD, None)?;
            Ok(failure_problems(
                &out,
                &dir.path().join("app"),
                "syntax error",
            ))
        })
    }));
    cases.push(case("build/no-go", |ctx| {
        wasmaot_only(ctx, || {
            let (dir, out) = build(ctx, "nogo", GOOD, Some("/nonexistent/go"))?;
            Ok(failure_problems(
                &out,
                &dir.path().join("app"),
                "no Go toolchain",
            ))
        })
    }));
}

/// Writes a Go module with `main.go` = `source` and runs `wasmaot build -o app .` in it.
fn build(
    ctx: &Ctx,
    name: &str,
    source: &str,
    go: Option<&str>,
) -> Result<(tempfile::TempDir, Outcome)> {
    let dir = ctx.scratch(&format!("build-{name}"))?;
    fs::write(dir.path().join("main.go"), source)?;
    fs::write(
        dir.path().join("go.mod"),
        "module example.com/app\n\ngo 1.21\n",
    )?;
    let mut inv = Invocation::new(&ctx.tools.wasmaot).args(["build", "-o", "app", "."]);
    // Offline, with the repository's caches; module mode for a module folder.
    inv.env = go_env(&ctx.tools)
        .into_iter()
        .filter(|(k, _)| k != "GOOS" && k != "GOARCH" && k != "GO111MODULE")
        .collect();
    inv.env.push((
        "GO".into(),
        go.map(str::to_string)
            .unwrap_or_else(|| ctx.tools.go.display().to_string()),
    ));
    inv.cwd = Some(dir.path().to_path_buf());
    let out = run(&inv)?;
    Ok((dir, out))
}

/// A failed build: exit status 1, `needle` on stderr, no output file.
fn failure_problems(out: &Outcome, app: &Path, needle: &str) -> Vec<String> {
    let mut p = Vec::new();
    if out.status() != 1 {
        p.push(format!("exit status {}, expected 1", out.status()));
    }
    if !out.stderr_text().contains(needle) {
        p.push(format!("stderr lacks `{needle}`: {}", out.stderr_text()));
    }
    if app.exists() {
        p.push("an output file was left".to_string());
    }
    p
}

//! `trace/*` cases: the WASI call trace (`WASMAOT_LOG=wasi=trace`) through the real pipeline.
//! Programs compiled by `wasmaot` run with the variable set; their stderr, normalised (times,
//! random bytes and bad-pointer addresses replaced), must equal a golden file in `tests/trace`
//! (`BLESS=1` rewrites the golden files instead; review the diff).
//!
//! * `trace/go-hello`: `tests/go/hello`, against `tests/trace/go-hello.trace`.
//! * `trace/run`: the same module under `wasmaot run --argv0 hello`: the same trace.
//! * `trace/errors`: `tests/trace/errors.wat`, failing calls (errno and flags by name, a bad
//!   pointer), against `tests/trace/errors.trace`.
//! * `trace/unstable`: a `wasi_unstable` module, against `tests/trace/unstable.trace`.
//! * `trace/off`: without the variable, or with it selecting nothing, nothing is printed; an
//!   unknown directive gives one warning line.
//!
//! Must never pass on a trace that was not compared: a missing golden file fails unless
//! blessing.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use wasmaot_tests::{Invocation, Outcome, RunSpec, compile_flags, go_build, run};

use super::{Case, Ctx, case, wasmaot_only};

const LOG_ENV: &str = "WASMAOT_LOG";
const HELLO_STDOUT: &str = "Hello from Go on wasmaot!\n2 + 3 = 5\n";

pub(super) fn trace_cases(cases: &mut Vec<Case>) {
    cases.push(case("trace/go-hello", |ctx| {
        wasmaot_only(ctx, || {
            let exe = hello_exe(ctx)?;
            let out = run_with_log(&exe, &hello_spec(), Some("wasi=trace"))?;
            let mut p = check_end(&out, 0, HELLO_STDOUT);
            p.extend(compare_golden(ctx, "go-hello.trace", &out)?);
            Ok(p)
        })
    }));
    cases.push(case("trace/run", |ctx| {
        wasmaot_only(ctx, || {
            let wasm = go_build(&ctx.tools, &ctx.tools.root.join("tests/go/hello"))?;
            let scratch = ctx.scratch("trace-run")?;
            let mut inv = Invocation::new(&ctx.tools.wasmaot)
                .args(["run", "--argv0", "hello"])
                .arg(&wasm);
            inv.clear_env = true;
            inv.env = vec![
                (LOG_ENV.into(), "wasi=trace".into()),
                (
                    "WASMAOT_CACHE_DIR".into(),
                    scratch.path().display().to_string(),
                ),
                ("PATH".into(), std::env::var("PATH").unwrap_or_default()),
            ];
            inv.timeout = std::time::Duration::from_secs(600);
            let out = run(&inv)?;
            let mut p = check_end(&out, 0, HELLO_STDOUT);
            p.extend(compare_golden(ctx, "go-hello.trace", &out)?);
            Ok(p)
        })
    }));
    for name in ["errors", "unstable"] {
        cases.push(case(format!("trace/{name}"), move |ctx| {
            wasmaot_only(ctx, || {
                let wat = ctx.tools.root.join(format!("tests/trace/{name}.wat"));
                let scratch = ctx.scratch(&format!("trace-{name}"))?;
                let spec = RunSpec {
                    argv: vec![name.to_string()],
                    dirs: vec![(scratch.path().to_path_buf(), "/".into())],
                    ..RunSpec::default()
                };
                let exe = ctx.compile(&wat, scratch.path(), name, &compile_flags(&spec))?;
                let out = run_with_log(&exe, &spec, Some("wasi=trace"))?;
                let (status, stdout) = match name {
                    "errors" => (3, ""),
                    _ => (0, "ok\n"),
                };
                let mut p = check_end(&out, status, stdout);
                p.extend(compare_golden(ctx, &format!("{name}.trace"), &out)?);
                Ok(p)
            })
        }));
    }
    cases.push(case("trace/off", |ctx| {
        wasmaot_only(ctx, || {
            let exe = hello_exe(ctx)?;
            let mut p = Vec::new();
            for log in [
                None,
                Some(""),
                Some("wasi=off"),
                Some("debug"),
                Some("trace,wasi=info"),
            ] {
                let out = run_with_log(&exe, &hello_spec(), log)?;
                p.extend(
                    check_end(&out, 0, HELLO_STDOUT)
                        .into_iter()
                        .map(|e| format!("{LOG_ENV}={log:?}: {e}")),
                );
                if !out.stderr.is_empty() {
                    p.push(format!(
                        "{LOG_ENV}={log:?}: printed on stderr:\n{}",
                        out.stderr_text()
                    ));
                }
            }
            let out = run_with_log(&exe, &hello_spec(), Some("wasi=loud"))?;
            let want = "wasmaot: WASMAOT_LOG: ignoring `wasi=loud`: unknown level\n";
            if out.stderr_text() != want {
                p.push(format!(
                    "{LOG_ENV}=wasi=loud: expected one warning {want:?}, got {:?}",
                    out.stderr_text()
                ));
            }
            Ok(p)
        })
    }));
}

fn hello_spec() -> RunSpec {
    RunSpec {
        argv: vec!["hello".into()],
        ..RunSpec::default()
    }
}

fn hello_exe(ctx: &Ctx) -> Result<PathBuf> {
    let wasm = go_build(&ctx.tools, &ctx.tools.root.join("tests/go/hello"))?;
    ctx.compile(&wasm, &ctx.tmp, "hello", &[])
}

/// Runs `exe` as `run_native` does (empty environment), with [`LOG_ENV`] set to `log`.
fn run_with_log(exe: &Path, spec: &RunSpec, log: Option<&str>) -> Result<Outcome> {
    let mut inv = Invocation::new(exe);
    inv.argv0 = spec.argv.first().cloned();
    inv.args.extend(spec.argv.iter().skip(1).map(Into::into));
    inv.clear_env = true;
    if let Some(log) = log {
        inv.env.push((LOG_ENV.into(), log.into()));
    }
    run(&inv)
}

fn check_end(out: &Outcome, status: i32, stdout: &str) -> Vec<String> {
    let mut p = Vec::new();
    if out.timed_out || out.signal.is_some() || out.status() != status {
        p.push(format!(
            "expected exit status {status}, got {}",
            out.describe_end()
        ));
    }
    if out.stdout_text() != stdout {
        p.push(format!(
            "stdout: expected {stdout:?}, got {:?}",
            out.stdout_text()
        ));
    }
    p
}

/// Compares the normalised stderr of `out` with `tests/trace/<golden>`, or writes it there
/// under `BLESS=1`.
fn compare_golden(ctx: &Ctx, golden: &str, out: &Outcome) -> Result<Vec<String>> {
    let path = ctx.tools.root.join("tests/trace").join(golden);
    let got = normalise(&out.stderr_text());
    if std::env::var_os("BLESS").is_some_and(|v| v == "1") {
        fs::write(&path, &got).with_context(|| format!("writing {}", path.display()))?;
        return Ok(vec![]);
    }
    let want = fs::read_to_string(&path).with_context(|| {
        format!(
            "reading {} (BLESS=1 target/debug/e2e trace/ creates it)",
            path.display()
        )
    })?;
    if got == want {
        return Ok(vec![]);
    }
    let mut diff = String::new();
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    for i in 0..w.len().max(g.len()) {
        let (a, b) = (w.get(i), g.get(i));
        if a != b {
            diff.push_str(&format!(
                "  line {}:\n    expected: {}\n    got:      {}\n",
                i + 1,
                a.unwrap_or(&"<none>"),
                b.unwrap_or(&"<none>")
            ));
        }
    }
    Ok(vec![format!(
        "trace differs from {} (if intended: BLESS=1 target/debug/e2e trace/, then review the diff):\n{diff}",
        path.display()
    )])
}

/// Replaces what differs between runs and machines: clock values (`time=`, `resolution=`),
/// the bytes `random_get` returned, and the address in `<bad pointer 0x...>`; and drops the
/// monotonic clock reads, whose number and place in a Go program's trace depend on timing
/// (its scheduler reads the clock when it checks for preemption and timers).
pub(crate) fn normalise(trace: &str) -> String {
    let mut out = String::new();
    for line in trace.lines() {
        if line.starts_with("wasi: clock_time_get(id=monotonic,") {
            continue;
        }
        let mut l = line.to_string();
        if l.starts_with("wasi: random_get(")
            && let Some(i) = l.find("buf=")
        {
            l.truncate(i + 4);
            l.push_str("<random>");
        }
        l = replace_after(&l, "time=", "<time>", |c| c.is_ascii_digit());
        l = replace_after(&l, "resolution=", "<ns>", |c| c.is_ascii_digit());
        l = replace_after(&l, "<bad pointer 0x", "?", |c| c.is_ascii_hexdigit());
        out.push_str(&l);
        out.push('\n');
    }
    out
}

/// `line` with every run of `keep` characters that follows `marker` replaced by `with`.
fn replace_after(line: &str, marker: &str, with: &str, keep: fn(char) -> bool) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(i) = rest.find(marker) {
        out.push_str(&rest[..i + marker.len()]);
        rest = &rest[i + marker.len()..];
        let end = rest.find(|c: char| !keep(c)).unwrap_or(rest.len());
        if end > 0 {
            out.push_str(with);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn normalises_times_randomness_and_pointers() {
        let t = "wasi: clock_time_get(id=realtime, precision=0) -> success, time=123\n\
                 wasi: clock_time_get(id=monotonic, precision=0) -> success, time=124\n\
                 wasi: random_get(buf_len=4) -> success, buf=\"\\x01a, b\"\n\
                 wasi: fd_write(fd=1, iovs=[<bad pointer 0xfff0>]) -> fault\n";
        assert_eq!(
            normalise(t),
            "wasi: clock_time_get(id=realtime, precision=0) -> success, time=<time>\n\
             wasi: random_get(buf_len=4) -> success, buf=<random>\n\
             wasi: fd_write(fd=1, iovs=[<bad pointer 0x?>]) -> fault\n"
        );
    }
}

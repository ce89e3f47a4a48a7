//! `interrupt/` cases: a compile killed by SIGINT, SIGTERM or SIGHUP at several points (while
//! compiling functions, while linking) leaves no temporary file beside the output, no work
//! directory in `$TMPDIR`, and an existing output file untouched; the compiler ends by the
//! signal. A compile that finished before the signal must have written a complete output.
//!
//! Must never pass a case in which no compile was actually interrupted at some point.

use std::fs;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use wasmaot_tests::go_build;

use super::{Case, Ctx, case, wasmaot_only};

const SIGNALS: [(&str, i32); 3] = [
    ("INT", libc::SIGINT),
    ("TERM", libc::SIGTERM),
    ("HUP", libc::SIGHUP),
];

/// Milliseconds after the start at which the compile is signalled (a Go hello world takes
/// about a second to compile and link with a debug wasmaot on 2 cores).
const DELAYS_MS: [u64; 4] = [30, 200, 500, 900];

/// Names in `dir` that look like our temporaries.
fn litter(dir: &Path, prefix: &str) -> Result<Vec<String>> {
    Ok(fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix))
        .collect())
}

fn interrupted_compiles(ctx: &Ctx, sig_name: &str, sig: i32) -> Result<Vec<String>> {
    let wasm = go_build(&ctx.tools, &ctx.tools.root.join("tests/go/hello"))?;
    let scratch = ctx.scratch(&format!("interrupt-{sig_name}"))?;
    let mut problems = Vec::new();
    let mut interrupted = 0;
    for ms in DELAYS_MS {
        let dir = scratch.path().join(format!("at-{ms}ms"));
        let tmpdir = dir.join("tmp");
        fs::create_dir_all(&tmpdir)?;
        let out = dir.join("hello");
        let old = b"an older output that an interrupted compile must not touch\n";
        fs::write(&out, old)?;
        let mut child = Command::new(&ctx.tools.wasmaot)
            .arg(&wasm)
            .arg("-o")
            .arg(&out)
            .env("TMPDIR", &tmpdir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .context("starting wasmaot")?;
        let start = Instant::now();
        std::thread::sleep(Duration::from_millis(ms));
        // SAFETY: signals our own child, not yet reaped.
        unsafe { libc::kill(child.id() as libc::pid_t, sig) };
        let status = child.wait()?;
        let at = format!("SIG{sig_name} at {ms} ms");
        let left = litter(&dir, ".wasmaot-")?;
        if !left.is_empty() {
            problems.push(format!(
                "{at}: temporary files left beside the output: {left:?}"
            ));
        }
        let left = litter(&tmpdir, "")?;
        if !left.is_empty() {
            problems.push(format!("{at}: left in $TMPDIR: {left:?}"));
        }
        let now = fs::read(&out)?;
        match status.signal() {
            Some(s) if s == sig => {
                interrupted += 1;
                if now != old {
                    problems.push(format!("{at}: the existing output was changed"));
                }
            }
            _ if status.code() == Some(0) => {
                // Finished first: the output must be the complete, working program.
                if now == old {
                    problems.push(format!("{at}: exit 0 but the output was not written"));
                }
            }
            _ => problems.push(format!(
                "{at}: ended with {status} after {:.2}s, expected the signal",
                start.elapsed().as_secs_f64()
            )),
        }
    }
    if interrupted == 0 {
        problems.push(format!(
            "no compile was still running when SIG{sig_name} came: the case tested nothing"
        ));
    }
    Ok(problems)
}

pub(super) fn interrupt_cases(cases: &mut Vec<Case>) {
    for (name, sig) in SIGNALS {
        cases.push(case(
            format!("interrupt/sig{}", name.to_lowercase()),
            move |ctx| wasmaot_only(ctx, || interrupted_compiles(ctx, name, sig)),
        ));
    }
}

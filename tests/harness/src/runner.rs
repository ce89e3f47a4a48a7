//! The plumbing the runners (`e2e`, `wasi`, `spec`) share: [`runner_main`] (exit status),
//! `--jobs` ([`default_jobs`], [`jobs_value`]) and the work queue ([`parallel`]),
//! per-case scratch directories and how a failed case is printed.

use std::collections::VecDeque;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Mutex;

use anyhow::{Context, Result};

use crate::indent;

/// A runner's `main`: exit 0 if `real_main` returns `Ok(true)`, 1 on `Ok(false)` (something
/// failed), 2 with `NAME: error: ...` on stderr if it could not run.
pub fn runner_main(name: &str, real_main: impl FnOnce() -> Result<bool>) -> ExitCode {
    match real_main() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("{name}: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// The default `--jobs`: the number of cores, 2 to 4 (2 if unknown).
pub fn default_jobs() -> usize {
    std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(2, 4)
}

/// The value of `--jobs N` (`args` is just after `--jobs`).
pub fn jobs_value(args: &mut impl Iterator<Item = String>) -> Result<usize> {
    let n = args.next().context("--jobs needs a number")?;
    n.parse().with_context(|| format!("bad --jobs {n:?}"))
}

/// Runs `f` on every item on `jobs` threads (never more threads than items), the items taken
/// in order from a shared queue; returns the results in the items' order.
pub fn parallel<T: Send, R: Send>(items: Vec<T>, jobs: usize, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    let n = items.len();
    let queue = Mutex::new(items.into_iter().enumerate().collect::<VecDeque<_>>());
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..n).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..jobs.min(n.max(1)) {
            s.spawn(|| {
                loop {
                    let Some((i, item)) =
                        queue.lock().unwrap_or_else(|e| e.into_inner()).pop_front()
                    else {
                        break;
                    };
                    let r = f(item);
                    results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(r);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|r| r.expect("every item ran"))
        .collect()
}

/// A fresh scratch directory for case `name` under `tmp` (removed when dropped).
pub fn scratch_dir(tmp: &Path, name: &str) -> Result<tempfile::TempDir> {
    Ok(tempfile::Builder::new()
        .prefix(&format!("{}-", name.replace('/', "_")))
        .tempdir_in(tmp)?)
}

/// Prints a failed case: `FAIL name: <first line of text><suffix>`, then the other lines of
/// `text` indented. Returns the result of the last write.
pub fn write_failure(
    out: &mut impl Write,
    name: &str,
    text: &str,
    suffix: &str,
) -> std::io::Result<()> {
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    let _ = writeln!(out, "FAIL {name}: {first}{suffix}");
    if rest.is_empty() {
        Ok(())
    } else {
        writeln!(out, "{}", indent(rest))
    }
}

//! wasmaot's WebAssembly spec-suite runner: the 2.0 suite, and the 3.0 feature tests.
//!
//! ```text
//! spec [--jobs N] [--linker PATH] [--exact] [--json] [FILTER...]
//! spec --batch N [--jobs N] [--exact] [FILTER...] -- COMMAND [ARG...]
//! ```
//!
//! `--linker PATH` (else `$WASMAOT_SPEC_LINKER`, else the target's default, `cc` for the host)
//! links the shared objects: `make spec-aarch64` runs this runner built for aarch64 under
//! `qemu-aarch64` with `--linker aarch64-linux-gnu-gcc` (an x86_64 program, run natively).
//!
//! `--batch N -- COMMAND ARG...` runs no script itself: it hands the selected files, N at a
//! time, to child runners `COMMAND ARG... [--jobs N] --exact --json FILE...`, one after the
//! other, and reports their results as one run. `make spec-aarch64` uses it with the aarch64
//! runner under qemu as COMMAND: qemu 7.2 never gives back the bookkeeping of an unmapped
//! region (tens of MB for each 8 GiB linear-memory reservation), so one qemu process cannot run
//! the whole suite; a process per batch can, with the same reservations and bounds checks as on
//! aarch64 hardware. A file whose child ends without reporting it (a crash, the timeout) fails.
//! `--exact`: a FILTER is a whole file name (`i32.wast` selects only `i32.wast`). `--json`: one
//! JSON object per file (the per-file report) on stdout as each file finishes, and no table.
//!
//! Two suites of the corpus (`$WASMAOT_CORPUS`, else `../shared/corpus`):
//! - **2.0**: every `.wast` in `spec-2.0/` and `spec-2.0/simd/`, named by its path relative to
//!   `spec-2.0/` (`i32.wast`, `simd/simd_lane.wast`), validated with exactly the 2.0 features;
//! - **3.0**: every `.wast` under `spec-3.0/` except the GC folder (out of scope), named
//!   `spec-3.0/<feature>/<file>`, validated with 2.0 plus the 3.0 proposals wasmaot implements
//!   (`wasmaot::module::FeatureSet::Wasm3`); a module using any other proposal is rejected as
//!   unsupported.
//!
//! Files whose name contains one of the FILTERs run (all when none): each module is compiled in
//! library mode, linked into a shared object, `dlopen`ed and instantiated through the runtime's
//! embedder API; every directive runs in order and every directive that checks something
//! (`module`, `module definition`, `module instance`, `invoke`, `assert_*`) counts as one test.
//!
//! `tests/known-failures.toml` (`[[spec]]` entries: `file`, optional `line`, `reason`) lists
//! the tests expected to fail; a listed test that passes fails the run (the list only
//! shrinks). A whole-file entry (no `line`) covers every failing test of the file, and fails
//! the run if the file passes entirely.
//!
//! Output: one row per file (passed, failed, known-failing), the failures, one line per suite
//! (`spec-2.0: N passed, N failed, N skipped`), and as the last line the total
//! `N passed, N failed, N skipped` (skipped = known failures). Exit status 1 on any failure.

#[path = "../spec/mod.rs"]
mod spec;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use spec::known::{self, KnownFailure};
use spec::script::{self, TestResult};
use wasmaot::module::FeatureSet;

/// Native stack of each script thread: room for the 8 MiB wasm stack plus the host margin.
const SCRIPT_STACK: usize = 32 << 20;

/// A script still running after this long (seconds; `$WASMAOT_SPEC_TIMEOUT` overrides) is stuck
/// (the whole suite takes well under a minute): the run fails naming it rather than hanging.
const SCRIPT_TIMEOUT_SECS: u64 = 300;

/// The 3.0 feature folders that are out of scope (never run, never listed).
const EXCLUDED_3_0: &[&str] = &["gc"];

/// One suite: its name in the output, and the feature set its modules are validated with.
#[derive(Clone, Copy)]
struct Suite {
    name: &'static str,
    features: FeatureSet,
}

const SUITES: [Suite; 2] = [
    Suite {
        name: "spec-2.0",
        features: FeatureSet::Wasm2,
    },
    Suite {
        name: "spec-3.0",
        features: FeatureSet::Wasm3,
    },
];

/// One file's results. The `--json` output is these objects, one per line.
#[derive(serde::Serialize, serde::Deserialize)]
struct FileReport {
    rel: String,
    suite: usize,
    passed: usize,
    failed: usize,
    known: usize,
    /// Modules compiled, linked and loaded.
    modules: usize,
    problems: Vec<String>,
}

fn main() -> ExitCode {
    wasmaot_tests::runner_main("spec", real_main)
}

/// The command line.
struct Options {
    filters: Vec<String>,
    /// `--jobs`, if given (passed on to batch children).
    jobs: Option<usize>,
    linker: Option<String>,
    exact: bool,
    json: bool,
    /// `--batch N`: files per child runner.
    batch: Option<usize>,
    /// The child runner command (after `--`).
    child: Vec<String>,
}

fn parse_options() -> Result<Options> {
    let mut o = Options {
        filters: Vec::new(),
        jobs: None,
        linker: std::env::var("WASMAOT_SPEC_LINKER")
            .ok()
            .filter(|v| !v.is_empty()),
        exact: false,
        json: false,
        batch: None,
        child: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--jobs" => o.jobs = Some(wasmaot_tests::jobs_value(&mut args)?),
            "--linker" => o.linker = Some(args.next().context("--linker needs a path")?),
            "--exact" => o.exact = true,
            "--json" => o.json = true,
            "--batch" => {
                let n = args.next().context("--batch needs a number")?;
                o.batch = Some(n.parse().with_context(|| format!("bad --batch {n:?}"))?);
            }
            "--" => o.child = args.by_ref().collect(),
            "-h" | "--help" => {
                println!(
                    "usage: spec [--jobs N] [--linker PATH] [--exact] [--json] [FILTER...]\n       \
                     spec --batch N [--jobs N] [--exact] [FILTER...] -- COMMAND [ARG...]"
                );
                std::process::exit(0);
            }
            f if f.starts_with('-') => bail!("unknown option `{f}`"),
            f => o.filters.push(f.to_string()),
        }
    }
    match (o.batch, o.child.is_empty()) {
        (Some(0), _) => bail!("--batch needs at least 1"),
        (Some(_), true) => bail!("--batch needs a child runner: `-- COMMAND [ARG...]`"),
        (None, false) => bail!("a child runner (`-- COMMAND`) needs --batch N"),
        _ => {}
    }
    if o.batch.is_some() && (o.json || o.linker.is_some()) {
        bail!("--json and --linker are for the child runner, not with --batch");
    }
    Ok(o)
}

fn real_main() -> Result<bool> {
    let opts = parse_options()?;
    assert!(spec::load::keep_runtime_symbols() > 0);
    if let Some(l) = &opts.linker {
        let _ = spec::load::LINKER.set(l.clone());
    }

    let root = wasmaot_tests::repo_root();
    let corpus = std::env::var_os("WASMAOT_CORPUS")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/corpus"));
    let mut files = Vec::new();
    for (i, s) in SUITES.iter().enumerate() {
        let dir = corpus.join(s.name);
        if !dir.is_dir() {
            bail!("spec suite not found at {}", dir.display());
        }
        let found = match i {
            0 => wast_files_2_0(&dir)?,
            _ => wast_files_3_0(&dir)?,
        };
        files.extend(found.into_iter().map(|(rel, p)| (rel, (p, i))));
    }
    let known_path = root.join("tests/known-failures.toml");
    let known = known::read(&known_path)?;
    for k in &known {
        if !files.iter().any(|f| f.0 == k.file) {
            bail!("{}: `{}` is not a spec file", known_path.display(), k.file);
        }
    }
    if opts.exact {
        for f in &opts.filters {
            if !files.iter().any(|(rel, _)| rel == f) {
                bail!("--exact: `{f}` is not a spec file");
            }
        }
        files.retain(|(rel, _)| opts.filters.contains(rel));
    } else if !opts.filters.is_empty() {
        files.retain(|(rel, _)| opts.filters.iter().any(|f| rel.contains(f.as_str())));
    }
    // Longest scripts first, so the last thread does not start a big one alone.
    files.sort_by_key(|(_, (p, _))| std::cmp::Reverse(std::fs::metadata(p).map_or(0, |m| m.len())));

    let start = Instant::now();
    let reports = match opts.batch {
        Some(n) => run_batches(&files, n, &opts)?,
        None => {
            let jobs = opts
                .jobs
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
            run_files(files, jobs, &known, opts.json)?
        }
    };
    if opts.json {
        return Ok(reports.iter().all(|r| r.failed == 0));
    }
    Ok(print_summary(reports, start.elapsed()))
}

/// Runs every file in this process on `jobs` threads; with `json`, prints each file's report as
/// a JSON line as soon as it is judged.
fn run_files(
    files: Vec<(String, (PathBuf, usize))>,
    jobs: usize,
    known: &[KnownFailure],
    json: bool,
) -> Result<Vec<FileReport>> {
    let scratch = tempfile::Builder::new().prefix("wasmaot-spec-").tempdir()?;
    // Reversed: threads `pop` from the end, so the longest scripts (first in `files`) start first.
    let queue = Mutex::new(files.into_iter().enumerate().rev().collect::<Vec<_>>());
    let reports = Mutex::new(Vec::new());
    let running: Mutex<Vec<(String, Instant)>> = Mutex::new(Vec::new());
    let done = std::sync::atomic::AtomicBool::new(false);
    let timeout = Duration::from_secs(
        std::env::var("WASMAOT_SPEC_TIMEOUT")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(SCRIPT_TIMEOUT_SECS),
    );
    std::thread::scope(|s| -> Result<()> {
        s.spawn(|| {
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(200));
                let running = running.lock().unwrap();
                if let Some((rel, _)) = running.iter().find(|(_, t)| t.elapsed() > timeout) {
                    println!(
                        "spec: {rel} still running after {}s (a hang?); giving up",
                        timeout.as_secs()
                    );
                    println!("0 passed, 1 failed, 0 skipped");
                    std::process::exit(1);
                }
            }
        });
        let mut handles = Vec::new();
        for _ in 0..jobs.max(1) {
            let h = std::thread::Builder::new()
                .stack_size(SCRIPT_STACK)
                .spawn_scoped(s, || {
                    loop {
                        let Some((n, (rel, (path, suite)))) = queue.lock().unwrap().pop() else {
                            break;
                        };
                        let dir = scratch.path().join(format!("f{n}"));
                        let _ = std::fs::create_dir_all(&dir);
                        running.lock().unwrap().push((rel.clone(), Instant::now()));
                        let results = script::run_file(&path, &dir, SUITES[suite].features);
                        running.lock().unwrap().retain(|(r, _)| *r != rel);
                        let _ = std::fs::remove_dir_all(&dir);
                        let mut report = judge(&rel, results, known);
                        report.suite = suite;
                        if json {
                            let line = serde_json::to_string(&report).expect("a report serializes");
                            let mut out = std::io::stdout().lock();
                            let _ = writeln!(out, "{line}");
                            let _ = out.flush();
                        }
                        reports.lock().unwrap().push(report);
                    }
                })?;
            handles.push(h);
        }
        let mut result = Ok(());
        for h in handles {
            if h.join().is_err() {
                result = Err(anyhow::anyhow!("a script thread panicked"));
            }
        }
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        result
    })?;
    Ok(reports.into_inner().unwrap())
}

/// Hands `files` to child runners (`opts.child`), at most `batch` files each, one child at a
/// time, and collects their `--json` reports. The files are dealt out round-robin, so the big
/// scripts (first in `files`) are spread over the batches rather than all in the first. A file
/// a child did not report (it crashed, or its timeout ended it) is a failed file, with the
/// child's exit status and last output.
fn run_batches(
    files: &[(String, (PathBuf, usize))],
    batch: usize,
    opts: &Options,
) -> Result<Vec<FileReport>> {
    let count = files.len().div_ceil(batch);
    let batches: Vec<Vec<&(String, (PathBuf, usize))>> = (0..count)
        .map(|b| files.iter().skip(b).step_by(count).collect())
        .collect();
    let mut reports = Vec::new();
    for (i, chunk) in batches.iter().enumerate() {
        let started = Instant::now();
        let mut cmd = std::process::Command::new(&opts.child[0]);
        cmd.args(&opts.child[1..]);
        if let Some(j) = opts.jobs {
            cmd.arg("--jobs").arg(j.to_string());
        }
        cmd.args(["--exact", "--json"]);
        cmd.args(chunk.iter().map(|(rel, _)| rel));
        cmd.stdin(std::process::Stdio::null());
        let out = cmd
            .output()
            .with_context(|| format!("starting the child runner `{}`", opts.child[0]))?;
        let mut other = String::new();
        let mut got: Vec<FileReport> = Vec::new();
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            match serde_json::from_str::<FileReport>(line) {
                Ok(r) => got.push(r),
                Err(_) => {
                    other.push_str(line);
                    other.push('\n');
                }
            }
        }
        other.push_str(&String::from_utf8_lossy(&out.stderr));
        for (rel, (_, suite)) in chunk.iter() {
            if got.iter().any(|r| &r.rel == rel) {
                continue;
            }
            let tail: Vec<&str> = other.lines().rev().take(20).collect();
            let mut tail: Vec<&str> = tail.into_iter().rev().collect();
            if tail.is_empty() {
                tail.push("(none)");
            }
            got.push(FileReport {
                rel: rel.clone(),
                suite: *suite,
                passed: 0,
                failed: 1,
                known: 0,
                modules: 0,
                problems: vec![format!(
                    "{rel}: not reported by its batch's runner ({}); its last output:\n{}",
                    out.status,
                    wasmaot_tests::indent(&tail.join("\n"))
                )],
            });
        }
        println!(
            "spec: batch {}/{} ({} files, {} modules) in {:.1}s",
            i + 1,
            batches.len(),
            chunk.len(),
            got.iter().map(|r| r.modules).sum::<usize>(),
            started.elapsed().as_secs_f64()
        );
        reports.extend(got);
    }
    Ok(reports)
}

/// Prints the per-file table, the failures and the counts (per suite, then the total); returns
/// whether nothing failed.
fn print_summary(mut reports: Vec<FileReport>, elapsed: Duration) -> bool {
    reports.sort_by(|a, b| (a.suite, &a.rel).cmp(&(b.suite, &b.rel)));
    let width = reports
        .iter()
        .map(|r| r.rel.len())
        .max()
        .unwrap_or(4)
        .max(4);
    println!(
        "{:width$}  {:>7}  {:>7}  {:>7}",
        "file", "passed", "failed", "known"
    );
    let (mut p, mut f, mut k) = (0, 0, 0);
    for r in &reports {
        println!(
            "{:width$}  {:>7}  {:>7}  {:>7}",
            r.rel, r.passed, r.failed, r.known
        );
        p += r.passed;
        f += r.failed;
        k += r.known;
    }
    let problems: Vec<&String> = reports.iter().flat_map(|r| &r.problems).collect();
    if !problems.is_empty() {
        println!("\nfailures:");
        for pr in &problems {
            println!("  {pr}");
        }
    }
    println!(
        "\n{} files, {} modules loaded, in {:.1}s",
        reports.len(),
        reports.iter().map(|r| r.modules).sum::<usize>(),
        elapsed.as_secs_f64()
    );
    for (i, s) in SUITES.iter().enumerate() {
        let of_suite = reports.iter().filter(|r| r.suite == i);
        let (sp, sf, sk) = of_suite.fold((0, 0, 0), |(p, f, k), r| {
            (p + r.passed, f + r.failed, k + r.known)
        });
        println!("{}: {sp} passed, {sf} failed, {sk} skipped", s.name);
    }
    println!("{p} passed, {f} failed, {k} skipped");
    f == 0
}

/// `(path relative to spec-2.0, path)` of every 2.0 script, sorted.
fn wast_files_2_0(suite: &Path) -> Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    for dir in [suite.to_path_buf(), suite.join("simd")] {
        for e in std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
            let path = e?.path();
            if path.extension().is_some_and(|x| x == "wast") {
                let rel = path
                    .strip_prefix(suite)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .into_owned();
                out.push((rel, path));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// `("spec-3.0/<feature>/...", path)` of every 3.0 script outside [`EXCLUDED_3_0`], sorted.
fn wast_files_3_0(suite: &Path) -> Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    let mut dirs = vec![suite.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for e in std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
            let path = e?.path();
            let rel = path.strip_prefix(suite).unwrap_or(&path).to_string_lossy();
            if path.is_dir() {
                if !EXCLUDED_3_0.contains(&rel.as_ref()) {
                    dirs.push(path);
                }
            } else if path.extension().is_some_and(|x| x == "wast") {
                out.push((format!("spec-3.0/{rel}"), path));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Applies the known-failures list to one file's results.
fn judge(
    rel: &str,
    results: Result<(Vec<TestResult>, usize), String>,
    known: &[KnownFailure],
) -> FileReport {
    let mut r = FileReport {
        rel: rel.to_string(),
        suite: 0,
        passed: 0,
        failed: 0,
        known: 0,
        modules: 0,
        problems: Vec::new(),
    };
    let entries: Vec<&KnownFailure> = known.iter().filter(|k| k.file == rel).collect();
    let whole_file = entries.iter().any(|k| k.line.is_none());
    let results = match results {
        Ok((v, modules)) => {
            r.modules = modules;
            v
        }
        Err(e) => {
            if whole_file {
                r.known += 1;
            } else {
                r.failed += 1;
                r.problems.push(format!("{rel}: {e}"));
            }
            return r;
        }
    };
    for t in &results {
        let listed = entries.iter().any(|k| k.line == Some(t.line));
        match (&t.failure, listed || whole_file) {
            (None, true) if listed => {
                r.failed += 1;
                r.problems.push(format!(
                    "{rel}:{}: {} passes but is listed in known-failures.toml (remove it)",
                    t.line, t.kind
                ));
            }
            (None, _) => r.passed += 1,
            (Some(_), true) => r.known += 1,
            (Some(why), false) => {
                r.failed += 1;
                r.problems
                    .push(format!("{rel}:{}: {}: {why}", t.line, t.kind));
            }
        }
    }
    for k in &entries {
        if let Some(line) = k.line
            && !results.iter().any(|t| t.line == line)
        {
            r.failed += 1;
            r.problems.push(format!(
                "{rel}:{line}: listed in known-failures.toml but no test is on that line"
            ));
        }
    }
    if whole_file && r.known == 0 {
        r.failed += 1;
        r.problems.push(format!(
            "{rel}: passes entirely but is listed as a whole file in known-failures.toml (remove it)"
        ));
    }
    r
}

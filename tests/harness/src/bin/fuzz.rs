//! wasmaot's differential fuzzer: random valid modules from wasm-smith, run under wasmtime (the
//! oracle) and under wasmaot, compared call by call.
//!
//! ```text
//! fuzz [--seed S] [--count N] [--start I] [--jobs N] [--chunk N] [--no-regressions]
//! ```
//!
//! Module `i` (`--start` ≤ i < `--start` + `--count`) is made from `(S, i)` alone
//! (`fuzz/generate.rs`; every third one is compiled by wasmaot at `-O0`, every fifth one
//! with `--cpu native` against wasmtime at this machine's features): `--seed` defaults to `$FUZZ_SEED`, else 1; `--count` to
//! `$FUZZ_COUNT`, else 300. Each module is compiled by both engines, instantiated, and every
//! exported function is called with three argument sets (zeros, small values, random bits);
//! after instantiation and after each call the outcome (results, or the trap, an uncaught
//! exception being one) and the state of every exported memory, table and global (the
//! module's, and those of the `env` provider instance it imports from) must agree
//! (`fuzz/trace.rs`). A module is skipped when wasm-smith or wasmtime cannot handle it, when
//! an export takes a non-nullable reference, or from a stack overflow on either side on.
//!
//! Before the random modules, every `tests/fuzz/regressions/*.wat` (a minimised module the
//! fuzzer once found) runs the same way; a regression listed as a `[[fuzz]]` entry of
//! `tests/known-failures.toml` (`test = "regressions/NAME.wat"`, `reason`) must still
//! diverge, and an entry naming no file fails the run.
//!
//! A divergence prints the difference and the command that reproduces it, and saves the
//! module (and the report) to `tests/.cache/fuzz/failures/seed<S>-<i>/`. More than `--chunk`
//! modules (default 1000) run in child processes of `--chunk` modules each, one after the
//! other (every module is `dlopen`ed and never unloaded). The last line is the summary:
//! `fuzz: N modules, M calls, D divergences, S skipped (reasons)`. Exit status 1 on any
//! divergence not listed as known.
//!
//! Debugging aids: `FUZZ_VERBOSE=1` prints each wasmtime outcome and why a module was skipped
//! (to stderr); `FUZZ_DUMP=DIR` only writes the range's modules to `DIR/m<i>.wasm`.

#[path = "../fuzz/mod.rs"]
mod fuzz;
// The spec runner's compile, link and load path.
#[path = "../spec/load.rs"]
mod load;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use fuzz::generate::{self, Rng};
use fuzz::oracle::Oracle;
use fuzz::trace::{self, Verdict};

/// Native stack of each worker: room for the 8 MiB wasm stack plus the host margin.
const WORKER_STACK: usize = 32 << 20;

/// A module still running after this long is stuck (fuel bounds every loop): the run stops,
/// naming it.
const MODULE_TIMEOUT: Duration = Duration::from_secs(120);

/// Where divergent modules are saved, under the repository.
const FAILURES_DIR: &str = "tests/.cache/fuzz/failures";

/// The regression modules, under the repository.
const REGRESSIONS_DIR: &str = "tests/fuzz/regressions";

fn main() -> ExitCode {
    wasmaot_tests::runner_main("fuzz", real_main)
}

struct Options {
    seed: u64,
    start: u64,
    count: u64,
    jobs: usize,
    chunk: u64,
    regressions: bool,
    /// `--summary FILE` (child mode): write the counts there as JSON, print no summary line.
    summary: Option<PathBuf>,
}

fn env_u64(name: &str, default: u64) -> Result<u64> {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => v.parse().with_context(|| format!("bad ${name} {v:?}")),
        _ => Ok(default),
    }
}

fn parse_options() -> Result<Options> {
    let mut o = Options {
        seed: env_u64("FUZZ_SEED", 1)?,
        start: 0,
        count: env_u64("FUZZ_COUNT", 300)?,
        jobs: wasmaot_tests::default_jobs(),
        chunk: 1000,
        regressions: true,
        summary: None,
    };
    let mut args = std::env::args().skip(1);
    let num = |a: Option<String>, what: &str| -> Result<u64> {
        let v = a.with_context(|| format!("{what} needs a number"))?;
        v.parse().with_context(|| format!("bad {what} {v:?}"))
    };
    while let Some(a) = args.next() {
        match a.as_str() {
            "--seed" => o.seed = num(args.next(), "--seed")?,
            "--start" => o.start = num(args.next(), "--start")?,
            "--count" => o.count = num(args.next(), "--count")?,
            "--chunk" => o.chunk = num(args.next(), "--chunk")?.max(1),
            "--jobs" => o.jobs = wasmaot_tests::jobs_value(&mut args)?.max(1),
            "--no-regressions" => o.regressions = false,
            "--summary" => o.summary = Some(args.next().context("--summary needs a path")?.into()),
            "-h" | "--help" => {
                println!(
                    "usage: fuzz [--seed S] [--count N] [--start I] [--jobs N] [--chunk N] [--no-regressions]"
                );
                std::process::exit(0);
            }
            other => bail!("unknown argument `{other}`"),
        }
    }
    Ok(o)
}

/// The counts of a run (or of one child's part of it).
#[derive(Default, serde::Serialize, serde::Deserialize)]
struct Counts {
    modules: u64,
    calls: u64,
    divergences: u64,
    /// Known (listed) regressions that still diverge.
    known: u64,
    skipped: BTreeMap<String, u64>,
    /// Problems that fail the run besides divergences (stale known-failure entries).
    errors: Vec<String>,
}

impl Counts {
    fn add(&mut self, o: Counts) {
        self.modules += o.modules;
        self.calls += o.calls;
        self.divergences += o.divergences;
        self.known += o.known;
        for (k, v) in o.skipped {
            *self.skipped.entry(k).or_default() += v;
        }
        self.errors.extend(o.errors);
    }

    fn skip(&mut self, why: &str) {
        *self.skipped.entry(why.to_string()).or_default() += 1;
    }

    fn summary(&self) -> String {
        let total: u64 = self.skipped.values().sum();
        let reasons: Vec<String> = self
            .skipped
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        let known = if self.known > 0 {
            format!(" ({} known)", self.known)
        } else {
            String::new()
        };
        format!(
            "fuzz: {} modules, {} calls, {} divergences{known}, {total} skipped ({})",
            self.modules,
            self.calls,
            self.divergences,
            if reasons.is_empty() {
                "none".to_string()
            } else {
                reasons.join(", ")
            }
        )
    }
}

fn real_main() -> Result<bool> {
    let o = parse_options()?;
    if let Ok(dir) = std::env::var("FUZZ_DUMP") {
        // Debugging aid: write the modules of the range to DIR instead of running them.
        std::fs::create_dir_all(&dir)?;
        for i in o.start..o.start + o.count {
            if let Ok(wasm) = generate::module(o.seed, i) {
                std::fs::write(Path::new(&dir).join(format!("m{i}.wasm")), wasm)?;
            }
        }
        return Ok(true);
    }
    let root = wasmaot_tests::repo_root();
    assert!(load::keep_runtime_symbols() > 0);
    let started = Instant::now();

    let mut counts = Counts::default();
    if o.regressions {
        counts.add(run_regressions(&root)?);
    }
    if o.count > o.chunk && o.summary.is_none() {
        counts.add(run_chunks(&o)?);
    } else {
        counts.add(run_range(&o, &root)?);
    }

    if let Some(path) = &o.summary {
        std::fs::write(path, serde_json::to_string(&counts)?)?;
    } else {
        for e in &counts.errors {
            println!("FAIL {e}");
        }
        println!(
            "{} in {:.1}s",
            counts.summary(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(counts.divergences == 0 && counts.errors.is_empty())
}

/// Runs modules `start..start + count` of `seed` in child processes of `chunk` modules each.
fn run_chunks(o: &Options) -> Result<Counts> {
    let exe = std::env::current_exe()?;
    let tmp = tempfile::Builder::new().prefix("wasmaot-fuzz-").tempdir()?;
    let mut counts = Counts::default();
    let end = o.start + o.count;
    let mut start = o.start;
    while start < end {
        let n = o.chunk.min(end - start);
        let summary = tmp.path().join(format!("summary-{start}.json"));
        let status = std::process::Command::new(&exe)
            .args(["--seed", &o.seed.to_string()])
            .args(["--start", &start.to_string()])
            .args(["--count", &n.to_string()])
            .args(["--jobs", &o.jobs.to_string()])
            .arg("--no-regressions")
            .arg("--summary")
            .arg(&summary)
            .status()?;
        match std::fs::read_to_string(&summary) {
            Ok(s) => counts.add(serde_json::from_str(&s)?),
            Err(_) => counts.errors.push(format!(
                "modules {start}..{} of seed {}: the child runner ended without a summary ({status})",
                start + n,
                o.seed
            )),
        }
        start += n;
        eprintln!(
            "fuzz: {}/{} modules; {}",
            start - o.start,
            o.count,
            counts.summary()
        );
    }
    Ok(counts)
}

/// What became of one module.
enum ModuleResult {
    Same {
        calls: u64,
    },
    Skipped {
        calls: u64,
        why: &'static str,
    },
    Diverged {
        calls: u64,
        report: String,
        wasm: Vec<u8>,
    },
}

/// Runs modules `start..start + count` of `seed` on `jobs` worker threads.
fn run_range(o: &Options, root: &Path) -> Result<Counts> {
    let oracle = Oracle::new()?;
    let scratch = tempfile::Builder::new().prefix("wasmaot-fuzz-").tempdir()?;
    let next = AtomicU64::new(o.start);
    let end = o.start + o.count;
    let counts = Mutex::new(Counts::default());
    let running: Mutex<Vec<(u64, Instant)>> = Mutex::new(Vec::new());
    let done = std::sync::atomic::AtomicBool::new(false);
    let reproduce = |i: u64| {
        format!(
            "target/debug/fuzz --seed {} --start {i} --count 1 --no-regressions",
            o.seed
        )
    };

    std::thread::scope(|s| -> Result<()> {
        s.spawn(|| {
            while !done.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(200));
                let running = running.lock().unwrap();
                if let Some((i, _)) = running.iter().find(|(_, t)| t.elapsed() > MODULE_TIMEOUT) {
                    println!(
                        "FAIL module {i} of seed {}: still running after {}s; reproduce: {}",
                        o.seed,
                        MODULE_TIMEOUT.as_secs(),
                        reproduce(*i)
                    );
                    std::process::exit(1);
                }
            }
        });
        let mut handles = Vec::new();
        for _ in 0..o.jobs.min(o.count.max(1) as usize) {
            let h = std::thread::Builder::new()
                .stack_size(WORKER_STACK)
                .spawn_scoped(s, || {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= end {
                            break;
                        }
                        running.lock().unwrap().push((i, Instant::now()));
                        let so = scratch.path().join(format!("m{i}.so"));
                        let result = generate::module(o.seed, i)
                            .map_err(|_| "wasm-smith failed")
                            .map(|wasm| run_module(&oracle, &wasm, o.seed, i, &so));
                        let _ = std::fs::remove_file(&so);
                        running.lock().unwrap().retain(|(r, _)| *r != i);
                        let mut c = counts.lock().unwrap();
                        c.modules += 1;
                        match result {
                            Err(why) => c.skip(why),
                            Ok(ModuleResult::Same { calls }) => c.calls += calls,
                            Ok(ModuleResult::Skipped { calls, why }) => {
                                c.calls += calls;
                                c.skip(why);
                            }
                            Ok(ModuleResult::Diverged {
                                calls,
                                report,
                                wasm,
                            }) => {
                                c.calls += calls;
                                c.divergences += 1;
                                let dir =
                                    root.join(FAILURES_DIR).join(format!("seed{}-{i}", o.seed));
                                let saved = save_failure(&dir, &wasm, &report);
                                let mut out = std::io::stdout().lock();
                                let _ = writeln!(
                                    out,
                                    "FAIL module {i} of seed {}: {}\n  saved: {}\n  reproduce: {}",
                                    o.seed,
                                    wasmaot_tests::indent(&report).trim_start(),
                                    saved,
                                    reproduce(i)
                                );
                                let _ = out.flush();
                            }
                        }
                    }
                })?;
            handles.push(h);
        }
        let mut result = Ok(());
        for h in handles {
            if h.join().is_err() {
                result = Err(anyhow::anyhow!("a fuzz worker panicked"));
            }
        }
        done.store(true, Ordering::Relaxed);
        result
    })?;
    Ok(counts.into_inner().unwrap())
}

/// Runs one module under both engines and compares.
fn run_module(oracle: &Oracle, wasm: &[u8], seed: u64, index: u64, so: &Path) -> ModuleResult {
    let levels = generate::compile_levels(index);
    let Ok(module) = oracle.compile(wasm, levels.1) else {
        return ModuleResult::Skipped {
            calls: 0,
            why: "wasmtime rejects",
        };
    };
    let mut rng = Rng::new(seed ^ 0x5eed, index);
    let Some(plan) = Oracle::plan(&module, &mut rng) else {
        return ModuleResult::Skipped {
            calls: 0,
            why: "non-nullable parameter",
        };
    };
    let want = oracle.run(&module, &plan);
    let calls = want.steps.len().saturating_sub(1) as u64;
    let got = match fuzz::aot::run(wasm, levels, so, &plan) {
        Ok(t) => t,
        Err(e) => {
            return ModuleResult::Diverged {
                calls,
                report: e,
                wasm: wasm.to_vec(),
            };
        }
    };
    match trace::compare(&plan, &want, &got) {
        Verdict::Same => ModuleResult::Same { calls },
        Verdict::Skipped(why) => ModuleResult::Skipped { calls, why },
        Verdict::Diverged(report) => ModuleResult::Diverged {
            calls,
            report,
            wasm: wasm.to_vec(),
        },
    }
}

/// Saves a divergent module and its report; the folder, or why it could not be written.
fn save_failure(dir: &Path, wasm: &[u8], report: &str) -> String {
    let saved = std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(dir.join("module.wasm"), wasm))
        .and_then(|()| std::fs::write(dir.join("report.txt"), format!("{report}\n")));
    match saved {
        Ok(()) => dir.display().to_string(),
        Err(e) => format!("(could not save to {}: {e})", dir.display()),
    }
}

/// Runs every `tests/fuzz/regressions/*.wat` (arguments from seed 0) and judges it against
/// the `[[fuzz]]` entries of `tests/known-failures.toml`.
fn run_regressions(root: &Path) -> Result<Counts> {
    let dir = root.join(REGRESSIONS_DIR);
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "wat"))
            .collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    let names: Vec<String> = files
        .iter()
        .map(|p| format!("regressions/{}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    let mut counts = Counts::default();
    let known = match wasmaot_tests::known_failures::tests_of_existing(
        &root.join("tests/known-failures.toml"),
        "fuzz",
        names.iter().map(String::as_str),
    ) {
        Ok(k) => k,
        Err(e) => {
            counts.errors.push(format!("{e:#}"));
            return Ok(counts);
        }
    };
    let oracle = Oracle::new()?;
    let scratch = tempfile::Builder::new().prefix("wasmaot-fuzz-").tempdir()?;
    // One thread with the workers' stack (the main thread's may be smaller).
    std::thread::scope(|s| -> Result<()> {
        let h = std::thread::Builder::new()
            .stack_size(WORKER_STACK)
            .spawn_scoped(s, || -> Result<()> {
                for (n, (path, name)) in files.iter().zip(&names).enumerate() {
                    let wasm = wat::parse_file(path).with_context(|| name.clone())?;
                    let so = scratch.path().join(format!("r{n}.so"));
                    let result = run_module(&oracle, &wasm, 0, n as u64, &so);
                    counts.modules += 1;
                    let (calls, diverged) = match result {
                        ModuleResult::Same { calls } => (calls, None),
                        ModuleResult::Skipped { calls, why } => {
                            counts.skip(why);
                            (calls, None)
                        }
                        ModuleResult::Diverged { calls, report, .. } => (calls, Some(report)),
                    };
                    counts.calls += calls;
                    match (diverged, known.get(name)) {
                        (None, None) => {}
                        (Some(_), Some(_)) => counts.known += 1,
                        (None, Some(_)) => counts.errors.push(format!(
                            "{name}: listed as a known failure in tests/known-failures.toml, but passes"
                        )),
                        (Some(report), None) => {
                            counts.divergences += 1;
                            println!("FAIL {name}: {}", wasmaot_tests::indent(&report).trim_start());
                        }
                    }
                }
                Ok(())
            })?;
        h.join()
            .map_err(|_| anyhow::anyhow!("the regression thread panicked"))?
    })?;
    Ok(counts)
}

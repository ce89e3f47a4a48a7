//! Shared helpers of wasmaot's end-to-end test runners.
//!
//! * [`Tools`] finds the programs a runner needs (`wasmaot`, `go`, `wasmtime`,
//!   `qemu-aarch64`) and the shared corpus.
//! * [`run`] starts a process with a given stdin, a time limit and a clean environment.
//! * [`go_build`] builds a `GOOS=wasip1` program into the content-addressed cache
//!   `tests/.cache/go/`, offline and with the standard library only; [`zig_cc`] builds a C
//!   program for `wasm32-wasi` with zig's clang into `tests/.cache/c/`.
//! * [`RunSpec`] describes one run of a wasm program (argv, env, preopens, stdin) the same
//!   way for both engines: [`run_wasmtime`] runs the module under `wasmtime run`,
//!   [`compile_flags`] + [`run_native`] compile it with `wasmaot` and run the executable.
//! * [`Expectation`] is the format of `tests/go/*/expected.json` and `tests/wat/run/*.json`;
//!   [`CorpusFile`] is the format of the corpus' `expected.json` files.
//! * [`runner_main`], [`default_jobs`], [`jobs_value`], [`parallel`], [`scratch_dir`] and
//!   [`write_failure`] are the plumbing the runners (`e2e`, `wasi`, `spec`) share: exit status,
//!   `--jobs` and the work queue, per-case scratch directories and how a failed case is printed.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::ffi::OsString;
use std::fs;
use std::io::{Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

pub mod known_failures;

use anyhow::{Context, Result, anyhow, bail};
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// The exit status `wasmtime run` (and a wasmaot executable) ends with on a wasm trap.
pub const TRAP_EXIT_STATUS: i32 = 134;

/// The WASI module names; any other import module is a host import wasmaot cannot satisfy.
pub const WASI_MODULES: [&str; 2] = ["wasi_snapshot_preview1", "wasi_unstable"];

/// The repository root (two levels above this crate).
pub fn repo_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| here.to_path_buf())
}

/// Everything a runner needs from outside the repository.
#[derive(Debug, Clone)]
pub struct Tools {
    pub root: PathBuf,
    /// `$WASMAOT`, else `$CARGO_TARGET_DIR/debug/wasmaot`, else `target/debug/wasmaot`.
    pub wasmaot: PathBuf,
    /// `$GO`, else `.tools/venv/bin/go`.
    pub go: PathBuf,
    /// `$WASMTIME`, else `.tools/venv/bin/wasmtime`.
    pub wasmtime: PathBuf,
    /// `$QEMU_AARCH64`, else `qemu-aarch64` on `PATH`; `None` if neither exists.
    pub qemu_aarch64: Option<PathBuf>,
    /// `$WASMAOT_CORPUS`, else `../shared/corpus`.
    pub corpus: PathBuf,
    /// `tests/.cache` (git-ignored).
    pub cache: PathBuf,
}

impl Tools {
    pub fn discover() -> Result<Tools> {
        let root = repo_root();
        let env_path = |var: &str| {
            std::env::var_os(var)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        let target_dir = env_path("CARGO_TARGET_DIR")
            .map(|d| if d.is_relative() { root.join(d) } else { d })
            .unwrap_or_else(|| root.join("target"));
        let venv_bin = root.join(".tools/venv/bin");
        let tools = Tools {
            wasmaot: env_path("WASMAOT").unwrap_or_else(|| target_dir.join("debug/wasmaot")),
            go: env_path("GO").unwrap_or_else(|| venv_bin.join("go")),
            wasmtime: env_path("WASMTIME").unwrap_or_else(|| venv_bin.join("wasmtime")),
            qemu_aarch64: env_path("QEMU_AARCH64").or_else(|| find_on_path("qemu-aarch64")),
            corpus: env_path("WASMAOT_CORPUS").unwrap_or_else(|| root.join("../shared/corpus")),
            cache: root.join("tests/.cache"),
            root,
        };
        for (what, path) in [("go", &tools.go), ("wasmtime", &tools.wasmtime)] {
            if !path.exists() {
                bail!("{what} not found at {} (run `make tools`)", path.display());
            }
        }
        if !tools.corpus.is_dir() {
            bail!(
                "corpus not found at {} (expected ../shared/corpus)",
                tools.corpus.display()
            );
        }
        Ok(tools)
    }
}

/// The first `name` found in a directory of `$PATH`.
pub fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

// ---------------------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------------------

/// One process to start.
#[derive(Debug, Clone)]
pub struct Invocation {
    pub program: PathBuf,
    /// argv[0] as the program sees it; the program path if `None`.
    pub argv0: Option<String>,
    pub args: Vec<OsString>,
    /// Start from an empty environment, then add `env`.
    pub clear_env: bool,
    pub env: Vec<(String, String)>,
    pub stdin: Vec<u8>,
    pub cwd: Option<PathBuf>,
    pub timeout: Duration,
}

impl Invocation {
    pub fn new(program: impl Into<PathBuf>) -> Invocation {
        Invocation {
            program: program.into(),
            argv0: None,
            args: Vec::new(),
            clear_env: false,
            env: Vec::new(),
            stdin: Vec::new(),
            cwd: None,
            timeout: Duration::from_secs(120),
        }
    }

    pub fn arg(mut self, arg: impl Into<OsString>) -> Invocation {
        self.args.push(arg.into());
        self
    }

    pub fn args<I: IntoIterator<Item = S>, S: Into<OsString>>(mut self, args: I) -> Invocation {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn timeout(mut self, timeout: Duration) -> Invocation {
        self.timeout = timeout;
        self
    }

    /// The command line, for messages.
    pub fn describe(&self) -> String {
        let mut s = self.program.display().to_string();
        for a in &self.args {
            s.push(' ');
            s.push_str(&a.to_string_lossy());
        }
        s
    }
}

/// How a process ended.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub code: Option<i32>,
    pub signal: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// The time limit ran out and the process was killed.
    pub timed_out: bool,
    pub elapsed: Duration,
}

impl Outcome {
    /// The exit status the way a shell reports it: the code, or 128 + the signal number.
    pub fn status(&self) -> i32 {
        self.code.unwrap_or_else(|| 128 + self.signal.unwrap_or(0))
    }

    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    /// A one-line summary of how the process ended.
    pub fn describe_end(&self) -> String {
        if self.timed_out {
            format!("killed after {:.1}s time limit", self.elapsed.as_secs_f64())
        } else if let Some(sig) = self.signal {
            format!("killed by signal {sig}")
        } else {
            format!("exit status {}", self.status())
        }
    }
}

/// Starts `inv`, feeds it its stdin, collects stdout and stderr, and kills it when the time
/// limit runs out.
pub fn run(inv: &Invocation) -> Result<Outcome> {
    let mut cmd = Command::new(&inv.program);
    if let Some(argv0) = &inv.argv0 {
        cmd.arg0(argv0);
    }
    cmd.args(&inv.args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if inv.clear_env {
        cmd.env_clear();
    }
    for (k, v) in &inv.env {
        cmd.env(k, v);
    }
    if let Some(cwd) = &inv.cwd {
        cmd.current_dir(cwd);
    }
    let start = Instant::now();
    let mut child = cmd
        .spawn()
        .with_context(|| format!("cannot start {}", inv.program.display()))?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    let input = inv.stdin.clone();
    // A program that does not read its stdin closes the pipe: ignore EPIPE.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let reader = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = r.read_to_end(&mut buf);
            buf
        })
    };
    let out = reader(Box::new(child.stdout.take().expect("piped stdout")));
    let err = reader(Box::new(child.stderr.take().expect("piped stderr")));
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if start.elapsed() >= inv.timeout {
            timed_out = true;
            let _ = child.kill();
            break child.wait()?;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = start.elapsed();
    let _ = writer.join();
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    Ok(Outcome {
        code: status.code(),
        signal: status.signal(),
        stdout,
        stderr,
        timed_out,
        elapsed,
    })
}

// ---------------------------------------------------------------------------------------
// Caches
// ---------------------------------------------------------------------------------------

/// Computes each value once per key, even when several threads ask at the same time.
pub struct Memo<V> {
    cells: Mutex<HashMap<String, Arc<MemoCell<V>>>>,
}

/// One memoised value, or the error computing it gave.
type MemoCell<V> = OnceLock<Result<V, String>>;

impl<V> Default for Memo<V> {
    fn default() -> Self {
        Memo {
            cells: Mutex::new(HashMap::new()),
        }
    }
}

impl<V: Clone> Memo<V> {
    pub fn get(&self, key: &str, compute: impl FnOnce() -> Result<V>) -> Result<V> {
        let cell = {
            let mut cells = self.cells.lock().unwrap_or_else(|e| e.into_inner());
            cells.entry(key.to_string()).or_default().clone()
        };
        cell.get_or_init(|| compute().map_err(|e| format!("{e:#}")))
            .clone()
            .map_err(|e| anyhow!(e))
    }
}

pub fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes `data` to `path` through a temporary file in the same directory, so that readers
/// never see half a file (other threads or an interrupted run).
fn publish(path: &Path, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let dir = path.parent().context("cache path without a parent")?;
    fs::create_dir_all(dir)?;
    let tmp = tempfile::Builder::new().prefix(".tmp-").tempdir_in(dir)?;
    let staged = tmp.path().join("out");
    write(&staged)?;
    fs::rename(&staged, path)?;
    Ok(())
}

static GO_VERSION: OnceLock<Result<String, String>> = OnceLock::new();
static GO_BUILDS: OnceLock<Memo<PathBuf>> = OnceLock::new();
static ZIG_VERSION: OnceLock<Result<String, String>> = OnceLock::new();
static C_BUILDS: OnceLock<Memo<PathBuf>> = OnceLock::new();
static WASMTIME_VERSION: OnceLock<Result<String, String>> = OnceLock::new();
static WASMTIME_PRECOMPILED: OnceLock<Memo<PathBuf>> = OnceLock::new();

/// The environment every `go` command runs with: offline, no modules, caches under
/// `tests/.cache`, no toolchain switching, no cgo.
pub fn go_env(tools: &Tools) -> Vec<(String, String)> {
    let cache = tools.cache.display().to_string();
    vec![
        ("GOOS".into(), "wasip1".into()),
        ("GOARCH".into(), "wasm".into()),
        ("GO111MODULE".into(), "off".into()),
        ("GOFLAGS".into(), String::new()),
        ("GOPROXY".into(), "off".into()),
        ("GOTOOLCHAIN".into(), "local".into()),
        ("GOWORK".into(), "off".into()),
        ("GOENV".into(), "off".into()),
        ("CGO_ENABLED".into(), "0".into()),
        ("GOCACHE".into(), format!("{cache}/go-build")),
        ("GOPATH".into(), format!("{cache}/gopath")),
        ("GOTMPDIR".into(), String::new()),
    ]
}

/// The environment of a native `go build` with cgo (a Go host program): the host's OS and
/// architecture, module mode without network, the same caches as [`go_env`].
pub fn go_env_native(tools: &Tools) -> Vec<(String, String)> {
    let cache = tools.cache.display().to_string();
    vec![
        ("GOOS".into(), String::new()),
        ("GOARCH".into(), String::new()),
        ("GO111MODULE".into(), "on".into()),
        ("GOFLAGS".into(), "-mod=mod".into()),
        ("GOPROXY".into(), "off".into()),
        ("GOTOOLCHAIN".into(), "local".into()),
        ("GOWORK".into(), "off".into()),
        ("GOENV".into(), "off".into()),
        ("CGO_ENABLED".into(), "1".into()),
        ("GOCACHE".into(), format!("{cache}/go-build")),
        ("GOPATH".into(), format!("{cache}/gopath")),
        ("GOTMPDIR".into(), String::new()),
    ]
}

/// The trimmed stdout of a tool's version command (`what`, for messages), run once per
/// process and kept in `cell` (an error too).
fn tool_version(
    cell: &OnceLock<Result<String, String>>,
    what: &str,
    invocation: impl FnOnce() -> Invocation,
) -> Result<String> {
    cell.get_or_init(|| {
        let out = run(&invocation()).map_err(|e| format!("{e:#}"))?;
        if out.status() != 0 {
            return Err(format!("`{what}` failed: {}", out.stderr_text()));
        }
        Ok(out.stdout_text().trim().to_string())
    })
    .clone()
    .map_err(|e| anyhow!(e))
}

/// Builds `out` once per `hash` (through [`publish`], with `write`), unless an earlier run
/// left it in the cache already.
fn cached_build(
    builds: &OnceLock<Memo<PathBuf>>,
    hash: &str,
    out: &Path,
    write: impl FnOnce(&Path) -> Result<()>,
) -> Result<PathBuf> {
    builds.get_or_init(Memo::default).get(hash, || {
        if out.is_file() {
            return Ok(out.to_path_buf());
        }
        publish(out, write)?;
        Ok(out.to_path_buf())
    })
}

pub fn go_version(tools: &Tools) -> Result<String> {
    tool_version(&GO_VERSION, "go version", || {
        let mut inv = Invocation::new(&tools.go).arg("version");
        inv.env = go_env(tools);
        inv
    })
}

/// Builds the Go program in `dir` (its `*.go` files, standard library only) with
/// `GOOS=wasip1 GOARCH=wasm`, cached in `tests/.cache/go/` by a hash of the sources and
/// the Go version. Returns the `.wasm` path.
pub fn go_build(tools: &Tools, dir: &Path) -> Result<PathBuf> {
    go_build_with(tools, dir, &[])
}

/// [`go_build`] with extra `go build` flags (e.g. `-buildmode=c-shared` for a reactor).
pub fn go_build_with(tools: &Tools, dir: &Path, flags: &[&str]) -> Result<PathBuf> {
    let version = go_version(tools)?;
    let mut sources: Vec<PathBuf> = fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "go"))
        .collect();
    sources.sort();
    if sources.is_empty() {
        bail!("no .go files in {}", dir.display());
    }
    let mut parts: Vec<Vec<u8>> = vec![version.into_bytes(), b"-trimpath".to_vec()];
    parts.extend(flags.iter().map(|f| f.as_bytes().to_vec()));
    for s in &sources {
        parts.push(
            s.file_name()
                .unwrap_or_default()
                .as_encoded_bytes()
                .to_vec(),
        );
        parts.push(fs::read(s)?);
    }
    let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    let hash = sha256_hex(&refs);
    let name = dir.file_name().unwrap_or_default().to_string_lossy();
    let out = tools
        .cache
        .join("go")
        .join(format!("{name}-{}.wasm", &hash[..16]));
    cached_build(&GO_BUILDS, &hash, &out, |staged| {
        let mut inv = Invocation::new(&tools.go)
            .args(["build", "-trimpath"])
            .args(flags.iter().copied())
            .arg("-o")
            .arg(staged)
            .args(sources.iter().map(|s| s.as_os_str().to_owned()))
            .timeout(Duration::from_secs(600));
        inv.env = go_env(tools);
        inv.cwd = Some(dir.to_path_buf());
        let res = run(&inv)?;
        if res.status() != 0 || !staged.is_file() {
            bail!(
                "go build of {} failed ({}):\n{}",
                dir.display(),
                res.describe_end(),
                res.stderr_text()
            );
        }
        Ok(())
    })
}

/// zig's C compiler: the venv's Python with the pip package `ziglang` (`make tools`).
fn zig_python(tools: &Tools) -> PathBuf {
    tools.root.join(".tools/venv/bin/python")
}

/// Builds the C program `source` for `wasm32-wasi` with zig's clang (`-target wasm32-wasi`,
/// then `flags`), cached in `tests/.cache/c/` by a hash of the source, the flags and zig's
/// version. Returns the `.wasm` path.
pub fn zig_cc(tools: &Tools, source: &Path, flags: &[&str]) -> Result<PathBuf> {
    let python = zig_python(tools);
    let version = tool_version(&ZIG_VERSION, "python -m ziglang version", || {
        Invocation::new(&python).args(["-m", "ziglang", "version"])
    })
    .context("zig is not installed (`make tools` installs it)")?;
    let mut parts: Vec<Vec<u8>> = vec![version.into_bytes()];
    parts.extend(flags.iter().map(|f| f.as_bytes().to_vec()));
    parts.push(fs::read(source).with_context(|| format!("reading {}", source.display()))?);
    let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    let hash = sha256_hex(&refs);
    let name = source
        .parent()
        .and_then(Path::file_name)
        .unwrap_or_default()
        .to_string_lossy();
    let out = tools
        .cache
        .join("c")
        .join(format!("{name}-{}.wasm", &hash[..16]));
    cached_build(&C_BUILDS, &hash, &out, |staged| {
        let inv = Invocation::new(&python)
            .args(["-m", "ziglang", "cc", "-target", "wasm32-wasi"])
            .args(flags.iter().copied())
            .arg("-o")
            .arg(staged)
            .arg(source)
            .timeout(Duration::from_secs(600));
        let res = run(&inv)?;
        if res.status() != 0 || !staged.is_file() {
            bail!(
                "zig cc of {} failed ({}):\n{}",
                source.display(),
                res.describe_end(),
                res.stderr_text()
            );
        }
        Ok(())
    })
}

pub fn wasmtime_version(tools: &Tools) -> Result<String> {
    tool_version(&WASMTIME_VERSION, "wasmtime --version", || {
        Invocation::new(&tools.wasmtime).arg("--version")
    })
}

/// `wasmtime compile`s a module once (cached in `tests/.cache/wasmtime/`) so that the many
/// runs of a large Go module do not each spend seconds in Cranelift.
pub fn wasmtime_precompiled(tools: &Tools, wasm: &Path) -> Result<PathBuf> {
    let version = wasmtime_version(tools)?;
    let bytes = fs::read(wasm).with_context(|| format!("reading {}", wasm.display()))?;
    let hash = sha256_hex(&[version.as_bytes(), &bytes]);
    let out = tools
        .cache
        .join("wasmtime")
        .join(format!("{}.cwasm", &hash[..24]));
    cached_build(&WASMTIME_PRECOMPILED, &hash, &out, |staged| {
        let inv = Invocation::new(&tools.wasmtime)
            .arg("compile")
            .arg(wasm)
            .arg("-o")
            .arg(staged)
            .timeout(Duration::from_secs(600));
        let res = run(&inv)?;
        if res.status() != 0 {
            bail!(
                "wasmtime compile {} failed: {}",
                wasm.display(),
                res.stderr_text()
            );
        }
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------
// Running a wasm program under both engines
// ---------------------------------------------------------------------------------------

/// One run of a WASI command, engine-independent.
#[derive(Debug, Clone, Default)]
pub struct RunSpec {
    /// The full argv, argv[0] included.
    pub argv: Vec<String>,
    /// Exactly these variables (nothing is inherited).
    pub env: Vec<(String, String)>,
    /// Preopens, in fd order (3, 4, ...): host directory and guest name.
    pub dirs: Vec<(PathBuf, String)>,
    pub stdin: Vec<u8>,
    /// The module imports `wasi_unstable`.
    pub preview0: bool,
    pub timeout: Option<Duration>,
}

impl RunSpec {
    fn timeout(&self) -> Duration {
        self.timeout.unwrap_or(Duration::from_secs(120))
    }

    fn argv0(&self) -> String {
        self.argv.first().cloned().unwrap_or_default()
    }
}

/// `wasmtime run` with the same argv/env/preopens/stdin a wasmaot executable gets.
/// `RUST_BACKTRACE` is cleared so that wasmtime prints only its wasm backtrace.
pub fn run_wasmtime(tools: &Tools, wasm: &Path, spec: &RunSpec) -> Result<Outcome> {
    let module = wasmtime_precompiled(tools, wasm)?;
    let mut inv = Invocation::new(&tools.wasmtime).timeout(spec.timeout());
    inv.args.push("run".into());
    if spec.preview0 {
        inv.args.extend(["-S".into(), "preview0=y".into()]);
    }
    inv.args.push("--allow-precompiled".into());
    inv.args.extend(["--argv0".into(), spec.argv0().into()]);
    inv.args
        .extend(compile_flags(spec).into_iter().map(OsString::from));
    inv.args.push(module.into_os_string());
    inv.args
        .extend(spec.argv.iter().skip(1).map(OsString::from));
    inv.clear_env = true;
    inv.env = vec![
        ("RUST_BACKTRACE".into(), "0".into()),
        ("PATH".into(), "/usr/bin:/bin".into()),
    ];
    inv.stdin = spec.stdin.clone();
    run(&inv)
}

/// The `wasmaot` flags that bake `spec`'s sandbox policy (env, preopens) into the executable;
/// `wasmtime run` takes the same flags for the same policy.
pub fn compile_flags(spec: &RunSpec) -> Vec<String> {
    let mut flags = Vec::new();
    for (host, guest) in &spec.dirs {
        flags.push("--dir".into());
        flags.push(format!("{}::{guest}", host.display()));
    }
    flags.extend(env_flags(spec.env.iter().map(|(k, v)| (k, v))));
    flags
}

/// `--env K=V` for each variable, in order (the flag of both `wasmaot` and `wasmtime run`).
pub fn env_flags<'a>(env: impl IntoIterator<Item = (&'a String, &'a String)>) -> Vec<String> {
    env.into_iter()
        .flat_map(|(k, v)| ["--env".to_string(), format!("{k}={v}")])
        .collect()
}

/// `wasmaot INPUT -o OUTPUT FLAGS...`, with a generous time limit.
pub fn wasmaot_compile(
    tools: &Tools,
    input: &Path,
    output: &Path,
    flags: &[String],
) -> Result<Outcome> {
    if !tools.wasmaot.is_file() {
        bail!(
            "wasmaot not found at {} (cargo build -p wasmaot)",
            tools.wasmaot.display()
        );
    }
    let inv = Invocation::new(&tools.wasmaot)
        .arg(input)
        .arg("-o")
        .arg(output)
        .args(flags.iter().map(OsString::from))
        .timeout(Duration::from_secs(900));
    run(&inv)
}

/// Compiles with [`wasmaot_compile`] and fails with the compiler's stderr unless it succeeded
/// and produced the output file.
pub fn wasmaot_compile_ok(
    tools: &Tools,
    input: &Path,
    output: &Path,
    flags: &[String],
) -> Result<()> {
    let res = wasmaot_compile(tools, input, output, flags)?;
    if res.status() != 0 || res.timed_out {
        bail!(
            "wasmaot {} -o {} {} failed ({}):\n{}",
            input.display(),
            output.display(),
            flags.join(" "),
            res.describe_end(),
            indent(res.stderr_text().trim_end())
        );
    }
    if !output.is_file() {
        bail!("wasmaot exited 0 but wrote no {}", output.display());
    }
    Ok(())
}

/// Runs a wasmaot executable the way a user would: argv[0] as given, an empty environment
/// (the guest's environment was fixed at compile time), under `qemu` if given.
pub fn run_native(exe: &Path, spec: &RunSpec, qemu: Option<&Path>) -> Result<Outcome> {
    let mut inv = match qemu {
        Some(q) => {
            let mut inv = Invocation::new(q);
            inv.args
                .extend(["-0".into(), spec.argv0().into(), exe.as_os_str().to_owned()]);
            inv
        }
        None => {
            let mut inv = Invocation::new(exe);
            inv.argv0 = Some(spec.argv0());
            inv
        }
    };
    inv.args
        .extend(spec.argv.iter().skip(1).map(OsString::from));
    inv.clear_env = true;
    inv.stdin = spec.stdin.clone();
    inv.timeout = spec.timeout();
    run(&inv)
}

// ---------------------------------------------------------------------------------------
// Expectations of our own programs (tests/go, tests/wat/run)
// ---------------------------------------------------------------------------------------

/// One run of one of our programs and what it must do. `expected.json` holds either one of
/// these or `{"runs": [...]}` with several (each with a `name`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    #[serde(default)]
    pub name: Option<String>,
    /// The full argv, argv[0] included.
    pub args: Vec<String>,
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    #[serde(default)]
    pub stdin: Option<String>,
    /// Directories to create (each a fresh temporary directory) and preopen, in order.
    #[serde(default)]
    pub dirs: Vec<DirExpectation>,
    #[serde(default)]
    pub preview0: bool,
    #[serde(default)]
    pub exit_code: i32,
    /// Exact stdout; not checked if absent.
    #[serde(default)]
    pub stdout: Option<String>,
    #[serde(default)]
    pub stdout_contains: Vec<String>,
    /// Exact stderr; not checked if absent.
    #[serde(default)]
    pub stderr: Option<String>,
    #[serde(default)]
    pub stderr_prefix: Option<String>,
    #[serde(default)]
    pub stderr_contains: Vec<String>,
    #[serde(default)]
    pub timeout_secs: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirExpectation {
    /// The name the guest sees.
    pub guest: String,
    /// Files to create before the run (relative path → content).
    #[serde(default)]
    pub files: BTreeMap<String, String>,
    /// Files that must exist afterwards with exactly this content.
    #[serde(default)]
    pub files_after: BTreeMap<String, String>,
    /// Paths that must not exist afterwards.
    #[serde(default)]
    pub absent_after: Vec<String>,
}

/// Reads an `expected.json` of ours: one [`Expectation`] or `{"runs": [...]}`.
pub fn read_expectations(path: &Path) -> Result<Vec<Expectation>> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    let runs = match value.get("runs") {
        Some(runs) => serde_json::from_value(runs.clone()),
        None => serde_json::from_value(value).map(|e| vec![e]),
    };
    runs.with_context(|| format!("parsing {}", path.display()))
}

impl Expectation {
    /// Creates the run's directories under `scratch` and returns the spec.
    pub fn prepare(&self, scratch: &Path) -> Result<RunSpec> {
        let mut dirs = Vec::new();
        for (i, d) in self.dirs.iter().enumerate() {
            let host = scratch.join(format!("dir{i}"));
            fs::create_dir_all(&host)?;
            for (name, content) in &d.files {
                let p = host.join(name);
                if let Some(parent) = p.parent() {
                    fs::create_dir_all(parent)?;
                }
                fs::write(&p, content)?;
            }
            dirs.push((host, d.guest.clone()));
        }
        Ok(RunSpec {
            argv: self.args.clone(),
            env: self
                .env
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            dirs,
            stdin: self.stdin.clone().unwrap_or_default().into_bytes(),
            preview0: self.preview0,
            timeout: self.timeout_secs.map(Duration::from_secs),
        })
    }

    /// Everything about `out` (and the directories of `spec`) that differs from this
    /// expectation; empty if it matched.
    pub fn check(&self, out: &Outcome, spec: &RunSpec) -> Vec<String> {
        let mut problems = Vec::new();
        check_status(&mut problems, out, self.exit_code);
        let stdout = out.stdout_text();
        let stderr = out.stderr_text();
        if let Some(exp) = &self.stdout {
            check_exact(&mut problems, "stdout", exp, &stdout);
        }
        for needle in &self.stdout_contains {
            check_contains(&mut problems, "stdout", needle, &stdout);
        }
        if let Some(exp) = &self.stderr {
            check_exact(&mut problems, "stderr", exp, &stderr);
        }
        if let Some(prefix) = &self.stderr_prefix {
            check_prefix(&mut problems, "stderr", prefix, &stderr);
        }
        for needle in &self.stderr_contains {
            check_contains(&mut problems, "stderr", needle, &stderr);
        }
        for (d, (host, _)) in self.dirs.iter().zip(&spec.dirs) {
            for (name, content) in &d.files_after {
                check_file(&mut problems, &host.join(name), name, content);
            }
            for name in &d.absent_after {
                if host.join(name).symlink_metadata().is_ok() {
                    problems.push(format!("{name} still exists in {} after the run", d.guest));
                }
            }
        }
        problems
    }
}

// ---------------------------------------------------------------------------------------
// The corpus' expected.json (see ../shared/corpus/MANIFEST.md)
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize)]
pub struct CorpusFile {
    pub format: String,
    pub cases: Vec<CorpusCase>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CorpusCase {
    pub name: String,
    pub wasm: String,
    pub kind: String,
    #[serde(default)]
    pub args: Vec<String>,
    #[serde(default)]
    pub invoke: Option<String>,
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    #[serde(default)]
    pub dirs: Vec<CorpusDir>,
    #[serde(default)]
    pub setup: Vec<CorpusSetup>,
    #[serde(default)]
    pub stdin: Option<String>,
    #[serde(default)]
    pub preview0: bool,
    #[serde(default)]
    pub stdout_match: Option<String>,
    #[serde(default)]
    pub stderr_match: Option<String>,
    #[serde(default)]
    pub files_after: Vec<String>,
    #[serde(default)]
    pub expected: CorpusExpected,
    #[serde(default)]
    pub wasmtime_49_actual: Option<CorpusExpected>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CorpusDir {
    pub host: String,
    pub guest: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CorpusSetup {
    pub mkdir: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct CorpusExpected {
    #[serde(default)]
    pub exit_code: i32,
    #[serde(default)]
    pub stdout: Option<String>,
    #[serde(default)]
    pub stderr: Option<String>,
    #[serde(default)]
    pub trap: bool,
    #[serde(default)]
    pub files_after: BTreeMap<String, String>,
    #[serde(default)]
    pub stdout_sorted_lines: Option<Vec<String>>,
    #[serde(default)]
    pub wasmtime_error: Option<String>,
}

pub fn read_corpus_file(path: &Path) -> Result<CorpusFile> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let file: CorpusFile =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    if file.format != "wasmaot-corpus-cases/1" {
        bail!("{}: unknown format {:?}", path.display(), file.format);
    }
    Ok(file)
}

impl CorpusCase {
    /// Makes a scratch copy of the case's folder (and of any preopened directory outside
    /// it) under `scratch`, runs the `setup` steps there, and returns the spec.
    /// `folder` is the case's folder, `suite` the corpus folder it belongs to
    /// (`tinygo/`, ...): directories are copied to the same place relative to the suite.
    pub fn prepare(
        &self,
        suite: &Path,
        folder: &Path,
        scratch: &Path,
    ) -> Result<(RunSpec, PathBuf)> {
        let rel_folder = folder.strip_prefix(suite).unwrap_or(Path::new(""));
        let work = scratch.join(rel_folder);
        copy_tree(folder, &work, &["wasm"])?;
        let mut dirs = Vec::new();
        for d in &self.dirs {
            let src = normalize(&folder.join(&d.host));
            let rel = src
                .strip_prefix(normalize(suite))
                .with_context(|| format!("preopen {} lies outside the corpus folder", d.host))?;
            let dst = scratch.join(rel);
            if !dst.exists() {
                copy_tree(&src, &dst, &[])?;
            }
            dirs.push((normalize(&work.join(&d.host)), d.guest.clone()));
        }
        for step in &self.setup {
            if let Some(dir) = &step.mkdir {
                fs::create_dir_all(work.join(dir))?;
            }
        }
        let spec = RunSpec {
            argv: self.args.clone(),
            env: self
                .env
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            dirs,
            stdin: self.stdin.clone().unwrap_or_default().into_bytes(),
            preview0: self.preview0,
            timeout: None,
        };
        Ok((spec, work))
    }

    /// Compares a run with `exp` (the case's `expected`, or `wasmtime_49_actual`).
    /// `work` is the scratch copy of the case's folder.
    pub fn check(
        &self,
        exp: &CorpusExpected,
        out: &Outcome,
        spec: &RunSpec,
        work: &Path,
    ) -> Vec<String> {
        let mut problems = Vec::new();
        let status = if exp.trap {
            TRAP_EXIT_STATUS
        } else {
            exp.exit_code
        };
        check_status(&mut problems, out, status);
        let stdout = out.stdout_text();
        let stderr = out.stderr_text();
        if let Some(sorted) = &exp.stdout_sorted_lines {
            check_sorted_lines(
                &mut problems,
                sorted.iter().map(String::as_str).collect(),
                &stdout,
            );
        } else if let Some(exp_out) = &exp.stdout {
            if self.stdout_match.as_deref() == Some("sorted-lines") {
                check_sorted_lines(&mut problems, exp_out.lines().collect(), &stdout);
            } else {
                check_exact(&mut problems, "stdout", exp_out, &stdout);
            }
        }
        if let Some(exp_err) = &exp.stderr {
            if self.stderr_match.as_deref() == Some("prefix") {
                check_prefix(&mut problems, "stderr", exp_err, &stderr);
            } else {
                check_exact(&mut problems, "stderr", exp_err, &stderr);
            }
        }
        if let Some(msg) = &exp.wasmtime_error {
            check_contains(&mut problems, "stderr", msg, &stderr);
        }
        for name in &self.files_after {
            let Some(content) = exp.files_after.get(name) else {
                continue;
            };
            // Relative to the case's folder, else to the first preopen.
            let mut path = work.join(name);
            if !path.exists()
                && let Some((host, _)) = spec.dirs.first()
            {
                path = host.join(name);
            }
            check_file(&mut problems, &path, name, content);
        }
        problems
    }
}

/// The import (module, name) pairs of a wasm binary whose module is not WASI.
pub fn non_wasi_imports(wasm: &[u8]) -> Result<Vec<(String, String)>> {
    let mut found = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        if let wasmparser::Payload::ImportSection(reader) = payload? {
            for imports in reader {
                for import in imports?.into_iter() {
                    let (_, imp) = import?;
                    if !WASI_MODULES.contains(&imp.module) {
                        found.push((imp.module.to_string(), imp.name.to_string()));
                    }
                }
            }
        }
    }
    Ok(found)
}

// ---------------------------------------------------------------------------------------
// Traps
// ---------------------------------------------------------------------------------------

/// The message of the first stderr line that contains `wasm trap: `, e.g.
/// `integer divide by zero` from wasmtime's `    2: wasm trap: integer divide by zero`.
pub fn trap_message(stderr: &str) -> Option<String> {
    stderr.lines().find_map(|l| {
        l.find("wasm trap: ")
            .map(|i| l[i + "wasm trap: ".len()..].trim().to_string())
    })
}

/// Checks that a run ended in a trap with `message`, with `function` in the backtrace.
pub fn check_trap(out: &Outcome, message: &str, function: &str) -> Vec<String> {
    let mut problems = Vec::new();
    check_status(&mut problems, out, TRAP_EXIT_STATUS);
    let stderr = out.stderr_text();
    match trap_message(&stderr) {
        Some(m) if m == message => {}
        Some(m) => problems.push(format!("trap message {m:?}, expected {message:?}")),
        None => problems.push(format!(
            "no `wasm trap: ` line on stderr:\n{}",
            indent(&stderr)
        )),
    }
    if !stderr.contains(function) {
        problems.push(format!(
            "backtrace does not name the function {function:?}; stderr:\n{}",
            indent(&stderr)
        ));
    }
    problems
}

/// The frame names of a wasmaot executable's `wasm backtrace:` (innermost first).
pub fn backtrace_frames(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .skip_while(|l| !l.starts_with("wasm backtrace:"))
        .skip(1)
        .map_while(|l| {
            let (n, name) = l.trim_start().split_once(": ")?;
            n.parse::<u64>().ok()?;
            Some(name.trim().to_string())
        })
        .collect()
}

/// Checks that a wasmaot executable's backtrace names exactly `frames`, in order (nothing to
/// check if `frames` is empty).
pub fn check_backtrace(out: &Outcome, frames: &[String]) -> Vec<String> {
    let got = backtrace_frames(&out.stderr_text());
    if frames.is_empty() || got == frames {
        return vec![];
    }
    vec![format!(
        "backtrace frames {got:?}, expected {frames:?}; stderr:\n{}",
        indent(&out.stderr_text())
    )]
}

// ---------------------------------------------------------------------------------------
// Comparison helpers
// ---------------------------------------------------------------------------------------

pub fn check_status(problems: &mut Vec<String>, out: &Outcome, expected: i32) {
    check_status_showing(problems, out, expected, 3000);
}

/// [`check_status`], showing at most `stderr_max` bytes of a non-empty stderr.
pub fn check_status_showing(
    problems: &mut Vec<String>,
    out: &Outcome,
    expected: i32,
    stderr_max: usize,
) {
    if out.timed_out || out.status() != expected {
        let mut msg = format!("{}, expected exit status {expected}", out.describe_end());
        if !out.stderr.is_empty() {
            msg.push_str(&format!(
                "; stderr:\n{}",
                indent(&truncate(&out.stderr_text(), stderr_max))
            ));
        }
        problems.push(msg);
    }
}

pub fn check_exact(problems: &mut Vec<String>, what: &str, expected: &str, actual: &str) {
    if expected != actual {
        problems.push(format!(
            "{what} differs (- expected, + actual):\n{}",
            indent(&diff_text(expected, actual))
        ));
    }
}

pub fn check_prefix(problems: &mut Vec<String>, what: &str, prefix: &str, actual: &str) {
    if !actual.starts_with(prefix) {
        let head: String = actual.chars().take(prefix.chars().count()).collect();
        problems.push(format!(
            "{what} does not start with the expected text (- expected, + actual):\n{}",
            indent(&diff_text(prefix, &head))
        ));
    }
}

/// `what` (stdout or stderr) must contain `needle`.
fn check_contains(problems: &mut Vec<String>, what: &str, needle: &str, actual: &str) {
    if !actual.contains(needle) {
        problems.push(format!(
            "{what} does not contain {needle:?}; {what}:\n{}",
            indent(actual)
        ));
    }
}

/// stdout must hold the lines `want`, in any order.
fn check_sorted_lines(problems: &mut Vec<String>, mut want: Vec<&str>, stdout: &str) {
    let mut lines: Vec<&str> = stdout.lines().collect();
    lines.sort_unstable();
    want.sort_unstable();
    if lines != want {
        problems.push(format!(
            "stdout lines (sorted) differ:\n{}",
            indent(&diff_text(&join_lines(&want), &join_lines(&lines)))
        ));
    }
}

fn check_file(problems: &mut Vec<String>, path: &Path, name: &str, content: &str) {
    match fs::read(path) {
        Ok(bytes) if bytes == content.as_bytes() => {}
        Ok(bytes) => problems.push(format!(
            "file {name} differs (- expected, + actual):\n{}",
            indent(&diff_text(content, &String::from_utf8_lossy(&bytes)))
        )),
        Err(e) => problems.push(format!("file {name} not readable after the run: {e}")),
    }
}

fn join_lines(lines: &[&str]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// A line diff (longest common subsequence) of two texts; lines are shown with `{:?}`
/// quoting so that invisible differences (NUL, trailing spaces, missing newline) show.
pub fn diff_text(expected: &str, actual: &str) -> String {
    let a: Vec<&str> = expected.split_inclusive('\n').collect();
    let b: Vec<&str> = actual.split_inclusive('\n').collect();
    if a.len() * b.len() > 4_000_000 {
        return format!(
            "- {}\n+ {}",
            truncate(expected, 2000),
            truncate(actual, 2000)
        );
    }
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            out.push(format!("  {:?}", a[i]));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            out.push(format!("- {:?}", a[i]));
            i += 1;
        } else {
            out.push(format!("+ {:?}", b[j]));
            j += 1;
        }
    }
    if out.len() > 60 {
        // Keep the changed lines and a little context.
        let changed: Vec<usize> = (0..out.len())
            .filter(|&k| !out[k].starts_with("  "))
            .collect();
        let keep = |k: usize| changed.iter().any(|&c| c.abs_diff(k) <= 2);
        let mut short = Vec::new();
        let mut skipped = false;
        for (k, line) in out.iter().enumerate() {
            if keep(k) {
                short.push(line.clone());
                skipped = false;
            } else if !skipped {
                short.push("  ...".to_string());
                skipped = true;
            }
        }
        if short.len() > 80 {
            short.truncate(80);
            short.push("  ... (more differences)".to_string());
        }
        out = short;
    }
    out.join("\n")
}

pub fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... ({} bytes in all)", &text[..end], text.len())
}

// ---------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------

/// Removes `.` and `..` components without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

/// Copies a directory tree (files and directories; symlinks are recreated), skipping files
/// whose extension is in `skip_ext`.
pub fn copy_tree(src: &Path, dst: &Path, skip_ext: &[&str]) -> Result<()> {
    fs::create_dir_all(dst).with_context(|| format!("creating {}", dst.display()))?;
    for entry in fs::read_dir(src).with_context(|| format!("reading {}", src.display()))? {
        let entry = entry?;
        let ty = entry.file_type()?;
        let from = entry.path();
        let to = dst.join(entry.file_name());
        if ty.is_dir() {
            copy_tree(&from, &to, skip_ext)?;
        } else if ty.is_symlink() {
            std::os::unix::fs::symlink(fs::read_link(&from)?, &to)?;
        } else if !from
            .extension()
            .is_some_and(|x| skip_ext.iter().any(|s| x == *s))
        {
            fs::copy(&from, &to).with_context(|| format!("copying {}", from.display()))?;
        }
    }
    Ok(())
}

/// The file name of `p` (lossy), or `""`.
pub fn file_name(p: &Path) -> String {
    p.file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

/// The file name of `p` without its extension (lossy), or `""`.
pub fn file_stem(p: &Path) -> String {
    p.file_stem()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

// ---------------------------------------------------------------------------------------
// Runner plumbing
// ---------------------------------------------------------------------------------------

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

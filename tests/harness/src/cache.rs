//! Content-addressed build caches under `tests/.cache/`: Go programs ([`go_build`]), C
//! programs built with zig's clang ([`zig_cc`]), C++ programs with Wasm exceptions
//! ([`zig_cxx_exceptions`]) and wasmtime's precompiled modules ([`wasmtime_precompiled`]),
//! each computed once per key across threads ([`Memo`]).

use std::collections::HashMap;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use sha2::{Digest, Sha256};

use crate::{Invocation, Tools, run};

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
static ZIG_LIB: OnceLock<Result<String, String>> = OnceLock::new();
static CXX_BUILDS: OnceLock<Memo<PathBuf>> = OnceLock::new();
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
/// the Go version. A program whose files say `//go:build goexperiment.NAME` is built with
/// `GOEXPERIMENT=NAME` (see [`go_experiments`]). Returns the `.wasm` path.
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
    let texts = sources
        .iter()
        .map(fs::read)
        .collect::<std::io::Result<Vec<_>>>()?;
    let experiments = go_experiments(&texts);
    let mut parts: Vec<Vec<u8>> = vec![version.into_bytes(), b"-trimpath".to_vec()];
    parts.extend(flags.iter().map(|f| f.as_bytes().to_vec()));
    if !experiments.is_empty() {
        parts.push(format!("GOEXPERIMENT={experiments}").into_bytes());
    }
    for (s, text) in sources.iter().zip(texts) {
        parts.push(
            s.file_name()
                .unwrap_or_default()
                .as_encoded_bytes()
                .to_vec(),
        );
        parts.push(text);
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
        inv.env.push(("GOEXPERIMENT".into(), experiments.clone()));
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

/// The Go experiments a program's files (`texts`) need, comma-separated and sorted (empty
/// for none): every `goexperiment.NAME` of a `//go:build` line that is only such terms
/// joined by `&&` (`//go:build goexperiment.simd`). Lines with `||` or `!` are left to Go.
fn go_experiments(texts: &[Vec<u8>]) -> String {
    let mut names: Vec<&str> = Vec::new();
    for text in texts {
        let text = std::str::from_utf8(text).unwrap_or_default();
        for line in text.lines().take_while(|l| !l.starts_with("package ")) {
            let Some(expr) = line.strip_prefix("//go:build ") else {
                continue;
            };
            if expr.contains("||") || expr.contains('!') {
                continue;
            }
            names.extend(
                expr.split("&&")
                    .filter_map(|term| term.trim().strip_prefix("goexperiment.")),
            );
        }
    }
    names.sort_unstable();
    names.dedup();
    names.join(",")
}

/// zig's C compiler: the venv's Python with the pip package `ziglang` (`make tools`).
fn zig_python(tools: &Tools) -> PathBuf {
    tools.root.join(".tools/venv/bin/python")
}

/// zig's version (run once per process).
fn zig_version(tools: &Tools) -> Result<String> {
    let python = zig_python(tools);
    tool_version(&ZIG_VERSION, "python -m ziglang version", || {
        Invocation::new(&python).args(["-m", "ziglang", "version"])
    })
    .context("zig is not installed (`make tools` installs it)")
}

/// Builds the C program `source` for `wasm32-wasi` with zig's clang (`-target wasm32-wasi`,
/// then `flags`), cached in `tests/.cache/c/` by a hash of the source, the flags and zig's
/// version. Returns the `.wasm` path.
pub fn zig_cc(tools: &Tools, source: &Path, flags: &[&str]) -> Result<PathBuf> {
    zig_cc_files(tools, &[source], flags)
}

/// [`zig_cc`] for a program of several C files (named after the first one's folder).
pub fn zig_cc_files(tools: &Tools, sources: &[&Path], flags: &[&str]) -> Result<PathBuf> {
    let python = zig_python(tools);
    let version = zig_version(tools)?;
    let mut parts: Vec<Vec<u8>> = vec![version.into_bytes()];
    parts.extend(flags.iter().map(|f| f.as_bytes().to_vec()));
    for source in sources {
        parts.push(source.as_os_str().as_encoded_bytes().to_vec());
        parts.push(fs::read(source).with_context(|| format!("reading {}", source.display()))?);
    }
    let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    let hash = sha256_hex(&refs);
    let first = sources.first().context("no C sources")?;
    let name = first
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
            .args(sources.iter().copied())
            .timeout(Duration::from_secs(600));
        let res = run(&inv)?;
        if res.status() != 0 || !staged.is_file() {
            bail!(
                "zig cc of {} failed ({}):\n{}",
                first.display(),
                res.describe_end(),
                res.stderr_text()
            );
        }
        Ok(())
    })
}

/// zig's clang flags for C++ with Wasm 3.0 exception handling: `try_table`, `throw` and
/// `throw_ref` (not the legacy `try`/`catch`/`rethrow`).
const CXX_EXCEPTION_FLAGS: [&str; 7] = [
    "-target",
    "wasm32-wasi",
    "-fwasm-exceptions",
    "-mexception-handling",
    "-mllvm",
    "-wasm-use-legacy-eh=false",
    "-O2",
];

/// The tag C++ exceptions are thrown with; LLVM expects the program to define it.
const CPP_EXCEPTION_TAG: &str =
    ".globl __cpp_exception\n.tagtype __cpp_exception i32\n__cpp_exception:\n";

/// One object of the C++ exception runtime: a source in zig's `lib/` folder (`None`: the
/// [`CPP_EXCEPTION_TAG`] assembly) and whether it is C++.
struct RuntimeObject {
    name: &'static str,
    source: Option<&'static str>,
    cxx: bool,
}

/// zig's libc++abi for wasm32-wasi is built without exceptions (no `__cxa_throw`), so the
/// programs link their own: libc++abi's exception objects, libunwind's wasm unwinder and the
/// exception tag.
const CXX_RUNTIME: [RuntimeObject; 4] = [
    RuntimeObject {
        name: "cxa_exception",
        source: Some("libcxxabi/src/cxa_exception.cpp"),
        cxx: true,
    },
    RuntimeObject {
        name: "cxa_personality",
        source: Some("libcxxabi/src/cxa_personality.cpp"),
        cxx: true,
    },
    RuntimeObject {
        name: "Unwind-wasm",
        source: Some("libunwind/src/Unwind-wasm.c"),
        cxx: false,
    },
    RuntimeObject {
        name: "cpp_exception",
        source: None,
        cxx: false,
    },
];

/// zig's `lib/` folder (the sources of its libc++, libc++abi and libunwind).
fn zig_lib(tools: &Tools) -> Result<PathBuf> {
    let python = zig_python(tools);
    tool_version(&ZIG_LIB, "python -c 'import ziglang'", || {
        Invocation::new(&python).args([
            "-c",
            "import ziglang, os; print(os.path.join(os.path.dirname(ziglang.__file__), 'lib'))",
        ])
    })
    .map(PathBuf::from)
}

/// Runs zig (`cc` or `c++`) with `args`; fails with its stderr.
fn zig(tools: &Tools, driver: &str, args: Vec<OsString>, what: &Path) -> Result<()> {
    let inv = Invocation::new(zig_python(tools))
        .args(["-m", "ziglang", driver])
        .args(args)
        .timeout(Duration::from_secs(600));
    let res = run(&inv)?;
    if res.status() != 0 {
        bail!(
            "zig {driver} of {} failed ({}):\n{}",
            what.display(),
            res.describe_end(),
            res.stderr_text()
        );
    }
    Ok(())
}

/// The zig flags of one [`CXX_RUNTIME`] object, without its input and output.
fn runtime_object_flags(obj: &RuntimeObject, lib: &Path) -> Vec<OsString> {
    if obj.source.is_none() {
        return ["-target", "wasm32-wasi", "-mexception-handling"]
            .map(Into::into)
            .into();
    }
    let mut flags: Vec<OsString> = CXX_EXCEPTION_FLAGS.iter().map(Into::into).collect();
    let mut include = |rel: &str| {
        let mut a = OsString::from("-I");
        a.push(lib.join(rel));
        flags.push(a);
    };
    if obj.cxx {
        for rel in ["libcxxabi/include", "libcxxabi", "libcxx/src"] {
            include(rel);
        }
    }
    include("libunwind/include");
    if obj.cxx {
        flags.extend(
            [
                "-D_LIBCXXABI_BUILDING_LIBRARY",
                "-D_LIBCPP_BUILDING_LIBRARY",
                "-DLIBCXXABI_USE_LLVM_UNWINDER",
            ]
            .map(Into::into),
        );
    } else {
        flags.push("-fdeclspec".into());
    }
    flags
}

/// Builds the C++ program `source` for `wasm32-wasi` with Wasm exceptions
/// ([`CXX_EXCEPTION_FLAGS`]), linked with [`CXX_RUNTIME`]. The runtime's objects and the
/// program are cached in `tests/.cache/cpp/` by a hash of zig's version, the flags and the
/// sources. Returns the `.wasm` path.
pub fn zig_cxx_exceptions(tools: &Tools, source: &Path) -> Result<PathBuf> {
    let version = zig_version(tools)?;
    let lib = zig_lib(tools)?;
    let dir = tools.cache.join("cpp");
    let mut objects = Vec::new();
    for obj in &CXX_RUNTIME {
        let flags = runtime_object_flags(obj, &lib);
        let mut parts: Vec<&[u8]> = vec![version.as_bytes(), obj.name.as_bytes()];
        parts.extend(flags.iter().map(|f| f.as_encoded_bytes()));
        parts.push(CPP_EXCEPTION_TAG.as_bytes());
        let hash = sha256_hex(&parts);
        let out = dir.join(format!("{}-{}.o", obj.name, &hash[..16]));
        let path = cached_build(&CXX_BUILDS, &hash, &out, |staged| {
            let input = match obj.source {
                Some(rel) => lib.join(rel),
                None => {
                    let asm = staged.with_file_name("cpp_exception.S");
                    fs::write(&asm, CPP_EXCEPTION_TAG)?;
                    asm
                }
            };
            let mut args = flags.clone();
            args.extend(["-c".into(), input.clone().into(), "-o".into()]);
            args.push(staged.into());
            zig(tools, if obj.cxx { "c++" } else { "cc" }, args, &input)
        })?;
        objects.push(path);
    }
    let program = fs::read(source).with_context(|| format!("reading {}", source.display()))?;
    let mut parts: Vec<&[u8]> = vec![version.as_bytes(), &program];
    parts.extend(objects.iter().map(|o| o.as_os_str().as_encoded_bytes()));
    let hash = sha256_hex(&parts);
    let name = source
        .parent()
        .and_then(Path::file_name)
        .unwrap_or_default()
        .to_string_lossy();
    let out = dir.join(format!("{name}-{}.wasm", &hash[..16]));
    cached_build(&CXX_BUILDS, &hash, &out, |staged| {
        let mut args: Vec<OsString> = CXX_EXCEPTION_FLAGS.iter().map(|f| f.into()).collect();
        args.push(source.into());
        args.extend(objects.iter().map(|o| o.into()));
        args.extend(["-o".into(), staged.into()]);
        zig(tools, "c++", args, source)
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

#[cfg(test)]
mod tests {
    use super::go_experiments;

    #[test]
    fn go_experiments_reads_plain_build_constraints() {
        let texts = [
            b"//go:build goexperiment.simd && wasm\n\npackage main\n".to_vec(),
            b"// comment\n//go:build goexperiment.arenas\npackage main\n//go:build goexperiment.late\n".to_vec(),
            b"//go:build !goexperiment.simd || goexperiment.x\npackage main\n".to_vec(),
        ];
        assert_eq!(go_experiments(&texts), "arenas,simd");
        assert_eq!(go_experiments(&[b"package main\n".to_vec()]), "");
    }
}

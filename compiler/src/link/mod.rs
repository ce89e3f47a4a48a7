//! Links an object file with the embedded runtime into a static executable, using the system C
//! compiler driver as the linker (`cc` for the host, `aarch64-linux-gnu-gcc` for aarch64 on an
//! x86_64 host, or `--linker`). On x86_64 the executable links against the embedded musl C
//! library (start-up in 0.1 ms where static glibc's takes 0.6 ms probing the CPU's caches under
//! virtualisation), unless `--link` inputs or `--linker` ask for the system's C library.
//!
//! Must never leave a partial output file: the executable is linked to a temporary file in the
//! output's directory and renamed into place only on success.

mod runtime_archive;

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::embed::ModuleInterface;
use crate::error::{CompileError, Result};
use crate::{Compiled, Options};
pub use runtime_archive::runtime_archive;
use runtime_archive::{MuslLibc, musl_libc};

/// Libraries the Rust runtime staticlib needs from the C library, in static-link form.
const NATIVE_LIBS: &[&str] = &["-lutil", "-lrt", "-lpthread", "-lm", "-ldl", "-lc"];

/// The linker driver to use for `triple` when the user named none.
pub fn default_linker(triple: &str) -> String {
    let host_arch = std::env::consts::ARCH;
    match triple.split('-').next() {
        Some(arch) if arch == host_arch => "cc".to_string(),
        Some("aarch64") => "aarch64-linux-gnu-gcc".to_string(),
        Some("x86_64") => "x86_64-linux-gnu-gcc".to_string(),
        _ => "cc".to_string(),
    }
}

/// `-fuse-ld=gold` when the default driver is used, the target is x86_64 and GNU gold for it is
/// installed (`ld.gold`, or `x86_64-linux-gnu-ld.gold` when cross-linking): it links a Go hello world
/// in 0.08 s where the default BFD linker needs 0.19 s. Otherwise the driver's default linker.
fn fast_linker_flag(triple: &str, user_linker: Option<&str>) -> Option<&'static str> {
    // Not for aarch64: gold's Cortex-A53 erratum 843419 scanner fails with an internal error
    // on some objects (constants Cranelift places in `.text`, more of them with SIMD), and
    // turning the fix off would risk wrong code on A53 cores. The BFD linker handles both.
    if user_linker.is_some() || triple.starts_with("aarch64") {
        return None;
    }
    let gold = if default_linker(triple) == "cc" {
        "ld.gold".to_string()
    } else {
        format!("{}-linux-gnu-ld.gold", triple.split('-').next()?)
    };
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .any(|dir| dir.join(&gold).is_file())
        .then_some("-fuse-ld=gold")
}

fn link_error(msg: impl Into<String>) -> CompileError {
    CompileError::Link(msg.into())
}

/// A temporary output file beside its destination: removed when dropped, renamed into place by
/// [`persist`], and registered for [`crate::cleanup::remove_all`] until then.
#[derive(Debug)]
pub struct TempOutput {
    path: tempfile::TempPath,
    _registered: crate::cleanup::Registered,
}

impl std::ops::Deref for TempOutput {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for TempOutput {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

/// Creates the temporary output file beside `output`; fails with a clear message if that
/// directory cannot be written.
pub fn temp_output(output: &Path) -> Result<TempOutput> {
    let dir = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file = tempfile::Builder::new()
        .prefix(".wasmaot-")
        .tempfile_in(&dir)
        .map_err(|e| link_error(format!("cannot write `{}`: {e}", output.display())))?;
    let path = file.into_temp_path();
    let registered = crate::cleanup::register(&path, false);
    Ok(TempOutput {
        path,
        _registered: registered,
    })
}

/// A temporary work directory (objects, the runtime archive), removed when dropped and
/// registered for [`crate::cleanup::remove_all`].
pub struct WorkDir {
    dir: tempfile::TempDir,
    _registered: crate::cleanup::Registered,
}

impl WorkDir {
    pub fn new() -> Result<WorkDir> {
        let dir = tempfile::Builder::new()
            .prefix("wasmaot-")
            .tempdir()
            .map_err(|e| link_error(format!("cannot create a temporary directory: {e}")))?;
        let registered = crate::cleanup::register(dir.path(), true);
        Ok(WorkDir {
            dir,
            _registered: registered,
        })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// The process's file-creation mask (from `/proc/self/status`; 022 if it cannot be read).
fn umask() -> u32 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("Umask:"))?;
            u32::from_str_radix(line["Umask:".len()..].trim(), 8).ok()
        })
        .unwrap_or(0o022)
}

/// What an output file is: it decides the file's mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputKind {
    /// 0777 minus the umask, as `cc` and `go build` give executables.
    Executable,
    /// 0666 minus the umask.
    Data,
}

/// Gives a finished temporary file its mode and moves it to `output`. (Temporary files are
/// created 0600, so the mode is set explicitly.)
pub fn persist(tmp: TempOutput, output: &Path, kind: OutputKind) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = match kind {
        OutputKind::Executable => 0o777,
        OutputKind::Data => 0o666,
    } & !umask();
    std::fs::set_permissions(&*tmp, std::fs::Permissions::from_mode(mode))
        .map_err(|e| link_error(format!("cannot write `{}`: {e}", output.display())))?;
    let TempOutput { path, _registered } = tmp;
    // Unregistered only once renamed: a signal before the rename removes the temporary.
    let r = path
        .persist(output)
        .map_err(|e| link_error(format!("cannot write `{}`: {}", output.display(), e.error)));
    drop(_registered);
    r
}

/// Links a compiled module with the runtime for its target, and the `--link` inputs that
/// define its host functions, into the static executable `output`. A host function that no
/// input defines is reported as the wasm import it implements.
pub fn link_executable(compiled: &Compiled, opts: &Options, output: &Path) -> Result<()> {
    let triple = opts.target.as_str();
    let archive = runtime_archive(triple).ok_or_else(|| {
        link_error(format!(
            "this wasmaot was built without the runtime for {triple} (run `rustup target add {triple}` and rebuild wasmaot)"
        ))
    })?;
    check_inputs(&opts.link)?;
    let out_tmp = temp_output(output)?;
    let work = WorkDir::new()?;
    let obj_path = work.path().join("module.o");
    let rt_path = work.path().join("libwasmaot_runtime.a");
    std::fs::write(&obj_path, &compiled.object)
        .map_err(|e| link_error(format!("cannot write {}: {e}", obj_path.display())))?;
    // C sources given to --link include the API header.
    std::fs::write(work.path().join("wasmaot.h"), wasmaot_abi::C_HEADER)
        .map_err(|e| link_error(format!("cannot write wasmaot.h: {e}")))?;

    let linker_name = opts.linker.as_deref();
    let fast = fast_linker_flag(triple, linker_name);
    let linker = linker_name
        .map(str::to_string)
        .unwrap_or_else(|| default_linker(triple));
    // musl only for programs of ours alone: `--link` inputs are built against the system's
    // C library (its headers, its struct layouts), and `--linker` names a toolchain of its own.
    let musl = musl_libc(triple).filter(|_| opts.link.is_empty() && linker_name.is_none());
    let mut cmd = Command::new(&linker);
    cmd.args(fast);
    cmd.arg("-static")
        .arg("-no-pie")
        .arg("-Wl,--gc-sections")
        // The runtime's (and Rust std's) DWARF is ~4 MB and not needed: backtraces walk frame
        // pointers and name functions from the descriptor. The symbol table stays (profilers).
        // A module with DWARF keeps all of it: its own, translated, and the runtime's, so a
        // debugger shows source lines on both sides.
        // `.eh_frame_hdr` (and its PT_GNU_EH_FRAME header) is how DWARF unwinders such as
        // `perf --call-graph dwarf` find the call-frame information; a static link omits it
        // unless asked.
        .args((!opts.strip).then_some("-Wl,--eh-frame-hdr"))
        .args(if opts.strip {
            Some("-Wl,--strip-all")
        } else if compiled.debug_info {
            None
        } else {
            Some("-Wl,--strip-debug")
        })
        .arg("-o")
        .arg(&*out_tmp);
    if let Some(libc) = musl {
        link_musl(&mut cmd, libc, work.path(), &obj_path)?;
    } else {
        std::fs::write(&rt_path, archive)
            .map_err(|e| link_error(format!("cannot write {}: {e}", rt_path.display())))?;
        cmd.arg(&obj_path);
        if opts.link.iter().any(|p| is_c_source(p)) {
            cmd.arg("-O2").arg("-I").arg(work.path());
        }
        cmd.args(&opts.link).arg(&rt_path).args(NATIVE_LIBS);
    }
    run_linker(cmd, &linker).map_err(|e| unresolved_imports(e, &compiled.interface))?;
    persist(out_tmp, output, OutputKind::Executable)
}

/// Adds the inputs of a link against musl to `cmd`: the start files, the program, the runtime
/// built for musl, the C library and unwinder, the end files; the driver's own C library and
/// start files are left out (`-nostdlib`).
fn link_musl(cmd: &mut Command, libc: &MuslLibc, work: &Path, obj_path: &Path) -> Result<()> {
    let write = |name: &str, bytes: &[u8]| {
        let path = work.join(name);
        std::fs::write(&path, bytes)
            .map_err(|e| link_error(format!("cannot write {}: {e}", path.display())))?;
        Ok::<_, CompileError>(path)
    };
    cmd.arg("-nostdlib");
    for (name, bytes) in libc.start {
        cmd.arg(write(name, bytes)?);
    }
    cmd.arg(obj_path)
        .arg(write("libwasmaot_runtime_musl.a", libc.runtime)?);
    for (name, bytes) in libc.libs.iter().chain(libc.end) {
        cmd.arg(write(name, bytes)?);
    }
    Ok(())
}

/// Whether a `--link` input is a C source for the driver to compile.
fn is_c_source(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "c")
}

/// Every `--link` input must exist and be an object, an archive or a C source.
fn check_inputs(inputs: &[PathBuf]) -> Result<()> {
    for p in inputs {
        let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !matches!(ext, "o" | "a" | "c") {
            return Err(link_error(format!(
                "--link {}: expected an object file (.o), a static archive (.a) or a C source (.c)",
                p.display()
            )));
        }
        if !p.is_file() {
            return Err(link_error(format!("--link {}: no such file", p.display())));
        }
    }
    Ok(())
}

/// A failed link whose errors are undefined host-import symbols becomes the error naming the
/// wasm imports; any other failure is returned unchanged.
fn unresolved_imports(e: CompileError, interface: &ModuleInterface) -> CompileError {
    let CompileError::Link(msg) = &e else {
        return e;
    };
    let missing: Vec<(String, String, String)> = interface
        .imports
        .iter()
        .filter(|imp| {
            [format!("`{}'", imp.symbol), format!("'{}'", imp.symbol)]
                .iter()
                .any(|quoted| msg.contains(&format!("undefined reference to {quoted}")))
        })
        .map(|imp| (imp.module.clone(), imp.name.clone(), imp.symbol.clone()))
        .collect();
    if missing.is_empty() {
        return e;
    }
    CompileError::UnresolvedImports { imports: missing }
}

/// Objects from the `--link` inputs, for a static library: object files as they are, the
/// members of archives, C sources compiled (position-independent) by the target's C compiler.
pub struct HostInputs {
    /// `(member name, object bytes)`.
    pub objects: Vec<(String, Vec<u8>)>,
}

pub fn host_inputs(opts: &Options) -> Result<HostInputs> {
    check_inputs(&opts.link)?;
    let mut objects = Vec::new();
    let work = WorkDir::new()?;
    std::fs::write(work.path().join("wasmaot.h"), wasmaot_abi::C_HEADER)
        .map_err(|e| link_error(format!("cannot write wasmaot.h: {e}")))?;
    for (i, p) in opts.link.iter().enumerate() {
        let read = |p: &Path| {
            std::fs::read(p).map_err(|e| link_error(format!("--link {}: {e}", p.display())))
        };
        let stem = p.file_stem().and_then(|s| s.to_str()).unwrap_or("host");
        match p.extension().and_then(|e| e.to_str()) {
            Some("o") => objects.push((format!("host{i}_{stem}.o"), read(p)?)),
            Some("a") => {
                let bytes = read(p)?;
                let archive = object::read::archive::ArchiveFile::parse(&*bytes)
                    .map_err(|e| link_error(format!("--link {}: {e}", p.display())))?;
                for m in archive.members() {
                    let m = m.map_err(|e| link_error(format!("--link {}: {e}", p.display())))?;
                    let data = m
                        .data(&*bytes)
                        .map_err(|e| link_error(format!("--link {}: {e}", p.display())))?;
                    let name = String::from_utf8_lossy(m.name()).into_owned();
                    objects.push((format!("host{i}_{name}"), data.to_vec()));
                }
            }
            _ => {
                let out = work.path().join(format!("host{i}.o"));
                let cc = opts
                    .linker
                    .clone()
                    .unwrap_or_else(|| default_linker(&opts.target));
                let mut cmd = Command::new(&cc);
                cmd.args(["-c", "-O2", "-fPIC", "-I"])
                    .arg(work.path())
                    .arg("-o")
                    .arg(&out)
                    .arg(p);
                run_linker(cmd, &cc)?;
                objects.push((format!("host{i}_{stem}.o"), read(&out)?));
            }
        }
    }
    Ok(HostInputs { objects })
}

/// Links `object` (compiled with `Options::library`, so position-independent) into the shared
/// object `output`, for an embedder to `dlopen`. The runtime is not linked in: the object's
/// references to `wasmaot_rt_*` (and `wasmaot_wasi_*`) stay undefined and bind at load time to
/// the runtime the embedding process exports (e.g. a binary linked with `-rdynamic`).
pub fn link_shared(object: &[u8], triple: &str, linker: Option<&str>, output: &Path) -> Result<()> {
    let out_tmp = temp_output(output)?;
    let work = WorkDir::new()?;
    let obj_path = work.path().join("module.o");
    std::fs::write(&obj_path, object)
        .map_err(|e| link_error(format!("cannot write {}: {e}", obj_path.display())))?;
    let linker = linker
        .map(str::to_string)
        .unwrap_or_else(|| default_linker(triple));
    let mut cmd = Command::new(&linker);
    cmd.arg("-shared")
        .arg("-nostdlib")
        .arg("-Wl,-z,noexecstack")
        .arg("-o")
        .arg(&*out_tmp)
        .arg(&obj_path);
    run_linker(cmd, &linker)?;
    persist(out_tmp, output, OutputKind::Data)
}

/// Runs a linker command; a failure names the linker and the first lines of its errors.
fn run_linker(mut cmd: Command, linker: &str) -> Result<()> {
    let not_run = |e: std::io::Error| {
        if e.kind() == std::io::ErrorKind::NotFound {
            link_error(format!(
                "linker `{linker}` not found: install it (Debian: `apt-get install {}`) or pass --linker",
                if linker.contains("aarch64") {
                    "gcc-aarch64-linux-gnu"
                } else {
                    "gcc"
                }
            ))
        } else {
            link_error(format!("cannot run linker `{linker}`: {e}"))
        }
    };
    let child = cmd
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(not_run)?;
    // Killed, and waited for, if the compile is interrupted (see `crate::cleanup`).
    let registered = crate::cleanup::register_child(child.id());
    let out = child.wait_with_output().map_err(not_run)?;
    drop(registered);
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        // Undefined references first: they say which host function is missing.
        let mut first: Vec<&str> = lines
            .iter()
            .copied()
            .filter(|l| l.contains("undefined reference"))
            .collect();
        first.extend(
            lines
                .iter()
                .copied()
                .filter(|l| !l.contains("undefined reference")),
        );
        first.truncate(
            first
                .iter()
                .filter(|l| l.contains("undefined reference"))
                .count()
                .max(3),
        );
        return Err(link_error(format!(
            "linking failed (`{linker}` {}): {}",
            out.status,
            first.join(" | ")
        )));
    }
    Ok(())
}

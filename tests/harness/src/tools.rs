//! Where a runner finds what it needs from outside the repository: the repository root,
//! [`Tools`] (`wasmaot`, `go`, `wasmtime`, `qemu-aarch64`, the shared corpus), programs on `PATH`;
//! the exit status of a trap and the names of the WASI modules.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

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

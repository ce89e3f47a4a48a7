//! The compile cache of `wasmaot run`: content-addressed executables that carry no policy.
//!
//! Layout under the cache directory (`$WASMAOT_CACHE_DIR`, else `$XDG_CACHE_HOME/wasmaot`,
//! else `~/.cache/wasmaot`):
//! * `v1/exe/<key>`: a complete executable; `<key>` is the sha256 (hex) of the wasm bytes, the
//!   compiler version and build, the target and the optimisation level.
//! * `v1/exe/.wasmaot-*`: an executable being linked (the linker's temporary file).
//! * `v1/lock/<key>`: locked (`flock`) by the process compiling `<key>`.
//! * `v1/func/`: the function cache (`wasmaot::codegen::func_cache`), which `wasmaot run` uses
//!   with `WASMAOT_FUNC_CACHE=1` and plain compiles with `--cache`: a new module's functions
//!   whose code an earlier compile had skip Cranelift. Off by default: across different Go
//!   binaries it hits a few percent of the functions, and storing costs a cold compile
//!   10-50% (hashing, and one file per function).
//!
//! Bounded by `$WASMAOT_CACHE_MAX` (default 2 GiB; [`wasmaot::cache_prune`]): a hit marks its
//! entry as used, and after each compile the least recently used entries are removed until
//! the executables fit, never the one just compiled. The function cache has its own cap, a
//! quarter of that (default 512 MiB), pruned the same way after each compile that used it. A run whose entry another process pruned
//! before the `exec` compiles it again (`run.rs`).
//!
//! Must never trust an entry that is not complete: an executable only ever appears under its
//! key by `rename` of a fully linked temporary file (the commit point), so a compile killed
//! halfway leaves at most a `.wasmaot-*` temporary, which no lookup reads. Concurrent runs of
//! the same module serialise on the lock file (released by the kernel if its holder dies), so
//! one compiles and the others then find the entry; even without the lock every run would
//! only ever execute a complete entry.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use std::sync::Arc;

use anyhow::{Context, Result, anyhow, bail};
use sha2::{Digest, Sha256};
use wasmaot::cache_prune::{self, CacheMax};
use wasmaot::codegen::func_cache::{self, FuncCache};
use wasmaot::module::FeatureSet;
use wasmaot::{Cpu, Emit, OptLevel, Options};
use wasmaot_abi::policy::Policy;

/// Bumped whenever the layout or the key changes.
const LAYOUT: &str = "v1";

/// The cache directory.
pub fn cache_dir() -> Result<PathBuf> {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(d) = var("WASMAOT_CACHE_DIR") {
        return Ok(d);
    }
    if let Some(d) = var("XDG_CACHE_HOME") {
        return Ok(d.join("wasmaot"));
    }
    match var("HOME") {
        Some(h) => Ok(h.join(".cache/wasmaot")),
        None => bail!("no cache directory: set WASMAOT_CACHE_DIR, XDG_CACHE_HOME or HOME"),
    }
}

/// The cache key of a module compiled for `target` at `opt` with `cpu` features, validated
/// with the `features` feature set.
pub fn key(wasm: &[u8], target: &str, opt: OptLevel, cpu: Cpu, features: FeatureSet) -> String {
    let mut h = Sha256::new();
    for part in [
        b"wasmaot-run\0".as_slice(),
        LAYOUT.as_bytes(),
        wasmaot::codegen::func_cache::build_id().as_bytes(),
        target.as_bytes(),
        format!("{opt:?}").as_bytes(),
        format!("{cpu:?}").as_bytes(),
        format!("{features:?}").as_bytes(),
    ] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part);
    }
    h.update(wasm);
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The function cache for a compile: on if `flag` says so, else if `WASMAOT_FUNC_CACHE` says
/// so, else if `default`.
pub fn func_cache(default: bool, flag: Option<bool>) -> Result<Option<Arc<FuncCache>>> {
    let env = func_cache::enabled_by_env().map_err(|e| anyhow!(e))?;
    if !flag.or(env).unwrap_or(default) {
        return Ok(None);
    }
    // A bad cap is an error before the compile, not after it.
    CacheMax::from_env().map_err(|e| anyhow!(e))?;
    Ok(Some(Arc::new(FuncCache::new(
        cache_dir()?.join(LAYOUT).join("func"),
    ))))
}

/// After a compile that used `cache`: prunes it to its cap, and reports its hits if `verbose`
/// (`who` names the command).
pub fn finish_func_cache(cache: &FuncCache, who: &str, verbose: bool) {
    let max = func_cache::func_cache_max(CacheMax::from_env().unwrap_or(CacheMax::Unlimited));
    let pruned = cache.prune(max).unwrap_or_default();
    if verbose {
        let s = cache.stats();
        eprintln!(
            "{who}: function cache {}: {} of {} functions were hits{}{}",
            cache.dir().display(),
            s.hits,
            s.hits + s.misses,
            match s.corrupt {
                0 => String::new(),
                n => format!(", {n} damaged entries replaced"),
            },
            match pruned.removed.len() {
                0 => String::new(),
                n => format!(", pruned {n} least recently used entries"),
            },
        );
    }
}

fn create_dir(dir: &Path) -> Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o755)
        .create(dir)
        .with_context(|| format!("cannot create the cache directory {}", dir.display()))
}

/// The cached executable for `wasm`, compiling it first if needed.
pub fn executable(
    wasm: &[u8],
    opt: OptLevel,
    cpu: Cpu,
    features: FeatureSet,
    verbose: bool,
) -> Result<PathBuf> {
    // A bad cap is an error even on a hit: it would be one on the next compile.
    let max = CacheMax::from_env().map_err(|e| anyhow!(e))?;
    let target = wasmaot::options::host_target();
    let key = key(wasm, target, opt, cpu, features);
    let root = cache_dir()?.join(LAYOUT);
    let exe_dir = root.join("exe");
    let entry = exe_dir.join(&key);
    if entry.is_file() {
        cache_prune::touch(&entry);
        if verbose {
            eprintln!("wasmaot run: cache hit {}", entry.display());
        }
        return Ok(entry);
    }
    let lock_dir = root.join("lock");
    create_dir(&exe_dir)?;
    create_dir(&lock_dir)?;
    let lock_path = lock_dir.join(&key);
    let lock = cache_prune::lock(&lock_path)
        .with_context(|| format!("cannot lock {}", lock_path.display()))?;
    // Someone else may have compiled it while we waited for the lock.
    if entry.is_file() {
        cache_prune::touch(&entry);
        if verbose {
            eprintln!(
                "wasmaot run: cache hit {} (compiled by another process)",
                entry.display()
            );
        }
        return Ok(entry);
    }
    cache_prune::remove_stale_temporaries(&exe_dir, ".wasmaot-");
    let start = Instant::now();
    let opts = Options {
        target: target.to_string(),
        opt_level: opt,
        cpu,
        emit: Emit::Exe,
        // The policy comes at run time: one entry serves every set of flags.
        policy: Policy {
            from_env: true,
            ..Policy::default()
        },
        features,
        func_cache: func_cache(false, None)?,
        ..Options::default()
    };
    // Links into a temporary file in `exe_dir` and renames it to `entry` only when complete.
    wasmaot::compile_to_file(wasm, &opts, &entry)?;
    if let Some(cache) = &opts.func_cache {
        finish_func_cache(cache, "wasmaot run", verbose);
    }
    if verbose {
        eprintln!(
            "wasmaot run: compiled {} in {:.2}s",
            entry.display(),
            start.elapsed().as_secs_f64()
        );
    }
    // Pruning is housekeeping: a failure to read the directory leaves the cache as it is.
    if let Ok(pruned) = cache_prune::prune(&exe_dir, max, &entry)
        && verbose
        && !pruned.removed.is_empty()
    {
        eprintln!(
            "wasmaot run: pruned {} least recently used entries ({:.1} MiB to {:.1} MiB, {} = {})",
            pruned.removed.len(),
            pruned.before as f64 / (1u64 << 20) as f64,
            pruned.after as f64 / (1u64 << 20) as f64,
            cache_prune::CACHE_MAX_ENV,
            std::env::var(cache_prune::CACHE_MAX_ENV).unwrap_or_else(|_| "default".into()),
        );
    }
    cache_prune::remove_unused_locks(&lock_dir, &exe_dir);
    drop(lock);
    Ok(entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_depends_on_everything() {
        let a = key(
            b"\0asm",
            "x86_64-unknown-linux-gnu",
            OptLevel::O2,
            Cpu::Native,
            FeatureSet::Wasm2,
        );
        assert_eq!(a.len(), 64);
        assert_eq!(
            a,
            key(
                b"\0asm",
                "x86_64-unknown-linux-gnu",
                OptLevel::O2,
                Cpu::Native,
                FeatureSet::Wasm2
            )
        );
        assert_ne!(
            a,
            key(
                b"\0asm ",
                "x86_64-unknown-linux-gnu",
                OptLevel::O2,
                Cpu::Native,
                FeatureSet::Wasm2
            )
        );
        assert_ne!(
            a,
            key(
                b"\0asm",
                "aarch64-unknown-linux-gnu",
                OptLevel::O2,
                Cpu::Native,
                FeatureSet::Wasm2
            )
        );
        assert_ne!(
            a,
            key(
                b"\0asm",
                "x86_64-unknown-linux-gnu",
                OptLevel::O1,
                Cpu::Native,
                FeatureSet::Wasm2
            )
        );
        assert_ne!(
            a,
            key(
                b"\0asm",
                "x86_64-unknown-linux-gnu",
                OptLevel::O2,
                Cpu::Native,
                FeatureSet::Wasm3
            )
        );
    }
}

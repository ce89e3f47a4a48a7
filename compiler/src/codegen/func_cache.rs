//! The function cache: each function's machine code, keyed by its Cranelift IR, shared by every
//! compile that points at the same directory.
//!
//! The key is Cranelift's incremental-cache key (`cranelift_codegen::incremental_cache`) of the
//! function *as it is compiled*: translated, with its callees inlined. It hashes the function's
//! stencil, which refers to callees, builtins and host functions only through the function's
//! own table of external names (so a callee's index or a symbol's name is not part of it) and
//! holds source locations relative to the function's first one (so where the body sits in the
//! file is not part of it), together with the target, Cranelift's shared and ISA flags (the
//! optimisation level and the CPU features among them). We add the cache layout and the
//! compiler build ([`build_id`]). Everything else the translator reads from the module (vmctx
//! offsets, type ids, constants, memory and table kinds, the calling convention) shows in the
//! IR, so a function whose IR differs in any of it misses.
//!
//! On a hit, Cranelift's compile (lowering, register allocation, emission) is skipped and the
//! stored code is re-bound to this function's external names; relocations, trap sites, inline
//! sites (`inline.rs` marks inlined code by external-name reference, not by function index),
//! unwind information and the map back to wasm offsets then come out exactly as after a cold
//! compile. Translation and inlining still run: the key is computed from their result.
//!
//! Layout: `<dir>/<key>`, one file per function, `<key>` the sha256 (hex) of the key parts
//! above. A file is `MAGIC`, the sha256 of the payload, then the payload (Cranelift's
//! serialized code). Written to a `.tmp-*` temporary in the directory and renamed into place,
//! so a reader sees a complete file or none; a file whose checksum does not match (a disk
//! error, a truncated copy) is a miss and is written again. Any number of compiles may share
//! the directory, and [`crate::cache_prune::prune`] may remove entries under them: a missing
//! entry is a miss.
//!
//! Must never let the cache change the output: a compile with a cold cache, a warm cache or no
//! cache writes the same bytes (`tests.rs`, and the `func-cache` e2e tests).

use std::borrow::Cow;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use cranelift_codegen::incremental_cache::CacheKvStore;
use sha2::{Digest, Sha256};

use crate::cache_prune::{self, CacheMax};

/// Bumped whenever the layout, the entry format or the key changes.
const LAYOUT: &str = "v1";
/// The first bytes of every entry.
const MAGIC: &[u8; 8] = b"wafc\x01\0\0\0";
/// Prefix of entries being written.
const TEMP_PREFIX: &str = ".tmp-";

/// The environment variable that turns the function cache on (`1`) or off (`0`), for `wasmaot
/// run` and plain compiles (off by default; a compile's `--cache`/`--no-cache` wins).
pub const FUNC_CACHE_ENV: &str = "WASMAOT_FUNC_CACHE";

/// A function cache directory, and what one compile found in it.
#[derive(Debug)]
pub struct FuncCache {
    dir: PathBuf,
    /// Hashed into every key: the layout and the compiler build.
    salt: [u8; 32],
    hits: AtomicUsize,
    misses: AtomicUsize,
    /// Entries that were present but unusable (bad checksum or format).
    corrupt: AtomicUsize,
}

/// What one compile found in the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FuncCacheStats {
    pub hits: usize,
    pub misses: usize,
    pub corrupt: usize,
}

impl FuncCache {
    /// The cache in `dir` (created on the first store), keyed for this build of the compiler.
    pub fn new(dir: impl Into<PathBuf>) -> FuncCache {
        FuncCache::with_build(dir, &build_id())
    }

    /// The cache in `dir`, keyed for the compiler build `build` (tests use a fixed one).
    pub fn with_build(dir: impl Into<PathBuf>, build: &str) -> FuncCache {
        let mut h = Sha256::new();
        for part in [
            b"wasmaot-func\0".as_slice(),
            LAYOUT.as_bytes(),
            build.as_bytes(),
        ] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part);
        }
        FuncCache {
            dir: dir.into(),
            salt: h.finalize().into(),
            hits: AtomicUsize::new(0),
            misses: AtomicUsize::new(0),
            corrupt: AtomicUsize::new(0),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The counts so far.
    pub fn stats(&self) -> FuncCacheStats {
        FuncCacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            corrupt: self.corrupt.load(Ordering::Relaxed),
        }
    }

    /// Records whether one function was a hit.
    pub(crate) fn record(&self, hit: bool) {
        let counter = if hit { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// The path of the entry for Cranelift's key `key`.
    fn entry(&self, key: &[u8]) -> PathBuf {
        let mut h = Sha256::new();
        h.update(self.salt);
        h.update(key);
        self.dir.join(hex(&h.finalize()))
    }

    /// Removes the least recently used entries until the directory fits `max` (the function
    /// cache's share of `WASMAOT_CACHE_MAX`: [`func_cache_max`]), and temporaries left by
    /// killed writers. Best effort.
    pub fn prune(&self, max: CacheMax) -> std::io::Result<cache_prune::Pruned> {
        cache_prune::remove_stale_temporaries(&self.dir, TEMP_PREFIX);
        // Nothing to keep: every entry of this compile is as recent as any other.
        cache_prune::prune(&self.dir, max, Path::new(""))
    }

    /// The payload of the entry at `path`, if it is present and intact.
    fn read(&self, path: &Path) -> Option<Vec<u8>> {
        let bytes = fs::read(path).ok()?;
        match unpack(&bytes) {
            Some(payload) => {
                cache_prune::touch(path);
                Some(payload.to_vec())
            }
            None => {
                self.corrupt.fetch_add(1, Ordering::Relaxed);
                None
            }
        }
    }

    /// Stores `payload` at `path`: written to a temporary, then renamed. Best effort: a cache
    /// that cannot be written only costs the next compile its hits.
    fn write(&self, path: &Path, payload: &[u8]) {
        let _ = (|| -> std::io::Result<()> {
            fs::create_dir_all(&self.dir)?;
            let mut tmp = tempfile::Builder::new()
                .prefix(TEMP_PREFIX)
                .tempfile_in(&self.dir)?;
            tmp.write_all(&pack(payload))?;
            tmp.persist(path).map_err(|e| e.error)?;
            Ok(())
        })();
    }

    /// A store for one compile on one thread, as Cranelift's `compile_with_cache` takes it.
    pub(crate) fn store(&self) -> Store<'_> {
        Store { cache: self }
    }
}

/// [`FuncCache`] as Cranelift's key-value store.
pub(crate) struct Store<'a> {
    cache: &'a FuncCache,
}

impl CacheKvStore for Store<'_> {
    fn get(&self, key: &[u8]) -> Option<Cow<'_, [u8]>> {
        self.cache.read(&self.cache.entry(key)).map(Cow::Owned)
    }

    fn insert(&mut self, key: &[u8], val: Vec<u8>) {
        self.cache.write(&self.cache.entry(key), &val);
    }
}

/// An entry's bytes: [`MAGIC`], the payload's sha256, the payload.
fn pack(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(MAGIC.len() + 32 + payload.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&Sha256::digest(payload));
    out.extend_from_slice(payload);
    out
}

/// The payload of an entry's bytes, if they are intact.
fn unpack(bytes: &[u8]) -> Option<&[u8]> {
    let rest = bytes.strip_prefix(MAGIC.as_slice())?;
    if rest.len() < 32 {
        return None;
    }
    let (sum, payload) = rest.split_at(32);
    (Sha256::digest(payload).as_slice() == sum).then_some(payload)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The function cache's cap: a quarter of `cap` (the run cache's `WASMAOT_CACHE_MAX`), so
/// both caches together stay within 1.25 times it. A Go test binary stores 15 to 25 MB of
/// function code, mostly shared with every other one, so the default 512 MiB keeps the code of
/// a large `go test ./...` warm.
pub fn func_cache_max(cap: CacheMax) -> CacheMax {
    match cap {
        CacheMax::Bytes(b) => CacheMax::Bytes(b / 4),
        CacheMax::Unlimited => CacheMax::Unlimited,
    }
}

/// Whether [`FUNC_CACHE_ENV`] turns the cache on or off (`None`: unset or empty, the caller's
/// default applies).
pub fn enabled_by_env() -> Result<Option<bool>, String> {
    match std::env::var(FUNC_CACHE_ENV) {
        Err(std::env::VarError::NotPresent) => Ok(None),
        Ok(v) if v.is_empty() => Ok(None),
        Ok(v) if v == "0" || v.eq_ignore_ascii_case("off") => Ok(Some(false)),
        Ok(v) if v == "1" || v.eq_ignore_ascii_case("on") => Ok(Some(true)),
        Ok(v) => Err(format!(
            "{FUNC_CACHE_ENV} `{v}`: expected 1 (on) or 0 (off)"
        )),
        Err(_) => Err(format!("{FUNC_CACHE_ENV}: not UTF-8")),
    }
}

/// Identifies this build of the compiler: its version and the identity of the running
/// executable (device, inode, size, modification time), so a rebuilt wasmaot never reuses an
/// older build's code.
pub fn build_id() -> String {
    use std::os::unix::fs::MetadataExt;
    let exe = std::env::current_exe()
        .and_then(fs::metadata)
        .map(|m| {
            format!(
                "{}:{}:{}:{}:{}",
                m.dev(),
                m.ino(),
                m.len(),
                m.mtime(),
                m.mtime_nsec()
            )
        })
        .unwrap_or_default();
    format!("{} {exe}", env!("CARGO_PKG_VERSION"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_and_damage_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let cache = FuncCache::with_build(dir.path(), "test");
        let mut store = cache.store();
        assert!(store.get(b"k").is_none());
        store.insert(b"k", b"payload".to_vec());
        assert_eq!(store.get(b"k").as_deref(), Some(b"payload".as_slice()));
        assert_ne!(cache.entry(b"k"), cache.entry(b"l"));
        // A different build never sees this build's entries.
        assert_ne!(
            cache.entry(b"k"),
            FuncCache::with_build(dir.path(), "other").entry(b"k")
        );
        let path = cache.entry(b"k");
        let mut bytes = fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        fs::write(&path, &bytes).unwrap();
        assert!(store.get(b"k").is_none());
        fs::write(&path, &bytes[..20]).unwrap();
        assert!(store.get(b"k").is_none());
        assert_eq!(cache.stats().corrupt, 2);
        // Written again by the next miss.
        store.insert(b"k", b"payload".to_vec());
        assert_eq!(store.get(b"k").as_deref(), Some(b"payload".as_slice()));
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "no temporaries left: {names:?}");
    }

    /// Two modules sharing `$load` (inlined into `$get`) and `$get` at other indices, with an
    /// import before them in the second: a different VMContext layout is not an issue for
    /// code that does not touch the VMContext's module-dependent tail.
    const MODULE_A: &str = r#"
(module
  (memory 1)
  (func $load (param i32) (result i32) (i32.load (local.get 0)))
  (func $get (param i32) (result i32)
    (i32.add (call $load (local.get 0)) (call $load (i32.add (local.get 0) (i32.const 4)))))
  (func (export "a") (param i32) (result i32) (i32.mul (call $get (local.get 0)) (i32.const 3))))
"#;
    const MODULE_B: &str = r#"
(module
  (memory 1)
  (func $other (param i32) (result i32) (i32.div_u (local.get 0) (i32.const 7)))
  (func $load (param i32) (result i32) (i32.load (local.get 0)))
  (func $get (param i32) (result i32)
    (i32.add (call $load (local.get 0)) (call $load (i32.add (local.get 0) (i32.const 4)))))
  (func (export "b") (param i32) (result i32) (call $other (call $get (local.get 0)))))
"#;

    fn compile(
        text: &str,
        isa: &dyn cranelift_codegen::isa::TargetIsa,
        cache: Option<&FuncCache>,
    ) -> Vec<crate::codegen::CompiledFunction> {
        let bytes: &'static [u8] = Box::leak(wat::parse_str(text).unwrap().into_boxed_slice());
        let info = crate::module::parse(bytes, Default::default()).unwrap();
        crate::codegen::compile_module(&info, isa, cache).unwrap()
    }

    #[test]
    fn cached_code_is_the_code_of_a_cold_compile() {
        use std::str::FromStr;
        for target in ["x86_64-unknown-linux-gnu", "aarch64-unknown-linux-gnu"] {
            let triple = target_lexicon::Triple::from_str(target).unwrap();
            let isa = crate::codegen::build_isa(
                &triple,
                crate::OptLevel::O2,
                false,
                crate::Cpu::Baseline,
                false,
            )
            .unwrap();
            let dir = tempfile::tempdir().unwrap();
            let none_a = compile(MODULE_A, &*isa, None);
            let none_b = compile(MODULE_B, &*isa, None);
            // `$get` has inlined code: the inline sites name `$load` by its own module's index.
            assert!(none_a[1].inlined.iter().all(|s| s.func == 0));
            assert!(none_b[2].inlined.iter().all(|s| s.func == 1));
            assert!(!none_b[2].inlined.is_empty());

            let cold = FuncCache::with_build(dir.path(), "test");
            assert_eq!(compile(MODULE_A, &*isa, Some(&cold)), none_a);
            assert_eq!(cold.stats().hits, 0);
            let warm = FuncCache::with_build(dir.path(), "test");
            assert_eq!(compile(MODULE_B, &*isa, Some(&warm)), none_b);
            // `$load` and `$get`, at other indices, with other callee indices.
            assert_eq!(
                warm.stats(),
                FuncCacheStats {
                    hits: 2,
                    misses: 2,
                    corrupt: 0
                },
                "{target}"
            );

            // Every entry damaged: all misses, the same code, and the entries written again.
            for e in fs::read_dir(dir.path()).unwrap() {
                let path = e.unwrap().path();
                let mut bytes = fs::read(&path).unwrap();
                let n = bytes.len();
                bytes[n - 1] ^= 0x40;
                fs::write(&path, bytes).unwrap();
            }
            let damaged = FuncCache::with_build(dir.path(), "test");
            assert_eq!(compile(MODULE_B, &*isa, Some(&damaged)), none_b);
            let s = damaged.stats();
            assert_eq!((s.hits, s.corrupt), (0, 4), "{target}");
            let again = FuncCache::with_build(dir.path(), "test");
            assert_eq!(compile(MODULE_B, &*isa, Some(&again)), none_b);
            assert_eq!(again.stats().hits, 4);
        }
    }

    #[test]
    fn pruning_bounds_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        let cache = FuncCache::with_build(dir.path(), "test");
        let mut store = cache.store();
        for k in 0..10u8 {
            store.insert(&[k], vec![k; 1000]);
        }
        let total = |d: &Path| -> u64 {
            fs::read_dir(d)
                .unwrap()
                .map(|e| e.unwrap().metadata().unwrap().len())
                .sum()
        };
        assert!(total(dir.path()) > 10_000);
        cache.prune(CacheMax::Bytes(3500)).unwrap();
        assert!(total(dir.path()) <= 3500);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 3);
    }

    #[test]
    fn the_cap_is_a_quarter() {
        assert_eq!(
            func_cache_max(CacheMax::Bytes(2 << 30)),
            CacheMax::Bytes(512 << 20)
        );
        assert_eq!(func_cache_max(CacheMax::Unlimited), CacheMax::Unlimited);
    }
}

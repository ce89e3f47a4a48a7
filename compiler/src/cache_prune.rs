//! Keeping a cache directory bounded: least-recently-used pruning to a byte cap, safe while
//! other processes use the cache. The run cache (`wasmaot run`, `cli/cache.rs`) uses it for
//! its executables; any other cache of whole files (one file per key, committed by `rename`)
//! can use it the same way.
//!
//! The protocol, for a directory of *entries*:
//! * an entry is a regular file whose name does not start with `.`; a name starting with `.`
//!   is a temporary being written (only [`remove_stale_temporaries`] removes those, once they
//!   are older than [`STALE`]);
//! * an entry's recency is its modification time: a hit calls [`touch`], and [`prune`] removes
//!   the least recently used entries first, after a new entry is committed;
//! * lock files (`flock`) are taken with [`lock`], which makes sure the lock held is the file
//!   at the path, so [`remove_unused_locks`] can delete lock files that nobody holds.
//!
//! Unlinking an entry another process is executing or reading is safe on Linux (the inode
//! lives until it is closed); a process that found an entry and then cannot open it must
//! treat that as a miss, never as an error.
//!
//! Must never remove the entry just committed, a temporary younger than [`STALE`], anything
//! but a regular file, or a lock file that a process holds.

use std::ffi::OsString;
use std::fs::{self, File};
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// The environment variable that sets the cap of the run cache.
pub const CACHE_MAX_ENV: &str = "WASMAOT_CACHE_MAX";

/// The default cap: 2 GiB, about 150 to 300 Go executables (6 to 15 MB each), so that the
/// test binaries of a large `go test ./...` stay warm between runs.
pub const DEFAULT_CACHE_MAX: u64 = 2 << 30;

/// Temporaries older than this are left over by killed writers and are removed.
pub const STALE: Duration = Duration::from_secs(24 * 3600);

/// How large a cache may grow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheMax {
    /// Pruned to at most this many bytes of entries (the newest entry is kept even if it is
    /// larger; `0` keeps only that one).
    Bytes(u64),
    /// Never pruned.
    Unlimited,
}

impl CacheMax {
    /// Parses a cap: bytes (`1048576`), a size with a binary suffix `K`, `M`, `G` or `T`
    /// (powers of 1024; `B`/`iB` after it and lowercase are accepted: `500M`, `2GiB`, `64kb`),
    /// or `unlimited` (also `off`). An empty value is the default.
    pub fn parse(s: &str) -> Result<CacheMax, String> {
        let t = s.trim();
        if t.is_empty() {
            return Ok(CacheMax::Bytes(DEFAULT_CACHE_MAX));
        }
        let lower = t.to_ascii_lowercase();
        if lower == "unlimited" || lower == "off" {
            return Ok(CacheMax::Unlimited);
        }
        let bad = || format!("`{s}`: expected a size such as 500M, 2G or 1048576, or `unlimited`");
        let unit = lower
            .strip_suffix("ib")
            .or_else(|| lower.strip_suffix('b'))
            .unwrap_or(&lower);
        let (num, shift) = match unit.as_bytes().last() {
            Some(b'k') => (&unit[..unit.len() - 1], 10),
            Some(b'm') => (&unit[..unit.len() - 1], 20),
            Some(b'g') => (&unit[..unit.len() - 1], 30),
            Some(b't') => (&unit[..unit.len() - 1], 40),
            // `iB` needs a unit before it; a plain `B` does not.
            _ if lower.ends_with("ib") => return Err(bad()),
            _ => (unit, 0),
        };
        let num = num.trim();
        if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let n: u64 = num.parse().map_err(|_| format!("`{s}`: too large"))?;
        n.checked_mul(1 << shift)
            .map(CacheMax::Bytes)
            .ok_or_else(|| format!("`{s}`: too large"))
    }

    /// The cap from [`CACHE_MAX_ENV`], else the default; an error names the variable.
    pub fn from_env() -> Result<CacheMax, String> {
        match std::env::var_os(CACHE_MAX_ENV) {
            None => Ok(CacheMax::Bytes(DEFAULT_CACHE_MAX)),
            Some(v) => {
                let v = v
                    .into_string()
                    .map_err(|v| format!("{CACHE_MAX_ENV} `{}`: not UTF-8", v.to_string_lossy()))?;
                CacheMax::parse(&v).map_err(|e| format!("{CACHE_MAX_ENV} {e}"))
            }
        }
    }
}

/// Marks `entry` as just used (its modification time becomes now). Best effort: an entry
/// another process removed, or one this user may not change, is left as it is.
pub fn touch(entry: &Path) {
    if let Ok(f) = File::open(entry) {
        let _ = f.set_modified(SystemTime::now());
    }
}

/// What [`prune`] did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    /// The names of the entries removed, least recently used first.
    pub removed: Vec<OsString>,
    /// Bytes of entries before and after.
    pub before: u64,
    pub after: u64,
}

/// Removes the least recently used entries of `dir` until the entries take at most `max`
/// bytes, never `keep` (the entry just committed). Reads only the directory's metadata when
/// it is under the cap. Two processes pruning at once may remove a little more than needed,
/// which costs a recompile, nothing else.
pub fn prune(dir: &Path, max: CacheMax, keep: &Path) -> io::Result<Pruned> {
    let CacheMax::Bytes(cap) = max else {
        return Ok(Pruned::default());
    };
    let mut entries = Vec::new();
    let mut total = 0u64;
    for e in fs::read_dir(dir)? {
        let e = e?;
        let name = e.file_name();
        if name.as_encoded_bytes().starts_with(b".") {
            continue;
        }
        // Gone already (another pruner) or not a file: not ours to count.
        let Ok(meta) = e.metadata() else { continue };
        if !meta.is_file() {
            continue;
        }
        let used = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
        total += meta.len();
        entries.push((used, name, meta.len()));
    }
    let mut pruned = Pruned {
        before: total,
        after: total,
        ..Pruned::default()
    };
    if total <= cap {
        return Ok(pruned);
    }
    // Least recently used first; the name breaks ties, so the order is deterministic.
    entries.sort();
    for (_, name, len) in entries {
        if pruned.after <= cap {
            break;
        }
        let path = dir.join(&name);
        if path == keep {
            continue;
        }
        match fs::remove_file(&path) {
            Ok(()) => pruned.removed.push(name),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(_) => continue,
        }
        pruned.after -= len;
    }
    Ok(pruned)
}

/// Removes temporaries (names starting with `prefix`) in `dir` older than [`STALE`]: left
/// behind by killed writers. Best effort.
pub fn remove_stale_temporaries(dir: &Path, prefix: &str) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    for e in entries.flatten() {
        if !e.file_name().to_string_lossy().starts_with(prefix) {
            continue;
        }
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age > STALE);
        if old {
            let _ = fs::remove_file(e.path());
        }
    }
}

fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    a.dev() == b.dev() && a.ino() == b.ino()
}

/// Takes an exclusive `flock` on the lock file `path` (created if needed), waiting for its
/// holder. If [`remove_unused_locks`] unlinked the file while this process waited, the lock is
/// taken again on the new file, so the lock held is always the file now at `path`.
pub fn lock(path: &Path) -> io::Result<File> {
    loop {
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)?;
        file.lock()?;
        match fs::metadata(path) {
            Ok(now) if same_file(&file.metadata()?, &now) => return Ok(file),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
}

/// Removes the lock files in `lock_dir` that have no entry of the same name in `entry_dir`
/// and that no process holds (taken with [`lock`]). Best effort.
pub fn remove_unused_locks(lock_dir: &Path, entry_dir: &Path) {
    let Ok(locks) = fs::read_dir(lock_dir) else {
        return;
    };
    for e in locks.flatten() {
        let name = e.file_name();
        if entry_dir.join(&name).exists() {
            continue;
        }
        let path = e.path();
        let Ok(file) = File::open(&path) else {
            continue;
        };
        // Held: a compile of that key is under way.
        if file.try_lock().is_err() {
            continue;
        }
        // Removed, or removed and created again, since we opened it: not ours to remove.
        let same = match (file.metadata(), fs::metadata(&path)) {
            (Ok(a), Ok(b)) => same_file(&a, &b),
            _ => false,
        };
        if same {
            let _ = fs::remove_file(&path);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    #[test]
    fn sizes() {
        let b = |s| CacheMax::parse(s).unwrap();
        assert_eq!(b("1048576"), CacheMax::Bytes(1 << 20));
        assert_eq!(b("500M"), CacheMax::Bytes(500 << 20));
        assert_eq!(b("2G"), CacheMax::Bytes(2 << 30));
        assert_eq!(b("2GiB"), CacheMax::Bytes(2 << 30));
        assert_eq!(b("64kb"), CacheMax::Bytes(64 << 10));
        assert_eq!(b("1T"), CacheMax::Bytes(1 << 40));
        assert_eq!(b("100B"), CacheMax::Bytes(100));
        assert_eq!(b(" 3 M "), CacheMax::Bytes(3 << 20));
        assert_eq!(b("0"), CacheMax::Bytes(0));
        assert_eq!(b(""), CacheMax::Bytes(DEFAULT_CACHE_MAX));
        assert_eq!(b("unlimited"), CacheMax::Unlimited);
        assert_eq!(b("OFF"), CacheMax::Unlimited);
        for bad in [
            "lots",
            "1.5G",
            "-1",
            "G",
            "2iB",
            "2X",
            "12 34",
            "99999999999T",
        ] {
            let e = CacheMax::parse(bad).unwrap_err();
            assert!(e.contains(bad.trim()), "{e}");
        }
    }

    /// An entry of `len` bytes last used `age` seconds ago.
    fn entry(dir: &Path, name: &str, len: usize, age: u64) -> PathBuf {
        let p = dir.join(name);
        fs::write(&p, vec![0u8; len]).unwrap();
        let f = File::options().write(true).open(&p).unwrap();
        f.set_modified(SystemTime::now() - Duration::from_secs(age))
            .unwrap();
        p
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn prunes_least_recently_used_first() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        entry(d, "a", 100, 50);
        entry(d, "b", 100, 40);
        let c = entry(d, "c", 100, 30);
        entry(d, "d", 100, 20);
        let new = entry(d, "e", 100, 0);
        entry(d, ".wasmaot-tmp", 1000, 5000);
        fs::create_dir(d.join("sub")).unwrap();
        // Under the cap: nothing happens.
        let p = prune(d, CacheMax::Bytes(500), &new).unwrap();
        assert_eq!((p.before, p.after, p.removed.len()), (500, 500, 0));
        // A hit refreshes `c`: `a`, `b`, then `d` go; temporaries and directories stay.
        touch(&c);
        let p = prune(d, CacheMax::Bytes(250), &new).unwrap();
        assert_eq!(p.removed, ["a", "b", "d"]);
        assert_eq!((p.before, p.after), (500, 200));
        assert_eq!(names(d), [".wasmaot-tmp", "c", "e", "sub"]);
        // A cap of 0 keeps only the entry just committed, even when it is not the newest.
        let p = prune(d, CacheMax::Bytes(0), &new).unwrap();
        assert_eq!(p.removed, ["c"]);
        assert_eq!(names(d), [".wasmaot-tmp", "e", "sub"]);
        // Unlimited never prunes.
        let p = prune(d, CacheMax::Unlimited, &new).unwrap();
        assert_eq!(p, Pruned::default());
    }

    #[test]
    fn stale_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        entry(d, ".wasmaot-old", 1, STALE.as_secs() + 60);
        entry(d, ".wasmaot-young", 1, 60);
        entry(d, "old-entry", 1, STALE.as_secs() + 60);
        remove_stale_temporaries(d, ".wasmaot-");
        assert_eq!(names(d), [".wasmaot-young", "old-entry"]);
    }

    #[test]
    fn held_locks_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let (locks, exe) = (dir.path().join("lock"), dir.path().join("exe"));
        fs::create_dir(&locks).unwrap();
        fs::create_dir(&exe).unwrap();
        fs::write(exe.join("done"), "x").unwrap();
        let held = lock(&locks.join("busy")).unwrap();
        drop(lock(&locks.join("orphan")).unwrap());
        drop(lock(&locks.join("done")).unwrap());
        remove_unused_locks(&locks, &exe);
        assert_eq!(names(&locks), ["busy", "done"]);
        drop(held);
        remove_unused_locks(&locks, &exe);
        assert_eq!(names(&locks), ["done"]);
        // A lock taken again after its file was removed is on the new file.
        let l = lock(&locks.join("again")).unwrap();
        assert!(same_file(
            &l.metadata().unwrap(),
            &fs::metadata(locks.join("again")).unwrap()
        ));
    }
}

//! The temporary files and directories a compile has created and not yet removed or renamed
//! into place, and the child processes (linker, C compiler) that may still write them, so that
//! a compile ended by a signal (Ctrl-C, `kill`, a closed terminal) leaves none behind: the
//! CLI's signal watcher calls [`remove_all`] before it lets the signal end the process.
//!
//! Must never remove anything it was not handed: a path leaves the registry when its owner
//! renames it into place or removes it, and a path that is gone is skipped.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

enum What {
    File(PathBuf),
    Dir(PathBuf),
    Child(u32),
}

struct Entry {
    id: u64,
    what: What,
}

/// A set of registered paths (the process has one, [`GLOBAL`]).
struct Registry {
    entries: Mutex<Vec<Entry>>,
    next_id: AtomicU64,
}

static GLOBAL: Registry = Registry::new();

impl Registry {
    const fn new() -> Registry {
        Registry {
            entries: Mutex::new(Vec::new()),
            next_id: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Entry>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn register(&'static self, what: What) -> Registered {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.lock().push(Entry { id, what });
        Registered { registry: self, id }
    }

    /// Kills the children first (and waits until they are dead, so none writes a file after
    /// the removal), then removes the files and directories.
    fn remove_all(&self) -> usize {
        let entries = std::mem::take(&mut *self.lock());
        for e in &entries {
            if let What::Child(pid) = e.what {
                kill_and_wait(pid);
            }
        }
        entries
            .iter()
            .filter(|e| match &e.what {
                What::File(p) => std::fs::remove_file(p).is_ok(),
                What::Dir(p) => std::fs::remove_dir_all(p).is_ok(),
                What::Child(_) => false,
            })
            .count()
    }
}

/// A registered path; dropping it unregisters the path (without touching it).
pub struct Registered {
    registry: &'static Registry,
    id: u64,
}

impl std::fmt::Debug for Registered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Registered").field(&self.id).finish()
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        self.registry.lock().retain(|e| e.id != self.id);
    }
}

/// SIGKILLs `pid` and waits (up to a second) until it is a zombie or gone: a killed process
/// that was inside a system call finishes that call first.
fn kill_and_wait(pid: u32) {
    let Ok(pid_t) = libc::pid_t::try_from(pid) else {
        return;
    };
    // SAFETY: signals a child of ours (registered between spawn and wait, so not reaped yet).
    unsafe { libc::kill(pid_t, libc::SIGKILL) };
    for _ in 0..200 {
        let state = std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|s| s.rsplit_once(") ").map(|(_, rest)| rest.chars().next()));
        if !matches!(state, Some(Some(c)) if c != 'Z' && c != 'X') {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// Registers a temporary file (`dir: false`) or directory tree (`dir: true`) for removal by
/// [`remove_all`].
pub fn register(path: &Path, dir: bool) -> Registered {
    GLOBAL.register(match dir {
        true => What::Dir(path.to_path_buf()),
        false => What::File(path.to_path_buf()),
    })
}

/// Registers a running child process, killed by [`remove_all`] before it removes files.
pub fn register_child(pid: u32) -> Registered {
    GLOBAL.register(What::Child(pid))
}

/// Removes every registered path that still exists and empties the registry; returns how many
/// were removed. Called when the process is about to end by a signal. A compile thread that
/// renames a temporary into place at the same moment either wins (its output is complete) or
/// finds the temporary gone (and reports an error the signal makes moot).
pub fn remove_all() -> usize {
    GLOBAL.remove_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_paths_are_removed_and_unregistered_ones_kept() {
        // A registry of this test's own: other tests' temporaries are in the global one.
        static REGISTRY: Registry = Registry::new();
        let dir = tempfile::tempdir().unwrap();
        let kept = dir.path().join("kept");
        let gone = dir.path().join("gone");
        let tree = dir.path().join("tree");
        std::fs::write(&kept, b"x").unwrap();
        std::fs::write(&gone, b"x").unwrap();
        std::fs::create_dir_all(tree.join("sub")).unwrap();
        drop(REGISTRY.register(What::File(kept.clone())));
        let _r2 = REGISTRY.register(What::File(gone.clone()));
        let _r3 = REGISTRY.register(What::Dir(tree.clone()));
        let _r4 = REGISTRY.register(What::File(dir.path().join("never-created")));
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let _r5 = REGISTRY.register(What::Child(child.id()));
        assert_eq!(REGISTRY.remove_all(), 2);
        assert!(kept.exists() && !gone.exists() && !tree.exists());
        assert!(REGISTRY.lock().is_empty());
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(child.wait().unwrap().signal(), Some(libc::SIGKILL));
    }
}

//! Paths and directory trees: [`normalize`], [`copy_tree`], [`file_name`], [`file_stem`].

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

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

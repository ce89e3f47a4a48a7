//! Expectations of our own programs: [`Expectation`], the format of `tests/go/*/expected.json`
//! and `tests/wat/run/*.json` (one run, or `{"runs": [...]}`), its preparation of the
//! preopened directories and its checks of a run's outcome.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};
use serde::Deserialize;

use crate::{
    Outcome, RunSpec, check_contains, check_exact, check_file, check_prefix, check_status,
};

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

//! The corpus' `expected.json` files ([`CorpusFile`], see `../shared/corpus/MANIFEST.md`),
//! and [`non_wasi_imports`], the imports of a module that WASI does not provide.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use crate::{
    Outcome, RunSpec, TRAP_EXIT_STATUS, WASI_MODULES, check_contains, check_exact, check_file,
    check_prefix, check_sorted_lines, check_status, copy_tree, normalize,
};

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

//! `tests/known-failures.toml`, the ONE list of tests expected to fail, for every runner: a
//! `[[spec]]` table per spec test or file (see `spec/known.rs`), a `[[wasi]]` table per WASI
//! runner case, an `[[e2e]]` table per end-to-end case (`test` = the case name) and a
//! `[[fuzz]]` table per fuzzer regression (`test` = `regressions/NAME.wat`). Every
//! entry has a `reason`. Each runner fails its run when a listed test passes, and when a
//! listed test does not exist (a stale entry).
//!
//! Only the subset of TOML the file uses is read: `[[section]]` headers, one `key = value` per
//! line with basic strings or integers, `#` comments.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};

/// One `[[section]]` table: its keys (values as written, strings unquoted) and the line of its
/// header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    pub section: String,
    pub fields: BTreeMap<String, String>,
    pub line: usize,
}

/// Every table of the file (none if the file does not exist).
pub fn read_tables(path: &Path) -> Result<Vec<Table>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    parse_tables(&text).with_context(|| format!("in {}", path.display()))
}

pub fn parse_tables(text: &str) -> Result<Vec<Table>> {
    let mut out: Vec<Table> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix("[[").and_then(|l| l.strip_suffix("]]")) {
            out.push(Table {
                section: name.trim().to_string(),
                fields: BTreeMap::new(),
                line: n,
            });
            continue;
        }
        let Some(table) = out.last_mut() else {
            bail!("line {n}: a key outside any [[table]]");
        };
        let Some((key, value)) = line.split_once('=') else {
            bail!("line {n}: expected `key = value`");
        };
        let (key, value) = (key.trim(), value.trim());
        let value = match value.strip_prefix('"') {
            Some(v) => v
                .rfind('"')
                .map(|end| v[..end].replace("\\\"", "\"").replace("\\\\", "\\"))
                .with_context(|| format!("line {n}: unterminated string"))?,
            None => value.split('#').next().unwrap_or("").trim().to_string(),
        };
        if table.fields.insert(key.to_string(), value).is_some() {
            bail!("line {n}: `{key}` given twice");
        }
    }
    Ok(out)
}

/// The `(test, reason)` entries of `[[section]]` (keys `test` and `reason`, both required).
pub fn tests_of(path: &Path, section: &str) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for t in read_tables(path)?
        .into_iter()
        .filter(|t| t.section == section)
    {
        let (Some(test), Some(reason)) = (t.fields.get("test"), t.fields.get("reason")) else {
            bail!(
                "{}: the [[{section}]] entry at line {} needs `test` and `reason`",
                path.display(),
                t.line
            );
        };
        if let Some(other) = t.fields.keys().find(|k| *k != "test" && *k != "reason") {
            bail!("{}: line {}: unknown key `{other}`", path.display(), t.line);
        }
        out.insert(test.clone(), reason.clone());
    }
    Ok(out)
}

/// The `[[section]]` entries of `path` (see [`tests_of`]), checked against the runner's case
/// names: an entry naming no case is stale and fails the run.
pub fn tests_of_existing<'a>(
    path: &Path,
    section: &str,
    names: impl IntoIterator<Item = &'a str>,
) -> Result<BTreeMap<String, String>> {
    let known = tests_of(path, section)?;
    let names: std::collections::BTreeSet<&str> = names.into_iter().collect();
    let stale: Vec<&String> = known
        .keys()
        .filter(|k| !names.contains(k.as_str()))
        .collect();
    if !stale.is_empty() {
        bail!(
            "{} lists [[{section}]] cases that do not exist: {stale:?}",
            path.display()
        );
    }
    Ok(known)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_section() {
        let t = parse_tables(
            "# c\n[[wasi]]\ntest = \"a/b\"\nreason = \"why \\\"q\\\"\"\n[[spec]]\nfile = \"x.wast\"\nline = 12 # c\nreason = \"r\"\n",
        )
        .unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].section, "wasi");
        assert_eq!(t[0].fields["reason"], "why \"q\"");
        assert_eq!(t[1].fields["line"], "12");
        assert!(parse_tables("test = \"x\"\n").is_err());
        assert!(parse_tables("[[e2e]]\ntest = \"x\"\ntest = \"y\"\n").is_err());
    }
}

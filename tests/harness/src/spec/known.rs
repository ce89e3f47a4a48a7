//! The spec section of `tests/known-failures.toml`: `[[spec]]` tables with `file` (relative to
//! the `spec-2.0` directory), optional `line` (the directive's line; absent = the whole file)
//! and `reason`. Only this subset of TOML is read (one `key = value` per line, basic strings
//! and integers, `#` comments); tables other than `[[spec]]` are skipped.

use std::path::Path;

use anyhow::{Context, Result, bail};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownFailure {
    pub file: String,
    pub line: Option<usize>,
    pub reason: String,
}

pub fn read(path: &Path) -> Result<Vec<KnownFailure>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    parse(&text).with_context(|| format!("in {}", path.display()))
}

pub fn parse(text: &str) -> Result<Vec<KnownFailure>> {
    let mut out = Vec::new();
    let mut cur: Option<(Option<String>, Option<usize>, Option<String>)> = None;
    let mut in_spec = false;
    let finish = |cur: &mut Option<(Option<String>, Option<usize>, Option<String>)>,
                  out: &mut Vec<KnownFailure>,
                  n: usize|
     -> Result<()> {
        if let Some((file, line, reason)) = cur.take() {
            let (Some(file), Some(reason)) = (file, reason) else {
                bail!("line {n}: a [[spec]] entry needs `file` and `reason`");
            };
            out.push(KnownFailure { file, line, reason });
        }
        Ok(())
    };
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('[') {
            finish(&mut cur, &mut out, i + 1)?;
            in_spec = line == "[[spec]]";
            if in_spec {
                cur = Some((None, None, None));
            }
            continue;
        }
        if !in_spec {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            bail!("line {}: expected `key = value`", i + 1);
        };
        let (key, value) = (key.trim(), value.trim());
        let entry = cur.as_mut().expect("in a [[spec]] table");
        let string = || -> Result<String> {
            let v = value
                .strip_prefix('"')
                .and_then(|v| v.rfind('"').map(|end| &v[..end]))
                .with_context(|| format!("line {}: expected a string", i + 1))?;
            Ok(v.replace("\\\"", "\"").replace("\\\\", "\\"))
        };
        match key {
            "file" => entry.0 = Some(string()?),
            "line" => {
                let v = value.split('#').next().unwrap_or("").trim();
                entry.1 = Some(
                    v.parse()
                        .with_context(|| format!("line {}: bad line number", i + 1))?,
                )
            }
            "reason" => entry.2 = Some(string()?),
            other => bail!("line {}: unknown key `{other}`", i + 1),
        }
    }
    finish(&mut cur, &mut out, text.lines().count())?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_subset() {
        let k = parse(
            "# c\n[[wasi]]\nfile = \"x\"\n[[spec]]\nfile = \"a.wast\"\nline = 12\nreason = \"why \\\"q\\\"\"\n\n[[spec]]\nfile = \"simd/b.wast\"\nreason = \"r\" # c\n",
        )
        .unwrap();
        assert_eq!(
            k,
            vec![
                KnownFailure {
                    file: "a.wast".into(),
                    line: Some(12),
                    reason: "why \"q\"".into()
                },
                KnownFailure {
                    file: "simd/b.wast".into(),
                    line: None,
                    reason: "r".into()
                },
            ]
        );
        assert!(parse("[[spec]]\nfile = \"a\"\n").is_err());
    }
}

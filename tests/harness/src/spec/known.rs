//! The spec section of `tests/known-failures.toml` (read by `wasmaot_tests::known_failures`):
//! `[[spec]]` tables with `file` (relative to the corpus' spec directory), optional `line` (the
//! directive's line; absent = the whole file) and `reason`; other sections are other runners'.

use std::path::Path;

use anyhow::{Context, Result, bail};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownFailure {
    pub file: String,
    pub line: Option<usize>,
    pub reason: String,
}

pub fn read(path: &Path) -> Result<Vec<KnownFailure>> {
    let tables = wasmaot_tests::known_failures::read_tables(path)?;
    from_tables(tables).with_context(|| format!("in {}", path.display()))
}

#[cfg(test)]
pub fn parse(text: &str) -> Result<Vec<KnownFailure>> {
    from_tables(wasmaot_tests::known_failures::parse_tables(text)?)
}

fn from_tables(tables: Vec<wasmaot_tests::known_failures::Table>) -> Result<Vec<KnownFailure>> {
    let mut out = Vec::new();
    for t in tables.into_iter().filter(|t| t.section == "spec") {
        let n = t.line;
        if let Some(other) = t
            .fields
            .keys()
            .find(|k| !matches!(k.as_str(), "file" | "line" | "reason"))
        {
            bail!("line {n}: unknown key `{other}`");
        }
        let (Some(file), Some(reason)) = (t.fields.get("file"), t.fields.get("reason")) else {
            bail!("line {n}: a [[spec]] entry needs `file` and `reason`");
        };
        let line = match t.fields.get("line") {
            Some(l) => Some(
                l.parse()
                    .with_context(|| format!("line {n}: bad line number"))?,
            ),
            None => None,
        };
        out.push(KnownFailure {
            file: file.clone(),
            line,
            reason: reason.clone(),
        });
    }
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

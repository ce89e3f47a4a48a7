//! Golden codegen tests: each `compiler/tests/disas/*.wat` is compiled through the library
//! ([`wasmaot::codegen::disas::disassemble`]) and its text (CLIF after optimisation, then the
//! machine code listing) must equal the expected output embedded at the end of the same file,
//! after the line [`MARKER`], one `;; ` comment line per output line.
//!
//! A file starts with its settings, one `;;! key = value` line each (all optional):
//! `target` (`x86_64-unknown-linux-gnu`, the default, or `aarch64-unknown-linux-gnu`), `cpu`
//! (`baseline`, the default, or `x86-64-v3`), `opt` (`0`, `1` or `2`, the default) and
//! `wasm3` (`true` to validate with the implemented 3.0 proposals). The settings fix the
//! output on every machine: nothing depends on the host CPU.
//!
//! After a deliberate codegen change, regenerate the expected outputs and review the diff:
//!
//! ```text
//! BLESS=1 cargo test -p wasmaot --test disas
//! ```
//!
//! Must never pass when a file's generated code differs from its expected output, nor when a
//! file has no expected output (run with `BLESS=1` to create it).

use std::fs;
use std::path::{Path, PathBuf};

use wasmaot::codegen::disas::{DisasOptions, disassemble};
use wasmaot::module::FeatureSet;
use wasmaot::{Cpu, OptLevel};

/// The line that separates a test's WAT from its expected output.
const MARKER: &str = ";; ==== expected output (BLESS=1 cargo test -p wasmaot --test disas) ====";

fn test_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/disas");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "wat"))
        .collect();
    files.sort();
    files
}

/// The settings of a test from its `;;!` lines.
fn options(path: &Path, wat: &str) -> DisasOptions {
    let mut opts = DisasOptions {
        target: "x86_64-unknown-linux-gnu".to_string(),
        opt_level: OptLevel::O2,
        cpu: Cpu::Baseline,
        features: FeatureSet::Wasm2,
    };
    for line in wat.lines() {
        let Some(setting) = line.strip_prefix(";;!") else {
            continue;
        };
        let (key, value) = setting
            .split_once('=')
            .unwrap_or_else(|| panic!("{}: bad setting {line:?}", path.display()));
        let value = value.trim().trim_matches('"');
        match key.trim() {
            "target" => opts.target = value.to_string(),
            "cpu" => {
                opts.cpu = Cpu::parse(value)
                    .unwrap_or_else(|| panic!("{}: bad cpu {value:?}", path.display()))
            }
            "opt" => {
                opts.opt_level = match value {
                    "0" => OptLevel::O0,
                    "1" => OptLevel::O1,
                    "2" => OptLevel::O2,
                    _ => panic!("{}: bad opt {value:?}", path.display()),
                }
            }
            "wasm3" => {
                if value == "true" {
                    opts.features = FeatureSet::Wasm3
                }
            }
            other => panic!("{}: unknown setting {other:?}", path.display()),
        }
    }
    opts
}

/// `text` as trailing comment lines.
fn as_comments(text: &str) -> String {
    text.lines()
        .map(|l| match l {
            "" => ";;\n".to_string(),
            l => format!(";; {l}\n"),
        })
        .collect()
}

#[test]
fn disas() {
    let bless = std::env::var_os("BLESS").is_some_and(|v| v == "1");
    let files = test_files();
    assert!(!files.is_empty(), "no tests in compiler/tests/disas");
    let mut failures = Vec::new();
    for path in &files {
        let content = fs::read_to_string(path).unwrap();
        let (wat, expected) = match content.split_once(MARKER) {
            Some((wat, expected)) => (wat.trim_end(), Some(expected.trim_start_matches('\n'))),
            None => (content.trim_end(), None),
        };
        let wasm =
            wat::parse_str(wat).unwrap_or_else(|e| panic!("{}: bad WAT: {e}", path.display()));
        let actual = disassemble(&wasm, &options(path, wat))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let actual = as_comments(&actual);
        if bless {
            fs::write(path, format!("{wat}\n\n{MARKER}\n{actual}")).unwrap();
            continue;
        }
        match expected {
            None => failures.push(format!(
                "{}: no expected output (run with BLESS=1)",
                path.display()
            )),
            Some(expected) if expected != actual => {
                failures.push(format!(
                    "{}: generated code differs from the expected output:\n{}",
                    path.display(),
                    first_difference(expected, &actual)
                ));
            }
            Some(_) => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} golden tests failed (if the change is intended: BLESS=1 cargo test -p wasmaot --test disas, then review the diff)\n\n{}",
        failures.len(),
        files.len(),
        failures.join("\n\n")
    );
}

/// The first differing line, with its number, and the line counts.
fn first_difference(expected: &str, actual: &str) -> String {
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let i = e
        .iter()
        .zip(&a)
        .position(|(x, y)| x != y)
        .unwrap_or(e.len().min(a.len()));
    format!(
        "  line {}:\n    expected: {}\n    actual:   {}\n  ({} expected lines, {} actual)",
        i + 1,
        e.get(i).unwrap_or(&"<end>"),
        a.get(i).unwrap_or(&"<end>"),
        e.len(),
        a.len()
    )
}

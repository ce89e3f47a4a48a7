//! Comparing a run's outcome with what was expected (exit status, exact or prefix output,
//! files), and the text helpers the failure reports use ([`diff_text`], [`indent`],
//! [`truncate`]).

use std::fs;
use std::path::Path;

use crate::Outcome;

pub fn check_status(problems: &mut Vec<String>, out: &Outcome, expected: i32) {
    check_status_showing(problems, out, expected, 3000);
}

/// [`check_status`], showing at most `stderr_max` bytes of a non-empty stderr.
pub fn check_status_showing(
    problems: &mut Vec<String>,
    out: &Outcome,
    expected: i32,
    stderr_max: usize,
) {
    if out.timed_out || out.status() != expected {
        let mut msg = format!("{}, expected exit status {expected}", out.describe_end());
        if !out.stderr.is_empty() {
            msg.push_str(&format!(
                "; stderr:\n{}",
                indent(&truncate(&out.stderr_text(), stderr_max))
            ));
        }
        problems.push(msg);
    }
}

pub fn check_exact(problems: &mut Vec<String>, what: &str, expected: &str, actual: &str) {
    if expected != actual {
        problems.push(format!(
            "{what} differs (- expected, + actual):\n{}",
            indent(&diff_text(expected, actual))
        ));
    }
}

pub fn check_prefix(problems: &mut Vec<String>, what: &str, prefix: &str, actual: &str) {
    if !actual.starts_with(prefix) {
        let head: String = actual.chars().take(prefix.chars().count()).collect();
        problems.push(format!(
            "{what} does not start with the expected text (- expected, + actual):\n{}",
            indent(&diff_text(prefix, &head))
        ));
    }
}

/// `what` (stdout or stderr) must contain `needle`.
pub(crate) fn check_contains(problems: &mut Vec<String>, what: &str, needle: &str, actual: &str) {
    if !actual.contains(needle) {
        problems.push(format!(
            "{what} does not contain {needle:?}; {what}:\n{}",
            indent(actual)
        ));
    }
}

/// stdout must hold the lines `want`, in any order.
pub(crate) fn check_sorted_lines(problems: &mut Vec<String>, mut want: Vec<&str>, stdout: &str) {
    let mut lines: Vec<&str> = stdout.lines().collect();
    lines.sort_unstable();
    want.sort_unstable();
    if lines != want {
        problems.push(format!(
            "stdout lines (sorted) differ:\n{}",
            indent(&diff_text(&join_lines(&want), &join_lines(&lines)))
        ));
    }
}

pub(crate) fn check_file(problems: &mut Vec<String>, path: &Path, name: &str, content: &str) {
    match fs::read(path) {
        Ok(bytes) if bytes == content.as_bytes() => {}
        Ok(bytes) => problems.push(format!(
            "file {name} differs (- expected, + actual):\n{}",
            indent(&diff_text(content, &String::from_utf8_lossy(&bytes)))
        )),
        Err(e) => problems.push(format!("file {name} not readable after the run: {e}")),
    }
}

fn join_lines(lines: &[&str]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// A line diff (longest common subsequence) of two texts; lines are shown with `{:?}`
/// quoting so that invisible differences (NUL, trailing spaces, missing newline) show.
pub fn diff_text(expected: &str, actual: &str) -> String {
    let a: Vec<&str> = expected.split_inclusive('\n').collect();
    let b: Vec<&str> = actual.split_inclusive('\n').collect();
    if a.len() * b.len() > 4_000_000 {
        return format!(
            "- {}\n+ {}",
            truncate(expected, 2000),
            truncate(actual, 2000)
        );
    }
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            out.push(format!("  {:?}", a[i]));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            out.push(format!("- {:?}", a[i]));
            i += 1;
        } else {
            out.push(format!("+ {:?}", b[j]));
            j += 1;
        }
    }
    if out.len() > 60 {
        // Keep the changed lines and a little context.
        let changed: Vec<usize> = (0..out.len())
            .filter(|&k| !out[k].starts_with("  "))
            .collect();
        let keep = |k: usize| changed.iter().any(|&c| c.abs_diff(k) <= 2);
        let mut short = Vec::new();
        let mut skipped = false;
        for (k, line) in out.iter().enumerate() {
            if keep(k) {
                short.push(line.clone());
                skipped = false;
            } else if !skipped {
                short.push("  ...".to_string());
                skipped = true;
            }
        }
        if short.len() > 80 {
            short.truncate(80);
            short.push("  ... (more differences)".to_string());
        }
        out = short;
    }
    out.join("\n")
}

pub fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... ({} bytes in all)", &text[..end], text.len())
}

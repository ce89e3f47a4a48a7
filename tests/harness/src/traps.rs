//! Traps in a run's stderr: the `wasm trap: ` message and the backtrace frames, and the
//! checks of both against what a trap module expects.

use crate::{Outcome, TRAP_EXIT_STATUS, check_status, indent};

/// The message of the first stderr line that contains `wasm trap: `, e.g.
/// `integer divide by zero` from wasmtime's `    2: wasm trap: integer divide by zero`.
pub fn trap_message(stderr: &str) -> Option<String> {
    stderr.lines().find_map(|l| {
        l.find("wasm trap: ")
            .map(|i| l[i + "wasm trap: ".len()..].trim().to_string())
    })
}

/// Checks that a run ended in a trap with `message`, with `function` in the backtrace.
pub fn check_trap(out: &Outcome, message: &str, function: &str) -> Vec<String> {
    let mut problems = Vec::new();
    check_status(&mut problems, out, TRAP_EXIT_STATUS);
    let stderr = out.stderr_text();
    match trap_message(&stderr) {
        Some(m) if m == message => {}
        Some(m) => problems.push(format!("trap message {m:?}, expected {message:?}")),
        None => problems.push(format!(
            "no `wasm trap: ` line on stderr:\n{}",
            indent(&stderr)
        )),
    }
    if !stderr.contains(function) {
        problems.push(format!(
            "backtrace does not name the function {function:?}; stderr:\n{}",
            indent(&stderr)
        ));
    }
    problems
}

/// The frame names of a wasmaot executable's `wasm backtrace:` (innermost first).
pub fn backtrace_frames(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .skip_while(|l| !l.starts_with("wasm backtrace:"))
        .skip(1)
        .map_while(|l| {
            let (n, name) = l.trim_start().split_once(": ")?;
            n.parse::<u64>().ok()?;
            Some(name.trim().to_string())
        })
        .collect()
}

/// Checks that a wasmaot executable's backtrace names exactly `frames`, in order (nothing to
/// check if `frames` is empty).
pub fn check_backtrace(out: &Outcome, frames: &[String]) -> Vec<String> {
    let got = backtrace_frames(&out.stderr_text());
    if frames.is_empty() || got == frames {
        return vec![];
    }
    vec![format!(
        "backtrace frames {got:?}, expected {frames:?}; stderr:\n{}",
        indent(&out.stderr_text())
    )]
}

//! The WASI call trace, `WASMAOT_LOG=wasi=trace`: the switch (read once from the environment
//! when a WASI context is set up), and the two halves every traced call goes through, `before`
//! (the call's name and decoded arguments) and `after` (its errno by name and out-values), which
//! write one line per call to fd 2 with one `write`. How each call is decoded is in
//! `trace_format`; the exported `wasmaot_wasi_*` wrappers that call these are generated from the
//! `wasi_host_functions!` table in `mod.rs`.
//!
//! Must never change what a WASI call does or returns, never read guest memory except through
//! `Mem`'s checked accessors, and never cost an untraced call more than one load and branch.
//!
//! `WASMAOT_LOG` grammar: a comma-separated list of directives, each `TARGET=LEVEL`, `TARGET`
//! (meaning `TARGET=trace`) or `LEVEL` (for every target). Targets: `wasi`. Levels: `off`,
//! `error`, `warn`, `info`, `debug`, `trace`; the WASI trace is printed at `trace`. A directive
//! naming a target wins over a bare level; otherwise the later directive wins. Anything else is
//! ignored with a one-line warning on stderr.

use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

use super::errno;
use super::mem::Mem;
use super::trace_format::{Decoder, Line};

/// The environment variable that selects what the runtime logs.
pub const LOG_ENV: &str = "WASMAOT_LOG";

/// Whether WASI calls are traced. Set once, before the guest runs (executables) or when an
/// embedder's WASI context is made; only ever read with a relaxed load.
static WASI_TRACE: AtomicBool = AtomicBool::new(false);
static READ_ENV: Once = Once::new();

/// Whether WASI calls are traced: the one check an untraced call pays.
#[inline(always)]
pub(crate) fn enabled() -> bool {
    WASI_TRACE.load(Ordering::Relaxed)
}

/// Reads [`LOG_ENV`] the first time it is called in this process; later calls do nothing.
pub(crate) fn init_from_env() {
    READ_ENV.call_once(|| {
        let Some(value) = std::env::var_os(LOG_ENV) else {
            return;
        };
        let value = value.to_string_lossy();
        let (on, warnings) = parse(&value);
        for w in warnings {
            write_line(format!("wasmaot: {LOG_ENV}: {w}\n").as_bytes());
        }
        WASI_TRACE.store(on, Ordering::Relaxed);
    });
}

/// The log levels, lowest first.
const LEVELS: [&str; 6] = ["off", "error", "warn", "info", "debug", "trace"];
/// The level at which WASI calls are traced (an index into [`LEVELS`]).
const TRACE: usize = 5;
/// The targets.
const TARGETS: [&str; 1] = ["wasi"];

/// Parses a [`LOG_ENV`] value (see the module doc): whether the WASI trace is on, and a warning
/// for every directive that was ignored.
pub(crate) fn parse(value: &str) -> (bool, Vec<String>) {
    let level = |s: &str| LEVELS.iter().position(|l| l.eq_ignore_ascii_case(s));
    let mut all: Option<usize> = None;
    let mut wasi: Option<usize> = None;
    let mut warnings = Vec::new();
    for directive in value.split(',').map(str::trim).filter(|d| !d.is_empty()) {
        let (target, lvl) = match directive.split_once('=') {
            Some((t, l)) => (Some(t.trim()), level(l.trim())),
            None if TARGETS.contains(&directive) => (Some(directive), Some(TRACE)),
            None => (None, level(directive)),
        };
        let Some(lvl) = lvl else {
            warnings.push(format!("ignoring `{directive}`: unknown level"));
            continue;
        };
        match target {
            None => all = Some(lvl),
            Some("wasi") => wasi = Some(lvl),
            Some(t) => warnings.push(format!(
                "ignoring `{directive}`: unknown target `{t}` (known: {})",
                TARGETS.join(", ")
            )),
        }
    }
    let on = wasi.or(all).is_some_and(|l| l >= TRACE);
    (on, warnings)
}

/// The first half of a traced call: its name and its arguments, decoded before the call runs
/// (input buffers are read now, before the call can change them).
///
/// # Safety
/// `vmctx` satisfies the contract of every `wasmaot_wasi_*` function (see `mod.rs`).
#[cold]
#[inline(never)]
pub(crate) unsafe fn before(vmctx: *mut u8, decoder: &Decoder, args: &[i64]) -> Line {
    // SAFETY: the caller's contract.
    let mem = unsafe { Mem::from_vmctx(vmctx) };
    let mut line = Line::new(mem, decoder.name);
    (decoder.args)(&mut line, args);
    line
}

/// The second half: the result and out-values ([`finish`]), then the whole line to stderr.
///
/// # Safety
/// As for [`before`], with the same `vmctx`.
#[cold]
#[inline(never)]
pub(crate) unsafe fn after(line: Line, decoder: &Decoder, args: &[i64], result: i32) {
    // SAFETY: the caller's contract.
    let line = unsafe { finish(line, decoder, args, result) };
    write_line(line.as_bytes());
}

/// Completes the line of a call that returned `result`: its errno by name, then the
/// out-values of a successful call (output buffers are read now).
///
/// # Safety
/// As for [`before`], with the same `vmctx`.
pub(crate) unsafe fn finish(mut line: Line, decoder: &Decoder, args: &[i64], result: i32) -> Line {
    // Reread memory 0: its length is what the call left.
    // SAFETY: the caller's contract.
    line.mem = unsafe { Mem::from_vmctx(line.mem.vmctx()) };
    line.close_args();
    let name = u16::try_from(result).ok().and_then(errno::name);
    match name {
        Some(n) => line.push(n),
        None => line.push(&format!("errno {result}")),
    }
    if result == i32::from(errno::SUCCESS) {
        (decoder.outs)(&mut line, args);
    }
    line.push("\n");
    line
}

/// A call that does not return (`proc_exit`): the line is written before it runs.
///
/// # Safety
/// As for [`before`].
#[cold]
#[inline(never)]
pub(crate) unsafe fn noreturn(vmctx: *mut u8, decoder: &Decoder, args: &[i64]) {
    // SAFETY: the caller's contract.
    let mut line = unsafe { before(vmctx, decoder, args) };
    line.close_args_noreturn();
    write_line(line.as_bytes());
}

/// Writes `bytes` to fd 2 in one `write` (more only if the kernel takes part of it), ignoring
/// errors: the trace must never change the guest's behaviour.
fn write_line(mut bytes: &[u8]) {
    while !bytes.is_empty() {
        // SAFETY: `bytes` is a valid buffer of its length.
        let n = unsafe { libc::write(2, bytes.as_ptr().cast(), bytes.len()) };
        if n < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
            continue;
        }
        if n <= 0 {
            return;
        }
        bytes = &bytes[n as usize..];
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn directives() {
        for (value, on) in [
            ("wasi=trace", true),
            ("wasi", true),
            ("trace", true),
            ("WASI=TRACE", false),
            ("wasi=Trace", true),
            (" wasi = trace ", true),
            ("wasi=debug", false),
            ("debug", false),
            ("", false),
            ("trace,wasi=off", false),
            ("wasi=off,trace", false),
            ("off,wasi", true),
            ("wasi=info,wasi=trace", true),
            ("wasi=trace,wasi=info", false),
        ] {
            assert_eq!(parse(value).0, on, "{value:?}");
        }
    }

    #[test]
    fn unknown_directives_are_ignored_with_a_warning() {
        let (on, warnings) = parse("cranelift=trace,wasi=loud,wasi=trace,verbose");
        assert!(on);
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert!(warnings[0].contains("unknown target `cranelift`"));
        assert!(warnings[1].contains("`wasi=loud`: unknown level"));
        assert!(warnings[2].contains("`verbose`: unknown level"));
    }
}

//! What one engine did with one module: how instantiation ended, then for every planned call
//! its outcome and the state of every exported memory, table and global afterwards; and the
//! comparison of two such traces.

use std::fmt;
use std::hash::{Hash, Hasher};

use wasmaot_abi::trap::{ALL_TRAP_CODES, TrapCode};

/// A wasm value as both engines report it. References are only null or not (their identity
/// is the engine's business); NaNs of the same width are all equal.
#[derive(Clone, Copy, Debug)]
pub enum Val {
    I32(u32),
    I64(u64),
    F32(u32),
    F64(u64),
    V128(u128),
    Ref { null: bool },
}

impl PartialEq for Val {
    fn eq(&self, other: &Val) -> bool {
        use Val::*;
        match (*self, *other) {
            (F32(a), F32(b)) => {
                a == b || (f32::from_bits(a).is_nan() && f32::from_bits(b).is_nan())
            }
            (F64(a), F64(b)) => {
                a == b || (f64::from_bits(a).is_nan() && f64::from_bits(b).is_nan())
            }
            (I32(a), I32(b)) => a == b,
            (I64(a), I64(b)) => a == b,
            (V128(a), V128(b)) => a == b,
            (Ref { null: a }, Ref { null: b }) => a == b,
            _ => false,
        }
    }
}

impl fmt::Display for Val {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Val::I32(v) => write!(f, "i32:{v:#x}"),
            Val::I64(v) => write!(f, "i64:{v:#x}"),
            Val::F32(v) if f32::from_bits(v).is_nan() => write!(f, "f32:nan"),
            Val::F64(v) if f64::from_bits(v).is_nan() => write!(f, "f64:nan"),
            Val::F32(v) => write!(f, "f32:{v:#x}"),
            Val::F64(v) => write!(f, "f64:{v:#x}"),
            Val::V128(v) => write!(f, "v128:{v:#034x}"),
            Val::Ref { null: true } => write!(f, "ref.null"),
            Val::Ref { null: false } => write!(f, "ref"),
        }
    }
}

/// One planned call: an export and its arguments.
#[derive(Clone, Debug)]
pub struct Call {
    pub func: String,
    pub args: Vec<Val>,
}

/// Why something did not return normally.
#[derive(Clone, Debug, PartialEq)]
pub enum Stop {
    /// A trap, or an uncaught exception ([`TrapCode::UncaughtException`]).
    Trap(TrapCode),
    /// Any other error (wasmtime's wording): never compared, the module is skipped.
    Other(String),
}

impl Stop {
    /// The trap code whose message (wasmtime's wording, see `wasmaot_abi::trap`) is `msg`.
    pub fn from_message(msg: &str) -> Stop {
        ALL_TRAP_CODES
            .iter()
            .find(|c| c.message() == msg)
            .map_or_else(|| Stop::Other(msg.to_string()), |&c| Stop::Trap(c))
    }
}

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stop::Trap(c) => write!(f, "trap `{}`", c.message()),
            Stop::Other(m) => write!(f, "error `{m}`"),
        }
    }
}

/// A call's or an instantiation's outcome.
#[derive(Clone, Debug)]
pub enum Outcome {
    Returned(Vec<Val>),
    Stopped(Stop),
}

impl PartialEq for Outcome {
    fn eq(&self, other: &Outcome) -> bool {
        match (self, other) {
            (Outcome::Returned(a), Outcome::Returned(b)) => a == b,
            (Outcome::Stopped(a), Outcome::Stopped(b)) => a == b,
            _ => false,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Returned(v) => {
                let v: Vec<String> = v.iter().map(Val::to_string).collect();
                write!(f, "returned [{}]", v.join(", "))
            }
            Outcome::Stopped(s) => write!(f, "{s}"),
        }
    }
}

/// One step of a trace: instantiation (step 0) or a call, with the exported state after it,
/// one line per export (`memory NAME: LEN bytes #HASH`, `table NAME: ...`, `global NAME: V`).
#[derive(Clone, Debug)]
pub struct Step {
    pub outcome: Outcome,
    pub state: Vec<String>,
}

/// Everything one engine did with a module: instantiation, then the planned calls (none if
/// instantiation did not succeed).
#[derive(Clone, Debug, Default)]
pub struct Trace {
    pub steps: Vec<Step>,
}

/// The state line of an exported memory.
pub fn memory_state(name: &str, bytes: &[u8]) -> String {
    format!("memory {name}: {} bytes #{:016x}", bytes.len(), hash(bytes))
}

/// The state line of an exported table, from the nullness of its elements.
pub fn table_state(name: &str, nulls: impl Iterator<Item = bool>) -> String {
    let nulls: Vec<bool> = nulls.collect();
    format!(
        "table {name}: {} elements, non-null {:?}",
        nulls.len(),
        nulls
            .iter()
            .enumerate()
            .filter(|(_, n)| !**n)
            .map(|(i, _)| i)
            .collect::<Vec<_>>()
    )
}

/// The state line of an exported global.
pub fn global_state(name: &str, v: Val) -> String {
    format!("global {name}: {v}")
}

fn hash(bytes: &[u8]) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

/// How the comparison of two traces came out.
#[derive(Debug)]
pub enum Verdict {
    Same,
    /// Not comparable past some point (the reason); the steps before it agreed.
    Skipped(&'static str),
    /// The first difference, described.
    Diverged(String),
}

/// Compares wasmtime's trace `want` with wasmaot's `got` step by step; `plan` names the calls
/// (step `n` > 0 is `plan[n - 1]`).
pub fn compare(plan: &[Call], want: &Trace, got: &Trace) -> Verdict {
    for (n, (w, g)) in want.steps.iter().zip(&got.steps).enumerate() {
        let what = match n {
            0 => "instantiation".to_string(),
            n => {
                let c = &plan[n - 1];
                let args: Vec<String> = c.args.iter().map(Val::to_string).collect();
                format!("call {n}: `{}`({})", c.func, args.join(", "))
            }
        };
        let overflow =
            |o: &Outcome| matches!(o, Outcome::Stopped(Stop::Trap(TrapCode::StackOverflow)));
        if overflow(&w.outcome) || overflow(&g.outcome) {
            // The depth at which the stack runs out is the engine's (and wasmtime's stack is
            // smaller than ours): nothing after it is comparable.
            return Verdict::Skipped("stack overflow");
        }
        if let Outcome::Stopped(Stop::Other(e)) = &w.outcome {
            if std::env::var_os("FUZZ_VERBOSE").is_some() {
                eprintln!("fuzz: {what}: wasmtime error: {e}");
            }
            return Verdict::Skipped("wasmtime error");
        }
        if w.outcome != g.outcome {
            return Verdict::Diverged(format!(
                "{what}: wasmtime {}, wasmaot {}",
                w.outcome, g.outcome
            ));
        }
        if w.state != g.state {
            let diff: Vec<String> = w
                .state
                .iter()
                .zip(&g.state)
                .filter(|(a, b)| a != b)
                .map(|(a, b)| format!("  wasmtime {a}\n  wasmaot  {b}"))
                .collect();
            return Verdict::Diverged(format!(
                "{what}: {}; state after it differs:\n{}",
                w.outcome,
                if diff.is_empty() {
                    format!("  wasmtime {:?}\n  wasmaot  {:?}", w.state, g.state)
                } else {
                    diff.join("\n")
                }
            ));
        }
    }
    if want.steps.len() != got.steps.len() {
        return Verdict::Diverged(format!(
            "wasmtime ran {} steps, wasmaot {}",
            want.steps.len(),
            got.steps.len()
        ));
    }
    Verdict::Same
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nans_are_equal_and_everything_else_is_exact() {
        assert_eq!(Val::F32(0x7fc0_0000), Val::F32(0xffc0_0001));
        assert_eq!(
            Val::F64(0x7ff8_0000_0000_0000),
            Val::F64(0x7ff0_0000_0000_0001)
        );
        assert_ne!(Val::F32(0), Val::F32(0x8000_0000));
        assert_ne!(Val::I32(1), Val::I64(1));
        assert_ne!(Val::Ref { null: true }, Val::Ref { null: false });
        assert_eq!(
            Stop::from_message("integer divide by zero"),
            Stop::Trap(TrapCode::IntegerDivisionByZero)
        );
        assert!(matches!(
            Stop::from_message("something else"),
            Stop::Other(_)
        ));
    }
}

//! Trap codes: the one table of every way wasm code can trap, with wasmtime's wording.
//!
//! The compiler maps each code to a Cranelift user trap code (`code as u8 + 1`, see
//! [`TrapCode::to_clif_user`]) and records `(offset, code)` trap sites per function; the runtime
//! maps a faulting PC back to a code and prints [`TrapCode::message`]. Must never renumber an
//! existing code (it is stored in compiled objects).

/// Every trap a wasm program can raise.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TrapCode {
    StackOverflow = 0,
    MemoryOutOfBounds = 1,
    TableOutOfBounds = 2,
    IndirectCallToNull = 3,
    BadSignature = 4,
    IntegerOverflow = 5,
    IntegerDivisionByZero = 6,
    BadConversionToInteger = 7,
    UnreachableCodeReached = 8,
    NullReference = 9,
    /// A host function ended the call (`wasmaot_caller_trap`); the runtime reports the host's
    /// message instead of [`TrapCode::message`].
    HostTrap = 10,
    /// The run's time limit (`--timeout`) expired: raised only by the runtime's timer, never
    /// at a trap site of compiled code (wasmtime's epoch interruption reports it so).
    Interrupt = 11,
    /// `call_ref` (typed function references) of a null reference.
    NullFunctionReference = 12,
    /// An exception no handler caught reached the host (exception handling). Raised by the
    /// runtime when a call returns with a pending exception, never at a trap site.
    UncaughtException = 13,
}

/// All codes, in numeric order.
pub const ALL_TRAP_CODES: [TrapCode; 14] = [
    TrapCode::StackOverflow,
    TrapCode::MemoryOutOfBounds,
    TrapCode::TableOutOfBounds,
    TrapCode::IndirectCallToNull,
    TrapCode::BadSignature,
    TrapCode::IntegerOverflow,
    TrapCode::IntegerDivisionByZero,
    TrapCode::BadConversionToInteger,
    TrapCode::UnreachableCodeReached,
    TrapCode::NullReference,
    TrapCode::HostTrap,
    TrapCode::Interrupt,
    TrapCode::NullFunctionReference,
    TrapCode::UncaughtException,
];

impl TrapCode {
    /// The message printed after `wasm trap: `, worded as wasmtime words it, so scripts that
    /// match wasmtime's output (and the spec suite's `assert_trap` texts) match ours.
    pub fn message(self) -> &'static str {
        match self {
            TrapCode::StackOverflow => "call stack exhausted",
            TrapCode::MemoryOutOfBounds => "out of bounds memory access",
            TrapCode::TableOutOfBounds => "undefined element: out of bounds table access",
            TrapCode::IndirectCallToNull => "uninitialized element",
            TrapCode::BadSignature => "indirect call type mismatch",
            TrapCode::IntegerOverflow => "integer overflow",
            TrapCode::IntegerDivisionByZero => "integer divide by zero",
            TrapCode::BadConversionToInteger => "invalid conversion to integer",
            TrapCode::UnreachableCodeReached => "wasm `unreachable` instruction executed",
            TrapCode::NullReference => "null reference",
            TrapCode::HostTrap => "host function trapped",
            TrapCode::Interrupt => "interrupt",
            TrapCode::NullFunctionReference => "null function reference",
            TrapCode::UncaughtException => "thrown Wasm exception",
        }
    }

    /// Decodes a stored code.
    pub fn from_u8(b: u8) -> Option<TrapCode> {
        ALL_TRAP_CODES.get(b as usize).copied()
    }

    /// The Cranelift user trap code number used for this trap (user codes start at 1 so 0 is
    /// never used). The compiler also maps Cranelift's built-in codes (heap out of bounds,
    /// integer overflow, division by zero, bad conversion, stack overflow) onto ours.
    pub fn to_clif_user(self) -> u8 {
        self as u8 + 1
    }

    /// Inverse of [`TrapCode::to_clif_user`].
    pub fn from_clif_user(n: u8) -> Option<TrapCode> {
        n.checked_sub(1).and_then(TrapCode::from_u8)
    }
}

/// Exit status of an executable that trapped, as `wasmtime run` exits (128 + SIGABRT).
pub const TRAP_EXIT_STATUS: i32 = 134;

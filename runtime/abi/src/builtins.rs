//! Runtime builtins: functions the runtime defines and compiled code calls (C ABI), for the
//! operations too large to inline. The compiler declares them from this table; the runtime
//! defines `wasmaot_rt_<name>` with exactly these signatures. Every builtin takes the caller's
//! vmctx first (not listed in `params`). A builtin that traps never returns.
//!
//! Must never list a builtin the runtime does not define (the link would fail).

/// A parameter or result of a builtin, in native terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuiltinType {
    I32,
    I64,
}

/// One builtin's name and native signature (after the implicit vmctx).
#[derive(Clone, Copy, Debug)]
pub struct Builtin {
    pub name: &'static str,
    pub params: &'static [BuiltinType],
    pub results: &'static [BuiltinType],
}

use BuiltinType::{I32, I64};

// Addresses, element indices, lengths and sizes are i64 whatever the index type of the memory
// or table (memory64 proposal): compiled code zero-extends a 32-bit memory's or table's i32
// operands and truncates the results back to i32 (-1 stays -1). Offsets into a data or element
// segment stay i32 (segments are indexed by i32 in every case).

/// `memory_grow(mem, delta_pages) -> old_pages or -1`
pub const MEMORY_GROW: Builtin = Builtin {
    name: "memory_grow",
    params: &[I32, I64],
    results: &[I64],
};
/// `memory_init(mem, data_index, dst, src, len)`; traps on out of bounds.
pub const MEMORY_INIT: Builtin = Builtin {
    name: "memory_init",
    params: &[I32, I32, I64, I32, I32],
    results: &[],
};
/// `data_drop(data_index)`
pub const DATA_DROP: Builtin = Builtin {
    name: "data_drop",
    params: &[I32],
    results: &[],
};
/// `table_grow(table, init_ref, delta) -> old_size or -1`
pub const TABLE_GROW: Builtin = Builtin {
    name: "table_grow",
    params: &[I32, I64, I64],
    results: &[I64],
};
/// `table_fill(table, dst, ref, len)`; traps on out of bounds.
pub const TABLE_FILL: Builtin = Builtin {
    name: "table_fill",
    params: &[I32, I64, I64, I64],
    results: &[],
};
/// `table_copy(dst_table, src_table, dst, src, len)`; traps on out of bounds.
pub const TABLE_COPY: Builtin = Builtin {
    name: "table_copy",
    params: &[I32, I32, I64, I64, I64],
    results: &[],
};
/// `table_init(table, elem_index, dst, src, len)`; traps on out of bounds.
pub const TABLE_INIT: Builtin = Builtin {
    name: "table_init",
    params: &[I32, I32, I64, I32, I32],
    results: &[],
};
/// `elem_drop(elem_index)`
pub const ELEM_DROP: Builtin = Builtin {
    name: "elem_drop",
    params: &[I32],
    results: &[],
};

/// `exn_alloc(tag, slots) -> exception`: a new exception object (see [`crate::exception`])
/// of tag `tag` (a `*const VMTag`) with room for `slots` 16-byte payload slots.
pub const EXN_ALLOC: Builtin = Builtin {
    name: "exn_alloc",
    params: &[I64, I32],
    results: &[I64],
};
/// `exn_release(exception)`: a handler took the exception without its reference (`catch`,
/// `catch_all`); frees it unless a reference to it was ever handed to wasm.
pub const EXN_RELEASE: Builtin = Builtin {
    name: "exn_release",
    params: &[I64],
    results: &[],
};

/// Every builtin.
pub const ALL: &[Builtin] = &[
    MEMORY_GROW,
    MEMORY_INIT,
    DATA_DROP,
    TABLE_GROW,
    TABLE_FILL,
    TABLE_COPY,
    TABLE_INIT,
    ELEM_DROP,
    EXN_ALLOC,
    EXN_RELEASE,
];

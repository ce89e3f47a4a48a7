//! Every symbol name shared across the compiler/runtime boundary.
//!
//! Must never be spelled anywhere else: both sides build names with these functions.

/// The module descriptor (`ModuleDescriptor`), defined by the compiled object.
pub const MODULE: &str = "wasmaot_module";

/// The C library's `memmove`, which compiled code calls for `memory.copy` once its inline
/// bounds check has passed.
pub const LIBC_MEMMOVE: &str = "memmove";

/// The C library's `memset`, which compiled code calls for `memory.fill` once its inline bounds
/// check has passed.
pub const LIBC_MEMSET: &str = "memset";

/// Defined function `index` (a function index, imported functions counted).
pub fn func(index: u32) -> String {
    format!("wasmaot_func_{index}")
}

/// The array-call trampoline of module type `type_index`.
pub fn array_call(type_index: u32) -> String {
    format!("wasmaot_array_call_{type_index}")
}

/// A runtime builtin (see [`crate::builtins`]).
pub fn builtin(name: &str) -> String {
    format!("wasmaot_rt_{name}")
}

/// A WASI host function; `unstable` selects the `wasi_unstable` adapter where the layout differs.
pub fn wasi(name: &str, unstable: bool) -> String {
    if unstable {
        format!("wasmaot_wasi_unstable_{name}")
    } else {
        format!("wasmaot_wasi_{name}")
    }
}

//! Every symbol name shared across the compiler/runtime boundary.
//!
//! Must never be spelled anywhere else: both sides build names with these functions.

/// The module descriptor (`ModuleDescriptor`), defined by the compiled object.
pub const MODULE: &str = "wasmaot_module";

/// The runtime's `memmove` (C ABI, `memmove`'s signature), which compiled code calls for
/// `memory.copy` once its inline bounds check has passed.
pub const RT_MEMMOVE: &str = "wasmaot_rt_memmove";

/// The runtime's `memset` (C ABI, `memset`'s signature), which compiled code calls for
/// `memory.fill` once its inline bounds check has passed.
pub const RT_MEMSET: &str = "wasmaot_rt_memset";

/// Defined function `index` (a function index, imported functions counted).
pub fn func(index: u32) -> String {
    format!("wasmaot_func_{index}")
}

/// The C-convention adapter of function `index`, compiled in the tail convention.
pub fn tail_adapter(index: u32) -> String {
    format!("wasmaot_tail_adapter_{index}")
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

/// Prefix of the symbol that implements a non-WASI function import (see [`host_import`]).
pub const HOST_IMPORT_PREFIX: &str = "wasmaot_import_";

/// A name as a C identifier, by one injective rule shared by host-import symbols, the
/// per-export functions of a static library's header and the Go package:
/// - a name that already is a C identifier starting with a letter (`[A-Za-z][A-Za-z0-9_]*`),
///   with no `__` in it and not ending in `_`, is used unchanged (`add`, `log_string`);
/// - any other name is `_x` followed by the lowercase hex of its UTF-8 bytes
///   (`_start` → `_x5f7374617274`, `fmt.Print` → `_x666d742e5072696e74`).
///
/// The two forms cannot meet (only the second starts with `_`), and neither contains `__`
/// nor ends in `_`, so a `__` after it is an unambiguous separator.
pub fn c_name(name: &str) -> String {
    let bytes = name.as_bytes();
    let plain = bytes.first().is_some_and(u8::is_ascii_alphabetic)
        && bytes
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'_')
        && !name.contains("__")
        && !name.ends_with('_');
    if plain {
        return name.to_string();
    }
    let mut s = String::with_capacity(2 + 2 * bytes.len());
    s.push_str("_x");
    for b in bytes {
        s.push(char::from_digit(u32::from(b >> 4), 16).expect("nibble"));
        s.push(char::from_digit(u32::from(b & 15), 16).expect("nibble"));
    }
    s
}

/// The C symbol that implements the function import `module`.`name` in executables and static
/// libraries: `wasmaot_import_` + [`c_name`]`(module)` + `__` + [`c_name`]`(name)`, for
/// example `wasmaot_import_env__log_string`. Injective: distinct imports never share a symbol.
pub fn host_import(module: &str, name: &str) -> String {
    format!("{HOST_IMPORT_PREFIX}{}__{}", c_name(module), c_name(name))
}

/// The module and name a [`host_import`] symbol stands for, if it is one.
pub fn parse_host_import(symbol: &str) -> Option<(String, String)> {
    let rest = symbol.strip_prefix(HOST_IMPORT_PREFIX)?;
    // The module part: `_x` + hex digits, or a plain identifier without `__`.
    let split = if let Some(hex) = rest.strip_prefix("_x") {
        2 + hex.find("__")?
    } else {
        rest.find("__")?
    };
    let (module, name) = (&rest[..split], &rest[split + 2..]);
    let decode = |s: &str| -> Option<String> {
        match s.strip_prefix("_x") {
            Some(hex) => {
                if hex.len() % 2 != 0 {
                    return None;
                }
                let bytes = (0..hex.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
                    .collect::<Option<Vec<u8>>>()?;
                String::from_utf8(bytes).ok()
            }
            None => Some(s.to_string()),
        }
    };
    let (module, name) = (decode(module)?, decode(name)?);
    (host_import(&module, &name) == symbol).then_some((module, name))
}

/// The trampoline through which compiled code calls linked host function import `i` (it
/// records its frame in the vmctx's `HOST_FRAME` first). Local to the object.
pub fn host_trampoline(import_func_index: u32) -> String {
    format!("wasmaot_host_trampoline_{import_func_index}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_names_keep_identifiers_and_hex_the_rest() {
        assert_eq!(c_name("add"), "add");
        assert_eq!(c_name("log_string"), "log_string");
        assert_eq!(c_name("_start"), "_x5f7374617274");
        assert_eq!(c_name("a__b"), "_x615f5f62");
        assert_eq!(c_name("env_"), "_x656e765f");
        assert_eq!(c_name("9lives"), "_x396c69766573");
        assert_eq!(c_name(""), "_x");
        assert_eq!(c_name("é"), "_xc3a9");
    }

    #[test]
    fn host_import_symbols_are_injective_and_parse_back() {
        let cases = [
            ("env", "add"),
            ("env_", "_add"),
            ("env", "__add"),
            ("e", "nv__add"),
            ("wasi:io/streams", "read"),
            ("", ""),
            ("env", "log_string"),
        ];
        let mut seen = std::collections::HashSet::new();
        for (m, n) in cases {
            let s = host_import(m, n);
            assert!(seen.insert(s.clone()), "{s} twice");
            assert!(
                s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'),
                "{s}"
            );
            assert_eq!(
                parse_host_import(&s),
                Some((m.to_string(), n.to_string())),
                "{s}"
            );
        }
        assert_eq!(host_import("env", "add"), "wasmaot_import_env__add");
        assert_eq!(parse_host_import("wasmaot_func_3"), None);
        assert_eq!(parse_host_import("wasmaot_import_env"), None);
    }
}

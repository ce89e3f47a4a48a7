//! The ELF symbol name of each defined function: its name from the module's name section, so
//! `perf`, `gdb`, `nm`, `addr2line` and `objdump` show `main.main` or `fmt.Fprintln` instead of
//! `wasmaot_func_1234`.
//!
//! The rule (also in `docs/ABI.md`): printable ASCII other than `%` is kept as it is (Go's
//! `bytes.(*Buffer).Write`, C++'s mangled `_ZN3foo3barEv` and C's `main` stay readable and
//! match what native toolchains name them); every other byte (space, control characters,
//! non-ASCII UTF-8, `%` itself) becomes `%HH`. A name that is empty, starts with `wasmaot_`,
//! is already taken by an earlier function or is a symbol the object refers to (`main`, a libc
//! or runtime function) gets `#<index>` appended. A function with no name keeps
//! `wasmaot_func_<index>`. The symbols are local: they never take part in linking.
//!
//! Must never produce two equal names, nor a name the object declares for anything else.

use std::collections::HashSet;

use crate::module::ModuleInfo;

/// `%HH`-escapes the bytes of `name` that are not printable ASCII, and `%`.
pub fn escape(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for &b in name.as_bytes() {
        if b.is_ascii_graphic() && b != b'%' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The symbol of every defined function, in index order. `taken` holds every other symbol
/// name the object declares.
pub fn function_symbols(info: &ModuleInfo<'_>, taken: &HashSet<String>) -> Vec<String> {
    let mut used: HashSet<String> = HashSet::new();
    (info.num_imported_funcs..info.funcs.len() as u32)
        .map(|index| {
            let name = match info.func_names.get(&index) {
                None => wasmaot_abi::symbols::func(index),
                Some(n) => {
                    let e = escape(n);
                    if e.is_empty()
                        || e.starts_with("wasmaot_")
                        || taken.contains(&e)
                        || used.contains(&e)
                    {
                        format!("{e}#{index}")
                    } else {
                        e
                    }
                }
            };
            used.insert(name.clone());
            name
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::module::{ParseOptions, parse};

    #[test]
    fn escaping_keeps_printable_names_and_is_injective() {
        assert_eq!(escape("bytes.(*Buffer).Write"), "bytes.(*Buffer).Write");
        assert_eq!(escape("_ZN3foo3barEv"), "_ZN3foo3barEv");
        assert_eq!(escape("a b"), "a%20b");
        assert_eq!(escape("100%"), "100%25");
        assert_eq!(escape("é"), "%C3%A9");
        assert_ne!(escape("%20"), escape(" "));
    }

    #[test]
    fn names_are_unique_and_avoid_the_objects_own_symbols() {
        // Two functions with one name: the name section allows it, the text format does not.
        let wasm = wat::parse_str(
            r#"(module
                 (func $main.main) (func (@name "main.main")) (func $memmove) (func)
                 (func $wasmaot_rt_x) (func $fmt.Fprintln))"#,
        )
        .unwrap();
        let info = parse(Box::leak(wasm.into_boxed_slice()), ParseOptions::default()).unwrap();
        let taken: HashSet<String> = ["memmove".to_string()].into_iter().collect();
        assert_eq!(
            function_symbols(&info, &taken),
            vec![
                "main.main",
                "main.main#1",
                "memmove#2",
                "wasmaot_func_3",
                "wasmaot_rt_x#4",
                "fmt.Fprintln"
            ]
        );
    }
}

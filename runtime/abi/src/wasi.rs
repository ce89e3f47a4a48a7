//! The WASI preview1 host functions the runtime provides, with their wasm signatures, under the
//! two import module names. The compiler resolves a module's WASI imports against this table
//! (an import not found here is a compile error naming it) and emits direct calls to
//! [`crate::symbols::wasi`]; the runtime defines every symbol this table implies.
//!
//! Host functions use the C ABI: `extern "C" fn(vmctx: *mut VMContext, params...) -> results`,
//! i32 params as `u32`/`i32`, i64 params as `u64`/`i64`.
//!
//! Must never list a function whose signature differs from the witx definition.

use crate::types::ValType;

/// Import module name of WASI preview1.
pub const PREVIEW1: &str = "wasi_snapshot_preview1";
/// Import module name of WASI snapshot 0 (old TinyGo and WASI SDK output).
pub const UNSTABLE: &str = "wasi_unstable";

/// One WASI function.
#[derive(Clone, Copy, Debug)]
pub struct WasiFunc {
    pub name: &'static str,
    pub params: &'static [ValType],
    pub results: &'static [ValType],
    /// Exists under `wasi_unstable` too.
    pub in_unstable: bool,
    /// Under `wasi_unstable`, the record layout or an enum differs, so a separate adapter
    /// (`wasmaot_wasi_unstable_<name>`) is called; otherwise the preview1 symbol serves both.
    pub unstable_adapter: bool,
}

use ValType::{I32, I64};

const fn f(
    name: &'static str,
    params: &'static [ValType],
    results: &'static [ValType],
) -> WasiFunc {
    WasiFunc {
        name,
        params,
        results,
        in_unstable: true,
        unstable_adapter: false,
    }
}
const fn adapted(name: &'static str, params: &'static [ValType]) -> WasiFunc {
    WasiFunc {
        name,
        params,
        results: &[I32],
        in_unstable: true,
        unstable_adapter: true,
    }
}
const fn p1_only(name: &'static str, params: &'static [ValType]) -> WasiFunc {
    WasiFunc {
        name,
        params,
        results: &[I32],
        in_unstable: false,
        unstable_adapter: false,
    }
}

/// All 46 preview1 functions.
pub const FUNCS: &[WasiFunc] = &[
    f("args_get", &[I32, I32], &[I32]),
    f("args_sizes_get", &[I32, I32], &[I32]),
    f("environ_get", &[I32, I32], &[I32]),
    f("environ_sizes_get", &[I32, I32], &[I32]),
    f("clock_res_get", &[I32, I32], &[I32]),
    f("clock_time_get", &[I32, I64, I32], &[I32]),
    f("fd_advise", &[I32, I64, I64, I32], &[I32]),
    f("fd_allocate", &[I32, I64, I64], &[I32]),
    f("fd_close", &[I32], &[I32]),
    f("fd_datasync", &[I32], &[I32]),
    f("fd_fdstat_get", &[I32, I32], &[I32]),
    f("fd_fdstat_set_flags", &[I32, I32], &[I32]),
    f("fd_fdstat_set_rights", &[I32, I64, I64], &[I32]),
    adapted("fd_filestat_get", &[I32, I32]),
    f("fd_filestat_set_size", &[I32, I64], &[I32]),
    f("fd_filestat_set_times", &[I32, I64, I64, I32], &[I32]),
    f("fd_pread", &[I32, I32, I32, I64, I32], &[I32]),
    f("fd_prestat_get", &[I32, I32], &[I32]),
    f("fd_prestat_dir_name", &[I32, I32, I32], &[I32]),
    f("fd_pwrite", &[I32, I32, I32, I64, I32], &[I32]),
    f("fd_read", &[I32, I32, I32, I32], &[I32]),
    f("fd_readdir", &[I32, I32, I32, I64, I32], &[I32]),
    f("fd_renumber", &[I32, I32], &[I32]),
    adapted("fd_seek", &[I32, I64, I32, I32]),
    f("fd_sync", &[I32], &[I32]),
    f("fd_tell", &[I32, I32], &[I32]),
    f("fd_write", &[I32, I32, I32, I32], &[I32]),
    f("path_create_directory", &[I32, I32, I32], &[I32]),
    adapted("path_filestat_get", &[I32, I32, I32, I32, I32]),
    f(
        "path_filestat_set_times",
        &[I32, I32, I32, I32, I64, I64, I32],
        &[I32],
    ),
    f("path_link", &[I32, I32, I32, I32, I32, I32, I32], &[I32]),
    f(
        "path_open",
        &[I32, I32, I32, I32, I32, I64, I64, I32, I32],
        &[I32],
    ),
    f("path_readlink", &[I32, I32, I32, I32, I32, I32], &[I32]),
    f("path_remove_directory", &[I32, I32, I32], &[I32]),
    f("path_rename", &[I32, I32, I32, I32, I32, I32], &[I32]),
    f("path_symlink", &[I32, I32, I32, I32, I32], &[I32]),
    f("path_unlink_file", &[I32, I32, I32], &[I32]),
    adapted("poll_oneoff", &[I32, I32, I32, I32]),
    f("proc_exit", &[I32], &[]),
    f("proc_raise", &[I32], &[I32]),
    f("sched_yield", &[], &[I32]),
    f("random_get", &[I32, I32], &[I32]),
    p1_only("sock_accept", &[I32, I32, I32]),
    f("sock_recv", &[I32, I32, I32, I32, I32, I32], &[I32]),
    f("sock_send", &[I32, I32, I32, I32, I32], &[I32]),
    f("sock_shutdown", &[I32, I32], &[I32]),
];

/// Looks up an import: `Some((func, symbol))` if `module.name` is a WASI function we provide.
pub fn lookup(module: &str, name: &str) -> Option<(&'static WasiFunc, String)> {
    let unstable = match module {
        PREVIEW1 => false,
        UNSTABLE => true,
        _ => return None,
    };
    let func = FUNCS.iter().find(|f| f.name == name)?;
    if unstable && !func.in_unstable {
        return None;
    }
    Some((
        func,
        crate::symbols::wasi(name, unstable && func.unstable_adapter),
    ))
}

/// Every host symbol the runtime must define: `(symbol, func)`.
pub fn all_symbols() -> impl Iterator<Item = (String, &'static WasiFunc)> {
    FUNCS.iter().flat_map(|f| {
        let p1 = Some((crate::symbols::wasi(f.name, false), f));
        let p0 =
            (f.in_unstable && f.unstable_adapter).then(|| (crate::symbols::wasi(f.name, true), f));
        p1.into_iter().chain(p0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_complete() {
        assert_eq!(FUNCS.len(), 46);
        assert_eq!(
            lookup(UNSTABLE, "fd_seek").unwrap().1,
            "wasmaot_wasi_unstable_fd_seek"
        );
        assert_eq!(
            lookup(UNSTABLE, "fd_write").unwrap().1,
            "wasmaot_wasi_fd_write"
        );
        assert!(lookup(UNSTABLE, "sock_accept").is_none());
        assert!(lookup("env", "fd_write").is_none());
    }
}

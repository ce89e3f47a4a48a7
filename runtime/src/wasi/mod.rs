//! WASI preview1 host functions: the process-wide context (fd table, args, env), errno values
//! and `init`. Every `wasmaot_wasi_*` symbol named by `wasmaot_abi::wasi::all_symbols()` is
//! implemented in a submodule and listed once in the `wasi_host_functions!` table, which
//! generates the exported symbol (module [`host`]) around the implementation, with the call
//! trace of `WASMAOT_LOG=wasi=trace` (`trace`).
//! Must never let a guest pointer, length or fd reach the host unchecked.
//!
//! Safety contract of every `wasmaot_wasi_*` function: `vmctx` is null or points at a VMContext
//! whose fixed prefix is laid out per `VmOffsets` (memory 0 base and definition record).
#![allow(clippy::missing_safety_doc, clippy::too_many_arguments)]

mod args_env;
mod clock;
pub mod errno;
mod fd;
mod mem;
mod path;
mod poll;
mod proc;
mod random;
mod sched;
mod sock;
#[cfg(test)]
mod tests;
pub mod trace;
mod trace_format;
mod unstable;

use std::collections::BTreeMap;
use std::ffi::CString;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::sync::{Mutex, MutexGuard};

pub use errno::Errno;

/// What the guest sees: arguments, environment (`KEY=VALUE` entries) and preopened directories.
#[derive(Debug, Default)]
pub struct WasiConfig {
    pub args: Vec<Vec<u8>>,
    pub env: Vec<Vec<u8>>,
    pub preopens: Vec<Preopen>,
    /// Listening sockets handed to the guest after the preopens (`--tcplisten`).
    pub listeners: Vec<std::net::TcpListener>,
    /// What the guest's fds 0, 1 and 2 are.
    pub stdio: Stdio,
}

/// The guest's standard streams.
#[derive(Debug, Default)]
pub enum Stdio {
    /// The host process's own fds 0, 1 and 2 (executables).
    #[default]
    Inherit,
    /// Host fds owned by this context (an embedder's choice), `None` for a stream the guest
    /// does not have (EBADF, as a closed fd).
    Fds([Option<OwnedFd>; 3]),
}

/// A host directory made visible to the guest under the name `guest`.
#[derive(Clone, Debug)]
pub struct Preopen {
    pub host: std::path::PathBuf,
    pub guest: String,
}

/// The host side of a guest fd.
#[derive(Debug)]
pub(crate) enum HostFd {
    /// An fd we opened and close on drop.
    Owned(OwnedFd),
    /// Host stdio (0, 1, 2): shared with our parent, never closed or reconfigured.
    Stdio(RawFd),
}

impl HostFd {
    pub(crate) fn raw(&self) -> RawFd {
        match self {
            HostFd::Owned(fd) => fd.as_raw_fd(),
            HostFd::Stdio(fd) => *fd,
        }
    }
}

/// What kind of object a guest fd refers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Stdio,
    File,
    Dir {
        preopen: Option<String>,
    },
    /// A socket: a listener from `--tcplisten` or a connection `sock_accept` returned.
    Socket,
}

/// One entry of the guest fd table.
#[derive(Debug)]
pub(crate) struct FdEntry {
    pub host: HostFd,
    pub kind: Kind,
    /// WASI filetype, fixed at open time.
    pub filetype: u8,
    pub rights_base: u64,
    pub rights_inheriting: u64,
    /// Emulated fdflags for stdio (APPEND, NONBLOCK): the host open file description is shared
    /// with the parent process, so we never change its flags.
    pub stdio_flags: u16,
}

impl FdEntry {
    pub(crate) fn raw(&self) -> RawFd {
        self.host.raw()
    }
    pub(crate) fn is_dir(&self) -> bool {
        matches!(self.kind, Kind::Dir { .. })
    }
    /// ENOTCAPABLE unless the fd holds every right in `needed` (as wasi-common: rights are
    /// enforced, and can only ever be dropped).
    pub(crate) fn need(&self, needed: u64) -> Result<(), Errno> {
        if self.rights_base & needed == needed {
            Ok(())
        } else {
            Err(errno::NOTCAPABLE)
        }
    }
}

/// The WASI state of a guest: process-wide in executables, one per instance for embedders.
#[derive(Debug, Default)]
pub struct WasiCtx {
    pub(crate) args: Vec<Vec<u8>>,
    pub(crate) env: Vec<Vec<u8>>,
    pub(crate) fds: BTreeMap<u32, FdEntry>,
}

impl WasiCtx {
    /// A context with the host's stdio only.
    fn with_stdio() -> WasiCtx {
        let mut ctx = WasiCtx::default();
        for (fd, rights) in [(0, rights::STDIN), (1, rights::STDOUT), (2, rights::STDOUT)] {
            let filetype = fd::host_filetype(fd).unwrap_or(filetype::UNKNOWN);
            ctx.fds.insert(
                fd as u32,
                FdEntry {
                    host: HostFd::Stdio(fd),
                    kind: Kind::Stdio,
                    filetype,
                    rights_base: rights,
                    rights_inheriting: 0,
                    stdio_flags: 0,
                },
            );
        }
        ctx
    }

    pub(crate) fn get(&self, fd: u32) -> Result<&FdEntry, Errno> {
        self.fds.get(&fd).ok_or(errno::BADF)
    }

    pub(crate) fn get_mut(&mut self, fd: u32) -> Result<&mut FdEntry, Errno> {
        self.fds.get_mut(&fd).ok_or(errno::BADF)
    }

    /// Host fd of a guest directory fd (as wasmtime: EBADF if unknown or stdio, ENOTDIR if a
    /// file).
    pub(crate) fn dir(&self, fd: u32, needed: u64) -> Result<RawFd, Errno> {
        let e = self.get(fd)?;
        match e.kind {
            Kind::Dir { .. } => {
                e.need(needed)?;
                Ok(e.raw())
            }
            Kind::File | Kind::Socket => Err(errno::NOTDIR),
            Kind::Stdio => Err(errno::BADF),
        }
    }

    /// Inserts at the lowest free guest fd.
    pub(crate) fn insert(&mut self, entry: FdEntry) -> Result<u32, Errno> {
        let mut n = 0u32;
        for &k in self.fds.keys() {
            if k != n {
                break;
            }
            n = n.checked_add(1).ok_or(errno::MFILE)?;
        }
        self.fds.insert(n, entry);
        Ok(n)
    }

    /// Inserts at the lowest free guest fd and writes that fd to guest `out`; if the write
    /// faults the entry is removed again (closing an owned host fd), so the guest never holds
    /// an fd it was not told about.
    pub(crate) fn insert_to(
        &mut self,
        entry: FdEntry,
        mem: &mem::Mem,
        out: u32,
    ) -> Result<(), Errno> {
        let n = self.insert(entry)?;
        if let Err(e) = mem.write_u32(out, n) {
            self.fds.remove(&n);
            return Err(e);
        }
        Ok(())
    }
}

static CTX: Mutex<Option<WasiCtx>> = Mutex::new(None);

fn lock() -> MutexGuard<'static, Option<WasiCtx>> {
    CTX.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs `f` on the WASI context of the instance behind `vmctx`: its own (instances an embedder
/// created with a configuration), else the process-wide one (executables; a stdio-only
/// context if `init` was never called).
pub(crate) fn with_ctx<R>(vmctx: *mut u8, f: impl FnOnce(&mut WasiCtx) -> R) -> R {
    crate::run_mode::check_memory_export();
    // SAFETY: the safety contract of every `wasmaot_wasi_*` function: `vmctx` is null or a
    // VMContext with the fixed prefix, whose INSTANCE field is null or a live instance.
    if let Some(own) = unsafe { crate::instance::wasi_of_vmctx(vmctx) } {
        let mut guard = own.lock().unwrap_or_else(|e| e.into_inner());
        return f(&mut guard);
    }
    let mut guard = lock();
    f(guard.get_or_insert_with(WasiCtx::with_stdio))
}

/// Sets up the process-wide WASI context (see [`WasiCtx::new`]). Replaces any previous one.
pub fn init(config: WasiConfig) -> Result<(), String> {
    let ctx = WasiCtx::new(config)?;
    // As in wasmtime (a Rust program), a write to a closed pipe is EPIPE for the guest rather
    // than a fatal SIGPIPE: the executable's `main` is not Rust's, so nobody else ignores it.
    // SAFETY: setting a signal disposition to SIG_IGN has no preconditions.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
    *lock() = Some(ctx);
    Ok(())
}

impl WasiCtx {
    /// A context from `config`: fds 0, 1, 2 are the standard streams, fds 3.. the preopens
    /// in order, then the listeners.
    pub fn new(config: WasiConfig) -> Result<WasiCtx, String> {
        // Where WASI is set up, `WASMAOT_LOG` decides whether its calls are traced.
        trace::init_from_env();
        let mut ctx = match config.stdio {
            Stdio::Inherit => WasiCtx::with_stdio(),
            Stdio::Fds(fds) => {
                let mut ctx = WasiCtx::default();
                for (n, fd) in fds.into_iter().enumerate() {
                    let Some(fd) = fd else { continue };
                    let filetype = fd::host_filetype(fd.as_raw_fd()).unwrap_or(filetype::UNKNOWN);
                    ctx.fds.insert(
                        n as u32,
                        FdEntry {
                            host: HostFd::Owned(fd),
                            kind: Kind::Stdio,
                            filetype,
                            rights_base: if n == 0 {
                                rights::STDIN
                            } else {
                                rights::STDOUT
                            },
                            rights_inheriting: 0,
                            stdio_flags: 0,
                        },
                    );
                }
                ctx
            }
        };
        ctx.args = config.args;
        ctx.env = config.env;
        // Preopens and listeners follow the standard streams even when some of those are absent.
        let mut next = 3u32;
        for p in config.preopens {
            let c = CString::new(p.host.as_os_str().as_bytes()).map_err(|_| {
                format!(
                    "cannot open preopen directory {}: path contains a NUL byte",
                    p.host.display()
                )
            })?;
            // SAFETY: `c` is a valid C string.
            let fd = unsafe {
                libc::open(
                    c.as_ptr(),
                    libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC,
                )
            };
            if fd < 0 {
                return Err(format!(
                    "cannot open preopen directory {}: {}",
                    p.host.display(),
                    std::io::Error::last_os_error()
                ));
            }
            // SAFETY: `fd` was just opened and is owned by nobody else.
            let owned = unsafe { OwnedFd::from_raw_fd(fd) };
            ctx.fds.insert(
                next,
                FdEntry {
                    host: HostFd::Owned(owned),
                    kind: Kind::Dir {
                        preopen: Some(p.guest),
                    },
                    filetype: filetype::DIRECTORY,
                    rights_base: rights::DIR_BASE,
                    rights_inheriting: rights::DIR_BASE | rights::FILE_BASE,
                    stdio_flags: 0,
                },
            );
            next += 1;
        }
        for l in config.listeners {
            ctx.fds.insert(
                next,
                FdEntry {
                    host: HostFd::Owned(OwnedFd::from(l)),
                    kind: Kind::Socket,
                    filetype: filetype::SOCKET_STREAM,
                    rights_base: rights::SOCKET_BASE | rights::SOCK_ACCEPT,
                    rights_inheriting: rights::SOCKET_BASE,
                    stdio_flags: 0,
                },
            );
            next += 1;
        }
        Ok(ctx)
    }
}

/// Converts an internal result to the value a WASI function returns.
pub(crate) fn ret(r: Result<(), Errno>) -> i32 {
    match r {
        Ok(()) => 0,
        Err(e) => i32::from(e),
    }
}

/// WASI filetype values.
pub mod filetype {
    pub const UNKNOWN: u8 = 0;
    pub const BLOCK_DEVICE: u8 = 1;
    pub const CHARACTER_DEVICE: u8 = 2;
    pub const DIRECTORY: u8 = 3;
    pub const REGULAR_FILE: u8 = 4;
    pub const SOCKET_DGRAM: u8 = 5;
    pub const SOCKET_STREAM: u8 = 6;
    pub const SYMBOLIC_LINK: u8 = 7;
}

/// WASI fdflags.
pub mod fdflags {
    pub const APPEND: u16 = 1;
    pub const DSYNC: u16 = 2;
    pub const NONBLOCK: u16 = 4;
    pub const RSYNC: u16 = 8;
    pub const SYNC: u16 = 16;
}

/// WASI rights bits.
pub mod rights {
    pub const FD_DATASYNC: u64 = 1 << 0;
    pub const FD_READ: u64 = 1 << 1;
    pub const FD_SEEK: u64 = 1 << 2;
    pub const FD_FDSTAT_SET_FLAGS: u64 = 1 << 3;
    pub const FD_SYNC: u64 = 1 << 4;
    pub const FD_TELL: u64 = 1 << 5;
    pub const FD_WRITE: u64 = 1 << 6;
    pub const FD_ADVISE: u64 = 1 << 7;
    pub const FD_ALLOCATE: u64 = 1 << 8;
    pub const PATH_CREATE_DIRECTORY: u64 = 1 << 9;
    pub const PATH_CREATE_FILE: u64 = 1 << 10;
    pub const PATH_LINK_SOURCE: u64 = 1 << 11;
    pub const PATH_LINK_TARGET: u64 = 1 << 12;
    pub const PATH_OPEN: u64 = 1 << 13;
    pub const FD_READDIR: u64 = 1 << 14;
    pub const PATH_READLINK: u64 = 1 << 15;
    pub const PATH_RENAME_SOURCE: u64 = 1 << 16;
    pub const PATH_RENAME_TARGET: u64 = 1 << 17;
    pub const PATH_FILESTAT_GET: u64 = 1 << 18;
    pub const PATH_FILESTAT_SET_SIZE: u64 = 1 << 19;
    pub const PATH_FILESTAT_SET_TIMES: u64 = 1 << 20;
    pub const FD_FILESTAT_GET: u64 = 1 << 21;
    pub const FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
    pub const FD_FILESTAT_SET_TIMES: u64 = 1 << 23;
    pub const PATH_SYMLINK: u64 = 1 << 24;
    pub const PATH_REMOVE_DIRECTORY: u64 = 1 << 25;
    pub const PATH_UNLINK_FILE: u64 = 1 << 26;
    pub const POLL_FD_READWRITE: u64 = 1 << 27;
    pub const SOCK_SHUTDOWN: u64 = 1 << 28;
    pub const SOCK_ACCEPT: u64 = 1 << 29;
    pub const ALL: u64 = (1 << 30) - 1;

    /// Rights meaningful on a regular file.
    pub const FILE_BASE: u64 = FD_DATASYNC
        | FD_READ
        | FD_SEEK
        | FD_FDSTAT_SET_FLAGS
        | FD_SYNC
        | FD_TELL
        | FD_WRITE
        | FD_ADVISE
        | FD_ALLOCATE
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_SIZE
        | FD_FILESTAT_SET_TIMES
        | POLL_FD_READWRITE;
    /// Rights meaningful on a directory.
    pub const DIR_BASE: u64 = FD_FDSTAT_SET_FLAGS
        | FD_SYNC
        | FD_DATASYNC
        | PATH_CREATE_DIRECTORY
        | PATH_CREATE_FILE
        | PATH_LINK_SOURCE
        | PATH_LINK_TARGET
        | PATH_OPEN
        | FD_READDIR
        | PATH_READLINK
        | PATH_RENAME_SOURCE
        | PATH_RENAME_TARGET
        | PATH_FILESTAT_GET
        | PATH_FILESTAT_SET_SIZE
        | PATH_FILESTAT_SET_TIMES
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_TIMES
        | PATH_SYMLINK
        | PATH_REMOVE_DIRECTORY
        | PATH_UNLINK_FILE;
    /// What wasmtime reports for a preopened directory (we give preopens [`DIR_BASE`]: without
    /// `PATH_FILESTAT_SET_SIZE` an `O_TRUNC` open could not be allowed).
    pub const PREOPEN_BASE: u64 = PATH_CREATE_DIRECTORY
        | PATH_CREATE_FILE
        | PATH_LINK_SOURCE
        | PATH_LINK_TARGET
        | PATH_OPEN
        | FD_READDIR
        | PATH_READLINK
        | PATH_RENAME_SOURCE
        | PATH_RENAME_TARGET
        | PATH_SYMLINK
        | PATH_REMOVE_DIRECTORY
        | PATH_UNLINK_FILE
        | PATH_FILESTAT_GET
        | PATH_FILESTAT_SET_TIMES
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_TIMES;
    /// Rights of a socket (listener or connection).
    pub const SOCKET_BASE: u64 = FD_READ
        | FD_WRITE
        | FD_FDSTAT_SET_FLAGS
        | FD_FILESTAT_GET
        | POLL_FD_READWRITE
        | SOCK_SHUTDOWN;
    pub const STDIN: u64 = FD_READ | FD_FDSTAT_SET_FLAGS | FD_FILESTAT_GET | POLL_FD_READWRITE;
    pub const STDOUT: u64 = FD_WRITE | FD_FDSTAT_SET_FLAGS | FD_FILESTAT_GET | POLL_FD_READWRITE;
}

/// The WASI host functions, each listed once as `file::symbol = decoder(params)`: the one table
/// from which the exported symbols ([`host`]), [`host_function`] (symbol name → address, for the
/// spec runner's and embedders' dynamic imports) and [`SYMBOLS`] are generated. `file::symbol`
/// is the implementation, `decoder` how `trace_format` shows the call, and `params` wasm's native
/// shape after the vmctx (every function returns an errno, but `-> !` marks one that never
/// returns).
macro_rules! wasi_host_functions {
    ($($file:ident :: $symbol:ident = $decoder:ident ( $($arg:ident : $ty:ty),* ) $(-> $never:tt)?;)*) => {
        /// Every WASI host function symbol the runtime defines, in table order.
        pub const SYMBOLS: &[&str] = &[$(stringify!($symbol)),*];

        /// The address of the host function defined for a WASI symbol name (as built by
        /// `wasmaot_abi::symbols::wasi`), or `None` if the runtime does not define it.
        pub fn host_function(symbol: &str) -> Option<*const ()> {
            match symbol {
                $(stringify!($symbol) => Some(host::$symbol as *const ()),)*
                _ => None,
            }
        }

        /// The exported `wasmaot_wasi_*` symbols compiled code calls: each an `extern "C"` shim
        /// with wasm's native shape, `(vmctx, params...) -> errno`, that calls the
        /// implementation, traced when `WASMAOT_LOG` asks for it (`trace`). Untraced, a call
        /// costs one load and branch more than the implementation.
        pub mod host {
            $(wasi_host_functions!(@export $file $symbol $decoder ($($arg: $ty),*) $(-> $never)?);)*
        }

        /// Every decoder with the number of parameters of its function (for the tests).
        #[cfg(test)]
        pub(crate) const DECODERS: &[(&trace_format::Decoder, usize)] =
            &[$((&trace_format::$decoder, <[&str]>::len(&[$(stringify!($arg)),*])),)*];
    };
    (@export $file:ident $symbol:ident $decoder:ident ($($arg:ident : $ty:ty),*)) => {
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $symbol(vmctx: *mut u8, $($arg: $ty),*) -> i32 {
            use super::{$file, trace, trace_format};
            // Out of line, so that the untraced path needs no stack frame of its own: a load,
            // a branch and a jump to the implementation.
            #[cold]
            #[inline(never)]
            unsafe fn traced(vmctx: *mut u8, $($arg: $ty),*) -> i32 {
                let args: &[i64] = &[$(i64::from($arg)),*];
                let decoder = &trace_format::$decoder;
                // SAFETY: the contract of the exported function, for these three calls.
                unsafe {
                    let line = trace::before(vmctx, decoder, args);
                    let result = $file::$symbol(vmctx, $($arg),*);
                    trace::after(line, decoder, args, result);
                    result
                }
            }
            // SAFETY (both calls): this function's contract is the implementation's.
            if trace::enabled() {
                return unsafe { traced(vmctx, $($arg),*) };
            }
            unsafe { $file::$symbol(vmctx, $($arg),*) }
        }
    };
    (@export $file:ident $symbol:ident $decoder:ident ($($arg:ident : $ty:ty),*) -> !) => {
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $symbol(vmctx: *mut u8, $($arg: $ty),*) -> ! {
            use super::{$file, trace, trace_format};
            if trace::enabled() {
                // SAFETY: this function's contract.
                unsafe { trace::noreturn(vmctx, &trace_format::$decoder, &[$(i64::from($arg)),*]) };
            }
            // SAFETY: this function's contract is the implementation's.
            unsafe { $file::$symbol(vmctx, $($arg),*) }
        }
    };
}

wasi_host_functions! {
    args_env::wasmaot_wasi_args_get = args_get(argv: i32, argv_buf: i32);
    args_env::wasmaot_wasi_args_sizes_get = args_sizes_get(argc: i32, argv_buf_size: i32);
    args_env::wasmaot_wasi_environ_get = environ_get(environ: i32, environ_buf: i32);
    args_env::wasmaot_wasi_environ_sizes_get = environ_sizes_get(count: i32, buf_size: i32);
    clock::wasmaot_wasi_clock_res_get = clock_res_get(id: i32, res: i32);
    clock::wasmaot_wasi_clock_time_get = clock_time_get(id: i32, precision: i64, time: i32);
    fd::wasmaot_wasi_fd_advise = fd_advise(fd: i32, offset: i64, len: i64, advice: i32);
    fd::wasmaot_wasi_fd_allocate = fd_allocate(fd: i32, offset: i64, len: i64);
    fd::wasmaot_wasi_fd_close = fd_close(fd: i32);
    fd::wasmaot_wasi_fd_datasync = fd_datasync(fd: i32);
    fd::wasmaot_wasi_fd_fdstat_get = fd_fdstat_get(fd: i32, buf: i32);
    fd::wasmaot_wasi_fd_fdstat_set_flags = fd_fdstat_set_flags(fd: i32, flags: i32);
    fd::wasmaot_wasi_fd_fdstat_set_rights = fd_fdstat_set_rights(fd: i32, base: i64, inheriting: i64);
    fd::wasmaot_wasi_fd_filestat_get = fd_filestat_get(fd: i32, buf: i32);
    unstable::wasmaot_wasi_unstable_fd_filestat_get = unstable_fd_filestat_get(fd: i32, buf: i32);
    fd::wasmaot_wasi_fd_filestat_set_size = fd_filestat_set_size(fd: i32, size: i64);
    fd::wasmaot_wasi_fd_filestat_set_times = fd_filestat_set_times(fd: i32, atim: i64, mtim: i64, fst_flags: i32);
    fd::wasmaot_wasi_fd_pread = fd_pread(fd: i32, iovs: i32, iovs_len: i32, offset: i64, nread: i32);
    fd::wasmaot_wasi_fd_prestat_get = fd_prestat_get(fd: i32, buf: i32);
    fd::wasmaot_wasi_fd_prestat_dir_name = fd_prestat_dir_name(fd: i32, path: i32, path_len: i32);
    fd::wasmaot_wasi_fd_pwrite = fd_pwrite(fd: i32, iovs: i32, iovs_len: i32, offset: i64, nwritten: i32);
    fd::wasmaot_wasi_fd_read = fd_read(fd: i32, iovs: i32, iovs_len: i32, nread: i32);
    fd::wasmaot_wasi_fd_readdir = fd_readdir(fd: i32, buf: i32, buf_len: i32, cookie: i64, bufused: i32);
    fd::wasmaot_wasi_fd_renumber = fd_renumber(from: i32, to: i32);
    fd::wasmaot_wasi_fd_seek = fd_seek(fd: i32, offset: i64, whence: i32, newoffset: i32);
    unstable::wasmaot_wasi_unstable_fd_seek = unstable_fd_seek(fd: i32, offset: i64, whence: i32, newoffset: i32);
    fd::wasmaot_wasi_fd_sync = fd_sync(fd: i32);
    fd::wasmaot_wasi_fd_tell = fd_tell(fd: i32, offset: i32);
    fd::wasmaot_wasi_fd_write = fd_write(fd: i32, iovs: i32, iovs_len: i32, nwritten: i32);
    path::wasmaot_wasi_path_create_directory = path_create_directory(fd: i32, path: i32, path_len: i32);
    path::wasmaot_wasi_path_filestat_get = path_filestat_get(fd: i32, flags: i32, path: i32, path_len: i32, buf: i32);
    unstable::wasmaot_wasi_unstable_path_filestat_get = unstable_path_filestat_get(fd: i32, flags: i32, path: i32, path_len: i32, buf: i32);
    path::wasmaot_wasi_path_filestat_set_times = path_filestat_set_times(fd: i32, flags: i32, path: i32, path_len: i32, atim: i64, mtim: i64, fst_flags: i32);
    path::wasmaot_wasi_path_link = path_link(old_fd: i32, old_flags: i32, old_path: i32, old_path_len: i32, new_fd: i32, new_path: i32, new_path_len: i32);
    path::wasmaot_wasi_path_open = path_open(dirfd: i32, dirflags: i32, path: i32, path_len: i32, oflags: i32, rights_base: i64, rights_inheriting: i64, fdflags: i32, opened_fd: i32);
    path::wasmaot_wasi_path_readlink = path_readlink(fd: i32, path: i32, path_len: i32, buf: i32, buf_len: i32, bufused: i32);
    path::wasmaot_wasi_path_remove_directory = path_remove_directory(fd: i32, path: i32, path_len: i32);
    path::wasmaot_wasi_path_rename = path_rename(fd: i32, old_path: i32, old_path_len: i32, new_fd: i32, new_path: i32, new_path_len: i32);
    path::wasmaot_wasi_path_symlink = path_symlink(old_path: i32, old_path_len: i32, fd: i32, new_path: i32, new_path_len: i32);
    path::wasmaot_wasi_path_unlink_file = path_unlink_file(fd: i32, path: i32, path_len: i32);
    poll::wasmaot_wasi_poll_oneoff = poll_oneoff(input: i32, out: i32, nsubscriptions: i32, nevents: i32);
    unstable::wasmaot_wasi_unstable_poll_oneoff = unstable_poll_oneoff(input: i32, out: i32, nsubscriptions: i32, nevents: i32);
    proc::wasmaot_wasi_proc_exit = proc_exit(code: i32) -> !;
    proc::wasmaot_wasi_proc_raise = proc_raise(sig: i32);
    sched::wasmaot_wasi_sched_yield = sched_yield();
    random::wasmaot_wasi_random_get = random_get(buf: i32, buf_len: i32);
    sock::wasmaot_wasi_sock_accept = sock_accept(fd: i32, flags: i32, ro_fd: i32);
    sock::wasmaot_wasi_sock_recv = sock_recv(fd: i32, ri_data: i32, ri_data_len: i32, ri_flags: i32, ro_datalen: i32, ro_flags: i32);
    sock::wasmaot_wasi_sock_send = sock_send(fd: i32, si_data: i32, si_data_len: i32, si_flags: i32, so_datalen: i32);
    sock::wasmaot_wasi_sock_shutdown = sock_shutdown(fd: i32, how: i32);
}

//! How the WASI trace (`trace`) shows each call: a [`Decoder`] per WASI function, named after it,
//! that writes its arguments (before the call) and its out-values (after a successful call) to a
//! [`Line`], and the `Line` helpers that render guest values: fds and sizes as numbers, paths and
//! small buffers as escaped strings, flags and enums by name, and any pointer that does not lie
//! in memory 0 as `<bad pointer 0x...>`.
//!
//! Must never read guest memory except through `Mem`'s checked accessors, and never panic on
//! any argument values (a decoder indexes only the arguments its function has; the `decoders`
//! test calls every one with hostile values).
//!
//! Line format: `wasi: NAME(ARG=VALUE, ...) -> ERRNO[, OUT=VALUE, ...]`, e.g.
//! `wasi: fd_write(fd=1, iovs=["hi\n"]) -> success, nwritten=3`. A buffer shows at most
//! [`BUF_LIMIT`] bytes (a path [`PATH_LIMIT`]), then `...` and its full length in bytes.

// The decoders are named after the WASI functions, so that one identifier in the
// `wasi_host_functions!` table names both.
#![allow(non_upper_case_globals)]

use std::fmt::Write as _;

use super::mem::Mem;
use super::poll::{self, SubLayout};

/// Bytes of a data buffer shown in a line.
pub(crate) const BUF_LIMIT: usize = 64;
/// Bytes of a path or name shown in a line.
pub(crate) const PATH_LIMIT: usize = 1024;
/// Iovecs, subscriptions, events or strings of a list shown in a line.
const LIST_LIMIT: usize = 16;

/// How one WASI function is shown.
pub(crate) struct Decoder {
    /// The name the line shows (the WASI function's, also for the `wasi_unstable` adapters).
    pub name: &'static str,
    /// Writes the arguments, before the call.
    pub args: fn(&mut Line, &[i64]),
    /// Writes the out-values, after a call that returned `success`.
    pub outs: fn(&mut Line, &[i64]),
}

/// One trace line under construction.
pub(crate) struct Line {
    buf: String,
    pub(crate) mem: Mem,
    /// Nothing written yet in the current list (arguments, then out-values).
    first: bool,
}

impl Line {
    pub(crate) fn new(mem: Mem, name: &str) -> Line {
        let mut buf = String::with_capacity(128);
        buf.push_str("wasi: ");
        buf.push_str(name);
        buf.push('(');
        Line {
            buf,
            mem,
            first: true,
        }
    }

    /// Ends the argument list; what follows is the result.
    pub(crate) fn close_args(&mut self) {
        self.buf.push_str(") -> ");
        // The out-values follow the errno name.
        self.first = false;
    }

    /// Ends the line of a call that does not return.
    pub(crate) fn close_args_noreturn(&mut self) {
        self.buf.push_str(")\n");
    }

    pub(crate) fn push(&mut self, s: &str) {
        self.buf.push_str(s);
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.buf.as_bytes()
    }

    /// Starts `name=`, after a separator unless it is the first of its list.
    fn key(&mut self, name: &str) {
        if !self.first {
            self.buf.push_str(", ");
        }
        self.first = false;
        self.buf.push_str(name);
        self.buf.push('=');
    }

    /// A number (an fd, a size, a count, a code).
    fn num(&mut self, name: &str, v: impl std::fmt::Display) {
        self.key(name);
        let _ = write!(self.buf, "{v}");
    }

    fn bad_pointer(&mut self, p: u32) {
        let _ = write!(self.buf, "<bad pointer {p:#x}>");
    }

    /// Bit flags by name (`CREAT|TRUNC`), `0` for none, unknown bits in hex.
    fn flags(&mut self, name: &str, v: u64, table: &[(u64, &str)]) {
        self.key(name);
        if v == 0 {
            self.buf.push('0');
            return;
        }
        let mut rest = v;
        let mut sep = "";
        for &(bit, n) in table {
            if v & bit != 0 {
                self.buf.push_str(sep);
                self.buf.push_str(n);
                sep = "|";
                rest &= !bit;
            }
        }
        if rest != 0 {
            let _ = write!(self.buf, "{sep}{rest:#x}");
        }
    }

    /// Rights: by name when at most four are set (`FD_READ|FD_SEEK`), else in hex (Go and
    /// wasi-libc ask for almost all of them).
    fn rights(&mut self, name: &str, v: i64) {
        let v = v as u64;
        if v == super::rights::ALL {
            self.key(name);
            self.buf.push_str("ALL");
        } else if v.count_ones() <= 4 {
            self.flags(name, v, RIGHTS);
        } else {
            self.key(name);
            let _ = write!(self.buf, "{v:#x}");
        }
    }

    /// An enum value by name, or its number if it has none.
    fn enumerated(&mut self, name: &str, v: i64, names: &[&str]) {
        self.key(name);
        match usize::try_from(v).ok().and_then(|i| names.get(i)) {
            Some(n) => self.buf.push_str(n),
            None => {
                let _ = write!(self.buf, "{v}");
            }
        }
    }

    /// `len` bytes at guest `ptr` as an escaped string, at most `limit` of them shown.
    fn string_at(&mut self, name: &str, ptr: i64, len: i64, limit: usize) {
        self.key(name);
        self.string_value(ptr as u32, len as u32, limit);
    }

    fn string_value(&mut self, ptr: u32, len: u32, limit: usize) {
        let shown = (len as usize).min(limit) as u32;
        match self.mem.read_bytes(ptr, shown) {
            Ok(bytes) if self.mem.range(ptr, len).is_ok() => {
                escape(&mut self.buf, &bytes);
                if shown < len {
                    let _ = write!(self.buf, "...({len} bytes)");
                }
            }
            _ => {
                self.bad_pointer(ptr);
                let _ = write!(self.buf, "+{len}");
            }
        }
    }

    /// The data of `count` iovecs at guest `ptr`: each as a string, [`BUF_LIMIT`] bytes in all
    /// shown, and no more than `total` bytes counted (what a read returned).
    fn iovs_data(&mut self, name: &str, ptr: i64, count: i64, total: Option<u64>) {
        self.key(name);
        let (ptr, count) = (ptr as u32, count as u32);
        let mut budget = BUF_LIMIT;
        let mut left = total.unwrap_or(u64::MAX);
        self.buf.push('[');
        for i in 0..count {
            if i as usize == LIST_LIMIT {
                let _ = write!(self.buf, ", ...({count} iovecs)");
                break;
            }
            if i > 0 {
                self.buf.push_str(", ");
            }
            let at = ptr.wrapping_add(i.wrapping_mul(8));
            let (Ok(buf), Ok(len)) = (self.mem.read_u32(at), self.mem.read_u32(at.wrapping_add(4)))
            else {
                self.bad_pointer(at);
                break;
            };
            let len = u64::from(len).min(left) as u32;
            left -= u64::from(len);
            if budget == 0 && len > 0 {
                let _ = write!(self.buf, "...({len} bytes)");
            } else {
                self.string_value(buf, len, budget);
            }
            budget = budget.saturating_sub(len as usize);
        }
        self.buf.push(']');
    }

    /// A `u32` the call wrote to guest `ptr`.
    fn out_u32(&mut self, name: &str, ptr: i64) -> Option<u32> {
        self.key(name);
        let v = self.mem.read_u32(ptr as u32);
        self.value_or_bad(ptr, v)
    }

    /// A `u64` the call wrote to guest `ptr`.
    fn out_u64(&mut self, name: &str, ptr: i64) -> Option<u64> {
        self.key(name);
        let v = self.mem.read_u64(ptr as u32);
        self.value_or_bad(ptr, v)
    }

    fn value_or_bad<T: std::fmt::Display + Copy, E>(
        &mut self,
        ptr: i64,
        v: Result<T, E>,
    ) -> Option<T> {
        match v {
            Ok(v) => {
                let _ = write!(self.buf, "{v}");
                Some(v)
            }
            Err(_) => {
                self.bad_pointer(ptr as u32);
                None
            }
        }
    }

    /// The NUL-terminated strings a `*_get` call wrote: `count` pointers at `ptr`.
    fn c_strings(&mut self, name: &str, ptr: i64, count: usize) {
        self.key(name);
        self.buf.push('[');
        for i in 0..count {
            if i == LIST_LIMIT {
                let _ = write!(self.buf, ", ...({count} strings)");
                break;
            }
            if i > 0 {
                self.buf.push_str(", ");
            }
            let at = (ptr as u32).wrapping_add(4 * i as u32);
            let Ok(s) = self.mem.read_u32(at) else {
                self.bad_pointer(at);
                break;
            };
            let mut len = 0u32;
            while (len as usize) < PATH_LIMIT
                && self.mem.read_u8(s.wrapping_add(len)).is_ok_and(|b| b != 0)
            {
                len += 1;
            }
            self.string_value(s, len, PATH_LIMIT);
        }
        self.buf.push(']');
    }

    /// The subscriptions of a poll_oneoff, as the runtime parses them.
    fn subscriptions(&mut self, name: &str, ptr: i64, count: i64, layout: &SubLayout) {
        self.key(name);
        let count = count as u32;
        let shown = count.min(LIST_LIMIT as u32);
        let subs = match poll::read_subs(&self.mem, ptr as u32, shown, layout) {
            Ok(subs) => subs,
            Err(super::errno::FAULT) => {
                self.bad_pointer(ptr as u32);
                let _ = write!(self.buf, "x{count}");
                return;
            }
            // An unknown event type: the call fails with inval.
            Err(_) => {
                let _ = write!(self.buf, "<{count} subscriptions, one of an unknown type>");
                return;
            }
        };
        self.buf.push('[');
        for (i, s) in subs.iter().enumerate() {
            if i > 0 {
                self.buf.push_str(", ");
            }
            match *s {
                poll::Sub::Clock {
                    userdata,
                    id,
                    timeout,
                    flags,
                } => {
                    let clock = CLOCKS.get(id as usize).copied().unwrap_or("?");
                    let abs = if flags & 1 != 0 { " ABSTIME" } else { "" };
                    let _ = write!(
                        self.buf,
                        "{{userdata={userdata}, clock {clock} timeout={timeout}{abs}}}"
                    );
                }
                poll::Sub::Fd {
                    userdata,
                    fd,
                    write,
                } => {
                    let kind = if write { "fd_write" } else { "fd_read" };
                    let _ = write!(self.buf, "{{userdata={userdata}, {kind} fd={fd}}}");
                }
            }
        }
        if shown < count {
            let _ = write!(self.buf, ", ...({count} subscriptions)");
        }
        self.buf.push(']');
    }

    /// The `n` events a poll_oneoff wrote at `ptr`.
    fn events(&mut self, name: &str, ptr: i64, n: u32) {
        self.key(name);
        self.buf.push('[');
        for i in 0..n.min(LIST_LIMIT as u32) {
            if i > 0 {
                self.buf.push_str(", ");
            }
            let at = (ptr as u32).wrapping_add(poll::EVENT_SIZE.wrapping_mul(i));
            let (Ok(userdata), Ok(error), Ok(kind)) = (
                self.mem.read_u64(at),
                self.mem.read_u16(at.wrapping_add(8)),
                self.mem.read_u8(at.wrapping_add(10)),
            ) else {
                self.bad_pointer(at);
                break;
            };
            let kind = EVENT_TYPES.get(kind as usize).copied().unwrap_or("?");
            let error = super::errno::name(error).unwrap_or("?");
            let _ = write!(self.buf, "{{userdata={userdata}, {kind}, {error}");
            if kind != "clock"
                && let Ok(nbytes) = self.mem.read_u64(at.wrapping_add(16))
            {
                let _ = write!(self.buf, ", nbytes={nbytes}");
            }
            self.buf.push('}');
        }
        if n as usize > LIST_LIMIT {
            let _ = write!(self.buf, ", ...({n} events)");
        }
        self.buf.push(']');
    }

    /// The filetype and size of the filestat a call wrote at `ptr` (preview1 layout: filetype
    /// @16, size @32; snapshot 0: size @24). Times and inode numbers are left out.
    fn filestat(&mut self, ptr: i64, size_at: u32) {
        let p = ptr as u32;
        match (
            self.mem.read_u8(p.wrapping_add(16)),
            self.mem.read_u64(p.wrapping_add(size_at)),
        ) {
            (Ok(t), Ok(size)) => {
                self.enumerated("filetype", i64::from(t), FILETYPES);
                self.num("size", size);
            }
            _ => {
                self.key("buf");
                self.bad_pointer(p);
            }
        }
    }
}

/// Appends `bytes` as a double-quoted string: valid UTF-8 as it is but for `"`, `\` and
/// control characters, other bytes as `\xNN`.
pub(crate) fn escape(out: &mut String, bytes: &[u8]) {
    out.push('"');
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if c.is_control() => {
                    let _ = write!(out, "\\u{{{:x}}}", c as u32);
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out.push('"');
}

const CLOCKS: &[&str] = &[
    "realtime",
    "monotonic",
    "process_cputime_id",
    "thread_cputime_id",
];
const WHENCE: &[&str] = &["SET", "CUR", "END"];
/// Snapshot 0's whence order.
const WHENCE0: &[&str] = &["CUR", "END", "SET"];
const ADVICE: &[&str] = &[
    "normal",
    "sequential",
    "random",
    "willneed",
    "dontneed",
    "noreuse",
];
const FILETYPES: &[&str] = &[
    "unknown",
    "block_device",
    "character_device",
    "directory",
    "regular_file",
    "socket_dgram",
    "socket_stream",
    "symbolic_link",
];
const EVENT_TYPES: &[&str] = &["clock", "fd_read", "fd_write"];
const PREOPEN_TYPES: &[&str] = &["dir"];

const LOOKUP: &[(u64, &str)] = &[(1, "SYMLINK_FOLLOW")];
const OFLAGS: &[(u64, &str)] = &[(1, "CREAT"), (2, "DIRECTORY"), (4, "EXCL"), (8, "TRUNC")];
const FDFLAGS: &[(u64, &str)] = &[
    (1, "APPEND"),
    (2, "DSYNC"),
    (4, "NONBLOCK"),
    (8, "RSYNC"),
    (16, "SYNC"),
];
const FSTFLAGS: &[(u64, &str)] = &[(1, "ATIM"), (2, "ATIM_NOW"), (4, "MTIM"), (8, "MTIM_NOW")];
const RIFLAGS: &[(u64, &str)] = &[(1, "RECV_PEEK"), (2, "RECV_WAITALL")];
const ROFLAGS: &[(u64, &str)] = &[(1, "RECV_DATA_TRUNCATED")];
const SDFLAGS: &[(u64, &str)] = &[(1, "RD"), (2, "WR")];
const RIGHTS: &[(u64, &str)] = &[
    (1 << 0, "FD_DATASYNC"),
    (1 << 1, "FD_READ"),
    (1 << 2, "FD_SEEK"),
    (1 << 3, "FD_FDSTAT_SET_FLAGS"),
    (1 << 4, "FD_SYNC"),
    (1 << 5, "FD_TELL"),
    (1 << 6, "FD_WRITE"),
    (1 << 7, "FD_ADVISE"),
    (1 << 8, "FD_ALLOCATE"),
    (1 << 9, "PATH_CREATE_DIRECTORY"),
    (1 << 10, "PATH_CREATE_FILE"),
    (1 << 11, "PATH_LINK_SOURCE"),
    (1 << 12, "PATH_LINK_TARGET"),
    (1 << 13, "PATH_OPEN"),
    (1 << 14, "FD_READDIR"),
    (1 << 15, "PATH_READLINK"),
    (1 << 16, "PATH_RENAME_SOURCE"),
    (1 << 17, "PATH_RENAME_TARGET"),
    (1 << 18, "PATH_FILESTAT_GET"),
    (1 << 19, "PATH_FILESTAT_SET_SIZE"),
    (1 << 20, "PATH_FILESTAT_SET_TIMES"),
    (1 << 21, "FD_FILESTAT_GET"),
    (1 << 22, "FD_FILESTAT_SET_SIZE"),
    (1 << 23, "FD_FILESTAT_SET_TIMES"),
    (1 << 24, "PATH_SYMLINK"),
    (1 << 25, "PATH_REMOVE_DIRECTORY"),
    (1 << 26, "PATH_UNLINK_FILE"),
    (1 << 27, "POLL_FD_READWRITE"),
    (1 << 28, "SOCK_SHUTDOWN"),
    (1 << 29, "SOCK_ACCEPT"),
];

/// For calls without out-values.
fn none(_: &mut Line, _: &[i64]) {}

/// The number of strings an `args_get`/`environ_get` wrote: the context's own count (the
/// guest's buffer does not say).
fn string_count(l: &Line, env: bool) -> usize {
    super::with_ctx(l.mem.vmctx(), |ctx| {
        if env { ctx.env.len() } else { ctx.args.len() }
    })
}

// ---- args_env ----------------------------------------------------------------------------

pub(crate) const args_get: Decoder = Decoder {
    name: "args_get",
    args: none,
    outs: |l, a| {
        let n = string_count(l, false);
        l.c_strings("args", a[0], n)
    },
};
pub(crate) const args_sizes_get: Decoder = Decoder {
    name: "args_sizes_get",
    args: none,
    outs: |l, a| {
        l.out_u32("argc", a[0]);
        l.out_u32("argv_buf_size", a[1]);
    },
};
pub(crate) const environ_get: Decoder = Decoder {
    name: "environ_get",
    args: none,
    outs: |l, a| {
        let n = string_count(l, true);
        l.c_strings("environ", a[0], n)
    },
};
pub(crate) const environ_sizes_get: Decoder = Decoder {
    name: "environ_sizes_get",
    args: none,
    outs: |l, a| {
        l.out_u32("count", a[0]);
        l.out_u32("buf_size", a[1]);
    },
};

// ---- clock -------------------------------------------------------------------------------

pub(crate) const clock_res_get: Decoder = Decoder {
    name: "clock_res_get",
    args: |l, a| l.enumerated("id", a[0], CLOCKS),
    outs: |l, a| {
        l.out_u64("resolution", a[1]);
    },
};
pub(crate) const clock_time_get: Decoder = Decoder {
    name: "clock_time_get",
    args: |l, a| {
        l.enumerated("id", a[0], CLOCKS);
        l.num("precision", a[1] as u64);
    },
    outs: |l, a| {
        l.out_u64("time", a[2]);
    },
};

// ---- fd ----------------------------------------------------------------------------------

pub(crate) const fd_advise: Decoder = Decoder {
    name: "fd_advise",
    args: |l, a| {
        l.num("fd", a[0] as u32);
        l.num("offset", a[1] as u64);
        l.num("len", a[2] as u64);
        l.enumerated("advice", a[3], ADVICE);
    },
    outs: none,
};
pub(crate) const fd_allocate: Decoder = Decoder {
    name: "fd_allocate",
    args: |l, a| {
        l.num("fd", a[0] as u32);
        l.num("offset", a[1] as u64);
        l.num("len", a[2] as u64);
    },
    outs: none,
};
/// For the calls whose only argument is an fd.
const FD_ONLY: fn(&mut Line, &[i64]) = |l, a| l.num("fd", a[0] as u32);
pub(crate) const fd_close: Decoder = Decoder {
    name: "fd_close",
    args: FD_ONLY,
    outs: none,
};
pub(crate) const fd_datasync: Decoder = Decoder {
    name: "fd_datasync",
    args: FD_ONLY,
    outs: none,
};
pub(crate) const fd_sync: Decoder = Decoder {
    name: "fd_sync",
    args: FD_ONLY,
    outs: none,
};
pub(crate) const fd_fdstat_get: Decoder = Decoder {
    name: "fd_fdstat_get",
    args: FD_ONLY,
    outs: |l, a| {
        let p = a[1] as u32;
        match (
            l.mem.read_u8(p),
            l.mem.read_u16(p.wrapping_add(2)),
            l.mem.read_u64(p.wrapping_add(8)),
            l.mem.read_u64(p.wrapping_add(16)),
        ) {
            (Ok(t), Ok(flags), Ok(base), Ok(inheriting)) => {
                l.enumerated("filetype", i64::from(t), FILETYPES);
                l.flags("flags", u64::from(flags), FDFLAGS);
                l.rights("rights_base", base as i64);
                l.rights("rights_inheriting", inheriting as i64);
            }
            _ => {
                l.key("buf");
                l.bad_pointer(p);
            }
        }
    },
};
pub(crate) const fd_fdstat_set_flags: Decoder = Decoder {
    name: "fd_fdstat_set_flags",
    args: |l, a| {
        l.num("fd", a[0] as u32);
        l.flags("flags", u64::from(a[1] as u16), FDFLAGS);
    },
    outs: none,
};
pub(crate) const fd_fdstat_set_rights: Decoder = Decoder {
    name: "fd_fdstat_set_rights",
    args: |l, a| {
        l.num("fd", a[0] as u32);
        l.rights("rights_base", a[1]);
        l.rights("rights_inheriting", a[2]);
    },
    outs: none,
};
pub(crate) const fd_filestat_get: Decoder = Decoder {
    name: "fd_filestat_get",
    args: FD_ONLY,
    outs: |l, a| l.filestat(a[1], 32),
};
pub(crate) const unstable_fd_filestat_get: Decoder = Decoder {
    name: "fd_filestat_get",
    args: FD_ONLY,
    outs: |l, a| l.filestat(a[1], 24),
};
pub(crate) const fd_filestat_set_size: Decoder = Decoder {
    name: "fd_filestat_set_size",
    args: |l, a| {
        l.num("fd", a[0] as u32);
        l.num("size", a[1] as u64);
    },
    outs: none,
};
pub(crate) const fd_filestat_set_times: Decoder = Decoder {
    name: "fd_filestat_set_times",
    args: |l, a| {
        l.num("fd", a[0] as u32);
        l.num("atim", a[1] as u64);
        l.num("mtim", a[2] as u64);
        l.flags("fst_flags", u64::from(a[3] as u16), FSTFLAGS);
    },
    outs: none,
};
pub(crate) const fd_pread: Decoder = Decoder {
    name: "fd_pread",
    args: |l, a| {
        l.num("fd", a[0] as u32);
        l.num("iovs_len", a[2] as u32);
        l.num("offset", a[3]);
    },
    outs: |l, a| {
        let n = l.out_u32("nread", a[4]);
        if let Some(n) = n {
            l.iovs_data("data", a[1], a[2], Some(u64::from(n)));
        }
    },
};
pub(crate) const fd_prestat_get: Decoder = Decoder {
    name: "fd_prestat_get",
    args: FD_ONLY,
    outs: |l, a| {
        let p = a[1] as u32;
        match (l.mem.read_u8(p), l.mem.read_u32(p.wrapping_add(4))) {
            (Ok(t), Ok(len)) => {
                l.enumerated("type", i64::from(t), PREOPEN_TYPES);
                l.num("name_len", len);
            }
            _ => {
                l.key("buf");
                l.bad_pointer(p);
            }
        }
    },
};
pub(crate) const fd_prestat_dir_name: Decoder = Decoder {
    name: "fd_prestat_dir_name",
    args: |l, a| {
        l.num("fd", a[0] as u32);
        l.num("path_len", a[2] as u32);
    },
    outs: |l, a| l.string_at("path", a[1], a[2], PATH_LIMIT),
};
pub(crate) const fd_pwrite: Decoder = Decoder {
    name: "fd_pwrite",
    args: |l, a| {
        l.num("fd", a[0] as u32);
        l.iovs_data("iovs", a[1], a[2], None);
        l.num("offset", a[3]);
    },
    outs: |l, a| {
        l.out_u32("nwritten", a[4]);
    },
};
pub(crate) const fd_read: Decoder = Decoder {
    name: "fd_read",
    args: |l, a| {
        l.num("fd", a[0] as u32);
        l.num("iovs_len", a[2] as u32);
    },
    outs: |l, a| {
        if let Some(n) = l.out_u32("nread", a[3]) {
            l.iovs_data("data", a[1], a[2], Some(u64::from(n)));
        }
    },
};
pub(crate) const fd_readdir: Decoder = Decoder {
    name: "fd_readdir",
    args: |l, a| {
        l.num("fd", a[0] as u32);
        l.num("buf_len", a[2] as u32);
        l.num("cookie", a[3] as u64);
    },
    outs: |l, a| {
        l.out_u32("bufused", a[4]);
    },
};
pub(crate) const fd_renumber: Decoder = Decoder {
    name: "fd_renumber",
    args: |l, a| {
        l.num("fd", a[0] as u32);
        l.num("to", a[1] as u32);
    },
    outs: none,
};
pub(crate) const fd_seek: Decoder = Decoder {
    name: "fd_seek",
    args: |l, a| {
        l.num("fd", a[0] as u32);
        l.num("offset", a[1]);
        l.enumerated("whence", a[2], WHENCE);
    },
    outs: |l, a| {
        l.out_u64("newoffset", a[3]);
    },
};
pub(crate) const unstable_fd_seek: Decoder = Decoder {
    name: "fd_seek",
    args: |l, a| {
        l.num("fd", a[0] as u32);
        l.num("offset", a[1]);
        l.enumerated("whence", a[2], WHENCE0);
    },
    outs: |l, a| {
        l.out_u64("newoffset", a[3]);
    },
};
pub(crate) const fd_tell: Decoder = Decoder {
    name: "fd_tell",
    args: FD_ONLY,
    outs: |l, a| {
        l.out_u64("offset", a[1]);
    },
};
pub(crate) const fd_write: Decoder = Decoder {
    name: "fd_write",
    args: |l, a| {
        l.num("fd", a[0] as u32);
        l.iovs_data("iovs", a[1], a[2], None);
    },
    outs: |l, a| {
        l.out_u32("nwritten", a[3]);
    },
};

// ---- path --------------------------------------------------------------------------------

pub(crate) const path_create_directory: Decoder = Decoder {
    name: "path_create_directory",
    args: FD_PATH,
    outs: none,
};
/// For the calls that take `fd, path, path_len`.
const FD_PATH: fn(&mut Line, &[i64]) = |l, a| {
    l.num("fd", a[0] as u32);
    l.string_at("path", a[1], a[2], PATH_LIMIT);
};
/// For the calls that take `fd, lookupflags, path, path_len`.
const FD_FLAGS_PATH: fn(&mut Line, &[i64]) = |l, a| {
    l.num("fd", a[0] as u32);
    l.flags("flags", a[1] as u32 as u64, LOOKUP);
    l.string_at("path", a[2], a[3], PATH_LIMIT);
};
pub(crate) const path_filestat_get: Decoder = Decoder {
    name: "path_filestat_get",
    args: FD_FLAGS_PATH,
    outs: |l, a| l.filestat(a[4], 32),
};
pub(crate) const unstable_path_filestat_get: Decoder = Decoder {
    name: "path_filestat_get",
    args: FD_FLAGS_PATH,
    outs: |l, a| l.filestat(a[4], 24),
};
pub(crate) const path_filestat_set_times: Decoder = Decoder {
    name: "path_filestat_set_times",
    args: |l, a| {
        FD_FLAGS_PATH(l, a);
        l.num("atim", a[4] as u64);
        l.num("mtim", a[5] as u64);
        l.flags("fst_flags", u64::from(a[6] as u16), FSTFLAGS);
    },
    outs: none,
};
pub(crate) const path_link: Decoder = Decoder {
    name: "path_link",
    args: |l, a| {
        FD_FLAGS_PATH(l, a);
        l.num("new_fd", a[4] as u32);
        l.string_at("new_path", a[5], a[6], PATH_LIMIT);
    },
    outs: none,
};
pub(crate) const path_open: Decoder = Decoder {
    name: "path_open",
    args: |l, a| {
        FD_FLAGS_PATH(l, a);
        l.flags("oflags", u64::from(a[4] as u16), OFLAGS);
        l.rights("rights_base", a[5]);
        l.rights("rights_inheriting", a[6]);
        l.flags("fdflags", u64::from(a[7] as u16), FDFLAGS);
    },
    outs: |l, a| {
        l.out_u32("opened_fd", a[8]);
    },
};
pub(crate) const path_readlink: Decoder = Decoder {
    name: "path_readlink",
    args: |l, a| {
        FD_PATH(l, a);
        l.num("buf_len", a[4] as u32);
    },
    outs: |l, a| {
        if let Some(n) = l.out_u32("bufused", a[5]) {
            l.string_at("target", a[3], i64::from(n), PATH_LIMIT);
        }
    },
};
pub(crate) const path_remove_directory: Decoder = Decoder {
    name: "path_remove_directory",
    args: FD_PATH,
    outs: none,
};
pub(crate) const path_rename: Decoder = Decoder {
    name: "path_rename",
    args: |l, a| {
        FD_PATH(l, a);
        l.num("new_fd", a[3] as u32);
        l.string_at("new_path", a[4], a[5], PATH_LIMIT);
    },
    outs: none,
};
pub(crate) const path_symlink: Decoder = Decoder {
    name: "path_symlink",
    args: |l, a| {
        l.string_at("old_path", a[0], a[1], PATH_LIMIT);
        l.num("fd", a[2] as u32);
        l.string_at("new_path", a[3], a[4], PATH_LIMIT);
    },
    outs: none,
};
pub(crate) const path_unlink_file: Decoder = Decoder {
    name: "path_unlink_file",
    args: FD_PATH,
    outs: none,
};

// ---- poll, proc, sched, random -----------------------------------------------------------

pub(crate) const poll_oneoff: Decoder = Decoder {
    name: "poll_oneoff",
    args: |l, a| l.subscriptions("in", a[0], a[2], &poll::SUB_LAYOUT),
    outs: |l, a| {
        if let Some(n) = l.out_u32("nevents", a[3]) {
            l.events("events", a[1], n);
        }
    },
};
pub(crate) const unstable_poll_oneoff: Decoder = Decoder {
    name: "poll_oneoff",
    args: |l, a| l.subscriptions("in", a[0], a[2], &super::unstable::SUB0_LAYOUT),
    outs: poll_oneoff.outs,
};
pub(crate) const proc_exit: Decoder = Decoder {
    name: "proc_exit",
    args: |l, a| l.num("code", a[0] as i32),
    outs: none,
};
pub(crate) const proc_raise: Decoder = Decoder {
    name: "proc_raise",
    args: |l, a| l.num("sig", a[0] as i32),
    outs: none,
};
pub(crate) const sched_yield: Decoder = Decoder {
    name: "sched_yield",
    args: none,
    outs: none,
};
pub(crate) const random_get: Decoder = Decoder {
    name: "random_get",
    args: |l, a| l.num("buf_len", a[1] as u32),
    outs: |l, a| l.string_at("buf", a[0], a[1], BUF_LIMIT),
};

// ---- sock --------------------------------------------------------------------------------

pub(crate) const sock_accept: Decoder = Decoder {
    name: "sock_accept",
    args: |l, a| {
        l.num("fd", a[0] as u32);
        l.flags("flags", u64::from(a[1] as u16), FDFLAGS);
    },
    outs: |l, a| {
        l.out_u32("fd", a[2]);
    },
};
pub(crate) const sock_recv: Decoder = Decoder {
    name: "sock_recv",
    args: |l, a| {
        l.num("fd", a[0] as u32);
        l.num("ri_data_len", a[2] as u32);
        l.flags("ri_flags", u64::from(a[3] as u16), RIFLAGS);
    },
    outs: |l, a| {
        let n = l.out_u32("ro_datalen", a[4]);
        let flags = l.mem.read_u16(a[5] as u32);
        match flags {
            Ok(f) => l.flags("ro_flags", u64::from(f), ROFLAGS),
            Err(_) => {
                l.key("ro_flags");
                l.bad_pointer(a[5] as u32);
            }
        }
        if let Some(n) = n {
            l.iovs_data("data", a[1], a[2], Some(u64::from(n)));
        }
    },
};
pub(crate) const sock_send: Decoder = Decoder {
    name: "sock_send",
    args: |l, a| {
        l.num("fd", a[0] as u32);
        l.iovs_data("si_data", a[1], a[2], None);
        l.num("si_flags", a[3] as u16);
    },
    outs: |l, a| {
        l.out_u32("so_datalen", a[4]);
    },
};
pub(crate) const sock_shutdown: Decoder = Decoder {
    name: "sock_shutdown",
    args: |l, a| {
        l.num("fd", a[0] as u32);
        l.flags("how", u64::from(a[1] as u8), SDFLAGS);
    },
    outs: none,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_names() {
        use super::super::errno::{self, name};
        assert_eq!(name(errno::SUCCESS), Some("success"));
        assert_eq!(name(errno::TOOBIG), Some("2big"));
        assert_eq!(name(errno::NOENT), Some("noent"));
        assert_eq!(name(errno::NOTCAPABLE), Some("notcapable"));
        assert_eq!(name(errno::NOTCAPABLE + 1), None);
    }

    #[test]
    fn escapes() {
        let mut s = String::new();
        escape(&mut s, b"a\"b\\c\n\t\x01\xffh\xc3\xa9");
        assert_eq!(s, r#""a\"b\\c\n\t\u{1}\xffhé""#);
    }

    #[test]
    fn flags_by_name() {
        // SAFETY: a null vmctx is a memory of length 0.
        let mem = unsafe { Mem::from_vmctx(std::ptr::null_mut()) };
        let mut l = Line::new(mem, "f");
        l.flags("oflags", 1 | 8 | 0x40, OFLAGS);
        l.flags("fdflags", 0, FDFLAGS);
        l.rights("r", (1 << 1) | (1 << 6));
        l.rights("r", 0x1fff_ffff);
        l.rights("r", super::super::rights::ALL as i64);
        l.enumerated("whence", 2, WHENCE);
        l.enumerated("whence", 7, WHENCE);
        l.string_at("path", 16, 3, PATH_LIMIT);
        assert_eq!(
            String::from_utf8_lossy(l.as_bytes()),
            "wasi: f(oflags=CREAT|TRUNC|0x40, fdflags=0, r=FD_READ|FD_WRITE, r=0x1fffffff, r=ALL, \
             whence=END, whence=7, path=<bad pointer 0x10>+3"
        );
    }
}

//! WASI errno values (the full witx table), their names, and the mapping from host `errno`.
//! Must never return a host errno number to the guest unmapped.

/// A WASI errno (u16 in the witx; returned widened to i32).
pub type Errno = u16;

pub const SUCCESS: Errno = 0;
pub const TOOBIG: Errno = 1;
pub const ACCES: Errno = 2;
pub const ADDRINUSE: Errno = 3;
pub const ADDRNOTAVAIL: Errno = 4;
pub const AFNOSUPPORT: Errno = 5;
pub const AGAIN: Errno = 6;
pub const ALREADY: Errno = 7;
pub const BADF: Errno = 8;
pub const BADMSG: Errno = 9;
pub const BUSY: Errno = 10;
pub const CANCELED: Errno = 11;
pub const CHILD: Errno = 12;
pub const CONNABORTED: Errno = 13;
pub const CONNREFUSED: Errno = 14;
pub const CONNRESET: Errno = 15;
pub const DEADLK: Errno = 16;
pub const DESTADDRREQ: Errno = 17;
pub const DOM: Errno = 18;
pub const DQUOT: Errno = 19;
pub const EXIST: Errno = 20;
pub const FAULT: Errno = 21;
pub const FBIG: Errno = 22;
pub const HOSTUNREACH: Errno = 23;
pub const IDRM: Errno = 24;
pub const ILSEQ: Errno = 25;
pub const INPROGRESS: Errno = 26;
pub const INTR: Errno = 27;
pub const INVAL: Errno = 28;
pub const IO: Errno = 29;
pub const ISCONN: Errno = 30;
pub const ISDIR: Errno = 31;
pub const LOOP: Errno = 32;
pub const MFILE: Errno = 33;
pub const MLINK: Errno = 34;
pub const MSGSIZE: Errno = 35;
pub const MULTIHOP: Errno = 36;
pub const NAMETOOLONG: Errno = 37;
pub const NETDOWN: Errno = 38;
pub const NETRESET: Errno = 39;
pub const NETUNREACH: Errno = 40;
pub const NFILE: Errno = 41;
pub const NOBUFS: Errno = 42;
pub const NODEV: Errno = 43;
pub const NOENT: Errno = 44;
pub const NOEXEC: Errno = 45;
pub const NOLCK: Errno = 46;
pub const NOLINK: Errno = 47;
pub const NOMEM: Errno = 48;
pub const NOMSG: Errno = 49;
pub const NOPROTOOPT: Errno = 50;
pub const NOSPC: Errno = 51;
pub const NOSYS: Errno = 52;
pub const NOTCONN: Errno = 53;
pub const NOTDIR: Errno = 54;
pub const NOTEMPTY: Errno = 55;
pub const NOTRECOVERABLE: Errno = 56;
pub const NOTSOCK: Errno = 57;
pub const NOTSUP: Errno = 58;
pub const NOTTY: Errno = 59;
pub const NXIO: Errno = 60;
pub const OVERFLOW: Errno = 61;
pub const OWNERDEAD: Errno = 62;
pub const PERM: Errno = 63;
pub const PIPE: Errno = 64;
pub const PROTO: Errno = 65;
pub const PROTONOSUPPORT: Errno = 66;
pub const PROTOTYPE: Errno = 67;
pub const RANGE: Errno = 68;
pub const ROFS: Errno = 69;
pub const SPIPE: Errno = 70;
pub const SRCH: Errno = 71;
pub const STALE: Errno = 72;
pub const TIMEDOUT: Errno = 73;
pub const TXTBSY: Errno = 74;
pub const XDEV: Errno = 75;
pub const NOTCAPABLE: Errno = 76;

/// The witx names of the errno values, indexed by value (`success`, `2big`, `acces`, ...).
const NAMES: [&str; 77] = [
    "success",
    "2big",
    "acces",
    "addrinuse",
    "addrnotavail",
    "afnosupport",
    "again",
    "already",
    "badf",
    "badmsg",
    "busy",
    "canceled",
    "child",
    "connaborted",
    "connrefused",
    "connreset",
    "deadlk",
    "destaddrreq",
    "dom",
    "dquot",
    "exist",
    "fault",
    "fbig",
    "hostunreach",
    "idrm",
    "ilseq",
    "inprogress",
    "intr",
    "inval",
    "io",
    "isconn",
    "isdir",
    "loop",
    "mfile",
    "mlink",
    "msgsize",
    "multihop",
    "nametoolong",
    "netdown",
    "netreset",
    "netunreach",
    "nfile",
    "nobufs",
    "nodev",
    "noent",
    "noexec",
    "nolck",
    "nolink",
    "nomem",
    "nomsg",
    "noprotoopt",
    "nospc",
    "nosys",
    "notconn",
    "notdir",
    "notempty",
    "notrecoverable",
    "notsock",
    "notsup",
    "notty",
    "nxio",
    "overflow",
    "ownerdead",
    "perm",
    "pipe",
    "proto",
    "protonosupport",
    "prototype",
    "range",
    "rofs",
    "spipe",
    "srch",
    "stale",
    "timedout",
    "txtbsy",
    "xdev",
    "notcapable",
];

/// The witx name of `e` (as the trace prints it), `None` for a value outside the table.
pub fn name(e: Errno) -> Option<&'static str> {
    NAMES.get(usize::from(e)).copied()
}

/// Maps a host errno to the WASI errno; unknown values become EIO.
pub fn from_host(e: i32) -> Errno {
    use libc::*;
    match e {
        0 => SUCCESS,
        E2BIG => TOOBIG,
        EACCES => ACCES,
        EADDRINUSE => ADDRINUSE,
        EADDRNOTAVAIL => ADDRNOTAVAIL,
        EAFNOSUPPORT => AFNOSUPPORT,
        EAGAIN => AGAIN,
        EALREADY => ALREADY,
        EBADF => BADF,
        EBADMSG => BADMSG,
        EBUSY => BUSY,
        ECANCELED => CANCELED,
        ECHILD => CHILD,
        ECONNABORTED => CONNABORTED,
        ECONNREFUSED => CONNREFUSED,
        ECONNRESET => CONNRESET,
        EDEADLK => DEADLK,
        EDESTADDRREQ => DESTADDRREQ,
        EDOM => DOM,
        EDQUOT => DQUOT,
        EEXIST => EXIST,
        EFAULT => FAULT,
        EFBIG => FBIG,
        EHOSTUNREACH => HOSTUNREACH,
        EIDRM => IDRM,
        EILSEQ => ILSEQ,
        EINPROGRESS => INPROGRESS,
        EINTR => INTR,
        EINVAL => INVAL,
        EIO => IO,
        EISCONN => ISCONN,
        EISDIR => ISDIR,
        ELOOP => LOOP,
        EMFILE => MFILE,
        EMLINK => MLINK,
        EMSGSIZE => MSGSIZE,
        EMULTIHOP => MULTIHOP,
        ENAMETOOLONG => NAMETOOLONG,
        ENETDOWN => NETDOWN,
        ENETRESET => NETRESET,
        ENETUNREACH => NETUNREACH,
        ENFILE => NFILE,
        ENOBUFS => NOBUFS,
        ENODEV => NODEV,
        ENOENT => NOENT,
        ENOEXEC => NOEXEC,
        ENOLCK => NOLCK,
        ENOLINK => NOLINK,
        ENOMEM => NOMEM,
        ENOMSG => NOMSG,
        ENOPROTOOPT => NOPROTOOPT,
        ENOSPC => NOSPC,
        ENOSYS => NOSYS,
        ENOTCONN => NOTCONN,
        ENOTDIR => NOTDIR,
        ENOTEMPTY => NOTEMPTY,
        ENOTRECOVERABLE => NOTRECOVERABLE,
        ENOTSOCK => NOTSOCK,
        // EOPNOTSUPP == ENOTSUP on Linux.
        ENOTSUP => NOTSUP,
        ENOTTY => NOTTY,
        ENXIO => NXIO,
        EOVERFLOW => OVERFLOW,
        EOWNERDEAD => OWNERDEAD,
        EPERM => PERM,
        EPIPE => PIPE,
        EPROTO => PROTO,
        EPROTONOSUPPORT => PROTONOSUPPORT,
        EPROTOTYPE => PROTOTYPE,
        ERANGE => RANGE,
        EROFS => ROFS,
        ESPIPE => SPIPE,
        ESRCH => SRCH,
        ESTALE => STALE,
        ETIMEDOUT => TIMEDOUT,
        ETXTBSY => TXTBSY,
        EXDEV => XDEV,
        _ => IO,
    }
}

/// The WASI errno of the calling thread's last host error.
pub fn last() -> Errno {
    match from_host(std::io::Error::last_os_error().raw_os_error().unwrap_or(0)) {
        SUCCESS => IO,
        e => e,
    }
}

/// Turns a libc return value (`-1` = error) into a `Result`.
pub fn check<T: PartialOrd + Default>(r: T) -> Result<T, Errno> {
    if r < T::default() { Err(last()) } else { Ok(r) }
}

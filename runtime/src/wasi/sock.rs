//! sock_accept/recv/send/shutdown on sockets the host handed in (`--tcplisten` listeners and
//! the connections accepted from them). An fd that is not a socket is ENOTSOCK, an unknown fd
//! EBADF.
//! Must never touch a host fd that is not a socket the guest owns.

use std::os::fd::{FromRawFd, OwnedFd, RawFd};

use super::errno::{self, Errno};
use super::mem::Mem;
use super::{FdEntry, HostFd, Kind, WasiCtx, fdflags, filetype, ret, rights, with_ctx};

const RECV_PEEK: u16 = 1;
const RECV_WAITALL: u16 = 2;
const RECV_DATA_TRUNCATED: u16 = 1;
const SDFLAGS_RD: u8 = 1;
const SDFLAGS_WR: u8 = 2;

/// The host fd of socket `fd`, which must hold `needed`.
fn socket(ctx: &WasiCtx, fd: i32, needed: u64) -> Result<RawFd, Errno> {
    let e = ctx.get(fd as u32)?;
    if e.kind != Kind::Socket {
        return Err(errno::NOTSOCK);
    }
    e.need(needed)?;
    Ok(e.raw())
}

fn accept(ctx: &mut WasiCtx, mem: &Mem, fd: i32, flags: u16, out: u32) -> Result<(), Errno> {
    let raw = socket(ctx, fd, rights::SOCK_ACCEPT)?;
    if flags & !fdflags::NONBLOCK != 0 {
        return Err(errno::INVAL);
    }
    mem.range(out, 4)?;
    let mut sflags = libc::SOCK_CLOEXEC;
    if flags & fdflags::NONBLOCK != 0 {
        sflags |= libc::SOCK_NONBLOCK;
    }
    // SAFETY: plain syscall; no peer address is asked for.
    let conn = loop {
        let r = unsafe { libc::accept4(raw, std::ptr::null_mut(), std::ptr::null_mut(), sflags) };
        if r >= 0 {
            break r;
        }
        let e = errno::last();
        if e != errno::INTR {
            return Err(e);
        }
    };
    // SAFETY: freshly accepted, owned by nobody else.
    let owned = unsafe { OwnedFd::from_raw_fd(conn) };
    ctx.insert_to(
        FdEntry {
            host: HostFd::Owned(owned),
            kind: Kind::Socket,
            filetype: filetype::SOCKET_STREAM,
            rights_base: rights::SOCKET_BASE,
            rights_inheriting: 0,
            stdio_flags: 0,
        },
        mem,
        out,
    )
}

pub unsafe extern "C" fn wasmaot_wasi_sock_accept(
    vmctx: *mut u8,
    fd: i32,
    flags: i32,
    ro_fd: i32,
) -> i32 {
    let mem = unsafe { Mem::from_vmctx(vmctx) };
    ret(with_ctx(vmctx, |ctx| {
        accept(ctx, &mem, fd, flags as u16, ro_fd as u32)
    }))
}

/// `recvmsg`/`sendmsg` with the guest's iovecs; returns the byte count and the msg flags.
fn transfer(
    raw: RawFd,
    iov: &mut [libc::iovec],
    flags: i32,
    send: bool,
) -> Result<(usize, i32), Errno> {
    // SAFETY: all-zero is a valid msghdr (no address, no control data).
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = iov.as_mut_ptr();
    msg.msg_iovlen = iov.len() as _;
    loop {
        // SAFETY: every iovec was bounds-checked against guest memory.
        let n = unsafe {
            if send {
                libc::sendmsg(raw, &msg, flags | libc::MSG_NOSIGNAL)
            } else {
                libc::recvmsg(raw, &mut msg, flags)
            }
        };
        if n >= 0 {
            return Ok((n as usize, msg.msg_flags));
        }
        let e = errno::last();
        if e != errno::INTR {
            return Err(e);
        }
    }
}

pub unsafe extern "C" fn wasmaot_wasi_sock_recv(
    vmctx: *mut u8,
    fd: i32,
    ri_data: i32,
    ri_data_len: i32,
    ri_flags: i32,
    ro_datalen: i32,
    ro_flags: i32,
) -> i32 {
    let mem = unsafe { Mem::from_vmctx(vmctx) };
    ret(with_ctx(vmctx, |ctx| {
        let raw = socket(ctx, fd, rights::FD_READ)?;
        let ri_flags = ri_flags as u16;
        if ri_flags & !(RECV_PEEK | RECV_WAITALL) != 0 {
            return Err(errno::INVAL);
        }
        let mut iov = mem.iovecs(ri_data as u32, ri_data_len as u32)?;
        mem.range(ro_datalen as u32, 4)?;
        mem.range(ro_flags as u32, 2)?;
        let mut flags = 0;
        if ri_flags & RECV_PEEK != 0 {
            flags |= libc::MSG_PEEK;
        }
        if ri_flags & RECV_WAITALL != 0 {
            flags |= libc::MSG_WAITALL;
        }
        let (n, out_flags) = transfer(raw, &mut iov, flags, false)?;
        mem.write_u32(ro_datalen as u32, n as u32)?;
        let trunc = if out_flags & libc::MSG_TRUNC != 0 {
            RECV_DATA_TRUNCATED
        } else {
            0
        };
        mem.write_bytes(ro_flags as u32, &trunc.to_le_bytes())
    }))
}

pub unsafe extern "C" fn wasmaot_wasi_sock_send(
    vmctx: *mut u8,
    fd: i32,
    si_data: i32,
    si_data_len: i32,
    si_flags: i32,
    so_datalen: i32,
) -> i32 {
    let mem = unsafe { Mem::from_vmctx(vmctx) };
    ret(with_ctx(vmctx, |ctx| {
        let raw = socket(ctx, fd, rights::FD_WRITE)?;
        if si_flags != 0 {
            return Err(errno::INVAL);
        }
        let mut iov = mem.iovecs(si_data as u32, si_data_len as u32)?;
        mem.range(so_datalen as u32, 4)?;
        let (n, _) = transfer(raw, &mut iov, 0, true)?;
        mem.write_u32(so_datalen as u32, n as u32)
    }))
}

pub unsafe extern "C" fn wasmaot_wasi_sock_shutdown(vmctx: *mut u8, fd: i32, how: i32) -> i32 {
    ret(with_ctx(vmctx, |ctx| {
        let raw = socket(ctx, fd, rights::SOCK_SHUTDOWN)?;
        let how = match how as u8 {
            SDFLAGS_RD => libc::SHUT_RD,
            SDFLAGS_WR => libc::SHUT_WR,
            3 => libc::SHUT_RDWR,
            _ => return Err(errno::INVAL),
        };
        // SAFETY: plain syscall on a socket the guest owns.
        errno::check(unsafe { libc::shutdown(raw, how) }).map(drop)
    }))
}

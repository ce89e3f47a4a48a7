//! sock_accept/recv/send/shutdown. No host sockets are handed to the guest yet, so every fd is
//! either unknown (EBADF) or not a socket (ENOTSOCK).
//! Must never touch a host fd that is not a socket.

use super::errno::{self, Errno};
use super::{filetype, with_ctx};

fn not_a_socket(fd: i32) -> i32 {
    let r: Result<(), Errno> = with_ctx(|ctx| {
        let e = ctx.get(fd as u32)?;
        match e.filetype {
            filetype::SOCKET_STREAM | filetype::SOCKET_DGRAM => Err(errno::NOTSUP),
            _ => Err(errno::NOTSOCK),
        }
    });
    super::ret(r)
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmaot_wasi_sock_accept(
    _vmctx: *mut u8,
    fd: i32,
    _flags: i32,
    _ro_fd: i32,
) -> i32 {
    not_a_socket(fd)
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmaot_wasi_sock_recv(
    _vmctx: *mut u8,
    fd: i32,
    _ri_data: i32,
    _ri_data_len: i32,
    _ri_flags: i32,
    _ro_datalen: i32,
    _ro_flags: i32,
) -> i32 {
    not_a_socket(fd)
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmaot_wasi_sock_send(
    _vmctx: *mut u8,
    fd: i32,
    _si_data: i32,
    _si_data_len: i32,
    _si_flags: i32,
    _so_datalen: i32,
) -> i32 {
    not_a_socket(fd)
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmaot_wasi_sock_shutdown(_vmctx: *mut u8, fd: i32, _how: i32) -> i32 {
    not_a_socket(fd)
}

//! `wasi_unstable` (snapshot 0) adapters where a layout or enum differs from preview1: fd_seek
//! (whence CUR=0, END=1, SET=2), fd_filestat_get/path_filestat_get (56-byte filestat with a u32
//! nlink) and poll_oneoff (56-byte subscriptions; the clock carries an `identifier` first).
//! Must never reimplement behaviour: decode, call the preview1 code, encode.

use super::errno::{self, Errno};
use super::fd::{Filestat, fd_filestat, seek};
use super::mem::Mem;
use super::path::path_filestat;
use super::poll::{EVENTTYPE_CLOCK, EVENTTYPE_FD_READ, EVENTTYPE_FD_WRITE, Sub, poll_oneoff};
use super::ret;

/// Snapshot-0 whence (CUR 0, END 1, SET 2) to preview1 (SET 0, CUR 1, END 2).
pub(crate) fn whence_to_p1(w: i32) -> Result<u8, Errno> {
    match w {
        0 => Ok(1),
        1 => Ok(2),
        2 => Ok(0),
        _ => Err(errno::INVAL),
    }
}

/// Writes a snapshot-0 filestat: dev u64, ino u64, filetype u8 + 3 pad, nlink u32 @20,
/// size u64 @24, atim @32, mtim @40, ctim @48 (56 bytes).
pub(crate) fn write_filestat0(mem: &Mem, ptr: u32, st: &Filestat) -> Result<(), Errno> {
    let mut b = [0u8; 56];
    b[0..8].copy_from_slice(&st.dev.to_le_bytes());
    b[8..16].copy_from_slice(&st.ino.to_le_bytes());
    b[16] = st.filetype;
    b[20..24].copy_from_slice(&(st.nlink.min(u64::from(u32::MAX)) as u32).to_le_bytes());
    b[24..32].copy_from_slice(&st.size.to_le_bytes());
    b[32..40].copy_from_slice(&st.atim.to_le_bytes());
    b[40..48].copy_from_slice(&st.mtim.to_le_bytes());
    b[48..56].copy_from_slice(&st.ctim.to_le_bytes());
    mem.write_bytes(ptr, &b)
}

const SUB0_SIZE: u32 = 56;

/// Parses snapshot-0 subscriptions: userdata u64, tag u8 @8, union @16; clock = identifier u64
/// @16, id u32 @24, timeout u64 @32, precision u64 @40, flags u16 @48; fd_readwrite = fd u32 @16.
fn read_subs0(mem: &Mem, ptr: u32, n: u32) -> Result<Vec<Sub>, Errno> {
    let mut v = Vec::with_capacity(n as usize);
    for i in 0..n {
        let b = ptr + SUB0_SIZE * i;
        let userdata = mem.read_u64(b)?;
        v.push(match mem.read_u8(b + 8)? {
            EVENTTYPE_CLOCK => Sub::Clock {
                userdata,
                id: mem.read_u32(b + 24)?,
                timeout: mem.read_u64(b + 32)?,
                flags: mem.read_u16(b + 48)?,
            },
            t @ (EVENTTYPE_FD_READ | EVENTTYPE_FD_WRITE) => Sub::Fd {
                userdata,
                fd: mem.read_u32(b + 16)?,
                write: t == EVENTTYPE_FD_WRITE,
            },
            _ => return Err(errno::INVAL),
        });
    }
    Ok(v)
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmaot_wasi_unstable_fd_seek(
    vmctx: *mut u8,
    fd: i32,
    offset: i64,
    whence: i32,
    newoffset: i32,
) -> i32 {
    let mem = unsafe { Mem::from_vmctx(vmctx) };
    ret((|| {
        let w = whence_to_p1(whence)?;
        mem.range(newoffset as u32, 8)?;
        let pos = seek(fd, offset, w)?;
        mem.write_u64(newoffset as u32, pos)
    })())
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmaot_wasi_unstable_fd_filestat_get(
    vmctx: *mut u8,
    fd: i32,
    buf: i32,
) -> i32 {
    let mem = unsafe { Mem::from_vmctx(vmctx) };
    ret(mem
        .range(buf as u32, 56)
        .and_then(|_| write_filestat0(&mem, buf as u32, &fd_filestat(fd)?)))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmaot_wasi_unstable_path_filestat_get(
    vmctx: *mut u8,
    fd: i32,
    flags: i32,
    path: i32,
    path_len: i32,
    buf: i32,
) -> i32 {
    let mem = unsafe { Mem::from_vmctx(vmctx) };
    ret(path_filestat(fd, flags, &mem, path, path_len)
        .and_then(|st| write_filestat0(&mem, buf as u32, &st)))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmaot_wasi_unstable_poll_oneoff(
    vmctx: *mut u8,
    input: i32,
    out: i32,
    nsubscriptions: i32,
    nevents: i32,
) -> i32 {
    let mem = unsafe { Mem::from_vmctx(vmctx) };
    ret(poll_oneoff(
        &mem,
        input as u32,
        out as u32,
        nsubscriptions as u32,
        nevents as u32,
        SUB0_SIZE,
        read_subs0,
    ))
}

//! `wasi_unstable` (snapshot 0) adapters where a layout or enum differs from preview1: fd_seek
//! (whence CUR=0, END=1, SET=2), fd_filestat_get/path_filestat_get (56-byte filestat with a u32
//! nlink) and poll_oneoff (56-byte subscriptions; the clock carries an `identifier` first).
//! Must never reimplement behaviour: decode, call the preview1 code, encode.

use super::errno::{self, Errno};
use super::fd::{Filestat, FilestatLayout, fd_filestat_get, seek_into};
use super::mem::Mem;
use super::path::path_filestat_get;
use super::poll::{SubLayout, poll_oneoff};
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
fn write_filestat0(mem: &Mem, ptr: u32, st: &Filestat) -> Result<(), Errno> {
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

/// The snapshot-0 filestat record.
const FILESTAT0: FilestatLayout = FilestatLayout {
    size: 56,
    write: write_filestat0,
};

/// Snapshot-0 subscriptions (56 bytes): clock = identifier u64 @16, id u32 @24, timeout u64 @32,
/// precision u64 @40, flags u16 @48.
pub(crate) const SUB0_LAYOUT: SubLayout = SubLayout {
    size: 56,
    clock_id: 24,
    clock_timeout: 32,
    clock_flags: 48,
};

pub unsafe extern "C" fn wasmaot_wasi_unstable_fd_seek(
    vmctx: *mut u8,
    fd: i32,
    offset: i64,
    whence: i32,
    newoffset: i32,
) -> i32 {
    let mem = unsafe { Mem::from_vmctx(vmctx) };
    ret(whence_to_p1(whence).and_then(|w| seek_into(&mem, fd, offset, w, newoffset as u32)))
}

pub unsafe extern "C" fn wasmaot_wasi_unstable_fd_filestat_get(
    vmctx: *mut u8,
    fd: i32,
    buf: i32,
) -> i32 {
    let mem = unsafe { Mem::from_vmctx(vmctx) };
    ret(fd_filestat_get(&mem, fd, buf as u32, &FILESTAT0))
}

pub unsafe extern "C" fn wasmaot_wasi_unstable_path_filestat_get(
    vmctx: *mut u8,
    fd: i32,
    flags: i32,
    path: i32,
    path_len: i32,
    buf: i32,
) -> i32 {
    let mem = unsafe { Mem::from_vmctx(vmctx) };
    ret(path_filestat_get(
        &mem, fd, flags, path, path_len, buf as u32, &FILESTAT0,
    ))
}

pub unsafe extern "C" fn wasmaot_wasi_unstable_poll_oneoff(
    vmctx: *mut u8,
    input: i32,
    out: i32,
    nsubscriptions: i32,
    nevents: i32,
) -> i32 {
    let mem = unsafe { Mem::from_vmctx(vmctx) };
    ret(poll_oneoff(
        vmctx,
        &mem,
        input as u32,
        out as u32,
        nsubscriptions as u32,
        nevents as u32,
        &SUB0_LAYOUT,
    ))
}

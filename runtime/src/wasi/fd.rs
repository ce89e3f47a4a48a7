//! The fd_* host functions: reads and writes (stdio and files), seeking, fdstat/filestat,
//! preopen discovery, directory listing, renumbering and closing.
//! Must never operate on a host fd that is not in the guest's fd table, nor reconfigure the
//! host's stdio (it is shared with our parent: NONBLOCK/APPEND on stdio are emulated).

use std::ffi::CStr;
use std::os::fd::RawFd;

use super::errno::{self, Errno};
use super::mem::Mem;
use super::{FdEntry, Kind, WasiCtx, fdflags, filetype, ret, rights, with_ctx};

/// WASI filetype of a host `st_mode` (FIFOs are UNKNOWN, as on wasmtime).
pub(crate) fn filetype_of_mode(mode: libc::mode_t) -> u8 {
    match mode & libc::S_IFMT {
        libc::S_IFREG => filetype::REGULAR_FILE,
        libc::S_IFDIR => filetype::DIRECTORY,
        libc::S_IFLNK => filetype::SYMBOLIC_LINK,
        libc::S_IFCHR => filetype::CHARACTER_DEVICE,
        libc::S_IFBLK => filetype::BLOCK_DEVICE,
        libc::S_IFSOCK => filetype::SOCKET_STREAM,
        _ => filetype::UNKNOWN,
    }
}

pub(crate) fn fstat(fd: RawFd) -> Result<libc::stat, Errno> {
    // SAFETY: all-zero is a valid `stat`; the out pointer is valid.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    errno::check(unsafe { libc::fstat(fd, &mut st) })?;
    Ok(st)
}

pub(crate) fn host_filetype(fd: RawFd) -> Result<u8, Errno> {
    Ok(filetype_of_mode(fstat(fd)?.st_mode))
}

/// A WASI filestat, independent of the record layout.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Filestat {
    pub dev: u64,
    pub ino: u64,
    pub filetype: u8,
    pub nlink: u64,
    pub size: u64,
    pub atim: u64,
    pub mtim: u64,
    pub ctim: u64,
}

fn ns(sec: i64, nsec: i64) -> u64 {
    (sec as u64)
        .wrapping_mul(1_000_000_000)
        .wrapping_add(nsec as u64)
}

impl Filestat {
    #[allow(clippy::unnecessary_cast)] // field widths differ between targets
    pub(crate) fn from_stat(st: &libc::stat) -> Filestat {
        Filestat {
            dev: st.st_dev,
            ino: st.st_ino,
            filetype: filetype_of_mode(st.st_mode),
            nlink: st.st_nlink as u64,
            size: st.st_size as u64,
            atim: ns(st.st_atime, st.st_atime_nsec),
            mtim: ns(st.st_mtime, st.st_mtime_nsec),
            ctim: ns(st.st_ctime, st.st_ctime_nsec),
        }
    }
}

/// `fstatat(dir, name, AT_SYMLINK_NOFOLLOW)` (following was done by path resolution).
pub(crate) fn filestat_at(dir: RawFd, name: &CStr) -> Result<Filestat, Errno> {
    // SAFETY: all-zero is a valid `stat`; pointers are valid.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    errno::check(unsafe { libc::fstatat(dir, name.as_ptr(), &mut st, libc::AT_SYMLINK_NOFOLLOW) })?;
    Ok(Filestat::from_stat(&st))
}

/// A filestat record layout: its size and its encoder. The snapshots differ only here
/// ([`FILESTAT`] is preview1's; snapshot 0's is in `unstable`).
pub(crate) struct FilestatLayout {
    pub size: u32,
    pub write: fn(&Mem, u32, &Filestat) -> Result<(), Errno>,
}

/// The preview1 filestat record.
pub(crate) const FILESTAT: FilestatLayout = FilestatLayout {
    size: 64,
    write: write_filestat,
};

/// Writes a preview1 filestat (64 bytes: dev, ino, filetype u8 + 7 pad, nlink u64, size, atim,
/// mtim, ctim).
fn write_filestat(mem: &Mem, ptr: u32, st: &Filestat) -> Result<(), Errno> {
    let mut b = [0u8; 64];
    b[0..8].copy_from_slice(&st.dev.to_le_bytes());
    b[8..16].copy_from_slice(&st.ino.to_le_bytes());
    b[16] = st.filetype;
    b[24..32].copy_from_slice(&st.nlink.to_le_bytes());
    b[32..40].copy_from_slice(&st.size.to_le_bytes());
    b[40..48].copy_from_slice(&st.atim.to_le_bytes());
    b[48..56].copy_from_slice(&st.mtim.to_le_bytes());
    b[56..64].copy_from_slice(&st.ctim.to_le_bytes());
    mem.write_bytes(ptr, &b)
}

const FST_ATIM: u16 = 1;
const FST_ATIM_NOW: u16 = 2;
const FST_MTIM: u16 = 4;
const FST_MTIM_NOW: u16 = 8;

fn timespec_ns(t: u64) -> libc::timespec {
    libc::timespec {
        tv_sec: (t / 1_000_000_000) as libc::time_t,
        tv_nsec: (t % 1_000_000_000) as _,
    }
}

/// The `[atime, mtime]` argument of utimensat/futimens for WASI fstflags.
pub(crate) fn timespecs(atim: u64, mtim: u64, fst: u16) -> Result<[libc::timespec; 2], Errno> {
    let omit = libc::timespec {
        tv_sec: 0,
        tv_nsec: libc::UTIME_OMIT,
    };
    let now = libc::timespec {
        tv_sec: 0,
        tv_nsec: libc::UTIME_NOW,
    };
    let pick = |set: u16, set_now: u16, t: u64| match (fst & set != 0, fst & set_now != 0) {
        (true, true) => Err(errno::INVAL),
        (true, false) => Ok(timespec_ns(t)),
        (false, true) => Ok(now),
        (false, false) => Ok(omit),
    };
    if fst & !(FST_ATIM | FST_ATIM_NOW | FST_MTIM | FST_MTIM_NOW) != 0 {
        return Err(errno::INVAL);
    }
    Ok([
        pick(FST_ATIM, FST_ATIM_NOW, atim)?,
        pick(FST_MTIM, FST_MTIM_NOW, mtim)?,
    ])
}

/// A guest fd that can be read/written/seeked like a file (stdio or file, not a directory).
fn file(ctx: &WasiCtx, fd: i32) -> Result<&FdEntry, Errno> {
    let e = ctx.get(fd as u32)?;
    if e.is_dir() {
        return Err(errno::BADF);
    }
    Ok(e)
}

/// Whether `fd` is ready for `events` right now (used to emulate NONBLOCK on stdio).
fn ready_now(fd: RawFd, events: libc::c_short) -> bool {
    let mut p = libc::pollfd {
        fd,
        events,
        revents: 0,
    };
    // SAFETY: one valid pollfd.
    let n = unsafe { libc::poll(&mut p, 1, 0) };
    n != 0
}

/// Retries a syscall returning `isize` on EINTR.
fn retry(mut f: impl FnMut() -> isize) -> Result<usize, Errno> {
    loop {
        let n = f();
        if n >= 0 {
            return Ok(n as usize);
        }
        let e = errno::last();
        if e != errno::INTR {
            return Err(e);
        }
    }
}

fn rw(
    vmctx: *mut u8,
    fd: i32,
    iovs: i32,
    iovs_len: i32,
    nout: i32,
    write: bool,
    offset: Option<i64>,
) -> i32 {
    let mem = unsafe { Mem::from_vmctx(vmctx) };
    ret(with_ctx(vmctx, |ctx| {
        let e = file(ctx, fd)?;
        // Without the right it is EBADF, as POSIX says for an fd not open for reading/writing
        // (and as wasmtime answers).
        e.need(if write {
            rights::FD_WRITE
        } else {
            rights::FD_READ
        })
        .map_err(|_| errno::BADF)?;
        let iov = mem.iovecs(iovs as u32, iovs_len as u32)?;
        mem.range(nout as u32, 4)?;
        let raw = e.raw();
        if offset.is_some() && e.kind == Kind::Stdio {
            return Err(errno::SPIPE);
        }
        if offset.is_none() && e.kind == Kind::Stdio && e.stdio_flags & fdflags::NONBLOCK != 0 {
            let ev = if write { libc::POLLOUT } else { libc::POLLIN };
            if !ready_now(raw, ev) {
                return Err(errno::AGAIN);
            }
        }
        let cnt = iov.len() as libc::c_int;
        let n = retry(|| {
            // SAFETY: every iovec was bounds-checked against guest memory.
            unsafe {
                match (write, offset) {
                    (false, None) => libc::readv(raw, iov.as_ptr(), cnt),
                    (true, None) => libc::writev(raw, iov.as_ptr(), cnt),
                    (false, Some(o)) => libc::preadv(raw, iov.as_ptr(), cnt, o),
                    (true, Some(o)) => libc::pwritev(raw, iov.as_ptr(), cnt, o),
                }
            }
        })?;
        mem.write_u32(nout as u32, n as u32)
    }))
}

pub unsafe extern "C" fn wasmaot_wasi_fd_read(
    vmctx: *mut u8,
    fd: i32,
    iovs: i32,
    iovs_len: i32,
    nread: i32,
) -> i32 {
    rw(vmctx, fd, iovs, iovs_len, nread, false, None)
}

pub unsafe extern "C" fn wasmaot_wasi_fd_write(
    vmctx: *mut u8,
    fd: i32,
    iovs: i32,
    iovs_len: i32,
    nwritten: i32,
) -> i32 {
    rw(vmctx, fd, iovs, iovs_len, nwritten, true, None)
}

pub unsafe extern "C" fn wasmaot_wasi_fd_pread(
    vmctx: *mut u8,
    fd: i32,
    iovs: i32,
    iovs_len: i32,
    offset: i64,
    nread: i32,
) -> i32 {
    if offset < 0 {
        return i32::from(errno::INVAL);
    }
    rw(vmctx, fd, iovs, iovs_len, nread, false, Some(offset))
}

pub unsafe extern "C" fn wasmaot_wasi_fd_pwrite(
    vmctx: *mut u8,
    fd: i32,
    iovs: i32,
    iovs_len: i32,
    offset: i64,
    nwritten: i32,
) -> i32 {
    if offset < 0 {
        return i32::from(errno::INVAL);
    }
    rw(vmctx, fd, iovs, iovs_len, nwritten, true, Some(offset))
}

/// `lseek` with a preview1 whence (SET 0, CUR 1, END 2).
fn seek(vmctx: *mut u8, fd: i32, offset: i64, whence: u8) -> Result<u64, Errno> {
    let whence = match whence {
        0 => libc::SEEK_SET,
        1 => libc::SEEK_CUR,
        2 => libc::SEEK_END,
        _ => return Err(errno::INVAL),
    };
    with_ctx(vmctx, |ctx| {
        let e = file(ctx, fd)?;
        if e.kind == Kind::Stdio {
            // Stdio is a stream to the guest (as on wasmtime), whatever the host fd is.
            return Err(errno::SPIPE);
        }
        // A position query needs FD_TELL, anything else FD_SEEK (as wasi-common).
        e.need(if offset == 0 && whence == libc::SEEK_CUR {
            rights::FD_TELL
        } else {
            rights::FD_SEEK
        })?;
        // SAFETY: plain syscall on a table fd.
        let r = errno::check(unsafe { libc::lseek(e.raw(), offset, whence) })?;
        Ok(r as u64)
    })
}

/// Seeks `fd` and writes the new offset to guest `out` (8 bytes, checked before the fd is
/// looked at): shared by fd_seek, fd_tell and the snapshot-0 fd_seek.
pub(crate) fn seek_into(
    mem: &Mem,
    fd: i32,
    offset: i64,
    whence: u8,
    out: u32,
) -> Result<(), Errno> {
    mem.range(out, 8)?;
    let pos = seek(mem.vmctx(), fd, offset, whence)?;
    mem.write_u64(out, pos)
}

pub unsafe extern "C" fn wasmaot_wasi_fd_seek(
    vmctx: *mut u8,
    fd: i32,
    offset: i64,
    whence: i32,
    newoffset: i32,
) -> i32 {
    let mem = unsafe { Mem::from_vmctx(vmctx) };
    ret(seek_into(&mem, fd, offset, whence as u8, newoffset as u32))
}

pub unsafe extern "C" fn wasmaot_wasi_fd_tell(vmctx: *mut u8, fd: i32, offset: i32) -> i32 {
    let mem = unsafe { Mem::from_vmctx(vmctx) };
    ret(seek_into(&mem, fd, 0, 1, offset as u32))
}

pub unsafe extern "C" fn wasmaot_wasi_fd_close(vmctx: *mut u8, fd: i32) -> i32 {
    // Dropping the entry closes an owned host fd; stdio is only removed from the table.
    ret(with_ctx(vmctx, |ctx| {
        ctx.fds.remove(&(fd as u32)).map(drop).ok_or(errno::BADF)
    }))
}

pub unsafe extern "C" fn wasmaot_wasi_fd_renumber(vmctx: *mut u8, from: i32, to: i32) -> i32 {
    ret(with_ctx(vmctx, |ctx| {
        let (from, to) = (from as u32, to as u32);
        ctx.get(from)?;
        ctx.get(to)?;
        if from != to {
            let e = ctx.fds.remove(&from).ok_or(errno::BADF)?;
            ctx.fds.insert(to, e);
        }
        Ok(())
    }))
}

fn sync(vmctx: *mut u8, fd: i32, data_only: bool) -> i32 {
    ret(with_ctx(vmctx, |ctx| {
        let e = ctx.get(fd as u32)?;
        e.need(if data_only {
            rights::FD_DATASYNC
        } else {
            rights::FD_SYNC
        })?;
        // SAFETY: plain syscalls on a table fd.
        let r = unsafe {
            if data_only {
                libc::fdatasync(e.raw())
            } else {
                libc::fsync(e.raw())
            }
        };
        errno::check(r).map(drop)
    }))
}

pub unsafe extern "C" fn wasmaot_wasi_fd_sync(vmctx: *mut u8, fd: i32) -> i32 {
    sync(vmctx, fd, false)
}

pub unsafe extern "C" fn wasmaot_wasi_fd_datasync(vmctx: *mut u8, fd: i32) -> i32 {
    sync(vmctx, fd, true)
}

pub unsafe extern "C" fn wasmaot_wasi_fd_advise(
    vmctx: *mut u8,
    fd: i32,
    offset: i64,
    len: i64,
    advice: i32,
) -> i32 {
    ret(with_ctx(vmctx, |ctx| {
        let advice = match advice {
            0 => libc::POSIX_FADV_NORMAL,
            1 => libc::POSIX_FADV_SEQUENTIAL,
            2 => libc::POSIX_FADV_RANDOM,
            3 => libc::POSIX_FADV_WILLNEED,
            4 => libc::POSIX_FADV_DONTNEED,
            5 => libc::POSIX_FADV_NOREUSE,
            _ => return Err(errno::INVAL),
        };
        let e = file(ctx, fd)?;
        e.need(rights::FD_ADVISE)?;
        if e.filetype != filetype::REGULAR_FILE {
            return Ok(());
        }
        // posix_fadvise returns the error number itself.
        // SAFETY: plain syscall on a table fd.
        match unsafe { libc::posix_fadvise(e.raw(), offset, len, advice) } {
            0 => Ok(()),
            err => Err(errno::from_host(err)),
        }
    }))
}

pub unsafe extern "C" fn wasmaot_wasi_fd_allocate(
    vmctx: *mut u8,
    fd: i32,
    offset: i64,
    len: i64,
) -> i32 {
    ret(with_ctx(vmctx, |ctx| {
        let e = file(ctx, fd)?;
        e.need(rights::FD_ALLOCATE)?;
        if offset < 0 || len <= 0 {
            return Err(errno::INVAL);
        }
        // SAFETY: plain syscall on a table fd; returns the error number itself.
        match unsafe { libc::posix_fallocate(e.raw(), offset, len) } {
            0 => Ok(()),
            err => Err(errno::from_host(err)),
        }
    }))
}

/// Current WASI fdflags of an entry.
fn current_flags(e: &FdEntry) -> Result<u16, Errno> {
    if e.kind == Kind::Stdio {
        return Ok(e.stdio_flags);
    }
    // SAFETY: plain syscall on a table fd.
    let fl = errno::check(unsafe { libc::fcntl(e.raw(), libc::F_GETFL) })?;
    let mut f = 0;
    if fl & libc::O_APPEND != 0 {
        f |= fdflags::APPEND;
    }
    if fl & libc::O_NONBLOCK != 0 {
        f |= fdflags::NONBLOCK;
    }
    if fl & libc::O_SYNC == libc::O_SYNC {
        f |= fdflags::SYNC;
    } else if fl & libc::O_DSYNC != 0 {
        f |= fdflags::DSYNC;
    }
    Ok(f)
}

pub unsafe extern "C" fn wasmaot_wasi_fd_fdstat_get(vmctx: *mut u8, fd: i32, buf: i32) -> i32 {
    let mem = unsafe { Mem::from_vmctx(vmctx) };
    ret(with_ctx(vmctx, |ctx| {
        let e = ctx.get(fd as u32)?;
        let flags = current_flags(e)?;
        let mut b = [0u8; 24];
        b[0] = e.filetype;
        b[2..4].copy_from_slice(&flags.to_le_bytes());
        b[8..16].copy_from_slice(&e.rights_base.to_le_bytes());
        b[16..24].copy_from_slice(&e.rights_inheriting.to_le_bytes());
        mem.write_bytes(buf as u32, &b)
    }))
}

pub unsafe extern "C" fn wasmaot_wasi_fd_fdstat_set_flags(
    vmctx: *mut u8,
    fd: i32,
    flags: i32,
) -> i32 {
    ret(with_ctx(vmctx, |ctx| {
        let flags = flags as u16;
        let e = ctx.get_mut(fd as u32)?;
        e.need(rights::FD_FDSTAT_SET_FLAGS)?;
        let sync_bits = fdflags::DSYNC | fdflags::RSYNC | fdflags::SYNC;
        let cur = current_flags(e)?;
        // Linux cannot change O_DSYNC/O_SYNC after open: only a no-op request is accepted.
        if flags & sync_bits & !cur != 0 {
            return Err(errno::INVAL);
        }
        if flags & !(sync_bits | fdflags::APPEND | fdflags::NONBLOCK) != 0 {
            return Err(errno::INVAL);
        }
        if e.kind == Kind::Stdio {
            // Emulated: the host description is shared with our parent (a terminal, say).
            e.stdio_flags = flags & (fdflags::APPEND | fdflags::NONBLOCK);
            return Ok(());
        }
        // SAFETY: plain syscalls on a table fd.
        let fl = errno::check(unsafe { libc::fcntl(e.raw(), libc::F_GETFL) })?;
        let mut new = fl & !(libc::O_APPEND | libc::O_NONBLOCK);
        if flags & fdflags::APPEND != 0 {
            new |= libc::O_APPEND;
        }
        if flags & fdflags::NONBLOCK != 0 {
            new |= libc::O_NONBLOCK;
        }
        errno::check(unsafe { libc::fcntl(e.raw(), libc::F_SETFL, new) })?;
        Ok(())
    }))
}

pub unsafe extern "C" fn wasmaot_wasi_fd_fdstat_set_rights(
    vmctx: *mut u8,
    fd: i32,
    base: i64,
    inheriting: i64,
) -> i32 {
    ret(with_ctx(vmctx, |ctx| {
        let e = ctx.get_mut(fd as u32)?;
        // Rights can only be dropped: asking for one the fd does not hold is ENOTCAPABLE.
        let (base, inheriting) = (base as u64, inheriting as u64);
        if base & !e.rights_base != 0 || inheriting & !e.rights_inheriting != 0 {
            return Err(errno::NOTCAPABLE);
        }
        e.rights_base = base;
        e.rights_inheriting = inheriting;
        Ok(())
    }))
}

/// fd_filestat_get with the record laid out as `layout` says (shared by the preview1 and
/// snapshot-0 entry points); the record must be writable before the fd is looked at.
pub(crate) fn fd_filestat_get(
    mem: &Mem,
    fd: i32,
    buf: u32,
    layout: &FilestatLayout,
) -> Result<(), Errno> {
    mem.range(buf, layout.size)?;
    let st = with_ctx(mem.vmctx(), |ctx| -> Result<Filestat, Errno> {
        let e = ctx.get(fd as u32)?;
        e.need(rights::FD_FILESTAT_GET)?;
        Ok(Filestat::from_stat(&fstat(e.raw())?))
    })?;
    (layout.write)(mem, buf, &st)
}

pub unsafe extern "C" fn wasmaot_wasi_fd_filestat_get(vmctx: *mut u8, fd: i32, buf: i32) -> i32 {
    let mem = unsafe { Mem::from_vmctx(vmctx) };
    ret(fd_filestat_get(&mem, fd, buf as u32, &FILESTAT))
}

pub unsafe extern "C" fn wasmaot_wasi_fd_filestat_set_size(
    vmctx: *mut u8,
    fd: i32,
    size: i64,
) -> i32 {
    ret(with_ctx(vmctx, |ctx| {
        let e = file(ctx, fd)?;
        e.need(rights::FD_FILESTAT_SET_SIZE)?;
        if size < 0 {
            return Err(errno::INVAL);
        }
        // SAFETY: plain syscall on a table fd.
        errno::check(unsafe { libc::ftruncate(e.raw(), size) }).map(drop)
    }))
}

pub unsafe extern "C" fn wasmaot_wasi_fd_filestat_set_times(
    vmctx: *mut u8,
    fd: i32,
    atim: i64,
    mtim: i64,
    fst: i32,
) -> i32 {
    ret(with_ctx(vmctx, |ctx| {
        let e = ctx.get(fd as u32)?;
        e.need(rights::FD_FILESTAT_SET_TIMES)?;
        let t = timespecs(atim as u64, mtim as u64, fst as u16)?;
        // SAFETY: a table fd and a 2-element array.
        errno::check(unsafe { libc::futimens(e.raw(), t.as_ptr()) }).map(drop)
    }))
}

/// The guest name of preopen `fd`; `other` is the error for an fd that is open but not a
/// preopen (wasmtime: EBADF from fd_prestat_get, ENOTDIR from fd_prestat_dir_name).
fn preopen_name(ctx: &WasiCtx, fd: i32, other: Errno) -> Result<&str, Errno> {
    match &ctx.get(fd as u32)?.kind {
        Kind::Dir {
            preopen: Some(name),
        } => Ok(name),
        _ => Err(other),
    }
}

pub unsafe extern "C" fn wasmaot_wasi_fd_prestat_get(vmctx: *mut u8, fd: i32, buf: i32) -> i32 {
    let mem = unsafe { Mem::from_vmctx(vmctx) };
    ret(with_ctx(vmctx, |ctx| {
        let name = preopen_name(ctx, fd, errno::BADF)?;
        // prestat: tag u8 (0 = dir) + 3 pad, pr_name_len u32.
        let mut b = [0u8; 8];
        b[4..8].copy_from_slice(&(name.len() as u32).to_le_bytes());
        mem.write_bytes(buf as u32, &b)
    }))
}

pub unsafe extern "C" fn wasmaot_wasi_fd_prestat_dir_name(
    vmctx: *mut u8,
    fd: i32,
    path: i32,
    path_len: i32,
) -> i32 {
    let mem = unsafe { Mem::from_vmctx(vmctx) };
    ret(with_ctx(vmctx, |ctx| {
        let name = preopen_name(ctx, fd, errno::NOTDIR)?;
        mem.range(path as u32, path_len as u32)?;
        if name.len() > path_len as u32 as usize {
            return Err(errno::NAMETOOLONG);
        }
        mem.write_bytes(path as u32, name.as_bytes())
    }))
}

/// One directory entry as fd_readdir returns it.
struct Dirent {
    ino: u64,
    filetype: u8,
    name: Vec<u8>,
}

fn dtype(d_type: u8) -> Option<u8> {
    Some(match d_type {
        libc::DT_REG => filetype::REGULAR_FILE,
        libc::DT_DIR => filetype::DIRECTORY,
        libc::DT_LNK => filetype::SYMBOLIC_LINK,
        libc::DT_CHR => filetype::CHARACTER_DEVICE,
        libc::DT_BLK => filetype::BLOCK_DEVICE,
        libc::DT_SOCK => filetype::SOCKET_STREAM,
        libc::DT_FIFO => filetype::UNKNOWN,
        _ => return None,
    })
}

/// All entries of directory `dir`: `.` and `..` first (as wasmtime), then the host's order.
fn list_dir(dir: RawFd) -> Result<Vec<Dirent>, Errno> {
    // `..` gets the directory's own inode, as wasmtime: the parent of a preopen is outside.
    let ino = fstat(dir)?.st_ino;
    let parent = ino;
    let mut out = vec![
        Dirent {
            ino,
            filetype: filetype::DIRECTORY,
            name: b".".to_vec(),
        },
        Dirent {
            ino: parent,
            filetype: filetype::DIRECTORY,
            name: b"..".to_vec(),
        },
    ];
    // A fresh description each call, so the listing always starts at the beginning.
    // SAFETY: C string literal.
    let fd = errno::check(unsafe {
        libc::openat(
            dir,
            c".".as_ptr(),
            libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC,
        )
    })?;
    // SAFETY: `fd` is ours; fdopendir takes ownership (closedir closes it).
    let d = unsafe { libc::fdopendir(fd) };
    if d.is_null() {
        let e = errno::last();
        // SAFETY: fdopendir failed, so `fd` is still ours.
        unsafe { libc::close(fd) };
        return Err(e);
    }
    loop {
        // SAFETY: `d` is a valid DIR*; errno is reset to detect errors.
        unsafe { *libc::__errno_location() = 0 };
        let ent = unsafe { libc::readdir(d) };
        if ent.is_null() {
            let err = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
            // SAFETY: `d` is valid and closed once.
            unsafe { libc::closedir(d) };
            if err != 0 {
                return Err(errno::from_host(err));
            }
            break;
        }
        // SAFETY: `ent` points at a valid dirent until the next readdir.
        let (name, d_ino, d_type) = unsafe {
            let e = &*ent;
            (
                CStr::from_ptr(e.d_name.as_ptr()).to_bytes().to_vec(),
                e.d_ino,
                e.d_type,
            )
        };
        if name == b"." || name == b".." {
            continue;
        }
        let ft = match dtype(d_type) {
            Some(t) => t,
            None => {
                let c = std::ffi::CString::new(name.clone()).map_err(|_| errno::INVAL)?;
                filestat_at(dir, &c)
                    .map(|s| s.filetype)
                    .unwrap_or(filetype::UNKNOWN)
            }
        };
        out.push(Dirent {
            ino: d_ino,
            filetype: ft,
            name,
        });
    }
    Ok(out)
}

pub unsafe extern "C" fn wasmaot_wasi_fd_readdir(
    vmctx: *mut u8,
    fd: i32,
    buf: i32,
    buf_len: i32,
    cookie: i64,
    bufused: i32,
) -> i32 {
    let mem = unsafe { Mem::from_vmctx(vmctx) };
    ret(with_ctx(vmctx, |ctx| {
        let e = ctx.get(fd as u32)?;
        // wasmtime answers EBADF for a descriptor that is not a directory (it is not in its
        // directory table), and programs rely on it: TinyGo's `os.File.Readdirnames` on a
        // regular file reports EBADF, which its callers test for.
        if !e.is_dir() {
            return Err(errno::BADF);
        }
        e.need(rights::FD_READDIR)?;
        let (buf, buf_len) = (buf as u32, buf_len as u32);
        mem.range(buf, buf_len)?;
        mem.range(bufused as u32, 4)?;
        let entries = list_dir(e.raw())?;
        let mut used = 0u32;
        let skip = usize::try_from(cookie as u64).unwrap_or(usize::MAX);
        for (i, ent) in entries.iter().enumerate().skip(skip) {
            // dirent: d_next u64, d_ino u64, d_namlen u32, d_type u8, 3 pad, then the name.
            let mut rec = Vec::with_capacity(24 + ent.name.len());
            rec.extend_from_slice(&(i as u64 + 1).to_le_bytes());
            rec.extend_from_slice(&ent.ino.to_le_bytes());
            rec.extend_from_slice(&(ent.name.len() as u32).to_le_bytes());
            rec.extend_from_slice(&[ent.filetype, 0, 0, 0]);
            rec.extend_from_slice(&ent.name);
            let room = (buf_len - used) as usize;
            let n = room.min(rec.len());
            mem.write_bytes(buf + used, &rec[..n])?;
            used += n as u32;
            // A truncated entry fills the buffer; the guest re-reads from its cookie.
            if n < rec.len() {
                break;
            }
        }
        mem.write_u32(bufused as u32, used)
    }))
}

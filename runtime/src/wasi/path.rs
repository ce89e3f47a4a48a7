//! Path resolution inside a directory fd (the sandbox) and the path_* host functions.
//! Must never resolve a path to anything outside the directory fd it starts from: no absolute
//! paths, no `..` above the start, no symlink leaving it, no string-prefix tests.
//!
//! How the sandbox holds (the argument each check below relies on):
//! * Resolution walks the path one component at a time with `*at` syscalls relative to a
//!   directory fd that we opened ourselves (`O_PATH | O_DIRECTORY | O_NOFOLLOW`), so the host
//!   never interprets more than one component and never follows a symlink on our behalf.
//! * We keep the stack of directories entered since the start fd. `..` pops that stack instead of
//!   asking the host; popping past the start fd is an escape (EPERM, as wasmtime/cap-std).
//!   Because the stack only ever holds directories reached by walking down, `..` can never reach
//!   a directory that is not beneath the start.
//! * A symlink met along the way (or as the final component when following) is read with
//!   `readlinkat` and its components are pushed in front of the remaining ones; an absolute target
//!   is an escape, a relative one is resolved by the same rules from the directory holding the
//!   link. More than [`MAX_SYMLINKS`] expansions is ELOOP.
//! * The caller then applies its operation to `(parent fd, final name)`, where the final name is
//!   a single component (never `..`, never containing `/` except one trailing slash that is only
//!   kept after the component was found not to be a symlink). Operations that open the final
//!   component use `O_NOFOLLOW`, so a symlink swapped in concurrently fails with ELOOP instead of
//!   being followed.
//! * `path_open` itself, where the kernel has `openat2` (Linux 5.6), lets the kernel do the
//!   whole walk with `RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS` from the start fd instead (see
//!   [`open_beneath`]): same answers, and no window in which a directory we entered could be
//!   moved out from under us. Elsewhere, and on older kernels, the manual walk above is used.

use std::collections::VecDeque;
use std::ffi::{CStr, CString};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicU8, Ordering};

use super::errno::{self, Errno};
use super::fd::{FILESTAT, FilestatLayout, filestat_at, timespecs};
use super::mem::Mem;
use super::{FdEntry, HostFd, Kind, WasiCtx, fdflags, filetype, ret, rights, with_ctx};

/// Maximum number of symlink expansions in one resolution (Linux's MAXSYMLINKS).
pub(crate) const MAX_SYMLINKS: usize = 40;

pub(crate) const LOOKUP_SYMLINK_FOLLOW: u32 = 1;

const OFLAGS_CREAT: u16 = 1;
const OFLAGS_DIRECTORY: u16 = 2;
const OFLAGS_EXCL: u16 = 4;
const OFLAGS_TRUNC: u16 = 8;

/// The result of resolving a guest path: the directory holding the final component, and that
/// component (a single name, possibly `.` or with one trailing `/`).
pub(crate) struct Resolved {
    _held: Option<OwnedFd>,
    dir: RawFd,
    pub name: CString,
}

impl Resolved {
    pub(crate) fn dir(&self) -> RawFd {
        self.dir
    }
}

fn cstring(b: &[u8]) -> Result<CString, Errno> {
    CString::new(b).map_err(|_| errno::INVAL)
}

/// `readlinkat(dir, name)`: the link target, or the raw host errno (EINVAL = not a symlink).
fn readlink_raw(dir: RawFd, name: &CStr) -> Result<Vec<u8>, i32> {
    let mut buf = vec![0u8; 256];
    loop {
        // SAFETY: `buf` is valid for `buf.len()` bytes, `name` is a C string.
        let n = unsafe { libc::readlinkat(dir, name.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) };
        if n < 0 {
            return Err(std::io::Error::last_os_error()
                .raw_os_error()
                .unwrap_or(libc::EIO));
        }
        let n = n as usize;
        if n < buf.len() {
            buf.truncate(n);
            return Ok(buf);
        }
        if buf.len() >= 1 << 20 {
            return Err(libc::ENAMETOOLONG);
        }
        let len = buf.len() * 2;
        buf.resize(len, 0);
    }
}

/// Opens directory `name` in `dir` without following a symlink.
fn open_dir_nofollow(dir: RawFd, name: &CStr) -> Result<OwnedFd, Errno> {
    let flags = libc::O_PATH | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC;
    // SAFETY: `name` is a C string.
    let fd = errno::check(unsafe { libc::openat(dir, name.as_ptr(), flags) })?;
    // SAFETY: freshly opened, owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Pushes the components of `path` in front of `queue`; trailing slashes are dropped (the
/// caller records them).
fn push_components(queue: &mut VecDeque<Vec<u8>>, path: &[u8]) {
    let end = path.iter().rposition(|&b| b != b'/').map_or(0, |i| i + 1);
    if end == 0 {
        return;
    }
    for c in path[..end].split(|&b| b == b'/').rev() {
        queue.push_front(c.to_vec());
    }
}

/// The checks every guest path gets before any lookup.
fn check_path(path: &[u8]) -> Result<(), Errno> {
    if path.is_empty() {
        return Err(errno::NOENT);
    }
    if path.contains(&0) {
        return Err(errno::INVAL);
    }
    // An absolute path names something outside every directory fd.
    if path[0] == b'/' {
        return Err(errno::PERM);
    }
    Ok(())
}

/// Whether `openat2` works here: 0 not yet known, 1 yes, 2 no (kernel < 5.6).
static OPENAT2: AtomicU8 = AtomicU8::new(0);

/// Opens `path` beneath `base` with the kernel's `openat2(RESOLVE_BENEATH |
/// RESOLVE_NO_MAGICLINKS)`: the kernel walks the whole path and fails (EXDEV, reported as EPERM
/// like the manual walk) on anything that would leave `base` (`..`, absolute symlinks), even if
/// a directory on the way is moved concurrently. `None` when `openat2` is unavailable (or
/// refused by a seccomp filter): the caller falls back to [`resolve`].
pub(crate) fn open_beneath(base: RawFd, path: &[u8], flags: i32) -> Option<Result<OwnedFd, Errno>> {
    const RESOLVE_NO_MAGICLINKS: u64 = 0x02;
    const RESOLVE_BENEATH: u64 = 0x08;
    #[repr(C)]
    struct OpenHow {
        flags: u64,
        mode: u64,
        resolve: u64,
    }
    if OPENAT2.load(Ordering::Relaxed) == 2 {
        return None;
    }
    let Ok(cpath) = CString::new(path) else {
        return Some(Err(errno::INVAL));
    };
    let how = OpenHow {
        flags: flags as u32 as u64,
        mode: if flags & libc::O_CREAT != 0 { 0o666 } else { 0 },
        resolve: RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
    };
    // A concurrent rename makes the kernel answer EAGAIN; retry a few times.
    for _ in 0..32 {
        // SAFETY: valid C string and `open_how` of the size passed.
        let r = unsafe {
            libc::syscall(
                libc::SYS_openat2,
                base,
                cpath.as_ptr(),
                &how as *const OpenHow,
                std::mem::size_of::<OpenHow>(),
            )
        };
        if r >= 0 {
            OPENAT2.store(1, Ordering::Relaxed);
            // SAFETY: freshly opened, owned by nobody else.
            return Some(Ok(unsafe { OwnedFd::from_raw_fd(r as RawFd) }));
        }
        match std::io::Error::last_os_error().raw_os_error().unwrap_or(0) {
            libc::EAGAIN | libc::EINTR => continue,
            libc::ENOSYS => {
                OPENAT2.store(2, Ordering::Relaxed);
                return None;
            }
            // A seccomp filter that refuses the syscall answers EPERM before the kernel has
            // looked at anything: let the manual walk decide.
            libc::EPERM if OPENAT2.load(Ordering::Relaxed) == 0 => return None,
            libc::EXDEV => return Some(Err(errno::PERM)),
            e => return Some(Err(errno::from_host(e))),
        }
    }
    Some(Err(errno::AGAIN))
}

/// Resolves `path` beneath directory `base` (see the module comment for why this cannot
/// escape). `follow` says whether a symlink as the final component is followed.
pub(crate) fn resolve(base: RawFd, path: &[u8], follow: bool) -> Result<Resolved, Errno> {
    check_path(path)?;
    let mut trailing_slash = path.ends_with(b"/");
    let mut queue = VecDeque::new();
    push_components(&mut queue, path);
    // Directories entered beneath `base`; the current directory is the last one (or `base`).
    let mut stack: Vec<OwnedFd> = Vec::new();
    let mut links = 0usize;
    let mut name: Vec<u8> = b".".to_vec();
    while let Some(c) = queue.pop_front() {
        let last = queue.is_empty();
        if c.is_empty() || c == b"." {
            if last {
                name = b".".to_vec();
            }
            continue;
        }
        if c == b".." {
            // Leaving `base` is the escape `..` could make: only pop what we pushed.
            if stack.pop().is_none() {
                return Err(errno::PERM);
            }
            if last {
                name = b".".to_vec();
            }
            continue;
        }
        let cur = stack.last().map_or(base, |fd| fd.as_raw_fd());
        let cname = cstring(&c)?;
        // A trailing slash makes the final component a directory lookup, which follows links.
        let follow_this = !last || follow || trailing_slash;
        if last && !follow_this {
            name = c;
            break;
        }
        match readlink_raw(cur, &cname) {
            Ok(target) => {
                links += 1;
                if links > MAX_SYMLINKS {
                    return Err(errno::LOOP);
                }
                if target.is_empty() {
                    return Err(errno::NOENT);
                }
                // An absolute target leaves the sandbox whatever it names.
                if target[0] == b'/' {
                    return Err(errno::PERM);
                }
                if last && target.ends_with(b"/") {
                    trailing_slash = true;
                }
                // Resolved relative to the directory holding the link (`cur`, still current).
                push_components(&mut queue, &target);
                if queue.is_empty() {
                    name = b".".to_vec();
                }
                continue;
            }
            // Not a symlink (EINVAL), or absent: the final component is what it is.
            Err(libc::EINVAL | libc::ENOENT) if last => {
                name = c;
                break;
            }
            Err(libc::EINVAL) => {}
            Err(e) => return Err(errno::from_host(e)),
        }
        stack.push(open_dir_nofollow(cur, &cname)?);
        if last {
            name = b".".to_vec();
        }
    }
    // Keep one trailing slash on a real name so the host still insists on a directory; the
    // component was checked above not to be a symlink.
    if trailing_slash && name != b"." {
        name.push(b'/');
    }
    let held = stack.pop();
    let dir = held.as_ref().map_or(base, |fd| fd.as_raw_fd());
    Ok(Resolved {
        _held: held,
        dir,
        name: cstring(&name)?,
    })
}

fn read_path(mem: &Mem, ptr: i32, len: i32) -> Result<Vec<u8>, Errno> {
    mem.read_bytes(ptr as u32, len as u32)
}

/// Resolves a guest path argument relative to guest directory fd `fd`.
fn resolve_arg(
    ctx: &WasiCtx,
    needed: u64,
    mem: &Mem,
    fd: i32,
    ptr: i32,
    len: i32,
    follow: bool,
) -> Result<Resolved, Errno> {
    let base = ctx.dir(fd as u32, needed)?;
    let path = read_path(mem, ptr, len)?;
    resolve(base, &path, follow)
}

pub(crate) fn path_open(
    ctx: &mut WasiCtx,
    mem: &Mem,
    dirfd: i32,
    lookupflags: u32,
    path_ptr: i32,
    path_len: i32,
    oflags: u16,
    rights_base: u64,
    rights_inheriting: u64,
    fdflags: u16,
    out: u32,
) -> Result<(), Errno> {
    let follow = lookupflags & LOOKUP_SYMLINK_FOLLOW != 0;
    let mut needed = rights::PATH_OPEN;
    if oflags & OFLAGS_CREAT != 0 {
        needed |= rights::PATH_CREATE_FILE;
    }
    if oflags & OFLAGS_TRUNC != 0 {
        needed |= rights::PATH_FILESTAT_SET_SIZE;
    }
    let base = ctx.dir(dirfd as u32, needed)?;
    let path = read_path(mem, path_ptr, path_len)?;
    check_path(&path)?;
    mem.range(out, 4)?;
    // As wasmtime: read and write access come from FD_READ/FD_WRITE; creating or truncating
    // needs write access; O_DIRECTORY with CREAT, EXCL or TRUNC is EINVAL.
    let creates = oflags & (OFLAGS_CREAT | OFLAGS_TRUNC) != 0;
    if oflags & OFLAGS_DIRECTORY != 0 && oflags & (OFLAGS_CREAT | OFLAGS_EXCL | OFLAGS_TRUNC) != 0 {
        return Err(errno::INVAL);
    }
    let read = rights_base & rights::FD_READ != 0;
    let write = rights_base & rights::FD_WRITE != 0 || creates;
    let mut flags = libc::O_CLOEXEC | libc::O_NOCTTY | libc::O_NOFOLLOW;
    flags |= match (read, write) {
        (_, false) => libc::O_RDONLY,
        (false, true) => libc::O_WRONLY,
        (true, true) => libc::O_RDWR,
    };
    if oflags & OFLAGS_CREAT != 0 {
        flags |= libc::O_CREAT;
    }
    if oflags & OFLAGS_DIRECTORY != 0 {
        flags |= libc::O_DIRECTORY;
    }
    if oflags & OFLAGS_EXCL != 0 {
        flags |= libc::O_EXCL;
    }
    if oflags & OFLAGS_TRUNC != 0 {
        flags |= libc::O_TRUNC;
    }
    if fdflags & fdflags::APPEND != 0 {
        flags |= libc::O_APPEND;
    }
    if fdflags & fdflags::DSYNC != 0 {
        flags |= libc::O_DSYNC;
    }
    if fdflags & fdflags::SYNC != 0 {
        flags |= libc::O_SYNC;
    }
    if fdflags & fdflags::RSYNC != 0 {
        flags |= libc::O_RSYNC;
    }
    if fdflags & fdflags::NONBLOCK != 0 {
        flags |= libc::O_NONBLOCK;
    }
    // Opening a directory for writing fails with EISDIR on the host, as on wasmtime; Go retries
    // with directory rights and O_DIRECTORY.
    let beneath_flags = if follow {
        flags & !libc::O_NOFOLLOW
    } else {
        flags
    };
    let owned = match open_beneath(base, &path, beneath_flags) {
        Some(r) => r?,
        None => {
            let r = resolve(base, &path, follow)?;
            // SAFETY: `r.name` is a C string.
            let fd = errno::check(unsafe {
                libc::openat(r.dir(), r.name.as_ptr(), flags, 0o666 as libc::c_uint)
            })?;
            // SAFETY: freshly opened, owned by nobody else.
            unsafe { OwnedFd::from_raw_fd(fd) }
        }
    };
    let ft = super::fd::host_filetype(owned.as_raw_fd())?;
    let kind = if ft == filetype::DIRECTORY {
        Kind::Dir { preopen: None }
    } else {
        Kind::File
    };
    // Rights of the new fd, always within what the directory may hand down (its inheriting
    // rights) and what makes sense for the type (a directory never has FD_SEEK, a file never
    // PATH_OPEN). As in wasmtime, only the access mode asked for counts: a file gets every
    // file right, less FD_WRITE unless FD_WRITE was asked for, less FD_READ if only FD_WRITE
    // was (programs open with rights 0 and then read; creating does not add FD_WRITE, so a
    // file and a hard link to it opened with the same rights look the same); a directory
    // every directory right (Go opens directories with its *file* rights first, then uses the
    // fd for `*at` calls). Rights the guest drops with fd_fdstat_set_rights stay dropped, and
    // an fd can never hand down more than it holds.
    let inherit = ctx.get(dirfd as u32)?.rights_inheriting;
    let (base, inheriting) = if kind == Kind::File {
        let want_write = rights_base & rights::FD_WRITE != 0;
        let mut base = rights::FILE_BASE & inherit;
        if !want_write {
            base &= !rights::FD_WRITE;
        } else if !read {
            base &= !rights::FD_READ;
        }
        (base, rights_inheriting & inherit)
    } else {
        let mut base = rights::DIR_BASE & inherit;
        // A directory asked for without the truncate right, and whose files may not be
        // written either, is a read-only view: it must not truncate through `path_open`
        // (GHSA-2r75-cxrj-cmph; tests/sandbox/adv-trunc.c). Go's and wasi-libc's requests
        // always name write rights in one of the two sets, so they keep every directory right;
        // rights 0/0 (nothing named) too.
        let write_rights = rights::FD_WRITE | rights::FD_FILESTAT_SET_SIZE;
        if rights_base & rights::PATH_FILESTAT_SET_SIZE == 0
            && rights_inheriting != 0
            && rights_inheriting & write_rights == 0
        {
            base &= !rights::PATH_FILESTAT_SET_SIZE;
        }
        (base, inherit)
    };
    ctx.insert_to(
        FdEntry {
            host: HostFd::Owned(owned),
            kind,
            filetype: ft,
            rights_base: base,
            rights_inheriting: inheriting,
            stdio_flags: 0,
        },
        mem,
        out,
    )
}

pub unsafe extern "C" fn wasmaot_wasi_path_open(
    vmctx: *mut u8,
    dirfd: i32,
    dirflags: i32,
    path: i32,
    path_len: i32,
    oflags: i32,
    fs_rights_base: i64,
    fs_rights_inheriting: i64,
    fdflags: i32,
    opened_fd: i32,
) -> i32 {
    let mem = unsafe { Mem::from_vmctx(vmctx) };
    ret(with_ctx(vmctx, |ctx| {
        path_open(
            ctx,
            &mem,
            dirfd,
            dirflags as u32,
            path,
            path_len,
            oflags as u16,
            fs_rights_base as u64,
            fs_rights_inheriting as u64,
            fdflags as u16,
            opened_fd as u32,
        )
    }))
}

/// path_filestat_get with the record laid out as `layout` says (shared by the preview1 and
/// snapshot-0 entry points).
pub(crate) fn path_filestat_get(
    mem: &Mem,
    fd: i32,
    flags: i32,
    path: i32,
    len: i32,
    buf: u32,
    layout: &FilestatLayout,
) -> Result<(), Errno> {
    let st = with_ctx(mem.vmctx(), |ctx| {
        let follow = flags as u32 & LOOKUP_SYMLINK_FOLLOW != 0;
        let r = resolve_arg(ctx, rights::PATH_FILESTAT_GET, mem, fd, path, len, follow)?;
        filestat_at(r.dir(), &r.name)
    })?;
    (layout.write)(mem, buf, &st)
}

pub unsafe extern "C" fn wasmaot_wasi_path_filestat_get(
    vmctx: *mut u8,
    fd: i32,
    flags: i32,
    path: i32,
    path_len: i32,
    buf: i32,
) -> i32 {
    let mem = unsafe { Mem::from_vmctx(vmctx) };
    ret(path_filestat_get(
        &mem, fd, flags, path, path_len, buf as u32, &FILESTAT,
    ))
}

pub unsafe extern "C" fn wasmaot_wasi_path_filestat_set_times(
    vmctx: *mut u8,
    fd: i32,
    flags: i32,
    path: i32,
    path_len: i32,
    atim: i64,
    mtim: i64,
    fst_flags: i32,
) -> i32 {
    let mem = unsafe { Mem::from_vmctx(vmctx) };
    ret(with_ctx(vmctx, |ctx| {
        let times = timespecs(atim as u64, mtim as u64, fst_flags as u16)?;
        let follow = flags as u32 & LOOKUP_SYMLINK_FOLLOW != 0;
        let r = resolve_arg(
            ctx,
            rights::PATH_FILESTAT_SET_TIMES,
            &mem,
            fd,
            path,
            path_len,
            follow,
        )?;
        // SAFETY: valid C string and a 2-element timespec array.
        errno::check(unsafe {
            libc::utimensat(
                r.dir(),
                r.name.as_ptr(),
                times.as_ptr(),
                libc::AT_SYMLINK_NOFOLLOW,
            )
        })?;
        Ok(())
    }))
}

/// The path_* functions that are one `*at` call on the resolved (parent fd, final name), the
/// final component not followed: resolves `path` under `fd` (which must hold `needed`) and
/// runs `call`, whose libc return value (`-1` = error) becomes the result.
fn at_final_name(
    mem: &Mem,
    fd: i32,
    path: i32,
    path_len: i32,
    needed: u64,
    call: impl FnOnce(RawFd, &CStr) -> libc::c_int,
) -> Result<(), Errno> {
    with_ctx(mem.vmctx(), |ctx| {
        let r = resolve_arg(ctx, needed, mem, fd, path, path_len, false)?;
        errno::check(call(r.dir(), &r.name))?;
        Ok(())
    })
}

pub unsafe extern "C" fn wasmaot_wasi_path_create_directory(
    vmctx: *mut u8,
    fd: i32,
    path: i32,
    path_len: i32,
) -> i32 {
    let mem = unsafe { Mem::from_vmctx(vmctx) };
    ret(at_final_name(
        &mem,
        fd,
        path,
        path_len,
        rights::PATH_CREATE_DIRECTORY,
        // SAFETY: valid C string.
        |dir, name| unsafe { libc::mkdirat(dir, name.as_ptr(), 0o777) },
    ))
}

pub unsafe extern "C" fn wasmaot_wasi_path_remove_directory(
    vmctx: *mut u8,
    fd: i32,
    path: i32,
    path_len: i32,
) -> i32 {
    let mem = unsafe { Mem::from_vmctx(vmctx) };
    ret(at_final_name(
        &mem,
        fd,
        path,
        path_len,
        rights::PATH_REMOVE_DIRECTORY,
        // SAFETY: valid C string.
        |dir, name| unsafe { libc::unlinkat(dir, name.as_ptr(), libc::AT_REMOVEDIR) },
    ))
}

pub unsafe extern "C" fn wasmaot_wasi_path_unlink_file(
    vmctx: *mut u8,
    fd: i32,
    path: i32,
    path_len: i32,
) -> i32 {
    let mem = unsafe { Mem::from_vmctx(vmctx) };
    ret(at_final_name(
        &mem,
        fd,
        path,
        path_len,
        rights::PATH_UNLINK_FILE,
        // SAFETY: valid C string.
        |dir, name| unsafe { libc::unlinkat(dir, name.as_ptr(), 0) },
    ))
}

pub unsafe extern "C" fn wasmaot_wasi_path_rename(
    vmctx: *mut u8,
    fd: i32,
    old_path: i32,
    old_path_len: i32,
    new_fd: i32,
    new_path: i32,
    new_path_len: i32,
) -> i32 {
    let mem = unsafe { Mem::from_vmctx(vmctx) };
    ret(with_ctx(vmctx, |ctx| {
        let old = resolve_arg(
            ctx,
            rights::PATH_RENAME_SOURCE,
            &mem,
            fd,
            old_path,
            old_path_len,
            false,
        )?;
        let new = resolve_arg(
            ctx,
            rights::PATH_RENAME_TARGET,
            &mem,
            new_fd,
            new_path,
            new_path_len,
            false,
        )?;
        // SAFETY: valid C strings.
        errno::check(unsafe {
            libc::renameat(old.dir(), old.name.as_ptr(), new.dir(), new.name.as_ptr())
        })?;
        Ok(())
    }))
}

pub unsafe extern "C" fn wasmaot_wasi_path_link(
    vmctx: *mut u8,
    old_fd: i32,
    old_flags: i32,
    old_path: i32,
    old_path_len: i32,
    new_fd: i32,
    new_path: i32,
    new_path_len: i32,
) -> i32 {
    let mem = unsafe { Mem::from_vmctx(vmctx) };
    ret(with_ctx(vmctx, |ctx| {
        // As wasmtime: following a symlink for the source is refused (EINVAL); Linux's
        // linkat without AT_SYMLINK_FOLLOW links the symlink itself.
        if old_flags as u32 & LOOKUP_SYMLINK_FOLLOW != 0 {
            return Err(errno::INVAL);
        }
        let follow = false;
        let old = resolve_arg(
            ctx,
            rights::PATH_LINK_SOURCE,
            &mem,
            old_fd,
            old_path,
            old_path_len,
            follow,
        )?;
        let new = resolve_arg(
            ctx,
            rights::PATH_LINK_TARGET,
            &mem,
            new_fd,
            new_path,
            new_path_len,
            false,
        )?;
        // Flags 0: never follow on the host (following was done by `resolve`).
        // SAFETY: valid C strings.
        errno::check(unsafe {
            libc::linkat(
                old.dir(),
                old.name.as_ptr(),
                new.dir(),
                new.name.as_ptr(),
                0,
            )
        })?;
        Ok(())
    }))
}

pub unsafe extern "C" fn wasmaot_wasi_path_symlink(
    vmctx: *mut u8,
    old_path: i32,
    old_path_len: i32,
    fd: i32,
    new_path: i32,
    new_path_len: i32,
) -> i32 {
    let mem = unsafe { Mem::from_vmctx(vmctx) };
    ret(with_ctx(vmctx, |ctx| {
        // The link's contents are only data; resolution never follows one out of the sandbox.
        let target = read_path(&mem, old_path, old_path_len)?;
        // As wasmtime (cap-std): a link to an absolute path is refused, since it could only
        // ever point outside the sandbox.
        if target.starts_with(b"/") {
            return Err(errno::PERM);
        }
        let target = cstring(&target)?;
        let new = resolve_arg(
            ctx,
            rights::PATH_SYMLINK,
            &mem,
            fd,
            new_path,
            new_path_len,
            false,
        )?;
        // SAFETY: valid C strings.
        errno::check(unsafe { libc::symlinkat(target.as_ptr(), new.dir(), new.name.as_ptr()) })?;
        Ok(())
    }))
}

pub unsafe extern "C" fn wasmaot_wasi_path_readlink(
    vmctx: *mut u8,
    fd: i32,
    path: i32,
    path_len: i32,
    buf: i32,
    buf_len: i32,
    bufused: i32,
) -> i32 {
    let mem = unsafe { Mem::from_vmctx(vmctx) };
    ret(with_ctx(vmctx, |ctx| {
        let r = resolve_arg(ctx, rights::PATH_READLINK, &mem, fd, path, path_len, false)?;
        let target = readlink_raw(r.dir(), &r.name).map_err(errno::from_host)?;
        // As wasmtime (cap-std): an absolute target names a host path, which the guest may
        // not learn; EPERM.
        if target.starts_with(b"/") {
            return Err(errno::PERM);
        }
        mem.range(buf as u32, buf_len as u32)?;
        mem.range(bufused as u32, 4)?;
        // As wasmtime (and readlink(2)): a short buffer gets a truncated target.
        let n = target.len().min(buf_len as u32 as usize);
        mem.write_bytes(buf as u32, &target[..n])?;
        mem.write_u32(bufused as u32, n as u32)
    }))
}

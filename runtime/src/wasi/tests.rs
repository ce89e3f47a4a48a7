//! Tests of the WASI host functions, called directly with a fake vmctx (the `VmOffsets` fixed
//! prefix pointing at a Vec "guest memory") and a temporary directory as preopen.
//! Must never touch anything outside the per-test temporary directory.

use super::args_env::*;
use super::clock::*;
use super::errno;
use super::fd::*;
use super::path::*;
use super::poll::*;
use super::random::*;
use super::sched::*;
use super::sock::*;
use super::unstable::*;
use super::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// Serializes tests: they share the process-wide WASI context.
static TEST_LOCK: Mutex<()> = Mutex::new(());

const MEM_SIZE: usize = 64 * 1024;

/// A fake instance: guest memory, its `{base, length}` record and a vmctx prefix.
struct Guest {
    mem: Vec<u8>,
    def: Box<[u64; 2]>,
    vmctx: Box<[u64; 6]>,
}

impl Guest {
    fn new() -> Guest {
        let mut mem = vec![0u8; MEM_SIZE];
        let def = Box::new([mem.as_mut_ptr() as u64, MEM_SIZE as u64]);
        let mut vmctx = Box::new([0u64; 6]);
        vmctx[(VmOffsets::MEMORY0_BASE / 8) as usize] = mem.as_mut_ptr() as u64;
        vmctx[(VmOffsets::MEMORY0_DEF / 8) as usize] = &*def as *const [u64; 2] as u64;
        Guest { mem, def, vmctx }
    }
    fn vm(&mut self) -> *mut u8 {
        self.vmctx.as_mut_ptr().cast()
    }
    fn put(&mut self, at: u32, data: &[u8]) {
        self.mem[at as usize..at as usize + data.len()].copy_from_slice(data);
    }
    fn get(&self, at: u32, len: usize) -> &[u8] {
        &self.mem[at as usize..at as usize + len]
    }
    fn u32(&self, at: u32) -> u32 {
        u32::from_le_bytes(self.get(at, 4).try_into().unwrap())
    }
    fn u64(&self, at: u32) -> u64 {
        u64::from_le_bytes(self.get(at, 8).try_into().unwrap())
    }
    fn u16(&self, at: u32) -> u16 {
        u16::from_le_bytes(self.get(at, 2).try_into().unwrap())
    }
    fn put_u32(&mut self, at: u32, v: u32) {
        self.put(at, &v.to_le_bytes());
    }
    fn put_u64(&mut self, at: u32, v: u64) {
        self.put(at, &v.to_le_bytes());
    }
}

use wasmaot_abi::vmctx::VmOffsets;

const PATH: u32 = 1000;
const OUT: u32 = 2000;
const BUF: u32 = 4096;
const IOV: u32 = 3000;

/// A temporary tree: `root/` (the preopen) and `outside/secret` next to it.
struct Sandbox {
    top: PathBuf,
    _guard: MutexGuard<'static, ()>,
}

impl Sandbox {
    fn new() -> Sandbox {
        let guard = TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        static N: AtomicU32 = AtomicU32::new(0);
        let top = std::env::temp_dir().join(format!(
            "wasmaot-wasi-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&top);
        std::fs::create_dir_all(top.join("root/sub")).unwrap();
        std::fs::create_dir_all(top.join("outside")).unwrap();
        std::fs::write(top.join("outside/secret"), b"secret").unwrap();
        std::fs::write(top.join("root/hello.txt"), b"hello world").unwrap();
        std::os::unix::fs::symlink("../outside", top.join("root/link_out")).unwrap();
        std::os::unix::fs::symlink("/etc", top.join("root/abs_link")).unwrap();
        std::os::unix::fs::symlink("loop2", top.join("root/loop1")).unwrap();
        std::os::unix::fs::symlink("loop1", top.join("root/loop2")).unwrap();
        std::os::unix::fs::symlink("sub", top.join("root/inner_link")).unwrap();
        std::os::unix::fs::symlink("../hello.txt", top.join("root/sub/up_link")).unwrap();
        init(WasiConfig {
            args: vec![b"prog".to_vec(), b"a b".to_vec(), Vec::new()],
            env: vec![b"PWD=/".to_vec(), b"X=1".to_vec()],
            preopens: vec![Preopen {
                host: top.join("root"),
                guest: "/".into(),
            }],
            listeners: Vec::new(),
            stdio: super::Stdio::Inherit,
        })
        .unwrap();
        Sandbox { top, _guard: guard }
    }
    fn root(&self) -> PathBuf {
        self.top.join("root")
    }
    fn outside(&self) -> PathBuf {
        self.top.join("outside")
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.top);
    }
}

const PREOPEN: i32 = 3;
// Rights are enforced: like wasi-libc, ask for everything a file (or directory) may need.
const RIGHTS_RW: i64 = (rights::FILE_BASE | rights::DIR_BASE) as i64;
const RIGHTS_R: i64 = ((rights::FILE_BASE | rights::DIR_BASE) & !rights::FD_WRITE) as i64;
const O_CREAT: i32 = 1;
const O_DIRECTORY: i32 = 2;
const O_EXCL: i32 = 4;
const O_TRUNC: i32 = 8;

fn open(
    g: &mut Guest,
    path: &str,
    lookup: i32,
    oflags: i32,
    rights: i64,
    fdflags: i32,
) -> Result<i32, i32> {
    g.put(PATH, path.as_bytes());
    let vm = g.vm();
    let r = unsafe {
        wasmaot_wasi_path_open(
            vm,
            PREOPEN,
            lookup,
            PATH as i32,
            path.len() as i32,
            oflags,
            rights,
            rights,
            fdflags,
            OUT as i32,
        )
    };
    if r == 0 {
        Ok(g.u32(OUT) as i32)
    } else {
        Err(r)
    }
}

fn write(g: &mut Guest, fd: i32, data: &[u8]) -> Result<u32, i32> {
    g.put(BUF, data);
    g.put_u32(IOV, BUF);
    g.put_u32(IOV + 4, data.len() as u32);
    let vm = g.vm();
    let r = unsafe { wasmaot_wasi_fd_write(vm, fd, IOV as i32, 1, OUT as i32) };
    if r == 0 { Ok(g.u32(OUT)) } else { Err(r) }
}

fn read(g: &mut Guest, fd: i32, len: u32) -> Result<Vec<u8>, i32> {
    // Two iovecs, split unevenly, at a misaligned address.
    let iov = IOV + 1;
    let half = len / 3;
    g.put_u32(iov, BUF);
    g.put_u32(iov + 4, half);
    g.put_u32(iov + 8, BUF + half);
    g.put_u32(iov + 12, len - half);
    let vm = g.vm();
    let r = unsafe { wasmaot_wasi_fd_read(vm, fd, iov as i32, 2, OUT as i32 + 1) };
    if r == 0 {
        Ok(g.get(BUF, g.u32(OUT + 1) as usize).to_vec())
    } else {
        Err(r)
    }
}

fn path_call(
    g: &mut Guest,
    path: &str,
    f: unsafe extern "C" fn(*mut u8, i32, i32, i32) -> i32,
) -> i32 {
    g.put(PATH, path.as_bytes());
    let vm = g.vm();
    unsafe { f(vm, PREOPEN, PATH as i32, path.len() as i32) }
}

fn stat(g: &mut Guest, path: &str, follow: bool) -> Result<(u8, u64), i32> {
    g.put(PATH, path.as_bytes());
    let vm = g.vm();
    let r = unsafe {
        wasmaot_wasi_path_filestat_get(
            vm,
            PREOPEN,
            follow as i32,
            PATH as i32,
            path.len() as i32,
            OUT as i32,
        )
    };
    if r == 0 {
        Ok((g.get(OUT + 16, 1)[0], g.u64(OUT + 32)))
    } else {
        Err(r)
    }
}

const BADF: i32 = errno::BADF as i32;
const FAULT: i32 = errno::FAULT as i32;
const PERM: i32 = errno::PERM as i32;

#[test]
fn every_table_symbol_is_defined() {
    let mut n = 0;
    for (sym, func) in wasmaot_abi::wasi::all_symbols() {
        assert!(
            host_function(&sym).is_some(),
            "{sym} ({}) is not defined by the runtime",
            func.name
        );
        n += 1;
    }
    assert_eq!(n, 50);
    // And the runtime's table defines nothing the ABI's does not name.
    let named: std::collections::HashSet<String> =
        wasmaot_abi::wasi::all_symbols().map(|(s, _)| s).collect();
    assert_eq!(super::SYMBOLS.len(), 50);
    for sym in super::SYMBOLS {
        assert!(named.contains(*sym), "{sym} is not in wasmaot_abi::wasi");
    }
    assert!(host_function("wasmaot_wasi_nope").is_none());
    assert!(host_function("wasmaot_wasi_unstable_fd_write").is_none());
}

#[test]
fn errno_mapping() {
    assert_eq!(errno::from_host(libc::ENOENT), 44);
    assert_eq!(errno::from_host(libc::EEXIST), 20);
    assert_eq!(errno::from_host(libc::ENOTEMPTY), 55);
    assert_eq!(errno::from_host(libc::EXDEV), 75);
    assert_eq!(errno::from_host(libc::EOPNOTSUPP), errno::NOTSUP);
    assert_eq!(errno::from_host(libc::EWOULDBLOCK), errno::AGAIN);
    assert_eq!(errno::from_host(9999), errno::IO);
    assert_eq!(errno::NOTCAPABLE, 76);
}

#[test]
fn args_and_environ_layout() {
    let _s = Sandbox::new();
    let mut g = Guest::new();
    let vm = g.vm();
    assert_eq!(
        unsafe { wasmaot_wasi_args_sizes_get(vm, OUT as i32, OUT as i32 + 4) },
        0
    );
    assert_eq!((g.u32(OUT), g.u32(OUT + 4)), (3, 5 + 4 + 1));
    let vm = g.vm();
    assert_eq!(unsafe { wasmaot_wasi_args_get(vm, 100, BUF as i32) }, 0);
    assert_eq!(g.get(BUF, 10), b"prog\0a b\0\0");
    assert_eq!(
        [g.u32(100), g.u32(104), g.u32(108)],
        [BUF, BUF + 5, BUF + 9]
    );
    let vm = g.vm();
    assert_eq!(
        unsafe { wasmaot_wasi_environ_sizes_get(vm, OUT as i32, OUT as i32 + 4) },
        0
    );
    assert_eq!((g.u32(OUT), g.u32(OUT + 4)), (2, 10));
    let vm = g.vm();
    assert_eq!(
        unsafe { wasmaot_wasi_environ_get(vm, 100, BUF as i32 + 1) },
        0
    );
    assert_eq!(g.get(BUF + 1, 10), b"PWD=/\0X=1\0");
    assert_eq!(g.u32(104), BUF + 7);
    // The string area runs off the end of memory.
    let vm = g.vm();
    assert_eq!(
        unsafe { wasmaot_wasi_args_get(vm, 100, MEM_SIZE as i32 - 3) },
        FAULT
    );
}

#[test]
fn clocks_random_sched_proc() {
    let _s = Sandbox::new();
    let mut g = Guest::new();
    let vm = g.vm();
    assert_eq!(
        unsafe { wasmaot_wasi_clock_time_get(vm, 1, 0, OUT as i32) },
        0
    );
    let t0 = g.u64(OUT);
    assert_eq!(
        unsafe { wasmaot_wasi_clock_time_get(vm, 1, 0, OUT as i32 + 3) },
        0
    );
    assert!(g.u64(OUT + 3) >= t0);
    assert_eq!(
        unsafe { wasmaot_wasi_clock_time_get(vm, 0, 0, OUT as i32) },
        0
    );
    assert!(g.u64(OUT) > 1_600_000_000_000_000_000);
    for id in 0..4 {
        assert_eq!(unsafe { wasmaot_wasi_clock_res_get(vm, id, OUT as i32) }, 0);
        assert!(g.u64(OUT) > 0);
        assert_eq!(
            unsafe { wasmaot_wasi_clock_time_get(vm, id, 0, OUT as i32) },
            0
        );
    }
    assert_eq!(
        unsafe { wasmaot_wasi_clock_time_get(vm, 4, 0, OUT as i32) },
        errno::INVAL as i32
    );
    assert_eq!(
        unsafe { wasmaot_wasi_clock_time_get(vm, 1, 0, MEM_SIZE as i32 - 4) },
        FAULT
    );
    assert_eq!(unsafe { wasmaot_wasi_clock_time_get(vm, 1, 0, -1) }, FAULT);
    assert_eq!(unsafe { wasmaot_wasi_random_get(vm, BUF as i32, 256) }, 0);
    assert!(g.get(BUF, 256).iter().any(|&b| b != 0));
    assert_eq!(
        unsafe { wasmaot_wasi_random_get(vm, MEM_SIZE as i32 - 10, 11) },
        FAULT
    );
    assert_eq!(
        unsafe { wasmaot_wasi_random_get(vm, MEM_SIZE as i32, 0) },
        0
    );
    assert_eq!(unsafe { wasmaot_wasi_sched_yield(vm) }, 0);
    // proc_raise really raises (checked end to end by the e2e/wasi runners); here only the
    // cases that do not signal: 0 is "no signal", unknown numbers are EINVAL, and a signal whose
    // default action is to be ignored (SIGCHLD = 16, SIGURG = 22) returns.
    for sig in [0, 16, 22] {
        assert_eq!(unsafe { super::proc::wasmaot_wasi_proc_raise(vm, sig) }, 0);
    }
    for sig in [-1, 31, 1000] {
        assert_eq!(
            unsafe { super::proc::wasmaot_wasi_proc_raise(vm, sig) },
            errno::INVAL as i32
        );
    }
    // A null vmctx has no memory: every pointer faults.
    assert_eq!(
        unsafe { wasmaot_wasi_clock_time_get(std::ptr::null_mut(), 1, 0, 0) },
        FAULT
    );
}

#[test]
fn prestat_probe() {
    let _s = Sandbox::new();
    let mut g = Guest::new();
    let vm = g.vm();
    assert_eq!(unsafe { wasmaot_wasi_fd_prestat_get(vm, 3, OUT as i32) }, 0);
    assert_eq!((g.get(OUT, 1)[0], g.u32(OUT + 4)), (0, 1));
    assert_eq!(
        unsafe { wasmaot_wasi_fd_prestat_dir_name(vm, 3, BUF as i32, 1) },
        0
    );
    assert_eq!(g.get(BUF, 1), b"/");
    assert_eq!(
        unsafe { wasmaot_wasi_fd_prestat_dir_name(vm, 3, BUF as i32, 0) },
        errno::NAMETOOLONG as i32
    );
    assert_eq!(
        unsafe { wasmaot_wasi_fd_prestat_get(vm, 4, OUT as i32) },
        BADF
    );
    assert_eq!(
        unsafe { wasmaot_wasi_fd_prestat_get(vm, 1, OUT as i32) },
        BADF
    );
    assert_eq!(
        unsafe { wasmaot_wasi_fd_prestat_dir_name(vm, 1, BUF as i32, 10) },
        errno::NOTDIR as i32
    );
    assert_eq!(
        unsafe { wasmaot_wasi_fd_prestat_dir_name(vm, 9, BUF as i32, 10) },
        BADF
    );
    assert_eq!(unsafe { wasmaot_wasi_fd_fdstat_get(vm, 3, OUT as i32) }, 0);
    assert_eq!(
        (g.get(OUT, 1)[0], g.u64(OUT + 8)),
        (filetype::DIRECTORY, rights::DIR_BASE)
    );
    assert_eq!(
        unsafe { wasmaot_wasi_fd_prestat_get(vm, 3, MEM_SIZE as i32 - 4) },
        FAULT
    );
}

#[test]
fn init_names_missing_preopen() {
    let _s = Sandbox::new();
    let err = init(WasiConfig {
        preopens: vec![Preopen {
            host: "/definitely/not/here".into(),
            guest: "/".into(),
        }],
        ..WasiConfig::default()
    })
    .unwrap_err();
    assert!(err.contains("/definitely/not/here"), "{err}");
}

#[test]
fn write_read_seek_file() {
    let s = Sandbox::new();
    let mut g = Guest::new();
    let fd = open(&mut g, "new.txt", 0, O_CREAT | O_EXCL, RIGHTS_RW, 0).unwrap();
    assert_eq!(fd, 4);
    assert_eq!(write(&mut g, fd, b"0123456789"), Ok(10));
    assert_eq!(
        std::fs::read(s.root().join("new.txt")).unwrap(),
        b"0123456789"
    );
    let vm = g.vm();
    assert_eq!(unsafe { wasmaot_wasi_fd_tell(vm, fd, OUT as i32) }, 0);
    assert_eq!(g.u64(OUT), 10);
    assert_eq!(unsafe { wasmaot_wasi_fd_seek(vm, fd, 2, 0, OUT as i32) }, 0);
    assert_eq!(g.u64(OUT), 2);
    assert_eq!(read(&mut g, fd, 5), Ok(b"23456".to_vec()));
    let vm = g.vm();
    assert_eq!(
        unsafe { wasmaot_wasi_fd_seek(vm, fd, -3, 2, OUT as i32) },
        0
    );
    assert_eq!(g.u64(OUT), 7);
    assert_eq!(
        unsafe { wasmaot_wasi_fd_seek(vm, fd, -30, 1, OUT as i32) },
        errno::INVAL as i32
    );
    assert_eq!(
        unsafe { wasmaot_wasi_fd_seek(vm, fd, 0, 3, OUT as i32) },
        errno::INVAL as i32
    );
    // pread/pwrite don't move the offset.
    g.put_u32(IOV, BUF);
    g.put_u32(IOV + 4, 3);
    let vm = g.vm();
    assert_eq!(
        unsafe { wasmaot_wasi_fd_pread(vm, fd, IOV as i32, 1, 1, OUT as i32) },
        0
    );
    assert_eq!((g.u32(OUT), g.get(BUF, 3)), (3, &b"123"[..]));
    g.put(BUF, b"abc");
    let vm = g.vm();
    assert_eq!(
        unsafe { wasmaot_wasi_fd_pwrite(vm, fd, IOV as i32, 1, 8, OUT as i32) },
        0
    );
    assert_eq!(unsafe { wasmaot_wasi_fd_tell(vm, fd, OUT as i32) }, 0);
    assert_eq!(g.u64(OUT), 7);
    assert_eq!(
        std::fs::read(s.root().join("new.txt")).unwrap(),
        b"01234567abc"
    );
    // filestat, set_size, set_times.
    assert_eq!(
        unsafe { wasmaot_wasi_fd_filestat_get(vm, fd, OUT as i32) },
        0
    );
    assert_eq!(
        (g.get(OUT + 16, 1)[0], g.u64(OUT + 24), g.u64(OUT + 32)),
        (filetype::REGULAR_FILE, 1, 11)
    );
    assert_eq!(unsafe { wasmaot_wasi_fd_filestat_set_size(vm, fd, 4) }, 0);
    assert_eq!(
        unsafe { wasmaot_wasi_fd_filestat_set_times(vm, fd, 5_000_000_000, 7_000_000_001, 1 | 4) },
        0
    );
    assert_eq!(
        unsafe { wasmaot_wasi_fd_filestat_set_times(vm, fd, 0, 0, 1 | 2) },
        errno::INVAL as i32
    );
    let md = std::fs::metadata(s.root().join("new.txt")).unwrap();
    use std::os::unix::fs::MetadataExt;
    assert_eq!(
        (md.len(), md.atime(), md.mtime(), md.mtime_nsec()),
        (4, 5, 7, 1)
    );
    assert_eq!(unsafe { wasmaot_wasi_fd_sync(vm, fd) }, 0);
    assert_eq!(unsafe { wasmaot_wasi_fd_datasync(vm, fd) }, 0);
    assert_eq!(unsafe { wasmaot_wasi_fd_advise(vm, fd, 0, 0, 1) }, 0);
    assert_eq!(
        unsafe { wasmaot_wasi_fd_advise(vm, fd, 0, 0, 9) },
        errno::INVAL as i32
    );
    assert_eq!(unsafe { wasmaot_wasi_fd_allocate(vm, fd, 0, 100) }, 0);
    // fdstat: filetype, flags, rights as opened (less those meaningless on a file).
    assert_eq!(unsafe { wasmaot_wasi_fd_fdstat_get(vm, fd, OUT as i32) }, 0);
    assert_eq!(
        (g.get(OUT, 1)[0], g.u16(OUT + 2), g.u64(OUT + 8)),
        (filetype::REGULAR_FILE, 0, rights::FILE_BASE)
    );
    assert_eq!(
        unsafe { wasmaot_wasi_fd_fdstat_set_flags(vm, fd, fdflags::APPEND as i32) },
        0
    );
    assert_eq!(unsafe { wasmaot_wasi_fd_fdstat_get(vm, fd, OUT as i32) }, 0);
    assert_eq!(g.u16(OUT + 2), fdflags::APPEND);
    assert_eq!(
        unsafe { wasmaot_wasi_fd_fdstat_set_flags(vm, fd, fdflags::SYNC as i32) },
        errno::INVAL as i32
    );
    // Rights only shrink; asking for more is ENOTCAPABLE (wasi-testsuite's
    // fd_fdstat_set_rights, which wasmtime passes).
    assert_eq!(
        unsafe { wasmaot_wasi_fd_fdstat_set_rights(vm, fd, 2 | 4, 0) },
        0
    );
    assert_eq!(
        unsafe { wasmaot_wasi_fd_fdstat_set_rights(vm, fd, -1, -1) },
        errno::NOTCAPABLE as i32
    );
    assert_eq!(unsafe { wasmaot_wasi_fd_fdstat_get(vm, fd, OUT as i32) }, 0);
    assert_eq!((g.u64(OUT + 8), g.u64(OUT + 16)), (2 | 4, 0));
    assert_eq!(
        unsafe { wasmaot_wasi_fd_fdstat_set_rights(vm, 99, 0, 0) },
        BADF
    );
    assert_eq!(unsafe { wasmaot_wasi_fd_close(vm, fd) }, 0);
    assert_eq!(unsafe { wasmaot_wasi_fd_close(vm, fd) }, BADF);
    // O_EXCL on an existing file; O_TRUNC empties it; read-only fd refuses writes.
    assert_eq!(
        open(&mut g, "new.txt", 0, O_CREAT | O_EXCL, RIGHTS_RW, 0),
        Err(errno::EXIST as i32)
    );
    let fd = open(&mut g, "new.txt", 0, O_TRUNC, RIGHTS_RW, 0).unwrap();
    assert_eq!(
        std::fs::metadata(s.root().join("new.txt")).unwrap().len(),
        0
    );
    let vm = g.vm();
    assert_eq!(unsafe { wasmaot_wasi_fd_close(vm, fd) }, 0);
    let fd = open(&mut g, "hello.txt", 0, 0, RIGHTS_R, 0).unwrap();
    assert_eq!(write(&mut g, fd, b"x"), Err(BADF));
    assert_eq!(read(&mut g, fd, 100), Ok(b"hello world".to_vec()));
    assert_eq!(read(&mut g, fd, 100), Ok(Vec::new()));
    // Append mode from path_open.
    let fd = open(&mut g, "hello.txt", 0, 0, RIGHTS_RW, fdflags::APPEND as i32).unwrap();
    assert_eq!(write(&mut g, fd, b"!"), Ok(1));
    assert_eq!(
        std::fs::read(s.root().join("hello.txt")).unwrap(),
        b"hello world!"
    );
}

#[test]
fn renumber_and_bad_fds() {
    let _s = Sandbox::new();
    let mut g = Guest::new();
    let a = open(&mut g, "hello.txt", 0, 0, RIGHTS_R, 0).unwrap();
    let b = open(&mut g, "sub", 0, O_DIRECTORY, RIGHTS_R, 0).unwrap();
    let vm = g.vm();
    assert_eq!(unsafe { wasmaot_wasi_fd_renumber(vm, a, b) }, 0);
    assert_eq!(read(&mut g, b, 5), Ok(b"hello".to_vec()));
    assert_eq!(read(&mut g, a, 5), Err(BADF));
    let vm = g.vm();
    assert_eq!(unsafe { wasmaot_wasi_fd_renumber(vm, b, 77) }, BADF);
    assert_eq!(unsafe { wasmaot_wasi_fd_renumber(vm, 77, b) }, BADF);
    // Lowest free fd is reused.
    assert_eq!(open(&mut g, "hello.txt", 0, 0, RIGHTS_R, 0), Ok(a));
    assert_eq!(write(&mut g, 99, b"x"), Err(BADF));
    let vm = g.vm();
    for fd in [99, -1] {
        assert_eq!(unsafe { wasmaot_wasi_fd_close(vm, fd) }, BADF);
        assert_eq!(
            unsafe { wasmaot_wasi_fd_seek(vm, fd, 0, 0, OUT as i32) },
            BADF
        );
        assert_eq!(
            unsafe { wasmaot_wasi_fd_fdstat_get(vm, fd, OUT as i32) },
            BADF
        );
        assert_eq!(
            unsafe { wasmaot_wasi_fd_filestat_get(vm, fd, OUT as i32) },
            BADF
        );
        assert_eq!(
            unsafe { wasmaot_wasi_fd_readdir(vm, fd, BUF as i32, 100, 0, OUT as i32) },
            BADF
        );
        assert_eq!(unsafe { wasmaot_wasi_fd_sync(vm, fd) }, BADF);
        assert_eq!(
            unsafe { wasmaot_wasi_sock_accept(vm, fd, 0, OUT as i32) },
            BADF
        );
        assert_eq!(unsafe { wasmaot_wasi_sock_shutdown(vm, fd, 1) }, BADF);
    }
    assert_eq!(
        unsafe { wasmaot_wasi_sock_recv(vm, a, 0, 0, 0, 0, 0) },
        errno::NOTSOCK as i32
    );
    assert_eq!(
        unsafe { wasmaot_wasi_sock_send(vm, a, 0, 0, 0, 0) },
        errno::NOTSOCK as i32
    );
    // fd_readdir on a regular file: EBADF, as wasmtime (TinyGo tests for it).
    assert_eq!(
        unsafe { wasmaot_wasi_fd_readdir(vm, a, BUF as i32, 100, 0, OUT as i32) },
        BADF
    );
    // A path relative to a non-directory fd.
    g.put(PATH, b"x");
    let vm = g.vm();
    assert_eq!(
        unsafe { wasmaot_wasi_path_open(vm, a, 0, PATH as i32, 1, 0, 0, 0, 0, OUT as i32) },
        errno::NOTDIR as i32
    );
    assert_eq!(
        unsafe { wasmaot_wasi_path_open(vm, 99, 0, PATH as i32, 1, 0, 0, 0, 0, OUT as i32) },
        BADF
    );
    assert_eq!(
        unsafe { wasmaot_wasi_path_open(vm, 1, 0, PATH as i32, 1, 0, 0, 0, 0, OUT as i32) },
        BADF
    );
    // pread on stdio is ESPIPE whatever the host fd is.
    g.put_u32(IOV, BUF);
    g.put_u32(IOV + 4, 1);
    let vm = g.vm();
    assert_eq!(
        unsafe { wasmaot_wasi_fd_pread(vm, 0, IOV as i32, 1, 0, OUT as i32) },
        errno::SPIPE as i32
    );
}

#[test]
fn bad_pointers_fault() {
    let s = Sandbox::new();
    let mut g = Guest::new();
    let fd = open(&mut g, "f", 0, O_CREAT, RIGHTS_RW, 0).unwrap();
    // iovec array out of range, iovec buffer out of range, result pointer out of range.
    let vm = g.vm();
    assert_eq!(
        unsafe { wasmaot_wasi_fd_write(vm, fd, MEM_SIZE as i32 - 4, 1, OUT as i32) },
        FAULT
    );
    g.put_u32(IOV, MEM_SIZE as u32 - 2);
    g.put_u32(IOV + 4, 3);
    let vm = g.vm();
    assert_eq!(
        unsafe { wasmaot_wasi_fd_write(vm, fd, IOV as i32, 1, OUT as i32) },
        FAULT
    );
    g.put_u32(IOV, u32::MAX);
    g.put_u32(IOV + 4, 2);
    let vm = g.vm();
    assert_eq!(
        unsafe { wasmaot_wasi_fd_write(vm, fd, IOV as i32, 1, OUT as i32) },
        FAULT
    );
    g.put_u32(IOV, BUF);
    g.put_u32(IOV + 4, 3);
    let vm = g.vm();
    assert_eq!(
        unsafe { wasmaot_wasi_fd_write(vm, fd, IOV as i32, 1, MEM_SIZE as i32 - 1) },
        FAULT
    );
    assert_eq!(
        unsafe { wasmaot_wasi_fd_write(vm, fd, IOV as i32, 0x2000_0000, OUT as i32) },
        FAULT
    );
    // Nothing was written by the faulting calls.
    assert_eq!(std::fs::metadata(s.root().join("f")).unwrap().len(), 0);
    // Path pointer out of range; opened-fd pointer out of range (nothing created).
    assert_eq!(
        unsafe {
            wasmaot_wasi_path_open(
                vm,
                PREOPEN,
                0,
                MEM_SIZE as i32 - 1,
                2,
                0,
                0,
                0,
                0,
                OUT as i32,
            )
        },
        FAULT
    );
    g.put(PATH, b"g");
    let vm = g.vm();
    assert_eq!(
        unsafe {
            wasmaot_wasi_path_open(vm, PREOPEN, 0, PATH as i32, 1, O_CREAT, RIGHTS_RW, 0, 0, -2)
        },
        FAULT
    );
    assert!(!s.root().join("g").exists());
    assert_eq!(
        unsafe { wasmaot_wasi_fd_fdstat_get(vm, fd, MEM_SIZE as i32 - 23) },
        FAULT
    );
    assert_eq!(
        unsafe { wasmaot_wasi_fd_filestat_get(vm, fd, MEM_SIZE as i32 - 63) },
        FAULT
    );
    assert_eq!(
        unsafe { wasmaot_wasi_fd_readdir(vm, PREOPEN, MEM_SIZE as i32 - 10, 11, 0, OUT as i32) },
        FAULT
    );
    assert_eq!(
        unsafe { wasmaot_wasi_poll_oneoff(vm, MEM_SIZE as i32 - 47, OUT as i32, 1, BUF as i32) },
        FAULT
    );
    // Memory that shrank (a smaller current length) is respected.
    g.def[1] = 100;
    let vm = g.vm();
    assert_eq!(unsafe { wasmaot_wasi_clock_time_get(vm, 1, 0, 96) }, FAULT);
    assert_eq!(unsafe { wasmaot_wasi_clock_time_get(vm, 1, 0, 92) }, 0);
}

#[test]
fn directories_rename_unlink() {
    let s = Sandbox::new();
    let mut g = Guest::new();
    assert_eq!(
        path_call(&mut g, "d1", wasmaot_wasi_path_create_directory),
        0
    );
    assert!(s.root().join("d1").is_dir());
    assert_eq!(
        path_call(&mut g, "d1", wasmaot_wasi_path_create_directory),
        errno::EXIST as i32
    );
    assert_eq!(
        path_call(&mut g, "d2/", wasmaot_wasi_path_create_directory),
        0
    );
    assert!(s.root().join("d2").is_dir());
    assert_eq!(
        path_call(&mut g, "d2/", wasmaot_wasi_path_remove_directory),
        0
    );
    assert_eq!(
        path_call(&mut g, "nodir/x", wasmaot_wasi_path_create_directory),
        errno::NOENT as i32
    );
    // rename a file into d1, across to another name.
    g.put(PATH, b"hello.txtd1/moved");
    let vm = g.vm();
    assert_eq!(
        unsafe {
            wasmaot_wasi_path_rename(vm, PREOPEN, PATH as i32, 9, PREOPEN, PATH as i32 + 9, 8)
        },
        0
    );
    assert!(s.root().join("d1/moved").exists() && !s.root().join("hello.txt").exists());
    assert_eq!(
        path_call(&mut g, "d1", wasmaot_wasi_path_remove_directory),
        errno::NOTEMPTY as i32
    );
    assert_eq!(
        path_call(&mut g, "d1", wasmaot_wasi_path_unlink_file),
        errno::ISDIR as i32
    );
    assert_eq!(
        path_call(&mut g, "d1/moved", wasmaot_wasi_path_remove_directory),
        errno::NOTDIR as i32
    );
    assert_eq!(
        path_call(&mut g, "d1/moved/", wasmaot_wasi_path_unlink_file),
        errno::NOTDIR as i32
    );
    assert_eq!(
        path_call(&mut g, "d1/moved", wasmaot_wasi_path_unlink_file),
        0
    );
    assert_eq!(
        path_call(&mut g, "d1/moved", wasmaot_wasi_path_unlink_file),
        errno::NOENT as i32
    );
    assert_eq!(
        path_call(&mut g, "d1", wasmaot_wasi_path_remove_directory),
        0
    );
    assert!(!s.root().join("d1").exists());
    // Unlinking a symlink removes the link, not its target.
    assert_eq!(
        path_call(&mut g, "sub/up_link", wasmaot_wasi_path_unlink_file),
        0
    );
    // stat: follow vs nofollow.
    std::fs::write(s.root().join("t"), b"abc").unwrap();
    std::os::unix::fs::symlink("t", s.root().join("tl")).unwrap();
    assert_eq!(stat(&mut g, "tl", true), Ok((filetype::REGULAR_FILE, 3)));
    assert_eq!(
        stat(&mut g, "tl", false).map(|s| s.0),
        Ok(filetype::SYMBOLIC_LINK)
    );
    assert_eq!(
        stat(&mut g, "sub/..", false).map(|s| s.0),
        Ok(filetype::DIRECTORY)
    );
    assert_eq!(
        stat(&mut g, "inner_link/", false).map(|s| s.0),
        Ok(filetype::DIRECTORY)
    );
    assert_eq!(stat(&mut g, "", false), Err(errno::NOENT as i32));
    // symlink, readlink, link.
    g.put(PATH, b"targetsl");
    let vm = g.vm();
    assert_eq!(
        unsafe { wasmaot_wasi_path_symlink(vm, PATH as i32, 6, PREOPEN, PATH as i32 + 6, 2) },
        0
    );
    assert_eq!(
        std::fs::read_link(s.root().join("sl")).unwrap(),
        Path::new("target")
    );
    assert_eq!(
        unsafe {
            wasmaot_wasi_path_readlink(vm, PREOPEN, PATH as i32 + 6, 2, BUF as i32, 64, OUT as i32)
        },
        0
    );
    assert_eq!((g.u32(OUT), g.get(BUF, 6)), (6, &b"target"[..]));
    let vm = g.vm();
    assert_eq!(
        unsafe {
            wasmaot_wasi_path_readlink(
                vm,
                PREOPEN,
                PATH as i32 + 6,
                2,
                BUF as i32 + 64,
                3,
                OUT as i32,
            )
        },
        0
    );
    assert_eq!((g.u32(OUT), g.get(BUF + 64, 4)), (3, &b"tar\0"[..]));
    g.put(PATH, b"thl");
    let vm = g.vm();
    assert_eq!(
        unsafe {
            wasmaot_wasi_path_link(vm, PREOPEN, 0, PATH as i32, 1, PREOPEN, PATH as i32 + 1, 2)
        },
        0
    );
    assert_eq!(std::fs::read(s.root().join("hl")).unwrap(), b"abc");
    // set times through a path.
    g.put(PATH, b"t");
    let vm = g.vm();
    assert_eq!(
        unsafe {
            wasmaot_wasi_path_filestat_set_times(
                vm,
                PREOPEN,
                0,
                PATH as i32,
                1,
                0,
                3_000_000_000,
                4,
            )
        },
        0
    );
    use std::os::unix::fs::MetadataExt;
    assert_eq!(std::fs::metadata(s.root().join("t")).unwrap().mtime(), 3);
}

#[test]
fn open_directory_semantics() {
    let s = Sandbox::new();
    let mut g = Guest::new();
    // Go's probe: file rights (write included) on a directory fail with EISDIR...
    let file_rights = (rights::FILE_BASE & 0xffff_ffff) as i64;
    assert_eq!(
        open(&mut g, "sub", 0, 0, file_rights, 0),
        Err(errno::ISDIR as i32)
    );
    // ...then it retries with O_DIRECTORY and directory rights.
    let d = open(&mut g, "sub", 0, O_DIRECTORY, RIGHTS_R, 0).unwrap();
    let vm = g.vm();
    assert_eq!(unsafe { wasmaot_wasi_fd_fdstat_get(vm, d, OUT as i32) }, 0);
    assert_eq!(g.get(OUT, 1)[0], filetype::DIRECTORY);
    assert_eq!(read(&mut g, d, 4), Err(BADF));
    let vm = g.vm();
    assert_eq!(
        unsafe { wasmaot_wasi_fd_seek(vm, d, 0, 0, OUT as i32) },
        BADF
    );
    assert_eq!(
        open(&mut g, "hello.txt", 0, O_DIRECTORY, RIGHTS_R, 0),
        Err(errno::NOTDIR as i32)
    );
    assert_eq!(
        open(&mut g, "newdir", 0, O_DIRECTORY | O_CREAT, RIGHTS_R, 0),
        Err(errno::INVAL as i32)
    );
    assert_eq!(
        open(&mut g, "sub", 0, O_DIRECTORY | O_TRUNC, RIGHTS_R, 0),
        Err(errno::INVAL as i32)
    );
    // Creating does not grant FD_WRITE: without it a write is EBADF.
    let c = open(&mut g, "created", 0, O_CREAT, RIGHTS_R, 0).unwrap();
    assert_eq!(write(&mut g, c, b"ok"), Err(BADF));
    std::fs::write(s.root().join("created"), b"ok").unwrap();
    // Rights 0 still give a readable fd (wasi-wat's wasi_fd opens that way and reads).
    let z = open(&mut g, "created", 0, 0, 0, 0).unwrap();
    assert_eq!(read(&mut g, z, 10), Ok(b"ok".to_vec()));
    assert_eq!(
        open(&mut g, "missing", 0, 0, RIGHTS_R, 0),
        Err(errno::NOENT as i32)
    );
    assert_eq!(
        open(&mut g, "hello.txt/x", 0, 0, RIGHTS_R, 0),
        Err(errno::NOTDIR as i32)
    );
    // Read-only directory open without O_DIRECTORY works (wasmtime too).
    assert!(open(&mut g, ".", 0, 0, RIGHTS_R, 0).is_ok());
    // Paths relative to an opened subdirectory.
    g.put(PATH, b"../hello.txt");
    let vm = g.vm();
    assert_eq!(
        unsafe { wasmaot_wasi_path_open(vm, d, 0, PATH as i32, 12, 0, RIGHTS_R, 0, 0, OUT as i32) },
        PERM
    );
    // A symlink as the final component without SYMLINK_FOLLOW is ELOOP (O_NOFOLLOW).
    assert_eq!(
        open(&mut g, "sub/up_link", 0, 0, RIGHTS_R, 0),
        Err(errno::LOOP as i32)
    );
    let f = open(&mut g, "sub/up_link", 1, 0, RIGHTS_R, 0).unwrap();
    assert_eq!(read(&mut g, f, 5), Ok(b"hello".to_vec()));
}

#[test]
fn readdir_entries_cookies_truncation() {
    let s = Sandbox::new();
    let mut g = Guest::new();
    std::fs::create_dir(s.root().join("sub/dd")).unwrap();
    std::fs::write(s.root().join("sub/a_file"), b"").unwrap();
    let d = open(&mut g, "sub", 0, O_DIRECTORY, RIGHTS_R, 0).unwrap();
    let parse = |g: &Guest, used: u32| {
        let mut v = Vec::new();
        let mut at = 0;
        while at + 24 <= used {
            let b = BUF + at;
            let namlen = g.u32(b + 16);
            let name = String::from_utf8(g.get(b + 24, namlen as usize).to_vec()).unwrap();
            v.push((g.u64(b), name, g.get(b + 20, 1)[0]));
            at += 24 + namlen;
        }
        v
    };
    let vm = g.vm();
    assert_eq!(
        unsafe { wasmaot_wasi_fd_readdir(vm, d, BUF as i32, 4096, 0, OUT as i32) },
        0
    );
    let used = g.u32(OUT);
    let all = parse(&g, used);
    let mut names: Vec<_> = all.iter().map(|e| (e.1.clone(), e.2)).collect();
    assert_eq!(names[0], (".".to_string(), filetype::DIRECTORY));
    assert_eq!(names[1], ("..".to_string(), filetype::DIRECTORY));
    names.sort();
    assert_eq!(
        names,
        [
            (".".to_string(), filetype::DIRECTORY),
            ("..".to_string(), filetype::DIRECTORY),
            ("a_file".to_string(), filetype::REGULAR_FILE),
            ("dd".to_string(), filetype::DIRECTORY),
            ("up_link".to_string(), filetype::SYMBOLIC_LINK),
        ]
    );
    assert_eq!(used, 5 * 24 + 1 + 2 + 6 + 2 + 7);
    assert_eq!(all.iter().map(|e| e.0).collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
    // Resume from cookie 3.
    let vm = g.vm();
    assert_eq!(
        unsafe { wasmaot_wasi_fd_readdir(vm, d, BUF as i32, 4096, 3, OUT as i32) },
        0
    );
    let rest = parse(&g, g.u32(OUT));
    assert_eq!(
        rest.iter().map(|e| e.1.clone()).collect::<Vec<_>>(),
        all[3..].iter().map(|e| e.1.clone()).collect::<Vec<_>>()
    );
    // A buffer that ends inside the second entry: filled completely, one whole entry parsed.
    let vm = g.vm();
    assert_eq!(
        unsafe { wasmaot_wasi_fd_readdir(vm, d, BUF as i32, 30, 0, OUT as i32) },
        0
    );
    assert_eq!(g.u32(OUT), 30);
    assert_eq!(g.get(BUF + 25, 5), [2, 0, 0, 0, 0]);
    // Past the end: nothing.
    assert_eq!(
        unsafe { wasmaot_wasi_fd_readdir(vm, d, BUF as i32, 4096, 99, OUT as i32) },
        0
    );
    assert_eq!(g.u32(OUT), 0);
    // Not a directory: EBADF, as wasmtime answers (TinyGo's wasi test expects it).
    let f = open(&mut g, "hello.txt", 0, 0, RIGHTS_R, 0).unwrap();
    let vm = g.vm();
    assert_eq!(
        unsafe { wasmaot_wasi_fd_readdir(vm, f, BUF as i32, 4096, 0, OUT as i32) },
        errno::BADF as i32
    );
}

#[test]
fn sandbox_escapes_fail_and_touch_nothing() {
    let s = Sandbox::new();
    let mut g = Guest::new();
    let escapes = [
        "../outside/secret",
        "/etc/passwd",
        "abs_link/passwd",
        "link_out/secret",
        "sub/../../outside/secret",
        "inner_link/../../outside/secret",
        "..",
        "sub/../..",
    ];
    for p in escapes {
        assert_eq!(open(&mut g, p, 1, 0, RIGHTS_R, 0), Err(PERM), "open {p}");
        assert_eq!(
            open(&mut g, p, 0, O_CREAT | O_TRUNC, RIGHTS_RW, 0),
            Err(PERM),
            "create {p}"
        );
        assert_eq!(stat(&mut g, p, true), Err(PERM), "stat {p}");
        assert_eq!(
            path_call(&mut g, p, wasmaot_wasi_path_unlink_file),
            PERM,
            "unlink {p}"
        );
    }
    assert_eq!(
        path_call(
            &mut g,
            "../outside/newdir",
            wasmaot_wasi_path_create_directory
        ),
        PERM
    );
    assert_eq!(
        path_call(
            &mut g,
            "link_out/newdir",
            wasmaot_wasi_path_create_directory
        ),
        PERM
    );
    assert_eq!(
        path_call(
            &mut g,
            "/tmp/wasmaot-should-not-exist",
            wasmaot_wasi_path_create_directory
        ),
        PERM
    );
    assert_eq!(
        path_call(&mut g, "link_out/", wasmaot_wasi_path_remove_directory),
        PERM
    );
    // Renaming something in or out of the sandbox.
    g.put(PATH, b"hello.txt../outside/x");
    let vm = g.vm();
    assert_eq!(
        unsafe {
            wasmaot_wasi_path_rename(vm, PREOPEN, PATH as i32, 9, PREOPEN, PATH as i32 + 9, 12)
        },
        PERM
    );
    assert_eq!(
        unsafe {
            wasmaot_wasi_path_rename(vm, PREOPEN, PATH as i32 + 9, 12, PREOPEN, PATH as i32, 9)
        },
        PERM
    );
    // Hard link to an outside file through a symlink: refused whether the source lookup
    // follows (EINVAL, as wasmtime: following is not supported) or not (EPERM).
    g.put(PATH, b"link_out/secretstolen");
    let vm = g.vm();
    for (flags, want) in [(1, errno::INVAL as i32), (0, PERM)] {
        assert_eq!(
            unsafe {
                wasmaot_wasi_path_link(
                    vm,
                    PREOPEN,
                    flags,
                    PATH as i32,
                    15,
                    PREOPEN,
                    PATH as i32 + 15,
                    6,
                )
            },
            want
        );
    }
    // Symlink loops.
    assert_eq!(
        open(&mut g, "loop1", 1, 0, RIGHTS_R, 0),
        Err(errno::LOOP as i32)
    );
    assert_eq!(
        open(&mut g, "loop1/x", 0, 0, RIGHTS_R, 0),
        Err(errno::LOOP as i32)
    );
    assert_eq!(
        open(&mut g, "loop1", 1, O_CREAT, RIGHTS_RW, 0),
        Err(errno::LOOP as i32)
    );
    // Not following: the links themselves are fine to look at and remove.
    assert_eq!(
        stat(&mut g, "link_out", false).map(|s| s.0),
        Ok(filetype::SYMBOLIC_LINK)
    );
    assert_eq!(
        stat(&mut g, "abs_link", false).map(|s| s.0),
        Ok(filetype::SYMBOLIC_LINK)
    );
    // Inside paths that wander are fine.
    assert_eq!(
        stat(&mut g, "sub/../inner_link/../hello.txt", true),
        Ok((filetype::REGULAR_FILE, 11))
    );
    assert_eq!(
        stat(&mut g, "sub/up_link", true),
        Ok((filetype::REGULAR_FILE, 11))
    );
    assert_eq!(
        stat(&mut g, "./sub//./", true).map(|s| s.0),
        Ok(filetype::DIRECTORY)
    );
    // Nothing outside changed, nothing appeared.
    let entries: Vec<_> = std::fs::read_dir(s.outside())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(entries, ["secret"]);
    assert_eq!(
        std::fs::read(s.outside().join("secret")).unwrap(),
        b"secret"
    );
    assert!(!Path::new("/tmp/wasmaot-should-not-exist").exists());
    assert!(s.root().join("link_out").symlink_metadata().is_ok());
    assert!(s.root().join("hello.txt").exists());
}

#[test]
fn resolve_unit() {
    let s = Sandbox::new();
    let root = std::fs::File::open(s.root()).unwrap();
    use std::os::fd::AsRawFd;
    let fd = root.as_raw_fd();
    let name =
        |p: &str, follow| resolve(fd, p.as_bytes(), follow).map(|r| r.name.to_bytes().to_vec());
    assert_eq!(name("a", false), Ok(b"a".to_vec()));
    assert_eq!(name("sub/x", false), Ok(b"x".to_vec()));
    assert_eq!(name("sub/", false), Ok(b"sub/".to_vec()));
    assert_eq!(name(".", false), Ok(b".".to_vec()));
    assert_eq!(name("sub/..", false), Ok(b".".to_vec()));
    assert_eq!(name("sub/up_link", false), Ok(b"up_link".to_vec()));
    assert_eq!(name("sub/up_link", true), Ok(b"hello.txt".to_vec()));
    assert_eq!(name("inner_link", true), Ok(b"sub".to_vec()));
    assert_eq!(name("a\0b", false), Err(errno::INVAL));
    // A chain just under the limit resolves; one over is ELOOP.
    for i in 0..MAX_SYMLINKS {
        std::os::unix::fs::symlink(format!("c{}", i + 1), s.root().join(format!("c{i}"))).unwrap();
    }
    assert_eq!(
        name("c0", true),
        Ok(format!("c{MAX_SYMLINKS}").into_bytes())
    );
    std::os::unix::fs::symlink("hello.txt", s.root().join(format!("c{MAX_SYMLINKS}"))).unwrap();
    assert_eq!(name("c0", true), Err(errno::LOOP));
    assert_eq!(name("c1", true), Ok(b"hello.txt".to_vec()));
}

#[test]
fn stdio_fdstat_and_nonblock_emulation() {
    let _s = Sandbox::new();
    let mut g = Guest::new();
    // SAFETY: F_GETFL on fds that may or may not be open.
    let before: Vec<i32> = (0..3)
        .map(|fd| unsafe { libc::fcntl(fd, libc::F_GETFL) })
        .collect();
    let vm = g.vm();
    for fd in 0..3 {
        assert_eq!(unsafe { wasmaot_wasi_fd_fdstat_get(vm, fd, OUT as i32) }, 0);
        let flags = g.u16(OUT + 2);
        // Go's SetNonblock: get, then set with NONBLOCK added.
        assert_eq!(
            unsafe { wasmaot_wasi_fd_fdstat_set_flags(vm, fd, (flags | fdflags::NONBLOCK) as i32) },
            0
        );
        assert_eq!(unsafe { wasmaot_wasi_fd_fdstat_get(vm, fd, OUT as i32) }, 0);
        assert_eq!(g.u16(OUT + 2), fdflags::NONBLOCK);
        assert_eq!(
            unsafe { wasmaot_wasi_fd_seek(vm, fd, 0, 1, OUT as i32) },
            errno::SPIPE as i32
        );
    }
    assert_eq!(unsafe { wasmaot_wasi_fd_fdstat_get(vm, 0, OUT as i32) }, 0);
    assert!(g.u64(OUT + 8) & rights::FD_READ != 0);
    assert_eq!(unsafe { wasmaot_wasi_fd_fdstat_get(vm, 1, OUT as i32) }, 0);
    assert!(g.u64(OUT + 8) & rights::FD_WRITE != 0);
    // The host's stdio flags were not touched.
    let after: Vec<i32> = (0..3)
        .map(|fd| unsafe { libc::fcntl(fd, libc::F_GETFL) })
        .collect();
    assert_eq!(before, after);
}

fn put_clock_sub(g: &mut Guest, at: u32, userdata: u64, id: u32, timeout: u64, abstime: bool) {
    g.put(at, &[0u8; 48]);
    g.put_u64(at, userdata);
    g.put(at + 8, &[EVENTTYPE_CLOCK]);
    g.put_u32(at + 16, id);
    g.put_u64(at + 24, timeout);
    g.put(at + 40, &[abstime as u8, 0]);
}

#[test]
fn poll_oneoff_clocks_and_fds() {
    let _s = Sandbox::new();
    let mut g = Guest::new();
    let vm = g.vm();
    assert_eq!(
        unsafe { wasmaot_wasi_poll_oneoff(vm, IOV as i32, BUF as i32, 0, OUT as i32) },
        errno::INVAL as i32
    );
    // Relative 20 ms sleep on the monotonic clock.
    put_clock_sub(&mut g, IOV, 0xabcd, 1, 20_000_000, false);
    let t = std::time::Instant::now();
    let vm = g.vm();
    assert_eq!(
        unsafe { wasmaot_wasi_poll_oneoff(vm, IOV as i32, BUF as i32, 1, OUT as i32) },
        0
    );
    assert!(t.elapsed() >= std::time::Duration::from_millis(20));
    assert_eq!(
        (
            g.u32(OUT),
            g.u64(BUF),
            g.u16(BUF + 8),
            g.get(BUF + 10, 1)[0]
        ),
        (1, 0xabcd, 0, EVENTTYPE_CLOCK)
    );
    // Absolute deadline in the past: immediate.
    let now = mono_now();
    put_clock_sub(&mut g, IOV, 7, 1, now.saturating_sub(1), true);
    let t = std::time::Instant::now();
    let vm = g.vm();
    assert_eq!(
        unsafe { wasmaot_wasi_poll_oneoff(vm, IOV as i32, BUF as i32, 1, OUT as i32) },
        0
    );
    assert!(t.elapsed() < std::time::Duration::from_secs(1));
    assert_eq!((g.u32(OUT), g.u64(BUF)), (1, 7));
    // Realtime absolute 10 ms ahead.
    let rt = super::clock::now(0).unwrap();
    put_clock_sub(&mut g, IOV, 8, 0, rt + 10_000_000, true);
    let vm = g.vm();
    assert_eq!(
        unsafe { wasmaot_wasi_poll_oneoff(vm, IOV as i32, BUF as i32, 1, OUT as i32) },
        0
    );
    assert_eq!((g.u32(OUT), g.u64(BUF)), (1, 8));
    // A pipe: a read subscription plus a long clock. Not readable -> waits for the clock.
    let mut p = [0i32; 2];
    assert_eq!(unsafe { libc::pipe(p.as_mut_ptr()) }, 0);
    let rfd = with_ctx(std::ptr::null_mut(), |ctx| {
        ctx.insert(FdEntry {
            // SAFETY: freshly created pipe end, owned by the table from now on.
            host: HostFd::Owned(unsafe { OwnedFd::from_raw_fd(p[0]) }),
            kind: Kind::File,
            filetype: filetype::UNKNOWN,
            rights_base: rights::FD_READ,
            rights_inheriting: 0,
            stdio_flags: 0,
        })
    })
    .unwrap();
    let put_fd_sub = |g: &mut Guest, at: u32, userdata: u64, kind: u8, fd: u32| {
        g.put(at, &[0u8; 48]);
        g.put_u64(at, userdata);
        g.put(at + 8, &[kind]);
        g.put_u32(at + 16, fd);
    };
    put_fd_sub(&mut g, IOV, 1, EVENTTYPE_FD_READ, rfd);
    put_clock_sub(&mut g, IOV + 48, 2, 1, 10_000_000, false);
    let vm = g.vm();
    assert_eq!(
        unsafe { wasmaot_wasi_poll_oneoff(vm, IOV as i32, BUF as i32, 2, OUT as i32) },
        0
    );
    assert_eq!((g.u32(OUT), g.u64(BUF)), (1, 2));
    // Make it readable: the read event reports the bytes available.
    assert_eq!(unsafe { libc::write(p[1], b"xyz".as_ptr().cast(), 3) }, 3);
    put_clock_sub(&mut g, IOV + 48, 2, 1, 10_000_000_000, false);
    let vm = g.vm();
    assert_eq!(
        unsafe { wasmaot_wasi_poll_oneoff(vm, IOV as i32, BUF as i32, 2, OUT as i32) },
        0
    );
    assert_eq!(
        (
            g.u32(OUT),
            g.u64(BUF),
            g.get(BUF + 10, 1)[0],
            g.u64(BUF + 16)
        ),
        (1, 1, EVENTTYPE_FD_READ, 3)
    );
    // A write to a pipe whose reader is gone is EPIPE, not a SIGPIPE death.
    let mut q = [0i32; 2];
    assert_eq!(unsafe { libc::pipe(q.as_mut_ptr()) }, 0);
    unsafe { libc::close(q[0]) };
    let wfd = with_ctx(std::ptr::null_mut(), |ctx| {
        ctx.insert(FdEntry {
            // SAFETY: freshly created pipe end, owned by the table from now on.
            host: HostFd::Owned(unsafe { OwnedFd::from_raw_fd(q[1]) }),
            kind: Kind::File,
            filetype: filetype::UNKNOWN,
            rights_base: rights::FD_WRITE,
            rights_inheriting: 0,
            stdio_flags: 0,
        })
    })
    .unwrap();
    assert_eq!(write(&mut g, wfd as i32, b"x"), Err(errno::PIPE as i32));
    // Hang-up after the writer closes.
    unsafe { libc::close(p[1]) };
    assert_eq!(read(&mut g, rfd as i32, 10), Ok(b"xyz".to_vec()));
    // (`read` used the memory at IOV for its iovecs.)
    put_fd_sub(&mut g, IOV, 1, EVENTTYPE_FD_READ, rfd);
    put_clock_sub(&mut g, IOV + 48, 2, 1, 10_000_000_000, false);
    let vm = g.vm();
    assert_eq!(
        unsafe { wasmaot_wasi_poll_oneoff(vm, IOV as i32, BUF as i32, 2, OUT as i32) },
        0
    );
    assert_eq!((g.u32(OUT), g.u64(BUF), g.u16(BUF + 24)), (1, 1, 1));
    // Unknown fd: an event carrying EBADF, no wait. Regular file: immediately writable.
    let f = open(&mut g, "hello.txt", 0, 0, RIGHTS_RW, 0).unwrap();
    put_fd_sub(&mut g, IOV, 5, EVENTTYPE_FD_WRITE, 99);
    put_fd_sub(&mut g, IOV + 48, 6, EVENTTYPE_FD_READ, f as u32);
    put_clock_sub(&mut g, IOV + 96, 9, 1, 10_000_000_000, false);
    let vm = g.vm();
    assert_eq!(
        unsafe { wasmaot_wasi_poll_oneoff(vm, IOV as i32, BUF as i32, 3, OUT as i32) },
        0
    );
    assert_eq!(g.u32(OUT), 2);
    assert_eq!(
        (g.u64(BUF), g.u16(BUF + 8), g.get(BUF + 10, 1)[0]),
        (5, errno::BADF, EVENTTYPE_FD_WRITE)
    );
    assert_eq!(
        (g.u64(BUF + 32), g.u16(BUF + 40), g.u64(BUF + 48)),
        (6, 0, 11)
    );
    // Bad clock id / bad tag.
    put_clock_sub(&mut g, IOV, 3, 9, 0, false);
    let vm = g.vm();
    assert_eq!(
        unsafe { wasmaot_wasi_poll_oneoff(vm, IOV as i32, BUF as i32, 1, OUT as i32) },
        0
    );
    assert_eq!((g.u32(OUT), g.u16(BUF + 8)), (1, errno::INVAL));
    g.put(IOV + 8, &[7]);
    let vm = g.vm();
    assert_eq!(
        unsafe { wasmaot_wasi_poll_oneoff(vm, IOV as i32, BUF as i32, 1, OUT as i32) },
        errno::INVAL as i32
    );
}

#[test]
fn unstable_adapters() {
    let s = Sandbox::new();
    let mut g = Guest::new();
    let fd = open(&mut g, "hello.txt", 0, 0, RIGHTS_RW, 0).unwrap();
    let vm = g.vm();
    // whence: CUR = 0, END = 1, SET = 2.
    assert_eq!(
        unsafe { wasmaot_wasi_unstable_fd_seek(vm, fd, 3, 2, OUT as i32) },
        0
    );
    assert_eq!(g.u64(OUT), 3);
    assert_eq!(
        unsafe { wasmaot_wasi_unstable_fd_seek(vm, fd, 2, 0, OUT as i32) },
        0
    );
    assert_eq!(g.u64(OUT), 5);
    assert_eq!(
        unsafe { wasmaot_wasi_unstable_fd_seek(vm, fd, -1, 1, OUT as i32) },
        0
    );
    assert_eq!(g.u64(OUT), 10);
    assert_eq!(
        unsafe { wasmaot_wasi_unstable_fd_seek(vm, fd, 0, 3, OUT as i32) },
        errno::INVAL as i32
    );
    // 56-byte filestat: filetype @16, nlink u32 @20, size @24, times @32/@40/@48.
    g.put(OUT, &[0xff; 64]);
    let vm = g.vm();
    assert_eq!(
        unsafe { wasmaot_wasi_unstable_fd_filestat_get(vm, fd, OUT as i32) },
        0
    );
    use std::os::unix::fs::MetadataExt;
    let md = std::fs::metadata(s.root().join("hello.txt")).unwrap();
    assert_eq!(g.u64(OUT), md.dev());
    assert_eq!(g.u64(OUT + 8), md.ino());
    assert_eq!(g.get(OUT + 16, 4), [filetype::REGULAR_FILE, 0, 0, 0]);
    assert_eq!(g.u32(OUT + 20), 1);
    assert_eq!(g.u64(OUT + 24), 11);
    assert_eq!(
        g.u64(OUT + 40),
        md.mtime() as u64 * 1_000_000_000 + md.mtime_nsec() as u64
    );
    assert_eq!(g.get(OUT + 56, 8), [0xff; 8]);
    g.put(PATH, b"sub");
    let vm = g.vm();
    assert_eq!(
        unsafe {
            wasmaot_wasi_unstable_path_filestat_get(vm, PREOPEN, 0, PATH as i32, 3, OUT as i32)
        },
        0
    );
    assert_eq!(g.get(OUT + 16, 1)[0], filetype::DIRECTORY);
    // The preview1 layout for comparison: nlink u64 @24, size @32.
    assert_eq!(
        unsafe { wasmaot_wasi_fd_filestat_get(vm, fd, OUT as i32) },
        0
    );
    assert_eq!((g.u64(OUT + 24), g.u64(OUT + 32)), (1, 11));
    // Snapshot-0 clock subscription: identifier @16, id @24, timeout @32, flags @48.
    g.put(IOV, &[0u8; 56]);
    g.put_u64(IOV, 42);
    g.put(IOV + 8, &[EVENTTYPE_CLOCK]);
    g.put_u64(IOV + 16, 0xdead);
    g.put_u32(IOV + 24, 1);
    g.put_u64(IOV + 32, 5_000_000);
    let t = std::time::Instant::now();
    let vm = g.vm();
    assert_eq!(
        unsafe { wasmaot_wasi_unstable_poll_oneoff(vm, IOV as i32, BUF as i32, 1, OUT as i32) },
        0
    );
    assert!(t.elapsed() >= std::time::Duration::from_millis(5));
    assert_eq!(
        (g.u32(OUT), g.u64(BUF), g.get(BUF + 10, 1)[0]),
        (1, 42, EVENTTYPE_CLOCK)
    );
    assert_eq!(whence_to_p1(2), Ok(0));
    assert_eq!(
        unsafe { wasmaot_wasi_unstable_poll_oneoff(vm, IOV as i32, BUF as i32, 0, OUT as i32) },
        errno::INVAL as i32
    );
}

#[test]
fn openat2_beneath_refuses_escapes() {
    let s = Sandbox::new();
    let root = std::fs::File::open(s.root()).unwrap();
    let base = std::os::fd::AsRawFd::as_raw_fd(&root);
    let flags = libc::O_RDONLY | libc::O_CLOEXEC;
    // `None` only on kernels without openat2 (< 5.6), where the manual walk is used.
    let Some(ok) = super::path::open_beneath(base, b"hello.txt", flags) else {
        return;
    };
    assert!(ok.is_ok());
    for escape in [
        &b"../outside/secret"[..],
        b"sub/../../outside/secret",
        b"link_out/secret",
        b"abs_link/passwd",
    ] {
        assert_eq!(
            super::path::open_beneath(base, escape, flags).map(|r| r.map(drop)),
            Some(Err(errno::PERM)),
            "{}",
            String::from_utf8_lossy(escape)
        );
    }
    assert_eq!(
        super::path::open_beneath(base, b"loop1", flags).map(|r| r.map(drop)),
        Some(Err(errno::LOOP))
    );
    assert_eq!(
        super::path::open_beneath(base, b"sub/up_link", flags).map(|r| r.is_ok()),
        Some(true)
    );
}

/// Runs `f` between the two halves of the trace, as the exported wrapper does when tracing is
/// on, and returns the line it would write.
fn traced(
    g: &mut Guest,
    decoder: &super::trace_format::Decoder,
    args: &[i64],
    f: impl FnOnce(*mut u8) -> i32,
) -> String {
    let vm = g.vm();
    unsafe {
        let line = super::trace::before(vm, decoder, args);
        let result = f(vm);
        let line = super::trace::finish(line, decoder, args, result);
        String::from_utf8(line.as_bytes().to_vec()).unwrap()
    }
}

#[test]
fn trace_shows_errno_and_flags_by_name() {
    let _s = Sandbox::new();
    let mut g = Guest::new();
    let path = "missing.txt";
    g.put(PATH, path.as_bytes());
    let args = [
        i64::from(PREOPEN),
        1,
        i64::from(PATH),
        path.len() as i64,
        i64::from(O_TRUNC),
        RIGHTS_R,
        rights::FD_READ as i64,
        i64::from(fdflags::APPEND | fdflags::NONBLOCK),
        i64::from(OUT),
    ];
    let line = traced(
        &mut g,
        &super::trace_format::path_open,
        &args,
        |vm| unsafe {
            wasmaot_wasi_path_open(
                vm,
                PREOPEN,
                1,
                PATH as i32,
                11,
                O_TRUNC,
                RIGHTS_R,
                2,
                5,
                OUT as i32,
            )
        },
    );
    assert_eq!(
        line,
        format!(
            "wasi: path_open(fd=3, flags=SYMLINK_FOLLOW, path=\"missing.txt\", oflags=TRUNC, \
             rights_base={RIGHTS_R:#x}, rights_inheriting=FD_READ, fdflags=APPEND|NONBLOCK) \
             -> noent\n"
        )
    );

    // A bad fd; the data is shown before the call.
    g.put(BUF, b"hi \"there\"\n");
    g.put_u32(IOV, BUF);
    g.put_u32(IOV + 4, 11);
    let args = [77, i64::from(IOV), 1, i64::from(OUT)];
    let line = traced(&mut g, &super::trace_format::fd_write, &args, |vm| unsafe {
        wasmaot_wasi_fd_write(vm, 77, IOV as i32, 1, OUT as i32)
    });
    assert_eq!(
        line,
        "wasi: fd_write(fd=77, iovs=[\"hi \\\"there\\\"\\n\"]) -> badf\n"
    );

    // Opened: the out-value; then a write and a read through it.
    g.put(PATH, b"new.txt");
    let args = [
        3,
        0,
        i64::from(PATH),
        7,
        i64::from(O_CREAT | O_EXCL),
        RIGHTS_RW,
        0,
        0,
        i64::from(OUT),
    ];
    let line = traced(
        &mut g,
        &super::trace_format::path_open,
        &args,
        |vm| unsafe {
            wasmaot_wasi_path_open(
                vm,
                3,
                0,
                PATH as i32,
                7,
                O_CREAT | O_EXCL,
                RIGHTS_RW,
                0,
                0,
                OUT as i32,
            )
        },
    );
    let fd = g.u32(OUT);
    assert!(
        line.starts_with("wasi: path_open(fd=3, flags=0, path=\"new.txt\", oflags=CREAT|EXCL, ")
            && line.ends_with(&format!(", fdflags=0) -> success, opened_fd={fd}\n")),
        "{line}"
    );
    let long = [b'x'; 100];
    g.put(BUF, &long);
    g.put_u32(IOV, BUF);
    g.put_u32(IOV + 4, 100);
    let args = [i64::from(fd), i64::from(IOV), 1, i64::from(OUT)];
    let line = traced(&mut g, &super::trace_format::fd_write, &args, |vm| unsafe {
        wasmaot_wasi_fd_write(vm, fd as i32, IOV as i32, 1, OUT as i32)
    });
    assert_eq!(
        line,
        format!(
            "wasi: fd_write(fd={fd}, iovs=[\"{}\"...(100 bytes)]) -> success, nwritten=100\n",
            "x".repeat(64)
        )
    );
    let args = [i64::from(fd), 0, 0, 0, i64::from(OUT)];
    let line = traced(&mut g, &super::trace_format::fd_seek, &args, |vm| unsafe {
        wasmaot_wasi_fd_seek(vm, fd as i32, 0, 0, OUT as i32)
    });
    assert_eq!(
        line,
        format!("wasi: fd_seek(fd={fd}, offset=0, whence=SET) -> success, newoffset=0\n")
    );
    g.put_u32(IOV, BUF + 200);
    g.put_u32(IOV + 4, 3);
    g.put_u32(IOV + 8, BUF + 300);
    g.put_u32(IOV + 12, 500);
    let args = [i64::from(fd), i64::from(IOV), 2, i64::from(OUT)];
    let line = traced(&mut g, &super::trace_format::fd_read, &args, |vm| unsafe {
        wasmaot_wasi_fd_read(vm, fd as i32, IOV as i32, 2, OUT as i32)
    });
    assert_eq!(
        line,
        format!(
            "wasi: fd_read(fd={fd}, iovs_len=2) -> success, nread=100, data=[\"xxx\", \"{}\"...(97 bytes)]\n",
            "x".repeat(61)
        )
    );
}

#[test]
fn trace_shows_bad_pointers_without_faulting() {
    let _s = Sandbox::new();
    let mut g = Guest::new();
    let args = [
        i64::from(PREOPEN),
        0,
        0xffff_fff0,
        32,
        0,
        0,
        0,
        0,
        i64::from(OUT),
    ];
    let line = traced(
        &mut g,
        &super::trace_format::path_open,
        &args,
        |vm| unsafe { wasmaot_wasi_path_open(vm, PREOPEN, 0, -16, 32, 0, 0, 0, 0, OUT as i32) },
    );
    assert_eq!(
        line,
        "wasi: path_open(fd=3, flags=0, path=<bad pointer 0xfffffff0>+32, oflags=0, \
         rights_base=0, rights_inheriting=0, fdflags=0) -> fault\n"
    );
    let args = [1, i64::from(MEM_SIZE as u32 - 4), 1, i64::from(OUT)];
    let line = traced(&mut g, &super::trace_format::fd_write, &args, |vm| unsafe {
        wasmaot_wasi_fd_write(vm, 1, MEM_SIZE as i32 - 4, 1, OUT as i32)
    });
    assert_eq!(
        line,
        format!(
            "wasi: fd_write(fd=1, iovs=[<bad pointer {:#x}>]) -> fault\n",
            MEM_SIZE - 4
        )
    );
}

#[test]
fn trace_shows_args_and_clock_by_name() {
    let _s = Sandbox::new();
    let mut g = Guest::new();
    let line = traced(
        &mut g,
        &super::trace_format::args_get,
        &[100, 200],
        |vm| unsafe { wasmaot_wasi_args_get(vm, 100, 200) },
    );
    assert_eq!(
        line,
        "wasi: args_get() -> success, args=[\"prog\", \"a b\", \"\"]\n"
    );
    let line = traced(
        &mut g,
        &super::trace_format::clock_time_get,
        &[1, 1000, i64::from(OUT)],
        |vm| unsafe { wasmaot_wasi_clock_time_get(vm, 1, 1000, OUT as i32) },
    );
    assert_eq!(
        line,
        format!(
            "wasi: clock_time_get(id=monotonic, precision=1000) -> success, time={}\n",
            g.u64(OUT)
        )
    );
    let line = traced(
        &mut g,
        &super::trace_format::clock_time_get,
        &[9, 0, i64::from(OUT)],
        |vm| unsafe { wasmaot_wasi_clock_time_get(vm, 9, 0, OUT as i32) },
    );
    assert_eq!(line, "wasi: clock_time_get(id=9, precision=0) -> inval\n");
}

/// Every decoder, with the arity of its function, on hostile values: no panic, and a line
/// that starts with its name.
#[test]
fn trace_decoders_never_panic() {
    let _s = Sandbox::new();
    let mut g = Guest::new();
    // Plausible records at 0 so that the out-value decoders follow pointers into memory.
    g.put_u32(0, 16);
    g.put_u32(4, 0xffff_ffff);
    for &(decoder, arity) in super::DECODERS {
        for v in [
            0,
            1,
            -1,
            i64::from(i32::MIN),
            i64::MAX,
            i64::from(MEM_SIZE as u32 - 2),
        ] {
            let args = vec![v; arity];
            let vm = g.vm();
            let line = unsafe {
                let line = super::trace::before(vm, decoder, &args);
                super::trace::finish(line, decoder, &args, 0)
            };
            let text = String::from_utf8(line.as_bytes().to_vec()).unwrap();
            assert!(
                text.starts_with(&format!("wasi: {}(", decoder.name)),
                "{text}"
            );
            assert!(text.ends_with('\n'), "{text}");
        }
    }
}

#[test]
fn trace_shows_subscriptions_and_events() {
    let _s = Sandbox::new();
    let mut g = Guest::new();
    // One relative clock subscription of 1 ms at BUF; events at BUF + 512.
    g.put_u64(BUF, 7);
    g.put(BUF + 8, &[0]);
    g.put_u32(BUF + 16, 1);
    g.put_u64(BUF + 24, 1_000_000);
    let args = [i64::from(BUF), i64::from(BUF + 512), 1, i64::from(OUT)];
    let line = traced(
        &mut g,
        &super::trace_format::poll_oneoff,
        &args,
        |vm| unsafe { wasmaot_wasi_poll_oneoff(vm, BUF as i32, BUF as i32 + 512, 1, OUT as i32) },
    );
    assert_eq!(
        line,
        "wasi: poll_oneoff(in=[{userdata=7, clock monotonic timeout=1000000}]) -> success, \
         nevents=1, events=[{userdata=7, clock, success}]\n"
    );
    // An unknown event type.
    g.put(BUF + 8, &[9]);
    let line = traced(
        &mut g,
        &super::trace_format::poll_oneoff,
        &args,
        |vm| unsafe { wasmaot_wasi_poll_oneoff(vm, BUF as i32, BUF as i32 + 512, 1, OUT as i32) },
    );
    assert_eq!(
        line,
        "wasi: poll_oneoff(in=<1 subscriptions, one of an unknown type>) -> inval\n"
    );
}

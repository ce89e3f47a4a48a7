//! Memory images (`segment_mode::IMAGE` data entries): the whole pages of an image are mapped
//! copy-on-write from the executable file, so start-up costs a page fault per page the program
//! touches instead of a copy of every byte; whatever cannot be mapped is copied.
//!
//! Must never map from a file other than the one the image was loaded from (only the main
//! executable qualifies: `/proc/self/exe` is its inode even if its path was replaced; a shared
//! object's path may name another file by now, so images in one are copied), and never leave a
//! hole in a memory: a failed mapping is replaced by fresh zero pages before copying.

use core::ffi::{c_int, c_void};

use wasmaot_abi::trap::TrapCode;

use super::data::InstanceData;

/// Writes image `bytes` at `dst` in memory `mem` (in bounds, or an out-of-bounds trap): maps
/// its whole pages from the executable where it can, copies the rest.
pub(super) fn write(
    d: &mut InstanceData,
    mem: u32,
    dst: u64,
    bytes: &'static [u8],
) -> Result<(), TrapCode> {
    let t = d
        .memory(mem)
        .and_then(|m| m.range(dst, bytes.len() as u64))
        .ok_or(TrapCode::MemoryOutOfBounds)?;
    // SAFETY: `t .. t + bytes.len()` is in bounds of the memory.
    unsafe { map_or_copy(t, bytes) };
    Ok(())
}

/// Puts `bytes` at `t`; returns how many of them were mapped rather than copied.
///
/// # Safety
/// `t .. t + bytes.len()` must be writable memory of one linear memory's own mapping.
unsafe fn map_or_copy(t: *mut u8, bytes: &'static [u8]) -> usize {
    let (head, body) = map_from_executable(t, bytes);
    if body == 0 {
        // SAFETY: the caller's range is accessible memory of a linear memory.
        unsafe { populate(t, bytes.len()) };
    }
    // SAFETY: the caller's range cannot overlap `bytes` (read-only module data); the mapped
    // body already holds its bytes.
    unsafe {
        core::ptr::copy_nonoverlapping(bytes.as_ptr(), t, head);
        let tail = head + body;
        core::ptr::copy_nonoverlapping(bytes.as_ptr().add(tail), t.add(tail), bytes.len() - tail);
    }
    body
}

/// Maps the page-aligned middle of `src` (in the main executable's file) over `dst`, which
/// must be writable memory of its own mapping; returns the bytes before it and its length
/// (`(0, 0)`: nothing mapped).
fn map_from_executable(dst: *mut u8, src: &'static [u8]) -> (usize, usize) {
    let page = page_size();
    let addr = src.as_ptr() as usize;
    // A loaded segment's addresses and file offsets agree modulo the page size.
    let head = (page - addr % page) % page;
    let body = src.len().saturating_sub(head) / page * page;
    if body == 0 || !(dst as usize + head).is_multiple_of(page) {
        return (0, 0);
    }
    let Some(file_offset) = executable_file_offset(addr + head, body) else {
        return (0, 0);
    };
    // SAFETY: a read-only open of our own executable; the descriptor is closed below.
    let fd = unsafe { libc::open(c"/proc/self/exe".as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC) };
    if fd < 0 {
        return (0, 0);
    }
    let at = dst.wrapping_add(head).cast::<c_void>();
    let flags = libc::MAP_PRIVATE | libc::MAP_FIXED;
    let rw = libc::PROT_READ | libc::PROT_WRITE;
    // SAFETY: `at .. at + body` is page-aligned, writable memory of one linear memory's own
    // mapping (so replacing it affects nothing else); the file range is inside a loaded segment.
    let mapped = unsafe { libc::mmap(at, body, rw, flags, fd, file_offset as libc::off_t) };
    // SAFETY: `fd` is ours.
    unsafe { libc::close(fd) };
    if mapped == at {
        return (head, body);
    }
    // A failed MAP_FIXED may have unmapped the range: put fresh zero pages back, then copy.
    let anon = flags | libc::MAP_ANONYMOUS;
    // SAFETY: as above.
    let back = unsafe { libc::mmap(at, body, rw, anon, -1, 0) };
    assert!(
        back == at,
        "cannot restore linear memory after a failed image mapping"
    );
    (0, 0)
}

/// Faults in the pages of `t .. t + len` in one system call before a copy, instead of a page
/// fault per page (a hint: kernels before 5.14 answer `EINVAL`, which is ignored).
///
/// # Safety
/// The range must be accessible memory whose contents may be populated.
unsafe fn populate(t: *mut u8, len: usize) {
    const MADV_POPULATE_WRITE: c_int = 23;
    let page = page_size();
    let start = t as usize / page * page;
    // SAFETY: the pages overlapping the caller's range belong to the same mapping;
    // populating changes no contents.
    unsafe {
        libc::madvise(
            start as *mut c_void,
            t as usize + len - start,
            MADV_POPULATE_WRITE,
        )
    };
}

fn page_size() -> usize {
    // SAFETY: getauxval has no preconditions.
    match unsafe { libc::getauxval(libc::AT_PAGESZ) } {
        0 => 4096,
        p => p as usize,
    }
}

/// The file offset of `addr .. addr + len` if it lies in a file-backed loaded segment of the
/// main executable: the first object `dl_iterate_phdr` reports (glibc names it "", static musl
/// "/proc/self/exe", dynamic musl its `argv[0]`).
fn executable_file_offset(addr: usize, len: usize) -> Option<u64> {
    struct Query {
        addr: usize,
        len: usize,
        found: Option<u64>,
    }
    unsafe extern "C" fn visit(
        info: *mut libc::dl_phdr_info,
        _size: libc::size_t,
        data: *mut c_void,
    ) -> c_int {
        // SAFETY: the C library passes a valid info record, and `data` is our `Query`.
        let (info, q) = unsafe { (&*info, &mut *data.cast::<Query>()) };
        if info.dlpi_phdr.is_null() {
            return 1;
        }
        // SAFETY: `dlpi_phdr` points at `dlpi_phnum` program headers.
        let phdrs =
            unsafe { core::slice::from_raw_parts(info.dlpi_phdr, info.dlpi_phnum as usize) };
        let Some(rel) = q.addr.checked_sub(info.dlpi_addr as usize) else {
            return 1;
        };
        for ph in phdrs.iter().filter(|ph| ph.p_type == libc::PT_LOAD) {
            let (start, filesz) = (ph.p_vaddr as usize, ph.p_filesz as usize);
            if rel >= start && rel + q.len <= start + filesz {
                q.found = Some(ph.p_offset + (rel - start) as u64);
            }
        }
        // Only the first object is the main executable.
        1
    }
    let mut q = Query {
        addr,
        len,
        found: None,
    };
    // SAFETY: `visit` only reads the records and writes `q`, which outlives the call.
    unsafe { libc::dl_iterate_phdr(Some(visit), (&raw mut q).cast()) };
    q.found
}

#[cfg(test)]
mod tests {
    use super::map_or_copy;
    use crate::memory::LinearMemory;

    const LEN: usize = 5 * 4096;

    const fn pattern() -> [u8; LEN] {
        let mut a = [0u8; LEN];
        let mut i = 0;
        while i < LEN {
            a[i] = (i * 7 + i / 4096) as u8;
            i += 1;
        }
        a
    }

    /// Page-aligned read-only data of this test executable, as an image is in an executable.
    #[repr(C, align(4096))]
    struct Aligned([u8; LEN]);
    static IMAGE: Aligned = Aligned(pattern());

    fn put(bytes: &'static [u8], at: u64) -> (usize, Vec<u8>) {
        let mem = LinearMemory::new(1, 1).unwrap();
        let t = mem.range(at, bytes.len() as u64).unwrap();
        // SAFETY: an in-bounds range of a memory of our own.
        let mapped = unsafe { map_or_copy(t, bytes) };
        // The mapping is private and writable: a write changes this memory only.
        // SAFETY: as above.
        unsafe { *t = !bytes[0] };
        // SAFETY: as above.
        let got = unsafe { core::slice::from_raw_parts(t, bytes.len()) }.to_vec();
        (mapped, got)
    }

    #[test]
    fn whole_pages_are_mapped_and_the_rest_copied() {
        let mut want = IMAGE.0[100..].to_vec();
        want[0] = !want[0];
        // Starts 100 bytes into a page: the head is copied, the four whole pages after it mapped.
        let (mapped, got) = put(&IMAGE.0[100..], 4096 + 100);
        assert_eq!(mapped, 4 * 4096);
        assert_eq!(got, want);
        assert_eq!(
            IMAGE.0[100],
            pattern()[100],
            "the executable's copy is unchanged"
        );
        // A second memory (another instance of the module) starts from the image again.
        assert_eq!(put(&IMAGE.0[100..], 4096 + 100), (4 * 4096, want.clone()));
        // Destination and file disagree modulo the page size: everything is copied.
        let (mapped, got) = put(&IMAGE.0[100..], 0);
        assert_eq!((mapped, got), (0, want));
    }

    #[test]
    fn bytes_outside_the_executable_are_copied() {
        let bytes: &'static [u8] = Box::leak(pattern().to_vec().into_boxed_slice());
        let (mapped, got) = put(bytes, 0);
        let mut want = pattern().to_vec();
        want[0] = !want[0];
        assert_eq!((mapped, got), (0, want));
    }
}

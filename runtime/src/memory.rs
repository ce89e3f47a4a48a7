//! Linear memory: one [`abi::MEMORY_RESERVATION`](wasmaot_abi::MEMORY_RESERVATION) mapping per
//! 32-bit memory, `PROT_NONE` except for the first `length` bytes, so compiled code needs no
//! bounds checks (an access past `length` faults and becomes `out of bounds memory access`).
//!
//! A 64-bit memory (memory64 proposal) is bounds-checked explicitly by compiled code against
//! `length`, so it needs no guard region: its mapping is just the most it may grow to, its
//! declared maximum capped at [`MAX_PAGES64`] pages; growing beyond returns -1.
//!
//! A process-wide byte limit ([`set_byte_limit`], an executable's `--max-memory`) caps every
//! memory: growing past it fails (`memory.grow` returns -1) and a larger minimum is an error.
//!
//! Must never move the base of a memory (compiled code caches it) and never make a byte past
//! the current length accessible.

use core::ptr;
use core::sync::atomic::{AtomicU64, Ordering};

use wasmaot_abi::vmctx::memory_def;
use wasmaot_abi::{MEMORY_RESERVATION, WASM_PAGE_SIZE};

/// The most pages a 32-bit memory can have (4 GiB).
pub const MAX_PAGES: u64 = 65536;

/// The most pages a 64-bit memory can have here (8 GiB: the address space a 32-bit memory
/// reserves with its guard; the memory64 proposal allows up to 2^48 pages, but its base never
/// moves, so its whole maximum is reserved up front).
pub const MAX_PAGES64: u64 = (8 << 30) / WASM_PAGE_SIZE;

/// The most bytes any linear memory may have (`--max-memory`); `u64::MAX`: no limit.
static BYTE_LIMIT: AtomicU64 = AtomicU64::new(u64::MAX);

/// Sets the limit of every linear memory created or grown from now on (an executable's
/// entry point, before instantiation).
pub(crate) fn set_byte_limit(bytes: u64) {
    BYTE_LIMIT.store(bytes, Ordering::Relaxed);
}

fn byte_limit() -> u64 {
    BYTE_LIMIT.load(Ordering::Relaxed)
}

/// `{base, length}`: the record compiled code reads through `memory0_def` / `memories[i]`.
#[repr(C)]
#[derive(Debug)]
pub struct VMMemoryDefinition {
    pub base: *mut u8,
    /// Current length in bytes.
    pub length: u64,
}

const _: () = {
    assert!(core::mem::offset_of!(VMMemoryDefinition, base) == memory_def::BASE as usize);
    assert!(core::mem::offset_of!(VMMemoryDefinition, length) == memory_def::LENGTH as usize);
    assert!(core::mem::size_of::<VMMemoryDefinition>() == memory_def::SIZE as usize);
};

/// Why a memory could not be created.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MemoryError {
    #[error("memory minimum of {0} pages exceeds the limit of {1} pages")]
    MinTooLarge(u64, u64),
    #[error("memory minimum of {min} pages exceeds its maximum of {max} pages")]
    MinAboveMax { min: u64, max: u64 },
    /// wasmtime's wording for the same failure.
    #[error("memory minimum size of {0} pages exceeds memory limits (--max-memory {1} bytes)")]
    MinAboveLimit(u64, u64),
    #[error("cannot reserve linear memory: {0}")]
    Os(String),
}

/// One linear memory. The definition record is the first field so a `*mut VMMemoryDefinition`
/// handed to an importing instance can be turned back into its `LinearMemory` (for
/// `memory.grow` on an imported memory). Allocated with `Box` and never moved.
#[repr(C)]
#[derive(Debug)]
pub struct LinearMemory {
    def: VMMemoryDefinition,
    /// Maximum in pages (already capped at [`MAX_PAGES`] or [`MAX_PAGES64`]).
    max_pages: u64,
    /// The declared maximum as written in the module (`NO_MAX` when none), for import checks.
    declared_max: u64,
    /// Bytes mapped at `base` (unmapped on drop).
    reservation: u64,
    /// A 64-bit memory (i64 addresses, explicit bounds checks in compiled code).
    index64: bool,
}

fn os_error() -> String {
    std::io::Error::last_os_error().to_string()
}

impl LinearMemory {
    /// A 32-bit memory: reserves the address space and makes the first `min_pages` pages
    /// read-write (zeroed). `max_pages` is [`wasmaot_abi::descriptor::NO_MAX`] when unbounded.
    pub fn new(min_pages: u64, max_pages: u64) -> Result<Box<LinearMemory>, MemoryError> {
        Self::with_index_type(min_pages, max_pages, false)
    }

    /// A 32-bit memory (`index64` false, as [`LinearMemory::new`]) or a 64-bit one.
    pub fn with_index_type(
        min_pages: u64,
        max_pages: u64,
        index64: bool,
    ) -> Result<Box<LinearMemory>, MemoryError> {
        let limit = if index64 { MAX_PAGES64 } else { MAX_PAGES };
        if min_pages > limit {
            return Err(MemoryError::MinTooLarge(min_pages, limit));
        }
        if min_pages.saturating_mul(WASM_PAGE_SIZE) > byte_limit() {
            return Err(MemoryError::MinAboveLimit(min_pages, byte_limit()));
        }
        if min_pages > max_pages {
            return Err(MemoryError::MinAboveMax {
                min: min_pages,
                max: max_pages,
            });
        }
        let declared_max = max_pages;
        let max_pages = max_pages.min(limit);
        // A 32-bit memory needs its guard; a 64-bit one only room to grow (at least a page:
        // mmap rejects an empty mapping).
        let reservation = match index64 {
            false => MEMORY_RESERVATION,
            true => (max_pages * WASM_PAGE_SIZE).max(WASM_PAGE_SIZE),
        };
        // SAFETY: a fresh anonymous PROT_NONE mapping; we own it until Drop.
        let base = unsafe {
            libc::mmap(
                ptr::null_mut(),
                reservation as usize,
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(MemoryError::Os(os_error()));
        }
        let mut mem = Box::new(LinearMemory {
            def: VMMemoryDefinition {
                base: base.cast(),
                length: 0,
            },
            max_pages,
            declared_max,
            reservation,
            index64,
        });
        if min_pages > 0 && mem.grow(min_pages).is_none() {
            return Err(MemoryError::Os(os_error()));
        }
        Ok(mem)
    }

    /// The definition record (stable address for the memory's lifetime).
    pub fn definition(&mut self) -> *mut VMMemoryDefinition {
        &mut self.def
    }

    /// Recovers the memory from a definition pointer obtained from [`LinearMemory::definition`].
    ///
    /// # Safety
    /// `def` must come from `definition()` of a live `LinearMemory`.
    pub unsafe fn from_definition<'a>(def: *mut VMMemoryDefinition) -> &'a mut LinearMemory {
        // SAFETY: `def` is the first field of a #[repr(C)] LinearMemory (caller's contract).
        unsafe { &mut *def.cast::<LinearMemory>() }
    }

    pub fn base(&self) -> *mut u8 {
        self.def.base
    }

    /// Current length in bytes.
    pub fn byte_len(&self) -> u64 {
        self.def.length
    }

    /// Current size in pages.
    pub fn pages(&self) -> u64 {
        self.def.length / WASM_PAGE_SIZE
    }

    /// Maximum the module declared ([`wasmaot_abi::descriptor::NO_MAX`] when none).
    pub fn declared_max(&self) -> u64 {
        self.declared_max
    }

    /// Whether this is a 64-bit memory (memory64 proposal).
    pub fn is_64(&self) -> bool {
        self.index64
    }

    /// `memory.grow`: the old size in pages, or `None` if the memory cannot grow by `delta`.
    pub fn grow(&mut self, delta: u64) -> Option<u64> {
        let old = self.pages();
        let new = old.checked_add(delta)?;
        if new > self.max_pages || new * WASM_PAGE_SIZE > byte_limit() {
            return None;
        }
        if delta == 0 {
            return Some(old);
        }
        let new_len = new * WASM_PAGE_SIZE;
        // SAFETY: [base+length, base+new_len) lies inside our reservation (new <= max_pages,
        // and `new` reserved max_pages, or 65536 pages = 4 GiB < MEMORY_RESERVATION). Freshly
        // unprotected anonymous pages read as zero.
        let rc = unsafe {
            libc::mprotect(
                self.def.base.add(self.def.length as usize).cast(),
                (new_len - self.def.length) as usize,
                libc::PROT_READ | libc::PROT_WRITE,
            )
        };
        if rc != 0 {
            return None;
        }
        self.def.length = new_len;
        Some(old)
    }

    /// Checks that `[offset, offset+len)` is inside the memory and returns its address.
    pub fn range(&self, offset: u64, len: u64) -> Option<*mut u8> {
        let end = offset.checked_add(len)?;
        if end > self.def.length {
            return None;
        }
        // SAFETY: in bounds of the accessible part of the reservation.
        Some(unsafe { self.def.base.add(offset as usize) })
    }
}

impl Drop for LinearMemory {
    fn drop(&mut self) {
        // SAFETY: unmapping exactly the reservation made in `new`.
        unsafe {
            libc::munmap(self.def.base.cast(), self.reservation as usize);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmaot_abi::descriptor::NO_MAX;

    #[test]
    fn reserve_and_grow() {
        let mut m = LinearMemory::new(1, 3).unwrap();
        assert_eq!(m.pages(), 1);
        // SAFETY: first page is RW.
        unsafe {
            assert_eq!(*m.base().add(65535), 0);
            *m.base().add(65535) = 7;
        }
        assert_eq!(m.grow(1), Some(1));
        assert_eq!(m.grow(2), None);
        assert_eq!(m.grow(1), Some(2));
        assert_eq!(m.grow(0), Some(3));
        assert_eq!(m.grow(1), None);
        assert_eq!(m.byte_len(), 3 * WASM_PAGE_SIZE);
        // SAFETY: page 2 is RW now and zeroed.
        unsafe { assert_eq!(*m.base().add(3 * 65536 - 1), 0) };
        assert!(m.range(3 * 65536 - 4, 4).is_some());
        assert!(m.range(3 * 65536 - 3, 4).is_none());
        assert!(m.range(u64::MAX, 2).is_none());
    }

    #[test]
    fn limits() {
        assert_eq!(
            LinearMemory::new(65537, NO_MAX).unwrap_err(),
            MemoryError::MinTooLarge(65537, MAX_PAGES)
        );
        assert!(matches!(
            LinearMemory::new(2, 1),
            Err(MemoryError::MinAboveMax { .. })
        ));
        let mut m = LinearMemory::new(0, NO_MAX).unwrap();
        assert_eq!(m.grow(65537), None);
        assert_eq!(m.grow(u64::MAX), None);
        assert_eq!(m.pages(), 0);
        let def = m.definition();
        // SAFETY: def comes from definition().
        assert_eq!(unsafe { LinearMemory::from_definition(def) }.pages(), 0);
    }

    #[test]
    fn memory64_grows_past_4_gib_up_to_its_cap() {
        // Unbounded: capped at MAX_PAGES64, past the 65536 pages of a 32-bit memory.
        let mut m = LinearMemory::with_index_type(65537, NO_MAX, true).unwrap();
        assert!(m.is_64() && !LinearMemory::new(0, 0).unwrap().is_64());
        assert_eq!(m.byte_len(), 65537 * WASM_PAGE_SIZE);
        let last = 65537 * WASM_PAGE_SIZE - 1;
        let p = m.range(last, 1).unwrap();
        // SAFETY: the last byte of the memory, above 4 GiB, is RW.
        unsafe { *p = 9 };
        assert!(m.range(last, 2).is_none());
        assert_eq!(m.grow(MAX_PAGES64 - 65537), Some(65537));
        assert_eq!(m.grow(1), None);
        assert_eq!(
            LinearMemory::with_index_type(MAX_PAGES64 + 1, NO_MAX, true).unwrap_err(),
            MemoryError::MinTooLarge(MAX_PAGES64 + 1, MAX_PAGES64)
        );
        // A declared maximum (even 0) is all that is reserved, and all it may grow to.
        let mut m = LinearMemory::with_index_type(0, 0, true).unwrap();
        assert_eq!(m.grow(1), None);
        let mut m = LinearMemory::with_index_type(1, 1 << 48, true).unwrap();
        assert_eq!(m.declared_max(), 1 << 48);
        assert_eq!(m.grow(1), Some(1));
    }
}

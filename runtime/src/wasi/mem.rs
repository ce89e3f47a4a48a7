//! Guest linear-memory access for host functions: every guest pointer/length is checked against
//! memory 0's current length; out of range is EFAULT. Accesses are unaligned-safe. A module
//! that exports no `memory` ends here (`crate::run_mode`).
//! Must never hand out a host pointer that was not bounds-checked.

use super::errno::{self, Errno};
use wasmaot_abi::vmctx::{VmOffsets, memory_def};

/// A view of memory 0 of the calling instance.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Mem {
    base: *mut u8,
    len: u64,
    /// The calling instance's vmctx (which WASI context to use, see `super::with_ctx`).
    vmctx: *mut u8,
}

impl Mem {
    /// Reads memory 0's base and current length from the vmctx fixed prefix.
    ///
    /// # Safety
    /// `vmctx` is null or points at a VMContext whose memory fields are valid.
    pub(crate) unsafe fn from_vmctx(vmctx: *mut u8) -> Mem {
        crate::run_mode::check_memory_export();
        if vmctx.is_null() {
            return Mem {
                base: std::ptr::null_mut(),
                len: 0,
                vmctx,
            };
        }
        // SAFETY: per the caller's contract, the fixed prefix is readable.
        unsafe {
            let base = vmctx
                .add(VmOffsets::MEMORY0_BASE as usize)
                .cast::<*mut u8>()
                .read_unaligned();
            let def = vmctx
                .add(VmOffsets::MEMORY0_DEF as usize)
                .cast::<*const u8>()
                .read_unaligned();
            let len = if base.is_null() || def.is_null() {
                0
            } else {
                def.add(memory_def::LENGTH as usize)
                    .cast::<u64>()
                    .read_unaligned()
            };
            Mem { base, len, vmctx }
        }
    }

    /// The vmctx this view was read from.
    pub(crate) fn vmctx(&self) -> *mut u8 {
        self.vmctx
    }

    /// Host address of guest range `[ptr, ptr + len)`, or EFAULT.
    pub(crate) fn range(&self, ptr: u32, len: u32) -> Result<*mut u8, Errno> {
        if u64::from(ptr) + u64::from(len) > self.len {
            return Err(errno::FAULT);
        }
        // SAFETY: in bounds of the memory per the check above.
        Ok(unsafe { self.base.add(ptr as usize) })
    }

    pub(crate) fn read_bytes(&self, ptr: u32, len: u32) -> Result<Vec<u8>, Errno> {
        let p = self.range(ptr, len)?;
        let mut v = vec![0u8; len as usize];
        // SAFETY: `p` is valid for `len` bytes; `v` is a distinct host allocation.
        unsafe { std::ptr::copy_nonoverlapping(p, v.as_mut_ptr(), len as usize) };
        Ok(v)
    }

    pub(crate) fn write_bytes(&self, ptr: u32, data: &[u8]) -> Result<(), Errno> {
        let len = u32::try_from(data.len()).map_err(|_| errno::FAULT)?;
        let p = self.range(ptr, len)?;
        // SAFETY: `p` is valid for `len` bytes; `data` is host memory (may not overlap guest
        // memory because it is never borrowed from it).
        unsafe { std::ptr::copy(data.as_ptr(), p, data.len()) };
        Ok(())
    }

    pub(crate) fn read_u8(&self, ptr: u32) -> Result<u8, Errno> {
        // SAFETY: checked by `range`.
        Ok(unsafe { self.range(ptr, 1)?.read() })
    }
    pub(crate) fn read_u16(&self, ptr: u32) -> Result<u16, Errno> {
        // SAFETY: checked by `range`.
        Ok(unsafe { self.range(ptr, 2)?.cast::<u16>().read_unaligned() })
    }
    pub(crate) fn read_u32(&self, ptr: u32) -> Result<u32, Errno> {
        // SAFETY: checked by `range`.
        Ok(unsafe { self.range(ptr, 4)?.cast::<u32>().read_unaligned() })
    }
    pub(crate) fn read_u64(&self, ptr: u32) -> Result<u64, Errno> {
        // SAFETY: checked by `range`.
        Ok(unsafe { self.range(ptr, 8)?.cast::<u64>().read_unaligned() })
    }
    pub(crate) fn write_u8(&self, ptr: u32, v: u8) -> Result<(), Errno> {
        // SAFETY: checked by `range`.
        unsafe { self.range(ptr, 1)?.write(v) };
        Ok(())
    }
    pub(crate) fn write_u32(&self, ptr: u32, v: u32) -> Result<(), Errno> {
        // SAFETY: checked by `range`.
        unsafe { self.range(ptr, 4)?.cast::<u32>().write_unaligned(v.to_le()) };
        Ok(())
    }
    pub(crate) fn write_u64(&self, ptr: u32, v: u64) -> Result<(), Errno> {
        // SAFETY: checked by `range`.
        unsafe { self.range(ptr, 8)?.cast::<u64>().write_unaligned(v.to_le()) };
        Ok(())
    }

    /// Reads `count` iovecs (`{buf: u32, len: u32}`, 8 bytes each) at `ptr` and turns them into
    /// host iovecs, each range checked. Lengths above `isize::MAX` in total are EINVAL.
    pub(crate) fn iovecs(&self, ptr: u32, count: u32) -> Result<Vec<libc::iovec>, Errno> {
        let bytes = count.checked_mul(8).ok_or(errno::FAULT)?;
        self.range(ptr, bytes)?;
        let mut v = Vec::with_capacity(count as usize);
        let mut total: u64 = 0;
        for i in 0..count {
            let buf = self.read_u32(ptr + 8 * i)?;
            let len = self.read_u32(ptr + 8 * i + 4)?;
            let p = self.range(buf, len)?;
            total += u64::from(len);
            v.push(libc::iovec {
                iov_base: p.cast(),
                iov_len: len as usize,
            });
        }
        if total > i32::MAX as u64 {
            return Err(errno::INVAL);
        }
        Ok(v)
    }
}

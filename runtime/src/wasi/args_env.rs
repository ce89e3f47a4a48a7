//! args_get/args_sizes_get and environ_get/environ_sizes_get: NUL-terminated strings packed into
//! the guest buffer, pointers to them in the guest pointer array.
//! Must never write outside the two guest ranges it checked.

use super::errno::{self, Errno};
use super::mem::Mem;
use super::{ret, with_ctx};

/// Writes `list` as C strings at `buf` and their guest addresses at `ptrs`.
pub(crate) fn write_list(mem: &Mem, list: &[Vec<u8>], ptrs: u32, buf: u32) -> Result<(), Errno> {
    // Guest addresses computed in u64 so nothing wraps; anything past 4 GiB is EFAULT.
    let addr = |a: u64| u32::try_from(a).map_err(|_| errno::FAULT);
    let mut at = u64::from(buf);
    for (i, s) in list.iter().enumerate() {
        let slot = addr(u64::from(ptrs) + 4 * i as u64)?;
        mem.write_u32(slot, addr(at)?)?;
        mem.write_bytes(addr(at)?, s)?;
        let nul = at + s.len() as u64;
        mem.write_u8(addr(nul)?, 0)?;
        at = nul + 1;
    }
    Ok(())
}

/// Writes the count and total C-string size of `list`.
pub(crate) fn write_sizes(
    mem: &Mem,
    list: &[Vec<u8>],
    count_ptr: u32,
    size_ptr: u32,
) -> Result<(), Errno> {
    let size: usize = list.iter().map(|s| s.len() + 1).sum();
    mem.write_u32(count_ptr, list.len() as u32)?;
    mem.write_u32(size_ptr, u32::try_from(size).map_err(|_| errno::OVERFLOW)?)
}

pub unsafe extern "C" fn wasmaot_wasi_args_get(vmctx: *mut u8, argv: i32, argv_buf: i32) -> i32 {
    let mem = unsafe { Mem::from_vmctx(vmctx) };
    ret(with_ctx(vmctx, |ctx| {
        write_list(&mem, &ctx.args, argv as u32, argv_buf as u32)
    }))
}

pub unsafe extern "C" fn wasmaot_wasi_args_sizes_get(
    vmctx: *mut u8,
    argc: i32,
    argv_buf_size: i32,
) -> i32 {
    let mem = unsafe { Mem::from_vmctx(vmctx) };
    ret(with_ctx(vmctx, |ctx| {
        write_sizes(&mem, &ctx.args, argc as u32, argv_buf_size as u32)
    }))
}

pub unsafe extern "C" fn wasmaot_wasi_environ_get(
    vmctx: *mut u8,
    environ: i32,
    environ_buf: i32,
) -> i32 {
    let mem = unsafe { Mem::from_vmctx(vmctx) };
    ret(with_ctx(vmctx, |ctx| {
        write_list(&mem, &ctx.env, environ as u32, environ_buf as u32)
    }))
}

pub unsafe extern "C" fn wasmaot_wasi_environ_sizes_get(
    vmctx: *mut u8,
    count: i32,
    buf_size: i32,
) -> i32 {
    let mem = unsafe { Mem::from_vmctx(vmctx) };
    ret(with_ctx(vmctx, |ctx| {
        write_sizes(&mem, &ctx.env, count as u32, buf_size as u32)
    }))
}

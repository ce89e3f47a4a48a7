//! random_get: fills a guest buffer from the host's getrandom(2).
//! Must never return fewer random bytes than asked for without an error.

use super::errno::{self, Errno};
use super::mem::Mem;
use super::ret;

fn fill(p: *mut u8, len: usize) -> Result<(), Errno> {
    let mut done = 0;
    while done < len {
        // SAFETY: `p` is valid for `len` bytes (checked by the caller).
        let n = unsafe { libc::getrandom(p.add(done).cast(), len - done, 0) };
        if n < 0 {
            let e = errno::last();
            if e == errno::INTR {
                continue;
            }
            return Err(e);
        }
        done += n as usize;
    }
    Ok(())
}

pub unsafe extern "C" fn wasmaot_wasi_random_get(vmctx: *mut u8, buf: i32, len: i32) -> i32 {
    let mem = unsafe { Mem::from_vmctx(vmctx) };
    ret(mem
        .range(buf as u32, len as u32)
        .and_then(|p| fill(p, len as u32 as usize)))
}

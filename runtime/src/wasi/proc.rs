//! proc_exit (exits the process with the guest's code) and proc_raise (ENOSYS, like wasmtime).
//! Must never return from proc_exit.

use super::errno;

#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmaot_wasi_proc_exit(_vmctx: *mut u8, code: i32) -> ! {
    std::process::exit(code)
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmaot_wasi_proc_raise(_vmctx: *mut u8, _sig: i32) -> i32 {
    i32::from(errno::NOSYS)
}

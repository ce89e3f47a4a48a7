//! `wasmaot_instance`: one embedded instance — its own memory, globals, tables and WASI state —
//! and the calls into it (`_start`, `_initialize`, any export).
//!
//! A trap or the guest's `proc_exit` makes the instance unusable (an uncaught exception does
//! not): later calls fail with a
//! usage error instead of running code whose state a trap left half-updated. Must never let a
//! trap, an exit or a panic escape to the host: every call runs under a catch point.

use core::ffi::{c_char, c_int};

use wasmaot_abi::descriptor::ModuleDescriptor;

use super::config::Config;
use super::error::{Error, KIND_INSTANTIATE, KIND_USAGE};
use super::{c_bytes, no_panic};
use crate::instance::{Extern, Func, HostState, Imports, Instance, InstantiationError, ValRaw};
use crate::trap::{Trap, catch_traps};

/// An embedded instance (`wasmaot_instance *`).
pub struct EmbeddedInstance {
    instance: Instance,
    /// Why the instance can no longer be called (a trap or an exit), if so.
    unusable: Option<String>,
}

/// `*out` = the error of `r`, and the C return value.
///
/// # Safety
/// `out` is NULL or writable.
unsafe fn finish(r: Result<Result<(), Error>, String>, out: *mut *mut Error) -> c_int {
    match r {
        Ok(Ok(())) => 0,
        Ok(Err(e)) => {
            // SAFETY: caller's contract.
            unsafe { e.give(out) };
            -1
        }
        Err(panic) => {
            // SAFETY: caller's contract.
            unsafe { Error::new(KIND_USAGE, &panic).give(out) };
            -1
        }
    }
}

impl EmbeddedInstance {
    fn check_usable(&self) -> Result<(), Error> {
        match &self.unusable {
            Some(why) => Err(Error::new(
                KIND_USAGE,
                &format!("this instance cannot be called any more: {why}"),
            )),
            None => Ok(()),
        }
    }

    /// Calls `f` with `values` (copied in and out: C's value array is only 8-byte aligned).
    fn call(&mut self, f: &Func, values: &mut [ValRaw]) -> Result<(), Trap> {
        let r = self.instance.call_catching(f, values);
        // An uncaught exception leaves the instance consistent (the wasm frames it left are
        // gone, as after a return): only traps and exits end it.
        if let Err(t) = &r
            && t.exception.is_none()
        {
            self.unusable = Some(match t.exit_status {
                Some(s) => format!("the guest exited with status {s}"),
                None => format!("it trapped earlier (wasm trap: {})", t.message()),
            });
        }
        r
    }

    /// Calls `f` with the C values `values[..n]`.
    ///
    /// # Safety
    /// `values` is NULL or points at `n` slots.
    unsafe fn call_c(
        &mut self,
        f: &Func,
        values: *mut ValRaw,
        n: usize,
        what: impl Fn() -> String,
    ) -> Result<(), Error> {
        self.check_usable()?;
        if f.sig.array_call.is_null() {
            return Err(Error::new(
                KIND_USAGE,
                &format!("{} cannot be called from the host", what()),
            ));
        }
        let needed = f.slots();
        if n < needed || (needed > 0 && values.is_null()) {
            return Err(Error::new(
                KIND_USAGE,
                &format!("{} needs {needed} value slots, {n} given", what()),
            ));
        }
        // Up to 8 values on the stack (an export call should not allocate).
        let mut small = [ValRaw::default(); 8];
        let mut large = Vec::new();
        let slots: &mut [ValRaw] = if needed <= small.len() {
            &mut small[..needed.max(1)]
        } else {
            large.resize(needed, ValRaw::default());
            &mut large
        };
        for (i, slot) in slots.iter_mut().take(needed).enumerate() {
            // SAFETY: `values` has `n >= needed` slots; read unaligned (8-byte aligned in C).
            *slot = unsafe { values.add(i).read_unaligned() };
        }
        self.call(f, slots).map_err(|t| Error::from_trap(&t))?;
        for (i, slot) in slots.iter().take(needed).enumerate() {
            // SAFETY: as above.
            unsafe { values.add(i).write_unaligned(*slot) };
        }
        Ok(())
    }

    fn export_func(&self, name: &str) -> Option<Func> {
        match self.instance.get_export(name) {
            Some(Extern::Func(f)) => Some(f),
            _ => None,
        }
    }
}

/// # Safety
/// `module` is a compiled module's descriptor (`PREFIX_module`); `cfg` NULL or live; `err`
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmaot_instance_new(
    module: *const ModuleDescriptor,
    cfg: *const Config,
    err: *mut *mut Error,
) -> *mut EmbeddedInstance {
    let r = no_panic(|| -> Result<EmbeddedInstance, Error> {
        // SAFETY: caller's contract.
        let module: &'static ModuleDescriptor =
            unsafe { module.as_ref() }.ok_or_else(|| Error::new(KIND_USAGE, "no module given"))?;
        let default = Config::default();
        // SAFETY: caller's contract.
        let cfg = unsafe { cfg.as_ref() }.unwrap_or(&default);
        let wasi = cfg.wasi().map_err(|e| Error::new(KIND_INSTANTIATE, &e))?;
        let host = HostState {
            wasi: Some(wasi),
            host_data: cfg.host_data as *mut core::ffi::c_void,
        };
        // The start function runs inside: a trap there comes back as an error.
        let instance = match catch_traps(|| Instance::new_with(module, Imports::new(), host)) {
            Ok(Ok(i)) => i,
            Ok(Err(InstantiationError::Trap(t))) | Err(t) => return Err(Error::from_trap(&t)),
            Ok(Err(e)) => return Err(Error::new(KIND_INSTANTIATE, &e.to_string())),
        };
        Ok(EmbeddedInstance {
            instance,
            unusable: None,
        })
    });
    let r = match r {
        Ok(r) => r,
        Err(panic) => Err(Error::new(KIND_INSTANTIATE, &panic)),
    };
    match r {
        Ok(i) => Box::into_raw(Box::new(i)),
        Err(e) => {
            // SAFETY: caller's contract.
            unsafe { e.give(err) };
            core::ptr::null_mut()
        }
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmaot_instance_free(inst: *mut EmbeddedInstance) {
    if !inst.is_null() {
        // SAFETY: came from wasmaot_instance_new.
        let _ = no_panic(|| drop(unsafe { Box::from_raw(inst) }));
    }
}

/// # Safety
/// `inst` live; `exit_status` NULL or writable; `err` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmaot_instance_run(
    inst: *mut EmbeddedInstance,
    exit_status: *mut c_int,
    err: *mut *mut Error,
) -> c_int {
    let r = no_panic(|| -> Result<(), Error> {
        // SAFETY: caller's contract.
        let inst = unsafe { inst.as_mut() }.ok_or_else(|| Error::new(KIND_USAGE, "no instance"))?;
        inst.check_usable()?;
        let f = inst.export_func("_start").ok_or_else(|| {
            Error::new(
                KIND_USAGE,
                "the module exports no `_start` function (a reactor? call its exports)",
            )
        })?;
        let mut slots = vec![ValRaw::default(); f.slots().max(1)];
        let status = match inst.call(&f, &mut slots) {
            Ok(()) => 0,
            Err(t) => t.exit_status.ok_or_else(|| Error::from_trap(&t))?,
        };
        if !exit_status.is_null() {
            // SAFETY: caller's contract.
            unsafe { *exit_status = status };
        }
        Ok(())
    });
    // SAFETY: caller's contract.
    unsafe { finish(r, err) }
}

/// # Safety
/// As for [`wasmaot_instance_run`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmaot_instance_initialize(
    inst: *mut EmbeddedInstance,
    err: *mut *mut Error,
) -> c_int {
    let r = no_panic(|| -> Result<(), Error> {
        // SAFETY: caller's contract.
        let inst = unsafe { inst.as_mut() }.ok_or_else(|| Error::new(KIND_USAGE, "no instance"))?;
        inst.check_usable()?;
        let Some(f) = inst.export_func("_initialize") else {
            return Ok(());
        };
        let mut slots = vec![ValRaw::default(); f.slots().max(1)];
        inst.call(&f, &mut slots).map_err(|t| Error::from_trap(&t))
    });
    // SAFETY: caller's contract.
    unsafe { finish(r, err) }
}

/// # Safety
/// `inst` live; `name` a C string; `values` NULL or `nvalues` slots; `err` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmaot_instance_call(
    inst: *mut EmbeddedInstance,
    name: *const c_char,
    values: *mut ValRaw,
    nvalues: usize,
    err: *mut *mut Error,
) -> c_int {
    let r = no_panic(|| -> Result<(), Error> {
        // SAFETY: caller's contract.
        let inst = unsafe { inst.as_mut() }.ok_or_else(|| Error::new(KIND_USAGE, "no instance"))?;
        // SAFETY: caller's contract.
        let name = unsafe { c_bytes(name) }.ok_or_else(|| Error::new(KIND_USAGE, "no name"))?;
        let name = String::from_utf8_lossy(name);
        let f = inst.export_func(&name).ok_or_else(|| {
            Error::new(
                KIND_USAGE,
                &format!("the module exports no function `{name}`"),
            )
        })?;
        // SAFETY: caller's contract.
        unsafe { inst.call_c(&f, values, nvalues, || format!("export `{name}`")) }
    });
    // SAFETY: caller's contract.
    unsafe { finish(r, err) }
}

/// # Safety
/// As for [`wasmaot_instance_call`]; `module` is the descriptor the instance was made from.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmaot_instance_call_func(
    inst: *mut EmbeddedInstance,
    module: *const ModuleDescriptor,
    func_index: u32,
    values: *mut ValRaw,
    nvalues: usize,
    err: *mut *mut Error,
) -> c_int {
    let r = no_panic(|| -> Result<(), Error> {
        // SAFETY: caller's contract.
        let inst = unsafe { inst.as_mut() }.ok_or_else(|| Error::new(KIND_USAGE, "no instance"))?;
        if !core::ptr::eq(inst.instance.module(), module) {
            return Err(Error::new(
                KIND_USAGE,
                "this instance was created from another module",
            ));
        }
        let f = inst.instance.func(func_index).ok_or_else(|| {
            Error::new(
                KIND_USAGE,
                &format!("the module has no function {func_index}"),
            )
        })?;
        // SAFETY: caller's contract.
        unsafe { inst.call_c(&f, values, nvalues, || format!("function {func_index}")) }
    });
    // SAFETY: caller's contract.
    unsafe { finish(r, err) }
}

/// # Safety
/// `inst` live; `name` NULL or a C string; `len` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmaot_instance_memory(
    inst: *mut EmbeddedInstance,
    name: *const c_char,
    len: *mut usize,
) -> *mut u8 {
    let r = no_panic(|| {
        // SAFETY: caller's contract.
        let inst = unsafe { inst.as_ref() }?;
        // SAFETY: caller's contract.
        let mem = match unsafe { c_bytes(name) } {
            None => inst.instance.memory(0)?,
            Some(name) => match inst.instance.get_export(&String::from_utf8_lossy(name))? {
                Extern::Memory(m) => m,
                _ => return None,
            },
        };
        // SAFETY: a live memory of a live instance.
        let mem = unsafe { &*mem };
        Some((mem.base(), mem.byte_len() as usize))
    });
    let (base, n) = r.ok().flatten().unwrap_or((core::ptr::null_mut(), 0));
    if !len.is_null() {
        // SAFETY: caller's contract.
        unsafe { *len = n };
    }
    base
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmaot_instance_usable(inst: *const EmbeddedInstance) -> c_int {
    // SAFETY: a live instance or NULL.
    unsafe { inst.as_ref() }.map_or(0, |i| c_int::from(i.unusable.is_none()))
}

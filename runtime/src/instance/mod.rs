//! Instances: builds a module instance from its descriptor — the VMContext (laid out by
//! `VmOffsets`), imports, function references, tables, memories, globals, element and data
//! segments, the start function — and calls its exports through the array-call trampolines.
//!
//! Instantiation follows the WebAssembly 2.0 order, one file per step, run by
//! `Instance::new_with`:
//! 1. `view`: check the descriptor once (magic, ABI version, vmctx size, counts, data
//!    entries); every later step reads the descriptor through the checked `ModuleView`.
//! 2. `data`: allocate the zeroed vmctx and the `InstanceData` that owns it.
//! 3. `prefix`, `type_ids`: the vmctx's fixed prefix and canonical type ids.
//! 4. `imports`: bind the supplied imports (and functions linked into the executable).
//! 5. `func_refs`: the reference of every function.
//! 6. `storage`: defined tables and memories, and every definition pointer.
//! 7. `globals`: defined globals, in order; then `table_init`: the elements of defined tables
//!    with an initialiser expression (typed function references).
//! 8. `segments`: evaluate element segments, keep passive data segments, then apply the active
//!    element segments and the active data segments, in order.
//! 9. `start`: the start function.
//!
//! Must never compute a VMContext offset itself (always `VmOffsets`), never move the vmctx, a
//! memory or a table after instantiation (compiled code holds pointers to them), and never free
//! what it imported (the exporting instance owns it and must outlive this one).

mod data;
mod error;
mod func_refs;
mod globals;
mod image;
mod imports;
mod prefix;
mod segments;
mod start;
mod storage;
mod table_init;
mod tags;
#[cfg(test)]
pub(crate) mod tests;
mod type_ids;
mod values;
mod view;

use wasmaot_abi::descriptor::{ExportDesc, ModuleDescriptor, extern_kind};
use wasmaot_abi::vmctx::VmOffsets;

pub use data::HostState;
pub(crate) use data::{InstanceData, wasi_of_vmctx};
pub use error::InstantiationError;
pub use imports::Imports;
pub use values::{ArrayCall, Extern, Func, GlobalRef, VMTag, ValRaw};
use view::ModuleView;

use crate::memory::LinearMemory;
use crate::table::VMFuncRef;
use crate::trap::Trap;

/// A module instance. Dropping it frees its vmctx, memories and tables; instances that imported
/// from it must be dropped first.
pub struct Instance {
    data: *mut InstanceData,
}

impl Drop for Instance {
    fn drop(&mut self) {
        // SAFETY: came from Box::into_raw in Instance::new.
        drop(unsafe { Box::from_raw(self.data) });
    }
}

impl core::fmt::Debug for Instance {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Instance")
            .field("vmctx", &self.vmctx())
            .finish()
    }
}

impl Instance {
    /// Instantiates `module` with `imports` (see [`Imports`]) in the WebAssembly 2.0 order:
    /// imports, tables, memories, globals, element segments, data segments, start function.
    /// A segment out of bounds fails with [`InstantiationError::Trap`] after the segments
    /// before it were applied (as the spec requires); a trap there or in the start function
    /// leaks the half-initialised instance, whose functions may already be in imported tables.
    pub fn new(
        module: &'static ModuleDescriptor,
        imports: Imports,
    ) -> Result<Instance, InstantiationError> {
        Instance::new_with(module, imports, HostState::default())
    }

    /// As [`Instance::new`], with the instance's own host state (an embedder's instance: its
    /// WASI context is in place before the start function runs).
    pub fn new_with(
        module: &'static ModuleDescriptor,
        imports: Imports,
        host: HostState,
    ) -> Result<Instance, InstantiationError> {
        let view = ModuleView::new(module)?;
        crate::registry::register(module);
        // Faults in compiled code must become traps in embedders too (idempotent).
        crate::trap::signals::install();

        // From here on `instance` owns everything and frees it on error.
        let instance = Instance {
            data: InstanceData::allocate(view, host),
        };
        // SAFETY: `data` is live and not otherwise referenced during initialisation.
        match unsafe { instance.initialize(imports) } {
            Ok(()) => Ok(instance),
            Err(e @ InstantiationError::Trap(_)) => {
                // A trap in a segment or the start function leaves the effects before it in
                // place (2.0 semantics): imported tables may now hold references to this
                // instance's functions and imported memories or globals may have been written
                // by its code, so its vmctx and everything it points to must stay alive.
                core::mem::forget(instance);
                Err(e)
            }
            Err(e) => Err(e),
        }
    }

    /// Runs the instantiation steps after the allocation, in order.
    ///
    /// # Safety
    /// Only called once, from `new`.
    unsafe fn initialize(&self, imports: Imports) -> Result<(), InstantiationError> {
        // SAFETY: no other reference to the data exists during initialisation.
        let d = unsafe { &mut *self.data };
        prefix::write(d, self.data);
        let type_ids = type_ids::write(d);
        imports::bind(d, imports, &type_ids)?;
        tags::create(d, &type_ids)?;
        func_refs::write(d, &type_ids)?;
        storage::create(d)?;
        globals::initialize(d)?;
        table_init::initialize(d)?;
        segments::evaluate_elems(d)?;
        segments::keep_passive_data(d);
        segments::apply_active_elems(d)?;
        segments::apply_active_data(d)?;
        // `d` is not used past this point: the start function's code reaches the data through
        // the vmctx.
        start::run(self)
    }

    fn data(&self) -> &InstanceData {
        // SAFETY: live for as long as self.
        unsafe { &*self.data }
    }

    /// The instance's vmctx.
    pub fn vmctx(&self) -> *mut u8 {
        self.data().vmctx
    }

    pub fn module(&self) -> &'static ModuleDescriptor {
        self.data().view.descriptor()
    }

    /// Looks up an export by name.
    pub fn get_export(&self, name: &str) -> Option<Extern> {
        let e: &ExportDesc = self
            .data()
            .view
            .exports()
            .iter()
            .find(|e| view::bytes(&e.name) == name.as_bytes())?;
        self.export_extern(e)
    }

    /// Function `index` (imported functions counted), as an export of it would give it.
    pub fn func(&self, index: u32) -> Option<Func> {
        let d = self.data();
        if index >= d.offsets.counts.num_funcs {
            return None;
        }
        Some(Func {
            func_ref: d.func_ref(index),
            sig: d.view.signature(index).ok()?,
        })
    }

    /// Every export, in module order.
    pub fn exports(&self) -> Vec<(String, Extern)> {
        self.data()
            .view
            .exports()
            .iter()
            .filter_map(|e| Some((view::string(&e.name), self.export_extern(e)?)))
            .collect()
    }

    fn export_extern(&self, e: &ExportDesc) -> Option<Extern> {
        let d = self.data();
        let c = d.offsets.counts;
        Some(match e.kind {
            extern_kind::FUNC if e.index < c.num_funcs => Extern::Func(Func {
                func_ref: d.func_ref(e.index),
                sig: d.view.signature(e.index).ok()?,
            }),
            extern_kind::TABLE => Extern::Table(*d.tables.get(e.index as usize)?),
            extern_kind::MEMORY => Extern::Memory(*d.memories.get(e.index as usize)?),
            extern_kind::TAG if e.index < c.num_tags => Extern::Tag(tags::identity(d, e.index)),
            extern_kind::GLOBAL if e.index < c.num_globals => {
                let g = &d.view.globals()[e.index as usize];
                Extern::Global(GlobalRef {
                    ptr: d.global_ptr(e.index),
                    ty: g.ty,
                    mutable: g.mutable != 0,
                    refs: view::bytes(&g.refs),
                })
            }
            _ => return None,
        })
    }

    /// Calls the exported function `name`. `values` holds the parameters on entry and the
    /// results on return; it must have at least `max(params, results)` slots.
    ///
    /// # Panics
    /// If there is no function export `name` or `values` is too short (caller bugs: check
    /// with [`Instance::get_export`] first).
    pub fn call_export(&self, name: &str, values: &mut [ValRaw]) -> Result<(), Trap> {
        match self.get_export(name) {
            Some(Extern::Func(f)) => self.call(&f, values),
            _ => panic!("no function export `{name}`"),
        }
    }

    /// Calls any function (this instance's or another's) through its signature's array-call
    /// trampoline. Under a catch point ([`crate::trap::catch_traps`]) a trap returns
    /// `Err(trap)`; without one (executable mode) a trap prints and exits the process.
    ///
    /// # Panics
    /// If `values` is shorter than [`Func::slots`] or the signature has no trampoline.
    pub fn call(&self, f: &Func, values: &mut [ValRaw]) -> Result<(), Trap> {
        if crate::trap::catching() {
            // Library mode: this call gets its own catch point, so the trap comes back here
            // rather than to an outer one.
            return self.call_catching(f, values);
        }
        // SAFETY: `prepare`'s checks; the trampoline's contract is met by `values`.
        unsafe {
            let (call, fr) = self.prepare(f, values);
            call(fr.code, fr.vmctx, values.as_mut_ptr());
            if crate::exceptions::take_pending(fr.vmctx).is_some() {
                crate::trap::exit_uncaught_exception();
            }
        }
        Ok(())
    }

    /// [`Instance::call`] under a catch point of its own, whether or not one is active: a
    /// trap, or the guest's `proc_exit`, always comes back as `Err` (what embedders use).
    pub fn call_catching(&self, f: &Func, values: &mut [ValRaw]) -> Result<(), Trap> {
        // SAFETY: as in `call`.
        unsafe {
            let (call, fr) = self.prepare(f, values);
            let values = values.as_mut_ptr();
            crate::trap::catch_traps(|| call(fr.code, fr.vmctx, values))?;
            match crate::exceptions::take_pending(fr.vmctx) {
                Some(exn) => {
                    // The host may keep it (and throw it again): never freed from here on.
                    crate::exceptions::expose(exn);
                    Err(Trap {
                        exception: Some(exn),
                        ..Trap::new(wasmaot_abi::trap::TrapCode::UncaughtException)
                    })
                }
                None => Ok(()),
            }
        }
    }

    /// Checks a call's slots and trampoline and gives the callee this thread's stack limit.
    ///
    /// # Panics
    /// As for [`Instance::call`].
    ///
    /// # Safety
    /// `f` must be a live function (its func ref and signature valid).
    unsafe fn prepare(&self, f: &Func, values: &[ValRaw]) -> (ArrayCall, VMFuncRef) {
        assert!(
            values.len() >= f.slots(),
            "{} value slots given, {} needed",
            values.len(),
            f.slots()
        );
        assert!(
            !f.sig.array_call.is_null(),
            "no array-call trampoline for this signature"
        );
        // SAFETY: a live func ref (caller's contract).
        let fr = unsafe { *f.func_ref };
        // The callee may belong to another instance created on another thread: give it this
        // thread's stack limit. Only wasm code has a vmctx; a host function's (e.g. an
        // imported host function used as the start function) may be anything, even null. Our
        // own vmctx needs no registry lookup (the common case: an export of this instance).
        if fr.vmctx == self.vmctx() || crate::registry::lookup(fr.code as usize).is_some() {
            // SAFETY: a wasm function's vmctx has the fixed prefix.
            unsafe {
                fr.vmctx
                    .add(VmOffsets::STACK_LIMIT as usize)
                    .cast::<usize>()
                    .write(crate::stack::current_limit())
            };
        }
        // SAFETY: array_call is the trampoline the compiler emitted for this signature (C ABI,
        // 16-byte slots).
        (
            unsafe { core::mem::transmute::<*const u8, ArrayCall>(f.sig.array_call) },
            fr,
        )
    }

    /// Memory `i` of this instance (imported or defined).
    pub fn memory(&self, i: u32) -> Option<*mut LinearMemory> {
        self.data().memories.get(i as usize).copied()
    }
}

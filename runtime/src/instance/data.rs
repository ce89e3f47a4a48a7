//! The state of one instance, `InstanceData`: what the vmctx's `INSTANCE` field points to, and
//! what builtins and host functions reach from a vmctx. Its allocation (with the zeroed
//! vmctx), its accessors (vmctx fields, memories, tables, function references, global slots),
//! the evaluation of constant expressions, and its `Drop`; plus `HostState`, what an embedder
//! attaches to an instance.
//!
//! Must never compute a vmctx offset itself (always `VmOffsets`), and never free an imported
//! memory or table (the exporting instance owns it).

use core::ptr;
use std::alloc::{self, Layout};

use wasmaot_abi::descriptor::{ConstExprDesc, const_kind};
use wasmaot_abi::vmctx::VmOffsets;

use super::error::{InstantiationError, malformed};
use super::view::ModuleView;
use crate::memory::LinearMemory;
use crate::table::{Table, VMFuncRef};

/// The state of one instance; the vmctx's `INSTANCE` field points here. Heap-allocated and
/// never moved.
pub(crate) struct InstanceData {
    /// The module, checked once before anything was allocated.
    pub(crate) view: ModuleView,
    pub(crate) offsets: VmOffsets,
    pub(crate) vmctx: *mut u8,
    vmctx_layout: Layout,
    /// Every memory in index order; those at index >= num_imported_memories are owned.
    pub(crate) memories: Vec<*mut LinearMemory>,
    /// Every table in index order; those at index >= num_imported_tables are owned.
    pub(crate) tables: Vec<*mut Table>,
    /// Data segments (dropped ones are empty).
    pub(crate) data: Vec<&'static [u8]>,
    /// Element segments, evaluated (dropped ones are empty).
    pub(crate) elems: Vec<Box<[u64]>>,
    /// This instance's own WASI state (instances an embedder configured); `None`: the
    /// process-wide state (executables, the spec runner).
    pub(crate) wasi: Option<Box<std::sync::Mutex<crate::wasi::WasiCtx>>>,
    /// Opaque pointer for the embedder's host functions (`wasmaot_caller_host_data`).
    pub(crate) host_data: *mut core::ffi::c_void,
    /// The identities of the tags this instance defines (exception handling).
    pub(crate) defined_tags: Box<[super::VMTag]>,
}

/// What an embedder attaches to an instance it creates.
#[derive(Debug)]
pub struct HostState {
    /// The instance's own WASI state; `None`: the process-wide one.
    pub wasi: Option<crate::wasi::WasiCtx>,
    /// Handed to host functions by `wasmaot_caller_host_data`.
    pub host_data: *mut core::ffi::c_void,
}

impl Default for HostState {
    fn default() -> Self {
        HostState {
            wasi: None,
            host_data: ptr::null_mut(),
        }
    }
}

/// The WASI state of the instance behind `vmctx`, if it has its own.
///
/// # Safety
/// `vmctx` must be null or a VMContext with the fixed prefix whose `INSTANCE` field is null or
/// a live instance's data.
pub(crate) unsafe fn wasi_of_vmctx<'a>(
    vmctx: *mut u8,
) -> Option<&'a std::sync::Mutex<crate::wasi::WasiCtx>> {
    if vmctx.is_null() {
        return None;
    }
    // SAFETY: caller's contract.
    let data = unsafe {
        vmctx
            .add(VmOffsets::INSTANCE as usize)
            .cast::<*const InstanceData>()
            .read()
    };
    if data.is_null() {
        return None;
    }
    // SAFETY: a live instance's data; only the `wasi` field is read, through a shared borrow.
    unsafe { (*data).wasi.as_deref() }
}

impl InstanceData {
    /// Allocates the zeroed vmctx and the data that owns it, with no memory, table or segment
    /// yet. The caller owns the result (`Instance` frees it with `Box::from_raw`).
    pub(super) fn allocate(view: ModuleView, host: HostState) -> *mut InstanceData {
        let offsets = view.offsets();
        let vmctx_layout =
            Layout::from_size_align(offsets.size.max(16) as usize, 16).expect("vmctx layout");
        // SAFETY: non-zero size.
        let vmctx = unsafe { alloc::alloc_zeroed(vmctx_layout) };
        if vmctx.is_null() {
            alloc::handle_alloc_error(vmctx_layout);
        }
        Box::into_raw(Box::new(InstanceData {
            view,
            offsets,
            vmctx,
            vmctx_layout,
            memories: Vec::new(),
            tables: Vec::new(),
            data: Vec::new(),
            elems: Vec::new(),
            wasi: host.wasi.map(|w| Box::new(std::sync::Mutex::new(w))),
            host_data: host.host_data,
            defined_tags: Box::new([]),
        }))
    }

    /// The `InstanceData` of a vmctx.
    ///
    /// # Safety
    /// `vmctx` must be the vmctx of a live instance, and no other reference to its data may be
    /// in use.
    pub(crate) unsafe fn from_vmctx<'a>(vmctx: *mut u8) -> &'a mut InstanceData {
        // SAFETY: caller's contract; INSTANCE was written by `prefix::write` (Instance::new).
        unsafe {
            &mut *vmctx
                .add(VmOffsets::INSTANCE as usize)
                .cast::<*mut InstanceData>()
                .read()
        }
    }

    /// # Safety
    /// `off + size_of::<T>()` must be within the vmctx.
    pub(super) unsafe fn write<T>(&self, off: u32, v: T) {
        // SAFETY: caller's contract; vmctx offsets are aligned for their field types.
        unsafe { self.vmctx.add(off as usize).cast::<T>().write(v) }
    }

    /// # Safety
    /// As for `write`.
    pub(super) unsafe fn read<T: Copy>(&self, off: u32) -> T {
        // SAFETY: caller's contract.
        unsafe { self.vmctx.add(off as usize).cast::<T>().read() }
    }

    pub(crate) fn memory(&mut self, i: u32) -> Option<&mut LinearMemory> {
        // SAFETY: every entry is a live memory (owned or imported).
        self.memories.get(i as usize).map(|&m| unsafe { &mut *m })
    }

    pub(crate) fn table(&mut self, i: u32) -> Option<&mut Table> {
        // SAFETY: every entry is a live table (owned or imported).
        self.tables.get(i as usize).map(|&t| unsafe { &mut *t })
    }

    /// Address of function `i`'s `VMFuncRef`.
    pub(crate) fn func_ref(&self, i: u32) -> *mut VMFuncRef {
        // SAFETY: func_ref(i) is inside the vmctx for i < num_funcs (checked by callers).
        unsafe { self.vmctx.add(self.offsets.func_ref(i) as usize).cast() }
    }

    /// Address of global `i`'s 16-byte slot (ours or the exporter's).
    pub(super) fn global_ptr(&self, i: u32) -> *mut u8 {
        let c = &self.offsets.counts;
        if i < c.num_imported_globals {
            // SAFETY: within the vmctx; filled during import processing.
            unsafe { self.read::<*mut u8>(self.offsets.imported_global(i)) }
        } else {
            // SAFETY: within the vmctx.
            unsafe { self.vmctx.add(self.offsets.defined_global(i) as usize) }
        }
    }

    /// Evaluates a constant expression to its 16 little-endian bytes (as u128).
    pub(super) fn eval(&self, e: &ConstExprDesc) -> Result<u128, InstantiationError> {
        let c = &self.offsets.counts;
        Ok(match e.kind {
            const_kind::I32
            | const_kind::I64
            | const_kind::F32
            | const_kind::F64
            | const_kind::V128 => e.bits[0] as u128 | (e.bits[1] as u128) << 64,
            const_kind::GLOBAL_GET if e.index < c.num_globals => {
                // SAFETY: a 16-byte global slot.
                unsafe { self.global_ptr(e.index).cast::<u128>().read_unaligned() }
            }
            const_kind::REF_NULL => 0,
            const_kind::REF_FUNC if e.index < c.num_funcs => self.func_ref(e.index) as u64 as u128,
            const_kind::EXTENDED => {
                let ops = super::view::const_ops(self.view.descriptor(), e)
                    .ok_or_else(|| malformed(format!("bad constant expression {e:?}")))?;
                let global = |i: u32| {
                    // SAFETY: a 16-byte global slot; i32/i64 values are its low bytes.
                    (i < c.num_globals)
                        .then(|| unsafe { self.global_ptr(i).cast::<u64>().read_unaligned() })
                };
                wasmaot_abi::descriptor::eval_extended(ops, global)
                    .ok_or_else(|| malformed(format!("bad extended constant expression {e:?}")))?
                    as u128
            }
            _ => return Err(malformed(format!("bad constant expression {e:?}"))),
        })
    }
}

impl Drop for InstanceData {
    fn drop(&mut self) {
        // Instantiation may have failed part-way: entries not created yet are null.
        let c = self.offsets.counts;
        let owned_memories = self
            .memories
            .get(c.num_imported_memories as usize..)
            .unwrap_or(&[]);
        for &m in owned_memories.iter().filter(|m| !m.is_null()) {
            // SAFETY: owned memories came from Box::into_raw in `storage::create_memories`.
            drop(unsafe { Box::from_raw(m) });
        }
        let owned_tables = self
            .tables
            .get(c.num_imported_tables as usize..)
            .unwrap_or(&[]);
        for &t in owned_tables.iter().filter(|t| !t.is_null()) {
            // SAFETY: owned tables came from Box::into_raw in `storage::create_tables`.
            drop(unsafe { Box::from_raw(t) });
        }
        // SAFETY: allocated in `InstanceData::allocate` with this layout.
        unsafe { alloc::dealloc(self.vmctx, self.vmctx_layout) };
    }
}

//! Instances: builds a module instance from its descriptor — the VMContext (laid out by
//! `VmOffsets`), imports, function references, tables, memories, globals, element and data
//! segments, the start function — and calls its exports through the array-call trampolines.
//!
//! Must never compute a VMContext offset itself (always `VmOffsets`), never move the vmctx, a
//! memory or a table after instantiation (compiled code holds pointers to them), and never free
//! what it imported (the exporting instance owns it and must outlive this one).

use core::ptr;
use std::alloc::{self, Layout};

use wasmaot_abi::descriptor::{
    ConstExprDesc, DataDesc, ExportDesc, ImportDesc, ModuleDescriptor, NO_INDEX, NO_MAX, SigDesc,
    const_kind, extern_kind, segment_mode,
};
use wasmaot_abi::vmctx::{VmOffsets, func_import};
use wasmaot_abi::{ABI_VERSION, DESCRIPTOR_MAGIC};

use crate::memory::{LinearMemory, MemoryError, VMMemoryDefinition};
use crate::registry::slice;
use crate::table::{Table, VMFuncRef, VMTableDefinition};
use crate::trap::Trap;

/// One value in the array-call convention: every value, whatever its type, stored
/// little-endian at the start of a 16-byte slot.
#[repr(C, align(16))]
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct ValRaw(pub [u8; 16]);

impl core::fmt::Debug for ValRaw {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "ValRaw({:#x})", self.v128())
    }
}

impl ValRaw {
    pub fn i32(v: i32) -> ValRaw {
        ValRaw::v128_bits(v as u32 as u128)
    }
    pub fn i64(v: i64) -> ValRaw {
        ValRaw::v128_bits(v as u64 as u128)
    }
    pub fn f32_bits(v: u32) -> ValRaw {
        ValRaw::v128_bits(v as u128)
    }
    pub fn f64_bits(v: u64) -> ValRaw {
        ValRaw::v128_bits(v as u128)
    }
    /// A reference (funcref: `*const VMFuncRef` as u64; externref: opaque; 0 = null).
    pub fn reference(v: u64) -> ValRaw {
        ValRaw::v128_bits(v as u128)
    }
    pub fn v128_bits(v: u128) -> ValRaw {
        ValRaw(v.to_le_bytes())
    }
    pub fn get_i32(&self) -> i32 {
        self.v128() as u32 as i32
    }
    pub fn get_i64(&self) -> i64 {
        self.v128() as u64 as i64
    }
    pub fn get_f32_bits(&self) -> u32 {
        self.v128() as u32
    }
    pub fn get_f64_bits(&self) -> u64 {
        self.v128() as u64
    }
    pub fn get_reference(&self) -> u64 {
        self.v128() as u64
    }
    pub fn v128(&self) -> u128 {
        u128::from_le_bytes(self.0)
    }
}

/// The array-call trampoline type (`SigDesc::array_call`).
pub type ArrayCall = unsafe extern "C" fn(code: *const u8, vmctx: *mut u8, values: *mut ValRaw);

/// A function: its reference (in the owning vmctx) and its signature (for calling it).
#[derive(Clone, Copy, Debug)]
pub struct Func {
    pub func_ref: *const VMFuncRef,
    pub sig: &'static SigDesc,
}

impl Func {
    /// A host function for an embedder's imports: `code` is an `extern "C"` function with
    /// wasm's native shape, `(vmctx, params...) -> results` (`params`/`results` are `ValType`
    /// bytes), called with `vmctx` as its first argument. The reference and signature are
    /// leaked (they must outlive every instance importing them). It has no array-call
    /// trampoline, so it can be imported but not called with [`Instance::call`] directly.
    pub fn host(code: *const u8, params: &[u8], results: &[u8], vmctx: *mut u8) -> Func {
        let leak = |v: &[u8]| {
            let s: &'static [u8] = Vec::leak(v.to_vec());
            wasmaot_abi::descriptor::Slice {
                ptr: s.as_ptr(),
                len: s.len() as u64,
            }
        };
        let sig: &'static SigDesc = Box::leak(Box::new(SigDesc {
            params: leak(params),
            results: leak(results),
            array_call: ptr::null(),
        }));
        let func_ref: &'static VMFuncRef = Box::leak(Box::new(VMFuncRef {
            code,
            type_id: crate::signatures::intern_sig(sig),
            _pad: 0,
            vmctx,
        }));
        Func { func_ref, sig }
    }

    /// Number of `ValRaw` slots a call needs: max(params, results).
    pub fn slots(&self) -> usize {
        (self.sig.params.len.max(self.sig.results.len)) as usize
    }
}

/// A global: a pointer to its owner's 16-byte slot, plus its type.
#[derive(Clone, Copy, Debug)]
pub struct GlobalRef {
    pub ptr: *mut u8,
    /// A `ValType` byte.
    pub ty: u8,
    pub mutable: bool,
}

/// Something an instance exports or imports. Pointers stay valid while the owning instance
/// lives.
#[derive(Clone, Copy, Debug)]
pub enum Extern {
    Func(Func),
    Table(*mut Table),
    Memory(*mut LinearMemory),
    Global(GlobalRef),
}

impl Extern {
    fn kind_name(&self) -> &'static str {
        match self {
            Extern::Func(_) => "function",
            Extern::Table(_) => "table",
            Extern::Memory(_) => "memory",
            Extern::Global(_) => "global",
        }
    }
}

/// What the embedder supplies for a module's imports: one [`Extern`] per import whose
/// `host_code` is null, in module import order (imports with `host_code`, i.e. WASI functions
/// linked into the executable, are filled by the runtime itself).
#[derive(Clone, Debug, Default)]
pub struct Imports {
    pub externs: Vec<Extern>,
}

impl Imports {
    pub fn new() -> Imports {
        Imports::default()
    }

    pub fn push(&mut self, e: Extern) {
        self.externs.push(e);
    }

    /// Builds the list by asking `resolve(module, name)` for every import the embedder must
    /// supply (e.g. from a spec-test registry of other instances' exports).
    pub fn resolve(
        module: &'static ModuleDescriptor,
        mut resolve: impl FnMut(&str, &str) -> Option<Extern>,
    ) -> Result<Imports, InstantiationError> {
        let mut imports = Imports::new();
        // SAFETY: descriptor slices live for the process lifetime.
        for imp in unsafe { slice(module.imports.ptr, module.imports.len) } {
            if !imp.host_code.is_null() {
                continue;
            }
            let (m, n) = import_names(imp);
            match resolve(&m, &n) {
                Some(e) => imports.push(e),
                None => return Err(InstantiationError::UnknownImport { module: m, name: n }),
            }
        }
        Ok(imports)
    }
}

fn str_of(s: &wasmaot_abi::descriptor::Str) -> String {
    // SAFETY: descriptor strings live for the process lifetime.
    String::from_utf8_lossy(unsafe { slice(s.ptr, s.len) }).into_owned()
}

fn import_names(imp: &ImportDesc) -> (String, String) {
    (str_of(&imp.module), str_of(&imp.name))
}

/// Why instantiation failed.
#[derive(Debug, thiserror::Error)]
pub enum InstantiationError {
    #[error("not a wasmaot module descriptor (bad magic)")]
    BadMagic,
    #[error(
        "module was compiled for runtime ABI version {found}, this runtime is version {expected}"
    )]
    AbiVersion { found: u32, expected: u32 },
    #[error("module descriptor is inconsistent: {0}")]
    Malformed(String),
    #[error("unknown import: `{module}::{name}` has not been defined")]
    UnknownImport { module: String, name: String },
    #[error("incompatible import type for `{module}::{name}`: {reason}")]
    IncompatibleImport {
        module: String,
        name: String,
        reason: String,
    },
    #[error("{0}")]
    Memory(#[from] MemoryError),
    #[error("{0}")]
    Table(String),
    /// A trap while initialising segments or running the start function.
    #[error("{0}")]
    Trap(#[from] Trap),
}

/// The state of one instance; the vmctx's `INSTANCE` field points here. Heap-allocated and
/// never moved.
pub(crate) struct InstanceData {
    pub(crate) module: &'static ModuleDescriptor,
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
    /// The `InstanceData` of a vmctx.
    ///
    /// # Safety
    /// `vmctx` must be the vmctx of a live instance, and no other reference to its data may be
    /// in use.
    pub(crate) unsafe fn from_vmctx<'a>(vmctx: *mut u8) -> &'a mut InstanceData {
        // SAFETY: caller's contract; INSTANCE was written by Instance::new.
        unsafe {
            &mut *vmctx
                .add(VmOffsets::INSTANCE as usize)
                .cast::<*mut InstanceData>()
                .read()
        }
    }

    /// # Safety
    /// `off + size_of::<T>()` must be within the vmctx.
    unsafe fn write<T>(&self, off: u32, v: T) {
        // SAFETY: caller's contract; vmctx offsets are aligned for their field types.
        unsafe { self.vmctx.add(off as usize).cast::<T>().write(v) }
    }

    /// # Safety
    /// As for `write`.
    unsafe fn read<T: Copy>(&self, off: u32) -> T {
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
    fn global_ptr(&self, i: u32) -> *mut u8 {
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
    fn eval(&self, e: &ConstExprDesc) -> Result<u128, InstantiationError> {
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
            _ => return Err(malformed(format!("bad constant expression {e:?}"))),
        })
    }

    fn signature(&self, func: u32) -> Result<&'static SigDesc, InstantiationError> {
        // SAFETY: descriptor slices live for the process lifetime.
        let (func_types, types) = unsafe {
            (
                slice(self.module.func_types.ptr, self.module.func_types.len),
                slice(self.module.types.ptr, self.module.types.len),
            )
        };
        let ty = *func_types
            .get(func as usize)
            .ok_or_else(|| malformed(format!("no type for function {func}")))?;
        types
            .get(ty as usize)
            .ok_or_else(|| malformed(format!("bad type index {ty}")))
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
            // SAFETY: owned memories came from Box::into_raw in Instance::new.
            drop(unsafe { Box::from_raw(m) });
        }
        let owned_tables = self
            .tables
            .get(c.num_imported_tables as usize..)
            .unwrap_or(&[]);
        for &t in owned_tables.iter().filter(|t| !t.is_null()) {
            // SAFETY: owned tables came from Box::into_raw in Instance::new.
            drop(unsafe { Box::from_raw(t) });
        }
        // SAFETY: allocated in Instance::new with this layout.
        unsafe { alloc::dealloc(self.vmctx, self.vmctx_layout) };
    }
}

fn malformed(s: String) -> InstantiationError {
    InstantiationError::Malformed(s)
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
        if module.magic != DESCRIPTOR_MAGIC {
            return Err(InstantiationError::BadMagic);
        }
        if module.abi_version != ABI_VERSION {
            return Err(InstantiationError::AbiVersion {
                found: module.abi_version,
                expected: ABI_VERSION,
            });
        }
        let offsets = VmOffsets::new(module.counts);
        if offsets.size as u64 != module.vmctx_size {
            return Err(malformed(format!(
                "vmctx size {} in the descriptor, {} computed by the runtime",
                module.vmctx_size, offsets.size
            )));
        }
        check_counts(module)?;
        crate::registry::register(module);
        // Faults in compiled code must become traps in embedders too (idempotent).
        crate::trap::signals::install();

        let vmctx_layout =
            Layout::from_size_align(offsets.size.max(16) as usize, 16).expect("vmctx layout");
        // SAFETY: non-zero size.
        let vmctx = unsafe { alloc::alloc_zeroed(vmctx_layout) };
        if vmctx.is_null() {
            alloc::handle_alloc_error(vmctx_layout);
        }
        let data = Box::into_raw(Box::new(InstanceData {
            module,
            offsets,
            vmctx,
            vmctx_layout,
            memories: Vec::new(),
            tables: Vec::new(),
            data: Vec::new(),
            elems: Vec::new(),
            wasi: host.wasi.map(|w| Box::new(std::sync::Mutex::new(w))),
            host_data: host.host_data,
        }));
        // From here on `instance` owns everything and frees it on error.
        let instance = Instance { data };
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

    /// # Safety
    /// Only called once, from `new`.
    unsafe fn initialize(&self, imports: Imports) -> Result<(), InstantiationError> {
        // SAFETY: no other reference to the data exists during initialisation.
        let d = unsafe { &mut *self.data };
        let m = d.module;
        let o = d.offsets;
        let c = o.counts;
        // SAFETY: descriptor slices live for the process lifetime.
        let (types, func_types, functions, import_descs, memories, tables, globals, datas, elems) = unsafe {
            (
                slice(m.types.ptr, m.types.len),
                slice(m.func_types.ptr, m.func_types.len),
                slice(m.functions.ptr, m.functions.len),
                slice(m.imports.ptr, m.imports.len),
                slice(m.memories.ptr, m.memories.len),
                slice(m.tables.ptr, m.tables.len),
                slice(m.globals.ptr, m.globals.len),
                slice(m.data.ptr, m.data.len),
                slice(m.elems.ptr, m.elems.len),
            )
        };

        // Fixed prefix (memory fields once memories exist).
        // SAFETY (all vmctx writes below): offsets come from VmOffsets for this module and the
        // vmctx has offsets.size bytes.
        unsafe {
            d.write(VmOffsets::STACK_LIMIT, crate::stack::current_limit());
            d.write(VmOffsets::INSTANCE, self.data);
            d.write(VmOffsets::MODULE, m as *const ModuleDescriptor);
        }

        // Canonical type ids.
        let type_ids: Vec<u32> = types.iter().map(crate::signatures::intern_sig).collect();
        for (i, &id) in type_ids.iter().enumerate() {
            // SAFETY: see above.
            unsafe { d.write(o.type_id(i as u32), id) };
        }

        // Imports.
        d.memories = vec![ptr::null_mut(); c.num_memories as usize];
        d.tables = vec![ptr::null_mut(); c.num_tables as usize];
        let mut supplied = imports.externs.into_iter();
        for imp in import_descs {
            let names = || import_names(imp);
            let incompatible = |reason: String| {
                let (module, name) = names();
                InstantiationError::IncompatibleImport {
                    module,
                    name,
                    reason,
                }
            };
            if imp.kind == extern_kind::FUNC && !imp.host_code.is_null() {
                if imp.index >= c.num_imported_funcs {
                    return Err(malformed(format!("imported function index {}", imp.index)));
                }
                // SAFETY: see above.
                unsafe {
                    d.write(
                        o.imported_func(imp.index) + func_import::CODE,
                        imp.host_code,
                    );
                    d.write(o.imported_func(imp.index) + func_import::VMCTX, d.vmctx);
                }
                continue;
            }
            let Some(ext) = supplied.next() else {
                let (module, name) = names();
                return Err(InstantiationError::UnknownImport { module, name });
            };
            match (imp.kind, ext) {
                (extern_kind::FUNC, Extern::Func(f)) => {
                    if imp.index >= c.num_imported_funcs {
                        return Err(malformed(format!("imported function index {}", imp.index)));
                    }
                    let ty = *func_types
                        .get(imp.index as usize)
                        .ok_or_else(|| malformed("func_types".into()))?;
                    let want = *type_ids
                        .get(ty as usize)
                        .ok_or_else(|| malformed("type index".into()))?;
                    // SAFETY: a live func ref (Extern contract).
                    let fr = unsafe { *f.func_ref };
                    if fr.type_id != want {
                        return Err(incompatible("function types differ".into()));
                    }
                    // SAFETY: see above.
                    unsafe {
                        d.write(o.imported_func(imp.index) + func_import::CODE, fr.code);
                        d.write(o.imported_func(imp.index) + func_import::VMCTX, fr.vmctx);
                    }
                }
                (extern_kind::TABLE, Extern::Table(t)) => {
                    let want = tables
                        .get(imp.index as usize)
                        .ok_or_else(|| malformed("table index".into()))?;
                    // SAFETY: a live table (Extern contract).
                    let tr = unsafe { &mut *t };
                    if tr.elem_type() != want.elem_type {
                        return Err(incompatible("table element types differ".into()));
                    }
                    if !limits_match(tr.len(), tr.declared_max(), want.min, want.max) {
                        return Err(incompatible("table limits do not match".into()));
                    }
                    d.tables[imp.index as usize] = t;
                }
                (extern_kind::MEMORY, Extern::Memory(mem)) => {
                    let want = memories
                        .get(imp.index as usize)
                        .ok_or_else(|| malformed("memory index".into()))?;
                    // SAFETY: a live memory (Extern contract).
                    let mr = unsafe { &*mem };
                    if !limits_match(
                        mr.pages(),
                        mr.declared_max(),
                        want.min_pages,
                        want.max_pages,
                    ) {
                        return Err(incompatible("memory limits do not match".into()));
                    }
                    d.memories[imp.index as usize] = mem;
                }
                (extern_kind::GLOBAL, Extern::Global(g)) => {
                    if imp.index >= c.num_imported_globals {
                        return Err(malformed(format!("imported global index {}", imp.index)));
                    }
                    let want = &globals[imp.index as usize];
                    if g.ty != want.ty || g.mutable != (want.mutable != 0) {
                        return Err(incompatible("global types differ".into()));
                    }
                    // SAFETY: see above.
                    unsafe { d.write(o.imported_global(imp.index), g.ptr) };
                }
                (_, other) => {
                    return Err(incompatible(format!(
                        "expected {}, found {}",
                        kind_name(imp.kind),
                        other.kind_name()
                    )));
                }
            }
        }
        if supplied.next().is_some() {
            return Err(malformed(
                "more imports supplied than the module declares".into(),
            ));
        }

        // Function references, for every function.
        for i in 0..c.num_funcs {
            let ty = func_types[i as usize];
            let (code, vmctx) = if i < c.num_imported_funcs {
                // SAFETY: see above.
                unsafe {
                    (
                        d.read::<*const u8>(o.imported_func(i) + func_import::CODE),
                        d.read::<*mut u8>(o.imported_func(i) + func_import::VMCTX),
                    )
                }
            } else {
                (functions[(i - c.num_imported_funcs) as usize].code, d.vmctx)
            };
            if code.is_null() {
                let what = if i < c.num_imported_funcs {
                    "imported"
                } else {
                    "defined"
                };
                return Err(malformed(format!("{what} function {i} has no code")));
            }
            let type_id = *type_ids
                .get(ty as usize)
                .ok_or_else(|| malformed(format!("function {i} type {ty}")))?;
            // SAFETY: i < num_funcs.
            unsafe {
                d.func_ref(i).write(VMFuncRef {
                    code,
                    type_id,
                    _pad: 0,
                    vmctx,
                })
            };
        }

        // Defined tables and memories.
        for i in c.num_imported_tables..c.num_tables {
            let t = &tables[i as usize];
            let table = Table::new(t.min, t.max, t.elem_type).map_err(InstantiationError::Table)?;
            d.tables[i as usize] = Box::into_raw(table);
        }
        for i in c.num_imported_memories..c.num_memories {
            let md = &memories[i as usize];
            d.memories[i as usize] = Box::into_raw(LinearMemory::new(md.min_pages, md.max_pages)?);
        }
        for i in 0..c.num_tables {
            // SAFETY: a live table; `Table::definition` is its first field.
            let def: *mut VMTableDefinition = unsafe { (*d.tables[i as usize]).definition() };
            // SAFETY: see above.
            unsafe { d.write(o.table(i), def) };
        }
        for i in 0..c.num_memories {
            // SAFETY: a live memory.
            let def: *mut VMMemoryDefinition = unsafe { (*d.memories[i as usize]).definition() };
            // SAFETY: see above.
            unsafe {
                d.write(o.memory(i), def);
                if i == 0 {
                    d.write(VmOffsets::MEMORY0_BASE, (*def).base);
                    d.write(VmOffsets::MEMORY0_DEF, def);
                }
            }
        }

        // Defined globals, in order (an initialiser may read an earlier global).
        for i in c.num_imported_globals..c.num_globals {
            let v = d.eval(&globals[i as usize].init)?;
            // SAFETY: a 16-byte slot in the vmctx.
            unsafe {
                d.vmctx
                    .add(o.defined_global(i) as usize)
                    .cast::<u128>()
                    .write_unaligned(v)
            };
        }

        // Element segments: evaluate every item now (elem instances hold references).
        for e in elems {
            // SAFETY: descriptor slices live for the process lifetime.
            let items = unsafe { slice(e.items.ptr, e.items.len) };
            let vals = items
                .iter()
                .map(|it| d.eval(it).map(|v| v as u64))
                .collect::<Result<Box<[u64]>, _>>()?;
            d.elems.push(vals);
        }
        // Only passive segments outlive instantiation (active ones are dropped once copied, and
        // Go emits tens of thousands of them): keep entries up to the last passive segment; a
        // missing or empty entry reads as dropped in `memory.init`.
        check_data(datas, c.num_data)?;
        let keep = datas
            .iter()
            .rfind(|s| s.mode != segment_mode::ACTIVE)
            .map_or(0, |s| s.index as usize + 1);
        d.data = vec![&[][..]; keep];
        for s in datas.iter().filter(|s| s.mode != segment_mode::ACTIVE) {
            // SAFETY: descriptor slices live for the process lifetime.
            d.data[s.index as usize] = unsafe { slice(s.bytes.ptr, s.bytes.len) };
        }

        // Active element segments, then active data segments, in order; each is dropped after
        // use, declared element segments are dropped immediately.
        for (i, e) in elems.iter().enumerate() {
            match e.mode {
                segment_mode::ACTIVE => {
                    let dst = d.eval(&e.offset)? as u32;
                    let len = d.elems[i].len() as u32;
                    crate::builtins::table_init(d, e.table, i as u32, dst, 0, len)
                        .map_err(Trap::new)?;
                    d.elems[i] = Box::new([]);
                }
                segment_mode::DECLARED => d.elems[i] = Box::new([]),
                _ => {}
            }
        }
        for s in datas {
            if s.mode == segment_mode::ACTIVE {
                // SAFETY: descriptor slices live for the process lifetime.
                let (bytes, pieces) = unsafe {
                    (
                        slice(s.bytes.ptr, s.bytes.len),
                        slice(s.pieces.ptr, s.pieces.len),
                    )
                };
                if pieces.is_empty() {
                    let dst = d.eval(&s.offset)? as u32;
                    crate::builtins::memory_write(d, s.memory, dst, bytes).map_err(Trap::new)?;
                } else {
                    // A run of segments, each written (and bounds-checked) on its own, in order.
                    populate(d, s.memory, pieces);
                    let mut at = 0usize;
                    for p in pieces {
                        let piece = &bytes[at..at + p.len as usize];
                        at += p.len as usize;
                        crate::builtins::memory_write(d, s.memory, p.offset, piece)
                            .map_err(Trap::new)?;
                    }
                }
            }
        }

        // The start function.
        if m.start != NO_INDEX {
            if m.start >= c.num_funcs {
                return Err(malformed(format!("start function {}", m.start)));
            }
            let func = Func {
                func_ref: d.func_ref(m.start),
                sig: d.signature(m.start)?,
            };
            let mut slots = [ValRaw::default(); 1];
            self.call(&func, &mut slots)?;
        }
        Ok(())
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
        self.data().module
    }

    /// Looks up an export by name.
    pub fn get_export(&self, name: &str) -> Option<Extern> {
        let d = self.data();
        // SAFETY: descriptor slices live for the process lifetime.
        let exports = unsafe { slice(d.module.exports.ptr, d.module.exports.len) };
        let e: &ExportDesc = exports.iter().find(|e| {
            // SAFETY: as above.
            (unsafe { slice(e.name.ptr, e.name.len) }) == name.as_bytes()
        })?;
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
            sig: d.signature(index).ok()?,
        })
    }

    /// Every export, in module order.
    pub fn exports(&self) -> Vec<(String, Extern)> {
        let d = self.data();
        // SAFETY: descriptor slices live for the process lifetime.
        let exports = unsafe { slice(d.module.exports.ptr, d.module.exports.len) };
        exports
            .iter()
            .filter_map(|e| Some((str_of(&e.name), self.export_extern(e)?)))
            .collect()
    }

    fn export_extern(&self, e: &ExportDesc) -> Option<Extern> {
        let d = self.data();
        let c = d.offsets.counts;
        Some(match e.kind {
            extern_kind::FUNC if e.index < c.num_funcs => Extern::Func(Func {
                func_ref: d.func_ref(e.index),
                sig: d.signature(e.index).ok()?,
            }),
            extern_kind::TABLE => Extern::Table(*d.tables.get(e.index as usize)?),
            extern_kind::MEMORY => Extern::Memory(*d.memories.get(e.index as usize)?),
            extern_kind::GLOBAL if e.index < c.num_globals => {
                // SAFETY: descriptor slices live for the process lifetime.
                let g =
                    &unsafe { slice(d.module.globals.ptr, d.module.globals.len) }[e.index as usize];
                Extern::Global(GlobalRef {
                    ptr: d.global_ptr(e.index),
                    ty: g.ty,
                    mutable: g.mutable != 0,
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
        // SAFETY: a live func ref; array_call is the trampoline the compiler emitted for this
        // signature (C ABI, 16-byte slots), and `values` has room for params and results.
        unsafe {
            let fr = *f.func_ref;
            // The callee may belong to another instance created on another thread: give it this
            // thread's stack limit. Only wasm code has a vmctx; a host function's (e.g. an
            // imported host function used as the start function) may be anything, even null.
            if crate::registry::lookup(fr.code as usize).is_some() {
                fr.vmctx
                    .add(VmOffsets::STACK_LIMIT as usize)
                    .cast::<usize>()
                    .write(crate::stack::current_limit());
            }
            let call: ArrayCall = core::mem::transmute(f.sig.array_call);
            let values = values.as_mut_ptr();
            if crate::trap::catching() {
                // Library mode: this call gets its own catch point, so the trap comes back
                // here rather than to an outer one.
                return crate::trap::catch_traps(|| call(fr.code, fr.vmctx, values));
            }
            call(fr.code, fr.vmctx, values);
        }
        Ok(())
    }

    /// Memory `i` of this instance (imported or defined).
    pub fn memory(&self, i: u32) -> Option<*mut LinearMemory> {
        self.data().memories.get(i as usize).copied()
    }
}

fn kind_name(kind: u8) -> &'static str {
    match kind {
        extern_kind::FUNC => "function",
        extern_kind::TABLE => "table",
        extern_kind::MEMORY => "memory",
        extern_kind::GLOBAL => "global",
        _ => "unknown kind",
    }
}

/// Import subtyping of limits: the actual size is at least the declared minimum, and if the
/// import declares a maximum the actual one exists and is no larger.
fn limits_match(actual_min: u64, actual_max: u64, min: u64, max: u64) -> bool {
    actual_min >= min && (max == NO_MAX || (actual_max != NO_MAX && actual_max <= max))
}

/// Checks that the descriptor's slices agree with its counts.
fn check_counts(m: &ModuleDescriptor) -> Result<(), InstantiationError> {
    let c = &m.counts;
    let checks = [
        ("types", m.types.len, c.num_types as u64),
        ("func_types", m.func_types.len, c.num_funcs as u64),
        (
            "functions",
            m.functions.len,
            (c.num_funcs - c.num_imported_funcs.min(c.num_funcs)) as u64,
        ),
        ("memories", m.memories.len, c.num_memories as u64),
        ("tables", m.tables.len, c.num_tables as u64),
        ("globals", m.globals.len, c.num_globals as u64),
        ("elems", m.elems.len, c.num_elems as u64),
    ];
    for (what, len, count) in checks {
        if len != count {
            return Err(malformed(format!(
                "{len} {what} in the descriptor, counts say {count}"
            )));
        }
    }
    if c.num_imported_funcs > c.num_funcs
        || c.num_imported_tables > c.num_tables
        || c.num_imported_memories > c.num_memories
        || c.num_imported_globals > c.num_globals
    {
        return Err(malformed("more imports than entities".into()));
    }
    Ok(())
}

/// Faults in, in one system call, the pages of memory `mem` a run's pieces will write (clipped
/// to the memory's length): one `MADV_POPULATE_WRITE` instead of a page fault per page during
/// the copy. Only a hint: errors (kernels before 5.14 answer `EINVAL`) are ignored.
fn populate(d: &mut InstanceData, mem: u32, pieces: &[wasmaot_abi::descriptor::DataPiece]) {
    const MADV_POPULATE_WRITE: libc::c_int = 23;
    let (lo, hi) = pieces
        .iter()
        .filter(|p| p.len > 0)
        .fold((u64::MAX, 0u64), |(lo, hi), p| {
            (
                lo.min(p.offset as u64),
                hi.max(p.offset as u64 + p.len as u64),
            )
        });
    let Some(m) = d.memory(mem) else { return };
    let hi = hi.min(m.byte_len());
    if lo >= hi {
        return;
    }
    const PAGE: u64 = 4096;
    let lo = lo & !(PAGE - 1);
    let Some(base) = m.range(lo, hi - lo) else {
        return;
    };
    // SAFETY: `[base, base + (hi - lo))` is accessible memory of this instance, page-aligned
    // at the start (the memory base is page-aligned); populating it changes no contents.
    unsafe { libc::madvise(base.cast(), (hi - lo) as usize, MADV_POPULATE_WRITE) };
}

/// Checks the data entries: sorted by segment index, each within `num_data` and not overlapping
/// the next, a run's pieces covering its bytes exactly.
fn check_data(datas: &[DataDesc], num_data: u32) -> Result<(), InstantiationError> {
    let mut next = 0u64;
    for s in datas {
        // SAFETY: descriptor slices live for the process lifetime.
        let pieces = unsafe { slice(s.pieces.ptr, s.pieces.len) };
        let end = s.index as u64 + (pieces.len() as u64).max(1);
        let covered: u64 = pieces.iter().map(|p| p.len as u64).sum();
        if (s.index as u64) < next
            || end > num_data as u64
            || (!pieces.is_empty() && (s.mode != segment_mode::ACTIVE || covered != s.bytes.len))
        {
            return Err(malformed(format!("data entry for segment {}", s.index)));
        }
        next = end;
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use wasmaot_abi::descriptor::{DataDesc, ElemDesc, MemoryDesc, Slice, TableDesc};
    use wasmaot_abi::trap::TrapCode;
    use wasmaot_abi::types::ValType;
    use wasmaot_abi::vmctx::ModuleCounts;

    fn empty<T>() -> Slice<T> {
        Slice {
            ptr: ptr::null(),
            len: 0,
        }
    }

    fn leak<T: 'static>(v: Vec<T>) -> Slice<T> {
        let s: &'static [T] = Vec::leak(v);
        Slice {
            ptr: s.as_ptr(),
            len: s.len() as u64,
        }
    }

    /// A descriptor with nothing in it.
    pub(crate) fn empty_descriptor() -> ModuleDescriptor {
        ModuleDescriptor {
            magic: DESCRIPTOR_MAGIC,
            abi_version: ABI_VERSION,
            start: NO_INDEX,
            vmctx_size: VmOffsets::new(ModuleCounts::default()).size as u64,
            counts: ModuleCounts::default(),
            types: empty(),
            func_types: empty(),
            functions: empty(),
            imports: empty(),
            memories: empty(),
            tables: empty(),
            globals: empty(),
            data: empty(),
            elems: empty(),
            exports: empty(),
            name: empty(),
            policy: empty(),
        }
    }

    fn i32_expr(v: u32) -> ConstExprDesc {
        ConstExprDesc {
            kind: const_kind::I32,
            index: 0,
            bits: [v as u64, 0],
        }
    }

    /// One memory (1 page, max 2) with an active data segment "hi" at 8 and a passive one
    /// "abcdef"; one funcref table (4, max 6) with a passive segment of two nulls and one
    /// externref-like value read from a global; one i64 global = 0x1234.
    pub(crate) fn test_module() -> &'static ModuleDescriptor {
        let counts = ModuleCounts {
            num_memories: 1,
            num_tables: 1,
            num_globals: 1,
            num_data: 2,
            num_elems: 2,
            ..Default::default()
        };
        let mut d = empty_descriptor();
        d.counts = counts;
        d.vmctx_size = VmOffsets::new(counts).size as u64;
        d.memories = leak(vec![MemoryDesc {
            min_pages: 1,
            max_pages: 2,
            imported: 0,
            shared: 0,
            _pad: [0; 6],
        }]);
        d.tables = leak(vec![TableDesc {
            min: 4,
            max: 6,
            elem_type: ValType::FuncRef as u8,
            imported: 0,
            _pad: [0; 6],
        }]);
        d.globals = leak(vec![wasmaot_abi::descriptor::GlobalDesc {
            ty: ValType::I64 as u8,
            mutable: 0,
            imported: 0,
            _pad: [0; 5],
            init: ConstExprDesc {
                kind: const_kind::I64,
                index: 0,
                bits: [0x1234, 0],
            },
        }]);
        d.data = leak(vec![
            DataDesc {
                memory: 0,
                mode: segment_mode::ACTIVE,
                _pad: [0; 3],
                index: 0,
                _pad2: 0,
                offset: i32_expr(8),
                bytes: leak(b"hi".to_vec()),
                pieces: empty(),
            },
            DataDesc {
                memory: 0,
                mode: segment_mode::PASSIVE,
                _pad: [0; 3],
                index: 1,
                _pad2: 0,
                offset: i32_expr(0),
                bytes: leak(b"abcdef".to_vec()),
                pieces: empty(),
            },
        ]);
        let null = ConstExprDesc {
            kind: const_kind::REF_NULL,
            index: 0,
            bits: [0, 0],
        };
        let g0 = ConstExprDesc {
            kind: const_kind::GLOBAL_GET,
            index: 0,
            bits: [0, 0],
        };
        d.elems = leak(vec![
            ElemDesc {
                table: 0,
                mode: segment_mode::PASSIVE,
                elem_type: ValType::FuncRef as u8,
                _pad: [0; 2],
                offset: i32_expr(0),
                items: leak(vec![null, null, g0]),
            },
            ElemDesc {
                table: 0,
                mode: segment_mode::ACTIVE,
                elem_type: ValType::FuncRef as u8,
                _pad: [0; 2],
                offset: i32_expr(3),
                items: leak(vec![g0]),
            },
        ]);
        d.exports = leak(vec![
            ExportDesc {
                name: leak(b"mem".to_vec()),
                kind: extern_kind::MEMORY,
                _pad: [0; 3],
                index: 0,
            },
            ExportDesc {
                name: leak(b"g".to_vec()),
                kind: extern_kind::GLOBAL,
                _pad: [0; 3],
                index: 0,
            },
        ]);
        Box::leak(Box::new(d))
    }

    #[test]
    fn instantiates_hand_built_module() {
        let inst = Instance::new(test_module(), Imports::new()).unwrap();
        let vmctx = inst.vmctx();
        // SAFETY: reading the vmctx fields of a live instance.
        unsafe {
            let d = InstanceData::from_vmctx(vmctx);
            assert!(ptr::eq(d, inst.data));
            let base = vmctx.cast::<*mut u8>().read();
            let def = vmctx.add(8).cast::<*mut VMMemoryDefinition>().read();
            assert_eq!((*def).base, base);
            assert_eq!((*def).length, 65536);
            assert_eq!(base.add(8).cast::<[u8; 2]>().read(), *b"hi");
            let o = VmOffsets::new(inst.module().counts);
            assert_eq!(
                vmctx.add(o.defined_global(0) as usize).cast::<u64>().read(),
                0x1234
            );
            let tdef = vmctx
                .add(o.table(0) as usize)
                .cast::<*mut VMTableDefinition>()
                .read();
            assert_eq!((*tdef).length, 4);
            assert_eq!((*tdef).base.add(3).read(), 0x1234);
            assert_ne!(
                vmctx
                    .add(VmOffsets::STACK_LIMIT as usize)
                    .cast::<usize>()
                    .read(),
                0
            );
            // The active segments were dropped, the passive ones kept.
            assert!(d.data[0].is_empty());
            assert_eq!(d.data[1], b"abcdef");
            assert!(d.elems[1].is_empty());
            assert_eq!(&*d.elems[0], &[0, 0, 0x1234]);
        }
        match inst.get_export("g") {
            Some(Extern::Global(g)) => assert_eq!(g.ty, ValType::I64 as u8),
            other => panic!("{other:?}"),
        }
        assert!(matches!(inst.get_export("mem"), Some(Extern::Memory(_))));
        assert!(inst.get_export("nope").is_none());
        assert_eq!(inst.exports().len(), 2);
    }

    #[test]
    fn rejects_bad_descriptors() {
        let mut d = empty_descriptor();
        d.magic = 0;
        assert!(matches!(
            Instance::new(Box::leak(Box::new(d)), Imports::new()),
            Err(InstantiationError::BadMagic)
        ));
        let mut d = empty_descriptor();
        d.vmctx_size += 16;
        assert!(matches!(
            Instance::new(Box::leak(Box::new(d)), Imports::new()),
            Err(InstantiationError::Malformed(_))
        ));
        let mut d = empty_descriptor();
        d.abi_version = 999;
        assert!(matches!(
            Instance::new(Box::leak(Box::new(d)), Imports::new()),
            Err(InstantiationError::AbiVersion { .. })
        ));
    }

    #[test]
    fn imports_memory_and_global_from_another_instance() {
        let exporter = Instance::new(test_module(), Imports::new()).unwrap();
        let counts = ModuleCounts {
            num_memories: 1,
            num_imported_memories: 1,
            num_globals: 2,
            num_imported_globals: 1,
            ..Default::default()
        };
        let mut d = empty_descriptor();
        d.counts = counts;
        d.vmctx_size = VmOffsets::new(counts).size as u64;
        d.memories = leak(vec![MemoryDesc {
            min_pages: 1,
            max_pages: NO_MAX,
            imported: 1,
            shared: 0,
            _pad: [0; 6],
        }]);
        let g = |imported, init| wasmaot_abi::descriptor::GlobalDesc {
            ty: ValType::I64 as u8,
            mutable: 0,
            imported,
            _pad: [0; 5],
            init,
        };
        d.globals = leak(vec![
            g(1, i32_expr(0)),
            g(
                0,
                ConstExprDesc {
                    kind: const_kind::GLOBAL_GET,
                    index: 0,
                    bits: [0, 0],
                },
            ),
        ]);
        let imp = |name: &[u8], kind, index| ImportDesc {
            module: leak(b"m".to_vec()),
            name: leak(name.to_vec()),
            kind,
            _pad: [0; 3],
            index,
            host_code: ptr::null(),
        };
        d.imports = leak(vec![
            imp(b"mem", extern_kind::MEMORY, 0),
            imp(b"g", extern_kind::GLOBAL, 0),
        ]);
        let d: &'static ModuleDescriptor = Box::leak(Box::new(d));
        let imports = Imports::resolve(d, |_, n| exporter.get_export(n)).unwrap();
        let importer = Instance::new(d, imports).unwrap();
        let o = VmOffsets::new(counts);
        // SAFETY: reading vmctx fields of live instances.
        unsafe {
            assert_eq!(
                importer.vmctx().cast::<*mut u8>().read(),
                exporter.vmctx().cast::<*mut u8>().read()
            );
            assert_eq!(
                importer
                    .vmctx()
                    .add(o.defined_global(1) as usize)
                    .cast::<u64>()
                    .read(),
                0x1234
            );
        }
        // Unknown and incompatible imports.
        assert!(matches!(
            Imports::resolve(d, |_, _| None),
            Err(InstantiationError::UnknownImport { .. })
        ));
        let mut wrong = Imports::new();
        wrong.push(exporter.get_export("g").unwrap());
        wrong.push(exporter.get_export("g").unwrap());
        assert!(matches!(
            Instance::new(d, wrong),
            Err(InstantiationError::IncompatibleImport { .. })
        ));
        drop(importer);
    }

    #[test]
    fn failed_instantiation_frees_what_was_created() {
        let m = test_module();
        let donor = Instance::new(m, Imports::new()).unwrap();
        let mut extra = Imports::new();
        extra.push(donor.get_export("g").unwrap());
        // Fails after imports, before the defined memory and table exist.
        assert!(matches!(
            Instance::new(m, extra),
            Err(InstantiationError::Malformed(_))
        ));
    }

    #[test]
    fn out_of_bounds_active_segment_is_a_trap() {
        let counts = ModuleCounts {
            num_memories: 1,
            num_data: 2,
            ..Default::default()
        };
        let mut d = empty_descriptor();
        d.counts = counts;
        d.vmctx_size = VmOffsets::new(counts).size as u64;
        d.memories = leak(vec![MemoryDesc {
            min_pages: 1,
            max_pages: NO_MAX,
            imported: 0,
            shared: 0,
            _pad: [0; 6],
        }]);
        d.data = leak(vec![
            DataDesc {
                memory: 0,
                mode: segment_mode::ACTIVE,
                _pad: [0; 3],
                index: 0,
                _pad2: 0,
                offset: i32_expr(0),
                bytes: leak(b"ok".to_vec()),
                pieces: empty(),
            },
            DataDesc {
                memory: 0,
                mode: segment_mode::ACTIVE,
                _pad: [0; 3],
                index: 1,
                _pad2: 0,
                offset: i32_expr(65535),
                bytes: leak(b"no".to_vec()),
                pieces: empty(),
            },
        ]);
        match Instance::new(Box::leak(Box::new(d)), Imports::new()) {
            Err(InstantiationError::Trap(t)) => {
                assert_eq!(t.code, TrapCode::MemoryOutOfBounds);
                assert_eq!(t.to_string(), "wasm trap: out of bounds memory access");
            }
            other => panic!("{other:?}"),
        }
    }

    /// A module with one 1-page memory and `data`, `num_data` segments.
    fn data_module(num_data: u32, data: Vec<DataDesc>) -> &'static ModuleDescriptor {
        let counts = ModuleCounts {
            num_memories: 1,
            num_data,
            ..Default::default()
        };
        let mut d = empty_descriptor();
        d.counts = counts;
        d.vmctx_size = VmOffsets::new(counts).size as u64;
        d.memories = leak(vec![MemoryDesc {
            min_pages: 1,
            max_pages: NO_MAX,
            imported: 0,
            shared: 0,
            _pad: [0; 6],
        }]);
        d.data = leak(data);
        Box::leak(Box::new(d))
    }

    fn run(index: u32, pieces: &[(u32, u32)], bytes: &[u8]) -> DataDesc {
        DataDesc {
            memory: 0,
            mode: segment_mode::ACTIVE,
            _pad: [0; 3],
            index,
            _pad2: 0,
            offset: i32_expr(0),
            bytes: leak(bytes.to_vec()),
            pieces: leak(
                pieces
                    .iter()
                    .map(|&(offset, len)| wasmaot_abi::descriptor::DataPiece { offset, len })
                    .collect(),
            ),
        }
    }

    #[test]
    fn runs_of_segments_write_each_piece_and_keep_indices() {
        // Segments 0..3 are a run (the later piece overwrites the earlier), 3 is passive.
        let passive = DataDesc {
            memory: 0,
            mode: segment_mode::PASSIVE,
            _pad: [0; 3],
            index: 3,
            _pad2: 0,
            offset: i32_expr(0),
            bytes: leak(b"pq".to_vec()),
            pieces: empty(),
        };
        let m = data_module(
            4,
            vec![run(0, &[(4, 3), (100, 0), (5, 2)], b"abcXY"), passive],
        );
        let inst = Instance::new(m, Imports::new()).unwrap();
        // SAFETY: reading the memory and instance data of a live instance.
        unsafe {
            let d = InstanceData::from_vmctx(inst.vmctx());
            let base = inst.vmctx().cast::<*mut u8>().read();
            assert_eq!(base.add(3).cast::<[u8; 5]>().read(), *b"\0aXY\0");
            assert_eq!(d.data.len(), 4);
            assert!(d.data[..3].iter().all(|s| s.is_empty()));
            assert_eq!(d.data[3], b"pq");
        }
        // A piece out of bounds traps (pieces before it are written, as separate segments).
        let m = data_module(2, vec![run(0, &[(0, 2), (65535, 2)], b"okno")]);
        match Instance::new(m, Imports::new()) {
            Err(InstantiationError::Trap(t)) => assert_eq!(t.code, TrapCode::MemoryOutOfBounds),
            other => panic!("{other:?}"),
        }
        // Malformed: pieces not covering the bytes, overlapping or out-of-range indices.
        for data in [
            vec![run(0, &[(0, 2)], b"abc")],
            vec![
                run(0, &[(0, 1), (1, 1)], b"ab"),
                run(1, &[(0, 1), (1, 1)], b"ab"),
            ],
            vec![run(1, &[(0, 1), (1, 1)], b"ab")],
        ] {
            assert!(matches!(
                Instance::new(data_module(2, data), Imports::new()),
                Err(InstantiationError::Malformed(_))
            ));
        }
    }

    #[test]
    fn val_raw_round_trips() {
        assert_eq!(ValRaw::i32(-1).get_i32(), -1);
        assert_eq!(ValRaw::i32(-1).get_i64(), 0xffff_ffff);
        assert_eq!(ValRaw::i64(-2).get_i64(), -2);
        assert_eq!(ValRaw::f64_bits(7).get_f64_bits(), 7);
        assert_eq!(core::mem::size_of::<ValRaw>(), 16);
        assert_eq!(core::mem::align_of::<ValRaw>(), 16);
    }
}

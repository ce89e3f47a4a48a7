//! Imports: `Imports`, what an embedder supplies for a module's imports (and
//! `Imports::resolve`, which builds it by name), and the instantiation step that checks each
//! supplied import against its declaration and binds it into the vmctx (functions and globals)
//! or the instance's memory and table lists.
//!
//! Must never take ownership of an import (the exporting instance owns it and must outlive
//! this one), and never accept an import whose type or limits do not match its declaration.

use core::ptr;

use wasmaot_abi::descriptor::{ImportDesc, ModuleDescriptor, NO_MAX, extern_kind};
use wasmaot_abi::vmctx::func_import;

use super::data::InstanceData;
use super::error::{InstantiationError, malformed};
use super::values::{Extern, Func, GlobalRef};
use super::view::{import_names, unchecked_imports};
use crate::memory::LinearMemory;
use crate::table::Table;

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
        for imp in unchecked_imports(module) {
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

/// Binds every import, in module order: functions linked into the executable from their
/// `host_code`, the others from `imports`, which must supply exactly those. `type_ids` are the
/// module's canonical type ids, by type index.
pub(super) fn bind(
    d: &mut InstanceData,
    imports: Imports,
    type_ids: &[u32],
) -> Result<(), InstantiationError> {
    let c = d.offsets.counts;
    d.memories = vec![ptr::null_mut(); c.num_memories as usize];
    d.tables = vec![ptr::null_mut(); c.num_tables as usize];
    let mut supplied = imports.externs.into_iter();
    for imp in d.view.imports() {
        if imp.kind == extern_kind::FUNC && !imp.host_code.is_null() {
            bind_linked_func(d, imp)?;
            continue;
        }
        let Some(ext) = supplied.next() else {
            let (module, name) = import_names(imp);
            return Err(InstantiationError::UnknownImport { module, name });
        };
        bind_supplied(d, imp, ext, type_ids)?;
    }
    if supplied.next().is_some() {
        return Err(malformed(
            "more imports supplied than the module declares".into(),
        ));
    }
    Ok(())
}

/// A function linked into the executable: its code, called with this instance's vmctx.
fn bind_linked_func(d: &InstanceData, imp: &ImportDesc) -> Result<(), InstantiationError> {
    let o = d.offsets;
    if imp.index >= o.counts.num_imported_funcs {
        return Err(malformed(format!("imported function index {}", imp.index)));
    }
    // SAFETY: an imported function's fields (index checked above), from this module's
    // `VmOffsets`, within the vmctx.
    unsafe {
        d.write(
            o.imported_func(imp.index) + func_import::CODE,
            imp.host_code,
        );
        d.write(o.imported_func(imp.index) + func_import::VMCTX, d.vmctx);
    }
    Ok(())
}

/// One import the embedder supplied, checked against its declaration.
fn bind_supplied(
    d: &mut InstanceData,
    imp: &'static ImportDesc,
    ext: Extern,
    type_ids: &[u32],
) -> Result<(), InstantiationError> {
    match (imp.kind, ext) {
        (extern_kind::FUNC, Extern::Func(f)) => bind_func(d, imp, f, type_ids),
        (extern_kind::TABLE, Extern::Table(t)) => bind_table(d, imp, t),
        (extern_kind::MEMORY, Extern::Memory(mem)) => bind_memory(d, imp, mem),
        (extern_kind::GLOBAL, Extern::Global(g)) => bind_global(d, imp, g),
        (extern_kind::TAG, Extern::Tag(t)) => super::tags::bind_import(d, imp, t, type_ids),
        (_, other) => Err(incompatible(
            imp,
            format!(
                "expected {}, found {}",
                kind_name(imp.kind),
                other.kind_name()
            ),
        )),
    }
}

fn bind_func(
    d: &InstanceData,
    imp: &'static ImportDesc,
    f: Func,
    type_ids: &[u32],
) -> Result<(), InstantiationError> {
    let o = d.offsets;
    if imp.index >= o.counts.num_imported_funcs {
        return Err(malformed(format!("imported function index {}", imp.index)));
    }
    let ty = *d
        .view
        .func_types()
        .get(imp.index as usize)
        .ok_or_else(|| malformed("func_types".into()))?;
    let want = *type_ids
        .get(ty as usize)
        .ok_or_else(|| malformed("type index".into()))?;
    // SAFETY: a live func ref (Extern contract).
    let fr = unsafe { *f.func_ref };
    if fr.type_id != want {
        return Err(incompatible(imp, "function types differ".into()));
    }
    // SAFETY: an imported function's fields (index checked above), from this module's
    // `VmOffsets`, within the vmctx.
    unsafe {
        d.write(o.imported_func(imp.index) + func_import::CODE, fr.code);
        d.write(o.imported_func(imp.index) + func_import::VMCTX, fr.vmctx);
    }
    Ok(())
}

fn bind_table(
    d: &mut InstanceData,
    imp: &'static ImportDesc,
    t: *mut Table,
) -> Result<(), InstantiationError> {
    let want = d
        .view
        .tables()
        .get(imp.index as usize)
        .ok_or_else(|| malformed("table index".into()))?;
    // SAFETY: a live table (Extern contract).
    let tr = unsafe { &mut *t };
    // Tables are mutable: element types must be equal, typed references included.
    if tr.elem_type() != want.elem_type || tr.refs() != super::view::bytes(&want.refs) {
        return Err(incompatible(imp, "table element types differ".into()));
    }
    if tr.is_64() != (want.index64 != 0) {
        return Err(incompatible(imp, "table index types differ".into()));
    }
    if !limits_match(tr.len(), tr.declared_max(), want.min, want.max) {
        return Err(incompatible(imp, "table limits do not match".into()));
    }
    d.tables[imp.index as usize] = t;
    Ok(())
}

fn bind_memory(
    d: &mut InstanceData,
    imp: &'static ImportDesc,
    mem: *mut LinearMemory,
) -> Result<(), InstantiationError> {
    let want = d
        .view
        .memories()
        .get(imp.index as usize)
        .ok_or_else(|| malformed("memory index".into()))?;
    // SAFETY: a live memory (Extern contract).
    let mr = unsafe { &*mem };
    if mr.is_64() != (want.index64 != 0) {
        return Err(incompatible(imp, "memory index types differ".into()));
    }
    if !limits_match(
        mr.pages(),
        mr.declared_max(),
        want.min_pages,
        want.max_pages,
    ) {
        return Err(incompatible(imp, "memory limits do not match".into()));
    }
    d.memories[imp.index as usize] = mem;
    Ok(())
}

fn bind_global(
    d: &InstanceData,
    imp: &'static ImportDesc,
    g: GlobalRef,
) -> Result<(), InstantiationError> {
    if imp.index >= d.offsets.counts.num_imported_globals {
        return Err(malformed(format!("imported global index {}", imp.index)));
    }
    let want = &d.view.globals()[imp.index as usize];
    let want_refs = super::view::bytes(&want.refs);
    // A mutable global's type must be equal; an immutable one's a subtype (typed references).
    let types_match = if want.mutable != 0 {
        g.ty == want.ty && g.refs == want_refs
    } else {
        wasmaot_abi::types::typed_ref::is_subtype(g.ty, g.refs, want.ty, want_refs)
    };
    if !types_match || g.mutable != (want.mutable != 0) {
        return Err(incompatible(imp, "global types differ".into()));
    }
    // SAFETY: an imported global's pointer (index checked above), from this module's
    // `VmOffsets`, within the vmctx.
    unsafe { d.write(d.offsets.imported_global(imp.index), g.ptr) };
    Ok(())
}

pub(super) fn incompatible(imp: &'static ImportDesc, reason: String) -> InstantiationError {
    let (module, name) = import_names(imp);
    InstantiationError::IncompatibleImport {
        module,
        name,
        reason,
    }
}

fn kind_name(kind: u8) -> &'static str {
    match kind {
        extern_kind::FUNC => "function",
        extern_kind::TABLE => "table",
        extern_kind::MEMORY => "memory",
        extern_kind::GLOBAL => "global",
        extern_kind::TAG => "tag",
        _ => "unknown kind",
    }
}

/// Import subtyping of limits: the actual size is at least the declared minimum, and if the
/// import declares a maximum the actual one exists and is no larger.
fn limits_match(actual_min: u64, actual_max: u64, min: u64, max: u64) -> bool {
    actual_min >= min && (max == NO_MAX || (actual_max != NO_MAX && actual_max <= max))
}

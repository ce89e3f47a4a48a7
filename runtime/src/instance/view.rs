//! The module view: a `&'static ModuleDescriptor` checked once, at the start of instantiation
//! (magic, ABI version, vmctx size, counts, data entries), then its arrays as safe `'static`
//! slices and a few helpers (strings, import names, a function's signature) for every later
//! step and for the instance's exports.
//!
//! Must never be built without its checks (only `ModuleView::new` builds one), and nothing else
//! in `instance/` may turn a descriptor `Slice` into a slice itself: every descriptor array is
//! read through here.

use wasmaot_abi::descriptor::{
    ConstExprDesc, DataDesc, DataPiece, ElemDesc, ExportDesc, FunctionDesc, GlobalDesc, ImportDesc,
    MemoryDesc, ModuleDescriptor, SigDesc, Slice, Str, TableDesc, segment_mode,
};
use wasmaot_abi::vmctx::VmOffsets;
use wasmaot_abi::{ABI_VERSION, DESCRIPTOR_MAGIC};

use super::error::{InstantiationError, malformed};
use crate::registry::slice;

/// A checked module descriptor and its arrays. The arrays agree with the counts, the data
/// entries are sorted and in range, and the vmctx layout is the one the compiler used.
#[derive(Clone, Copy)]
pub(crate) struct ModuleView {
    descriptor: &'static ModuleDescriptor,
    offsets: VmOffsets,
    types: &'static [SigDesc],
    func_types: &'static [u32],
    functions: &'static [FunctionDesc],
    imports: &'static [ImportDesc],
    memories: &'static [MemoryDesc],
    tables: &'static [TableDesc],
    globals: &'static [GlobalDesc],
    data: &'static [DataDesc],
    elems: &'static [ElemDesc],
    exports: &'static [ExportDesc],
}

impl ModuleView {
    /// Checks `module` and takes its arrays.
    pub(crate) fn new(module: &'static ModuleDescriptor) -> Result<ModuleView, InstantiationError> {
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
        let data = array(&module.data);
        check_data(data, module.counts.num_data)?;
        Ok(ModuleView {
            descriptor: module,
            offsets,
            types: array(&module.types),
            func_types: array(&module.func_types),
            functions: array(&module.functions),
            imports: array(&module.imports),
            memories: array(&module.memories),
            tables: array(&module.tables),
            globals: array(&module.globals),
            data,
            elems: array(&module.elems),
            exports: array(&module.exports),
        })
    }

    pub(crate) fn descriptor(&self) -> &'static ModuleDescriptor {
        self.descriptor
    }

    /// The vmctx layout, checked against the descriptor's `vmctx_size`.
    pub(crate) fn offsets(&self) -> VmOffsets {
        self.offsets
    }

    /// Every signature, by type index (`counts.num_types` of them).
    pub(crate) fn types(&self) -> &'static [SigDesc] {
        self.types
    }

    /// The type index of every function, imported ones first (`counts.num_funcs`).
    pub(crate) fn func_types(&self) -> &'static [u32] {
        self.func_types
    }

    /// The defined functions (`num_funcs - num_imported_funcs`).
    pub(crate) fn functions(&self) -> &'static [FunctionDesc] {
        self.functions
    }

    /// Every import, in module order (not counted: any length).
    pub(crate) fn imports(&self) -> &'static [ImportDesc] {
        self.imports
    }

    /// Every memory, imported ones first (`counts.num_memories`).
    pub(crate) fn memories(&self) -> &'static [MemoryDesc] {
        self.memories
    }

    /// Every table, imported ones first (`counts.num_tables`).
    pub(crate) fn tables(&self) -> &'static [TableDesc] {
        self.tables
    }

    /// Every global, imported ones first (`counts.num_globals`).
    pub(crate) fn globals(&self) -> &'static [GlobalDesc] {
        self.globals
    }

    /// The data entries: sorted by segment index, each within `counts.num_data`, a run's
    /// pieces covering its bytes exactly (see `check_data`).
    pub(crate) fn data(&self) -> &'static [DataDesc] {
        self.data
    }

    /// Every element segment (`counts.num_elems`).
    pub(crate) fn elems(&self) -> &'static [ElemDesc] {
        self.elems
    }

    /// Every export, in module order.
    pub(crate) fn exports(&self) -> &'static [ExportDesc] {
        self.exports
    }

    /// The signature of function `func` (imported functions counted).
    pub(crate) fn signature(&self, func: u32) -> Result<&'static SigDesc, InstantiationError> {
        let ty = *self
            .func_types
            .get(func as usize)
            .ok_or_else(|| malformed(format!("no type for function {func}")))?;
        self.types
            .get(ty as usize)
            .ok_or_else(|| malformed(format!("bad type index {ty}")))
    }
}

/// The imports of a descriptor that has not been checked (yet): what `Imports::resolve` reads
/// before instantiation. The checks do not cover the import list anyway.
pub(crate) fn unchecked_imports(module: &'static ModuleDescriptor) -> &'static [ImportDesc] {
    array(&module.imports)
}

/// A descriptor string's bytes.
pub(crate) fn bytes(s: &'static Str) -> &'static [u8] {
    array(s)
}

/// A descriptor string, for messages and export names (invalid UTF-8 replaced).
pub(crate) fn string(s: &'static Str) -> String {
    String::from_utf8_lossy(bytes(s)).into_owned()
}

/// An import's module and field names.
pub(crate) fn import_names(imp: &'static ImportDesc) -> (String, String) {
    (string(&imp.module), string(&imp.name))
}

/// An element segment's items, one constant expression each.
/// The type index of every tag (`counts.num_tags`, checked at the tag step).
pub(crate) fn tags(module: &'static ModuleDescriptor) -> &'static [u32] {
    array(&module.tags)
}

pub(crate) fn elem_items(e: &'static ElemDesc) -> &'static [ConstExprDesc] {
    array(&e.items)
}

/// The program of an `EXTENDED` constant expression (`index .. index + bits[0]` of the
/// module's `const_ops`), `None` if that range is out of bounds.
pub(crate) fn const_ops(
    module: &'static ModuleDescriptor,
    e: &ConstExprDesc,
) -> Option<&'static [ConstExprDesc]> {
    let start = e.index as usize;
    let len = usize::try_from(e.bits[0]).ok()?;
    array(&module.const_ops).get(start..start.checked_add(len)?)
}

/// A data entry's bytes (a run's pieces concatenated).
pub(crate) fn data_bytes(s: &'static DataDesc) -> &'static [u8] {
    array(&s.bytes)
}

/// A data entry's pieces: empty for a single segment, one per segment for a run.
pub(crate) fn data_pieces(s: &'static DataDesc) -> &'static [DataPiece] {
    array(&s.pieces)
}

/// The one place a descriptor `Slice` becomes a slice.
fn array<T>(s: &'static Slice<T>) -> &'static [T] {
    // SAFETY: a `'static` descriptor `Slice` points to `len` values that live for the process
    // lifetime (the descriptor's contract: the compiler emits them next to the descriptor, in
    // the same object, and hand-built descriptors leak them), or is null or empty.
    unsafe { slice(s.ptr, s.len) }
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

/// Checks the data entries: sorted by segment index, each within `num_data` and not overlapping
/// the next, a run's pieces covering its bytes exactly, an image standing for one or more
/// segments.
fn check_data(datas: &'static [DataDesc], num_data: u32) -> Result<(), InstantiationError> {
    let mut next = 0u64;
    for s in datas {
        let pieces = data_pieces(s);
        let image = s.mode == segment_mode::IMAGE;
        let count = if image {
            s.count as u64
        } else {
            pieces.len() as u64
        };
        let end = s.index as u64 + count.max(1);
        let covered: u64 = pieces.iter().map(|p| p.len as u64).sum();
        if (s.index as u64) < next
            || end > num_data as u64
            || s.mode > segment_mode::IMAGE
            || s.mode == segment_mode::DECLARED
            || (image && (count == 0 || !pieces.is_empty()))
            || (!pieces.is_empty() && (s.mode != segment_mode::ACTIVE || covered != s.bytes.len))
        {
            return Err(malformed(format!("data entry for segment {}", s.index)));
        }
        next = end;
    }
    Ok(())
}

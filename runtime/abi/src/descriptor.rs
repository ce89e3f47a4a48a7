//! The module descriptor: the one read-only symbol (`wasmaot_module`) through which compiled code
//! tells the runtime what the module contains. All structs are `#[repr(C)]`; the compiler writes
//! their bytes into a data object at the offsets `core::mem::offset_of!` gives here, and fills
//! every pointer with a relocation, so the runtime reads it with no parsing at start-up.
//!
//! Must never contain a field whose layout differs between the supported targets (both are
//! 64-bit little-endian) and never a Rust type without a fixed layout (no `bool`, no enums
//! except as `u8`).

use crate::vmctx::ModuleCounts;

/// A `(pointer, length)` pair, filled by a relocation.
#[repr(C)]
#[derive(Debug)]
pub struct Slice<T> {
    pub ptr: *const T,
    pub len: u64,
}

/// UTF-8 bytes (not NUL-terminated).
pub type Str = Slice<u8>;

/// "No index" marker for optional u32 indices.
pub const NO_INDEX: u32 = u32::MAX;
/// "No maximum" marker for memory and table limits.
pub const NO_MAX: u64 = u64::MAX;

/// What a module contains, as the runtime needs it.
#[repr(C)]
#[derive(Debug)]
pub struct ModuleDescriptor {
    /// [`crate::DESCRIPTOR_MAGIC`].
    pub magic: u64,
    /// [`crate::ABI_VERSION`].
    pub abi_version: u32,
    /// Start function index, or [`NO_INDEX`].
    pub start: u32,
    /// Size of the VMContext, as the compiler computed it with `VmOffsets`.
    pub vmctx_size: u64,
    pub counts: ModuleCounts,
    /// Every module type, in type-index order.
    pub types: Slice<SigDesc>,
    /// The type index of every function, imported ones first.
    pub func_types: Slice<u32>,
    /// Every defined function, in index order (function index = num_imported_funcs + i).
    pub functions: Slice<FunctionDesc>,
    /// Every import, in module order.
    pub imports: Slice<ImportDesc>,
    /// Every memory, imported ones first.
    pub memories: Slice<MemoryDesc>,
    /// Every table, imported ones first.
    pub tables: Slice<TableDesc>,
    /// Every global, imported ones first.
    pub globals: Slice<GlobalDesc>,
    pub data: Slice<DataDesc>,
    pub elems: Slice<ElemDesc>,
    pub exports: Slice<ExportDesc>,
    /// The module's name from the name section (may be empty).
    pub name: Str,
    /// The sandbox policy baked in at compile time (see [`crate::policy`]); empty for libraries.
    pub policy: Str,
}

/// A function signature. `params`/`results` hold [`crate::types::ValType`] bytes.
#[repr(C)]
#[derive(Debug)]
pub struct SigDesc {
    pub params: Slice<u8>,
    pub results: Slice<u8>,
    /// `extern "C" fn(code: *const u8, vmctx: *mut VMContext, values: *mut ValRaw)`: calls
    /// `code` with the params read from `values` and writes the results back to `values`
    /// (16-byte slots). Null if no trampoline was emitted for this type.
    pub array_call: *const u8,
}

/// One defined function.
#[repr(C)]
#[derive(Debug)]
pub struct FunctionDesc {
    pub code: *const u8,
    pub code_len: u64,
    /// Name from the name section, or empty.
    pub name: Str,
    /// Trap sites sorted by offset.
    pub traps: Slice<TrapSite>,
}

/// A PC inside a function that traps, and why.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrapSite {
    /// Offset of the trapping instruction from the function's start.
    pub offset: u32,
    /// A [`crate::trap::TrapCode`] as u8.
    pub code: u8,
    pub _pad: [u8; 3],
}

/// Kinds of imports and exports (`ImportDesc::kind`, `ExportDesc::kind`).
pub mod extern_kind {
    pub const FUNC: u8 = 0;
    pub const TABLE: u8 = 1;
    pub const MEMORY: u8 = 2;
    pub const GLOBAL: u8 = 3;
}

/// One import.
#[repr(C)]
#[derive(Debug)]
pub struct ImportDesc {
    pub module: Str,
    pub name: Str,
    /// An [`extern_kind`] value.
    pub kind: u8,
    pub _pad: [u8; 3],
    /// Index in its own index space (function, table, memory or global index).
    pub index: u32,
    /// For WASI functions linked into the executable: the host function (C ABI,
    /// `(vmctx, params...) -> results`), so the runtime fills the import slot itself.
    /// Null for imports the embedder must supply.
    pub host_code: *const u8,
}

/// One memory.
#[repr(C)]
#[derive(Debug)]
pub struct MemoryDesc {
    pub min_pages: u64,
    /// [`NO_MAX`] when unbounded.
    pub max_pages: u64,
    pub imported: u8,
    pub shared: u8,
    pub _pad: [u8; 6],
}

/// One table.
#[repr(C)]
#[derive(Debug)]
pub struct TableDesc {
    pub min: u64,
    /// [`NO_MAX`] when unbounded.
    pub max: u64,
    /// A [`crate::types::ValType`] (FuncRef or ExternRef).
    pub elem_type: u8,
    pub imported: u8,
    pub _pad: [u8; 6],
}

/// Kinds of constant expression (`ConstExprDesc::kind`).
pub mod const_kind {
    pub const I32: u32 = 0;
    pub const I64: u32 = 1;
    pub const F32: u32 = 2;
    pub const F64: u32 = 3;
    pub const V128: u32 = 4;
    /// `global.get index`.
    pub const GLOBAL_GET: u32 = 5;
    /// `ref.null` (of the type the context gives).
    pub const REF_NULL: u32 = 6;
    /// `ref.func index`.
    pub const REF_FUNC: u32 = 7;
}

/// A constant expression of one instruction (the WebAssembly 2.0 forms).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConstExprDesc {
    /// A [`const_kind`] value.
    pub kind: u32,
    /// Global or function index for `GLOBAL_GET` / `REF_FUNC`.
    pub index: u32,
    /// Little-endian value bits for numeric kinds (low 64 bits first).
    pub bits: [u64; 2],
}

/// One global (imported or defined; `init` is meaningful for defined ones only).
#[repr(C)]
#[derive(Debug)]
pub struct GlobalDesc {
    /// A [`crate::types::ValType`].
    pub ty: u8,
    pub mutable: u8,
    pub imported: u8,
    pub _pad: [u8; 5],
    pub init: ConstExprDesc,
}

/// Data segment modes (`DataDesc::mode`, `ElemDesc::mode`).
pub mod segment_mode {
    pub const ACTIVE: u8 = 0;
    pub const PASSIVE: u8 = 1;
    /// Element segments only.
    pub const DECLARED: u8 = 2;
}

/// One data segment.
#[repr(C)]
#[derive(Debug)]
pub struct DataDesc {
    pub memory: u32,
    /// A [`segment_mode`] value.
    pub mode: u8,
    pub _pad: [u8; 3],
    /// Offset expression (active segments).
    pub offset: ConstExprDesc,
    pub bytes: Slice<u8>,
}

/// One element segment. Items are constant expressions (`REF_FUNC`, `REF_NULL`, `GLOBAL_GET`).
#[repr(C)]
#[derive(Debug)]
pub struct ElemDesc {
    pub table: u32,
    /// A [`segment_mode`] value.
    pub mode: u8,
    /// A [`crate::types::ValType`] (FuncRef or ExternRef).
    pub elem_type: u8,
    pub _pad: [u8; 2],
    pub offset: ConstExprDesc,
    pub items: Slice<ConstExprDesc>,
}

/// One export.
#[repr(C)]
#[derive(Debug)]
pub struct ExportDesc {
    pub name: Str,
    /// An [`extern_kind`] value.
    pub kind: u8,
    pub _pad: [u8; 3],
    pub index: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::{offset_of, size_of};

    #[test]
    fn sizes_are_stable() {
        assert_eq!(size_of::<Slice<u8>>(), 16);
        assert_eq!(size_of::<TrapSite>(), 8);
        assert_eq!(size_of::<ConstExprDesc>(), 24);
        assert_eq!(size_of::<FunctionDesc>(), 48);
        assert_eq!(size_of::<SigDesc>(), 40);
        assert_eq!(offset_of!(ModuleDescriptor, counts), 24);
    }
}

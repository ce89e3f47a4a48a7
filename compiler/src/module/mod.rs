//! `ModuleInfo`: everything the compiler knows about a module after parsing and validation,
//! as plain data. Built by [`parse`]; read by the translator, the code generator and the
//! descriptor writer.
//!
//! Must never hold Cranelift types (translation-independent), and is the only place that calls
//! wasmparser's section readers.

mod call_graph;
mod const_expr;
mod features;
mod parse;
mod typed_refs;

pub use features::{FeatureSet, SUPPORTED_3_0};
pub(crate) use parse::val_type;
pub use parse::{ParseOptions, parse};

use wasmaot_abi::descriptor::ConstExprDesc;
use wasmaot_abi::types::ValType;
use wasmaot_abi::vmctx::ModuleCounts;

/// A function signature with our value types.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Signature {
    pub params: Vec<ValType>,
    pub results: Vec<ValType>,
}

/// A function (imported or defined).
#[derive(Clone, Debug)]
pub struct FuncDecl {
    pub type_index: u32,
    /// For imported functions that compiled code calls directly by symbol: the WASI host
    /// function, or the trampoline of a linked host function (see `linked_symbol`).
    pub direct_symbol: Option<String>,
    /// For a non-WASI function import in an executable or static library: the C function that
    /// implements it (`wasmaot_abi::symbols::host_import`, or `--import`), called through the
    /// trampoline named by `direct_symbol`.
    pub linked_symbol: Option<String>,
}

/// One import, in module order.
#[derive(Clone, Debug)]
pub struct Import {
    pub module: String,
    pub name: String,
    /// `wasmaot_abi::descriptor::extern_kind` value.
    pub kind: u8,
    /// Index in its own index space.
    pub index: u32,
    /// Byte offset of the import entry.
    pub offset: u64,
}

/// A table.
#[derive(Clone, Debug)]
pub struct TableInfo {
    pub elem_type: ValType,
    pub min: u64,
    pub max: Option<u64>,
    pub imported: bool,
    /// Every element's initial value (defined tables): `ref.null`, or a typed table's
    /// initialiser expression (function-references proposal).
    pub init: ConstExprDesc,
    /// A typed reference element type's `wasmaot_abi::types::typed_ref` encoding; empty for
    /// `funcref` and `externref`.
    pub refs: Vec<u8>,
    /// A 64-bit table (memory64 proposal): i64 indices, sizes and lengths.
    pub index64: bool,
}

/// A linear memory.
#[derive(Clone, Debug)]
pub struct MemoryInfo {
    pub min_pages: u64,
    pub max_pages: Option<u64>,
    pub imported: bool,
    pub shared: bool,
    /// A 64-bit memory (memory64 proposal): i64 addresses, sizes and lengths.
    pub index64: bool,
}

/// A global.
#[derive(Clone, Debug)]
pub struct GlobalInfo {
    pub ty: ValType,
    pub mutable: bool,
    /// `None` for imported globals.
    pub init: Option<ConstExprDesc>,
    /// A typed reference type's `wasmaot_abi::types::typed_ref` encoding; empty for 2.0 types.
    pub refs: Vec<u8>,
}

/// An export.
#[derive(Clone, Debug)]
pub struct Export {
    pub name: String,
    /// `wasmaot_abi::descriptor::extern_kind` value.
    pub kind: u8,
    pub index: u32,
}

/// Segment mode (`wasmaot_abi::descriptor::segment_mode`).
pub type SegmentMode = u8;

/// An element segment.
#[derive(Clone, Debug)]
pub struct ElemSegment {
    pub mode: SegmentMode,
    pub table: u32,
    pub offset: ConstExprDesc,
    pub elem_type: ValType,
    pub items: Vec<ConstExprDesc>,
}

/// A data segment.
#[derive(Clone, Debug)]
pub struct DataSegment<'a> {
    pub mode: SegmentMode,
    pub memory: u32,
    pub offset: ConstExprDesc,
    pub bytes: &'a [u8],
}

/// A defined function's body: the bytes of its locals and code, and where they are in the file.
#[derive(Clone, Debug)]
pub struct FuncBody<'a> {
    pub body: wasmparser::FunctionBody<'a>,
}

/// Everything known about a module.
#[derive(Debug, Default)]
pub struct ModuleInfo<'a> {
    pub types: Vec<Signature>,
    /// Each type's `wasmaot_abi::types::typed_ref` encoding (empty when it has only 2.0
    /// types), by type index.
    pub type_refs: Vec<Vec<u8>>,
    /// Every function, imported first.
    pub funcs: Vec<FuncDecl>,
    pub num_imported_funcs: u32,
    pub imports: Vec<Import>,
    /// Every table, imported first.
    pub tables: Vec<TableInfo>,
    pub num_imported_tables: u32,
    /// Every memory, imported first.
    pub memories: Vec<MemoryInfo>,
    pub num_imported_memories: u32,
    /// Every global, imported first.
    pub globals: Vec<GlobalInfo>,
    pub num_imported_globals: u32,
    pub exports: Vec<Export>,
    pub start: Option<u32>,
    pub elems: Vec<ElemSegment>,
    pub data: Vec<DataSegment<'a>>,
    /// The programs of the `EXTENDED` constant expressions (extended-const proposal) that
    /// could not be folded, back to back (`wasmaot_abi::descriptor::eval_extended`).
    pub const_ops: Vec<ConstExprDesc>,
    /// Bodies of the defined functions, in order.
    pub bodies: Vec<FuncBody<'a>>,
    /// Function names from the name section (function index → name).
    pub func_names: std::collections::HashMap<u32, String>,
    pub module_name: Option<String>,
    /// The type index of every tag (exception handling), imported first.
    pub tags: Vec<u32>,
    pub num_imported_tags: u32,
    /// Which functions may return with a pending exception (see [`call_graph`]), by function
    /// index; empty when no exception can reach this module's code, so calls need no check.
    pub may_throw: Vec<bool>,
    /// Which functions are compiled with the tail calling convention (see [`call_graph`]), by
    /// function index (imported ones are always false).
    pub tail_cc: Vec<bool>,
    /// The global kept in the pinned register (x86_64 r15, aarch64 x21) instead of its vmctx
    /// slot while the module's code runs: see `module/call_graph.rs` for the choice and
    /// `env/globals.rs` for the convention. `None` keeps every global in memory.
    pub pinned_global: Option<u32>,
    /// The module's DWARF, when it has a line table and the caller asked to keep it
    /// ([`ParseOptions::keep_dwarf`]).
    pub dwarf: Option<DwarfSections<'a>>,
}

/// The DWARF custom sections of a module (as a C, C++, Rust or TinyGo compiler writes them
/// with `-g`), and where the code section's contents start: DWARF addresses are offsets from
/// there, while wasmparser's (and the translator's source locations) are file offsets.
#[derive(Debug, Default, Clone)]
pub struct DwarfSections<'a> {
    /// File offset of the code section's contents (its function count).
    pub code_section_start: u64,
    /// `(name, bytes)` of every `.debug_*` custom section, in module order.
    pub sections: Vec<(&'a str, &'a [u8])>,
}

impl<'a> DwarfSections<'a> {
    /// The bytes of section `name` (the last one of that name), or empty.
    pub fn section(&self, name: &str) -> &'a [u8] {
        self.sections
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .map_or(&[], |(_, d)| d)
    }
}

impl ModuleInfo<'_> {
    /// The counts that determine the VMContext layout.
    pub fn counts(&self) -> ModuleCounts {
        ModuleCounts {
            num_types: self.types.len() as u32,
            num_imported_funcs: self.num_imported_funcs,
            num_funcs: self.funcs.len() as u32,
            num_imported_tables: self.num_imported_tables,
            num_tables: self.tables.len() as u32,
            num_imported_memories: self.num_imported_memories,
            num_memories: self.memories.len() as u32,
            num_imported_globals: self.num_imported_globals,
            num_globals: self.globals.len() as u32,
            num_data: self.data.len() as u32,
            num_elems: self.elems.len() as u32,
            num_imported_tags: self.num_imported_tags,
            num_tags: self.tags.len() as u32,
            _reserved: 0,
        }
    }

    /// Whether a call to function `callee` must be followed by the pending-exception check
    /// (`wasmaot_abi::exception`).
    pub fn call_may_throw(&self, callee: u32) -> bool {
        self.may_throw
            .get(callee as usize)
            .copied()
            .unwrap_or(false)
    }

    /// Whether function `index` uses the tail calling convention.
    pub fn uses_tail_cc(&self, index: u32) -> bool {
        self.tail_cc.get(index as usize).copied().unwrap_or(false)
    }

    /// Whether any function uses the tail calling convention.
    pub fn has_tail_calls(&self) -> bool {
        self.tail_cc.iter().any(|&t| t)
    }

    /// Whether an indirect call (`call_indirect`, `call_ref`) must be followed by the check.
    pub fn indirect_call_may_throw(&self) -> bool {
        !self.may_throw.is_empty()
    }

    /// Number of defined (non-imported) functions.
    pub fn num_defined_funcs(&self) -> u32 {
        self.funcs.len() as u32 - self.num_imported_funcs
    }

    /// Signature of function `index`.
    pub fn func_signature(&self, index: u32) -> &Signature {
        &self.types[self.funcs[index as usize].type_index as usize]
    }

    /// Display name of function `index`: from the name section, or `<wasm function N>`.
    pub fn func_display_name(&self, index: u32) -> String {
        match self.func_names.get(&index) {
            Some(n) => n.clone(),
            None => format!("<wasm function {index}>"),
        }
    }
}

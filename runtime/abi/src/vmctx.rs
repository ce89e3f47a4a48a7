//! The VMContext: the per-instance block of memory every compiled wasm function receives as its
//! first argument. [`VmOffsets`] computes every field offset from the module's counts; the
//! compiler calls it with the parsed module's counts, the runtime with the descriptor's, and the
//! runtime checks the descriptor's `vmctx_size` against its own computation.
//!
//! Must never be computed anywhere else: no other file may hard-code a VMContext offset.
//!
//! Layout (all offsets in bytes, 8-byte aligned):
//! ```text
//! fixed prefix
//!   0   memory0_base      *mut u8                  base of memory 0 (never moves: reserved up front)
//!   8   memory0_def       *mut VMMemoryDefinition  {base, length_bytes}: the owner's record
//!   16  stack_limit       usize                    lowest SP wasm code may reach
//!   24  instance          *mut runtime Instance    opaque to compiled code
//!   32  module            *const ModuleDescriptor
//!   40  host_frame        *const usize             frame record of the latest call from this
//!                                                  instance's wasm into a linked host function
//! module-dependent tail, in this order
//!   type_ids            u32 per module type: the process-wide canonical signature id
//!   imported_funcs      VMFunctionImport {code, vmctx} per imported function
//!   func_refs           VMFuncRef {code, type_id, vmctx, tail_code} per function (imported
//!                       ones too)
//!   tables              *mut VMTableDefinition per table (imported or defined)
//!   memories            *mut VMMemoryDefinition per memory (memory 0 included)
//!   tags                *const VMTag per tag (imported or defined): the tag's identity
//!   imported_globals    *mut u8 per imported global (points at the owner's 16-byte slot)
//!   defined_globals     16-byte slot per defined global (16-aligned), value at offset 0
//! ```

/// Counts that determine the VMContext layout.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ModuleCounts {
    pub num_types: u32,
    pub num_imported_funcs: u32,
    /// All functions, imported ones included.
    pub num_funcs: u32,
    pub num_imported_tables: u32,
    /// All tables, imported ones included.
    pub num_tables: u32,
    pub num_imported_memories: u32,
    /// All memories, imported ones included.
    pub num_memories: u32,
    pub num_imported_globals: u32,
    /// All globals, imported ones included.
    pub num_globals: u32,
    pub num_data: u32,
    pub num_elems: u32,
    pub num_imported_tags: u32,
    /// All tags (exception handling), imported ones included.
    pub num_tags: u32,
    pub _reserved: u32,
}

/// `{base, length}` of a linear memory, owned by the instance that defines it.
pub mod memory_def {
    pub const BASE: u32 = 0;
    /// Current length in bytes (u64).
    pub const LENGTH: u32 = 8;
    pub const SIZE: u32 = 16;
}

/// `{base, length}` of a table, owned by the instance that defines it. Elements are 8 bytes:
/// a `*const VMFuncRef` for funcref tables (null = null ref), an opaque non-zero u64 for
/// externref (0 = null).
pub mod table_def {
    pub const BASE: u32 = 0;
    /// Current number of elements (u64).
    pub const LENGTH: u32 = 8;
    pub const SIZE: u32 = 16;
    pub const ELEM_SIZE: u32 = 8;
}

/// An imported function: its code and the vmctx to pass it.
pub mod func_import {
    pub const CODE: u32 = 0;
    pub const VMCTX: u32 = 8;
    pub const SIZE: u32 = 16;
}

/// A function reference: what a funcref value points at. `code == null` never occurs for a
/// live reference (null refs are null pointers).
pub mod func_ref {
    pub const CODE: u32 = 0;
    /// Canonical signature id (u32; the next 4 bytes are padding).
    pub const TYPE_ID: u32 = 8;
    pub const VMCTX: u32 = 16;
    /// The function's tail-calling-convention entry (`FunctionDesc::tail_entry`), or null:
    /// `return_call_*` jumps there, or falls back to a call of `CODE` and a return.
    pub const TAIL_CODE: u32 = 24;
    pub const SIZE: u32 = 32;
}

/// Size of one defined-global slot.
pub const GLOBAL_SLOT_SIZE: u32 = 16;

/// Offsets of every VMContext field for one module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VmOffsets {
    pub counts: ModuleCounts,
    pub type_ids: u32,
    pub imported_funcs: u32,
    pub func_refs: u32,
    pub tables: u32,
    pub memories: u32,
    pub tags: u32,
    pub imported_globals: u32,
    pub defined_globals: u32,
    pub size: u32,
}

impl VmOffsets {
    pub const MEMORY0_BASE: u32 = 0;
    pub const MEMORY0_DEF: u32 = 8;
    pub const STACK_LIMIT: u32 = 16;
    pub const INSTANCE: u32 = 24;
    pub const MODULE: u32 = 32;
    /// Written by a host-import trampoline before it calls the host function: the address of
    /// the trampoline's frame record (`[0]` = the wasm caller's frame pointer, `[1]` = the
    /// return address into it), so a host function that traps gets an exact wasm backtrace.
    pub const HOST_FRAME: u32 = 40;
    /// The exception-handling protocol (see [`crate::exception`]): a function that returns
    /// with this field non-null is throwing that exception to its caller, which checks the
    /// callee's vmctx after every call that may throw.
    pub const PENDING_EXCEPTION: u32 = 48;
    pub const FIXED_PREFIX_SIZE: u32 = 56;

    /// Computes the layout for a module with these counts.
    pub fn new(counts: ModuleCounts) -> VmOffsets {
        fn align(x: u32, a: u32) -> u32 {
            x.div_ceil(a) * a
        }
        let type_ids = Self::FIXED_PREFIX_SIZE;
        let imported_funcs = align(type_ids + 4 * counts.num_types, 8);
        let func_refs = imported_funcs + func_import::SIZE * counts.num_imported_funcs;
        let tables = func_refs + func_ref::SIZE * counts.num_funcs;
        let memories = tables + 8 * counts.num_tables;
        let tags = memories + 8 * counts.num_memories;
        let imported_globals = tags + 8 * counts.num_tags;
        let defined_globals = align(imported_globals + 8 * counts.num_imported_globals, 16);
        let num_defined_globals = counts.num_globals - counts.num_imported_globals;
        let size = align(defined_globals + GLOBAL_SLOT_SIZE * num_defined_globals, 16);
        VmOffsets {
            counts,
            type_ids,
            imported_funcs,
            func_refs,
            tables,
            memories,
            tags,
            imported_globals,
            defined_globals,
            size,
        }
    }

    /// Offset of the canonical type id (u32) of module type `ty`.
    pub fn type_id(&self, ty: u32) -> u32 {
        debug_assert!(ty < self.counts.num_types);
        self.type_ids + 4 * ty
    }

    /// Offset of the `VMFunctionImport` of imported function `i`.
    pub fn imported_func(&self, i: u32) -> u32 {
        debug_assert!(i < self.counts.num_imported_funcs);
        self.imported_funcs + func_import::SIZE * i
    }

    /// Offset of the `VMFuncRef` of function `i` (any function index).
    pub fn func_ref(&self, i: u32) -> u32 {
        debug_assert!(i < self.counts.num_funcs);
        self.func_refs + func_ref::SIZE * i
    }

    /// Offset of the `*mut VMTableDefinition` of table `i`.
    pub fn table(&self, i: u32) -> u32 {
        debug_assert!(i < self.counts.num_tables);
        self.tables + 8 * i
    }

    /// Offset of the `*mut VMMemoryDefinition` of memory `i`.
    pub fn memory(&self, i: u32) -> u32 {
        debug_assert!(i < self.counts.num_memories);
        self.memories + 8 * i
    }

    /// Offset of the `*const VMTag` of tag `i`.
    pub fn tag(&self, i: u32) -> u32 {
        debug_assert!(i < self.counts.num_tags);
        self.tags + 8 * i
    }

    /// Offset of the pointer to imported global `i` (i < num_imported_globals).
    pub fn imported_global(&self, i: u32) -> u32 {
        debug_assert!(i < self.counts.num_imported_globals);
        self.imported_globals + 8 * i
    }

    /// Offset of the slot of global `i` (i >= num_imported_globals).
    pub fn defined_global(&self, i: u32) -> u32 {
        debug_assert!(i >= self.counts.num_imported_globals && i < self.counts.num_globals);
        self.defined_globals + GLOBAL_SLOT_SIZE * (i - self.counts.num_imported_globals)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_is_ordered_and_aligned() {
        let o = VmOffsets::new(ModuleCounts {
            num_types: 3,
            num_imported_funcs: 2,
            num_funcs: 5,
            num_imported_tables: 0,
            num_tables: 1,
            num_imported_memories: 0,
            num_memories: 1,
            num_imported_globals: 1,
            num_globals: 4,
            ..Default::default()
        });
        assert_eq!(o.type_id(0), 56);
        assert_eq!(o.imported_funcs % 8, 0);
        assert_eq!(o.func_refs, o.imported_funcs + 32);
        assert_eq!(o.tables, o.func_refs + 5 * 32);
        assert_eq!(o.defined_globals % 16, 0);
        assert_eq!(o.defined_global(3), o.defined_globals + 32);
        assert!(o.size >= o.defined_global(3) + 16);
    }
}

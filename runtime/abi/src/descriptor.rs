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
    /// Data segments as [`DataDesc`] entries in segment-index order; one entry may hold a run
    /// of active segments, so there can be fewer entries than `counts.num_data`.
    pub data: Slice<DataDesc>,
    pub elems: Slice<ElemDesc>,
    pub exports: Slice<ExportDesc>,
    /// The module's name from the name section (may be empty).
    pub name: Str,
    /// The sandbox policy baked in at compile time (see [`crate::policy`]); empty for libraries.
    pub policy: Str,
    /// The programs of every [`const_kind::EXTENDED`] constant expression, back to back (see
    /// [`eval_extended`]); empty when the module has none.
    pub const_ops: Slice<ConstExprDesc>,
    /// The type index of every tag (exception handling), imported ones first.
    pub tags: Slice<u32>,
    /// The source files [`FunctionDesc::lines`] refer to (full paths from the module's DWARF);
    /// empty when the module has no DWARF line table or it was stripped.
    pub source_files: Slice<Str>,
}

/// A function signature. `params`/`results` hold [`crate::types::ValType`] bytes.
#[repr(C)]
#[derive(Debug)]
pub struct SigDesc {
    pub params: Slice<u8>,
    pub results: Slice<u8>,
    /// Empty for a signature of WebAssembly 2.0 types only, else its whole
    /// [`crate::types::typed_ref`] encoding (typed references): part of the type's identity.
    pub refs: Slice<u8>,
    /// `extern "C" fn(code: *const u8, vmctx: *mut VMContext, values: *mut ValRaw)`: calls
    /// `code` with the params read from `values` and writes the results back to `values`
    /// (16-byte slots). Null if no trampoline was emitted for this type.
    pub array_call: *const u8,
}

/// One defined function.
#[repr(C)]
#[derive(Debug)]
pub struct FunctionDesc {
    /// The function's body (what the trap sites and backtraces refer to).
    pub code: *const u8,
    pub code_len: u64,
    /// What function references call (the C calling convention): `code` itself, or for a
    /// function compiled with the tail calling convention (tail calls) its C-convention
    /// adapter.
    pub entry: *const u8,
    /// For a function compiled with the tail calling convention, `code` (what `return_call_*`
    /// jumps to through a function reference); null otherwise.
    pub tail_entry: *const u8,
    /// Name from the name section, or empty.
    pub name: Str,
    /// The trap sites, `traps.len` bytes in the compact form of [`encode_trap_sites`] (about
    /// one byte per site: nearly all are linear-memory accesses a few bytes apart); the
    /// runtime scans them with [`find_trap_site`].
    pub traps: Slice<u8>,
    /// Code inlined from other functions, for backtraces: `inlined.len` keys (u32, ascending),
    /// then directly after them `inlined.len` function indices (u32), one per key (see
    /// [`encode_inline_sites`]). A key is the offset of a trap site inside inlined code, or the
    /// offset of the last byte of a call inside inlined code (its return address minus one, the
    /// PC a frame walk looks up); the function index is the inlined function's.
    pub inlined: Slice<u32>,
    /// Source positions of trap sites and calls, for backtraces (from the module's DWARF):
    /// `lines.len` keys (u32, ascending, keyed as [`FunctionDesc::inlined`]), then `lines.len`
    /// indices into [`ModuleDescriptor::source_files`], then `lines.len` line numbers, then
    /// `lines.len` column numbers (0: unknown); see [`encode_source_lines`].
    pub lines: Slice<u32>,
}

/// The source position of a trap site or call (the compiler's view; the descriptor stores them
/// with [`encode_source_lines`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceLine {
    /// Lookup key: see [`FunctionDesc::inlined`].
    pub key: u32,
    /// Index into [`ModuleDescriptor::source_files`].
    pub file: u32,
    pub line: u32,
    /// 0 when unknown.
    pub column: u32,
}

/// Encodes source lines sorted by key the way [`FunctionDesc::lines`] holds them: the keys,
/// then the file indices, the lines and the columns.
pub fn encode_source_lines(lines: &[SourceLine]) -> Vec<u32> {
    let keys = lines.iter().map(|l| l.key);
    let files = lines.iter().map(|l| l.file);
    let numbers = lines.iter().map(|l| l.line);
    let columns = lines.iter().map(|l| l.column);
    keys.chain(files).chain(numbers).chain(columns).collect()
}

/// A trap site or call inside code inlined from function `func` (the compiler's view; the
/// descriptor stores them with [`encode_inline_sites`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InlineSite {
    /// Lookup key: see [`FunctionDesc::inlined`].
    pub key: u32,
    /// Function index (imported functions counted) of the inlined function.
    pub func: u32,
}

/// Encodes inline sites sorted by key the way [`FunctionDesc::inlined`] holds them: the keys,
/// then the function indices.
pub fn encode_inline_sites(sites: &[InlineSite]) -> Vec<u32> {
    sites
        .iter()
        .map(|s| s.key)
        .chain(sites.iter().map(|s| s.func))
        .collect()
}

/// Encodes trap sites sorted by offset the way [`FunctionDesc::traps`] holds them. Each site
/// is the unsigned LEB128 of `delta << 1 | explicit`, `delta` its offset minus the previous
/// site's (the first's from 0); with `explicit` set, one byte with its
/// [`crate::trap::TrapCode`] follows; without it the code is `MemoryOutOfBounds`. A Go
/// program's ~90,000 sites (95% memory accesses) take ~1.1 bytes each instead of 5.
pub fn encode_trap_sites(sites: &[TrapSite]) -> Vec<u8> {
    let heap = crate::trap::TrapCode::MemoryOutOfBounds as u8;
    let mut out = Vec::with_capacity(sites.len() + sites.len() / 8);
    let mut prev = 0u32;
    for t in sites {
        debug_assert!(t.offset >= prev, "trap sites must be sorted by offset");
        let delta = u64::from(t.offset - prev);
        let explicit = t.code != heap;
        crate::leb128::write_unsigned(&mut out, delta << 1 | u64::from(explicit));
        if explicit {
            out.push(t.code);
        }
        prev = t.offset;
    }
    out
}

/// The trap code byte of the site at `offset` in `encoded` ([`encode_trap_sites`]), if there is
/// one. Allocation- and panic-free (signal handlers call it); malformed input answers `None`.
pub fn find_trap_site(encoded: &[u8], offset: u32) -> Option<u8> {
    let heap = crate::trap::TrapCode::MemoryOutOfBounds as u8;
    let mut at = 0usize;
    let mut current = 0u64;
    while at < encoded.len() {
        let (v, len) = crate::leb128::read_unsigned(&encoded[at..])?;
        at += len;
        // A delta is a u32 offset difference: anything larger is malformed.
        if v >> 1 > u64::from(u32::MAX) {
            return None;
        }
        current += v >> 1;
        let code = match v & 1 {
            0 => heap,
            _ => {
                let c = *encoded.get(at)?;
                at += 1;
                c
            }
        };
        if current == u64::from(offset) {
            return Some(code);
        }
        if current > u64::from(offset) {
            return None;
        }
    }
    None
}

/// A PC inside a function that traps, and why (the compiler's view of a trap site; the
/// descriptor stores them with [`encode_trap_sites`]).
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
    /// A tag (exception handling).
    pub const TAG: u8 = 4;
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
    /// 1 for a 64-bit memory (memory64 proposal: i64 addresses, explicit bounds checks), 0 for
    /// a 32-bit one.
    pub index64: u8,
    pub _pad: [u8; 5],
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
    /// 1 for a 64-bit table (memory64 proposal: i64 indices), 0 for a 32-bit one.
    pub index64: u8,
    pub _pad: [u8; 5],
    /// The initial value of every element of a defined table: `REF_NULL`, or the initialiser
    /// expression of a typed table (function-references proposal), evaluated once after the
    /// globals.
    pub init: ConstExprDesc,
    /// A typed reference element type's [`crate::types::typed_ref`] encoding; empty for
    /// `funcref` and `externref`.
    pub refs: Slice<u8>,
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
    /// An extended constant expression (extended-const proposal) the compiler could not fold
    /// because it reads a global: its program is `ModuleDescriptor::const_ops[index ..
    /// index + bits[0]]` (see [`super::eval_extended`]).
    pub const EXTENDED: u32 = 8;
    /// Operators of an `EXTENDED` program (never the kind of a top-level expression): pop two
    /// values, push the result (wrapping).
    pub const I32_ADD: u32 = 9;
    pub const I32_SUB: u32 = 10;
    pub const I32_MUL: u32 = 11;
    pub const I64_ADD: u32 = 12;
    pub const I64_SUB: u32 = 13;
    pub const I64_MUL: u32 = 14;
}

/// Longest `EXTENDED` program the runtime accepts (a bound on its evaluation stack).
pub const MAX_CONST_OPS: usize = 1 << 16;

/// Evaluates an extended constant expression's program: postfix, each entry an `I32`, `I64` or
/// `GLOBAL_GET` leaf (pushes its value; `global` reads a global's low 64 bits, `None` if it
/// cannot, e.g. at compile time) or one of the binary `I32_*`/`I64_*` operators. Values are
/// u64; i32 results are zero-extended. `None` for a malformed program (stack underflow, an
/// unknown kind, not exactly one value left) or an unreadable global.
pub fn eval_extended(
    ops: &[ConstExprDesc],
    mut global: impl FnMut(u32) -> Option<u64>,
) -> Option<u64> {
    if ops.len() > MAX_CONST_OPS {
        return None;
    }
    let mut stack: Vec<u64> = Vec::new();
    for op in ops {
        let v = match op.kind {
            const_kind::I32 => op.bits[0] & 0xffff_ffff,
            const_kind::I64 => op.bits[0],
            const_kind::GLOBAL_GET => global(op.index)?,
            k => {
                let b = stack.pop()?;
                let a = stack.pop()?;
                let (a32, b32) = (a as u32, b as u32);
                match k {
                    const_kind::I32_ADD => a32.wrapping_add(b32) as u64,
                    const_kind::I32_SUB => a32.wrapping_sub(b32) as u64,
                    const_kind::I32_MUL => a32.wrapping_mul(b32) as u64,
                    const_kind::I64_ADD => a.wrapping_add(b),
                    const_kind::I64_SUB => a.wrapping_sub(b),
                    const_kind::I64_MUL => a.wrapping_mul(b),
                    _ => return None,
                }
            }
        };
        stack.push(v);
    }
    match stack[..] {
        [v] => Some(v),
        _ => None,
    }
}

/// A constant expression of one instruction (the WebAssembly 2.0 forms), or a reference to an
/// extended one's program ([`const_kind::EXTENDED`]).
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
    /// A typed reference's [`crate::types::typed_ref`] encoding; empty for every 2.0 type.
    pub refs: Slice<u8>,
}

/// Data segment modes (`DataDesc::mode`, `ElemDesc::mode`).
pub mod segment_mode {
    pub const ACTIVE: u8 = 0;
    pub const PASSIVE: u8 = 1;
    /// Element segments only.
    pub const DECLARED: u8 = 2;
    /// Data segments only: a memory image (see [`super::DataDesc`]).
    pub const IMAGE: u8 = 3;
}

/// How a [`segment_mode::IMAGE`] entry's bytes are aligned, in memory (its `offset`) and in the
/// object file, on a target whose pages may be this large (64 KiB on aarch64, which Linux may
/// run with 4, 16 or 64 KiB pages; 4 KiB elsewhere).
pub const fn image_align(aarch64: bool) -> u64 {
    if aarch64 { 65536 } else { 4096 }
}

/// One data segment, a run of consecutive active segments (`pieces` non-empty), or a memory
/// image (`mode` [`segment_mode::IMAGE`]).
///
/// A run holds segments `index .. index + pieces.len`, all active, of the same memory, with
/// `i32.const` offsets: at instantiation piece `k` writes the next `pieces[k].len` bytes of
/// `bytes` at `pieces[k].offset`, one piece after the other exactly as separate segments would
/// (bounds-checked each, a trap leaves the earlier pieces written); `offset` is unused. Go emits
/// tens of thousands of small active segments, and a piece costs 8 bytes where an entry costs 64.
/// Segment indices without an entry of their own behave as dropped (all active segments are
/// dropped after instantiation anyway).
///
/// An image stands for the active segments `index .. index + count`: the first active segments
/// of a memory the module defines, all with constant offsets and inside its initial size, so
/// none can trap. `bytes` is what they leave in memory from `offset` (an `i32.const` or
/// `i64.const`, a multiple of [`image_align`]) on, the gaps between them zero, aligned to
/// [`image_align`] in the object file: the runtime may map its whole pages copy-on-write from
/// the executable instead of copying them. Writing `bytes` at `offset` is the same.
#[repr(C)]
#[derive(Debug)]
pub struct DataDesc {
    pub memory: u32,
    /// A [`segment_mode`] value.
    pub mode: u8,
    pub _pad: [u8; 3],
    /// Index of the (first) segment this entry holds; entries are sorted by it.
    pub index: u32,
    /// How many segments an image stands for; 0 otherwise.
    pub count: u32,
    /// Offset expression (active segments without pieces, images).
    pub offset: ConstExprDesc,
    pub bytes: Slice<u8>,
    /// Empty, or the segments of a run (see above).
    pub pieces: Slice<DataPiece>,
}

/// One segment of a run of active segments (see [`DataDesc`]).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataPiece {
    /// Where it is written in memory (the segment's `i32.const` offset as u32).
    pub offset: u32,
    /// Its length in bytes.
    pub len: u32,
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
        assert_eq!(size_of::<FunctionDesc>(), 96);
        assert_eq!(size_of::<SigDesc>(), 56);
        assert_eq!(size_of::<DataDesc>(), 72);
        assert_eq!(size_of::<DataPiece>(), 8);
        assert_eq!(offset_of!(ModuleDescriptor, counts), 24);
    }

    #[test]
    fn source_lines_are_keys_then_files_lines_and_columns() {
        let line = |key, file, line, column| SourceLine {
            key,
            file,
            line,
            column,
        };
        assert!(encode_source_lines(&[]).is_empty());
        assert_eq!(
            encode_source_lines(&[line(4, 0, 12, 5), line(9, 1, 30, 0)]),
            vec![4, 9, 0, 1, 12, 30, 5, 0]
        );
    }

    #[test]
    fn extended_programs_evaluate_postfix_and_wrap() {
        let leaf = |kind, index, v: u64| ConstExprDesc {
            kind,
            index,
            bits: [v, 0],
        };
        let op = |kind| leaf(kind, 0, 0);
        // (i32.sub (i32.mul (global.get 1) (i32.const 3)) (i32.const 7)), global 1 = 2
        let p = [
            leaf(const_kind::GLOBAL_GET, 1, 0),
            leaf(const_kind::I32, 0, 3),
            op(const_kind::I32_MUL),
            leaf(const_kind::I32, 0, 7),
            op(const_kind::I32_SUB),
        ];
        let g = |i| (i == 1).then_some(2);
        assert_eq!(eval_extended(&p, g), Some(0xffff_ffff));
        assert_eq!(eval_extended(&p, |_| None), None);
        let p = [
            leaf(const_kind::I64, 0, u64::MAX),
            leaf(const_kind::I64, 0, 2),
            op(const_kind::I64_ADD),
        ];
        assert_eq!(eval_extended(&p, |_| None), Some(1));
        // Malformed: underflow, leftovers, unknown kinds.
        assert_eq!(eval_extended(&[op(const_kind::I64_ADD)], |_| None), None);
        assert_eq!(eval_extended(&p[..2], |_| None), None);
        assert_eq!(eval_extended(&[], |_| None), None);
        assert_eq!(
            eval_extended(&[leaf(const_kind::F32, 0, 0)], |_| None),
            None
        );
    }

    #[test]
    fn trap_sites_are_delta_coded_with_heap_codes_implicit() {
        use crate::trap::TrapCode;
        let site = |offset, code: TrapCode| TrapSite {
            offset,
            code: code as u8,
            _pad: [0; 3],
        };
        assert!(encode_trap_sites(&[]).is_empty());
        assert_eq!(find_trap_site(&[], 0), None);
        let heap = TrapCode::MemoryOutOfBounds;
        let sites = [
            site(0, heap),
            site(3, heap),
            site(3, TrapCode::IntegerDivisionByZero),
            site(200, heap),
            site(70_000, TrapCode::UnreachableCodeReached),
            site(70_001, heap),
        ];
        let e = encode_trap_sites(&sites);
        // 0: [0]; 3: [6]; 3 explicit: [1, code]; +197 → 394: two bytes; +69,800 explicit →
        // 139,601: three bytes and the code; +1: [2].
        assert_eq!(e.len(), 1 + 1 + 2 + 2 + 4 + 1);
        assert_eq!(e[..2], [0, 6]);
        // The first of two sites at one offset answers.
        for (offset, code) in [(0, heap), (3, heap), (200, heap), (70_001, heap)]
            .into_iter()
            .chain([(70_000, TrapCode::UnreachableCodeReached)])
        {
            assert_eq!(find_trap_site(&e, offset), Some(code as u8), "{offset}");
        }
        for offset in [1, 2, 4, 199, 201, 69_999, 70_002, u32::MAX] {
            assert_eq!(find_trap_site(&e, offset), None, "{offset}");
        }
        // Truncated or endless input is no site, never a panic.
        assert_eq!(find_trap_site(&e[..e.len() - 1], 70_001), None);
        assert_eq!(find_trap_site(&[0x80; 16], 0), None);
        // A large function: every offset round-trips.
        let many: Vec<TrapSite> = (0..5000u32)
            .map(|i| {
                site(
                    i * 7,
                    if i % 9 == 0 {
                        TrapCode::BadSignature
                    } else {
                        heap
                    },
                )
            })
            .collect();
        let e = encode_trap_sites(&many);
        assert!(e.len() < 5000 * 5 / 4);
        for s in &many {
            assert_eq!(find_trap_site(&e, s.offset), Some(s.code));
        }
    }
}

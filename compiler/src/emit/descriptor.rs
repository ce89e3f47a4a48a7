//! Writes the module descriptor (`wasmaot_module`): a `wasmaot_abi::descriptor::ModuleDescriptor`
//! followed by every array and string it points at, all in one data object whose pointer fields
//! are relocations. Field positions come from `offset_of!` on the abi structs, so the compiler
//! and the runtime cannot disagree about the layout.
//!
//! Must never compute a field offset by hand.

use std::mem::{offset_of, size_of};

use cranelift_module::{DataId, FuncId};
use wasmaot_abi::descriptor::{
    ConstExprDesc, DataDesc, DataPiece, ElemDesc, ExportDesc, FunctionDesc, GlobalDesc, ImportDesc,
    InlineSite, MemoryDesc, ModuleDescriptor, NO_INDEX, NO_MAX, SigDesc, SourceLine, Str,
    TableDesc, TrapSite, const_kind, encode_inline_sites, encode_source_lines, encode_trap_sites,
    extern_kind, segment_mode,
};
use wasmaot_abi::vmctx::{ModuleCounts, VmOffsets};

use super::data::{DataBuilder, PtrTarget};
use super::data_image::DataImage;
use crate::module::{DataSegment, ModuleInfo};

/// Symbols the descriptor points at.
pub struct DescriptorSymbols<'a> {
    /// Per defined function, in index order: its symbol, code length and sites.
    pub functions: Vec<DescFunction<'a>>,
    /// Array-call trampoline of each module type.
    pub array_calls: Vec<FuncId>,
    /// Host function of each imported function (WASI), in import order over functions.
    pub import_host_code: Vec<Option<FuncId>>,
    /// Per defined function, the C-convention adapter of a tail-convention function.
    pub tail_adapters: Vec<Option<FuncId>>,
    /// Memory images and the read-only data objects holding their bytes.
    pub images: Vec<(&'a DataImage, DataId)>,
}

/// A defined function as the descriptor describes it.
pub struct DescFunction<'a> {
    pub id: FuncId,
    pub code_len: u64,
    pub traps: &'a [TrapSite],
    pub inlined: &'a [InlineSite],
    /// Source positions of trap sites and calls (empty without DWARF).
    pub lines: Vec<SourceLine>,
}

/// Builds the descriptor's bytes; `source_files` are the paths `lines` index.
pub fn build_descriptor(
    info: &ModuleInfo<'_>,
    syms: &DescriptorSymbols<'_>,
    policy: &str,
    source_files: &[String],
) -> DataBuilder {
    let mut d = DataBuilder::new(16);
    let base = d.alloc(size_of::<ModuleDescriptor>(), 16);
    debug_assert_eq!(base, 0);
    let field = |off: usize| base + off as u64;

    d.put_u64(
        field(offset_of!(ModuleDescriptor, magic)),
        wasmaot_abi::DESCRIPTOR_MAGIC,
    );
    d.put_u32(
        field(offset_of!(ModuleDescriptor, abi_version)),
        wasmaot_abi::ABI_VERSION,
    );
    d.put_u32(
        field(offset_of!(ModuleDescriptor, start)),
        info.start.unwrap_or(NO_INDEX),
    );
    let counts = info.counts();
    d.put_u64(
        field(offset_of!(ModuleDescriptor, vmctx_size)),
        VmOffsets::new(counts).size as u64,
    );
    write_counts(&mut d, field(offset_of!(ModuleDescriptor, counts)), &counts);

    // types
    let types_at = d.alloc(size_of::<SigDesc>() * info.types.len(), 8);
    for (i, sig) in info.types.iter().enumerate() {
        let at = types_at + (i * size_of::<SigDesc>()) as u64;
        let params: Vec<u8> = sig.params.iter().map(|t| *t as u8).collect();
        let results: Vec<u8> = sig.results.iter().map(|t| *t as u8).collect();
        d.put_bytes_slice(at + offset_of!(SigDesc, params) as u64, &params, 1);
        d.put_bytes_slice(at + offset_of!(SigDesc, results) as u64, &results, 1);
        let refs = info.type_refs.get(i).map_or(&[][..], |r| &r[..]);
        d.put_bytes_slice(at + offset_of!(SigDesc, refs) as u64, refs, 1);
        d.put_ptr(
            at + offset_of!(SigDesc, array_call) as u64,
            PtrTarget::Func(syms.array_calls[i]),
        );
    }
    d.put_self_slice(
        field(offset_of!(ModuleDescriptor, types)),
        types_at,
        info.types.len() as u64,
    );

    // func_types
    let func_types: Vec<u8> = info
        .funcs
        .iter()
        .flat_map(|f| f.type_index.to_le_bytes())
        .collect();
    d.put_array_slice(
        field(offset_of!(ModuleDescriptor, func_types)),
        &func_types,
        4,
        info.funcs.len() as u64,
    );

    // functions
    let funcs_at = d.alloc(size_of::<FunctionDesc>() * syms.functions.len(), 8);
    for (i, f) in syms.functions.iter().enumerate() {
        let (id, len, traps, inlined) = (&f.id, &f.code_len, f.traps, f.inlined);
        let at = funcs_at + (i * size_of::<FunctionDesc>()) as u64;
        d.put_ptr(
            at + offset_of!(FunctionDesc, code) as u64,
            PtrTarget::Func(*id),
        );
        d.put_u64(at + offset_of!(FunctionDesc, code_len) as u64, *len);
        match syms.tail_adapters.get(i).copied().flatten() {
            Some(adapter) => {
                d.put_ptr(
                    at + offset_of!(FunctionDesc, entry) as u64,
                    PtrTarget::Func(adapter),
                );
                d.put_ptr(
                    at + offset_of!(FunctionDesc, tail_entry) as u64,
                    PtrTarget::Func(*id),
                );
            }
            None => d.put_ptr(
                at + offset_of!(FunctionDesc, entry) as u64,
                PtrTarget::Func(*id),
            ),
        }
        let index = info.num_imported_funcs + i as u32;
        let name = info
            .func_names
            .get(&index)
            .map(String::as_str)
            .unwrap_or("");
        d.put_bytes_slice(
            at + offset_of!(FunctionDesc, name) as u64,
            name.as_bytes(),
            1,
        );
        d.put_bytes_slice(
            at + offset_of!(FunctionDesc, traps) as u64,
            &encode_trap_sites(traps),
            1,
        );
        let inline_bytes: Vec<u8> = encode_inline_sites(inlined)
            .iter()
            .flat_map(|w| w.to_le_bytes())
            .collect();
        d.put_array_slice(
            at + offset_of!(FunctionDesc, inlined) as u64,
            &inline_bytes,
            4,
            inlined.len() as u64,
        );
        let line_bytes: Vec<u8> = encode_source_lines(&f.lines)
            .iter()
            .flat_map(|w| w.to_le_bytes())
            .collect();
        d.put_array_slice(
            at + offset_of!(FunctionDesc, lines) as u64,
            &line_bytes,
            4,
            f.lines.len() as u64,
        );
    }
    d.put_self_slice(
        field(offset_of!(ModuleDescriptor, functions)),
        funcs_at,
        syms.functions.len() as u64,
    );

    // imports
    let imports_at = d.alloc(size_of::<ImportDesc>() * info.imports.len(), 8);
    let mut func_import = 0;
    for (i, imp) in info.imports.iter().enumerate() {
        let at = imports_at + (i * size_of::<ImportDesc>()) as u64;
        d.put_bytes_slice(
            at + offset_of!(ImportDesc, module) as u64,
            imp.module.as_bytes(),
            1,
        );
        d.put_bytes_slice(
            at + offset_of!(ImportDesc, name) as u64,
            imp.name.as_bytes(),
            1,
        );
        d.put_u8(at + offset_of!(ImportDesc, kind) as u64, imp.kind);
        d.put_u32(at + offset_of!(ImportDesc, index) as u64, imp.index);
        if imp.kind == extern_kind::FUNC {
            if let Some(host) = syms.import_host_code[func_import] {
                d.put_ptr(
                    at + offset_of!(ImportDesc, host_code) as u64,
                    PtrTarget::Func(host),
                );
            }
            func_import += 1;
        }
    }
    d.put_self_slice(
        field(offset_of!(ModuleDescriptor, imports)),
        imports_at,
        info.imports.len() as u64,
    );

    // memories
    let mems_at = d.alloc(size_of::<MemoryDesc>() * info.memories.len(), 8);
    for (i, m) in info.memories.iter().enumerate() {
        let at = mems_at + (i * size_of::<MemoryDesc>()) as u64;
        d.put_u64(at + offset_of!(MemoryDesc, min_pages) as u64, m.min_pages);
        d.put_u64(
            at + offset_of!(MemoryDesc, max_pages) as u64,
            m.max_pages.unwrap_or(NO_MAX),
        );
        d.put_u8(
            at + offset_of!(MemoryDesc, imported) as u64,
            m.imported as u8,
        );
        d.put_u8(at + offset_of!(MemoryDesc, shared) as u64, m.shared as u8);
        d.put_u8(at + offset_of!(MemoryDesc, index64) as u64, m.index64 as u8);
    }
    d.put_self_slice(
        field(offset_of!(ModuleDescriptor, memories)),
        mems_at,
        info.memories.len() as u64,
    );

    // tables
    let tables_at = d.alloc(size_of::<TableDesc>() * info.tables.len(), 8);
    for (i, t) in info.tables.iter().enumerate() {
        let at = tables_at + (i * size_of::<TableDesc>()) as u64;
        d.put_u64(at + offset_of!(TableDesc, min) as u64, t.min);
        d.put_u64(
            at + offset_of!(TableDesc, max) as u64,
            t.max.unwrap_or(NO_MAX),
        );
        d.put_u8(
            at + offset_of!(TableDesc, elem_type) as u64,
            t.elem_type as u8,
        );
        d.put_u8(
            at + offset_of!(TableDesc, imported) as u64,
            t.imported as u8,
        );
        d.put_u8(at + offset_of!(TableDesc, index64) as u64, t.index64 as u8);
        write_const(&mut d, at + offset_of!(TableDesc, init) as u64, &t.init);
        d.put_bytes_slice(at + offset_of!(TableDesc, refs) as u64, &t.refs, 1);
    }
    d.put_self_slice(
        field(offset_of!(ModuleDescriptor, tables)),
        tables_at,
        info.tables.len() as u64,
    );

    // globals
    let globals_at = d.alloc(size_of::<GlobalDesc>() * info.globals.len(), 8);
    for (i, g) in info.globals.iter().enumerate() {
        let at = globals_at + (i * size_of::<GlobalDesc>()) as u64;
        d.put_u8(at + offset_of!(GlobalDesc, ty) as u64, g.ty as u8);
        d.put_u8(at + offset_of!(GlobalDesc, mutable) as u64, g.mutable as u8);
        d.put_u8(
            at + offset_of!(GlobalDesc, imported) as u64,
            g.init.is_none() as u8,
        );
        if let Some(init) = &g.init {
            write_const(&mut d, at + offset_of!(GlobalDesc, init) as u64, init);
        }
        d.put_bytes_slice(at + offset_of!(GlobalDesc, refs) as u64, &g.refs, 1);
    }
    d.put_self_slice(
        field(offset_of!(ModuleDescriptor, globals)),
        globals_at,
        info.globals.len() as u64,
    );

    // data segments: images, then runs of active segments with constant offsets become one
    // entry each
    let image_runs: Vec<(u32, u32)> = syms
        .images
        .iter()
        .map(|(im, _)| (im.first, im.count))
        .collect();
    let entries = plan_data(&info.data, &image_runs);
    let data_at = d.alloc(size_of::<DataDesc>() * entries.len(), 8);
    for (i, e) in entries.iter().enumerate() {
        let at = data_at + (i * size_of::<DataDesc>()) as u64;
        let seg = &info.data[e.index as usize];
        if let Some(k) = e.image {
            let (im, id) = &syms.images[k];
            let index64 = info.memories[im.memory as usize].index64;
            let offset = ConstExprDesc {
                kind: if index64 {
                    const_kind::I64
                } else {
                    const_kind::I32
                },
                index: 0,
                bits: [im.offset, 0],
            };
            d.put_u32(at + offset_of!(DataDesc, memory) as u64, im.memory);
            d.put_u8(at + offset_of!(DataDesc, mode) as u64, segment_mode::IMAGE);
            d.put_u32(at + offset_of!(DataDesc, index) as u64, im.first);
            d.put_u32(at + offset_of!(DataDesc, count) as u64, im.count);
            write_const(&mut d, at + offset_of!(DataDesc, offset) as u64, &offset);
            d.put_data_slice(
                at + offset_of!(DataDesc, bytes) as u64,
                *id,
                im.bytes.len() as u64,
            );
            continue;
        }
        d.put_u32(at + offset_of!(DataDesc, memory) as u64, seg.memory);
        d.put_u8(at + offset_of!(DataDesc, mode) as u64, seg.mode);
        d.put_u32(at + offset_of!(DataDesc, index) as u64, e.index);
        write_const(
            &mut d,
            at + offset_of!(DataDesc, offset) as u64,
            &seg.offset,
        );
        if e.pieces.is_empty() {
            d.put_bytes_slice(at + offset_of!(DataDesc, bytes) as u64, seg.bytes, 1);
        } else {
            let n = e.pieces.len();
            let bytes: Vec<u8> = info.data[e.index as usize..e.index as usize + n]
                .iter()
                .flat_map(|s| s.bytes.iter().copied())
                .collect();
            d.put_bytes_slice(at + offset_of!(DataDesc, bytes) as u64, &bytes, 1);
            let pieces: Vec<u8> = e
                .pieces
                .iter()
                .flat_map(|p| {
                    let mut b = [0u8; 8];
                    b[offset_of!(DataPiece, offset)..][..4]
                        .copy_from_slice(&p.offset.to_le_bytes());
                    b[offset_of!(DataPiece, len)..][..4].copy_from_slice(&p.len.to_le_bytes());
                    b
                })
                .collect();
            debug_assert_eq!(size_of::<DataPiece>(), 8);
            d.put_array_slice(
                at + offset_of!(DataDesc, pieces) as u64,
                &pieces,
                4,
                n as u64,
            );
        }
    }
    d.put_self_slice(
        field(offset_of!(ModuleDescriptor, data)),
        data_at,
        entries.len() as u64,
    );

    // element segments
    let elems_at = d.alloc(size_of::<ElemDesc>() * info.elems.len(), 8);
    for (i, seg) in info.elems.iter().enumerate() {
        let at = elems_at + (i * size_of::<ElemDesc>()) as u64;
        d.put_u32(at + offset_of!(ElemDesc, table) as u64, seg.table);
        d.put_u8(at + offset_of!(ElemDesc, mode) as u64, seg.mode);
        d.put_u8(
            at + offset_of!(ElemDesc, elem_type) as u64,
            seg.elem_type as u8,
        );
        write_const(
            &mut d,
            at + offset_of!(ElemDesc, offset) as u64,
            &seg.offset,
        );
        let items_at = d.alloc(size_of::<ConstExprDesc>() * seg.items.len(), 8);
        for (j, item) in seg.items.iter().enumerate() {
            write_const(
                &mut d,
                items_at + (j * size_of::<ConstExprDesc>()) as u64,
                item,
            );
        }
        d.put_self_slice(
            at + offset_of!(ElemDesc, items) as u64,
            items_at,
            seg.items.len() as u64,
        );
    }
    d.put_self_slice(
        field(offset_of!(ModuleDescriptor, elems)),
        elems_at,
        info.elems.len() as u64,
    );

    // exports
    let exports_at = d.alloc(size_of::<ExportDesc>() * info.exports.len(), 8);
    for (i, e) in info.exports.iter().enumerate() {
        let at = exports_at + (i * size_of::<ExportDesc>()) as u64;
        d.put_bytes_slice(
            at + offset_of!(ExportDesc, name) as u64,
            e.name.as_bytes(),
            1,
        );
        d.put_u8(at + offset_of!(ExportDesc, kind) as u64, e.kind);
        d.put_u32(at + offset_of!(ExportDesc, index) as u64, e.index);
    }
    d.put_self_slice(
        field(offset_of!(ModuleDescriptor, exports)),
        exports_at,
        info.exports.len() as u64,
    );

    let name = info.module_name.as_deref().unwrap_or("");
    d.put_bytes_slice(
        field(offset_of!(ModuleDescriptor, name)),
        name.as_bytes(),
        1,
    );
    d.put_bytes_slice(
        field(offset_of!(ModuleDescriptor, policy)),
        policy.as_bytes(),
        1,
    );

    let ops_at = d.alloc(size_of::<ConstExprDesc>() * info.const_ops.len(), 8);
    for (i, op) in info.const_ops.iter().enumerate() {
        write_const(&mut d, ops_at + (i * size_of::<ConstExprDesc>()) as u64, op);
    }
    d.put_self_slice(
        field(offset_of!(ModuleDescriptor, const_ops)),
        ops_at,
        info.const_ops.len() as u64,
    );

    let tag_bytes: Vec<u8> = info.tags.iter().flat_map(|t| t.to_le_bytes()).collect();
    d.put_array_slice(
        field(offset_of!(ModuleDescriptor, tags)),
        &tag_bytes,
        4,
        info.tags.len() as u64,
    );

    let files_at = d.alloc(size_of::<Str>() * source_files.len(), 8);
    for (i, path) in source_files.iter().enumerate() {
        d.put_bytes_slice(files_at + (i * size_of::<Str>()) as u64, path.as_bytes(), 1);
    }
    d.put_self_slice(
        field(offset_of!(ModuleDescriptor, source_files)),
        files_at,
        source_files.len() as u64,
    );
    d
}

fn write_counts(d: &mut DataBuilder, at: u64, c: &ModuleCounts) {
    let fields = [
        (offset_of!(ModuleCounts, num_types), c.num_types),
        (
            offset_of!(ModuleCounts, num_imported_funcs),
            c.num_imported_funcs,
        ),
        (offset_of!(ModuleCounts, num_funcs), c.num_funcs),
        (
            offset_of!(ModuleCounts, num_imported_tables),
            c.num_imported_tables,
        ),
        (offset_of!(ModuleCounts, num_tables), c.num_tables),
        (
            offset_of!(ModuleCounts, num_imported_memories),
            c.num_imported_memories,
        ),
        (offset_of!(ModuleCounts, num_memories), c.num_memories),
        (
            offset_of!(ModuleCounts, num_imported_globals),
            c.num_imported_globals,
        ),
        (offset_of!(ModuleCounts, num_globals), c.num_globals),
        (offset_of!(ModuleCounts, num_data), c.num_data),
        (offset_of!(ModuleCounts, num_elems), c.num_elems),
        (
            offset_of!(ModuleCounts, num_imported_tags),
            c.num_imported_tags,
        ),
        (offset_of!(ModuleCounts, num_tags), c.num_tags),
    ];
    for (off, v) in fields {
        d.put_u32(at + off as u64, v);
    }
}

/// One `DataDesc` entry: segment `index` alone (no pieces), the run of segments
/// `index .. index + pieces.len()`, or image number `image` (starting at segment `index`).
#[derive(Debug, PartialEq, Eq)]
struct DataEntry {
    index: u32,
    pieces: Vec<DataPiece>,
    image: Option<usize>,
}

/// Groups the data segments into descriptor entries: each maximal run of two or more
/// consecutive active segments of the same memory with `i32.const` offsets becomes one entry
/// whose pieces the runtime writes one by one, in order, exactly as the separate segments
/// (so bounds, traps and partial initialisation are unchanged); every other segment keeps an
/// entry of its own. The segments of each image (`(first, count)`, sorted) are one entry.
fn plan_data(segs: &[DataSegment<'_>], images: &[(u32, u32)]) -> Vec<DataEntry> {
    let groupable =
        |s: &DataSegment<'_>| s.mode == segment_mode::ACTIVE && s.offset.kind == const_kind::I32;
    let mut entries: Vec<DataEntry> = Vec::new();
    let mut images = images.iter().enumerate().peekable();
    let mut i = 0;
    while i < segs.len() {
        if let Some((k, &(first, count))) = images.next_if(|(_, (first, _))| *first as usize == i) {
            entries.push(DataEntry {
                index: first,
                pieces: Vec::new(),
                image: Some(k),
            });
            i += count as usize;
            continue;
        }
        let mut j = i + 1;
        if groupable(&segs[i]) {
            while j < segs.len()
                && groupable(&segs[j])
                && segs[j].memory == segs[i].memory
                && images
                    .peek()
                    .is_none_or(|(_, (first, _))| *first as usize != j)
            {
                j += 1;
            }
        }
        let pieces = if j - i >= 2 {
            segs[i..j]
                .iter()
                .map(|s| DataPiece {
                    offset: s.offset.bits[0] as u32,
                    len: s.bytes.len() as u32,
                })
                .collect()
        } else {
            Vec::new()
        };
        entries.push(DataEntry {
            index: i as u32,
            pieces,
            image: None,
        });
        i = j;
    }
    entries
}

fn write_const(d: &mut DataBuilder, at: u64, c: &ConstExprDesc) {
    d.put_u32(at + offset_of!(ConstExprDesc, kind) as u64, c.kind);
    d.put_u32(at + offset_of!(ConstExprDesc, index) as u64, c.index);
    let bits = at + offset_of!(ConstExprDesc, bits) as u64;
    d.put_u64(bits, c.bits[0]);
    d.put_u64(bits + 8, c.bits[1]);
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A data segment whose offset is constant expression `kind` with value `offset` (the
    /// data-image tests use it too).
    pub(in crate::emit) fn seg(
        mode: u8,
        memory: u32,
        kind: u32,
        offset: u64,
        bytes: &[u8],
    ) -> DataSegment<'_> {
        DataSegment {
            mode,
            memory,
            offset: ConstExprDesc {
                kind,
                index: 0,
                bits: [offset, 0],
            },
            bytes,
        }
    }

    #[test]
    fn runs_of_constant_active_segments_share_an_entry() {
        use segment_mode::{ACTIVE, PASSIVE};
        let segs = [
            seg(ACTIVE, 0, const_kind::I32, 8, b"ab"),
            seg(ACTIVE, 0, const_kind::I32, 30, b"cde"),
            seg(ACTIVE, 0, const_kind::I32, 0xffff_fff0, b""),
            seg(PASSIVE, 0, 0, 0, b"p"),
            seg(ACTIVE, 0, const_kind::I32, 4, b"x"),
            seg(ACTIVE, 0, const_kind::GLOBAL_GET, 0, b"g"),
            seg(ACTIVE, 0, const_kind::I32, 1, b"y"),
            seg(ACTIVE, 1, const_kind::I32, 2, b"z"),
            seg(ACTIVE, 1, const_kind::I32, 3, b"w"),
        ];
        let piece = |offset, len| DataPiece { offset, len };
        let entry = |index, pieces| DataEntry {
            index,
            pieces,
            image: None,
        };
        assert_eq!(
            plan_data(&segs, &[]),
            vec![
                entry(0, vec![piece(8, 2), piece(30, 3), piece(0xffff_fff0, 0)]),
                entry(3, vec![]),
                entry(4, vec![]),
                entry(5, vec![]),
                entry(6, vec![]),
                entry(7, vec![piece(2, 1), piece(3, 1)]),
            ]
        );
        assert!(plan_data(&[], &[]).is_empty());
        // An image's segments are one entry; a run stops where an image starts.
        let image = |index, k| DataEntry {
            index,
            pieces: vec![],
            image: Some(k),
        };
        assert_eq!(
            plan_data(&segs, &[(1, 2), (7, 2)]),
            vec![
                entry(0, vec![]),
                image(1, 0),
                entry(3, vec![]),
                entry(4, vec![]),
                entry(5, vec![]),
                entry(6, vec![]),
                image(7, 1),
            ]
        );
    }
}

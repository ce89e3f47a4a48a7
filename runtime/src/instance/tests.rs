//! The instance tests: hand-built descriptors (no compiler involved) instantiated, inspected
//! through the vmctx, and made to fail. `empty_descriptor` and `test_module` are shared with
//! the other modules' tests.
//!
//! Must never depend on compiled code: every descriptor here is built by hand.

use core::ptr;

use wasmaot_abi::descriptor::{
    ConstExprDesc, DataDesc, ElemDesc, ExportDesc, ImportDesc, MemoryDesc, ModuleDescriptor,
    NO_INDEX, NO_MAX, Slice, TableDesc, const_kind, extern_kind, segment_mode,
};
use wasmaot_abi::trap::TrapCode;
use wasmaot_abi::types::ValType;
use wasmaot_abi::vmctx::{ModuleCounts, VmOffsets};
use wasmaot_abi::{ABI_VERSION, DESCRIPTOR_MAGIC};

use super::{Extern, Imports, Instance, InstanceData, InstantiationError, ValRaw};
use crate::memory::VMMemoryDefinition;
use crate::table::VMTableDefinition;

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
        const_ops: empty(),
        tags: empty(),
        source_files: empty(),
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
        index64: 0,
        _pad: [0; 5],
    }]);
    d.tables = leak(vec![TableDesc {
        min: 4,
        max: 6,
        elem_type: ValType::FuncRef as u8,
        imported: 0,
        index64: 0,
        _pad: [0; 5],
        init: ConstExprDesc {
            kind: const_kind::REF_NULL,
            index: 0,
            bits: [0, 0],
        },
        refs: empty(),
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
        refs: empty(),
    }]);
    d.data = leak(vec![
        DataDesc {
            memory: 0,
            mode: segment_mode::ACTIVE,
            _pad: [0; 3],
            index: 0,
            count: 0,
            offset: i32_expr(8),
            bytes: leak(b"hi".to_vec()),
            pieces: empty(),
        },
        DataDesc {
            memory: 0,
            mode: segment_mode::PASSIVE,
            _pad: [0; 3],
            index: 1,
            count: 0,
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
        index64: 0,
        _pad: [0; 5],
    }]);
    let g = |imported, init| wasmaot_abi::descriptor::GlobalDesc {
        ty: ValType::I64 as u8,
        mutable: 0,
        imported,
        _pad: [0; 5],
        init,
        refs: empty(),
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
        index64: 0,
        _pad: [0; 5],
    }]);
    d.data = leak(vec![
        DataDesc {
            memory: 0,
            mode: segment_mode::ACTIVE,
            _pad: [0; 3],
            index: 0,
            count: 0,
            offset: i32_expr(0),
            bytes: leak(b"ok".to_vec()),
            pieces: empty(),
        },
        DataDesc {
            memory: 0,
            mode: segment_mode::ACTIVE,
            _pad: [0; 3],
            index: 1,
            count: 0,
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
        index64: 0,
        _pad: [0; 5],
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
        count: 0,
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
        count: 0,
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

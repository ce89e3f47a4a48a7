//! `DataBuilder`: the bytes of one data object under construction, with the relocations that
//! will fill its pointer fields (to functions, to other data, or to itself).
//!
//! Must never write a pointer as bytes: every pointer field is a relocation, so the object stays
//! position-independent of the address it is linked at.

use cranelift_module::{DataDescription, DataId, FuncId, Module, ModuleRelocTarget};

/// What a pointer field points at.
#[derive(Clone, Copy, Debug)]
pub enum PtrTarget {
    /// A function symbol.
    Func(FuncId),
    /// This data object itself, plus a byte offset.
    SelfOffset(u64),
    /// Another data object (its start).
    Data(DataId),
}

/// Bytes plus pointer relocations.
#[derive(Default)]
pub struct DataBuilder {
    bytes: Vec<u8>,
    ptrs: Vec<(u32, PtrTarget)>,
    align: u64,
}

impl DataBuilder {
    pub fn new(align: u64) -> DataBuilder {
        DataBuilder {
            bytes: Vec::new(),
            ptrs: Vec::new(),
            align,
        }
    }

    /// Current size in bytes.
    pub fn len(&self) -> u64 {
        self.bytes.len() as u64
    }

    /// Appends `size` zero bytes at an offset aligned to `align`; returns that offset.
    pub fn alloc(&mut self, size: usize, align: u64) -> u64 {
        let start = self.len().div_ceil(align) * align;
        self.bytes.resize(start as usize + size, 0);
        start
    }

    /// Appends `bytes` aligned to `align`; returns their offset.
    pub fn append(&mut self, bytes: &[u8], align: u64) -> u64 {
        let at = self.alloc(0, align);
        self.bytes.extend_from_slice(bytes);
        at
    }

    pub fn put_u8(&mut self, at: u64, v: u8) {
        self.bytes[at as usize] = v;
    }

    pub fn put_u32(&mut self, at: u64, v: u32) {
        self.bytes[at as usize..at as usize + 4].copy_from_slice(&v.to_le_bytes());
    }

    pub fn put_u64(&mut self, at: u64, v: u64) {
        self.bytes[at as usize..at as usize + 8].copy_from_slice(&v.to_le_bytes());
    }

    /// Records a pointer-sized relocation at `at`.
    pub fn put_ptr(&mut self, at: u64, target: PtrTarget) {
        self.put_u64(at, 0);
        self.ptrs.push((at as u32, target));
    }

    /// Writes a `Slice<T>` (`{ptr, len}`) at `at` pointing into this object at `offset`.
    pub fn put_self_slice(&mut self, at: u64, offset: u64, len: u64) {
        self.put_ptr(at, PtrTarget::SelfOffset(offset));
        self.put_u64(at + 8, len);
    }

    /// Writes a `Slice<T>` (`{ptr, len}`) at `at` pointing at data object `other`.
    pub fn put_data_slice(&mut self, at: u64, other: DataId, len: u64) {
        self.put_ptr(at, PtrTarget::Data(other));
        self.put_u64(at + 8, len);
    }

    /// Appends `bytes` and writes a `Slice<u8>` to them at `at`.
    pub fn put_bytes_slice(&mut self, at: u64, bytes: &[u8], align: u64) {
        self.put_array_slice(at, bytes, align, bytes.len() as u64);
    }

    /// Appends the encoded elements `bytes` (`count` of them) and writes a `Slice<T>` to them at `at`.
    pub fn put_array_slice(&mut self, at: u64, bytes: &[u8], align: u64, count: u64) {
        let offset = self.append(bytes, align);
        self.put_self_slice(at, offset, count);
    }

    /// Defines data object `id` (this object) in `module`.
    pub fn define<M: Module>(self, module: &mut M, id: DataId) -> Result<(), crate::CompileError> {
        let mut desc = DataDescription::new();
        desc.define(self.bytes.into_boxed_slice());
        desc.set_align(self.align);
        for (at, target) in self.ptrs {
            match target {
                PtrTarget::Func(f) => {
                    let fref = desc.import_function(ModuleRelocTarget::user(0, f.as_u32()));
                    desc.write_function_addr(at, fref);
                }
                PtrTarget::SelfOffset(offset) => {
                    let gv = desc.import_global_value(ModuleRelocTarget::user(1, id.as_u32()));
                    desc.write_data_addr(at, gv, offset as i64);
                }
                PtrTarget::Data(other) => {
                    let gv = desc.import_global_value(ModuleRelocTarget::user(1, other.as_u32()));
                    desc.write_data_addr(at, gv, 0);
                }
            }
        }
        module
            .define_data(id, &desc)
            .map_err(|e| crate::CompileError::Object(e.to_string()))
    }
}

//! The values an instance hands out and takes in: `ValRaw` (one array-call slot), the
//! `ArrayCall` trampoline type, and the `Func`, `GlobalRef` and `Extern` handles of what
//! instances export and import.
//!
//! Must never own what a handle points to: a `Func`, `GlobalRef` or `Extern` stays valid only
//! while the instance that owns its target lives.

use core::ptr;

use wasmaot_abi::descriptor::SigDesc;
use wasmaot_abi::vmctx::VmOffsets;

use crate::memory::LinearMemory;
use crate::table::{Table, VMFuncRef};

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
    /// A null `vmctx` is replaced by a zeroed VMContext prefix of its own: callers read the
    /// callee's `PENDING_EXCEPTION` field after the call (`wasmaot_abi::exception`), so a
    /// host function's vmctx must have one.
    ///
    /// [`Instance::call`]: super::Instance::call
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
            refs: leak(&[]),
            array_call: ptr::null(),
        }));
        let vmctx = if vmctx.is_null() {
            let prefix = vec![0u64; VmOffsets::FIXED_PREFIX_SIZE as usize / 8];
            Vec::leak(prefix).as_mut_ptr().cast::<u8>()
        } else {
            vmctx
        };
        let func_ref: &'static VMFuncRef = Box::leak(Box::new(VMFuncRef {
            code,
            type_id: crate::signatures::intern_sig(sig),
            _pad: 0,
            vmctx,
            tail_code: ptr::null(),
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
    /// A typed reference type's `wasmaot_abi::types::typed_ref` encoding; empty for 2.0 types.
    pub refs: &'static [u8],
}

/// Something an instance exports or imports. Pointers stay valid while the owning instance
/// lives.
#[derive(Clone, Copy, Debug)]
pub enum Extern {
    Func(Func),
    Table(*mut Table),
    Memory(*mut LinearMemory),
    Global(GlobalRef),
    /// A tag (exception handling): its identity, a `*const VMTag`.
    Tag(*const VMTag),
}

/// A tag's identity record (`wasmaot_abi::exception::vm_tag`): owned by the defining
/// instance; its address is the tag's identity, compared by `catch` clauses.
#[repr(C)]
#[derive(Debug)]
pub struct VMTag {
    /// Canonical signature id of the tag's type.
    pub type_id: u32,
    pub _pad: u32,
}

impl Extern {
    /// What kind of entity this is, as import errors name it.
    pub(super) fn kind_name(&self) -> &'static str {
        match self {
            Extern::Func(_) => "function",
            Extern::Table(_) => "table",
            Extern::Memory(_) => "memory",
            Extern::Global(_) => "global",
            Extern::Tag(_) => "tag",
        }
    }
}

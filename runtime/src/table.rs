//! Tables: a growable array of 8-byte references behind a `VMTableDefinition {base, length}`
//! record that compiled code reads for `call_indirect`, `table.get` and `table.set`.
//! A funcref element is a `*const VMFuncRef` (into some instance's vmctx), an externref element
//! an opaque u64; 0 is null for both.
//!
//! Must never let `base`/`length` disagree with the element storage (update both on grow).

use wasmaot_abi::vmctx::{func_ref, table_def};

/// The most elements a table may grow to; growing beyond returns -1 like an exhausted limit.
pub const MAX_TABLE_ELEMS: u64 = 10_000_000;

/// `{base, length}` of a table, as compiled code reads it.
#[repr(C)]
#[derive(Debug)]
pub struct VMTableDefinition {
    pub base: *mut u64,
    /// Current number of elements.
    pub length: u64,
}

/// A function reference: what a funcref table element or `ref.func` points at.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct VMFuncRef {
    pub code: *const u8,
    pub type_id: u32,
    pub _pad: u32,
    pub vmctx: *mut u8,
    /// Tail-calling-convention entry or null (`wasmaot_abi::vmctx::func_ref::TAIL_CODE`).
    pub tail_code: *const u8,
}

const _: () = {
    use core::mem::{offset_of, size_of};
    assert!(offset_of!(VMTableDefinition, base) == table_def::BASE as usize);
    assert!(offset_of!(VMTableDefinition, length) == table_def::LENGTH as usize);
    assert!(size_of::<VMTableDefinition>() == table_def::SIZE as usize);
    assert!(size_of::<u64>() == table_def::ELEM_SIZE as usize);
    assert!(offset_of!(VMFuncRef, code) == func_ref::CODE as usize);
    assert!(offset_of!(VMFuncRef, type_id) == func_ref::TYPE_ID as usize);
    assert!(offset_of!(VMFuncRef, vmctx) == func_ref::VMCTX as usize);
    assert!(offset_of!(VMFuncRef, tail_code) == func_ref::TAIL_CODE as usize);
    assert!(size_of::<VMFuncRef>() == func_ref::SIZE as usize);
    assert!(size_of::<VMFuncRef>() == func_ref::SIZE as usize);
};

/// One table. The definition is the first field so a `*mut VMTableDefinition` given to an
/// importing instance can be turned back into the `Table` (for `table.grow` etc. on imports).
/// Allocated with `Box` and never moved.
#[repr(C)]
#[derive(Debug)]
pub struct Table {
    def: VMTableDefinition,
    elems: Vec<u64>,
    /// Maximum in elements (NO_MAX when none, as declared).
    max: u64,
    /// A `ValType` byte (FuncRef or ExternRef).
    elem_type: u8,
    /// A typed reference element type's `wasmaot_abi::types::typed_ref` encoding; empty for
    /// `funcref` and `externref`.
    refs: &'static [u8],
    /// A 64-bit table (memory64 proposal: i64 indices).
    index64: bool,
}

impl Table {
    /// A table of `min` null elements.
    pub fn new(min: u64, max: u64, elem_type: u8) -> Result<Box<Table>, String> {
        if min > MAX_TABLE_ELEMS {
            return Err(format!(
                "table minimum of {min} elements exceeds the limit of {MAX_TABLE_ELEMS}"
            ));
        }
        let mut elems = vec![0u64; min as usize];
        let def = VMTableDefinition {
            base: elems.as_mut_ptr(),
            length: min,
        };
        Ok(Box::new(Table {
            def,
            elems,
            max,
            elem_type,
            refs: &[],
            index64: false,
        }))
    }

    /// Makes this a 64-bit table (memory64 proposal), or a 32-bit one; only the import checks
    /// read it (compiled code knows each table's index type).
    pub fn set_index64(&mut self, index64: bool) {
        self.index64 = index64;
    }

    /// Whether this is a 64-bit table.
    pub fn is_64(&self) -> bool {
        self.index64
    }

    /// Sets the typed reference element type (see the `refs` field).
    pub fn set_refs(&mut self, refs: &'static [u8]) {
        self.refs = refs;
    }

    /// The typed reference element type's encoding; empty for `funcref`/`externref`.
    pub fn refs(&self) -> &'static [u8] {
        self.refs
    }

    /// The definition record (stable address for the table's lifetime).
    pub fn definition(&mut self) -> *mut VMTableDefinition {
        &mut self.def
    }

    /// Recovers the table from a pointer obtained from [`Table::definition`].
    ///
    /// # Safety
    /// `def` must come from `definition()` of a live `Table`.
    pub unsafe fn from_definition<'a>(def: *mut VMTableDefinition) -> &'a mut Table {
        // SAFETY: `def` is the first field of a #[repr(C)] Table (caller's contract).
        unsafe { &mut *def.cast::<Table>() }
    }

    pub fn len(&self) -> u64 {
        self.elems.len() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.elems.is_empty()
    }

    pub fn declared_max(&self) -> u64 {
        self.max
    }

    pub fn elem_type(&self) -> u8 {
        self.elem_type
    }

    pub fn elements(&self) -> &[u64] {
        &self.elems
    }

    pub fn elements_mut(&mut self) -> &mut [u64] {
        &mut self.elems
    }

    /// `table.grow`: the old size, or `None` when the table cannot grow by `delta`.
    pub fn grow(&mut self, delta: u64, init: u64) -> Option<u64> {
        let old = self.len();
        let new = old.checked_add(delta)?;
        if new > self.max || new > MAX_TABLE_ELEMS {
            return None;
        }
        self.elems.resize(new as usize, init);
        self.def = VMTableDefinition {
            base: self.elems.as_mut_ptr(),
            length: new,
        };
        Some(old)
    }

    /// The element range `[start, start+len)` if it is in bounds.
    pub fn range(&self, start: u64, len: u64) -> Option<core::ops::Range<usize>> {
        let end = start.checked_add(len)?;
        (end <= self.len()).then_some(start as usize..end as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmaot_abi::descriptor::NO_MAX;

    #[test]
    fn grow_updates_definition() {
        let mut t = Table::new(1, 3, 5).unwrap();
        assert_eq!(t.grow(2, 9), Some(1));
        assert_eq!(t.grow(1, 0), None);
        let def = t.definition();
        // SAFETY: def is live.
        unsafe {
            assert_eq!((*def).length, 3);
            assert_eq!(*(*def).base.add(2), 9);
        }
        assert!(t.range(1, 2).is_some());
        assert!(t.range(2, 2).is_none());
        let mut u = Table::new(0, NO_MAX, 6).unwrap();
        assert_eq!(u.grow(u64::MAX, 0), None);
        assert_eq!(u.grow(0, 0), Some(0));
    }
}

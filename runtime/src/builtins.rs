//! The runtime builtins compiled code calls (`abi::builtins::ALL`): `wasmaot_rt_<name>`, C ABI,
//! caller's vmctx first. Each exported symbol is a small naked shim that builds a frame record
//! `{caller fp, return address}` and passes its address to the Rust body, so a builtin that traps
//! can print a backtrace starting at its wasm caller whatever frame-pointer settings the runtime
//! itself was built with. The wasm semantics live in plain functions on `InstanceData`
//! (returning `Result<_, TrapCode>`), shared with instantiation and tested directly.
//!
//! Must never write anything before the whole operation is known to be in bounds, and never
//! return normally from a trap.

use core::ptr;

use wasmaot_abi::trap::TrapCode;

use crate::instance::InstanceData;
use crate::table::Table;

const MEM_OOB: TrapCode = TrapCode::MemoryOutOfBounds;
const TABLE_OOB: TrapCode = TrapCode::TableOutOfBounds;

// ---------------------------------------------------------------------------------------------
// Semantics.

/// `memory.grow`: the old size in pages, or -1 (compiled code truncates both to i32 for a
/// 32-bit memory, whose delta it zero-extended).
pub(crate) fn memory_grow(d: &mut InstanceData, mem: u32, delta: u64) -> i64 {
    match d.memory(mem).and_then(|m| m.grow(delta)) {
        Some(old) => old as i64,
        None => -1,
    }
}

/// `memory.init` (also used for active data segments at instantiation).
pub(crate) fn memory_init(
    d: &mut InstanceData,
    mem: u32,
    data: u32,
    dst: u64,
    src: u32,
    len: u32,
) -> Result<(), TrapCode> {
    // Validated code names existing segments only; entries past the kept ones are active
    // segments, dropped at instantiation.
    let seg: &'static [u8] = d.data.get(data as usize).copied().unwrap_or(&[]);
    let end = (src as u64) + (len as u64);
    if end > seg.len() as u64 {
        return Err(MEM_OOB);
    }
    memory_write(d, mem, dst, &seg[src as usize..end as usize])
}

/// Copies module data `bytes` to `dst` in memory `mem` (active data segments, `memory.init`).
pub(crate) fn memory_write(
    d: &mut InstanceData,
    mem: u32,
    dst: u64,
    bytes: &[u8],
) -> Result<(), TrapCode> {
    let t = d
        .memory(mem)
        .ok_or(MEM_OOB)?
        .range(dst, bytes.len() as u64)
        .ok_or(MEM_OOB)?;
    // SAFETY: the destination range is in bounds; it cannot overlap `bytes` (read-only module
    // data).
    unsafe { ptr::copy_nonoverlapping(bytes.as_ptr(), t, bytes.len()) };
    Ok(())
}

/// `data.drop`.
pub(crate) fn data_drop(d: &mut InstanceData, data: u32) {
    if let Some(s) = d.data.get_mut(data as usize) {
        *s = &[];
    }
}

fn table_ptr(d: &InstanceData, t: u32) -> Result<*mut Table, TrapCode> {
    d.tables.get(t as usize).copied().ok_or(TABLE_OOB)
}

/// `table.grow`: the old size, or -1.
pub(crate) fn table_grow(d: &mut InstanceData, table: u32, init: u64, delta: u64) -> i64 {
    match d.table(table).and_then(|t| t.grow(delta, init)) {
        Some(old) => old as i64,
        None => -1,
    }
}

/// `table.fill`.
pub(crate) fn table_fill(
    d: &mut InstanceData,
    table: u32,
    dst: u64,
    val: u64,
    len: u64,
) -> Result<(), TrapCode> {
    let t = d.table(table).ok_or(TABLE_OOB)?;
    let r = t.range(dst, len).ok_or(TABLE_OOB)?;
    t.elements_mut()[r].fill(val);
    Ok(())
}

/// `table.copy` (overlap-safe; the tables may differ).
pub(crate) fn table_copy(
    d: &mut InstanceData,
    dst_table: u32,
    src_table: u32,
    dst: u64,
    src: u64,
    len: u64,
) -> Result<(), TrapCode> {
    let (tp, sp) = (table_ptr(d, dst_table)?, table_ptr(d, src_table)?);
    // SAFETY: live tables; shared references only until the write below.
    let (sr, tr) = unsafe {
        (
            (*sp).range(src, len).ok_or(TABLE_OOB)?,
            (*tp).range(dst, len).ok_or(TABLE_OOB)?,
        )
    };
    if ptr::eq(tp, sp) {
        // SAFETY: a live table, now the only reference.
        unsafe { (*tp).elements_mut().copy_within(sr, tr.start) };
    } else {
        // SAFETY: two distinct live tables.
        unsafe { (*tp).elements_mut()[tr].copy_from_slice(&(*sp).elements()[sr]) };
    }
    Ok(())
}

/// `table.init` (also used for active element segments at instantiation).
pub(crate) fn table_init(
    d: &mut InstanceData,
    table: u32,
    elem: u32,
    dst: u64,
    src: u32,
    len: u32,
) -> Result<(), TrapCode> {
    let tp = table_ptr(d, table)?;
    let seg = d.elems.get(elem as usize).ok_or(TABLE_OOB)?;
    let end = (src as u64) + (len as u64);
    if end > seg.len() as u64 {
        return Err(TABLE_OOB);
    }
    // SAFETY: a live table, distinct from the instance's segment storage.
    let t = unsafe { &mut *tp };
    let r = t.range(dst, len as u64).ok_or(TABLE_OOB)?;
    t.elements_mut()[r].copy_from_slice(&seg[src as usize..end as usize]);
    Ok(())
}

/// `elem.drop`.
pub(crate) fn elem_drop(d: &mut InstanceData, elem: u32) {
    if let Some(s) = d.elems.get_mut(elem as usize) {
        *s = Box::new([]);
    }
}

// ---------------------------------------------------------------------------------------------
// Exported symbols.

/// Raises `code` for a builtin whose shim frame record is at `frame`.
///
/// # Safety
/// `frame` must be the record built by the shim: `[frame]` = wasm caller's fp,
/// `[frame+8]` = return address into the wasm caller.
unsafe fn trap(frame: *const usize, code: TrapCode) -> ! {
    // SAFETY: caller's contract. `ret - 1` keeps the PC inside the calling function.
    unsafe {
        let fp = *frame;
        let ret = *frame.add(1);
        crate::trap::raise(code, ret.wrapping_sub(1), fp)
    }
}

/// The instance behind a builtin's vmctx.
///
/// # Safety
/// `vmctx` must be a live instance's vmctx, passed by compiled code.
unsafe fn instance<'a>(vmctx: *mut u8) -> &'a mut InstanceData {
    // SAFETY: caller's contract; builtins never re-enter wasm, so this is the only reference.
    unsafe { InstanceData::from_vmctx(vmctx) }
}

/// The shim: `push fp; mov fp, sp` (a frame record), pass its address as the 7th argument
/// (x86_64: on the stack; aarch64: x6 — builtins take at most six register arguments), call
/// the body, return its result untouched.
#[cfg(target_arch = "x86_64")]
macro_rules! shim {
    ($body:path) => {
        core::arch::naked_asm!(
            "push rbp",
            "mov rbp, rsp",
            "sub rsp, 16",
            "mov [rsp], rbp",
            "call {body}",
            "add rsp, 16",
            "pop rbp",
            "ret",
            body = sym $body,
        )
    };
}

#[cfg(target_arch = "aarch64")]
macro_rules! shim {
    ($body:path) => {
        core::arch::naked_asm!(
            "stp x29, x30, [sp, #-16]!",
            "mov x29, sp",
            "mov x6, sp",
            "bl {body}",
            "ldp x29, x30, [sp], #16",
            "ret",
            body = sym $body,
        )
    };
}

/// Defines `wasmaot_rt_<name>` (the shim, with the ABI signature) and its body, whose
/// parameters are padded to six register arguments followed by the frame record address.
macro_rules! builtin {
    (
        $(#[$doc:meta])*
        fn $sym:ident / $body:ident ($vmctx:ident $(, $p:ident: $t:ty)*) $(-> $r:ty)?
        [$($pad:ident),*] $frame:ident => $e:expr
    ) => {
        $(#[$doc])*
        #[unsafe(naked)]
        #[unsafe(no_mangle)]
        pub extern "C" fn $sym($vmctx: *mut u8 $(, $p: $t)*) $(-> $r)? {
            shim!($body)
        }

        #[allow(clippy::too_many_arguments)]
        unsafe extern "C" fn $body(
            $vmctx: *mut u8 $(, $p: $t)* $(, $pad: u64)*, $frame: *const usize,
        ) $(-> $r)? {
            $(let _ = $pad;)*
            $e
        }
    };
}

/// Runs a trapping operation: on `Err`, everything is dropped, then the trap is raised.
macro_rules! or_trap {
    ($frame:ident, $e:expr) => {{
        let r = $e;
        if let Err(code) = r {
            // SAFETY: $frame is the shim's frame record.
            unsafe { trap($frame, code) }
        }
    }};
}

builtin! {
    /// `memory.grow`: old size in pages or -1.
    fn wasmaot_rt_memory_grow / memory_grow_body(vmctx, mem: u32, delta: u64) -> i64 [a, b, c] _frame =>
        // SAFETY: called by compiled code with its vmctx.
        memory_grow(unsafe { instance(vmctx) }, mem, delta)
}

builtin! {
    /// `memory.init`.
    fn wasmaot_rt_memory_init / memory_init_body(vmctx, mem: u32, data: u32, dst: u64, src: u32, len: u32) [] frame =>
        // SAFETY: called by compiled code with its vmctx.
        or_trap!(frame, memory_init(unsafe { instance(vmctx) }, mem, data, dst, src, len))
}

builtin! {
    /// `data.drop`.
    fn wasmaot_rt_data_drop / data_drop_body(vmctx, data: u32) [a, b, c, e] _frame =>
        // SAFETY: called by compiled code with its vmctx.
        data_drop(unsafe { instance(vmctx) }, data)
}

builtin! {
    /// `table.grow`: old size or -1.
    fn wasmaot_rt_table_grow / table_grow_body(vmctx, table: u32, init: u64, delta: u64) -> i64 [a, b] _frame =>
        // SAFETY: called by compiled code with its vmctx.
        table_grow(unsafe { instance(vmctx) }, table, init, delta)
}

builtin! {
    /// `table.fill`.
    fn wasmaot_rt_table_fill / table_fill_body(vmctx, table: u32, dst: u64, val: u64, len: u64) [a] frame =>
        // SAFETY: called by compiled code with its vmctx.
        or_trap!(frame, table_fill(unsafe { instance(vmctx) }, table, dst, val, len))
}

builtin! {
    /// `table.copy`.
    fn wasmaot_rt_table_copy / table_copy_body(vmctx, dst_table: u32, src_table: u32, dst: u64, src: u64, len: u64) [] frame =>
        // SAFETY: called by compiled code with its vmctx.
        or_trap!(frame, table_copy(unsafe { instance(vmctx) }, dst_table, src_table, dst, src, len))
}

builtin! {
    /// `table.init`.
    fn wasmaot_rt_table_init / table_init_body(vmctx, table: u32, elem: u32, dst: u64, src: u32, len: u32) [] frame =>
        // SAFETY: called by compiled code with its vmctx.
        or_trap!(frame, table_init(unsafe { instance(vmctx) }, table, elem, dst, src, len))
}

builtin! {
    /// `elem.drop`.
    fn wasmaot_rt_elem_drop / elem_drop_body(vmctx, elem: u32) [a, b, c, e] _frame =>
        // SAFETY: called by compiled code with its vmctx.
        elem_drop(unsafe { instance(vmctx) }, elem)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instance::{Imports, Instance};

    fn with_instance(f: impl FnOnce(&mut InstanceData)) {
        let inst = Instance::new(crate::instance::tests::test_module(), Imports::new()).unwrap();
        // SAFETY: the only reference to this live instance's data.
        f(unsafe { InstanceData::from_vmctx(inst.vmctx()) });
    }

    fn bytes(d: &mut InstanceData, at: u32, n: usize) -> Vec<u8> {
        let p = d.memory(0).unwrap().range(at as u64, n as u64).unwrap();
        // SAFETY: in bounds.
        unsafe { core::slice::from_raw_parts(p, n).to_vec() }
    }

    #[test]
    fn memory_ops() {
        with_instance(|d| {
            // memory.init from the passive segment "abcdef".
            assert_eq!(memory_init(d, 0, 1, 200, 2, 4), Ok(()));
            assert_eq!(bytes(d, 200, 4), *b"cdef");
            assert_eq!(memory_init(d, 0, 1, 300, 2, 5), Err(MEM_OOB));
            assert_eq!(bytes(d, 300, 1), [0]);
            assert_eq!(memory_init(d, 0, 1, 65535, 0, 2), Err(MEM_OOB));
            assert_eq!(memory_init(d, 0, 1, 0, 6, 0), Ok(()));
            // The active segment was dropped at instantiation.
            assert_eq!(memory_init(d, 0, 0, 0, 0, 1), Err(MEM_OOB));
            assert_eq!(memory_init(d, 0, 0, 0, 0, 0), Ok(()));
            data_drop(d, 1);
            assert_eq!(memory_init(d, 0, 1, 0, 0, 1), Err(MEM_OOB));
            // grow: max is 2 pages.
            assert_eq!(memory_grow(d, 0, 1), 1);
            assert_eq!(memory_grow(d, 0, 1), -1);
            assert_eq!(memory_grow(d, 0, 0), 2);
            // The grown page is writable up to its last byte.
            assert_eq!(memory_write(d, 0, 65536 * 2 - 1, b"z"), Ok(()));
            assert_eq!(memory_write(d, 0, 65536 * 2 - 1, b"zz"), Err(MEM_OOB));
            assert_eq!(memory_grow(d, 3, 0), -1);
        });
    }

    #[test]
    fn table_ops() {
        with_instance(|d| {
            let elems = |d: &mut InstanceData| d.table(0).unwrap().elements().to_vec();
            assert_eq!(elems(d), [0, 0, 0, 0x1234]);
            assert_eq!(table_fill(d, 0, 1, 5, 2), Ok(()));
            assert_eq!(elems(d), [0, 5, 5, 0x1234]);
            assert_eq!(table_fill(d, 0, 3, 9, 2), Err(TABLE_OOB));
            assert_eq!(elems(d), [0, 5, 5, 0x1234]);
            assert_eq!(table_copy(d, 0, 0, 0, 1, 3), Ok(()));
            assert_eq!(elems(d), [5, 5, 0x1234, 0x1234]);
            assert_eq!(table_copy(d, 0, 0, 1, 0, 4), Err(TABLE_OOB));
            // Passive segment [null, null, 0x1234].
            assert_eq!(table_init(d, 0, 0, 0, 1, 2), Ok(()));
            assert_eq!(elems(d), [0, 0x1234, 0x1234, 0x1234]);
            assert_eq!(table_init(d, 0, 0, 3, 0, 2), Err(TABLE_OOB));
            assert_eq!(table_init(d, 0, 0, 0, 2, 2), Err(TABLE_OOB));
            assert_eq!(table_init(d, 0, 1, 0, 0, 1), Err(TABLE_OOB));
            elem_drop(d, 0);
            assert_eq!(table_init(d, 0, 0, 0, 0, 0), Ok(()));
            assert_eq!(table_init(d, 0, 0, 0, 0, 1), Err(TABLE_OOB));
            // grow: max 6.
            assert_eq!(table_grow(d, 0, 7, 2), 4);
            assert_eq!(table_grow(d, 0, 7, 1), -1);
            assert_eq!(elems(d)[4..], [7, 7]);
            assert_eq!(table_fill(d, 0, 6, 0, 0), Ok(()));
            assert_eq!(table_grow(d, 1, 0, 0), -1);
        });
    }

    #[test]
    fn operands_are_64_bit_never_truncated() {
        // memory64 widened every index and length to u64: values past 32 bits are out of
        // bounds (or too large a delta), never wrapped to a small in-bounds one.
        with_instance(|d| {
            assert_eq!(table_fill(d, 0, 1 << 32, 5, 1), Err(TABLE_OOB));
            assert_eq!(table_fill(d, 0, 0, 5, (1 << 32) + 1), Err(TABLE_OOB));
            assert_eq!(table_copy(d, 0, 0, u64::MAX, 0, 1), Err(TABLE_OOB));
            assert_eq!(table_copy(d, 0, 0, 0, 1 << 32, 0), Err(TABLE_OOB));
            assert_eq!(table_init(d, 0, 0, 1 << 32, 0, 0), Err(TABLE_OOB));
            assert_eq!(memory_init(d, 0, 1, 1 << 32, 0, 0), Err(MEM_OOB));
            assert_eq!(memory_write(d, 0, 1 << 32, b""), Err(MEM_OOB));
            assert_eq!(memory_grow(d, 0, 1 << 32), -1);
            assert_eq!(table_grow(d, 0, 0, u64::MAX), -1);
            assert_eq!(d.table(0).unwrap().elements(), [0, 0, 0, 0x1234]);
        });
    }

    #[test]
    fn exported_symbols_call_through_the_shim() {
        let inst = Instance::new(crate::instance::tests::test_module(), Imports::new()).unwrap();
        let vmctx = inst.vmctx();
        assert_eq!(wasmaot_rt_memory_grow(vmctx, 0, 0), 1);
        assert_eq!(wasmaot_rt_table_grow(vmctx, 0, 3, 1), 4);
        wasmaot_rt_table_fill(vmctx, 0, 0, 0xabc, 5);
        wasmaot_rt_memory_init(vmctx, 0, 1, 30, 0, 2);
        wasmaot_rt_data_drop(vmctx, 1);
        wasmaot_rt_table_copy(vmctx, 0, 0, 0, 1, 1);
        wasmaot_rt_table_init(vmctx, 0, 0, 0, 0, 3);
        wasmaot_rt_elem_drop(vmctx, 0);
        // SAFETY: no builtin is running; the only reference to the data.
        let d = unsafe { InstanceData::from_vmctx(vmctx) };
        assert_eq!(bytes(d, 30, 2), *b"ab");
        assert_eq!(d.table(0).unwrap().elements(), [0, 0, 0x1234, 0xabc, 0xabc]);
        assert!(d.data[1].is_empty() && d.elems[0].is_empty());
    }
}

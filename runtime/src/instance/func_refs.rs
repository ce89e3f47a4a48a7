//! Instantiation step: the function reference (`VMFuncRef`: code, canonical type id, vmctx) of
//! every function, imported ones included, in the vmctx's `func_refs` array — what `ref.func`,
//! tables and exports hand out.
//!
//! Must run after the imports are bound (an imported function's reference copies its bound
//! code and vmctx), and never leave a reference without code.

use wasmaot_abi::vmctx::func_import;

use super::data::InstanceData;
use super::error::{InstantiationError, malformed};
use crate::table::VMFuncRef;

/// Writes the reference of every function. `type_ids` are the module's canonical type ids, by
/// type index.
pub(super) fn write(d: &mut InstanceData, type_ids: &[u32]) -> Result<(), InstantiationError> {
    let c = d.offsets.counts;
    for i in 0..c.num_funcs {
        let ty = d.view.func_types()[i as usize];
        let (code, vmctx, tail_code) = code_and_vmctx(d, i);
        if code.is_null() {
            let what = if i < c.num_imported_funcs {
                "imported"
            } else {
                "defined"
            };
            return Err(malformed(format!("{what} function {i} has no code")));
        }
        let type_id = *type_ids
            .get(ty as usize)
            .ok_or_else(|| malformed(format!("function {i} type {ty}")))?;
        // SAFETY: i < num_funcs.
        unsafe {
            d.func_ref(i).write(VMFuncRef {
                code,
                type_id,
                _pad: 0,
                vmctx,
                tail_code,
            })
        };
    }
    Ok(())
}

/// Function `i`'s code, the vmctx it is called with and its tail entry: the bound import's
/// (with no tail entry: a `return_call` of an import is a call and a return), or this
/// module's entry, vmctx and tail entry.
fn code_and_vmctx(d: &InstanceData, i: u32) -> (*const u8, *mut u8, *const u8) {
    let o = d.offsets;
    if i < o.counts.num_imported_funcs {
        // SAFETY: an imported function's fields (i < num_imported_funcs), from this module's
        // `VmOffsets`, within the vmctx.
        unsafe {
            (
                d.read::<*const u8>(o.imported_func(i) + func_import::CODE),
                d.read::<*mut u8>(o.imported_func(i) + func_import::VMCTX),
                core::ptr::null(),
            )
        }
    } else {
        let f = &d.view.functions()[(i - o.counts.num_imported_funcs) as usize];
        (f.entry, d.vmctx, f.tail_entry)
    }
}

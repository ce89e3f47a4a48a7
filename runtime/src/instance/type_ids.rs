//! Instantiation step: the canonical type id of each of the module's signatures, interned
//! process-wide and written to the vmctx's type-id array (what compiled code compares a
//! function reference's `type_id` with), and returned for the import and function-reference
//! steps.
//!
//! Must never compare signatures itself: equality is `signatures::intern_sig`'s.

use super::data::InstanceData;

/// Interns every signature and writes its id; the ids by type index.
pub(super) fn write(d: &mut InstanceData) -> Vec<u32> {
    let o = d.offsets;
    let type_ids: Vec<u32> = d
        .view
        .types()
        .iter()
        .map(crate::signatures::intern_sig)
        .collect();
    for (i, &id) in type_ids.iter().enumerate() {
        // SAFETY: type_id(i) for i < num_types is within the vmctx (VmOffsets for this module).
        unsafe { d.write(o.type_id(i as u32), id) };
    }
    type_ids
}

//! Instantiation step: tags (exception handling). An imported tag is the exporter's identity,
//! checked to have the declared type; each defined tag gets a new identity owned by this
//! instance. Both are written to the vmctx's tag array, which `catch` clauses compare with.
//!
//! Must never give two defined tags (of this or any other instance) the same identity: tags
//! are generative, and a `catch` must only match its own.

use wasmaot_abi::descriptor::ImportDesc;

use super::data::InstanceData;
use super::error::{InstantiationError, malformed};
use super::imports::incompatible;
use super::values::VMTag;

/// The canonical type id of tag `tag`'s type.
fn tag_type_id(d: &InstanceData, tag: u32, type_ids: &[u32]) -> Result<u32, InstantiationError> {
    let tags = super::view::tags(d.view.descriptor());
    let ty = *tags
        .get(tag as usize)
        .ok_or_else(|| malformed(format!("tag {tag}")))?;
    type_ids
        .get(ty as usize)
        .copied()
        .ok_or_else(|| malformed(format!("type index {ty} of tag {tag}")))
}

/// Binds imported tag `imp.index` to `tag`, whose type must equal the declared one.
pub(super) fn bind_import(
    d: &InstanceData,
    imp: &'static ImportDesc,
    tag: *const VMTag,
    type_ids: &[u32],
) -> Result<(), InstantiationError> {
    if imp.index >= d.offsets.counts.num_imported_tags {
        return Err(malformed(format!("imported tag index {}", imp.index)));
    }
    let want = tag_type_id(d, imp.index, type_ids)?;
    // SAFETY: a live tag (Extern contract).
    if unsafe { (*tag).type_id } != want {
        return Err(incompatible(imp, "tag types differ".into()));
    }
    // SAFETY: tag(i) for i < num_tags is within the vmctx.
    unsafe { d.write(d.offsets.tag(imp.index), tag) };
    Ok(())
}

/// Creates the identities of the defined tags.
pub(super) fn create(d: &mut InstanceData, type_ids: &[u32]) -> Result<(), InstantiationError> {
    let c = d.offsets.counts;
    if super::view::tags(d.view.descriptor()).len() != c.num_tags as usize
        || c.num_imported_tags > c.num_tags
    {
        return Err(malformed("tag counts".into()));
    }
    let defined = (c.num_imported_tags..c.num_tags)
        .map(|i| {
            Ok(VMTag {
                type_id: tag_type_id(d, i, type_ids)?,
                _pad: 0,
            })
        })
        .collect::<Result<Vec<_>, InstantiationError>>()?;
    d.defined_tags = defined.into_boxed_slice();
    for (k, tag) in d.defined_tags.iter().enumerate() {
        let i = c.num_imported_tags + k as u32;
        // SAFETY: tag(i) for i < num_tags is within the vmctx; the boxed slice never moves.
        unsafe { d.write(d.offsets.tag(i), tag as *const VMTag) };
    }
    Ok(())
}

/// The identity of tag `i` (imported or defined), for exports.
pub(super) fn identity(d: &InstanceData, i: u32) -> *const VMTag {
    // SAFETY: tag(i) for i < num_tags (callers check) is within the vmctx.
    unsafe { d.read(d.offsets.tag(i)) }
}

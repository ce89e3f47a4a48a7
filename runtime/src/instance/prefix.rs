//! Instantiation step: the vmctx's fixed prefix (stack limit, instance data, module
//! descriptor), written before anything else so that compiled code and builtins can find
//! their instance from the first call on. The memory-0 fields of the prefix are written later,
//! once memories exist (`storage`).
//!
//! Must never write outside the fixed prefix: every other field belongs to a later step.

use wasmaot_abi::descriptor::ModuleDescriptor;
use wasmaot_abi::vmctx::VmOffsets;

use super::data::InstanceData;

/// Writes the fixed prefix. `this` is `d` itself, as the raw pointer the instance owns (the
/// one builtins will turn back into a reference).
pub(super) fn write(d: &mut InstanceData, this: *mut InstanceData) {
    let module: *const ModuleDescriptor = d.view.descriptor();
    // SAFETY: fixed-prefix offsets are within every vmctx, aligned for their fields.
    unsafe {
        d.write(VmOffsets::STACK_LIMIT, crate::stack::current_limit());
        d.write(VmOffsets::INSTANCE, this);
        d.write(VmOffsets::MODULE, module);
    }
}

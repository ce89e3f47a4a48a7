//! Instantiation step: the initial values of the module's defined globals, evaluated from their
//! constant expressions into their 16-byte vmctx slots.
//!
//! Must run after the imports are bound and the function references written (an initialiser
//! may read an imported global or take a `ref.func`), and never touch an imported global's
//! slot (it is the exporter's).

use super::data::InstanceData;
use super::error::InstantiationError;

/// Initialises the defined globals, in order (an initialiser may read an earlier global).
pub(super) fn initialize(d: &mut InstanceData) -> Result<(), InstantiationError> {
    let o = d.offsets;
    for i in o.counts.num_imported_globals..o.counts.num_globals {
        let v = d.eval(&d.view.globals()[i as usize].init)?;
        // SAFETY: a 16-byte slot in the vmctx.
        unsafe {
            d.vmctx
                .add(o.defined_global(i) as usize)
                .cast::<u128>()
                .write_unaligned(v)
        };
    }
    Ok(())
}

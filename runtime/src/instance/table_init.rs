//! Instantiation step: the initial elements of defined tables whose type has an initialiser
//! expression (function-references proposal: `(table 10 (ref $t) (ref.func $f))`); other
//! tables stay as `storage` created them, all null.
//!
//! Must run after the globals (an initialiser may read a global), and never touch an imported
//! table (the exporter's).

use wasmaot_abi::descriptor::const_kind;

use super::data::InstanceData;
use super::error::InstantiationError;

/// Fills every defined table that has a non-null initialiser with its value.
pub(super) fn initialize(d: &mut InstanceData) -> Result<(), InstantiationError> {
    let c = d.offsets.counts;
    for i in c.num_imported_tables..c.num_tables {
        let init = &d.view.tables()[i as usize].init;
        if init.kind == const_kind::REF_NULL {
            continue;
        }
        let v = d.eval(init)? as u64;
        // SAFETY: a defined table this instance owns, created by `storage`.
        let table = unsafe { &mut *d.tables[i as usize] };
        table.elements_mut().fill(v);
    }
    Ok(())
}

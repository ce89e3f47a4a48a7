//! Instantiation step, the last one: the start function, if the module has one, called like
//! any export (its traps become `InstantiationError::Trap`).
//!
//! Must never run before every other step (the start function sees the instance complete), and
//! never hold a reference to the instance's data while it runs (its code and builtins reach the
//! data through the vmctx).

use wasmaot_abi::descriptor::NO_INDEX;

use super::Instance;
use super::data::InstanceData;
use super::error::{InstantiationError, malformed};
use super::values::{Func, ValRaw};

/// Calls the start function, if any.
pub(super) fn run(instance: &Instance) -> Result<(), InstantiationError> {
    let Some(func) = start_func(instance.data())? else {
        return Ok(());
    };
    let mut slots = [ValRaw::default(); 1];
    instance.call(&func, &mut slots)?;
    Ok(())
}

/// The start function, checked to be one of the module's functions.
fn start_func(d: &InstanceData) -> Result<Option<Func>, InstantiationError> {
    let start = d.view.descriptor().start;
    if start == NO_INDEX {
        return Ok(None);
    }
    if start >= d.offsets.counts.num_funcs {
        return Err(malformed(format!("start function {start}")));
    }
    Ok(Some(Func {
        func_ref: d.func_ref(start),
        sig: d.view.signature(start)?,
    }))
}

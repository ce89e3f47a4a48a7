//! The process-wide signature interner: maps a function type (param and result `ValType`
//! bytes, and the `typed_ref` encoding of its typed references) to a canonical u32 id, so `call_indirect` type checks and import checks compare ids
//! across instances and modules.
//!
//! Must never hand out id 0 (zeroed memory must not look like a valid type) and never forget
//! an id (ids are stored in vmctxs and func refs for the process lifetime).

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use wasmaot_abi::descriptor::SigDesc;

/// Params, results, and the `typed_ref` encoding (empty for 2.0 signatures).
type Key = (Box<[u8]>, Box<[u8]>, Box<[u8]>);

fn table() -> &'static Mutex<HashMap<Key, u32>> {
    static TABLE: OnceLock<Mutex<HashMap<Key, u32>>> = OnceLock::new();
    TABLE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The canonical id of the type `params -> results` (WebAssembly 2.0 types only).
pub fn intern(params: &[u8], results: &[u8]) -> u32 {
    intern_typed(params, results, &[])
}

/// The canonical id of the type `params -> results` whose typed references encode as `refs`
/// (`wasmaot_abi::types::typed_ref`; empty for 2.0 types).
pub fn intern_typed(params: &[u8], results: &[u8], refs: &[u8]) -> u32 {
    let mut t = table().lock().unwrap_or_else(|e| e.into_inner());
    let next = t.len() as u32 + 1;
    *t.entry((params.into(), results.into(), refs.into()))
        .or_insert(next)
}

/// The canonical id of a descriptor signature.
pub fn intern_sig(sig: &SigDesc) -> u32 {
    // SAFETY: descriptor slices live for the process lifetime.
    let (p, r, refs) = unsafe {
        (
            crate::registry::slice(sig.params.ptr, sig.params.len),
            crate::registry::slice(sig.results.ptr, sig.results.len),
            crate::registry::slice(sig.refs.ptr, sig.refs.len),
        )
    };
    intern_typed(p, r, refs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_canonical_and_non_zero() {
        let a = intern(&[0, 1], &[0]);
        let b = intern(&[0, 1], &[]);
        let c = intern(&[0], &[1]);
        assert_ne!(a, 0);
        assert_ne!(a, b);
        assert_ne!(b, c);
        assert_ne!(a, c);
        assert_eq!(intern(&[0, 1], &[0]), a);
        assert_eq!(intern(&[], &[]), intern(&[], &[]));
        // A typed reference is part of the identity.
        assert_ne!(intern_typed(&[5], &[], &[9]), intern(&[5], &[]));
        assert_eq!(intern_typed(&[5], &[], &[9]), intern_typed(&[5], &[], &[9]));
    }
}

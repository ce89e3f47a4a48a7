//! The process-wide signature interner: maps a function type (param and result `ValType`
//! bytes) to a canonical u32 id, so `call_indirect` type checks and import checks compare ids
//! across instances and modules.
//!
//! Must never hand out id 0 (zeroed memory must not look like a valid type) and never forget
//! an id (ids are stored in vmctxs and func refs for the process lifetime).

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use wasmaot_abi::descriptor::SigDesc;

type Key = (Box<[u8]>, Box<[u8]>);

fn table() -> &'static Mutex<HashMap<Key, u32>> {
    static TABLE: OnceLock<Mutex<HashMap<Key, u32>>> = OnceLock::new();
    TABLE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The canonical id of the type `params -> results`.
pub fn intern(params: &[u8], results: &[u8]) -> u32 {
    let mut t = table().lock().unwrap_or_else(|e| e.into_inner());
    let next = t.len() as u32 + 1;
    *t.entry((params.into(), results.into())).or_insert(next)
}

/// The canonical id of a descriptor signature.
pub fn intern_sig(sig: &SigDesc) -> u32 {
    // SAFETY: descriptor slices live for the process lifetime.
    let (p, r) = unsafe {
        (
            crate::registry::slice(sig.params.ptr, sig.params.len),
            crate::registry::slice(sig.results.ptr, sig.results.len),
        )
    };
    intern(p, r)
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
    }
}

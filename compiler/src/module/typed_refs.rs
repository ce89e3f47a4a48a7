//! The `wasmaot_abi::types::typed_ref` encodings of a module's types: of each function type
//! (empty when it has only WebAssembly 2.0 types), and of the typed reference type of a global
//! or table. The runtime interns signatures and matches imports by these bytes, so a `(ref $t)`
//! never passes for a `funcref` or another `(ref $u)` (`call_indirect`, imports).
//!
//! Must never encode a 2.0 type as anything but empty (byte equality is type equality), and
//! never let an encoding grow without bound (deeply nested types are rejected).

use wasmaot_abi::types::typed_ref::{HEAP_ABSTRACT, HEAP_CONCRETE, NULLABLE};
use wasmparser::{FuncType, HeapType, RefType, ValType};

use super::parse::val_type;
use crate::error::{CompileError, Result};

/// Longest encoding accepted (types nested this deep are rejected as unsupported).
const MAX_ENCODING: usize = 1 << 16;

/// The full encodings of the function types seen so far, by type index.
#[derive(Default)]
pub(crate) struct TypeEncodings {
    full: Vec<Vec<u8>>,
}

impl TypeEncodings {
    /// Adds the next function type; returns its descriptor encoding (empty for 2.0 types).
    pub(crate) fn push(&mut self, ty: &FuncType, offset: u64) -> Result<Vec<u8>> {
        let mut enc = Vec::new();
        let mut typed = false;
        for list in [ty.params(), ty.results()] {
            enc.extend((list.len() as u32).to_le_bytes());
            for t in list {
                typed |= self.value(&mut enc, *t, offset)?;
            }
        }
        if enc.len() > MAX_ENCODING {
            return Err(too_deep(offset));
        }
        self.full.push(enc.clone());
        Ok(if typed { enc } else { Vec::new() })
    }

    /// The descriptor encoding of a global's or table's type: empty unless a typed reference.
    pub(crate) fn of_type(&self, t: ValType, offset: u64) -> Result<Vec<u8>> {
        let mut enc = Vec::new();
        if let ValType::Ref(r) = t
            && is_typed(r)
        {
            self.reference(&mut enc, r, offset)?;
        }
        Ok(enc)
    }

    /// Appends a value's encoding; whether it is a typed reference.
    fn value(&self, enc: &mut Vec<u8>, t: ValType, offset: u64) -> Result<bool> {
        enc.push(val_type(t) as u8);
        match t {
            ValType::Ref(r) => {
                self.reference(enc, r, offset)?;
                Ok(is_typed(r))
            }
            _ => Ok(false),
        }
    }

    fn reference(&self, enc: &mut Vec<u8>, r: RefType, offset: u64) -> Result<()> {
        enc.push(if r.is_nullable() { NULLABLE } else { 0 });
        match r.heap_type() {
            HeapType::Concrete(idx) => {
                let i = idx.as_module_index().ok_or_else(|| too_deep(offset))? as usize;
                let inner = self.full.get(i).ok_or_else(|| too_deep(offset))?;
                enc.push(HEAP_CONCRETE);
                enc.extend_from_slice(inner);
            }
            _ => enc.push(HEAP_ABSTRACT),
        }
        if enc.len() > MAX_ENCODING {
            return Err(too_deep(offset));
        }
        Ok(())
    }
}

/// Whether a reference type is more than 2.0's nullable `funcref`/`externref`.
fn is_typed(r: RefType) -> bool {
    !r.is_nullable() || matches!(r.heap_type(), HeapType::Concrete(_))
}

fn too_deep(offset: u64) -> CompileError {
    CompileError::Unsupported {
        offset,
        what: "a reference type nested this deeply (or referring to a later type)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encodings(text: &str) -> Vec<Vec<u8>> {
        let wasm = wat::parse_str(text).unwrap();
        let mut e = TypeEncodings::default();
        let mut out = Vec::new();
        for payload in wasmparser::Parser::new(0).parse_all(&wasm) {
            if let wasmparser::Payload::TypeSection(r) = payload.unwrap() {
                for ty in r.into_iter_err_on_gc_types() {
                    out.push(e.push(&ty.unwrap(), 0).unwrap());
                }
            }
        }
        out
    }

    #[test]
    fn only_typed_signatures_are_encoded_and_they_differ() {
        let e = encodings(
            r#"(module
                (type $a (func (param i32)))
                (type $b (func (param f64)))
                (type (func (param funcref)))
                (type (func (param (ref null $a))))
                (type (func (param (ref null $b))))
                (type (func (param (ref $a))))
                (type (func (param (ref func)))))"#,
        );
        assert!(e[0].is_empty() && e[1].is_empty() && e[2].is_empty());
        let typed = &e[3..];
        for (i, x) in typed.iter().enumerate() {
            assert!(!x.is_empty());
            for y in &typed[i + 1..] {
                assert_ne!(x, y);
            }
        }
    }
}

//! Value types as they cross the compiler/runtime boundary, encoded as one byte.
//!
//! Must never grow a variant without bumping `ABI_VERSION`.

/// A wasm value type, as stored in descriptors (`SigDesc`, `GlobalDesc`, `TableDesc`).
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValType {
    I32 = 0,
    I64 = 1,
    F32 = 2,
    F64 = 3,
    V128 = 4,
    FuncRef = 5,
    ExternRef = 6,
    /// An exception reference (exception handling): a `*mut` exception object
    /// ([`crate::exception`]), 0 = null.
    ExnRef = 7,
}

impl ValType {
    /// Decodes the byte written by the compiler.
    pub fn from_u8(b: u8) -> Option<ValType> {
        Some(match b {
            0 => ValType::I32,
            1 => ValType::I64,
            2 => ValType::F32,
            3 => ValType::F64,
            4 => ValType::V128,
            5 => ValType::FuncRef,
            6 => ValType::ExternRef,
            7 => ValType::ExnRef,
            _ => return None,
        })
    }

    /// Size in bytes of the value in a global slot or a `ValRaw`.
    pub fn byte_size(self) -> u32 {
        match self {
            ValType::I32 | ValType::F32 => 4,
            ValType::I64
            | ValType::F64
            | ValType::FuncRef
            | ValType::ExternRef
            | ValType::ExnRef => 8,
            ValType::V128 => 16,
        }
    }

    /// The type's name in the text format (`i32`, `funcref`...).
    pub fn name(self) -> &'static str {
        match self {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
            ValType::V128 => "v128",
            ValType::FuncRef => "funcref",
            ValType::ExternRef => "externref",
            ValType::ExnRef => "exnref",
        }
    }

    /// Whether this is a reference type (table elements, null-able).
    pub fn is_ref(self) -> bool {
        matches!(
            self,
            ValType::FuncRef | ValType::ExternRef | ValType::ExnRef
        )
    }
}

/// Size of one `ValRaw` slot in the array-call convention: every value, whatever its type, is
/// stored little-endian at the start of a 16-byte slot.
pub const VAL_RAW_SIZE: u32 = 16;

/// Typed references (function-references proposal): what a reference type says beyond its
/// [`ValType`] byte, as canonical bytes the runtime compares without knowing any module's type
/// indices.
///
/// A reference type encodes as `[flags, heap]`, then for a concrete heap type the encoding of
/// its function type. A function type encodes as its param count (u32 LE), each param, its
/// result count (u32 LE), each result; a value as its `ValType` byte, followed for references
/// by the reference encoding. Types cannot be recursive without GC (a type only refers to
/// earlier ones), so the bytes are finite, and two types are equal exactly when their
/// encodings are.
///
/// In descriptors (`SigDesc::refs`, `GlobalDesc::refs`, `TableDesc::refs`) an empty encoding
/// means "the WebAssembly 2.0 type": a signature with only 2.0 types, or the nullable
/// abstract `funcref`/`externref`. Never encode those forms otherwise: equality must stay
/// byte equality.
pub mod typed_ref {
    /// `flags` bit: the reference may be null.
    pub const NULLABLE: u8 = 1;
    /// `heap`: the abstract heap type of the `ValType` (`func` or `extern`).
    pub const HEAP_ABSTRACT: u8 = 0;
    /// `heap`: a concrete function type, whose encoding follows.
    pub const HEAP_CONCRETE: u8 = 1;

    /// `(nullable, concrete function type encoding or empty)` of a reference encoding.
    fn parts(enc: &[u8]) -> (bool, &[u8]) {
        match enc {
            [] => (true, &[]),
            [flags, heap, rest @ ..] => (
                flags & NULLABLE != 0,
                if *heap == HEAP_CONCRETE { rest } else { &[] },
            ),
            _ => (false, enc),
        }
    }

    /// Whether a reference of type `(a_ty, a)` may be used where `(b_ty, b)` is expected
    /// (an immutable global import): same `ValType`, not null-able where `b` is not, and the
    /// same concrete type or an abstract `b`. Types that are not references match only when
    /// their bytes are equal.
    pub fn is_subtype(a_ty: u8, a: &[u8], b_ty: u8, b: &[u8]) -> bool {
        if a_ty != b_ty {
            return false;
        }
        let ((a_null, a_heap), (b_null, b_heap)) = (parts(a), parts(b));
        (b_null || !a_null) && (b_heap.is_empty() || a_heap == b_heap)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn subtyping_of_function_references() {
            let f = crate::types::ValType::FuncRef as u8;
            let sig = [0u8, 0, 0, 0, 0, 0, 0, 0];
            let mut t_nonnull = vec![0, HEAP_CONCRETE];
            t_nonnull.extend(sig);
            let mut t_null = vec![NULLABLE, HEAP_CONCRETE];
            t_null.extend(sig);
            let func_nonnull = [0, HEAP_ABSTRACT];
            // (ref $t) <: (ref null $t) <: funcref; (ref $t) <: (ref func) <: funcref.
            assert!(is_subtype(f, &t_nonnull, f, &t_null));
            assert!(is_subtype(f, &t_null, f, &[]));
            assert!(is_subtype(f, &t_nonnull, f, &func_nonnull));
            assert!(is_subtype(f, &func_nonnull, f, &[]));
            assert!(!is_subtype(f, &[], f, &func_nonnull));
            assert!(!is_subtype(f, &t_null, f, &t_nonnull));
            assert!(!is_subtype(f, &func_nonnull, f, &t_nonnull));
            assert!(!is_subtype(f, &[], f, &t_null));
            assert!(!is_subtype(
                f,
                &[],
                crate::types::ValType::ExternRef as u8,
                &[]
            ));
        }
    }
}

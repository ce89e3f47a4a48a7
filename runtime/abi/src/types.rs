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
            _ => return None,
        })
    }

    /// Size in bytes of the value in a global slot or a `ValRaw`.
    pub fn byte_size(self) -> u32 {
        match self {
            ValType::I32 | ValType::F32 => 4,
            ValType::I64 | ValType::F64 | ValType::FuncRef | ValType::ExternRef => 8,
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
        }
    }

    /// Whether this is a reference type (table elements, null-able).
    pub fn is_ref(self) -> bool {
        matches!(self, ValType::FuncRef | ValType::ExternRef)
    }
}

/// Size of one `ValRaw` slot in the array-call convention: every value, whatever its type, is
/// stored little-endian at the start of a 16-byte slot.
pub const VAL_RAW_SIZE: u32 = 16;

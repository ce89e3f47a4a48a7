//! Which WebAssembly feature set a module is validated against: exactly 2.0 (the default, for
//! every executable and library), or the part of 3.0 that wasmaot implements.
//!
//! Must never enable a proposal the translator or runtime does not implement: a module using
//! one must be rejected by the validator (reported as "unsupported"), never reach codegen.

use wasmparser::WasmFeatures;

/// The feature set a module is validated with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FeatureSet {
    /// Exactly WebAssembly 2.0 (MVP, mutable globals, sign extension, non-trapping
    /// float-to-int, multi-value, bulk memory, reference types, SIMD). 3.0 relaxed some 2.0
    /// rules (a second memory, `global.get` of a defined global in a constant expression), so
    /// this stays the default: a 2.0 module is checked exactly as the 2.0 spec says.
    #[default]
    Wasm2,
    /// WebAssembly 2.0 plus the 3.0 proposals wasmaot implements ([`SUPPORTED_3_0`]). Every
    /// other 3.0 proposal (GC, threads, legacy exceptions, ...) stays
    /// disabled, so the validator rejects modules that use it.
    Wasm3,
}

/// The WebAssembly 3.0 proposals wasmaot implements, beyond 2.0.
pub const SUPPORTED_3_0: WasmFeatures = WasmFeatures::EXTENDED_CONST
    .union(WasmFeatures::MULTI_MEMORY)
    .union(WasmFeatures::FUNCTION_REFERENCES)
    .union(WasmFeatures::EXCEPTIONS)
    .union(WasmFeatures::TAIL_CALL)
    .union(WasmFeatures::RELAXED_SIMD)
    .union(WasmFeatures::MEMORY64);

impl FeatureSet {
    /// The wasmparser feature flags of this set.
    pub fn wasm_features(self) -> WasmFeatures {
        match self {
            FeatureSet::Wasm2 => WasmFeatures::WASM2,
            FeatureSet::Wasm3 => WasmFeatures::WASM2.union(SUPPORTED_3_0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wasm2_is_exactly_2_0() {
        assert_eq!(FeatureSet::default().wasm_features(), WasmFeatures::WASM2);
    }

    #[test]
    fn wasm3_adds_only_supported_proposals() {
        let f = FeatureSet::Wasm3.wasm_features();
        assert!(f.contains(WasmFeatures::WASM2));
        assert!(f.extended_const() && f.multi_memory() && f.function_references());
        assert!(f.exceptions() && f.tail_call() && f.relaxed_simd() && f.memory64());
        for off in [
            WasmFeatures::LEGACY_EXCEPTIONS,
            WasmFeatures::GC,
            WasmFeatures::THREADS,
        ] {
            assert!(!f.contains(off), "{off:?} must stay disabled");
        }
    }
}

//! WASI preview1 host functions (placeholder module; being written).

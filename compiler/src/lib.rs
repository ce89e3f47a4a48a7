//! wasmaot: compiles a WebAssembly module to a native object file and links it with the runtime.

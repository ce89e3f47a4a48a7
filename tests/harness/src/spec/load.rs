//! Compiling a spec module the way an embedder would: `wasmaot::compile_object` in library mode
//! (position-independent, no `main`, any imports), `link::link_shared` into a `.so`, `dlopen`,
//! `dlsym("wasmaot_module")`. The shared objects stay loaded for the process lifetime (the
//! runtime's code registry never forgets a module).
//!
//! The `.so` files leave the runtime's symbols (`wasmaot_rt_*`) undefined; they bind to the ones
//! this binary exports (`-rdynamic`, see `build.rs`). [`keep_runtime_symbols`] makes sure the
//! linker keeps them.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::OnceLock;

use wasmaot::module::FeatureSet;
use wasmaot::{Emit, Options};
use wasmaot_abi::descriptor::ModuleDescriptor;

/// The linker `link_shared` runs (`spec --linker PATH` or `$WASMAOT_SPEC_LINKER`); unset, the
/// default for the target (`cc` for the host). Under qemu-aarch64 the runner is an aarch64
/// process whose `cc` would be the machine's x86_64 one: `aarch64-linux-gnu-gcc` there.
pub static LINKER: OnceLock<String> = OnceLock::new();

/// Compile options for every spec module.
pub fn options() -> Options {
    Options {
        emit: Emit::Obj,
        library: true,
        ..Options::default()
    }
}

/// Only validates (and compiles) `wasm` with the suite's feature set: the error text when
/// wasmaot rejects it.
pub fn compile(wasm: &[u8], features: FeatureSet) -> Result<Vec<u8>, String> {
    wasmaot::compile_object_with(wasm, &options(), features).map_err(|e| e.to_string())
}

/// Links `object` into `so_path` and loads it.
pub fn link_and_load(object: &[u8], so_path: &Path) -> Result<&'static ModuleDescriptor, String> {
    let opts = options();
    wasmaot::link::link_shared(
        object,
        &opts.target,
        LINKER.get().map(String::as_str),
        so_path,
    )
    .map_err(|e| e.to_string())?;
    let path = CString::new(so_path.as_os_str().as_bytes()).map_err(|e| e.to_string())?;
    // SAFETY: loading a shared object we just linked; it has no initialisers of its own.
    unsafe {
        let handle = libc::dlopen(path.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL);
        if handle.is_null() {
            return Err(format!("dlopen {}: {}", so_path.display(), dlerror()));
        }
        let sym = CString::new(wasmaot_abi::symbols::MODULE).unwrap();
        let desc = libc::dlsym(handle, sym.as_ptr());
        if desc.is_null() {
            return Err(format!(
                "dlsym {}: {}",
                wasmaot_abi::symbols::MODULE,
                dlerror()
            ));
        }
        // Never dlclose: the descriptor and code must live for the process lifetime.
        Ok(&*desc.cast::<ModuleDescriptor>())
    }
}

fn dlerror() -> String {
    // SAFETY: dlerror returns a C string or null.
    unsafe {
        let e = libc::dlerror();
        if e.is_null() {
            "unknown error".into()
        } else {
            std::ffi::CStr::from_ptr(e).to_string_lossy().into_owned()
        }
    }
}

/// References every runtime builtin so the linker keeps them in this binary (and `-rdynamic`
/// exports them to the loaded modules).
pub fn keep_runtime_symbols() -> usize {
    use wasmaot_runtime::builtins::*;
    use wasmaot_runtime::exceptions::*;
    let syms: [*const u8; 10] = [
        wasmaot_rt_memory_grow as *const u8,
        wasmaot_rt_memory_init as *const u8,
        wasmaot_rt_data_drop as *const u8,
        wasmaot_rt_table_grow as *const u8,
        wasmaot_rt_table_fill as *const u8,
        wasmaot_rt_table_copy as *const u8,
        wasmaot_rt_table_init as *const u8,
        wasmaot_rt_elem_drop as *const u8,
        wasmaot_rt_exn_alloc as *const u8,
        wasmaot_rt_exn_release as *const u8,
    ];
    assert_eq!(syms.len(), wasmaot_abi::builtins::ALL.len());
    let mem_ops = [
        wasmaot_runtime::mem_ops::wasmaot_rt_memmove as *const u8,
        wasmaot_runtime::mem_ops::wasmaot_rt_memset as *const u8,
    ];
    std::hint::black_box(syms)
        .iter()
        .chain(std::hint::black_box(mem_ops).iter())
        .filter(|p| !p.is_null())
        .count()
}

//! C headers: the generic API (`wasmaot.h`, the runtime's declarations, kept in
//! `runtime/abi/include/wasmaot.h`) and one module's header (`PREFIX.h`: its descriptor, its
//! typed functions, and the host functions it imports).
//!
//! Must never declare a function the archive does not define (or, for host imports, that the
//! host must define).

use wasmaot_abi::types::ValType;

use super::ModuleInterface;
use crate::module::Signature;

/// `wasmaot.h`, as `wasmaot header` writes it.
pub const GENERIC: &str = wasmaot_abi::C_HEADER;

/// The C type of a scalar wasm type.
pub fn c_type(t: ValType) -> &'static str {
    match t {
        ValType::I32 => "int32_t",
        ValType::I64 => "int64_t",
        ValType::F32 => "float",
        ValType::F64 => "double",
        _ => "void *",
    }
}

/// `(i32, i64) -> (f32)`.
pub fn sig_text(sig: &Signature) -> String {
    let list = |ts: &[ValType]| ts.iter().map(|t| t.name()).collect::<Vec<_>>().join(", ");
    format!("({}) -> ({})", list(&sig.params), list(&sig.results))
}

/// Escapes a wasm name for a C comment.
fn comment_safe(s: &str) -> String {
    s.replace("*/", "*\\/").replace(['\n', '\r'], " ")
}

/// The header of one module compiled into a static library with prefix `prefix`.
pub fn module_header(prefix: &str, m: &ModuleInterface) -> String {
    let guard = format!("WASMAOT_MODULE_{}_H", prefix.to_ascii_uppercase());
    let mut h = String::new();
    h.push_str(&format!(
        "/*\n * {prefix}.h: the C API of a WebAssembly module compiled by wasmaot into lib{prefix}.a\n * (module plus runtime). Generic declarations: wasmaot.h. Guide: docs/EMBEDDING.md.\n */\n"
    ));
    h.push_str(&format!(
        "#ifndef {guard}\n#define {guard}\n\n#include \"wasmaot.h\"\n\n"
    ));
    h.push_str("#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n");
    h.push_str(&format!(
        "/* The compiled module (for the generic wasmaot_instance_new). */\nextern const wasmaot_module {prefix}_module;\n\n"
    ));
    h.push_str(&format!(
        "/* Instantiates the module (see wasmaot_instance_new). */\nwasmaot_instance *{prefix}_new(const wasmaot_config *cfg, wasmaot_error **err);\n"
    ));
    h.push_str(&format!(
        "/* Runs `_start` (see wasmaot_instance_run). */\nint {prefix}_run(wasmaot_instance *inst, int *exit_status, wasmaot_error **err);\n"
    ));
    h.push_str(&format!(
        "/* Runs a reactor's `_initialize`, if exported (see wasmaot_instance_initialize). */\nint {prefix}_initialize(wasmaot_instance *inst, wasmaot_error **err);\n\n"
    ));
    let callable: Vec<_> = m.callable_exports().collect();
    if !callable.is_empty() {
        h.push_str("/* Exported functions: parameters, then one pointer per result (NULL skips it).\n * 0 on success; -1 with *err set on a trap, proc_exit or misuse. */\n");
    }
    for e in &callable {
        let mut params = vec!["wasmaot_instance *inst".to_string()];
        params.extend(
            e.sig
                .params
                .iter()
                .enumerate()
                .map(|(i, &t)| format!("{} p{i}", c_type(t))),
        );
        params.extend(
            e.sig
                .results
                .iter()
                .enumerate()
                .map(|(i, &t)| format!("{} *r{i}", c_type(t))),
        );
        params.push("wasmaot_error **err".to_string());
        h.push_str(&format!(
            "/* export \"{}\": {} */\nint {}({});\n",
            comment_safe(&e.name),
            sig_text(&e.sig),
            e.c_function(prefix),
            params.join(", ")
        ));
    }
    let other: Vec<_> = m
        .exports
        .iter()
        .filter(|e| !callable.iter().any(|c| c.name == e.name))
        .filter(|e| !matches!(e.name.as_str(), "_start" | "_initialize"))
        .collect();
    if !other.is_empty() {
        h.push_str("\n/* Exported functions with types C cannot pass (call them with wasmaot_instance_call):\n");
        for e in other {
            h.push_str(&format!(
                " *   \"{}\": {}\n",
                comment_safe(&e.name),
                sig_text(&e.sig)
            ));
        }
        h.push_str(" */\n");
    }
    if !m.memories.is_empty() {
        h.push_str("\n/* Exported memories (wasmaot_instance_memory(inst, NAME, &len)):");
        for name in &m.memories {
            h.push_str(&format!(" \"{}\"", comment_safe(name)));
        }
        h.push_str(" */\n");
    }
    if !m.imports.is_empty() {
        h.push_str("\n/* Host functions the module imports: the host program defines them (or they are\n * linked in with `wasmaot --link`). */\n");
        for imp in &m.imports {
            let ret = imp.sig.results.first().map_or("void", |&t| c_type(t));
            let mut params = vec!["wasmaot_caller *caller".to_string()];
            params.extend(
                imp.sig
                    .params
                    .iter()
                    .enumerate()
                    .map(|(i, &t)| format!("{} p{i}", c_type(t))),
            );
            h.push_str(&format!(
                "/* import \"{}\" \"{}\": {} */\n{ret} {}({});\n",
                comment_safe(&imp.module),
                comment_safe(&imp.name),
                sig_text(&imp.sig),
                imp.symbol,
                params.join(", ")
            ));
        }
    }
    h.push_str("\n#ifdef __cplusplus\n}\n#endif\n\n");
    h.push_str(&format!("#endif /* {guard} */\n"));
    h
}

//! Reads and validates a binary module into a [`ModuleInfo`]: the Payload loop, validation with
//! the chosen [`FeatureSet`] (exactly WebAssembly 2.0 unless asked), import resolution against the WASI table, names.
//!
//! Must never accept a module the validator rejected, and never let an import through that
//! neither WASI nor (in library mode) the embedder can satisfy.

use rayon::prelude::*;
use wasmaot_abi::descriptor::{ConstExprDesc, const_kind, extern_kind, segment_mode};
use wasmaot_abi::types::ValType;
use wasmparser::{
    AbstractHeapType, ElementItems, ElementKind, ExternalKind, FuncToValidate, FunctionBody,
    HeapType, KnownCustom, Name, Parser, Payload, TypeRef, ValidPayload, Validator,
    ValidatorResources,
};

use super::const_expr::{const_expr, const_i32};
use super::typed_refs::TypeEncodings;
use super::*;
use crate::error::{CompileError, Result};

/// How to validate, and how to treat imports.
#[derive(Clone, Copy, Debug, Default)]
pub struct ParseOptions {
    /// The feature set to validate with (default: exactly WebAssembly 2.0).
    pub features: FeatureSet,
    /// Imports other than WASI functions are supplied by an embedder at instantiation (the
    /// spec runner's shared objects): any kind, any signature. Otherwise (executables, static
    /// libraries) each non-WASI function import is a linked C function (`linked_symbol`), and
    /// imports of other kinds, or of signatures C cannot express, are compile errors.
    pub dynamic_imports: bool,
    /// Keep the module's DWARF custom sections (`.debug_*`) in [`ModuleInfo::dwarf`], for
    /// native debug information; off with `--strip` and where nothing is debugged.
    pub keep_dwarf: bool,
    /// The module runs as the one instance of an executable: its most used stack-pointer-like
    /// global may live in the pinned register ([`ModuleInfo::pinned_global`]). Off for
    /// anything an embedder instantiates.
    pub pin_global: bool,
}

/// Parses and validates `wasm`.
pub fn parse<'a>(wasm: &'a [u8], opts: ParseOptions) -> Result<ModuleInfo<'a>> {
    parse_with(wasm, opts).map_err(|e| beyond_feature_set(e, wasm))
}

/// An `Invalid` error for a module that every WebAssembly proposal together would accept is
/// not an invalid module but one using a proposal outside the chosen feature set (a second
/// memory, a non-nullable reference, a tag...): it becomes `Unsupported`, with the validator's
/// words. Only the wording changes: the module is rejected either way.
fn beyond_feature_set(e: CompileError, wasm: &[u8]) -> CompileError {
    let CompileError::Invalid { offset, message } = e else {
        return e;
    };
    let mut validator = Validator::new_with_features(wasmparser::WasmFeatures::all());
    if validator.validate_all(wasm).is_err() {
        return CompileError::Invalid { offset, message };
    }
    CompileError::Unsupported {
        offset,
        what: format!(
            "the module uses a WebAssembly proposal wasmaot does not support yet ({message})"
        ),
    }
}

fn parse_with<'a>(wasm: &'a [u8], opts: ParseOptions) -> Result<ModuleInfo<'a>> {
    let mut info = ModuleInfo::default();
    let mut encodings = TypeEncodings::default();
    let features = opts.features.wasm_features();
    let mut validator = Validator::new_with_features(features);
    let mut to_validate: Vec<(FuncToValidate<ValidatorResources>, FunctionBody<'a>)> = Vec::new();

    // The reader must decode with the features the validator checks: with wasmparser's
    // defaults it reads memory limits as memory64 LEBs and accepts over-long 2.0 encodings
    // (spec binary-leb128.wast).
    let mut parser = Parser::new(0);
    parser.set_features(features);
    let mut code_section_start = 0;
    let mut dwarf_sections = Vec::new();
    for payload in parser.parse_all(wasm) {
        let payload = payload?;
        let valid = validator.payload(&payload).map_err(|e| classify(e, wasm))?;
        if let ValidPayload::Func(func, body) = valid {
            to_validate.push((func, body));
        }
        match payload {
            Payload::TypeSection(reader) => {
                let offset = reader.range().start;
                for ty in reader.into_iter_err_on_gc_types() {
                    let ty = ty?;
                    info.type_refs.push(encodings.push(&ty, offset)?);
                    let conv =
                        |ts: &[wasmparser::ValType]| ts.iter().map(|t| val_type(*t)).collect();
                    info.types.push(Signature {
                        params: conv(ty.params()),
                        results: conv(ty.results()),
                    });
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports_with_offsets() {
                    let (offset, import) = import?;
                    read_import(&mut info, &encodings, import, offset, opts)?;
                }
            }
            Payload::FunctionSection(reader) => {
                for ty in reader {
                    info.funcs.push(FuncDecl {
                        type_index: ty?,
                        direct_symbol: None,
                        linked_symbol: None,
                    });
                }
            }
            Payload::TableSection(reader) => {
                let reader_offset = reader.range().start;
                for table in reader {
                    let table = table?;
                    let mut t = table_info(table.ty, false);
                    let offset = reader_offset;
                    t.refs = encodings
                        .of_type(wasmparser::ValType::Ref(table.ty.element_type), offset)?;
                    if let wasmparser::TableInit::Expr(e) = &table.init {
                        t.init = const_expr(&mut info.const_ops, e)?;
                    }
                    info.tables.push(t);
                }
            }
            Payload::MemorySection(reader) => {
                for mem in reader {
                    info.memories.push(memory_info(mem?, false));
                }
            }
            Payload::GlobalSection(reader) => {
                let offset = reader.range().start;
                for global in reader {
                    let global = global?;
                    info.globals.push(GlobalInfo {
                        ty: val_type(global.ty.content_type),
                        mutable: global.ty.mutable,
                        init: Some(const_expr(&mut info.const_ops, &global.init_expr)?),
                        refs: encodings.of_type(global.ty.content_type, offset)?,
                    });
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export?;
                    let kind = match export.kind {
                        ExternalKind::Func | ExternalKind::FuncExact => extern_kind::FUNC,
                        ExternalKind::Table => extern_kind::TABLE,
                        ExternalKind::Memory => extern_kind::MEMORY,
                        ExternalKind::Global => extern_kind::GLOBAL,
                        ExternalKind::Tag => extern_kind::TAG,
                    };
                    info.exports.push(Export {
                        name: export.name.to_string(),
                        kind,
                        index: export.index,
                    });
                }
            }
            Payload::StartSection { func, .. } => info.start = Some(func),
            Payload::ElementSection(reader) => {
                for elem in reader {
                    let seg = elem_segment(&mut info.const_ops, elem?)?;
                    info.elems.push(seg);
                }
            }
            Payload::DataSection(reader) => {
                for data in reader {
                    let data = data?;
                    let (mode, memory, offset) = match data.kind {
                        wasmparser::DataKind::Passive => (segment_mode::PASSIVE, 0, const_i32(0)),
                        wasmparser::DataKind::Active {
                            memory_index,
                            offset_expr,
                        } => (
                            segment_mode::ACTIVE,
                            memory_index,
                            const_expr(&mut info.const_ops, &offset_expr)?,
                        ),
                    };
                    info.data.push(DataSegment {
                        mode,
                        memory,
                        offset,
                        bytes: data.data,
                    });
                }
            }
            Payload::CodeSectionStart {
                unchecked_range, ..
            } => code_section_start = unchecked_range.start,
            Payload::CodeSectionEntry(body) => info.bodies.push(FuncBody { body }),
            Payload::CustomSection(reader) => match reader.as_known() {
                // A malformed name section is ignored, as engines do: it is only debug info.
                KnownCustom::Name(names) => {
                    let _ = read_names(&mut info, names);
                }
                _ if opts.keep_dwarf && reader.name().starts_with(".debug_") => {
                    dwarf_sections.push((reader.name(), reader.data()));
                }
                _ => {}
            },
            Payload::TagSection(reader) => {
                for tag in reader {
                    info.tags.push(tag?.func_type_idx);
                }
            }
            _ => {}
        }
    }

    validate_functions(to_validate).map_err(|e| classify(e, wasm))?;
    if dwarf_sections
        .iter()
        .any(|(name, _)| *name == ".debug_line")
    {
        info.dwarf = Some(DwarfSections {
            code_section_start,
            sections: dwarf_sections,
        });
    }
    let graph = super::call_graph::analyze(&info)?;
    info.may_throw = graph.may_throw;
    info.tail_cc = graph.tail_cc;
    if opts.pin_global {
        info.pinned_global = graph.pinned_global;
    }
    Ok(info)
}

/// Turns a validation error into a `CompileError`. A module that is only invalid because it
/// uses a proposal outside WebAssembly 2.0 (threads, tail calls, exceptions, GC...) is reported
/// as unsupported, naming the operator at the error's offset when there is one.
fn classify(e: wasmparser::BinaryReaderError, wasm: &[u8]) -> CompileError {
    let offset = e.offset();
    // The validator's other wording: "threads must be enabled for shared memories".
    if let Some((feature, _)) = e.message().split_once(" must be enabled") {
        let what = format!(
            "the {feature} proposal is not supported yet ({})",
            e.message()
        );
        return CompileError::Unsupported { offset, what };
    }
    let Some(feature) = e.message().strip_suffix(" support is not enabled") else {
        return e.into();
    };
    let op = usize::try_from(offset)
        .ok()
        .filter(|&o| o < wasm.len())
        .and_then(|o| {
            let mut ops =
                wasmparser::OperatorsReader::new(wasmparser::BinaryReader::new(&wasm[o..], offset));
            ops.read()
                .ok()
                .map(|op| crate::translate::operator_name(&op))
        });
    let what = match op {
        Some(name) => format!("operator `{name}` ({feature} proposal) is not supported yet"),
        None => format!("the {feature} proposal is not supported yet"),
    };
    CompileError::Unsupported { offset, what }
}

/// Validates every function body, in parallel; the error at the lowest offset wins so the
/// message does not depend on thread scheduling.
fn validate_functions(
    funcs: Vec<(FuncToValidate<ValidatorResources>, FunctionBody<'_>)>,
) -> std::result::Result<(), wasmparser::BinaryReaderError> {
    let errors: Vec<wasmparser::BinaryReaderError> = funcs
        .into_par_iter()
        .filter_map(|(func, body)| {
            let mut v = func.into_validator(Default::default());
            v.validate(&body).err()
        })
        .collect();
    match errors.into_iter().min_by_key(|e| e.offset()) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

fn read_import(
    info: &mut ModuleInfo<'_>,
    encodings: &TypeEncodings,
    import: wasmparser::Import<'_>,
    offset: u64,
    opts: ParseOptions,
) -> Result<()> {
    let unknown = |reason: String| CompileError::UnknownImport {
        module: import.module.to_string(),
        name: import.name.to_string(),
        offset,
        reason,
    };
    let (kind, index) = match import.ty {
        TypeRef::Func(type_index) | TypeRef::FuncExact(type_index) => {
            let is_wasi_module = matches!(
                import.module,
                wasmaot_abi::wasi::PREVIEW1 | wasmaot_abi::wasi::UNSTABLE
            );
            let direct_symbol = match wasmaot_abi::wasi::lookup(import.module, import.name) {
                Some((func, symbol)) => {
                    let sig = info.types.get(type_index as usize).ok_or_else(|| {
                        CompileError::Invalid {
                            offset,
                            message: format!("unknown type {type_index}"),
                        }
                    })?;
                    if sig.params != func.params || sig.results != func.results {
                        return Err(unknown(format!(
                            "its type {} does not match the WASI function's {}",
                            sig_text(&sig.params, &sig.results),
                            sig_text(func.params, func.results)
                        )));
                    }
                    Some(symbol)
                }
                None if is_wasi_module => {
                    return Err(unknown(format!(
                        "`{}` has no function named `{}`",
                        import.module, import.name
                    )));
                }
                None => None,
            };
            let index = info.funcs.len() as u32;
            let linked_symbol = match direct_symbol {
                None if !opts.dynamic_imports => {
                    let sig = info.types.get(type_index as usize).ok_or_else(|| {
                        CompileError::Invalid {
                            offset,
                            message: format!("unknown type {type_index}"),
                        }
                    })?;
                    check_linkable_signature(sig).map_err(&unknown)?;
                    Some(wasmaot_abi::symbols::host_import(
                        import.module,
                        import.name,
                    ))
                }
                _ => None,
            };
            let direct_symbol = match linked_symbol {
                Some(_) => Some(wasmaot_abi::symbols::host_trampoline(index)),
                None => direct_symbol,
            };
            info.funcs.push(FuncDecl {
                type_index,
                direct_symbol,
                linked_symbol,
            });
            info.num_imported_funcs += 1;
            (extern_kind::FUNC, index)
        }
        other => {
            if !opts.dynamic_imports {
                let what = match other {
                    TypeRef::Table(_) => "a table",
                    TypeRef::Memory(_) => "a memory",
                    TypeRef::Global(_) => "a global",
                    _ => "a tag",
                };
                return Err(unknown(format!(
                    "it is {what}; only functions can be imported from the host (linked C functions), so the module must define its own memories, tables and globals"
                )));
            }
            match other {
                TypeRef::Table(t) => {
                    let mut table = table_info(t, true);
                    table.refs =
                        encodings.of_type(wasmparser::ValType::Ref(t.element_type), offset)?;
                    info.tables.push(table);
                    info.num_imported_tables += 1;
                    (extern_kind::TABLE, info.tables.len() as u32 - 1)
                }
                TypeRef::Memory(m) => {
                    info.memories.push(memory_info(m, true));
                    info.num_imported_memories += 1;
                    (extern_kind::MEMORY, info.memories.len() as u32 - 1)
                }
                TypeRef::Global(g) => {
                    info.globals.push(GlobalInfo {
                        ty: val_type(g.content_type),
                        mutable: g.mutable,
                        init: None,
                        refs: encodings.of_type(g.content_type, offset)?,
                    });
                    info.num_imported_globals += 1;
                    (extern_kind::GLOBAL, info.globals.len() as u32 - 1)
                }
                TypeRef::Tag(t) => {
                    info.tags.push(t.func_type_idx);
                    info.num_imported_tags += 1;
                    (extern_kind::TAG, info.tags.len() as u32 - 1)
                }
                _ => return Err(unsupported(offset, "this kind of import")),
            }
        }
    };
    info.imports.push(Import {
        module: import.module.to_string(),
        name: import.name.to_string(),
        kind,
        index,
        offset,
    });
    Ok(())
}

/// Whether a linked C host function can have this signature: i32, i64, f32 and f64 only, at
/// most one result (C functions return one value).
fn check_linkable_signature(sig: &Signature) -> std::result::Result<(), String> {
    let scalar =
        |t: &ValType| matches!(t, ValType::I32 | ValType::I64 | ValType::F32 | ValType::F64);
    if !sig.params.iter().chain(&sig.results).all(scalar) {
        return Err(format!(
            "its type {} is not one a C host function can have: only i32, i64, f32 and f64 cross to the host",
            sig_text(&sig.params, &sig.results)
        ));
    }
    if sig.results.len() > 1 {
        return Err(format!(
            "its type {} returns several values, and a C host function returns at most one",
            sig_text(&sig.params, &sig.results)
        ));
    }
    Ok(())
}

fn sig_text(params: &[ValType], results: &[ValType]) -> String {
    let list = |ts: &[ValType]| ts.iter().map(|t| t.name()).collect::<Vec<_>>().join(", ");
    format!("({}) -> ({})", list(params), list(results))
}

fn unsupported(offset: u64, what: &str) -> CompileError {
    CompileError::Unsupported {
        offset,
        what: what.to_string(),
    }
}

/// Converts a wasmparser value type. Typed function references (non-nullable, concrete heap
/// types) have the representation of `funcref`; what else they say is in `typed_refs.rs`'s
/// encodings. GC heap types never reach here (the GC proposal is never enabled).
pub(crate) fn val_type(t: wasmparser::ValType) -> ValType {
    match t {
        wasmparser::ValType::I32 => ValType::I32,
        wasmparser::ValType::I64 => ValType::I64,
        wasmparser::ValType::F32 => ValType::F32,
        wasmparser::ValType::F64 => ValType::F64,
        wasmparser::ValType::V128 => ValType::V128,
        wasmparser::ValType::Ref(r) => ref_type(r),
    }
}

fn ref_type(r: wasmparser::RefType) -> ValType {
    match r.heap_type() {
        HeapType::Abstract {
            ty: AbstractHeapType::Extern | AbstractHeapType::NoExtern,
            ..
        } => ValType::ExternRef,
        HeapType::Abstract {
            ty: AbstractHeapType::Exn | AbstractHeapType::NoExn,
            ..
        } => ValType::ExnRef,
        _ => ValType::FuncRef,
    }
}

fn table_info(t: wasmparser::TableType, imported: bool) -> TableInfo {
    TableInfo {
        elem_type: ref_type(t.element_type),
        min: t.initial,
        max: t.maximum,
        imported,
        init: ConstExprDesc {
            kind: const_kind::REF_NULL,
            index: 0,
            bits: [0, 0],
        },
        refs: Vec::new(),
        index64: t.table64,
    }
}

fn memory_info(m: wasmparser::MemoryType, imported: bool) -> MemoryInfo {
    MemoryInfo {
        min_pages: m.initial,
        max_pages: m.maximum,
        imported,
        shared: m.shared,
        index64: m.memory64,
    }
}

fn elem_segment(
    ops: &mut Vec<ConstExprDesc>,
    elem: wasmparser::Element<'_>,
) -> Result<ElemSegment> {
    let (mode, table, offset) = match elem.kind {
        ElementKind::Passive => (segment_mode::PASSIVE, 0, const_i32(0)),
        ElementKind::Declared => (segment_mode::DECLARED, 0, const_i32(0)),
        ElementKind::Active {
            table_index,
            offset_expr,
        } => (
            segment_mode::ACTIVE,
            table_index.unwrap_or(0),
            const_expr(ops, &offset_expr)?,
        ),
    };
    let (elem_type, items) = match elem.items {
        ElementItems::Functions(funcs) => {
            let items = funcs
                .into_iter()
                .map(|f| {
                    f.map(|index| ConstExprDesc {
                        kind: const_kind::REF_FUNC,
                        index,
                        bits: [0, 0],
                    })
                })
                .collect::<std::result::Result<Vec<_>, _>>()?;
            (ValType::FuncRef, items)
        }
        ElementItems::Expressions(ty, exprs) => {
            let items = exprs
                .into_iter()
                .map(|e| const_expr(ops, &e?))
                .collect::<Result<Vec<_>>>()?;
            (ref_type(ty), items)
        }
    };
    Ok(ElemSegment {
        mode,
        table,
        offset,
        elem_type,
        items,
    })
}

fn read_names(info: &mut ModuleInfo<'_>, names: wasmparser::NameSectionReader<'_>) -> Result<()> {
    for name in names {
        match name? {
            Name::Module { name, .. } => info.module_name = Some(name.to_string()),
            Name::Function(map) => {
                for naming in map {
                    let naming = naming?;
                    info.func_names
                        .insert(naming.index, naming.name.to_string());
                }
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_wat(text: &str, opts: ParseOptions) -> Result<ModuleInfo<'static>> {
        let bytes: &'static [u8] = Box::leak(wat::parse_str(text).unwrap().into_boxed_slice());
        parse(bytes, opts)
    }

    #[test]
    fn reads_imports_functions_and_names() {
        let m = parse_wat(
            r#"(module
                (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
                (import "wasi_unstable" "fd_seek" (func (param i32 i64 i32 i32) (result i32)))
                (memory 1)
                (global $g (mut i32) (i32.const 7))
                (func $main (export "_start") (drop (i32.const 1))))"#,
            ParseOptions::default(),
        )
        .unwrap();
        assert_eq!(m.num_imported_funcs, 2);
        assert_eq!(
            m.funcs[0].direct_symbol.as_deref(),
            Some("wasmaot_wasi_fd_write")
        );
        assert_eq!(
            m.funcs[1].direct_symbol.as_deref(),
            Some("wasmaot_wasi_unstable_fd_seek")
        );
        assert_eq!(m.func_names[&2], "main");
        assert_eq!(m.globals[0].init.unwrap().bits[0], 7);
        assert_eq!(m.bodies.len(), 1);
    }

    #[test]
    fn links_host_function_imports_and_rejects_what_c_cannot_take() {
        let m = parse_wat(
            r#"(module (import "env" "log_string" (func (param i32 i32) (result i64))))"#,
            ParseOptions::default(),
        )
        .unwrap();
        assert_eq!(
            m.funcs[0].linked_symbol.as_deref(),
            Some("wasmaot_import_env__log_string")
        );
        assert_eq!(
            m.funcs[0].direct_symbol.as_deref(),
            Some("wasmaot_host_trampoline_0")
        );
        let e = parse_wat(
            r#"(module (import "wasi_snapshot_preview1" "fd_write" (func)))"#,
            ParseOptions::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("does not match"), "{e}");
        let e = parse_wat(
            r#"(module (import "env" "two" (func (result i32 i32))))"#,
            ParseOptions::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("env::two"), "{e}");
        assert!(e.to_string().contains("several values"), "{e}");
        let e = parse_wat(
            r#"(module (import "env" "memory" (memory 1)))"#,
            ParseOptions::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("it is a memory"), "{e}");
        let e = parse_wat(
            r#"(module (import "env" "r" (func (param externref))))"#,
            ParseOptions::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("only i32, i64, f32 and f64"), "{e}");
        let m = parse_wat(
            r#"(module (import "env" "foo" (func (result i32 i32))) (import "env" "m" (memory 1)))"#,
            ParseOptions {
                dynamic_imports: true,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(m.funcs[0].linked_symbol, None);
        assert_eq!(m.funcs[0].direct_symbol, None);
    }

    #[test]
    fn post_2_0_operators_are_unsupported_not_invalid() {
        let e = parse_wat(
            r#"(module (func $f (return_call $f)))"#,
            ParseOptions::default(),
        )
        .unwrap_err();
        let msg = e.to_string();
        assert!(
            matches!(e, CompileError::Unsupported { offset, .. } if offset > 8),
            "{msg}"
        );
        assert!(
            msg.contains("`return_call`") && msg.contains("tail call"),
            "{msg}"
        );
        let e = parse_wat(r#"(module (memory 1 1 shared))"#, ParseOptions::default()).unwrap_err();
        assert!(matches!(e, CompileError::Unsupported { .. }), "{e}");
        // Valid 3.0, but outside the chosen feature set: unsupported. The 3.0 set accepts
        // multi-memory, typed function references and tags, not GC types.
        let cases = [
            (r#"(module (memory 1) (memory 1))"#, true),
            (r#"(module (type $t (func)) (func (param (ref $t))))"#, true),
            (r#"(module (tag))"#, true),
            (r#"(module (type (struct)))"#, false),
        ];
        for (text, in_3_0) in cases {
            for features in [FeatureSet::Wasm2, FeatureSet::Wasm3] {
                let opts = ParseOptions {
                    features,
                    ..Default::default()
                };
                match parse_wat(text, opts) {
                    Ok(_) => assert!(in_3_0 && features == FeatureSet::Wasm3, "{text}"),
                    Err(e) => {
                        assert!(!(in_3_0 && features == FeatureSet::Wasm3), "{text}: {e}");
                        assert!(matches!(e, CompileError::Unsupported { .. }), "{text}: {e}");
                    }
                }
            }
        }
    }

    #[test]
    fn wasm2_stays_strict_where_3_0_relaxed() {
        // A constant expression reading a defined global is invalid in 2.0 (and GC-only in 3.0).
        let text = r#"(module (global i32 (i32.const 1)) (global i32 (global.get 0)))"#;
        assert!(parse_wat(text, ParseOptions::default()).is_err());
        // extended-const: accepted only by the 3.0 set.
        let text = r#"(module (global i32 (i32.add (i32.const 1) (i32.const 2))))"#;
        assert!(parse_wat(text, ParseOptions::default()).is_err());
        let opts = ParseOptions {
            features: FeatureSet::Wasm3,
            ..Default::default()
        };
        assert!(parse_wat(text, opts).is_ok());
    }

    #[test]
    fn invalid_code_names_offset() {
        let e = parse_wat(
            r#"(module (func (result i32) (i64.const 1)))"#,
            ParseOptions::default(),
        )
        .unwrap_err();
        assert!(
            matches!(e, CompileError::Invalid { offset, .. } if offset > 8),
            "{e}"
        );
    }

    #[test]
    fn v128_never_crosses_to_the_host() {
        // A linked C host function takes and returns scalars only...
        for text in [
            r#"(module (import "env" "v" (func (param v128))))"#,
            r#"(module (import "env" "v" (func (result v128))))"#,
        ] {
            let e = parse_wat(text, ParseOptions::default()).unwrap_err();
            assert!(e.to_string().contains("only i32, i64, f32 and f64"), "{e}");
        }
        // ... a WASI function with a v128 in its type is not the WASI function...
        let e = parse_wat(
            r#"(module (import "wasi_snapshot_preview1" "proc_exit" (func (param v128))))"#,
            ParseOptions::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("does not match"), "{e}");
        // ... while an embedder's import (library mode: another module's export) may be of any
        // type, and so may exports and globals.
        parse_wat(
            r#"(module (import "m" "f" (func (param v128) (result v128)))
                 (global (export "g") (mut v128) (v128.const i64x2 1 2)))"#,
            ParseOptions {
                dynamic_imports: true,
                ..Default::default()
            },
        )
        .unwrap();
    }
}

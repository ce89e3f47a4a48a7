//! Writes the object file: every compiled function, the array-call trampolines, the C `main`
//! shim (executables), and the module descriptor, through cranelift-object.
//!
//! All symbols are declared first and defined afterwards strictly in index order, so the object
//! bytes do not depend on how many threads compiled the functions. Must never define anything in
//! an order that depends on a hash map's iteration order.

mod data;
mod data_image;
mod descriptor;
mod eh_frame;
pub(crate) mod gimli_sections;
pub mod names;

use std::collections::HashMap;

use cranelift_codegen::isa::OwnedTargetIsa;
use cranelift_module::{DataId, FuncId, Linkage, Module, ModuleReloc, ModuleRelocTarget};
use cranelift_object::{ObjectBuilder, ObjectModule};
use wasmaot_abi::symbols;

use crate::codegen::compile::{CompiledFunction, RelocTarget};
use crate::debuginfo::source_map::SourceMap;
use crate::error::{CompileError, Result};
use crate::module::ModuleInfo;

/// What goes into the object.
pub struct EmitInput<'a> {
    pub info: &'a ModuleInfo<'a>,
    /// Defined functions, in index order.
    pub functions: &'a [CompiledFunction],
    /// One array-call trampoline per module type, in type order.
    pub array_calls: &'a [CompiledFunction],
    /// Per defined function, the C-convention adapter of a tail-convention function.
    pub tail_adapters: &'a [Option<CompiledFunction>],
    /// The C `main` of an executable; `None` for a loadable library.
    pub main_shim: Option<&'a CompiledFunction>,
    /// Encoded sandbox policy (`wasmaot_abi::policy`).
    pub policy: &'a str,
    /// One trampoline per linked host function import, in import order
    /// (`(function index, code)`): what compiled code and the descriptor call for that import.
    pub host_trampolines: &'a [(u32, CompiledFunction)],
    /// The name of the descriptor's symbol: `wasmaot_module` in executables, `<prefix>_module`
    /// in static libraries (so two modules link into one program).
    pub descriptor_symbol: &'a str,
    /// A static library's C API functions (`PREFIX_new`...), exported under their names.
    pub api_functions: &'a [crate::codegen::host_api::ApiFunction],
    /// Whether to write `.eh_frame` for compiled code (not with `--strip`).
    pub unwind_info: bool,
    /// The module's source positions, when it has DWARF that is kept: written as native
    /// DWARF and as the descriptor's backtrace lines.
    pub source_map: Option<&'a SourceMap>,
}

fn obj_err(e: impl std::fmt::Display) -> CompileError {
    CompileError::Object(e.to_string())
}

/// Symbols declared in the object, and imports declared on first use.
struct Symbols {
    /// Per function index: its code (`None` for an imported non-WASI function).
    funcs: Vec<Option<FuncId>>,
    array_calls: Vec<FuncId>,
    module_data: DataId,
    imports: HashMap<String, FuncId>,
    /// Call-frame information of every function defined so far (for `.eh_frame`).
    unwind: Vec<(FuncId, cranelift_codegen::isa::unwind::UnwindInfo)>,
}

impl Symbols {
    fn import(&mut self, module: &mut ObjectModule, name: &str) -> Result<FuncId> {
        if let Some(id) = self.imports.get(name) {
            return Ok(*id);
        }
        let sig = module.make_signature();
        let id = module
            .declare_function(name, Linkage::Import, &sig)
            .map_err(obj_err)?;
        self.imports.insert(name.to_string(), id);
        Ok(id)
    }

    fn reloc_target(
        &mut self,
        module: &mut ObjectModule,
        t: &RelocTarget,
    ) -> Result<ModuleRelocTarget> {
        Ok(match t {
            RelocTarget::Func(index) => {
                let id = self
                    .funcs
                    .get(*index as usize)
                    .copied()
                    .flatten()
                    .ok_or_else(|| {
                        CompileError::Object(format!(
                            "relocation to function {index}, which has no code"
                        ))
                    })?;
                ModuleRelocTarget::user(0, id.as_u32())
            }
            RelocTarget::Symbol(name) if name == symbols::MODULE => {
                ModuleRelocTarget::user(1, self.module_data.as_u32())
            }
            RelocTarget::Symbol(name) => {
                ModuleRelocTarget::user(0, self.import(module, name)?.as_u32())
            }
        })
    }

    fn define(
        &mut self,
        module: &mut ObjectModule,
        id: FuncId,
        f: &CompiledFunction,
    ) -> Result<()> {
        let relocs = f
            .relocs
            .iter()
            .map(|r| {
                Ok(ModuleReloc {
                    offset: r.offset,
                    kind: r.kind,
                    addend: r.addend,
                    name: self.reloc_target(module, &r.target)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        if let Some(u) = &f.unwind {
            self.unwind.push((id, u.clone()));
        }
        module
            .define_function_bytes(id, f.alignment, &f.bytes, &relocs)
            .map_err(obj_err)
    }
}

/// Writes the native DWARF of the defined functions (`debuginfo::native`).
fn append_debug_info(
    product: &mut cranelift_object::ObjectProduct,
    input: &EmitInput<'_>,
    syms: &Symbols,
    map: &SourceMap,
) -> Result<()> {
    let info = input.info;
    let mut symbols = Vec::new();
    let mut functions = Vec::new();
    for (i, f) in input.functions.iter().enumerate() {
        let Some(debug) = &f.debug else { continue };
        let index = info.num_imported_funcs + i as u32;
        let id = syms.funcs[index as usize].expect("defined function is declared");
        let body_start = info.bodies[i].body.range().start;
        functions.push(crate::debuginfo::native::NativeFunction {
            symbol: symbols.len(),
            code_len: f.bytes.len() as u64,
            debug,
            body_address: body_start.saturating_sub(map.code_section_start),
            name: info.func_names.get(&index).map(String::as_str),
        });
        symbols.push(product.function_symbol(id));
    }
    let Some(mut dwarf) = crate::debuginfo::native::build(map, &functions) else {
        return Ok(());
    };
    let mut sections = gimli::write::Sections::new(gimli_sections::RelocWriter::default());
    dwarf
        .write(&mut sections)
        .map_err(|e| gimli_sections::write_error("debug information", e))?;
    gimli_sections::append_debug_sections(&mut product.object, &sections, &symbols)
}

/// Every symbol name the object declares other than the defined functions': what their
/// source names must not collide with (`names.rs`).
fn other_symbols(input: &EmitInput<'_>) -> std::collections::HashSet<String> {
    let mut taken: std::collections::HashSet<String> = [
        "main".to_string(),
        input.descriptor_symbol.to_string(),
        symbols::MODULE.to_string(),
    ]
    .into_iter()
    .collect();
    let compiled = input
        .functions
        .iter()
        .chain(input.array_calls)
        .chain(input.main_shim)
        .chain(input.tail_adapters.iter().flatten())
        .chain(input.host_trampolines.iter().map(|(_, f)| f))
        .chain(input.api_functions.iter().map(|a| &a.code));
    for f in compiled {
        for r in &f.relocs {
            if let RelocTarget::Symbol(name) = &r.target {
                taken.insert(name.clone());
            }
        }
    }
    for decl in &input.info.funcs {
        taken.extend(decl.direct_symbol.iter().cloned());
        taken.extend(decl.linked_symbol.iter().cloned());
    }
    taken.extend(input.api_functions.iter().map(|a| a.symbol.clone()));
    taken
}

/// Builds the object file's bytes.
pub fn emit_object(isa: OwnedTargetIsa, input: &EmitInput<'_>) -> Result<Vec<u8>> {
    let info = input.info;
    let unwind_isa = isa.clone();
    let builder = ObjectBuilder::new(isa, "wasmaot", cranelift_module::default_libcall_names())
        .map_err(obj_err)?;
    let mut module = ObjectModule::new(builder);
    let sig = module.make_signature();

    // Declare everything first. Function index i (imported ones included) maps to funcs[i]:
    // imported functions get an import symbol (their WASI host function) so a `RelocTarget::Func`
    // of an imported index still resolves; the translator calls WASI through symbols anyway.
    let mut syms = Symbols {
        funcs: Vec::with_capacity(info.funcs.len()),
        array_calls: Vec::new(),
        module_data: module
            .declare_data(input.descriptor_symbol, Linkage::Export, false, false)
            .map_err(obj_err)?,
        imports: HashMap::new(),
        unwind: Vec::new(),
    };
    // Host-import trampolines are local functions that calls reach by symbol name, like WASI
    // functions: declared first, they are found where other symbols would be imported.
    let mut trampoline_ids = Vec::with_capacity(input.host_trampolines.len());
    for (index, _) in input.host_trampolines {
        let name = symbols::host_trampoline(*index);
        let id = module
            .declare_function(&name, Linkage::Local, &sig)
            .map_err(obj_err)?;
        syms.imports.insert(name, id);
        trampoline_ids.push(id);
    }
    let mut import_host_code = Vec::new();
    for decl in &info.funcs[..info.num_imported_funcs as usize] {
        let host = match &decl.direct_symbol {
            Some(sym) => Some(syms.import(&mut module, sym)?),
            None => None,
        };
        import_host_code.push(host);
        // Imported functions have no code of their own in this object.
        syms.funcs.push(host);
    }
    let names = names::function_symbols(info, &other_symbols(input));
    for name in &names {
        let id = module
            .declare_function(name, Linkage::Local, &sig)
            .map_err(obj_err)?;
        syms.funcs.push(Some(id));
    }
    for t in 0..input.array_calls.len() as u32 {
        let id = module
            .declare_function(&symbols::array_call(t), Linkage::Local, &sig)
            .map_err(obj_err)?;
        syms.array_calls.push(id);
    }
    let main_id = match input.main_shim {
        Some(_) => Some(
            module
                .declare_function("main", Linkage::Export, &sig)
                .map_err(obj_err)?,
        ),
        None => None,
    };

    // Define, in index order.
    for (i, f) in input.functions.iter().enumerate() {
        let id =
            syms.funcs[info.num_imported_funcs as usize + i].expect("defined function is declared");
        syms.define(&mut module, id, f)?;
    }
    for (t, f) in input.array_calls.iter().enumerate() {
        let id = syms.array_calls[t];
        syms.define(&mut module, id, f)?;
    }
    let mut tail_adapters = Vec::with_capacity(input.tail_adapters.len());
    for (i, f) in input.tail_adapters.iter().enumerate() {
        let id = match f {
            Some(f) => {
                let index = info.num_imported_funcs + i as u32;
                let id = module
                    .declare_function(&symbols::tail_adapter(index), Linkage::Local, &sig)
                    .map_err(obj_err)?;
                syms.define(&mut module, id, f)?;
                Some(id)
            }
            None => None,
        };
        tail_adapters.push(id);
    }
    if let (Some(id), Some(f)) = (main_id, input.main_shim) {
        syms.define(&mut module, id, f)?;
    }
    for (&id, (_, f)) in trampoline_ids.iter().zip(input.host_trampolines) {
        syms.define(&mut module, id, f)?;
    }
    for api in input.api_functions {
        let id = module
            .declare_function(&api.symbol, Linkage::Export, &sig)
            .map_err(obj_err)?;
        syms.define(&mut module, id, &api.code)?;
    }

    let functions = input
        .functions
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let id = syms.funcs[info.num_imported_funcs as usize + i]
                .expect("defined function is declared");
            let lines = match (input.source_map, &f.debug) {
                (Some(map), Some(debug)) => crate::debuginfo::trap_lines::source_lines(map, debug),
                _ => Vec::new(),
            };
            descriptor::DescFunction {
                id,
                code_len: f.bytes.len() as u64,
                traps: f.traps.as_slice(),
                inlined: f.inlined.as_slice(),
                lines,
            }
        })
        .collect();
    // Memory images: read-only objects aligned to the pages they may be mapped as.
    let aarch64 = matches!(
        unwind_isa.triple().architecture,
        target_lexicon::Architecture::Aarch64(_)
    );
    let images = data_image::plan_images(info, aarch64);
    let mut image_ids = Vec::with_capacity(images.len());
    for (k, im) in images.iter().enumerate() {
        let id = module
            .declare_data(
                &format!("wasmaot_memory_image_{k}"),
                Linkage::Local,
                false,
                false,
            )
            .map_err(obj_err)?;
        let mut desc = cranelift_module::DataDescription::new();
        desc.define(im.bytes.clone().into_boxed_slice());
        desc.set_align(wasmaot_abi::descriptor::image_align(aarch64));
        module.define_data(id, &desc).map_err(obj_err)?;
        image_ids.push((im, id));
    }
    let desc_syms = descriptor::DescriptorSymbols {
        functions,
        array_calls: syms.array_calls.clone(),
        import_host_code,
        tail_adapters,
        images: image_ids,
    };
    let source_files = input.source_map.map_or(&[][..], |m| &m.files[..]);
    let desc = descriptor::build_descriptor(info, &desc_syms, input.policy, source_files);
    desc.define(&mut module, syms.module_data)
        .map_err(obj_err)?;

    let mut product = module.finish();
    let unwind: Vec<_> = syms.unwind.iter().map(|(id, u)| (*id, u)).collect();
    if input.unwind_info {
        eh_frame::append(&mut product, &*unwind_isa, &unwind)?;
    }
    if let Some(map) = input.source_map {
        append_debug_info(&mut product, input, &syms, map)?;
    }
    product.emit().map_err(obj_err)
}

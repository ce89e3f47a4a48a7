//! Output for host programs: what a module looks like from C and Go ([`ModuleInterface`]),
//! and the files `--emit staticlib` and `--emit go` write — the archive (the module's object
//! plus the runtime, [`archive`]), the headers ([`header`]) and the Go package ([`golang`]).
//!
//! Must never write a partial output: every file is written to a temporary name beside its
//! destination and renamed into place only when all of them are complete.

pub mod archive;
pub mod golang;
pub mod header;

use std::path::Path;

use wasmaot_abi::descriptor::extern_kind;
use wasmaot_abi::symbols::c_name;
use wasmaot_abi::types::ValType;

use crate::error::{CompileError, Result};
use crate::module::{ModuleInfo, Signature};
use crate::{Compiled, Options};

/// An exported function.
#[derive(Clone, Debug)]
pub struct ExportFunc {
    pub name: String,
    pub func_index: u32,
    pub sig: Signature,
}

impl ExportFunc {
    /// Whether C can call it through a typed function: i32, i64, f32 and f64 only.
    fn is_callable(&self) -> bool {
        self.sig
            .params
            .iter()
            .chain(&self.sig.results)
            .all(|t| matches!(t, ValType::I32 | ValType::I64 | ValType::F32 | ValType::F64))
    }

    /// Its typed C function: `PREFIX_call_` + [`c_name`] of the export name.
    pub fn c_function(&self, prefix: &str) -> String {
        format!("{prefix}_call_{}", c_name(&self.name))
    }
}

/// A function import linked to a C function.
#[derive(Clone, Debug)]
pub struct LinkedImport {
    pub module: String,
    pub name: String,
    pub symbol: String,
    pub sig: Signature,
}

/// What a host program sees of a module.
#[derive(Clone, Debug, Default)]
pub struct ModuleInterface {
    pub exports: Vec<ExportFunc>,
    /// Names of exported memories.
    pub memories: Vec<String>,
    pub imports: Vec<LinkedImport>,
}

impl ModuleInterface {
    pub fn of(info: &ModuleInfo<'_>) -> ModuleInterface {
        let mut m = ModuleInterface::default();
        for e in &info.exports {
            match e.kind {
                extern_kind::FUNC => m.exports.push(ExportFunc {
                    name: e.name.clone(),
                    func_index: e.index,
                    sig: info.func_signature(e.index).clone(),
                }),
                extern_kind::MEMORY => m.memories.push(e.name.clone()),
                _ => {}
            }
        }
        for imp in &info.imports {
            if imp.kind != extern_kind::FUNC {
                continue;
            }
            if let Some(symbol) = &info.funcs[imp.index as usize].linked_symbol {
                m.imports.push(LinkedImport {
                    module: imp.module.clone(),
                    name: imp.name.clone(),
                    symbol: symbol.clone(),
                    sig: info.func_signature(imp.index).clone(),
                });
            }
        }
        m
    }

    /// The exports that get a typed C function and a Go method: those with C types, except
    /// `_start` and `_initialize` (`PREFIX_run` and `PREFIX_initialize` call them).
    pub fn callable_exports(&self) -> impl Iterator<Item = &ExportFunc> {
        self.exports
            .iter()
            .filter(|e| e.is_callable() && !matches!(e.name.as_str(), "_start" | "_initialize"))
    }
}

/// The prefix of a library's C names: `--name`, or `module`.
pub fn prefix(opts: &Options) -> String {
    opts.name.clone().unwrap_or_else(|| "module".to_string())
}

/// The descriptor's symbol in a static library.
pub fn descriptor_symbol(prefix: &str) -> String {
    format!("{prefix}_module")
}

/// The default `--name` for `output`: its file stem without a leading `lib` (`libapp.a` →
/// `app`), or for a Go package its directory name, made a C identifier.
pub fn default_name(output: &Path) -> String {
    let stem = output
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("module");
    let stem = stem
        .strip_prefix("lib")
        .filter(|s| !s.is_empty())
        .unwrap_or(stem);
    let mut name: String = stem
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name.insert_str(0, "m_");
    }
    name
}

fn write_err(path: &Path, e: impl std::fmt::Display) -> CompileError {
    CompileError::Link(format!("cannot write `{}`: {e}", path.display()))
}

/// Files written together: each to a temporary file first, all renamed at the end.
pub(crate) struct Outputs {
    files: Vec<(crate::link::TempOutput, std::path::PathBuf)>,
}

impl Outputs {
    pub(crate) fn new() -> Outputs {
        Outputs { files: Vec::new() }
    }

    pub(crate) fn add(&mut self, path: &Path, bytes: &[u8]) -> Result<()> {
        let tmp = crate::link::temp_output(path)?;
        std::fs::write(&tmp, bytes).map_err(|e| write_err(path, e))?;
        self.files.push((tmp, path.to_path_buf()));
        Ok(())
    }

    pub(crate) fn commit(self) -> Result<()> {
        for (tmp, path) in self.files {
            crate::link::persist(tmp, &path, crate::link::OutputKind::Data)?;
        }
        Ok(())
    }
}

/// `--emit staticlib`: `output` (the archive), and beside it `PREFIX.h` and `wasmaot.h`.
pub fn write_static_library(compiled: &Compiled, opts: &Options, output: &Path) -> Result<()> {
    let prefix = prefix(opts);
    let archive = archive::build(compiled, opts)?;
    let dir = output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut out = Outputs::new();
    out.add(output, &archive)?;
    out.add(
        &dir.join(format!("{prefix}.h")),
        header::module_header(&prefix, &compiled.interface).as_bytes(),
    )?;
    out.add(&dir.join("wasmaot.h"), header::GENERIC.as_bytes())?;
    out.commit()
}

/// `--emit go`: the directory `output` with the Go package (see [`golang`]).
pub fn write_go_package(compiled: &Compiled, opts: &Options, output: &Path) -> Result<()> {
    let prefix = prefix(opts);
    if output.exists() && !output.is_dir() {
        return Err(write_err(output, "it exists and is not a directory"));
    }
    std::fs::create_dir_all(output).map_err(|e| write_err(output, e))?;
    let archive = archive::build(compiled, opts)?;
    let package = golang::package_name(output);
    let mut out = Outputs::new();
    out.add(&output.join(format!("lib{prefix}.a")), &archive)?;
    out.add(
        &output.join(format!("{prefix}.h")),
        header::module_header(&prefix, &compiled.interface).as_bytes(),
    )?;
    out.add(&output.join("wasmaot.h"), header::GENERIC.as_bytes())?;
    out.add(
        &output.join(format!("{package}.go")),
        golang::source(&package, &prefix, &compiled.interface, &opts.target).as_bytes(),
    )?;
    out.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_names_come_from_the_output() {
        assert_eq!(default_name(Path::new("out/libapp.a")), "app");
        assert_eq!(default_name(Path::new("lib.a")), "lib");
        assert_eq!(default_name(Path::new("my-mod.a")), "my_mod");
        assert_eq!(default_name(Path::new("pkg/hello")), "hello");
        assert_eq!(default_name(Path::new("9lives.a")), "m_9lives");
    }

    #[test]
    fn go_method_names_are_camel_case_or_escaped() {
        let e = |name: &str| ExportFunc {
            name: name.into(),
            func_index: 0,
            sig: Signature {
                params: vec![],
                results: vec![],
            },
        };
        let mut taken = std::collections::HashSet::new();
        assert_eq!(golang::method_name(&e("get_value"), &mut taken), "GetValue");
        assert_eq!(golang::method_name(&e("add"), &mut taken), "Add");
        assert_eq!(golang::method_name(&e("run"), &mut taken), "Export_run");
        assert_eq!(golang::method_name(&e("Add"), &mut taken), "Export_Add");
        assert_eq!(
            golang::method_name(&e("a.b"), &mut taken),
            "Export__x612e62"
        );
    }
}

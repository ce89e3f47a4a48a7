//! Compile options: target, optimisation level, output kind, sandbox policy, linker, threads,
//! the WebAssembly feature set.
//!
//! Must never hold anything that is not fixed before compilation starts.

use wasmaot_abi::policy::Policy;

pub use crate::codegen::isa::{Cpu, OptLevel};

/// Targets wasmaot can compile for.
pub const SUPPORTED_TARGETS: &[&str] = &["x86_64-unknown-linux-gnu", "aarch64-unknown-linux-gnu"];

/// The default target: the host's architecture.
pub fn host_target() -> &'static str {
    if cfg!(target_arch = "aarch64") {
        "aarch64-unknown-linux-gnu"
    } else {
        "x86_64-unknown-linux-gnu"
    }
}

/// What to produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Emit {
    /// A relocatable object file (with the C `main` of an executable).
    Obj,
    /// A statically linked executable.
    Exe,
    /// A static library (`lib<name>.a`: the module, its C API and the runtime) with the
    /// module's header beside it, for C hosts.
    StaticLib,
    /// A Go package (a cgo wrapper around the static library, which it contains).
    Go,
}

/// Everything that controls one compile.
#[derive(Clone, Debug)]
pub struct Options {
    /// A target triple from [`SUPPORTED_TARGETS`].
    pub target: String,
    pub opt_level: OptLevel,
    /// The CPU features the code may use.
    pub cpu: Cpu,
    /// `--strip`: no symbol table and no `.eh_frame` of compiled code (smallest output;
    /// debuggers and profilers then see addresses only).
    pub strip: bool,
    pub emit: Emit,
    /// Sandbox policy baked into the executable.
    pub policy: Policy,
    /// Linker driver overriding the default for the target.
    pub linker: Option<String>,
    /// Compile threads (`None`: one per core).
    pub jobs: Option<usize>,
    /// Build a loadable library for an embedder: non-WASI imports allowed, no `main`.
    pub library: bool,
    /// Object files, static archives or C sources linked into the output (`--link`): they
    /// define the host functions the module imports.
    pub link: Vec<std::path::PathBuf>,
    /// `--import MODULE::NAME=SYMBOL`: the C symbol implementing a function import, instead of
    /// its mangled default (`wasmaot_abi::symbols::host_import`).
    pub import_symbols: Vec<ImportSymbol>,
    /// The prefix of a static library's or Go package's C names (`--name`).
    pub name: Option<String>,
    /// The feature set the module is validated with: the 3.0 proposals wasmaot implements
    /// (the default), or exactly WebAssembly 2.0 (`--wasm-version 2.0`).
    pub features: crate::module::FeatureSet,
    /// The function cache to take machine code from and add it to (`--cache`, and `wasmaot
    /// run`'s default); the output is the same with or without it. Its counts tell the caller
    /// how many functions were hits.
    pub func_cache: Option<std::sync::Arc<crate::codegen::func_cache::FuncCache>>,
}

/// One `--import MODULE::NAME=SYMBOL`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportSymbol {
    pub module: String,
    pub name: String,
    pub symbol: String,
}

impl ImportSymbol {
    /// Parses `MODULE::NAME=SYMBOL`.
    pub fn parse(s: &str) -> Result<ImportSymbol, String> {
        let bad = || format!("--import `{s}`: expected MODULE::NAME=SYMBOL");
        let (import, symbol) = s.rsplit_once('=').ok_or_else(bad)?;
        let (module, name) = import.split_once("::").ok_or_else(bad)?;
        let valid_symbol = symbol.bytes().next().is_some_and(|b| !b.is_ascii_digit())
            && symbol
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'$');
        if !valid_symbol {
            return Err(format!("--import `{s}`: `{symbol}` is not a symbol name"));
        }
        Ok(ImportSymbol {
            module: module.to_string(),
            name: name.to_string(),
            symbol: symbol.to_string(),
        })
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            target: host_target().to_string(),
            opt_level: OptLevel::O2,
            cpu: Cpu::Baseline,
            strip: false,
            emit: Emit::Exe,
            policy: Policy::default(),
            linker: None,
            jobs: None,
            library: false,
            link: Vec::new(),
            import_symbols: Vec::new(),
            name: None,
            features: crate::module::FeatureSet::Wasm3,
            func_cache: None,
        }
    }
}

impl Options {
    /// Whether the output is a library a host program links (position-independent code, no
    /// `main`, symbols prefixed by [`Options::name`]).
    pub fn is_static_library(&self) -> bool {
        matches!(self.emit, Emit::StaticLib | Emit::Go)
    }

    /// Rejects unsupported targets and contradictory settings.
    pub fn validate(&self) -> Result<(), String> {
        if !SUPPORTED_TARGETS.contains(&self.target.as_str()) {
            return Err(format!(
                "unsupported target `{}` (supported: {})",
                self.target,
                SUPPORTED_TARGETS.join(", ")
            ));
        }
        if let Some(name) = &self.name {
            let ok = name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            if !ok {
                return Err(format!(
                    "--name `{name}`: must be a C identifier starting with a letter (letters, digits, `_`)"
                ));
            }
        }
        if self.jobs == Some(0) {
            return Err("--jobs must be at least 1".to_string());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_symbol_flags_parse_and_reject_junk() {
        assert_eq!(
            ImportSymbol::parse("env::log=my_log").unwrap(),
            ImportSymbol {
                module: "env".into(),
                name: "log".into(),
                symbol: "my_log".into()
            }
        );
        // Module and name may hold anything but `::` in the module; the symbol is last.
        let p = ImportSymbol::parse("wasi:io/x::a=b=c_d").unwrap();
        assert_eq!(
            (p.module.as_str(), p.name.as_str(), p.symbol.as_str()),
            ("wasi:io/x", "a=b", "c_d")
        );
        for bad in [
            "env::log",
            "envlog=x",
            "env::log=",
            "env::log=9x",
            "env::log=a-b",
        ] {
            assert!(ImportSymbol::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_must_be_c_identifiers() {
        let mut o = Options::default();
        for (name, ok) in [
            ("app", true),
            ("my_app2", true),
            ("2app", false),
            ("a-b", false),
        ] {
            o.name = Some(name.into());
            assert_eq!(o.validate().is_ok(), ok, "{name}");
        }
    }
}

//! Compile options: target, optimisation level, output kind, sandbox policy, linker, threads.
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
}

/// Everything that controls one compile.
#[derive(Clone, Debug)]
pub struct Options {
    /// A target triple from [`SUPPORTED_TARGETS`].
    pub target: String,
    pub opt_level: OptLevel,
    /// The CPU features the code may use.
    pub cpu: Cpu,
    pub emit: Emit,
    /// Sandbox policy baked into the executable.
    pub policy: Policy,
    /// Linker driver overriding the default for the target.
    pub linker: Option<String>,
    /// Compile threads (`None`: one per core).
    pub jobs: Option<usize>,
    /// Build a loadable library for an embedder: non-WASI imports allowed, no `main`.
    pub library: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            target: host_target().to_string(),
            opt_level: OptLevel::O2,
            cpu: Cpu::Baseline,
            emit: Emit::Exe,
            policy: Policy::default(),
            linker: None,
            jobs: None,
            library: false,
        }
    }
}

impl Options {
    /// Rejects unsupported targets and contradictory settings.
    pub fn validate(&self) -> Result<(), String> {
        if !SUPPORTED_TARGETS.contains(&self.target.as_str()) {
            return Err(format!(
                "unsupported target `{}` (supported: {})",
                self.target,
                SUPPORTED_TARGETS.join(", ")
            ));
        }
        if self.jobs == Some(0) {
            return Err("--jobs must be at least 1".to_string());
        }
        Ok(())
    }
}

//! The Cranelift target ISA for a target triple and optimisation level, with every flag that
//! shapes the generated code chosen here, once.
//!
//! Must never depend on the host: the same inputs give the same ISA on every machine.

use cranelift_codegen::isa::{self, OwnedTargetIsa};
use cranelift_codegen::settings::{self, Configurable};
use target_lexicon::{Architecture, Triple};

use crate::error::{CompileError, Result};

/// Optimisation level (`-O0`, `-O1`, `-O2`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum OptLevel {
    O0,
    O1,
    #[default]
    O2,
}

/// The CPU features the generated code may use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Cpu {
    /// Every CPU of the architecture from the last fifteen years: x86-64-v2 (SSE4.2, POPCNT)
    /// or ARMv8.0. The default (executables are shipped to other machines).
    #[default]
    Baseline,
    /// x86-64-v3 (Haswell, Zen and later): adds AVX2, BMI1/2, LZCNT and FMA.
    X86_64V3,
    /// Everything the compiling machine has (the executable may not run elsewhere). Not the
    /// default even for `wasmaot run`: on the Go benchmarks it speeds up `math/big` by 5-8% and
    /// slows down as much elsewhere (code layout), 2.5% worse overall.
    Native,
}

impl Cpu {
    /// The `--cpu` spellings.
    pub const NAMES: &'static [&'static str] = &["baseline", "x86-64-v3", "native"];

    /// Parses a `--cpu` value.
    pub fn parse(s: &str) -> Option<Cpu> {
        match s {
            "baseline" => Some(Cpu::Baseline),
            "x86-64-v3" => Some(Cpu::X86_64V3),
            "native" => Some(Cpu::Native),
            _ => None,
        }
    }
}

/// Sets one Cranelift setting (shared or ISA-specific).
fn set(b: &mut dyn Configurable, name: &str, value: &str) -> Result<()> {
    b.set(name, value)
        .map_err(|e| CompileError::Options(format!("cranelift setting `{name}={value}`: {e}")))
}

/// Builds the ISA for `target` (`x86_64-unknown-linux-gnu` or `aarch64-unknown-linux-gnu`).
/// `pic` selects position-independent code (for shared objects; executables are static).
/// `pinned_reg` reserves the pinned register (x86_64 r15, aarch64 x21) for the module's pinned
/// global (`env/globals.rs`).
pub fn build_isa(
    target: &Triple,
    opt: OptLevel,
    pic: bool,
    cpu: Cpu,
    pinned_reg: bool,
) -> Result<OwnedTargetIsa> {
    let options = |e: String| CompileError::Options(e);
    let mut flags = settings::builder();
    // `-O0` → no optimisation (fast compiles); `-O1`/`-O2` → Cranelift's "speed" pipeline
    // (egraph mid-end, GVN, LICM, ...). Cranelift has no level between them.
    let opt_level = match opt {
        OptLevel::O0 => "none",
        OptLevel::O1 | OptLevel::O2 => "speed",
    };
    set(&mut flags, "opt_level", opt_level)?;
    // Keep a frame-pointer chain in every function: the runtime's backtraces walk it.
    set(&mut flags, "preserve_frame_pointers", "true")?;
    // No stack probes: the prologue compares SP against the vmctx stack limit instead
    // (`Function::stack_limit`), and the guard page below the stack catches the rest.
    set(&mut flags, "enable_probestack", "false")?;
    // Multi-value: functions with more results than return registers return the rest through
    // an implicit struct-return pointer.
    set(&mut flags, "enable_multi_ret_implicit_sret", "true")?;
    // Cranelift's IR verifier: on in debug builds (and so in all tests), off in release builds.
    set(
        &mut flags,
        "enable_verifier",
        if cfg!(debug_assertions) {
            "true"
        } else {
            "false"
        },
    )?;
    // Executables are static and non-PIE; shared objects (the spec harness) need PIC.
    set(&mut flags, "is_pic", if pic { "true" } else { "false" })?;
    set(
        &mut flags,
        "enable_pinned_reg",
        if pinned_reg { "true" } else { "false" },
    )?;

    let mut isa_builder = isa::lookup(target.clone())
        .map_err(|e| options(format!("unsupported target `{target}`: {e}")))?;
    match target.architecture {
        Architecture::X86_64 => {
            // Baseline x86-64-v2: SSE3, SSSE3, SSE4.1 (native `round*` for nearest/ceil/floor/
            // trunc instead of libm calls), SSE4.2 and POPCNT (native `popcnt`).
            for feature in [
                "has_sse3",
                "has_ssse3",
                "has_sse41",
                "has_sse42",
                "has_popcnt",
            ] {
                set(&mut isa_builder, feature, "true")?;
            }
            if cpu == Cpu::X86_64V3 {
                for feature in [
                    "has_avx",
                    "has_avx2",
                    "has_bmi1",
                    "has_bmi2",
                    "has_lzcnt",
                    "has_fma",
                ] {
                    set(&mut isa_builder, feature, "true")?;
                }
            }
        }
        Architecture::Aarch64(_) => {
            // ARMv8.0 baseline: everything wasm needs is native.
            if cpu == Cpu::X86_64V3 {
                return Err(options(format!(
                    "--cpu x86-64-v3 needs an x86_64 target, not `{target}`"
                )));
            }
        }
        _ => {
            return Err(options(format!(
                "unsupported target `{target}`: wasmaot targets x86_64 and aarch64 Linux"
            )));
        }
    }
    if cpu == Cpu::Native {
        if target.architecture != Triple::host().architecture {
            return Err(options(format!(
                "--cpu native needs the target to be this machine's architecture, not `{target}`"
            )));
        }
        cranelift_native::infer_native_flags(&mut isa_builder)
            .map_err(|e| options(format!("cannot detect this machine's CPU features: {e}")))?;
    }
    isa_builder
        .finish(settings::Flags::new(flags))
        .map_err(|e| {
            options(format!(
                "cannot build the code generator for `{target}`: {e}"
            ))
        })
}

//! Builds the runtime staticlib (`wasmaot-runtime`) for every supported target whose Rust
//! standard library is installed, so `wasmaot` can embed it (`src/link/runtime_archive.rs`) and
//! an installed compiler needs nothing but a system linker.
//!
//! The runtime is built by a nested `cargo build` into its own target directory (never the
//! outer build's, whose lock is held while this script runs), in release mode with frame
//! pointers forced (the trap handler walks them for backtraces). The embedded copy has no
//! DWARF (Rust's standard library brings ~4 MB of it), so an executable that keeps debug
//! information for its wasm code does not also carry the runtime's.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

const TARGETS: [(&str, &str); 3] = [
    ("x86_64-unknown-linux-gnu", "X86_64"),
    ("aarch64-unknown-linux-gnu", "AARCH64"),
    // Executables for x86_64 link against musl (Rust's self-contained copy): glibc's static
    // start-up probes the CPU's caches with CPUID, which costs ~0.5 ms under virtualisation.
    ("x86_64-unknown-linux-musl", "X86_64_MUSL"),
];

fn main() {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let root = manifest_dir.parent().unwrap().to_path_buf();
    for dir in [
        "runtime/src",
        "runtime/abi/src",
        "runtime/Cargo.toml",
        "runtime/abi/Cargo.toml",
        "Cargo.lock",
    ] {
        println!("cargo:rerun-if-changed={}", root.join(dir).display());
    }
    println!("cargo:rerun-if-env-changed=WASMAOT_SKIP_RUNTIME");
    let out_dir = PathBuf::from(env::var("OUT_DIR").unwrap());
    // OUT_DIR is <target>/<profile>/build/<pkg>/out: build next to the outer target dir.
    let target_dir = out_dir
        .ancestors()
        .nth(4)
        .map(|t| t.join("wasmaot-runtime"))
        .unwrap_or_else(|| out_dir.join("wasmaot-runtime"));
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());

    for (triple, key) in TARGETS {
        println!(
            "cargo::rustc-check-cfg=cfg(wasmaot_runtime_{})",
            key.to_lowercase()
        );
        if !std_installed(triple) && triple.ends_with("-musl") {
            println!(
                "cargo:warning=the Rust standard library for {triple} is not installed: executables will link against glibc, whose static start-up is slower (rustup target add {triple})"
            );
            continue;
        }
        if !std_installed(triple) {
            println!(
                "cargo:warning=the Rust standard library for {triple} is not installed: wasmaot will not be able to target it (rustup target add {triple})"
            );
            continue;
        }
        let archive = strip_debug(triple, &build_runtime(&cargo, &root, &target_dir, triple));
        println!(
            "cargo:rustc-env=WASMAOT_RUNTIME_{key}={}",
            archive.display()
        );
        if triple.ends_with("-musl") {
            // The C library, unwinder and start files rustc itself links musl programs with.
            let dir = target_libdir(triple).join("self-contained");
            println!("cargo:rustc-env=WASMAOT_LIBC_{key}={}", dir.display());
        }
        println!("cargo:rustc-cfg=wasmaot_runtime_{}", key.to_lowercase());
    }
}

/// A copy of `archive` without debug sections, made with the first `objcopy` that can read
/// the target's objects; `archive` itself (with a warning) when there is none.
fn strip_debug(triple: &str, archive: &Path) -> PathBuf {
    let stripped = archive.with_file_name("libwasmaot_runtime-nodebug.a");
    let tools: &[&str] = match triple {
        t if t.starts_with("x86_64") => &["objcopy", "x86_64-linux-gnu-objcopy", "llvm-objcopy"],
        _ => &["aarch64-linux-gnu-objcopy", "llvm-objcopy"],
    };
    for tool in tools {
        let ok = Command::new(tool)
            .arg("--strip-debug")
            .arg(archive)
            .arg(&stripped)
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return stripped;
        }
    }
    println!(
        "cargo:warning=no objcopy for {triple} (tried {}): the embedded runtime keeps its debug information, which executables compiled from modules with DWARF will carry",
        tools.join(", ")
    );
    archive.to_path_buf()
}

/// Where the Rust standard library for `triple` is (empty if rustc cannot say).
fn target_libdir(triple: &str) -> PathBuf {
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    Command::new(rustc)
        .args(["--print", "target-libdir", "--target", triple])
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
        .unwrap_or_default()
}

fn std_installed(triple: &str) -> bool {
    let dir = target_libdir(triple);
    let self_contained = !triple.ends_with("-musl") || dir.join("self-contained/libc.a").is_file();
    self_contained
        && std::fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .flatten()
                    .any(|e| e.file_name().to_string_lossy().starts_with("libstd-"))
            })
            .unwrap_or(false)
}

fn build_runtime(cargo: &str, root: &Path, target_dir: &Path, triple: &str) -> PathBuf {
    let mut cmd = Command::new(cargo);
    cmd.args([
        "build",
        "--release",
        "--lib",
        "-p",
        "wasmaot-runtime",
        "--target",
        triple,
    ])
    .arg("--manifest-path")
    .arg(root.join("Cargo.toml"))
    .arg("--target-dir")
    .arg(target_dir)
    .env("CARGO_ENCODED_RUSTFLAGS", "-Cforce-frame-pointers=yes")
    .env_remove("RUSTFLAGS")
    .env_remove("CARGO_BUILD_TARGET")
    .env_remove("CARGO_TARGET_DIR")
    .env_remove("RUSTC_WORKSPACE_WRAPPER")
    .env_remove("CARGO_MAKEFLAGS")
    .env_remove("MAKEFLAGS");
    let status = cmd
        .status()
        .expect("cannot run cargo to build the wasmaot runtime");
    assert!(
        status.success(),
        "building the wasmaot runtime for {triple} failed"
    );
    target_dir
        .join(triple)
        .join("release")
        .join("libwasmaot_runtime.a")
}

//! Shared helpers of wasmaot's end-to-end test runners.
//!
//! * [`Tools`] finds the programs a runner needs (`wasmaot`, `go`, `wasmtime`,
//!   `qemu-aarch64`) and the shared corpus.
//! * [`run`] starts a process with a given stdin, a time limit and a clean environment.
//! * [`go_build`] builds a `GOOS=wasip1` program into the content-addressed cache
//!   `tests/.cache/go/`, offline and with the standard library only; [`zig_cc`] builds a C
//!   program for `wasm32-wasi` with zig's clang into `tests/.cache/c/`.
//! * [`RunSpec`] describes one run of a wasm program (argv, env, preopens, stdin) the same
//!   way for both engines: [`run_wasmtime`] runs the module under `wasmtime run`,
//!   [`compile_flags`] + [`run_native`] compile it with `wasmaot` and run the executable.
//! * [`Expectation`] is the format of `tests/go/*/expected.json` and `tests/wat/run/*.json`;
//!   [`CorpusFile`] is the format of the corpus' `expected.json` files.
//! * [`runner_main`], [`default_jobs`], [`jobs_value`], [`parallel`], [`scratch_dir`] and
//!   [`write_failure`] are the plumbing the runners (`e2e`, `wasi`, `spec`) share: exit status,
//!   `--jobs` and the work queue, per-case scratch directories and how a failed case is printed.
//!
//! One module per concern, all re-exported here: `tools` (finding programs and the corpus),
//! `process` (starting processes), `cache` (the build caches), `engines` (one run under
//! wasmtime or as a wasmaot executable), `expectation` and `corpus` (the two expectation
//! formats), `traps`, `compare` (checks and failure text), `files`, `runner` (the shared
//! plumbing), and `known_failures` (`tests/known-failures.toml`).

pub mod known_failures;

mod cache;
mod compare;
mod corpus;
mod engines;
mod expectation;
mod files;
mod process;
mod runner;
mod tools;
mod traps;

pub use cache::*;
pub use compare::*;
pub use corpus::*;
pub use engines::*;
pub use expectation::*;
pub use files::*;
pub use process::*;
pub use runner::*;
pub use tools::*;
pub use traps::*;

//! The `wasmaot` command: parses arguments, runs the compiler, reports errors as one line.
//!
//! Must never panic on bad input or print a Rust backtrace: every failure is `error: ...` and
//! exit status 1.

mod cli;

fn main() {
    std::process::exit(cli::main());
}

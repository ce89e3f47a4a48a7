//! Command-line interface. `wasmaot run ...` runs a module through the compile cache
//! ([`run`], [`cache`]); `wasmaot header -o FILE` writes the embedding API's C header
//! ([`header`]); `wasmaot build ... -o OUT` runs `go build` for wasip1 and then the compiler
//! ([`build`]); anything else is the compiler's own `wasmaot IN -o OUT [flags]`
//! ([`compile`]).
//!
//! Must never let an error escape as a panic: everything is reported as `error: <input>: ...`
//! on one line with exit status 1.

mod build;
mod cache;
mod compile;
mod header;
mod interrupt;
mod limits;
mod progress;
mod run;

/// Runs the command; returns the exit status.
pub fn main() -> i32 {
    interrupt::install();
    let result = match std::env::args_os().nth(1) {
        Some(a) if a == "run" => run::main(std::env::args_os().skip(2).collect()),
        Some(a) if a == "header" => header::main(std::env::args_os().skip(2).collect()),
        Some(a) if a == "build" => build::main(std::env::args_os().skip(2).collect()),
        _ => compile::main(),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            // One line: "error: <file>: <message>".
            let msg = e
                .chain()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(": ");
            eprintln!("error: {}", msg.replace('\n', " "));
            1
        }
    }
}

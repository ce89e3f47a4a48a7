//! `wasmaot header -o FILE`: writes `wasmaot.h`, the generic C declarations of the embedding
//! API (each static library's own `PREFIX.h` includes it).
//!
//! Must never write a partial file: the header goes to a temporary file renamed into place.

use std::ffi::OsString;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Parser;

/// Write the C header of wasmaot's embedding API (wasmaot.h).
#[derive(Parser, Debug)]
#[command(name = "wasmaot header")]
struct Args {
    /// Where to write the header.
    #[arg(short = 'o', long = "output", default_value = "wasmaot.h")]
    output: PathBuf,
}

pub fn main(argv: Vec<OsString>) -> Result<i32> {
    let args =
        match Args::try_parse_from(std::iter::once(OsString::from("wasmaot header")).chain(argv)) {
            Ok(a) => a,
            Err(e) => {
                let code = if e.use_stderr() { 2 } else { 0 };
                let _ = e.print();
                return Ok(code);
            }
        };
    let tmp = wasmaot::link::temp_output(&args.output)
        .with_context(|| args.output.display().to_string())?;
    std::fs::write(&tmp, wasmaot::embed::header::GENERIC)
        .with_context(|| format!("{}: cannot write", args.output.display()))?;
    wasmaot::link::persist(tmp, &args.output, wasmaot::link::OutputKind::Data)
        .with_context(|| args.output.display().to_string())?;
    Ok(0)
}

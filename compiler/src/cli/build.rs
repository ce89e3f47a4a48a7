//! `wasmaot build [GO BUILD FLAGS] [PACKAGES] -o OUT [WASMAOT FLAGS]`: `go build` for
//! `GOOS=wasip1 GOARCH=wasm` into a temporary module, then the compiler on it, in one step.
//!
//! Go is `$GO` if set, else `go` on `PATH`, and must be 1.21 or newer (the first with
//! `GOOS=wasip1`). Go's own output (build errors included) goes straight to the terminal as
//! Go prints it. After `-o OUT`, packages may follow (as in `go build -o OUT ./cmd/app`); from
//! the first flag on, everything is the compiler's (`--dir`, `--cpu`, ...).
//!
//! Must never leave the temporary module behind (it lives in a registered work directory) and
//! never run a Go older than 1.21.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result, bail};

const USAGE: &str = "usage: wasmaot build [GO BUILD FLAGS] [PACKAGES] -o OUT [WASMAOT FLAGS]";

/// The Go command line's part, the output, and the compiler's flags.
#[derive(Debug, PartialEq)]
struct BuildArgs {
    go_args: Vec<OsString>,
    output: PathBuf,
    wasmaot_args: Vec<OsString>,
}

fn split_args(argv: Vec<OsString>) -> Result<BuildArgs> {
    let mut it = argv.into_iter();
    let mut go_args = Vec::new();
    let output = loop {
        let Some(a) = it.next() else {
            bail!("-o OUT is required\n{USAGE}");
        };
        if a == "-o" || a == "--output" {
            match it.next() {
                Some(o) => break PathBuf::from(o),
                None => bail!("-o needs a file name\n{USAGE}"),
            }
        }
        if let Some(o) = a.to_str().and_then(|s| s.strip_prefix("-o=")) {
            break PathBuf::from(o);
        }
        if a == "-h" || a == "--help" {
            bail!("{USAGE}");
        }
        go_args.push(a);
    };
    // Packages may also follow `-o OUT`, as `go build -o OUT ./cmd/app` has them: the
    // arguments up to the first flag.
    let mut rest: Vec<OsString> = it.collect();
    let packages = rest
        .iter()
        .take_while(|a| !a.to_string_lossy().starts_with('-'))
        .count();
    go_args.extend(rest.drain(..packages));
    Ok(BuildArgs {
        go_args,
        output,
        wasmaot_args: rest,
    })
}

/// `(major, minor)` of a `go env GOVERSION` answer (`go1.27.0`, `go1.21rc2`, `devel ...`).
fn parse_go_version(v: &str) -> Option<(u32, u32)> {
    let rest = v.trim().strip_prefix("go")?;
    let mut parts = rest.split(|c: char| !c.is_ascii_digit());
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().and_then(|m| m.parse().ok()).unwrap_or(0);
    Some((major, minor))
}

/// The Go command to run, checked to be at least 1.21.
fn find_go() -> Result<OsString> {
    let go = std::env::var_os("GO")
        .filter(|g| !g.is_empty())
        .unwrap_or_else(|| OsString::from("go"));
    let out = Command::new(&go)
        .args(["env", "GOVERSION"])
        .output()
        .map_err(|e| {
            anyhow::anyhow!(
                "no Go toolchain: cannot run `{}` ({e}); install Go 1.21 or newer, or set $GO",
                go.to_string_lossy()
            )
        })?;
    let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
    match parse_go_version(&version) {
        Some(v) if v >= (1, 21) => Ok(go),
        Some(_) => bail!(
            "`{}` is {version}: building for GOOS=wasip1 needs Go 1.21 or newer",
            go.to_string_lossy()
        ),
        None if !out.status.success() => bail!(
            "`{} env GOVERSION` failed: {}",
            go.to_string_lossy(),
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        // A development toolchain (`devel go1.28-...`) is new enough.
        None => Ok(go),
    }
}

pub fn main(argv: Vec<OsString>) -> Result<i32> {
    let args = split_args(argv)?;
    let go = find_go()?;
    let work = wasmaot::link::WorkDir::new()?;
    let wasm = work.path().join("main.wasm");
    let status = Command::new(&go)
        .arg("build")
        .arg("-o")
        .arg(&wasm)
        .args(&args.go_args)
        .env("GOOS", "wasip1")
        .env("GOARCH", "wasm")
        .status()
        .with_context(|| format!("cannot run `{}`", go.to_string_lossy()))?;
    if !status.success() {
        // Go has printed its errors.
        bail!("go build failed ({status})");
    }
    let mut compile_argv: Vec<OsString> = vec![OsString::from("wasmaot"), wasm.into_os_string()];
    compile_argv.push(OsString::from("-o"));
    compile_argv.push(args.output.into_os_string());
    compile_argv.extend(args.wasmaot_args);
    super::compile::main_from(compile_argv)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    fn os(v: &[&str]) -> Vec<OsString> {
        v.iter().map(OsStr::new).map(OsStr::to_os_string).collect()
    }

    #[test]
    fn splits_go_flags_output_and_compiler_flags() {
        let a = split_args(os(&["-tags", "x", "./cmd/app", "-o", "app", "--dir", "."])).unwrap();
        assert_eq!(a.go_args, os(&["-tags", "x", "./cmd/app"]));
        assert_eq!(a.output, PathBuf::from("app"));
        assert_eq!(a.wasmaot_args, os(&["--dir", "."]));
        assert_eq!(
            split_args(os(&["-o=x"])).unwrap().output,
            PathBuf::from("x")
        );
        let a = split_args(os(&["-o", "app", ".", "--dir", "."])).unwrap();
        assert_eq!(a.go_args, os(&["."]));
        assert_eq!(a.wasmaot_args, os(&["--dir", "."]));
        assert!(split_args(os(&["./pkg"])).is_err());
        assert!(split_args(os(&["-o"])).is_err());
    }

    #[test]
    fn go_versions() {
        assert_eq!(parse_go_version("go1.27.0"), Some((1, 27)));
        assert_eq!(parse_go_version("go1.21rc2"), Some((1, 21)));
        assert_eq!(parse_go_version("go1.20"), Some((1, 20)));
        assert_eq!(parse_go_version("devel go1.28-abc"), None);
    }
}

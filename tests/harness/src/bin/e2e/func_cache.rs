//! `func-cache/` cases: the function cache (`wasmaot --cache`) through the real compiler.
//!
//! * `func-cache/go-identical`: in a fresh cache, Go's `json` program compiled cold, then
//!   `hello` warm from it (more hits than `hello` alone: functions whose code the two
//!   share), then `hello` again (every
//!   function a hit): each executable byte-identical to the one compiled with `--no-cache`, and
//!   the warm one runs. Then a tenth of the entries damaged: misses, the same bytes, rewritten.
//! * `func-cache/prune`: `WASMAOT_CACHE_MAX=4M` keeps the function cache under a quarter of it.

use std::fs;
use std::path::Path;

use anyhow::{Result, bail};
use wasmaot_tests::{Invocation, Outcome, go_build, run, sha256_hex};

use super::{Case, Ctx, case, wasmaot_only};

pub(super) fn func_cache_cases(cases: &mut Vec<Case>) {
    cases.push(case("func-cache/go-identical", |ctx| {
        wasmaot_only(ctx, || identical(ctx))
    }));
    cases.push(case("func-cache/prune", |ctx| {
        wasmaot_only(ctx, || prune(ctx))
    }));
}

/// Compiles `wasm` to `out` with `flags` and the cache in `cache`; returns the stderr.
fn compile(
    ctx: &Ctx,
    wasm: &Path,
    out: &Path,
    cache: &Path,
    flags: &[&str],
    env: &[(&str, &str)],
) -> Result<Outcome> {
    let mut inv = Invocation::new(&ctx.tools.wasmaot)
        .arg(wasm)
        .arg("-o")
        .arg(out)
        .args(flags.iter().copied());
    inv.env = vec![
        ("WASMAOT_CACHE_DIR".into(), cache.display().to_string()),
        ("WASMAOT_VERBOSE".into(), "1".into()),
    ];
    inv.env
        .extend(env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let o = run(&inv)?;
    if o.status() != 0 {
        bail!("wasmaot {} failed: {}", wasm.display(), o.describe_end());
    }
    Ok(o)
}

/// `(hits, functions)` from a `--cache` compile's report.
fn hits(o: &Outcome) -> Result<(usize, usize)> {
    let text = o.stderr_text();
    let line = text
        .lines()
        .find(|l| l.contains("functions were hits"))
        .ok_or_else(|| anyhow::anyhow!("no function cache report in: {text}"))?;
    let words: Vec<&str> = line.split(": ").nth(2).unwrap_or("").split(' ').collect();
    match (words.first(), words.get(2)) {
        (Some(h), Some(n)) => Ok((h.parse()?, n.parse()?)),
        _ => bail!("cannot read the report `{line}`"),
    }
}

fn digest(p: &Path) -> Result<String> {
    Ok(sha256_hex(&[&fs::read(p)?]))
}

fn identical(ctx: &Ctx) -> Result<Vec<String>> {
    let root = &ctx.tools.root;
    let json = go_build(&ctx.tools, &root.join("tests/go/json"))?;
    let hello = go_build(&ctx.tools, &root.join("tests/go/hello"))?;
    let scratch = ctx.scratch("func-cache")?;
    let dir = scratch.path();
    let cache = dir.join("cache");
    let mut p = Vec::new();
    let mut same = |what: &str, a: &Path, b: &Path| -> Result<()> {
        if digest(a)? != digest(b)? {
            p.push(format!(
                "{what}: {} differs from {}",
                a.display(),
                b.display()
            ));
        }
        Ok(())
    };
    let plain = |name: &str, wasm: &Path| -> Result<std::path::PathBuf> {
        let out = dir.join(format!("{name}.none"));
        compile(ctx, wasm, &out, &cache, &["--no-cache"], &[])?;
        Ok(out)
    };
    let json_none = plain("json", &json)?;
    let hello_none = plain("hello", &hello)?;
    if cache.exists() {
        bail!("--no-cache wrote {}", cache.display());
    }

    let json_cold = dir.join("json.cold");
    let cold = hits(&compile(ctx, &json, &json_cold, &cache, &["--cache"], &[])?)?;
    same("json, cold cache", &json_cold, &json_none)?;
    let hello_warm = dir.join("hello.warm");
    let warm = hits(&compile(
        ctx,
        &hello,
        &hello_warm,
        &cache,
        &["--cache"],
        &[],
    )?)?;
    same("hello, warm from json", &hello_warm, &hello_none)?;
    let hello_hot = dir.join("hello.hot");
    let hot = hits(&compile(
        ctx,
        &hello,
        &hello_hot,
        &cache,
        &["--cache"],
        &[],
    )?)?;
    same("hello, warm from itself", &hello_hot, &hello_none)?;
    // Hits within one module (functions with the same code) are no proof of sharing: hello
    // in a cache of its own is the baseline.
    let alone = hits(&compile(
        ctx,
        &hello,
        &dir.join("hello.alone"),
        &dir.join("cache-alone"),
        &["--cache"],
        &[],
    )?)?;
    let mut problems = Vec::new();
    if warm.0 <= alone.0 {
        problems.push(format!(
            "hello after json: {} hits of {}, no more than in a cache of its own ({}; json \
             cold: {} of {})",
            warm.0, warm.1, alone.0, cold.0, cold.1
        ));
    }
    if hot.0 != hot.1 {
        problems.push(format!("hello again: {} hits of {}", hot.0, hot.1));
    }
    let ran = run(&Invocation::new(&hello_warm).arg("hello"))?;
    if ran.stdout_text() != "Hello from Go on wasmaot!\n2 + 3 = 5\n" || ran.status() != 0 {
        problems.push(format!(
            "the warm executable printed: {}",
            ran.describe_end()
        ));
    }

    // Damage every tenth entry: flip a byte of its code, or cut it short.
    let mut entries: Vec<_> = fs::read_dir(cache.join("v1/func"))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    let mut damaged = 0;
    for (i, e) in entries.iter().enumerate().filter(|(i, _)| i % 10 == 0) {
        let mut bytes = fs::read(e)?;
        if i % 20 == 0 {
            bytes.truncate(bytes.len() / 2);
        } else {
            let n = bytes.len();
            bytes[n - 1] ^= 0x10;
        }
        fs::write(e, bytes)?;
        damaged += 1;
    }
    let hello_damaged = dir.join("hello.damaged");
    let out = compile(ctx, &hello, &hello_damaged, &cache, &["--cache"], &[])?;
    same("hello, damaged entries", &hello_damaged, &hello_none)?;
    let after = hits(&out)?;
    if after.0 >= hot.0 || !out.stderr_text().contains("damaged entries replaced") {
        problems.push(format!(
            "hello with {damaged} of {} entries damaged: {} hits of {}: {}",
            entries.len(),
            after.0,
            after.1,
            out.stderr_text().trim()
        ));
    }
    let again = hits(&compile(
        ctx,
        &hello,
        &dir.join("hello.again"),
        &cache,
        &["--cache"],
        &[],
    )?)?;
    if again.0 != again.1 {
        problems.push(format!(
            "after the damaged entries were rewritten: {} hits of {}",
            again.0, again.1
        ));
    }
    p.extend(problems);
    Ok(p)
}

fn prune(ctx: &Ctx) -> Result<Vec<String>> {
    let root = &ctx.tools.root;
    let json = go_build(&ctx.tools, &root.join("tests/go/json"))?;
    let scratch = ctx.scratch("func-cache-prune")?;
    let cache = scratch.path().join("cache");
    let out = scratch.path().join("json");
    let o = compile(
        ctx,
        &json,
        &out,
        &cache,
        &["--cache"],
        &[("WASMAOT_CACHE_MAX", "4M")],
    )?;
    let size: u64 = fs::read_dir(cache.join("v1/func"))?
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    let mut p = Vec::new();
    if size > 1 << 20 {
        p.push(format!(
            "the function cache holds {size} bytes, over 1 MiB (WASMAOT_CACHE_MAX=4M)"
        ));
    }
    if !o.stderr_text().contains("pruned") {
        p.push(format!("no pruning reported: {}", o.stderr_text().trim()));
    }
    Ok(p)
}

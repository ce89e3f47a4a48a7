//! The spellings of the resource limits, shared by the compiler's flags and `wasmaot run`:
//! `--max-memory SIZE` (bytes, or with a `KiB`/`MiB`/`GiB` suffix; wasmtime's
//! `-W max-memory-size=N` is plain bytes) and `--timeout DURATION` (`500ms`, `2s`, `1m`, or a
//! bare number of seconds, as wasmtime's `-W timeout=`).
//!
//! Must never accept a value it cannot represent exactly (no silent rounding or overflow).

use anyhow::{Context, Result, bail};

/// Parses a `--max-memory` size into bytes.
pub(crate) fn parse_size(s: &str) -> Result<u64> {
    let t = s.trim();
    let (num, mult) = [
        ("KiB", 1u64 << 10),
        ("MiB", 1 << 20),
        ("GiB", 1 << 30),
        ("B", 1),
    ]
    .iter()
    .find_map(|(suf, m)| t.strip_suffix(suf).map(|n| (n, *m)))
    .unwrap_or((t, 1));
    let n: u64 = num
        .trim()
        .parse()
        .with_context(|| format!("--max-memory `{s}`: expected BYTES or N KiB/MiB/GiB"))?;
    n.checked_mul(mult)
        .with_context(|| format!("--max-memory `{s}`: too large"))
}

/// Parses a `--timeout` duration into milliseconds (at least 1).
pub(crate) fn parse_duration_ms(s: &str) -> Result<u64> {
    let t = s.trim();
    let (num, mult) = [("ms", 1u64), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        .iter()
        .find_map(|(suf, m)| t.strip_suffix(suf).map(|n| (n, *m)))
        .unwrap_or((t, 1000));
    let n: u64 = num
        .trim()
        .parse()
        .with_context(|| format!("--timeout `{s}`: expected a duration such as 500ms, 2s or 1m"))?;
    let ms = n
        .checked_mul(mult)
        .with_context(|| format!("--timeout `{s}`: too long"))?;
    if ms == 0 {
        bail!("--timeout `{s}`: must be more than 0");
    }
    Ok(ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("65536").unwrap(), 65536);
        assert_eq!(parse_size("64KiB").unwrap(), 65536);
        assert_eq!(parse_size("32MiB").unwrap(), 32 << 20);
        assert_eq!(parse_size("1GiB").unwrap(), 1 << 30);
        assert!(parse_size("1.5MiB").is_err());
        assert!(parse_size("lots").is_err());
        assert!(parse_size("99999999999999GiB").is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration_ms("500ms").unwrap(), 500);
        assert_eq!(parse_duration_ms("2s").unwrap(), 2000);
        assert_eq!(parse_duration_ms("1m").unwrap(), 60_000);
        assert_eq!(parse_duration_ms("3").unwrap(), 3000);
        assert!(parse_duration_ms("0ms").is_err());
        assert!(parse_duration_ms("soon").is_err());
    }
}

//! The sandbox policy: `--dir`, `--env`, `--inherit-env`, `--tcplisten`. It is either baked into
//! an executable at compile time (the descriptor's `policy` field) or, for executables built by
//! `wasmaot run`, supplied at run time in the environment variable [`RUN_POLICY_ENV`] (the baked
//! policy then holds only the `from-env` line).
//!
//! Format: one entry per line, fields separated by a TAB; in fields, `\` TAB and newline are
//! written `\\`, `\t`, `\n` (so any value round-trips):
//! `dir\t<host>\t<guest>`, `env\t<KEY=VALUE>`, `inherit-env`, `tcplisten\t<HOST:PORT>`,
//! `from-env`, `max-memory\t<bytes>`, `timeout\t<milliseconds>`, `wasmtime-run\t<module>` (run-time policies of `wasmaot run` only: behave as
//! `wasmtime run` where an executable would differ, naming the module as the user gave it).
//! Must never carry anything but policy (no paths of the build machine other than the ones the
//! user named).

/// The environment variable through which `wasmaot run` hands the run-time policy (encoded as
/// below) to an executable whose baked policy is `from-env`. The runtime removes it from the
/// environment before anything else looks at it, so the guest never sees it.
pub const RUN_POLICY_ENV: &str = "WASMAOT_RUN_POLICY";

/// A preopened directory: `host` as the user named it (relative paths are resolved against the
/// working directory when the executable starts), `guest` the name the program sees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirGrant {
    pub host: String,
    pub guest: String,
}

/// What the executable is allowed to see.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Policy {
    pub dirs: Vec<DirGrant>,
    /// `KEY=VALUE` pairs, in order.
    pub env: Vec<String>,
    pub inherit_env: bool,
    /// TCP listeners (`HOST:PORT`) the runtime binds and hands to the guest as preopened
    /// sockets, after the directories (as wasmtime's `--tcplisten`).
    pub tcp_listen: Vec<String>,
    /// The real policy comes at run time from [`RUN_POLICY_ENV`] (executables in `wasmaot run`'s
    /// cache); nothing else may be set then.
    pub from_env: bool,
    /// Set by `wasmaot run` (the module path as given): errors that `wasmtime run` reports as
    /// `Error: failed to run main module ...` with exit status 1 (`proc_exit` with a status of
    /// 126 or more, a WASI call from a module that exports no memory) are reported that way,
    /// where a compiled executable exits with the status, or traps.
    pub wasmtime_run: Option<String>,
    /// `--max-memory`: no linear memory may grow past this many bytes (`memory.grow` returns
    /// -1; a declared minimum above it fails instantiation).
    pub max_memory: Option<u64>,
    /// `--timeout`: the guest ends with `wasm trap: interrupt` (status 134) after this many
    /// milliseconds.
    pub timeout_ms: Option<u64>,
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

fn unescape(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('\\') => out.push('\\'),
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            _ => return Err(format!("bad escape in policy field `{s}`")),
        }
    }
    Ok(out)
}

impl Policy {
    /// Encodes the policy. `Err` names an entry that cannot be represented (a NUL byte, which
    /// no path, argument or environment entry can hold).
    pub fn encode(&self) -> Result<String, String> {
        let mut out = String::new();
        for d in &self.dirs {
            if d.host.contains('\0') || d.guest.contains('\0') {
                return Err(format!("directory `{}` contains a NUL byte", d.host));
            }
            out.push_str(&format!("dir\t{}\t{}\n", escape(&d.host), escape(&d.guest)));
        }
        for e in &self.env {
            if e.contains('\0') {
                return Err(format!("environment entry `{e}` contains a NUL byte"));
            }
            out.push_str(&format!("env\t{}\n", escape(e)));
        }
        if self.inherit_env {
            out.push_str("inherit-env\n");
        }
        for a in &self.tcp_listen {
            out.push_str(&format!("tcplisten\t{}\n", escape(a)));
        }
        if self.from_env {
            out.push_str("from-env\n");
        }
        if let Some(b) = self.max_memory {
            out.push_str(&format!("max-memory\t{b}\n"));
        }
        if let Some(ms) = self.timeout_ms {
            out.push_str(&format!("timeout\t{ms}\n"));
        }
        if let Some(m) = &self.wasmtime_run {
            if m.contains('\0') {
                return Err(format!("module name `{m}` contains a NUL byte"));
            }
            out.push_str(&format!("wasmtime-run\t{}\n", escape(m)));
        }
        Ok(out)
    }

    /// Decodes what [`Policy::encode`] wrote; unknown lines are an error.
    pub fn decode(text: &str) -> Result<Policy, String> {
        let mut p = Policy::default();
        for line in text.lines().filter(|l| !l.is_empty()) {
            let mut f = line.split('\t');
            match (f.next(), f.next(), f.next(), f.next()) {
                (Some("dir"), Some(host), Some(guest), None) => p.dirs.push(DirGrant {
                    host: unescape(host)?,
                    guest: unescape(guest)?,
                }),
                (Some("env"), Some(kv), None, None) => p.env.push(unescape(kv)?),
                (Some("inherit-env"), None, None, None) => p.inherit_env = true,
                (Some("tcplisten"), Some(a), None, None) => p.tcp_listen.push(unescape(a)?),
                (Some("from-env"), None, None, None) => p.from_env = true,
                (Some("wasmtime-run"), Some(m), None, None) => p.wasmtime_run = Some(unescape(m)?),
                (Some("max-memory"), Some(b), None, None) => {
                    p.max_memory = Some(b.parse().map_err(|_| format!("bad policy line `{line}`"))?)
                }
                (Some("timeout"), Some(ms), None, None) => {
                    p.timeout_ms = Some(
                        ms.parse()
                            .map_err(|_| format!("bad policy line `{line}`"))?,
                    )
                }
                _ => return Err(format!("bad policy line `{line}`")),
            }
        }
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let p = Policy {
            dirs: vec![DirGrant {
                host: ".".into(),
                guest: "/".into(),
            }],
            env: vec!["A=b c".into(), "B=new\nline\tand \\ tab".into()],
            inherit_env: true,
            tcp_listen: vec!["127.0.0.1:0".into()],
            from_env: false,
            wasmtime_run: Some("dir/app\tx.wasm".into()),
            max_memory: Some(1 << 20),
            timeout_ms: Some(1500),
        };
        assert_eq!(Policy::decode(&p.encode().unwrap()).unwrap(), p);
    }

    #[test]
    fn from_env_marker() {
        let p = Policy {
            from_env: true,
            ..Policy::default()
        };
        assert_eq!(p.encode().unwrap(), "from-env\n");
        assert_eq!(Policy::decode("from-env\n").unwrap(), p);
        assert!(Policy::decode("dir\ta").is_err());
        assert!(Policy::decode("env\tbad\\x").is_err());
        assert!(Policy::decode("timeout\t2s").is_err());
    }
}

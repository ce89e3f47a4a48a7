//! The sandbox policy: `--dir`, `--env`, `--inherit-env`, `--tcplisten`. It is either baked into
//! an executable at compile time (the descriptor's `policy` field) or, for executables built by
//! `wasmaot run`, supplied at run time in the environment variable [`RUN_POLICY_ENV`] (the baked
//! policy then holds only the `from-env` line).
//!
//! Format: one entry per line, fields separated by a TAB; in fields, `\` TAB and newline are
//! written `\\`, `\t`, `\n` (so any value round-trips):
//! `dir\t<host>\t<guest>`, `env\t<KEY=VALUE>`, `inherit-env`, `tcplisten\t<HOST:PORT>`,
//! `from-env`.
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
    }
}

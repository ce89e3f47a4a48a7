//! The sandbox policy baked into an executable at compile time (`--dir`, `--env`,
//! `--inherit-env`), carried as text in the descriptor's `policy` field.
//!
//! Format: one entry per line, fields separated by a TAB (paths and values cannot contain
//! newlines; a TAB or newline in an input is rejected by [`Policy::encode`]):
//! `dir\t<host>\t<guest>`, `env\t<KEY=VALUE>`, `inherit-env`.
//! Must never carry anything but policy (no paths of the build machine other than the ones the
//! user named).

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
}

impl Policy {
    /// Encodes the policy; `Err` names the entry holding a TAB or newline.
    pub fn encode(&self) -> Result<String, String> {
        let bad = |s: &str| s.contains('\t') || s.contains('\n');
        let mut out = String::new();
        for d in &self.dirs {
            if bad(&d.host) || bad(&d.guest) {
                return Err(format!("directory `{}` contains a tab or newline", d.host));
            }
            out.push_str(&format!("dir\t{}\t{}\n", d.host, d.guest));
        }
        for e in &self.env {
            if bad(e) {
                return Err(format!("environment entry `{e}` contains a tab or newline"));
            }
            out.push_str(&format!("env\t{e}\n"));
        }
        if self.inherit_env {
            out.push_str("inherit-env\n");
        }
        Ok(out)
    }

    /// Decodes what [`Policy::encode`] wrote; unknown lines are an error.
    pub fn decode(text: &str) -> Result<Policy, String> {
        let mut p = Policy::default();
        for line in text.lines().filter(|l| !l.is_empty()) {
            let mut f = line.split('\t');
            match (f.next(), f.next(), f.next()) {
                (Some("dir"), Some(host), Some(guest)) => p.dirs.push(DirGrant {
                    host: host.to_string(),
                    guest: guest.to_string(),
                }),
                (Some("env"), Some(kv), None) => p.env.push(kv.to_string()),
                (Some("inherit-env"), None, None) => p.inherit_env = true,
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
            env: vec!["A=b c".into()],
            inherit_env: true,
        };
        assert_eq!(Policy::decode(&p.encode().unwrap()).unwrap(), p);
    }
}

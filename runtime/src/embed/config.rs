//! `wasmaot_config`: what an embedded guest sees — arguments, environment, preopened
//! directories, standard streams — and the host data pointer. Turned into a WASI context when
//! an instance is created, with the same rules as an executable's baked-in policy (`--dir`,
//! `--env`, `--inherit-env`).
//!
//! Must never grant anything the host did not ask for: by default the guest has no arguments,
//! no environment, no directories and no standard streams.

use core::ffi::{c_char, c_int, c_void};
use std::os::fd::{FromRawFd, OwnedFd};

use wasmaot_abi::policy::{DirGrant, Policy};

use super::c_bytes;
use crate::wasi::{Stdio, WasiCtx};

/// The guest's standard streams, as configured.
#[derive(Clone, Copy, Debug, Default)]
enum StdioChoice {
    #[default]
    None,
    Inherit,
    /// Host fds (-1: none), duplicated at instantiation.
    Fds([c_int; 3]),
}

/// An embedder's configuration (`wasmaot_config *`).
#[derive(Debug, Default)]
pub struct Config {
    args: Vec<Vec<u8>>,
    policy: Policy,
    stdio: StdioChoice,
    pub(crate) host_data: usize,
}

impl Config {
    /// The WASI context for a new instance.
    pub(crate) fn wasi(&self) -> Result<WasiCtx, String> {
        let mut config = crate::entry::wasi_config(&self.policy, self.args.clone())?;
        config.stdio = match self.stdio {
            StdioChoice::None => Stdio::Fds([None, None, None]),
            StdioChoice::Inherit => Stdio::Inherit,
            StdioChoice::Fds(fds) => {
                let mut owned: [Option<OwnedFd>; 3] = [None, None, None];
                for (slot, &fd) in owned.iter_mut().zip(&fds) {
                    if fd < 0 {
                        continue;
                    }
                    // SAFETY: duplicating a host fd the embedder named; the copy is ours.
                    let dup = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 3) };
                    if dup < 0 {
                        return Err(format!(
                            "cannot use host fd {fd} as a standard stream: {}",
                            std::io::Error::last_os_error()
                        ));
                    }
                    // SAFETY: `dup` was just created and is owned by nobody else.
                    *slot = Some(unsafe { OwnedFd::from_raw_fd(dup) });
                }
                Stdio::Fds(owned)
            }
        };
        WasiCtx::new(config)
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn wasmaot_config_new() -> *mut Config {
    Box::into_raw(Box::default())
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmaot_config_free(cfg: *mut Config) {
    if !cfg.is_null() {
        // SAFETY: came from wasmaot_config_new.
        drop(unsafe { Box::from_raw(cfg) });
    }
}

/// # Safety
/// `cfg` is a live configuration (or NULL: ignored); `arg` NULL or a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmaot_config_arg(cfg: *mut Config, arg: *const c_char) {
    // SAFETY: caller's contract.
    if let (Some(cfg), Some(arg)) = (unsafe { cfg.as_mut() }, unsafe { c_bytes(arg) }) {
        cfg.args.push(arg.to_vec());
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmaot_config_env(
    cfg: *mut Config,
    name: *const c_char,
    value: *const c_char,
) {
    // SAFETY: caller's contract.
    let (Some(cfg), Some(name)) = (unsafe { cfg.as_mut() }, unsafe { c_bytes(name) }) else {
        return;
    };
    // SAFETY: as above.
    let value = unsafe { c_bytes(value) }.unwrap_or(b"");
    if name.is_empty() || name.contains(&b'=') {
        return;
    }
    let entry = format!(
        "{}={}",
        String::from_utf8_lossy(name),
        String::from_utf8_lossy(value)
    );
    let key_len = name.len() + 1;
    // A later entry for the same name replaces the earlier one.
    cfg.policy
        .env
        .retain(|e| e.len() < key_len || e.as_bytes()[..key_len] != entry.as_bytes()[..key_len]);
    cfg.policy.env.push(entry);
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmaot_config_inherit_env(cfg: *mut Config) {
    // SAFETY: caller's contract.
    if let Some(cfg) = unsafe { cfg.as_mut() } {
        cfg.policy.inherit_env = true;
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmaot_config_preopen(
    cfg: *mut Config,
    host: *const c_char,
    guest: *const c_char,
) -> c_int {
    // SAFETY: caller's contract.
    let (Some(cfg), Some(host), Some(guest)) =
        (unsafe { cfg.as_mut() }, unsafe { c_bytes(host) }, unsafe {
            c_bytes(guest)
        })
    else {
        return -1;
    };
    let (Ok(host), Ok(guest)) = (std::str::from_utf8(host), std::str::from_utf8(guest)) else {
        return -1;
    };
    if host.is_empty() || guest.is_empty() || !std::path::Path::new(host).is_dir() {
        return -1;
    }
    // Relative to the working directory now, not when an instance is created.
    let host = match std::path::absolute(host) {
        Ok(p) => p.to_string_lossy().into_owned(),
        Err(_) => return -1,
    };
    cfg.policy.dirs.push(DirGrant {
        host,
        guest: guest.to_string(),
    });
    0
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmaot_config_inherit_stdio(cfg: *mut Config) {
    // SAFETY: caller's contract.
    if let Some(cfg) = unsafe { cfg.as_mut() } {
        cfg.stdio = StdioChoice::Inherit;
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmaot_config_stdio(
    cfg: *mut Config,
    stdin_fd: c_int,
    stdout_fd: c_int,
    stderr_fd: c_int,
) -> c_int {
    // SAFETY: caller's contract.
    let Some(cfg) = (unsafe { cfg.as_mut() }) else {
        return -1;
    };
    let fds = [stdin_fd, stdout_fd, stderr_fd];
    // SAFETY: F_GETFD only queries the fd.
    if fds
        .iter()
        .any(|&fd| fd >= 0 && unsafe { libc::fcntl(fd, libc::F_GETFD) } < 0)
    {
        return -1;
    }
    cfg.stdio = StdioChoice::Fds(fds);
    0
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmaot_config_host_data(cfg: *mut Config, data: *mut c_void) {
    // SAFETY: caller's contract.
    if let Some(cfg) = unsafe { cfg.as_mut() } {
        cfg.host_data = data as usize;
    }
}

//! Starting a process: [`Invocation`] (program, argv, environment, stdin, working directory,
//! time limit) and [`run`], which returns its [`Outcome`] (status or signal, output, whether it
//! timed out).

use std::ffi::OsString;
use std::io::{Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

/// One process to start.
#[derive(Debug, Clone)]
pub struct Invocation {
    pub program: PathBuf,
    /// argv[0] as the program sees it; the program path if `None`.
    pub argv0: Option<String>,
    pub args: Vec<OsString>,
    /// Start from an empty environment, then add `env`.
    pub clear_env: bool,
    pub env: Vec<(String, String)>,
    pub stdin: Vec<u8>,
    pub cwd: Option<PathBuf>,
    pub timeout: Duration,
}

impl Invocation {
    pub fn new(program: impl Into<PathBuf>) -> Invocation {
        Invocation {
            program: program.into(),
            argv0: None,
            args: Vec::new(),
            clear_env: false,
            env: Vec::new(),
            stdin: Vec::new(),
            cwd: None,
            timeout: Duration::from_secs(120),
        }
    }

    pub fn arg(mut self, arg: impl Into<OsString>) -> Invocation {
        self.args.push(arg.into());
        self
    }

    pub fn args<I: IntoIterator<Item = S>, S: Into<OsString>>(mut self, args: I) -> Invocation {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn timeout(mut self, timeout: Duration) -> Invocation {
        self.timeout = timeout;
        self
    }

    /// The command line, for messages.
    pub fn describe(&self) -> String {
        let mut s = self.program.display().to_string();
        for a in &self.args {
            s.push(' ');
            s.push_str(&a.to_string_lossy());
        }
        s
    }
}

/// How a process ended.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub code: Option<i32>,
    pub signal: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// The time limit ran out and the process was killed.
    pub timed_out: bool,
    pub elapsed: Duration,
}

impl Outcome {
    /// The exit status the way a shell reports it: the code, or 128 + the signal number.
    pub fn status(&self) -> i32 {
        self.code.unwrap_or_else(|| 128 + self.signal.unwrap_or(0))
    }

    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    /// A one-line summary of how the process ended.
    pub fn describe_end(&self) -> String {
        if self.timed_out {
            format!("killed after {:.1}s time limit", self.elapsed.as_secs_f64())
        } else if let Some(sig) = self.signal {
            format!("killed by signal {sig}")
        } else {
            format!("exit status {}", self.status())
        }
    }
}

/// Starts `inv`, feeds it its stdin, collects stdout and stderr, and kills it when the time
/// limit runs out.
pub fn run(inv: &Invocation) -> Result<Outcome> {
    let mut cmd = Command::new(&inv.program);
    if let Some(argv0) = &inv.argv0 {
        cmd.arg0(argv0);
    }
    cmd.args(&inv.args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if inv.clear_env {
        cmd.env_clear();
    }
    for (k, v) in &inv.env {
        cmd.env(k, v);
    }
    if let Some(cwd) = &inv.cwd {
        cmd.current_dir(cwd);
    }
    let start = Instant::now();
    let mut child = cmd
        .spawn()
        .with_context(|| format!("cannot start {}", inv.program.display()))?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    let input = inv.stdin.clone();
    // A program that does not read its stdin closes the pipe: ignore EPIPE.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let reader = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = r.read_to_end(&mut buf);
            buf
        })
    };
    let out = reader(Box::new(child.stdout.take().expect("piped stdout")));
    let err = reader(Box::new(child.stderr.take().expect("piped stderr")));
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if start.elapsed() >= inv.timeout {
            timed_out = true;
            let _ = child.kill();
            break child.wait()?;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = start.elapsed();
    let _ = writer.join();
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    Ok(Outcome {
        code: status.code(),
        signal: status.signal(),
        stdout,
        stderr,
        timed_out,
        elapsed,
    })
}

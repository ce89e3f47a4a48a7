//! The progress line: when stderr is a terminal and a compile takes more than about a
//! second, one line that keeps being rewritten (`wasmaot: compiling 1234/5678 functions`, then
//! `wasmaot: linking`), erased when the compile ends. Nothing at all when stderr is not a
//! terminal (scripts, CI logs, `wasmaot run`'s output).
//!
//! `WASMAOT_PROGRESS_AFTER_MS` changes the one-second delay (the e2e test sets it to 0 so
//! that it does not depend on the machine's speed).
//!
//! Must never print anything but that one line, and never on a non-terminal.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use wasmaot::progress::{self, Phase};

/// Shows progress until dropped.
pub struct ProgressLine {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ProgressLine {
    /// Starts the line's thread if stderr is a terminal.
    pub fn start() -> ProgressLine {
        let stop = Arc::new(AtomicBool::new(false));
        let thread = std::io::stderr().is_terminal().then(|| {
            let stop = stop.clone();
            std::thread::spawn(move || show(&stop))
        });
        ProgressLine { stop, thread }
    }
}

impl Drop for ProgressLine {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn show(stop: &AtomicBool) {
    let delay = std::env::var("WASMAOT_PROGRESS_AFTER_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(Duration::from_secs(1), Duration::from_millis);
    let start = Instant::now();
    let mut shown = false;
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(if delay.is_zero() { 1 } else { 100 }));
        if start.elapsed() < delay {
            continue;
        }
        let text = match progress::current() {
            Phase::Compiling { done, total } => {
                format!("wasmaot: compiling {done}/{total} functions")
            }
            Phase::Linking => "wasmaot: linking".to_string(),
            Phase::Idle => continue,
        };
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{text}");
        let _ = err.flush();
        shown = true;
    }
    if shown {
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K");
        let _ = err.flush();
    }
}

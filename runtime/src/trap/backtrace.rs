//! Wasm backtraces: walks the frame-pointer chain from a trapping PC and names every frame that
//! is inside wasm code; a trap site or call inside inlined code also names the inlined function,
//! as a frame of its own (the descriptor's inline sites). Compiled code keeps frame pointers, and
//! on both targets a frame record is `{caller fp, return address}` at `fp` (`[fp]` = caller fp,
//! `[fp+8]` = return address).
//!
//! Must never allocate, lock or use `std::io` on the signal path ([`walk`], [`write_backtrace`],
//! [`RawWriter`]): they run inside signal handlers.

use crate::registry::{self, CodeInfo};

/// Frames printed at most (deep recursion would otherwise print for a long time).
const MAX_PRINTED_FRAMES: usize = 1000;
/// Frames walked at most.
const MAX_WALKED_FRAMES: usize = 10_000_000;

/// Calls `f` for every wasm frame, innermost first, starting at `pc` whose frame pointer is
/// `fp`; stops when a return address leaves wasm code or the chain looks invalid (null,
/// misaligned, not strictly increasing, or outside the current thread's stack when known).
///
/// # Safety
/// `fp` must be 0 or the frame pointer of the wasm frame containing `pc`.
pub unsafe fn walk(pc: usize, fp: usize, mut f: impl FnMut(CodeInfo)) {
    // SAFETY: forwarded contract.
    unsafe {
        walk_while(pc, fp, |i| {
            f(i);
            true
        })
    }
}

/// As [`walk`], stopping as soon as `f` returns false.
///
/// # Safety
/// As for [`walk`].
pub unsafe fn walk_while(mut pc: usize, mut fp: usize, mut f: impl FnMut(CodeInfo) -> bool) {
    let (low, high) = crate::stack::thread_stack_bounds();
    for _ in 0..MAX_WALKED_FRAMES {
        let Some(info) = registry::lookup(pc) else {
            return;
        };
        if let Some(inlined) = info.inlined_frame()
            && !f(inlined)
        {
            return;
        }
        if !f(info) {
            return;
        }
        let valid = fp != 0
            && fp.is_multiple_of(8)
            && (high == 0 || (fp >= low && fp.saturating_add(16) <= high));
        if !valid {
            return;
        }
        // SAFETY: fp is a plausible frame record inside this thread's stack.
        let (next_fp, ret) = unsafe { (*(fp as *const usize), *((fp + 8) as *const usize)) };
        if next_fp <= fp {
            // The caller's frame must be above ours; the chain ended or is corrupt.
            // Still report the return address's function if it is wasm (a leaf caller).
            if let Some(info) = registry::lookup(ret.wrapping_sub(1)) {
                if let Some(inlined) = info.inlined_frame() {
                    f(inlined);
                }
                f(info);
            }
            return;
        }
        // The return address points after the call; look up `ret - 1` so a call that is the
        // last instruction of a function is attributed to that function.
        pc = ret.wrapping_sub(1);
        fp = next_fp;
    }
}

/// Collects a backtrace as owned frames (for library-mode [`crate::trap::Trap`]s; allocates).
///
/// # Safety
/// As for [`walk`].
pub unsafe fn capture(pc: usize, fp: usize) -> Vec<crate::trap::Frame> {
    let mut frames = Vec::new();
    // SAFETY: forwarded contract.
    unsafe {
        walk(pc, fp, |i| {
            let name = i.name();
            frames.push(crate::trap::Frame {
                func_index: i.func_index,
                name: (!name.is_empty()).then(|| String::from_utf8_lossy(name).into_owned()),
            });
        })
    };
    frames
}

/// Writes `wasm backtrace:` and one `    N: <name>` line per wasm frame, followed by
/// ` at <file>:<line>[:<column>]` when the module's DWARF gives the frame's position.
///
/// # Safety
/// As for [`walk`].
pub unsafe fn write_backtrace(w: &mut RawWriter, pc: usize, fp: usize) {
    w.str("wasm backtrace:\n");
    let mut n = 0usize;
    // SAFETY: forwarded contract.
    unsafe {
        walk(pc, fp, |info| {
            if n < MAX_PRINTED_FRAMES {
                w.str("    ");
                w.num(n as u64);
                w.str(": ");
                let name = info.name();
                if name.is_empty() {
                    w.str("<wasm function ");
                    w.num(info.func_index as u64);
                    w.str(">");
                } else {
                    w.bytes(name);
                }
                if let Some((file, line, column)) = info.source_line() {
                    w.str(" at ");
                    w.bytes(file);
                    w.str(":");
                    w.num(line as u64);
                    if column != 0 {
                        w.str(":");
                        w.num(column as u64);
                    }
                }
                w.str("\n");
            }
            n += 1;
        })
    };
    if n > MAX_PRINTED_FRAMES {
        w.str("    ... ");
        w.num((n - MAX_PRINTED_FRAMES) as u64);
        w.str(" more frames\n");
    }
}

/// A fixed-buffer writer to stderr using only `write(2)`.
pub struct RawWriter {
    buf: [u8; 1024],
    len: usize,
}

impl Default for RawWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl RawWriter {
    pub const fn new() -> RawWriter {
        RawWriter {
            buf: [0; 1024],
            len: 0,
        }
    }

    pub fn bytes(&mut self, mut b: &[u8]) {
        while !b.is_empty() {
            if self.len == self.buf.len() {
                self.flush();
            }
            let n = b.len().min(self.buf.len() - self.len);
            self.buf[self.len..self.len + n].copy_from_slice(&b[..n]);
            self.len += n;
            b = &b[n..];
        }
    }

    pub fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }

    pub fn num(&mut self, mut v: u64) {
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        loop {
            i -= 1;
            digits[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        self.bytes(&digits[i..]);
    }

    /// The buffered bytes (tests).
    pub fn buffered(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    pub fn flush(&mut self) {
        let mut off = 0;
        while off < self.len {
            // SAFETY: writing initialised bytes of our buffer to fd 2.
            let n = unsafe { libc::write(2, self.buf[off..].as_ptr().cast(), self.len - off) };
            if n < 0 {
                if std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) {
                    continue;
                }
                break;
            }
            off += n as usize;
        }
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_writer_formats_numbers() {
        let mut w = RawWriter::new();
        w.num(0);
        w.str(" ");
        w.num(1234567890123);
        assert_eq!(w.buffered(), b"0 1234567890123");
    }

    #[test]
    fn walk_follows_a_fake_frame_chain() {
        use wasmaot_abi::descriptor::InlineSite;
        static NAMELESS: [wasmaot_abi::descriptor::TrapSite; 0] = [];
        // Function 3's call returning to 0x50 is inside code inlined from function 2.
        static INLINED: [InlineSite; 1] = [InlineSite { key: 0x4f, func: 2 }];
        let base = 0x6fff_0000_0000usize;
        crate::registry::register(crate::registry::tests::fake_module(&[
            (base, 0x100, &NAMELESS, &[]),
            (base + 0x100, 0x100, &NAMELESS, &INLINED),
        ]));
        // Frame records on our own stack: inner -> outer -> end (return into non-wasm code).
        let mut outer = [0usize; 2];
        let mut inner = [0usize; 2];
        outer[0] = 0; // chain ends
        outer[1] = 0x1000; // not wasm
        inner[0] = outer.as_ptr() as usize;
        inner[1] = base + 0x150; // return into function 1 (defined index 1 -> index 3)
        let mut seen = Vec::new();
        // SAFETY: the fake frames live on this stack.
        unsafe {
            walk(base + 0x10, inner.as_mut_ptr() as usize, |i| {
                seen.push(i.func_index)
            })
        };
        // Whatever order the two arrays have on the stack, both wasm frames are reported, and
        // the inlined function as a frame of its own just inside its caller.
        assert_eq!(seen, vec![2, 2, 3]);
    }
}

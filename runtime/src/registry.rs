//! The process-wide registry of loaded modules' code: maps a PC to the wasm function containing
//! it and to the trap site at it. Read by the signal handler and the backtrace walker.
//!
//! Must never take a lock, allocate or free on the read path ([`lookup`]): it runs inside signal
//! handlers. Entries are append-only (a linked list published with atomics) and never freed.

use core::ptr;
use core::sync::atomic::{AtomicPtr, Ordering};
use std::sync::Mutex;

use wasmaot_abi::descriptor::{FunctionDesc, ModuleDescriptor};
use wasmaot_abi::trap::TrapCode;

/// One registered module: its code range and its functions sorted by address.
struct ModuleEntry {
    desc: &'static ModuleDescriptor,
    /// Lowest function start and highest function end: a quick reject.
    start: usize,
    end: usize,
    /// `(start, end, defined function index)`, sorted by start.
    funcs: Box<[(usize, usize, u32)]>,
    next: *const ModuleEntry,
}

static HEAD: AtomicPtr<ModuleEntry> = AtomicPtr::new(ptr::null_mut());
/// Serialises writers only (never taken by readers).
static WRITE_LOCK: Mutex<()> = Mutex::new(());

/// A PC resolved to a wasm function.
#[derive(Clone, Copy, Debug)]
pub struct CodeInfo {
    pub module: &'static ModuleDescriptor,
    pub func: &'static FunctionDesc,
    /// Function index (imported functions counted).
    pub func_index: u32,
    /// Offset of the PC from the function start.
    pub offset: u32,
}

impl CodeInfo {
    /// The trap site exactly at this PC, if any.
    pub fn trap_code(&self) -> Option<TrapCode> {
        // `find_trap_site` neither allocates nor panics, so the signal handler may call this.
        // SAFETY: the descriptor's slices are valid for the process lifetime.
        let encoded = unsafe { slice(self.func.traps.ptr, self.func.traps.len) };
        TrapCode::from_u8(wasmaot_abi::descriptor::find_trap_site(
            encoded,
            self.offset,
        )?)
    }

    /// The function inlined at this PC, if the PC is a trap site or call inside inlined code,
    /// as the frame of that function (its offset is meaningless: 0). A frame walk reports it as
    /// the frame just inside this one.
    pub fn inlined_frame(&self) -> Option<CodeInfo> {
        let n = self.func.inlined.len as usize;
        // SAFETY: the descriptor's slices are valid for the process lifetime; the n function
        // indices follow the n keys (`encode_inline_sites`). No allocation (signal handler).
        let keys = unsafe { slice(self.func.inlined.ptr, n as u64) };
        let i = keys.binary_search(&self.offset).ok()?;
        // SAFETY: as above.
        let func_index = unsafe { self.func.inlined.ptr.add(n + i).read() };
        let defined = func_index.checked_sub(self.module.counts.num_imported_funcs)?;
        // SAFETY: as above.
        let functions = unsafe { slice(self.module.functions.ptr, self.module.functions.len) };
        Some(CodeInfo {
            module: self.module,
            func: functions.get(defined as usize)?,
            func_index,
            offset: 0,
        })
    }

    /// The source position of this PC, if it is a trap site or call the module's DWARF gives a
    /// position for: the file's path, the line and the column (0: unknown). No allocation (the
    /// signal handler calls this).
    pub fn source_line(&self) -> Option<(&'static [u8], u32, u32)> {
        let n = self.func.lines.len as usize;
        // SAFETY: the descriptor's slices are valid for the process lifetime; the keys are
        // followed by n file indices, n lines and n columns (`encode_source_lines`).
        let keys = unsafe { slice(self.func.lines.ptr, n as u64) };
        let i = keys.binary_search(&self.offset).ok()?;
        // SAFETY: as above.
        let (file, line, column) = unsafe {
            let p = self.func.lines.ptr;
            (
                p.add(n + i).read(),
                p.add(2 * n + i).read(),
                p.add(3 * n + i).read(),
            )
        };
        // SAFETY: as above.
        let files = unsafe { slice(self.module.source_files.ptr, self.module.source_files.len) };
        let path = files.get(file as usize)?;
        // SAFETY: as above.
        Some((unsafe { slice(path.ptr, path.len) }, line, column))
    }

    /// The function's name bytes (may be empty).
    pub fn name(&self) -> &'static [u8] {
        // SAFETY: as above.
        unsafe { slice(self.func.name.ptr, self.func.name.len) }
    }
}

/// A descriptor slice as a Rust slice (null/empty tolerated).
///
/// # Safety
/// `(ptr, len)` must describe valid memory that lives for `'static`.
pub(crate) unsafe fn slice<T>(ptr: *const T, len: u64) -> &'static [T] {
    if len == 0 || ptr.is_null() {
        &[]
    } else {
        // SAFETY: caller's contract.
        unsafe { core::slice::from_raw_parts(ptr, len as usize) }
    }
}

/// Registers a module's functions (idempotent per descriptor).
pub fn register(desc: &'static ModuleDescriptor) {
    let _guard = WRITE_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let mut cur = HEAD.load(Ordering::Acquire).cast_const();
    while !cur.is_null() {
        // SAFETY: entries are leaked and never freed.
        let e = unsafe { &*cur };
        if ptr::eq(e.desc, desc) {
            return;
        }
        cur = e.next;
    }
    // SAFETY: the descriptor's slices are valid for the process lifetime.
    let functions = unsafe { slice(desc.functions.ptr, desc.functions.len) };
    // Sized up front: growing it step by step costs musl's allocator a mapping per step.
    let mut funcs: Vec<(usize, usize, u32)> = Vec::with_capacity(functions.len());
    funcs.extend(
        functions
            .iter()
            .enumerate()
            .filter(|(_, f)| !f.code.is_null())
            .map(|(i, f)| {
                (
                    f.code as usize,
                    f.code as usize + f.code_len as usize,
                    i as u32,
                )
            }),
    );
    funcs.sort_unstable();
    let start = funcs.first().map_or(0, |f| f.0);
    let end = funcs.iter().map(|f| f.1).max().unwrap_or(0);
    let entry = Box::new(ModuleEntry {
        desc,
        start,
        end,
        funcs: funcs.into_boxed_slice(),
        next: HEAD.load(Ordering::Acquire),
    });
    HEAD.store(Box::into_raw(entry), Ordering::Release);
}

/// Resolves `pc` to the wasm function containing it. Async-signal-safe.
pub fn lookup(pc: usize) -> Option<CodeInfo> {
    let mut cur = HEAD.load(Ordering::Acquire).cast_const();
    while !cur.is_null() {
        // SAFETY: entries are leaked and never freed; published with Release.
        let e = unsafe { &*cur };
        if pc >= e.start && pc < e.end {
            let i = e.funcs.partition_point(|f| f.0 <= pc);
            if i > 0 {
                let (start, end, idx) = e.funcs[i - 1];
                if pc < end {
                    // SAFETY: descriptor slices live for the process lifetime.
                    let functions = unsafe { slice(e.desc.functions.ptr, e.desc.functions.len) };
                    return Some(CodeInfo {
                        module: e.desc,
                        func: &functions[idx as usize],
                        func_index: e.desc.counts.num_imported_funcs + idx,
                        offset: (pc - start) as u32,
                    });
                }
            }
        }
        cur = e.next;
    }
    None
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use wasmaot_abi::descriptor::{InlineSite, Slice, Str, TrapSite};

    /// A leaked descriptor whose functions live at the given fake addresses.
    pub(crate) fn fake_module(
        funcs: &[(usize, u64, &'static [TrapSite], &'static [InlineSite])],
    ) -> &'static ModuleDescriptor {
        let fs: Vec<FunctionDesc> = funcs
            .iter()
            .map(|&(code, len, traps, inlined)| FunctionDesc {
                code: code as *const u8,
                code_len: len,
                entry: code as *const u8,
                tail_entry: core::ptr::null(),
                name: Str {
                    ptr: b"f".as_ptr(),
                    len: 1,
                },
                traps: {
                    let encoded = Vec::leak(wasmaot_abi::descriptor::encode_trap_sites(traps));
                    Slice {
                        ptr: encoded.as_ptr(),
                        len: encoded.len() as u64,
                    }
                },
                inlined: Slice {
                    ptr: Vec::leak(wasmaot_abi::descriptor::encode_inline_sites(inlined)).as_ptr(),
                    len: inlined.len() as u64,
                },
                lines: Slice {
                    ptr: core::ptr::null(),
                    len: 0,
                },
            })
            .collect();
        let fs: &'static [FunctionDesc] = Vec::leak(fs);
        let mut d = crate::instance::tests::empty_descriptor();
        d.counts.num_imported_funcs = 2;
        d.functions = Slice {
            ptr: fs.as_ptr(),
            len: fs.len() as u64,
        };
        Box::leak(Box::new(d))
    }

    #[test]
    fn lookup_finds_function_and_trap_site() {
        static TRAPS: [TrapSite; 2] = [
            TrapSite {
                offset: 4,
                code: TrapCode::MemoryOutOfBounds as u8,
                _pad: [0; 3],
            },
            TrapSite {
                offset: 9,
                code: TrapCode::UnreachableCodeReached as u8,
                _pad: [0; 3],
            },
        ];
        let base = 0x7fff_0000_0000usize;
        static INLINED: [InlineSite; 2] = [
            InlineSite { key: 4, func: 3 },
            InlineSite { key: 0x17, func: 3 },
        ];
        let m = fake_module(&[
            (base + 0x100, 0x20, &TRAPS, &INLINED),
            (base, 0x10, &[], &[]),
        ]);
        register(m);
        register(m);
        assert!(lookup(base - 1).is_none());
        let i = lookup(base + 3).unwrap();
        assert_eq!((i.func_index, i.offset), (3, 3));
        assert!(i.trap_code().is_none());
        assert!(lookup(base + 0x10).is_none());
        let i = lookup(base + 0x104).unwrap();
        assert_eq!(i.func_index, 2);
        assert_eq!(i.trap_code(), Some(TrapCode::MemoryOutOfBounds));
        assert_eq!(
            lookup(base + 0x109).unwrap().trap_code(),
            Some(TrapCode::UnreachableCodeReached)
        );
        assert_eq!(i.name(), b"f");
        assert!(lookup(base + 0x120).is_none());
        // Inline sites: the trap site at 4 and the call ending at 0x17 are function 3's code.
        let inlined = i.inlined_frame().unwrap();
        assert_eq!((inlined.func_index, inlined.offset), (3, 0));
        assert_eq!(inlined.func.code as usize, base);
        assert_eq!(
            lookup(base + 0x117)
                .unwrap()
                .inlined_frame()
                .unwrap()
                .func_index,
            3
        );
        assert!(lookup(base + 0x109).unwrap().inlined_frame().is_none());
        assert!(lookup(base + 3).unwrap().inlined_frame().is_none());
    }
}

//! End-to-end tests of the trap path without the compiler: hand-assembled "wasm functions"
//! (frame-pointer prologues, a faulting load, `ud2`/`udf`, a call into a builtin) are
//! registered as a module, run in a child process (a trap exits it), and the child's exit
//! status and stderr are checked. Set `WASMAOT_TEST_RUNNER` (e.g.
//! `qemu-aarch64 -L /usr/aarch64-linux-gnu`) to run the children under an emulator.
//!
//! Must never trap in the test process itself outside a catch point (library mode,
//! `library_mode_catches_traps_in_process`).

use std::os::unix::process::ExitStatusExt;
use std::process::Command;

use wasmaot_abi::descriptor::{FunctionDesc, ModuleDescriptor, Slice, TrapSite};
use wasmaot_abi::trap::TrapCode;

const CHILD_ENV: &str = "WASMAOT_TRAP_CHILD";

// Assembled with `as` / `aarch64-linux-gnu-as`; see the function list below for the layout.
#[cfg(target_arch = "x86_64")]
const CODE: &[u8] = &[
    // f_load(addr): push rbp; mov rbp,rsp; mov eax,[rdi]; pop rbp; ret
    0x55, 0x48, 0x89, 0xe5, 0x8b, 0x07, 0x5d, 0xc3, //
    // g_call(addr): push rbp; mov rbp,rsp; call f_load; pop rbp; ret
    0x55, 0x48, 0x89, 0xe5, 0xe8, 0xef, 0xff, 0xff, 0xff, 0x5d, 0xc3, //
    // u_trap: push rbp; mov rbp,rsp; ud2
    0x55, 0x48, 0x89, 0xe5, 0x0f, 0x0b, //
    // store(addr): push rbp; mov rbp,rsp; mov [rdi],eax; pop rbp; ret
    0x55, 0x48, 0x89, 0xe5, 0x89, 0x07, 0x5d, 0xc3, //
    // b_call(vmctx, builtin): builtin(vmctx, 0, 0x10000, 0, 1)
    0x55, 0x48, 0x89, 0xe5, 0x48, 0x89, 0xf0, 0xbe, 0x00, 0x00, 0x00, 0x00, 0xba, 0x00, 0x00, 0x01,
    0x00, 0xb9, 0x00, 0x00, 0x00, 0x00, 0x41, 0xb8, 0x01, 0x00, 0x00, 0x00, 0xff, 0xd0, 0x5d, 0xc3,
];
/// `(offset, len, trap site offset)` of f_load, g_call, u_trap, store, b_call.
#[cfg(target_arch = "x86_64")]
const FUNCS: [(usize, u64, Option<u32>); 5] = [
    (0, 8, Some(4)),
    (8, 11, None),
    (0x13, 6, Some(4)),
    (0x19, 8, None),
    (0x21, 32, None),
];

#[cfg(target_arch = "aarch64")]
const CODE_WORDS: [u32; 28] = [
    // f_load
    0xa9bf7bfd, 0x910003fd, 0xb9400000, 0xa8c17bfd, 0xd65f03c0, //
    // g_call
    0xa9bf7bfd, 0x910003fd, 0x97fffff9, 0xa8c17bfd, 0xd65f03c0, //
    // u_trap
    0xa9bf7bfd, 0x910003fd, 0x00000000, //
    // store
    0xa9bf7bfd, 0x910003fd, 0xb9000000, 0xa8c17bfd, 0xd65f03c0, //
    // b_call
    0xa9bf7bfd, 0x910003fd, 0xaa0103f0, 0x52800001, 0x52a00022, 0x52800003, 0x52800024, 0xd63f0200,
    0xa8c17bfd, 0xd65f03c0,
];
#[cfg(target_arch = "aarch64")]
const FUNCS: [(usize, u64, Option<u32>); 5] = [
    (0, 0x14, Some(8)),
    (0x14, 0x14, None),
    (0x28, 0xc, Some(8)),
    (0x34, 0x14, None),
    (0x48, 0x28, None),
];

const NAMES: [&[u8]; 5] = [b"f_load", b"", b"u_trap", b"store", b"b_call"];
const TRAP_CODES: [TrapCode; 5] = [
    TrapCode::MemoryOutOfBounds,
    TrapCode::MemoryOutOfBounds,
    TrapCode::UnreachableCodeReached,
    TrapCode::MemoryOutOfBounds,
    TrapCode::MemoryOutOfBounds,
];

fn code_bytes() -> Vec<u8> {
    #[cfg(target_arch = "x86_64")]
    return CODE.to_vec();
    #[cfg(target_arch = "aarch64")]
    return CODE_WORDS.iter().flat_map(|w| w.to_le_bytes()).collect();
}

/// Copies `code` into a fresh executable mapping (never unmapped) and returns its address.
fn map_code(code: &[u8]) -> usize {
    assert!(code.len() <= 4096);
    // SAFETY: a fresh mapping, written then made read+exec.
    unsafe {
        let p = libc::mmap(
            core::ptr::null_mut(),
            4096,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        );
        assert_ne!(p, libc::MAP_FAILED);
        core::ptr::copy_nonoverlapping(code.as_ptr(), p.cast::<u8>(), code.len());
        assert_eq!(
            libc::mprotect(p, 4096, libc::PROT_READ | libc::PROT_EXEC),
            0
        );
        #[cfg(target_arch = "aarch64")]
        {
            unsafe extern "C" {
                fn __clear_cache(start: *mut libc::c_char, end: *mut libc::c_char);
            }
            __clear_cache(p.cast(), p.cast::<libc::c_char>().add(code.len()));
        }
        p as usize
    }
}

/// A test function: `(address, len, name, trap site (offset, code))`.
type TestFunc = (usize, u64, &'static [u8], Option<(u32, TrapCode)>);

/// Leaked function descriptors.
fn function_descs(funcs: &[TestFunc]) -> Slice<FunctionDesc> {
    let fs: Vec<FunctionDesc> = funcs
        .iter()
        .map(|&(code, len, name, site)| {
            let traps: &'static [TrapSite] = match site {
                Some((o, c)) => Vec::leak(vec![TrapSite {
                    offset: o,
                    code: c as u8,
                    _pad: [0; 3],
                }]),
                None => &[],
            };
            FunctionDesc {
                code: code as *const u8,
                code_len: len,
                entry: code as *const u8,
                tail_entry: core::ptr::null(),
                name: Slice {
                    ptr: name.as_ptr(),
                    len: name.len() as u64,
                },
                traps: {
                    let encoded = Vec::leak(wasmaot_abi::descriptor::encode_trap_sites(traps));
                    Slice {
                        ptr: encoded.as_ptr(),
                        len: encoded.len() as u64,
                    }
                },
                inlined: Slice {
                    ptr: core::ptr::null(),
                    len: 0,
                },
                lines: Slice {
                    ptr: core::ptr::null(),
                    len: 0,
                },
            }
        })
        .collect();
    let fs: &'static [FunctionDesc] = Vec::leak(fs);
    Slice {
        ptr: fs.as_ptr(),
        len: fs.len() as u64,
    }
}

/// Maps the code executable and registers it as a module; returns the function addresses.
fn load() -> [usize; 5] {
    let base = map_code(&code_bytes());
    let funcs: Vec<_> = FUNCS
        .iter()
        .enumerate()
        .map(|(i, &(off, len, site))| (base + off, len, NAMES[i], site.map(|o| (o, TRAP_CODES[i]))))
        .collect();
    let mut d = crate::instance::tests::empty_descriptor();
    d.functions = function_descs(&funcs);
    let d: &'static ModuleDescriptor = Box::leak(Box::new(d));
    crate::registry::register(d);
    core::array::from_fn(|i| base + FUNCS[i].0)
}

// `rec(vmctx)`: a recursive function with a Cranelift-style stack-limit check in its prologue
// (`SP < vmctx.stack_limit` -> trap StackOverflow), 64 bytes of stack per call.
#[cfg(target_arch = "x86_64")]
const REC: &[u8] = &[
    0x55, 0x48, 0x89, 0xe5, 0x48, 0x3b, 0x67, 0x10, 0x72, 0x0f, 0x48, 0x83, 0xec, 0x30, 0xe8, 0xed,
    0xff, 0xff, 0xff, 0x48, 0x83, 0xc4, 0x30, 0x5d, 0xc3, 0x0f, 0x0b,
];
#[cfg(target_arch = "x86_64")]
const REC_TRAP_OFFSET: u32 = 0x19;
#[cfg(target_arch = "aarch64")]
const REC_WORDS: [u32; 12] = [
    0xa9bf7bfd, 0x910003fd, 0xf9400810, 0x910003f1, 0xeb10023f, 0x540000c3, 0xd100c3ff, 0x97fffff9,
    0x9100c3ff, 0xa8c17bfd, 0xd65f03c0, 0x00000000,
];
#[cfg(target_arch = "aarch64")]
const REC_TRAP_OFFSET: u32 = 0x2c;

fn rec_bytes() -> Vec<u8> {
    #[cfg(target_arch = "x86_64")]
    return REC.to_vec();
    #[cfg(target_arch = "aarch64")]
    return REC_WORDS.iter().flat_map(|w| w.to_le_bytes()).collect();
}

/// The array-call trampoline for `[] -> []`, as the compiler would emit it.
unsafe extern "C" fn trampoline_void(code: *const u8, vmctx: *mut u8, _values: *mut crate::ValRaw) {
    // SAFETY: `code` is a `(vmctx) -> ()` function.
    unsafe { core::mem::transmute::<*const u8, unsafe extern "C" fn(*mut u8)>(code)(vmctx) }
}

extern "C" fn start_ok(_vmctx: *mut u8) {
    println!("started");
}

/// A module whose only function, exported as `_start`, is `code` (`[] -> []`).
fn start_module(code: usize, len: u64, site: Option<(u32, TrapCode)>) -> &'static ModuleDescriptor {
    use wasmaot_abi::descriptor::{ExportDesc, SigDesc, extern_kind};
    let counts = wasmaot_abi::vmctx::ModuleCounts {
        num_types: 1,
        num_funcs: 1,
        ..Default::default()
    };
    let mut d = crate::instance::tests::empty_descriptor();
    d.counts = counts;
    d.vmctx_size = wasmaot_abi::vmctx::VmOffsets::new(counts).size as u64;
    let types: &'static [SigDesc] = Vec::leak(vec![SigDesc {
        params: Slice {
            ptr: core::ptr::null(),
            len: 0,
        },
        results: Slice {
            ptr: core::ptr::null(),
            len: 0,
        },
        refs: Slice {
            ptr: core::ptr::null(),
            len: 0,
        },
        array_call: trampoline_void as *const u8,
    }]);
    d.types = Slice {
        ptr: types.as_ptr(),
        len: 1,
    };
    static FUNC_TYPES: [u32; 1] = [0];
    d.func_types = Slice {
        ptr: FUNC_TYPES.as_ptr(),
        len: 1,
    };
    d.functions = function_descs(&[(code, len, b"rec", site)]);
    let exports: &'static [ExportDesc] = Vec::leak(vec![ExportDesc {
        name: Slice {
            ptr: b"_start".as_ptr(),
            len: 6,
        },
        kind: extern_kind::FUNC,
        _pad: [0; 3],
        index: 0,
    }]);
    d.exports = Slice {
        ptr: exports.as_ptr(),
        len: 1,
    };
    static POLICY: &[u8] = b"env\tA=b\n";
    d.policy = Slice {
        ptr: POLICY.as_ptr(),
        len: POLICY.len() as u64,
    };
    Box::leak(Box::new(d))
}

/// Runs `wasmaot_rt_main` on `module` and exits with its status.
fn run_main(module: &'static ModuleDescriptor) -> ! {
    let arg0 = c"prog";
    let argv = [arg0.as_ptr(), core::ptr::null()];
    // SAFETY: a valid argv and a leaked descriptor.
    let rc = unsafe { crate::entry::wasmaot_rt_main(1, argv.as_ptr(), module) };
    std::process::exit(rc)
}

/// The body of the child process: runs `scenario` on a prepared thread.
fn child(scenario: &str) {
    match scenario {
        "entry_ok" => run_main(start_module(start_ok as *const () as usize, 1, None)),
        "entry_overflow" => {
            let rec = rec_bytes();
            let base = map_code(&rec);
            run_main(start_module(
                base,
                rec.len() as u64,
                Some((REC_TRAP_OFFSET, TrapCode::StackOverflow)),
            ))
        }
        "entry_bad_abi" => {
            let mut d = crate::instance::tests::empty_descriptor();
            d.abi_version = 999;
            run_main(Box::leak(Box::new(d)))
        }
        _ => {}
    }
    let f = load();
    crate::trap::signals::install();
    let scenario = scenario.to_string();
    std::thread::Builder::new()
        .stack_size(4 << 20)
        .spawn(move || {
            crate::stack::init_current_thread();
            type F1 = unsafe extern "C" fn(usize) -> u32;
            type F2 = unsafe extern "C" fn(*mut u8, usize);
            // SAFETY: calling the hand-assembled functions with the arguments they expect;
            // every scenario ends the process.
            unsafe {
                let call1 = |i: usize, arg: usize| core::mem::transmute::<usize, F1>(f[i])(arg);
                match scenario.as_str() {
                    "load" => {
                        let mut m = crate::memory::LinearMemory::new(1, 1).unwrap();
                        let addr = (*m.definition()).base as usize + 65536 + 16;
                        call1(1, addr);
                    }
                    "unreachable" => {
                        call1(2, 0);
                    }
                    "stack" => {
                        let (low, _) = crate::stack::thread_stack_bounds();
                        call1(3, low - 16);
                    }
                    "builtin" => {
                        let inst = crate::Instance::new(
                            crate::instance::tests::test_module(),
                            crate::Imports::new(),
                        )
                        .unwrap();
                        let b: F2 = core::mem::transmute::<usize, F2>(f[4]);
                        b(
                            inst.vmctx(),
                            crate::builtins::wasmaot_rt_memory_init as *const () as usize,
                        );
                    }
                    "wild_store" => {
                        call1(3, 16);
                    }
                    "host_crash" => {
                        core::ptr::read_volatile(
                            core::ptr::null::<u8>().add(std::hint::black_box(8)),
                        );
                    }
                    _ => {}
                }
            }
            eprintln!("scenario returned");
            std::process::exit(3);
        })
        .unwrap()
        .join()
        .unwrap();
}

/// The entry of the child processes the tests below start (`run_child`): not a test of its
/// own, so it is ignored in normal runs (it used to "pass" there by doing nothing); a child
/// runs it with `--ignored`.
#[test]
#[ignore = "the entry point of trap-test child processes, run by run_child"]
fn trap_child() {
    let scenario = std::env::var(CHILD_ENV).expect("run only as a child by run_child");
    child(&scenario);
}

/// Runs a scenario in a child; returns (exit code or -signal, stderr).
fn run_child(scenario: &str) -> (i32, String) {
    let (status, _, stderr) = run_child_full(scenario);
    (status, stderr)
}

/// Runs a scenario in a child; returns (exit code or -signal, stdout, stderr).
fn run_child_full(scenario: &str) -> (i32, String, String) {
    let exe = std::env::current_exe().unwrap();
    let runner = std::env::var("WASMAOT_TEST_RUNNER").unwrap_or_default();
    let mut parts = runner.split_whitespace();
    let mut cmd = match parts.next() {
        Some(r) => {
            let mut c = Command::new(r);
            c.args(parts).arg(&exe);
            c
        }
        None => Command::new(&exe),
    };
    let out = cmd
        .args([
            "--exact",
            "trap::tests::trap_child",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, scenario)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let status = out
        .status
        .code()
        .unwrap_or_else(|| -out.status.signal().unwrap_or(0));
    (status, stdout, stderr)
}

fn assert_trap(scenario: &str, expected: &str) {
    let (status, stderr) = run_child(scenario);
    assert_eq!(status, 134, "{scenario}: {stderr}");
    assert!(
        stderr.contains(expected),
        "{scenario}: expected\n{expected}\ngot\n{stderr}"
    );
}

#[test]
fn memory_fault_at_trap_site_is_a_trap_with_backtrace() {
    assert_trap(
        "load",
        "wasm trap: out of bounds memory access\nwasm backtrace:\n    0: f_load\n    1: <wasm function 1>\n",
    );
}

#[test]
fn explicit_trap_instruction() {
    assert_trap(
        "unreachable",
        "wasm trap: wasm `unreachable` instruction executed\nwasm backtrace:\n    0: u_trap\n",
    );
}

#[test]
fn fault_in_stack_guard_is_stack_overflow() {
    assert_trap(
        "stack",
        "wasm trap: call stack exhausted\nwasm backtrace:\n    0: store\n",
    );
}

#[test]
fn builtin_trap_reports_its_wasm_caller() {
    assert_trap(
        "builtin",
        "wasm trap: out of bounds memory access\nwasm backtrace:\n    0: b_call\n",
    );
}

#[test]
fn faults_that_are_not_wasm_traps_stay_crashes() {
    for scenario in ["wild_store", "host_crash"] {
        let (status, stderr) = run_child(scenario);
        assert!(
            status == -libc::SIGSEGV || status == -libc::SIGBUS,
            "{scenario}: status {status}, stderr {stderr}"
        );
        assert!(!stderr.contains("wasm trap"), "{stderr}");
    }
}

#[test]
fn entry_runs_start_and_exits_zero() {
    let (status, stdout, stderr) = run_child_full("entry_ok");
    assert_eq!(status, 0, "{stderr}");
    assert!(stdout.contains("started"), "{stdout}");
}

#[test]
fn entry_deep_recursion_is_call_stack_exhausted() {
    let (status, stderr) = run_child("entry_overflow");
    assert_eq!(status, 134, "{stderr}");
    assert!(
        stderr
            .contains("wasm trap: call stack exhausted\nwasm backtrace:\n    0: rec\n    1: rec\n"),
        "{stderr}"
    );
    assert!(stderr.contains(" more frames\n"), "{stderr}");
}

#[test]
fn entry_instantiation_error_exits_one() {
    let (status, stderr) = run_child("entry_bad_abi");
    assert_eq!(status, 1, "{stderr}");
    assert!(
        stderr.contains("error: module was compiled for runtime ABI version 999"),
        "{stderr}"
    );
}

/// Library mode, in this process: every kind of trap comes back as `Err` from `catch_traps`
/// (and from `Instance::call_export` under a catch point), again and again, and the thread
/// keeps running wasm afterwards.
#[test]
fn library_mode_catches_traps_in_process() {
    use crate::trap::{catch_traps, catching};
    std::thread::Builder::new()
        .stack_size(16 << 20)
        .spawn(move || {
            let f = load();
            let rec = rec_bytes();
            let rec_module = start_module(
                map_code(&rec),
                rec.len() as u64,
                Some((REC_TRAP_OFFSET, TrapCode::StackOverflow)),
            );
            type F1 = unsafe extern "C" fn(usize) -> u32;
            type F2 = unsafe extern "C" fn(*mut u8, usize);
            // SAFETY: the hand-assembled functions with the arguments they expect.
            let call1 =
                |i: usize, arg: usize| unsafe { core::mem::transmute::<usize, F1>(f[i])(arg) };
            let mut m = crate::memory::LinearMemory::new(1, 1).unwrap();
            // SAFETY: a live memory.
            let base = unsafe { (*m.definition()).base as usize };
            let inst =
                crate::Instance::new(crate::instance::tests::test_module(), crate::Imports::new())
                    .unwrap();
            let rec_inst = crate::Instance::new(rec_module, crate::Imports::new()).unwrap();
            assert!(!catching());
            for _ in 0..200 {
                let t = catch_traps(|| call1(1, base + 65536 + 16)).unwrap_err();
                assert_eq!(t.code, TrapCode::MemoryOutOfBounds);
                let frames: Vec<u32> = t.backtrace.iter().map(|f| f.func_index).collect();
                assert_eq!(frames, [0, 1]);
                assert_eq!(t.backtrace[0].name.as_deref(), Some("f_load"));
                assert_eq!(t.to_string(), "wasm trap: out of bounds memory access");

                let t = catch_traps(|| call1(2, 0)).unwrap_err();
                assert_eq!(t.code, TrapCode::UnreachableCodeReached);

                // A builtin's trap takes the same path.
                let t = catch_traps(|| {
                    // SAFETY: b_call(vmctx, builtin) calls memory_init out of bounds.
                    unsafe {
                        core::mem::transmute::<usize, F2>(f[4])(
                            inst.vmctx(),
                            crate::builtins::wasmaot_rt_memory_init as *const () as usize,
                        )
                    }
                })
                .unwrap_err();
                assert_eq!(t.code, TrapCode::MemoryOutOfBounds);
                assert_eq!(t.backtrace[0].name.as_deref(), Some("b_call"));

                // Stack exhaustion (the handler runs on the alternate stack), through the
                // embedder API: call_export returns the trap under a catch point.
                let r = catch_traps(|| {
                    let mut v = [crate::ValRaw::default(); 1];
                    rec_inst.call_export("_start", &mut v)
                })
                .unwrap();
                assert_eq!(r.unwrap_err().code, TrapCode::StackOverflow);

                // No trap: the closure's value, and a load in bounds.
                // SAFETY: in bounds of the live memory.
                unsafe { (base as *mut u32).write(7) };
                assert_eq!(catch_traps(|| call1(1, base)), Ok(7));
                // Nested: the inner catch point takes the trap, the outer one continues.
                let outer = catch_traps(|| {
                    let inner = catch_traps(|| call1(2, 0));
                    assert!(catching());
                    inner.unwrap_err().code
                });
                assert_eq!(outer, Ok(TrapCode::UnreachableCodeReached));
                assert!(!catching());
            }
            drop(m);
        })
        .unwrap()
        .join()
        .unwrap();
}

//! The `spectest` host module every spec script may import from: `print*` host functions (they
//! print nothing), `global_i32`/`global_i64` = 666, `global_f32`/`global_f64` = 666.6, `table`
//! (10..20 funcref), `table64` (the same with i64 indices, memory64 proposal) and `memory`
//! (1..2 pages).

use std::collections::HashMap;

use wasmaot_abi::types::ValType;
use wasmaot_runtime::{Extern, Func, GlobalRef, LinearMemory, Table};

extern "C" fn print(_: *mut u8) {}
extern "C" fn print_i32(_: *mut u8, _: i32) {}
extern "C" fn print_i64(_: *mut u8, _: i64) {}
extern "C" fn print_f32(_: *mut u8, _: f32) {}
extern "C" fn print_f64(_: *mut u8, _: f64) {}
extern "C" fn print_i32_f32(_: *mut u8, _: i32, _: f32) {}
extern "C" fn print_f64_f64(_: *mut u8, _: f64, _: f64) {}

/// One script's `spectest` instance. Its table and memory are owned here and must outlive
/// every instance that imported them.
pub struct Spectest {
    externs: HashMap<&'static str, Extern>,
    table: *mut Table,
    table64: *mut Table,
    memory: *mut LinearMemory,
}

impl Spectest {
    pub fn new() -> Spectest {
        use ValType::*;
        let mut externs = HashMap::new();
        let func = |code: *const u8, params: &[ValType]| {
            let p: Vec<u8> = params.iter().map(|&t| t as u8).collect();
            Extern::Func(Func::host(code, &p, &[], core::ptr::null_mut()))
        };
        externs.insert("print", func(print as *const u8, &[]));
        externs.insert("print_i32", func(print_i32 as *const u8, &[I32]));
        externs.insert("print_i64", func(print_i64 as *const u8, &[I64]));
        externs.insert("print_f32", func(print_f32 as *const u8, &[F32]));
        externs.insert("print_f64", func(print_f64 as *const u8, &[F64]));
        externs.insert(
            "print_i32_f32",
            func(print_i32_f32 as *const u8, &[I32, F32]),
        );
        externs.insert(
            "print_f64_f64",
            func(print_f64_f64 as *const u8, &[F64, F64]),
        );
        let global = |ty: ValType, bits: u64| {
            // A 16-byte slot, leaked: globals are read by pointer for the process lifetime.
            let slot: &'static mut u128 = Box::leak(Box::new(bits as u128));
            Extern::Global(GlobalRef {
                ptr: (slot as *mut u128).cast(),
                ty: ty as u8,
                mutable: false,
                refs: &[],
            })
        };
        externs.insert("global_i32", global(I32, 666));
        externs.insert("global_i64", global(I64, 666));
        externs.insert("global_f32", global(F32, 666.6f32.to_bits() as u64));
        externs.insert("global_f64", global(F64, 666.6f64.to_bits()));
        let table = Box::into_raw(Table::new(10, 20, FuncRef as u8).expect("spectest table"));
        let mut t64 = Table::new(10, 20, FuncRef as u8).expect("spectest table64");
        t64.set_index64(true);
        let table64 = Box::into_raw(t64);
        let memory = Box::into_raw(LinearMemory::new(1, 2).expect("spectest memory"));
        externs.insert("table", Extern::Table(table));
        externs.insert("table64", Extern::Table(table64));
        externs.insert("memory", Extern::Memory(memory));
        Spectest {
            externs,
            table,
            table64,
            memory,
        }
    }

    pub fn get(&self, name: &str) -> Option<Extern> {
        self.externs.get(name).copied()
    }
}

impl Drop for Spectest {
    fn drop(&mut self) {
        // SAFETY: created by Box::into_raw in `new`; the script's instances are gone.
        unsafe {
            drop(Box::from_raw(self.table));
            drop(Box::from_raw(self.table64));
            drop(Box::from_raw(self.memory));
        }
    }
}

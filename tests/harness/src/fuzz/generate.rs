//! Module `i` of seed `s`: wasm-smith bytes from a generator seeded by `(s, i)` alone, so a
//! failure is reproduced by its seed and index; and the arguments each export is called with.
//!
//! The configuration is every feature wasmaot implements that wasm-smith can generate without
//! GC: SIMD and relaxed SIMD, exceptions (not the legacy ones), tail calls, memory64, two
//! memories, bulk memory, reference types, extended-const, multi-value, sign extension and
//! saturating conversions. wasm-smith ties typed function references to its GC switch, so
//! `call_ref` and typed references are not generated. Imports only from [`PROVIDER`] (a
//! wasm module, so both engines run the same code behind them), every entity exported,
//! NaNs canonicalised, sizes kept small, and loops and calls bounded by a fuel global.

use arbitrary::Unstructured;

use super::trace::Val;
use wasmaot_abi::leb128::{read_unsigned, write_unsigned};

/// Fuel of one call (and of instantiation): every loop iteration and function entry spends
/// one unit, and the code traps (`unreachable`) once it is gone.
pub const FUEL: u32 = 10_000;

/// How many argument sets each exported function is called with.
pub const ARG_SETS: usize = 3;

/// SplitMix64: small, fast, and the same everywhere.
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64, stream: u64) -> Rng {
        let mut r = Rng(seed ^ stream.wrapping_mul(0xd1b5_4a32_d192_ed03));
        r.next();
        r
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// The wasm-smith configuration (see the module doc) of variant `variant` (odd: no traps).
pub fn config(variant: u64) -> wasm_smith::Config {
    use wasm_smith::{InstructionKind as K, InstructionKinds};
    let no_traps = variant % 2 == 1;
    // Every other pair of modules is mostly SIMD (no scalar float, reference, table or
    // exception instructions), the riskiest part of the translator.
    let allowed_instructions = match variant % 4 {
        2 | 3 => InstructionKinds::new(&[
            K::Vector,
            K::NumericInt,
            K::Variable,
            K::Parametric,
            K::Memory,
            K::Control,
        ]),
        _ => InstructionKinds::all(),
    };
    wasm_smith::Config {
        allowed_instructions,
        // wasm-smith's code traps early and often (an `unreachable` in most functions):
        // half the modules are made without traps so that calls get further.
        disallow_traps: no_traps,
        // Features wasmaot implements.
        simd_enabled: true,
        relaxed_simd_enabled: true,
        exceptions_enabled: true,
        tail_call_enabled: true,
        memory64_enabled: true,
        bulk_memory_enabled: true,
        reference_types_enabled: true,
        extended_const_enabled: true,
        multi_value_enabled: true,
        sign_extension_ops_enabled: true,
        saturating_float_to_int_enabled: true,
        // Out of scope.
        gc_enabled: false,
        threads_enabled: false,
        shared_everything_threads_enabled: false,
        wide_arithmetic_enabled: false,
        custom_page_sizes_enabled: false,
        custom_descriptors_enabled: false,
        compact_imports_enabled: false,
        // Deterministic and self-contained.
        canonicalize_nans: true,
        export_everything: true,
        available_imports: Some(provider_imports()),
        max_imports: 6,
        generate_custom_sections: false,
        allow_invalid_funcs: false,
        // Small and fast.
        min_types: 2,
        min_funcs: 3,
        max_funcs: 12,
        max_instructions: 1000,
        max_types: 20,
        max_globals: 10,
        max_tags: 4,
        max_memories: 2,
        max_tables: 2,
        max_memory32_bytes: 4 << 16,
        max_memory64_bytes: 4 << 16,
        memory_max_size_required: true,
        max_table_elements: 64,
        table_max_size_required: true,
        max_data_segments: 8,
        max_element_segments: 8,
        max_elements: 16,
        max_nesting_depth: 8,
        ..wasm_smith::Config::default()
    }
}

/// The module every generated module may import from, as `env`: a memory of each index
/// type, a table, globals, a tag and functions, all in wasm so that both engines run the same
/// code behind the imports. One instance of it per generated module.
pub const PROVIDER: &str = r#"(module
  (memory (export "mem") 1 2)
  (memory (export "mem64") i64 1 2)
  (table (export "tab") 4 8 funcref)
  (global (export "g") (mut i32) (i32.const 7))
  (global (export "c") f64 (f64.const 1.5))
  (global (export "v") (mut v128) (v128.const i32x4 1 2 3 4))
  (tag (export "tag") (param i32))
  (func $add (export "add") (param i32 i32) (result i32)
    (i32.store (i32.const 16) (i32.add (local.get 0) (local.get 1)))
    (i32.add (local.get 0) (local.get 1)))
  (func $throw (export "throw") (param i32)
    (if (i32.and (local.get 0) (i32.const 1)) (then (throw 0 (local.get 0)))))
  (func $load (export "load") (param i64) (result i64)
    (i64.load (i32.wrap_i64 (local.get 0))))
  (elem (table 0) (i32.const 0) func $add $throw))"#;

/// The import declarations wasm-smith may choose from (`available_imports`): every export
/// of [`PROVIDER`], with its type.
fn provider_imports() -> Vec<u8> {
    wat::parse_str(
        r#"(module
          (import "env" "mem" (memory 1 2))
          (import "env" "mem64" (memory i64 1 2))
          (import "env" "tab" (table 4 8 funcref))
          (import "env" "g" (global (mut i32)))
          (import "env" "c" (global f64))
          (import "env" "v" (global (mut v128)))
          (import "env" "tag" (tag (param i32)))
          (import "env" "add" (func (param i32 i32) (result i32)))
          (import "env" "throw" (func (param i32)))
          (import "env" "load" (func (param i64) (result i64))))"#,
    )
    .expect("the provider's imports parse")
}

/// Module `index` of `seed`, fuel-bounded (the configuration variant is `index`, see
/// [`config`]); `Err` if wasm-smith could not make one.
pub fn module(seed: u64, index: u64) -> Result<Vec<u8>, String> {
    let mut rng = Rng::new(seed, index);
    let len = 4096 + (rng.next() % 28672) as usize;
    let bytes: Vec<u8> = (0..len.div_ceil(8))
        .flat_map(|_| rng.next().to_le_bytes())
        .collect();
    let mut u = Unstructured::new(&bytes);
    let mut m = wasm_smith::Module::new(config(index), &mut u).map_err(|e| e.to_string())?;
    let fuel = m.ensure_termination(FUEL).map_err(|e| e.to_string())?;
    export_global(&m.to_bytes(), FUEL_EXPORT, fuel)
}

/// The optimisation level and CPU level wasmaot compiles module `index` at: every third one
/// at `-O0` (Cranelift's other pipeline; the oracle always optimises), every fifth one with
/// `--cpu native` (the oracle then uses this machine's features too).
pub fn compile_levels(index: u64) -> (wasmaot::OptLevel, wasmaot::Cpu) {
    let opt = match index % 3 {
        2 => wasmaot::OptLevel::O0,
        _ => wasmaot::OptLevel::O2,
    };
    let cpu = match index % 5 {
        4 => wasmaot::Cpu::Native,
        _ => wasmaot::Cpu::Baseline,
    };
    (opt, cpu)
}

/// The export name of the fuel global, which both engines refill to [`FUEL`] before each
/// call (so a call that recursed until the fuel ran out does not starve the next ones).
pub const FUEL_EXPORT: &str = "__fuel";

/// `wasm` with one more export: global `index` as `name` (wasm-smith adds the fuel global
/// after choosing the exports). Appended to the export section, or a new section where the
/// section order puts it (after the global section, before start).
fn export_global(wasm: &[u8], name: &str, index: u32) -> Result<Vec<u8>, String> {
    let mut entry = Vec::new();
    write_unsigned(&mut entry, name.len() as u64);
    entry.extend_from_slice(name.as_bytes());
    entry.push(0x03); // global
    write_unsigned(&mut entry, index as u64);

    let mut out = wasm[..8].to_vec();
    let mut pos = 8;
    let mut done = false;
    while pos < wasm.len() {
        let id = wasm[pos];
        let (size, n) = read_unsigned(&wasm[pos + 1..]).ok_or("bad section size")?;
        let body = pos + 1 + n;
        let end = body + size as usize;
        // Known sections after the export section: start (8), element (9), code (10),
        // data (11), data count (12). Custom sections (0) may sit anywhere.
        if !done && id == 7 {
            let (count, m) = read_unsigned(&wasm[body..]).ok_or("bad export count")?;
            let mut sec = Vec::new();
            write_unsigned(&mut sec, count + 1);
            sec.extend_from_slice(&wasm[body + m..end]);
            sec.extend_from_slice(&entry);
            section(&mut out, 7, &sec);
            done = true;
        } else {
            if !done && (8..=12).contains(&id) {
                let mut sec = vec![1];
                sec.extend_from_slice(&entry);
                section(&mut out, 7, &sec);
                done = true;
            }
            out.extend_from_slice(&wasm[pos..end]);
        }
        pos = end;
    }
    if !done {
        let mut sec = vec![1];
        sec.extend_from_slice(&entry);
        section(&mut out, 7, &sec);
    }
    Ok(out)
}

fn section(out: &mut Vec<u8>, id: u8, body: &[u8]) {
    out.push(id);
    write_unsigned(out, body.len() as u64);
    out.extend_from_slice(body);
}

/// A parameter's type, as far as choosing an argument goes.
#[derive(Clone, Copy, Debug)]
pub enum ArgType {
    I32,
    I64,
    F32,
    F64,
    V128,
    /// Any reference: only null is passed (the host has no references of its own).
    Ref,
}

/// Argument set `set` (0: zeros; 1: small values and ones; others: random bits) for
/// `params`, drawn from `rng`.
pub fn args(params: &[ArgType], set: usize, rng: &mut Rng) -> Vec<Val> {
    params
        .iter()
        .map(|t| {
            let bits = match set {
                0 => 0,
                1 => rng.next() % 3, // 0, 1, 2
                _ => rng.next(),
            };
            let wide = ((rng.next() as u128) << 64) | bits as u128;
            match t {
                ArgType::I32 => Val::I32(bits as u32),
                ArgType::I64 => Val::I64(bits),
                ArgType::F32 if set == 1 => Val::F32((bits as f32).to_bits()),
                ArgType::F64 if set == 1 => Val::F64((bits as f64).to_bits()),
                ArgType::F32 => Val::F32(bits as u32),
                ArgType::F64 => Val::F64(bits),
                ArgType::V128 if set < 2 => Val::V128(bits as u128),
                ArgType::V128 => Val::V128(wide),
                ArgType::Ref => Val::Ref { null: true },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn export_names(wasm: &[u8]) -> Vec<String> {
        wasmparser::Parser::new(0)
            .parse_all(wasm)
            .filter_map(|p| match p.unwrap() {
                wasmparser::Payload::ExportSection(r) => Some(r),
                _ => None,
            })
            .flat_map(|r| r.into_iter().map(|e| e.unwrap().name.to_string()))
            .collect()
    }

    #[test]
    fn modules_are_deterministic_valid_and_export_the_fuel() {
        for i in 0..8 {
            let a = module(1, i).unwrap();
            assert_eq!(a, module(1, i).unwrap(), "module {i} differs between runs");
            let mut v = wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all());
            v.validate_all(&a).unwrap();
            assert!(
                export_names(&a).iter().any(|n| n == FUEL_EXPORT),
                "module {i}"
            );
        }
    }

    #[test]
    fn an_export_section_is_added_where_none_was() {
        let wasm =
            wat::parse_str("(module (global (mut i32) (i32.const 0)) (func) (start 0))").unwrap();
        let out = export_global(&wasm, "g", 0).unwrap();
        wasmparser::Validator::new().validate_all(&out).unwrap();
        assert_eq!(export_names(&out), ["g"]);
    }
}

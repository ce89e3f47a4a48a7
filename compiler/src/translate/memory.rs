//! Linear-memory operators: loads, stores, `memory.size`/`grow` and bulk memory. Addresses and
//! everything runtime-specific come from the environment.

use cranelift_codegen::ir::{InstBuilder, types};
use wasmparser::{MemArg, MemArgTarget, Operator};

use super::Translator;
use crate::error::Result;

/// The kind of a load.
#[derive(Clone, Copy)]
enum Load {
    /// Full width of the type.
    Plain,
    S8,
    U8,
    S16,
    U16,
    S32,
    U32,
}

pub(super) fn translate(t: &mut Translator, op: &Operator) -> Result<bool> {
    use Operator as O;
    use types::{F32, F64, I32, I64};
    match op {
        O::I32Load { memarg } => load(t, memarg, I32, Load::Plain),
        O::I64Load { memarg } => load(t, memarg, I64, Load::Plain),
        O::F32Load { memarg } => load(t, memarg, F32, Load::Plain),
        O::F64Load { memarg } => load(t, memarg, F64, Load::Plain),
        O::I32Load8S { memarg } => load(t, memarg, I32, Load::S8),
        O::I32Load8U { memarg } => load(t, memarg, I32, Load::U8),
        O::I32Load16S { memarg } => load(t, memarg, I32, Load::S16),
        O::I32Load16U { memarg } => load(t, memarg, I32, Load::U16),
        O::I64Load8S { memarg } => load(t, memarg, I64, Load::S8),
        O::I64Load8U { memarg } => load(t, memarg, I64, Load::U8),
        O::I64Load16S { memarg } => load(t, memarg, I64, Load::S16),
        O::I64Load16U { memarg } => load(t, memarg, I64, Load::U16),
        O::I64Load32S { memarg } => load(t, memarg, I64, Load::S32),
        O::I64Load32U { memarg } => load(t, memarg, I64, Load::U32),
        O::I32Store { memarg } | O::F32Store { memarg } => store(t, memarg, 32),
        O::I64Store { memarg } | O::F64Store { memarg } => store(t, memarg, 64),
        O::I32Store8 { memarg } | O::I64Store8 { memarg } => store(t, memarg, 8),
        O::I32Store16 { memarg } | O::I64Store16 { memarg } => store(t, memarg, 16),
        O::I64Store32 { memarg } => store(t, memarg, 32),
        O::MemorySize { mem } => {
            let v = t.env.memory_size(&mut t.b, *mem);
            t.st.push(v);
        }
        O::MemoryGrow { mem } => {
            let delta = t.st.pop();
            let v = t.env.memory_grow(&mut t.b, *mem, delta);
            t.st.push(v);
        }
        O::MemoryFill { mem } => {
            let (dst, byte, len) = t.st.pop3();
            t.env.memory_fill(&mut t.b, *mem, dst, byte, len);
        }
        O::MemoryCopy { dst_mem, src_mem } => {
            let (dst, src, len) = t.st.pop3();
            t.env
                .memory_copy(&mut t.b, *dst_mem, *src_mem, dst, src, len);
        }
        O::MemoryInit { data_index, mem } => {
            let (dst, src, len) = t.st.pop3();
            t.env
                .memory_init(&mut t.b, *mem, *data_index, dst, src, len);
        }
        O::DataDrop { data_index } => t.env.data_drop(&mut t.b, *data_index),
        _ => return Ok(false),
    }
    Ok(true)
}

/// The memory a `MemArg` addresses (GC arrays are not part of wasm 2.0, which the validator
/// enforces).
pub(super) fn memory_index(memarg: &MemArg) -> u32 {
    match memarg.target {
        MemArgTarget::Memory(m) => m,
        MemArgTarget::Array(_) => unreachable!("GC array accesses are rejected by validation"),
    }
}

fn load(t: &mut Translator, memarg: &MemArg, ty: types::Type, kind: Load) {
    let index = t.st.pop();
    let size = match kind {
        Load::Plain => ty.bytes(),
        Load::S8 | Load::U8 => 1,
        Load::S16 | Load::U16 => 2,
        Load::S32 | Load::U32 => 4,
    };
    let (addr, off) = t
        .env
        .heap_addr(&mut t.b, memory_index(memarg), index, memarg.offset, size);
    let f = t.env.heap_flags(&mut t.b);
    let ins = t.b.ins();
    let v = match kind {
        Load::Plain => ins.load(ty, f, addr, off),
        Load::S8 => ins.sload8(ty, f, addr, off),
        Load::U8 => ins.uload8(ty, f, addr, off),
        Load::S16 => ins.sload16(ty, f, addr, off),
        Load::U16 => ins.uload16(ty, f, addr, off),
        Load::S32 => ins.sload32(f, addr, off),
        Load::U32 => ins.uload32(f, addr, off),
    };
    t.st.push(v);
}

/// Stores the low `bits` of the value on top of the stack (all of it when `bits` is its width).
fn store(t: &mut Translator, memarg: &MemArg, bits: u32) {
    let (index, value) = t.st.pop2();
    let full = t.b.func.dfg.value_type(value).bits() == bits;
    let (addr, off) = t.env.heap_addr(
        &mut t.b,
        memory_index(memarg),
        index,
        memarg.offset,
        bits / 8,
    );
    let f = t.env.heap_flags(&mut t.b);
    let ins = t.b.ins();
    match bits {
        _ if full => ins.store(f, value, addr, off),
        8 => ins.istore8(f, value, addr, off),
        16 => ins.istore16(f, value, addr, off),
        _ => ins.istore32(f, value, addr, off),
    };
}

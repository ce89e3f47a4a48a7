//! SIMD (`v128`) memory operators: `v128.load`/`store`, the extending loads (`load8x8_s` ...),
//! the splatting loads, `load32_zero`/`load64_zero`, and the single-lane loads and stores.
//!
//! Every access goes through the environment's heap addressing and flags, like the scalar
//! accesses of `memory.rs`: no bounds check in a 32-bit memory (the reservation covers the
//! widest, 16-byte, access), and the one instruction that touches memory carries the heap trap
//! code, so an out-of-bounds access faults there and is reported as a trap; a 64-bit memory's
//! explicit check covers the access's whole width. Must never split an access in
//! two (a partly out-of-bounds access must fault before writing anything).

use cranelift_codegen::ir::{InstBuilder, MemFlagsData, Type, Value, types};
use wasmparser::{MemArg, Operator};

use super::Translator;
use super::memory::memory_index;
use crate::error::Result;

pub(super) fn translate(t: &mut Translator, op: &Operator) -> Result<bool> {
    use Operator as O;
    use types::{I8X16, I16X8, I32X4, I64X2};

    // A load of 8 bytes, each lane widened to twice its width.
    macro_rules! load_extend {
        ($memarg:expr, $f:ident) => {{
            let (addr, off, flags) = address(t, $memarg, 8);
            let v = t.b.ins().$f(flags, addr, off);
            t.push_vector(v);
        }};
    }

    match op {
        O::V128Load { memarg } => {
            let (addr, off, flags) = address(t, memarg, 16);
            let v = t.b.ins().load(I8X16, flags, addr, off);
            t.st.push(v);
        }
        O::V128Store { memarg } => {
            let v = t.pop_vector(I8X16);
            let (addr, off, flags) = address(t, memarg, 16);
            t.b.ins().store(flags, v, addr, off);
        }

        O::V128Load8x8S { memarg } => load_extend!(memarg, sload8x8),
        O::V128Load8x8U { memarg } => load_extend!(memarg, uload8x8),
        O::V128Load16x4S { memarg } => load_extend!(memarg, sload16x4),
        O::V128Load16x4U { memarg } => load_extend!(memarg, uload16x4),
        O::V128Load32x2S { memarg } => load_extend!(memarg, sload32x2),
        O::V128Load32x2U { memarg } => load_extend!(memarg, uload32x2),

        // One lane-sized value copied into every lane.
        O::V128Load8Splat { memarg } => load_splat(t, memarg, I8X16),
        O::V128Load16Splat { memarg } => load_splat(t, memarg, I16X8),
        O::V128Load32Splat { memarg } => load_splat(t, memarg, I32X4),
        O::V128Load64Splat { memarg } => load_splat(t, memarg, I64X2),

        // One value into lane 0, the other lanes zero.
        O::V128Load32Zero { memarg } => load_zero(t, memarg, I32X4),
        O::V128Load64Zero { memarg } => load_zero(t, memarg, I64X2),

        O::V128Load8Lane { memarg, lane } => load_lane(t, memarg, I8X16, *lane),
        O::V128Load16Lane { memarg, lane } => load_lane(t, memarg, I16X8, *lane),
        O::V128Load32Lane { memarg, lane } => load_lane(t, memarg, I32X4, *lane),
        O::V128Load64Lane { memarg, lane } => load_lane(t, memarg, I64X2, *lane),
        O::V128Store8Lane { memarg, lane } => store_lane(t, memarg, I8X16, *lane),
        O::V128Store16Lane { memarg, lane } => store_lane(t, memarg, I16X8, *lane),
        O::V128Store32Lane { memarg, lane } => store_lane(t, memarg, I32X4, *lane),
        O::V128Store64Lane { memarg, lane } => store_lane(t, memarg, I64X2, *lane),

        _ => return Ok(false),
    }
    Ok(true)
}

/// Pops the index operand of a `size`-byte access: its native address, immediate offset and
/// flags.
fn address(t: &mut Translator, memarg: &MemArg, size: u32) -> (Value, i32, MemFlagsData) {
    let index = t.st.pop();
    let (addr, off) = t
        .env
        .heap_addr(&mut t.b, memory_index(memarg), index, memarg.offset, size);
    let flags = t.env.heap_flags(&mut t.b);
    (addr, off, flags)
}

/// `v128.loadN_splat`: a load of one lane of `ty`, splatted.
fn load_splat(t: &mut Translator, memarg: &MemArg, ty: Type) {
    let (addr, off, flags) = address(t, memarg, ty.lane_type().bytes());
    let x = t.b.ins().load(ty.lane_type(), flags, addr, off);
    let v = t.b.ins().splat(ty, x);
    t.push_vector(v);
}

/// `v128.loadN_zero`: a load of one lane of `ty` into lane 0, the rest zero.
fn load_zero(t: &mut Translator, memarg: &MemArg, ty: Type) {
    let (addr, off, flags) = address(t, memarg, ty.lane_type().bytes());
    let x = t.b.ins().load(ty.lane_type(), flags, addr, off);
    let v = t.b.ins().scalar_to_vector(ty, x);
    t.push_vector(v);
}

/// `v128.loadN_lane`: the vector operand with lane `lane` (of shape `ty`) replaced by a load.
fn load_lane(t: &mut Translator, memarg: &MemArg, ty: Type, lane: u8) {
    let vector = t.pop_vector(ty);
    let (addr, off, flags) = address(t, memarg, ty.lane_type().bytes());
    let x = t.b.ins().load(ty.lane_type(), flags, addr, off);
    let v = t.b.ins().insertlane(vector, x, lane);
    t.push_vector(v);
}

/// `v128.storeN_lane`: stores lane `lane` (of shape `ty`) of the vector operand.
fn store_lane(t: &mut Translator, memarg: &MemArg, ty: Type, lane: u8) {
    let vector = t.pop_vector(ty);
    let x = t.b.ins().extractlane(vector, lane);
    let (addr, off, flags) = address(t, memarg, ty.lane_type().bytes());
    t.b.ins().store(flags, x, addr, off);
}

//! Instantiation steps for element and data segments: evaluating every element segment's items,
//! keeping the passive data segments (the bookkeeping `memory.init` and `data.drop` use), then
//! applying the active segments in order, each dropped after use; `populate` pre-faults the
//! pages a run of data segments writes, and memory images are mapped (`image`).
//!
//! Must never reorder segments (a segment out of bounds traps after the ones before it were
//! applied, as the 2.0 spec requires), and never keep an active segment after it was applied.

use wasmaot_abi::descriptor::{DataPiece, segment_mode};

use super::data::InstanceData;
use super::error::InstantiationError;
use super::view::{data_bytes, data_pieces, elem_items};
use crate::trap::Trap;

/// Element segments: evaluate every item now (elem instances hold references).
pub(super) fn evaluate_elems(d: &mut InstanceData) -> Result<(), InstantiationError> {
    for e in d.view.elems() {
        let vals = elem_items(e)
            .iter()
            .map(|it| d.eval(it).map(|v| v as u64))
            .collect::<Result<Box<[u64]>, _>>()?;
        d.elems.push(vals);
    }
    Ok(())
}

/// Only passive segments outlive instantiation (active ones are dropped once copied, and Go
/// emits tens of thousands of them): keep entries up to the last passive segment; a missing or
/// empty entry reads as dropped in `memory.init`. The view checked that the entries are sorted
/// by index and within `num_data`.
pub(super) fn keep_passive_data(d: &mut InstanceData) {
    let datas = d.view.data();
    let keep = datas
        .iter()
        .rfind(|s| s.mode == segment_mode::PASSIVE)
        .map_or(0, |s| s.index as usize + 1);
    d.data = vec![&[][..]; keep];
    for s in datas.iter().filter(|s| s.mode == segment_mode::PASSIVE) {
        d.data[s.index as usize] = data_bytes(s);
    }
}

/// Active element segments, in order; each is dropped after use, declared element segments are
/// dropped immediately.
pub(super) fn apply_active_elems(d: &mut InstanceData) -> Result<(), InstantiationError> {
    for (i, e) in d.view.elems().iter().enumerate() {
        match e.mode {
            segment_mode::ACTIVE => {
                let table64 = d.table(e.table).is_some_and(|t| t.is_64());
                let dst = segment_offset(d.eval(&e.offset)?, table64);
                let len = d.elems[i].len() as u32;
                crate::builtins::table_init(d, e.table, i as u32, dst, 0, len)
                    .map_err(Trap::new)?;
                d.elems[i] = Box::new([]);
            }
            segment_mode::DECLARED => d.elems[i] = Box::new([]),
            _ => {}
        }
    }
    Ok(())
}

/// Active data segments, in order (after every element segment).
pub(super) fn apply_active_data(d: &mut InstanceData) -> Result<(), InstantiationError> {
    for s in d.view.data() {
        if s.mode == segment_mode::IMAGE {
            let memory64 = d.memory(s.memory).is_some_and(|m| m.is_64());
            let dst = segment_offset(d.eval(&s.offset)?, memory64);
            super::image::write(d, s.memory, dst, data_bytes(s)).map_err(Trap::new)?;
        } else if s.mode == segment_mode::ACTIVE {
            let (bytes, pieces) = (data_bytes(s), data_pieces(s));
            if pieces.is_empty() {
                let memory64 = d.memory(s.memory).is_some_and(|m| m.is_64());
                let dst = segment_offset(d.eval(&s.offset)?, memory64);
                crate::builtins::memory_write(d, s.memory, dst, bytes).map_err(Trap::new)?;
            } else {
                // A run of segments, each written (and bounds-checked) on its own, in order.
                populate(d, s.memory, pieces);
                let mut at = 0usize;
                for p in pieces {
                    let piece = &bytes[at..at + p.len as usize];
                    at += p.len as usize;
                    crate::builtins::memory_write(d, s.memory, p.offset as u64, piece)
                        .map_err(Trap::new)?;
                }
            }
        }
    }
    Ok(())
}

/// An active segment's offset, as its constant expression evaluated: an `i64` for a 64-bit
/// memory or table, else an `i32` (the slot's other bytes are not part of the value).
fn segment_offset(value: u128, index64: bool) -> u64 {
    match index64 {
        true => value as u64,
        false => value as u32 as u64,
    }
}

/// Faults in, in one system call, the pages of memory `mem` a run's pieces will write (clipped
/// to the memory's length): one `MADV_POPULATE_WRITE` instead of a page fault per page during
/// the copy. Only a hint: errors (kernels before 5.14 answer `EINVAL`) are ignored.
fn populate(d: &mut InstanceData, mem: u32, pieces: &[DataPiece]) {
    const MADV_POPULATE_WRITE: libc::c_int = 23;
    let (lo, hi) = pieces
        .iter()
        .filter(|p| p.len > 0)
        .fold((u64::MAX, 0u64), |(lo, hi), p| {
            (
                lo.min(p.offset as u64),
                hi.max(p.offset as u64 + p.len as u64),
            )
        });
    let Some(m) = d.memory(mem) else { return };
    let hi = hi.min(m.byte_len());
    if lo >= hi {
        return;
    }
    const PAGE: u64 = 4096;
    let lo = lo & !(PAGE - 1);
    let Some(base) = m.range(lo, hi - lo) else {
        return;
    };
    // SAFETY: `[base, base + (hi - lo))` is accessible memory of this instance, page-aligned
    // at the start (the memory base is page-aligned); populating it changes no contents.
    unsafe { libc::madvise(base.cast(), (hi - lo) as usize, MADV_POPULATE_WRITE) };
}

#[cfg(test)]
mod tests {
    use super::segment_offset;

    #[test]
    fn segment_offsets_take_the_index_type_width() {
        let v = 0xdead_0000_0000_0001_8000_0000_0000_0000u128 | 0x1_0000_0010;
        assert_eq!(segment_offset(v, true), 0x8000_0001_0000_0010);
        assert_eq!(segment_offset(v, false), 0x10);
    }
}

//! Memory images: the first active data segments of a memory the module defines, pre-assembled
//! into the bytes they leave in memory, so the runtime can map them copy-on-write from the
//! executable instead of copying tens of thousands of segments at start-up (Go's ~1 MB of data).
//!
//! Must never take a segment that could trap at instantiation (out of the initial memory, or an
//! offset not known until then), nor one that a segment before it may have written under (the
//! image's gaps are zeros, true only of a fresh memory nothing has written yet).

use wasmaot_abi::descriptor::{const_kind, image_align, segment_mode};

use crate::module::{DataSegment, ModuleInfo};

/// Below this many bytes of data a copy costs no more than a mapping.
const MIN_BYTES: u64 = 16 << 10;

/// One image: segments `first .. first + count` (all of `memory`) as `bytes` written at
/// `offset`, a multiple of the target's [`image_align`].
#[derive(Debug, PartialEq, Eq)]
pub struct DataImage {
    pub memory: u32,
    pub first: u32,
    pub count: u32,
    pub offset: u64,
    pub bytes: Vec<u8>,
}

/// The images worth making: per defined memory, the longest run of consecutive active segments
/// with constant offsets that starts at its first active segment and stays inside its initial
/// size, when it holds at least [`MIN_BYTES`] and the image is at most about twice its data
/// (so sparse data does not bloat the executable with zeros).
pub fn plan_images(info: &ModuleInfo<'_>, aarch64: bool) -> Vec<DataImage> {
    let align = image_align(aarch64);
    let segs = &info.data;
    let mut images = Vec::new();
    let mut seen = vec![false; info.memories.len()];
    let mut i = 0;
    while i < segs.len() {
        let s = &segs[i];
        if s.mode != segment_mode::ACTIVE {
            i += 1;
            continue;
        }
        let m = s.memory as usize;
        let first_of_memory = !std::mem::replace(&mut seen[m], true);
        let Some(mem) = info.memories.get(m).filter(|m| !m.imported) else {
            i += 1;
            continue;
        };
        let limit = mem.min_pages.saturating_mul(wasmaot_abi::WASM_PAGE_SIZE);
        let offset_kind = if mem.index64 {
            const_kind::I64
        } else {
            const_kind::I32
        };
        let fits = |s: &DataSegment<'_>| {
            let start = match mem.index64 {
                true => s.offset.bits[0],
                false => s.offset.bits[0] as u32 as u64,
            };
            s.mode == segment_mode::ACTIVE
                && s.memory as usize == m
                && s.offset.kind == offset_kind
                && start
                    .checked_add(s.bytes.len() as u64)
                    .is_some_and(|end| end <= limit)
        };
        if !first_of_memory || !fits(s) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < segs.len() && fits(&segs[j]) {
            j += 1;
        }
        let run = &segs[i..j];
        let start = |s: &DataSegment<'_>| match mem.index64 {
            true => s.offset.bits[0],
            false => s.offset.bits[0] as u32 as u64,
        };
        let data: u64 = run.iter().map(|s| s.bytes.len() as u64).sum();
        let nonempty = run.iter().filter(|s| !s.bytes.is_empty());
        let lo = nonempty.clone().map(start).min().unwrap_or(0) / align * align;
        let hi = nonempty
            .map(|s| start(s) + s.bytes.len() as u64)
            .max()
            .unwrap_or(0);
        if data >= MIN_BYTES && hi - lo <= 2 * data + align {
            let mut bytes = vec![0u8; (hi - lo) as usize];
            for s in run.iter().filter(|s| !s.bytes.is_empty()) {
                let at = (start(s) - lo) as usize;
                bytes[at..at + s.bytes.len()].copy_from_slice(s.bytes);
            }
            images.push(DataImage {
                memory: m as u32,
                first: i as u32,
                count: (j - i) as u32,
                offset: lo,
                bytes,
            });
        }
        i = j;
    }
    images
}

#[cfg(test)]
mod tests {
    use super::super::descriptor::tests::seg;
    use super::*;
    use crate::module::MemoryInfo;

    fn memory(min_pages: u64, imported: bool) -> MemoryInfo {
        MemoryInfo {
            min_pages,
            max_pages: None,
            imported,
            shared: false,
            index64: false,
        }
    }

    fn plan(memories: Vec<MemoryInfo>, data: Vec<DataSegment<'_>>) -> Vec<DataImage> {
        let info = ModuleInfo {
            memories,
            data,
            ..Default::default()
        };
        plan_images(&info, false)
    }

    #[test]
    fn a_run_becomes_an_image_with_later_segments_winning() {
        use segment_mode::ACTIVE;
        let big = vec![1u8; 20 << 10];
        let images = plan(
            vec![memory(2, false)],
            vec![
                seg(ACTIVE, 0, const_kind::I32, 0x1010, &big),
                seg(ACTIVE, 0, const_kind::I32, 0x1000, b"ab"),
                seg(ACTIVE, 0, const_kind::I32, 0x1011, b"c"),
                seg(ACTIVE, 0, const_kind::I32, 0x1_0000, b""),
            ],
        );
        assert_eq!(images.len(), 1);
        let im = &images[0];
        assert_eq!(
            (im.memory, im.first, im.count, im.offset),
            (0, 0, 4, 0x1000)
        );
        assert_eq!(im.bytes.len(), 0x10 + (20 << 10));
        assert_eq!(&im.bytes[..0x12], b"ab\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01c");
    }

    #[test]
    fn no_image_where_a_segment_could_trap_or_write_first() {
        use segment_mode::{ACTIVE, PASSIVE};
        let big = vec![1u8; 20 << 10];
        let one_page = || vec![memory(1, false)];
        // Out of the initial size: the run stops before it (and here holds too little).
        assert!(
            plan(
                one_page(),
                vec![
                    seg(ACTIVE, 0, const_kind::I32, 0, b"x"),
                    seg(ACTIVE, 0, const_kind::I32, 0x1_0000 - 4, &big)
                ]
            )
            .is_empty()
        );
        // A global offset first: nothing after it may become an image.
        assert!(
            plan(
                one_page(),
                vec![
                    seg(ACTIVE, 0, const_kind::GLOBAL_GET, 0, b"g"),
                    seg(ACTIVE, 0, const_kind::I32, 0, &big)
                ]
            )
            .is_empty()
        );
        // Imported memory, too little data, sparse data.
        assert!(
            plan(
                vec![memory(1, true)],
                vec![seg(ACTIVE, 0, const_kind::I32, 0, &big)]
            )
            .is_empty()
        );
        assert!(plan(one_page(), vec![seg(ACTIVE, 0, const_kind::I32, 0, b"x")]).is_empty());
        assert!(
            plan(
                vec![memory(4, false)],
                vec![
                    seg(ACTIVE, 0, const_kind::I32, 0, &big),
                    seg(ACTIVE, 0, const_kind::I32, 0x3_0000, b"far")
                ]
            )
            .is_empty()
        );
        // A passive segment ends the run; each memory gets its own image.
        let images = plan(
            vec![memory(1, false), memory(1, false)],
            vec![
                seg(ACTIVE, 0, const_kind::I32, 0, &big),
                seg(PASSIVE, 0, 0, 0, b"p"),
                seg(ACTIVE, 0, const_kind::I32, 0, &big),
                seg(ACTIVE, 1, const_kind::I32, 0x2000, &big),
            ],
        );
        let runs: Vec<_> = images
            .iter()
            .map(|im| (im.memory, im.first, im.count))
            .collect();
        assert_eq!(runs, vec![(0, 0, 1), (1, 3, 1)]);
    }
}

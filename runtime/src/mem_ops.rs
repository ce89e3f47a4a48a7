//! `memmove` and `memset` for compiled code's `memory.copy` and `memory.fill` (after their
//! inline bounds checks): sizes up to 128 bytes as straight-line unaligned loads and stores,
//! larger ones by the C library's functions. Go clears and copies nearly every object this
//! way, a few dozen bytes at a time, and musl's functions (`rep movsq`, `rep stosq`) cost up to
//! ten times glibc's on such sizes; on large ones both are fast.
//!
//! Must never store before every byte of the source is loaded (the ranges may overlap), and
//! never contain a loop: the compiler could turn one back into a call to `memmove` or `memset`.

use core::ffi::{c_int, c_void};

/// 16 bytes, moved as one unaligned vector.
type Chunk = u128;

/// The size classes both functions share: `$one` for a single byte, `$ends!(type, offsets...)`
/// for the accesses of each class up to 128 bytes (the ends of the range, overlapping in the
/// middle), `$large` above.
macro_rules! by_size {
    ($n:expr, $ends:ident, $one:expr, $large:expr) => {{
        const C: usize = size_of::<Chunk>();
        let n = $n;
        match n {
            0 => {}
            1 => $one,
            2..=3 => $ends!(u16, 0, n - 2),
            4..=7 => $ends!(u32, 0, n - 4),
            8..=16 => $ends!(u64, 0, n - 8),
            17..=32 => $ends!(Chunk, 0, n - C),
            33..=64 => $ends!(Chunk, 0, C, n - 2 * C, n - C),
            65..=128 => $ends!(
                Chunk,
                0,
                C,
                2 * C,
                3 * C,
                n - 4 * C,
                n - 3 * C,
                n - 2 * C,
                n - C
            ),
            _ => {
                $large;
            }
        }
    }};
}

/// `memmove(dst, src, n)` for `memory.copy`.
///
/// # Safety
/// `src .. src + n` must be readable and `dst .. dst + n` writable; they may overlap.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmaot_rt_memmove(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    // SAFETY: every access below is inside the caller's ranges: for each size class, the
    // offsets read and written are `0 ..` and `.. n` of widths that fit within `n`.
    unsafe {
        macro_rules! ends {
            ($t:ty, $($off:expr),*) => {{
                let v = [$((src.add($off) as *const $t).read_unaligned()),*];
                let mut i = 0;
                $(
                    (dst.add($off) as *mut $t).write_unaligned(v[i]);
                    i += 1;
                )*
                let _ = i;
            }};
        }
        by_size!(
            n,
            ends,
            *dst = *src,
            libc::memmove(dst.cast(), src.cast(), n)
        );
    }
    dst
}

/// `memset(dst, byte, n)` for `memory.fill`.
///
/// # Safety
/// `dst .. dst + n` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmaot_rt_memset(dst: *mut u8, byte: c_int, n: usize) -> *mut u8 {
    let b = byte as u8;
    // SAFETY: as in `wasmaot_rt_memmove`, every store is inside `dst .. dst + n`.
    unsafe {
        macro_rules! ends {
            ($t:ty, $($off:expr),*) => {{
                let v = <$t>::from_ne_bytes([b; size_of::<$t>()]);
                $((dst.add($off) as *mut $t).write_unaligned(v);)*
            }};
        }
        by_size!(
            n,
            ends,
            *dst = b,
            libc::memset(dst.cast::<c_void>(), byte, n)
        );
    }
    dst
}

#[cfg(test)]
mod tests {
    use super::{wasmaot_rt_memmove, wasmaot_rt_memset};

    /// Every size up to 300 and every overlap of source and destination within a buffer,
    /// against a byte-by-byte model.
    #[test]
    fn memmove_matches_a_model_at_every_size_and_overlap() {
        let init: Vec<u8> = (0..700u32).map(|i| (i * 31 + 7) as u8).collect();
        for n in 0..300usize {
            for (s, d) in [
                (0, 0),
                (0, 1),
                (1, 0),
                (0, 17),
                (17, 0),
                (5, 300),
                (300, 5),
                (3, 3),
            ] {
                let mut buf = init.clone();
                let mut want = init.clone();
                let tmp: Vec<u8> = want[s..s + n].to_vec();
                want[d..d + n].copy_from_slice(&tmp);
                let p = buf.as_mut_ptr();
                // SAFETY: both ranges are inside `buf`.
                let r = unsafe { wasmaot_rt_memmove(p.add(d), p.add(s), n) };
                assert_eq!(r, p.wrapping_add(d));
                assert!(buf == want, "memmove n={n} src={s} dst={d}");
            }
        }
    }

    #[test]
    fn memset_writes_exactly_its_range() {
        for n in 0..300usize {
            for at in [0, 1, 7, 16] {
                let mut buf = vec![0xaau8; 400];
                let mut want = buf.clone();
                want[at..at + n].fill(0x5c);
                // SAFETY: the range is inside `buf`.
                unsafe { wasmaot_rt_memset(buf.as_mut_ptr().add(at), 0x15c, n) };
                assert!(buf == want, "memset n={n} at={at}");
            }
        }
    }
}

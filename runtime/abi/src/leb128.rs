//! Unsigned LEB128, the variable-length integers of the wasm binary format, also used by the
//! descriptor's compact trap sites (`descriptor::encode_trap_sites`).
//!
//! Must never allocate or panic when reading (the runtime's signal handler reads trap sites):
//! malformed or truncated input is `None`.

/// Appends `v` as an unsigned LEB128.
pub fn write_unsigned(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// The unsigned LEB128 at the start of `bytes` and its length in bytes; `None` if it is
/// truncated or longer than the 10 bytes a u64 takes.
pub fn read_unsigned(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for (i, &byte) in bytes.iter().enumerate().take(10) {
        v |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_and_bad_input_is_none() {
        for v in [0, 1, 127, 128, 300, 1 << 35, u64::MAX] {
            let mut out = Vec::new();
            write_unsigned(&mut out, v);
            assert_eq!(read_unsigned(&out), Some((v, out.len())));
        }
        assert_eq!(read_unsigned(&[0x80, 0x80]), None);
        assert_eq!(read_unsigned(&[0x80; 16]), None);
        assert_eq!(read_unsigned(&[]), None);
    }
}

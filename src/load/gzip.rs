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

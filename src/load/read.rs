//! Reading one file's bytes: gzip decided by magic bytes, a cap on the inflated size.
//!
//! Every input goes through [`open_input`]: regular files, and — when named on the
//! command line — FIFOs and character devices, which are opened without blocking
//! (a FIFO with no writer reads as empty instead of hanging) and read as a stream,
//! never past the cap.

use super::gzip::{Gunzip, gunzip};
use crate::format::human_bytes;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// The decoded text of a file, and how reading ended.
pub struct FileText {
    pub text: Vec<u8>,
    /// Set when the stream was cut short or reached the cap: `text` holds what
    /// was read before that.
    pub truncated: Option<String>,
}

/// Why a file's bytes could not be had at all.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read: {0}")]
    Io(#[from] io::Error),
    #[error("{}", too_large(*.0))]
    TooLarge(u64),
}

/// The message for an input over `--max-file-bytes`.
pub fn too_large(max: u64) -> String {
    format!(
        "size exceeds the per-file limit of {} (--max-file-bytes)",
        human_bytes(max)
    )
}

/// Opens an input for reading. Regular files open as usual; anything else
/// (FIFO, character device) is opened non-blocking so that a FIFO nobody writes
/// to cannot block the open, then read with ordinary blocking reads (a FIFO with
/// no writer reads as end of file). Directories and sockets are refused.
pub fn open_input(path: &Path) -> io::Result<File> {
    let meta = std::fs::metadata(path)?;
    if meta.is_file() {
        return File::open(path);
    }
    if meta.is_dir() {
        return Err(io::Error::other("is a directory"));
    }
    #[cfg(unix)]
    {
        use rustix::fs::{OFlags, fcntl_getfl, fcntl_setfl};
        use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
        let kind = meta.file_type();
        if kind.is_socket() {
            return Err(io::Error::other("is a socket, not a file"));
        }
        let file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(OFlags::NONBLOCK.bits() as i32)
            .open(path)?;
        let flags = fcntl_getfl(&file).map_err(io::Error::from)?;
        fcntl_setfl(&file, flags - OFlags::NONBLOCK).map_err(io::Error::from)?;
        Ok(file)
    }
    #[cfg(not(unix))]
    {
        File::open(path)
    }
}

/// Reads from `reader` into `buf` until `buf` holds `limit` bytes or the input
/// ends; returns whether the input ended.
pub fn fill(reader: &mut impl Read, buf: &mut Vec<u8>, limit: usize) -> io::Result<bool> {
    if buf.len() >= limit {
        return Ok(false);
    }
    let want = (limit - buf.len()) as u64;
    let got = reader.by_ref().take(want).read_to_end(buf)?;
    Ok((got as u64) < want)
}

/// Reads a file whole (up to the cap), inflating it when it starts with the gzip
/// magic bytes. Over the cap, `text` holds the first `max_bytes` bytes and
/// `truncated` says why.
pub fn read_file(path: &Path, max_bytes: u64) -> Result<FileText, ReadError> {
    let mut file = open_input(path)?;
    let size_hint = file.metadata().map(|m| m.len()).unwrap_or(0);
    let limit = max_bytes.saturating_add(1).min(usize::MAX as u64) as usize;
    let mut raw = Vec::with_capacity((size_hint.min(max_bytes).min(1 << 30) as usize) + 1);
    fill(&mut file, &mut raw, limit)?;
    decode_owned(raw, max_bytes)
}

/// Decodes bytes already in memory (gzip sniffed by its magic bytes).
pub fn decode_bytes(bytes: &[u8], max_bytes: u64) -> Result<FileText, ReadError> {
    decode_owned(bytes.to_vec(), max_bytes)
}

pub(crate) fn decode_owned(mut bytes: Vec<u8>, max_bytes: u64) -> Result<FileText, ReadError> {
    let mut inflated = Vec::new();
    let decoded = decode_in(&mut bytes, &mut inflated, max_bytes);
    let truncated = decoded.truncated;
    let gzip = decoded.inflated;
    Ok(FileText {
        text: if gzip { inflated } else { bytes },
        truncated,
    })
}

/// A file's text, borrowed from one of the two buffers [`decode_in`] was given.
pub struct Decoded<'a> {
    pub text: &'a [u8],
    /// Set when the stream was cut short or reached the cap.
    pub truncated: Option<String>,
    /// Whether `text` is the inflated buffer (the input was gzip).
    pub inflated: bool,
}

/// Decodes `bytes` (gzip sniffed by its magic bytes) without allocating when the
/// buffers are big enough: gzip inflates into `inflated`, plain text is `bytes`
/// itself (cut at the cap). The loader hands each thread's buffers from file to
/// file, so that a 10,000-file trail does not allocate, fault in and give back a
/// fresh pair of buffers per file.
pub fn decode_in<'a>(
    bytes: &'a mut Vec<u8>,
    inflated: &'a mut Vec<u8>,
    max_bytes: u64,
) -> Decoded<'a> {
    let cap = max_bytes.min(usize::MAX as u64) as usize;
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let truncated = match gunzip(bytes, max_bytes, inflated) {
            Gunzip::Done => None,
            Gunzip::Truncated(why) => Some(why),
            Gunzip::TooLarge => {
                // Keep what inflated up to the cap: events before it still load.
                inflated.truncate(cap);
                Some(too_large(max_bytes))
            }
        };
        Decoded {
            text: inflated,
            truncated,
            inflated: true,
        }
    } else {
        let truncated = (bytes.len() > cap).then(|| {
            bytes.truncate(cap);
            too_large(max_bytes)
        });
        Decoded {
            text: bytes,
            truncated,
            inflated: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{Compression, write::GzEncoder};
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut enc = GzEncoder::new(Vec::new(), Compression::default());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    #[test]
    fn gzip_is_sniffed_not_named() {
        assert_eq!(decode_bytes(&gz(b"{}"), 100).unwrap().text, b"{}");
        assert_eq!(decode_bytes(b"{}", 100).unwrap().text, b"{}");
    }

    #[test]
    fn cut_stream_keeps_what_inflated() {
        let data = vec![b'a'; 100_000];
        let z = gz(&data);
        let cut = decode_bytes(&z[..z.len() / 2], u64::MAX).unwrap();
        assert!(cut.truncated.is_some());
        assert!(cut.text.len() < data.len());
    }

    #[test]
    fn inflated_size_is_capped_and_the_prefix_kept() {
        let z = gz(&vec![0u8; 1 << 20]);
        let capped = decode_bytes(&z, 1000).unwrap();
        assert_eq!(capped.text.len(), 1000);
        assert!(capped.truncated.unwrap().contains("per-file limit"));
        assert!(decode_bytes(&z, 1 << 20).unwrap().truncated.is_none());
    }

    #[cfg(unix)]
    #[test]
    fn endless_devices_stop_at_the_cap() {
        let t = read_file(Path::new("/dev/zero"), 4096).unwrap();
        assert_eq!(t.text.len(), 4096);
        assert!(t.truncated.is_some());
    }
}

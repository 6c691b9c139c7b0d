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
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut text = Vec::new();
        match gunzip(&bytes, max_bytes, &mut text) {
            Gunzip::Done => Ok(FileText {
                text,
                truncated: None,
            }),
            Gunzip::Truncated(why) => Ok(FileText {
                text,
                truncated: Some(why),
            }),
            Gunzip::TooLarge => {
                // Keep what inflated up to the cap: events before it still load.
                text.truncate(max_bytes.min(usize::MAX as u64) as usize);
                Ok(FileText {
                    text,
                    truncated: Some(too_large(max_bytes)),
                })
            }
        }
    } else if bytes.len() as u64 > max_bytes {
        bytes.truncate(max_bytes as usize);
        Ok(FileText {
            text: bytes,
            truncated: Some(too_large(max_bytes)),
        })
    } else {
        Ok(FileText {
            text: bytes,
            truncated: None,
        })
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

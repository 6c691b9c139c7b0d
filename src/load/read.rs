//! Reading one file's bytes: gzip decided by magic bytes, a cap on the inflated size.

use super::gzip::{Gunzip, gunzip};
use crate::format::human_bytes;
use std::io;
use std::path::Path;

/// The decoded text of a file, and how reading ended.
pub struct FileText {
    pub text: Vec<u8>,
    /// Set when the gzip stream was cut short: `text` holds what inflated before that.
    pub truncated: Option<String>,
}

/// Why a file's bytes could not be had at all.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read: {0}")]
    Io(#[from] io::Error),
    #[error("decompressed size exceeds the per-file limit of {} (--max-file-bytes)", human_bytes(*.0))]
    TooLarge(u64),
}

/// Reads a file, inflating it when it starts with the gzip magic bytes.
pub fn read_file(path: &Path, max_bytes: u64) -> Result<FileText, ReadError> {
    let raw = std::fs::read(path)?;
    if raw.starts_with(&[0x1f, 0x8b]) {
        decode_bytes(&raw, max_bytes)
    } else if raw.len() as u64 > max_bytes {
        Err(ReadError::TooLarge(max_bytes))
    } else {
        Ok(FileText {
            text: raw,
            truncated: None,
        })
    }
}

/// Decodes bytes already in memory (gzip sniffed by its magic bytes).
pub fn decode_bytes(bytes: &[u8], max_bytes: u64) -> Result<FileText, ReadError> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut text = Vec::new();
        match gunzip(bytes, max_bytes, &mut text) {
            Gunzip::Done => Ok(FileText {
                text,
                truncated: None,
            }),
            Gunzip::Truncated(why) => Ok(FileText {
                text,
                truncated: Some(why),
            }),
            Gunzip::TooLarge => Err(ReadError::TooLarge(max_bytes)),
        }
    } else if bytes.len() as u64 > max_bytes {
        Err(ReadError::TooLarge(max_bytes))
    } else {
        Ok(FileText {
            text: bytes.to_vec(),
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
    fn inflated_size_is_capped() {
        let z = gz(&vec![0u8; 1 << 20]);
        assert!(matches!(
            decode_bytes(&z, 1000),
            Err(ReadError::TooLarge(1000))
        ));
        assert!(decode_bytes(&z, 1 << 20).is_ok());
    }
}

//! Re-reading events' raw JSON from their files.
//!
//! The index keeps only (file, position in file) per event; the JSON is read again
//! when a view or an output needs it. The file is decoded exactly as at load time,
//! so positions line up; a file that changed since loading is reported, not trusted.

use crate::index::{FileEntry, Index};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FetchError {
    #[error("{path}: the file changed since it was loaded")]
    Changed { path: String },
    #[error("{path}: {cause}")]
    Unreadable { path: String, cause: String },
    #[error("{path}: event #{ordinal} is no longer in the file")]
    Missing { path: String, ordinal: u32 },
    #[error(
        "{path}: EVENT #{ordinal} CHANGED ON DISK since it was loaded (its bytes no longer match the hash taken at load): the file was modified in place; the indexed fields and the file disagree"
    )]
    Tampered { path: String, ordinal: u32 },
}

/// Checks a re-read event against the hash of its bytes taken at load time.
fn verified(index: &Index, i: usize, raw: String) -> Result<String, FetchError> {
    match index.cols.raw_hash.get(i) {
        Some(&h) if h != crate::model::content::raw_hash(&raw) => {
            let entry = index.event(i).file();
            Err(FetchError::Tampered {
                path: entry.display.clone(),
                ordinal: index.cols.ordinal[i] + 1,
            })
        }
        _ => Ok(raw),
    }
}

/// Reads `entry` again as at load time (so positions line up), passing each
/// event's raw text to `each`; refuses a file changed since loading. The
/// outcome's error, if any, is returned with the number of events seen.
fn reread(
    entry: &FileEntry,
    max_bytes: u64,
    each: &mut dyn FnMut(&str),
) -> Result<(usize, Option<String>), FetchError> {
    if entry.stamp.is_some() && super::stamp(&entry.path) != entry.stamp {
        return Err(FetchError::Changed {
            path: entry.display.clone(),
        });
    }
    let opts = super::LoadOptions {
        max_file_bytes: max_bytes,
        ..Default::default()
    };
    let mut seen = 0usize;
    let outcome = super::process_file(&entry.path, &opts, &mut |raw, _| {
        each(raw);
        seen += 1;
    });
    Ok((seen, outcome.error))
}

/// Every event of one file, raw, in file order.
pub fn file_events(entry: &FileEntry, max_bytes: u64) -> Result<Vec<String>, FetchError> {
    let mut out = Vec::new();
    match reread(entry, max_bytes, &mut |raw| out.push(raw.to_string()))? {
        (0, Some(cause)) => Err(FetchError::Unreadable {
            path: entry.display.clone(),
            cause,
        }),
        _ => Ok(out),
    }
}

/// The raw JSON of event `i`. Only that event's text is copied out of its file
/// (the file's other events are only read past).
pub fn raw_event(index: &Index, i: usize) -> Result<String, FetchError> {
    let ev = index.event(i);
    let entry = ev.file();
    let ordinal = ev.ordinal() as usize;
    let (mut at, mut found) = (0usize, None);
    let (seen, error) = reread(entry, u64::MAX, &mut |raw| {
        if at == ordinal {
            found = Some(raw.to_string());
        }
        at += 1;
    })?;
    match (found, error) {
        (Some(raw), _) => verified(index, i, raw),
        (None, Some(cause)) if seen == 0 => Err(FetchError::Unreadable {
            path: entry.display.clone(),
            cause,
        }),
        (None, _) => Err(FetchError::Missing {
            path: entry.display.clone(),
            ordinal: ev.ordinal(),
        }),
    }
}

/// Raw JSON of many events, each file decoded once, files in parallel; results in
/// the order of `events`.
pub fn raw_events(index: &Index, events: &[usize]) -> Vec<Result<String, FetchError>> {
    let mut by_file: FxHashMap<u32, Vec<usize>> = FxHashMap::default();
    for (pos, &i) in events.iter().enumerate() {
        by_file.entry(index.cols.file[i]).or_default().push(pos);
    }
    let groups: Vec<(u32, Vec<usize>)> = by_file.into_iter().collect();
    let fetched: Vec<Vec<(usize, Result<String, FetchError>)>> = groups
        .par_iter()
        .map(|(file, positions)| {
            let entry = &index.files[*file as usize];
            match file_events(entry, u64::MAX) {
                Ok(mut all) => positions
                    .iter()
                    .map(|&pos| {
                        let ordinal = index.cols.ordinal[events[pos]];
                        let raw = all
                            .get_mut(ordinal as usize)
                            .map(std::mem::take)
                            .ok_or(FetchError::Missing {
                                path: entry.display.clone(),
                                ordinal,
                            })
                            .and_then(|raw| verified(index, events[pos], raw));
                        (pos, raw)
                    })
                    .collect(),
                Err(e) => positions.iter().map(|&pos| (pos, Err(e.clone()))).collect(),
            }
        })
        .collect();
    let mut out: Vec<Result<String, FetchError>> = (0..events.len())
        .map(|_| {
            Err(FetchError::Missing {
                path: String::new(),
                ordinal: 0,
            })
        })
        .collect();
    for (pos, raw) in fetched.into_iter().flatten() {
        out[pos] = raw;
    }
    out
}

/// One line of JSON: whitespace outside strings removed, and characters a
/// terminal would act on (C1 controls, DEL, bidirectional overrides — JSON allows
/// them raw) written as `\uXXXX` escapes. The JSON value is unchanged.
pub fn compact(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    let mut in_string = false;
    let mut escaped = false;
    // Start of the run of bytes to copy unchanged.
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b >= 0x80 {
            let c = raw[i..].chars().next().unwrap_or('\u{fffd}');
            let len = c.len_utf8();
            if in_string && crate::sanitize::is_unsafe(c) {
                out.push_str(&raw[run..i]);
                // JSON escapes are UTF-16 code units: a pair above U+FFFF.
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{:04x}", unit));
                }
                run = i + len;
            }
            escaped = false;
            i += len;
            continue;
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            } else if b < 0x20 || b == 0x7f {
                out.push_str(&raw[run..i]);
                out.push_str(&format!("\\u{:04x}", b));
                run = i + 1;
            }
        } else if b == b'"' {
            in_string = true;
        } else if b.is_ascii_whitespace() {
            out.push_str(&raw[run..i]);
            run = i + 1;
        }
        i += 1;
    }
    out.push_str(&raw[run..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_keeps_strings() {
        assert_eq!(
            compact("{ \"a b\" : [1, 2],\n \"c\": \"x\\\" y\" }"),
            "{\"a b\":[1,2],\"c\":\"x\\\" y\"}"
        );
    }
}

#[cfg(test)]
mod terminal_tests {
    use super::compact;

    #[test]
    fn compact_escapes_what_a_terminal_would_act_on() {
        let raw = "{\"a\": \"x\u{9b}31m\u{202e}y\"}";
        let out = compact(raw);
        assert_eq!(out, r#"{"a":"x\u009b31m\u202ey"}"#);
        let a: serde_json::Value = serde_json::from_str(raw).unwrap();
        let b: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(a, b);
        // Tag characters are above U+FFFF: written as surrogate pairs.
        let raw = "{\"a\": \"ad\u{e0041}min\"}";
        let out = compact(raw);
        assert_eq!(out, r#"{"a":"ad\udb40\udc41min"}"#);
        let b: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(b["a"], "ad\u{e0041}min");
    }
}

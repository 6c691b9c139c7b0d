//! Hashes of an event's JSON: of its raw bytes (to notice a file changed in
//! place), and of its content as a JSON value (to tell a second delivery of the
//! same record from a different record that reuses its `eventID`).

use rustc_hash::FxHasher;
use std::hash::Hasher;

/// A 64-bit hash of the raw bytes.
pub fn raw_hash(raw: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(raw.as_bytes());
    h.write_usize(raw.len());
    mix(h.finish())
}

/// A 64-bit hash of an `eventID`'s [`id_key`] (a UUID in any case is the same
/// id); 0 for none (never a duplicate of anything).
pub fn id_hash(event_id: &str) -> u64 {
    match id_key(event_id) {
        0 => 0,
        key => mix((key >> 64) as u64 ^ mix(key as u64)) | 1,
    }
}

/// A 16-byte key for an id (`requestID`, `sharedEventID`): a UUID's own 128
/// bits, in any case; any other text as a 128-bit hash of its bytes. 0 for none.
/// Stored instead of the string: 16 bytes per event whatever the id's length.
pub fn id_key(id: &str) -> u128 {
    if id.is_empty() {
        return 0;
    }
    if let Some(uuid) = parse_uuid(id).filter(|&u| u != 0) {
        return uuid;
    }
    let hi = tagged(1, id.as_bytes()) as u128;
    let lo = tagged(2, id.as_bytes()) as u128;
    ((hi << 64) | lo).max(1)
}

/// `8-4-4-4-12` hex digits (or 32 without dashes) as a number.
fn parse_uuid(s: &str) -> Option<u128> {
    let b = s.as_bytes();
    let dashed = b.len() == 36 && [8, 13, 18, 23].iter().all(|&i| b[i] == b'-');
    if !dashed && b.len() != 32 {
        return None;
    }
    let mut value = 0u128;
    for (i, &c) in b.iter().enumerate() {
        if dashed && matches!(i, 8 | 13 | 18 | 23) {
            continue;
        }
        value = (value << 4) | (c as char).to_digit(16)? as u128;
    }
    Some(value)
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn tagged(tag: u8, bytes: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    h.write_u8(tag);
    h.write(bytes);
    h.write_usize(bytes.len());
    mix(h.finish())
}

enum Frame {
    Object { acc: u64, key: Option<u64> },
    Array { acc: u64, n: u64 },
}

/// A hash of the JSON value in `raw` that ignores whitespace and the order of
/// object keys, and reads string escapes (`"\u0041"` is `"A"`): two texts of the
/// same value hash alike. No recursion, whatever the nesting. Text that is not
/// JSON still hashes (to something stable).
pub fn content_hash(raw: &str) -> u64 {
    let b = raw.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    let mut top = 0u64;
    let mut i = 0;
    fn deliver(stack: &mut [Frame], top: &mut u64, h: u64) {
        match stack.last_mut() {
            Some(Frame::Object { acc, key }) => match key.take() {
                Some(k) => *acc = acc.wrapping_add(mix(k ^ mix(h).rotate_left(17))),
                None => *key = Some(h),
            },
            Some(Frame::Array { acc, n }) => {
                *acc = mix(acc.rotate_left(5) ^ h);
                *n += 1;
            }
            None => *top = mix(top.rotate_left(7) ^ h),
        }
    }
    while i < b.len() {
        match b[i] {
            b' ' | b'\t' | b'\n' | b'\r' | b',' | b':' => i += 1,
            b'{' => {
                stack.push(Frame::Object { acc: 0, key: None });
                i += 1;
            }
            b'[' => {
                stack.push(Frame::Array { acc: 0, n: 0 });
                i += 1;
            }
            b'}' | b']' => {
                let h = match stack.pop() {
                    Some(Frame::Object { acc, .. }) => mix(acc ^ 0x6f62_6a65_6374),
                    Some(Frame::Array { acc, n }) => mix(acc ^ n ^ 0x0061_7272_6179),
                    None => tagged(b'!', &b[i..=i]),
                };
                deliver(&mut stack, &mut top, h);
                i += 1;
            }
            b'"' => {
                let start = i + 1;
                let mut j = start;
                let mut escaped = false;
                while j < b.len() && b[j] != b'"' {
                    if b[j] == b'\\' {
                        escaped = true;
                        j += 1;
                    }
                    j += 1;
                }
                let end = j.min(b.len());
                let h = if escaped {
                    let quoted = &raw[i..(end + 1).min(raw.len())];
                    match serde_json::from_str::<String>(quoted) {
                        Ok(s) => tagged(b's', s.as_bytes()),
                        Err(_) => tagged(b'S', &b[start..end]),
                    }
                } else {
                    tagged(b's', &b[start..end])
                };
                deliver(&mut stack, &mut top, h);
                i = end + 1;
            }
            _ => {
                let start = i;
                while i < b.len()
                    && !matches!(
                        b[i],
                        b' ' | b'\t'
                            | b'\n'
                            | b'\r'
                            | b','
                            | b':'
                            | b'}'
                            | b']'
                            | b'{'
                            | b'['
                            | b'"'
                    )
                {
                    i += 1;
                }
                deliver(&mut stack, &mut top, tagged(b'n', &b[start..i]));
            }
        }
    }
    // Unclosed containers (cut text) still count.
    while let Some(frame) = stack.pop() {
        let h = match frame {
            Frame::Object { acc, .. } => mix(acc ^ 0x6f70_656e),
            Frame::Array { acc, n } => mix(acc ^ n ^ 0x6f70_656e),
        };
        deliver(&mut stack, &mut top, h);
    }
    top
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_keys_are_uuid_bits_or_a_hash() {
        let u = "3b7c1d2e-0f4a-4b5c-9d6e-7f8091a2b3c4";
        assert_eq!(id_key(u), 0x3b7c1d2e_0f4a_4b5c_9d6e_7f8091a2b3c4);
        assert_eq!(id_key(&u.to_uppercase()), id_key(u));
        assert_eq!(id_key(&u.replace('-', "")), id_key(u));
        assert_eq!(id_key(""), 0);
        // S3's request ids are not UUIDs: hashed, and distinct ids stay distinct.
        assert_ne!(id_key("3E59EE4F8D5A1C2B"), 0);
        assert_ne!(id_key("3E59EE4F8D5A1C2B"), id_key("3E59EE4F8D5A1C2C"));
        // Not quite a UUID: hashed, not misread.
        assert_ne!(id_key("3b7c1d2e-0f4a-4b5c-9d6e-7f8091a2b3cx"), 0);
        assert_ne!(id_key("00000000-0000-0000-0000-000000000000"), 0);
    }

    #[test]
    fn same_value_same_hash() {
        let a = r#"{"eventID":"1","userIdentity":{"userName":"alice","type":"IAMUser"},"x":[1,2]}"#;
        let b = "{ \"x\": [1, 2],\n  \"userIdentity\": {\"type\": \"IAMUser\", \"userName\": \"al\\u0069ce\"},\n  \"eventID\": \"1\" }";
        assert_eq!(content_hash(a), content_hash(b));
        assert_ne!(raw_hash(a), raw_hash(b));
    }

    #[test]
    fn different_values_differ() {
        let base = r#"{"eventID":"1","user":"alice","ip":"10.0.0.1"}"#;
        for other in [
            r#"{"eventID":"1","user":"mallory","ip":"10.0.0.1"}"#,
            r#"{"eventID":"1","user":"alice"}"#,
            r#"{"eventID":"1","user":"alice","ip":"10.0.0.1","x":null}"#,
            r#"{"eventID":"1","user":["alice"],"ip":"10.0.0.1"}"#,
            r#"{"eventID":"1","ip":"alice","user":"10.0.0.1"}"#,
        ] {
            assert_ne!(content_hash(base), content_hash(other), "{other}");
        }
        assert_ne!(content_hash("[1,2]"), content_hash("[2,1]"));
        assert_ne!(content_hash(r#"{"a":"b"}"#), content_hash(r#"{"b":"a"}"#));
    }

    #[test]
    fn deep_nesting_does_not_recurse() {
        let deep = format!("{}{}", "[".repeat(200_000), "]".repeat(200_000));
        assert_ne!(content_hash(&deep), 0);
    }
}

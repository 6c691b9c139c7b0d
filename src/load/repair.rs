//! Lenient repair of JSON as people paste it from documentation.
//!
//! AWS documentation shows events with trailing commas, several events separated by
//! commas with no enclosing array, and strings with raw line breaks. These repairs
//! are applied only after strict parsing failed, and the loader reports each one.

/// What was changed, for the warning shown to the user.
#[derive(Debug, Default, PartialEq)]
pub struct Repairs {
    pub trailing_commas: usize,
    pub control_chars: usize,
    pub wrapped_values: usize,
}

impl Repairs {
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.trailing_commas > 0 {
            parts.push(format!(
                "removed {} trailing comma(s)",
                self.trailing_commas
            ));
        }
        if self.control_chars > 0 {
            parts.push(format!(
                "escaped {} raw control character(s) inside strings",
                self.control_chars
            ));
        }
        if self.wrapped_values > 0 {
            parts.push(format!(
                "wrapped {} comma-separated values in an array",
                self.wrapped_values
            ));
        }
        parts.join("; ")
    }
}

/// Returns the repaired text, or `None` when there was nothing to repair.
pub fn repair(text: &str) -> Option<(String, Repairs)> {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len() + 2);
    let mut repairs = Repairs::default();
    let mut in_string = false;
    let mut escaped = false;
    let mut depth: usize = 0;
    let mut top_level_values = 0usize;
    let mut top_level_commas = 0usize;
    // Where a top-level value starts with no comma after the previous one (one
    // object per line): commas go there if the values are wrapped in an array.
    let mut missing_commas: Vec<usize> = Vec::new();
    let mut after_value = false;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if in_string {
            if escaped {
                escaped = false;
            } else if c == b'\\' {
                escaped = true;
            } else if c == b'"' {
                in_string = false;
            } else if c < 0x20 {
                out.push_str(&format!("\\u{:04x}", c));
                repairs.control_chars += 1;
                i += 1;
                continue;
            }
            // Copy the whole UTF-8 sequence starting here.
            let len = utf8_len(c);
            out.push_str(&text[i..(i + len).min(text.len())]);
            i += len;
            continue;
        }
        match c {
            b'"' => in_string = true,
            b'{' | b'[' => {
                if depth == 0 {
                    top_level_values += 1;
                    if after_value {
                        missing_commas.push(out.len());
                    }
                }
                depth += 1;
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    after_value = true;
                }
            }
            b',' => {
                let next = bytes[i + 1..].iter().find(|b| !b.is_ascii_whitespace());
                if matches!(next, Some(b'}') | Some(b']')) || (depth == 0 && next.is_none()) {
                    repairs.trailing_commas += 1;
                    i += 1;
                    continue;
                }
                if depth == 0 {
                    top_level_commas += 1;
                    after_value = false;
                }
            }
            _ => {}
        }
        out.push(c as char);
        i += 1;
    }
    if top_level_commas > 0 && top_level_values > 1 {
        repairs.wrapped_values = top_level_values;
        for &at in missing_commas.iter().rev() {
            out.insert(at, ',');
        }
        out.insert(0, '[');
        out.push(']');
    }
    if repairs == Repairs::default() {
        None
    } else {
        Some((out, repairs))
    }
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_commas() {
        let (fixed, r) = repair(r#"{"a": [1, 2,], "b": {"c": 1, },}"#).unwrap();
        assert_eq!(fixed, r#"{"a": [1, 2], "b": {"c": 1 }}"#);
        assert_eq!(r.trailing_commas, 3);
    }

    #[test]
    fn commas_inside_strings_are_text() {
        assert_eq!(repair(r#"{"a": "x,}"}"#), None);
    }

    #[test]
    fn comma_separated_objects_are_wrapped() {
        let (fixed, r) = repair("{\"a\":1}, {\"b\":2}").unwrap();
        assert_eq!(fixed, "[{\"a\":1}, {\"b\":2}]");
        assert_eq!(r.wrapped_values, 2);
        assert!(r.describe().contains("wrapped 2"));
    }

    #[test]
    fn one_object_per_line_mixed_with_comma_separated_ones() {
        // AWS documentation pasted with `grep '^{'`: one object per line, a
        // trailing comma inside some, and one line holding two objects.
        let text = "{\"a\":1, }\n{\"b\":2}, {\"c\":3}\n{\"d\":4,}\n";
        let (fixed, r) = repair(text).unwrap();
        let v: serde_json::Value = serde_json::from_str(&fixed).unwrap();
        assert_eq!(v.as_array().unwrap().len(), 4, "{fixed}");
        assert_eq!(r.trailing_commas, 2);
        assert_eq!(r.wrapped_values, 4);
    }

    #[test]
    fn raw_control_characters_in_strings() {
        let (fixed, r) = repair("{\"a\":\"line\nbreak é\"}").unwrap();
        assert_eq!(fixed, "{\"a\":\"line\\u000abreak é\"}");
        assert_eq!(r.control_chars, 1);
        assert!(serde_json::from_str::<serde_json::Value>(&fixed).is_ok());
    }
}

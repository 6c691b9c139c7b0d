//! Making attacker-controlled text safe for a terminal.
//!
//! CloudTrail fields (user agents, request parameters, error messages, even file
//! names) are whatever the caller sent. Every path that draws text — TUI panes and
//! CLI text output alike — goes through [`escape`], which replaces control
//! characters (C0, DEL, C1), bidirectional overrides and other invisible format
//! characters with visible `\u{…}` escapes, so nothing from an event can move the
//! cursor, retitle the window or reorder what is shown.

use std::borrow::Cow;
use std::path::Path;

/// Whether `c` must not reach a terminal as itself.
pub fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        // bidirectional embeddings, overrides and isolates
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}'
        // zero-width and other invisible format characters, line/paragraph separators
        | '\u{200b}'..='\u{200d}' | '\u{2028}' | '\u{2029}' | '\u{2060}'..='\u{2064}' | '\u{feff}'
        | '\u{fff9}'..='\u{fffb}')
}

/// Escapes every unsafe character as `\u{…}`; borrows when nothing needs escaping.
///
/// ```
/// assert_eq!(trailscope::sanitize::escape("ua\u{1b}]0;pwned\u{7}"), "ua\\u{1b}]0;pwned\\u{7}");
/// ```
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_unsafe(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Like [`escape`], but keeps `\n` and `\t` (for multi-line text the caller lays out).
pub fn escape_keep_lines(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| is_unsafe(c) && c != '\n' && c != '\t') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_unsafe(c) && c != '\n' && c != '\t' {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A path for display: invalid UTF-8 bytes as `\x..`, unsafe characters escaped.
pub fn escape_path(path: &Path) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let bytes = path.as_os_str().as_bytes();
        let mut out = String::new();
        for chunk in bytes.utf8_chunks() {
            out.push_str(&escape(chunk.valid()));
            for b in chunk.invalid() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        }
        out
    }
    #[cfg(not(unix))]
    {
        escape(&path.to_string_lossy()).into_owned()
    }
}

/// Whether a byte string holds bytes a terminal would treat as control (for tests
/// and assertions): C0 except `\n` and `\t`, DEL, and C1 code points.
pub fn has_raw_control(text: &str) -> bool {
    text.chars()
        .any(|c| matches!(c, '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(
            escape("aws-cli/2.15 Python/3.11 日本語 🚀"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn terminal_escapes_become_visible() {
        assert_eq!(escape("\u{1b}]0;pwned\u{7}x"), "\\u{1b}]0;pwned\\u{7}x");
        assert_eq!(escape("\u{1b}[2J"), "\\u{1b}[2J");
        assert_eq!(escape("a\r\nb\t\0"), "a\\u{d}\\u{a}b\\u{9}\\u{0}");
        assert_eq!(escape("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(escape("\u{7f}"), "\\u{7f}");
    }

    #[test]
    fn bidi_overrides_and_invisibles_become_visible() {
        assert_eq!(escape("user\u{202e}gpj.exe"), "user\\u{202e}gpj.exe");
        assert_eq!(
            escape("a\u{2066}b\u{200b}c\u{feff}"),
            "a\\u{2066}b\\u{200b}c\\u{feff}"
        );
    }

    #[test]
    fn keep_lines_variant() {
        assert_eq!(escape_keep_lines("a\nb\t\u{1b}"), "a\nb\t\\u{1b}");
    }

    #[test]
    fn detector_matches_escape() {
        for s in ["\u{1b}", "\r", "\u{85}", "\u{0}"] {
            assert!(has_raw_control(s));
            assert!(!has_raw_control(&escape(s)));
        }
        assert!(!has_raw_control("line\n\ttab"));
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_paths_are_escaped() {
        use std::os::unix::ffi::OsStrExt;
        let p = Path::new(std::ffi::OsStr::from_bytes(b"dir/\xff\x1bname.json"));
        assert_eq!(escape_path(p), "dir/\\xff\\u{1b}name.json");
    }
}

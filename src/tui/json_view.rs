//! A JSON document as lines, for the detail view: each line knows its depth and,
//! for an opening bracket, where its closing line is, so folding and moving are
//! index arithmetic (the jless model). Flattening is bounded by serde_json's
//! parse depth (128), so it cannot exhaust the stack.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    /// `{` or `[`, with the index of the matching close line and the child count.
    Open {
        bracket: char,
        close: usize,
        children: usize,
    },
    Close {
        bracket: char,
    },
    String(String),
    Number(String),
    Literal(&'static str),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub depth: usize,
    /// The object key (JSON-escaped, without quotes) when inside an object.
    pub key: Option<String>,
    pub token: Token,
    /// Whether a comma follows (for display).
    pub comma: bool,
}

/// The document's lines. It takes the value, so a string moves into its line
/// rather than being copied: a 300 MB field is not held twice.
pub fn flatten(value: Value) -> Vec<Line> {
    let mut out = Vec::new();
    push(value, 0, None, false, &mut out);
    out
}

fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// Characters of a string per line: a longer string continues on the next lines,
/// so no line is longer than this (a huge field pages like any other text, and
/// drawing a screen never lays out more than a screen's worth of it).
pub const STRING_CHUNK: usize = 4096;

/// A string as one or more lines of JSON text: the first opens the quote (after
/// the key), the last closes it (and takes the comma).
fn push_string(s: String, depth: usize, key: Option<String>, comma: bool, out: &mut Vec<Line>) {
    if s.len() <= STRING_CHUNK {
        out.push(Line {
            depth,
            key,
            token: Token::String(quoted(&s)),
            comma,
        });
        return;
    }
    let mut key = key;
    let mut rest = s.as_str();
    let mut first = true;
    while !rest.is_empty() {
        let cut = rest
            .char_indices()
            .nth(STRING_CHUNK)
            .map_or(rest.len(), |(i, _)| i);
        let (chunk, after) = rest.split_at(cut);
        let q = quoted(chunk);
        let last = after.is_empty();
        let text = match (first, last) {
            (true, true) => q,
            (true, false) => q[..q.len() - 1].to_string(),
            (false, true) => q[1..].to_string(),
            (false, false) => q[1..q.len() - 1].to_string(),
        };
        out.push(Line {
            depth,
            key: key.take(),
            token: Token::String(text),
            comma: comma && last,
        });
        rest = after;
        first = false;
    }
}

fn push(value: Value, depth: usize, key: Option<String>, comma: bool, out: &mut Vec<Line>) {
    match value {
        Value::Object(map) => {
            let at = out.len();
            let n = map.len();
            out.push(Line {
                depth,
                key,
                token: Token::Open {
                    bracket: '{',
                    close: 0,
                    children: n,
                },
                comma: false,
            });
            for (i, (k, v)) in map.into_iter().enumerate() {
                let k = quoted(&k);
                push(
                    v,
                    depth + 1,
                    Some(k[1..k.len() - 1].to_string()),
                    i + 1 < n,
                    out,
                );
            }
            let close = out.len();
            out.push(Line {
                depth,
                key: None,
                token: Token::Close { bracket: '}' },
                comma,
            });
            if let Token::Open { close: c, .. } = &mut out[at].token {
                *c = close;
            }
        }
        Value::Array(items) => {
            let at = out.len();
            let n = items.len();
            out.push(Line {
                depth,
                key,
                token: Token::Open {
                    bracket: '[',
                    close: 0,
                    children: n,
                },
                comma: false,
            });
            for (i, v) in items.into_iter().enumerate() {
                push(v, depth + 1, None, i + 1 < n, out);
            }
            let close = out.len();
            out.push(Line {
                depth,
                key: None,
                token: Token::Close { bracket: ']' },
                comma,
            });
            if let Token::Open { close: c, .. } = &mut out[at].token {
                *c = close;
            }
        }
        Value::String(s) => push_string(s, depth, key, comma, out),
        Value::Number(n) => out.push(Line {
            depth,
            key,
            token: Token::Number(n.to_string()),
            comma,
        }),
        Value::Bool(true) => out.push(Line {
            depth,
            key,
            token: Token::Literal("true"),
            comma,
        }),
        Value::Bool(false) => out.push(Line {
            depth,
            key,
            token: Token::Literal("false"),
            comma,
        }),
        Value::Null => out.push(Line {
            depth,
            key,
            token: Token::Literal("null"),
            comma,
        }),
    }
}

/// Lines with folding applied: `folded[i]` hides the children of open line `i`.
#[derive(Debug, Clone, Default)]
pub struct Folded {
    pub lines: Vec<Line>,
    pub folded: Vec<bool>,
    /// Indices into `lines` of what is shown, in order.
    pub visible: Vec<usize>,
}

impl Folded {
    pub fn new(lines: Vec<Line>) -> Folded {
        let folded = vec![false; lines.len()];
        let mut f = Folded {
            lines,
            folded,
            visible: Vec::new(),
        };
        f.refresh();
        f
    }

    fn refresh(&mut self) {
        self.visible.clear();
        let mut i = 0;
        while i < self.lines.len() {
            self.visible.push(i);
            match self.lines[i].token {
                Token::Open { close, .. } if self.folded[i] => i = close + 1,
                _ => i += 1,
            }
        }
    }

    /// Folds or unfolds the object at visible row `row` (or the one enclosing it);
    /// returns the visible row of the toggled line.
    pub fn toggle(&mut self, row: usize) -> usize {
        let Some(&line) = self.visible.get(row) else {
            return row;
        };
        let target = match self.lines[line].token {
            Token::Open { .. } => Some(line),
            // On a close line or a scalar: the enclosing open line.
            _ => (0..line).rev().find(|&j| {
                matches!(self.lines[j].token, Token::Open { close, .. } if close >= line)
                    && j != line
            }),
        };
        let Some(target) = target else { return row };
        if target == 0 && !self.folded[0] && row != 0 {
            return row;
        }
        self.folded[target] = !self.folded[target];
        self.refresh();
        self.visible.iter().position(|&v| v == target).unwrap_or(0)
    }

    /// Folds every object below the top level.
    pub fn fold_all(&mut self) {
        for (i, l) in self.lines.iter().enumerate() {
            self.folded[i] = l.depth > 0 && matches!(l.token, Token::Open { .. });
        }
        self.refresh();
    }

    pub fn unfold_all(&mut self) {
        self.folded.iter_mut().for_each(|f| *f = false);
        self.refresh();
    }

    /// The text of visible row `row` as plain text (for tests and copying).
    pub fn plain(&self, row: usize) -> String {
        let Some(&i) = self.visible.get(row) else {
            return String::new();
        };
        let l = &self.lines[i];
        let mut s = "  ".repeat(l.depth);
        if let Some(k) = &l.key {
            s.push_str(&format!("\"{k}\": "));
        }
        match &l.token {
            Token::Open {
                bracket,
                children,
                close,
            } if self.folded[i] => {
                let closing = if *bracket == '{' { '}' } else { ']' };
                let comma = self.lines[*close].comma;
                s.push_str(&format!(
                    "{bracket}…{closing}{} ({children})",
                    if comma { "," } else { "" }
                ));
                return s;
            }
            Token::Open { bracket, .. } => s.push(*bracket),
            Token::Close { bracket } => s.push(*bracket),
            Token::String(t) | Token::Number(t) => s.push_str(t),
            Token::Literal(t) => s.push_str(t),
        }
        if l.comma {
            s.push(',');
        }
        s
    }

    /// Whether line `i`'s key or value holds `needle` (folded, as
    /// [`crate::query::parse::fold`] makes it). A long string is split over
    /// lines of at most [`STRING_CHUNK`] characters, so each test is bounded.
    pub fn line_holds(&self, i: usize, needle: &str) -> bool {
        use crate::query::parse::fold;
        let Some(l) = self.lines.get(i) else {
            return false;
        };
        let text = match &l.token {
            Token::String(t) | Token::Number(t) => t.as_str(),
            Token::Literal(t) => t,
            Token::Open { .. } | Token::Close { .. } => "",
        };
        l.key.as_deref().is_some_and(|k| fold(k).contains(needle)) || fold(text).contains(needle)
    }

    /// The next line after `from` (or before it, going back) whose key or
    /// value holds `needle`, round the end of the document; `from` itself
    /// last. `None` when no line does.
    pub fn find(&self, needle: &str, from: usize, forward: bool) -> Option<usize> {
        let n = self.lines.len();
        if n == 0 || needle.is_empty() {
            return None;
        }
        (1..=n)
            .map(|k| {
                if forward {
                    (from + k) % n
                } else {
                    (from + n - k % n) % n
                }
            })
            .find(|&i| self.line_holds(i, needle))
    }

    /// How many lines hold `needle`.
    pub fn count(&self, needle: &str) -> usize {
        self.rank(needle, 0).1
    }

    /// Which match line `line` is (1 for the first; counted as if it held
    /// `needle`) and how many lines hold it: one pass over the document (a
    /// 300 MB field is 73k lines, each folded to be tested).
    pub fn rank(&self, needle: &str, line: usize) -> (usize, usize) {
        let (mut before, mut all) = (0, 0);
        for i in 0..self.lines.len() {
            if self.line_holds(i, needle) {
                all += 1;
                before += usize::from(i < line);
            }
        }
        (before + 1, all)
    }

    /// Unfolds what hides line `i`; its visible row.
    pub fn reveal(&mut self, i: usize) -> usize {
        let mut j = i;
        while let Some(p) = self.parent(j) {
            self.folded[p] = false;
            j = p;
        }
        self.refresh();
        self.visible.iter().position(|&v| v == i).unwrap_or(0)
    }

    /// The line a value starts on: a string longer than [`STRING_CHUNK`]
    /// continues over several lines, and only its first has the key.
    fn value_start(&self, mut i: usize) -> usize {
        while i > 0 && is_continuation(&self.lines[i].token) {
            i -= 1;
        }
        i
    }

    /// The object or array line that encloses line `i`.
    fn parent(&self, i: usize) -> Option<usize> {
        (0..i)
            .rev()
            .find(|&j| matches!(self.lines[j].token, Token::Open { close, .. } if close > i))
    }

    /// Where the value on visible row `row` sits in the document: object keys
    /// and array positions from the top (`["resources", "0", "ARN"]`). A closing
    /// bracket's path is its object's.
    pub fn path(&self, row: usize) -> Vec<String> {
        let Some(&line) = self.visible.get(row) else {
            return Vec::new();
        };
        let mut i = match self.lines[line].token {
            Token::Close { .. } => (0..line)
                .rev()
                .find(
                    |&j| matches!(self.lines[j].token, Token::Open { close, .. } if close == line),
                )
                .unwrap_or(0),
            _ => self.value_start(line),
        };
        let mut path = Vec::new();
        while let Some(p) = self.parent(i) {
            let component = match self.lines[p].token {
                Token::Open { bracket: '{', .. } => {
                    let key = self.lines[i].key.as_deref().unwrap_or_default();
                    serde_json::from_str::<String>(&format!("\"{key}\""))
                        .unwrap_or_else(|_| key.to_string())
                }
                _ => self.position_in(p, i).to_string(),
            };
            path.push(component);
            i = p;
        }
        path.reverse();
        path
    }

    /// Which element of array line `array` line `i` is.
    fn position_in(&self, array: usize, i: usize) -> usize {
        let (mut k, mut n) = (array + 1, 0);
        while k < i {
            if !is_continuation(&self.lines[k].token) {
                n += 1;
            }
            k = match self.lines[k].token {
                Token::Open { close, .. } => close + 1,
                _ => k + 1,
            };
        }
        n
    }

    /// The scalar on visible row `row` as text (a string unquoted and
    /// unescaped), or `None` on a bracket or a string too long for one line.
    pub fn scalar(&self, row: usize) -> Option<String> {
        let &line = self.visible.get(row)?;
        let start = self.value_start(line);
        match &self.lines[start].token {
            Token::String(t) if t.len() >= 2 && t.starts_with('"') && t.ends_with('"') => {
                serde_json::from_str::<String>(t).ok()
            }
            Token::Number(t) => Some(t.clone()),
            Token::Literal(t) => Some(t.to_string()),
            _ => None,
        }
    }
}

/// A path as jq writes it: `.userIdentity.arn`, `.resources[0].ARN`,
/// `.a["odd key"]`; the document itself is `.`. (Array positions are the
/// components that are numbers: [`Folded::path`] writes keys of objects as
/// they are, so a key made of digits is written as a position too.)
pub fn jq_path(path: &[String]) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let mut out = String::new();
    for part in path {
        let plain = part
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        let bracket = if out.is_empty() { ".[" } else { "[" };
        if part.parse::<usize>().is_ok() {
            out.push_str(&format!("{bracket}{part}]"));
        } else if plain {
            out.push('.');
            out.push_str(part);
        } else {
            let key = serde_json::to_string(part).unwrap_or_default();
            out.push_str(&format!("{bracket}{key}]"));
        }
    }
    out
}

/// A line that continues a string begun on an earlier line.
fn is_continuation(token: &Token) -> bool {
    matches!(token, Token::String(t) if !t.starts_with('"'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Folded {
        let v: Value =
            serde_json::from_str(r#"{"b":1,"a":{"x":[true,null],"y":"s\u001b"},"c":"end"}"#)
                .unwrap();
        Folded::new(flatten(v))
    }

    fn all(f: &Folded) -> Vec<String> {
        (0..f.visible.len()).map(|r| f.plain(r)).collect()
    }

    #[test]
    fn each_row_knows_its_path_and_value() {
        let v: Value = serde_json::from_str(
            r#"{"userIdentity":{"arn":"arn:aws:iam::1:user/a\"b"},"resources":[{"ARN":"r0"},{"ARN":"r1"}],"n":7,"k\u0001":true}"#,
        )
        .unwrap();
        let f = Folded::new(flatten(v));
        let row = |needle: &str| {
            (0..f.visible.len())
                .find(|&r| f.plain(r).contains(needle))
                .unwrap()
        };
        let arn = row("user/a");
        assert_eq!(f.path(arn), ["userIdentity", "arn"]);
        assert_eq!(f.scalar(arn).as_deref(), Some("arn:aws:iam::1:user/a\"b"));
        let r1 = row("\"r1\"");
        assert_eq!(f.path(r1), ["resources", "1", "ARN"]);
        assert_eq!(f.path(row("\"n\"")), ["n"]);
        assert_eq!(f.scalar(row("\"n\"")).as_deref(), Some("7"));
        assert_eq!(f.path(row("true")), ["k\u{1}"]);
        // Brackets have a path and no value.
        assert_eq!(f.scalar(0), None);
        assert!(f.path(0).is_empty());
        let close_of_resources = row("]");
        assert_eq!(f.path(close_of_resources), ["resources"]);
    }

    #[test]
    fn paths_as_jq_writes_them() {
        let p = |parts: &[&str]| jq_path(&parts.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(p(&[]), ".");
        assert_eq!(p(&["userIdentity", "arn"]), ".userIdentity.arn");
        assert_eq!(p(&["resources", "0", "ARN"]), ".resources[0].ARN");
        assert_eq!(
            p(&["requestParameters", "odd key", "x"]),
            ".requestParameters[\"odd key\"].x"
        );
        assert_eq!(p(&["0"]), ".[0]");
    }

    #[test]
    fn a_long_string_is_one_value_over_its_lines() {
        let long = "x".repeat(STRING_CHUNK * 2 + 5);
        let v = serde_json::json!({"list": [long.clone(), "after"]});
        let f = Folded::new(flatten(v));
        // Rows: {, "list": [, three lines of the long string, "after", ], }.
        assert_eq!(f.visible.len(), 8);
        for r in 2..5 {
            assert_eq!(f.path(r), ["list", "0"]);
            assert_eq!(
                f.scalar(r),
                None,
                "too long for one line: not a pivot value"
            );
        }
        assert_eq!(f.path(5), ["list", "1"]);
        assert_eq!(f.scalar(5).as_deref(), Some("after"));
    }

    #[test]
    fn flattens_in_document_order() {
        assert_eq!(
            all(&doc()),
            [
                "{",
                "  \"b\": 1,",
                "  \"a\": {",
                "    \"x\": [",
                "      true,",
                "      null",
                "    ],",
                "    \"y\": \"s\\u001b\"",
                "  },",
                "  \"c\": \"end\"",
                "}"
            ]
        );
    }

    #[test]
    fn folding_hides_children_and_returns_the_row() {
        let mut f = doc();
        assert_eq!(f.toggle(2), 2);
        assert_eq!(f.plain(2), "  \"a\": {…}, (2)");
        assert_eq!(f.visible.len(), 5);
        // Toggling from inside folds the enclosing object.
        f.toggle(2);
        assert_eq!(f.toggle(4), 3);
        assert_eq!(f.plain(3), "    \"x\": […], (2)");
        f.fold_all();
        assert_eq!(
            all(&f),
            [
                "{",
                "  \"b\": 1,",
                "  \"a\": {…}, (2)",
                "  \"c\": \"end\"",
                "}"
            ]
        );
        f.unfold_all();
        assert_eq!(f.visible.len(), 11);
    }

    #[test]
    fn a_long_string_continues_over_lines_of_bounded_length() {
        let long: String = "é\u{1b}x".repeat(STRING_CHUNK);
        let v = serde_json::json!({"big": long, "after": 1});
        let f = Folded::new(flatten(v));
        let rows = all(&f);
        // `{`, the string's lines, `"after": 1`, `}`.
        let lines = &rows[1..rows.len() - 2];
        assert_eq!(lines.len(), 3, "3 × STRING_CHUNK characters");
        assert!(lines.iter().all(|l| l.chars().count() < STRING_CHUNK * 7));
        assert!(lines[0].starts_with("  \"big\": \"é"));
        assert!(lines[lines.len() - 1].ends_with("x\","));
        // Together they are the value's JSON text, in order.
        let text: String = lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let l = l.strip_prefix("  ").unwrap_or(l);
                let l = if i == 0 { &l["\"big\": ".len()..] } else { l };
                l.trim_end_matches(',').to_string()
            })
            .collect();
        assert_eq!(text, quoted(&long));
    }
}

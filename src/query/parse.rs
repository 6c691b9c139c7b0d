//! The filter language: `user:carol repo:infra event:GitPush,GitPull errors since:2024-03-02`.
//!
//! Terms are separated by spaces and all must hold. `field:value` terms take a
//! comma-separated list (any of them); values may be quoted (`user:"José García"`).
//! `-` before a term negates it. Bare words are fuzzy search. A parse error names
//! the column (1-based, in characters) where it went wrong.

use crate::model::time::{Millis, format_time, parse_bound};
use std::fmt;

/// One condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    /// Case-insensitive substring (or exact, with `=`) of actor, ARN, access key or principal.
    User(Vec<Match>),
    Repo(Vec<Match>),
    Pipeline(Vec<Match>),
    /// Event name equals one of them (case-insensitive).
    Event(Vec<String>),
    /// Event source equals one of them; `codecommit` means `codecommit.amazonaws.com`.
    Source(Vec<String>),
    Account(Vec<String>),
    Region(Vec<String>),
    /// Error code equals one of them (case-insensitive).
    ErrorCode(Vec<String>),
    Since(Millis),
    Until(Millis),
    Errors,
    ReadOnly,
    Mutating,
    /// Another record has the event's `eventID` and different content.
    Conflict,
    /// Case-insensitive substring of the raw event JSON.
    Text(String),
    /// A bare word, fuzzy-matched against names (actors, events, sources, resources).
    Fuzzy(String),
}

/// A text value to match: a substring, or the whole value with `=`.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    pub text: String,
    pub exact: bool,
}

impl Match {
    pub fn substring(text: &str) -> Match {
        Match {
            text: text.to_string(),
            exact: false,
        }
    }
    pub fn exact(text: &str) -> Match {
        Match {
            text: text.to_string(),
            exact: true,
        }
    }
    /// Case-insensitive; `self.text` is compared lower-cased with `value` lower-cased.
    pub fn is_match(&self, value: &str) -> bool {
        if self.exact {
            value.eq_ignore_ascii_case(&self.text)
                || value.to_lowercase() == self.text.to_lowercase()
        } else {
            contains_ci(value, &self.text)
        }
    }
}

/// Case-insensitive substring search (Unicode lower-casing only when needed).
pub fn contains_ci(haystack: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    if haystack.is_ascii() && needle.is_ascii() {
        let h = haystack.as_bytes();
        let n = needle.as_bytes();
        return h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n));
    }
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    pub negated: bool,
    pub cond: Cond,
}

/// A parsed filter: every term must hold.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Filter {
    pub terms: Vec<Term>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("column {column}: {message}")]
pub struct ParseError {
    /// 1-based, in characters.
    pub column: usize,
    pub message: String,
}

impl Filter {
    /// Parses the filter language.
    ///
    /// ```
    /// use trailscope::query::Filter;
    /// let f = Filter::parse(r#"user:"José García" event:GitPush,GitPull -errors"#).unwrap();
    /// assert_eq!(f.terms.len(), 3);
    /// assert_eq!(f.to_text(), r#"user:"José García" event:GitPush,GitPull -errors"#);
    /// let err = Filter::parse("usr:carol").unwrap_err();
    /// assert_eq!(err.column, 1);
    /// ```
    pub fn parse(text: &str) -> Result<Filter, ParseError> {
        Parser {
            chars: text.chars().collect(),
            pos: 0,
        }
        .parse()
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    pub fn and(mut self, term: Term) -> Filter {
        self.terms.push(term);
        self
    }

    /// The `text:` needles, each with whether its term is negated.
    pub fn text_terms(&self) -> Vec<(&str, bool)> {
        self.terms
            .iter()
            .filter_map(|t| match &t.cond {
                Cond::Text(s) => Some((s.as_str(), t.negated)),
                _ => None,
            })
            .collect()
    }

    /// Whether matching needs the raw JSON (a `text:` term).
    pub fn needs_raw(&self) -> bool {
        self.terms.iter().any(|t| matches!(t.cond, Cond::Text(_)))
    }

    /// The canonical text of the filter; parses back to an equal filter.
    pub fn to_text(&self) -> String {
        self.terms
            .iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

/// Quotes a value when it holds anything the tokenizer would split on.
pub fn quote(value: &str) -> String {
    if !value.is_empty()
        && !value
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, ',' | '"' | '\\' | ':'))
    {
        value.to_string()
    } else {
        let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
        format!("\"{escaped}\"")
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negated {
            f.write_str("-")?;
        }
        let list = |v: &[String]| v.iter().map(|s| quote(s)).collect::<Vec<_>>().join(",");
        let matches = |v: &[Match]| {
            v.iter()
                .map(|m| format!("{}{}", if m.exact { "=" } else { "" }, quote(&m.text)))
                .collect::<Vec<_>>()
                .join(",")
        };
        match &self.cond {
            Cond::User(v) => write!(f, "user:{}", matches(v)),
            Cond::Repo(v) => write!(f, "repo:{}", matches(v)),
            Cond::Pipeline(v) => write!(f, "pipeline:{}", matches(v)),
            Cond::Event(v) => write!(f, "event:{}", list(v)),
            Cond::Source(v) => write!(f, "source:{}", list(v)),
            Cond::Account(v) => write!(f, "account:{}", list(v)),
            Cond::Region(v) => write!(f, "region:{}", list(v)),
            Cond::ErrorCode(v) => write!(f, "error:{}", list(v)),
            Cond::Since(t) => write!(f, "since:{}", format_time(*t)),
            Cond::Until(t) => write!(f, "until:{}", format_time(*t)),
            Cond::Errors => f.write_str("errors"),
            Cond::ReadOnly => f.write_str("readonly"),
            Cond::Mutating => f.write_str("mutating"),
            Cond::Conflict => f.write_str("conflict"),
            Cond::Text(t) => write!(f, "text:{}", quote(t)),
            Cond::Fuzzy(w) => f.write_str(&quote(w)),
        }
    }
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn err<T>(&self, at: usize, message: impl Into<String>) -> Result<T, ParseError> {
        Err(ParseError {
            column: at + 1,
            message: message.into(),
        })
    }

    fn skip_ws(&mut self) {
        while self.pos < self.chars.len() && self.chars[self.pos].is_whitespace() {
            self.pos += 1;
        }
    }

    fn parse(mut self) -> Result<Filter, ParseError> {
        let mut filter = Filter::default();
        loop {
            self.skip_ws();
            if self.pos >= self.chars.len() {
                return Ok(filter);
            }
            let start = self.pos;
            let negated = self.chars[self.pos] == '-';
            if negated
                && self
                    .chars
                    .get(self.pos + 1)
                    .is_none_or(|c| c.is_whitespace())
            {
                return self.err(
                    self.pos,
                    "a lone `-` negates nothing: write it against the term, as in `-errors`",
                );
            }
            if negated {
                self.pos += 1;
            }
            let cond = self.term(start)?;
            filter.terms.push(Term { negated, cond });
        }
    }

    /// A bare word up to a space or `:`, or a quoted string.
    fn word(&mut self) -> Result<(String, bool), ParseError> {
        if self.chars.get(self.pos) == Some(&'"') {
            return self.quoted().map(|s| (s, true));
        }
        let start = self.pos;
        while self.pos < self.chars.len()
            && !self.chars[self.pos].is_whitespace()
            && self.chars[self.pos] != ':'
        {
            self.pos += 1;
        }
        Ok((self.chars[start..self.pos].iter().collect(), false))
    }

    fn quoted(&mut self) -> Result<String, ParseError> {
        let open = self.pos;
        self.pos += 1;
        let mut out = String::new();
        while self.pos < self.chars.len() {
            match self.chars[self.pos] {
                '"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                '\\' if self.pos + 1 < self.chars.len() => {
                    out.push(self.chars[self.pos + 1]);
                    self.pos += 2;
                }
                c => {
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
        self.err(open, "unterminated quote")
    }

    /// A comma-separated list of values; each may be quoted and (where allowed) start with `=`.
    fn values(
        &mut self,
        field_at: usize,
        field: &str,
    ) -> Result<Vec<(String, bool, usize)>, ParseError> {
        let mut out = Vec::new();
        loop {
            let at = self.pos;
            let exact = self.chars.get(self.pos) == Some(&'=');
            if exact {
                self.pos += 1;
            }
            let value = if self.chars.get(self.pos) == Some(&'"') {
                self.quoted()?
            } else {
                let start = self.pos;
                while self.pos < self.chars.len()
                    && !self.chars[self.pos].is_whitespace()
                    && self.chars[self.pos] != ','
                {
                    self.pos += 1;
                }
                self.chars[start..self.pos].iter().collect()
            };
            if value.is_empty() {
                return self.err(at, format!("`{field}:` needs a value"));
            }
            out.push((value, exact, at));
            if self.chars.get(self.pos) == Some(&',') {
                self.pos += 1;
                continue;
            }
            if self.pos < self.chars.len() && !self.chars[self.pos].is_whitespace() {
                return self.err(self.pos, "expected a space or `,` after the value");
            }
            let _ = field_at;
            return Ok(out);
        }
    }

    fn term(&mut self, start: usize) -> Result<Cond, ParseError> {
        let word_at = self.pos;
        let (word, quoted) = self.word()?;
        if quoted || self.chars.get(self.pos) != Some(&':') {
            if !quoted && word.is_empty() {
                return self.err(word_at, "expected a term");
            }
            return Ok(match (quoted, word.to_ascii_lowercase().as_str()) {
                (false, "errors") => Cond::Errors,
                (false, "readonly") => Cond::ReadOnly,
                (false, "mutating") => Cond::Mutating,
                (false, "conflict" | "conflicts") => Cond::Conflict,
                _ => Cond::Fuzzy(word),
            });
        }
        self.pos += 1; // ':'
        let field = word.to_ascii_lowercase();
        let values = |p: &mut Parser| p.values(start, &field);
        let plain =
            |v: Vec<(String, bool, usize)>, p: &Parser| -> Result<Vec<String>, ParseError> {
                match v.iter().find(|x| x.1) {
                Some(x) => p.err(
                    x.2,
                    format!(
                        "`=` (exact match) is for user, repo and pipeline; {field} is always exact"
                    ),
                ),
                None => Ok(v.into_iter().map(|x| x.0).collect()),
            }
            };
        let matches = |v: Vec<(String, bool, usize)>| {
            v.into_iter()
                .map(|(t, exact, _)| Match { text: t, exact })
                .collect()
        };
        Ok(match field.as_str() {
            "user" => Cond::User(matches(values(self)?)),
            "repo" | "repository" => Cond::Repo(matches(values(self)?)),
            "pipeline" => Cond::Pipeline(matches(values(self)?)),
            "event" => Cond::Event(plain(values(self)?, self)?),
            "source" => Cond::Source(plain(values(self)?, self)?.into_iter().map(|s| expand_source(&s)).collect()),
            "account" => Cond::Account(plain(values(self)?, self)?),
            "region" => Cond::Region(plain(values(self)?, self)?),
            "error" => Cond::ErrorCode(plain(values(self)?, self)?),
            "text" => {
                let v = plain(values(self)?, self)?;
                Cond::Text(v.join(","))
            }
            "since" | "until" => {
                let at = self.pos;
                let v = plain(values(self)?, self)?;
                if v.len() != 1 {
                    return self.err(at, format!("`{field}:` takes one time"));
                }
                let Some(t) = parse_bound(&v[0]) else {
                    return self.err(at, format!("`{}` is not a time: use YYYY-MM-DD or RFC 3339 (2024-03-01T10:00:00Z)", v[0]));
                };
                if field == "since" { Cond::Since(t) } else { Cond::Until(t) }
            }
            _ => {
                return self.err(
                    word_at,
                    format!("unknown field `{word}` (fields: user, repo, pipeline, event, source, account, region, error, since, until, text)"),
                )
            }
        })
    }
}

/// `codecommit` → `codecommit.amazonaws.com`; full host names stay as they are.
pub fn expand_source(s: &str) -> String {
    if s.contains('.') {
        s.to_string()
    } else {
        format!("{s}.amazonaws.com")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::parse_event_time;

    fn one(text: &str) -> Term {
        let f = Filter::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(f.terms.len(), 1, "{text}");
        f.terms.into_iter().next().unwrap()
    }

    fn cond(text: &str) -> Cond {
        one(text).cond
    }

    fn err(text: &str) -> (usize, String) {
        let e = Filter::parse(text).unwrap_err();
        (e.column, e.message)
    }

    #[test]
    fn every_field() {
        let cases: Vec<(&str, Cond)> = vec![
            ("user:carol", Cond::User(vec![Match::substring("carol")])),
            ("user:=carol", Cond::User(vec![Match::exact("carol")])),
            ("USER:Carol", Cond::User(vec![Match::substring("Carol")])),
            ("repo:infra", Cond::Repo(vec![Match::substring("infra")])),
            (
                "repository:infra",
                Cond::Repo(vec![Match::substring("infra")]),
            ),
            (
                "pipeline:Deploy",
                Cond::Pipeline(vec![Match::substring("Deploy")]),
            ),
            (
                "event:GitPush,GitPull",
                Cond::Event(vec!["GitPush".into(), "GitPull".into()]),
            ),
            (
                "source:codecommit",
                Cond::Source(vec!["codecommit.amazonaws.com".into()]),
            ),
            (
                "source:s3.amazonaws.com",
                Cond::Source(vec!["s3.amazonaws.com".into()]),
            ),
            (
                "account:111122223333",
                Cond::Account(vec!["111122223333".into()]),
            ),
            (
                "region:us-east-1,eu-west-1",
                Cond::Region(vec!["us-east-1".into(), "eu-west-1".into()]),
            ),
            (
                "error:AccessDenied",
                Cond::ErrorCode(vec!["AccessDenied".into()]),
            ),
            (
                "since:2024-03-02",
                Cond::Since(parse_event_time("2024-03-02T00:00:00Z").unwrap()),
            ),
            (
                "until:2024-03-02T10:00:00Z",
                Cond::Until(parse_event_time("2024-03-02T10:00:00Z").unwrap()),
            ),
            ("errors", Cond::Errors),
            ("readonly", Cond::ReadOnly),
            ("mutating", Cond::Mutating),
            ("text:\"Deny *\"", Cond::Text("Deny *".into())),
            ("deploy", Cond::Fuzzy("deploy".into())),
            ("\"two words\"", Cond::Fuzzy("two words".into())),
        ];
        for (text, want) in cases {
            assert_eq!(cond(text), want, "{text}");
        }
    }

    #[test]
    fn quoting() {
        assert_eq!(
            cond("user:\"José García\""),
            Cond::User(vec![Match::substring("José García")])
        );
        assert_eq!(
            cond(r#"user:"a\"b""#),
            Cond::User(vec![Match::substring("a\"b")])
        );
        assert_eq!(
            cond(r#"event:"A B",C"#),
            Cond::Event(vec!["A B".into(), "C".into()])
        );
        assert_eq!(
            cond(r#"user:="x y""#),
            Cond::User(vec![Match::exact("x y")])
        );
    }

    #[test]
    fn negation_and_conjunction() {
        let f = Filter::parse("  -user:bot  errors -event:GetObject ").unwrap();
        assert_eq!(f.terms.len(), 3);
        assert!(f.terms[0].negated && !f.terms[1].negated && f.terms[2].negated);
        // A lone `-` is an error, not a fuzzy word that matches half the trail.
        for text in ["-", "- errors", "errors -"] {
            let err = Filter::parse(text).unwrap_err();
            assert!(err.message.contains("lone `-`"), "{text}: {err}");
        }
        assert_eq!(Filter::parse("- errors").unwrap_err().column, 1);
        assert_eq!(
            Filter::parse("\"-\"").unwrap().terms[0].cond,
            Cond::Fuzzy("-".into())
        );
    }

    #[test]
    fn errors_point_at_the_column() {
        let cases = [
            ("usr:carol", 1, "unknown field `usr`"),
            ("errors user:", 13, "`user:` needs a value"),
            ("since:yesterday", 7, "`yesterday` is not a time"),
            ("user:\"open", 6, "unterminated quote"),
            ("event:=X", 7, "`=` (exact match)"),
            ("since:2024-01-01,2024-01-02", 7, "takes one time"),
            ("user:\"a\"b", 9, "expected a space"),
            ("event:A,", 9, "`event:` needs a value"),
            ("José user:", 11, "needs a value"),
        ];
        for (text, column, message) in cases {
            let (c, m) = err(text);
            assert_eq!(c, column, "{text}: {m}");
            assert!(m.contains(message), "{text}: {m}");
        }
    }

    #[test]
    fn text_round_trips() {
        for text in [
            "user:carol repo:infra event:GitPush,GitPull errors since:2024-03-02T00:00:00Z",
            "-user:=\"José García\" pipeline:Deploy readonly",
            "text:\"a b\" \"fuzzy words\" mutating error:AccessDenied,Throttling",
            "source:codecommit.amazonaws.com account:1 region:us-east-1 until:2024-01-01T00:00:00Z",
        ] {
            let f = Filter::parse(text).unwrap();
            assert_eq!(
                Filter::parse(&f.to_text()).unwrap(),
                f,
                "{text} → {}",
                f.to_text()
            );
        }
    }

    #[test]
    fn substring_matching_is_case_insensitive() {
        assert!(Match::substring("CAROL").is_match("carol-admin"));
        assert!(Match::substring("garcía").is_match("José GARCÍA"));
        assert!(!Match::exact("carol").is_match("carol-admin"));
        assert!(Match::exact("carol").is_match("Carol"));
        assert!(contains_ci("abc", ""));
    }
}

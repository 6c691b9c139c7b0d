//! The filter language: `(user:carol | user:dave) event:Git* -errors since:-2h`.
//!
//! Terms separated by spaces must all hold (AND); `|` or `or` between terms
//! means either (OR); parentheses group; `-` negates a term or a group.
//! Precedence: NOT, then AND, then OR. `field:value` terms take a comma-separated
//! list (any of them); values may be quoted (`user:"José García"`) and may hold
//! `*` and `?` wildcards. Bare words are fuzzy search. The fields are listed once,
//! in [`super::fields::FIELDS`]. A parse error names the column (1-based, in
//! characters) where it went wrong.

use super::fields::{Kind, closest, field};
use super::named::Named;
use crate::model::time::{Millis, format_time, parse_bound, parse_span};
use std::fmt;

/// One condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    /// Actor, ARN or principal contains it (the access key too, with `=`).
    User(Vec<Match>),
    /// Access key id: exact with `=`, else a prefix.
    Key(Vec<Match>),
    /// Source IP: exact, a CIDR, else a substring.
    Ip(Vec<Match>),
    Agent(Vec<Match>),
    /// `userIdentity.type`.
    Type(Vec<Match>),
    Repo(Vec<Match>),
    Pipeline(Vec<Match>),
    /// Any resource the event names (repositories, pipelines, the resource column).
    Resource(Vec<Match>),
    /// `eventID`, `requestID` or `sharedEventID` is one of them (exact).
    Id(Vec<String>),
    /// Event name equals one of them (case-insensitive; wildcards allowed).
    Event(Vec<String>),
    /// Event source equals one of them; `codecommit` means `codecommit.amazonaws.com`.
    Source(Vec<String>),
    Account(Vec<String>),
    Region(Vec<String>),
    /// Error code equals one of them (case-insensitive).
    ErrorCode(Vec<String>),
    Since(Millis),
    Until(Millis),
    /// Within this many milliseconds before the newest loaded event.
    Last(Millis),
    Errors,
    ReadOnly,
    Mutating,
    /// Another record has the event's `eventID` and different content.
    Conflict,
    /// Case-insensitive substring of the raw event JSON.
    Text(String),
    /// A bare word, fuzzy-matched against the distinct values of the indexed fields.
    Fuzzy(String),
    /// Any of these alternatives, each a list of terms that must all hold.
    Group(Vec<Vec<Term>>),
}

/// A text value to match: a substring, or the whole value with `=`; `*` and `?`
/// are wildcards.
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
    /// Case- and accent-insensitive; with wildcards, the pattern must match the
    /// whole value (`exact`) or a part of it.
    pub fn is_match(&self, value: &str) -> bool {
        let (value, text) = (fold(value), fold(&self.text));
        if has_wildcard(&text) {
            let pattern = if self.exact {
                text
            } else {
                format!("*{text}*")
            };
            return wildcard_match(&pattern, &value);
        }
        if self.exact {
            value == text
        } else {
            value.contains(&text)
        }
    }
}

/// Whether a value holds `*` or `?`.
pub fn has_wildcard(s: &str) -> bool {
    s.contains(['*', '?'])
}

/// `*` matches any run of characters, `?` any one character; the whole of
/// `value` must match. Linear backtracking on the last `*`, so no input makes it slow.
pub fn wildcard_match(pattern: &str, value: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let v: Vec<char> = value.chars().collect();
    let (mut pi, mut vi) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while vi < v.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == v[vi]) {
            pi += 1;
            vi += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, vi));
            pi += 1;
        } else if let Some((sp, sv)) = star {
            pi = sp + 1;
            vi = sv + 1;
            star = Some((sp, sv + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Lower-cased, with accents removed (`José` → `jose`), for matching.
pub fn fold(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    s.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Case- and accent-insensitive substring search.
pub fn contains_ci(haystack: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    if needle.contains(['*', '?']) {
        return glob_contains(&fold(haystack), &fold(needle));
    }
    if haystack.is_ascii() && needle.is_ascii() {
        let h = haystack.as_bytes();
        let n = needle.as_bytes();
        return h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n));
    }
    fold(haystack).contains(&fold(needle))
}

/// Whether some part of `text` matches `pattern`, where `*` is any run of
/// characters and `?` any one (both already folded). The `*`-separated pieces are
/// found left to right, each at its first place after the one before: for a
/// match anywhere in the text, the first place is always as good as any later.
fn glob_contains(text: &str, pattern: &str) -> bool {
    let text: Vec<char> = text.chars().collect();
    let mut from = 0;
    for piece in pattern.split('*').filter(|p| !p.is_empty()) {
        let piece: Vec<char> = piece.chars().collect();
        let fits = |at: usize| {
            piece
                .iter()
                .zip(&text[at..])
                .all(|(p, t)| *p == '?' || p == t)
        };
        let last = text.len().checked_sub(piece.len());
        match last.and_then(|last| (from..=last).find(|&at| fits(at))) {
            Some(at) => from = at + piece.len(),
            None => return false,
        }
    }
    true
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
    /// Parses the filter language; relative times (`since:-2h`) count from now.
    ///
    /// ```
    /// use trailscope::query::Filter;
    /// let f = Filter::parse(r#"(user:"José García" | user:dave) event:Git* -errors"#).unwrap();
    /// assert_eq!(f.terms.len(), 3);
    /// assert_eq!(f.to_text(), r#"(user:"José García" | user:dave) event:Git* -errors"#);
    /// let err = Filter::parse("usr:carol").unwrap_err();
    /// assert_eq!(err.column, 1);
    /// assert!(err.message.contains("did you mean `user`"));
    /// ```
    pub fn parse(text: &str) -> Result<Filter, ParseError> {
        Filter::parse_at(text, chrono::Utc::now().timestamp_millis())
    }

    /// Parses with `now` as the time relative times count from.
    pub fn parse_at(text: &str, now: Millis) -> Result<Filter, ParseError> {
        Filter::parse_with(text, now, Named::global())
    }

    /// Parses with `named` as the `@name` filters.
    pub fn parse_with(text: &str, now: Millis, named: &Named) -> Result<Filter, ParseError> {
        Filter::parse_inner(text, now, named, &[])
    }

    fn parse_inner(
        text: &str,
        now: Millis,
        named: &Named,
        expanding: &[String],
    ) -> Result<Filter, ParseError> {
        let mut p = Parser {
            chars: text.chars().collect(),
            pos: 0,
            now,
            named,
            expanding,
        };
        let alts = p.expr(0)?;
        p.skip_ws();
        if p.pos < p.chars.len() {
            return p.err(p.pos, "`)` closes no group");
        }
        Ok(Filter {
            terms: into_terms(alts, false),
        })
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    pub fn and(mut self, term: Term) -> Filter {
        self.terms.push(term);
        self
    }

    /// Every term, groups' terms included, depth first.
    pub fn all_terms(&self) -> Vec<&Term> {
        fn walk<'a>(terms: &'a [Term], out: &mut Vec<&'a Term>) {
            for t in terms {
                out.push(t);
                if let Cond::Group(alts) = &t.cond {
                    alts.iter().for_each(|a| walk(a, out));
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.terms, &mut out);
        out
    }

    /// The `text:` needles, each with whether its term is negated (at its own level).
    pub fn text_terms(&self) -> Vec<(&str, bool)> {
        self.all_terms()
            .into_iter()
            .filter_map(|t| match &t.cond {
                Cond::Text(s) => Some((s.as_str(), t.negated)),
                _ => None,
            })
            .collect()
    }

    /// Whether matching needs the raw JSON (a `text:` term).
    pub fn needs_raw(&self) -> bool {
        self.all_terms()
            .iter()
            .any(|t| matches!(t.cond, Cond::Text(_)))
    }

    /// Whether matching needs the whole index first (`last:` counts from the newest event).
    pub fn needs_index(&self) -> bool {
        self.all_terms()
            .iter()
            .any(|t| matches!(t.cond, Cond::Last(_)))
    }

    /// The canonical text of the filter; parses back to an equal filter.
    pub fn to_text(&self) -> String {
        join_terms(&self.terms)
    }
}

/// A list of alternatives as terms: one alternative is its terms, several are a group.
fn into_terms(mut alts: Vec<Vec<Term>>, negated: bool) -> Vec<Term> {
    if alts.len() == 1 {
        let terms = alts.remove(0);
        if !negated {
            return terms;
        }
        if terms.len() == 1 {
            let mut t = terms;
            t[0].negated = !t[0].negated;
            return t;
        }
        alts = vec![terms];
    }
    vec![Term {
        negated,
        cond: Cond::Group(alts),
    }]
}

fn join_terms(terms: &[Term]) -> String {
    terms
        .iter()
        .map(|t| t.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

/// Quotes a value when it holds anything the tokenizer would split on or read
/// as syntax.
pub fn quote(value: &str) -> String {
    let plain = !value.is_empty()
        && !value.starts_with(['=', '-', '@'])
        && !value
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, ',' | '"' | '\\' | ':' | '(' | ')' | '|'));
    if plain {
        value.to_string()
    } else {
        let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
        format!("\"{escaped}\"")
    }
}

/// A span as written in `last:`: the largest unit that divides it.
pub fn format_span(ms: Millis) -> String {
    for (unit, size) in [
        ('w', 604_800_000),
        ('d', 86_400_000),
        ('h', 3_600_000),
        ('m', 60_000),
    ] {
        if ms > 0 && ms % size == 0 {
            return format!("{}{unit}", ms / size);
        }
    }
    format!("{}s", ms / 1000)
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
            Cond::Key(v) => write!(f, "key:{}", matches(v)),
            Cond::Ip(v) => write!(f, "ip:{}", matches(v)),
            Cond::Agent(v) => write!(f, "agent:{}", matches(v)),
            Cond::Type(v) => write!(f, "type:{}", matches(v)),
            Cond::Repo(v) => write!(f, "repo:{}", matches(v)),
            Cond::Pipeline(v) => write!(f, "pipeline:{}", matches(v)),
            Cond::Resource(v) => write!(f, "resource:{}", matches(v)),
            Cond::Id(v) => write!(f, "id:{}", list(v)),
            Cond::Event(v) => write!(f, "event:{}", list(v)),
            Cond::Source(v) => write!(f, "source:{}", list(v)),
            Cond::Account(v) => write!(f, "account:{}", list(v)),
            Cond::Region(v) => write!(f, "region:{}", list(v)),
            Cond::ErrorCode(v) => write!(f, "error:{}", list(v)),
            Cond::Since(t) => write!(f, "since:{}", format_time(*t)),
            Cond::Until(t) => write!(f, "until:{}", format_time(*t)),
            Cond::Last(ms) => write!(f, "last:{}", format_span(*ms)),
            Cond::Errors => f.write_str("errors"),
            Cond::ReadOnly => f.write_str("readonly"),
            Cond::Mutating => f.write_str("mutating"),
            Cond::Conflict => f.write_str("conflict"),
            Cond::Text(t) => write!(f, "text:{}", quote(t)),
            Cond::Fuzzy(w) => {
                let reserved =
                    field(w).is_some_and(|f| f.kind == Kind::Word) || w.eq_ignore_ascii_case("or");
                if reserved {
                    write!(f, "\"{w}\"")
                } else {
                    f.write_str(&quote(w))
                }
            }
            Cond::Group(alts) => {
                let alts: Vec<String> = alts.iter().map(|a| join_terms(a)).collect();
                write!(f, "({})", alts.join(" | "))
            }
        }
    }
}

/// Groups nest at most this deep (a parse error past it, never a stack overflow).
const MAX_DEPTH: usize = 32;

struct Parser<'n> {
    chars: Vec<char>,
    pos: usize,
    now: Millis,
    named: &'n Named,
    /// Named filters being expanded (a name may not refer to itself).
    expanding: &'n [String],
}

impl Parser<'_> {
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

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    /// Whether an OR separator (`|`, or the word `or`) starts here; its length.
    fn or_here(&self) -> Option<usize> {
        match self.peek() {
            Some('|') => Some(1),
            Some('o' | 'O') => {
                let r = self
                    .chars
                    .get(self.pos + 1)
                    .is_some_and(|c| c.eq_ignore_ascii_case(&'r'));
                let after = self.chars.get(self.pos + 2);
                (r && after.is_none_or(|c| c.is_whitespace() || *c == '(')).then_some(2)
            }
            _ => None,
        }
    }

    /// Alternatives separated by `|`/`or`, up to the end or a `)`.
    fn expr(&mut self, depth: usize) -> Result<Vec<Vec<Term>>, ParseError> {
        let first_at = self.pos;
        let mut alts = vec![self.and(depth)?];
        loop {
            self.skip_ws();
            let Some(len) = self.or_here() else { break };
            let at = self.pos;
            if alts.last().is_some_and(Vec::is_empty) {
                return self.err(at, "nothing before `|`: write a term on each side");
            }
            self.pos += len;
            let next = self.and(depth)?;
            if next.is_empty() {
                return self.err(at, "nothing after `|`: write a term on each side");
            }
            alts.push(next);
        }
        let _ = first_at;
        Ok(alts)
    }

    /// Terms up to the end, a `)` or an OR separator: all must hold.
    fn and(&mut self, depth: usize) -> Result<Vec<Term>, ParseError> {
        let mut terms = Vec::new();
        loop {
            self.skip_ws();
            if self.peek().is_none_or(|c| c == ')') || self.or_here().is_some() {
                return Ok(terms);
            }
            terms.extend(self.unary(depth)?);
        }
    }

    /// A term, `-` and a term, or a group in parentheses.
    fn unary(&mut self, depth: usize) -> Result<Vec<Term>, ParseError> {
        let at = self.pos;
        match self.peek() {
            Some('-') => {
                if self
                    .chars
                    .get(self.pos + 1)
                    .is_none_or(|c| c.is_whitespace() || matches!(c, ')' | '|'))
                {
                    return self.err(
                        at,
                        "a lone `-` negates nothing: write it against the term, as in `-errors`",
                    );
                }
                self.pos += 1;
                let inner = self.unary(depth)?;
                Ok(into_terms(vec![inner], true))
            }
            Some('(') => {
                if depth >= MAX_DEPTH {
                    return self.err(at, format!("groups nest at most {MAX_DEPTH} deep"));
                }
                self.pos += 1;
                let alts = self.expr(depth + 1)?;
                self.skip_ws();
                if self.peek() != Some(')') {
                    return self.err(at, "this `(` is never closed");
                }
                self.pos += 1;
                if alts.len() == 1 && alts[0].is_empty() {
                    return self.err(at, "an empty group: put terms between the parentheses");
                }
                Ok(into_terms(alts, false))
            }
            Some('@') => self.named_filter(),
            _ => Ok(vec![Term {
                negated: false,
                cond: self.term()?,
            }]),
        }
    }

    /// `@name`: the named filter's terms, as if they were written in parentheses.
    fn named_filter(&mut self) -> Result<Vec<Term>, ParseError> {
        let at = self.pos;
        self.pos += 1;
        let (name, _) = self.word()?;
        if name.is_empty() {
            return self.err(at, "`@` needs the name of a filter from config.toml");
        }
        let Some(text) = self.named.filters.get(&name) else {
            let known: Vec<&str> = self.named.filters.keys().map(String::as_str).collect();
            let mut message = format!("unknown named filter `@{name}`");
            match (&self.named.problem, known.is_empty()) {
                (Some(problem), _) => {
                    message.push_str(&format!(" (the configuration cannot be read: {problem})"))
                }
                (None, true) => message
                    .push_str(" (define it under [filters] in ~/.config/trailscope/config.toml)"),
                (None, false) => {
                    message.push_str(&format!(" (named filters: {})", known.join(", ")))
                }
            }
            return self.err(at, message);
        };
        if self.expanding.contains(&name) || self.expanding.len() >= MAX_DEPTH {
            return self.err(at, format!("`@{name}` refers to itself"));
        }
        let mut expanding = self.expanding.to_vec();
        expanding.push(name.clone());
        let inner = Filter::parse_inner(text, self.now, self.named, &expanding).map_err(|e| {
            ParseError {
                column: at + 1,
                message: format!("in `@{name}`: column {}: {}", e.column, e.message),
            }
        })?;
        Ok(into_terms(vec![inner.terms], false))
    }

    /// A bare word up to a space, `:` or syntax, or a quoted string.
    fn word(&mut self) -> Result<(String, bool), ParseError> {
        if self.peek() == Some('"') {
            return self.quoted().map(|s| (s, true));
        }
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| !c.is_whitespace() && !matches!(c, ':' | '(' | ')' | '|'))
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

    /// A comma-separated list of values; each may be quoted and start with `=`.
    fn values(&mut self, field: &str) -> Result<Vec<(String, bool, usize)>, ParseError> {
        let mut out = Vec::new();
        loop {
            let at = self.pos;
            let exact = self.peek() == Some('=');
            if exact {
                self.pos += 1;
            }
            let value = if self.peek() == Some('"') {
                self.quoted()?
            } else {
                let start = self.pos;
                while self
                    .peek()
                    .is_some_and(|c| !c.is_whitespace() && !matches!(c, ',' | '(' | ')' | '|'))
                {
                    self.pos += 1;
                }
                self.chars[start..self.pos].iter().collect()
            };
            if value.is_empty() {
                return self.err(at, format!("`{field}:` needs a value"));
            }
            out.push((value, exact, at));
            if self.peek() == Some(',') {
                self.pos += 1;
                continue;
            }
            if self
                .peek()
                .is_some_and(|c| !c.is_whitespace() && !matches!(c, ')' | '|'))
            {
                return self.err(self.pos, "expected a space or `,` after the value");
            }
            return Ok(out);
        }
    }

    fn term(&mut self) -> Result<Cond, ParseError> {
        let word_at = self.pos;
        let (word, quoted) = self.word()?;
        if quoted || self.peek() != Some(':') {
            if !quoted && word.is_empty() {
                return self.err(word_at, "expected a term");
            }
            if !quoted {
                match word.to_ascii_lowercase().as_str() {
                    "errors" => return Ok(Cond::Errors),
                    "readonly" => return Ok(Cond::ReadOnly),
                    "mutating" => return Ok(Cond::Mutating),
                    "conflict" | "conflicts" => return Ok(Cond::Conflict),
                    _ => {}
                }
            }
            return Ok(Cond::Fuzzy(word));
        }
        self.pos += 1; // ':'
        let Some(spec) = field(&word).filter(|f| f.kind != Kind::Word) else {
            let hint = match closest(&word) {
                Some(name) => format!("did you mean `{name}`?"),
                None => "see `?` or README for the fields".to_string(),
            };
            return self.err(word_at, format!("unknown field `{word}`, {hint}"));
        };
        let name = spec.name;
        let values = self.values(name)?;
        let matches = |v: Vec<(String, bool, usize)>| -> Vec<Match> {
            v.into_iter()
                .map(|(text, exact, _)| Match { text, exact })
                .collect()
        };
        let plain = |p: &Parser,
                     v: Vec<(String, bool, usize)>|
         -> Result<Vec<String>, ParseError> {
            match v.iter().find(|x| x.1) {
                Some(x) => p.err(x.2, format!("`=` (exact match) is for text fields such as user and repo; {name} is always exact")),
                None => Ok(v.into_iter().map(|x| x.0).collect()),
            }
        };
        let one =
            |p: &Parser, v: Vec<(String, bool, usize)>| -> Result<(String, usize), ParseError> {
                if v.len() != 1 {
                    return p.err(v[1].2, format!("`{name}:` takes one value"));
                }
                let (text, _, at) = v.into_iter().next().unwrap_or_default();
                Ok((text, at))
            };
        Ok(match name {
            "user" => Cond::User(matches(values)),
            "key" => {
                if let Some((text, _, at)) = values
                    .iter()
                    .find(|(t, exact, _)| !exact && t.chars().count() < 4 && !has_wildcard(t))
                {
                    return self.err(*at, format!("`key:{text}` is too short to be a prefix: give 4 or more characters, or `key:=` an exact key"));
                }
                Cond::Key(matches(values))
            }
            "ip" => {
                // An address with a bad prefix length is a mistake, not a substring.
                let bad_net = |t: &str| {
                    t.split_once('/').is_some_and(|(addr, bits)| {
                        let max = match addr.parse::<std::net::IpAddr>() {
                            Ok(a) if a.is_ipv4() => 32,
                            Ok(_) => 128,
                            Err(_) => return false,
                        };
                        bits.parse::<u8>().map_or(true, |b| b > max)
                    })
                };
                if let Some((text, _, at)) = values.iter().find(|(t, _, _)| bad_net(t)) {
                    return self.err(*at, format!("`ip:{text}` is not a network: the prefix length is 0–32 for IPv4, 0–128 for IPv6"));
                }
                Cond::Ip(matches(values))
            }
            "agent" => Cond::Agent(matches(values)),
            "type" => Cond::Type(matches(values)),
            "repo" => Cond::Repo(matches(values)),
            "pipeline" => Cond::Pipeline(matches(values)),
            "resource" => Cond::Resource(matches(values)),
            "id" => {
                if let Some((text, _, at)) = values.iter().find(|(t, _, _)| has_wildcard(t)) {
                    return self.err(*at, format!("`id:{text}`: ids match exactly, without wildcards (they are stored as 16-byte keys, not text)"));
                }
                Cond::Id(plain(self, values)?)
            }
            "event" => Cond::Event(plain(self, values)?),
            "source" => Cond::Source(
                plain(self, values)?
                    .into_iter()
                    .map(|s| expand_source(&s))
                    .collect(),
            ),
            "account" => Cond::Account(plain(self, values)?),
            "region" => Cond::Region(plain(self, values)?),
            "error" => Cond::ErrorCode(plain(self, values)?),
            "text" => Cond::Text(plain(self, values)?.join(",")),
            "last" => {
                let (text, at) = one(self, values)?;
                match parse_span(&text) {
                    Some(ms) if ms > 0 => Cond::Last(ms),
                    _ => {
                        return self.err(
                            at,
                            format!("`{text}` is not a span: use 90s, 30m, 2h, 7d or 1w"),
                        );
                    }
                }
            }
            _ => {
                // since / until
                let (text, at) = one(self, values)?;
                let time = match text.strip_prefix('-') {
                    Some(span) => parse_span(span).map(|ms| self.now.saturating_sub(ms)),
                    None => parse_bound(&text),
                };
                let Some(t) = time else {
                    return self.err(at, format!("`{text}` is not a time: use 2024-03-02, 2024-03-02T10:00, RFC 3339 (2024-03-02T10:00:00Z) or -2h"));
                };
                if name == "since" {
                    Cond::Since(t)
                } else {
                    Cond::Until(t)
                }
            }
        })
    }
}

/// `codecommit` → `codecommit.amazonaws.com`; full host names and patterns stay as they are.
pub fn expand_source(s: &str) -> String {
    if s.contains('.') || has_wildcard(s) {
        s.to_string()
    } else {
        format!("{s}.amazonaws.com")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_needles_take_wildcards() {
        let raw = r#"{"arn":"arn:aws:sts::1:assumed-role/Dev/alice","ua":"Boto3/1.34 Python"}"#;
        assert!(contains_ci(raw, "assumed*alice"));
        assert!(contains_ci(raw, "ASSUMED-ROLE/D?V/"));
        assert!(contains_ci(raw, "boto?/1.*python"));
        assert!(!contains_ci(raw, "alice*assumed"), "pieces in order");
        assert!(!contains_ci(raw, "dev/?lice?x"));
        assert!(contains_ci(raw, "*"));
        assert!(contains_ci("José", "jos?"), "folded like the rest");
    }
    use crate::model::time::parse_event_time;

    const NOW: Millis = 1_709_287_200_000; // 2024-03-01T10:00:00Z

    fn parse(text: &str) -> Filter {
        Filter::parse_at(text, NOW).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn one(text: &str) -> Term {
        let f = parse(text);
        assert_eq!(f.terms.len(), 1, "{text}");
        f.terms.into_iter().next().unwrap()
    }

    fn cond(text: &str) -> Cond {
        one(text).cond
    }

    fn err(text: &str) -> (usize, String) {
        let e = Filter::parse_at(text, NOW).unwrap_err();
        (e.column, e.message)
    }

    fn sub(t: &str) -> Vec<Match> {
        vec![Match::substring(t)]
    }

    #[test]
    fn every_field() {
        let t = |s: &str| parse_event_time(s).unwrap();
        let cases: Vec<(&str, Cond)> = vec![
            ("user:carol", Cond::User(sub("carol"))),
            ("user:=carol", Cond::User(vec![Match::exact("carol")])),
            ("USER:Carol", Cond::User(sub("Carol"))),
            ("key:ASIAYH0G", Cond::Key(sub("ASIAYH0G"))),
            ("key:=AKIA1", Cond::Key(vec![Match::exact("AKIA1")])),
            ("ip:10.0.0.0/8", Cond::Ip(sub("10.0.0.0/8"))),
            ("ip:2001:db8::/32", Cond::Ip(sub("2001:db8::/32"))),
            ("agent:aws-cli", Cond::Agent(sub("aws-cli"))),
            ("type:AssumedRole", Cond::Type(sub("AssumedRole"))),
            ("id:abc-1,DEF", Cond::Id(vec!["abc-1".into(), "DEF".into()])),
            ("repo:infra", Cond::Repo(sub("infra"))),
            ("repository:infra", Cond::Repo(sub("infra"))),
            ("pipeline:Deploy", Cond::Pipeline(sub("Deploy"))),
            ("resource:logs", Cond::Resource(sub("logs"))),
            (
                "event:GitPush,GitPull",
                Cond::Event(vec!["GitPush".into(), "GitPull".into()]),
            ),
            ("event:Git*", Cond::Event(vec!["Git*".into()])),
            (
                "source:codecommit",
                Cond::Source(vec!["codecommit.amazonaws.com".into()]),
            ),
            (
                "source:s3.amazonaws.com",
                Cond::Source(vec!["s3.amazonaws.com".into()]),
            ),
            ("source:code*", Cond::Source(vec!["code*".into()])),
            (
                "account:111122223333",
                Cond::Account(vec!["111122223333".into()]),
            ),
            (
                "region:us-east-1,eu-*",
                Cond::Region(vec!["us-east-1".into(), "eu-*".into()]),
            ),
            (
                "error:AccessDenied",
                Cond::ErrorCode(vec!["AccessDenied".into()]),
            ),
            ("since:2024-03-02", Cond::Since(t("2024-03-02T00:00:00Z"))),
            (
                "since:2024-03-02T10:00",
                Cond::Since(t("2024-03-02T10:00:00Z")),
            ),
            (
                "since:2024-03-02T10",
                Cond::Since(t("2024-03-02T10:00:00Z")),
            ),
            (
                "since:2024-03-02T12:00+02:00",
                Cond::Since(t("2024-03-02T10:00:00Z")),
            ),
            (
                "until:2024-03-02T10:00:00Z",
                Cond::Until(t("2024-03-02T10:00:00Z")),
            ),
            ("since:-2h", Cond::Since(NOW - 7_200_000)),
            ("until:-30m", Cond::Until(NOW - 1_800_000)),
            ("last:2h", Cond::Last(7_200_000)),
            ("last:7d", Cond::Last(7 * 86_400_000)),
            ("errors", Cond::Errors),
            ("readonly", Cond::ReadOnly),
            ("mutating", Cond::Mutating),
            ("text:\"Deny *\"", Cond::Text("Deny *".into())),
            ("deploy", Cond::Fuzzy("deploy".into())),
            ("\"two words\"", Cond::Fuzzy("two words".into())),
            ("\"or\"", Cond::Fuzzy("or".into())),
        ];
        for (text, want) in cases {
            assert_eq!(cond(text), want, "{text}");
        }
    }

    #[test]
    fn quoting() {
        assert_eq!(cond("user:\"José García\""), Cond::User(sub("José García")));
        assert_eq!(cond(r#"user:"a\"b""#), Cond::User(sub("a\"b")));
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
    fn or_groups_and_precedence() {
        let u = |s: &str| Term {
            negated: false,
            cond: Cond::User(sub(s)),
        };
        let push = Term {
            negated: false,
            cond: Cond::Event(vec!["GitPush".into()]),
        };
        // AND binds tighter than OR.
        assert_eq!(
            parse("user:carol | user:dave event:GitPush").terms,
            vec![Term {
                negated: false,
                cond: Cond::Group(vec![vec![u("carol")], vec![u("dave"), push.clone()]])
            }]
        );
        let grouped = parse("(user:carol | user:dave) event:GitPush");
        assert_eq!(grouped.terms.len(), 2);
        assert_eq!(grouped.terms[1], push);
        assert_eq!(
            parse("(user:carol or user:dave)"),
            parse("user:carol OR user:dave")
        );
        assert_eq!(
            parse("user:carol|user:dave"),
            parse("user:carol | user:dave")
        );
        // NOT binds tightest, and applies to a whole group.
        let not_group = one("-(source:s3 readonly)");
        assert!(not_group.negated);
        assert!(matches!(&not_group.cond, Cond::Group(a) if a.len() == 1 && a[0].len() == 2));
        assert_eq!(
            one("-(errors)"),
            Term {
                negated: true,
                cond: Cond::Errors
            }
        );
        assert_eq!(
            one("--errors"),
            Term {
                negated: false,
                cond: Cond::Errors
            }
        );
        // A group of one alternative is just its terms.
        assert_eq!(parse("(errors readonly) user:x").terms.len(), 3);
        // "or" inside a word is a word.
        assert_eq!(cond("order"), Cond::Fuzzy("order".into()));
    }

    #[test]
    fn negation_and_conjunction() {
        let f = parse("  -user:bot  errors -event:GetObject ");
        assert_eq!(f.terms.len(), 3);
        assert!(f.terms[0].negated && !f.terms[1].negated && f.terms[2].negated);
        for text in ["-", "- errors", "errors -", "(-)"] {
            let (_, m) = err(text);
            assert!(m.contains("lone `-`"), "{text}: {m}");
        }
        assert_eq!(err("- errors").0, 1);
        assert_eq!(cond("\"-\""), Cond::Fuzzy("-".into()));
    }

    #[test]
    fn errors_point_at_the_column() {
        let cases = [
            ("usr:carol", 1, "unknown field `usr`, did you mean `user`?"),
            ("zzzzzz:1", 1, "unknown field `zzzzzz`"),
            ("errors user:", 13, "`user:` needs a value"),
            ("since:yesterday", 7, "`yesterday` is not a time"),
            ("last:forever", 6, "not a span"),
            ("user:\"open", 6, "unterminated quote"),
            ("event:=X", 7, "`=` (exact match)"),
            ("since:2024-01-01,2024-01-02", 18, "takes one value"),
            ("user:\"a\"b", 9, "expected a space"),
            ("event:A,", 9, "`event:` needs a value"),
            ("José user:", 11, "needs a value"),
            ("key:ASI", 5, "too short"),
            ("id:a,b*", 6, "without wildcards"),
            ("ip:10.0.0.0/33", 4, "not a network"),
            ("ip:x,2001:db8::/129", 6, "0–128 for IPv6"),
            ("()", 1, "empty group"),
            ("(errors", 1, "never closed"),
            ("errors)", 7, "closes no group"),
            ("| errors", 1, "nothing before"),
            ("errors |", 8, "nothing after"),
            ("errors | | x", 8, "nothing after"),
        ];
        for (text, column, message) in cases {
            let (c, m) = err(text);
            assert_eq!(c, column, "{text}: {m}");
            assert!(m.contains(message), "{text}: {m}");
        }
        let deep = format!("{}x{}", "(".repeat(100), ")".repeat(100));
        assert!(err(&deep).1.contains("nest at most"));
    }

    #[test]
    fn text_round_trips() {
        for text in [
            "user:carol repo:infra event:GitPush,GitPull errors since:2024-03-02T00:00:00Z",
            "-user:=\"José García\" pipeline:Deploy readonly",
            "text:\"a b\" \"fuzzy words\" mutating error:AccessDenied,Throttling",
            "source:codecommit.amazonaws.com account:1 region:us-east-1 until:2024-01-01T00:00:00Z",
            "(user:carol | user:dave) event:Git* -(source:s3.amazonaws.com readonly) last:2h",
            "(a | (b | -c d)) \"errors\" \"or\" key:ASIA ip:10.0.0.0/8 agent:\"aws-cli/2\" type:Root",
            "user:\"-x\" user:\"=y\" user:\"a|b\" user:\"(c)\"",
        ] {
            let f = parse(text);
            assert_eq!(parse(&f.to_text()), f, "{text} → {}", f.to_text());
        }
        assert_eq!(parse("last:120m").to_text(), "last:2h");
    }

    #[test]
    fn named_filters_expand_in_place() {
        let named = Named::from_toml(
            "[filters]\nadmins = 'user:*Admin* | type:Root'\nprod = 'account:1 @admins'\nloop = '@loop'\nbad = 'usr:x'\n",
        );
        let p = |t: &str| Filter::parse_with(t, NOW, &named);
        assert_eq!(
            p("@prod errors").unwrap(),
            parse("account:1 (user:*Admin* | type:Root) errors")
        );
        assert_eq!(p("-@admins").unwrap(), parse("-(user:*Admin* | type:Root)"));
        let e = p("errors @nope").unwrap_err();
        assert_eq!(e.column, 8);
        assert!(
            e.message.contains("unknown named filter `@nope`") && e.message.contains("admins"),
            "{e}"
        );
        assert!(p("@loop").unwrap_err().message.contains("refers to itself"));
        let e = p("@bad").unwrap_err();
        assert!(
            e.message
                .contains("in `@bad`: column 1: unknown field `usr`"),
            "{e}"
        );
        assert_eq!(cond("\"@x\""), Cond::Fuzzy("@x".into()));
    }

    #[test]
    fn matching_is_case_and_accent_insensitive_with_wildcards() {
        assert!(Match::substring("CAROL").is_match("carol-admin"));
        assert!(Match::substring("garcía").is_match("José GARCÍA"));
        assert!(Match::substring("jose").is_match("José García"));
        assert!(Match::substring("JOSÉ").is_match("jose"));
        assert!(!Match::exact("carol").is_match("carol-admin"));
        assert!(Match::exact("carol").is_match("Carol"));
        assert!(Match::substring("*@example.com").is_match("Admin/alice@example.com"));
        assert!(Match::exact("*@example.com").is_match("alice@EXAMPLE.com"));
        assert!(!Match::exact("*@example.com").is_match("alice@example.com.evil"));
        assert!(Match::substring("al?ce").is_match("xx-alice"));
        assert!(contains_ci("abc", ""));
        assert!(wildcard_match("a*b*c", "aXXbYYc"));
        assert!(!wildcard_match("a*b*c", "aXXbYY"));
        assert!(wildcard_match("*", ""));
        // Backtracking stays linear on a hostile pattern.
        let long = "a".repeat(20_000);
        assert!(!wildcard_match(&format!("{}b", "*a".repeat(50)), &long));
    }
}

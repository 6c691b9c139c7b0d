//! Finding the events in a decoded file, whatever shape it was saved in.
//!
//! Shapes: the S3 delivery file `{"Records":[…]}`, a JSON array, a single object,
//! JSON lines (or concatenated objects), `lookup-events` output `{"Events":[…]}`,
//! CloudTrail Lake `{"QueryResultRows":[…]}`, `{"aws":{"cloudtrail":{…}}}`, and inside
//! any of them EventBridge envelopes and `lookup-events` items. Documentation pastes
//! that are not valid JSON are repaired (see [`super::repair`]). A file that breaks
//! part-way keeps the events before the break.

use super::repair::repair;
use crate::model::fields::classify;
use crate::model::record::Record;
use crate::model::{EventFields, Parsed, parse_value};
use serde::Deserialize;
use serde::de::{IgnoredAny, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

/// How a file's content was understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Records,
    Array,
    Single,
    Lines,
    LookupEvents,
    LakeRows,
    Digest,
    Empty,
}

/// What decoding one file found besides its events.
#[derive(Debug, Default)]
pub struct Outcome {
    pub shape: Option<Shape>,
    pub events: usize,
    /// JSON objects that are not CloudTrail records (look-alikes, notifications).
    pub not_events: usize,
    pub warnings: Vec<String>,
    /// Set when the file could not be read to its end.
    pub error: Option<String>,
    /// JSON lines that were not valid JSON, and the first one's description
    /// (for [`decode_lines`], whose caller sums chunks).
    pub bad_lines: usize,
    pub first_bad: Option<String>,
}

/// Whether the start of a file is JSON lines: a first object, whole on its first
/// line, then another object.
pub fn starts_json_lines(start: &[u8]) -> bool {
    let text = match std::str::from_utf8(start) {
        Ok(t) => t,
        Err(e) => std::str::from_utf8(&start[..e.valid_up_to()]).unwrap_or_default(),
    };
    let body = text.trim_start_matches('\u{feff}').trim_start();
    if !body.starts_with('{') {
        return false;
    }
    let mut stream = serde_json::Deserializer::from_str(body).into_iter::<IgnoredAny>();
    match stream.next() {
        Some(Ok(_)) => {
            let end = stream.byte_offset();
            !body[..end].contains('\n') && body[end..].trim_start().starts_with('{')
        }
        _ => false,
    }
}

/// Decodes one chunk of a JSON-lines file; `line_base` is the number of lines
/// before it, so problems name lines of the whole file. Bad lines are counted in
/// `bad_lines`/`first_bad`, not turned into an error.
pub fn decode_lines(
    text: &str,
    line_base: usize,
    emit: &mut dyn FnMut(&str, EventFields<'_>),
) -> Outcome {
    match plan_lines(text) {
        Ok(plan) => run(plan, emit, Vec::new()),
        Err(_) => lines_one_by_one(text, line_base, emit),
    }
}

/// Calls `emit(raw_json, fields)` for every event of `text`, in file order.
pub fn decode_events(text: &str, emit: &mut dyn FnMut(&str, EventFields<'_>)) -> Outcome {
    let body = text.trim_start_matches('\u{feff}').trim();
    if body.is_empty() {
        return Outcome {
            shape: Some(Shape::Empty),
            ..Outcome::default()
        };
    }
    match plan(body) {
        Ok(plan) => run(plan, emit, Vec::new()),
        Err(failure) => {
            if let Some((fixed, repairs)) = repair(body)
                && let Ok(plan) = plan(&fixed)
            {
                let note = format!(
                    "repaired invalid JSON ({}): {}",
                    failure.describe(body),
                    repairs.describe()
                );
                return run(plan, emit, vec![note]);
            }
            salvage(body, failure, emit)
        }
    }
}

/// The candidate values of a file, found before any event is emitted.
struct Plan<'a> {
    shape: Shape,
    values: Vec<Item<'a>>,
}

/// One top-level value: already decoded (the common case, one pass per event)
/// or raw text still to decode.
enum Item<'a> {
    Decoded(&'a str, Parsed<'a>),
    Raw(Cow<'a, str>),
}

impl<'a> Plan<'a> {
    fn raw(shape: Shape, values: Vec<&'a str>) -> Plan<'a> {
        Plan {
            shape,
            values: values
                .into_iter()
                .map(|v| Item::Raw(Cow::Borrowed(v)))
                .collect(),
        }
    }
}

/// Where and why strict parsing stopped.
struct Failure {
    offset: usize,
    message: String,
}

impl Failure {
    fn from_serde(err: &serde_json::Error, text: &str, base: usize) -> Failure {
        let offset = base + offset_of(&text[base..], err.line(), err.column());
        let raw = err.to_string();
        let message = match raw.rfind(" at line ") {
            Some(i) => raw[..i].to_string(),
            None => raw,
        };
        let message = if message.contains("recursion limit") {
            "nesting deeper than the parser's limit of 128 levels".to_string()
        } else {
            message
        };
        Failure { offset, message }
    }

    fn describe(&self, text: &str) -> String {
        let (line, col) = line_col(text, self.offset);
        format!(
            "invalid JSON at line {line}, column {col}: {}",
            self.message
        )
    }
}

fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line.max(1) {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    (start + column.saturating_sub(1)).min(text.len())
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..offset.min(text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let col = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (line, col)
}

/// The keys that tell the top-level shapes apart.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Top<'a> {
    #[serde(rename = "Records")]
    records: Option<Elements<'a>>,
    #[serde(rename = "Events")]
    events: Option<Elements<'a>>,
    #[serde(rename = "QueryResultRows")]
    query_rows: Option<Elements<'a>>,
    #[serde(rename = "digestStartTime")]
    digest_start: Option<IgnoredAny>,
    #[serde(rename = "logFiles")]
    log_files: Option<IgnoredAny>,
    #[serde(borrow)]
    aws: Option<&'a RawValue>,
}

/// The elements of an array as raw JSON, or a note of what stood there instead.
enum Elements<'a> {
    Array(Vec<&'a str>),
    NotArray(&'static str),
}

impl<'de: 'a, 'a> Deserialize<'de> for Elements<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Elements<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(raw) = seq.next_element::<&'a RawValue>()? {
                    out.push(raw.get());
                }
                Ok(Elements::Array(out))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<Self::Value, A::Error> {
                while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Elements::NotArray("an object"))
            }
            fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(Elements::NotArray("a string"))
            }
            fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Elements::NotArray("a boolean"))
            }
            fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Elements::NotArray("a number"))
            }
            fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Elements::NotArray("a number"))
            }
            fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Elements::NotArray("a number"))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Ok(Elements::NotArray("null"))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

fn plan(body: &str) -> Result<Plan<'_>, Failure> {
    if body.starts_with('{')
        && let Some(plan) = plan_records(body)?
    {
        return Ok(plan);
    }
    if body.starts_with('[') {
        let (values, end) = values_in_array(body, 1)?;
        if !body[end..].trim().is_empty() {
            return Err(Failure {
                offset: skip_ws(body, end),
                message: "trailing characters after the array".into(),
            });
        }
        return Ok(Plan {
            shape: Shape::Array,
            values,
        });
    }
    let mut stream = serde_json::Deserializer::from_str(body).into_iter::<&RawValue>();
    let first = match stream.next() {
        Some(Ok(v)) => v,
        Some(Err(e)) => return Err(Failure::from_serde(&e, body, 0)),
        None => {
            return Ok(Plan {
                shape: Shape::Empty,
                values: Vec::new(),
            });
        }
    };
    let end = stream.byte_offset();
    if !body[end..].trim().is_empty() {
        return plan_lines(body);
    }
    let text = first.get();
    if !text.starts_with('{') {
        return Err(Failure {
            offset: 0,
            message: "expected a JSON object or array".into(),
        });
    }
    let top: Top = serde_json::from_str(text).map_err(|e| Failure::from_serde(&e, body, 0))?;
    if let Some(records) = top.records {
        return match records {
            Elements::Array(values) => Ok(Plan::raw(Shape::Records, values)),
            Elements::NotArray(what) => Err(Failure {
                offset: 0,
                message: format!("\"Records\" is {what}, not an array"),
            }),
        };
    }
    if top.digest_start.is_some() && top.log_files.is_some() {
        return Ok(Plan {
            shape: Shape::Digest,
            values: Vec::new(),
        });
    }
    if let Some(Elements::Array(values)) = top.events {
        return Ok(Plan::raw(Shape::LookupEvents, values));
    }
    if let Some(Elements::Array(rows)) = top.query_rows {
        let values = rows
            .into_iter()
            .map(|row| Item::Raw(Cow::Owned(lake_row_to_object(row))))
            .collect();
        return Ok(Plan {
            shape: Shape::LakeRows,
            values,
        });
    }
    if let Some(aws) = top.aws {
        #[derive(Deserialize)]
        struct Nested<'a> {
            #[serde(borrow)]
            cloudtrail: Option<&'a RawValue>,
        }
        if let Ok(Nested {
            cloudtrail: Some(inner),
        }) = serde_json::from_str::<Nested>(aws.get())
        {
            return Ok(Plan::raw(Shape::Single, vec![inner.get()]));
        }
    }
    Ok(Plan::raw(Shape::Single, vec![text]))
}

/// The S3 delivery file, `{"Records":[…]}` and nothing after it, decoded in one
/// pass. `None` when the object is some other shape.
fn plan_records(body: &str) -> Result<Option<Plan<'_>>, Failure> {
    let mut pos = skip_ws(body, 1);
    let mut values = None;
    loop {
        if body[pos..].starts_with('}') {
            pos += 1;
            break;
        }
        let mut keys = serde_json::Deserializer::from_str(&body[pos..]).into_iter::<Cow<str>>();
        let key = match keys.next() {
            Some(Ok(k)) => k,
            _ => return Ok(None),
        };
        pos = skip_ws(body, pos + keys.byte_offset());
        if !body[pos..].starts_with(':') {
            return Ok(None);
        }
        pos = skip_ws(body, pos + 1);
        if key == "Records" && body[pos..].starts_with('[') {
            let (items, end) = values_in_array(body, pos + 1)?;
            values = Some(items);
            pos = end;
        } else if key == "Records" {
            return Ok(None);
        } else {
            let mut skip =
                serde_json::Deserializer::from_str(&body[pos..]).into_iter::<IgnoredAny>();
            match skip.next() {
                Some(Ok(_)) => pos += skip.byte_offset(),
                _ => return Ok(None),
            }
        }
        pos = skip_ws(body, pos);
        if body[pos..].starts_with(',') {
            pos = skip_ws(body, pos + 1);
        } else if !body[pos..].starts_with('}') {
            return Ok(None);
        }
    }
    if !body[pos..].trim().is_empty() {
        return Ok(None);
    }
    Ok(values.map(|values| Plan {
        shape: Shape::Records,
        values,
    }))
}

/// Decodes the value at `pos`: as a record directly (one pass), or, if that is
/// refused, as raw text for the lenient path. Returns the item and where it ends.
fn value_at(body: &str, pos: usize) -> Result<(Item<'_>, usize), Failure> {
    if body[pos..].starts_with('{') {
        let mut typed = serde_json::Deserializer::from_str(&body[pos..]).into_iter::<Record>();
        if let Some(Ok(record)) = typed.next() {
            let end = pos + typed.byte_offset();
            return Ok((Item::Decoded(&body[pos..end], classify(record)), end));
        }
    }
    let mut raw = serde_json::Deserializer::from_str(&body[pos..]).into_iter::<&RawValue>();
    match raw.next() {
        Some(Ok(v)) => Ok((Item::Raw(Cow::Borrowed(v.get())), pos + raw.byte_offset())),
        Some(Err(e)) => Err(Failure::from_serde(&e, body, pos)),
        None => Err(Failure {
            offset: pos,
            message: "EOF while parsing a value".into(),
        }),
    }
}

/// The values of the array whose `[` stands just before `start`; returns them and
/// the position after the closing `]`.
fn values_in_array(body: &str, start: usize) -> Result<(Vec<Item<'_>>, usize), Failure> {
    let mut values = Vec::new();
    let mut pos = skip_ws(body, start);
    if body[pos..].starts_with(']') {
        return Ok((values, pos + 1));
    }
    loop {
        if pos >= body.len() {
            return Err(Failure {
                offset: pos,
                message: "EOF while parsing a list".into(),
            });
        }
        let (item, end) = value_at(body, pos)?;
        values.push(item);
        pos = skip_ws(body, end);
        match body.as_bytes().get(pos) {
            Some(b',') => pos = skip_ws(body, pos + 1),
            Some(b']') => return Ok((values, pos + 1)),
            Some(_) => {
                return Err(Failure {
                    offset: pos,
                    message: "expected `,` or `]`".into(),
                });
            }
            None => {
                return Err(Failure {
                    offset: pos,
                    message: "EOF while parsing a list".into(),
                });
            }
        }
    }
}

/// CloudTrail Lake rows are arrays of single-key objects: merge them into one object.
fn lake_row_to_object(row: &str) -> String {
    let cells: Vec<serde_json::Map<String, serde_json::Value>> =
        serde_json::from_str(row).unwrap_or_default();
    let mut object = serde_json::Map::new();
    for cell in cells {
        object.extend(cell);
    }
    serde_json::Value::Object(object).to_string()
}

/// Several top-level values: JSON lines or concatenated objects.
fn plan_lines(body: &str) -> Result<Plan<'_>, Failure> {
    let mut values = Vec::new();
    let mut pos = skip_ws(body, 0);
    while pos < body.len() {
        let (item, end) = value_at(body, pos)?;
        values.push(item);
        pos = skip_ws(body, end);
    }
    Ok(Plan {
        shape: Shape::Lines,
        values,
    })
}

fn run(
    plan: Plan<'_>,
    emit: &mut dyn FnMut(&str, EventFields<'_>),
    warnings: Vec<String>,
) -> Outcome {
    let mut outcome = Outcome {
        shape: Some(plan.shape),
        warnings,
        ..Outcome::default()
    };
    for item in plan.values {
        match item {
            Item::Decoded(raw, parsed) => emit_parsed(raw, parsed, emit, &mut outcome, 0),
            Item::Raw(raw) => emit_value(&raw, emit, &mut outcome, 0),
        }
    }
    outcome
}

/// Emits the event in one value, unwrapping envelopes (at most two levels deep).
fn emit_value(
    raw: &str,
    emit: &mut dyn FnMut(&str, EventFields<'_>),
    outcome: &mut Outcome,
    depth: u8,
) {
    match parse_value(raw) {
        Ok(parsed) => emit_parsed(raw, parsed, emit, outcome, depth),
        Err(e) => {
            outcome.not_events += 1;
            outcome
                .warnings
                .push(format!("an embedded event is not valid JSON: {e}"));
        }
    }
}

fn emit_parsed(
    raw: &str,
    parsed: Parsed<'_>,
    emit: &mut dyn FnMut(&str, EventFields<'_>),
    outcome: &mut Outcome,
    depth: u8,
) {
    match parsed {
        Parsed::Event(fields) => {
            outcome.events += 1;
            emit(raw, *fields);
        }
        Parsed::Envelope(inner) if depth < 2 => emit_value(inner, emit, outcome, depth + 1),
        Parsed::Lookup(inner) if depth < 2 => emit_value(&inner, emit, outcome, depth + 1),
        _ => outcome.not_events += 1,
    }
}

/// After a failure: keep the events that stand before it, report where it broke.
fn salvage(body: &str, failure: Failure, emit: &mut dyn FnMut(&str, EventFields<'_>)) -> Outcome {
    let mut outcome = Outcome::default();
    let array_start = if body.starts_with('[') {
        Some(1)
    } else {
        find_records_array(body)
    };
    let mut failure = failure;
    if let Some(start) = array_start {
        outcome.shape = Some(if start == 1 {
            Shape::Array
        } else {
            Shape::Records
        });
        let mut pos = start;
        loop {
            pos = skip_ws(body, pos);
            if body[pos..].starts_with(']') || pos >= body.len() {
                break;
            }
            let mut stream =
                serde_json::Deserializer::from_str(&body[pos..]).into_iter::<&RawValue>();
            match stream.next() {
                Some(Ok(v)) => {
                    let end = pos + stream.byte_offset();
                    emit_value(v.get(), emit, &mut outcome, 0);
                    pos = skip_ws(body, end);
                    if body[pos..].starts_with(',') {
                        pos += 1;
                    } else if !body[pos..].starts_with(']') {
                        failure = Failure {
                            offset: pos,
                            message: "expected `,` or `]` between events".into(),
                        };
                        break;
                    }
                }
                Some(Err(e)) => {
                    failure = Failure::from_serde(&e, body, pos);
                    break;
                }
                None => {
                    failure = Failure {
                        offset: pos,
                        message: "EOF while parsing a list".into(),
                    };
                    break;
                }
            }
        }
    } else if looks_line_oriented(body) {
        return salvage_lines(body, emit);
    }
    let mut message = failure.describe(body);
    if outcome.events > 0 {
        message.push_str(&format!(
            " ({} event(s) before this point were kept)",
            outcome.events
        ));
    }
    outcome.error = Some(message);
    outcome
}

/// JSON lines: the first line is a complete value on its own and others follow.
fn looks_line_oriented(body: &str) -> bool {
    let mut lines = body.lines().map(str::trim).filter(|l| !l.is_empty());
    let first_is_whole = lines
        .next()
        .is_some_and(|l| serde_json::from_str::<IgnoredAny>(l).is_ok());
    first_is_whole && lines.next().is_some()
}

/// JSON lines with bad lines: every good line loads, the first bad one is reported.
fn salvage_lines(body: &str, emit: &mut dyn FnMut(&str, EventFields<'_>)) -> Outcome {
    let mut outcome = lines_one_by_one(body, 0, emit);
    if let Some(first) = outcome.first_bad.take() {
        outcome.error = Some(format!(
            "{first} ({} bad line(s) skipped; {} event(s) on the other lines were kept)",
            outcome.bad_lines, outcome.events
        ));
    }
    outcome
}

fn lines_one_by_one(
    body: &str,
    line_base: usize,
    emit: &mut dyn FnMut(&str, EventFields<'_>),
) -> Outcome {
    let mut outcome = Outcome {
        shape: Some(Shape::Lines),
        ..Outcome::default()
    };
    for (n, line) in body.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        match serde_json::from_str::<&RawValue>(trimmed) {
            Ok(v) => emit_value(v.get(), emit, &mut outcome, 0),
            Err(e) => {
                outcome.bad_lines += 1;
                if outcome.first_bad.is_none() {
                    let f = Failure::from_serde(&e, trimmed, 0);
                    let (_, col) = line_col(trimmed, f.offset);
                    outcome.first_bad = Some(format!(
                        "invalid JSON at line {}, column {col}: {}",
                        line_base + n + 1,
                        f.message
                    ));
                }
            }
        }
    }
    outcome
}

fn skip_ws(text: &str, mut pos: usize) -> usize {
    let b = text.as_bytes();
    while pos < b.len() && b[pos].is_ascii_whitespace() {
        pos += 1;
    }
    pos
}

/// The position just after the `[` of a top-level `"Records": [`.
fn find_records_array(body: &str) -> Option<usize> {
    let key = body.find("\"Records\"")?;
    let mut pos = skip_ws(body, key + "\"Records\"".len());
    if !body[pos..].starts_with(':') {
        return None;
    }
    pos = skip_ws(body, pos + 1);
    body[pos..].starts_with('[').then_some(pos + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> (Vec<String>, Outcome) {
        let mut out = Vec::new();
        let outcome = decode_events(text, &mut |_, f| out.push(f.name.to_string()));
        (out, outcome)
    }

    #[test]
    fn records_file() {
        let (n, o) = names(
            r#"{"Records":[{"eventTime":"2024-01-01T00:00:00Z","eventName":"A"},{"eventTime":"2024-01-01T00:00:00Z","eventName":"B"}]}"#,
        );
        assert_eq!(n, ["A", "B"]);
        assert_eq!(o.shape, Some(Shape::Records));
        assert!(o.error.is_none());
    }

    #[test]
    fn array_single_and_lines() {
        assert_eq!(
            names(r#"[{"eventTime":"2024-01-01T00:00:00Z","eventName":"A"},{"eventTime":"2024-01-01T00:00:00Z","eventName":"B"}]"#).0,
            ["A", "B"]
        );
        assert_eq!(
            names(r#"{"eventTime":"2024-01-01T00:00:00Z","eventName":"A"}"#).0,
            ["A"]
        );
        let (n, o) = names(
            "{\"eventTime\":\"2024-01-01T00:00:00Z\",\"eventID\":\"i\",\"eventName\":\"A\"}\n{\"eventTime\":\"2024-01-01T00:00:00Z\",\"eventID\":\"i\",\"eventName\":\"B\"}\n",
        );
        assert_eq!(n, ["A", "B"]);
        assert_eq!(o.shape, Some(Shape::Lines));
    }

    #[test]
    fn lookup_events_and_eventbridge() {
        let text = r#"{"Events":[{"EventId":"1","CloudTrailEvent":"{\"eventTime\":\"2024-01-01T00:00:00Z\",\"eventID\":\"i\",\"eventName\":\"A\"}"}],"NextToken":"x"}"#;
        assert_eq!(names(text).0, ["A"]);
        let text = r#"[{"detail-type":"AWS API Call via CloudTrail","source":"aws.s3","detail":{"eventTime":"2024-01-01T00:00:00Z","eventName":"B"}}]"#;
        assert_eq!(names(text).0, ["B"]);
    }

    #[test]
    fn lake_rows_and_nested() {
        let text = r#"{"QueryResultRows":[[{"eventTime":"2024-01-01T00:00:00Z","eventName":"A"},{"eventTime":"2023-01-22 16:53:53.000"}]]}"#;
        let mut times = Vec::new();
        decode_events(text, &mut |_, f| times.push(f.time));
        assert_eq!(
            times,
            [crate::model::time::parse_event_time("2023-01-22T16:53:53Z").unwrap()]
        );
        assert_eq!(
            names(r#"{"aws":{"cloudtrail":{"eventTime":"2024-01-01T00:00:00Z","eventName":"N"}}}"#)
                .0,
            ["N"]
        );
    }

    #[test]
    fn digest_is_not_events() {
        let (n, o) = names(r#"{"digestStartTime":"x","logFiles":[]}"#);
        assert!(n.is_empty());
        assert_eq!(o.shape, Some(Shape::Digest));
    }

    #[test]
    fn doc_paste_is_repaired_with_a_warning() {
        let (n, o) = names(
            "{\"eventTime\":\"2024-01-01T00:00:00Z\",\"eventID\":\"i\",\"eventName\":\"A\", \"x\": {\"y\":1,},},\n{\"eventTime\":\"2024-01-01T00:00:00Z\",\"eventID\":\"i\",\"eventName\":\"B\"}",
        );
        assert_eq!(n, ["A", "B"]);
        assert_eq!(o.warnings.len(), 1);
        assert!(o.warnings[0].contains("trailing comma"), "{:?}", o.warnings);
        assert!(o.warnings[0].contains("wrapped 2"), "{:?}", o.warnings);
    }

    #[test]
    fn broken_records_keep_events_before_the_break() {
        let (n, o) = names(
            r#"{"Records":[{"eventTime":"2024-01-01T00:00:00Z","eventName":"A"},{"eventTime":"2024-01-01T00:00:00Z","eventName":"B"},{"eventTime":"2024-01-01T00:00:00Z","eventName":"#,
        );
        assert_eq!(n, ["A", "B"]);
        let err = o.error.unwrap();
        assert!(err.starts_with("invalid JSON at line 1, column"), "{err}");
        assert!(
            err.contains("2 event(s) before this point were kept"),
            "{err}"
        );
    }

    #[test]
    fn records_not_an_array() {
        let (n, o) = names(r#"{"Records":"nope"}"#);
        assert!(n.is_empty());
        assert!(
            o.error
                .unwrap()
                .contains("\"Records\" is a string, not an array")
        );
    }

    #[test]
    fn bad_json_lines_skip_only_the_bad_line() {
        let (n, o) = names(
            "{\"eventTime\":\"2024-01-01T00:00:00Z\",\"eventID\":\"i\",\"eventName\":\"A\"}\n{\"eventID\":\"i\",\"eventName\":\n{\"eventTime\":\"2024-01-01T00:00:00Z\",\"eventID\":\"i\",\"eventName\":\"C\"}\n",
        );
        assert_eq!(n, ["A", "C"]);
        let err = o.error.unwrap();
        assert!(err.contains("line 2"), "{err}");
    }

    #[test]
    fn error_points_at_line_and_column() {
        let (_, o) = names("{\"Records\": [\n  {\"eventName\": }\n]}");
        assert_eq!(
            o.error.unwrap(),
            "invalid JSON at line 2, column 17: expected value"
        );
    }

    #[test]
    fn deep_nesting_never_overflows_the_stack() {
        // Fields trailscope does not index are skipped without recursion, so the
        // event loads; a deep *array of arrays* is not an event at all.
        let deep = format!(
            "{{\"Records\":[{{\"eventTime\":\"2024-01-01T00:00:00Z\",\"eventID\":\"i\",\"eventName\":\"A\",\"requestParameters\":{{\"x\":{}{}}}}}]}}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        let (n, o) = names(&deep);
        assert_eq!(n, ["A"]);
        assert!(o.error.is_none());
        let deep = format!("[{}{}]", "[".repeat(100_000), "]".repeat(100_000));
        let (n, o) = names(&deep);
        assert!(n.is_empty());
        assert_eq!(o.not_events, 1);
    }

    #[test]
    fn look_alikes_are_not_events() {
        let (n, o) =
            names(r#"{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put"}]}"#);
        assert!(n.is_empty());
        assert_eq!(o.not_events, 1);
    }
}

//! Rebuilding each pipeline's version history from the trail.
//!
//! A pipeline is (account, region, name). `CreatePipeline` starts a lifetime at
//! version 1; a successful `UpdatePipeline` makes the version in
//! `responseElements.pipeline.version` (else the request's version + 1) with the
//! request's structure; `DeletePipeline` ends the lifetime, and a later create
//! starts a new one. Calls with an `errorCode` are rejected changes and make no
//! version. Other events naming the pipeline (reads, runs, approvals) are counted
//! against the version in force when they happened.

use super::diff::{Change, diff, summary};
use crate::index::Index;
use crate::model::Millis;
use rustc_hash::FxHashMap;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct Version {
    pub number: u64,
    pub time: Millis,
    pub actor: String,
    /// Index of the event that made the version.
    pub event: u32,
    pub event_id: String,
    pub event_name: String,
    pub structure: Arc<Value>,
    /// What changed against the previous version.
    pub summary: String,
    /// `StartPipelineExecution` calls while this was the current version.
    pub executions: usize,
    /// Other events naming the pipeline while this was the current version.
    pub activity: usize,
}

#[derive(Debug, Clone)]
pub struct Rejected {
    pub time: Millis,
    pub actor: String,
    pub event: u32,
    pub event_name: String,
    pub error: String,
    /// The version the rejected call would have made, when known.
    pub attempted: Option<u64>,
}

/// An update whose version number cannot be right: 0, or not above the version
/// before it. It makes no version (a diff against it would run backwards) and is
/// listed in the history instead.
#[derive(Debug, Clone)]
pub struct Anomaly {
    pub time: Millis,
    pub actor: String,
    pub event: u32,
    pub event_id: String,
    /// The version number the event claims.
    pub claimed: u64,
    pub note: String,
}

/// One lifetime of one pipeline.
#[derive(Debug, Clone)]
pub struct Lifetime {
    pub account: String,
    pub region: String,
    pub name: String,
    /// 1 for the first lifetime of this (account, region, name) in the logs.
    pub lifetime: u32,
    pub created: Option<(Millis, String)>,
    pub deleted: Option<(Millis, String)>,
    /// By version number.
    pub versions: Vec<Version>,
    pub rejected: Vec<Rejected>,
    /// Updates with impossible version numbers.
    pub anomalies: Vec<Anomaly>,
    pub executions: usize,
    /// Reads, runs and other events before the first known version.
    pub activity_before: usize,
}

impl Lifetime {
    pub fn version(&self, number: u64) -> Option<&Version> {
        self.versions.iter().find(|v| v.number == number)
    }

    pub fn latest(&self) -> Option<&Version> {
        self.versions.last()
    }

    /// The version numbers present, as ranges: "1-4, 7-9".
    pub fn loaded_ranges(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        let mut iter = self.versions.iter().map(|v| v.number).peekable();
        while let Some(start) = iter.next() {
            let mut end = start;
            while end < u64::MAX && iter.peek() == Some(&(end + 1)) {
                end += 1;
                iter.next();
            }
            parts.push(if start == end {
                start.to_string()
            } else {
                format!("{start}-{end}")
            });
        }
        if parts.is_empty() {
            "none".into()
        } else {
            parts.join(", ")
        }
    }

    /// Versions not in the loaded logs, below the highest one (gaps and a missing
    /// start), as inclusive ranges: never expanded, whatever the numbers.
    pub fn missing(&self) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        let mut expected = 1u64;
        for v in &self.versions {
            if v.number > expected {
                out.push((expected, v.number - 1));
            }
            expected = v.number.saturating_add(1).max(expected);
        }
        out
    }

    /// The time of the last change (version, rejection or deletion).
    pub fn last_change(&self) -> Option<(Millis, String)> {
        let mut best: Option<(Millis, String)> = self.deleted.clone();
        for (t, a) in self
            .versions
            .iter()
            .map(|v| (v.time, &v.actor))
            .chain(self.rejected.iter().map(|r| (r.time, &r.actor)))
        {
            if best.as_ref().is_none_or(|(bt, _)| t > *bt) {
                best = Some((t, a.clone()));
            }
        }
        best
    }

    /// The changes between two loaded versions.
    pub fn changes(&self, from: u64, to: u64) -> Option<Vec<Change>> {
        Some(diff(
            &self.version(from)?.structure,
            &self.version(to)?.structure,
        ))
    }
}

fn parse(raw: &str) -> Option<Value> {
    serde_json::from_str(raw)
        .ok()
        .or_else(|| serde_json::from_str(&cut_too_deep(raw, MAX_DEPTH)).ok())
}

/// Nesting kept when a structure is deeper than serde_json's limit of 128.
pub const MAX_DEPTH: usize = 100;

/// The text marking a subtree cut by [`cut_too_deep`] (with its content hash,
/// so a change inside it still shows as a change at that path).
pub const TOO_DEEP: &str = "(too deep to compare)";

/// `raw` with every array or object nested deeper than `max_depth` replaced by a
/// string `"(too deep to compare) #<hash>"`: everything outside such subtrees
/// still parses and compares. No recursion.
pub fn cut_too_deep(raw: &str, max_depth: usize) -> String {
    let b = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut run = 0;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if in_string {
            if escaped {
                escaped = false;
            } else if c == b'\\' {
                escaped = true;
            } else if c == b'"' {
                in_string = false;
            }
            i += 1;
            continue;
        }
        match c {
            b'"' => in_string = true,
            b'{' | b'[' if depth >= max_depth => {
                // Skip to the matching close, then write the marker instead.
                let start = i;
                let mut d = 0usize;
                let (mut s, mut e) = (false, false);
                while i < b.len() {
                    let x = b[i];
                    if s {
                        if e {
                            e = false;
                        } else if x == b'\\' {
                            e = true;
                        } else if x == b'"' {
                            s = false;
                        }
                    } else if x == b'"' {
                        s = true;
                    } else if x == b'{' || x == b'[' {
                        d += 1;
                    } else if x == b'}' || x == b']' {
                        d -= 1;
                        if d == 0 {
                            break;
                        }
                    }
                    i += 1;
                }
                let end = (i + 1).min(b.len());
                out.push_str(&raw[run..start]);
                let hash = crate::model::content::content_hash(&raw[start..end]);
                out.push_str(&format!("\"{TOO_DEEP} #{hash:016x}\""));
                run = end;
                i = end;
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    out.push_str(&raw[run..]);
    out
}

/// The raw text of a JSON value, cut out of an event without building it.
type Raw = Box<serde_json::value::RawValue>;

/// `eventID` and the raw `requestParameters.pipeline` and
/// `responseElements.pipeline` of a Create/UpdatePipeline event. A `null`
/// pipeline counts as absent.
fn payload_of(raw: &str) -> (String, Option<Raw>, Option<Raw>) {
    // One pass over the event: the pipelines are cut out as raw text while the
    // event is read (a 634 KB gz event holds two 18 MB pipelines).
    #[derive(serde::Deserialize)]
    struct Event {
        #[serde(rename = "eventID")]
        event_id: Option<Raw>,
        #[serde(rename = "requestParameters")]
        request: Option<Holder>,
        #[serde(rename = "responseElements")]
        response: Option<Holder>,
    }
    #[derive(serde::Deserialize)]
    struct Holder {
        pipeline: Option<Raw>,
    }
    match serde_json::from_str::<Event>(raw) {
        Ok(e) => (
            e.event_id
                .and_then(|id| serde_json::from_str::<String>(id.get()).ok())
                .unwrap_or_default(),
            e.request.and_then(|h| h.pipeline),
            e.response.and_then(|h| h.pipeline),
        ),
        // Duplicate keys or nesting past serde_json's limit: the whole event as a
        // value (the last duplicate wins), cut where too deep.
        Err(_) => {
            let Some(mut v) = parse(raw) else {
                return Default::default();
            };
            let id = v
                .get("eventID")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let mut cut = |pointer: &str| {
                v.pointer_mut(pointer)
                    .map(Value::take)
                    .filter(|p| !p.is_null())
                    .and_then(|p| serde_json::value::to_raw_value(&p).ok())
            };
            let request = cut("/requestParameters/pipeline");
            let response = cut("/responseElements/pipeline");
            (id, request, response)
        }
    }
}

/// What a Create/UpdatePipeline event gives its pipeline's history.
#[derive(Debug, Clone, Default)]
struct Payload {
    event_id: String,
    request_version: Option<u64>,
    response_version: Option<u64>,
    /// The structure a successful call makes: for a create the response's
    /// (else the request's), for an update the request's (else the response's).
    structure: Value,
}

/// Every kept Create/UpdatePipeline event's payload, by event position, parsed
/// in parallel: the structures are most of the work of building the histories.
fn prepare_all(index: &Index) -> FxHashMap<u32, Payload> {
    use rayon::prelude::*;
    index
        .pipeline_raw
        .par_iter()
        .map(|(&i, raw)| {
            let e = index.event(i as usize);
            let (event_id, request, response) = payload_of(raw);
            let made_by_response = match e.name() {
                _ if !e.error().is_empty() => None,
                "CreatePipeline" => Some(response.is_some() || request.is_none()),
                "UpdatePipeline" => Some(request.is_none()),
                _ => None,
            };
            let made = match made_by_response {
                Some(true) => response.as_deref(),
                Some(false) => request.as_deref(),
                None => None,
            };
            let structure = made.and_then(|r| parse(r.get())).unwrap_or(Value::Null);
            // The side the structure came from has its version read from the
            // structure, not from another pass over its text.
            let version = |side: Option<&serde_json::value::RawValue>, is_made: bool| {
                if is_made && structure.is_object() {
                    version_of(structure.get("version"))
                } else {
                    version_in(side)
                }
            };
            let request_version = version(request.as_deref(), made_by_response == Some(false));
            let response_version = version(response.as_deref(), made_by_response == Some(true));
            let payload = Payload {
                event_id,
                request_version,
                response_version,
                structure,
            };
            (i, payload)
        })
        .collect()
}

/// The `version` field of a raw pipeline, read without building the structure.
fn version_in(raw: Option<&serde_json::value::RawValue>) -> Option<u64> {
    #[derive(serde::Deserialize)]
    struct Versioned {
        version: Option<Value>,
    }
    let raw = raw?;
    let v = match serde_json::from_str::<Versioned>(raw.get()) {
        Ok(v) => v.version,
        // Too deep for serde_json, or a duplicate key: read it from the whole value.
        Err(_) => parse(raw.get()).and_then(|mut v| v.get_mut("version").map(Value::take)),
    };
    version_of(v.as_ref())
}

fn version_of(v: Option<&Value>) -> Option<u64> {
    let v = v?;
    v.as_u64()
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
}

/// The newest lifetime of the pipeline `name` in `account` and `region` (each
/// `None` for any), as an index into `all`.
pub fn find(
    all: &[Lifetime],
    name: &str,
    account: Option<&str>,
    region: Option<&str>,
) -> Option<usize> {
    all.iter()
        .enumerate()
        .filter(|(_, l)| l.name == name)
        .filter(|(_, l)| account.is_none_or(|a| a == l.account))
        .filter(|(_, l)| region.is_none_or(|r| r == l.region))
        .max_by_key(|(_, l)| l.lifetime)
        .map(|(k, _)| k)
}

/// Every pipeline lifetime in the index, sorted by account, region, name, lifetime.
pub fn histories(index: &Index) -> Vec<Lifetime> {
    histories_with(index, Summaries::Made)
}

/// Whether [`histories_with`] writes each version's "what changed" summary: a
/// structural diff per version, which `diff` (comparing two versions itself)
/// does not need — on an 80,000-stage pipeline a seventh of its time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Summaries {
    Made,
    Skipped,
}

/// Fills each version's summary against the version before it, the versions
/// of every pipeline in parallel.
fn summarize(all: &mut [Lifetime]) {
    use rayon::prelude::*;
    for lifetime in all.iter_mut() {
        let texts: Vec<String> = (0..lifetime.versions.len())
            .into_par_iter()
            .map(|k| {
                let versions = &lifetime.versions;
                if versions[k].event_name == "CreatePipeline" {
                    return "created".to_string();
                }
                match k.checked_sub(1).map(|p| &versions[p]) {
                    Some(prev) if prev.number.checked_add(1) == Some(versions[k].number) => {
                        summary(&diff(&prev.structure, &versions[k].structure))
                    }
                    _ => format!(
                        "version {} is not in the loaded logs",
                        versions[k].number.saturating_sub(1)
                    ),
                }
            })
            .collect();
        for (v, text) in lifetime.versions.iter_mut().zip(texts) {
            v.summary = text;
        }
    }
}

/// [`histories`], with or without the versions' summaries.
pub fn histories_with(index: &Index, summaries: Summaries) -> Vec<Lifetime> {
    let mut open: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    let mut counts: BTreeMap<(String, String, String), u32> = BTreeMap::new();
    let mut all: Vec<Lifetime> = Vec::new();
    let mut prepared = prepare_all(index);
    for i in 0..index.len() {
        let e = index.event(i);
        if e.source() != "codepipeline.amazonaws.com" {
            continue;
        }
        let names: Vec<&str> = e.pipelines().collect();
        let failed = !e.error().is_empty();
        let mut payload = Some(prepared.remove(&(i as u32)).unwrap_or_default());
        let last = names.len().saturating_sub(1);
        for (k, name) in names.into_iter().enumerate() {
            let key = (
                e.account().to_string(),
                e.region().to_string(),
                name.to_string(),
            );
            let new_lifetime = |all: &mut Vec<Lifetime>, counts: &mut BTreeMap<_, u32>| {
                let n = counts.entry(key.clone()).or_insert(0);
                *n += 1;
                all.push(Lifetime {
                    account: key.0.clone(),
                    region: key.1.clone(),
                    name: key.2.clone(),
                    lifetime: *n,
                    created: None,
                    deleted: None,
                    versions: Vec::new(),
                    rejected: Vec::new(),
                    anomalies: Vec::new(),
                    executions: 0,
                    activity_before: 0,
                });
                all.len() - 1
            };
            // Each pipeline the event names gets its own copy; the last takes the original.
            let Some(Payload {
                event_id,
                request_version,
                response_version,
                structure,
            }) = (if k == last {
                payload.take()
            } else {
                payload.clone()
            })
            else {
                continue;
            };
            match (e.name(), failed) {
                ("CreatePipeline", false) => {
                    let at = new_lifetime(&mut all, &mut counts);
                    open.insert(key.clone(), at);
                    all[at].created = Some((e.time(), e.actor().to_string()));
                    all[at].versions.push(Version {
                        number: 1,
                        time: e.time(),
                        actor: e.actor().to_string(),
                        event: i as u32,
                        event_id,
                        event_name: e.name().to_string(),
                        structure: Arc::new(structure),
                        summary: String::new(),
                        executions: 0,
                        activity: 0,
                    });
                }
                ("UpdatePipeline", false) => {
                    let at = match open.get(&key) {
                        Some(&at) => at,
                        None => {
                            let at = new_lifetime(&mut all, &mut counts);
                            open.insert(key.clone(), at);
                            at
                        }
                    };
                    let previous = all[at].latest().map(|v| v.number);
                    let claimed = match (response_version, request_version, previous) {
                        (Some(n), _, _) => Ok(n),
                        (None, Some(r), _) => r.checked_add(1).ok_or(r),
                        (None, None, Some(p)) => p.checked_add(1).ok_or(p),
                        (None, None, None) => Ok(1),
                    };
                    // "Previous" in time: a version made strictly earlier with a
                    // number as high (updates within one second may come in any order).
                    let earlier_higher = |n: u64| {
                        all[at]
                            .versions
                            .iter()
                            .filter(|v| v.number >= n && v.time < e.time())
                            .map(|v| v.number)
                            .max()
                    };
                    let anomaly = match claimed {
                        Err(n) => Some((n, format!("no version can follow version {n}"))),
                        Ok(0) => Some((0, "claims version 0".to_string())),
                        Ok(n) => earlier_higher(n).map(|p| {
                            (
                                n,
                                format!("claims version {n}, not above the earlier version {p}"),
                            )
                        }),
                    };
                    if let Some((claimed, note)) = anomaly {
                        all[at].anomalies.push(Anomaly {
                            time: e.time(),
                            actor: e.actor().to_string(),
                            event: i as u32,
                            event_id,
                            claimed,
                            note,
                        });
                        continue;
                    }
                    let number = claimed.unwrap_or(1);
                    let version = Version {
                        number,
                        time: e.time(),
                        actor: e.actor().to_string(),
                        event: i as u32,
                        event_id,
                        event_name: e.name().to_string(),
                        structure: Arc::new(structure),
                        summary: String::new(),
                        executions: 0,
                        activity: 0,
                    };
                    let versions = &mut all[at].versions;
                    versions.retain(|v| v.number != number);
                    let pos = versions.partition_point(|v| v.number < number);
                    versions.insert(pos, version);
                }
                ("CreatePipeline" | "UpdatePipeline" | "DeletePipeline", true) => {
                    let at = match open.get(&key) {
                        Some(&at) => at,
                        None => {
                            let at = new_lifetime(&mut all, &mut counts);
                            open.insert(key.clone(), at);
                            at
                        }
                    };
                    let attempted = match e.name() {
                        "UpdatePipeline" => request_version.and_then(|v| v.checked_add(1)),
                        "CreatePipeline" => Some(1),
                        _ => None,
                    };
                    all[at].rejected.push(Rejected {
                        time: e.time(),
                        actor: e.actor().to_string(),
                        event: i as u32,
                        event_name: e.name().to_string(),
                        error: e.error().to_string(),
                        attempted,
                    });
                }
                ("DeletePipeline", false) => {
                    let at = match open.remove(&key) {
                        Some(at) => at,
                        None => new_lifetime(&mut all, &mut counts),
                    };
                    all[at].deleted = Some((e.time(), e.actor().to_string()));
                }
                (name, _) => {
                    let at = match open.get(&key) {
                        Some(&at) => at,
                        None => {
                            let at = new_lifetime(&mut all, &mut counts);
                            open.insert(key.clone(), at);
                            at
                        }
                    };
                    let lifetime = &mut all[at];
                    let run = name == "StartPipelineExecution" && !failed;
                    if run {
                        lifetime.executions += 1;
                    }
                    // Against the version in force: the newest made at or before this time.
                    match lifetime
                        .versions
                        .iter_mut()
                        .filter(|v| v.time <= e.time())
                        .max_by_key(|v| (v.time, v.number))
                    {
                        Some(v) if run => v.executions += 1,
                        Some(v) => v.activity += 1,
                        None => lifetime.activity_before += 1,
                    }
                }
            }
        }
    }
    if summaries == Summaries::Made {
        summarize(&mut all);
    }
    all.sort_by(|a, b| {
        (&a.account, &a.region, &a.name, a.lifetime)
            .cmp(&(&b.account, &b.region, &b.name, b.lifetime))
    });
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(p: (String, Option<Raw>, Option<Raw>)) -> (String, Option<String>, Option<String>) {
        let text = |r: Option<Raw>| r.map(|r| r.get().to_string());
        (p.0, text(p.1), text(p.2))
    }

    #[test]
    fn the_payload_is_cut_out_without_building_the_event() {
        let raw = r#"{"eventID":"e-1","requestParameters":{"pipeline":{"name":"p","version":3},"x":1},
                     "responseElements":{"pipeline":null}}"#;
        let (id, request, response) = texts(payload_of(raw));
        assert_eq!(id, "e-1");
        assert_eq!(request.as_deref(), Some(r#"{"name":"p","version":3}"#));
        assert_eq!(response, None, "a null pipeline counts as absent");
        let (_, request, _) = payload_of(raw);
        assert_eq!(version_in(request.as_deref()), Some(3));
    }

    #[test]
    fn duplicate_keys_and_deep_nesting_still_give_the_payload() {
        // serde's derived struct refuses a duplicate field: the whole event is
        // parsed instead, and the last duplicate wins, as in a JSON value.
        let raw = r#"{"eventID":"e-2","requestParameters":{"pipeline":{"version":1}},
                     "requestParameters":{"pipeline":{"version":2,"version":5}}}"#;
        let (id, request, _) = payload_of(raw);
        assert_eq!(id, "e-2");
        assert_eq!(version_in(request.as_deref()), Some(5));
        let deep = format!(
            r#"{{"eventID":"e-3","requestParameters":{{"pipeline":{{"version":7,"d":{}1{}}}}}}}"#,
            "[".repeat(300),
            "]".repeat(300)
        );
        let (id, request, _) = payload_of(&deep);
        assert_eq!(id, "e-3");
        assert_eq!(version_in(request.as_deref()), Some(7));
        let structure = parse(request.as_deref().map(|r| r.get()).unwrap_or(""));
        assert!(structure.is_some_and(|s| s.to_string().contains(TOO_DEEP)));
    }
}

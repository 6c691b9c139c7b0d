//! Per-actor summaries: identity types, accounts, events, errors (and the share
//! of AccessDenied), first and last seen, source IPs, access keys, ARNs and the
//! most frequent events. One parallel pass over the index.

use crate::index::{Index, StrId};
use crate::model::{Millis, NO_TIME};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserSummary {
    pub actor: String,
    /// Identity types seen for this actor, most frequent first.
    pub types: Vec<String>,
    pub accounts: Vec<String>,
    pub events: u64,
    pub errors: u64,
    pub access_denied: u64,
    pub first: Millis,
    pub last: Millis,
    /// (IP, events), most frequent first.
    pub source_ips: Vec<(String, u64)>,
    pub access_keys: Vec<(String, u64)>,
    pub arns: Vec<String>,
    /// (event name, count), most frequent first.
    pub top_events: Vec<(String, u64)>,
}

impl UserSummary {
    /// Share of events denied access (0.0–1.0).
    pub fn denied_share(&self) -> f64 {
        if self.events == 0 {
            0.0
        } else {
            self.access_denied as f64 / self.events as f64
        }
    }
}

/// Per-identity counters of one chunk of events.
#[derive(Default)]
struct Part {
    /// Per identity id: events, errors, access denied, first, last.
    totals: FxHashMap<u32, (u64, u64, u64, Millis, Millis)>,
    /// (identity, string id) pairs: source IP, account, event name.
    ips: FxHashMap<(u32, StrId), u64>,
    accounts: FxHashMap<(u32, StrId), u64>,
    names: FxHashMap<(u32, StrId), u64>,
}

const CHUNK: usize = 1 << 16;
const TOP_EVENTS: usize = 5;

/// What an actor's tally counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Field {
    Type,
    Account,
    Ip,
    Key,
    Arn,
    Name,
}

/// (actor, field, value, events).
type Tallied = (StrId, Field, StrId, u64);

/// An actor's counts over all its identities.
#[derive(Debug, Clone, Copy, Default)]
struct Totals {
    events: u64,
    errors: u64,
    denied: u64,
    first: Millis,
    last: Millis,
}

/// Values with their counts, as text, most frequent first (the empty value left out).
fn sorted(counts: Vec<(StrId, u64)>, index: &Index) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = counts
        .into_iter()
        .filter(|(id, _)| *id != 0)
        .map(|(id, n)| (index.strings.get(id).to_string(), n))
        .collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

/// Every actor in the index, most events first.
pub fn users(index: &Index) -> Vec<UserSummary> {
    users_of(index, None)
}

/// The actors of `events` (every event when `None`), most events first.
pub fn users_of(index: &Index, events: Option<&[u32]>) -> Vec<UserSummary> {
    let denied = |id: StrId| {
        let code = index.strings.get(id);
        code.contains("AccessDenied")
            || code == "UnauthorizedOperation"
            || code.starts_with("Unauthorized")
    };
    let denied_ids: Vec<bool> = (0..index.strings.len() as StrId).map(denied).collect();
    let c = &index.cols;
    let n = events.map_or(index.len(), <[u32]>::len);
    let parts: Vec<Part> = (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|chunk| {
            let mut p = Part::default();
            for k in chunk * CHUNK..((chunk + 1) * CHUNK).min(n) {
                let i = events.map_or(k, |e| e[k] as usize);
                let id = c.identity[i];
                let t = c.time[i];
                let e = p
                    .totals
                    .entry(id)
                    .or_insert((0, 0, 0, NO_TIME, Millis::MIN));
                e.0 += 1;
                if c.error[i] != 0 {
                    e.1 += 1;
                    if denied_ids[c.error[i] as usize] {
                        e.2 += 1;
                    }
                }
                if t != NO_TIME {
                    e.3 = e.3.min(t);
                    e.4 = e.4.max(t);
                }
                *p.ips.entry((id, c.source_ip[i])).or_insert(0) += 1;
                *p.accounts.entry((id, c.account[i])).or_insert(0) += 1;
                *p.names.entry((id, c.name[i])).or_insert(0) += 1;
            }
            p
        })
        .collect();
    // Identities → actors: one flat tally of (actor, field, value) counts, sorted
    // and summed, instead of a map per field per actor: on an archive where every
    // actor is distinct, six small hash maps per actor were most of the memory.
    let actor_of = |id: u32| {
        index
            .identities
            .get(id as usize)
            .copied()
            .unwrap_or_default()
    };
    let mut totals: FxHashMap<StrId, Totals> = FxHashMap::default();
    let mut tally: Vec<Tallied> = Vec::new();
    for part in parts {
        tally.reserve(
            part.totals.len() * 3 + part.ips.len() + part.accounts.len() + part.names.len(),
        );
        for (id, (events, errors, denied, first, last)) in part.totals {
            let p = actor_of(id);
            let t = totals.entry(p.actor).or_insert(Totals {
                first: NO_TIME,
                last: Millis::MIN,
                ..Totals::default()
            });
            t.events += events;
            t.errors += errors;
            t.denied += denied;
            t.first = t.first.min(first);
            t.last = t.last.max(last);
            tally.push((p.actor, Field::Type, p.kind, events));
            tally.push((p.actor, Field::Key, p.access_key, events));
            tally.push((p.actor, Field::Arn, p.arn, events));
        }
        for (map, field) in [
            (part.ips, Field::Ip),
            (part.accounts, Field::Account),
            (part.names, Field::Name),
        ] {
            tally.extend(
                map.into_iter()
                    .map(|((id, s), count)| (actor_of(id).actor, field, s, count)),
            );
        }
    }
    tally.par_sort_unstable_by_key(|&(actor, field, value, _)| (actor, field, value));
    let mut out: Vec<UserSummary> = Vec::with_capacity(totals.len());
    for group in tally.chunk_by(|a, b| a.0 == b.0) {
        let actor = group[0].0;
        let t = totals.get(&actor).copied().unwrap_or_default();
        let mut u = UserSummary {
            actor: index.strings.get(actor).to_string(),
            events: t.events,
            errors: t.errors,
            access_denied: t.denied,
            first: t.first,
            last: if t.last == Millis::MIN {
                NO_TIME
            } else {
                t.last
            },
            ..UserSummary::default()
        };
        for field in group.chunk_by(|a, b| a.1 == b.1) {
            // Equal values are adjacent: sum them, then most frequent first.
            let mut counts: Vec<(StrId, u64)> = Vec::new();
            for same in field.chunk_by(|a, b| a.2 == b.2) {
                if same[0].2 != 0 {
                    counts.push((same[0].2, same.iter().map(|x| x.3).sum()));
                }
            }
            let sorted = sorted(counts, index);
            match field[0].1 {
                Field::Type => u.types = sorted.into_iter().map(|(s, _)| s).collect(),
                Field::Account => u.accounts = sorted.into_iter().map(|(s, _)| s).collect(),
                Field::Arn => u.arns = sorted.into_iter().map(|(s, _)| s).collect(),
                Field::Ip => u.source_ips = sorted,
                Field::Key => u.access_keys = sorted,
                Field::Name => u.top_events = sorted.into_iter().take(TOP_EVENTS).collect(),
            }
        }
        out.push(u);
    }
    out.sort_by(|a, b| b.events.cmp(&a.events).then_with(|| a.actor.cmp(&b.actor)));
    out
}

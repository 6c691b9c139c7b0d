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

fn sorted(counts: FxHashMap<StrId, u64>, index: &Index) -> Vec<(String, u64)> {
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
    // Identities → actors.
    #[derive(Default)]
    struct Acc {
        types: FxHashMap<StrId, u64>,
        accounts: FxHashMap<StrId, u64>,
        ips: FxHashMap<StrId, u64>,
        keys: FxHashMap<StrId, u64>,
        arns: FxHashMap<StrId, u64>,
        names: FxHashMap<StrId, u64>,
        events: u64,
        errors: u64,
        denied: u64,
        first: Millis,
        last: Millis,
    }
    let mut by_actor: FxHashMap<StrId, Acc> = FxHashMap::default();
    let actor_of = |id: u32| {
        index
            .identities
            .get(id as usize)
            .copied()
            .unwrap_or_default()
    };
    for part in parts {
        for (id, (events, errors, denied, first, last)) in part.totals {
            let p = actor_of(id);
            let a = by_actor.entry(p.actor).or_insert_with(|| Acc {
                first: NO_TIME,
                last: Millis::MIN,
                ..Acc::default()
            });
            a.events += events;
            a.errors += errors;
            a.denied += denied;
            a.first = a.first.min(first);
            a.last = a.last.max(last);
            *a.types.entry(p.kind).or_insert(0) += events;
            *a.keys.entry(p.access_key).or_insert(0) += events;
            *a.arns.entry(p.arn).or_insert(0) += events;
        }
        for (map, pick) in [(part.ips, 0u8), (part.accounts, 1), (part.names, 2)] {
            for ((id, s), count) in map {
                let a = by_actor.entry(actor_of(id).actor).or_default();
                let target = match pick {
                    0 => &mut a.ips,
                    1 => &mut a.accounts,
                    _ => &mut a.names,
                };
                *target.entry(s).or_insert(0) += count;
            }
        }
    }
    let mut out: Vec<UserSummary> = by_actor
        .into_iter()
        .map(|(actor, a)| UserSummary {
            actor: index.strings.get(actor).to_string(),
            types: sorted(a.types, index).into_iter().map(|(s, _)| s).collect(),
            accounts: sorted(a.accounts, index)
                .into_iter()
                .map(|(s, _)| s)
                .collect(),
            events: a.events,
            errors: a.errors,
            access_denied: a.denied,
            first: a.first,
            last: if a.last == Millis::MIN {
                NO_TIME
            } else {
                a.last
            },
            source_ips: sorted(a.ips, index),
            access_keys: sorted(a.keys, index),
            arns: sorted(a.arns, index).into_iter().map(|(s, _)| s).collect(),
            top_events: sorted(a.names, index)
                .into_iter()
                .take(TOP_EVENTS)
                .collect(),
        })
        .collect();
    out.sort_by(|a, b| b.events.cmp(&a.events).then_with(|| a.actor.cmp(&b.actor)));
    out
}

//! Per-actor summaries: identity types, accounts, events, errors (and the share
//! of AccessDenied), first and last seen, source IPs, access keys, ARNs and the
//! most frequent events. One parallel pass over the index.

use crate::index::{Index, StrId};
use crate::model::{Millis, NO_TIME};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

/// One actor's activity. Values are string ids into the index they were built
/// from (resolve them with [`UserSummary::texts`]): on an archive where every
/// actor is distinct there are as many summaries as events, and a `String` per
/// value made the users view 3× the size of the index.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserSummary {
    pub actor: StrId,
    pub events: u64,
    pub errors: u64,
    pub access_denied: u64,
    pub first: Millis,
    pub last: Millis,
    /// Each field's values with their event counts, most frequent first, the
    /// fields one after another in [`Field`] order.
    values: Box<[(StrId, u32)]>,
    /// Where each field's values end in `values`.
    ends: [u32; FIELDS],
}

/// What a summary lists per actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    /// Identity types seen for this actor.
    Type,
    Account,
    Ip,
    Key,
    Arn,
    /// Event names: the [`TOP_EVENTS`] most frequent only.
    Name,
}

const FIELDS: usize = 6;

impl UserSummary {
    /// Share of the actor's errors that were access denied (0.0–1.0), as the
    /// README and the column header say: 1 of 2 errors is 50% whatever the events.
    pub fn denied_share(&self) -> f64 {
        if self.errors == 0 {
            0.0
        } else {
            self.access_denied as f64 / self.errors as f64
        }
    }

    /// The values of `field` with their counts, most frequent first.
    pub fn field(&self, field: Field) -> &[(StrId, u32)] {
        let k = field as usize;
        let start = if k == 0 { 0 } else { self.ends[k - 1] as usize };
        self.values
            .get(start..self.ends[k] as usize)
            .unwrap_or_default()
    }

    /// The values of `field` as text, most frequent first.
    pub fn texts<'a>(&self, field: Field, index: &'a Index) -> Vec<&'a str> {
        self.field(field)
            .iter()
            .map(|&(id, _)| index.strings.get(id))
            .collect()
    }

    /// The values of `field` as text with their counts, most frequent first.
    pub fn counted<'a>(&self, field: Field, index: &'a Index) -> Vec<(&'a str, u64)> {
        self.field(field)
            .iter()
            .map(|&(id, n)| (index.strings.get(id), n as u64))
            .collect()
    }

    /// The actor's name as text.
    pub fn actor_text<'a>(&self, index: &'a Index) -> &'a str {
        index.strings.get(self.actor)
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

/// Values with their counts, most frequent first, then by text (the empty value left out).
fn ranked(counts: &mut Vec<(StrId, u32)>, index: &Index) {
    counts.retain(|(id, _)| *id != 0);
    counts.sort_by(|a, b| index.strings.by_count_then_text(a, b));
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
    let mut values: Vec<(StrId, u32)> = Vec::new();
    for group in tally.chunk_by(|a, b| a.0 == b.0) {
        let actor = group[0].0;
        let t = totals.get(&actor).copied().unwrap_or_default();
        values.clear();
        let mut ends = [0u32; FIELDS];
        let mut fields = group.chunk_by(|a, b| a.1 == b.1).peekable();
        for (k, end) in ends.iter_mut().enumerate() {
            let field = fields.next_if(|f| f[0].1 as usize == k);
            let mut counts: Vec<(StrId, u32)> = Vec::new();
            // Equal values are adjacent: sum them, then most frequent first.
            for same in field.unwrap_or_default().chunk_by(|a, b| a.2 == b.2) {
                let n: u64 = same.iter().map(|x| x.3).sum();
                counts.push((same[0].2, n.min(u32::MAX as u64) as u32));
            }
            ranked(&mut counts, index);
            if k == Field::Name as usize {
                counts.truncate(TOP_EVENTS);
            }
            values.extend(counts);
            *end = values.len() as u32;
        }
        out.push(UserSummary {
            actor,
            events: t.events,
            errors: t.errors,
            access_denied: t.denied,
            first: t.first,
            last: if t.last == Millis::MIN {
                NO_TIME
            } else {
                t.last
            },
            values: values.as_slice().into(),
            ends,
        });
    }
    drop(tally);
    out.sort_by(|a, b| {
        b.events
            .cmp(&a.events)
            .then_with(|| index.strings.get(a.actor).cmp(index.strings.get(b.actor)))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::UserSummary;

    #[test]
    fn denied_is_a_share_of_the_errors() {
        let u = UserSummary {
            events: 100,
            errors: 4,
            access_denied: 2,
            ..UserSummary::default()
        };
        assert_eq!(u.denied_share(), 0.5);
        let clean = UserSummary {
            events: 100,
            ..UserSummary::default()
        };
        assert_eq!(clean.denied_share(), 0.0);
    }
}

//! Facet counts: for each facet, how many events have each value under the
//! current filter *of the other facets* (so selecting `Event: GitPush` still shows
//! the other events' counts in the Event facet). One parallel pass over the index.

use super::eval::{Compiled, Facet};
use super::parse::{Cond, Filter, Match, Term};
use crate::index::{Index, StrId};
use rayon::prelude::*;

/// The result of applying a filter: matching events and facet counts.
#[derive(Debug, Default, Clone)]
pub struct Selection {
    /// Matching events in time order.
    pub events: Vec<u32>,
    /// Per facet (in [`Facet::ALL`] order): (value, count), most frequent first.
    pub facets: Vec<Vec<(StrId, u32)>>,
}

const CHUNK: usize = 1 << 16;

/// Adds `n` to value `id`'s counter among the `k`-th single-column facet's
/// (nothing for a value of none of them).
fn add_to_column(
    columns: &mut [Vec<u32>; 5],
    d: &crate::index::Distinct,
    k: usize,
    id: StrId,
    n: u32,
) {
    if let Some(&dense) = d.column_dense.get(id as usize)
        && dense != u32::MAX
    {
        columns[k][dense as usize] += n;
    }
}

/// Facet counts of one range of events, over the dense value numbering of
/// [`crate::index::Distinct`]: arrays of the facets' own sizes (dozens of event
/// names, thousands of actors), never of every distinct string.
struct Counts {
    /// The five single-column facets, `column_values` entries each.
    columns: [Vec<u32>; 5],
    actors: Vec<u32>,
    /// Per set id.
    repos: Vec<u32>,
    pipelines: Vec<u32>,
    /// Per [`crate::index::Shapes`] shape: its events not yet added to `columns`
    /// (see [`Counts::settle`]).
    shapes: Vec<u32>,
}

impl Counts {
    fn new(index: &Index) -> Counts {
        let d = index.distinct();
        let zeros = |n: usize| vec![0u32; n];
        Counts {
            columns: std::array::from_fn(|_| zeros(d.column_values.len())),
            actors: zeros(d.actor.len()),
            repos: zeros(index.sets.len()),
            pipelines: zeros(index.sets.len()),
            shapes: zeros(d.shapes.as_ref().map_or(0, |s| s.values.len())),
        }
    }

    /// Counts event `i` in `facet` (the distinct tables are looked up by the
    /// caller once, not per event and facet).
    fn add(
        &mut self,
        c: &crate::index::Columns,
        d: &crate::index::Distinct,
        facet: Facet,
        i: usize,
    ) {
        let mut column = |k: usize, id: StrId| add_to_column(&mut self.columns, d, k, id, 1);
        match facet {
            Facet::Source => column(0, c.source[i]),
            Facet::Event => column(1, c.name[i]),
            Facet::Account => column(2, c.account[i]),
            Facet::Region => column(3, c.region[i]),
            Facet::Error => column(4, c.error[i]),
            Facet::User => {
                let actor = d.identity_actor.get(c.identity[i] as usize);
                if let Some(&a) = actor.filter(|&&a| a != u32::MAX) {
                    self.actors[a as usize] += 1;
                }
            }
            Facet::Repository => self.repos[c.repos[i] as usize] += 1,
            Facet::Pipeline => self.pipelines[c.pipelines[i] as usize] += 1,
        }
    }

    /// Counts event `i` in every facet (a million times for a one-letter word).
    /// With shapes, the five single-column facets are one counter per shape,
    /// spread over them by [`Counts::settle`].
    fn add_all(&mut self, c: &crate::index::Columns, d: &crate::index::Distinct, i: usize) {
        match &d.shapes {
            Some(shapes) => {
                if let Some(n) = self.shapes.get_mut(shapes.of_event[i] as usize) {
                    *n += 1;
                }
                for facet in [Facet::User, Facet::Repository, Facet::Pipeline] {
                    self.add(c, d, facet, i);
                }
            }
            None => {
                for facet in Facet::ALL {
                    self.add(c, d, facet, i);
                }
            }
        }
    }

    /// Adds the events counted per shape to the five columns' counters.
    fn settle(&mut self, d: &crate::index::Distinct) {
        let Some(shapes) = &d.shapes else { return };
        for (shape, n) in self.shapes.iter_mut().enumerate() {
            if *n == 0 {
                continue;
            }
            for (k, &id) in shapes.values[shape].iter().enumerate() {
                add_to_column(&mut self.columns, d, k, id, *n);
            }
            *n = 0;
        }
    }

    /// The counters in a fixed order: the five columns, actors, repos, pipelines.
    fn arrays_mut(&mut self) -> impl Iterator<Item = &mut Vec<u32>> {
        let Counts {
            columns,
            actors,
            repos,
            pipelines,
            shapes: _,
        } = self;
        columns.iter_mut().chain([actors, repos, pipelines])
    }

    fn into_arrays(mut self, d: &crate::index::Distinct) -> Vec<Vec<u32>> {
        self.settle(d);
        self.arrays_mut().map(std::mem::take).collect()
    }

    /// Adds the whole index's counts less those of the `dropped` events.
    fn add_whole_minus(
        &mut self,
        whole: &[Vec<u32>],
        mut dropped: Counts,
        d: &crate::index::Distinct,
    ) {
        self.settle(d);
        dropped.settle(d);
        for ((mine, all), gone) in self.arrays_mut().zip(whole).zip(dropped.arrays_mut()) {
            for ((x, a), g) in mine.iter_mut().zip(all).zip(gone.iter()) {
                *x += a.saturating_sub(*g);
            }
        }
    }

    fn merge(mut self, other: Counts) -> Counts {
        fn sum(a: &mut [u32], b: &[u32]) {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        }
        for (a, b) in self.columns.iter_mut().zip(&other.columns) {
            sum(a, b);
        }
        sum(&mut self.actors, &other.actors);
        sum(&mut self.repos, &other.repos);
        sum(&mut self.pipelines, &other.pipelines);
        sum(&mut self.shapes, &other.shapes);
        self
    }

    /// (value, count) per facet in [`Facet::ALL`] order, most frequent first.
    fn into_lists(mut self, index: &Index) -> Vec<Vec<(StrId, u32)>> {
        let d = index.distinct();
        self.settle(d);
        let dense = |values: &[StrId], counts: &[u32]| -> Vec<(StrId, u32)> {
            values
                .iter()
                .zip(counts)
                .filter(|&(&id, &n)| id != 0 && n > 0)
                .map(|(&id, &n)| (id, n))
                .collect()
        };
        let sets = |counts: &[u32]| -> Vec<(StrId, u32)> {
            let mut by_member: rustc_hash::FxHashMap<StrId, u32> = Default::default();
            for (set, &n) in counts.iter().enumerate().filter(|(_, n)| **n > 0) {
                for &id in index.set(set as u32) {
                    *by_member.entry(id).or_default() += n;
                }
            }
            by_member.into_iter().filter(|&(id, _)| id != 0).collect()
        };
        let column = |k: usize| dense(&d.column_values, &self.columns[k]);
        Facet::ALL
            .iter()
            .map(|facet| {
                let mut list = match facet {
                    Facet::Source => column(0),
                    Facet::Event => column(1),
                    Facet::Account => column(2),
                    Facet::Region => column(3),
                    Facet::Error => column(4),
                    Facet::User => dense(&d.actor, &self.actors),
                    Facet::Repository => sets(&self.repos),
                    Facet::Pipeline => sets(&self.pipelines),
                };
                list.sort_by(|a, b| index.strings.by_count_then_text(a, b));
                list
            })
            .collect()
    }
}

/// Applies `compiled` to the index: matching events and facet counts.
pub fn select(index: &Index, compiled: &Compiled<'_>) -> Selection {
    let never = std::sync::atomic::AtomicBool::new(false);
    select_unless(index, compiled, &never).unwrap_or_default()
}

/// [`select`], abandoned (`None`) as soon as `cancel` is set: it is checked
/// before each 64k-event chunk, so a superseded filter stops within a millisecond.
pub fn select_unless(
    index: &Index,
    compiled: &Compiled<'_>,
    cancel: &std::sync::atomic::AtomicBool,
) -> Option<Selection> {
    use std::sync::atomic::Ordering::Relaxed;
    let n = index.len();
    if compiled.is_empty()
        && let Some(facets) = index.distinct().unfiltered_facets.get()
    {
        let events = (0..n as u32).collect();
        return Some(Selection {
            events,
            facets: facets.clone(),
        });
    }
    let (cols, d) = (&index.cols, index.distinct());
    // A filter that keeps most events (a bare word's first letter keeps 90% of
    // a trail) is counted from the other side: the whole index's counts, minus
    // the events it drops. The result is the same; the work is the dropped share.
    let whole = (!compiled.is_empty() && keeps_most(index, compiled))
        .then(|| d.unfiltered_counts.get_or_init(|| unfiltered_counts(index)));
    // Each chunk's events go to a vector of their own, sized for the chunk, and
    // are laid end to end once at the end: pushing a million events into
    // growing vectors and appending them pairwise copied them several times.
    let (mut counts, dropped, mut parts) = (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .fold(
            || (Counts::new(index), Counts::new(index), Vec::new()),
            |(mut counts, mut dropped, mut parts), chunk| {
                if cancel.load(Relaxed) {
                    return (counts, dropped, parts);
                }
                let range = chunk * CHUNK..((chunk + 1) * CHUNK).min(n);
                let masks = compiled.failing_facets_in(range.clone());
                let mut kept = Vec::with_capacity(masks.iter().filter(|m| **m == Some(0)).count());
                for (i, mask) in range.zip(masks) {
                    if mask == Some(0) {
                        kept.push(i as u32);
                        if whole.is_none() {
                            counts.add_all(cols, d, i);
                        }
                        continue;
                    }
                    if whole.is_some() {
                        dropped.add_all(cols, d, i);
                    }
                    if let Some(mask) = mask.filter(|m| m.count_ones() == 1) {
                        let k = mask.trailing_zeros() as usize;
                        counts.add(cols, d, Facet::ALL[k], i);
                    }
                }
                parts.push((chunk, kept));
                (counts, dropped, parts)
            },
        )
        .reduce(
            || (Counts::new(index), Counts::new(index), Vec::new()),
            |mut a, b| {
                a.2.extend(b.2);
                (a.0.merge(b.0), a.1.merge(b.1), a.2)
            },
        );
    if let Some(whole) = whole {
        counts.add_whole_minus(whole, dropped, d);
    }
    if cancel.load(Relaxed) {
        return None;
    }
    parts.sort_unstable_by_key(|(chunk, _)| *chunk);
    let mut events = Vec::with_capacity(parts.iter().map(|(_, p)| p.len()).sum());
    for (_, part) in parts {
        events.extend_from_slice(&part);
    }
    let facets = counts.into_lists(index);
    if compiled.is_empty() {
        let _ = index.distinct().unfiltered_facets.set(facets.clone());
    }
    Some(Selection { events, facets })
}

/// Whether `compiled` keeps more than half the events, judged on every 64th.
fn keeps_most(index: &Index, compiled: &Compiled<'_>) -> bool {
    let sampled = (0..index.len()).step_by(64);
    let total = sampled.len();
    let kept = sampled
        .filter(|&i| compiled.failing_facets(i) == Some(0))
        .count();
    total >= 64 && kept * 2 > total
}

/// Every event counted in every facet, as dense arrays.
fn unfiltered_counts(index: &Index) -> Vec<Vec<u32>> {
    let (cols, d) = (&index.cols, index.distinct());
    let n = index.len();
    (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .fold(
            || Counts::new(index),
            |mut counts, chunk| {
                for i in chunk * CHUNK..((chunk + 1) * CHUNK).min(n) {
                    counts.add_all(cols, d, i);
                }
                counts
            },
        )
        .reduce(|| Counts::new(index), Counts::merge)
        .into_arrays(d)
}

/// Facet selections are ordinary filter terms, so the filter bar shows exactly
/// what filters: selecting `alice` in the User facet adds `user:=alice`.
impl Filter {
    /// Whether `value` is selected (`Some(true)`) or excluded (`Some(false)`) in `facet`.
    pub fn facet_state(&self, facet: Facet, value: &str) -> Option<bool> {
        self.terms
            .iter()
            .filter(|t| Facet::of(&t.cond) == Some(facet))
            .find(|t| lists(&t.cond, value))
            .map(|t| !t.negated)
    }

    /// Selects `value` in `facet` (or unselects it when selected).
    pub fn toggle_facet_value(&mut self, facet: Facet, value: &str) {
        self.remove_value(facet, value, true);
        if !self.remove_value(facet, value, false) {
            self.add_value(facet, value, false);
        }
    }

    /// Excludes `value` in `facet` (or stops excluding it).
    pub fn exclude_facet_value(&mut self, facet: Facet, value: &str) {
        self.remove_value(facet, value, false);
        if !self.remove_value(facet, value, true) {
            self.add_value(facet, value, true);
        }
    }

    /// Keeps exactly `value` in each facet named (a view's Enter or `f`): the
    /// facets' other terms go, so the filter never contradicts itself.
    pub fn pick_only(&mut self, picks: &[(Facet, &str)]) {
        for &(facet, value) in picks {
            self.clear_facet(facet);
            self.add_value(facet, value, false);
        }
    }

    /// Removes every term of `facet`.
    pub fn clear_facet(&mut self, facet: Facet) {
        self.terms.retain(|t| Facet::of(&t.cond) != Some(facet));
    }

    /// Removes `value` from the `negated` terms of `facet`; true if it was there.
    fn remove_value(&mut self, facet: Facet, value: &str, negated: bool) -> bool {
        let mut found = false;
        for t in self
            .terms
            .iter_mut()
            .filter(|t| t.negated == negated && Facet::of(&t.cond) == Some(facet))
        {
            found |= remove(&mut t.cond, value);
        }
        self.terms.retain(|t| !is_empty(&t.cond));
        found
    }

    fn add_value(&mut self, facet: Facet, value: &str, negated: bool) {
        // A typed pattern (`user:bob` as a substring, `event:Git*`) is not a
        // list of picked values: picking one in the pane replaces it, where
        // adding it beside would write `user:bob,=bob`, which changes nothing.
        if !negated {
            self.terms.retain(|t| {
                t.negated || Facet::of(&t.cond) != Some(facet) || lists_only_values(&t.cond)
            });
        }
        let existing = self
            .terms
            .iter_mut()
            .find(|t| t.negated == negated && Facet::of(&t.cond) == Some(facet));
        match existing {
            Some(t) => push(&mut t.cond, value),
            None => self.terms.push(Term {
                negated,
                cond: facet_cond(facet, value),
            }),
        }
    }
}

/// The condition a facet pane writes for one value (exact matches).
pub fn facet_cond(facet: Facet, value: &str) -> Cond {
    let v = vec![value.to_string()];
    match facet {
        Facet::Source => Cond::Source(v),
        Facet::Event => Cond::Event(v),
        Facet::User => Cond::User(vec![Match::exact(value)]),
        Facet::Repository => Cond::Repo(vec![Match::exact(value)]),
        Facet::Pipeline => Cond::Pipeline(vec![Match::exact(value)]),
        Facet::Account => Cond::Account(v),
        Facet::Region => Cond::Region(v),
        Facet::Error => Cond::ErrorCode(v),
    }
}

/// Whether a facet's term is a list of whole values, as the pane writes them
/// (no substring match, no wildcard).
fn lists_only_values(cond: &Cond) -> bool {
    match cond {
        Cond::User(m) | Cond::Repo(m) | Cond::Pipeline(m) => m
            .iter()
            .all(|m| m.exact && !super::parse::has_wildcard(&m.text)),
        Cond::Source(l)
        | Cond::Event(l)
        | Cond::Account(l)
        | Cond::Region(l)
        | Cond::ErrorCode(l) => l.iter().all(|x| !super::parse::has_wildcard(x)),
        _ => true,
    }
}

fn lists(cond: &Cond, value: &str) -> bool {
    match cond {
        Cond::User(m) | Cond::Repo(m) | Cond::Pipeline(m) => {
            m.iter().any(|m| m.exact && m.text == value)
        }
        Cond::Source(l)
        | Cond::Event(l)
        | Cond::Account(l)
        | Cond::Region(l)
        | Cond::ErrorCode(l) => l.iter().any(|x| x.eq_ignore_ascii_case(value)),
        _ => false,
    }
}

fn remove(cond: &mut Cond, value: &str) -> bool {
    match cond {
        Cond::User(m) | Cond::Repo(m) | Cond::Pipeline(m) => {
            let before = m.len();
            m.retain(|m| !(m.exact && m.text == value));
            m.len() != before
        }
        Cond::Source(l)
        | Cond::Event(l)
        | Cond::Account(l)
        | Cond::Region(l)
        | Cond::ErrorCode(l) => {
            let before = l.len();
            l.retain(|x| !x.eq_ignore_ascii_case(value));
            l.len() != before
        }
        _ => false,
    }
}

fn push(cond: &mut Cond, value: &str) {
    match cond {
        Cond::User(m) | Cond::Repo(m) | Cond::Pipeline(m) => m.push(Match::exact(value)),
        Cond::Source(l)
        | Cond::Event(l)
        | Cond::Account(l)
        | Cond::Region(l)
        | Cond::ErrorCode(l) => l.push(value.to_string()),
        _ => {}
    }
}

fn is_empty(cond: &Cond) -> bool {
    match cond {
        Cond::User(m) | Cond::Repo(m) | Cond::Pipeline(m) => m.is_empty(),
        Cond::Source(l)
        | Cond::Event(l)
        | Cond::Account(l)
        | Cond::Region(l)
        | Cond::ErrorCode(l) => l.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::IndexBuilder;
    use crate::index::builder::BatchWriter;
    use crate::load::shapes::decode_events;
    use crate::query::Filter;

    fn index(events: &[(&str, &str, &str)]) -> Index {
        let text: Vec<String> = events
            .iter()
            .enumerate()
            .map(|(n, (src, name, user))| {
                format!(
                    r#"{{"eventID":"{n}","eventTime":"2024-03-01T10:00:{n:02}Z","eventSource":"{src}","eventName":"{name}","userIdentity":{{"type":"IAMUser","userName":"{user}"}}}}"#
                )
            })
            .collect();
        let text = format!("[{}]", text.join(","));
        let mut w = BatchWriter::new(0);
        decode_events(&text, &mut |raw, f| w.push(raw, f));
        let mut b = IndexBuilder::new(Vec::new());
        b.add(w.finish());
        b.finish()
    }

    fn counts(ix: &Index, sel: &Selection, facet: Facet) -> Vec<(String, u32)> {
        let k = Facet::ALL.iter().position(|f| *f == facet).unwrap();
        sel.facets[k]
            .iter()
            .map(|&(id, n)| (ix.strings.get(id).to_string(), n))
            .collect()
    }

    #[test]
    fn counts_ignore_the_facets_own_terms() {
        let ix = index(&[
            ("s3", "Get", "alice"),
            ("s3", "Put", "alice"),
            ("ec2", "Get", "bob"),
            ("s3", "Get", "bob"),
        ]);
        let f = Filter::parse("event:Get user:=alice").unwrap();
        let sel = select(&ix, &Compiled::new(&f, &ix));
        assert_eq!(sel.events, vec![0]);
        // Event facet: counted under `user:=alice` only.
        assert_eq!(
            counts(&ix, &sel, Facet::Event),
            [("Get".into(), 1), ("Put".into(), 1)]
        );
        // User facet: counted under `event:Get` only.
        assert_eq!(
            counts(&ix, &sel, Facet::User),
            [("bob".into(), 2), ("alice".into(), 1)]
        );
        assert_eq!(counts(&ix, &sel, Facet::Source), [("s3".into(), 1)]);
    }

    /// Filters that keep most events are counted as the whole index minus what
    /// they drop: the same counts as counting what they keep, checked against
    /// the definition (each facet over the events no other facet's term fails).
    #[test]
    fn counting_from_the_dropped_side_gives_the_same_counts() {
        let names = ["Get", "Get", "Get", "Put", "List"];
        let users = ["alice", "bob", "carol", "dave"];
        let events: Vec<(String, String, String)> = (0..9000)
            .map(|k| {
                let src = if k % 7 == 0 { "ec2" } else { "s3" };
                (src.into(), names[k % 5].into(), users[(k / 3) % 4].into())
            })
            .collect();
        let refs: Vec<(&str, &str, &str)> = events
            .iter()
            .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
            .collect();
        let ix = index(&refs);
        for text in [
            "-user:=dave",
            "event:Get,List",
            "-event:Put -user:=bob",
            "-source:ec2 -event:List",
            "user:a",
        ] {
            let f = Filter::parse(text).unwrap();
            let compiled = Compiled::new(&f, &ix);
            let kept = (0..ix.len())
                .filter(|&i| compiled.failing_facets(i) == Some(0))
                .count();
            assert!(
                keeps_most(&ix, &compiled),
                "{text} should keep most events: {kept} of {}",
                ix.len()
            );
            let sel = select(&ix, &compiled);
            for facet in [Facet::Source, Facet::Event, Facet::User] {
                let k = Facet::ALL.iter().position(|f| *f == facet).unwrap();
                let mut want: std::collections::BTreeMap<String, u32> = Default::default();
                for i in 0..ix.len() {
                    let Some(mask) = compiled.failing_facets(i) else {
                        continue;
                    };
                    if mask & !(1 << k) == 0 {
                        let e = ix.event(i);
                        let value = match facet {
                            Facet::Source => e.source(),
                            Facet::Event => e.name(),
                            _ => e.actor(),
                        };
                        *want.entry(value.to_string()).or_default() += 1;
                    }
                }
                let mut got = counts(&ix, &sel, facet);
                got.sort();
                let want: Vec<(String, u32)> = want.into_iter().collect();
                assert_eq!(got, want, "{text}: {facet:?}");
            }
        }
    }

    /// Shapes (five facet columns counted as one counter, bare words looked up
    /// once per shape) are a shortcut: an index without them (too many
    /// combinations) selects and counts the same.
    #[test]
    fn shapes_change_no_event_and_no_count() {
        let events: Vec<(String, String, String)> = (0..5000)
            .map(|k| {
                let src = ["s3", "ec2", "codecommit"][k % 3];
                let name = ["GetObject", "PutObject", "GitPush", "DescribeThings"][(k / 3) % 4];
                (src.into(), name.into(), format!("user{}", k % 37))
            })
            .collect();
        let refs: Vec<(&str, &str, &str)> = events
            .iter()
            .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
            .collect();
        let shaped = index(&refs);
        assert!(shaped.distinct().shapes.is_some());
        let plain = index(&refs);
        let mut d = crate::index::Distinct::of(&plain);
        d.shapes = None;
        assert!(plain.distinct.set(std::sync::Arc::new(d)).is_ok());
        for text in [
            "",
            "e",
            "de",
            "git",
            "ec user7",
            "-source:s3 push",
            "event:GitPush user:=user3",
            "source:codecommit,ec2 -event:PutObject",
        ] {
            let f = Filter::parse(text).unwrap();
            let a = select(&shaped, &Compiled::new(&f, &shaped));
            let b = select(&plain, &Compiled::new(&f, &plain));
            assert_eq!(a.events, b.events, "{text}");
            for k in 0..Facet::ALL.len() {
                let names = |ix: &Index, s: &Selection| -> Vec<(String, u32)> {
                    s.facets[k]
                        .iter()
                        .map(|&(id, n)| (ix.strings.get(id).to_string(), n))
                        .collect()
                };
                assert_eq!(names(&shaped, &a), names(&plain, &b), "{text}: facet {k}");
            }
        }
    }

    #[test]
    fn facet_toggles_write_filter_terms() {
        let mut f = Filter::parse("errors").unwrap();
        f.toggle_facet_value(Facet::Event, "GitPush");
        f.toggle_facet_value(Facet::Event, "GitPull");
        f.toggle_facet_value(Facet::User, "José García");
        assert_eq!(
            f.to_text(),
            "errors event:GitPush,GitPull user:=\"José García\""
        );
        assert_eq!(f.facet_state(Facet::Event, "gitpush"), Some(true));
        f.toggle_facet_value(Facet::Event, "GitPush");
        assert_eq!(f.to_text(), "errors event:GitPull user:=\"José García\"");
        f.exclude_facet_value(Facet::Event, "GitPull");
        assert_eq!(f.to_text(), "errors user:=\"José García\" -event:GitPull");
        assert_eq!(f.facet_state(Facet::Event, "GitPull"), Some(false));
        f.toggle_facet_value(Facet::Event, "GitPull");
        assert_eq!(f.to_text(), "errors user:=\"José García\" event:GitPull");
        f.clear_facet(Facet::Event);
        f.clear_facet(Facet::User);
        assert_eq!(f.to_text(), "errors");
        assert_eq!(Filter::parse(&f.to_text()).unwrap(), f);
    }

    #[test]
    fn picking_a_value_replaces_a_typed_pattern_of_its_facet() {
        let mut f = Filter::parse("user:bob event:Git* -user:=bot").unwrap();
        f.toggle_facet_value(Facet::User, "bob");
        assert_eq!(f.to_text(), "event:Git* -user:=bot user:=bob");
        f.toggle_facet_value(Facet::Event, "GitPush");
        assert_eq!(f.to_text(), "-user:=bot user:=bob event:GitPush");
        // Picked values still add up (several = any of them).
        f.toggle_facet_value(Facet::User, "carol");
        assert_eq!(f.to_text(), "-user:=bot user:=bob,=carol event:GitPush");
    }

    #[test]
    fn non_facet_terms_constrain_every_facet() {
        let ix = index(&[("s3", "Get", "alice"), ("ec2", "Get", "bob")]);
        let f = Filter::parse("until:2024-03-01T10:00:01Z").unwrap();
        let sel = select(&ix, &Compiled::new(&f, &ix));
        assert_eq!(sel.events, vec![0]);
        assert_eq!(counts(&ix, &sel, Facet::User), [("alice".into(), 1)]);
    }
}

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

/// The value ids an event contributes to `facet`.
fn values(index: &Index, facet: Facet, i: usize, mut f: impl FnMut(StrId)) {
    let c = &index.cols;
    match facet {
        Facet::Source => f(c.source[i]),
        Facet::Event => f(c.name[i]),
        Facet::User => f(index.identity_of(i).actor),
        Facet::Repository => index.set(c.repos[i]).iter().for_each(|&id| f(id)),
        Facet::Pipeline => index.set(c.pipelines[i]).iter().for_each(|&id| f(id)),
        Facet::Account => f(c.account[i]),
        Facet::Region => f(c.region[i]),
        Facet::Error => f(c.error[i]),
    }
}

/// Applies `compiled` to the index: matching events and facet counts.
pub fn select(index: &Index, compiled: &Compiled<'_>) -> Selection {
    let n = index.len();
    let strings = index.strings.len();
    let parts: Vec<(Vec<u32>, Vec<Vec<u32>>)> = (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|chunk| {
            let mut events = Vec::new();
            let mut counts = vec![vec![0u32; strings]; Facet::ALL.len()];
            for i in chunk * CHUNK..((chunk + 1) * CHUNK).min(n) {
                let Some(mask) = compiled.failing_facets(i) else {
                    continue;
                };
                if mask == 0 {
                    events.push(i as u32);
                    for (k, facet) in Facet::ALL.iter().enumerate() {
                        values(index, *facet, i, |id| counts[k][id as usize] += 1);
                    }
                } else if mask.count_ones() == 1 {
                    let k = mask.trailing_zeros() as usize;
                    values(index, Facet::ALL[k], i, |id| counts[k][id as usize] += 1);
                }
            }
            (events, counts)
        })
        .collect();
    let mut events = Vec::new();
    let mut totals = vec![vec![0u32; strings]; Facet::ALL.len()];
    for (e, counts) in parts {
        events.extend(e);
        for (total, part) in totals.iter_mut().zip(counts) {
            for (t, p) in total.iter_mut().zip(part) {
                *t += p;
            }
        }
    }
    let facets = totals
        .into_iter()
        .map(|counts| {
            let mut list: Vec<(StrId, u32)> = counts
                .into_iter()
                .enumerate()
                .filter(|&(id, n)| id != 0 && n > 0)
                .map(|(id, n)| (id as StrId, n))
                .collect();
            list.sort_by(|a, b| {
                b.1.cmp(&a.1)
                    .then_with(|| index.strings.get(a.0).cmp(index.strings.get(b.0)))
            });
            list
        })
        .collect();
    Selection { events, facets }
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
    fn non_facet_terms_constrain_every_facet() {
        let ix = index(&[("s3", "Get", "alice"), ("ec2", "Get", "bob")]);
        let f = Filter::parse("until:2024-03-01T10:00:01Z").unwrap();
        let sel = select(&ix, &Compiled::new(&f, &ix));
        assert_eq!(sel.events, vec![0]);
        assert_eq!(counts(&ix, &sel, Facet::User), [("alice".into(), 1)]);
    }
}

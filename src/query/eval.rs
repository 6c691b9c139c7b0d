//! Evaluating a [`Filter`]: on an [`Index`] (precomputed per distinct string, then
//! a scan of integer columns) and on a freshly decoded event (the streaming CLI).
//! Both evaluators implement the same rules; a test checks they agree.

use super::fuzzy::FuzzyWord;
use super::parse::{Cond, Filter, Match, contains_ci};
use crate::index::{Identity, Index, StrId, flag};
use crate::model::EventFields;

/// The facet a term constrains; facet counts ignore the terms of their own facet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Facet {
    Source,
    Event,
    User,
    Repository,
    Pipeline,
    Account,
    Region,
    Error,
}

impl Facet {
    pub const ALL: [Facet; 8] = [
        Facet::Source,
        Facet::Event,
        Facet::User,
        Facet::Repository,
        Facet::Pipeline,
        Facet::Account,
        Facet::Region,
        Facet::Error,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Facet::Source => "Source",
            Facet::Event => "Event",
            Facet::User => "User",
            Facet::Repository => "Repository",
            Facet::Pipeline => "Pipeline",
            Facet::Account => "Account",
            Facet::Region => "Region",
            Facet::Error => "Error",
        }
    }

    /// The facet of a condition, if it is one a facet pane sets.
    pub fn of(cond: &Cond) -> Option<Facet> {
        Some(match cond {
            Cond::Source(_) => Facet::Source,
            Cond::Event(_) => Facet::Event,
            Cond::User(_) => Facet::User,
            Cond::Repo(_) => Facet::Repository,
            Cond::Pipeline(_) => Facet::Pipeline,
            Cond::Account(_) => Facet::Account,
            Cond::Region(_) => Facet::Region,
            Cond::ErrorCode(_) => Facet::Error,
            _ => return None,
        })
    }
}

fn eq_any(list: &[String], value: &str) -> bool {
    list.iter().any(|x| {
        x.eq_ignore_ascii_case(value) || (!x.is_ascii() && x.to_lowercase() == value.to_lowercase())
    })
}

fn match_any(list: &[Match], value: &str) -> bool {
    !value.is_empty() && list.iter().any(|m| m.is_match(value))
}

/// A list of [`Match`] values compiled once: exact values in a set, substrings in
/// one Aho-Corasick automaton, so a list of 1,000 values costs about what one does.
/// Same rules as [`Match::is_match`] (case-insensitive, Unicode lower-casing).
pub struct MatchSet {
    exact: rustc_hash::FxHashSet<String>,
    substrings: Option<aho_corasick::AhoCorasick>,
    /// An empty substring matches everything.
    any: bool,
}

impl MatchSet {
    pub fn new(list: &[Match]) -> MatchSet {
        let exact = list
            .iter()
            .filter(|m| m.exact)
            .map(|m| m.text.to_lowercase())
            .collect();
        let needles: Vec<String> = list
            .iter()
            .filter(|m| !m.exact)
            .map(|m| m.text.to_lowercase())
            .collect();
        let any = needles.iter().any(|n| n.is_empty());
        let substrings = if needles.is_empty() {
            None
        } else {
            aho_corasick::AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(&needles)
                .ok()
        };
        MatchSet {
            exact,
            substrings,
            any,
        }
    }

    /// Whether a non-empty `value` matches any value of the list.
    pub fn is_match(&self, value: &str) -> bool {
        if value.is_empty() {
            return false;
        }
        if self.any {
            return true;
        }
        let lower: std::borrow::Cow<'_, str> = if value.is_ascii() {
            std::borrow::Cow::Borrowed(value)
        } else {
            std::borrow::Cow::Owned(value.to_lowercase())
        };
        if !self.exact.is_empty() {
            let hit = if lower.is_ascii() {
                self.exact.contains(lower.to_ascii_lowercase().as_str())
            } else {
                self.exact.contains(lower.as_ref())
            };
            if hit {
                return true;
            }
        }
        self.substrings
            .as_ref()
            .is_some_and(|ac| ac.is_match(lower.as_ref()))
    }
}

/// What evaluating a filter on decoded events needs, prepared once per filter.
pub struct Prepared {
    pub fuzzy: Vec<FuzzyWord>,
    /// One per term: the compiled value list of `user:`, `repo:` and `pipeline:` terms.
    lists: Vec<Option<MatchSet>>,
}

impl Filter {
    /// Compiles the filter's value lists and fuzzy words for [`Self::matches_fields`].
    pub fn prepare(&self) -> Prepared {
        Prepared {
            fuzzy: self.fuzzy_words(),
            lists: self
                .terms
                .iter()
                .map(|t| match &t.cond {
                    Cond::User(m) | Cond::Repo(m) | Cond::Pipeline(m) => Some(MatchSet::new(m)),
                    _ => None,
                })
                .collect(),
        }
    }

    /// Evaluates on one decoded event; `raw` is its JSON (needed for `text:`).
    pub fn matches_fields(&self, f: &EventFields<'_>, raw: &str, prepared: &Prepared) -> bool {
        let fuzzy = &prepared.fuzzy;
        let mut fuzzy_at = 0;
        self.terms.iter().enumerate().all(|(k, t)| {
            let list = prepared.lists.get(k).and_then(Option::as_ref);
            let any = |v: &str, m: &[Match]| match list {
                Some(set) => set.is_match(v),
                None => match_any(m, v),
            };
            let hit = match &t.cond {
                Cond::User(m) => [&f.actor, &f.arn, &f.access_key, &f.principal]
                    .iter()
                    .any(|v| any(v, m)),
                Cond::Repo(m) => f.repositories.iter().any(|r| any(r, m)),
                Cond::Pipeline(m) => f.pipelines.iter().any(|p| any(p, m)),
                Cond::Event(l) => eq_any(l, &f.name),
                Cond::Source(l) => eq_any(l, &f.source),
                Cond::Account(l) => eq_any(l, &f.account),
                Cond::Region(l) => eq_any(l, &f.region),
                Cond::ErrorCode(l) => eq_any(l, &f.error_code),
                Cond::Since(t) => f.time >= *t && f.time != crate::model::NO_TIME,
                Cond::Until(t) => f.time < *t,
                Cond::Errors => !f.error_code.is_empty(),
                Cond::ReadOnly => f.read_only == Some(true),
                Cond::Mutating => f.read_only == Some(false),
                // Known only once every file is read: the caller decides (see
                // `ScanResult`'s `Hit::conflict`); here it lets every event through.
                Cond::Conflict => return true,
                Cond::Text(s) => contains_ci(raw, s),
                Cond::Fuzzy(_) => {
                    let word = &fuzzy[fuzzy_at];
                    fuzzy_at += 1;
                    [&f.actor, &f.name, &f.source]
                        .into_iter()
                        .chain(f.repositories.iter())
                        .chain(f.pipelines.iter())
                        .chain(std::iter::once(&f.first_resource))
                        .any(|v| word.score(v).is_some())
                }
            };
            hit != t.negated
        })
    }

    /// The fuzzy words of the filter, in term order, ready to match.
    pub fn fuzzy_words(&self) -> Vec<FuzzyWord> {
        self.terms
            .iter()
            .filter_map(|t| match &t.cond {
                Cond::Fuzzy(w) => Some(FuzzyWord::new(w)),
                _ => None,
            })
            .collect()
    }
}

/// One term, prepared against an index.
enum Check {
    /// Any of these string columns has an id marked in `table`.
    Strings {
        columns: Vec<Col>,
        table: Vec<bool>,
    },
    /// The set column's set id is marked in `table`.
    Sets {
        column: SetCol,
        table: Vec<bool>,
    },
    /// The event's identity id is marked in `table`.
    Identity {
        table: Vec<bool>,
    },
    /// Strings, identities or sets (fuzzy words look at names, actors and resources).
    Either {
        columns: Vec<Col>,
        strings: Vec<bool>,
        identities: Vec<bool>,
        sets: Vec<(SetCol, Vec<bool>)>,
    },
    Since(i64),
    Until(i64),
    Errors,
    ReadOnly(bool),
    Conflict,
    /// Decided elsewhere (raw text search); `None` = not yet known, counts as a match.
    Raw(Option<std::sync::Arc<Vec<bool>>>),
}

#[derive(Clone, Copy)]
enum Col {
    Source,
    Name,
    Region,
    Account,
    Error,
    Resource,
}

#[derive(Clone, Copy)]
enum SetCol {
    Repos,
    Pipelines,
}

/// A filter compiled against one index.
pub struct Compiled<'a> {
    index: &'a Index,
    terms: Vec<(bool, Option<Facet>, Check)>,
    /// Best fuzzy score per string id (0: no match), when the filter has bare words.
    fuzzy_scores: Option<Vec<i32>>,
}

/// Per `text:` needle, which events' raw JSON contains it.
pub type TextHits = rustc_hash::FxHashMap<String, std::sync::Arc<Vec<bool>>>;

/// What a compiled filter may use besides the index.
#[derive(Default, Clone)]
pub struct Scope<'s> {
    /// For `text:` terms: which events matched a raw scan of each needle, once known.
    pub text_hits: Option<&'s TextHits>,
    /// The strings bare words are matched against (all strings when `None`).
    pub fuzzy_candidates: Option<&'s [StrId]>,
}

impl<'a> Compiled<'a> {
    /// Compiles with every string as a fuzzy candidate and `text:` terms undecided
    /// (they match everything; see [`Scope`]).
    pub fn new(filter: &Filter, index: &'a Index) -> Compiled<'a> {
        Compiled::with_scope(filter, index, Scope::default())
    }

    pub fn with_scope(filter: &Filter, index: &'a Index, scope: Scope<'_>) -> Compiled<'a> {
        let text_hits = scope.text_hits;
        let strings = &index.strings;
        let mut fuzzy_scores: Option<Vec<i32>> = None;
        let sets_table = |pred: &dyn Fn(StrId) -> bool| -> Vec<bool> {
            index
                .sets
                .iter()
                .map(|set| set.iter().any(|&id| pred(id)))
                .collect()
        };
        let identities_table = |pred: &dyn Fn(&Identity) -> bool| -> Vec<bool> {
            index.identities.iter().map(pred).collect()
        };
        let terms = filter
            .terms
            .iter()
            .map(|t| {
                let check = match &t.cond {
                    Cond::User(m) => {
                        let set = MatchSet::new(m);
                        let ids = strings.matching(|s| set.is_match(s));
                        Check::Identity {
                            table: identities_table(&|p| {
                                ids[p.actor as usize]
                                    || ids[p.arn as usize]
                                    || ids[p.access_key as usize]
                                    || ids[p.principal as usize]
                            }),
                        }
                    }
                    Cond::Repo(m) => {
                        let set = MatchSet::new(m);
                        let ids = strings.matching(|s| set.is_match(s));
                        Check::Sets {
                            column: SetCol::Repos,
                            table: sets_table(&|id| ids[id as usize]),
                        }
                    }
                    Cond::Pipeline(m) => {
                        let set = MatchSet::new(m);
                        let ids = strings.matching(|s| set.is_match(s));
                        Check::Sets {
                            column: SetCol::Pipelines,
                            table: sets_table(&|id| ids[id as usize]),
                        }
                    }
                    Cond::Event(l) => Check::Strings {
                        columns: vec![Col::Name],
                        table: strings.matching(|s| eq_any(l, s)),
                    },
                    Cond::Source(l) => Check::Strings {
                        columns: vec![Col::Source],
                        table: strings.matching(|s| eq_any(l, s)),
                    },
                    Cond::Account(l) => Check::Strings {
                        columns: vec![Col::Account],
                        table: strings.matching(|s| eq_any(l, s)),
                    },
                    Cond::Region(l) => Check::Strings {
                        columns: vec![Col::Region],
                        table: strings.matching(|s| eq_any(l, s)),
                    },
                    Cond::ErrorCode(l) => Check::Strings {
                        columns: vec![Col::Error],
                        table: strings.matching(|s| eq_any(l, s)),
                    },
                    Cond::Since(t) => Check::Since(*t),
                    Cond::Until(t) => Check::Until(*t),
                    Cond::Errors => Check::Errors,
                    Cond::ReadOnly => Check::ReadOnly(true),
                    Cond::Mutating => Check::ReadOnly(false),
                    Cond::Conflict => Check::Conflict,
                    Cond::Text(needle) => {
                        Check::Raw(text_hits.and_then(|h| h.get(needle)).cloned())
                    }
                    Cond::Fuzzy(w) => {
                        let word = FuzzyWord::new(w);
                        let scores = fuzzy_scores.get_or_insert_with(|| vec![0; strings.len()]);
                        let mut table = vec![false; strings.len()];
                        let mut score = |id: StrId| {
                            if let Some(s) = word.score(strings.get(id)) {
                                table[id as usize] = true;
                                let slot = &mut scores[id as usize];
                                *slot = (*slot).max(s.min(i32::MAX as i64) as i32);
                            }
                        };
                        match scope.fuzzy_candidates {
                            Some(ids) => ids.iter().for_each(|&id| score(id)),
                            None => (0..strings.len() as StrId).for_each(&mut score),
                        }
                        let sets = vec![
                            (SetCol::Repos, sets_table(&|id| table[id as usize])),
                            (SetCol::Pipelines, sets_table(&|id| table[id as usize])),
                        ];
                        let identities = identities_table(&|p| table[p.actor as usize]);
                        Check::Either {
                            columns: vec![Col::Name, Col::Source, Col::Resource],
                            strings: table,
                            identities,
                            sets,
                        }
                    }
                };
                (t.negated, Facet::of(&t.cond), check)
            })
            .collect();
        Compiled {
            index,
            terms,
            fuzzy_scores,
        }
    }

    /// Whether the filter has bare (fuzzy) words.
    pub fn is_fuzzy(&self) -> bool {
        self.fuzzy_scores.is_some()
    }

    /// The best fuzzy score among event `i`'s names, actor and resources.
    pub fn fuzzy_score(&self, i: usize) -> i32 {
        let Some(scores) = &self.fuzzy_scores else {
            return 0;
        };
        let c = &self.index.cols;
        let actor = self.index.identity_of(i).actor;
        let mut best = [c.name[i], c.source[i], c.resource[i], actor]
            .iter()
            .map(|&id| scores[id as usize])
            .max()
            .unwrap_or(0);
        for set in [c.repos[i], c.pipelines[i]] {
            for &id in self.index.set(set) {
                best = best.max(scores[id as usize]);
            }
        }
        best
    }

    fn col(&self, c: Col) -> &'a [StrId] {
        let cols = &self.index.cols;
        match c {
            Col::Source => &cols.source,
            Col::Name => &cols.name,
            Col::Region => &cols.region,
            Col::Account => &cols.account,
            Col::Error => &cols.error,
            Col::Resource => &cols.resource,
        }
    }

    fn set_col(&self, c: SetCol) -> &'a [u32] {
        match c {
            SetCol::Repos => &self.index.cols.repos,
            SetCol::Pipelines => &self.index.cols.pipelines,
        }
    }

    fn check(&self, check: &Check, i: usize) -> bool {
        match check {
            Check::Strings { columns, table } => {
                columns.iter().any(|&c| table[self.col(c)[i] as usize])
            }
            Check::Sets { column, table } => table[self.set_col(*column)[i] as usize],
            Check::Identity { table } => table[self.index.cols.identity[i] as usize],
            Check::Either {
                columns,
                strings,
                identities,
                sets,
            } => {
                identities[self.index.cols.identity[i] as usize]
                    || columns.iter().any(|&c| strings[self.col(c)[i] as usize])
                    || sets.iter().any(|(c, t)| t[self.set_col(*c)[i] as usize])
            }
            Check::Since(t) => {
                let time = self.index.cols.time[i];
                time >= *t && time != crate::model::NO_TIME
            }
            Check::Until(t) => self.index.cols.time[i] < *t,
            Check::Errors => self.index.cols.error[i] != 0,
            Check::ReadOnly(want) => {
                flag::decode(
                    self.index.cols.flags[i],
                    flag::READ_ONLY_KNOWN,
                    flag::READ_ONLY,
                ) == Some(*want)
            }
            Check::Conflict => self.index.cols.flags[i] & flag::CONFLICT != 0,
            Check::Raw(hits) => hits
                .as_ref()
                .map(|h| h.get(i).copied().unwrap_or(false))
                .unwrap_or(true),
        }
    }

    pub fn matches(&self, i: usize) -> bool {
        self.terms
            .iter()
            .all(|(neg, _, c)| self.check(c, i) != *neg)
    }

    /// The events that match, in index order.
    pub fn select(&self) -> Vec<u32> {
        (0..self.index.len())
            .filter(|&i| self.matches(i))
            .map(|i| i as u32)
            .collect()
    }

    /// For facet counts: which facets' terms event `i` fails. Returns `None` when a
    /// term that belongs to no facet fails (the event counts nowhere), else the
    /// bitmask of failing facets.
    pub fn failing_facets(&self, i: usize) -> Option<u16> {
        let mut mask = 0u16;
        for (neg, facet, c) in &self.terms {
            if self.check(c, i) == *neg {
                match facet {
                    Some(f) => mask |= 1 << (*f as u16),
                    None => return None,
                }
            }
        }
        Some(mask)
    }
}

#[cfg(test)]
mod match_set_tests {
    use super::*;

    #[test]
    fn match_set_agrees_with_match() {
        let lists = [
            vec![Match::substring("ALICE"), Match::exact("bob")],
            vec![Match::substring("José"), Match::exact("ÉVE")],
            vec![Match::substring("\u{212a}")], // Kelvin sign lower-cases to `k`
            vec![Match::exact("x y"), Match::substring("ci-4")],
        ];
        let values = [
            "alice",
            "xALICEx",
            "bob",
            "Bob",
            "bobby",
            "josé garcía",
            "JOSÉ",
            "éve",
            "Éve",
            "kelvin",
            "x y",
            "Deployer/ci-42",
            "",
            "carol",
        ];
        for list in &lists {
            let set = MatchSet::new(list);
            for v in values {
                assert_eq!(set.is_match(v), match_any(list, v), "{list:?} {v:?}");
            }
        }
    }

    #[test]
    fn a_long_list_costs_about_one_value() {
        let list: Vec<Match> = (0..1000)
            .map(|i| Match::substring(&format!("user-{i:04}-x")))
            .collect();
        let set = MatchSet::new(&list);
        let start = std::time::Instant::now();
        let hits = (0..200_000)
            .filter(|i| set.is_match(&format!("arn:aws:iam::1:user/someone-{i}")))
            .count();
        assert_eq!(hits, 0);
        assert!(start.elapsed().as_secs_f64() < 2.0, "{:?}", start.elapsed());
    }
}

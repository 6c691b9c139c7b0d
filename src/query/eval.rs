//! Evaluating a [`Filter`]: on an [`Index`] (each term compiled to a table over
//! the distinct strings, identities or sets, then a scan of integer columns) and
//! on a freshly decoded event (the streaming CLI). Both evaluators implement the
//! same rules; tests check they agree.

use super::fuzzy::{FuzzyWord, Haystack, char_mask, mask_decides};
use super::matcher::{Matcher, Mode};
use super::parse::{Cond, Filter, Match, Term, contains_ci, fold};
use crate::index::{Distinct, Identity, Index, StrId, flag};
use crate::model::{EventFields, Millis, NO_TIME, content};
use rustc_hash::FxHashSet;
use std::sync::Arc;

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

fn matches_of(list: &[String]) -> Vec<Match> {
    list.iter().map(|s| Match::exact(s)).collect()
}

/// The value matchers a condition needs: (for its fields, for the access key).
fn matchers(cond: &Cond) -> Option<(Matcher, Option<Matcher>)> {
    Some(match cond {
        Cond::User(m) => {
            // The access key only by an exact value: `user:bob` must not find
            // an access key that happens to contain "BOB".
            let exact: Vec<Match> = m.iter().filter(|m| m.exact).cloned().collect();
            (
                Matcher::new(m, Mode::Text),
                Some(Matcher::new(&exact, Mode::Whole)),
            )
        }
        Cond::Key(m) => (Matcher::new(m, Mode::Prefix), None),
        Cond::Ip(m) => (Matcher::new(m, Mode::Ip), None),
        Cond::Agent(m) | Cond::Type(m) | Cond::Repo(m) | Cond::Pipeline(m) | Cond::Resource(m) => {
            (Matcher::new(m, Mode::Text), None)
        }
        Cond::Event(l)
        | Cond::Source(l)
        | Cond::Account(l)
        | Cond::Region(l)
        | Cond::ErrorCode(l) => (Matcher::new(&matches_of(l), Mode::Whole), None),
        _ => return None,
    })
}

/// One term, prepared for decoded events.
enum PNode {
    Leaf {
        negated: bool,
        cond: Cond,
        matcher: Option<Box<(Matcher, Option<Matcher>)>>,
        /// For a fuzzy word: the folded values it matches in the loaded index.
        accepted: Option<Arc<FxHashSet<String>>>,
    },
    Group {
        negated: bool,
        alts: Vec<Vec<PNode>>,
    },
}

/// What evaluating a filter on decoded events needs, prepared once per filter.
pub struct Prepared {
    nodes: Vec<PNode>,
    /// The newest event's time in the loaded data, for `last:`.
    newest: Option<Millis>,
}

impl Prepared {
    /// The bare words that match no value of the loaded index: a filter with
    /// one of them finds nothing, and the user is told why.
    pub fn unmatched_words(&self) -> Vec<String> {
        fn walk(nodes: &[PNode], out: &mut Vec<String>) {
            for node in nodes {
                match node {
                    PNode::Leaf {
                        cond: Cond::Fuzzy(word),
                        accepted: Some(values),
                        ..
                    } if values.is_empty() => out.push(word.clone()),
                    PNode::Leaf { .. } => {}
                    PNode::Group { alts, .. } => alts.iter().for_each(|a| walk(a, out)),
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.nodes, &mut out);
        out
    }
}

impl Filter {
    /// Compiles the filter for [`Self::matches_fields`]. A filter with fuzzy
    /// words or `last:` needs [`Self::prepare_with`] instead.
    pub fn prepare(&self) -> Prepared {
        self.prepare_inner(None)
    }

    /// Compiles the filter with what only the whole index knows: the values each
    /// fuzzy word matches, and the newest event's time.
    pub fn prepare_with(&self, index: &Index) -> Prepared {
        self.prepare_inner(Some(index))
    }

    fn prepare_inner(&self, index: Option<&Index>) -> Prepared {
        // The values bare words are matched against, computed once for every word.
        let has_fuzzy = self
            .all_terms()
            .iter()
            .any(|t| matches!(t.cond, Cond::Fuzzy(_)));
        let haystack = index.filter(|_| has_fuzzy).map(Index::fuzzy_haystack);
        let with_candidates = index.zip(haystack.as_ref());
        fn build(terms: &[Term], index: Option<(&Index, &Haystack)>) -> Vec<PNode> {
            terms
                .iter()
                .map(|t| match &t.cond {
                    Cond::Group(alts) => PNode::Group {
                        negated: t.negated,
                        alts: alts.iter().map(|a| build(a, index)).collect(),
                    },
                    cond => PNode::Leaf {
                        negated: t.negated,
                        cond: cond.clone(),
                        matcher: matchers(cond).map(Box::new),
                        accepted: match (cond, index) {
                            (Cond::Fuzzy(w), Some((index, candidates))) => {
                                let strings = &index.strings;
                                let ids = fuzzy_matches(&FuzzyWord::new(w), index, candidates);
                                Some(Arc::new(
                                    ids.into_iter()
                                        .map(|(id, _)| fold(strings.get(id)))
                                        .collect(),
                                ))
                            }
                            _ => None,
                        },
                    },
                })
                .collect()
        }
        Prepared {
            nodes: build(&self.terms, with_candidates),
            newest: index.and_then(newest_time),
        }
    }

    /// Evaluates on one decoded event; `raw` is its JSON (needed for `text:`).
    pub fn matches_fields(&self, f: &EventFields<'_>, raw: &str, prepared: &Prepared) -> bool {
        fn all(nodes: &[PNode], f: &EventFields<'_>, raw: &str, newest: Option<Millis>) -> bool {
            nodes.iter().all(|n| match n {
                PNode::Group { negated, alts } => {
                    alts.iter().any(|a| all(a, f, raw, newest)) != *negated
                }
                PNode::Leaf {
                    negated,
                    cond,
                    matcher,
                    accepted,
                } => {
                    leaf(
                        cond,
                        matcher.as_deref(),
                        accepted.as_deref(),
                        f,
                        raw,
                        newest,
                    ) != *negated
                }
            })
        }
        all(&prepared.nodes, f, raw, prepared.newest)
    }

    /// The fuzzy words of the filter, in term order, ready to match.
    pub fn fuzzy_words(&self) -> Vec<FuzzyWord> {
        self.all_terms()
            .into_iter()
            .filter_map(|t| match &t.cond {
                Cond::Fuzzy(w) => Some(FuzzyWord::new(w)),
                _ => None,
            })
            .collect()
    }
}

/// One condition on a decoded event.
fn leaf(
    cond: &Cond,
    matcher: Option<&(Matcher, Option<Matcher>)>,
    accepted: Option<&FxHashSet<String>>,
    f: &EventFields<'_>,
    raw: &str,
    newest: Option<Millis>,
) -> bool {
    let any = |values: &[&str]| matcher.is_some_and(|(m, _)| values.iter().any(|v| m.is_match(v)));
    let resources = || -> Vec<&str> {
        let mut v: Vec<&str> = f
            .repositories
            .iter()
            .chain(f.pipelines.iter())
            .chain(f.resource_arns.iter())
            .map(|c| c.as_ref())
            .collect();
        v.push(f.resource());
        v
    };
    match cond {
        Cond::User(_) => {
            any(&[&f.actor, &f.arn, &f.principal])
                || matcher.is_some_and(|(_, keys)| {
                    keys.as_ref().is_some_and(|k| k.is_match(&f.access_key))
                })
        }
        Cond::Key(_) => any(&[&f.access_key]),
        Cond::Ip(_) => any(&[&f.source_ip]),
        Cond::Agent(_) => any(&[&f.user_agent]),
        Cond::Type(_) => any(&[&f.identity_type]),
        Cond::Repo(_) => any(&f
            .repositories
            .iter()
            .map(|c| c.as_ref())
            .collect::<Vec<_>>()),
        Cond::Pipeline(_) => any(&f.pipelines.iter().map(|c| c.as_ref()).collect::<Vec<_>>()),
        Cond::Resource(_) => any(&resources()),
        Cond::Event(_) => any(&[&f.name]),
        Cond::Source(_) => any(&[&f.source]),
        Cond::Account(_) => any(&[&f.account]),
        Cond::Region(_) => any(&[&f.region]),
        Cond::ErrorCode(_) => any(&[&f.error_code]),
        Cond::Id(ids) => ids.iter().any(|id| {
            let key = content::id_key(id);
            [&f.event_id, &f.request_id, &f.shared_event_id]
                .iter()
                .any(|v| !v.is_empty() && content::id_key(v) == key)
        }),
        Cond::Since(t) => f.time >= *t && f.time != NO_TIME,
        Cond::Until(t) => f.time < *t,
        Cond::Last(ms) => {
            newest.is_some_and(|n| f.time >= n.saturating_sub(*ms) && f.time != NO_TIME)
        }
        Cond::Errors => !f.error_code.is_empty(),
        Cond::ReadOnly => f.read_only == Some(true),
        Cond::Mutating => f.read_only == Some(false),
        // Known only once every file is read: the caller decides (see
        // `ScanResult`'s `Hit::conflict`); here it lets every event through.
        Cond::Conflict => true,
        Cond::Text(s) => contains_ci(raw, s),
        Cond::Fuzzy(w) => {
            let mut values: Vec<&str> = vec![
                &f.actor,
                &f.arn,
                &f.access_key,
                &f.name,
                &f.source,
                &f.source_ip,
                &f.user_agent,
                &f.error_code,
                &f.account,
                &f.region,
            ];
            values.extend(resources());
            match accepted {
                Some(set) => values
                    .iter()
                    .any(|v| !v.is_empty() && set.contains(&fold(v))),
                None => {
                    let word = FuzzyWord::new(w);
                    values.iter().any(|v| word.score(v).is_some())
                }
            }
        }
        Cond::Group(_) => false,
    }
}

/// The newest valid event time of an index (events are sorted by time).
pub fn newest_time(index: &Index) -> Option<Millis> {
    index
        .cols
        .time
        .iter()
        .rev()
        .find(|&&t| t != NO_TIME)
        .copied()
}

/// The distinct values a fuzzy word matches, with a rank (higher is better).
/// Contiguous matches win: when some value holds the word as it is typed, they
/// are the answer (ranked by where the word is, then by length) and scattered
/// matches are dropped; otherwise the fuzzy score ranks, and matches scoring
/// under half the best are dropped.
pub fn fuzzy_matches(word: &FuzzyWord, index: &Index, haystack: &Haystack) -> Vec<(StrId, i64)> {
    fuzzy_matches_unless(word, index, haystack, None)
}

/// [`fuzzy_matches`], giving up (with whatever it found) once `cancel` is set.
pub fn fuzzy_matches_unless(
    word: &FuzzyWord,
    index: &Index,
    haystack: &Haystack,
    cancel: Option<&std::sync::atomic::AtomicBool>,
) -> Vec<(StrId, i64)> {
    use rayon::prelude::*;
    let live = || cancel.is_none_or(|c| !c.load(std::sync::atomic::Ordering::Relaxed));
    let strings = &index.strings;
    // Values that hold the word as typed win outright: find them first with a
    // SIMD substring search over the folded values, and score only them. The
    // fuzzy algorithm runs over every value only when the word is nowhere as
    // typed (a typo).
    let held = haystack.held(&fold(word.text()), &live);
    if !held.is_empty() {
        // Held as typed: no fuzzy score is needed to keep them (callers use the
        // values, not their order), and scoring 300k values that hold `d` cost
        // more than the filter. They rank by where the word is, then by length.
        return held
            .into_iter()
            .map(|(id, at, len)| (id, -((at as i64) * 64 + len as i64)))
            .collect();
    }
    let scored: Vec<(StrId, i64)> = haystack
        .ids
        .par_iter()
        .filter(|_| live())
        .filter_map(|&id| word.score(strings.get(id)).map(|score| (id, score)))
        .collect();
    let best = scored.iter().map(|x| x.1).max().unwrap_or(0);
    scored
        .into_iter()
        .filter(|&(_, score)| score * 2 >= best)
        .collect()
}

/// A bare word's first test of an event: its [`Haystack::event_masks`] entry
/// must hold the word's characters; when the mask `decides` (one letter), that
/// is the whole answer.
struct CharCheck {
    masks: Arc<Vec<u32>>,
    required: u32,
    decides: bool,
}

impl CharCheck {
    /// Over `range` (at most 4G events): marks in `pass` the events the mask
    /// alone finds, and returns those it leaves undecided (positions in `range`).
    /// Branch-free, as [`look_up`] and for the same reason.
    fn undecided_in(&self, range: std::ops::Range<usize>, pass: &mut [u64]) -> Vec<u32> {
        let masks = self.masks.get(range.clone()).unwrap_or_default();
        if masks.len() < range.len() {
            // Masks of another index: nothing is settled by them.
            return (0..range.len() as u32).collect();
        }
        let required = self.required;
        if self.decides {
            for (word, pass) in masks.chunks(64).zip(pass.iter_mut()) {
                *pass |= word.iter().enumerate().fold(0u64, |bits, (b, &mask)| {
                    bits | u64::from(mask & required == required) << b
                });
            }
            return Vec::new();
        }
        let mut undecided = vec![0u32; range.len()];
        let mut kept = 0;
        for (j, &mask) in masks.iter().enumerate() {
            undecided[kept] = j as u32;
            kept += usize::from(mask & required == required);
        }
        undecided.truncate(kept);
        undecided
    }

    /// `Some(answer)` when the mask settles event `i`, `None` when its fields
    /// must be looked at.
    #[inline]
    fn settles(&self, i: usize) -> Option<bool> {
        let mask = self.masks.get(i).copied().unwrap_or(u32::MAX);
        if mask & self.required != self.required {
            Some(false)
        } else if self.decides {
            Some(true)
        } else {
            None
        }
    }
}

/// One term, prepared against an index.
enum Check {
    /// Any of these string columns has an id marked in `table`.
    Strings {
        columns: Vec<Col>,
        table: Vec<bool>,
    },
    /// The event's identity id is marked in `table`.
    Identity {
        table: Vec<bool>,
    },
    /// Strings, identities or sets (fuzzy words and `resource:` look at several fields).
    Either {
        columns: Vec<Col>,
        strings: Bits,
        identities: Option<Bits>,
        sets: Vec<(SetCol, Vec<bool>)>,
        /// For a bare word: the events' character masks, looked at first.
        chars: Option<CharCheck>,
        /// For a block of events, per [`crate::index::Shapes`] shape: whether
        /// one of its five values is marked in `strings`; those of `columns` it
        /// covers are then not looked at one by one.
        shapes: Option<Bits>,
    },
    /// The ids' hashes (as the `eventID` and `requestID` columns hold them) and
    /// keys (as the sparse `sharedEventID` map holds them) to look for.
    Ids {
        hashes: FxHashSet<u64>,
        keys: FxHashSet<u128>,
    },
    Since(i64),
    Until(i64),
    Errors,
    ReadOnly(bool),
    Conflict,
    /// Decided elsewhere (raw text search); `None` = not yet known, counts as a match.
    Raw(Option<Arc<Vec<bool>>>),
}

enum Node {
    Leaf {
        negated: bool,
        facet: Option<Facet>,
        check: Check,
    },
    Group {
        negated: bool,
        alts: Vec<Vec<Node>>,
    },
}

#[derive(Clone, Copy)]
enum Col {
    Source,
    Name,
    Region,
    Account,
    Error,
    Resource,
    SourceIp,
    UserAgent,
}

impl Col {
    fn of(self, index: &Index) -> &[StrId] {
        let cols = &index.cols;
        match self {
            Col::Source => &cols.source,
            Col::Name => &cols.name,
            Col::Region => &cols.region,
            Col::Account => &cols.account,
            Col::Error => &cols.error,
            Col::Resource => &cols.resource,
            Col::SourceIp => &cols.source_ip,
            Col::UserAgent => &cols.user_agent,
        }
    }

    /// Whether [`crate::index::Shapes`] combine this column with four others.
    fn in_shape(self) -> bool {
        matches!(
            self,
            Col::Source | Col::Name | Col::Account | Col::Region | Col::Error
        )
    }

    /// The column's distinct values.
    fn distinct(self, d: &Distinct) -> &Vec<StrId> {
        match self {
            Col::Source => &d.source,
            Col::Name => &d.name,
            Col::Region => &d.region,
            Col::Account => &d.account,
            Col::Error => &d.error,
            Col::Resource => &d.resource,
            Col::SourceIp => &d.source_ip,
            Col::UserAgent => &d.user_agent,
        }
    }
}

#[derive(Clone, Copy)]
enum SetCol {
    Repos,
    Pipelines,
    Arns,
}

/// A filter compiled against one index.
pub struct Compiled<'a> {
    index: &'a Index,
    nodes: Vec<Node>,
    fuzzy: bool,
    /// Fuzzy words that match no value at all.
    unmatched: Vec<String>,
}

/// Per `text:` needle, which events' raw JSON contains it.
pub type TextHits = rustc_hash::FxHashMap<String, Arc<Vec<bool>>>;

/// What a compiled filter may use besides the index.
#[derive(Default, Clone)]
pub struct Scope<'s> {
    /// For `text:` terms: which events matched a raw scan of each needle, once known.
    pub text_hits: Option<&'s TextHits>,
    /// The values bare words are matched against (the index's when `None`).
    pub fuzzy_candidates: Option<&'s Haystack>,
    /// Set when the result is no longer wanted: the longest part of compiling
    /// (scoring bare words against every value) stops early.
    pub cancel: Option<&'s std::sync::atomic::AtomicBool>,
}

struct Compiler<'a, 's> {
    index: &'a Index,
    scope: Scope<'s>,
    candidates: Option<Haystack>,
    fuzzy: bool,
    unmatched: Vec<String>,
}

impl Compiler<'_, '_> {
    fn sets_table(&self, pred: &(dyn Fn(StrId) -> bool + Sync)) -> Vec<bool> {
        self.index
            .sets
            .iter()
            .map(|set| set.iter().any(|&id| pred(id)))
            .collect()
    }

    fn identities_table(&self, pred: &(dyn Fn(&Identity) -> bool + Sync)) -> Vec<bool> {
        use rayon::prelude::*;
        self.index.identities.par_iter().map(pred).collect()
    }

    fn nodes(&mut self, terms: &[Term]) -> Vec<Node> {
        terms
            .iter()
            .map(|t| match &t.cond {
                Cond::Group(alts) => Node::Group {
                    negated: t.negated,
                    alts: alts.iter().map(|a| self.nodes(a)).collect(),
                },
                cond => Node::Leaf {
                    negated: t.negated,
                    facet: Facet::of(cond),
                    check: self.check(cond),
                },
            })
            .collect()
    }

    fn check(&mut self, cond: &Cond) -> Check {
        let strings = &self.index.strings;
        let d = self.index.distinct();
        // A membership table over every string id, filled in from the field's
        // own distinct values only (4.6k actors, not 300k+ access keys).
        let strings_of = |m: &Matcher, lists: &[&Vec<StrId>]| -> Vec<bool> {
            use rayon::prelude::*;
            let mut table = vec![false; strings.len()];
            for list in lists {
                let hits: Vec<StrId> = list
                    .par_iter()
                    .copied()
                    .filter(|&id| m.is_match(strings.get(id)))
                    .collect();
                for id in hits {
                    table[id as usize] = true;
                }
            }
            table
        };
        let column = |col: Col, m: &Matcher| Check::Strings {
            columns: vec![col],
            table: strings_of(m, &[col.distinct(d)]),
        };
        let found = matchers(cond);
        match (cond, &found) {
            (Cond::User(_), Some((m, keys))) => {
                let ids = strings_of(m, &[&d.actor, &d.arn, &d.principal]);
                let key_ids = keys
                    .as_ref()
                    .filter(|k| !k.is_empty())
                    .map(|k| strings_of(k, &[&d.access_key]));
                Check::Identity {
                    table: self.identities_table(&|p| {
                        ids[p.actor as usize]
                            || ids[p.arn as usize]
                            || ids[p.principal as usize]
                            || key_ids.as_ref().is_some_and(|k| k[p.access_key as usize])
                    }),
                }
            }
            (Cond::Key(_), Some((m, _))) => {
                let ids = strings_of(m, &[&d.access_key]);
                Check::Identity {
                    table: self.identities_table(&|p| ids[p.access_key as usize]),
                }
            }
            (Cond::Type(_), Some((m, _))) => {
                let ids = strings_of(m, &[&d.kind]);
                Check::Identity {
                    table: self.identities_table(&|p| ids[p.kind as usize]),
                }
            }
            (Cond::Repo(_) | Cond::Pipeline(_), Some((m, _))) => {
                let ids = strings_of(m, &[&d.set_members]);
                let set = if matches!(cond, Cond::Repo(_)) {
                    SetCol::Repos
                } else {
                    SetCol::Pipelines
                };
                Check::Either {
                    columns: Vec::new(),
                    strings: Bits::default(),
                    identities: None,
                    sets: vec![(set, self.sets_table(&|id| ids[id as usize]))],
                    chars: None,
                    shapes: None,
                }
            }
            (Cond::Resource(_), Some((m, _))) => {
                let ids = strings_of(m, &[&d.set_members, &d.resource]);
                let sets = vec![
                    (SetCol::Repos, self.sets_table(&|id| ids[id as usize])),
                    (SetCol::Pipelines, self.sets_table(&|id| ids[id as usize])),
                    (SetCol::Arns, self.sets_table(&|id| ids[id as usize])),
                ];
                Check::Either {
                    columns: vec![Col::Resource],
                    strings: Bits::from_bools(&ids),
                    identities: None,
                    sets,
                    chars: None,
                    shapes: None,
                }
            }
            (Cond::Ip(_), Some((m, _))) => column(Col::SourceIp, m),
            (Cond::Agent(_), Some((m, _))) => column(Col::UserAgent, m),
            (Cond::Event(_), Some((m, _))) => column(Col::Name, m),
            (Cond::Source(_), Some((m, _))) => column(Col::Source, m),
            (Cond::Account(_), Some((m, _))) => column(Col::Account, m),
            (Cond::Region(_), Some((m, _))) => column(Col::Region, m),
            (Cond::ErrorCode(_), Some((m, _))) => column(Col::Error, m),
            (Cond::Id(ids), _) => Check::Ids {
                hashes: ids.iter().map(|id| content::id_hash(id)).collect(),
                keys: ids.iter().map(|id| content::id_key(id)).collect(),
            },
            (Cond::Since(t), _) => Check::Since(*t),
            (Cond::Until(t), _) => Check::Until(*t),
            (Cond::Last(ms), _) => {
                Check::Since(newest_time(self.index).map_or(i64::MAX, |n| n.saturating_sub(*ms)))
            }
            (Cond::Errors, _) => Check::Errors,
            (Cond::ReadOnly, _) => Check::ReadOnly(true),
            (Cond::Mutating, _) => Check::ReadOnly(false),
            (Cond::Conflict, _) => Check::Conflict,
            (Cond::Text(needle), _) => {
                Check::Raw(self.scope.text_hits.and_then(|h| h.get(needle)).cloned())
            }
            (Cond::Fuzzy(w), _) => self.fuzzy(w),
            // Every other condition has matchers, and groups are nodes.
            _ => Check::Errors,
        }
    }

    fn fuzzy(&mut self, w: &str) -> Check {
        self.fuzzy = true;
        let index = self.index;
        let candidates: &Haystack = match self.scope.fuzzy_candidates {
            Some(haystack) => haystack,
            None => self
                .candidates
                .get_or_insert_with(|| index.fuzzy_haystack()),
        };
        let folded = fold(w);
        let required = char_mask(folded.as_bytes());
        // The masks describe the events of the index they were made from.
        let masks =
            (candidates.event_masks.len() == index.len()).then(|| candidates.event_masks.clone());
        if let Some(masks) = &masks
            && mask_decides(folded.as_bytes())
            && candidates.all_chars & required != 0
        {
            // One letter some value holds: the events are exactly those whose
            // mask holds it, and no value needs to be looked for.
            return Check::Either {
                columns: Vec::new(),
                strings: Bits::default(),
                identities: None,
                sets: Vec::new(),
                chars: Some(CharCheck {
                    masks: masks.clone(),
                    required,
                    decides: true,
                }),
                shapes: None,
            };
        }
        let found = fuzzy_matches_unless(&FuzzyWord::new(w), index, candidates, self.scope.cancel);
        if found.is_empty() {
            self.unmatched.push(w.to_string());
        }
        // Values that hold the word as typed (the usual case) are folded
        // substring matches, so an event's mask must hold the word's characters;
        // a scored (scattered) match compares unfolded text and is not prefiltered.
        // (`fuzzy_matches` ranks held values at or below 0, scored ones above.)
        let contiguous = found.first().is_some_and(|&(_, rank)| rank <= 0);
        let mut table = Bits::new(index.strings.len());
        for (id, _) in found {
            table.set(id as usize);
        }
        // Only the fields where the word matched something are looked at per
        // event: a word found among actors does not test eight other columns.
        let d = index.distinct();
        let sets: Vec<(SetCol, Vec<bool>)> =
            if d.set_members.iter().any(|&id| table.get(id as usize)) {
                vec![
                    (SetCol::Repos, self.sets_table(&|id| table.get(id as usize))),
                    (
                        SetCol::Pipelines,
                        self.sets_table(&|id| table.get(id as usize)),
                    ),
                ]
            } else {
                Vec::new()
            };
        let in_identities = [&d.actor, &d.arn, &d.access_key]
            .iter()
            .any(|list| list.iter().any(|&id| table.get(id as usize)));
        let identities = in_identities.then(|| {
            Bits::from_fn(index.identities.len(), |i| {
                let p = &index.identities[i];
                table.get(p.actor as usize)
                    || table.get(p.arn as usize)
                    || table.get(p.access_key as usize)
            })
        });
        let columns = [
            Col::Name,
            Col::Source,
            Col::Resource,
            Col::SourceIp,
            Col::UserAgent,
            Col::Error,
            Col::Account,
            Col::Region,
        ]
        .into_iter()
        .filter(|c| c.distinct(d).iter().any(|&id| table.get(id as usize)))
        .collect::<Vec<Col>>();
        let shapes = d
            .shapes
            .as_ref()
            .filter(|_| columns.iter().any(|c| c.in_shape()))
            .map(|shapes| {
                Bits::from_fn(shapes.values.len(), |s| {
                    shapes.values[s].iter().any(|&id| table.get(id as usize))
                })
            });
        Check::Either {
            columns,
            strings: table,
            identities,
            sets,
            shapes,
            chars: masks.filter(|_| contiguous).map(|masks| CharCheck {
                masks,
                required,
                decides: false,
            }),
        }
    }
}

/// One field of a block evaluation: the `undecided` events whose id in `ids` is
/// a `hit` are marked in `pass` and leave `undecided`.
#[inline]
fn look_up<T: Copy>(
    undecided: &mut Vec<u32>,
    pass: &mut [u64],
    ids: &[T],
    hit: impl Fn(T) -> bool,
) {
    // Branch-free: whether an event is found is a coin toss for the early
    // fields, and a mispredicted branch per event cost more than the lookup.
    // The bits of one 64-event word gather in a register (the events come in
    // order), not through a read-modify-write of memory per event.
    let (mut kept, mut word, mut bits) = (0, usize::MAX, 0u64);
    for r in 0..undecided.len() {
        let j = undecided[r];
        if j as usize / 64 != word {
            if let Some(w) = pass.get_mut(word) {
                *w |= bits;
            }
            (word, bits) = (j as usize / 64, 0);
        }
        let found = hit(ids[j as usize]);
        bits |= u64::from(found) << (j % 64);
        undecided[kept] = j;
        kept += usize::from(!found);
    }
    if let Some(w) = pass.get_mut(word) {
        *w |= bits;
    }
    undecided.truncate(kept);
}

/// A membership table over ids, a bit each. The per-event checks of a bare word
/// look ids up in it up to nine times an event, a million events a keystroke:
/// 335k ids fit in 42 KB, near the core, where a `Vec<bool>` of 335 KB did not.
#[derive(Debug, Default, Clone)]
struct Bits(Vec<u64>);

impl Bits {
    /// `len` bits, all clear.
    fn new(len: usize) -> Bits {
        Bits(vec![0; len.div_ceil(64)])
    }

    /// Bit `i` is `pred(i)`, for `i` below `len`: 64 bits a task, in parallel.
    fn from_fn(len: usize, pred: impl Fn(usize) -> bool + Sync) -> Bits {
        use rayon::prelude::*;
        let mut words = vec![0u64; len.div_ceil(64)];
        words.par_iter_mut().enumerate().for_each(|(w, word)| {
            for i in w * 64..(w * 64 + 64).min(len) {
                *word |= u64::from(pred(i)) << (i % 64);
            }
        });
        Bits(words)
    }

    fn set(&mut self, id: usize) {
        if let Some(w) = self.0.get_mut(id / 64) {
            *w |= 1 << (id % 64);
        }
    }

    fn from_bools(table: &[bool]) -> Bits {
        let mut words = vec![0u64; table.len().div_ceil(64)];
        for (id, _) in table.iter().enumerate().filter(|(_, b)| **b) {
            words[id / 64] |= 1 << (id % 64);
        }
        Bits(words)
    }

    #[inline]
    fn get(&self, id: usize) -> bool {
        self.0
            .get(id / 64)
            .is_some_and(|w| (w >> (id % 64)) & 1 == 1)
    }
}

impl<'a> Compiled<'a> {
    /// Compiles with the index's fuzzy candidates and `text:` terms undecided
    /// (they match everything; see [`Scope`]).
    pub fn new(filter: &Filter, index: &'a Index) -> Compiled<'a> {
        Compiled::with_scope(filter, index, Scope::default())
    }

    pub fn with_scope(filter: &Filter, index: &'a Index, scope: Scope<'_>) -> Compiled<'a> {
        let mut c = Compiler {
            index,
            scope,
            candidates: None,
            fuzzy: false,
            unmatched: Vec::new(),
        };
        let nodes = c.nodes(&filter.terms);
        Compiled {
            index,
            nodes,
            fuzzy: c.fuzzy,
            unmatched: c.unmatched,
        }
    }

    /// Whether the filter has bare (fuzzy) words.
    pub fn is_fuzzy(&self) -> bool {
        self.fuzzy
    }

    /// The fuzzy words that match no value in the index (so the result is empty
    /// for a reason the user should be told).
    pub fn unmatched_words(&self) -> &[String] {
        &self.unmatched
    }

    fn col(&self, c: Col) -> &'a [StrId] {
        c.of(self.index)
    }

    fn set_col(&self, c: SetCol) -> &'a [u32] {
        match c {
            SetCol::Repos => &self.index.cols.repos,
            SetCol::Pipelines => &self.index.cols.pipelines,
            SetCol::Arns => &self.index.cols.arns,
        }
    }

    fn check(&self, check: &Check, i: usize) -> bool {
        match check {
            Check::Strings { columns, table } => {
                columns.iter().any(|&c| table[self.col(c)[i] as usize])
            }
            Check::Identity { table } => table[self.index.cols.identity[i] as usize],
            Check::Either {
                columns,
                strings,
                identities,
                sets,
                chars,
                shapes: _,
            } => {
                if let Some(answer) = chars.as_ref().and_then(|c| c.settles(i)) {
                    return answer;
                }
                identities
                    .as_ref()
                    .is_some_and(|t| t.get(self.index.cols.identity[i] as usize))
                    || columns
                        .iter()
                        .any(|&c| strings.get(self.col(c)[i] as usize))
                    || sets.iter().any(|(c, t)| t[self.set_col(*c)[i] as usize])
            }
            Check::Ids { hashes, keys } => {
                let cols = &self.index.cols;
                hashes.contains(&cols.event_id[i])
                    || hashes.contains(&cols.request_id[i])
                    || (!self.index.shared_ids.is_empty()
                        && self
                            .index
                            .shared_ids
                            .get(&(i as u32))
                            .is_some_and(|k| keys.contains(k)))
            }
            Check::Since(t) => {
                let time = self.index.cols.time[i];
                time >= *t && time != NO_TIME
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

    fn node(&self, node: &Node, i: usize) -> bool {
        match node {
            // An undecided `text:` term lets every event through, negated or not:
            // the raw search decides it later.
            Node::Leaf {
                check: Check::Raw(None),
                ..
            } => true,
            Node::Leaf { negated, check, .. } => self.check(check, i) != *negated,
            Node::Group { negated, alts } => {
                alts.iter().any(|a| a.iter().all(|n| self.node(n, i))) != *negated
            }
        }
    }

    /// Whether the filter has no terms (every event matches).
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    pub fn matches(&self, i: usize) -> bool {
        self.nodes.iter().all(|n| self.node(n, i))
    }

    /// The events that match, in index order.
    pub fn select(&self) -> Vec<u32> {
        use rayon::prelude::*;
        (0..self.index.len() as u32)
            .into_par_iter()
            .filter(|&i| self.matches(i as usize))
            .collect()
    }

    /// [`Self::failing_facets`] for each event of `range` (at most a few 64k):
    /// each term is decided for the whole range before the next, so a bare word
    /// looks its fields up a column at a time, and only for the events no earlier
    /// field has matched, instead of walking the term tree once per event.
    pub fn failing_facets_in(&self, range: std::ops::Range<usize>) -> Vec<Option<u16>> {
        let len = range.len();
        let mut out = vec![Some(0u16); len];
        for node in &self.nodes {
            let pass = self.node_in(node, range.clone());
            let fail = match node {
                Node::Leaf { facet: Some(f), .. } => Some(1u16 << (*f as u16)),
                _ => None,
            };
            for (w, &word) in pass.iter().enumerate() {
                let mut failed = !word;
                while failed != 0 {
                    let j = w * 64 + failed.trailing_zeros() as usize;
                    failed &= failed - 1;
                    if let Some(slot) = out.get_mut(j) {
                        *slot = slot.zip(fail).map(|(m, f)| m | f);
                    }
                }
            }
        }
        out
    }

    /// Which events of `range` pass `node`, a bit each (bit `j` is event
    /// `range.start + j`).
    fn node_in(&self, node: &Node, range: std::ops::Range<usize>) -> Vec<u64> {
        let len = range.len();
        match node {
            Node::Leaf {
                check: Check::Raw(None),
                ..
            } => vec![u64::MAX; len.div_ceil(64)],
            Node::Leaf {
                negated,
                check:
                    Check::Either {
                        columns,
                        strings,
                        identities,
                        sets,
                        chars,
                        shapes,
                    },
                ..
            } => {
                let mut pass = vec![0u64; len.div_ceil(64)];
                let mut undecided: Vec<u32> = match chars {
                    Some(chars) => chars.undecided_in(range.clone(), &mut pass),
                    None => (0..len as u32).collect(),
                };
                // Cheapest first: a few hundred shapes' bits sit in the core.
                let of_event = shapes
                    .as_ref()
                    .zip(self.index.distinct().shapes.as_ref())
                    .map(|(hits, s)| (hits, &s.of_event[range.clone()]));
                if let Some((hits, of_event)) = of_event {
                    look_up(&mut undecided, &mut pass, of_event, |s| {
                        hits.get(s as usize)
                    });
                }
                if let Some(t) = identities {
                    let ids = &self.index.cols.identity[range.clone()];
                    look_up(&mut undecided, &mut pass, ids, |id| t.get(id as usize));
                }
                for &c in columns
                    .iter()
                    .filter(|c| of_event.is_none() || !c.in_shape())
                {
                    let ids = &self.col(c)[range.clone()];
                    look_up(&mut undecided, &mut pass, ids, |id| {
                        strings.get(id as usize)
                    });
                }
                for (c, t) in sets {
                    let ids = &self.set_col(*c)[range.clone()];
                    look_up(&mut undecided, &mut pass, ids, |id| t[id as usize]);
                }
                if *negated {
                    pass.iter_mut().for_each(|w| *w = !*w);
                }
                pass
            }
            _ => {
                let mut pass = vec![0u64; len.div_ceil(64)];
                for j in 0..len {
                    if self.node(node, range.start + j) {
                        pass[j / 64] |= 1 << (j % 64);
                    }
                }
                pass
            }
        }
    }

    /// For facet counts: which facets' terms event `i` fails. Returns `None` when a
    /// term that belongs to no facet fails (the event counts nowhere), else the
    /// bitmask of failing facets.
    pub fn failing_facets(&self, i: usize) -> Option<u16> {
        let mut mask = 0u16;
        for node in &self.nodes {
            if self.node(node, i) {
                continue;
            }
            match node {
                Node::Leaf { facet: Some(f), .. } => mask |= 1 << (*f as u16),
                _ => return None,
            }
        }
        Some(mask)
    }
}

//! Fuzzy matching of bare filter words against names (fuzzy-matcher's skim algorithm).
//!
//! Words are matched against distinct values (actors, event names, sources,
//! repositories, pipelines, resources), never against every event: the index maps
//! the matching values back to events.

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

pub struct FuzzyWord {
    word: String,
    matcher: SkimMatcherV2,
    min_score: i64,
}

impl FuzzyWord {
    pub fn new(word: &str) -> FuzzyWord {
        let chars = word.chars().count() as i64;
        FuzzyWord {
            word: word.to_string(),
            matcher: SkimMatcherV2::default().ignore_case(),
            // A scattered subsequence scores low; demand most of a contiguous match so
            // short words do not match half the trail.
            min_score: chars * 12,
        }
    }

    /// The word as typed.
    pub fn text(&self) -> &str {
        &self.word
    }

    /// Whether every character of the word appears in `candidate`, in order
    /// (ASCII case-insensitive): a cheap test that rules out most values before
    /// the scoring algorithm runs.
    fn may_match(&self, candidate: &str) -> bool {
        if !candidate.is_ascii() || !self.word.is_ascii() {
            return true;
        }
        let mut rest = candidate.bytes();
        self.word
            .bytes()
            .all(|w| rest.any(|c| c.eq_ignore_ascii_case(&w)))
    }

    pub fn score(&self, candidate: &str) -> Option<i64> {
        if candidate.is_empty() || !self.may_match(candidate) {
            return None;
        }
        self.matcher
            .fuzzy_match(candidate, &self.word)
            .filter(|&s| s >= self.min_score)
    }

    /// Score and the matched character positions, for highlighting.
    pub fn indices(&self, candidate: &str) -> Option<(i64, Vec<usize>)> {
        self.matcher
            .fuzzy_indices(candidate, &self.word)
            .filter(|(s, _)| *s >= self.min_score)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_matches_score() {
        let w = FuzzyWord::new("gitpsh");
        assert!(w.score("GitPush").is_some());
        assert!(w.score("DescribeInstances").is_none());
        let w = FuzzyWord::new("deploy");
        assert!(w.score("Deployer/ci-42").is_some());
        assert!(w.score("DescribeLoadBalancerPolicy").is_none());
        assert!(w.score("").is_none());
    }

    #[test]
    fn indices_for_highlighting() {
        let (_, idx) = FuzzyWord::new("push").indices("GitPush").unwrap();
        assert_eq!(idx, vec![3, 4, 5, 6]);
    }
}

/// The values bare words are matched against, folded (lower-cased, accents
/// dropped) once and laid end to end: a word typed is found in all of them by one
/// SIMD substring search over a few MB, instead of folding 300k strings again on
/// every keystroke.
#[derive(Debug, Default)]
pub struct Haystack {
    /// The values' string ids, in the order their text is laid out.
    pub ids: Vec<crate::index::StrId>,
    /// Each value folded, back to back.
    text: Vec<u8>,
    /// Where each value's folded text ends in `text`.
    ends: Vec<u32>,
    /// Per event, the [`char_mask`] of the values its searched fields hold (4
    /// bytes an event): a word is looked for only in events holding all its
    /// characters, and a one-letter word is decided by the mask alone — the first
    /// letter typed keeps most of a trail, and checking its nine fields per event
    /// was the slowest keystroke.
    pub event_masks: std::sync::Arc<Vec<u32>>,
    /// The characters of all values together.
    pub all_chars: u32,
}

/// Which characters a folded text holds, a bit each: `a`–`z` a bit per letter,
/// digits two to a bit, anything else in the last bit. A word is in a value only
/// if the value's mask holds all of the word's bits; a one-letter word (see
/// [`mask_decides`]) is in exactly the values whose mask holds its bit.
pub fn char_mask(folded: &[u8]) -> u32 {
    folded
        .iter()
        .fold(0, |mask, &b| mask | CHAR_BITS[b as usize])
}

/// [`char_mask`]'s bit of each byte.
const CHAR_BITS: [u32; 256] = {
    let mut bits = [1u32 << 31; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_lowercase() {
            bits[b] = 1 << (c - b'a');
        } else if c.is_ascii_digit() {
            bits[b] = 1 << (26 + (c - b'0') / 2);
        }
        b += 1;
    }
    bits
};

/// Whether [`char_mask`] alone decides which values hold `folded`: one letter.
pub fn mask_decides(folded: &[u8]) -> bool {
    matches!(folded, [b'a'..=b'z'])
}

/// The string columns a bare word is looked for in (besides identities and the
/// repository and pipeline sets), in the order the compiled check looks.
pub fn searched_columns(c: &crate::index::Columns) -> [&[crate::index::StrId]; 8] {
    [
        &c.name,
        &c.source,
        &c.resource,
        &c.source_ip,
        &c.user_agent,
        &c.error,
        &c.account,
        &c.region,
    ]
}

/// Per event, the OR of `value_mask` over its identity's actor, ARN and access
/// key, its [`searched_columns`] and its repositories and pipelines.
fn event_masks(index: &crate::index::Index, value_mask: &[u32]) -> Vec<u32> {
    use rayon::prelude::*;
    let v = |id: crate::index::StrId| value_mask.get(id as usize).copied().unwrap_or(0);
    let identities: Vec<u32> = index
        .identities
        .iter()
        .map(|p| v(p.actor) | v(p.arn) | v(p.access_key))
        .collect();
    let sets: Vec<u32> = index
        .sets
        .iter()
        .map(|set| set.iter().fold(0, |m, &id| m | v(id)))
        .collect();
    let c = &index.cols;
    let columns = searched_columns(c);
    let of = |table: &[u32], id: u32| table.get(id as usize).copied().unwrap_or(0);
    (0..index.len())
        .into_par_iter()
        .map(|i| {
            columns.iter().fold(
                of(&identities, c.identity[i]) | of(&sets, c.repos[i]) | of(&sets, c.pipelines[i]),
                |m, col| m | v(col[i]),
            )
        })
        .collect()
}

impl Haystack {
    /// The haystack of `ids`, values of `index`.
    pub fn new(index: &crate::index::Index, ids: Vec<crate::index::StrId>) -> Haystack {
        let mut text = Vec::new();
        let mut ends = Vec::with_capacity(ids.len());
        for &id in &ids {
            let value = index.strings.get(id);
            if value.is_ascii() {
                text.extend(value.bytes().map(|b| b.to_ascii_lowercase()));
            } else {
                text.extend_from_slice(super::parse::fold(value).as_bytes());
            }
            // Offsets past 4 GiB of folded text would wrap: such values are not
            // searched (an index that large does not fit in memory anyway).
            let Ok(end) = u32::try_from(text.len()) else {
                break;
            };
            ends.push(end);
        }
        text.shrink_to_fit();
        let mut ids = ids;
        ids.truncate(ends.len());
        let masks: Vec<u32> = {
            use rayon::prelude::*;
            (0..ends.len())
                .into_par_iter()
                .map(|k| {
                    let start = if k == 0 { 0 } else { ends[k - 1] as usize };
                    char_mask(&text[start..ends[k] as usize])
                })
                .collect()
        };
        let mut value_mask = vec![0u32; index.strings.len()];
        let mut all_chars = 0;
        for (&id, &mask) in ids.iter().zip(&masks) {
            value_mask[id as usize] = mask;
            all_chars |= mask;
        }
        let event_masks = std::sync::Arc::new(event_masks(index, &value_mask));
        Haystack {
            ids,
            text,
            ends,
            event_masks,
            all_chars,
        }
    }

    /// Each value that holds `needle` (already folded), with where it first does
    /// and its folded length (ranking needs it; looking the value up again would
    /// cost a cache miss per value), in haystack order. The text is searched in parts in parallel, each value
    /// once; `live` is asked between parts' matches and stops the search early.
    pub fn held(
        &self,
        needle: &str,
        live: &(dyn Fn() -> bool + Sync),
    ) -> Vec<(crate::index::StrId, usize, usize)> {
        use rayon::prelude::*;
        let finder = memchr::memmem::Finder::new(needle.as_bytes());
        let n = self.ends.len();
        let parts = rayon::current_num_threads().max(1) * 4;
        let bounds: Vec<usize> = (0..=parts).map(|p| n * p / parts).collect();
        bounds
            .par_windows(2)
            .flat_map_iter(|w| {
                let (first, last) = (w[0], w[1]);
                let mut found = Vec::new();
                let start_of = |k: usize| if k == 0 { 0 } else { self.ends[k - 1] as usize };
                let mut k = first;
                while k < last && live() {
                    let from = start_of(k);
                    let to = self.ends[last - 1] as usize;
                    let Some(at) = finder.find(&self.text[from..to]) else {
                        break;
                    };
                    let at = from + at;
                    // The value holding the match's start: values end in order.
                    while k < last && (self.ends[k] as usize) <= at {
                        k += 1;
                    }
                    if k >= last {
                        break;
                    }
                    let (start, end) = (start_of(k), self.ends[k] as usize);
                    if at + needle.len() <= end {
                        found.push((self.ids[k], at - start, end - start));
                        k += 1;
                    } else if let Some(inside) = finder.find(&self.text[at + 1..end]) {
                        // The first match ran into the next value; look again inside this one.
                        found.push((self.ids[k], at + 1 + inside - start, end - start));
                        k += 1;
                    } else {
                        k += 1;
                    }
                }
                found
            })
            .collect()
    }
}

#[cfg(test)]
mod haystack_tests {
    use super::Haystack;
    use crate::index::{Index, StrId};
    use crate::query::parse::fold;
    use proptest::prelude::*;

    proptest! {
        /// Every value holding the needle is found once, at its first position,
        /// whatever the neighbours (matches that run across two values count for neither).
        #[test]
        fn held_equals_searching_each_value(
            values in proptest::collection::vec("[aAbB\u{e9}É-]{0,6}", 0..60),
            needle in "[abé-]{1,3}",
        ) {
            let mut index = Index::default();
            let ids: Vec<StrId> = values.iter().map(|v| index.strings.intern(v)).collect();
            let mut unique = ids.clone();
            unique.sort_unstable();
            unique.dedup();
            let haystack = Haystack::new(&index, unique.clone());
            let needle = fold(&needle);
            let got = haystack.held(&needle, &|| true);
            let want: Vec<(StrId, usize, usize)> = unique
                .iter()
                .filter_map(|&id| {
                    let folded = fold(index.strings.get(id));
                    folded.find(&needle).map(|at| (id, at, folded.len()))
                })
                .collect();
            prop_assert_eq!(got, want);
        }
    }
}

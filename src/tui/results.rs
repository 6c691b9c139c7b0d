//! Turning the filter into what the screen shows: the matching events in display
//! order, the facet counts, and the timeline histogram.

use super::ctx::Results;
use crate::index::Index;
use crate::query::eval::TextHits;
use crate::query::facets::select_unless;
use crate::query::{Compiled, Filter, Scope};
use std::sync::atomic::AtomicBool;

/// Evaluates `filter` over `index`. `text_hits` answers `text:` terms already
/// searched; `candidates` are the strings bare words are matched against.
pub fn evaluate(
    index: &Index,
    filter: &Filter,
    text_hits: &TextHits,
    candidates: &crate::query::fuzzy::Haystack,
    newest_first: bool,
    timeline_width: usize,
) -> Results {
    let never = AtomicBool::new(false);
    let request = Request {
        filter,
        text_hits,
        candidates,
        newest_first,
        timeline_width,
    };
    evaluate_unless(index, &request, &never).unwrap_or_default()
}

/// What one evaluation needs besides the index.
pub struct Request<'a> {
    pub filter: &'a Filter,
    pub text_hits: &'a TextHits,
    pub candidates: &'a crate::query::fuzzy::Haystack,
    pub newest_first: bool,
    pub timeline_width: usize,
}

/// [`evaluate`], abandoned (`None`) once `cancel` is set: the browser runs it
/// off the UI thread and cancels it when a newer filter supersedes it.
pub fn evaluate_unless(
    index: &Index,
    request: &Request<'_>,
    cancel: &AtomicBool,
) -> Option<Results> {
    let Request {
        filter,
        text_hits,
        candidates,
        newest_first,
        timeline_width,
    } = *request;
    let compiled = Compiled::with_scope(
        filter,
        index,
        Scope {
            text_hits: Some(text_hits),
            fuzzy_candidates: Some(candidates),
            cancel: Some(cancel),
        },
    );
    let selection = select_unless(index, &compiled, cancel)?;
    // The list stays in time order whatever the fuzzy scores, so what `w`
    // writes is what the screen shows.
    let times = &index.cols.time;
    let timed = selection
        .events
        .partition_point(|&i| times[i as usize] != crate::model::NO_TIME);
    let timeline = histogram(index, &selection.events, timeline_width);
    let unmatched = compiled.unmatched_words().to_vec();
    let widest = widest_values(index, &selection.facets);
    let emptied_by = (selection.events.is_empty() && !index.is_empty() && unmatched.is_empty())
        .then(|| emptying_term(index, request, cancel))
        .flatten();
    Some(Results {
        selection,
        timed,
        newest_first,
        timeline,
        unmatched,
        emptied_by,
        widest,
    })
}

/// Per facet, the display width of its widest value, escaped as the list
/// shows it (sources without `.amazonaws.com`).
fn widest_values(index: &Index, facets: &[Vec<(crate::index::StrId, u32)>]) -> Vec<usize> {
    use unicode_width::UnicodeWidthStr;
    facets
        .iter()
        .zip(crate::query::Facet::ALL)
        .map(|(values, facet)| {
            let suffix = if facet == crate::query::Facet::Source {
                ".amazonaws.com"
            } else {
                ""
            };
            values
                .iter()
                .map(|&(id, _)| {
                    let v = index.strings.get(id).trim_end_matches(suffix);
                    crate::sanitize::escape(v).width()
                })
                .max()
                .unwrap_or(0)
        })
        .collect()
}

/// The first term of a filter that matches nothing after which no event is
/// left: each longer prefix of the terms is tried, a scan that stops at the
/// first event it keeps (so a prefix that keeps events costs little).
fn emptying_term(index: &Index, request: &Request<'_>, cancel: &AtomicBool) -> Option<String> {
    let terms = &request.filter.terms;
    (0..terms.len()).find_map(|k| {
        if cancel.load(std::sync::atomic::Ordering::Relaxed) {
            return None;
        }
        let prefix = Filter {
            terms: terms[..=k].to_vec(),
        };
        let scope = Scope {
            text_hits: Some(request.text_hits),
            fuzzy_candidates: Some(request.candidates),
            cancel: Some(cancel),
        };
        let compiled = Compiled::with_scope(&prefix, index, scope);
        let any = (0..index.len()).any(|i| compiled.matches(i));
        (!any).then(|| terms[k].to_string())
    })
}

/// Counts of `events` over the loaded time range, in `width` buckets: parts of
/// the events counted in parallel, then summed.
pub fn histogram(index: &Index, events: &[u32], width: usize) -> Vec<u64> {
    use rayon::prelude::*;
    const PART: usize = 1 << 17;
    events
        .par_chunks(PART)
        .map(|part| histogram_of(index, part, width))
        .reduce(
            || vec![0u64; width.max(1)],
            |mut a, b| {
                a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                a
            },
        )
}

fn histogram_of(index: &Index, events: &[u32], width: usize) -> Vec<u64> {
    let mut buckets = vec![0u64; width.max(1)];
    let times = &index.cols.time;
    let newest = times.iter().rev().find(|&&t| t != crate::model::NO_TIME);
    let (Some(&lo), Some(&hi)) = (times.first(), newest) else {
        return buckets;
    };
    let span = (hi - lo).max(1) as u128;
    let last = buckets.len() - 1;
    // Event `t` goes to bucket (t - lo) × last / span. Events come in time order
    // (positions in a sorted index), so instead of a division per event the walk
    // moves a bucket pointer forward past each bucket's first time: a fifth of the
    // time on a million events. Out of order (never, but cheap to check), divide.
    let bucket_of = |t: i64| ((t - lo) as u128 * last as u128 / span).min(last as u128) as usize;
    let first_time =
        |b: usize| lo.saturating_add((b as u128 * span).div_ceil(last.max(1) as u128) as i64);
    let mut b = 0;
    let mut next = if last == 0 { i64::MAX } else { first_time(1) };
    let mut previous = i64::MIN;
    for &i in events {
        let t = times[i as usize];
        if t == crate::model::NO_TIME {
            continue;
        }
        if t < previous {
            buckets[bucket_of(t)] += 1;
            continue;
        }
        previous = t;
        while t >= next {
            b += 1;
            next = if b >= last {
                i64::MAX
            } else {
                first_time(b + 1)
            };
        }
        buckets[b] += 1;
    }
    buckets
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::ColumnValues;
    use proptest::prelude::*;

    /// The per-event division the walk replaces.
    fn divided(times: &[i64], events: &[u32], width: usize) -> Vec<u64> {
        let mut buckets = vec![0u64; width.max(1)];
        let valid: Vec<i64> = times
            .iter()
            .copied()
            .filter(|&t| t != crate::model::NO_TIME)
            .collect();
        let (Some(&lo), Some(&hi)) = (times.first(), valid.last()) else {
            return buckets;
        };
        let span = (hi - lo).max(1) as u128;
        let last = buckets.len() - 1;
        for &i in events {
            let t = times[i as usize];
            if t != crate::model::NO_TIME {
                buckets[((t - lo) as u128 * last as u128 / span).min(last as u128) as usize] += 1;
            }
        }
        buckets
    }

    proptest! {
        #[test]
        fn the_walk_counts_as_dividing_does(
            mut times in proptest::collection::vec(0i64..5_000, 0..300),
            untimed in 0usize..5,
            width in 1usize..200,
            keep in proptest::collection::vec(any::<bool>(), 300),
            shuffle in any::<bool>(),
        ) {
            times.sort_unstable();
            times.extend(std::iter::repeat_n(crate::model::NO_TIME, untimed));
            let mut index = Index::default();
            for &time in &times {
                index.cols.push(ColumnValues { time, ..ColumnValues::default() });
            }
            let mut events: Vec<u32> =
                (0..times.len() as u32).filter(|&i| keep[i as usize % keep.len()]).collect();
            if shuffle {
                events.reverse();
            }
            prop_assert_eq!(
                histogram(&index, &events, width),
                divided(&times, &events, width)
            );
        }
    }
}

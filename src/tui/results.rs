//! Turning the filter into what the screen shows: the matching events in display
//! order, the facet counts, and the timeline histogram.

use super::ctx::Results;
use crate::index::{Index, StrId};
use crate::query::eval::TextHits;
use crate::query::facets::select;
use crate::query::{Compiled, Filter, Scope};

/// Evaluates `filter` over `index`. `text_hits` answers `text:` terms already
/// searched; `candidates` are the strings bare words are matched against.
pub fn evaluate(
    index: &Index,
    filter: &Filter,
    text_hits: &TextHits,
    candidates: &[StrId],
    newest_first: bool,
    timeline_width: usize,
) -> Results {
    let compiled = Compiled::with_scope(
        filter,
        index,
        Scope {
            text_hits: Some(text_hits),
            fuzzy_candidates: Some(candidates),
        },
    );
    let selection = select(index, &compiled);
    let mut shown = selection.events.clone();
    if newest_first {
        crate::index::newest_first(index, &mut shown);
    }
    if compiled.is_fuzzy() {
        shown = best_first(&shown, &compiled);
    }
    let timeline = histogram(index, &selection.events, timeline_width);
    Results {
        selection,
        shown,
        newest_first,
        timeline,
    }
}

/// Orders events by fuzzy score, best first, keeping their order among equal
/// scores. Scores are computed in parallel and placed by a counting sort (skim
/// scores are small integers), so a one-letter word matching a million events
/// stays within a keystroke's budget.
fn best_first(events: &[u32], compiled: &Compiled<'_>) -> Vec<u32> {
    use rayon::prelude::*;
    const RANGE: usize = 1 << 14;
    let scores: Vec<i32> = events
        .par_iter()
        .map(|&i| compiled.fuzzy_score(i as usize))
        .collect();
    if scores.iter().any(|&s| s < 0 || s as usize >= RANGE) {
        let mut order: Vec<usize> = (0..events.len()).collect();
        order.sort_by_key(|&k| std::cmp::Reverse(scores[k]));
        return order.into_iter().map(|k| events[k]).collect();
    }
    let mut starts = vec![0usize; RANGE + 1];
    for &s in &scores {
        starts[RANGE - 1 - s as usize + 1] += 1;
    }
    for k in 1..starts.len() {
        starts[k] += starts[k - 1];
    }
    let mut out = vec![0u32; events.len()];
    for (k, &s) in scores.iter().enumerate() {
        let slot = &mut starts[RANGE - 1 - s as usize];
        out[*slot] = events[k];
        *slot += 1;
    }
    out
}

/// Counts of `events` over the loaded time range, in `width` buckets.
pub fn histogram(index: &Index, events: &[u32], width: usize) -> Vec<u64> {
    let mut buckets = vec![0u64; width.max(1)];
    let times = &index.cols.time;
    let newest = times.iter().rev().find(|&&t| t != crate::model::NO_TIME);
    if let (Some(&lo), Some(&hi)) = (times.first(), newest) {
        let span = (hi - lo).max(1) as i128;
        let last = buckets.len() - 1;
        for &i in events {
            let t = times[i as usize];
            if t == crate::model::NO_TIME {
                continue;
            }
            let b = ((t - lo) as i128 * last as i128 / span) as usize;
            buckets[b.min(last)] += 1;
        }
    }
    buckets
}

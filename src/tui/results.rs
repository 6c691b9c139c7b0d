//! Turning the filter into what the screen shows: the matching events in display
//! order, the facet counts, and the timeline histogram.

use super::ctx::Results;
use crate::index::{Index, StrId};
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
    candidates: &[StrId],
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
    pub candidates: &'a [StrId],
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
    let mut shown = selection.events.clone();
    if newest_first {
        crate::index::newest_first(index, &mut shown);
    }
    let timeline = histogram(index, &selection.events, timeline_width);
    Some(Results {
        selection,
        shown,
        newest_first,
        timeline,
        unmatched: compiled.unmatched_words().to_vec(),
    })
}

/// Counts of `events` over the loaded time range, in `width` buckets.
pub fn histogram(index: &Index, events: &[u32], width: usize) -> Vec<u64> {
    let mut buckets = vec![0u64; width.max(1)];
    let times = &index.cols.time;
    let newest = times.iter().rev().find(|&&t| t != crate::model::NO_TIME);
    if let (Some(&lo), Some(&hi)) = (times.first(), newest) {
        let span = (hi - lo).max(1) as u128;
        let last = buckets.len() - 1;
        // u64 arithmetic (fast) while offset × buckets fits, as it does for any
        // real trail (centuries of milliseconds × thousands of buckets); u128 beyond.
        let fits = (span as u64).checked_mul(last as u64 + 1).is_some();
        for &i in events {
            let t = times[i as usize];
            if t == crate::model::NO_TIME {
                continue;
            }
            let offset = (t - lo) as u64;
            let b = if fits {
                (offset * last as u64 / span as u64) as usize
            } else {
                (offset as u128 * last as u128 / span) as usize
            };
            buckets[b.min(last)] += 1;
        }
    }
    buckets
}

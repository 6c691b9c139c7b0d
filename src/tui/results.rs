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
    let timeline = super::timeline::Timeline::of(index, &selection.events, timed, timeline_width);
    let unmatched = compiled.unmatched_words().to_vec();
    let widest = widest_values(index, &selection.facets, filter);
    let emptied_by = (selection.events.is_empty() && !index.is_empty() && unmatched.is_empty())
        .then(|| emptying_term(index, request, cancel))
        .flatten();
    Some(Results {
        filter: filter.to_text(),
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
/// shows it (sources without `.amazonaws.com`). A facet's counts leave out its
/// own terms (so other values can be picked): when the filter selects values
/// of the facet, only those can be in the list, and only they are measured
/// (`event:GitPush` does not make the Event column as wide as the longest
/// event name, and leaves room for `repo ← refs/heads/main`).
fn widest_values(
    index: &Index,
    facets: &[Vec<(crate::index::StrId, u32)>],
    filter: &Filter,
) -> Vec<usize> {
    use unicode_width::UnicodeWidthStr;
    facets
        .iter()
        .zip(crate::query::Facet::ALL)
        .map(|(values, facet)| {
            let picks = filter
                .terms
                .iter()
                .any(|t| !t.negated && crate::query::Facet::of(&t.cond) == Some(facet));
            let selected: Vec<(crate::index::StrId, u32)> = if picks {
                values
                    .iter()
                    .filter(|(id, _)| {
                        filter.facet_state(facet, index.strings.get(*id)) == Some(true)
                    })
                    .copied()
                    .collect()
            } else {
                Vec::new()
            };
            let values = if selected.is_empty() {
                values
            } else {
                &selected
            };
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

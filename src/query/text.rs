//! `text:` terms: a case-insensitive search of events' raw JSON, re-read from
//! their files. One implementation serves the CLI (over the events its other
//! terms selected) and the browser (over every event, on a background job), with
//! progress counted in files and cancellation checked between files.

use crate::index::Index;
use crate::load::fetch::file_events;
use crate::query::Filter;
use crate::query::parse::contains_ci;
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// How far a search has got, in files; shared with whoever shows it.
#[derive(Debug, Default)]
pub struct TextProgress {
    pub files_done: AtomicUsize,
    pub files_total: AtomicUsize,
}

impl TextProgress {
    /// Done as a whole percentage (0 when nothing is known yet).
    pub fn percent(&self) -> usize {
        let total = self.files_total.load(Ordering::Relaxed).max(1);
        self.files_done.load(Ordering::Relaxed) * 100 / total
    }
}

/// What a search found, one flag per event of the index.
#[derive(Debug, Default)]
pub struct TextFound {
    /// For each needle, whether the event's raw JSON contains it.
    pub hits: Vec<Vec<bool>>,
    /// Whether the event's raw JSON could be read at all (its file unchanged).
    pub read: Vec<bool>,
}

/// One file's answer: (event, needle) pairs found, and the events read.
type FileFound = (Vec<(u32, usize)>, Vec<u32>);

/// Searches the raw JSON of `events` (all events when `None`) for each needle;
/// events not searched stay false. `None` when `cancel` was set before the
/// search finished.
pub fn search(
    index: &Index,
    events: Option<&[u32]>,
    needles: &[String],
    progress: &TextProgress,
    cancel: &AtomicBool,
) -> Option<TextFound> {
    let n = index.len();
    let mut by_file: Vec<Vec<(u32, u32)>> = vec![Vec::new(); index.files.len()];
    let mut add = |i: u32| {
        let file = index.cols.file[i as usize] as usize;
        by_file[file].push((index.cols.ordinal[i as usize], i));
    };
    match events {
        Some(events) => events.iter().copied().for_each(&mut add),
        None => (0..n as u32).for_each(&mut add),
    }
    progress.files_done.store(0, Ordering::Relaxed);
    progress.files_total.store(
        by_file.iter().filter(|e| !e.is_empty()).count(),
        Ordering::Relaxed,
    );
    // Per file: (event, needle found) pairs, and the events that could be read.
    let found: Vec<FileFound> = by_file
        .par_iter()
        .enumerate()
        .filter(|(_, events)| !events.is_empty())
        .map(|(file, events)| {
            if cancel.load(Ordering::Relaxed) {
                return Default::default();
            }
            let raws = file_events(&index.files[file], u64::MAX).unwrap_or_default();
            progress.files_done.fetch_add(1, Ordering::Relaxed);
            let mut out = Vec::new();
            let mut read = Vec::with_capacity(events.len());
            for &(ordinal, event) in events {
                if let Some(raw) = raws.get(ordinal as usize) {
                    read.push(event);
                    for (k, needle) in needles.iter().enumerate() {
                        if contains_ci(raw, needle) {
                            out.push((event, k));
                        }
                    }
                }
            }
            (out, read)
        })
        .collect();
    if cancel.load(Ordering::Relaxed) {
        return None;
    }
    let mut result = TextFound {
        hits: vec![vec![false; n]; needles.len()],
        read: vec![false; n],
    };
    for (found, read) in found {
        for (event, k) in found {
            result.hits[k][event as usize] = true;
        }
        for event in read {
            result.read[event as usize] = true;
        }
    }
    Some(result)
}

/// `candidates` (the events the other terms selected) kept where every `text:`
/// term of `filter` holds; an event whose file cannot be re-read fails them.
pub fn keep_matching(index: &Index, filter: &Filter, candidates: Vec<u32>) -> Vec<u32> {
    let terms = filter.text_terms();
    if terms.is_empty() {
        return candidates;
    }
    let needles: Vec<String> = terms.iter().map(|(t, _)| t.to_string()).collect();
    let Some(found) = search(
        index,
        Some(&candidates),
        &needles,
        &TextProgress::default(),
        &AtomicBool::new(false),
    ) else {
        return Vec::new();
    };
    // An event that cannot be re-read fails every term, negated ones too.
    candidates
        .into_iter()
        .filter(|&i| {
            found.read[i as usize]
                && terms
                    .iter()
                    .zip(&found.hits)
                    .all(|((_, negated), hit)| hit[i as usize] != *negated)
        })
        .collect()
}

//! One pass over the files without building an index: each event is decoded,
//! offered to a `keep` function on a worker thread, and only what it keeps is
//! collected. `trailscope query` uses this so a filter costs one read of the data.

use super::{LoadOptions, LoadReport, Progress, process_file, resolve};
use crate::index::FileEntry;
use crate::index::builder::dedup_key;
use crate::model::EventFields;
use rayon::prelude::*;
use rustc_hash::FxHashSet;
use std::path::PathBuf;

/// A kept event, with what orders and de-duplicates it.
pub struct Hit<T> {
    pub time: i64,
    pub file: u32,
    pub ordinal: u32,
    dedup: u64,
    pub value: T,
}

pub struct ScanResult<T> {
    /// Kept events, oldest first, each delivery once.
    pub hits: Vec<Hit<T>>,
    pub files: Vec<FileEntry>,
    pub report: LoadReport,
    /// Kept events that were second deliveries of another kept event.
    pub duplicates: usize,
    /// Every event seen, kept or not.
    pub events_seen: usize,
    _spool: Vec<tempfile::TempPath>,
}

/// Scans `inputs`, keeping `keep(raw, fields)` results.
pub fn scan<T: Send>(
    inputs: &[PathBuf],
    opts: &LoadOptions,
    progress: &Progress,
    keep: impl Fn(&str, &EventFields<'_>) -> Option<T> + Sync,
) -> ScanResult<T> {
    let resolved = resolve(inputs, opts, progress);
    let per_file: Vec<(Vec<Hit<T>>, super::FileOutcome)> = resolved
        .files
        .par_iter()
        .enumerate()
        .map(|(file, entry)| {
            let mut hits = Vec::new();
            let mut ordinal = 0u32;
            let outcome = process_file(&entry.path, opts, &mut |raw, fields| {
                if let Some(value) = keep(raw, &fields) {
                    hits.push(Hit {
                        time: fields.time,
                        file: file as u32,
                        ordinal,
                        dedup: dedup_key(&fields),
                        value,
                    });
                }
                ordinal += 1;
            });
            progress.record(&outcome);
            (hits, outcome)
        })
        .collect();
    let mut report = resolved.report;
    let mut files = resolved.files;
    let mut hits = Vec::new();
    let mut events_seen = 0;
    for (i, (file_hits, outcome)) in per_file.into_iter().enumerate() {
        events_seen += outcome.events;
        files[i].events = outcome.events as u32;
        report.add(files[i].display.clone(), outcome);
        hits.extend(file_hits);
    }
    // First delivery in file order wins, as in the index.
    let mut seen = FxHashSet::default();
    let before = hits.len();
    hits.retain(|h| h.dedup == 0 || seen.insert(h.dedup));
    let duplicates = before - hits.len();
    hits.sort_by_key(|h| (h.time, h.file, h.ordinal));
    ScanResult {
        hits,
        files,
        report,
        duplicates,
        events_seen,
        _spool: resolved.spool,
    }
}

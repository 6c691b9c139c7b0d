//! One pass over the files without building an index: each event is decoded,
//! offered to a `keep` function on a worker thread, and only what it keeps is
//! collected. `trailscope query` uses this so a filter costs one read of the data.

use super::{LoadOptions, LoadReport, Progress, process_file, process_source, resolve};
use crate::index::FileEntry;
use crate::model::EventFields;
use crate::model::content;
use rayon::prelude::*;
use std::path::PathBuf;

/// A kept event, with what orders it.
pub struct Hit<T> {
    pub time: i64,
    pub file: u32,
    pub ordinal: u32,
    /// Another record has this event's `eventID` and different content.
    pub conflict: bool,
    pub value: T,
}

/// What identifies one decoded event for de-duplication (same rule as the index:
/// same `eventID` and same content as JSON values).
struct Key {
    id: u64,
    /// Hash of the raw bytes; content is compared as JSON values only when
    /// copies differ in bytes (they are then re-read).
    raw: u64,
    time: i64,
    file: u32,
    ordinal: u32,
}

pub struct ScanResult<T> {
    /// Kept events, oldest first, each delivery once.
    pub hits: Vec<Hit<T>>,
    pub files: Vec<FileEntry>,
    pub report: LoadReport,
    /// Second deliveries among all events read (kept by `keep` or not).
    pub duplicates: usize,
    /// Events (after dropping second deliveries) whose `eventID` is shared by a
    /// record with different content.
    pub conflicts: usize,
    /// Every event read, duplicates included.
    pub events_seen: usize,
    /// The S3 session and the prefixes it watches, for `query --follow`.
    pub session: Option<(crate::s3::Session, Vec<crate::s3::Watch>)>,
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
    type PerFile<T> = (Vec<Hit<T>>, Vec<Key>, super::FileOutcome);
    let per_file: Vec<PerFile<T>> = resolved
        .files
        .par_iter()
        .enumerate()
        .map(|(file, entry)| {
            let mut hits = Vec::new();
            let mut keys = Vec::new();
            let mut ordinal = 0u32;
            let source = resolved.sources.get(file).and_then(|s| s.as_deref());
            let outcome = process_source(&entry.path, source, opts, &mut |raw, fields| {
                let id = content::id_hash(&fields.event_id);
                if id != 0 {
                    keys.push(Key {
                        id,
                        raw: content::raw_hash(raw),
                        time: fields.time,
                        file: file as u32,
                        ordinal,
                    });
                }
                if let Some(value) = keep(raw, &fields) {
                    hits.push(Hit {
                        time: fields.time,
                        file: file as u32,
                        ordinal,
                        conflict: false,
                        value,
                    });
                }
                ordinal += 1;
            });
            progress.record(&outcome);
            (hits, keys, outcome)
        })
        .collect();
    let mut report = resolved.report;
    let mut files = resolved.files;
    let mut hits = Vec::new();
    let mut keys = Vec::new();
    let mut events_seen = 0;
    for (i, (file_hits, file_keys, outcome)) in per_file.into_iter().enumerate() {
        events_seen += outcome.events;
        files[i].events = outcome.events as u32;
        report.add(files[i].display.clone(), outcome);
        hits.extend(file_hits);
        keys.extend(file_keys);
    }
    // Group by eventID, in time then file order: a second record with the same
    // content is a duplicate delivery; different content is a conflict.
    keys.sort_unstable_by_key(|k| (k.id, k.time, k.file, k.ordinal));
    let runs: Vec<&[Key]> = keys
        .chunk_by(|a, b| a.id == b.id)
        .filter(|r| r.len() > 1)
        .collect();
    // Copies that differ in bytes: re-read them (each file once) and hash their
    // content as JSON values.
    let mut wanted: rustc_hash::FxHashMap<u32, Vec<u32>> = Default::default();
    for run in &runs {
        if run.iter().any(|k| k.raw != run[0].raw) {
            for k in run.iter() {
                wanted.entry(k.file).or_default().push(k.ordinal);
            }
        }
    }
    let wanted: Vec<(u32, Vec<u32>)> = wanted.into_iter().collect();
    let contents: rustc_hash::FxHashMap<(u32, u32), u64> = wanted
        .par_iter()
        .flat_map_iter(|(file, ordinals)| {
            let mut found = Vec::new();
            let mut ordinal = 0u32;
            process_file(&files[*file as usize].path, opts, &mut |raw, _| {
                if ordinals.contains(&ordinal) {
                    found.push(((*file, ordinal), content::content_hash(raw)));
                }
                ordinal += 1;
            });
            found
        })
        .collect();
    let content_of = |k: &Key| contents.get(&(k.file, k.ordinal)).copied().unwrap_or(k.raw);
    let mut dropped: rustc_hash::FxHashSet<(u32, u32)> = Default::default();
    let mut conflicting: rustc_hash::FxHashSet<(u32, u32)> = Default::default();
    for run in runs {
        let differ = run.iter().any(|k| k.raw != run[0].raw);
        let mut seen: Vec<u64> = Vec::new();
        let mut kept = Vec::new();
        for k in run {
            let key = if differ { content_of(k) } else { k.raw };
            if seen.contains(&key) {
                dropped.insert((k.file, k.ordinal));
            } else {
                seen.push(key);
                kept.push((k.file, k.ordinal));
            }
        }
        if seen.len() > 1 {
            conflicting.extend(kept);
        }
    }
    let duplicates = dropped.len();
    let conflicts = conflicting.len();
    hits.retain(|h| !dropped.contains(&(h.file, h.ordinal)));
    for h in &mut hits {
        h.conflict = conflicting.contains(&(h.file, h.ordinal));
    }
    hits.sort_by_key(|h| (h.time, h.file, h.ordinal));
    let mut spool = resolved.spool;
    let session = resolved.session.map(|s| {
        spool.extend(s.settle());
        (s, resolved.watch)
    });
    ScanResult {
        hits,
        files,
        report,
        duplicates,
        conflicts,
        events_seen,
        session,
        _spool: spool,
    }
}

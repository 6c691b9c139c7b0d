//! Work off the UI thread: loading (with snapshots so the list fills in while
//! files are read), raw-text search, and writing events to a file. Each job
//! reports through one channel; text-search results carry the generation of the
//! request so a stale answer is dropped.

use crate::index::Index;
use crate::load::fetch::{compact, file_events, raw_events};
use crate::load::{LoadOptions, LoadReport, Loader, Progress};
use crate::query::parse::contains_ci;
use rayon::prelude::*;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

pub enum Msg {
    /// Part of the archive, sorted, while loading goes on.
    Snapshot(Arc<Index>, LoadReport),
    /// Everything is loaded.
    Loaded(Arc<Index>, LoadReport, Duration),
    TextSearch {
        generation: u64,
        hits: Vec<(String, Vec<bool>)>,
    },
    Wrote(Result<String, String>),
}

/// Loads `paths` on a thread. Snapshots are sent when the event count has doubled
/// since the last one (and at least every so often), so copying them costs at
/// most about as much as the final index.
pub fn spawn_loader(
    paths: Vec<PathBuf>,
    opts: LoadOptions,
    progress: Arc<Progress>,
    tx: Sender<Msg>,
) {
    std::thread::spawn(move || {
        let started = Instant::now();
        let mut loader = Loader::start(&paths, &opts, &progress);
        let mut last_events = 0usize;
        let mut last_sent = Instant::now();
        while loader.step(&opts, &progress) {
            let events = progress.events.load(std::sync::atomic::Ordering::Relaxed);
            if events >= (last_events * 2).max(1000)
                && last_sent.elapsed() >= Duration::from_millis(150)
            {
                let snapshot = Arc::new(loader.snapshot().clone());
                let report = loader.report().clone();
                if tx.send(Msg::Snapshot(snapshot, report)).is_err() {
                    return;
                }
                last_events = events;
                last_sent = Instant::now();
            }
        }
        let (index, report) = loader.finish();
        let _ = tx.send(Msg::Loaded(Arc::new(index), report, started.elapsed()));
    });
}

/// Searches every event's raw JSON for each needle (case-insensitive).
pub fn spawn_text_search(
    index: Arc<Index>,
    generation: u64,
    needles: Vec<String>,
    progress: Arc<(
        std::sync::atomic::AtomicUsize,
        std::sync::atomic::AtomicUsize,
    )>,
    tx: Sender<Msg>,
) {
    use std::sync::atomic::Ordering;
    progress.0.store(0, Ordering::Relaxed);
    progress.1.store(index.files.len(), Ordering::Relaxed);
    std::thread::spawn(move || {
        let n = index.len();
        let mut by_file: Vec<Vec<(u32, u32)>> = vec![Vec::new(); index.files.len()];
        for i in 0..n {
            by_file[index.cols.file[i] as usize].push((index.cols.ordinal[i], i as u32));
        }
        let found: Vec<Vec<(u32, usize)>> = by_file
            .par_iter()
            .enumerate()
            .map(|(file, events)| {
                progress.0.fetch_add(1, Ordering::Relaxed);
                if events.is_empty() {
                    return Vec::new();
                }
                let Ok(raws) = file_events(&index.files[file], u64::MAX) else {
                    return Vec::new();
                };
                let mut out = Vec::new();
                for &(ordinal, event) in events {
                    if let Some(raw) = raws.get(ordinal as usize) {
                        for (k, needle) in needles.iter().enumerate() {
                            if contains_ci(raw, needle) {
                                out.push((event, k));
                            }
                        }
                    }
                }
                out
            })
            .collect();
        let mut hits: Vec<(String, Vec<bool>)> = needles
            .iter()
            .map(|s| (s.clone(), vec![false; n]))
            .collect();
        for (event, k) in found.into_iter().flatten() {
            hits[k].1[event as usize] = true;
        }
        let _ = tx.send(Msg::TextSearch { generation, hits });
    });
}

/// Writes events' JSON, one per line, to `path`.
pub fn spawn_write(index: Arc<Index>, path: String, events: Vec<u32>, tx: Sender<Msg>) {
    std::thread::spawn(move || {
        let result = (|| -> Result<String, String> {
            let positions: Vec<usize> = events.iter().map(|&i| i as usize).collect();
            let raws = raw_events(&index, &positions);
            let file =
                std::fs::File::create(&path).map_err(|e| format!("cannot write {path}: {e}"))?;
            let mut out = std::io::BufWriter::new(file);
            let mut written = 0usize;
            let mut failed = 0usize;
            for raw in raws {
                match raw {
                    Ok(raw) => {
                        writeln!(out, "{}", compact(&raw))
                            .map_err(|e| format!("cannot write {path}: {e}"))?;
                        written += 1;
                    }
                    Err(_) => failed += 1,
                }
            }
            out.flush()
                .map_err(|e| format!("cannot write {path}: {e}"))?;
            Ok(if failed == 0 {
                format!("wrote {written} events to {path}")
            } else {
                format!(
                    "wrote {written} events to {path}; {failed} could not be re-read (files changed)"
                )
            })
        })();
        let _ = tx.send(Msg::Wrote(result));
    });
}

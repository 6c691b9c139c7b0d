//! Work off the UI thread: loading (with snapshots so the list fills in while
//! files are read), applying a filter (the newest cancels the older), raw-text search, re-reading an event for the detail view,
//! and writing events to a file. Each job
//! reports through one channel; text-search results carry the generation of the
//! request so a stale answer is dropped.

use super::views::detail::EventDoc;
use crate::index::Index;
use crate::load::fetch::{compact, raw_events};
use crate::load::{LoadOptions, LoadReport, Loader, Progress};
use crate::query::text::{TextProgress, search};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

/// Work the run loop does on the app's behalf.
#[derive(Debug, Clone)]
pub enum Effect {
    /// Put text on the clipboard (OSC 52).
    Copy(String),
    /// Scan raw events for these `text:` needles; stop when `cancel` is set.
    TextSearch {
        generation: u64,
        needles: Vec<String>,
        cancel: Arc<AtomicBool>,
    },
    /// Write these events' JSON lines to a file.
    Write { path: String, events: Vec<u32> },
    /// Re-read an event's JSON for the detail view.
    ReadEvent { request: u64, event: u32 },
    /// Add a kept filter to the history file.
    SaveHistory(String),
    /// Apply a filter off the UI thread.
    Evaluate(Box<Evaluation>),
    /// Build the summaries a view needs (`have`: what is built already).
    BuildSummaries {
        generation: u64,
        need: super::ctx::Summaries,
        have: super::ctx::Caches,
    },
    /// Build a diff view (pretty-printing and line-diffing two versions of a
    /// large pipeline takes a while); `request` tells the answer apart.
    BuildDiff {
        request: u64,
        pipelines: Arc<Vec<crate::pipeline::history::Lifetime>>,
        lifetime: usize,
        from: Option<u64>,
        to: u64,
    },
}

/// A filter to apply in the background; a newer one sets `cancel`.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub generation: u64,
    pub filter: crate::query::Filter,
    pub text_hits: crate::query::eval::TextHits,
    pub candidates: Arc<crate::query::fuzzy::Haystack>,
    pub newest_first: bool,
    pub timeline_width: usize,
    pub cancel: Arc<AtomicBool>,
}

/// An index and the values bare words are matched against, built by the
/// thread that made the index: building them (≈50 ms for a million events,
/// with the distinct values and event shapes) on the UI thread held every key
/// that long at each loading snapshot.
pub struct Prepared {
    pub index: Arc<Index>,
    pub candidates: Arc<crate::query::fuzzy::Haystack>,
}

impl From<Arc<Index>> for Prepared {
    fn from(index: Arc<Index>) -> Prepared {
        let candidates = Arc::new(index.fuzzy_haystack());
        Prepared { index, candidates }
    }
}

/// What a job reports back to the app.
pub enum Msg {
    /// Part of the archive, sorted, while loading goes on.
    Snapshot(Prepared, LoadReport),
    /// Everything is loaded.
    Loaded(Prepared, LoadReport, Duration),
    /// `--follow`: new deliveries were read (the whole index again, sorted).
    Delivered(Prepared, LoadReport),
    /// The loader asks a yes/no question (an S3 trail of several years with no
    /// time bound) and waits for the answer.
    /// A yes/no question; `choices` says what `y` and `n` do.
    Confirm {
        question: String,
        choices: &'static str,
        answer: Sender<bool>,
    },
    TextSearch {
        generation: u64,
        hits: Vec<(String, Vec<bool>)>,
    },
    Wrote(Result<String, String>),
    /// Summaries built from the index of `generation`.
    Built {
        generation: u64,
        caches: Box<super::ctx::Caches>,
    },
    /// The results of [`Evaluation`] `generation`.
    Evaluated {
        generation: u64,
        results: Box<super::ctx::Results>,
    },
    /// The diff view of [`Effect::BuildDiff`] `request`.
    DiffBuilt {
        request: u64,
        view: Box<super::views::diff::DiffView>,
    },
    /// An event's JSON for the detail view, answering read request `request`.
    EventRead {
        request: u64,
        doc: Box<EventDoc>,
    },
}

/// When the loader sends the list a snapshot: the first as soon as there is
/// something to show, then each time the event count has doubled (and at least
/// 150 ms apart), and none once a quarter of the files are read. A snapshot is a
/// copy of the index and the app derives its results, facets and timeline from
/// it, and the last one is held until the final index replaces it: stopping at a
/// quarter of the files keeps that copy at about a quarter of the archive (the
/// browser's peak while loading is the final index plus it), while the list still
/// fills in from the first second.
pub fn wants_snapshot(
    events: usize,
    last_events: usize,
    files_done: usize,
    files_total: usize,
    since_last: Duration,
) -> bool {
    events >= (last_events * 2).max(1000)
        && since_last >= Duration::from_millis(150)
        && files_done.saturating_mul(4) < files_total
}

/// Loads `paths` on a thread, sending snapshots as [`wants_snapshot`] says; with
/// `follow` (the poll interval), then watches the inputs and sends each new
/// delivery.
pub fn spawn_loader(
    paths: Vec<PathBuf>,
    mut opts: LoadOptions,
    progress: Arc<Progress>,
    tx: Sender<Msg>,
    follow: Option<Duration>,
) {
    if !opts.s3.all {
        let ask = tx.clone();
        opts.s3.confirm = Some(crate::s3::Confirm(Arc::new(move |question: &str| {
            let (answer, reply) = std::sync::mpsc::channel();
            let sent = ask.send(Msg::Confirm {
                question: question.to_string(),
                choices: "y load all · n skip it",
                answer,
            });
            sent.is_ok() && reply.recv().unwrap_or(false)
        })));
    }
    std::thread::spawn(move || {
        use std::sync::atomic::Ordering::Relaxed;
        let started = Instant::now();
        let mut loader = Loader::start(&paths, &opts, &progress);
        let mut last_events = 0usize;
        let mut last_sent = Instant::now();
        while loader.step(&opts, &progress) {
            let events = progress.events.load(Relaxed);
            if wants_snapshot(
                events,
                last_events,
                progress.files_done.load(Relaxed),
                progress.files_total.load(Relaxed),
                last_sent.elapsed(),
            ) {
                let snapshot = Arc::new(loader.snapshot().clone());
                let report = loader.report().clone();
                if tx.send(Msg::Snapshot(snapshot.into(), report)).is_err() {
                    return;
                }
                last_events = events;
                last_sent = Instant::now();
            }
        }
        let Some(poll) = follow else {
            let (index, report) = loader.finish();
            let _ = tx.send(Msg::Loaded(
                Arc::new(index).into(),
                report,
                started.elapsed(),
            ));
            return;
        };
        let s3 = loader.take_follow();
        let index = Arc::new(loader.snapshot().clone());
        let report = loader.report().clone();
        if tx
            .send(Msg::Loaded(index.into(), report, started.elapsed()))
            .is_err()
        {
            return;
        }
        let known = loader.paths().to_vec();
        let mut follower = crate::load::follow::Follower::new(&paths, known, s3, poll);
        loop {
            let (files, failures) = follower.next(Duration::from_millis(500));
            loader.keep_spool(std::mem::take(&mut follower.spool));
            if files.is_empty() && failures.is_empty() {
                continue;
            }
            loader.add_failures(failures);
            loader.add_files(files, &progress);
            while loader.step(&opts, &progress) {}
            let index = Arc::new(loader.snapshot().clone());
            let report = loader.report().clone();
            if tx.send(Msg::Delivered(index.into(), report)).is_err() {
                return;
            }
        }
    });
}

/// Searches every event's raw JSON for each needle (case-insensitive); a
/// cancelled search sends nothing.
pub fn spawn_text_search(
    index: Arc<Index>,
    generation: u64,
    needles: Vec<String>,
    progress: Arc<TextProgress>,
    cancel: Arc<AtomicBool>,
    tx: Sender<Msg>,
) {
    std::thread::spawn(move || {
        if let Some(found) = search(&index, None, &needles, &progress, &cancel) {
            let hits = needles.into_iter().zip(found.hits).collect();
            let _ = tx.send(Msg::TextSearch { generation, hits });
        }
    });
}

/// The one thread that applies filters. It runs only the newest request: a
/// request that arrives while it works replaces any other waiting one (which
/// never starts), and the running one is cancelled by its flag, so nothing queues
/// however fast keys come.
pub struct Evaluator {
    slot: Arc<Slot>,
}

/// A filter to apply and the index to apply it to.
type Request = (Arc<Index>, Box<Evaluation>);

/// The waiting request (at most one) and whether the browser is closing.
#[derive(Default)]
struct Slot {
    next: std::sync::Mutex<(Option<Request>, bool)>,
    ready: std::sync::Condvar,
}

impl Evaluator {
    pub fn start(tx: Sender<Msg>) -> Evaluator {
        let slot = Arc::new(Slot::default());
        let worker = slot.clone();
        std::thread::spawn(move || {
            loop {
                let (index, job) = {
                    let mut next = worker.next.lock().unwrap_or_else(|e| e.into_inner());
                    loop {
                        if next.1 {
                            return; // the browser is closing
                        }
                        if let Some(request) = next.0.take() {
                            break request;
                        }
                        next = worker.ready.wait(next).unwrap_or_else(|e| e.into_inner());
                    }
                };
                if job.cancel.load(std::sync::atomic::Ordering::Relaxed) {
                    continue;
                }
                let request = super::results::Request {
                    filter: &job.filter,
                    text_hits: &job.text_hits,
                    candidates: &job.candidates,
                    newest_first: job.newest_first,
                    timeline_width: job.timeline_width,
                };
                if let Some(results) =
                    super::results::evaluate_unless(&index, &request, &job.cancel)
                {
                    let sent = tx.send(Msg::Evaluated {
                        generation: job.generation,
                        results: Box::new(results),
                    });
                    if sent.is_err() {
                        return;
                    }
                }
            }
        });
        Evaluator { slot }
    }

    /// Applies `job` to `index` next, replacing a request still waiting.
    pub fn submit(&self, index: Arc<Index>, job: Box<Evaluation>) {
        let mut next = self.slot.next.lock().unwrap_or_else(|e| e.into_inner());
        next.0 = Some((index, job));
        self.slot.ready.notify_one();
    }
}

impl Drop for Evaluator {
    fn drop(&mut self) {
        let mut next = self.slot.next.lock().unwrap_or_else(|e| e.into_inner());
        next.1 = true;
        self.slot.ready.notify_one();
    }
}

/// Builds summaries for a view.
pub fn spawn_build(
    index: Arc<Index>,
    generation: u64,
    need: super::ctx::Summaries,
    have: super::ctx::Caches,
    tx: Sender<Msg>,
) {
    std::thread::spawn(move || {
        let caches = Box::new(have.built(need, &index));
        let _ = tx.send(Msg::Built { generation, caches });
    });
}

/// Builds a diff view off the UI thread.
pub fn spawn_diff(
    request: u64,
    pipelines: Arc<Vec<crate::pipeline::history::Lifetime>>,
    lifetime: usize,
    (from, to): (Option<u64>, u64),
    tx: Sender<Msg>,
) {
    std::thread::spawn(move || {
        if let Some(l) = pipelines.get(lifetime) {
            let view = Box::new(super::views::diff::DiffView::new(l, lifetime, from, to));
            let _ = tx.send(Msg::DiffBuilt { request, view });
        }
    });
}

/// Re-reads one event's JSON for the detail view.
pub fn spawn_read_event(index: Arc<Index>, request: u64, event: u32, tx: Sender<Msg>) {
    std::thread::spawn(move || {
        let doc = Box::new(EventDoc::read(&index, event));
        let _ = tx.send(Msg::EventRead { request, doc });
    });
}

/// Opens `path` for writing, asking first (through the status bar) when a
/// file is there already; `Ok(None)`: the answer was to keep it.
fn create_asking(path: &str, tx: &Sender<Msg>) -> Result<Option<std::fs::File>, String> {
    let cannot = |e: std::io::Error| format!("cannot write {path}: {e}");
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(file) => Ok(Some(file)),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let (answer, reply) = std::sync::mpsc::channel();
            let asked = tx.send(Msg::Confirm {
                question: format!("{path} exists: overwrite it?"),
                choices: "y overwrite · n keep it",
                answer,
            });
            if asked.is_err() || !reply.recv().unwrap_or(false) {
                return Ok(None);
            }
            std::fs::File::create(path).map(Some).map_err(cannot)
        }
        Err(e) => Err(cannot(e)),
    }
}

/// Writes the events to `path`: their JSON one per line, or, for a name
/// ending in `.csv`, the event list's columns as CSV (cells neutralised for
/// spreadsheets). An existing file is overwritten only if the user says so.
pub fn spawn_write(index: Arc<Index>, path: String, events: Vec<u32>, tx: Sender<Msg>) {
    std::thread::spawn(move || {
        let result = (|| -> Result<String, String> {
            let Some(file) = create_asking(&path, &tx)? else {
                return Ok(format!("kept {path}: nothing written"));
            };
            let mut out = std::io::BufWriter::new(file);
            let cannot = |e: std::io::Error| format!("cannot write {path}: {e}");
            if path.to_ascii_lowercase().ends_with(".csv") {
                writeln!(out, "{}", crate::output::csv_header()).map_err(cannot)?;
                for &i in &events {
                    let cells = crate::output::index_event_cells(&index, i as usize);
                    writeln!(out, "{}", crate::output::csv_row(&cells)).map_err(cannot)?;
                }
                out.flush().map_err(cannot)?;
                return Ok(format!(
                    "wrote {} events to {path} (CSV)",
                    crate::format::thousands(events.len())
                ));
            }
            let positions: Vec<usize> = events.iter().map(|&i| i as usize).collect();
            let raws = raw_events(&index, &positions);
            let mut written = 0usize;
            let mut failed = 0usize;
            for raw in raws {
                match raw {
                    Ok(raw) => {
                        writeln!(out, "{}", compact(&raw)).map_err(cannot)?;
                        written += 1;
                    }
                    Err(_) => failed += 1,
                }
            }
            out.flush()
                .map_err(|e| format!("cannot write {path}: {e}"))?;
            Ok(if failed == 0 {
                format!(
                    "wrote {} events to {path}",
                    crate::format::thousands(written)
                )
            } else {
                format!(
                    "wrote {written} events to {path}; {failed} could not be re-read (files changed)"
                )
            })
        })();
        let _ = tx.send(Msg::Wrote(result));
    });
}

#[cfg(test)]
mod tests {
    use super::wants_snapshot;
    use std::time::Duration;

    #[test]
    fn snapshots_double_and_stop_at_a_quarter_of_the_files() {
        let later = Duration::from_millis(200);
        // The first as soon as there is something to show.
        assert!(wants_snapshot(1_000, 0, 5, 10_000, later));
        assert!(!wants_snapshot(999, 0, 5, 10_000, later));
        // Then only when the count has doubled, and not too often.
        assert!(!wants_snapshot(1_999, 1_000, 50, 10_000, later));
        assert!(wants_snapshot(2_000, 1_000, 50, 10_000, later));
        assert!(!wants_snapshot(
            2_000,
            1_000,
            50,
            10_000,
            Duration::from_millis(10)
        ));
        // None once a quarter of the files are read: the final index comes next.
        assert!(wants_snapshot(400_000, 200_000, 2_499, 10_000, later));
        assert!(!wants_snapshot(400_000, 200_000, 2_500, 10_000, later));
        // The sum of all snapshots stays under half the final size: each is at most
        // twice the previous, and the last is taken before a quarter of the files.
        let mut last = 0;
        let mut copied = 0;
        for files_done in 0..10_000 {
            let events = files_done * 100;
            if wants_snapshot(events, last, files_done, 10_000, later) {
                copied += events;
                last = events;
            }
        }
        assert!(copied <= 500_000, "{copied}");
    }
}

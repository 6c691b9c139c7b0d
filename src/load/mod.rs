//! The loader: files → decoded events → [`Index`], in parallel, surviving every
//! bad file. Each file is read and decoded once, on a worker thread, into a
//! [`Batch`]; batches are merged in file order so results are deterministic.

pub mod discover;
pub mod follow;
pub mod gzip;
pub mod read;
pub mod repair;
pub mod shapes;

use crate::index::builder::BatchWriter;
use crate::index::{Batch, FileEntry, Index, IndexBuilder};
use crate::model::EventFields;
use discover::{SkipReason, discover, display_path};
use rayon::prelude::*;
use shapes::{Shape, decode_events};
use std::borrow::Cow;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// The default cap on one file's decompressed size.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 4 << 30;

#[derive(Debug, Clone)]
pub struct LoadOptions {
    pub max_file_bytes: u64,
    /// How `s3://` inputs are listed, fetched and cached.
    pub s3: crate::s3::S3Options,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            s3: crate::s3::S3Options::default(),
        }
    }
}

/// Live counters for a progress display; updated by worker threads.
#[derive(Debug, Default)]
pub struct Progress {
    pub files_total: AtomicUsize,
    pub files_done: AtomicUsize,
    pub events: AtomicUsize,
    pub bytes: AtomicU64,
    pub errors: AtomicUsize,
    /// Listing and download counters of `s3://` inputs.
    pub s3: std::sync::Arc<crate::s3::S3Progress>,
}

/// A file-level problem, with the path as shown to people.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Problem {
    pub path: String,
    #[serde(rename = "error")]
    pub message: String,
}

/// What loading did, file by file, besides the events.
#[derive(Debug, Default, Clone)]
pub struct LoadReport {
    pub files_read: usize,
    pub files_skipped: usize,
    pub files_failed: usize,
    pub failures: Vec<Problem>,
    pub warnings: Vec<Problem>,
    /// Decoded bytes.
    pub bytes: u64,
    /// JSON objects that were not CloudTrail records.
    pub not_events: usize,
    /// An input that could not be read at all for a reason the user must fix
    /// (S3 access denied, no such bucket, credentials, a trail too long to load
    /// without `--all`): the subcommands stop with this line.
    pub fatal: Option<Fatal>,
}

/// See [`LoadReport::fatal`].
#[derive(Debug, Clone, PartialEq)]
pub struct Fatal {
    /// `path: what happened and what to do`, on one line.
    pub message: String,
    /// Fixed by a different command line (exit 2), not by the environment.
    pub usage: bool,
}

/// How reading one file went (its events went to the caller's sink).
#[derive(Debug, Default)]
pub struct FileOutcome {
    pub bytes: u64,
    pub events: usize,
    pub error: Option<String>,
    pub warnings: Vec<String>,
    pub not_events: usize,
    pub digest: bool,
}

/// One file's result from a worker.
struct FileResult {
    batch: Batch,
    outcome: FileOutcome,
}

impl Progress {
    fn record(&self, outcome: &FileOutcome) {
        self.files_done.fetch_add(1, Ordering::Relaxed);
        self.events.fetch_add(outcome.events, Ordering::Relaxed);
        self.bytes.fetch_add(outcome.bytes, Ordering::Relaxed);
        if outcome.error.is_some() {
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl LoadReport {
    fn add(&mut self, path: String, outcome: FileOutcome) {
        self.bytes += outcome.bytes;
        self.not_events += outcome.not_events;
        for w in outcome.warnings {
            self.warnings.push(Problem {
                path: path.clone(),
                message: w,
            });
        }
        if let Some(e) = outcome.error {
            self.files_failed += 1;
            self.failures.push(Problem { path, message: e });
        } else if outcome.digest {
            self.files_skipped += 1;
        } else {
            self.files_read += 1;
        }
    }
}

/// Where the inputs are: paths, with `-` meaning standard input.
pub fn load(inputs: &[PathBuf], opts: &LoadOptions, progress: &Progress) -> (Index, LoadReport) {
    let mut loader = Loader::start(inputs, opts, progress);
    while loader.step(opts, progress) {}
    loader.finish()
}

/// Loading in steps, so a caller (the TUI) can look at what has loaded so far.
pub struct Loader {
    builder: IndexBuilder,
    report: LoadReport,
    paths: Vec<PathBuf>,
    next: usize,
    /// Decoded but not yet merged: (first file index, results).
    pending: Option<(usize, Vec<FileResult>)>,
    spool: Vec<tempfile::TempPath>,
    /// Per file: the download it waits for (`s3://` objects).
    sources: Vec<Option<std::sync::Arc<crate::s3::Slot>>>,
    session: Option<crate::s3::Session>,
    watch: Vec<crate::s3::Watch>,
}

fn merge(
    builder: &mut IndexBuilder,
    report: &mut LoadReport,
    first: usize,
    results: Vec<FileResult>,
) {
    for (offset, r) in results.into_iter().enumerate() {
        let path = builder.index().files[first + offset].display.clone();
        report.add(path, r.outcome);
        builder.add(r.batch);
    }
}

const CHUNK_FILES: usize = 256;

impl Loader {
    pub fn start(inputs: &[PathBuf], opts: &LoadOptions, progress: &Progress) -> Loader {
        let resolved = resolve(inputs, opts, progress);
        let paths = resolved.files.iter().map(|f| f.path.clone()).collect();
        Loader {
            builder: IndexBuilder::new(resolved.files),
            report: resolved.report,
            paths,
            next: 0,
            pending: None,
            spool: resolved.spool,
            sources: resolved.sources,
            session: resolved.session,
            watch: resolved.watch,
        }
    }

    /// Reads the next chunk of files; false when all are read. Merging the
    /// previous chunk overlaps with decoding this one.
    pub fn step(&mut self, opts: &LoadOptions, progress: &Progress) -> bool {
        let Loader {
            builder,
            report,
            paths,
            next,
            pending,
            sources,
            ..
        } = self;
        let start = *next;
        let end = (start + CHUNK_FILES).min(paths.len());
        let previous = pending.take();
        if previous.is_none() && start >= end {
            return false;
        }
        let (_, results) = rayon::join(
            || {
                if let Some((first, results)) = previous {
                    merge(builder, report, first, results);
                }
            },
            || {
                (start..end)
                    .into_par_iter()
                    .map(|i| {
                        let mut writer = BatchWriter::new(i as u32);
                        let source = sources.get(i).and_then(|s| s.as_deref());
                        let outcome =
                            process_source(&paths[i], source, opts, &mut |raw, fields| {
                                writer.push(raw, fields)
                            });
                        progress.record(&outcome);
                        FileResult {
                            batch: writer.finish(),
                            outcome,
                        }
                    })
                    .collect::<Vec<FileResult>>()
            },
        );
        crate::return_freed_memory_now();
        if start < end {
            *pending = Some((start, results));
        }
        *next = end;
        true
    }

    /// Files that appeared after loading started (`--follow`): read by the next steps.
    pub fn add_files(&mut self, files: Vec<follow::NewFile>, progress: &Progress) {
        for f in files {
            self.builder.add_file(FileEntry {
                path: f.path.clone(),
                display: f.display,
                stamp: if f.slot.is_some() {
                    None
                } else {
                    stamp(&f.path)
                },
                events: 0,
            });
            self.paths.push(f.path);
            self.sources.push(f.slot);
            progress.files_total.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The S3 session and what it watches, for `--follow` (the cache is trimmed
    /// and the temporary copies kept as at the end of a load).
    pub fn take_follow(&mut self) -> Option<(crate::s3::Session, Vec<crate::s3::Watch>)> {
        let session = self.session.take()?;
        self.spool.extend(session.settle());
        Some((session, std::mem::take(&mut self.watch)))
    }

    /// Problems met listing S3 while following.
    pub fn add_failures(&mut self, failures: Vec<crate::s3::InputFailure>) {
        for f in failures {
            self.report.failures.push(Problem {
                path: f.path,
                message: f.message,
            });
            self.report.files_failed += 1;
        }
    }

    /// Keeps temporary copies of S3 objects fetched while following.
    pub fn keep_spool(&mut self, spool: Vec<tempfile::TempPath>) {
        self.spool.extend(spool);
    }

    /// The files read so far.
    pub fn paths(&self) -> &[PathBuf] {
        &self.paths
    }

    /// What has loaded so far, sorted by time.
    pub fn snapshot(&mut self) -> &Index {
        self.builder.sort();
        self.builder.index()
    }

    pub fn report(&self) -> &LoadReport {
        &self.report
    }

    pub fn finish(self) -> (Index, LoadReport) {
        let (index, report, _) = self.finish_following();
        (index, report)
    }

    /// Like [`Loader::finish`], keeping the S3 session and what it watches for `--follow`.
    #[allow(clippy::type_complexity)]
    pub fn finish_following(
        mut self,
    ) -> (
        Index,
        LoadReport,
        Option<(crate::s3::Session, Vec<crate::s3::Watch>)>,
    ) {
        if let Some((first, results)) = self.pending.take() {
            merge(&mut self.builder, &mut self.report, first, results);
        }
        let mut index = self.builder.finish();
        let session = self.session.take().map(|s| {
            self.spool.extend(s.settle());
            (s, std::mem::take(&mut self.watch))
        });
        index.spool = std::sync::Arc::new(self.spool);
        (index, self.report, session)
    }
}

/// The files to read, after walking directories and spooling standard input.
pub struct Resolved {
    pub files: Vec<FileEntry>,
    /// Skipped files and paths that could not be listed, so far.
    pub report: LoadReport,
    pub spool: Vec<tempfile::TempPath>,
    /// Per file: the download it waits for (`s3://` objects).
    pub sources: Vec<Option<std::sync::Arc<crate::s3::Slot>>>,
    /// Fetching `s3://` objects: its runtime lives until the files are read.
    pub session: Option<crate::s3::Session>,
    /// What `--follow` polls on S3.
    pub watch: Vec<crate::s3::Watch>,
}

/// Resolves command-line inputs (`-` is standard input) to files.
pub fn resolve(inputs: &[PathBuf], opts: &LoadOptions, progress: &Progress) -> Resolved {
    let mut report = LoadReport::default();
    let mut spool = Vec::new();
    let mut roots = Vec::new();
    let mut stdin_path = None;
    let mut urls = Vec::new();
    for input in inputs {
        if let Some(url) = crate::s3::S3Url::parse(input) {
            urls.push(url);
        } else if crate::s3::S3Url::is_s3(input) {
            report.failures.push(Problem {
                path: display_path(input),
                message: "not an S3 location: write s3://bucket or s3://bucket/prefix".into(),
            });
        } else if input.as_os_str() == "-" {
            match spool_stdin(opts.max_file_bytes) {
                Ok(p) => {
                    stdin_path = Some(p.to_path_buf());
                    roots.push(p.to_path_buf());
                    spool.push(p);
                }
                Err(e) => report.failures.push(Problem {
                    path: "<stdin>".into(),
                    message: format!("cannot read standard input: {}", discover::describe_io(&e)),
                }),
            }
        } else {
            roots.push(input.clone());
        }
    }
    let found = discover(&roots);
    report.files_skipped = found
        .skipped
        .iter()
        .filter(|(_, r)| *r != SkipReason::AlreadySeen)
        .count();
    for (path, reason) in &found.skipped {
        if *reason == SkipReason::NotRegularFile {
            report.warnings.push(Problem {
                path: display_path(path),
                message: "not a regular file (FIFO, device or socket): skipped".into(),
            });
        }
    }
    for (path, message) in found.failures {
        report.failures.push(Problem {
            path: display_path(&path),
            message,
        });
    }
    let mut files: Vec<FileEntry> = found
        .files
        .iter()
        .map(|p| FileEntry {
            path: p.clone(),
            display: if Some(p) == stdin_path.as_ref() {
                "<stdin>".into()
            } else {
                display_path(p)
            },
            stamp: stamp(p),
            events: 0,
        })
        .collect();
    let mut sources = vec![None; files.len()];
    let mut session = None;
    let mut watch = Vec::new();
    if !urls.is_empty() {
        let opened = open_s3(&urls, opts, progress);
        for f in opened.failures {
            if f.fatal && report.fatal.is_none() {
                report.fatal = Some(Fatal {
                    message: format!("{}: {}", f.path, f.message),
                    usage: f.usage,
                });
            }
            report.failures.push(Problem {
                path: f.path,
                message: f.message,
            });
        }
        report.files_skipped += opened.skipped;
        for o in opened.objects {
            files.push(FileEntry {
                path: o.path,
                display: o.display,
                stamp: None,
                events: 0,
            });
            sources.push(Some(o.slot));
        }
        session = opened.session;
        watch = opened.watch;
    }
    report.files_failed = report.failures.len();
    progress
        .errors
        .fetch_add(report.files_failed, Ordering::Relaxed);
    progress.files_total.store(files.len(), Ordering::Relaxed);
    Resolved {
        files,
        report,
        spool,
        sources,
        session,
        watch,
    }
}

/// Lists every `s3://` input and starts fetching what matches.
fn open_s3(
    urls: &[crate::s3::S3Url],
    opts: &LoadOptions,
    progress: &Progress,
) -> crate::s3::Opened {
    let mut opened = crate::s3::Opened {
        objects: Vec::new(),
        failures: Vec::new(),
        skipped: 0,
        session: None,
        watch: Vec::new(),
    };
    match crate::s3::Session::new(&opts.s3, opts.max_file_bytes, progress.s3.clone()) {
        Ok(session) => {
            for url in urls {
                session.open(url, &mut opened);
            }
            opened.session = Some(session);
        }
        Err(e) => {
            for url in urls {
                opened.failures.push(crate::s3::InputFailure {
                    path: crate::sanitize::escape(&url.to_string()).into_owned(),
                    message: format!("cannot start the S3 client: {}", discover::describe_io(&e)),
                    fatal: true,
                    usage: false,
                });
            }
        }
    }
    opened
}

/// Reads one input: an `s3://` object once its download is done, then like any file.
pub fn process_source(
    path: &Path,
    source: Option<&crate::s3::Slot>,
    opts: &LoadOptions,
    sink: &mut dyn FnMut(&str, EventFields<'_>),
) -> FileOutcome {
    if let Some(slot) = source
        && let Err(e) = slot.wait()
    {
        return FileOutcome {
            error: Some(e),
            ..FileOutcome::default()
        };
    }
    process_file(path, opts, sink)
}

/// Copies standard input to a temporary file (events are re-read from it later),
/// at most one byte past the cap: the loader then reports the input as too large
/// and keeps the events before the cap. Memory use is one copy buffer.
fn spool_stdin(max: u64) -> std::io::Result<tempfile::TempPath> {
    let mut file = tempfile::Builder::new()
        .prefix("trailscope-stdin-")
        .tempfile()?;
    register_spool(file.path());
    let stdin = std::io::stdin().lock();
    std::io::copy(&mut stdin.take(max.saturating_add(1)), &mut file)?;
    Ok(file.into_temp_path())
}

/// Every standard-input spool this process made, so a signal handler that exits
/// without running destructors can still delete them.
static SPOOLS: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

fn register_spool(path: &Path) {
    if let Ok(mut list) = SPOOLS.lock() {
        list.push(path.to_path_buf());
    }
}

/// Set once the spools are deleted on the way out: no new one may appear.
static SPOOLS_CLOSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// A new temporary file, registered for [`remove_spools`] in the same step, so a
/// signal can never leave one behind (after `remove_spools`, none is made).
pub(crate) fn new_spool(prefix: &str) -> std::io::Result<tempfile::TempPath> {
    let mut list = SPOOLS
        .lock()
        .map_err(|_| std::io::Error::other("temporary file list unavailable"))?;
    if SPOOLS_CLOSED.load(Ordering::Relaxed) {
        return Err(std::io::Error::other("exiting"));
    }
    let path = tempfile::Builder::new()
        .prefix(prefix)
        .tempfile()?
        .into_temp_path();
    list.push(path.to_path_buf());
    Ok(path)
}

/// Deletes every standard-input spool and S3 temporary copy (for exit paths that
/// skip destructors, such as SIGHUP when the terminal is gone, or Ctrl-C).
pub fn remove_spools() {
    if let Ok(list) = SPOOLS.lock() {
        SPOOLS_CLOSED.store(true, Ordering::Relaxed);
        for path in list.iter() {
            let _ = std::fs::remove_file(path);
        }
    }
}

fn stamp(path: &Path) -> Option<(u64, std::time::SystemTime)> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.len(), m.modified().ok()?))
}

/// Files larger than this that hold JSON lines are decoded a chunk at a time.
const STREAM_CHUNK: usize = 32 << 20;

/// Reads and decodes one file, handing each event to `sink`. Never panics on content.
///
/// Plain JSON lines larger than [`STREAM_CHUNK`] are decoded as a stream, so memory
/// stays at a chunk whatever the size; other files are read whole. Either way
/// reading stops at `--max-file-bytes` and the events before that point are kept.
pub fn process_file(
    path: &Path,
    opts: &LoadOptions,
    sink: &mut dyn FnMut(&str, EventFields<'_>),
) -> FileOutcome {
    let mut result = FileOutcome::default();
    let cannot_read = |io: &std::io::Error| format!("cannot read: {}", discover::describe_io(io));
    let mut file = match read::open_input(path) {
        Ok(f) => f,
        Err(io) => {
            result.error = Some(cannot_read(&io));
            return result;
        }
    };
    let max = opts.max_file_bytes;
    let limit = max.saturating_add(1).min(usize::MAX as u64) as usize;
    let size_hint = file
        .metadata()
        .ok()
        .filter(|m| m.is_file())
        .map_or(0, |m| m.len());
    let first_limit = limit.min(STREAM_CHUNK);
    let mut buffers = FileBuffers::take();
    let mut buf = std::mem::take(&mut buffers.raw);
    buf.reserve(size_hint.min(first_limit as u64) as usize + 1);
    let ended = match read::fill(&mut file, &mut buf, first_limit) {
        Ok(e) => e,
        Err(io) => {
            result.error = Some(cannot_read(&io));
            return result;
        }
    };
    let gzip = buf.starts_with(&[0x1f, 0x8b]);
    if !ended && !gzip && shapes::starts_json_lines(&buf) {
        return stream_lines(file, buf, max, sink);
    }
    if !ended && !gzip && buf.len() < limit && !starts_like_json(&buf) {
        // Not JSON from its first bytes (say /dev/zero): reading on to the cap
        // would only fill memory.
        result.error = Some(format!(
            "not JSON: the first {} hold no JSON value (stopped reading there)",
            crate::format::human_bytes(buf.len() as u64)
        ));
        result.bytes = buf.len() as u64;
        return result;
    }
    if !ended && let Err(io) = read::fill(&mut file, &mut buf, limit) {
        result.error = Some(cannot_read(&io));
        return result;
    }
    let decoded = read::decode_in(&mut buf, &mut buffers.inflated, max);
    result.bytes = decoded.text.len() as u64;
    let text = match std::str::from_utf8(decoded.text) {
        Ok(t) => std::borrow::Cow::Borrowed(t),
        Err(_) => {
            result.warnings.push(NOT_UTF8.into());
            String::from_utf8_lossy(decoded.text)
        }
    };
    let outcome = decode_events(&text, sink);
    result.events = outcome.events;
    result.not_events = outcome.not_events;
    result.warnings.extend(outcome.warnings);
    result.digest = outcome.shape == Some(Shape::Digest);
    result.error = match (decoded.truncated, outcome.error) {
        (Some(cut), _) => Some(format!(
            "{cut} ({} event(s) before this point were kept)",
            outcome.events
        )),
        (None, e) => e,
    };
    drop(text);
    buffers.raw = buf;
    buffers.give_back();
    if result.error.is_none() && outcome.events == 0 && !result.digest {
        result
            .warnings
            .push(no_events(outcome.shape, outcome.not_events));
    } else if outcome.not_events > 0 {
        result.warnings.push(not_records(outcome.not_events));
    }
    result
}

/// One thread's file buffers (the bytes read, and the text inflated from them),
/// handed from one file to the next: a trail is thousands of files of about
/// 100 KB, and allocating a fresh pair for each cost a fifth of the load time in
/// page faults and in the allocator giving the pages back.
#[derive(Default)]
struct FileBuffers {
    raw: Vec<u8>,
    inflated: Vec<u8>,
}

/// Buffers larger than this are dropped after their file rather than kept
/// for the next one: one huge file must not pin its memory for the rest of the load.
const KEPT_BUFFER_BYTES: usize = 4 << 20;

thread_local! {
    static FILE_BUFFERS: std::cell::RefCell<FileBuffers> = std::cell::RefCell::default();
}

impl FileBuffers {
    fn take() -> FileBuffers {
        FILE_BUFFERS.with(|b| std::mem::take(&mut *b.borrow_mut()))
    }

    fn give_back(mut self) {
        for buf in [&mut self.raw, &mut self.inflated] {
            if buf.capacity() > KEPT_BUFFER_BYTES {
                *buf = Vec::new();
            }
            buf.clear();
        }
        FILE_BUFFERS.with(|b| *b.borrow_mut() = self);
    }
}

/// The warning that accounts for every object that did not load as an event.
fn not_records(n: usize) -> String {
    format!("{n} JSON object(s) are not CloudTrail records (see README: what an event is)")
}

/// Whether text can start a JSON value: after a byte-order mark and whitespace,
/// `{`, `[`, `"` or the first byte of a number or literal.
fn starts_like_json(buf: &[u8]) -> bool {
    let body = buf.strip_prefix(b"\xef\xbb\xbf").unwrap_or(buf);
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b) => matches!(
            b,
            b'{' | b'[' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n'
        ),
        None => true,
    }
}

const NOT_UTF8: &str = "not valid UTF-8: invalid bytes were replaced with U+FFFD";

fn no_events(shape: Option<Shape>, not_events: usize) -> String {
    match (shape, not_events) {
        (Some(Shape::Empty), _) => "empty file".to_string(),
        (_, 0) => "no events in this file".to_string(),
        (_, n) => {
            format!("no CloudTrail events: {n} JSON object(s) that are not CloudTrail records")
        }
    }
}

/// JSON lines, a chunk at a time: each chunk ends just before a line that starts
/// with `{` (a new top-level value), so no value is split. Stops at `max` bytes.
fn stream_lines(
    mut file: std::fs::File,
    mut buf: Vec<u8>,
    max: u64,
    sink: &mut dyn FnMut(&str, EventFields<'_>),
) -> FileOutcome {
    let mut result = FileOutcome::default();
    let limit = max.saturating_add(1).min(usize::MAX as u64) as usize;
    let mut total = buf.len();
    let mut line_base = 0usize;
    let mut bad_lines = 0usize;
    let mut first_bad: Option<String> = None;
    let mut lossy = false;
    let mut ended = false;
    let mut over = false;
    let mut first = true;
    loop {
        let cut = if over {
            buf.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1)
        } else if ended {
            buf.len()
        } else {
            buf.windows(2)
                .rposition(|w| w == b"\n{")
                .map_or(0, |i| i + 1)
        };
        if cut > 0 {
            let chunk = &buf[..cut];
            let text = match std::str::from_utf8(chunk) {
                Ok(t) => Cow::Borrowed(t),
                Err(_) => {
                    lossy = true;
                    String::from_utf8_lossy(chunk)
                }
            };
            let text = if first {
                text.trim_start_matches('\u{feff}')
            } else {
                &text
            };
            first = false;
            let o = shapes::decode_lines(text, line_base, sink);
            result.events += o.events;
            result.not_events += o.not_events;
            result.warnings.extend(o.warnings);
            bad_lines += o.bad_lines;
            if first_bad.is_none() {
                first_bad = o.first_bad;
            }
            line_base += memchr_count(&buf[..cut]);
            result.bytes += cut as u64;
            buf.drain(..cut);
        }
        if ended || over {
            break;
        }
        let before = buf.len();
        let target = before + STREAM_CHUNK.min(limit - total);
        match read::fill(&mut file, &mut buf, target) {
            Ok(e) => ended = e,
            Err(io) => {
                result.error = Some(format!(
                    "cannot read: {} ({} event(s) before this point were kept)",
                    discover::describe_io(&io),
                    result.events
                ));
                return result;
            }
        }
        total += buf.len() - before;
        if total >= limit {
            // One byte past the cap was read: the input is larger than allowed.
            over = true;
            buf.truncate(buf.len() - (total - max as usize));
        }
    }
    if lossy {
        result.warnings.push(NOT_UTF8.into());
    }
    let bad = first_bad.map(|first| {
        format!(
            "{first} ({bad_lines} bad line(s) skipped; {} event(s) on the other lines were kept)",
            result.events
        )
    });
    if over {
        result.error = Some(format!(
            "{} ({} event(s) before this point were kept)",
            read::too_large(max),
            result.events
        ));
        result.warnings.extend(bad);
    } else {
        result.error = bad;
    }
    if result.error.is_none() && result.events == 0 {
        result
            .warnings
            .push(no_events(Some(Shape::Lines), result.not_events));
    } else if result.not_events > 0 {
        result.warnings.push(not_records(result.not_events));
    }
    result
}

fn memchr_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

/// Re-reads events' raw JSON from their files.
pub mod fetch;
pub mod scan;

//! Reading CloudTrail straight from S3: `s3://bucket[/prefix]` wherever a PATH
//! is accepted.
//!
//! The loader's pipeline stays discover → fetch → decode. For an `s3://` input,
//! discovery is a walk of CloudTrail's key layout ([`layout`]) that lists only
//! the accounts, regions and days the filter can match; fetching downloads each
//! object once into the [`cache`] (or a temporary file with `--no-cache`) with a
//! bounded pool of concurrent GETs; decoding is the loader's, on the local file,
//! as each download completes ([`Slot::wait`]). Events are re-read from that file
//! like any other, so the detail view reads the cache.
//!
//! The tokio runtime the SDK needs lives here only: [`Session`] owns a small one,
//! created when an `s3://` input is given; the rest of the program is synchronous.

pub mod cache;
mod client;
pub mod layout;

use crate::sanitize::escape;
use aws_sdk_s3::Client;
use cache::Cache;
use client::{Clients, Failure, FailureKind};
use layout::{Folder, Level, Prune};
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::Instant;

/// The default number of concurrent downloads.
pub const DEFAULT_CONCURRENCY: usize = 32;

/// A trail whose days span more than this, with no time bound, needs `--all`
/// (or a yes in the browser).
pub const UNBOUNDED_DAYS: i64 = 366;

/// Asks the user a yes/no question (the browser's confirmation).
#[derive(Clone)]
pub struct Confirm(pub Arc<dyn Fn(&str) -> bool + Send + Sync>);

impl std::fmt::Debug for Confirm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Confirm")
    }
}

/// Everything `s3://` inputs need from the command line.
#[derive(Debug, Clone)]
pub struct S3Options {
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
    pub no_sign_request: bool,
    pub concurrency: usize,
    /// The cache's cap; `None`: `--no-cache`.
    pub cache_bytes: Option<u64>,
    /// Load a trail of several years without a time bound.
    pub all: bool,
    pub prune: Prune,
    /// The browser asks before loading an unbounded multi-year trail.
    pub confirm: Option<Confirm>,
}

impl Default for S3Options {
    fn default() -> Self {
        S3Options {
            profile: None,
            endpoint_url: None,
            no_sign_request: false,
            concurrency: DEFAULT_CONCURRENCY,
            cache_bytes: Some(cache::DEFAULT_CACHE_BYTES),
            all: false,
            prune: Prune::default(),
            confirm: None,
        }
    }
}

/// `s3://bucket/prefix`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Url {
    pub bucket: String,
    pub prefix: String,
}

impl S3Url {
    pub fn parse(input: &Path) -> Option<S3Url> {
        let rest = input.to_str()?.strip_prefix("s3://")?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        (!bucket.is_empty()).then(|| S3Url {
            bucket: bucket.to_string(),
            prefix: prefix.to_string(),
        })
    }

    pub fn is_s3(input: &Path) -> bool {
        input.to_str().is_some_and(|s| s.starts_with("s3://"))
    }
}

impl std::fmt::Display for S3Url {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.prefix.is_empty() {
            write!(f, "s3://{}", self.bucket)
        } else {
            write!(f, "s3://{}/{}", self.bucket, self.prefix)
        }
    }
}

/// Live counters for the progress display and the tests.
#[derive(Debug, Default)]
pub struct S3Progress {
    /// Folders listed (ListObjectsV2 calls, pages included).
    pub lists: AtomicUsize,
    /// Objects found to read.
    pub objects: AtomicUsize,
    /// Objects downloaded (GET requests that completed).
    pub gets: AtomicUsize,
    /// Objects found in the cache.
    pub cached: AtomicUsize,
    /// Bytes downloaded.
    pub bytes: AtomicU64,
    /// When the first download started.
    pub started: OnceLock<Instant>,
}

impl S3Progress {
    pub fn is_active(&self) -> bool {
        self.lists.load(Ordering::Relaxed) > 0
    }

    /// Download throughput in bytes per second since the first download.
    pub fn throughput(&self) -> f64 {
        let secs = self
            .started
            .get()
            .map_or(0.0, |t| t.elapsed().as_secs_f64());
        if secs <= 0.0 {
            0.0
        } else {
            self.bytes.load(Ordering::Relaxed) as f64 / secs
        }
    }

    /// `14 prefixes listed · 40 cached · 12.1 MiB downloaded · 4.0 MiB/s`.
    pub fn summary(&self) -> String {
        use crate::format::{human_bytes, thousands};
        format!(
            "{} prefixes listed · {} cached · {} downloaded · {}/s",
            thousands(self.lists.load(Ordering::Relaxed)),
            thousands(self.cached.load(Ordering::Relaxed)),
            human_bytes(self.bytes.load(Ordering::Relaxed)),
            human_bytes(self.throughput() as u64)
        )
    }

    /// `S3: 120/480 objects · ` and the summary, for a progress line.
    pub fn line(&self, files_done: usize) -> String {
        format!(
            "S3: {}/{} objects · {}",
            crate::format::thousands(files_done),
            crate::format::thousands(self.objects.load(Ordering::Relaxed)),
            self.summary()
        )
    }
}

/// An object being fetched: the loader waits on it before decoding.
#[derive(Debug, Default)]
pub struct Slot {
    done: Mutex<Option<Result<(), String>>>,
    ready: Condvar,
}

impl Slot {
    fn ready() -> Slot {
        Slot {
            done: Mutex::new(Some(Ok(()))),
            ready: Condvar::new(),
        }
    }

    fn set(&self, result: Result<(), String>) {
        if let Ok(mut d) = self.done.lock() {
            d.get_or_insert(result);
        }
        self.ready.notify_all();
    }

    /// Blocks until the object is on disk; the error is the file's failure.
    pub fn wait(&self) -> Result<(), String> {
        let Ok(mut d) = self.done.lock() else {
            return Err("download state lost".into());
        };
        loop {
            if let Some(r) = d.as_ref() {
                return r.clone();
            }
            d = match self.ready.wait(d) {
                Ok(d) => d,
                Err(_) => return Err("download state lost".into()),
            };
        }
    }
}

/// Sets a slot that a download task never got to (cancelled, runtime gone).
struct SlotGuard(Arc<Slot>);

impl Drop for SlotGuard {
    fn drop(&mut self) {
        self.0.set(Err("download cancelled".into()));
    }
}

/// One object to read: shown as `s3://bucket/key`, decoded from `path` once
/// `slot` is ready.
pub struct Object {
    pub display: String,
    pub path: PathBuf,
    pub slot: Arc<Slot>,
}

/// A problem with one input as a whole.
#[derive(Debug, Clone)]
pub struct InputFailure {
    pub path: String,
    pub message: String,
    /// Access denied, no such bucket, credentials: nothing of the input could load.
    pub fatal: bool,
    /// Needs a different command line (`--all`): exit 2.
    pub usage: bool,
}

/// What opening the `s3://` inputs found; the downloads go on in the background.
pub struct Opened {
    pub objects: Vec<Object>,
    pub failures: Vec<InputFailure>,
    /// Digest and other skipped keys.
    pub skipped: usize,
    pub session: Option<Session>,
    /// What `--follow` polls.
    pub watch: Vec<Watch>,
}

/// A region folder of a bucket whose new deliveries `--follow` lists.
#[derive(Debug, Clone)]
pub struct Watch {
    pub bucket: String,
    /// `…/CloudTrail/REGION/`.
    pub region_prefix: String,
    /// The keys seen per day folder. A poll lists from [`start_after`] the
    /// newest of them, and only keys not seen yet are new deliveries.
    pub seen: std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
}

/// How far before the newest delivery a poll lists again. CloudTrail names a
/// file by the minute it was written plus a random suffix, so a file written in
/// the same minute (or delivered a little late) can sort before the newest key
/// seen: listing strictly after that key would miss it for good.
const RELIST: chrono::Duration = chrono::Duration::minutes(15);

/// Where a poll of a day folder starts listing, from the newest key seen there:
/// the key's name up to its `YYYYMMDDTHHMMZ` stamp, with the stamp moved back by
/// [`RELIST`]. `None` (list the whole day folder) for keys without a stamp.
pub fn start_after(newest: &str) -> Option<String> {
    let name_at = newest.rfind('/').map_or(0, |i| i + 1);
    let name = &newest[name_at..];
    let b = name.as_bytes();
    let is_stamp = |i: usize| {
        b.len() >= i + 14
            && b[i..i + 8].iter().all(u8::is_ascii_digit)
            && b[i + 8] == b'T'
            && b[i + 9..i + 13].iter().all(u8::is_ascii_digit)
            && b[i + 13] == b'Z'
    };
    let at = (0..b.len()).rev().find(|&i| is_stamp(i))?;
    let stamp = chrono::NaiveDateTime::parse_from_str(&name[at..at + 13], "%Y%m%dT%H%M").ok()?;
    let from = stamp.checked_sub_signed(RELIST)?;
    Some(format!(
        "{}{}{}",
        &newest[..name_at + at],
        from.format("%Y%m%dT%H%M"),
        "Z"
    ))
}

/// The runtime, the clients and what the loads of this process fetched.
pub struct Session {
    rt: tokio::runtime::Runtime,
    clients: Clients,
    cache: Option<Cache>,
    opts: S3Options,
    max_file_bytes: u64,
    progress: Arc<S3Progress>,
    limit: Arc<tokio::sync::Semaphore>,
    /// Cached files this session reads: never evicted while it runs.
    used: Mutex<HashSet<PathBuf>>,
    /// Objects not cached (`--no-cache`, over the cap): deleted with the index.
    spool: Arc<Mutex<Vec<tempfile::TempPath>>>,
}

impl Session {
    pub fn new(
        opts: &S3Options,
        max_file_bytes: u64,
        progress: Arc<S3Progress>,
    ) -> std::io::Result<Session> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("trailscope-s3")
            .enable_all()
            .build()?;
        let clients = rt.block_on(Clients::new(opts));
        let cache = opts.cache_bytes.and_then(Cache::open);
        Ok(Session {
            rt,
            clients,
            cache,
            opts: opts.clone(),
            max_file_bytes,
            progress,
            limit: Arc::new(tokio::sync::Semaphore::new(opts.concurrency.max(1))),
            used: Mutex::new(HashSet::new()),
            spool: Arc::new(Mutex::new(Vec::new())),
        })
    }

    /// Lists `url` by the layout and starts fetching what it finds.
    pub fn open(&self, url: &S3Url, out: &mut Opened) {
        let shown = escape(&url.to_string()).into_owned();
        let failure = |message: String, fatal: bool, usage: bool| InputFailure {
            path: shown.clone(),
            message,
            fatal,
            usage,
        };
        let gate = Arc::new(tokio::sync::Semaphore::new(self.opts.concurrency.max(1)));
        let listed = self.rt.block_on(async {
            let client = self.clients.for_bucket(&url.bucket).await?;
            let walk = walk(
                &client,
                &url.bucket,
                &url.prefix,
                &self.opts.prune,
                &self.progress,
                &gate,
            )
            .await?;
            Ok::<_, Failure>((client, walk))
        });
        let (client, mut walk) = match listed {
            Ok(x) => x,
            Err(f) => {
                let fatal = f.kind != FailureKind::Other;
                let msg = self.clients.message(&url.bucket, "cannot list", &f);
                out.failures.push(failure(msg, fatal, false));
                return;
            }
        };
        if let Some(span) = walk.unbounded_span() {
            let question = format!(
                "{shown} holds {} days of deliveries ({} to {}) and no time bound was given",
                span.0, span.1, span.2
            );
            let yes = self.opts.all
                || self
                    .opts
                    .confirm
                    .as_ref()
                    .is_some_and(|c| (c.0)(&format!("{question}. Load all of it?")));
            if !yes {
                out.failures.push(failure(
                    format!(
                        "{question}: narrow it with --since/--until/--last (or since:/until:/last: in --filter), or load everything with --all"
                    ),
                    true,
                    true,
                ));
                return;
            }
        }
        let days = self.rt.block_on(list_days(
            &client,
            &url.bucket,
            &walk.days,
            &self.progress,
            &gate,
            self.cache.as_ref(),
        ));
        match days {
            Ok((objects, skipped)) => {
                walk.objects.extend(objects);
                walk.skipped += skipped;
            }
            Err(f) => {
                let fatal = f.kind != FailureKind::Other;
                let msg = self.clients.message(&url.bucket, "cannot list", &f);
                out.failures.push(failure(msg, fatal, false));
                return;
            }
        }
        out.skipped += walk.skipped;
        // The keys of each day folder: what --follow has already seen.
        let mut keys: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
        for o in &walk.objects {
            if let Some(cut) = o.key.rfind('/') {
                keys.entry(&o.key[..=cut]).or_default().push(&o.key);
            }
        }
        for folder in &walk.days {
            let Some(region) = region_of(&folder.prefix) else {
                continue;
            };
            let pos = match out
                .watch
                .iter()
                .position(|w| w.bucket == url.bucket && w.region_prefix == region)
            {
                Some(pos) => pos,
                None => {
                    out.watch.push(Watch {
                        bucket: url.bucket.clone(),
                        region_prefix: region,
                        seen: Default::default(),
                    });
                    out.watch.len() - 1
                }
            };
            if let Some(k) = keys.get(folder.prefix.as_str()) {
                out.watch[pos]
                    .seen
                    .entry(folder.prefix.clone())
                    .or_default()
                    .extend(k.iter().map(|k| k.to_string()));
            }
        }
        for o in walk.objects {
            out.objects.push(self.fetch(&client, &url.bucket, o));
        }
    }

    /// Starts fetching one object (or finds it in the cache).
    fn fetch(&self, client: &Client, bucket: &str, o: Listed) -> Object {
        let display = escape(&format!("s3://{bucket}/{}", o.key)).into_owned();
        self.progress.objects.fetch_add(1, Ordering::Relaxed);
        // Over the size cap, only the bytes the decoder may read are fetched,
        // and they are not cached (another run may have a larger cap).
        let capped = o.size > self.max_file_bytes;
        let cache = self.cache.as_ref().filter(|c| !capped && o.size <= c.cap);
        let dest = match cache {
            Some(c) => {
                let path = c.object_path(bucket, &o.key, &o.etag);
                if let Ok(mut used) = self.used.lock() {
                    used.insert(path.clone());
                }
                if c.lookup(&path, o.size) {
                    self.progress.cached.fetch_add(1, Ordering::Relaxed);
                    return Object {
                        display,
                        path,
                        slot: Arc::new(Slot::ready()),
                    };
                }
                Dest::Cache(c.clone(), path)
            }
            None => match spool_file() {
                Ok(p) => {
                    let path = p.to_path_buf();
                    if let Ok(mut s) = self.spool.lock() {
                        s.push(p);
                    }
                    Dest::Spool(path)
                }
                Err(e) => {
                    return Object {
                        display,
                        path: PathBuf::new(),
                        slot: Arc::new(Slot {
                            done: Mutex::new(Some(Err(format!(
                                "cannot make a temporary file: {}",
                                crate::load::discover::describe_io(&e)
                            )))),
                            ready: Condvar::new(),
                        }),
                    };
                }
            },
        };
        let path = match &dest {
            Dest::Cache(_, p) | Dest::Spool(p) => p.clone(),
        };
        let slot = Arc::new(Slot::default());
        let guard = SlotGuard(slot.clone());
        let client = client.clone();
        let bucket = bucket.to_string();
        let progress = self.progress.clone();
        let limit = self.limit.clone();
        let range = capped.then_some(self.max_file_bytes);
        self.rt.spawn(async move {
            let Ok(_permit) = limit.acquire_owned().await else {
                return;
            };
            let _ = progress.started.set(Instant::now());
            let result = download(&client, &bucket, &o, range, &dest, &progress).await;
            guard.0.set(result);
        });
        Object {
            display,
            path,
            slot,
        }
    }

    /// Ends the session: evicts least recently used cache files past the cap
    /// (never this session's), and hands over the temporary files of objects
    /// that were not cached (they live as long as the index).
    pub fn finish(self) -> Vec<tempfile::TempPath> {
        let spool = self.settle();
        self.rt.shutdown_background();
        spool
    }

    /// Like [`Session::finish`], keeping the session for `--follow`.
    pub fn settle(&self) -> Vec<tempfile::TempPath> {
        if let Some(c) = &self.cache {
            let used = self.used.lock().map(|u| u.clone()).unwrap_or_default();
            c.evict(&used);
        }
        self.take_spool()
    }

    /// New objects in the watched day folders (today's and yesterday's, UTC),
    /// listed from a little before the newest key seen ([`start_after`]), and
    /// only those not seen yet; starts fetching them.
    pub fn poll(&self, watch: &mut [Watch]) -> (Vec<Object>, Vec<InputFailure>) {
        let today = chrono::Utc::now().date_naive();
        let days = [today - chrono::Days::new(1), today];
        let mut objects = Vec::new();
        let mut failures = Vec::new();
        for w in watch.iter_mut() {
            // Folders of days no longer watched are forgotten.
            w.seen.retain(|prefix, _| {
                days.iter()
                    .any(|d| prefix.ends_with(&format!("{}/", d.format("%Y/%m/%d"))))
            });
            let client = match self.rt.block_on(self.clients.for_bucket(&w.bucket)) {
                Ok(c) => c,
                Err(f) => {
                    failures.push(InputFailure {
                        path: escape(&format!("s3://{}/{}", w.bucket, w.region_prefix))
                            .into_owned(),
                        message: self.clients.message(&w.bucket, "cannot list", &f),
                        fatal: false,
                        usage: false,
                    });
                    continue;
                }
            };
            for day in days {
                let prefix = format!("{}{}/", w.region_prefix, day.format("%Y/%m/%d"));
                let seen = w.seen.entry(prefix.clone()).or_default();
                let after = seen.last().and_then(|newest| start_after(newest));
                let listed = self.rt.block_on(list(
                    &client,
                    &w.bucket,
                    &prefix,
                    false,
                    after.as_deref(),
                    &self.progress,
                ));
                match listed {
                    Ok((_, found)) => {
                        let found: Vec<Listed> = found
                            .into_iter()
                            .filter(|o| !layout::is_digest_key(&o.key))
                            .filter(|o| seen.insert(o.key.clone()))
                            .collect();
                        // Keys before the listing's start are never listed again.
                        if let Some(after) = &after {
                            *seen = seen.split_off(after.as_str());
                        }
                        for o in found {
                            objects.push(self.fetch(&client, &w.bucket, o));
                        }
                    }
                    Err(f) => failures.push(InputFailure {
                        path: escape(&format!("s3://{}/{prefix}", w.bucket)).into_owned(),
                        message: self.clients.message(&w.bucket, "cannot list", &f),
                        fatal: false,
                        usage: false,
                    }),
                }
            }
        }
        (objects, failures)
    }

    /// The temporary files of objects fetched since the last call.
    pub fn take_spool(&self) -> Vec<tempfile::TempPath> {
        self.spool
            .lock()
            .map(|mut s| std::mem::take(&mut *s))
            .unwrap_or_default()
    }
}

/// `…/CloudTrail/REGION/` of a day folder `…/CloudTrail/REGION/YYYY/MM/DD/`.
fn region_of(day_prefix: &str) -> Option<String> {
    let trimmed = day_prefix.strip_suffix('/')?;
    let mut cut = trimmed;
    for _ in 0..3 {
        cut = &cut[..cut.rfind('/')?];
    }
    Some(format!("{cut}/"))
}

fn spool_file() -> std::io::Result<tempfile::TempPath> {
    crate::load::new_spool("trailscope-s3-")
}

enum Dest {
    Cache(Cache, PathBuf),
    Spool(PathBuf),
}

/// An object found by a listing.
#[derive(Debug, Clone)]
struct Listed {
    key: String,
    etag: String,
    size: u64,
}

/// Downloads one object to its destination.
async fn download(
    client: &Client,
    bucket: &str,
    o: &Listed,
    range: Option<u64>,
    dest: &Dest,
    progress: &S3Progress,
) -> Result<(), String> {
    let mut req = client.get_object().bucket(bucket).key(&o.key);
    if !o.etag.is_empty() {
        // An object replaced since it was listed is refused, not mixed up.
        req = req.if_match(&o.etag);
    }
    if let Some(max) = range {
        req = req.range(format!("bytes=0-{max}"));
    }
    let resp = req.send().await.map_err(|e| {
        let f = client::classify(&e);
        match f.kind {
            client::FailureKind::AccessDenied => format!(
                "cannot fetch: access denied ({}): the credentials need s3:GetObject on it (a public object: --no-sign-request)",
                one_line(&f.detail)
            ),
            _ => format!("cannot fetch: {}", one_line(&f.detail)),
        }
    })?;
    progress.gets.fetch_add(1, Ordering::Relaxed);
    let io_err =
        |e: std::io::Error| format!("cannot store: {}", crate::load::discover::describe_io(&e));
    let mut body = resp.body;
    let (mut file, tmp) = match dest {
        Dest::Cache(c, _) => {
            let t = c.temp_file().map_err(io_err)?;
            (t.reopen().map_err(io_err)?, Some(t))
        }
        // Never created here: on Ctrl-C the spool is deleted while downloads
        // still run, and a download must not bring its file back.
        Dest::Spool(p) => (
            std::fs::OpenOptions::new()
                .write(true)
                .truncate(true)
                .open(p)
                .map_err(io_err)?,
            None,
        ),
    };
    let mut out = std::io::BufWriter::with_capacity(1 << 16, &mut file);
    // Never more than asked for or listed: a server that ignores the range or
    // sends an endless body cannot fill the disk.
    let limit = range.map_or(o.size, |max| max.saturating_add(1));
    let mut written = 0u64;
    while let Some(chunk) = body.next().await {
        let chunk =
            chunk.map_err(|e| format!("download cut short: {}", one_line(&e.to_string())))?;
        let room = limit.saturating_sub(written);
        let take = chunk.len().min(room.min(usize::MAX as u64) as usize);
        out.write_all(&chunk[..take]).map_err(io_err)?;
        written += take as u64;
        progress.bytes.fetch_add(take as u64, Ordering::Relaxed);
        if take < chunk.len() {
            if range.is_some() {
                break;
            }
            return Err(format!(
                "the server sent more than the {} the listing gave",
                crate::format::human_bytes(o.size)
            ));
        }
    }
    out.flush().map_err(io_err)?;
    drop(out);
    if let (Dest::Cache(c, path), Some(t)) = (dest, tmp) {
        c.commit(t, path).map_err(io_err)?;
    }
    Ok(())
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A key or prefix of a listing made with `encoding-type=url`, decoded as the
/// AWS CLI does (`+` is a space; a literal `+` comes as `%2B`).
fn url_decoded(encoded: &str) -> String {
    let spaced = encoded.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8_lossy()
        .into_owned()
}

/// One listing (all pages): common prefixes with a delimiter, and objects.
async fn list(
    client: &Client,
    bucket: &str,
    prefix: &str,
    delimiter: bool,
    start_after: Option<&str>,
    progress: &S3Progress,
) -> Result<(Vec<String>, Vec<Listed>), Failure> {
    let mut prefixes = Vec::new();
    let mut objects = Vec::new();
    let mut token: Option<String> = None;
    loop {
        // Keys come URL-encoded: raw, a key with a control character makes the
        // whole listing unreadable XML, and with it every other object.
        let mut req = client
            .list_objects_v2()
            .bucket(bucket)
            .prefix(prefix)
            .encoding_type(aws_sdk_s3::types::EncodingType::Url);
        if delimiter {
            req = req.delimiter("/");
        }
        if let Some(a) = start_after {
            req = req.start_after(a);
        }
        if let Some(t) = &token {
            req = req.continuation_token(t);
        }
        let page = req.send().await.map_err(|e| client::classify(&e))?;
        progress.lists.fetch_add(1, Ordering::Relaxed);
        prefixes.extend(
            page.common_prefixes()
                .iter()
                .filter_map(|p| p.prefix().map(url_decoded)),
        );
        objects.extend(page.contents().iter().filter_map(|o| {
            Some(Listed {
                key: url_decoded(o.key()?),
                etag: o.e_tag().unwrap_or_default().to_string(),
                size: o.size().unwrap_or(0).max(0) as u64,
            })
        }));
        match page.next_continuation_token() {
            Some(t) if page.is_truncated() == Some(true) => token = Some(t.to_string()),
            _ => break,
        }
    }
    Ok((prefixes, objects))
}

/// What a walk found.
struct Walk {
    days: Vec<Folder>,
    objects: Vec<Listed>,
    skipped: usize,
    bounded: bool,
}

impl Walk {
    /// (days, first, last) when the days found span more than a year and no
    /// bound limited them.
    fn unbounded_span(&self) -> Option<(i64, chrono::NaiveDate, chrono::NaiveDate)> {
        if self.bounded {
            return None;
        }
        let first = self.days.iter().filter_map(|d| d.date).min()?;
        let last = self.days.iter().filter_map(|d| d.date).max()?;
        let span = (last - first).num_days() + 1;
        (span > UNBOUNDED_DAYS).then_some((span, first, last))
    }
}

/// Walks the layout under `prefix`, one level at a time, the folders of a level
/// listed concurrently; then lists the matching days' objects.
async fn walk(
    client: &Client,
    bucket: &str,
    prefix: &str,
    prune: &Prune,
    progress: &Arc<S3Progress>,
    gate: &Arc<tokio::sync::Semaphore>,
) -> Result<Walk, Failure> {
    let mut result = Walk {
        days: Vec::new(),
        objects: Vec::new(),
        skipped: 0,
        bounded: prune.has_time_bound(),
    };
    // A key that names one file: read it, whatever its folder.
    let last_seg = prefix.rsplit('/').next().unwrap_or("");
    if !prefix.is_empty() && !prefix.ends_with('/') && layout::has_trail_extension(last_seg) {
        let (_, found) = list(client, bucket, prefix, false, None, progress).await?;
        result.objects = found.into_iter().filter(|o| o.key == prefix).collect();
        result.bounded = true;
        return Ok(result);
    }
    let root = if prefix.is_empty() || prefix.ends_with('/') {
        prefix.to_string()
    } else {
        format!("{prefix}/")
    };
    let start = layout::start(&root);
    // Above the layout, look for `AWSLogs/` directly: one round trip fewer.
    let logs_of_root = (start.level == Level::Root).then(|| format!("{root}AWSLogs/"));
    let mut frontier = vec![match &logs_of_root {
        Some(logs) => Folder {
            prefix: logs.clone(),
            level: Level::Logs,
            ..start
        },
        None => start,
    }];
    let mut days = Vec::new();
    while !frontier.is_empty() {
        let mut set = tokio::task::JoinSet::new();
        let mut next = Vec::new();
        for folder in frontier {
            if folder.level == Level::Day {
                days.push(folder);
                continue;
            }
            if let Some(known) = layout::known_children(&folder, prune) {
                next.extend(known);
                continue;
            }
            let client = client.clone();
            let bucket = bucket.to_string();
            let progress = progress.clone();
            let gate = gate.clone();
            set.spawn(async move {
                let _permit = gate.acquire_owned().await;
                let listed = list(&client, &bucket, &folder.prefix, true, None, &progress).await;
                (folder, listed)
            });
        }
        while let Some(joined) = set.join_next().await {
            let Ok((folder, listed)) = joined else {
                continue;
            };
            let (children, _) = listed?;
            let kept: Vec<Folder> = children
                .iter()
                .filter_map(|c| layout::descend(&folder, c, prune))
                .collect();
            if logs_of_root.as_ref() == Some(&folder.prefix) && children.is_empty() {
                // Not a CloudTrail layout (exports, copies): read every file under it.
                let (_, found) = list(client, bucket, &root, false, None, progress).await?;
                result.bounded = true;
                for o in found {
                    if layout::is_digest_key(&o.key) || !layout::has_trail_extension(&o.key) {
                        result.skipped += 1;
                    } else {
                        result.objects.push(o);
                    }
                }
            }
            next.extend(kept);
        }
        frontier = next;
    }
    if let Some(newest) = days.iter().filter_map(|d| d.date).max()
        && let Some(first) = prune.last_first_day(newest)
    {
        days.retain(|d| d.date.is_none_or(|x| x >= first));
    }
    days.sort_by(|a, b| a.prefix.cmp(&b.prefix));
    result.days = days.clone();
    Ok(result)
}

/// Lists the objects of the day folders (concurrently), in key order; digests
/// and files of other kinds are skipped by key, never fetched.
async fn list_days(
    client: &Client,
    bucket: &str,
    days: &[Folder],
    progress: &Arc<S3Progress>,
    gate: &Arc<tokio::sync::Semaphore>,
    cache: Option<&Cache>,
) -> Result<(Vec<Listed>, usize), Failure> {
    let mut set = tokio::task::JoinSet::new();
    // CloudTrail writes under the day of delivery: a day two days old is closed.
    let closed_before = chrono::Utc::now().date_naive() - chrono::Days::new(1);
    for (i, day) in days.iter().enumerate() {
        let client = client.clone();
        let bucket = bucket.to_string();
        let prefix = day.prefix.clone();
        let progress = progress.clone();
        let gate = gate.clone();
        let keep = cache
            .filter(|_| day.date.is_some_and(|d| d < closed_before))
            .cloned();
        set.spawn(async move {
            if let Some(c) = &keep
                && let Some(saved) = c.listing(&bucket, &prefix)
            {
                let objects = saved
                    .into_iter()
                    .map(|(key, etag, size)| Listed { key, etag, size })
                    .collect();
                return (i, Ok((Vec::new(), objects)));
            }
            let _permit = gate.acquire_owned().await;
            let listed = list(&client, &bucket, &prefix, false, None, &progress).await;
            if let (Some(c), Ok((_, objects))) = (&keep, &listed) {
                let saved = objects
                    .iter()
                    .map(|o| (o.key.clone(), o.etag.clone(), o.size))
                    .collect();
                c.save_listing(&bucket, &prefix, saved);
            }
            (i, listed)
        });
    }
    let mut per_day = Vec::new();
    while let Some(joined) = set.join_next().await {
        let Ok((i, listed)) = joined else {
            continue;
        };
        per_day.push((i, listed?.1));
    }
    per_day.sort_by_key(|(i, _)| *i);
    let mut objects = Vec::new();
    let mut skipped = 0;
    for (_, found) in per_day {
        for o in found {
            if layout::is_digest_key(&o.key) || !layout::has_trail_extension(&o.key) {
                skipped += 1;
            } else {
                objects.push(o);
            }
        }
    }
    objects.sort_by(|a, b| a.key.cmp(&b.key));
    Ok((objects, skipped))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polls_list_again_from_fifteen_minutes_before_the_newest_delivery() {
        let folder = "AWSLogs/1/CloudTrail/us-east-1/2024/03/01/";
        let newest = format!("{folder}1_CloudTrail_us-east-1_20240301T0010Z_B1.json.gz");
        let from = start_after(&newest).unwrap();
        assert_eq!(
            from,
            format!("{folder}1_CloudTrail_us-east-1_20240229T2355Z")
        );
        // A file of the same minute with a smaller suffix sorts after the start.
        let late = format!("{folder}1_CloudTrail_us-east-1_20240301T0010Z_A0.json.gz");
        assert!(late.as_str() > from.as_str() && late < newest);
        // Without a stamp, the whole day folder is listed.
        assert_eq!(start_after(&format!("{folder}export.json")), None);
        assert_eq!(start_after("20240301T0010Z/x.json"), None);
    }

    #[test]
    fn s3_urls() {
        let u = S3Url::parse(Path::new("s3://bucket/AWSLogs/1/")).unwrap();
        assert_eq!(
            (u.bucket.as_str(), u.prefix.as_str()),
            ("bucket", "AWSLogs/1/")
        );
        let u = S3Url::parse(Path::new("s3://bucket")).unwrap();
        assert_eq!((u.bucket.as_str(), u.prefix.as_str()), ("bucket", ""));
        assert_eq!(u.to_string(), "s3://bucket");
        assert!(S3Url::parse(Path::new("s3://")).is_none());
        assert!(S3Url::is_s3(Path::new("s3://")));
        assert!(S3Url::parse(Path::new("./s3:/x")).is_none());
    }

    #[test]
    fn the_region_folder_of_a_day() {
        assert_eq!(
            region_of("AWSLogs/1/CloudTrail/us-east-1/2024/03/01/").as_deref(),
            Some("AWSLogs/1/CloudTrail/us-east-1/")
        );
        assert_eq!(region_of("01/"), None);
    }

    #[test]
    fn a_download_that_never_ran_fails_its_file_instead_of_hanging() {
        let slot = Arc::new(Slot::default());
        drop(SlotGuard(slot.clone()));
        assert_eq!(slot.wait(), Err("download cancelled".to_string()));
        let done = Slot::default();
        done.set(Ok(()));
        done.set(Err("late".into()));
        assert_eq!(done.wait(), Ok(()), "the first answer stays");
    }
}

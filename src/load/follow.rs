//! `--follow`: new deliveries after the first load.
//!
//! Local directories are watched with file-system notifications (`notify`:
//! inotify, FSEvents, kqueue) and, as a fallback that also covers network file
//! systems where notifications never come, walked again every poll interval. A
//! new file is taken once its size has stopped changing, so a file still being
//! written is not read half-way. S3 prefixes are listed every poll interval:
//! today's and yesterday's day folders of each region, after the last key seen
//! (`StartAfter`), so old keys are never listed again.

use super::discover::{discover, display_path};
use crate::s3::{InputFailure, Session, Slot, Watch};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A file that appeared.
pub struct NewFile {
    /// Where to read it (for an S3 object, its cached or temporary copy).
    pub path: PathBuf,
    pub display: String,
    /// The download to wait for (S3 objects).
    pub slot: Option<Arc<Slot>>,
}

/// How long a new local file's size must stay the same before it is read.
const SETTLE: Duration = Duration::from_millis(300);

pub struct Follower {
    roots: Vec<PathBuf>,
    known: HashSet<PathBuf>,
    /// New local files not yet settled: size and when it was last seen to change.
    settling: HashMap<PathBuf, (u64, Instant)>,
    events: Option<mpsc::Receiver<()>>,
    _watcher: Option<notify::RecommendedWatcher>,
    s3: Option<(Session, Vec<Watch>)>,
    poll: Duration,
    last_local: Instant,
    last_s3: Instant,
    /// Temporary files of S3 objects fetched while following (`--no-cache`).
    pub spool: Vec<tempfile::TempPath>,
}

impl Follower {
    /// Follows the local inputs (`known`: the files already read) and the S3
    /// session's watched prefixes.
    pub fn new(
        inputs: &[PathBuf],
        known: impl IntoIterator<Item = PathBuf>,
        s3: Option<(Session, Vec<Watch>)>,
        poll: Duration,
    ) -> Follower {
        let roots: Vec<PathBuf> = inputs
            .iter()
            .filter(|p| !crate::s3::S3Url::is_s3(p) && p.as_os_str() != "-" && p.is_dir())
            .cloned()
            .collect();
        let (watcher, events) = watch(&roots);
        let now = Instant::now();
        Follower {
            roots,
            known: known.into_iter().collect(),
            settling: HashMap::new(),
            events,
            _watcher: watcher,
            s3,
            poll,
            last_local: now,
            last_s3: now,
            spool: Vec::new(),
        }
    }

    /// Waits up to `timeout` for new files; returns them (maybe none) and the
    /// problems met listing S3.
    pub fn next(&mut self, timeout: Duration) -> (Vec<NewFile>, Vec<InputFailure>) {
        let deadline = Instant::now() + timeout;
        let mut found = Vec::new();
        let mut failures = Vec::new();
        loop {
            let now = Instant::now();
            let notified = match &self.events {
                Some(rx) => {
                    let wait = deadline
                        .saturating_duration_since(now)
                        .min(Duration::from_millis(100));
                    let got = rx.recv_timeout(wait).is_ok();
                    while rx.try_recv().is_ok() {}
                    got
                }
                None => {
                    std::thread::sleep(
                        deadline
                            .saturating_duration_since(now)
                            .min(Duration::from_millis(100)),
                    );
                    false
                }
            };
            let now = Instant::now();
            if !self.roots.is_empty()
                && (notified
                    || !self.settling.is_empty()
                    || now.duration_since(self.last_local) >= self.poll)
            {
                self.last_local = now;
                found.extend(self.scan_local(now));
            }
            if now.duration_since(self.last_s3) >= self.poll
                && let Some((session, watch)) = &mut self.s3
            {
                self.last_s3 = now;
                let (objects, problems) = session.poll(watch);
                self.spool.extend(session.take_spool());
                failures.extend(problems);
                found.extend(objects.into_iter().map(|o| NewFile {
                    path: o.path,
                    display: o.display,
                    slot: Some(o.slot),
                }));
            }
            if !found.is_empty() || !failures.is_empty() || Instant::now() >= deadline {
                return (found, failures);
            }
        }
    }

    fn scan_local(&mut self, now: Instant) -> Vec<NewFile> {
        let mut ready = Vec::new();
        for path in discover(&self.roots).files {
            if self.known.contains(&path) {
                continue;
            }
            let size = std::fs::metadata(&path).map_or(0, |m| m.len());
            match self.settling.get(&path) {
                Some(&(s, since)) if s == size && now.duration_since(since) >= SETTLE => {
                    self.settling.remove(&path);
                    self.known.insert(path.clone());
                    ready.push(NewFile {
                        display: display_path(&path),
                        path,
                        slot: None,
                    });
                }
                Some(&(s, _)) if s == size => {}
                _ => {
                    self.settling.insert(path, (size, now));
                }
            }
        }
        ready
    }
}

/// A recursive watcher on `roots`, sending a unit per event; `None` when the
/// platform refuses (the poll interval still finds new files).
fn watch(
    roots: &[PathBuf],
) -> (
    Option<notify::RecommendedWatcher>,
    Option<mpsc::Receiver<()>>,
) {
    use notify::Watcher;
    if roots.is_empty() {
        return (None, None);
    }
    let (tx, rx) = mpsc::channel();
    let watcher = notify::recommended_watcher(move |e: notify::Result<notify::Event>| {
        if e.is_ok() {
            let _ = tx.send(());
        }
    });
    let Ok(mut watcher) = watcher else {
        return (None, None);
    };
    for root in roots {
        if watcher
            .watch(root, notify::RecursiveMode::Recursive)
            .is_err()
        {
            return (None, None);
        }
    }
    (Some(watcher), Some(rx))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_file_is_found_once_it_settles() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("old.json"), "{}").unwrap();
        let known = discover(&[dir.path().to_path_buf()]).files;
        let mut f = Follower::new(
            &[dir.path().to_path_buf()],
            known,
            None,
            Duration::from_secs(30),
        );
        let (none, _) = f.next(Duration::from_millis(150));
        assert!(none.is_empty());
        std::fs::create_dir_all(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/new.json"), "{}").unwrap();
        let started = Instant::now();
        let mut got = Vec::new();
        while got.is_empty() && started.elapsed() < Duration::from_secs(5) {
            got = f.next(Duration::from_millis(200)).0;
        }
        assert_eq!(got.len(), 1);
        assert!(got[0].display.ends_with("new.json"));
        // Not reported twice.
        assert!(f.next(Duration::from_millis(400)).0.is_empty());
    }
}

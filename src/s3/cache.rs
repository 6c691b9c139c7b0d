//! The object cache: every fetched object is kept as a file under
//! `$XDG_CACHE_HOME/trailscope/s3/` (`~/.cache/trailscope/s3/`), named by the
//! SHA-256 of its bucket, key and ETag, so a second open of the same range makes
//! no GET request and an object rewritten in place (new ETag) is fetched again.
//! The detail view re-reads events from these files.
//!
//! Files are written to `tmp/` and renamed into place, so a cached file is always
//! a whole object. A file's modification time is its last use: after a load, the
//! least recently used files are deleted until the cache is under its cap
//! (`--cache-size`), except the ones the running session uses.
//!
//! Listings of *closed* day folders are kept too (`listings/`): CloudTrail files
//! a delivery under the day it is delivered, so a folder two days old or more no
//! longer changes, and a second open lists only the folders above the days.

use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// The default cap: 2 GiB.
pub const DEFAULT_CACHE_BYTES: u64 = 2 << 30;

/// Temporary files older than this are left over from a killed run.
const STALE_TMP: Duration = Duration::from_secs(3600);

#[derive(serde::Serialize, serde::Deserialize)]
struct SavedListing {
    bucket: String,
    prefix: String,
    objects: Vec<(String, String, u64)>,
}

#[derive(Debug, Clone)]
pub struct Cache {
    /// `…/trailscope/s3`.
    dir: PathBuf,
    pub cap: u64,
}

/// `$XDG_CACHE_HOME/trailscope`, else `~/.cache/trailscope`.
pub fn base_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("trailscope"))
}

/// What `trailscope cache` prints.
#[derive(Debug, Default, PartialEq)]
pub struct Usage {
    pub bytes: u64,
    pub objects: usize,
}

impl Cache {
    pub fn open(cap: u64) -> Option<Cache> {
        Some(Cache {
            dir: base_dir()?.join("s3"),
            cap,
        })
    }

    pub fn at(dir: PathBuf, cap: u64) -> Cache {
        Cache { dir, cap }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the object with this identity lives (whether or not it is cached).
    pub fn object_path(&self, bucket: &str, key: &str, etag: &str) -> PathBuf {
        let mut h = Sha256::new();
        for part in [bucket, key, etag] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
        self.dir.join("objects").join(&hex[..2]).join(hex)
    }

    fn listing_path(&self, bucket: &str, prefix: &str) -> PathBuf {
        let name = self
            .object_path(bucket, prefix, "listing")
            .file_name()
            .map(|n| n.to_owned())
            .unwrap_or_default();
        self.dir.join("listings").join(name)
    }

    /// The saved listing of a closed day folder: (key, ETag, size) of each object.
    pub fn listing(&self, bucket: &str, prefix: &str) -> Option<Vec<(String, String, u64)>> {
        let text = std::fs::read(self.listing_path(bucket, prefix)).ok()?;
        let saved: SavedListing = serde_json::from_slice(&text).ok()?;
        (saved.bucket == bucket && saved.prefix == prefix).then_some(saved.objects)
    }

    /// Saves the listing of a day folder CloudTrail no longer delivers to.
    pub fn save_listing(&self, bucket: &str, prefix: &str, objects: Vec<(String, String, u64)>) {
        let saved = SavedListing {
            bucket: bucket.to_string(),
            prefix: prefix.to_string(),
            objects,
        };
        let path = self.listing_path(bucket, prefix);
        let written = (|| -> io::Result<()> {
            let mut f = self.temp_file()?;
            serde_json::to_writer(&mut f, &saved)?;
            self.commit(f, &path)
        })();
        // A listing that cannot be saved is listed again next time.
        let _ = written;
    }

    /// The cached file of an object of `size` bytes, marked as just used.
    pub fn lookup(&self, path: &Path, size: u64) -> bool {
        match std::fs::metadata(path) {
            Ok(m) if m.is_file() && m.len() == size => {
                if let Ok(f) = std::fs::File::open(path) {
                    let _ = f.set_modified(SystemTime::now());
                }
                true
            }
            _ => false,
        }
    }

    /// A new temporary file in the cache, to be renamed into place with [`Cache::commit`].
    pub fn temp_file(&self) -> io::Result<tempfile::NamedTempFile> {
        let tmp = self.dir.join("tmp");
        std::fs::create_dir_all(&tmp)?;
        tempfile::Builder::new().prefix("get-").tempfile_in(tmp)
    }

    /// Moves a fully written temporary file to `path`.
    pub fn commit(&self, file: tempfile::NamedTempFile, path: &Path) -> io::Result<()> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        file.persist(path).map(|_| ()).map_err(|e| e.error)
    }

    fn objects(&self) -> Vec<(PathBuf, u64, SystemTime)> {
        let mut out = Vec::new();
        let Ok(shards) = std::fs::read_dir(self.dir.join("objects")) else {
            return out;
        };
        for shard in shards.flatten() {
            let Ok(files) = std::fs::read_dir(shard.path()) else {
                continue;
            };
            for f in files.flatten() {
                if let Ok(m) = f.metadata()
                    && m.is_file()
                {
                    out.push((
                        f.path(),
                        m.len(),
                        m.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                    ));
                }
            }
        }
        out
    }

    pub fn usage(&self) -> Usage {
        let objects = self.objects();
        Usage {
            bytes: objects.iter().map(|o| o.1).sum(),
            objects: objects.len(),
        }
    }

    /// Deletes least recently used objects until the cache is under its cap,
    /// never one in `keep`; also deletes temporary files left by killed runs.
    /// Returns the bytes freed.
    pub fn evict(&self, keep: &HashSet<PathBuf>) -> u64 {
        if let Ok(tmp) = std::fs::read_dir(self.dir.join("tmp")) {
            for f in tmp.flatten() {
                let old = f
                    .metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.elapsed().ok())
                    .is_some_and(|age| age > STALE_TMP);
                if old {
                    let _ = std::fs::remove_file(f.path());
                }
            }
        }
        let mut objects = self.objects();
        let mut total: u64 = objects.iter().map(|o| o.1).sum();
        if total <= self.cap {
            return 0;
        }
        objects.sort_by_key(|o| o.2);
        let mut freed = 0;
        for (path, len, _) in objects {
            if total <= self.cap {
                break;
            }
            if keep.contains(&path) {
                continue;
            }
            if std::fs::remove_file(&path).is_ok() {
                total -= len;
                freed += len;
            }
        }
        freed
    }

    /// Empties the cache; returns what was there.
    pub fn clear(&self) -> io::Result<Usage> {
        let before = self.usage();
        for sub in ["objects", "tmp", "listings"] {
            match std::fs::remove_dir_all(self.dir.join(sub)) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        Ok(before)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn put(cache: &Cache, key: &str, bytes: usize, age_s: u64) -> PathBuf {
        let path = cache.object_path("b", key, "\"e\"");
        let mut f = cache.temp_file().unwrap();
        f.write_all(&vec![b'x'; bytes]).unwrap();
        cache.commit(f, &path).unwrap();
        let when = SystemTime::now() - Duration::from_secs(age_s);
        std::fs::File::open(&path)
            .unwrap()
            .set_modified(when)
            .unwrap();
        path
    }

    #[test]
    fn listings_are_kept_by_bucket_and_prefix() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::at(dir.path().to_path_buf(), 1 << 20);
        assert!(cache.listing("b", "p/").is_none());
        let objects = vec![("p/k.json.gz".to_string(), "\"e\"".to_string(), 12)];
        cache.save_listing("b", "p/", objects.clone());
        assert_eq!(cache.listing("b", "p/"), Some(objects));
        assert!(cache.listing("b", "q/").is_none());
        cache.clear().unwrap();
        assert!(cache.listing("b", "p/").is_none());
    }

    #[test]
    fn identity_is_bucket_key_and_etag() {
        let c = Cache::at(PathBuf::from("/c"), 10);
        let a = c.object_path("b", "k", "\"1\"");
        assert_ne!(a, c.object_path("b", "k", "\"2\""));
        assert_ne!(a, c.object_path("bk", "", "\"1\""));
        assert_eq!(a, c.object_path("b", "k", "\"1\""));
    }

    #[test]
    fn least_recently_used_goes_first_and_kept_files_stay() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::at(dir.path().to_path_buf(), 250);
        let old = put(&cache, "old", 100, 300);
        let kept = put(&cache, "kept", 100, 200);
        let mid = put(&cache, "mid", 100, 100);
        let new = put(&cache, "new", 100, 0);
        // A hit makes an object recent.
        assert!(cache.lookup(&mid, 100));
        assert!(!cache.lookup(&mid, 99), "a size that differs is a miss");
        let keep = HashSet::from([kept.clone()]);
        assert_eq!(cache.evict(&keep), 200);
        assert!(!old.exists());
        assert!(kept.exists() && mid.exists());
        assert!(!new.exists());
        assert_eq!(cache.usage().objects, 2);
        assert_eq!(cache.clear().unwrap().objects, 2);
        assert_eq!(cache.usage(), Usage::default());
    }
}

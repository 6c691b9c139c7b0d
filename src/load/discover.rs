//! Turning command-line paths into the list of files to read.
//!
//! Directories are walked recursively in name order (so S3 delivery trees come out
//! in time order); `.json`, `.jsonl` and `.gz` files are read, anything else is
//! skipped and counted. CloudTrail digest files are skipped. Symlinked directories
//! are followed once: a loop cannot hang the walk or read a file twice. In a walk,
//! only regular files (and symlinks to them) are opened: FIFOs, devices and sockets
//! are skipped and counted.

use crate::sanitize::escape_path;
use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

/// Why a file was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    NotCloudTrailExtension,
    Digest,
    /// A FIFO, device or socket met while walking a directory: never opened.
    NotRegularFile,
    AlreadySeen,
}

#[derive(Debug, Default)]
pub struct Discovery {
    pub files: Vec<PathBuf>,
    pub skipped: Vec<(PathBuf, SkipReason)>,
    /// Paths that could not be listed or opened: (path, cause).
    pub failures: Vec<(PathBuf, String)>,
}

pub fn has_trail_extension(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    name.ends_with(".json") || name.ends_with(".jsonl") || name.ends_with(".gz")
}

pub fn is_digest_path(path: &Path) -> bool {
    path.components()
        .any(|c| c.as_os_str() == "CloudTrail-Digest")
}

/// Walks `roots`; a root that is a file is always read, whatever its name.
pub fn discover(roots: &[PathBuf]) -> Discovery {
    let mut d = Discovery::default();
    let mut seen_dirs = HashSet::new();
    let mut seen_files = HashSet::new();
    for root in roots {
        match fs::metadata(root) {
            Ok(meta) if meta.is_dir() => walk(root, &mut d, &mut seen_dirs, &mut seen_files),
            Ok(_) => add_file(root.clone(), &mut d, &mut seen_files),
            Err(e) => d.failures.push((root.clone(), describe_io(&e))),
        }
    }
    d
}

fn add_file(path: PathBuf, d: &mut Discovery, seen: &mut HashSet<PathBuf>) {
    let key = fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
    if seen.insert(key) {
        d.files.push(path);
    } else {
        d.skipped.push((path, SkipReason::AlreadySeen));
    }
}

fn walk(
    dir: &Path,
    d: &mut Discovery,
    seen_dirs: &mut HashSet<PathBuf>,
    seen_files: &mut HashSet<PathBuf>,
) {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let key = match fs::canonicalize(&dir) {
            Ok(k) => k,
            Err(e) => {
                d.failures.push((dir.clone(), describe_io(&e)));
                continue;
            }
        };
        if !seen_dirs.insert(key) {
            continue;
        }
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) => {
                d.failures.push((
                    dir.clone(),
                    format!("cannot list directory: {}", describe_io(&e)),
                ));
                continue;
            }
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        let mut subdirs = Vec::new();
        for path in paths {
            // Follow symlinks: metadata() resolves them; a dangling link is a failure.
            match fs::metadata(&path) {
                Ok(m) if m.is_dir() => subdirs.push(path),
                // Opening a FIFO blocks until someone writes to it; a device can be
                // endless. Only regular files (or links to them) are read in a walk.
                Ok(m) if !m.is_file() => d.skipped.push((path, SkipReason::NotRegularFile)),
                Ok(_) if is_digest_path(&path) => d.skipped.push((path, SkipReason::Digest)),
                Ok(_) if has_trail_extension(&path) => add_file(path, d, seen_files),
                Ok(_) => d.skipped.push((path, SkipReason::NotCloudTrailExtension)),
                Err(e) => d.failures.push((path, describe_io(&e))),
            }
        }
        // Reverse so the stack pops directories in name order.
        stack.extend(subdirs.into_iter().rev());
    }
}

/// An I/O error as a person reads it, without Rust's `(os error 13)` suffix.
pub fn describe_io(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// A path as shown on screen or in text output.
pub fn display_path(path: &Path) -> String {
    escape_path(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_in_name_order_and_skips_other_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("b/c")).unwrap();
        fs::write(root.join("b/c/2.json.gz"), "").unwrap();
        fs::write(root.join("b/1.json"), "").unwrap();
        fs::write(root.join("a.jsonl"), "").unwrap();
        fs::write(root.join(".DS_Store"), "").unwrap();
        fs::write(root.join("notes.txt"), "").unwrap();
        fs::create_dir_all(root.join("x/CloudTrail-Digest")).unwrap();
        fs::write(root.join("x/CloudTrail-Digest/d.json.gz"), "").unwrap();
        let d = discover(&[root.to_path_buf()]);
        let rel: Vec<_> = d
            .files
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().to_path_buf())
            .collect();
        assert_eq!(
            rel,
            [
                PathBuf::from("a.jsonl"),
                PathBuf::from("b/1.json"),
                PathBuf::from("b/c/2.json.gz")
            ]
        );
        assert_eq!(d.skipped.len(), 3);
        assert!(d.skipped.iter().any(|(_, r)| *r == SkipReason::Digest));
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_terminate_without_repeats() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("a")).unwrap();
        fs::write(root.join("a/e.json"), "").unwrap();
        std::os::unix::fs::symlink(root, root.join("a/loop")).unwrap();
        std::os::unix::fs::symlink(root.join("a/e.json"), root.join("alias.json")).unwrap();
        let d = discover(&[root.to_path_buf()]);
        assert_eq!(d.files.len(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn fifos_and_devices_in_a_walk_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join("a.json"), "").unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(root.join("zzz.json"))
            .status()
            .unwrap();
        assert!(made.success());
        std::os::unix::fs::symlink("/dev/zero", root.join("z.json")).unwrap();
        let d = discover(&[root.to_path_buf()]);
        assert_eq!(d.files, [root.join("a.json")]);
        let odd: Vec<_> = d
            .skipped
            .iter()
            .filter(|(_, r)| *r == SkipReason::NotRegularFile)
            .collect();
        assert_eq!(odd.len(), 2, "{:?}", d.skipped);
    }

    #[test]
    fn explicit_files_are_read_whatever_their_name() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("trail.log");
        fs::write(&f, "").unwrap();
        assert_eq!(discover(std::slice::from_ref(&f)).files, [f]);
        let missing = discover(&[dir.path().join("nope")]);
        assert_eq!(missing.failures.len(), 1);
        assert!(missing.failures[0].1.contains("No such file"));
    }
}

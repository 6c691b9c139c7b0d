//! The filter history: every filter kept with Enter, one per line in
//! `$XDG_STATE_HOME/trailscope/history` (`~/.local/state/trailscope/history`),
//! walked with ↑/↓ in the filter bar.

use std::io::Write;
use std::path::PathBuf;

/// Entries kept (the file is trimmed to this many when it grows past twice that).
pub const KEEP: usize = 500;

pub fn path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
    Some(base.join("trailscope").join("history"))
}

/// The saved filters, oldest first (nothing when there is no history yet).
pub fn load() -> Vec<String> {
    let Some(text) = path().and_then(|p| std::fs::read(p).ok()) else {
        return Vec::new();
    };
    let text = String::from_utf8_lossy(&text);
    let lines: Vec<String> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect();
    lines[lines.len().saturating_sub(KEEP)..].to_vec()
}

/// Appends a filter; trims the file when it has grown long.
pub fn append(line: &str) -> std::io::Result<()> {
    let Some(path) = path() else { return Ok(()) };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    // A filter holding a control character (pasted from a hostile value) is not
    // kept: `cat` on the file would send it to a terminal.
    if !keepable(line) {
        return Ok(());
    }
    let line = line.replace(['\n', '\r'], " ");
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)?;
    writeln!(f, "{line}")?;
    drop(f);
    let all = load_all(&path);
    if all.len() > 2 * KEEP {
        std::fs::write(&path, all[all.len() - KEEP..].join("\n") + "\n")?;
    }
    Ok(())
}

/// Whether a filter may go in the history file: no control or invisible
/// character (line breaks become spaces).
fn keepable(line: &str) -> bool {
    !line
        .chars()
        .any(|c| crate::sanitize::is_unsafe(c) && c != '\n' && c != '\r')
}

fn load_all(path: &std::path::Path) -> Vec<String> {
    std::fs::read(path)
        .map(|b| {
            String::from_utf8_lossy(&b)
                .lines()
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::keepable;

    #[test]
    fn filters_with_control_or_invisible_characters_are_not_kept() {
        assert!(keepable("user:=\"José García\" event:GitPush"));
        assert!(keepable("errors\nuser:bob"));
        assert!(!keepable("user:=mallory\u{1b}]0;pwned\u{7}"));
        assert!(!keepable("user:a\u{200b}b"));
    }
}

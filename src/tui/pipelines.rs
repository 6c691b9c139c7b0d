//! State of the pipeline views: the list of pipeline lifetimes, one lifetime's
//! version timeline (with rejected changes and gaps), and the diff of two versions.

use super::app::Cursor;
use crate::output::pipelines::{LineOp, line_ops, pretty};
use crate::pipeline::diff::Change;
use crate::pipeline::history::Lifetime;

/// One row of a version timeline.
#[derive(Debug, Clone, PartialEq)]
pub enum TimelineRow {
    /// Index into the lifetime's versions.
    Version(usize),
    /// Index into the lifetime's rejected changes.
    Rejected(usize),
    /// Versions `from..=to` are not in the loaded logs.
    Gap(u64, u64),
}

#[derive(Debug, Clone)]
pub struct VersionsView {
    pub lifetime: usize,
    pub rows: Vec<TimelineRow>,
    pub cursor: Cursor,
    /// Set when picking a version to compare the open diff's newer version with.
    pub picking_for: Option<u64>,
}

/// The rows of a lifetime's timeline, oldest first: versions and rejected changes
/// by time, with a gap row wherever version numbers skip.
pub fn timeline_rows(l: &Lifetime) -> Vec<TimelineRow> {
    let mut timed: Vec<(i64, u8, TimelineRow)> = Vec::new();
    let mut expected = 1u64;
    for (k, v) in l.versions.iter().enumerate() {
        if v.number > expected {
            timed.push((v.time, 0, TimelineRow::Gap(expected, v.number - 1)));
        }
        timed.push((v.time, 1, TimelineRow::Version(k)));
        expected = v.number.saturating_add(1);
    }
    for (k, r) in l.rejected.iter().enumerate() {
        timed.push((r.time, 2, TimelineRow::Rejected(k)));
    }
    timed.sort_by_key(|(t, order, _)| (*t, *order));
    timed.into_iter().map(|(_, _, row)| row).collect()
}

/// One row of a rendered diff.
#[derive(Debug, Clone, PartialEq)]
pub enum DiffLine {
    Same(String),
    Del(String),
    Ins(String),
}

#[derive(Debug, Clone)]
pub struct DiffView {
    pub lifetime: usize,
    /// `None` when there is nothing to compare with (the first version).
    pub from: Option<u64>,
    pub to: u64,
    pub changes: Vec<Change>,
    pub lines: Vec<DiffLine>,
    /// Rows where a run of changed lines starts (for `n`/`N`).
    pub change_rows: Vec<usize>,
    pub side_by_side: bool,
    pub scroll: usize,
    /// Why the diff is incomplete, if it is.
    pub note: Option<String>,
}

impl DiffView {
    pub fn new(l: &Lifetime, lifetime: usize, from: Option<u64>, to: u64) -> DiffView {
        let new = l
            .version(to)
            .map(|v| pretty(&v.structure))
            .unwrap_or_default();
        let (old, note) = match from {
            Some(f) => match l.version(f) {
                Some(v) => (pretty(&v.structure), None),
                None => (
                    Vec::new(),
                    Some(format!(
                        "version {f} is not in the loaded logs (loaded: {})",
                        l.loaded_ranges()
                    )),
                ),
            },
            None => (
                Vec::new(),
                Some(format!(
                    "version {to} created the pipeline; nothing before it"
                )),
            ),
        };
        let changes = match (from, &note) {
            (Some(f), None) => l.changes(f, to).unwrap_or_default(),
            _ => Vec::new(),
        };
        let lines: Vec<DiffLine> = line_ops(&old, &new)
            .into_iter()
            .map(|op| match op {
                LineOp::Same(i, _) => DiffLine::Same(old[i].clone()),
                LineOp::Del(i) => DiffLine::Del(old[i].clone()),
                LineOp::Ins(j) => DiffLine::Ins(new[j].clone()),
            })
            .collect();
        let change_rows: Vec<usize> = (0..lines.len())
            .filter(|&k| {
                !matches!(lines[k], DiffLine::Same(_))
                    && (k == 0 || matches!(lines[k - 1], DiffLine::Same(_)))
            })
            .collect();
        // Open at the first change, with a little context above it.
        let scroll = change_rows
            .first()
            .map(|&r: &usize| r.saturating_sub(3))
            .unwrap_or(0);
        DiffView {
            lifetime,
            from,
            to,
            changes,
            lines,
            change_rows,
            side_by_side: false,
            scroll,
            note,
        }
    }

    /// Scrolls to the next (`forward`) or previous change; false when there is none.
    pub fn jump(&mut self, forward: bool) -> bool {
        // The change shown at the top is the one at `scroll + 3` (context above it).
        let at = self.scroll + 3;
        let target = if forward {
            self.change_rows.iter().copied().find(|&r| r > at)
        } else {
            self.change_rows
                .iter()
                .rev()
                .copied()
                .find(|&r| r < at && r.saturating_sub(3) < self.scroll)
        };
        match target {
            Some(r) => {
                self.scroll = r.saturating_sub(3);
                true
            }
            None => false,
        }
    }

    /// Switches between unified and side-by-side, opening at the first change.
    pub fn toggle_side_by_side(&mut self) {
        self.side_by_side = !self.side_by_side;
        let first = if self.side_by_side {
            self.side_rows().iter().position(|(a, b)| a != b)
        } else {
            self.change_rows.first().copied()
        };
        self.scroll = first.map(|r| r.saturating_sub(3)).unwrap_or(0);
    }

    /// Rows for side-by-side display: runs of deletions paired with the insertions that follow.
    pub fn side_rows(&self) -> Vec<(Option<&str>, Option<&str>)> {
        let mut rows = Vec::new();
        let mut k = 0;
        while k < self.lines.len() {
            match &self.lines[k] {
                DiffLine::Same(s) => {
                    rows.push((Some(s.as_str()), Some(s.as_str())));
                    k += 1;
                }
                _ => {
                    let mut dels = Vec::new();
                    let mut ins = Vec::new();
                    while let Some(DiffLine::Del(s)) = self.lines.get(k) {
                        dels.push(s.as_str());
                        k += 1;
                    }
                    while let Some(DiffLine::Ins(s)) = self.lines.get(k) {
                        ins.push(s.as_str());
                        k += 1;
                    }
                    for i in 0..dels.len().max(ins.len()) {
                        rows.push((dels.get(i).copied(), ins.get(i).copied()));
                    }
                }
            }
        }
        rows
    }
}

/// The part of `a` and `b` that differs, as char ranges after the common prefix
/// and before the common suffix (for emphasising changed tokens).
pub fn changed_span(a: &str, b: &str) -> ((usize, usize), (usize, usize)) {
    let ac: Vec<char> = a.chars().collect();
    let bc: Vec<char> = b.chars().collect();
    let prefix = ac.iter().zip(&bc).take_while(|(x, y)| x == y).count();
    let max_suffix = ac.len().min(bc.len()) - prefix;
    let suffix = ac
        .iter()
        .rev()
        .zip(bc.iter().rev())
        .take(max_suffix)
        .take_while(|(x, y)| x == y)
        .count();
    // Never split a character from its combining marks: a span that starts or
    // ends between them would draw the marks on nothing ("preábpost" would look
    // like "preabpost").
    let is_mark = crate::sanitize::is_mark;
    let mut prefix = prefix;
    while prefix > 0
        && (ac.get(prefix).is_some_and(|&c| is_mark(c))
            || bc.get(prefix).is_some_and(|&c| is_mark(c)))
    {
        prefix -= 1;
    }
    let mut suffix = suffix;
    while suffix > 0 && (is_mark(ac[ac.len() - suffix]) || is_mark(bc[bc.len() - suffix])) {
        suffix -= 1;
    }
    ((prefix, ac.len() - suffix), (prefix, bc.len() - suffix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_span_finds_the_middle() {
        assert_eq!(
            changed_span(r#""a": "old","#, r#""a": "new","#),
            ((6, 9), (6, 9))
        );
        assert_eq!(changed_span("abc", "abc"), ((3, 3), (3, 3)));
        assert_eq!(changed_span("ab", "abXY"), ((2, 2), (2, 4)));
    }

    #[test]
    fn changed_span_keeps_combining_marks_with_their_letter() {
        // "preabpost" against "preábpost" (a + U+0301): the change is "a" → "á".
        let (a, b) = changed_span("preabpost", "prea\u{301}bpost");
        assert_eq!((a, b), ((3, 4), (3, 5)));
        let (a, b) = changed_span("xe\u{301}", "xe\u{300}");
        assert_eq!((a, b), ((1, 3), (1, 3)));
    }
}

//! The diff of two versions of a pipeline: the list of structural changes, then
//! the pretty-printed structures as a unified or side-by-side line diff with the
//! changed tokens emphasised.

use super::{Target, Transition, movement, scrolled};
use crate::model::time::format_time_short;
use crate::pipeline::diff::{Change, Op};
use crate::pipeline::history::Lifetime;
use crate::pipeline::lines::{LineOp, line_ops, pretty};
use crate::sanitize::escape;
use crate::tui::ctx::Ctx;
use crate::tui::keymap::Action;
use crate::tui::theme::Theme;
use crate::tui::viewport::inner;
use crate::tui::widgets::pane;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// One row of a rendered diff.
#[derive(Debug, Clone, PartialEq)]
pub enum DiffLine {
    Same(String),
    Del(String),
    Ins(String),
}

/// Unchanged lines kept around each change while the context is collapsed.
pub const CONTEXT: usize = 3;

/// A row of the diff as shown: a line (of the unified lines, or of the
/// side-by-side rows), or a run of unchanged lines folded into one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    Line(usize),
    Folded(usize),
}

/// The rows shown of lines whose `changed` flags are given: every line, or
/// with `context`, the lines within that many of a change and one folded row
/// for each longer run of unchanged lines.
pub fn rows(changed: &[bool], context: Option<usize>) -> Vec<Row> {
    let Some(context) = context else {
        return (0..changed.len()).map(Row::Line).collect();
    };
    // Distance to the nearest change, forwards and backwards.
    let n = changed.len();
    let mut near = vec![false; n];
    let mut last = None;
    for k in 0..n {
        if changed[k] {
            last = Some(k);
        }
        near[k] = last.is_some_and(|c| k - c <= context);
    }
    last = None;
    for k in (0..n).rev() {
        if changed[k] {
            last = Some(k);
        }
        near[k] |= last.is_some_and(|c| c - k <= context);
    }
    let mut out = Vec::new();
    let mut k = 0;
    while k < n {
        if near[k] {
            out.push(Row::Line(k));
            k += 1;
        } else {
            let start = k;
            while k < n && !near[k] {
                k += 1;
            }
            out.push(Row::Folded(k - start));
        }
    }
    out
}

#[derive(Debug, Clone)]
pub struct DiffView {
    pub lifetime: usize,
    /// `None` when there is nothing to compare with (the first version).
    pub from: Option<u64>,
    pub to: u64,
    pub changes: Vec<Change>,
    pub lines: Vec<DiffLine>,
    /// Rows (of `rows`) where a run of changed lines starts (for `n`/`N`).
    pub change_rows: Vec<usize>,
    /// What is shown, in order (see [`rows`]).
    pub rows: Vec<Row>,
    /// Unchanged lines away from changes are folded (`z` shows them all).
    pub collapsed: bool,
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
        let mut changes = match (from, &note) {
            (Some(f), None) => l.changes(f, to).unwrap_or_default(),
            _ => Vec::new(),
        };
        let ops = line_ops(&old, &new);
        if changes.len() > 1
            && let (Some(a), Some(b)) = (from.and_then(|f| l.version(f)), l.version(to))
        {
            in_line_order(&mut changes, &ops, &a.structure, &b.structure);
        }
        let lines: Vec<DiffLine> = ops
            .into_iter()
            .map(|op| match op {
                LineOp::Same(i, _) => DiffLine::Same(old[i].clone()),
                LineOp::Del(i) => DiffLine::Del(old[i].clone()),
                LineOp::Ins(j) => DiffLine::Ins(new[j].clone()),
            })
            .collect();
        let mut view = DiffView {
            lifetime,
            from,
            to,
            changes,
            lines,
            change_rows: Vec::new(),
            rows: Vec::new(),
            collapsed: true,
            side_by_side: false,
            scroll: 0,
            note,
        };
        view.lay_out();
        view
    }

    /// Makes the rows for the current layout (unified or side by side, folded
    /// or not), with the cursor's change at the top again (the first change
    /// when there was none).
    fn lay_out(&mut self) {
        let top = self.top_line();
        let changed: Vec<bool> = if self.side_by_side {
            self.side_rows().iter().map(|(a, b)| a != b).collect()
        } else {
            self.lines
                .iter()
                .map(|l| !matches!(l, DiffLine::Same(_)))
                .collect()
        };
        self.rows = rows(&changed, self.collapsed.then_some(CONTEXT));
        self.change_rows = (0..self.rows.len())
            .filter(|&r| match self.rows[r] {
                Row::Line(k) => changed[k] && (k == 0 || !changed[k - 1]),
                Row::Folded(_) => false,
            })
            .collect();
        // Open at the first change, with a little context above it (collapsed,
        // that is the top: a folded row, the context, the change).
        let first = match self.collapsed {
            true => Some(0),
            false => self.change_rows.first().map(|&r| r.saturating_sub(CONTEXT)),
        };
        self.scroll = match top {
            Some(line) if !self.rows.is_empty() => self
                .rows
                .iter()
                .position(|r| matches!(r, Row::Line(k) if *k >= line))
                .unwrap_or(0),
            _ => first.unwrap_or(0),
        };
    }

    /// The line at the top of the screen, once rows exist.
    fn top_line(&self) -> Option<usize> {
        self.rows.get(self.scroll).map(|r| match *r {
            Row::Line(k) => k,
            Row::Folded(_) => self.rows[..self.scroll]
                .iter()
                .map(|r| match r {
                    Row::Line(_) => 1,
                    Row::Folded(n) => *n,
                })
                .sum(),
        })
    }

    /// The change list pane and the JSON pane of `area`.
    fn areas(&self, area: Rect) -> [Rect; 2] {
        let list_height = (self.changes.len().max(1) as u16 + 2)
            .min(area.height / 3)
            .max(3);
        Layout::vertical([Constraint::Length(list_height), Constraint::Min(3)]).areas(area)
    }

    /// Rows of the diff as shown (side by side pairs deletions with insertions).
    fn row_count(&self) -> usize {
        self.rows.len()
    }

    /// `z`: every line, or unchanged lines away from changes folded.
    pub fn toggle_context(&mut self) {
        self.collapsed = !self.collapsed;
        self.lay_out();
    }

    pub fn update(&mut self, action: Action, ctx: &Ctx) -> Transition {
        let height = inner(self.areas(ctx.viewport.body)[1]).height as usize;
        if let Some(delta) = movement(action, height) {
            // The last line ends the last screen: `G` keeps a screen of content.
            let last_top = self.row_count().saturating_sub(height.max(1));
            self.scroll = scrolled(self.scroll, delta, last_top);
            return Transition::Stay;
        }
        match action {
            Action::SideBySide => self.toggle_side_by_side(),
            Action::ToggleContext => self.toggle_context(),
            Action::NextChange | Action::PrevChange => {
                if !self.jump(action == Action::NextChange) {
                    return Transition::Message("no more changes".into());
                }
                // Which run of changed lines is at the top now.
                let at = self.scroll + CONTEXT;
                let k = self.change_rows.iter().filter(|&&r| r <= at).count().max(1);
                return Transition::Message(format!("change {k} of {}", self.change_rows.len()));
            }
            Action::CompareWith => {
                return Transition::Push(Target::Versions {
                    lifetime: self.lifetime,
                    picking_for: Some(self.to),
                });
            }
            _ => {}
        }
        Transition::Stay
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
        self.rows.clear();
        self.lay_out();
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

    pub fn draw(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        let t = ctx.theme;
        let Some(l) = ctx.caches.pipelines().get(self.lifetime) else {
            return;
        };
        let head = |n: Option<u64>| match n.and_then(|n| l.version(n)) {
            Some(v) => format!(
                "v{} ({} by {})",
                v.number,
                format_time_short(v.time),
                escape(&v.actor)
            ),
            None => n
                .map(|n| format!("v{n}"))
                .unwrap_or_else(|| "nothing".into()),
        };
        let title = format!(
            " {} · {} → {} · {} ",
            escape(&l.name),
            head(self.from),
            head(Some(self.to)),
            if self.side_by_side {
                "side by side"
            } else {
                "unified"
            }
        );
        let [top, bottom] = self.areas(area);
        let mut change_lines: Vec<Line> = Vec::new();
        if let Some(note) = &self.note {
            change_lines.push(Line::styled(escape(note).into_owned(), t.header));
        }
        if self.changes.is_empty() && self.note.is_none() {
            change_lines.push(Line::styled("no structural change", t.dim));
        }
        for c in &self.changes {
            let (mark, style) = op_style(t, c.op);
            let detail = match c.op {
                Op::Added => short(&c.new),
                Op::Removed => short(&c.old),
                Op::Changed => format!("{} → {}", short(&c.old), short(&c.new)),
            };
            change_lines.push(Line::from(vec![
                Span::styled(format!("{mark} {}", escape(&c.path)), style),
                Span::styled(format!("  {detail}"), t.dim),
            ]));
        }
        let count = self.changes.len();
        frame.render_widget(
            Paragraph::new(change_lines).block(pane(
                t,
                format!(
                    " {count} change{}{title}",
                    if count == 1 { "" } else { "s" }
                ),
                true,
            )),
            top,
        );
        let block = pane(
            t,
            if self.collapsed {
                " JSON · n/N next/previous change · z whole structure · s side by side · c compare with… "
            } else {
                " JSON · n/N next/previous change · z changes only · s side by side · c compare with… "
            },
            true,
        );
        let inner = block.inner(bottom);
        frame.render_widget(block, bottom);
        if self.side_by_side {
            self.draw_side_by_side(t, frame, inner);
        } else {
            self.draw_unified(t, frame, inner);
        }
    }

    fn draw_side_by_side(&self, t: &Theme, frame: &mut Frame, area: Rect) {
        let [left, right] =
            Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).areas(area);
        let mut l_lines = Vec::new();
        let mut r_lines = Vec::new();
        let side = self.side_rows();
        for row in self
            .rows
            .iter()
            .skip(self.scroll)
            .take(area.height as usize)
        {
            let k = match *row {
                Row::Line(k) => k,
                Row::Folded(n) => {
                    l_lines.push(folded(t, n));
                    r_lines.push(Line::raw(""));
                    continue;
                }
            };
            let Some((old, new)) = side.get(k) else {
                continue;
            };
            match (old, new) {
                (Some(a), Some(b)) if a == b => {
                    l_lines.push(Line::raw(format!(" {}", escape(a))));
                    r_lines.push(Line::raw(format!(" {}", escape(b))));
                }
                (Some(a), Some(b)) => {
                    let (sa, sb) = changed_span(a, b);
                    l_lines.push(emphasised("-", a, sa, t.removed, t.emphasis));
                    r_lines.push(emphasised("+", b, sb, t.added, t.emphasis));
                }
                (Some(a), None) => {
                    l_lines.push(Line::styled(format!("-{}", escape(a)), t.removed));
                    r_lines.push(Line::raw(""));
                }
                (None, Some(b)) => {
                    l_lines.push(Line::raw(""));
                    r_lines.push(Line::styled(format!("+{}", escape(b)), t.added));
                }
                (None, None) => {}
            }
        }
        frame.render_widget(Paragraph::new(l_lines), left);
        frame.render_widget(Paragraph::new(r_lines), right);
    }

    fn draw_unified(&self, t: &Theme, frame: &mut Frame, area: Rect) {
        let lines = &self.lines;
        let line = |k: usize| match &lines[k] {
            DiffLine::Same(s) => Line::raw(format!(" {}", escape(s))),
            DiffLine::Del(s) => match lines.get(k + 1) {
                Some(DiffLine::Ins(n))
                    if !matches!(lines.get(k.wrapping_sub(1)), Some(DiffLine::Del(_))) =>
                {
                    emphasised("-", s, changed_span(s, n).0, t.removed, t.emphasis)
                }
                _ => Line::styled(format!("-{}", escape(s)), t.removed),
            },
            DiffLine::Ins(s) => match k.checked_sub(1).and_then(|p| lines.get(p)) {
                Some(DiffLine::Del(o)) if !matches!(lines.get(k + 1), Some(DiffLine::Ins(_))) => {
                    emphasised("+", s, changed_span(o, s).1, t.added, t.emphasis)
                }
                _ => Line::styled(format!("+{}", escape(s)), t.added),
            },
        };
        let rows: Vec<Line> = self
            .rows
            .iter()
            .skip(self.scroll)
            .take(area.height as usize)
            .map(|row| match *row {
                Row::Line(k) if k < lines.len() => line(k),
                Row::Line(_) => Line::raw(""),
                Row::Folded(n) => folded(t, n),
            })
            .collect();
        frame.render_widget(Paragraph::new(rows), area);
    }
}

/// Puts `changes` in the order their lines come in the line diff `ops` of
/// the two structures, the order `n`/`N` visit them (the structural diff lists
/// a new key after the old ones, wherever it sits). A change goes where its
/// first changed line is: the first deleted or inserted line at its path or
/// under it.
fn in_line_order(
    changes: &mut [Change],
    ops: &[LineOp],
    old: &serde_json::Value,
    new: &serde_json::Value,
) {
    use crate::pipeline::lines::line_paths;
    // Two strings a line on each side (720k lines for 80k stages): side by side.
    let (old_paths, new_paths) = rayon::join(|| line_paths(old), || line_paths(new));
    // Each path, and each path above it, to the first changed line at or
    // under it: one pass over the changed lines, then a lookup per change.
    let mut first: rustc_hash::FxHashMap<&str, usize> = rustc_hash::FxHashMap::default();
    for (k, op) in ops.iter().enumerate() {
        let path = match *op {
            LineOp::Del(i) => old_paths.get(i),
            LineOp::Ins(j) => new_paths.get(j),
            LineOp::Same(..) => None,
        };
        let Some(path) = path else { continue };
        first.entry("").or_insert(k);
        for (at, c) in path.char_indices() {
            if c == '.' || c == '[' {
                first.entry(&path[..at]).or_insert(k);
            }
        }
        first.entry(path.as_str()).or_insert(k);
    }
    let anchor = |c: &Change| -> usize {
        let path = c.path.trim_end_matches(" (order)");
        let path = if path == "(root)" { "" } else { path };
        first.get(path).copied().unwrap_or(usize::MAX)
    };
    changes.sort_by_cached_key(anchor);
}

/// The row standing for `n` unchanged lines.
fn folded(t: &Theme, n: usize) -> Line<'static> {
    Line::styled(
        format!(
            "  ⋯ {} unchanged line{} (z shows them)",
            crate::format::thousands(n),
            if n == 1 { "" } else { "s" }
        ),
        t.dim,
    )
}

fn op_style(t: &Theme, op: Op) -> (&'static str, Style) {
    match op {
        Op::Added => ("+", t.added),
        Op::Removed => ("-", t.removed),
        Op::Changed => ("~", t.changed),
    }
}

fn short(v: &Option<serde_json::Value>) -> String {
    v.as_ref()
        .map(|v| crate::output::table::truncate(&escape(&v.to_string()), 60))
        .unwrap_or_default()
}

/// A changed line with the differing middle emphasised.
fn emphasised<'a>(
    prefix: &'a str,
    text: &str,
    span: (usize, usize),
    base: Style,
    emphasis: Style,
) -> Line<'a> {
    let chars: Vec<char> = text.chars().collect();
    let (a, b) = (span.0.min(chars.len()), span.1.min(chars.len()));
    let part =
        |r: std::ops::Range<usize>| escape(&chars[r].iter().collect::<String>()).into_owned();
    Line::from(vec![
        Span::styled(prefix, base),
        Span::styled(part(0..a), base),
        Span::styled(part(a..b.max(a)), base.patch(emphasis)),
        Span::styled(part(b.max(a)..chars.len()), base),
    ])
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

    /// The structural diff lists an added key after the old keys; the change
    /// list follows the line diff's order, as `n`/`N` do.
    #[test]
    fn changes_come_in_the_order_of_their_lines() {
        let old: serde_json::Value =
            serde_json::from_str(r#"{"a":1,"b":{"x":1},"d":[{"name":"S","n":1}]}"#).unwrap();
        let new: serde_json::Value =
            serde_json::from_str(r#"{"a":2,"c":3,"b":{"x":2},"d":[{"name":"S","n":2}]}"#).unwrap();
        let mut changes = crate::pipeline::diff::diff(&old, &new);
        let paths = |c: &[Change]| c.iter().map(|c| c.path.clone()).collect::<Vec<_>>();
        assert_eq!(
            paths(&changes),
            ["a", "b.x", "d[S].n", "c"],
            "the diff's own order"
        );
        let ops = line_ops(&pretty(&old), &pretty(&new));
        in_line_order(&mut changes, &ops, &old, &new);
        assert_eq!(paths(&changes), ["a", "c", "b.x", "d[S].n"]);
    }

    #[test]
    fn unchanged_runs_fold_beyond_the_context() {
        let changed: Vec<bool> = (0..20).map(|k| k == 10).collect();
        assert_eq!(
            rows(&changed, Some(3)),
            [
                vec![Row::Folded(7)],
                (7..=13).map(Row::Line).collect(),
                vec![Row::Folded(6)]
            ]
            .concat()
        );
        // Changes closer than twice the context keep the lines between them.
        let changed: Vec<bool> = (0..12).map(|k| k == 2 || k == 8).collect();
        assert_eq!(
            rows(&changed, Some(3)),
            [(0..12).map(Row::Line).collect::<Vec<_>>()].concat()
        );
        assert_eq!(rows(&changed, None).len(), 12);
        assert!(rows(&[false; 5], Some(3)) == [Row::Folded(5)]);
        assert!(rows(&[], Some(3)).is_empty());
    }

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

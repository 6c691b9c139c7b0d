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

    /// The change list pane and the JSON pane of `area`.
    fn areas(&self, area: Rect) -> [Rect; 2] {
        let list_height = (self.changes.len().max(1) as u16 + 2)
            .min(area.height / 3)
            .max(3);
        Layout::vertical([Constraint::Length(list_height), Constraint::Min(3)]).areas(area)
    }

    /// Rows of the diff as shown (side by side pairs deletions with insertions).
    fn row_count(&self) -> usize {
        if self.side_by_side {
            self.side_rows().len()
        } else {
            self.lines.len()
        }
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
            Action::NextChange | Action::PrevChange if !self.jump(action == Action::NextChange) => {
                return Transition::Message("no more changes".into());
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
            " JSON · n/N next/previous change · s side by side · c compare with… ",
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
        for (old, new) in self
            .side_rows()
            .iter()
            .skip(self.scroll)
            .take(area.height as usize)
        {
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
        let rows: Vec<Line> = lines
            .iter()
            .enumerate()
            .skip(self.scroll)
            .take(area.height as usize)
            .map(|(k, line)| match line {
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
                    Some(DiffLine::Del(o))
                        if !matches!(lines.get(k + 1), Some(DiffLine::Ins(_))) =>
                    {
                        emphasised("+", s, changed_span(o, s).1, t.added, t.emphasis)
                    }
                    _ => Line::styled(format!("+{}", escape(s)), t.added),
                },
            })
            .collect();
        frame.render_widget(Paragraph::new(rows), area);
    }
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

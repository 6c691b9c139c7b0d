//! The pipelines view, a pipeline's version timeline, and the diff view.

use crate::model::time::format_time_short;
use crate::output::pipelines::version_label;
use crate::pipeline::diff::Op;
use crate::sanitize::escape;
use crate::tui::app::{App, Cursor};
use crate::tui::pipelines::{DiffLine, DiffView, TimelineRow, VersionsView, changed_span};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

pub fn list(frame: &mut Frame, app: &mut App, cursor: Cursor, area: Rect) {
    let t = app.theme.clone();
    let all = app.pipelines();
    let b = super::pane(
        &t,
        format!(
            " Pipelines · {} lifetimes · Enter: version timeline ",
            all.len()
        ),
        true,
    );
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let height = inner.height.saturating_sub(1) as usize;
    app.detail_height = height.max(1);
    let mut cursor = cursor;
    cursor.clamp(all.len(), height);
    let rows: Vec<Row> = all
        .iter()
        .enumerate()
        .skip(cursor.offset)
        .take(height)
        .map(|(k, l)| {
            let (last, who) = l
                .last_change()
                .map(|(t, a)| (format_time_short(t), a))
                .unwrap_or_default();
            let row = Row::new(vec![
                Cell::from(escape(&l.account).into_owned()),
                Cell::from(escape(&l.region).into_owned()),
                Cell::from(escape(&l.name).into_owned()),
                Cell::from(l.lifetime.to_string()),
                Cell::from(if l.versions.is_empty() {
                    "-".to_string()
                } else {
                    l.loaded_ranges()
                }),
                Cell::from(l.rejected.len().to_string()),
                Cell::from(l.executions.to_string()),
                Cell::from(last),
                Cell::from(escape(&who).into_owned()),
                Cell::from(
                    l.deleted
                        .as_ref()
                        .map(|(t, _)| format_time_short(*t))
                        .unwrap_or_else(|| "-".into()),
                ),
            ]);
            if k == cursor.selected {
                row.style(t.selected)
            } else {
                row
            }
        })
        .collect();
    let widths = [
        Constraint::Length(13),
        Constraint::Length(14),
        Constraint::Fill(3),
        Constraint::Length(4),
        Constraint::Length(10),
        Constraint::Length(8),
        Constraint::Length(5),
        Constraint::Length(19),
        Constraint::Fill(2),
        Constraint::Length(19),
    ];
    let header = Row::new([
        "Account",
        "Region",
        "Pipeline",
        "Life",
        "Versions",
        "Rejected",
        "Runs",
        "Last change",
        "By",
        "Deleted",
    ])
    .style(t.header);
    frame.render_widget(
        Table::new(rows, widths).header(header).column_spacing(1),
        inner,
    );
    if let Some(crate::tui::app::View::Pipelines { cursor: live }) = app.views.last_mut() {
        *live = cursor;
    }
}

pub fn versions(frame: &mut Frame, app: &mut App, v: &VersionsView, area: Rect) {
    let t = app.theme.clone();
    let all = app.pipelines();
    let Some(l) = all.get(v.lifetime) else { return };
    let title = match v.picking_for {
        Some(to) => format!(
            " {} · pick a version to compare with v{to} (Enter) ",
            escape(&l.name)
        ),
        None => format!(
            " {} · {} · {} · lifetime {}{} · Enter: diff ",
            escape(&l.name),
            escape(&l.account),
            escape(&l.region),
            l.lifetime,
            if l.deleted.is_some() {
                " (deleted)"
            } else {
                ""
            }
        ),
    };
    let b = super::pane(&t, title, true);
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let height = inner.height.saturating_sub(1) as usize;
    app.detail_height = height.max(1);
    let mut cursor = v.cursor;
    cursor.clamp(v.rows.len(), height);
    let rows: Vec<Row> = v
        .rows
        .iter()
        .enumerate()
        .skip(cursor.offset)
        .take(height)
        .map(|(k, row)| {
            let (cells, style): (Vec<String>, Style) = match row {
                TimelineRow::Version(i) => {
                    let x = &l.versions[*i];
                    let runs = match x.executions {
                        0 => String::new(),
                        1 => "1 run".into(),
                        n => format!("{n} runs"),
                    };
                    (
                        vec![
                            version_label(&format!("v{}", x.number), VERSION_WIDTH),
                            format_time_short(x.time),
                            escape(&x.actor).into_owned(),
                            escape(&x.summary).into_owned(),
                            runs,
                        ],
                        t.base,
                    )
                }
                TimelineRow::Rejected(i) => {
                    let r = &l.rejected[*i];
                    let what = match r.attempted {
                        Some(n) => format!(
                            "✗ rejected {} ({}) — would have made v{n}",
                            r.event_name, r.error
                        ),
                        None => format!("✗ rejected {} ({})", r.event_name, r.error),
                    };
                    (
                        vec![
                            "—".into(),
                            format_time_short(r.time),
                            escape(&r.actor).into_owned(),
                            escape(&what).into_owned(),
                            String::new(),
                        ],
                        t.error,
                    )
                }
                TimelineRow::Gap(a, b) => {
                    let label = if a == b {
                        format!("v{a}")
                    } else {
                        format!("v{a}–v{b}")
                    };
                    (
                        vec![
                            version_label(&label, VERSION_WIDTH),
                            String::new(),
                            String::new(),
                            "not in the loaded logs".into(),
                            String::new(),
                        ],
                        t.dim,
                    )
                }
            };
            let style = if k == cursor.selected {
                style.patch(t.selected)
            } else {
                style
            };
            Row::new(cells).style(style)
        })
        .collect();
    let widths = [
        Constraint::Length(VERSION_WIDTH as u16),
        Constraint::Length(19),
        Constraint::Length(24),
        Constraint::Fill(1),
        Constraint::Length(9),
    ];
    let header = Row::new(["Version", "Time", "Actor", "What changed", "Runs"]).style(t.header);
    frame.render_widget(
        Table::new(rows, widths).header(header).column_spacing(1),
        inner,
    );
    if let Some(crate::tui::app::View::Versions(live)) = app.views.last_mut() {
        live.cursor = cursor;
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

/// The timeline's version column: `v` and 8 digits whole, longer numbers cut with `…`.
const VERSION_WIDTH: usize = 9;

pub fn diff(frame: &mut Frame, app: &mut App, d: &DiffView, area: Rect) {
    let t = app.theme.clone();
    let all = app.pipelines();
    let Some(l) = all.get(d.lifetime) else { return };
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
        head(d.from),
        head(Some(d.to)),
        if d.side_by_side {
            "side by side"
        } else {
            "unified"
        }
    );
    let list_height = (d.changes.len().max(1) as u16 + 2)
        .min(area.height / 3)
        .max(3);
    let [top, bottom] =
        Layout::vertical([Constraint::Length(list_height), Constraint::Min(3)]).areas(area);
    let mut change_lines: Vec<Line> = Vec::new();
    if let Some(note) = &d.note {
        change_lines.push(Line::styled(escape(note).into_owned(), t.header));
    }
    if d.changes.is_empty() && d.note.is_none() {
        change_lines.push(Line::styled("no structural change", t.dim));
    }
    for c in &d.changes {
        let (mark, style) = op_style(&t, c.op);
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
    frame.render_widget(
        Paragraph::new(change_lines).block(super::pane(
            &t,
            format!(
                " {} change{}{title}",
                d.changes.len(),
                if d.changes.len() == 1 { "" } else { "s" }
            ),
            true,
        )),
        top,
    );

    let b = super::pane(
        &t,
        " JSON · n/N next/previous change · s side by side · c compare with… ",
        true,
    );
    let inner = b.inner(bottom);
    frame.render_widget(b, bottom);
    let height = inner.height as usize;
    app.detail_height = height.max(1);
    if d.side_by_side {
        let rows = d.side_rows();
        let [left, right] =
            Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).areas(inner);
        let mut l_lines = Vec::new();
        let mut r_lines = Vec::new();
        for (old, new) in rows.iter().skip(d.scroll).take(height) {
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
    } else {
        let mut lines = Vec::new();
        let visible: Vec<(usize, &DiffLine)> = d
            .lines
            .iter()
            .enumerate()
            .skip(d.scroll)
            .take(height)
            .collect();
        for (k, line) in visible {
            lines.push(match line {
                DiffLine::Same(s) => Line::raw(format!(" {}", escape(s))),
                DiffLine::Del(s) => match d.lines.get(k + 1) {
                    Some(DiffLine::Ins(n))
                        if !matches!(d.lines.get(k.wrapping_sub(1)), Some(DiffLine::Del(_))) =>
                    {
                        emphasised("-", s, changed_span(s, n).0, t.removed, t.emphasis)
                    }
                    _ => Line::styled(format!("-{}", escape(s)), t.removed),
                },
                DiffLine::Ins(s) => match k.checked_sub(1).and_then(|p| d.lines.get(p)) {
                    Some(DiffLine::Del(o))
                        if !matches!(d.lines.get(k + 1), Some(DiffLine::Ins(_))) =>
                    {
                        emphasised("+", s, changed_span(o, s).1, t.added, t.emphasis)
                    }
                    _ => Line::styled(format!("+{}", escape(s)), t.added),
                },
            });
        }
        frame.render_widget(Paragraph::new(lines), inner);
    }
}

//! One pipeline lifetime's version timeline: versions, rejected changes and the
//! gaps where versions are not in the loaded logs. Also the picker for "compare
//! the open diff with another version".

use super::{Target, Transition, movement};
use crate::model::time::format_time_short;
use crate::output::pipelines::version_label;
use crate::pipeline::history::Lifetime;
use crate::query::Facet;
use crate::sanitize::escape;
use crate::tui::ctx::Ctx;
use crate::tui::keymap::Action;
use crate::tui::viewport::inner;
use crate::tui::widgets::{Column, Cursor, Cut, RowSearch, Table, TableRow, pane};
use ratatui::Frame;
use ratatui::layout::Rect;

/// The timeline's version column: `v` and 8 digits whole, longer numbers cut with `…`.
const VERSION_WIDTH: usize = 9;

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

#[derive(Debug, Clone)]
pub struct VersionsView {
    pub lifetime: usize,
    pub rows: Vec<TimelineRow>,
    pub cursor: Cursor,
    /// Set when picking a version to compare the open diff's newer version with.
    pub picking_for: Option<u64>,
    /// `/`: the rows shown are those whose text (version, actor, what changed) holds the query.
    pub search: RowSearch,
}

/// A timeline row's words, for `/`.
fn row_text(l: &Lifetime, row: &TimelineRow) -> String {
    match row {
        TimelineRow::Version(k) => {
            let v = &l.versions[*k];
            format!("v{} {} {}", v.number, v.actor, v.summary)
        }
        TimelineRow::Rejected(k) => {
            let r = &l.rejected[*k];
            format!("rejected {} {} {}", r.actor, r.event_name, r.error)
        }
        TimelineRow::Gap(a, b) => format!("v{a}–v{b} not in the loaded logs"),
    }
}

impl VersionsView {
    /// The timeline of `all[lifetime]`, the cursor on its newest row.
    pub fn new(
        all: &[Lifetime],
        lifetime: usize,
        picking_for: Option<u64>,
        height: usize,
    ) -> VersionsView {
        let rows = all.get(lifetime).map(timeline_rows).unwrap_or_default();
        // The picker starts on the version before the one compared (the newest
        // row would compare a version with itself).
        let before = picking_for.zip(all.get(lifetime)).and_then(|(to, l)| {
            rows.iter().rposition(
                |row| matches!(row, TimelineRow::Version(k) if l.versions[*k].number < to),
            )
        });
        let mut cursor = Cursor {
            selected: before.unwrap_or(rows.len().saturating_sub(1)),
            offset: 0,
        };
        cursor.scroll_into_view(height);
        VersionsView {
            lifetime,
            rows,
            cursor,
            picking_for,
            search: RowSearch::default(),
        }
    }

    /// The rows again, as `/` narrows them; the cursor on the newest kept.
    pub fn narrow(&mut self, all: &[Lifetime]) {
        let Some(l) = all.get(self.lifetime) else {
            return;
        };
        self.rows = timeline_rows(l)
            .into_iter()
            .filter(|row| self.search.keeps(&row_text(l, row)))
            .collect();
        self.cursor = Cursor {
            selected: self.rows.len().saturating_sub(1),
            offset: 0,
        };
    }

    pub fn update(&mut self, action: Action, ctx: &Ctx) -> Transition {
        let height = Table::body_height(inner(ctx.viewport.body));
        if let Some(delta) = movement(action, height) {
            self.cursor.step(delta, self.rows.len(), height);
            return Transition::Stay;
        }
        if action == Action::SearchRows {
            self.search.start();
            return Transition::Stay;
        }
        let Some(l) = ctx.caches.pipelines().get(self.lifetime) else {
            return Transition::Stay;
        };
        let version = match self.rows.get(self.cursor.selected) {
            Some(TimelineRow::Version(k)) => l.versions.get(*k),
            _ => None,
        };
        match action {
            Action::VersionEvent => {
                return match version {
                    Some(v) => Transition::Push(Target::VersionEvent {
                        lifetime: self.lifetime,
                        version: v.number,
                    }),
                    None => Transition::Message("put the cursor on a version".into()),
                };
            }
            Action::FilterToPipeline => {
                let mut filter = ctx.filter.clone();
                filter.pick_only(&[
                    (Facet::Pipeline, &l.name),
                    (Facet::Account, &l.account),
                    (Facet::Region, &l.region),
                ]);
                return Transition::SetFilter {
                    filter,
                    to_list: true,
                };
            }
            Action::OpenDiff => {}
            _ => return Transition::Stay,
        }
        match self.rows.get(self.cursor.selected) {
            Some(TimelineRow::Version(k)) => {
                let number = l.versions[*k].number;
                let lifetime = self.lifetime;
                match self.picking_for {
                    Some(to) => {
                        // Replace the diff under the picker with the new comparison.
                        let (from, to) = if number <= to {
                            (number, to)
                        } else {
                            (to, number)
                        };
                        let diff = Target::Diff {
                            lifetime,
                            from: Some(from),
                            to,
                        };
                        Transition::Many(vec![Transition::Pop, Transition::Replace(diff)])
                    }
                    None => {
                        let from = (l.versions[*k].event_name != "CreatePipeline")
                            .then(|| number.saturating_sub(1));
                        Transition::Push(Target::Diff {
                            lifetime,
                            from,
                            to: number,
                        })
                    }
                }
            }
            Some(TimelineRow::Rejected(k)) => Transition::Push(Target::Event {
                event: l.rejected[*k].event,
                row: None,
            }),
            Some(TimelineRow::Gap(a, b)) => {
                Transition::Message(format!("versions {a}–{b} are not in the loaded logs"))
            }
            None => Transition::Stay,
        }
    }

    pub fn draw(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        let t = ctx.theme;
        let Some(l) = ctx.caches.pipelines().get(self.lifetime) else {
            return;
        };
        let title = match self.picking_for {
            Some(to) => format!(
                " {} · pick a version to compare with v{to} (Enter) ",
                escape(&l.name)
            ),
            None => format!(
                " {} · {} · {} · lifetime {}{}{} · Enter: diff ",
                escape(&l.name),
                escape(&l.account),
                escape(&l.region),
                l.lifetime,
                if l.deleted.is_some() {
                    " (deleted)"
                } else {
                    ""
                },
                self.search.title()
            ),
        };
        let block = pane(t, title, true);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        if self.rows.is_empty() && !self.search.is_narrowing() {
            // Known from reads or runs only: say so rather than draw an empty table.
            let why = format!(
                "No CreatePipeline or UpdatePipeline event of {} is in the loaded logs: it is known \
                 only from other events (reads, runs), so it has no version to show. f filters the \
                 list to them.",
                escape(&l.name),
            );
            frame.render_widget(
                ratatui::widgets::Paragraph::new(why)
                    .style(t.dim)
                    .wrap(ratatui::widgets::Wrap { trim: true }),
                inner,
            );
            return;
        }
        let window = Table::window(inner, &self.cursor, self.rows.len());
        let rows = self.rows[window.clone()]
            .iter()
            .map(|row| match row {
                TimelineRow::Version(i) => {
                    let x = &l.versions[*i];
                    let runs = match x.executions {
                        0 => String::new(),
                        1 => "1 run".into(),
                        n => format!("{n} runs"),
                    };
                    TableRow::texts([
                        version_label(&format!("v{}", x.number), VERSION_WIDTH),
                        format_time_short(x.time),
                        escape(&x.actor).into_owned(),
                        escape(&x.summary).into_owned(),
                        runs,
                    ])
                    .style(t.base)
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
                    TableRow::texts([
                        "—".into(),
                        format_time_short(r.time),
                        escape(&r.actor).into_owned(),
                        escape(&what).into_owned(),
                        String::new(),
                    ])
                    .style(t.error)
                }
                TimelineRow::Gap(a, b) => {
                    let label = if a == b {
                        format!("v{a}")
                    } else {
                        format!("v{a}–v{b}")
                    };
                    TableRow::texts([
                        version_label(&label, VERSION_WIDTH),
                        String::new(),
                        String::new(),
                        "not in the loaded logs".into(),
                        String::new(),
                    ])
                    .style(t.dim)
                }
            })
            .collect();
        // What changed keeps 40 cells: a narrow screen loses the runs, then the actor.
        let columns = vec![
            Column::fixed("Version", VERSION_WIDTH as u16),
            Column::fixed("Time", 19),
            Column::fixed("Actor", 24).cut(Cut::Middle).priority(2),
            Column::fill("What changed", 1).at_least(40),
            Column::fixed("Runs", 9).priority(1),
        ];
        frame.render_widget(
            Table::of_window(columns, rows, &window, &self.cursor, t),
            inner,
        );
    }
}

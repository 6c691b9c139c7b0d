//! The pipelines view: every pipeline lifetime, with its versions, rejected
//! changes, runs and last change.

use super::{Target, Transition, movement};
use crate::model::time::format_time_short;
use crate::sanitize::escape;
use crate::tui::ctx::Ctx;
use crate::tui::keymap::Action;
use crate::tui::viewport::inner;
use crate::tui::widgets::{Column, Cursor, Cut, RowSearch, Table, TableRow, pane};
use ratatui::Frame;
use ratatui::layout::Rect;

#[derive(Debug, Clone, Default)]
pub struct PipelinesView {
    pub cursor: Cursor,
    /// `/`: the pipelines shown are those whose name holds the query.
    pub search: RowSearch,
}

impl PipelinesView {
    /// The rows shown: positions in the pipeline lifetimes.
    fn kept(&self, all: &[crate::pipeline::history::Lifetime]) -> Vec<usize> {
        (0..all.len())
            .filter(|&k| self.search.keeps(&all[k].name))
            .collect()
    }

    pub fn update(&mut self, action: Action, ctx: &Ctx) -> Transition {
        let all = ctx.caches.pipelines();
        let kept = self.kept(all);
        let height = Table::body_height(inner(ctx.viewport.body));
        if let Some(delta) = movement(action, height) {
            self.cursor.step(delta, kept.len(), height);
            return Transition::Stay;
        }
        match action {
            Action::SearchRows => {
                self.search.start();
                Transition::Stay
            }
            Action::OpenVersions => match kept.get(self.cursor.selected) {
                Some(&lifetime) => Transition::Push(Target::Versions {
                    lifetime,
                    picking_for: None,
                }),
                None => Transition::Stay,
            },
            _ => Transition::Stay,
        }
    }

    pub fn draw(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        let t = ctx.theme;
        let all = ctx.caches.pipelines();
        let kept = self.kept(all);
        let narrowed = if self.search.is_narrowing() {
            format!("{} of ", kept.len())
        } else {
            String::new()
        };
        let block = pane(
            t,
            format!(
                " Pipelines · {narrowed}{} lifetimes{} · / search  Enter: version timeline ",
                all.len(),
                self.search.title()
            ),
            true,
        );
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let window = Table::window(inner, &self.cursor, kept.len());
        let rows = kept[window.clone()]
            .iter()
            .map(|&k| {
                let l = &all[k];
                let (last, who) = l
                    .last_change()
                    .map(|(t, a)| (format_time_short(t), a))
                    .unwrap_or_default();
                TableRow::texts([
                    escape(&l.account).into_owned(),
                    escape(&l.region).into_owned(),
                    escape(&l.name).into_owned(),
                    l.lifetime.to_string(),
                    if l.versions.is_empty() {
                        "-".to_string()
                    } else {
                        l.loaded_ranges()
                    },
                    l.rejected.len().to_string(),
                    l.executions.to_string(),
                    last,
                    escape(&who).into_owned(),
                    l.deleted
                        .as_ref()
                        .map(|(t, _)| format_time_short(*t))
                        .unwrap_or_else(|| "-".into()),
                ])
            })
            .collect();
        // The pipeline's name is never dropped; a narrow screen loses the
        // account, region, deletion and lifetime first.
        let columns = vec![
            Column::fixed("Account", 13).priority(4),
            Column::fixed("Region", 14).priority(5),
            Column::fill("Pipeline", 3).at_least(16).cut(Cut::Middle),
            Column::fixed("Life", 4).priority(6),
            Column::fixed("Versions", 10),
            Column::fixed("Rejected", 8).priority(2),
            Column::fixed("Runs", 5).priority(2),
            Column::fixed("Last change", 19).priority(1),
            Column::fill("By", 2)
                .at_least(12)
                .cut(Cut::Middle)
                .priority(3),
            Column::fixed("Deleted", 19).priority(7),
        ];
        frame.render_widget(
            Table::of_window(columns, rows, &window, &self.cursor, t),
            inner,
        );
    }
}

//! The repositories view: one row per CodeCommit repository, with a panel of the
//! pipelines that read it and its recent pushes.

use super::{Target, Transition, movement};
use crate::format::thousands;
use crate::model::time::format_time_short;
use crate::pipeline::history::find;
use crate::query::Facet;
use crate::sanitize::escape;
use crate::tui::ctx::Ctx;
use crate::tui::keymap::Action;
use crate::tui::viewport::inner;
use crate::tui::widgets::{Column, Cursor, Cut, RowSearch, Table, TableRow, pane};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::text::Span;
use ratatui::widgets::Paragraph;

#[derive(Debug, Clone, Default)]
pub struct ReposView {
    pub cursor: Cursor,
    /// `/`: the repositories shown are those whose name holds the query.
    pub search: RowSearch,
}

impl ReposView {
    /// The rows shown: positions in the repository summaries.
    fn kept(&self, all: &[crate::activity::repos::RepoSummary]) -> Vec<usize> {
        (0..all.len())
            .filter(|&k| self.search.keeps(&all[k].name))
            .collect()
    }

    /// The repository under the cursor.
    fn selected<'a>(
        &self,
        all: &'a [crate::activity::repos::RepoSummary],
    ) -> Option<&'a crate::activity::repos::RepoSummary> {
        self.kept(all).get(self.cursor.selected).map(|&k| &all[k])
    }

    /// The table pane and the panel of the selected repository.
    fn areas(area: Rect) -> [Rect; 2] {
        Layout::vertical([Constraint::Min(5), Constraint::Length(10)]).areas(area)
    }

    pub fn update(&mut self, action: Action, ctx: &Ctx) -> Transition {
        let repos = ctx.caches.repos();
        let height = Table::body_height(inner(Self::areas(ctx.viewport.body)[0]));
        if let Some(delta) = movement(action, height) {
            self.cursor.step(delta, self.kept(repos).len(), height);
            return Transition::Stay;
        }
        if action == Action::SearchRows {
            self.search.start();
            return Transition::Stay;
        }
        let Some(r) = self.selected(repos) else {
            return Transition::Stay;
        };
        match action {
            Action::FilterToRepo => {
                let mut filter = ctx.filter.clone();
                filter.pick_only(&[
                    (Facet::Repository, &r.name),
                    (Facet::Account, &r.account),
                    (Facet::Region, &r.region),
                ]);
                Transition::SetFilter {
                    filter,
                    to_list: true,
                }
            }
            Action::RepoPipeline => {
                let Some(name) = r.pipelines.first() else {
                    return Transition::Message("no pipeline reads this repository".into());
                };
                let all = ctx.caches.pipelines();
                match find(all, name, Some(&r.account), Some(&r.region)) {
                    Some(lifetime) => Transition::Push(Target::Versions {
                        lifetime,
                        picking_for: None,
                    }),
                    None => Transition::Stay,
                }
            }
            _ => Transition::Stay,
        }
    }

    pub fn draw(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        let t = ctx.theme;
        let all = ctx.caches.repos();
        let [table_area, panel] = Self::areas(area);
        let kept = self.kept(all);
        let narrowed = if self.search.is_narrowing() {
            format!("{} of ", thousands(kept.len()))
        } else {
            String::new()
        };
        let block = pane(
            t,
            format!(
                " Repositories · {narrowed}{}{}{} · / search  Enter filter  p pipeline history ",
                thousands(all.len()),
                super::under_title(ctx),
                self.search.title()
            ),
            true,
        );
        let inner = block.inner(table_area);
        frame.render_widget(block, table_area);
        let who = |x: &Option<(i64, String)>| {
            x.as_ref()
                .map(|(tm, a)| format!("{} {}", format_time_short(*tm), escape(a)))
                .unwrap_or_else(|| "-".into())
        };
        let window = Table::window(inner, &self.cursor, kept.len());
        let rows = kept[window.clone()]
            .iter()
            .map(|&k| {
                let r = &all[k];
                TableRow::texts([
                    escape(&r.account).into_owned(),
                    escape(&r.region).into_owned(),
                    escape(&r.name).into_owned(),
                    thousands(r.pushes.len()),
                    format!(
                        "{} ({} data)",
                        thousands(r.pulls as usize),
                        thousands(r.pulls_with_data as usize)
                    ),
                    r.branches_created.to_string(),
                    r.archive_uploads.to_string(),
                    who(&r.created),
                    who(&r.deleted),
                    format_time_short(r.last_activity),
                    escape(&r.pipelines.join(",")).into_owned(),
                ])
                .style(t.base)
            })
            .collect();
        // The repository's name is never dropped; a narrow screen loses the
        // account, region and the rarer counts first.
        let columns = vec![
            Column::fixed("Account", 13).priority(5),
            Column::fixed("Region", 10).priority(6),
            Column::fill("Repository", 2).at_least(16).cut(Cut::Middle),
            Column::fixed("Pushes", 6),
            Column::fixed("Pulls", 14).priority(2),
            Column::fixed("Branches", 8).priority(3),
            Column::fixed("Uploads", 7).priority(4),
            Column::fill("Created", 4)
                .at_least(8)
                .cut(Cut::Middle)
                .priority(7),
            Column::fill("Deleted", 2)
                .at_least(8)
                .cut(Cut::Middle)
                .priority(7),
            Column::fixed("Last activity", 19).priority(1),
            Column::fill("Pipelines", 2).at_least(10).priority(4),
        ];
        frame.render_widget(
            Table::of_window(columns, rows, &window, &self.cursor, t),
            inner,
        );
        self.draw_panel(ctx, frame, panel);
    }

    fn draw_panel(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        let t = ctx.theme;
        let selected = self.selected(ctx.caches.repos());
        let mut lines = Vec::new();
        if let Some(r) = selected {
            lines.push(Line::from(vec![
                Span::styled("Pipelines reading it  ", t.key),
                Span::raw(if r.pipelines.is_empty() {
                    "-".into()
                } else {
                    escape(&r.pipelines.join(", ")).into_owned()
                }),
            ]));
            lines.push(Line::styled("Recent pushes", t.header));
            for p in r
                .pushes
                .iter()
                .rev()
                .take(area.height.saturating_sub(4) as usize)
            {
                let refs = if p.refs.is_empty() {
                    "(references not in the logs)".to_string()
                } else {
                    p.refs
                        .iter()
                        .map(|(r, c)| {
                            format!(
                                "{} {}",
                                escape(r),
                                escape(&c.chars().take(10).collect::<String>())
                            )
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let pair = if p.events.len() == 2 {
                    ""
                } else {
                    " · one record"
                };
                lines.push(Line::raw(format!(
                    "  {}  {}  {refs}{pair}",
                    format_time_short(p.time),
                    escape(&p.actor)
                )));
            }
        }
        let title = selected
            .map(|r| {
                format!(
                    " {} · {} · {} ",
                    escape(&r.name),
                    escape(&r.account),
                    escape(&r.region)
                )
            })
            .unwrap_or_default();
        frame.render_widget(Paragraph::new(lines).block(pane(t, title, false)), area);
    }
}

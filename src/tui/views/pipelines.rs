//! The pipelines view: every pipeline lifetime, with its versions, rejected
//! changes, runs and last change.

use super::{Target, Transition, movement};
use crate::index::Index;
use crate::model::time::format_time_short;
use crate::pipeline::history::Lifetime;
use crate::sanitize::escape;
use crate::tui::ctx::{Ctx, Under};
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
    /// Under a filter: per lifetime, whether one of the filter's events names
    /// its pipeline (in its account and region). Histories are always built
    /// from every event; only the list follows the filter.
    pub under: Option<Vec<bool>>,
    /// Set when the filter changed since `under` was made.
    pub stale: bool,
}

impl PipelinesView {
    /// The view of `all` lifetimes, listing those with events of `under`.
    pub fn new(all: &[Lifetime], index: &Index, under: &Under) -> PipelinesView {
        PipelinesView {
            under: under
                .events
                .as_deref()
                .map(|events| with_events(all, index, events)),
            ..PipelinesView::default()
        }
    }

    /// After the filter changed: the pipelines of the new filter's events.
    pub fn refresh(&mut self, all: &[Lifetime], index: &Index, under: &Under) {
        if std::mem::take(&mut self.stale) {
            self.under = under
                .events
                .as_deref()
                .map(|events| with_events(all, index, events));
            self.cursor = Cursor::default();
        }
    }

    /// The rows shown: positions in the pipeline lifetimes.
    fn kept(&self, all: &[Lifetime]) -> Vec<usize> {
        (0..all.len())
            .filter(|&k| self.under.as_ref().is_none_or(|u| u.get(k) == Some(&true)))
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
        let narrowed = if self.search.is_narrowing() || self.under.is_some() {
            format!("{} of ", kept.len())
        } else {
            String::new()
        };
        let block = pane(
            t,
            format!(
                " Pipelines · {narrowed}{} lifetimes{}{} · / search  Enter: version timeline ",
                all.len(),
                super::under_title(ctx),
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

/// Per lifetime of `all`: whether one of `events` names its pipeline in its
/// account and region. Events are grouped by (pipeline set, account, region)
/// first: a million events have a few dozen such groups.
fn with_events(all: &[Lifetime], index: &Index, events: &[u32]) -> Vec<bool> {
    let c = &index.cols;
    let groups: rustc_hash::FxHashSet<(u32, u32, u32)> = events
        .iter()
        .map(|&i| i as usize)
        .filter(|&i| c.pipelines[i] != 0)
        .map(|i| (c.pipelines[i], c.account[i], c.region[i]))
        .collect();
    let named: rustc_hash::FxHashSet<(&str, &str, &str)> = groups
        .iter()
        .flat_map(|&(set, account, region)| {
            let (account, region) = (index.strings.get(account), index.strings.get(region));
            index
                .set(set)
                .iter()
                .map(move |&name| (account, region, index.strings.get(name)))
        })
        .collect();
    all.iter()
        .map(|l| named.contains(&(l.account.as_str(), l.region.as_str(), l.name.as_str())))
        .collect()
}

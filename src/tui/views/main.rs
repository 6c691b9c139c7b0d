//! The main screen: the facet panes, the timeline and the event list. It is the
//! bottom of the view stack and is always there; its state is the list and facet
//! cursors and which pane has the focus.

use super::{Target, Transition, movement};
use crate::format::{human_bytes, thousands};
use crate::index::StrId;
use crate::model::time::format_time_short;
use crate::query::Facet;
use crate::sanitize::escape;
use crate::tui::ctx::{Ctx, LoadState};
use crate::tui::keymap::{Action, Context};
use crate::tui::viewport::inner;
use crate::tui::widgets::{
    Column, Cursor, Cut, Table, TableRow, cell_text, contains, fit, highlighted, pane,
};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Gauge, Paragraph, Sparkline};
use std::sync::atomic::Ordering;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Facets,
    List,
}

/// Where the main screen's parts are, for a body area.
#[derive(Debug, Clone, Copy)]
pub struct MainLayout {
    pub facets: Rect,
    pub facet_tabs: Rect,
    pub facet_values: Rect,
    /// The facet value rows (below the values' header line).
    pub facet_rows: Rect,
    /// `None` when the screen is too short for it.
    pub timeline: Option<Rect>,
    pub list: Rect,
    /// The event rows (below the header line).
    pub list_rows: Rect,
}

impl MainLayout {
    pub fn new(area: Rect) -> MainLayout {
        let facet_width = if area.width >= 100 {
            30
        } else {
            (area.width / 3).max(16)
        };
        let [facets, right] =
            Layout::horizontal([Constraint::Length(facet_width), Constraint::Min(10)]).areas(area);
        let timeline_height = if right.height >= 14 { 4 } else { 0 };
        let [timeline, list] =
            Layout::vertical([Constraint::Length(timeline_height), Constraint::Min(3)])
                .areas(right);
        let facet_inner = inner(facets);
        let tabs_height = (Facet::ALL.len() as u16 + 1).min(facet_inner.height / 2);
        let [facet_tabs, facet_values] =
            Layout::vertical([Constraint::Length(tabs_height), Constraint::Min(1)])
                .areas(facet_inner);
        let below_header = |r: Rect| Rect {
            y: r.y + 1.min(r.height),
            height: r.height.saturating_sub(1),
            ..r
        };
        MainLayout {
            facets,
            facet_tabs,
            facet_values,
            facet_rows: below_header(facet_values),
            timeline: (timeline_height > 0).then_some(timeline),
            list,
            list_rows: below_header(inner(list)),
        }
    }

    /// Buckets the timeline draws (one per column inside its border).
    pub fn timeline_width(&self) -> usize {
        self.timeline
            .map(|t| t.width.saturating_sub(2) as usize)
            .unwrap_or(0)
    }
}

/// The selected event: its position in the index, and (file, position in file),
/// which survives a new index.
#[derive(Debug, Clone, Copy)]
pub struct SelectedEvent {
    pub event: u32,
    pub key: (u32, u32),
}

#[derive(Debug, Clone)]
pub struct MainView {
    pub list: Cursor,
    pub focus: Focus,
    /// Which facet the facet pane shows, and its cursor.
    pub facet: usize,
    pub facet_cursor: Cursor,
}

impl Default for MainView {
    fn default() -> Self {
        MainView {
            list: Cursor::default(),
            focus: Focus::List,
            facet: 0,
            facet_cursor: Cursor::default(),
        }
    }
}

impl MainView {
    pub fn context(&self) -> Context {
        match self.focus {
            Focus::List => Context::List,
            Focus::Facets => Context::Facets,
        }
    }

    pub fn current_facet(&self) -> Facet {
        Facet::ALL[self.facet % Facet::ALL.len()]
    }

    /// The current facet's values with their counts, most frequent first.
    pub fn facet_values<'a>(&self, ctx: &Ctx<'a>) -> &'a [(StrId, u32)] {
        ctx.results
            .selection
            .facets
            .get(self.facet)
            .map(|v| v.as_slice())
            .unwrap_or(&[])
    }

    /// The event under the list cursor.
    pub fn selected_event(&self, shown: crate::tui::ctx::Shown<'_>) -> Option<u32> {
        shown.get(self.list.selected)
    }

    /// Keeps both cursors inside their lists and windows (after the results or the screen changed).
    pub fn clamp(&mut self, ctx: &Ctx) {
        let layout = MainLayout::new(ctx.viewport.body);
        self.list
            .clamp(ctx.results.shown().len(), layout.list_rows.height as usize);
        let len = self.facet_values(ctx).len();
        self.facet_cursor
            .clamp(len, layout.facet_rows.height as usize);
    }

    /// The selected event, to select again after the list changes.
    pub fn selected_key(&self, ctx: &Ctx) -> Option<SelectedEvent> {
        let event = self.selected_event(ctx.results.shown())?;
        let i = event as usize;
        Some(SelectedEvent {
            event,
            key: (ctx.index.cols.file[i], ctx.index.cols.ordinal[i]),
        })
    }

    /// Puts the cursor back on the event `key` names, or on the first row when
    /// that event is no longer shown.
    pub fn reselect(&mut self, selected: Option<SelectedEvent>, ctx: &Ctx) {
        let cols = &ctx.index.cols;
        let shown = ctx.results.shown();
        let row = selected.and_then(|SelectedEvent { event, key }| {
            let e = event as usize;
            if cols.file.get(e) == Some(&key.0) && cols.ordinal.get(e) == Some(&key.1) {
                // The same index (a new filter): a binary search, not a scan of
                // up to a million rows on the UI thread.
                shown.row_of(event)
            } else {
                shown
                    .iter()
                    .position(|i| (cols.file[i as usize], cols.ordinal[i as usize]) == key)
            }
        });
        if row.is_none() {
            self.list.offset = 0;
        }
        self.select_row(row.unwrap_or(0), ctx);
    }

    /// Puts the list cursor on `row`.
    pub fn select_row(&mut self, row: usize, ctx: &Ctx) {
        let height = MainLayout::new(ctx.viewport.body).list_rows.height as usize;
        self.list.select(row, ctx.results.shown().len(), height);
    }

    pub fn update(&mut self, action: Action, ctx: &Ctx) -> Transition {
        let layout = MainLayout::new(ctx.viewport.body);
        let (cursor, len, height) = match self.focus {
            Focus::List => (
                &mut self.list,
                ctx.results.shown().len(),
                layout.list_rows.height,
            ),
            Focus::Facets => {
                let len = ctx
                    .results
                    .selection
                    .facets
                    .get(self.facet)
                    .map_or(0, Vec::len);
                (&mut self.facet_cursor, len, layout.facet_rows.height)
            }
        };
        if let Some(delta) = movement(action, height as usize) {
            cursor.step(delta, len, height as usize);
            return Transition::Stay;
        }
        match action {
            Action::FocusNext | Action::FocusPrev => {
                self.focus = if self.focus == Focus::List {
                    Focus::Facets
                } else {
                    Focus::List
                };
            }
            Action::Left => self.switch_facet(-1),
            Action::Right => self.switch_facet(1),
            Action::OpenEvent => {
                if let Some(event) = self.selected_event(ctx.results.shown()) {
                    let row = Some(self.list.selected);
                    return Transition::Push(Target::Event { event, row });
                }
            }
            Action::DiffOfEvent => return self.diff_of_selected_event(ctx),
            Action::ToggleValue | Action::ExcludeValue => {
                if let Some(&(id, _)) = self.facet_values(ctx).get(self.facet_cursor.selected) {
                    let value = ctx.index.strings.get(id);
                    let mut filter = ctx.filter.clone();
                    if action == Action::ToggleValue {
                        filter.toggle_facet_value(self.current_facet(), value);
                    } else {
                        filter.exclude_facet_value(self.current_facet(), value);
                    }
                    return Transition::SetFilter {
                        filter,
                        to_list: false,
                    };
                }
            }
            Action::ClearFacet => {
                let mut filter = ctx.filter.clone();
                filter.clear_facet(self.current_facet());
                return Transition::SetFilter {
                    filter,
                    to_list: false,
                };
            }
            _ => {}
        }
        Transition::Stay
    }

    fn switch_facet(&mut self, delta: isize) {
        let n = Facet::ALL.len() as isize;
        self.facet = ((self.facet as isize + delta).rem_euclid(n)) as usize;
        self.facet_cursor = Cursor::default();
    }

    /// `d` on a `CreatePipeline`/`UpdatePipeline` event: the diff of the version it made.
    fn diff_of_selected_event(&self, ctx: &Ctx) -> Transition {
        let Some(event) = self.selected_event(ctx.results.shown()) else {
            return Transition::Stay;
        };
        for (lifetime, l) in ctx.caches.pipelines().iter().enumerate() {
            if let Some(v) = l.versions.iter().find(|v| v.event == event) {
                let from = (v.event_name != "CreatePipeline").then(|| v.number.saturating_sub(1));
                return Transition::Push(Target::Diff {
                    lifetime,
                    from,
                    to: v.number,
                });
            }
            if l.rejected.iter().any(|r| r.event == event) {
                return Transition::Message("this change was rejected: it made no version".into());
            }
        }
        Transition::Message("d works on a successful CreatePipeline or UpdatePipeline event".into())
    }

    /// A left click: focus the pane under it and select the row (or the next facet).
    pub fn click(&mut self, column: u16, row: u16, ctx: &Ctx) {
        let layout = MainLayout::new(ctx.viewport.body);
        if contains(layout.list_rows, column, row) {
            self.focus = Focus::List;
            let start = self.list.window_start(layout.list_rows.height as usize);
            let target = start + (row - layout.list_rows.y) as usize;
            if target < ctx.results.shown().len() {
                self.list.selected = target;
                self.list.offset = start;
            }
        } else if contains(layout.facet_rows, column, row) {
            self.focus = Focus::Facets;
            let start = self
                .facet_cursor
                .window_start(layout.facet_rows.height as usize);
            let target = start + (row - layout.facet_rows.y) as usize;
            if target < self.facet_values(ctx).len() {
                self.facet_cursor.selected = target;
                self.facet_cursor.offset = start;
            }
        } else if contains(layout.facet_tabs, column, row) {
            self.focus = Focus::Facets;
            self.switch_facet(1);
        }
    }

    pub fn draw(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        let layout = MainLayout::new(area);
        self.draw_facets(ctx, frame, &layout);
        if let Some(timeline) = layout.timeline {
            match ctx.load {
                LoadState::Loading { progress } => draw_load_gauge(ctx, progress, frame, timeline),
                LoadState::Done { .. } => draw_timeline(ctx, frame, timeline),
            }
        }
        self.draw_list(ctx, frame, &layout);
    }

    fn draw_facets(&self, ctx: &Ctx, frame: &mut Frame, layout: &MainLayout) {
        let t = ctx.theme;
        let focused = self.focus == Focus::Facets;
        frame.render_widget(pane(t, " Facets ", focused), layout.facets);
        let width = layout.facet_tabs.width as usize;
        let tab_lines: Vec<Line> = Facet::ALL
            .iter()
            .enumerate()
            .map(|(k, f)| {
                let distinct = ctx
                    .results
                    .selection
                    .facets
                    .get(k)
                    .map(|v| v.len())
                    .unwrap_or(0);
                let active = ctx
                    .filter
                    .terms
                    .iter()
                    .any(|term| Facet::of(&term.cond) == Some(*f));
                let marker = if k == self.facet { "▸ " } else { "  " };
                let name = format!("{marker}{}{}", f.title(), if active { " •" } else { "" });
                let count = thousands(distinct);
                let style = if k == self.facet { t.title } else { t.base };
                Line::from(vec![
                    Span::styled(fit(&name, width.saturating_sub(count.len() + 1)), style),
                    Span::styled(format!(" {count}"), t.dim),
                ])
            })
            .collect();
        frame.render_widget(Paragraph::new(tab_lines), layout.facet_tabs);

        let facet = self.current_facet();
        let values = self.facet_values(ctx);
        let window = Table::window(layout.facet_values, &self.facet_cursor, values.len());
        let counts: Vec<String> = values[window.clone()]
            .iter()
            .map(|(_, n)| thousands(*n as usize))
            .collect();
        let count_width = counts.iter().map(String::len).max().unwrap_or(1);
        let room = (layout.facet_values.width as usize).saturating_sub(count_width + 3);
        let rows = values[window.clone()]
            .iter()
            .zip(counts)
            .map(|(&(id, _), count)| {
                let value = ctx.index.strings.get(id);
                let shown = match facet {
                    Facet::Source => value.trim_end_matches(".amazonaws.com"),
                    _ => value,
                };
                let (mark, style) = match ctx.filter.facet_state(facet, value) {
                    Some(true) => ("✓ ", t.facet_on),
                    Some(false) => ("✗ ", t.facet_off),
                    None => ("  ", t.base),
                };
                // Identities, resources and names differ at their end as often
                // as at their start: cut in the middle, both ends stay.
                let text = crate::output::table::cut_middle(&escape(shown), room);
                TableRow::new(vec![
                    Line::styled(format!("{mark}{}", fit(&text, room)), style),
                    Line::styled(count, t.dim).right_aligned(),
                ])
            })
            .collect();
        let columns = vec![
            Column::fill(format!("{} values", facet.title()), 1),
            Column::content("", 1, 16),
        ];
        frame.render_widget(
            Table::new(columns, rows)
                .first(window.start)
                .selected(
                    self.facet_cursor.selected,
                    if focused { t.selected } else { t.dim },
                )
                .header_style(t.header),
            layout.facet_values,
        );
    }

    fn draw_list(&self, ctx: &Ctx, frame: &mut Frame, layout: &MainLayout) {
        let t = ctx.theme;
        let focused = self.focus == Focus::List;
        let title = if ctx.results.newest_first {
            " Events · newest first "
        } else {
            " Events · oldest first "
        };
        let block = pane(t, title, focused);
        let area = block.inner(layout.list);
        frame.render_widget(block, layout.list);
        let shown = ctx.results.shown();
        let words = ctx.filter.fuzzy_words();
        let window = Table::window(area, &self.list, shown.len());
        let plain = Style::default();
        let rows = shown
            .rows(window.clone())
            .map(|i| {
                let e = ctx.index.event(i as usize);
                let style = if !e.error().is_empty() {
                    t.error
                } else if e.read_only() == Some(true) {
                    t.dim
                } else {
                    t.base
                };
                TableRow::new(vec![
                    Line::raw(format_time_short(e.time())),
                    highlighted(e.name(), &words, plain, t.highlight),
                    Line::raw(cell_text(e.source().trim_end_matches(".amazonaws.com"))),
                    highlighted(e.actor(), &words, plain, t.highlight),
                    highlighted(e.resource(), &words, plain, t.highlight),
                    Line::raw(cell_text(e.region())),
                    Line::raw(cell_text(e.source_ip())),
                    Line::raw(cell_text(e.error())),
                ])
                .style(style)
            })
            .collect();
        // Time, event and actor are never dropped, and give up width last; an
        // identity is cut in the middle (its session name or e-mail is at the
        // end) and needs 30 columns to show one; a narrow list drops the error,
        // then the region, the address, the source, the resource.
        // Columns with a facet are as wide as their widest value under the
        // filter (the facet's values), so they stay put while the list scrolls.
        let widest = |facet: Facet| -> usize {
            let k = Facet::ALL.iter().position(|f| *f == facet).unwrap_or(0);
            ctx.results.widest.get(k).copied().unwrap_or(0)
        };
        let columns = vec![
            Column::content("Time", 9, 19).cut(Cut::Front),
            Column::content("Event", 14, 32).widest(widest(Facet::Event)),
            Column::content("Source", 6, 18)
                .priority(3)
                .widest(widest(Facet::Source)),
            Column::content("Actor", 30, 64)
                .cut(Cut::Middle)
                .widest(widest(Facet::User)),
            Column::content("Resource", 8, 40)
                .cut(Cut::Middle)
                .priority(2),
            Column::content("Region", 9, 14)
                .priority(4)
                .widest(widest(Facet::Region)),
            Column::content("Source IP", 15, 39)
                .cut(Cut::Middle)
                .priority(3),
            Column::content("Error", 6, 28)
                .priority(5)
                .widest(widest(Facet::Error)),
        ];
        let selected = if focused {
            t.selected
        } else {
            t.selected.add_modifier(Modifier::UNDERLINED)
        };
        frame.render_widget(
            Table::new(columns, rows)
                .first(window.start)
                .selected(self.list.selected, selected)
                .header_style(t.header),
            area,
        );
        if shown.is_empty() {
            let msg = if ctx.index.is_empty() {
                "no events loaded yet"
            } else {
                "no events match the filter"
            };
            let y = area.y + 2.min(area.height.saturating_sub(1));
            frame.render_widget(
                Paragraph::new(Span::styled(msg, t.dim)),
                Rect {
                    y,
                    height: 1,
                    ..area
                },
            );
        }
    }
}

/// The histogram of the matching events over the loaded time range.
fn draw_timeline(ctx: &Ctx, frame: &mut Frame, area: Rect) {
    let times = &ctx.index.cols.time;
    let range = match (
        times.first(),
        times.iter().rev().find(|&&t| t != crate::model::NO_TIME),
    ) {
        (Some(&a), Some(&b)) => format!(" {} … {} ", format_time_short(a), format_time_short(b)),
        _ => String::new(),
    };
    frame.render_widget(
        Sparkline::default()
            .block(pane(ctx.theme, format!(" Timeline{range}"), false))
            .data(&ctx.results.timeline)
            .style(ctx.theme.timeline),
        area,
    );
}

/// While loading, the timeline's place shows how far loading has got.
fn draw_load_gauge(ctx: &Ctx, progress: &crate::load::Progress, frame: &mut Frame, area: Rect) {
    let total = progress.files_total.load(Ordering::Relaxed);
    let done = progress.files_done.load(Ordering::Relaxed);
    let ratio = if total == 0 {
        0.0
    } else {
        done as f64 / total as f64
    };
    let events = thousands(progress.events.load(Ordering::Relaxed));
    let errors = progress.errors.load(Ordering::Relaxed);
    let label = if progress.s3.is_active() {
        // S3: objects read of those found, prefixes listed, cached, downloaded, throughput.
        format!(
            "{} of {} objects · {events} events · {errors} errors · {}",
            thousands(done),
            thousands(total),
            progress.s3.summary()
        )
    } else {
        format!(
            "{} of {} files · {events} events · {} · {errors} errors",
            thousands(done),
            thousands(total),
            human_bytes(progress.bytes.load(Ordering::Relaxed)),
        )
    };
    let gauge = Gauge::default()
        .block(pane(ctx.theme, " Loading ", false))
        .gauge_style(ctx.theme.gauge)
        .ratio(ratio.clamp(0.0, 1.0))
        .label(label);
    frame.render_widget(gauge, area);
}

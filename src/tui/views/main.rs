//! The main screen: the facet panes, the timeline and the event list. It is the
//! bottom of the view stack and is always there; its state is the list and facet
//! cursors and which pane has the focus.

use super::{Target, Transition, movement};
use crate::format::{human_bytes, thousands};
use crate::index::StrId;
use crate::model::Millis;
use crate::model::time::format_time_short;
use crate::query::Facet;
use crate::sanitize::escape;
use crate::tui::ctx::{Ctx, LoadState};
use crate::tui::keymap::{Action, Context};
use crate::tui::timeline::Timeline;
use crate::tui::viewport::inner;
use crate::tui::widgets::{
    Column, Cursor, Cut, RowSearch, Table, TableRow, cell_text, contains, fit, highlighted, pane,
};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Gauge, Paragraph};
use std::sync::atomic::Ordering;

/// The event list's columns: time, event, source, actor, resource, region,
/// source IP, error.
pub const LIST_COLUMNS: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Facets,
    Timeline,
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
        // A row of bars and the axis; two rows of bars when there is room.
        let timeline_height = match right.height {
            20.. => 5,
            14.. => 4,
            _ => 0,
        };
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

    /// Buckets the timeline may draw (at most one per column inside its border).
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
    /// The timeline's cursor, as a time (the bucket that holds it): it stays
    /// on the same moment when the buckets change with the filter or a zoom.
    /// `None`: the newest bucket.
    pub timeline_at: Option<Millis>,
    /// The time bounds before each zoom, for `z`.
    pub zooms: Vec<(Option<Millis>, Option<Millis>)>,
    /// The bucket a mouse drag over the timeline started on.
    pub drag_from: Option<usize>,
    /// The list's columns scrolled off to the left (`←`/`→`).
    pub h_skip: usize,
    /// The list's cell cursor (`Tab` within the row, or a click): the column
    /// `f`/`F` filter on.
    pub cell: Option<usize>,
    /// `/` in the facet pane: the values shown are those that hold the query.
    pub facet_search: RowSearch,
}

impl Default for MainView {
    fn default() -> Self {
        MainView {
            list: Cursor::default(),
            focus: Focus::List,
            facet: 0,
            facet_cursor: Cursor::default(),
            timeline_at: None,
            zooms: Vec::new(),
            drag_from: None,
            h_skip: 0,
            cell: None,
            facet_search: RowSearch::default(),
        }
    }
}

impl MainView {
    pub fn context(&self) -> Context {
        match self.focus {
            Focus::List => Context::List,
            Focus::Facets => Context::Facets,
            Focus::Timeline => Context::Timeline,
        }
    }

    /// The bucket under the timeline's cursor, if there are buckets.
    pub fn timeline_bucket(&self, timeline: &Timeline) -> Option<usize> {
        if timeline.is_empty() {
            return None;
        }
        Some(match self.timeline_at {
            Some(at) => timeline.bucket_of(at),
            None => timeline.len() - 1,
        })
    }

    pub fn current_facet(&self) -> Facet {
        Facet::ALL[self.facet % Facet::ALL.len()]
    }

    /// The current facet's values with their counts, most frequent first;
    /// with a `/` query, those that hold it.
    pub fn facet_values<'a>(&self, ctx: &Ctx<'a>) -> std::borrow::Cow<'a, [(StrId, u32)]> {
        let all = ctx
            .results
            .selection
            .facets
            .get(self.facet)
            .map(|v| v.as_slice())
            .unwrap_or(&[]);
        if !self.facet_search.is_narrowing() {
            return std::borrow::Cow::Borrowed(all);
        }
        all.iter()
            .filter(|(id, _)| self.facet_search.keeps(ctx.index.strings.get(*id)))
            .copied()
            .collect()
    }

    /// A key typed into the facet values' `/` query (the cursor goes back to
    /// the first value kept).
    pub fn facet_search_key(&mut self, key: &ratatui::crossterm::event::KeyEvent) {
        if self.facet_search.key(key) {
            self.facet_cursor = Cursor::default();
        }
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
        if matches!(action, Action::FocusNext | Action::FocusPrev) {
            let forward = action == Action::FocusNext;
            // In the list, Tab walks the row's cells first, then leaves.
            if self.focus == Focus::List {
                self.cell = match (self.cell, forward) {
                    (None, true) => Some(0),
                    (Some(c), true) if c + 1 < LIST_COLUMNS => Some(c + 1),
                    (Some(c), false) if c > 0 => Some(c - 1),
                    (Some(_), false) => None,
                    _ => {
                        self.cycle_focus(forward, layout.timeline.is_some());
                        None
                    }
                };
                self.show_cell(ctx);
                return Transition::Stay;
            }
            self.cycle_focus(forward, layout.timeline.is_some());
            return Transition::Stay;
        }
        if self.focus == Focus::List {
            match action {
                Action::Left => {
                    self.h_skip = self.h_skip.saturating_sub(1);
                    return Transition::Stay;
                }
                Action::Right => return self.scroll_right(ctx),
                Action::PivotTo | Action::PivotExclude => {
                    return self.pivot_on_cell(action == Action::PivotExclude, ctx);
                }
                _ => {}
            }
        }
        if self.focus == Focus::Timeline {
            return self.timeline_update(action, ctx);
        }
        let (cursor, len, height) = match self.focus {
            Focus::List => (
                &mut self.list,
                ctx.results.shown().len(),
                layout.list_rows.height,
            ),
            Focus::Facets | Focus::Timeline => {
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
            Action::SearchRows => self.facet_search.start(),
            Action::Back => {
                self.facet_search.clear();
                self.facet_cursor = Cursor::default();
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

    /// `→` in the list: one more column scrolled off to the left, unless every
    /// column from the first shown on is already there.
    fn scroll_right(&mut self, ctx: &Ctx) -> Transition {
        let area = Self::list_area(ctx);
        let shown = self.list_table(ctx, area).shown_columns(area.width);
        if shown.len() + self.h_skip >= LIST_COLUMNS {
            return Transition::Message("every column is shown".into());
        }
        self.h_skip += 1;
        Transition::Stay
    }

    /// `f`/`F` in the list: the filter to (or without) the value of the cell
    /// under the cell cursor, with the field of its column.
    fn pivot_on_cell(&self, exclude: bool, ctx: &Ctx) -> Transition {
        use crate::query::Term;
        let Some(cell) = self.cell else {
            return Transition::Message(
                "Tab to a cell (or click one) to filter on its value".into(),
            );
        };
        let Some(event) = self.selected_event(ctx.results.shown()) else {
            return Transition::Stay;
        };
        let e = ctx.index.event(event as usize);
        let mut filter = ctx.filter.clone();
        // Each column's value pivots as the detail view's line of the same
        // field does (`query::pivot::term_for`).
        let (value, path): (&str, &[&str]) = match cell {
            0 => {
                if exclude || e.time() == crate::model::NO_TIME {
                    return Transition::Message("F on a time: zoom the timeline instead".into());
                }
                filter.set_time_bounds(
                    Some(e.time() / 1000 * 1000),
                    Some(e.time() / 1000 * 1000 + 1000),
                );
                return Transition::SetFilter {
                    filter,
                    to_list: true,
                };
            }
            1 => (e.name(), &["eventName"]),
            2 => (e.source(), &["eventSource"]),
            3 => (e.actor(), &["userIdentity", "arn"]),
            4 => (e.resource(), &["resources", "0", "ARN"]),
            5 => (e.region(), &["awsRegion"]),
            6 => (e.source_ip(), &["sourceIPAddress"]),
            _ => (e.error(), &["errorCode"]),
        };
        if value.is_empty() {
            return Transition::Message("the cell is empty: nothing to filter on".into());
        }
        let path: Vec<String> = path.iter().map(|p| p.to_string()).collect();
        let cond = crate::query::pivot::term_for(&path, value).cond;
        filter.pivot(Term {
            negated: exclude,
            cond,
        });
        Transition::SetFilter {
            filter,
            to_list: true,
        }
    }

    /// `Tab`: facets → timeline → list → facets (`BackTab` the other way); the
    /// timeline is skipped when the screen has no room for it.
    fn cycle_focus(&mut self, forward: bool, has_timeline: bool) {
        let order: &[Focus] = if has_timeline {
            &[Focus::Facets, Focus::Timeline, Focus::List]
        } else {
            &[Focus::Facets, Focus::List]
        };
        let at = order.iter().position(|&f| f == self.focus).unwrap_or(0);
        let step = if forward { 1 } else { order.len() - 1 };
        self.focus = order[(at + step) % order.len()];
    }

    /// Keys with the timeline focused: the bucket cursor, zooming in and out.
    fn timeline_update(&mut self, action: Action, ctx: &Ctx) -> Transition {
        let timeline = &ctx.results.timeline;
        let Some(bucket) = self.timeline_bucket(timeline) else {
            return match action {
                Action::ZoomOut => self.zoom_out(ctx),
                Action::Left | Action::Right | Action::ZoomIn => {
                    Transition::Message("no event with a time to show".into())
                }
                _ => Transition::Stay,
            };
        };
        let last = timeline.len() - 1;
        let moved = match action {
            Action::Left => Some(bucket.saturating_sub(1)),
            Action::Right => Some((bucket + 1).min(last)),
            Action::PageUp => Some(bucket.saturating_sub(10)),
            Action::PageDown => Some((bucket + 10).min(last)),
            Action::Top => Some(0),
            Action::Bottom => Some(last),
            _ => None,
        };
        if let Some(b) = moved {
            self.timeline_at = Some(timeline.span(b).0);
            return Transition::Stay;
        }
        match action {
            Action::ZoomIn => self.zoom_in(bucket, bucket, ctx),
            Action::ZoomOut => self.zoom_out(ctx),
            _ => Transition::Stay,
        }
    }

    /// Filters to buckets `from..=to` (`since:` the first's start, `until:` the
    /// last's end), remembering the bounds before for `z`.
    fn zoom_in(&mut self, from: usize, to: usize, ctx: &Ctx) -> Transition {
        let timeline = &ctx.results.timeline;
        let (from, to) = (from.min(to), from.max(to));
        if timeline
            .counts
            .get(from..=to)
            .is_none_or(|c| c.iter().all(|&n| n == 0))
        {
            return Transition::Message("no events there to zoom into".into());
        }
        let (since, _) = timeline.span(from);
        let (_, until) = timeline.span(to);
        let mut filter = ctx.filter.clone();
        self.zooms.push(filter.time_bounds());
        filter.set_time_bounds(Some(since), Some(until));
        self.timeline_at = Some(since);
        Transition::SetFilter {
            filter,
            to_list: false,
        }
    }

    /// `z`: the time bounds before the last zoom (none left: no time bounds).
    fn zoom_out(&mut self, ctx: &Ctx) -> Transition {
        let mut filter = ctx.filter.clone();
        let before = match self.zooms.pop() {
            Some(bounds) => bounds,
            None if filter.time_bounds() != (None, None) => (None, None),
            None => return Transition::Message("not zoomed in".into()),
        };
        filter.set_time_bounds(before.0, before.1);
        Transition::SetFilter {
            filter,
            to_list: false,
        }
    }

    fn switch_facet(&mut self, delta: isize) {
        let n = Facet::ALL.len() as isize;
        self.facet = ((self.facet as isize + delta).rem_euclid(n)) as usize;
        self.facet_cursor = Cursor::default();
        self.facet_search = RowSearch::default();
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

    /// The mouse over the timeline: a press focuses it and puts the cursor on
    /// the bucket under it; a drag moves the cursor; releasing after a drag over
    /// several buckets zooms into them.
    pub fn timeline_mouse(&mut self, kind: TimelineMouse, column: u16, ctx: &Ctx) -> Transition {
        let layout = MainLayout::new(ctx.viewport.body);
        let timeline = &ctx.results.timeline;
        let Some(area) = layout.timeline.map(inner) else {
            return Transition::Stay;
        };
        if timeline.is_empty() {
            return Transition::Stay;
        }
        let x = column
            .saturating_sub(area.x)
            .min(area.width.saturating_sub(1));
        let bucket = timeline.bucket_at(x as usize, area.width as usize);
        match kind {
            TimelineMouse::Press => {
                self.focus = Focus::Timeline;
                self.drag_from = Some(bucket);
            }
            TimelineMouse::Drag => {}
            TimelineMouse::Release => {
                if let Some(from) = self.drag_from.take()
                    && from != bucket
                {
                    return self.zoom_in(from, bucket, ctx);
                }
            }
        }
        self.timeline_at = Some(timeline.span(bucket).0);
        Transition::Stay
    }

    /// Whether the timeline is at (`column`, `row`).
    pub fn on_timeline(&self, column: u16, row: u16, ctx: &Ctx) -> bool {
        MainLayout::new(ctx.viewport.body)
            .timeline
            .is_some_and(|t| contains(inner(t), column, row))
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
                let area = Self::list_area(ctx);
                self.cell = self
                    .list_table(ctx, area)
                    .column_at(column.saturating_sub(area.x), area.width);
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
                LoadState::Done { .. } => self.draw_timeline(ctx, frame, timeline),
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
            Column::fill(
                format!("{} values{}", facet.title(), self.facet_search.title()),
                1,
            ),
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

    /// The timeline: bars of the matching events per bucket (errors in their
    /// own colour at the foot of each bar), the cursor's bucket highlighted when
    /// focused, tick labels underneath; the title says the span and step, or
    /// the cursor bucket's span and counts.
    fn draw_timeline(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        let t = ctx.theme;
        let timeline = &ctx.results.timeline;
        let focused = self.focus == Focus::Timeline;
        let cursor = self.timeline_bucket(timeline).filter(|_| focused);
        // While a mouse drag goes on, the buckets it spans.
        let marked = cursor.map(|c| {
            let from = self.drag_from.unwrap_or(c);
            from.min(c)..=from.max(c)
        });
        let title = timeline_title(timeline, cursor);
        frame.render_widget(pane(t, title, focused), area);
        let area = inner(area);
        if timeline.is_empty() || area.height == 0 || area.width == 0 {
            return;
        }
        let axis = area.height >= 2;
        let bars = area.height - u16::from(axis);
        let width = area.width as usize;
        let max = timeline.counts.iter().copied().max().unwrap_or(0).max(1);
        // A bar's height in eighths of a cell; any event shows at least one.
        let eighths = |n: u64| -> u64 {
            let full = u64::from(bars) * 8;
            if n == 0 { 0 } else { (n * full / max).max(1) }
        };
        const LEVELS: [&str; 9] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];
        let buf = frame.buffer_mut();
        for b in 0..timeline.len() {
            let total = eighths(timeline.counts[b]);
            let errors = eighths(timeline.errors[b]).min(total);
            let highlight = marked.as_ref().is_some_and(|m| m.contains(&b));
            for x in timeline.columns_of(b, width) {
                for level in 0..bars {
                    let y = area.y + bars - 1 - level;
                    let filled = total.saturating_sub(u64::from(level) * 8).min(8);
                    let in_errors = errors.saturating_sub(u64::from(level) * 8).min(8);
                    // A cell mostly made of errors is drawn in the errors' colour.
                    let mut style = if in_errors > 0 && in_errors * 2 >= filled {
                        t.error
                    } else {
                        t.timeline
                    };
                    if highlight {
                        style = style.patch(t.selected);
                    }
                    if let Some(cell) = buf.cell_mut((area.x + x as u16, y)) {
                        cell.set_symbol(LEVELS[filled as usize]).set_style(style);
                    }
                }
            }
        }
        if axis {
            let y = area.y + bars;
            for (x, label) in timeline.ticks(width) {
                buf.set_string(area.x + x as u16, y, label, t.dim);
            }
        }
    }

    /// The event list's table for `area` (inside the pane's border): the
    /// window of rows around the cursor, the columns scrolled by `←`/`→`, the
    /// cell cursor. Drawing, clicks and the cell cursor's scrolling share it.
    fn list_table<'a>(&self, ctx: &Ctx<'a>, area: Rect) -> Table<'a> {
        let t = ctx.theme;
        let focused = self.focus == Focus::List;
        let shown = ctx.results.shown();
        let words = ctx.filter.fuzzy_words();
        let window = Table::window(area, &self.list, shown.len());
        let plain = Style::default();
        let rows = shown
            .rows(window.clone())
            .map(|i| {
                let e = ctx.index.event(i as usize);
                // A push is two GitPush records: the one with references says
                // `repo ← refs/heads/main`; its negotiation partner (no
                // references) is dimmed like a read-only event.
                let pushed = if e.name() == "GitPush" {
                    e.git_refs()
                } else {
                    Vec::new()
                };
                let negotiation = e.name() == "GitPush" && pushed.is_empty();
                let style = if !e.error().is_empty() {
                    t.error
                } else if e.read_only() == Some(true) || negotiation {
                    t.dim
                } else {
                    t.base
                };
                let resource = match pushed.as_slice() {
                    [] => highlighted(e.resource(), &words, plain, t.highlight),
                    [(reference, _), more @ ..] => Line::raw(cell_text(&format!(
                        "{} ← {reference}{}",
                        e.resource(),
                        if more.is_empty() {
                            String::new()
                        } else {
                            format!(" +{}", more.len())
                        }
                    ))),
                };
                TableRow::new(vec![
                    Line::raw(format_time_short(e.time())),
                    highlighted(e.name(), &words, plain, t.highlight),
                    Line::raw(cell_text(e.source().trim_end_matches(".amazonaws.com"))),
                    highlighted(e.actor(), &words, plain, t.highlight),
                    resource,
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
        Table::new(columns, rows)
            .first(window.start)
            .selected(self.list.selected, selected)
            .header_style(t.header)
            .skip_columns(self.h_skip)
            // The focused cell is a gap in the selected row's bar: not
            // reversed, underlined and bold, whatever the row's own style.
            .focused_cell(
                self.cell.filter(|_| focused),
                Style::default()
                    .remove_modifier(Modifier::REVERSED)
                    .add_modifier(Modifier::UNDERLINED | Modifier::BOLD),
            )
    }

    /// The list's table area (inside its border) on this screen.
    fn list_area(ctx: &Ctx) -> Rect {
        inner(MainLayout::new(ctx.viewport.body).list)
    }

    /// Scrolls the columns so the cell cursor's column is shown.
    fn show_cell(&mut self, ctx: &Ctx) {
        let Some(cell) = self.cell else { return };
        let area = Self::list_area(ctx);
        if cell < self.h_skip {
            self.h_skip = cell;
        }
        // The rows are read from the index once; only the scroll changes.
        let table = self.list_table(ctx, area);
        while self.h_skip < cell
            && !table
                .clone()
                .skip_columns(self.h_skip)
                .shown_columns(area.width)
                .contains(&cell)
        {
            self.h_skip += 1;
        }
    }

    fn draw_list(&self, ctx: &Ctx, frame: &mut Frame, layout: &MainLayout) {
        let t = ctx.theme;
        let focused = self.focus == Focus::List;
        let title = if ctx.results.newest_first {
            " Events · newest first "
        } else {
            " Events · oldest first "
        };
        let area = inner(layout.list);
        let table = self.list_table(ctx, area);
        // Columns off to either side (a narrow screen, or `←`/`→`): the title
        // says how many, where the header would have no room to.
        let right = LIST_COLUMNS
            .saturating_sub(self.h_skip)
            .saturating_sub(table.shown_columns(area.width).len());
        let title = match (self.h_skip, right) {
            (0, 0) => title.to_string(),
            (left, right) => format!(
                "{title}· columns {}{}(←/→) ",
                if left > 0 {
                    format!("‹{left} ")
                } else {
                    String::new()
                },
                if right > 0 {
                    format!("{right}› ")
                } else {
                    String::new()
                },
            ),
        };
        frame.render_widget(pane(t, title, focused), layout.list);
        let shown = ctx.results.shown();
        frame.render_widget(table, area);
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

/// Unfocused: the span the buckets cover and their size. Focused: the cursor
/// bucket's span, its events and errors (the zoom keys are in the status bar).
fn timeline_title(timeline: &Timeline, cursor: Option<usize>) -> String {
    if timeline.is_empty() {
        return " Timeline · no event with a time ".into();
    }
    match cursor {
        Some(b) => {
            let (from, to) = timeline.span(b);
            let errors = timeline.errors[b];
            format!(
                " Timeline · {} · {} event{}{} ",
                crate::tui::timeline::span_text(from, to),
                thousands(timeline.counts[b] as usize),
                if timeline.counts[b] == 1 { "" } else { "s" },
                if errors > 0 {
                    format!(
                        ", {} error{}",
                        thousands(errors as usize),
                        if errors == 1 { "" } else { "s" }
                    )
                } else {
                    String::new()
                }
            )
        }
        None => {
            let (from, _) = timeline.span(0);
            let (_, to) = timeline.span(timeline.len() - 1);
            format!(
                " Timeline {} … {} · buckets of {} ",
                format_time_short(from),
                format_time_short(to),
                crate::tui::timeline::step_name(timeline.step)
            )
        }
    }
}

/// What the mouse did over the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimelineMouse {
    Press,
    Drag,
    Release,
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

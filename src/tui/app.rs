//! The browser's one owner of state: the loaded index, the filter and its
//! results, the main screen and the stack of views over it. Keys are routed
//! here (prompt > filter editor > top view > main screen > everywhere), turned
//! into [`Action`]s by the key table, handed to the view on top, and the
//! [`Transition`] it answers is applied. Nothing here touches the terminal: work
//! the run loop must do (clipboard, background jobs) is queued as [`Effect`]s.

use super::ctx::{Caches, Ctx, LoadState, Results, Under};
use super::filter_bar::FilterState;
pub use super::jobs::Effect;
use super::jobs::Evaluation;
use super::jobs::Msg;
use super::keymap::{Action, Context, lookup};
use super::prompt::WritePrompt;
use super::results::evaluate;
use super::text_search::TextSearch;
use super::theme::Theme;
use super::viewport::Viewport;
use super::views::help::HelpView;
use super::views::main::{Focus, MainLayout, MainView, TimelineMouse};
use super::views::problems::ProblemsView;
use super::views::{Target, Transition, View};
use crate::index::Index;
use crate::load::LoadReport;
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::Rect;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

pub struct App {
    pub theme: Theme,
    pub index: Arc<Index>,
    /// The strings bare filter words are matched against, for this index.
    candidates: Arc<crate::query::fuzzy::Haystack>,
    /// Apply filters off the UI thread (the terminal loop sets it; tests and
    /// benchmarks apply them in place).
    pub background: bool,
    /// The filter being applied in the background: its generation and the flag
    /// that cancels it when a newer filter comes.
    pub evaluating: Option<(u64, Arc<AtomicBool>)>,
    generation: u64,
    /// Counts index replacements (loading snapshots), so summaries built from an
    /// older index are not kept.
    pub index_generation: u64,
    /// A delivery came while the cursor was on the newest event: it goes to the
    /// new newest event when the filter's results arrive.
    pub to_tail: bool,
    /// A diff view being built: its request, and whether it replaces the top view.
    pub diffing: Option<(u64, bool)>,
    diff_requests: u64,
    /// An action waiting for the summaries it needs.
    pub building: Option<super::summaries::Building>,
    pub report: LoadReport,
    pub load: LoadState,
    /// Shown at the top when browsing the bundled demo trail.
    pub banner: Option<String>,
    pub filter: FilterState,
    pub results: Results,
    pub caches: Caches,
    pub main: MainView,
    /// Views over the main screen, innermost last.
    pub stack: Vec<View>,
    /// The users, repositories and pipelines views last closed (for this
    /// index): opened again, they come back as they were — cursor, sort, `/`.
    parked: Vec<View>,
    /// `a` in the users, repositories or pipelines view: they count every
    /// event, not those under the filter.
    pub every_event: bool,
    pub viewport: Viewport,
    /// The file-name prompt of `w`.
    pub prompt: Option<WritePrompt>,
    pub message: Option<String>,
    pub search: TextSearch,
    next_request: u64,
    pub effects: Vec<Effect>,
    pub quit: bool,
    /// `--follow`: when new deliveries last came (`None` before the first).
    pub following: Option<Following>,
    /// A yes/no question from a job (the loader, the writer), waiting for `y`
    /// or `n`: the question, what the answers do, where the answer goes.
    pub question: Option<(String, &'static str, std::sync::mpsc::Sender<bool>)>,
}

pub use super::following::Following;

/// A diff replaced by another (a compare) keeps its layout: side by side stays.
fn keep_diff_layout(replaced: Option<&View>, new: &mut View) {
    if let (Some(View::Diff(old)), View::Diff(new)) = (replaced, new)
        && old.side_by_side
        && !new.side_by_side
    {
        new.toggle_side_by_side();
    }
}

impl App {
    pub fn new(index: Arc<Index>, report: LoadReport, load: LoadState, theme: Theme) -> App {
        let super::jobs::Prepared { index, candidates } = index.into();
        let mut app = App {
            theme,
            index,
            candidates,
            background: false,
            evaluating: None,
            generation: 0,
            index_generation: 0,
            to_tail: false,
            diffing: None,
            diff_requests: 0,
            building: None,
            report,
            load,
            banner: None,
            filter: FilterState::default(),
            results: Results {
                newest_first: true,
                ..Results::default()
            },
            caches: Caches::default(),
            main: MainView::default(),
            stack: Vec::new(),
            parked: Vec::new(),
            every_event: false,
            viewport: Viewport::new(Rect::new(0, 0, 140, 40), false, false),
            prompt: None,
            message: None,
            search: TextSearch::default(),
            next_request: 0,
            effects: Vec::new(),
            quit: false,
            following: None,
            question: None,
        };
        app.apply_filter();
        app
    }

    /// What views read: borrowed from the app for one update or draw.
    pub fn ctx(&self) -> Ctx<'_> {
        Ctx {
            index: &self.index,
            report: &self.report,
            load: &self.load,
            filter: &self.filter.filter,
            results: &self.results,
            caches: &self.caches,
            theme: &self.theme,
            viewport: &self.viewport,
        }
    }

    /// The screen is `width`×`height`: lay it out again and keep cursors inside.
    pub fn resize(&mut self, width: u16, height: u16) {
        let viewport = Viewport::new(
            Rect::new(0, 0, width, height),
            self.banner.is_some(),
            self.filter.second_line(),
        );
        if viewport != self.viewport {
            let width_before = MainLayout::new(self.viewport.body).timeline_width();
            self.viewport = viewport;
            if MainLayout::new(viewport.body).timeline_width() != width_before {
                self.results.timeline = super::timeline::Timeline::of(
                    &self.index,
                    &self.results.selection.events,
                    self.results.timed,
                    self.timeline_width(),
                );
            }
            self.with_main(|main, ctx| main.clamp(ctx));
        }
    }

    /// Runs `f` on the main screen with the context it reads.
    pub(super) fn with_main<T>(&mut self, f: impl FnOnce(&mut MainView, &Ctx) -> T) -> T {
        let mut main = std::mem::take(&mut self.main);
        let out = f(&mut main, &self.ctx());
        self.main = main;
        out
    }

    fn timeline_width(&self) -> usize {
        MainLayout::new(self.viewport.body).timeline_width()
    }

    /// The users, repositories and pipelines views count the events under the
    /// current filter (unless `a` asked for every event): summaries of other
    /// events are dropped; views left open make their rows again when they
    /// come back (keeping their sort, `/` and, for users, the selected actor).
    fn follow_filter(&mut self) {
        let wanted = (!self.every_event && !self.results.filter.is_empty())
            .then(|| self.results.filter.clone());
        if self.caches.under().filter != wanted {
            let under = match wanted {
                Some(_) => Under::results(&self.results),
                None => Under::all(),
            };
            let mut parked = std::mem::take(&mut self.parked);
            for view in &mut parked {
                view.rescope(&self.ctx());
            }
            self.parked = parked;
            self.caches.rescope(under);
        }
    }

    /// Sets the filter from text (as `--filter` does); a parse error is kept for display.
    pub fn set_filter_text(&mut self, text: &str) {
        if self.filter.set_text(text) {
            self.apply_filter();
        }
    }

    /// Replaces the index (a loading snapshot or the final one), keeping the
    /// selected event selected.
    pub fn set_index(&mut self, index: impl Into<super::jobs::Prepared>, report: LoadReport) {
        let keep = self.selected_key();
        let prepared = index.into();
        self.index = prepared.index;
        self.candidates = prepared.candidates;
        self.report = report;
        self.search.clear();
        self.caches = Caches::default();
        self.parked.clear();
        self.index_generation += 1;
        // A view waiting for summaries asks again, of the new index.
        if let Some(waiting) = self.building.take() {
            self.ready_for(waiting.action);
        }
        self.apply_filter();
        self.reselect(keep);
    }

    fn selected_key(&self) -> Option<super::views::main::SelectedEvent> {
        self.main.selected_key(&self.ctx())
    }

    fn reselect(&mut self, key: Option<super::views::main::SelectedEvent>) {
        self.with_main(|main, ctx| main.reselect(key, ctx));
    }

    /// Re-evaluates the filter, facet counts, list order and timeline; starts a
    /// raw-text search for `text:` needles not searched yet (cancelling an older one).
    pub fn apply_filter(&mut self) {
        self.filter.pending_since = None;
        let keep = self.selected_key();
        let needles = self.filter.filter.text_terms();
        if let Some(effect) = self.search.start(needles.iter().map(|(s, _)| *s)) {
            self.effects.push(effect);
        }
        if let Some((_, cancel)) = self.evaluating.take() {
            cancel.store(true, Ordering::Relaxed);
        }
        if self.background {
            // Only the newest filter is computed: the older one stops at its next
            // chunk, and its answer, if any, is dropped by generation.
            self.generation += 1;
            let cancel = Arc::new(AtomicBool::new(false));
            self.evaluating = Some((self.generation, cancel.clone()));
            self.effects.push(Effect::Evaluate(Box::new(Evaluation {
                generation: self.generation,
                filter: self.filter.filter.clone(),
                text_hits: self.search.hits.clone(),
                candidates: self.candidates.clone(),
                newest_first: self.results.newest_first,
                timeline_width: self.timeline_width(),
                cancel,
            })));
            return;
        }
        self.results = evaluate(
            &self.index,
            &self.filter.filter,
            &self.search.hits,
            &self.candidates,
            self.results.newest_first,
            self.timeline_width(),
        );
        self.reselect(keep);
    }

    /// Runs a pending filter change: at once when filters run in the background
    /// (each keystroke's job cancels the one before, so nothing queues), else
    /// once typing has paused for [`super::filter_bar::DEBOUNCE`].
    pub fn tick(&mut self, now: Instant) {
        let pending = self.filter.pending_since.is_some();
        if pending && (self.background || self.filter.due(now)) {
            self.apply_filter();
        }
    }

    /// A message from a background job.
    pub fn on_msg(&mut self, msg: Msg) {
        match msg {
            Msg::Snapshot(index, report) => self.grow_index(index, report),
            Msg::Loaded(index, report, elapsed) => {
                self.grow_index(index, report);
                self.load = LoadState::Done { elapsed };
            }
            Msg::Delivered(index, report) => self.deliver(index, report),
            Msg::Confirm {
                question,
                choices,
                answer,
            } => self.question = Some((question, choices, answer)),
            Msg::TextSearch { generation, hits } => {
                if self.search.finish(generation, hits) {
                    self.apply_filter();
                }
            }
            Msg::Wrote(result) => self.message = Some(result.unwrap_or_else(|e| e)),
            Msg::Built { generation, caches } => self.summaries_built(generation, *caches),
            Msg::DiffBuilt { request, view } => self.diff_built(request, view),
            Msg::Evaluated {
                generation,
                results,
            } => {
                if self
                    .evaluating
                    .as_ref()
                    .is_some_and(|(g, _)| *g == generation)
                {
                    self.evaluating = None;
                    let keep = self.selected_key();
                    self.results = *results;
                    if std::mem::take(&mut self.to_tail) {
                        self.select_newest();
                    } else {
                        self.reselect(keep);
                    }
                }
            }
            Msg::EventRead { request, doc } => {
                if let Some(View::Detail(d)) = self.stack.last_mut()
                    && d.request == request
                {
                    d.loaded(*doc);
                }
            }
        }
    }

    /// The key context: the view on top, else the main screen's focused pane.
    pub fn context(&self) -> Context {
        self.stack
            .last()
            .map(View::context)
            .unwrap_or(self.main.context())
    }

    pub fn on_key(&mut self, key: KeyEvent) {
        if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
            self.quit = true;
            return;
        }
        if self.question.is_some() {
            self.answer_key(key);
            return;
        }
        if self.prompt.is_some() {
            self.prompt_key(key);
            return;
        }
        if self.filter.editing.is_some() {
            self.filter_key(key);
            return;
        }
        if self.stack.is_empty() && self.main.facet_search.is_editing() {
            self.main.facet_search_key(&key);
            return;
        }
        if let Some(mut view) = self.stack.pop_if(|v| v.is_searching()) {
            view.search_key(&key, &self.ctx());
            self.stack.push(view);
            return;
        }
        if key.code == KeyCode::Esc && self.diffing.take().is_some() {
            self.message = Some("cancelled".into());
            return;
        }
        if key.code == KeyCode::Esc && self.building.take().is_some() {
            self.message = Some("cancelled".into());
            return;
        }
        let context = self.context();
        let action = lookup(context, &key)
            .or_else(|| {
                self.stack
                    .is_empty()
                    .then(|| lookup(Context::Main, &key))
                    .flatten()
            })
            .or_else(|| lookup(Context::Global, &key));
        if let Some(action) = action {
            self.message = None;
            self.act(action);
        }
    }

    /// Actions of the app itself; the rest go to the view on top or the main screen.
    pub(super) fn act(&mut self, action: Action) {
        match action {
            Action::Quit | Action::ForceQuit => self.quit = true,
            Action::Help => self.push(View::Help(HelpView::default())),
            Action::Errors => self.push(View::Problems(ProblemsView::default())),
            Action::EditFilter => self.filter.start_editing(),
            Action::StepBackFilter => {
                if self.filter.step_back() {
                    self.apply_filter();
                    self.message = Some(if self.filter.text.is_empty() {
                        "back to no filter".into()
                    } else {
                        format!(
                            "back to the filter before: {}",
                            crate::sanitize::escape(&self.filter.text)
                        )
                    });
                } else {
                    self.message = Some("no earlier filter to go back to".into());
                }
            }
            Action::WriteEvents => self.prompt = Some(WritePrompt::default()),
            Action::ToggleOrder => {
                self.results.newest_first = !self.results.newest_first;
                self.apply_filter();
            }
            Action::ToggleUnder if self.results.filter.is_empty() => {
                self.message = Some("no filter: the view counts every event".into());
            }
            Action::ToggleUnder => {
                self.every_event = !self.every_event;
                // Parked, the view comes back over the other events with its
                // sort, `/` and selected actor.
                if let Some(view) = self.stack.pop_if(|v| v.opened_by().is_some()) {
                    let action = view.opened_by();
                    self.park(view);
                    if let Some(action) = action {
                        self.act(action);
                    }
                }
            }
            Action::OpenPipelines | Action::OpenUsers | Action::OpenRepos => {
                self.follow_filter();
                if self.ready_for(action) {
                    if let Some(at) = self
                        .parked
                        .iter()
                        .position(|v| v.opened_by() == Some(action))
                    {
                        let mut view = self.parked.remove(at);
                        view.refresh(&self.ctx());
                        self.push(view);
                        return;
                    }
                    match super::views::open(action, &mut self.caches, &self.index) {
                        Ok(view) => self.push(view),
                        Err(why) => self.message = Some(why),
                    }
                }
            }
            _ => {
                if self.ready_for(action) {
                    self.dispatch(action);
                }
            }
        }
    }

    /// Hands an action to the view on top (or the main screen) and applies its answer.
    fn dispatch(&mut self, action: Action) {
        let transition = match self.stack.pop() {
            Some(mut view) => {
                let transition = view.update(action, &self.ctx());
                self.stack.push(view);
                transition
            }
            None => self.with_main(|main, ctx| main.update(action, ctx)),
        };
        self.apply(transition);
    }

    fn apply(&mut self, transition: Transition) {
        match transition {
            Transition::Stay => {}
            Transition::Push(target) => self.open(target, false),
            Transition::Pop => {
                if let Some(view) = self.stack.pop() {
                    self.park(view);
                }
            }
            Transition::Replace(target) => self.open(target, true),
            Transition::Many(all) => all.into_iter().for_each(|t| self.apply(t)),
            Transition::SetFilter { filter, to_list } => {
                self.filter.set(filter);
                self.apply_filter();
                if to_list {
                    for view in std::mem::take(&mut self.stack) {
                        self.park(view);
                    }
                    self.main.focus = Focus::List;
                }
            }
            Transition::Message(text) => self.message = Some(text),
            Transition::Copy { text, what } => {
                self.effects.push(Effect::Copy(text));
                self.message = Some(format!("copied {what} to the clipboard (OSC 52)"));
            }
            Transition::ShowEvent { row } => {
                let Some(event) = self.results.shown().get(row) else {
                    return;
                };
                self.with_main(|main, ctx| main.select_row(row, ctx));
                let row = Some(row);
                self.apply(Transition::Replace(Target::Event { event, row }));
            }
        }
    }

    /// Opens the view `target` names on top (`replace`: instead of the top one).
    /// In the terminal a diff view is built by a job and opens when it is ready.
    fn open(&mut self, target: Target, replace: bool) {
        if let (true, Target::Diff { lifetime, from, to }) = (self.background, &target)
            && let Some(pipelines) = self.caches.pipelines_shared()
        {
            self.diff_requests += 1;
            self.diffing = Some((self.diff_requests, replace));
            self.message = Some("building the diff… (Esc: stop waiting)".into());
            self.effects.push(Effect::BuildDiff {
                request: self.diff_requests,
                pipelines,
                lifetime: *lifetime,
                from: *from,
                to: *to,
            });
            return;
        }
        let replaced = if replace { self.stack.pop() } else { None };
        if let Some(mut view) = target.build(&self.ctx()) {
            keep_diff_layout(replaced.as_ref(), &mut view);
            self.push(view);
        }
    }

    /// Keeps a closed users, repositories or pipelines view to open again.
    /// The view `action` opens, if it was left open (for tests).
    pub fn parked_view(&self, action: Action) -> Option<&View> {
        self.parked.iter().find(|v| v.opened_by() == Some(action))
    }

    fn park(&mut self, view: View) {
        if let Some(action) = view.opened_by() {
            self.parked.retain(|v| v.opened_by() != Some(action));
            self.parked.push(view);
        }
    }

    /// A diff view built by a job: shown if it is the one still awaited.
    fn diff_built(&mut self, request: u64, view: Box<super::views::diff::DiffView>) {
        match self.diffing {
            Some((awaited, replace)) if awaited == request => {
                self.diffing = None;
                self.message = None;
                let mut view = View::Diff(view);
                if replace {
                    keep_diff_layout(self.stack.pop().as_ref(), &mut view);
                }
                self.push(view);
            }
            _ => {}
        }
    }

    /// Pushes a view; a detail view starts reading its event's JSON in the background.
    fn push(&mut self, mut view: View) {
        if let View::Detail(d) = &mut view
            && d.is_reading()
        {
            self.next_request += 1;
            d.request = self.next_request;
            self.effects.push(Effect::ReadEvent {
                request: d.request,
                event: d.event,
            });
        }
        self.stack.push(view);
    }

    fn timeline_mouse(&mut self, kind: TimelineMouse, column: u16) {
        let transition = self.with_main(|main, ctx| main.timeline_mouse(kind, column, ctx));
        self.apply(transition);
    }

    pub fn on_mouse(&mut self, m: MouseEvent) {
        match m.kind {
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                let action = if m.kind == MouseEventKind::ScrollDown {
                    Action::Down
                } else {
                    Action::Up
                };
                for _ in 0..3 {
                    self.dispatch(action);
                }
            }
            MouseEventKind::Down(MouseButton::Left)
                if self.stack.is_empty()
                    && self.with_main(|main, ctx| main.on_timeline(m.column, m.row, ctx)) =>
            {
                self.timeline_mouse(TimelineMouse::Press, m.column);
            }
            MouseEventKind::Drag(MouseButton::Left) if self.main.drag_from.is_some() => {
                self.timeline_mouse(TimelineMouse::Drag, m.column);
            }
            MouseEventKind::Up(MouseButton::Left) if self.main.drag_from.is_some() => {
                self.timeline_mouse(TimelineMouse::Release, m.column);
            }
            MouseEventKind::Down(MouseButton::Left) if self.stack.is_empty() => {
                self.with_main(|main, ctx| main.click(m.column, m.row, ctx));
            }
            _ => {}
        }
    }
}

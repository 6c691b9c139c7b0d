//! The browser's state and how actions change it. Drawing reads this state;
//! nothing here touches the terminal. Side effects the run loop must perform
//! (clipboard, background jobs) are queued as [`Effect`]s, so the whole
//! behaviour can be driven by tests without a terminal.

use super::activity::UsersView;
use super::json_view::{Folded, flatten};
use super::keymap::{Action, Context, lookup};
use super::pipelines::{DiffView, TimelineRow, VersionsView, timeline_rows};
use super::theme::Theme;
use crate::activity::repos::{RepoSummary, repos};
use crate::activity::users::{UserSummary, users};
use crate::index::{Index, StrId};
use crate::load::{LoadReport, Progress};
use crate::pipeline::history::{Lifetime, histories};
use crate::query::eval::TextHits;
use crate::query::facets::{Selection, select};
use crate::query::{Compiled, Facet, Filter, ParseError, Scope};
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::Rect;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Orders events by fuzzy score, best first, keeping their order among equal
/// scores. Scores are computed in parallel and placed by a counting sort (skim
/// scores are small integers), so a one-letter word matching a million events
/// stays within a keystroke's budget.
fn best_first(events: &[u32], compiled: &Compiled<'_>) -> Vec<u32> {
    use rayon::prelude::*;
    const RANGE: usize = 1 << 14;
    let scores: Vec<i32> = events
        .par_iter()
        .map(|&i| compiled.fuzzy_score(i as usize))
        .collect();
    if scores.iter().any(|&s| s < 0 || s as usize >= RANGE) {
        let mut order: Vec<usize> = (0..events.len()).collect();
        order.sort_by_key(|&k| std::cmp::Reverse(scores[k]));
        return order.into_iter().map(|k| events[k]).collect();
    }
    let mut starts = vec![0usize; RANGE + 1];
    for &s in &scores {
        starts[RANGE - 1 - s as usize + 1] += 1;
    }
    for k in 1..starts.len() {
        starts[k] += starts[k - 1];
    }
    let mut out = vec![0u32; events.len()];
    for (k, &s) in scores.iter().enumerate() {
        let slot = &mut starts[RANGE - 1 - s as usize];
        out[*slot] = events[k];
        *slot += 1;
    }
    out
}

/// How long typing in the filter bar waits before re-filtering.
pub const DEBOUNCE: Duration = Duration::from_millis(40);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Facets,
    List,
}

/// A one-line text input (the filter bar, the file-name prompt).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LineEdit {
    pub text: String,
    /// Cursor position in characters.
    pub cursor: usize,
}

impl LineEdit {
    pub fn new(text: &str) -> LineEdit {
        LineEdit {
            text: text.to_string(),
            cursor: text.chars().count(),
        }
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map(|(i, _)| i)
            .unwrap_or(self.text.len())
    }

    /// Applies an editing key; false when the key is not an editing key.
    pub fn edit(&mut self, key: &KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let len = self.text.chars().count();
        match key.code {
            KeyCode::Char('u') if ctrl => {
                self.text.clear();
                self.cursor = 0;
            }
            KeyCode::Char('w') if ctrl => {
                let chars: Vec<char> = self.text.chars().collect();
                let mut start = self.cursor;
                while start > 0 && chars[start - 1] == ' ' {
                    start -= 1;
                }
                while start > 0 && chars[start - 1] != ' ' {
                    start -= 1;
                }
                let (a, b) = (self.byte_at(start), self.byte_at(self.cursor));
                self.text.replace_range(a..b, "");
                self.cursor = start;
            }
            KeyCode::Char('a') if ctrl => self.cursor = 0,
            KeyCode::Char('e') if ctrl => self.cursor = len,
            KeyCode::Char(c) if !ctrl && !c.is_control() => {
                let at = self.byte_at(self.cursor);
                self.text.insert(at, c);
                self.cursor += 1;
            }
            KeyCode::Backspace if self.cursor > 0 => {
                let (a, b) = (self.byte_at(self.cursor - 1), self.byte_at(self.cursor));
                self.text.replace_range(a..b, "");
                self.cursor -= 1;
            }
            KeyCode::Delete if self.cursor < len => {
                let (a, b) = (self.byte_at(self.cursor), self.byte_at(self.cursor + 1));
                self.text.replace_range(a..b, "");
            }
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(len),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = len,
            KeyCode::Backspace | KeyCode::Delete => {}
            _ => return false,
        }
        true
    }
}

/// A scrolled list position.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Cursor {
    pub selected: usize,
    pub offset: usize,
}

impl Cursor {
    /// Moves by `delta` within `len` rows and keeps the selection in a window of `height`.
    pub fn step(&mut self, delta: isize, len: usize, height: usize) {
        if len == 0 {
            *self = Cursor::default();
            return;
        }
        let target = (self.selected as isize)
            .saturating_add(delta)
            .clamp(0, len as isize - 1);
        self.selected = target as usize;
        self.scroll_into_view(height);
    }

    pub fn scroll_into_view(&mut self, height: usize) {
        let height = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
    }

    /// Keeps the cursor inside `len` rows, and the window as full as it can be.
    pub fn clamp(&mut self, len: usize, height: usize) {
        if len == 0 {
            *self = Cursor::default();
        } else {
            self.selected = self.selected.min(len - 1);
            self.offset = self.offset.min(len.saturating_sub(height.max(1)));
            self.scroll_into_view(height);
        }
    }
}

/// The opened event.
#[derive(Debug, Clone)]
pub struct Detail {
    pub event: u32,
    /// Its row in the list, for `n`/`N`.
    pub row: usize,
    /// The document, or why it cannot be shown (file changed, too deep…).
    pub doc: Result<Folded, String>,
    /// The raw JSON as read (for copying, and shown when it cannot be parsed).
    pub raw: Option<String>,
    /// `errorMessage`, and the ARNs of `resources`, for the summary header.
    pub error_message: Option<String>,
    pub resources: Vec<String>,
    /// For an event whose `eventID` another record shares with different
    /// content: that record's file and the fields that differ.
    pub conflict: Option<String>,
    pub cursor: Cursor,
    /// Screen rows of the first shown line already scrolled past (a line longer
    /// than the screen, such as a 300 KB field, is read by paging through it).
    pub skip_rows: usize,
    /// Screen rows the line under the cursor takes, measured at the last draw.
    pub cursor_line_rows: usize,
}

/// Views over the main screen, innermost last.
#[derive(Debug, Clone)]
pub enum View {
    Detail(Box<Detail>),
    Pipelines { cursor: Cursor },
    Versions(Box<VersionsView>),
    Diff(Box<DiffView>),
    Users(Box<UsersView>),
    Repos { cursor: Cursor },
    Help { scroll: usize },
    Errors { scroll: usize },
}

/// Work the run loop does on the app's behalf.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Put text on the clipboard (OSC 52).
    Copy(String),
    /// Scan raw events for these `text:` needles.
    TextSearch {
        generation: u64,
        needles: Vec<String>,
    },
    /// Write these events' JSON lines to a file.
    Write { path: String, events: Vec<u32> },
}

/// Loading state shown in the status bar.
#[derive(Debug, Clone)]
pub enum LoadState {
    Loading { progress: Arc<Progress> },
    Done { elapsed: Duration },
}

/// Where things were drawn, for mouse clicks.
#[derive(Debug, Clone, Copy, Default)]
pub struct HitAreas {
    pub list_rows: Rect,
    pub facet_rows: Rect,
    pub facet_tabs: Rect,
}

pub struct App {
    pub theme: Theme,
    pub index: Arc<Index>,
    /// The strings bare filter words are matched against, for this index.
    candidates: Vec<StrId>,
    pub report: LoadReport,
    pub load: LoadState,
    /// Shown at the top when browsing the bundled demo trail.
    pub banner: Option<String>,
    /// The applied filter and its text.
    pub filter: Filter,
    pub filter_text: String,
    /// Set while the filter bar is being edited: (editor, text before editing).
    pub editing: Option<(LineEdit, String)>,
    pub filter_error: Option<ParseError>,
    /// When the filter last changed without being applied (debounce).
    pending_since: Option<Instant>,
    pub selection: Selection,
    /// Matching events in display order.
    pub shown: Vec<u32>,
    pub newest_first: bool,
    pub list: Cursor,
    pub focus: Focus,
    /// Which facet the facet pane shows, and its cursor.
    pub facet: usize,
    pub facet_cursor: Cursor,
    pub views: Vec<View>,
    /// The file-name prompt of `w`.
    pub prompt: Option<LineEdit>,
    pub message: Option<String>,
    text_hits: TextHits,
    /// Needles being searched, with the generation of the request.
    pub searching: Option<(u64, Vec<String>)>,
    /// How far the running raw-text search has got: (files done, files in all).
    pub search_progress: Arc<(
        std::sync::atomic::AtomicUsize,
        std::sync::atomic::AtomicUsize,
    )>,
    generation: u64,
    pub effects: Vec<Effect>,
    /// Rows available in the list and facet panes at the last draw (paging).
    pub list_height: usize,
    pub facet_height: usize,
    pub detail_height: usize,
    pub hits: HitAreas,
    /// The histogram of the shown events: (bucket counts, width it was built for).
    pub timeline: Option<(Vec<u64>, usize)>,
    /// Pipeline histories of the current index, built when first asked for.
    pipelines: Option<Arc<Vec<Lifetime>>>,
    users: Option<Arc<Vec<UserSummary>>>,
    repos: Option<Arc<Vec<RepoSummary>>>,
    pub quit: bool,
}

impl App {
    pub fn new(index: Arc<Index>, report: LoadReport, load: LoadState, theme: Theme) -> App {
        let candidates = index.fuzzy_candidates();
        let mut app = App {
            theme,
            index,
            candidates,
            report,
            load,
            banner: None,
            filter: Filter::default(),
            filter_text: String::new(),
            editing: None,
            filter_error: None,
            pending_since: None,
            selection: Selection::default(),
            shown: Vec::new(),
            newest_first: true,
            list: Cursor::default(),
            focus: Focus::List,
            facet: 0,
            facet_cursor: Cursor::default(),
            views: Vec::new(),
            prompt: None,
            message: None,
            text_hits: TextHits::default(),
            searching: None,
            search_progress: Arc::default(),
            generation: 0,
            effects: Vec::new(),
            list_height: 20,
            facet_height: 10,
            detail_height: 20,
            hits: HitAreas::default(),
            timeline: None,
            pipelines: None,
            users: None,
            repos: None,
            quit: false,
        };
        app.apply_filter();
        app
    }

    /// Sets the filter from text (as `--filter` does); a parse error is kept for display.
    pub fn set_filter_text(&mut self, text: &str) {
        self.filter_text = text.to_string();
        match Filter::parse(text) {
            Ok(f) => {
                self.filter = f;
                self.filter_error = None;
                self.apply_filter();
            }
            Err(e) => self.filter_error = Some(e),
        }
    }

    /// Replaces the index (a loading snapshot or the final one), keeping the
    /// selected event selected.
    pub fn set_index(&mut self, index: Arc<Index>, report: LoadReport) {
        let keep = self.selected_key();
        self.index = index;
        self.candidates = self.index.fuzzy_candidates();
        self.report = report;
        self.text_hits.clear();
        self.pipelines = None;
        self.users = None;
        self.repos = None;
        self.apply_filter();
        self.reselect(keep);
    }

    fn selected_key(&self) -> Option<(u32, u32)> {
        let &i = self.shown.get(self.list.selected)?;
        Some((
            self.index.cols.file[i as usize],
            self.index.cols.ordinal[i as usize],
        ))
    }

    /// Puts the cursor back on the event it was on, or on the first row when that
    /// event is no longer shown.
    fn reselect(&mut self, key: Option<(u32, u32)>) {
        let cols = &self.index.cols;
        let row = key.and_then(|key| {
            self.shown
                .iter()
                .position(|&i| (cols.file[i as usize], cols.ordinal[i as usize]) == key)
        });
        match row {
            Some(row) => self.list.selected = row,
            None => self.list = Cursor::default(),
        }
        self.list.clamp(self.shown.len(), self.list_height);
    }

    /// Re-evaluates the filter, facet counts and list order.
    pub fn apply_filter(&mut self) {
        self.pending_since = None;
        let keep = self.selected_key();
        let needles: Vec<String> = self
            .filter
            .text_terms()
            .into_iter()
            .map(|(s, _)| s.to_string())
            .collect();
        let missing: Vec<String> = needles
            .iter()
            .filter(|n| !self.text_hits.contains_key(*n))
            .cloned()
            .collect();
        if missing.is_empty() {
            self.searching = None;
        } else if self
            .searching
            .as_ref()
            .map(|(_, n)| n != &missing)
            .unwrap_or(true)
        {
            self.generation += 1;
            self.searching = Some((self.generation, missing.clone()));
            self.effects.push(Effect::TextSearch {
                generation: self.generation,
                needles: missing,
            });
        }
        let compiled = Compiled::with_scope(
            &self.filter,
            &self.index,
            Scope {
                text_hits: Some(&self.text_hits),
                fuzzy_candidates: Some(&self.candidates),
            },
        );
        self.selection = select(&self.index, &compiled);
        let mut shown = self.selection.events.clone();
        if self.newest_first {
            crate::index::newest_first(&self.index, &mut shown);
        }
        if compiled.is_fuzzy() {
            shown = best_first(&shown, &compiled);
        }
        self.shown = shown;
        self.timeline = None;
        self.reselect(keep);
        let facet_len = self.facet_values().len();
        self.facet_cursor.clamp(facet_len, self.facet_height);
    }

    /// Results of a raw text scan arrive.
    pub fn text_search_done(&mut self, generation: u64, hits: Vec<(String, Vec<bool>)>) {
        if self.searching.as_ref().map(|(g, _)| *g) != Some(generation) {
            return;
        }
        self.searching = None;
        for (needle, h) in hits {
            self.text_hits.insert(needle, Arc::new(h));
        }
        self.apply_filter();
    }

    /// Runs a pending debounced filter change once typing has paused.
    pub fn tick(&mut self, now: Instant) {
        if let Some(since) = self.pending_since
            && now.duration_since(since) >= DEBOUNCE
        {
            self.apply_filter();
        }
    }

    pub fn current_facet(&self) -> Facet {
        Facet::ALL[self.facet % Facet::ALL.len()]
    }

    pub fn facet_values(&self) -> &[(StrId, u32)] {
        self.selection
            .facets
            .get(self.facet)
            .map(|v| v.as_slice())
            .unwrap_or(&[])
    }

    fn context(&self) -> Context {
        match self.views.last() {
            Some(View::Detail(_)) => Context::Detail,
            Some(View::Pipelines { .. }) => Context::Pipelines,
            Some(View::Versions(_)) => Context::Versions,
            Some(View::Diff(_)) => Context::Diff,
            Some(View::Users(_)) => Context::Users,
            Some(View::Repos { .. }) => Context::Repos,
            Some(_) => Context::Popup,
            None => match self.focus {
                Focus::List => Context::List,
                Focus::Facets => Context::Facets,
            },
        }
    }

    pub fn on_key(&mut self, key: KeyEvent) {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && key.code == KeyCode::Char('c') {
            self.quit = true;
            return;
        }
        if self.prompt.is_some() {
            self.prompt_key(key);
            return;
        }
        if self.editing.is_some() {
            self.filter_key(key);
            return;
        }
        let context = self.context();
        let action = lookup(context, &key)
            .or_else(|| {
                if self.views.is_empty() {
                    lookup(Context::Main, &key)
                } else {
                    None
                }
            })
            .or_else(|| lookup(Context::Global, &key));
        if let Some(action) = action {
            self.message = None;
            self.act(action);
        }
    }

    fn prompt_key(&mut self, key: KeyEvent) {
        let Some(prompt) = self.prompt.as_mut() else {
            return;
        };
        match key.code {
            KeyCode::Esc => self.prompt = None,
            KeyCode::Enter => {
                let path = prompt.text.trim().to_string();
                self.prompt = None;
                if path.is_empty() {
                    return;
                }
                let mut events = self.selection.events.clone();
                if self.newest_first {
                    crate::index::newest_first(&self.index, &mut events);
                }
                self.message = Some(format!("writing {} events to {path}…", events.len()));
                self.effects.push(Effect::Write { path, events });
            }
            _ => {
                prompt.edit(&key);
            }
        }
    }

    fn filter_key(&mut self, key: KeyEvent) {
        let Some((edit, before)) = self.editing.as_mut() else {
            return;
        };
        match key.code {
            KeyCode::Esc => {
                let before = before.clone();
                self.editing = None;
                self.set_filter_text(&before);
            }
            KeyCode::Enter => {
                if self.filter_error.is_none() {
                    self.editing = None;
                    self.apply_filter();
                }
            }
            _ => {
                if edit.edit(&key) {
                    let text = edit.text.clone();
                    self.filter_text = text.clone();
                    match Filter::parse(&text) {
                        Ok(f) => {
                            self.filter_error = None;
                            if f != self.filter {
                                self.filter = f;
                                self.pending_since = Some(Instant::now());
                            }
                        }
                        Err(e) => self.filter_error = Some(e),
                    }
                }
            }
        }
    }

    fn page(&self) -> isize {
        match self.views.last() {
            Some(_) => self.detail_height.max(1) as isize,
            None if self.focus == Focus::Facets => self.facet_height.max(1) as isize,
            None => self.list_height.max(1) as isize,
        }
    }

    fn act(&mut self, action: Action) {
        let page = self.page();
        match action {
            Action::Quit | Action::ForceQuit => self.quit = true,
            Action::Help => self.views.push(View::Help { scroll: 0 }),
            Action::Errors => self.views.push(View::Errors { scroll: 0 }),
            Action::Back => {
                self.views.pop();
            }
            Action::Up => self.move_by(-1),
            Action::Down => self.move_by(1),
            Action::PageUp => self.move_by(-page),
            Action::PageDown => self.move_by(page),
            Action::Top => self.move_by(isize::MIN / 2),
            Action::Bottom => self.move_by(isize::MAX / 2),
            Action::FocusNext | Action::FocusPrev => {
                self.focus = if self.focus == Focus::List {
                    Focus::Facets
                } else {
                    Focus::List
                };
            }
            Action::Left => self.switch_facet(-1),
            Action::Right => self.switch_facet(1),
            Action::EditFilter => {
                self.editing = Some((LineEdit::new(&self.filter_text), self.filter_text.clone()));
            }
            Action::ToggleOrder => {
                self.newest_first = !self.newest_first;
                self.apply_filter();
            }
            Action::Open => match self.views.last().cloned().as_ref() {
                Some(View::Pipelines { cursor }) => {
                    let lifetime = cursor.selected;
                    self.open_versions(lifetime, None);
                }
                Some(View::Versions(v)) => {
                    let v = (**v).clone();
                    self.open_timeline_row(&v);
                }
                Some(View::Users(v)) => {
                    let users = self.users();
                    if let Some(u) = v.selected(&users) {
                        let actor = u.actor.clone();
                        self.views.clear();
                        self.filter.clear_facet(Facet::User);
                        self.filter.toggle_facet_value(Facet::User, &actor);
                        self.filter_changed_by_facet();
                        self.focus = Focus::List;
                    }
                }
                Some(View::Repos { cursor }) => {
                    let repos = self.repos();
                    if let Some(r) = repos.get(cursor.selected) {
                        let (name, account, region) =
                            (r.name.clone(), r.account.clone(), r.region.clone());
                        self.views.clear();
                        for (facet, value) in [
                            (Facet::Repository, name),
                            (Facet::Account, account),
                            (Facet::Region, region),
                        ] {
                            self.filter.clear_facet(facet);
                            self.filter.toggle_facet_value(facet, &value);
                        }
                        self.filter_changed_by_facet();
                        self.focus = Focus::List;
                    }
                }
                _ => self.open_selected(),
            },
            Action::OpenPipelines => {
                let all = self.pipelines();
                if all.is_empty() {
                    self.message = Some("no CodePipeline pipelines in the loaded logs".into());
                } else {
                    self.views.push(View::Pipelines {
                        cursor: Cursor::default(),
                    });
                }
            }
            Action::DiffOfEvent => self.diff_of_selected_event(),
            Action::OpenUsers => {
                let users = self.users();
                self.views
                    .push(View::Users(Box::new(UsersView::new(&users))));
            }
            Action::OpenRepos => {
                if self.repos().is_empty() {
                    self.message = Some("no CodeCommit repositories in the loaded logs".into());
                } else {
                    self.views.push(View::Repos {
                        cursor: Cursor::default(),
                    });
                }
            }
            Action::SortNext | Action::SortReverse => {
                let users = self.users();
                if let Some(View::Users(v)) = self.views.last_mut() {
                    if action == Action::SortNext {
                        v.next_sort(&users);
                    } else {
                        v.reverse(&users);
                    }
                }
            }
            Action::RepoPipeline => self.repo_pipeline(),
            Action::SideBySide => {
                if let Some(View::Diff(d)) = self.views.last_mut() {
                    d.toggle_side_by_side();
                }
            }
            Action::NextChange | Action::PrevChange => {
                if let Some(View::Diff(d)) = self.views.last_mut()
                    && !d.jump(action == Action::NextChange)
                {
                    self.message = Some("no more changes".into());
                }
            }
            Action::CompareWith => {
                if let Some(View::Diff(d)) = self.views.last() {
                    let (lifetime, to) = (d.lifetime, d.to);
                    self.open_versions(lifetime, Some(to));
                }
            }
            Action::ToggleValue | Action::ExcludeValue => {
                if let Some(&(id, _)) = self.facet_values().get(self.facet_cursor.selected) {
                    let value = self.index.strings.get(id).to_string();
                    let facet = self.current_facet();
                    if action == Action::ToggleValue {
                        self.filter.toggle_facet_value(facet, &value);
                    } else {
                        self.filter.exclude_facet_value(facet, &value);
                    }
                    self.filter_changed_by_facet();
                }
            }
            Action::ClearFacet => {
                self.filter.clear_facet(self.current_facet());
                self.filter_changed_by_facet();
            }
            Action::WriteEvents => self.prompt = Some(LineEdit::new("trailscope-events.jsonl")),
            Action::NextEvent => self.step_detail(1),
            Action::PrevEvent => self.step_detail(-1),
            Action::Copy => {
                if let Some(View::Detail(d)) = self.views.last()
                    && let Some(raw) = &d.raw
                {
                    self.effects
                        .push(Effect::Copy(crate::load::fetch::compact(raw)));
                    self.message = Some("copied the event's JSON to the clipboard (OSC 52)".into());
                }
            }
            Action::ToggleFold | Action::FoldAll | Action::UnfoldAll => {
                if let Some(View::Detail(d)) = self.views.last_mut()
                    && let Ok(doc) = &mut d.doc
                {
                    match action {
                        Action::ToggleFold => d.cursor.selected = doc.toggle(d.cursor.selected),
                        Action::FoldAll => doc.fold_all(),
                        _ => doc.unfold_all(),
                    }
                    let len = doc.visible.len();
                    d.cursor.clamp(len, self.detail_height);
                }
            }
        }
    }

    fn filter_changed_by_facet(&mut self) {
        self.filter_text = self.filter.to_text();
        self.filter_error = None;
        self.apply_filter();
    }

    fn switch_facet(&mut self, delta: isize) {
        let n = Facet::ALL.len() as isize;
        self.facet = ((self.facet as isize + delta).rem_euclid(n)) as usize;
        self.facet_cursor = Cursor::default();
    }

    fn move_by(&mut self, delta: isize) {
        match self.views.last_mut() {
            Some(View::Detail(d)) => {
                let len = d.doc.as_ref().map(|f| f.visible.len()).unwrap_or(0);
                let page = self.detail_height.max(1);
                let tall = d.cursor_line_rows > page;
                if delta == page as isize && tall {
                    // Page through a line taller than the screen (a 300 KB value):
                    // bring it to the top, then move down it a page at a time.
                    if d.cursor.offset != d.cursor.selected {
                        d.cursor.offset = d.cursor.selected;
                        d.skip_rows = 0;
                    } else if d.skip_rows + page < d.cursor_line_rows {
                        d.skip_rows += page;
                    } else {
                        d.skip_rows = 0;
                        d.cursor.step(1, len, self.detail_height);
                    }
                } else if delta == -(page as isize) && d.skip_rows > 0 {
                    d.skip_rows = d.skip_rows.saturating_sub(page);
                } else {
                    d.skip_rows = 0;
                    d.cursor.step(delta, len, self.detail_height);
                }
            }
            Some(View::Help { scroll }) | Some(View::Errors { scroll }) => {
                *scroll = (*scroll as isize).saturating_add(delta).max(0) as usize;
            }
            Some(View::Pipelines { cursor }) => {
                let len = self.pipelines.as_ref().map(|p| p.len()).unwrap_or(0);
                cursor.step(delta, len, self.detail_height);
            }
            Some(View::Versions(v)) => v.cursor.step(delta, v.rows.len(), self.detail_height),
            Some(View::Users(v)) => v.cursor.step(delta, v.order.len(), self.detail_height),
            Some(View::Repos { cursor }) => {
                let len = self.repos.as_ref().map(|r| r.len()).unwrap_or(0);
                cursor.step(delta, len, self.detail_height);
            }
            Some(View::Diff(d)) => {
                let len = if d.side_by_side {
                    d.side_rows().len()
                } else {
                    d.lines.len()
                };
                d.scroll = (d.scroll as isize)
                    .saturating_add(delta)
                    .clamp(0, len.saturating_sub(1) as isize) as usize;
            }
            None => match self.focus {
                Focus::List => self.list.step(delta, self.shown.len(), self.list_height),
                Focus::Facets => {
                    let len = self.facet_values().len();
                    self.facet_cursor.step(delta, len, self.facet_height);
                }
            },
        }
    }

    fn open_selected(&mut self) {
        if let Some(&event) = self.shown.get(self.list.selected) {
            let detail = self.detail(event, self.list.selected);
            self.views.push(View::Detail(Box::new(detail)));
        }
    }

    fn step_detail(&mut self, delta: isize) {
        let Some(View::Detail(d)) = self.views.last() else {
            return;
        };
        let row = d.row as isize + delta;
        if row < 0 || row as usize >= self.shown.len() {
            self.message = Some(if delta > 0 {
                "last event of the list".into()
            } else {
                "first event of the list".into()
            });
            return;
        }
        let row = row as usize;
        self.list.selected = row;
        self.list.scroll_into_view(self.list_height);
        let detail = self.detail(self.shown[row], row);
        if let Some(View::Detail(d)) = self.views.last_mut() {
            **d = detail;
        }
    }

    /// Reads an event's JSON from its file and lays it out.
    pub fn detail(&self, event: u32, row: usize) -> Detail {
        let mut error_message = None;
        let mut resources = Vec::new();
        let (raw, doc) = match crate::load::fetch::raw_event(&self.index, event as usize) {
            Ok(raw) => {
                let doc = match serde_json::from_str::<serde_json::Value>(&raw) {
                    Ok(v) => {
                        error_message = v
                            .get("errorMessage")
                            .and_then(|m| m.as_str())
                            .map(str::to_string);
                        if let Some(list) = v.get("resources").and_then(|r| r.as_array()) {
                            resources = list
                                .iter()
                                .filter_map(|r| {
                                    r.get("ARN")
                                        .or(r.get("arn"))
                                        .and_then(|a| a.as_str())
                                        .map(str::to_string)
                                })
                                .collect();
                        }
                        Ok(Folded::new(flatten(&v)))
                    }
                    Err(e) => Err(format!(
                        "cannot lay out this event ({e}); its raw text follows"
                    )),
                };
                (Some(raw), doc)
            }
            Err(e) => (None, Err(e.to_string())),
        };
        let conflict = crate::output::conflict_note(&self.index, event as usize, raw.as_deref());
        Detail {
            event,
            row,
            doc,
            raw,
            error_message,
            resources,
            conflict,
            cursor: Cursor::default(),
            skip_rows: 0,
            cursor_line_rows: 1,
        }
    }

    /// The pipeline histories of the current index (built on first use).
    pub fn pipelines(&mut self) -> Arc<Vec<Lifetime>> {
        if self.pipelines.is_none() {
            self.pipelines = Some(Arc::new(histories(&self.index)));
        }
        self.pipelines.clone().unwrap_or_default()
    }

    /// Per-actor summaries of the current index (built on first use).
    pub fn users(&mut self) -> Arc<Vec<UserSummary>> {
        if self.users.is_none() {
            self.users = Some(Arc::new(users(&self.index)));
        }
        self.users.clone().unwrap_or_default()
    }

    /// Per-repository summaries of the current index (built on first use).
    pub fn repos(&mut self) -> Arc<Vec<RepoSummary>> {
        if self.repos.is_none() {
            let pipelines = self.pipelines();
            self.repos = Some(Arc::new(repos(&self.index, &pipelines)));
        }
        self.repos.clone().unwrap_or_default()
    }

    /// From a repository, the version timeline of a pipeline that reads it.
    fn repo_pipeline(&mut self) {
        let Some(View::Repos { cursor }) = self.views.last().cloned() else {
            return;
        };
        let repos = self.repos();
        let Some(r) = repos.get(cursor.selected) else {
            return;
        };
        let Some(name) = r.pipelines.first() else {
            self.message = Some("no pipeline reads this repository".into());
            return;
        };
        let all = self.pipelines();
        let found = all
            .iter()
            .enumerate()
            .filter(|(_, l)| l.name == *name && l.account == r.account && l.region == r.region)
            .max_by_key(|(_, l)| l.lifetime)
            .map(|(k, _)| k);
        if let Some(k) = found {
            self.open_versions(k, None);
        }
    }

    /// Opens a lifetime's version timeline; with `picking_for`, Enter picks the
    /// version to compare that version with.
    fn open_versions(&mut self, lifetime: usize, picking_for: Option<u64>) {
        let all = self.pipelines();
        let Some(l) = all.get(lifetime) else { return };
        let rows = timeline_rows(l);
        let mut cursor = Cursor {
            selected: rows.len().saturating_sub(1),
            offset: 0,
        };
        cursor.scroll_into_view(self.detail_height);
        self.views.push(View::Versions(Box::new(VersionsView {
            lifetime,
            rows,
            cursor,
            picking_for,
        })));
    }

    fn open_timeline_row(&mut self, v: &VersionsView) {
        let all = self.pipelines();
        let Some(l) = all.get(v.lifetime) else { return };
        match v.rows.get(v.cursor.selected) {
            Some(TimelineRow::Version(k)) => {
                let number = l.versions[*k].number;
                match v.picking_for {
                    Some(to) => {
                        // Replace the diff under the picker with the new comparison.
                        self.views.pop();
                        self.views.pop();
                        let (from, to) = if number <= to {
                            (number, to)
                        } else {
                            (to, number)
                        };
                        self.views.push(View::Diff(Box::new(DiffView::new(
                            l,
                            v.lifetime,
                            Some(from),
                            to,
                        ))));
                    }
                    None => {
                        let from = (l.versions[*k].event_name != "CreatePipeline")
                            .then(|| number.saturating_sub(1));
                        self.views.push(View::Diff(Box::new(DiffView::new(
                            l, v.lifetime, from, number,
                        ))));
                    }
                }
            }
            Some(TimelineRow::Rejected(k)) => {
                let event = l.rejected[*k].event;
                let detail = self.detail(event, self.list.selected);
                self.views.push(View::Detail(Box::new(detail)));
            }
            Some(TimelineRow::Gap(a, b)) => {
                self.message = Some(format!("versions {a}–{b} are not in the loaded logs"));
            }
            None => {}
        }
    }

    /// `d` on a `CreatePipeline`/`UpdatePipeline` event: the diff of the version it made.
    fn diff_of_selected_event(&mut self) {
        let Some(&event) = self.shown.get(self.list.selected) else {
            return;
        };
        let all = self.pipelines();
        for (lifetime, l) in all.iter().enumerate() {
            if let Some(v) = l.versions.iter().find(|v| v.event == event) {
                let from = (v.event_name != "CreatePipeline").then(|| v.number.saturating_sub(1));
                self.views.push(View::Diff(Box::new(DiffView::new(
                    l, lifetime, from, v.number,
                ))));
                return;
            }
            if l.rejected.iter().any(|r| r.event == event) {
                self.message = Some("this change was rejected: it made no version".into());
                return;
            }
        }
        self.message =
            Some("d works on a successful CreatePipeline or UpdatePipeline event".into());
    }

    pub fn on_mouse(&mut self, m: MouseEvent) {
        let inside = |r: Rect| {
            m.column >= r.x && m.column < r.x + r.width && m.row >= r.y && m.row < r.y + r.height
        };
        match m.kind {
            MouseEventKind::ScrollDown => self.move_by(3),
            MouseEventKind::ScrollUp => self.move_by(-3),
            MouseEventKind::Down(MouseButton::Left) if self.views.is_empty() => {
                if inside(self.hits.list_rows) {
                    self.focus = Focus::List;
                    let row = self.list.offset + (m.row - self.hits.list_rows.y) as usize;
                    if row < self.shown.len() {
                        self.list.selected = row;
                    }
                } else if inside(self.hits.facet_rows) {
                    self.focus = Focus::Facets;
                    let row = self.facet_cursor.offset + (m.row - self.hits.facet_rows.y) as usize;
                    if row < self.facet_values().len() {
                        self.facet_cursor.selected = row;
                    }
                } else if inside(self.hits.facet_tabs) {
                    self.focus = Focus::Facets;
                    self.switch_facet(1);
                }
            }
            _ => {}
        }
    }

    /// The histogram of shown events over the loaded time range, in `width` buckets.
    pub fn timeline(&mut self, width: usize) -> &[u64] {
        let stale = self
            .timeline
            .as_ref()
            .map(|(_, w)| *w != width)
            .unwrap_or(true);
        if stale {
            let mut buckets = vec![0u64; width.max(1)];
            let times = &self.index.cols.time;
            let valid: Vec<i64> = [
                times.first(),
                times.iter().rev().find(|&&t| t != crate::model::NO_TIME),
            ]
            .into_iter()
            .flatten()
            .copied()
            .collect();
            if let [lo, hi] = valid[..] {
                let span = (hi - lo).max(1) as i128;
                for &i in &self.selection.events {
                    let t = times[i as usize];
                    if t == crate::model::NO_TIME {
                        continue;
                    }
                    let last = buckets.len() - 1;
                    let b = ((t - lo) as i128 * last as i128 / span) as usize;
                    buckets[b.min(last)] += 1;
                }
            }
            self.timeline = Some((buckets, width));
        }
        self.timeline
            .as_ref()
            .map(|(b, _)| b.as_slice())
            .unwrap_or(&[])
    }
}

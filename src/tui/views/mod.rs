//! One module per view: its state, its update and its draw. A view's update
//! reads a [`Ctx`] and answers with a [`Transition`]; only the app changes the
//! view stack, the filter or the effects queue.
//!
//! To add a view: a module here with a state type, `update(&mut self, Action,
//! &Ctx) -> Transition` and `draw(&self, &Ctx, &mut Frame, Rect)`; a variant of
//! [`View`]; its [`Context`] in the key table.

pub mod detail;
pub mod diff;
pub mod help;
pub mod main;
pub mod pipelines;
pub mod problems;
pub mod repos;
pub mod users;
pub mod versions;

use super::ctx::{Caches, Ctx};
use super::keymap::{Action, Context};
use super::viewport::inner;
use super::widgets::{Cursor, Table};
use crate::index::Index;
use crate::query::Filter;
use ratatui::Frame;
use ratatui::layout::Rect;

/// Views over the main screen, innermost last.
#[derive(Debug, Clone)]
pub enum View {
    Detail(Box<detail::DetailView>),
    Pipelines(pipelines::PipelinesView),
    Versions(Box<versions::VersionsView>),
    Diff(Box<diff::DiffView>),
    Users(Box<users::UsersView>),
    Repos(repos::ReposView),
    Help(help::HelpView),
    Problems(problems::ProblemsView),
}

/// A view to open, named by what it shows. Views ask for each other through
/// this, so no view module imports another.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// The detail view of an event; `row` is its row in the list, if it came from there.
    Event { event: u32, row: Option<usize> },
    /// The detail view of the event that made version `version` of a lifetime
    /// (opened from its version timeline: `n`/`N` walk the versions).
    VersionEvent { lifetime: usize, version: u64 },
    /// A pipeline lifetime's version timeline; with `picking_for`, a picker of
    /// the version to compare that version with.
    Versions {
        lifetime: usize,
        picking_for: Option<u64>,
    },
    /// The diff of two versions of a lifetime (`from` `None`: the first version).
    Diff {
        lifetime: usize,
        from: Option<u64>,
        to: u64,
    },
}

impl Target {
    /// The view, built from the context (the pipeline histories are built
    /// already); `None` when what it names is not there.
    pub fn build(self, ctx: &Ctx) -> Option<View> {
        let pipelines = ctx.caches.pipelines();
        Some(match self {
            Target::Event { event, row } => {
                View::Detail(Box::new(detail::DetailView::reading(event, row, 0)))
            }
            Target::VersionEvent { lifetime, version } => {
                let v = pipelines.get(lifetime)?.version(version)?;
                let mut view = detail::DetailView::reading(v.event, None, 0);
                view.version = Some((lifetime, version));
                View::Detail(Box::new(view))
            }
            Target::Versions {
                lifetime,
                picking_for,
            } => {
                pipelines.get(lifetime)?;
                let height = Table::body_height(inner(ctx.viewport.body));
                let view = versions::VersionsView::new(pipelines, lifetime, picking_for, height);
                View::Versions(Box::new(view))
            }
            Target::Diff { lifetime, from, to } => {
                let l = pipelines.get(lifetime)?;
                View::Diff(Box::new(diff::DiffView::new(l, lifetime, from, to)))
            }
        })
    }
}

/// What the app does after a view handled an action.
#[derive(Debug, Clone)]
pub enum Transition {
    Stay,
    Push(Target),
    Pop,
    /// Pop the top view and open this one.
    Replace(Target),
    Many(Vec<Transition>),
    /// Apply this filter; with `to_list`, close every view and focus the event list.
    SetFilter {
        filter: Filter,
        to_list: bool,
    },
    Message(String),
    /// Put text on the clipboard and say what was copied.
    Copy {
        text: String,
        what: &'static str,
    },
    /// Show the event at this row of the list in the detail view on top.
    ShowEvent {
        row: usize,
    },
}

impl View {
    pub fn context(&self) -> Context {
        match self {
            View::Detail(_) => Context::Detail,
            View::Pipelines(_) => Context::Pipelines,
            View::Versions(_) => Context::Versions,
            View::Diff(_) => Context::Diff,
            View::Users(_) => Context::Users,
            View::Repos(_) => Context::Repos,
            View::Help(_) | View::Problems(_) => Context::Popup,
        }
    }

    /// Popups are drawn over the main screen instead of replacing it.
    pub fn is_popup(&self) -> bool {
        matches!(self, View::Help(_) | View::Problems(_))
    }

    pub fn update(&mut self, action: Action, ctx: &Ctx) -> Transition {
        if action == Action::Back {
            // Rows narrowed by `/` come back first; the next Esc closes.
            let cleared = match self {
                View::Users(v) => v.clear_search(ctx),
                View::Repos(v) => v.search.clear(),
                View::Pipelines(v) => v.search.clear(),
                View::Detail(v) => v.search.clear(),
                View::Help(v) => {
                    v.scroll = 0;
                    v.search.clear()
                }
                View::Versions(v) => {
                    let cleared = v.search.clear();
                    if cleared {
                        v.narrow(ctx.caches.pipelines());
                    }
                    cleared
                }
                _ => false,
            };
            return if cleared {
                Transition::Stay
            } else {
                Transition::Pop
            };
        }
        match self {
            View::Detail(v) => v.update(action, ctx),
            View::Pipelines(v) => v.update(action, ctx),
            View::Versions(v) => v.update(action, ctx),
            View::Diff(v) => v.update(action, ctx),
            View::Users(v) => v.update(action, ctx),
            View::Repos(v) => v.update(action, ctx),
            View::Help(v) => v.update(action, ctx),
            View::Problems(v) => v.update(action, ctx),
        }
    }

    /// The main screen's key that opens this view, for the views kept when
    /// closed (users, repositories, pipelines).
    pub fn opened_by(&self) -> Option<Action> {
        match self {
            View::Users(_) => Some(Action::OpenUsers),
            View::Repos(_) => Some(Action::OpenRepos),
            View::Pipelines(_) => Some(Action::OpenPipelines),
            _ => None,
        }
    }

    /// The events the users, repositories and pipelines views count are about
    /// to change (the filter did): what each needs to make its rows again.
    pub fn rescope(&mut self, ctx: &Ctx) {
        match self {
            View::Users(v) => v.rescope(ctx.caches.users()),
            View::Repos(v) => v.cursor = Cursor::default(),
            View::Pipelines(v) => v.stale = true,
            _ => {}
        }
    }

    /// A view left open comes back: rows made again if the events it counts changed.
    pub fn refresh(&mut self, ctx: &Ctx) {
        match self {
            View::Users(v) => v.refresh(ctx.caches.users(), ctx.index),
            View::Pipelines(v) => v.refresh(ctx.caches.pipelines(), ctx.index, ctx.caches.under()),
            _ => {}
        }
    }

    /// Whether `/` is typing in this view (keys go to its query, not the table).
    pub fn is_searching(&self) -> bool {
        match self {
            View::Users(v) => v.search.is_editing(),
            View::Repos(v) => v.search.is_editing(),
            View::Pipelines(v) => v.search.is_editing(),
            View::Versions(v) => v.search.is_editing(),
            View::Detail(v) => v.search.is_editing(),
            View::Help(v) => v.search.is_editing(),
            _ => false,
        }
    }

    /// A key typed into the view's `/` query (the cursor goes back to the
    /// first row kept).
    pub fn search_key(&mut self, key: &ratatui::crossterm::event::KeyEvent, ctx: &Ctx) {
        let (search, cursor) = match self {
            View::Users(v) => return v.search_key(key, ctx),
            View::Detail(v) => return v.search_key(key, ctx),
            View::Versions(v) => {
                if v.search.key(key) {
                    v.narrow(ctx.caches.pipelines());
                }
                return;
            }
            View::Help(v) => {
                if v.search.key(key) {
                    v.scroll = 0;
                }
                return;
            }
            View::Repos(v) => (&mut v.search, &mut v.cursor),
            View::Pipelines(v) => (&mut v.search, &mut v.cursor),
            _ => return,
        };
        if search.key(key) {
            *cursor = Default::default();
        }
    }

    pub fn draw(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        match self {
            View::Detail(v) => v.draw(ctx, frame, area),
            View::Pipelines(v) => v.draw(ctx, frame, area),
            View::Versions(v) => v.draw(ctx, frame, area),
            View::Diff(v) => v.draw(ctx, frame, area),
            View::Users(v) => v.draw(ctx, frame, area),
            View::Repos(v) => v.draw(ctx, frame, area),
            View::Help(v) => v.draw(ctx, frame, area),
            View::Problems(v) => v.draw(ctx, frame, area),
        }
    }
}

/// For the users, repositories and pipelines titles: which events they count
/// (` under filter `errors` · a: all events`), or nothing without a filter.
pub fn under_title(ctx: &Ctx) -> String {
    match &ctx.caches.under().filter {
        Some(filter) => format!(
            " under filter `{}` · a: all events",
            crate::output::table::truncate(&crate::sanitize::escape(filter), 48)
        ),
        None if !ctx.results.filter.is_empty() => " over all events · a: under the filter".into(),
        None => String::new(),
    }
}

/// The view `action` (one of the main screen's view keys) opens, with the
/// summaries it needs built; why not, when there is nothing to show.
pub fn open(action: Action, caches: &mut Caches, index: &Index) -> Result<View, String> {
    match action {
        Action::OpenPipelines => {
            caches.build_pipelines(index);
            if caches.pipelines().is_empty() {
                return Err("no CodePipeline pipelines in the loaded logs".into());
            }
            Ok(View::Pipelines(pipelines::PipelinesView::new(
                caches.pipelines(),
                index,
                caches.under(),
            )))
        }
        Action::OpenRepos => {
            caches.build_repos(index);
            if caches.repos().is_empty() {
                return Err(match &caches.under().filter {
                    Some(_) => "no CodeCommit repository has events under the filter".into(),
                    None => "no CodeCommit repositories in the loaded logs".into(),
                });
            }
            Ok(View::Repos(repos::ReposView::default()))
        }
        _ => {
            caches.build_users(index);
            Ok(View::Users(Box::new(users::UsersView::new(
                caches.users(),
                index,
            ))))
        }
    }
}

/// How far a movement action moves, with `page` rows to a page.
pub fn movement(action: Action, page: usize) -> Option<isize> {
    let page = page.max(1) as isize;
    Some(match action {
        Action::Up => -1,
        Action::Down => 1,
        Action::PageUp => -page,
        Action::PageDown => page,
        Action::Top => isize::MIN / 2,
        Action::Bottom => isize::MAX / 2,
        _ => return None,
    })
}

/// A scroll offset moved by `delta` within `0..=max`.
pub fn scrolled(offset: usize, delta: isize, max: usize) -> usize {
    (offset as isize)
        .saturating_add(delta)
        .clamp(0, max as isize) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn movement_by_action() {
        assert_eq!(movement(Action::PageDown, 10), Some(10));
        assert_eq!(movement(Action::PageUp, 0), Some(-1));
        assert_eq!(movement(Action::Copy, 10), None);
        assert_eq!(scrolled(3, isize::MAX / 2, 7), 7);
        assert_eq!(scrolled(3, -10, 7), 0);
    }
}

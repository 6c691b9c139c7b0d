//! What a view may read while it updates or draws: borrowed, read-only. A view
//! never names the app; the app builds a [`Ctx`] and hands it down.

use super::theme::Theme;
use super::viewport::Viewport;
use crate::activity::repos::{RepoSummary, repos_of};
use crate::activity::users::{UserSummary, users_of};
use crate::index::Index;
use crate::load::{LoadReport, Progress};
use crate::pipeline::history::{Lifetime, histories};
use crate::query::Filter;
use crate::query::facets::Selection;
use std::sync::Arc;
use std::time::Duration;

pub struct Ctx<'a> {
    pub index: &'a Index,
    pub report: &'a LoadReport,
    pub load: &'a LoadState,
    pub filter: &'a Filter,
    pub results: &'a Results,
    pub caches: &'a Caches,
    pub theme: &'a Theme,
    pub viewport: &'a Viewport,
}

/// Loading state shown in the status bar.
#[derive(Debug, Clone)]
pub enum LoadState {
    Loading { progress: Arc<Progress> },
    Done { elapsed: Duration },
}

/// The applied filter's outcome.
#[derive(Debug, Clone, Default)]
pub struct Results {
    /// The filter these are the results of, as text.
    pub filter: String,
    /// Matching events (time order) and facet counts.
    pub selection: Selection,
    /// How many of them have a valid time (they come first).
    pub timed: usize,
    pub newest_first: bool,
    /// The matching events per round time bucket, over the span they cover.
    pub timeline: super::timeline::Timeline,
    /// Bare words of the filter that match no value at all.
    pub unmatched: Vec<String>,
    /// When nothing matches: the first term that leaves no event, with the
    /// terms before it (its text), so the status bar can say why.
    pub emptied_by: Option<String>,
    /// Per facet (in [`crate::query::Facet::ALL`] order): the display width of
    /// its widest value as the list shows it, so the list's columns keep their
    /// width while it scrolls. Computed with the results, not on every frame
    /// (an all-distinct trail has 500k actors).
    pub widest: Vec<usize>,
}

impl Results {
    /// The matching events in display order, read from the time-ordered
    /// selection (newest first reverses its timed part): a million events are
    /// not held a second time in another order.
    pub fn shown(&self) -> Shown<'_> {
        Shown {
            events: &self.selection.events,
            timed: self.timed.min(self.selection.events.len()),
            newest_first: self.newest_first,
        }
    }
}

/// [`Results::shown`]: rows of the event list.
#[derive(Debug, Clone, Copy)]
pub struct Shown<'a> {
    events: &'a [u32],
    timed: usize,
    newest_first: bool,
}

impl<'a> Shown<'a> {
    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Where row `row` is in the time-ordered events (the mapping is its own
    /// inverse).
    fn position(&self, row: usize) -> usize {
        if self.newest_first && row < self.timed {
            self.timed - 1 - row
        } else {
            row
        }
    }

    /// The event on row `row`.
    pub fn get(&self, row: usize) -> Option<u32> {
        (row < self.events.len()).then(|| self.events[self.position(row)])
    }

    /// The rows' events, in display order.
    pub fn iter(self) -> impl Iterator<Item = u32> + 'a {
        (0..self.events.len()).map(move |row| self.events[self.position(row)])
    }

    /// The events of `rows`.
    pub fn rows(self, rows: std::ops::Range<usize>) -> impl Iterator<Item = u32> + 'a {
        rows.filter_map(move |row| self.get(row))
    }

    /// The row event `event` is on (a binary search: events are in index order).
    pub fn row_of(&self, event: u32) -> Option<usize> {
        let at = self.events.binary_search(&event).ok()?;
        Some(self.position(at))
    }

    /// The events in display order, as a list (for writing them out).
    pub fn to_vec(self) -> Vec<u32> {
        self.iter().collect()
    }
}

/// Summaries built from the whole index, when a view that needs them opens.
#[derive(Debug, Clone, Default)]
pub struct Caches {
    pipelines: Option<Arc<Vec<Lifetime>>>,
    users: Option<Arc<Vec<UserSummary>>>,
    repos: Option<Arc<Vec<RepoSummary>>>,
    /// What `users` and `repos` count (pipeline histories always come from
    /// every event).
    under: Under,
}

/// The events the users and repositories views count and the pipelines view
/// lists pipelines of: those under a filter, or every event (`a` switches).
#[derive(Debug, Clone, Default)]
pub struct Under {
    /// The filter's text; `None`: every event.
    pub filter: Option<String>,
    /// The filter's events, in index order (`None`: every event).
    pub events: Option<Arc<Vec<u32>>>,
}

impl Under {
    /// Every event.
    pub fn all() -> Under {
        Under::default()
    }

    /// The events of `results`, under their filter (none: every event).
    pub fn results(results: &Results) -> Under {
        if results.filter.is_empty() {
            return Under::all();
        }
        Under {
            filter: Some(results.filter.clone()),
            events: Some(Arc::new(results.selection.events.clone())),
        }
    }

    fn events(&self) -> Option<&[u32]> {
        self.events.as_deref().map(Vec::as_slice)
    }
}

impl Caches {
    /// Pipeline histories (empty until [`Caches::build_pipelines`]).
    pub fn pipelines(&self) -> &[Lifetime] {
        self.pipelines.as_deref().map(Vec::as_slice).unwrap_or(&[])
    }

    /// The pipeline histories, shared (for a job that reads them).
    pub fn pipelines_shared(&self) -> Option<Arc<Vec<Lifetime>>> {
        self.pipelines.clone()
    }

    pub fn users(&self) -> &[UserSummary] {
        self.users.as_deref().map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn repos(&self) -> &[RepoSummary] {
        self.repos.as_deref().map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn build_pipelines(&mut self, index: &Index) {
        if self.pipelines.is_none() {
            self.pipelines = Some(Arc::new(histories(index)));
        }
    }

    pub fn build_users(&mut self, index: &Index) {
        if self.users.is_none() {
            self.users = Some(Arc::new(users_of(index, self.under.events())));
        }
    }

    /// What the users and repositories summaries count.
    pub fn under(&self) -> &Under {
        &self.under
    }

    /// Counts users and repositories over `under` from now on: summaries built
    /// over other events are dropped. Whether they were.
    pub fn rescope(&mut self, under: Under) -> bool {
        if under.filter == self.under.filter {
            return false;
        }
        self.under = under;
        self.users = None;
        self.repos = None;
        true
    }

    pub fn build_repos(&mut self, index: &Index) {
        self.build_pipelines(index);
        if self.repos.is_none() {
            self.repos = Some(Arc::new(repos_of(
                index,
                self.pipelines(),
                self.under.events(),
            )));
        }
    }

    /// What `need` asks for that is not built yet.
    pub fn missing(&self, need: Summaries) -> Summaries {
        Summaries {
            pipelines: (need.pipelines || need.repos) && self.pipelines.is_none(),
            repos: need.repos && self.repos.is_none(),
            users: need.users && self.users.is_none(),
        }
    }

    /// Builds what `need` asks for, from `index` (and pipeline histories already
    /// built, which repositories use): the work a background job does.
    pub fn built(&self, need: Summaries, index: &Index) -> Caches {
        let pipelines = match (&self.pipelines, need.pipelines || need.repos) {
            (Some(p), _) => Some(p.clone()),
            (None, true) => Some(Arc::new(histories(index))),
            (None, false) => None,
        };
        let events = self.under.events();
        let repos = need.repos.then(|| {
            let lifetimes = pipelines.as_deref().map(Vec::as_slice).unwrap_or(&[]);
            Arc::new(repos_of(index, lifetimes, events))
        });
        Caches {
            pipelines,
            users: need.users.then(|| Arc::new(users_of(index, events))),
            repos,
            under: self.under.clone(),
        }
    }

    /// Keeps what `other` has built (its users and repositories only if they
    /// count the same events).
    pub fn fill(&mut self, other: Caches) {
        self.pipelines = self.pipelines.take().or(other.pipelines);
        if other.under.filter == self.under.filter {
            self.users = self.users.take().or(other.users);
            self.repos = self.repos.take().or(other.repos);
        }
    }
}

/// Which summaries a view needs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summaries {
    pub pipelines: bool,
    pub repos: bool,
    pub users: bool,
}

impl Summaries {
    pub fn any(self) -> bool {
        self.pipelines || self.repos || self.users
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_first_reverses_the_timed_events_and_keeps_the_untimed_last() {
        let mut r = Results {
            timed: 4,
            newest_first: true,
            ..Results::default()
        };
        r.selection.events = vec![1, 3, 5, 7, 9];
        assert_eq!(r.shown().to_vec(), [7, 5, 3, 1, 9]);
        assert_eq!(r.shown().get(4), Some(9));
        assert_eq!(r.shown().get(5), None);
        assert_eq!(r.shown().rows(1..3).collect::<Vec<_>>(), [5, 3]);
        r.newest_first = false;
        assert_eq!(r.shown().to_vec(), [1, 3, 5, 7, 9]);
    }
}

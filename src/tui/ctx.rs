//! What a view may read while it updates or draws: borrowed, read-only. A view
//! never names the app; the app builds a [`Ctx`] and hands it down.

use super::theme::Theme;
use super::viewport::Viewport;
use crate::activity::repos::{RepoSummary, repos};
use crate::activity::users::{UserSummary, users};
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
    /// Matching events (time order) and facet counts.
    pub selection: Selection,
    /// Matching events in display order.
    pub shown: Vec<u32>,
    pub newest_first: bool,
    /// The histogram of the matching events over the loaded time range.
    pub timeline: Vec<u64>,
    /// Bare words of the filter that match no value at all.
    pub unmatched: Vec<String>,
    /// When nothing matches: the first term that leaves no event, with the
    /// terms before it (its text), so the status bar can say why.
    pub emptied_by: Option<String>,
}

/// Summaries built from the whole index, when a view that needs them opens.
#[derive(Debug, Clone, Default)]
pub struct Caches {
    pipelines: Option<Arc<Vec<Lifetime>>>,
    users: Option<Arc<Vec<UserSummary>>>,
    repos: Option<Arc<Vec<RepoSummary>>>,
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
            self.users = Some(Arc::new(users(index)));
        }
    }

    pub fn build_repos(&mut self, index: &Index) {
        self.build_pipelines(index);
        if self.repos.is_none() {
            self.repos = Some(Arc::new(repos(index, self.pipelines())));
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
        let repos = need.repos.then(|| {
            let lifetimes = pipelines.as_deref().map(Vec::as_slice).unwrap_or(&[]);
            Arc::new(repos(index, lifetimes))
        });
        Caches {
            pipelines,
            users: need.users.then(|| Arc::new(users(index))),
            repos,
        }
    }

    /// Keeps what `other` has built.
    pub fn fill(&mut self, other: Caches) {
        self.pipelines = self.pipelines.take().or(other.pipelines);
        self.users = self.users.take().or(other.users);
        self.repos = self.repos.take().or(other.repos);
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

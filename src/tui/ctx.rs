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
}

//! Building what the pipelines, repositories and users views show (pipeline
//! histories, per-repository and per-user summaries) off the UI thread: on a
//! real trail that takes from a tenth of a second to seconds (an 80k-stage
//! pipeline), and keys must not wait. The action that needs them runs once
//! they arrive; Esc abandons the wait. Part of [`App`], kept apart so `app.rs`
//! stays the view stack and dispatch.

use super::app::{App, Effect};
use super::ctx::{Caches, Summaries};
use super::keymap::Action;
use std::time::Instant;

/// An action waiting for summaries being built.
#[derive(Debug, Clone)]
pub struct Building {
    pub generation: u64,
    pub action: Action,
    pub started: Instant,
}

impl Building {
    /// For the status bar.
    pub fn describe(&self) -> String {
        let what = match self.action {
            Action::OpenUsers => "the users view",
            Action::OpenRepos => "the repositories view",
            _ => "pipeline histories",
        };
        format!(
            "building {what}… {:.1} s (Esc cancels)",
            self.started.elapsed().as_secs_f64()
        )
    }
}

/// The summaries `action` needs.
pub fn needs(action: Action) -> Summaries {
    match action {
        Action::OpenUsers => Summaries {
            users: true,
            ..Summaries::default()
        },
        Action::OpenRepos => Summaries {
            repos: true,
            pipelines: true,
            ..Summaries::default()
        },
        Action::OpenPipelines | Action::DiffOfEvent | Action::RepoPipeline => Summaries {
            pipelines: true,
            ..Summaries::default()
        },
        _ => Summaries::default(),
    }
}

impl App {
    /// Whether `action` can run now. If it needs summaries not built yet, they
    /// are built (in place, or by a background job in the terminal, after which
    /// the action runs) and this answers false.
    pub(super) fn ready_for(&mut self, action: Action) -> bool {
        let missing = self.caches.missing(needs(action));
        if !missing.any() {
            return true;
        }
        if !self.background {
            let built = self.caches.built(missing, &self.index);
            self.caches.fill(built);
            return true;
        }
        self.building = Some(Building {
            generation: self.index_generation,
            action,
            started: Instant::now(),
        });
        self.effects.push(Effect::BuildSummaries {
            generation: self.index_generation,
            need: missing,
            have: self.caches.clone(),
        });
        false
    }

    /// Summaries built for index `generation` arrived: keep them, and run the
    /// action that waited for them.
    pub(super) fn summaries_built(&mut self, generation: u64, built: Caches) {
        if generation != self.index_generation {
            return; // built from an index since replaced
        }
        self.caches.fill(built);
        if let Some(waiting) = self.building.take_if(|b| b.generation == generation) {
            self.act(waiting.action);
        }
    }
}

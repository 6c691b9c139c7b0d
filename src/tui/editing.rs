//! Keys while a line is being edited: the filter bar (with Tab completion and
//! the history) and the file-name prompt of `w`. Part of [`App`]'s key routing,
//! kept apart so `app.rs` stays the view stack and dispatch.

use super::app::{App, Effect};
use super::filter_bar::EditOutcome;
use super::prompt::PromptOutcome;
use crate::format::thousands;
use ratatui::crossterm::event::{KeyCode, KeyEvent};

const NOTHING_TO_COMPLETE: &str = "nothing to complete here";

impl App {
    /// A key while the filter bar is being edited.
    pub(super) fn filter_key(&mut self, key: KeyEvent) {
        let second_line = self.filter.second_line();
        // A note about the last Tab does not outlive the next key.
        if self.message.as_deref() == Some(NOTHING_TO_COMPLETE) {
            self.message = None;
        }
        if key.code == KeyCode::Tab {
            self.complete();
        } else if let outcome @ (EditOutcome::Apply | EditOutcome::Kept) = self.filter.key(key) {
            if outcome == EditOutcome::Apply {
                self.apply_filter();
            }
            if self.filter.editing.is_none()
                && let Some(line) = self.filter.remember()
            {
                self.effects.push(Effect::SaveHistory(line));
            }
        }
        if self.filter.second_line() != second_line {
            self.resize(self.viewport.screen.width, self.viewport.screen.height);
        }
    }

    /// Tab in the filter bar: suggestions for the word at the cursor.
    fn complete(&mut self) {
        let found = match (&self.filter.completion, &self.filter.editing) {
            (Some(_), _) => Some((0, Vec::new())),
            (None, Some((edit, _))) => {
                super::complete::candidates(&self.ctx(), &edit.text, edit.cursor)
            }
            (None, None) => None,
        };
        match found {
            Some((start, candidates)) => self.filter.complete(start, candidates),
            None => self.message = Some(NOTHING_TO_COMPLETE.into()),
        }
    }

    /// A key while the `w` prompt is open.
    pub(super) fn prompt_key(&mut self, key: KeyEvent) {
        let Some(prompt) = self.prompt.as_mut() else {
            return;
        };
        match prompt.key(key) {
            PromptOutcome::Editing => {}
            PromptOutcome::Cancelled => self.prompt = None,
            PromptOutcome::Write(path) => {
                self.prompt = None;
                let events = self.results.shown().to_vec();
                self.message = Some(format!(
                    "writing {} events to {path}…",
                    thousands(events.len())
                ));
                self.effects.push(Effect::Write { path, events });
            }
        }
    }
}

//! The filter: its text, the parsed filter applied, a parse error, and the
//! editor while `/` is active. Typing applies each valid prefix once typing
//! pauses (a debounce); Enter keeps the filter, Esc restores the one before.

use super::theme::Theme;
use super::widgets::LineEdit;
use crate::query::{Filter, ParseError};
use crate::sanitize::escape;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use std::time::{Duration, Instant};

/// How long typing in the filter bar waits before re-filtering.
pub const DEBOUNCE: Duration = Duration::from_millis(40);

#[derive(Debug, Clone, Default)]
pub struct FilterState {
    /// The applied filter and its text.
    pub filter: Filter,
    pub text: String,
    pub error: Option<ParseError>,
    /// Set while the filter bar is being edited: (editor, text before editing).
    pub editing: Option<(LineEdit, String)>,
    /// When the filter last changed without being applied (debounce).
    pub pending_since: Option<Instant>,
}

/// What a key in the filter editor did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditOutcome {
    /// Nothing to re-apply.
    Unchanged,
    /// The filter changed: apply it now.
    Apply,
}

impl FilterState {
    /// Sets the filter from text (as `--filter` does); a parse error is kept for
    /// display and the last good filter stays. True when the filter changed.
    pub fn set_text(&mut self, text: &str) -> bool {
        self.text = text.to_string();
        match Filter::parse(text) {
            Ok(f) => {
                self.filter = f;
                self.error = None;
                true
            }
            Err(e) => {
                self.error = Some(e);
                false
            }
        }
    }

    /// Replaces the filter (a facet or a view changed it); its text follows.
    pub fn set(&mut self, filter: Filter) {
        self.text = filter.to_text();
        self.filter = filter;
        self.error = None;
    }

    pub fn start_editing(&mut self) {
        self.editing = Some((LineEdit::new(&self.text), self.text.clone()));
    }

    /// Whether a debounced change is due at `now`.
    pub fn due(&self, now: Instant) -> bool {
        self.pending_since
            .is_some_and(|since| now.duration_since(since) >= DEBOUNCE)
    }

    pub fn key(&mut self, key: KeyEvent) -> EditOutcome {
        let Some((edit, before)) = self.editing.as_mut() else {
            return EditOutcome::Unchanged;
        };
        match key.code {
            KeyCode::Esc => {
                let before = before.clone();
                self.editing = None;
                self.pending_since = None;
                if self.set_text(&before) {
                    EditOutcome::Apply
                } else {
                    EditOutcome::Unchanged
                }
            }
            KeyCode::Enter if self.error.is_none() => {
                self.editing = None;
                EditOutcome::Apply
            }
            KeyCode::Enter => EditOutcome::Unchanged,
            _ => {
                if edit.edit(&key) {
                    let text = edit.text.clone();
                    self.text = text.clone();
                    match Filter::parse(&text) {
                        Ok(f) => {
                            self.error = None;
                            if f != self.filter {
                                self.filter = f;
                                self.pending_since = Some(Instant::now());
                            }
                        }
                        Err(e) => self.error = Some(e),
                    }
                }
                EditOutcome::Unchanged
            }
        }
    }

    /// The filter line, and under it the parse error pointing at its column.
    pub fn draw(&self, t: &Theme, frame: &mut Frame, area: Rect, error_area: Rect) {
        let label = Span::styled(" Filter ", t.key);
        let line = match &self.editing {
            Some((edit, _)) => {
                let (before, at, after) = edit.split_at_cursor();
                Line::from(vec![
                    label,
                    Span::raw("› "),
                    Span::raw(escape(&before).into_owned()),
                    Span::styled(escape(&at).into_owned(), t.selected),
                    Span::raw(escape(&after).into_owned()),
                ])
            }
            None if self.text.is_empty() => Line::from(vec![
                label,
                Span::styled(
                    "  (none — press / to filter: user:alice event:GitPush errors …)",
                    t.dim,
                ),
            ]),
            None => Line::from(vec![
                label,
                Span::raw("  "),
                Span::raw(escape(&self.text).into_owned()),
            ]),
        };
        frame.render_widget(Paragraph::new(line), area);
        if let Some(err) = &self.error {
            // Point at the column: the text starts after " Filter › " (10 columns).
            let pad = " ".repeat(9 + err.column);
            let msg = format!(
                "{pad}^ {} (the previous filter stays applied)",
                escape(&err.message)
            );
            frame.render_widget(Paragraph::new(Line::styled(msg, t.error)), error_area);
        }
    }
}

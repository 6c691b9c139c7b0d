//! The filter: its text, the parsed filter applied, a parse error, and the
//! editor while `/` is active. Typing applies each valid prefix once typing
//! pauses (a debounce); Enter keeps the filter, Esc restores the one before.

use super::complete::Completion;
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
    /// Tab's suggestions while editing.
    pub completion: Option<Completion>,
    /// Filters kept before, oldest first, and where ↑/↓ are in them.
    pub history: Vec<String>,
    history_at: Option<usize>,
    /// The filters before each change (a facet, a view, a pivot, an edit kept
    /// with Enter), most recent last: Backspace on the main screen steps back.
    pub undo: Vec<String>,
}

/// How many earlier filters Backspace can step back through.
const UNDO_DEPTH: usize = 100;

/// What a key in the filter editor did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditOutcome {
    /// Nothing to re-apply.
    Unchanged,
    /// The filter changed: apply it now.
    Apply,
    /// Enter on a filter already applied (or being applied): keep it as it is.
    Kept,
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

    /// Replaces the filter (a facet or a view changed it); its text follows,
    /// and the one before can be stepped back to.
    pub fn set(&mut self, filter: Filter) {
        let text = filter.to_text();
        if text != self.text {
            self.push_undo(self.text.clone());
        }
        self.text = text;
        self.filter = filter;
        self.error = None;
    }

    fn push_undo(&mut self, before: String) {
        if self.undo.last() != Some(&before) {
            self.undo.push(before);
        }
        let excess = self.undo.len().saturating_sub(UNDO_DEPTH);
        self.undo.drain(..excess);
    }

    /// Backspace: back to the filter before the last change; false when there
    /// is none.
    pub fn step_back(&mut self) -> bool {
        let Some(before) = self.undo.pop() else {
            return false;
        };
        self.set_text(&before);
        true
    }

    pub fn start_editing(&mut self) {
        self.editing = Some((LineEdit::new(&self.text), self.text.clone()));
        self.history_at = None;
        self.completion = None;
    }

    /// The filter kept with Enter, for the history (when it is new there).
    pub fn remember(&mut self) -> Option<String> {
        let text = self.text.trim().to_string();
        if text.is_empty() || self.history.last() == Some(&text) {
            return None;
        }
        self.history.push(text.clone());
        let excess = self.history.len().saturating_sub(super::history::KEEP);
        self.history.drain(..excess);
        Some(text)
    }

    /// ↑ (`back`) or ↓ through the history; ↓ past the newest returns to an empty line.
    pub fn history_step(&mut self, back: bool) {
        let len = self.history.len();
        let at = match (self.history_at, back) {
            (None, true) if len > 0 => Some(len - 1),
            (Some(k), true) => Some(k.saturating_sub(1)),
            (Some(k), false) if k + 1 < len => Some(k + 1),
            (Some(_), false) => None,
            (None, _) => return,
        };
        self.history_at = at;
        let text = at.map(|k| self.history[k].clone()).unwrap_or_default();
        self.replace_text(&text);
    }

    /// Sets the editor's text (history, completion) and re-reads the filter.
    fn replace_text(&mut self, text: &str) {
        if let Some((edit, _)) = self.editing.as_mut() {
            *edit = LineEdit::new(text);
        }
        self.text_changed();
    }

    /// Tab: put the first suggestion in place of the word being typed (from
    /// character `start` to the cursor), or, when Tab was the last key, the next one.
    pub fn complete(&mut self, start: usize, candidates: Vec<(String, usize)>) {
        let Some((edit, _)) = self.editing.as_mut() else {
            return;
        };
        let (start, end, candidates, at) = match self.completion.take() {
            Some(c) => {
                let current = c.candidates.get(c.at).map_or(0, |x| x.0.chars().count());
                let at = (c.at + 1) % c.candidates.len().max(1);
                (c.start, c.start + current, c.candidates, at)
            }
            None => (start, edit.cursor, candidates, 0),
        };
        let Some((word, _)) = candidates.get(at) else {
            return;
        };
        let chars: Vec<char> = edit.text.chars().collect();
        let (start, end) = (
            start.min(chars.len()),
            end.min(chars.len()).max(start.min(chars.len())),
        );
        let text: String = chars[..start]
            .iter()
            .copied()
            .chain(word.chars())
            .chain(chars[end..].iter().copied())
            .collect();
        let cursor = start + word.chars().count();
        *edit = LineEdit::new(&text);
        edit.cursor = cursor;
        self.completion = Some(Completion {
            start,
            candidates,
            at,
        });
        self.text_changed();
    }

    /// Whether the line under the filter bar is in use (an error, or Tab's suggestions).
    pub fn second_line(&self) -> bool {
        self.error.is_some() || self.completion.is_some()
    }

    /// The editor's text changed: parse it, and apply it once typing pauses.
    fn text_changed(&mut self) {
        let Some((edit, _)) = self.editing.as_ref() else {
            return;
        };
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

    /// Whether a debounced change is due at `now`.
    pub fn due(&self, now: Instant) -> bool {
        self.pending_since
            .is_some_and(|since| now.duration_since(since) >= DEBOUNCE)
    }

    pub fn key(&mut self, key: KeyEvent) -> EditOutcome {
        self.completion = None;
        if matches!(key.code, KeyCode::Up | KeyCode::Down) {
            self.history_step(key.code == KeyCode::Up);
            return EditOutcome::Unchanged;
        }
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
                let before = before.clone();
                self.editing = None;
                if before.trim() != self.text.trim() {
                    self.push_undo(before);
                }
                if self.pending_since.is_some() {
                    EditOutcome::Apply
                } else {
                    EditOutcome::Kept
                }
            }
            KeyCode::Enter => EditOutcome::Unchanged,
            _ => {
                if edit.edit(&key) {
                    self.text_changed();
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
        // While Tab cycles, its choices are shown (a field name put in, `repo:`,
        // is not an error worth showing yet); else the parse error, if any.
        if let Some(c) = &self.completion {
            let mut spans = vec![Span::styled("          Tab ", t.key)];
            for (k, (value, count)) in c.candidates.iter().enumerate().take(12) {
                let label = if *count > 0 {
                    format!("{} ({})", escape(value), crate::format::thousands(*count))
                } else {
                    escape(value).into_owned()
                };
                spans.push(Span::styled(
                    label,
                    if k == c.at { t.selected } else { t.dim },
                ));
                spans.push(Span::raw("  "));
            }
            if c.candidates.len() > 12 {
                spans.push(Span::styled(
                    format!("+{} more", c.candidates.len() - 12),
                    t.dim,
                ));
            }
            frame.render_widget(Paragraph::new(Line::from(spans)), error_area);
        } else if let Some(err) = &self.error {
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

//! The file-name prompt of `w`: where to write the filtered events.

use super::theme::Theme;
use super::widgets::LineEdit;
use crate::sanitize::escape;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

#[derive(Debug, Clone, PartialEq)]
pub struct WritePrompt {
    pub edit: LineEdit,
}

impl Default for WritePrompt {
    fn default() -> Self {
        WritePrompt {
            edit: LineEdit::new("trailscope-events.jsonl"),
        }
    }
}

/// What a key in the prompt did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptOutcome {
    Editing,
    Cancelled,
    /// Write to this path.
    Write(String),
}

impl WritePrompt {
    pub fn key(&mut self, key: KeyEvent) -> PromptOutcome {
        match key.code {
            KeyCode::Esc => PromptOutcome::Cancelled,
            KeyCode::Enter => match self.edit.text.trim() {
                "" => PromptOutcome::Cancelled,
                path => PromptOutcome::Write(path.to_string()),
            },
            _ => {
                self.edit.edit(&key);
                PromptOutcome::Editing
            }
        }
    }

    /// The prompt, in the status bar's place.
    pub fn draw(&self, t: &Theme, frame: &mut Frame, area: Rect) {
        let line = Line::from(vec![
            Span::styled(" Write filtered events (JSON lines) to: ", t.key),
            Span::raw(escape(&self.edit.text).into_owned()),
            Span::styled(" ", t.selected),
            Span::styled("   Enter write · Esc cancel", t.dim),
        ]);
        frame.render_widget(Paragraph::new(line), area);
    }
}

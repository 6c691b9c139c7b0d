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

/// `~` and `~/…` name the home directory, as they would in a shell (the prompt
/// is not one, and `~/x.jsonl` used to fail as a relative path); `~user` and a
/// `~` elsewhere in the path are left as typed.
pub fn expand_home(path: &str, home: Option<&std::ffi::OsStr>) -> String {
    let Some(home) = home.map(|h| h.to_string_lossy()) else {
        return path.to_string();
    };
    let home = home.trim_end_matches('/');
    match path.strip_prefix('~') {
        Some("") => home.to_string(),
        Some(rest) if rest.starts_with('/') => format!("{home}{rest}"),
        _ => path.to_string(),
    }
}

impl WritePrompt {
    pub fn key(&mut self, key: KeyEvent) -> PromptOutcome {
        match key.code {
            KeyCode::Esc => PromptOutcome::Cancelled,
            KeyCode::Enter => match self.edit.text.trim() {
                "" => PromptOutcome::Cancelled,
                path => {
                    PromptOutcome::Write(expand_home(path, std::env::var_os("HOME").as_deref()))
                }
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
            Span::styled(
                " Write filtered events (JSON lines; a .csv name: CSV) to: ",
                t.key,
            ),
            Span::raw(escape(&self.edit.text).into_owned()),
            Span::styled(" ", t.selected),
            Span::styled("   Enter write · Esc cancel", t.dim),
        ]);
        frame.render_widget(Paragraph::new(line), area);
    }
}

#[cfg(test)]
mod tests {
    use super::expand_home;
    use std::ffi::OsStr;

    #[test]
    fn a_leading_tilde_is_the_home_directory() {
        let home = Some(OsStr::new("/home/ana"));
        assert_eq!(expand_home("~/x.jsonl", home), "/home/ana/x.jsonl");
        assert_eq!(expand_home("~", home), "/home/ana");
        assert_eq!(
            expand_home("~/", Some(OsStr::new("/home/ana/"))),
            "/home/ana/"
        );
        assert_eq!(expand_home("~bob/x", home), "~bob/x");
        assert_eq!(expand_home("out/~/x", home), "out/~/x");
        assert_eq!(expand_home("x.jsonl", home), "x.jsonl");
        assert_eq!(expand_home("~/x", None), "~/x");
    }
}

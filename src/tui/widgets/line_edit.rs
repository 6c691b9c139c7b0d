//! A one-line text input (the filter bar, the file-name prompt).

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct LineEdit {
    pub text: String,
    /// Cursor position in characters.
    pub cursor: usize,
}

impl LineEdit {
    pub fn new(text: &str) -> LineEdit {
        LineEdit {
            text: text.to_string(),
            cursor: text.chars().count(),
        }
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map(|(i, _)| i)
            .unwrap_or(self.text.len())
    }

    /// The text split at the cursor: before, the character under it (a space at
    /// the end), after.
    pub fn split_at_cursor(&self) -> (String, String, String) {
        let chars: Vec<char> = self.text.chars().collect();
        let at = self.cursor.min(chars.len());
        let before = chars[..at].iter().collect();
        let under = chars
            .get(at)
            .map(|c| c.to_string())
            .unwrap_or_else(|| " ".into());
        let after = chars
            .get(at + 1..)
            .map(|r| r.iter().collect())
            .unwrap_or_default();
        (before, under, after)
    }

    /// Applies an editing key; false when the key is not an editing key.
    pub fn edit(&mut self, key: &KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let len = self.text.chars().count();
        match key.code {
            KeyCode::Char('u') if ctrl => {
                self.text.clear();
                self.cursor = 0;
            }
            KeyCode::Char('w') if ctrl => {
                let chars: Vec<char> = self.text.chars().collect();
                let mut start = self.cursor;
                while start > 0 && chars[start - 1] == ' ' {
                    start -= 1;
                }
                while start > 0 && chars[start - 1] != ' ' {
                    start -= 1;
                }
                let (a, b) = (self.byte_at(start), self.byte_at(self.cursor));
                self.text.replace_range(a..b, "");
                self.cursor = start;
            }
            KeyCode::Char('a') if ctrl => self.cursor = 0,
            KeyCode::Char('e') if ctrl => self.cursor = len,
            KeyCode::Char(c) if !ctrl && !c.is_control() => {
                let at = self.byte_at(self.cursor);
                self.text.insert(at, c);
                self.cursor += 1;
            }
            KeyCode::Backspace if self.cursor > 0 => {
                let (a, b) = (self.byte_at(self.cursor - 1), self.byte_at(self.cursor));
                self.text.replace_range(a..b, "");
                self.cursor -= 1;
            }
            KeyCode::Delete if self.cursor < len => {
                let (a, b) = (self.byte_at(self.cursor), self.byte_at(self.cursor + 1));
                self.text.replace_range(a..b, "");
            }
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(len),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = len,
            KeyCode::Backspace | KeyCode::Delete => {}
            _ => return false,
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(e: &mut LineEdit, code: KeyCode, mods: KeyModifiers) -> bool {
        e.edit(&KeyEvent::new(code, mods))
    }

    #[test]
    fn edits_by_characters_not_bytes() {
        let mut e = LineEdit::new("José x");
        press(&mut e, KeyCode::Char('w'), KeyModifiers::CONTROL);
        assert_eq!((e.text.as_str(), e.cursor), ("José ", 5));
        press(&mut e, KeyCode::Left, KeyModifiers::NONE);
        press(&mut e, KeyCode::Backspace, KeyModifiers::NONE);
        assert_eq!(e.text, "Jos ");
        press(&mut e, KeyCode::Char('é'), KeyModifiers::NONE);
        assert_eq!(e.text, "José ");
        assert_eq!(
            e.split_at_cursor(),
            ("José".into(), " ".into(), String::new())
        );
        assert!(!press(&mut e, KeyCode::Enter, KeyModifiers::NONE));
        press(&mut e, KeyCode::Char('u'), KeyModifiers::CONTROL);
        assert_eq!((e.text.as_str(), e.cursor), ("", 0));
    }
}

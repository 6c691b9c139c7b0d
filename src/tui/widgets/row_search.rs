//! `/` in a table view: a query typed into the view's title narrows its rows,
//! as it is typed, to those whose name holds it (case- and accent-insensitive).
//! `Enter` keeps the narrowing and gives the keys back to the table; `Esc`
//! clears it.

use super::LineEdit;
use crate::query::parse::fold;
use crate::sanitize::escape;
use ratatui::crossterm::event::{KeyCode, KeyEvent};

#[derive(Debug, Clone, Default)]
pub struct RowSearch {
    /// The query being typed; `None` when the keys go to the table.
    pub editing: Option<LineEdit>,
    /// The query applied, folded.
    query: String,
}

impl RowSearch {
    /// `/`: type a query (the current one, to change it).
    pub fn start(&mut self) {
        self.editing = Some(LineEdit::new(&self.query));
    }

    pub fn is_editing(&self) -> bool {
        self.editing.is_some()
    }

    pub fn is_narrowing(&self) -> bool {
        !self.query.is_empty()
    }

    /// A key while typing; true when the query changed (the rows must be
    /// narrowed again).
    pub fn key(&mut self, key: &KeyEvent) -> bool {
        let Some(edit) = self.editing.as_mut() else {
            return false;
        };
        match key.code {
            KeyCode::Esc => {
                self.editing = None;
                self.clear()
            }
            KeyCode::Enter => {
                self.editing = None;
                false
            }
            _ => {
                if !edit.edit(key) {
                    return false;
                }
                let query = fold(&edit.text);
                let changed = query != self.query;
                self.query = query;
                changed
            }
        }
    }

    /// The query applied, folded.
    pub fn query(&self) -> &str {
        &self.query
    }

    /// Stops narrowing; true when it was.
    pub fn clear(&mut self) -> bool {
        !std::mem::take(&mut self.query).is_empty()
    }

    /// Whether a row named `name` stays.
    pub fn keeps(&self, name: &str) -> bool {
        self.query.is_empty() || fold(name).contains(&self.query)
    }

    /// For the view's title: the query being typed (with a cursor) or applied.
    pub fn title(&self) -> String {
        match &self.editing {
            Some(edit) => format!(" · /{}▏", escape(&edit.text)),
            None if self.is_narrowing() => format!(" · /{} (Esc: all)", escape(&self.query)),
            None => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyModifiers;

    fn press(s: &mut RowSearch, code: KeyCode) -> bool {
        s.key(&KeyEvent::new(code, KeyModifiers::NONE))
    }

    #[test]
    fn typing_narrows_enter_keeps_esc_clears() {
        let mut s = RowSearch::default();
        assert!(s.keeps("anything"));
        s.start();
        assert!(press(&mut s, KeyCode::Char('B')));
        assert!(press(&mut s, KeyCode::Char('o')));
        assert!(s.keeps("arn:aws:iam::1:user/bob"));
        assert!(s.keeps("Bö"), "accents and case are ignored");
        assert!(!s.keeps("alice"));
        assert_eq!(s.title(), " · /Bo▏");
        assert!(!press(&mut s, KeyCode::Enter));
        assert!(!s.is_editing());
        assert!(!s.keeps("alice"), "Enter keeps the narrowing");
        assert_eq!(s.title(), " · /bo (Esc: all)");
        // `/` again edits the query in place; Esc clears it.
        s.start();
        assert_eq!(s.editing.as_ref().map(|e| e.text.as_str()), Some("bo"));
        assert!(press(&mut s, KeyCode::Esc));
        assert!(s.keeps("alice"));
        assert_eq!(s.title(), "");
    }
}

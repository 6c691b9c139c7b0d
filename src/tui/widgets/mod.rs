//! Pieces every view draws with; they know nothing of views or of the app.

pub mod cursor;
pub mod line_edit;
pub mod row_search;
pub mod table;

pub use cursor::Cursor;
pub use line_edit::LineEdit;
pub use row_search::RowSearch;
pub use table::{Column, Cut, Table, TableRow, Width};

use super::theme::Theme;
use crate::query::fuzzy::FuzzyWord;
use crate::sanitize::escape;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};

/// A bordered pane with its title; the border shows whether it has the focus.
pub fn pane<'a>(t: &Theme, title: impl Into<String>, focused: bool) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(if focused { t.border_focused } else { t.border })
        .title(Span::styled(title.into(), t.title))
}

/// `text` cut (with `…`) or padded to exactly `width` display columns.
pub fn fit(text: &str, width: usize) -> String {
    let cut = crate::output::table::truncate(text, width);
    crate::output::table::pad(&cut, width)
}

/// Longest text put in a table cell; the cell clips further, this bounds the work.
const CELL_CHARS: usize = 200;

/// Caller-supplied text made safe for a cell: escaped, and bounded in length.
pub fn cell_text(text: &str) -> String {
    let safe = escape(text);
    if safe.chars().count() > CELL_CHARS {
        safe.chars().take(CELL_CHARS).collect::<String>() + "…"
    } else {
        safe.into_owned()
    }
}

/// A cell with the characters matched by fuzzy words emphasised.
pub fn highlighted(text: &str, words: &[FuzzyWord], base: Style, mark: Style) -> Line<'static> {
    let text = cell_text(text);
    let mut marked = vec![false; text.chars().count()];
    for w in words {
        if let Some((_, idx)) = w.indices(&text) {
            for i in idx {
                if let Some(m) = marked.get_mut(i) {
                    *m = true;
                }
            }
        }
    }
    if !marked.iter().any(|&m| m) {
        return Line::from(Span::styled(text, base));
    }
    let spans: Vec<Span> = text
        .chars()
        .zip(marked)
        .map(|(c, m)| Span::styled(c.to_string(), if m { base.patch(mark) } else { base }))
        .collect();
    Line::from(spans)
}

/// Whether a screen position falls inside `area`.
pub fn contains(area: Rect, column: u16, row: u16) -> bool {
    column >= area.x && column < area.x + area.width && row >= area.y && row < area.y + area.height
}

/// A rectangle of `width`×`height` (at most the area less a margin) centred in `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width.saturating_sub(2)).max(1);
    let h = height.min(area.height.saturating_sub(2)).max(1);
    Rect {
        x: area.x + (area.width.saturating_sub(w)) / 2,
        y: area.y + (area.height.saturating_sub(h)) / 2,
        width: w,
        height: h,
    }
}

/// Splits spans into screen rows of at most `width` display columns, so a long
/// value is shown whole rather than cut at the edge.
pub fn wrap(spans: Vec<Span<'static>>, width: usize) -> Vec<Line<'static>> {
    use unicode_width::UnicodeWidthChar;
    let width = width.max(2);
    let mut rows: Vec<Vec<Span<'static>>> = vec![Vec::new()];
    let mut used = 0;
    for span in spans {
        let style = span.style;
        let mut piece = String::new();
        for c in span.content.chars() {
            let w = c.width().unwrap_or(0);
            if used + w > width {
                if !piece.is_empty()
                    && let Some(r) = rows.last_mut()
                {
                    r.push(Span::styled(std::mem::take(&mut piece), style))
                }
                rows.push(Vec::new());
                used = 0;
            }
            piece.push(c);
            used += w;
        }
        if !piece.is_empty()
            && let Some(r) = rows.last_mut()
        {
            r.push(Span::styled(piece, style))
        }
    }
    rows.into_iter().map(Line::from).collect()
}

/// How many screen rows `wrap` makes of a line of `text_width` columns.
pub fn wrapped_rows(text_width: usize, width: usize) -> usize {
    text_width.div_ceil(width.max(2)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_splits_by_display_width() {
        let rows = wrap(vec![Span::raw("abcd"), Span::raw("日本語")], 5);
        let text: Vec<String> = rows
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.to_string()).collect())
            .collect();
        assert_eq!(text, ["abcd", "日本", "語"]);
        assert_eq!(wrap(vec![Span::raw("")], 5).len(), 1);
        assert_eq!(wrapped_rows(10, 5), 2);
        assert_eq!(wrapped_rows(0, 5), 1);
    }
}

//! The help popup, generated from the key table and the filter language's terms.

use super::{Transition, movement, scrolled};
use crate::query::fields::FIELDS;
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{Action, help_sections};
use crate::tui::theme::Theme;
use crate::tui::widgets::{RowSearch, centered, pane};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

/// The filter language's syntax beyond its fields.
const SYNTAX_HELP: [(&str, &str); 8] = [
    ("a b", "both hold (AND)"),
    ("a | b   a or b", "either holds (OR); AND binds tighter"),
    ("(a | b) c", "parentheses group"),
    ("-term  -(a b)", "negates a term or a group"),
    (
        "word",
        "a bare word is fuzzy-matched against every indexed value",
    ),
    (
        "\"quoted value\"",
        "values with spaces, commas or syntax; * and ? are wildcards",
    ),
    (
        "field:=value",
        "exact: the whole value (user:=alice, repo:=web-app)",
    ),
    (
        "@name",
        "a named filter from [filters] in ~/.config/trailscope/config.toml",
    ),
];

/// Width of the key or example column; a longer one puts its text on the next line.
const LEFT: usize = 22;

#[derive(Debug, Clone, Default)]
pub struct HelpView {
    pub scroll: usize,
    /// `/`: only the keys and terms whose line holds the query, under their
    /// section titles.
    pub search: RowSearch,
}

impl HelpView {
    fn area(screen: Rect) -> Rect {
        centered(screen, 96, screen.height.saturating_sub(2))
    }

    /// The popup's lines at `width` (inside its border): a key or example longer
    /// than its column puts its text on the next line, and text wraps at words
    /// under its column, so nothing runs together or is cut at the edge.
    fn lines(t: &Theme, width: usize, search: &RowSearch) -> Vec<Line<'static>> {
        let mut lines = Vec::new();
        let keeps = |left: &str, what: &str| search.keeps(&format!("{left} {what}"));
        let row = |lines: &mut Vec<Line<'static>>, left: &str, what: &str| {
            let indent = 2 + LEFT;
            let wrapped = wrap_words(what, width.saturating_sub(indent).max(20));
            let mut rest = wrapped.into_iter();
            if left.chars().count() < LEFT {
                let first = rest.next().unwrap_or_default();
                lines.push(Line::from(vec![
                    Span::styled(format!("  {left:<LEFT$}"), t.key),
                    Span::raw(first),
                ]));
            } else {
                lines.push(Line::styled(format!("  {left}"), t.key));
            }
            for more in rest {
                lines.push(Line::raw(format!("{:indent$}{more}", "")));
            }
        };
        for (title, rows) in help_sections() {
            let kept: Vec<_> = rows.iter().filter(|(k, w)| keeps(k, w)).collect();
            if kept.is_empty() {
                continue;
            }
            lines.push(Line::styled(title, t.header));
            for (keys, what) in kept {
                row(&mut lines, keys, what);
            }
            lines.push(Line::raw(""));
        }
        let fields = FIELDS.iter().map(|f| {
            let example = f.example.split("  ").next().unwrap_or(f.name);
            (example, f.help)
        });
        let terms: Vec<(&str, &str)> = fields
            .chain(SYNTAX_HELP)
            .filter(|(token, what)| keeps(token, what))
            .collect();
        if !terms.is_empty() {
            lines.push(Line::styled("Filter language", t.header));
        }
        for (token, what) in terms {
            row(&mut lines, token, what);
        }
        if lines.is_empty() {
            lines.push(Line::styled("nothing in the help holds that", t.dim));
        }
        lines
    }

    fn inner_width(screen: Rect) -> usize {
        Self::area(screen).width.saturating_sub(2) as usize
    }

    /// The largest scroll that still fills the popup.
    fn max_scroll(&self, ctx: &Ctx) -> usize {
        let screen = ctx.viewport.screen;
        let visible = Self::area(screen).height.saturating_sub(2) as usize;
        Self::lines(ctx.theme, Self::inner_width(screen), &self.search)
            .len()
            .saturating_sub(visible)
    }

    pub fn update(&mut self, action: Action, ctx: &Ctx) -> Transition {
        if action == Action::SearchRows {
            self.search.start();
            return Transition::Stay;
        }
        let page = Self::area(ctx.viewport.screen).height.saturating_sub(2) as usize;
        if let Some(delta) = movement(action, page) {
            self.scroll = scrolled(self.scroll, delta, self.max_scroll(ctx));
        }
        Transition::Stay
    }

    pub fn draw(&self, ctx: &Ctx, frame: &mut Frame, _area: Rect) {
        let popup = Self::area(frame.area());
        let scroll = self.scroll.min(self.max_scroll(ctx));
        frame.render_widget(Clear, popup);
        frame.render_widget(
            Paragraph::new(Self::lines(
                ctx.theme,
                Self::inner_width(frame.area()),
                &self.search,
            ))
            .block(pane(
                ctx.theme,
                format!(" Help{} · / search · Esc closes ", self.search.title()),
                true,
            ))
            .scroll((scroll as u16, 0)),
            popup,
        );
    }
}

/// `text` in lines of at most `width` characters, broken between words (a word
/// longer than a line is cut).
fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word = word.to_string();
        while word.chars().count() > width {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            let cut = word
                .char_indices()
                .nth(width)
                .map_or(word.len(), |(i, _)| i);
            lines.push(word[..cut].to_string());
            word = word[cut..].to_string();
        }
        let needed = line.chars().count() + usize::from(!line.is_empty()) + word.chars().count();
        if needed > width && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::wrap_words;

    #[test]
    fn words_wrap_within_the_width() {
        assert_eq!(
            wrap_words("any resource the event names: repositories", 16),
            ["any resource the", "event names:", "repositories"]
        );
        assert_eq!(wrap_words("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap_words("", 4), [""]);
    }
}

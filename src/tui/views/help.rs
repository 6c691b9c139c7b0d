//! The help popup, generated from the key table and the filter language's terms.

use super::{Transition, movement, scrolled};
use crate::query::fields::FIELDS;
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{Action, help_sections};
use crate::tui::theme::Theme;
use crate::tui::widgets::{centered, pane};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

/// The filter language's syntax beyond its fields.
const SYNTAX_HELP: [(&str, &str); 6] = [
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
];

#[derive(Debug, Clone, Default)]
pub struct HelpView {
    pub scroll: usize,
}

impl HelpView {
    fn area(screen: Rect) -> Rect {
        centered(screen, 96, screen.height.saturating_sub(2))
    }

    fn lines(t: &Theme) -> Vec<Line<'static>> {
        let mut lines = Vec::new();
        for (title, rows) in help_sections() {
            lines.push(Line::styled(title, t.header));
            for (keys, what) in rows {
                lines.push(Line::from(vec![
                    Span::styled(format!("  {keys:<22}"), t.key),
                    Span::raw(what),
                ]));
            }
            lines.push(Line::raw(""));
        }
        lines.push(Line::styled("Filter language", t.header));
        let fields = FIELDS.iter().map(|f| {
            let example = f.example.split("  ").next().unwrap_or(f.name);
            (example, f.help)
        });
        for (token, what) in fields.chain(SYNTAX_HELP) {
            lines.push(Line::from(vec![
                Span::styled(format!("  {token:<22}"), t.key),
                Span::raw(what),
            ]));
        }
        lines
    }

    /// The largest scroll that still fills the popup.
    fn max_scroll(ctx: &Ctx) -> usize {
        let visible = Self::area(ctx.viewport.screen).height.saturating_sub(2) as usize;
        Self::lines(ctx.theme).len().saturating_sub(visible)
    }

    pub fn update(&mut self, action: Action, ctx: &Ctx) -> Transition {
        let page = Self::area(ctx.viewport.screen).height.saturating_sub(2) as usize;
        if let Some(delta) = movement(action, page) {
            self.scroll = scrolled(self.scroll, delta, Self::max_scroll(ctx));
        }
        Transition::Stay
    }

    pub fn draw(&self, ctx: &Ctx, frame: &mut Frame, _area: Rect) {
        let popup = Self::area(frame.area());
        let scroll = self.scroll.min(Self::max_scroll(ctx));
        frame.render_widget(Clear, popup);
        frame.render_widget(
            Paragraph::new(Self::lines(ctx.theme))
                .block(pane(ctx.theme, " Help · Esc closes ", true))
                .scroll((scroll as u16, 0)),
            popup,
        );
    }
}

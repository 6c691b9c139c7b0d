//! The help popup, generated from the key table and the filter language's terms.

use super::{Transition, movement, scrolled};
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{Action, help_sections};
use crate::tui::theme::Theme;
use crate::tui::widgets::{centered, pane};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

const FILTER_HELP: [(&str, &str); 13] = [
    (
        "user:T",
        "actor, ARN, access key or principal contains T (user:=T exact)",
    ),
    (
        "repo:T  pipeline:T",
        "a CodeCommit repository / CodePipeline pipeline contains T (=T exact)",
    ),
    ("event:A,B", "event name is A or B"),
    (
        "source:S",
        "event source (codecommit = codecommit.amazonaws.com)",
    ),
    ("account:A  region:R", "exact account / region"),
    ("error:CODE", "error code is CODE"),
    ("errors", "has an error code"),
    ("readonly  mutating", "by the read-only flag"),
    (
        "since:T  until:T",
        "time range, RFC 3339 or YYYY-MM-DD (UTC)",
    ),
    (
        "text:\"T\"",
        "raw event JSON contains T (searched in the background)",
    ),
    (
        "word",
        "a bare word is fuzzy-matched against names, actors, resources",
    ),
    ("-term", "negates any term"),
    ("\"quoted value\"", "values with spaces or commas"),
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
        lines.push(Line::styled(
            "Filter language (terms AND together)",
            t.header,
        ));
        for (token, what) in FILTER_HELP {
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

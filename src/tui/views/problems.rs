//! The load problems popup: files that failed to load, and warnings, with why.

use super::{Transition, movement, scrolled};
use crate::format::thousands;
use crate::sanitize::escape;
use crate::tui::ctx::Ctx;
use crate::tui::keymap::Action;
use crate::tui::widgets::{centered, pane, wrap, wrapped_rows};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

#[derive(Debug, Clone, Default)]
pub struct ProblemsView {
    pub scroll: usize,
}

impl ProblemsView {
    fn area(screen: Rect) -> Rect {
        centered(screen, 120, screen.height.saturating_sub(4))
    }

    fn lines(ctx: &Ctx) -> Vec<Line<'static>> {
        let t = ctx.theme;
        let r = ctx.report;
        let mut lines = vec![Line::from(Span::styled(
            format!(
                "{} files read, {} skipped, {} failed; {} duplicate deliveries dropped",
                thousands(r.files_read),
                thousands(r.files_skipped),
                thousands(r.files_failed),
                thousands(ctx.index.duplicates)
            ),
            t.title,
        ))];
        if r.failures.is_empty() && r.warnings.is_empty() {
            lines.push(Line::raw("No file failed to load."));
        }
        for (mark, style, problems) in [("✗ ", t.error, &r.failures), ("! ", t.header, &r.warnings)]
        {
            for p in problems {
                lines.push(Line::from(vec![
                    Span::styled(mark, style),
                    Span::styled(escape(&p.path).into_owned(), t.key),
                ]));
                lines.push(Line::raw(format!("    {}", escape(&p.message))));
            }
        }
        lines
    }

    /// Screen rows of the wrapped lines, and the rows the popup shows.
    fn rows(ctx: &Ctx, popup: Rect) -> (usize, usize) {
        let width = popup.width.saturating_sub(2) as usize;
        let rows = Self::lines(ctx)
            .iter()
            .map(|l| wrapped_rows(l.width(), width))
            .sum();
        (rows, popup.height.saturating_sub(2) as usize)
    }

    pub fn update(&mut self, action: Action, ctx: &Ctx) -> Transition {
        let (rows, visible) = Self::rows(ctx, Self::area(ctx.viewport.screen));
        if let Some(delta) = movement(action, visible) {
            self.scroll = scrolled(self.scroll, delta, rows.saturating_sub(visible));
        }
        Transition::Stay
    }

    pub fn draw(&self, ctx: &Ctx, frame: &mut Frame, _area: Rect) {
        let popup = Self::area(frame.area());
        let width = popup.width.saturating_sub(2) as usize;
        let (rows, visible) = Self::rows(ctx, popup);
        let scroll = self.scroll.min(rows.saturating_sub(visible));
        let lines: Vec<Line> = Self::lines(ctx)
            .into_iter()
            .flat_map(|l| wrap(l.spans, width))
            .skip(scroll)
            .take(visible)
            .collect();
        frame.render_widget(Clear, popup);
        frame.render_widget(
            Paragraph::new(lines).block(pane(ctx.theme, " Load problems · Esc closes ", true)),
            popup,
        );
    }
}

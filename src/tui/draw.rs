//! Drawing the whole screen from `&App`: the chrome (banner, filter bar, status
//! bar), then the main screen or the view on top, popups over the main screen.
//! Nothing here changes state.

use super::app::App;
use super::ctx::LoadState;
use super::keymap::hints;
use super::viewport::{MIN_HEIGHT, MIN_WIDTH, Viewport};
use crate::format::{human_bytes, thousands};
use crate::sanitize::escape;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use std::sync::atomic::Ordering;

pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    let viewport = Viewport::new(area, app.banner.is_some(), app.filter.second_line());
    if viewport.too_small() {
        let text = format!(
            "terminal too small ({}×{}); need {MIN_WIDTH}×{MIN_HEIGHT}",
            area.width, area.height
        );
        frame.render_widget(
            Paragraph::new(Line::from(text)).wrap(Wrap { trim: true }),
            area,
        );
        return;
    }
    let ctx = app.ctx();
    if let Some(text) = &app.banner {
        frame.render_widget(
            Paragraph::new(Line::from(text.as_str())).style(app.theme.demo),
            viewport.banner,
        );
    }
    app.filter
        .draw(&app.theme, frame, viewport.filter, viewport.filter_error);
    match app.stack.last() {
        Some(view) if !view.is_popup() => view.draw(&ctx, frame, viewport.body),
        _ => app.main.draw(&ctx, frame, viewport.body),
    }
    status_bar(frame, app, viewport.status);
    if let Some(view) = app.stack.last().filter(|v| v.is_popup()) {
        view.draw(&ctx, frame, area);
    }
}

fn status_bar(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    if let Some((question, choices, _)) = &app.question {
        let line = Line::from(vec![
            Span::styled(format!(" {} ", escape(question)), t.key),
            Span::styled(format!("  {choices}"), t.dim),
        ]);
        frame.render_widget(Paragraph::new(line), area);
        return;
    }
    if let Some(prompt) = &app.prompt {
        prompt.draw(t, frame, area);
        return;
    }
    let mut spans = vec![Span::styled(
        format!(
            " {} of {} events ",
            thousands(app.results.shown().len()),
            thousands(app.index.len())
        ),
        t.title,
    )];
    let rows = app.results.shown().len();
    if app.stack.is_empty() && rows > 0 {
        spans.push(Span::styled(
            format!(
                "│ row {} of {} ",
                thousands(app.main.list.selected.min(rows - 1) + 1),
                thousands(rows)
            ),
            t.dim,
        ));
    }
    match &app.load {
        LoadState::Loading { progress } => {
            let total = progress.files_total.load(Ordering::Relaxed).max(1);
            let done = progress.files_done.load(Ordering::Relaxed);
            spans.push(Span::styled(
                format!(
                    "│ loading {}% · {}/{} files · {} events · {} · {} errors ",
                    done * 100 / total,
                    thousands(done),
                    thousands(total),
                    thousands(progress.events.load(Ordering::Relaxed)),
                    human_bytes(progress.bytes.load(Ordering::Relaxed)),
                    progress.errors.load(Ordering::Relaxed)
                ),
                t.header,
            ));
        }
        LoadState::Done { elapsed } => {
            spans.push(Span::styled(
                format!("│ loaded in {:.1}s ", elapsed.as_secs_f64()),
                t.dim,
            ));
            if let Some(f) = &app.following {
                spans.push(Span::styled(
                    format!(
                        "│ {} ",
                        super::following::following_text(f, std::time::Instant::now())
                    ),
                    t.header,
                ));
            }
            let conflicts = app.index.conflicts.len();
            if conflicts > 0 {
                spans.push(Span::styled(
                    format!(
                        "│ {} conflicting records (filter: conflict) ",
                        thousands(conflicts)
                    ),
                    t.error,
                ));
            }
            let failed = app.report.files_failed;
            if failed > 0 {
                spans.push(Span::styled(
                    format!("│ {} files failed (E) ", thousands(failed)),
                    t.error,
                ));
            }
        }
    }
    if let Some(building) = &app.building {
        spans.push(Span::styled(
            format!("│ {} ", building.describe()),
            t.header,
        ));
    }
    if app.evaluating.is_some() {
        spans.push(Span::styled("│ filtering… ", t.header));
    }
    if let Some((_, needles)) = &app.search.running {
        spans.push(Span::styled(
            format!(
                "│ searching raw text for {:?}… {}% ",
                escape(&needles.join(", ")),
                app.search.progress.percent()
            ),
            t.header,
        ));
    }
    for word in &app.results.unmatched {
        spans.push(Span::styled(
            format!("│ no value matches `{}` ", escape(word)),
            t.error,
        ));
    }
    if let Some(term) = &app.results.emptied_by {
        spans.push(Span::styled(
            format!("│ no events: `{}` leaves none ", escape(term)),
            t.error,
        ));
    }
    if let Some(msg) = &app.message {
        spans.push(Span::styled(format!("│ {} ", escape(msg)), t.header));
    }
    spans.push(Span::styled(format!("│ {}", hints(app.context())), t.dim));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

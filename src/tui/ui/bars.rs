//! The filter bar, the timeline strip and the status bar.

use crate::output::thousands;
use crate::sanitize::escape;
use crate::tui::app::{App, Focus, LoadState, View};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Sparkline};
use std::sync::atomic::Ordering;

pub fn filter_bar(frame: &mut Frame, app: &App, area: Rect, error_area: Rect) {
    let t = &app.theme;
    let label = Span::styled(" Filter ", t.key);
    let line = match &app.editing {
        Some((edit, _)) => {
            let chars: Vec<char> = edit.text.chars().collect();
            let before: String = chars[..edit.cursor.min(chars.len())].iter().collect();
            let at: String = chars
                .get(edit.cursor)
                .map(|c| c.to_string())
                .unwrap_or_else(|| " ".into());
            let after: String = chars
                .get(edit.cursor + 1..)
                .map(|r| r.iter().collect())
                .unwrap_or_default();
            Line::from(vec![
                label,
                Span::raw("› "),
                Span::raw(escape(&before).into_owned()),
                Span::styled(escape(&at).into_owned(), t.selected),
                Span::raw(escape(&after).into_owned()),
            ])
        }
        None if app.filter_text.is_empty() => Line::from(vec![
            label,
            Span::styled(
                "  (none — press / to filter: user:alice event:GitPush errors …)",
                t.dim,
            ),
        ]),
        None => Line::from(vec![
            label,
            Span::raw("  "),
            Span::raw(escape(&app.filter_text).into_owned()),
        ]),
    };
    frame.render_widget(Paragraph::new(line), area);
    if let Some(err) = &app.filter_error {
        // Point at the column: the text starts after " Filter › " (10 columns).
        let pad = " ".repeat(9 + err.column);
        let msg = format!(
            "{pad}^ {} (the previous filter stays applied)",
            escape(&err.message)
        );
        frame.render_widget(Paragraph::new(Line::styled(msg, t.error)), error_area);
    }
}

pub fn timeline(frame: &mut Frame, app: &mut App, area: Rect) {
    let width = area.width.saturating_sub(2) as usize;
    let theme = app.theme.clone();
    let times = &app.index.cols.time;
    let range = match (
        times.first(),
        times.iter().rev().find(|&&t| t != crate::model::NO_TIME),
    ) {
        (Some(&a), Some(&b)) => format!(
            " {} … {} ",
            crate::model::time::format_time_short(a),
            crate::model::time::format_time_short(b)
        ),
        _ => String::new(),
    };
    let data = app.timeline(width).to_vec();
    let block = super::pane(&theme, format!(" Timeline{range}"), false);
    frame.render_widget(
        Sparkline::default()
            .block(block)
            .data(&data)
            .style(theme.timeline),
        area,
    );
}

/// While loading, the timeline's place shows how far loading has got.
pub fn load_gauge(
    frame: &mut Frame,
    app: &App,
    progress: std::sync::Arc<crate::load::Progress>,
    area: Rect,
) {
    let t = &app.theme;
    let total = progress.files_total.load(Ordering::Relaxed);
    let done = progress.files_done.load(Ordering::Relaxed);
    let ratio = if total == 0 {
        0.0
    } else {
        done as f64 / total as f64
    };
    let label = format!(
        "{} of {} files · {} events · {} · {} errors",
        thousands(done),
        thousands(total),
        thousands(progress.events.load(Ordering::Relaxed)),
        crate::load::read::human_bytes(progress.bytes.load(Ordering::Relaxed)),
        progress.errors.load(Ordering::Relaxed)
    );
    let block = super::pane(t, " Loading ", false);
    let gauge = ratatui::widgets::Gauge::default()
        .block(block)
        .gauge_style(t.gauge)
        .ratio(ratio.clamp(0.0, 1.0))
        .label(label);
    frame.render_widget(gauge, area);
}

pub fn status_bar(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    if let Some(prompt) = &app.prompt {
        let line = Line::from(vec![
            Span::styled(" Write filtered events (JSON lines) to: ", t.key),
            Span::raw(escape(&prompt.text).into_owned()),
            Span::styled(" ", t.selected),
            Span::styled("   Enter write · Esc cancel", t.dim),
        ]);
        frame.render_widget(Paragraph::new(line), area);
        return;
    }
    let mut spans = vec![Span::styled(
        format!(
            " {} of {} events ",
            thousands(app.shown.len()),
            thousands(app.index.len())
        ),
        t.title,
    )];
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
                    crate::load::read::human_bytes(progress.bytes.load(Ordering::Relaxed)),
                    progress.errors.load(Ordering::Relaxed)
                ),
                t.header,
            ));
        }
        LoadState::Done { elapsed } => {
            let failed = app.report.files_failed;
            spans.push(Span::styled(
                format!("│ loaded in {:.1}s ", elapsed.as_secs_f64()),
                t.dim,
            ));
            if failed > 0 {
                spans.push(Span::styled(
                    format!("│ {failed} files failed (E) "),
                    t.error,
                ));
            }
            let conflicts = app.index.conflicts.len();
            if conflicts > 0 {
                spans.push(Span::styled(
                    format!("│ {conflicts} conflicting records (filter: conflict) "),
                    t.error,
                ));
            }
        }
    }
    if let Some((_, needles)) = &app.searching {
        spans.push(Span::styled(
            {
                let (done, total) = (&app.search_progress.0, &app.search_progress.1);
                let (done, total) = (
                    done.load(Ordering::Relaxed),
                    total.load(Ordering::Relaxed).max(1),
                );
                format!(
                    "│ searching raw text for {:?}… {}% ",
                    needles.join(", "),
                    done * 100 / total
                )
            },
            t.header,
        ));
    }
    if let Some(msg) = &app.message {
        spans.push(Span::styled(format!("│ {} ", escape(msg)), t.header));
    }
    let keys = match (app.views.last(), app.focus) {
        (Some(View::Detail(_)), _) => "Esc back  n/N next/prev  Enter fold  y copy  ? help",
        (Some(View::Pipelines { .. }), _) => "Enter versions  Esc back  ? help",
        (Some(View::Versions(_)), _) => "Enter diff  Esc back  ? help",
        (Some(View::Diff(_)), _) => "n/N change  s side by side  c compare with  Esc back",
        (Some(View::Users(_)), _) => "Enter filter to actor  s sort  S reverse  Esc back",
        (Some(View::Repos { .. }), _) => "Enter filter to repository  p pipeline history  Esc back",
        (Some(_), _) => "Esc close  ↑↓ scroll",
        (None, Focus::List) => {
            "/ filter  Enter open  Tab facets  u users  r repos  p pipelines  ? help  q quit"
        }
        (None, Focus::Facets) => "Enter select  x exclude  c clear  ←→ facet  Tab list  ? help",
    };
    spans.push(Span::styled(format!("│ {keys}"), t.dim));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

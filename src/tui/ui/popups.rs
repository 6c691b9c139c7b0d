//! Popups over the main screen: the help (generated from the key table) and the
//! list of files that failed to load.

use crate::sanitize::escape;
use crate::tui::app::App;
use crate::tui::keymap::help_sections;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width.saturating_sub(2)).max(1);
    let h = height.min(area.height.saturating_sub(2)).max(1);
    Rect {
        x: area.x + (area.width.saturating_sub(w)) / 2,
        y: area.y + (area.height.saturating_sub(h)) / 2,
        width: w,
        height: h,
    }
}

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

pub fn help(frame: &mut Frame, app: &mut App, scroll: usize, area: Rect) {
    let t = &app.theme;
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
    let popup = centered(area, 96, area.height.saturating_sub(2));
    let max_scroll = lines
        .len()
        .saturating_sub(popup.height.saturating_sub(2) as usize);
    let scroll = scroll.min(max_scroll);
    frame.render_widget(Clear, popup);
    let block = super::pane(t, " Help · Esc closes ", true);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((scroll as u16, 0)),
        popup,
    );
}

pub fn errors(frame: &mut Frame, app: &mut App, scroll: usize, area: Rect) {
    let t = &app.theme;
    let r = &app.report;
    let mut lines = vec![Line::styled(
        format!(
            "{} files read, {} skipped, {} failed; {} duplicate deliveries dropped",
            r.files_read, r.files_skipped, r.files_failed, app.index.duplicates
        ),
        t.title,
    )];
    if r.failures.is_empty() && r.warnings.is_empty() {
        lines.push(Line::raw("No file failed to load."));
    }
    for p in &r.failures {
        lines.push(Line::from(vec![
            Span::styled("✗ ", t.error),
            Span::styled(escape(&p.path).into_owned(), t.key),
        ]));
        lines.push(Line::raw(format!("    {}", escape(&p.message))));
    }
    for p in &r.warnings {
        lines.push(Line::from(vec![
            Span::styled("! ", t.header),
            Span::styled(escape(&p.path).into_owned(), t.key),
        ]));
        lines.push(Line::raw(format!("    {}", escape(&p.message))));
    }
    let popup = centered(area, 120, area.height.saturating_sub(4));
    frame.render_widget(Clear, popup);
    let block = super::pane(t, " Load problems · Esc closes ", true);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll as u16, 0)),
        popup,
    );
}

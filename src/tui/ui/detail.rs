//! The detail view: a summary of who did what, where and with what outcome, then
//! the whole event as folded, coloured JSON.

use crate::model::time::format_time;
use crate::sanitize::escape;
use crate::tui::app::{App, Detail};
use crate::tui::json_view::Token;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

fn field<'a>(t: &Theme, label: &'a str, value: String) -> Vec<Span<'a>> {
    vec![
        Span::styled(format!("{label:<10}"), t.key),
        Span::raw(value),
    ]
}

fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "-",
    }
}

fn or_dash(s: &str) -> String {
    if s.is_empty() {
        "-".into()
    } else {
        escape(s).into_owned()
    }
}

pub fn draw(frame: &mut Frame, app: &mut App, d: &Detail, area: Rect) {
    let t = app.theme.clone();
    let e = app.index.event(d.event as usize);
    let mut resources: Vec<String> = e
        .repositories()
        .map(|r| format!("repository {r}"))
        .collect();
    resources.extend(e.pipelines().map(|p| format!("pipeline {p}")));
    if resources.is_empty() {
        resources = d.resources.clone();
    }
    let outcome = if e.error().is_empty() {
        "success".to_string()
    } else {
        format!(
            "{}: {}",
            e.error(),
            d.error_message.as_deref().unwrap_or("")
        )
    };
    let header = vec![
        Line::from(field(
            &t,
            "When",
            format!(
                "{}   ({} of {} in the list)",
                format_time(e.time()),
                d.row + 1,
                app.shown.len()
            ),
        )),
        Line::from(field(
            &t,
            "Who",
            format!(
                "{} ({})   ARN {}   key {}   MFA {}",
                or_dash(e.actor()),
                or_dash(e.identity_type()),
                or_dash(e.arn()),
                or_dash(e.access_key()),
                yes_no(e.mfa())
            ),
        )),
        Line::from(field(
            &t,
            "What",
            format!(
                "{} · {}   read-only {}",
                or_dash(e.source()),
                or_dash(e.name()),
                yes_no(e.read_only())
            ),
        )),
        Line::from(field(
            &t,
            "Where",
            format!(
                "account {} · {} · from {} · {}",
                or_dash(e.account()),
                or_dash(e.region()),
                or_dash(e.source_ip()),
                or_dash(e.user_agent())
            ),
        )),
        Line::from({
            let mut s = field(&t, "Outcome", escape(&outcome).into_owned());
            if !e.error().is_empty() {
                s[1] = s[1].clone().style(t.error);
            }
            s
        }),
        Line::from(field(
            &t,
            "Resources",
            if resources.is_empty() {
                "-".into()
            } else {
                escape(&resources.join(" · ")).into_owned()
            },
        )),
        Line::from(field(
            &t,
            "File",
            format!("{} (event {})", e.file().display, e.ordinal() + 1),
        )),
    ];
    let mut header = header;
    if let Some(note) = &d.conflict {
        let mut s = field(&t, "CONFLICT", escape(note).into_owned());
        s[1] = s[1].clone().style(t.error);
        header.push(Line::from(s));
    }
    let header_height = (header.len() as u16 + 2).min(area.height / 2);
    let [top, body] =
        Layout::vertical([Constraint::Length(header_height), Constraint::Min(1)]).areas(area);
    let block = super::pane(&t, " Event ", false);
    frame.render_widget(Paragraph::new(header).block(block), top);

    let block = super::pane(&t, " JSON ", true);
    let inner = block.inner(body);
    frame.render_widget(block, body);
    app.detail_height = inner.height.max(1) as usize;
    let mut cursor = d.cursor;
    let mut skip = d.skip_rows;
    let mut cursor_rows = 1;
    let width = inner.width.max(1) as usize;
    match &d.doc {
        Ok(doc) => {
            // Lines wrap, so the window is kept by the rendering below, not by `clamp`.
            cursor.selected = cursor.selected.min(doc.visible.len().saturating_sub(1));
            cursor.offset = cursor.offset.min(cursor.selected);
            let render = |offset: usize, skip: usize| -> (Vec<Line<'static>>, bool, usize) {
                let mut rows: Vec<Line<'static>> = Vec::new();
                let mut cursor_shown = false;
                let mut cursor_rows = 1;
                for (row, &i) in doc.visible.iter().enumerate().skip(offset) {
                    if rows.len() >= app.detail_height {
                        break;
                    }
                    let mut wrapped = wrap(json_line(&t, doc, i), width);
                    if row == cursor.selected {
                        cursor_rows = wrapped.len();
                    }
                    if row == offset {
                        wrapped.drain(..skip.min(wrapped.len().saturating_sub(1)));
                    }
                    if row == cursor.selected {
                        cursor_shown = true;
                        wrapped = wrapped.into_iter().map(|l| l.style(t.selected)).collect();
                    }
                    rows.extend(wrapped);
                }
                rows.truncate(app.detail_height);
                (rows, cursor_shown, cursor_rows)
            };
            let (mut rows, shown, mut fr) = render(cursor.offset, skip);
            if !shown {
                // Long lines pushed the cursor off the screen: start at the cursor.
                cursor.offset = cursor.selected;
                skip = 0;
                (rows, _, fr) = render(cursor.offset, 0);
            }
            cursor_rows = fr;
            frame.render_widget(Paragraph::new(rows), inner);
        }
        Err(why) => {
            let mut lines = vec![Line::styled(escape(why).into_owned(), t.error)];
            if let Some(raw) = &d.raw {
                lines.push(Line::raw(escape(raw).into_owned()));
            }
            frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        }
    }
    if let Some(crate::tui::app::View::Detail(live)) = app.views.last_mut() {
        live.cursor = cursor;
        live.skip_rows = skip;
        live.cursor_line_rows = cursor_rows;
    }
}

/// One JSON line as coloured spans (every string escaped).
fn json_line(t: &Theme, doc: &crate::tui::json_view::Folded, i: usize) -> Vec<Span<'static>> {
    let l = &doc.lines[i];
    let mut spans = vec![Span::raw("  ".repeat(l.depth))];
    if let Some(k) = &l.key {
        spans.push(Span::styled(format!("\"{}\"", escape(k)), t.json_key));
        spans.push(Span::styled(": ", t.json_punct));
    }
    let comma = if l.comma { "," } else { "" };
    match &l.token {
        Token::Open {
            bracket,
            close,
            children,
        } if doc.folded[i] => {
            let closing = if *bracket == '{' { '}' } else { ']' };
            let comma = if doc.lines[*close].comma { "," } else { "" };
            spans.push(Span::styled(
                format!("{bracket}…{closing}{comma}"),
                t.json_punct,
            ));
            spans.push(Span::styled(format!("  {children} hidden"), t.dim));
        }
        Token::Open { bracket, .. } => spans.push(Span::styled(bracket.to_string(), t.json_punct)),
        Token::Close { bracket } => {
            spans.push(Span::styled(format!("{bracket}{comma}"), t.json_punct))
        }
        Token::String(s) => {
            spans.push(Span::styled(escape(s).into_owned(), t.json_string));
            spans.push(Span::styled(comma, t.json_punct));
        }
        Token::Number(s) => {
            spans.push(Span::styled(s.clone(), t.json_number));
            spans.push(Span::styled(comma, t.json_punct));
        }
        Token::Literal(s) => {
            spans.push(Span::styled(*s, t.json_literal));
            spans.push(Span::styled(comma, t.json_punct));
        }
    }
    spans
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
    }
}

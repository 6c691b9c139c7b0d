//! The event list: only the visible rows are built, whatever the number of events.

use crate::model::time::format_time_short;
use crate::query::fuzzy::FuzzyWord;
use crate::sanitize::escape;
use crate::tui::app::{App, Focus};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table};
use unicode_width::UnicodeWidthStr;

/// Longest text put in a cell; the cell clips further, this bounds the work.
const CELL_CHARS: usize = 200;

fn cut(text: &str) -> String {
    let safe = escape(text);
    if safe.chars().count() > CELL_CHARS {
        safe.chars().take(CELL_CHARS).collect::<String>() + "…"
    } else {
        safe.into_owned()
    }
}

/// A cell with the characters matched by fuzzy words emphasised.
fn highlighted(text: &str, words: &[FuzzyWord], base: Style, mark: Style) -> Line<'static> {
    let text = cut(text);
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

/// The widest cell of each column among the visible rows, within sensible caps.
fn desired_widths(app: &App, height: usize, titles: &[&str; 8]) -> [usize; 8] {
    const CAPS: [usize; 8] = [19, 32, 18, 34, 28, 14, 15, 28];
    let mut w: [usize; 8] = std::array::from_fn(|k| titles[k].len());
    w[0] = 19;
    for &i in app.shown.iter().skip(app.list.offset).take(height) {
        let e = app.index.event(i as usize);
        let cells = [
            e.name(),
            e.source().trim_end_matches(".amazonaws.com"),
            e.actor(),
            e.resource(),
            e.region(),
            e.source_ip(),
            e.error(),
        ];
        for (k, c) in cells.iter().enumerate() {
            w[k + 1] = w[k + 1].max(UnicodeWidthStr::width(escape(c).as_ref()));
        }
    }
    std::array::from_fn(|k| w[k].min(CAPS[k]))
}

/// Shrinks the widest columns until the row fits in `available` columns.
fn fit_widths(desired: &[usize; 8], available: usize) -> Vec<usize> {
    let mut w = desired.to_vec();
    let min = [19usize, 8, 6, 8, 6, 9, 15, 6];
    while w.iter().sum::<usize>() > available {
        let Some(k) = (0..w.len())
            .filter(|&k| w[k] > min[k])
            .max_by_key(|&k| w[k] - min[k])
        else {
            break;
        };
        w[k] -= 1;
    }
    w
}

pub fn draw(frame: &mut Frame, app: &mut App, area: Rect) {
    let t = app.theme.clone();
    let focused = app.focus == Focus::List;
    let title = if app.newest_first {
        " Events · newest first "
    } else {
        " Events · oldest first "
    };
    let block = super::pane(&t, title, focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let height = inner.height.saturating_sub(1) as usize;
    app.list_height = height.max(1);
    app.list.clamp(app.shown.len(), app.list_height);
    app.hits.list_rows = Rect {
        y: inner.y + 1,
        height: inner.height.saturating_sub(1),
        ..inner
    };
    let words = app.filter.fuzzy_words();
    let index = &app.index;
    let rows: Vec<Row> = app
        .shown
        .iter()
        .enumerate()
        .skip(app.list.offset)
        .take(height)
        .map(|(row, &i)| {
            let e = index.event(i as usize);
            let mut style = if !e.error().is_empty() {
                t.error
            } else if e.read_only() == Some(true) {
                t.dim
            } else {
                t.base
            };
            if row == app.list.selected {
                style = style.patch(if focused {
                    t.selected
                } else {
                    t.selected
                        .add_modifier(ratatui::style::Modifier::UNDERLINED)
                });
            }
            let source = e.source().trim_end_matches(".amazonaws.com");
            Row::new(vec![
                Cell::from(format_time_short(e.time())),
                Cell::from(highlighted(e.name(), &words, style, t.highlight)),
                Cell::from(cut(source)),
                Cell::from(highlighted(e.actor(), &words, style, t.highlight)),
                Cell::from(highlighted(e.resource(), &words, style, t.highlight)),
                Cell::from(cut(e.region())),
                Cell::from(cut(e.source_ip())),
                Cell::from(cut(e.error())),
            ])
            .style(style)
        })
        .collect();
    let titles = [
        "Time",
        "Event",
        "Source",
        "Actor",
        "Resource",
        "Region",
        "Source IP",
        "Error",
    ];
    let header = Row::new(titles).style(t.header);
    let widths = fit_widths(
        &desired_widths(app, height, &titles),
        inner.width.saturating_sub(7) as usize,
    );
    let widths: Vec<Constraint> = widths
        .into_iter()
        .map(|w| Constraint::Length(w as u16))
        .collect();
    frame.render_widget(
        Table::new(rows, widths).header(header).column_spacing(1),
        inner,
    );
    if app.shown.is_empty() {
        let msg = if app.index.is_empty() {
            "no events loaded yet"
        } else {
            "no events match the filter"
        };
        let y = inner.y + 2.min(inner.height.saturating_sub(1));
        frame.render_widget(
            ratatui::widgets::Paragraph::new(Span::styled(msg, t.dim)),
            Rect {
                y,
                height: 1,
                ..inner
            },
        );
    }
}

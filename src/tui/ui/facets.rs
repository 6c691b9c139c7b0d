//! The facet pane: the eight facets with their number of distinct values, and the
//! values of the current facet with counts under the other facets' filter.

use crate::format::thousands;
use crate::query::Facet;
use crate::sanitize::escape;
use crate::tui::app::{App, Focus};
use crate::tui::ui::list_width;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw(frame: &mut Frame, app: &mut App, area: Rect) {
    let t = app.theme.clone();
    let focused = app.focus == Focus::Facets;
    let block = super::pane(&t, " Facets ", focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let tabs_height = (Facet::ALL.len() as u16 + 1).min(inner.height / 2);
    let [tabs, values] =
        Layout::vertical([Constraint::Length(tabs_height), Constraint::Min(1)]).areas(inner);
    app.hits.facet_tabs = tabs;
    let width = inner.width as usize;
    let tab_lines: Vec<Line> = Facet::ALL
        .iter()
        .enumerate()
        .map(|(k, f)| {
            let distinct = app.selection.facets.get(k).map(|v| v.len()).unwrap_or(0);
            let active = app
                .filter
                .terms
                .iter()
                .any(|term| Facet::of(&term.cond) == Some(*f));
            let marker = if k == app.facet { "▸ " } else { "  " };
            let name = format!("{marker}{}{}", f.title(), if active { " •" } else { "" });
            let count = thousands(distinct);
            let style = if k == app.facet { t.title } else { t.base };
            Line::from(vec![
                Span::styled(
                    list_width(&name, width.saturating_sub(count.len() + 1)),
                    style,
                ),
                Span::styled(format!(" {count}"), t.dim),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(tab_lines), tabs);

    let rows_area = Rect {
        y: values.y + 1,
        height: values.height.saturating_sub(1),
        ..values
    };
    frame.render_widget(
        Paragraph::new(Line::styled(
            format!("{} values", app.current_facet().title()),
            t.header,
        )),
        Rect {
            height: 1.min(values.height),
            ..values
        },
    );
    app.facet_height = rows_area.height.max(1) as usize;
    app.hits.facet_rows = rows_area;
    let facet = app.current_facet();
    let len = app.facet_values().len();
    app.facet_cursor.clamp(len, app.facet_height);
    let lines: Vec<Line> = app
        .facet_values()
        .iter()
        .enumerate()
        .skip(app.facet_cursor.offset)
        .take(app.facet_height)
        .map(|(row, &(id, n))| {
            let value = app.index.strings.get(id);
            let shown = match facet {
                Facet::Source => value.trim_end_matches(".amazonaws.com"),
                _ => value,
            };
            let (mark, mut style) = match app.filter.facet_state(facet, value) {
                Some(true) => ("✓ ", t.facet_on),
                Some(false) => ("✗ ", t.facet_off),
                None => ("  ", t.base),
            };
            if row == app.facet_cursor.selected {
                style = style.patch(if focused { t.selected } else { t.dim });
            }
            let count = thousands(n as usize);
            let room = width.saturating_sub(count.len() + 3);
            Line::from(vec![
                Span::styled(format!("{mark}{}", list_width(&escape(shown), room)), style),
                Span::styled(format!(" {count}"), t.dim),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), rows_area);
}

//! The users view and the repositories view, each a sortable table with a
//! detail panel for the selected row.

use crate::format::thousands;
use crate::model::time::format_time_short;
use crate::sanitize::escape;
use crate::tui::activity::{UserColumn, UsersView};
use crate::tui::app::{App, Cursor, View};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Wrap};

fn counted(items: &[(String, u64)], limit: usize) -> String {
    let mut parts: Vec<String> = items
        .iter()
        .take(limit)
        .map(|(s, n)| format!("{} ({})", escape(s), thousands(*n as usize)))
        .collect();
    if items.len() > limit {
        parts.push(format!("+{} more", items.len() - limit));
    }
    if parts.is_empty() {
        "-".into()
    } else {
        parts.join("  ")
    }
}

pub fn users(frame: &mut Frame, app: &mut App, view: &UsersView, area: Rect) {
    let t = app.theme.clone();
    let all = app.users();
    let [table_area, panel] =
        Layout::vertical([Constraint::Min(5), Constraint::Length(8)]).areas(area);
    let arrow = if view.descending { "▼" } else { "▲" };
    let b = super::pane(
        &t,
        format!(
            " Users · {} actors · sorted by {} {arrow} · s sort  S reverse  Enter filter ",
            all.len(),
            view.sort.title()
        ),
        true,
    );
    let inner = b.inner(table_area);
    frame.render_widget(b, table_area);
    let height = inner.height.saturating_sub(1) as usize;
    app.detail_height = height.max(1);
    let mut cursor = view.cursor;
    cursor.clamp(view.order.len(), height);
    let rows: Vec<Row> = view
        .order
        .iter()
        .enumerate()
        .skip(cursor.offset)
        .take(height)
        .map(|(row, &k)| {
            let u = &all[k];
            let style = if row == cursor.selected {
                t.selected
            } else {
                t.base
            };
            Row::new(vec![
                Cell::from(if u.actor.is_empty() {
                    "(none)".to_string()
                } else {
                    escape(&u.actor).into_owned()
                }),
                Cell::from(escape(&u.types.join(",")).into_owned()),
                Cell::from(match u.accounts.len() {
                    1 => escape(&u.accounts[0]).into_owned(),
                    n => format!("{n} accounts"),
                }),
                Cell::from(thousands(u.events as usize)),
                Cell::from(thousands(u.errors as usize)),
                Cell::from(format!("{:.0}%", u.denied_share() * 100.0)),
                Cell::from(format_time_short(u.first)),
                Cell::from(format_time_short(u.last)),
                Cell::from(u.source_ips.len().to_string()),
                Cell::from(
                    escape(
                        &u.top_events
                            .iter()
                            .take(3)
                            .map(|(e, _)| e.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                    )
                    .into_owned(),
                ),
            ])
            .style(style)
        })
        .collect();
    let header = Row::new(
        UserColumn::ALL
            .iter()
            .map(|c| {
                if *c == view.sort {
                    format!("{}{arrow}", c.title())
                } else {
                    c.title().to_string()
                }
            })
            .chain(std::iter::once("Top events".to_string()))
            .collect::<Vec<_>>(),
    )
    .style(t.header);
    let widths = [
        Constraint::Fill(3),
        Constraint::Length(12),
        Constraint::Length(14),
        Constraint::Length(9),
        Constraint::Length(7),
        Constraint::Length(7),
        Constraint::Length(19),
        Constraint::Length(19),
        Constraint::Length(4),
        Constraint::Fill(3),
    ];
    frame.render_widget(
        Table::new(rows, widths).header(header).column_spacing(1),
        inner,
    );

    let lines = match view.selected(&all) {
        Some(u) => vec![
            Line::from(vec![
                Span::styled("Identity     ", t.key),
                Span::raw(format!(
                    "{} in {}",
                    escape(&u.types.join(", ")),
                    escape(&u.accounts.join(", "))
                )),
            ]),
            Line::from(vec![
                Span::styled("ARN          ", t.key),
                Span::raw(escape(&u.arns.join("  ")).into_owned()),
            ]),
            Line::from(vec![
                Span::styled("Access keys  ", t.key),
                Span::raw(counted(&u.access_keys, 6)),
            ]),
            Line::from(vec![
                Span::styled("Source IPs   ", t.key),
                Span::raw(counted(&u.source_ips, 6)),
            ]),
            Line::from(vec![
                Span::styled("Top events   ", t.key),
                Span::raw(counted(&u.top_events, 5)),
            ]),
            Line::from(vec![
                Span::styled("Errors       ", t.key),
                Span::raw(format!(
                    "{} of {} events, {} access denied",
                    thousands(u.errors as usize),
                    thousands(u.events as usize),
                    thousands(u.access_denied as usize)
                )),
            ]),
        ],
        None => vec![Line::raw("no actors")],
    };
    let title = view
        .selected(&all)
        .map(|u| format!(" {} ", escape(&u.actor)))
        .unwrap_or_default();
    frame.render_widget(
        Paragraph::new(lines)
            .block(super::pane(&t, title, false))
            .wrap(Wrap { trim: true }),
        panel,
    );
    if let Some(View::Users(live)) = app.views.last_mut() {
        live.cursor = cursor;
    }
}

pub fn repos(frame: &mut Frame, app: &mut App, cursor: Cursor, area: Rect) {
    let t = app.theme.clone();
    let all = app.repos();
    let [table_area, panel] =
        Layout::vertical([Constraint::Min(5), Constraint::Length(10)]).areas(area);
    let b = super::pane(
        &t,
        format!(
            " Repositories · {} · Enter filter  p pipeline history ",
            all.len()
        ),
        true,
    );
    let inner = b.inner(table_area);
    frame.render_widget(b, table_area);
    let height = inner.height.saturating_sub(1) as usize;
    app.detail_height = height.max(1);
    let mut cursor = cursor;
    cursor.clamp(all.len(), height);
    let who = |x: &Option<(i64, String)>| {
        x.as_ref()
            .map(|(tm, a)| format!("{} {}", format_time_short(*tm), escape(a)))
            .unwrap_or_else(|| "-".into())
    };
    let rows: Vec<Row> = all
        .iter()
        .enumerate()
        .skip(cursor.offset)
        .take(height)
        .map(|(row, r)| {
            let style = if row == cursor.selected {
                t.selected
            } else {
                t.base
            };
            Row::new(vec![
                Cell::from(escape(&r.account).into_owned()),
                Cell::from(escape(&r.region).into_owned()),
                Cell::from(escape(&r.name).into_owned()),
                Cell::from(thousands(r.pushes.len())),
                Cell::from(format!(
                    "{} ({} data)",
                    thousands(r.pulls as usize),
                    thousands(r.pulls_with_data as usize)
                )),
                Cell::from(r.branches_created.to_string()),
                Cell::from(r.archive_uploads.to_string()),
                Cell::from(who(&r.created)),
                Cell::from(who(&r.deleted)),
                Cell::from(format_time_short(r.last_activity)),
                Cell::from(escape(&r.pipelines.join(",")).into_owned()),
            ])
            .style(style)
        })
        .collect();
    let header = Row::new([
        "Account",
        "Region",
        "Repository",
        "Pushes",
        "Pulls",
        "Branches",
        "Uploads",
        "Created",
        "Deleted",
        "Last activity",
        "Pipelines",
    ])
    .style(t.header);
    let widths = [
        Constraint::Length(13),
        Constraint::Length(10),
        Constraint::Fill(2),
        Constraint::Length(6),
        Constraint::Length(14),
        Constraint::Length(8),
        Constraint::Length(7),
        Constraint::Fill(4),
        Constraint::Fill(2),
        Constraint::Length(19),
        Constraint::Fill(2),
    ];
    frame.render_widget(
        Table::new(rows, widths).header(header).column_spacing(1),
        inner,
    );

    let mut lines = Vec::new();
    if let Some(r) = all.get(cursor.selected) {
        lines.push(Line::from(vec![
            Span::styled("Pipelines reading it  ", t.key),
            Span::raw(if r.pipelines.is_empty() {
                "-".into()
            } else {
                escape(&r.pipelines.join(", ")).into_owned()
            }),
        ]));
        lines.push(Line::styled("Recent pushes", t.header));
        for p in r
            .pushes
            .iter()
            .rev()
            .take(panel.height.saturating_sub(4) as usize)
        {
            let refs = if p.refs.is_empty() {
                "(references not in the logs)".to_string()
            } else {
                p.refs
                    .iter()
                    .map(|(r, c)| {
                        format!(
                            "{} {}",
                            escape(r),
                            escape(&c.chars().take(10).collect::<String>())
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let pair = if p.events.len() == 2 {
                ""
            } else {
                " · one record"
            };
            lines.push(Line::raw(format!(
                "  {}  {}  {refs}{pair}",
                format_time_short(p.time),
                escape(&p.actor)
            )));
        }
    }
    let title = all
        .get(cursor.selected)
        .map(|r| {
            format!(
                " {} · {} · {} ",
                escape(&r.name),
                escape(&r.account),
                escape(&r.region)
            )
        })
        .unwrap_or_default();
    frame.render_widget(
        Paragraph::new(lines).block(super::pane(&t, title, false)),
        panel,
    );
    if let Some(View::Repos { cursor: live }) = app.views.last_mut() {
        *live = cursor;
    }
}

//! The users view: one row per actor, sortable by any column, with a panel of
//! the selected actor's identity, keys, addresses and top events.

use super::{Transition, movement};
use crate::activity::users::{Field, UserSummary};
use crate::format::thousands;
use crate::index::Index;
use crate::model::time::format_time_short;
use crate::query::Facet;
use crate::sanitize::escape;
use crate::tui::ctx::Ctx;
use crate::tui::keymap::Action;
use crate::tui::viewport::inner;
use crate::tui::widgets::{Column, Cursor, Cut, RowSearch, Table, TableRow, pane};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// The columns the users view sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserColumn {
    Actor,
    Type,
    Accounts,
    Events,
    Errors,
    Denied,
    First,
    Last,
    Ips,
}

impl UserColumn {
    pub const ALL: [UserColumn; 9] = [
        UserColumn::Actor,
        UserColumn::Type,
        UserColumn::Accounts,
        UserColumn::Events,
        UserColumn::Errors,
        UserColumn::Denied,
        UserColumn::First,
        UserColumn::Last,
        UserColumn::Ips,
    ];

    pub fn title(self) -> &'static str {
        match self {
            UserColumn::Actor => "Actor",
            UserColumn::Type => "Type",
            UserColumn::Accounts => "Accounts",
            UserColumn::Events => "Events",
            UserColumn::Errors => "Errors",
            UserColumn::Denied => "Denied",
            UserColumn::First => "First seen",
            UserColumn::Last => "Last seen",
            UserColumn::Ips => "IPs",
        }
    }

    /// The width rule of the column in the table.
    fn width(self) -> Column<'static> {
        match self {
            // The actor is never dropped and is cut in the middle (its session
            // name or e-mail is at the end); a narrow screen loses first seen,
            // the accounts and addresses, then the type and last seen.
            UserColumn::Actor => Column::fill("", 3).at_least(24).cut(Cut::Middle),
            UserColumn::Type => Column::fixed("", 12).priority(3),
            UserColumn::Accounts => Column::fixed("", 14).priority(4),
            UserColumn::Events => Column::fixed("", 9),
            UserColumn::Errors => Column::fixed("", 7).priority(1),
            UserColumn::Denied => Column::fixed("", 7).priority(2),
            UserColumn::First => Column::fixed("", 19).priority(5),
            UserColumn::Last => Column::fixed("", 19).priority(3),
            UserColumn::Ips => Column::fixed("", 4).priority(4),
        }
    }
}

#[derive(Debug, Clone)]
pub struct UsersView {
    pub cursor: Cursor,
    pub sort: UserColumn,
    pub descending: bool,
    /// Indices into the user summaries, in display order (the rows `/` keeps).
    pub order: Vec<usize>,
    /// `/`: the actors shown are those whose name holds the query.
    pub search: RowSearch,
    /// Set when the summaries were rebuilt over other events (the filter
    /// changed): the actor to select again once the rows are made anew.
    pub stale: Option<Option<crate::index::StrId>>,
}

impl UsersView {
    pub fn new(users: &[UserSummary], index: &Index) -> UsersView {
        let mut v = UsersView {
            cursor: Cursor::default(),
            sort: UserColumn::Events,
            descending: true,
            order: Vec::new(),
            search: RowSearch::default(),
            stale: None,
        };
        v.sort_by(users, index);
        v
    }

    /// The summaries are about to be rebuilt over other events: remember the
    /// selected actor (the rows are made again by [`UsersView::refresh`]).
    pub fn rescope(&mut self, users: &[UserSummary]) {
        self.stale = Some(self.selected(users).map(|u| u.actor));
    }

    /// After [`UsersView::rescope`]: the rows of the new summaries, sorted and
    /// narrowed as before, the same actor selected when it is still there.
    pub fn refresh(&mut self, users: &[UserSummary], index: &Index) {
        let Some(actor) = self.stale.take() else {
            return;
        };
        self.order.clear();
        self.cursor = Cursor::default();
        self.sort_by(users, index);
        if let Some(row) = self
            .order
            .iter()
            .position(|&k| Some(users[k].actor) == actor)
        {
            self.cursor.selected = row;
        }
    }

    /// Re-sorts by the current column, keeping the selected user selected.
    pub fn sort_by(&mut self, users: &[UserSummary], index: &Index) {
        let selected = self.order.get(self.cursor.selected).copied();
        let mut order: Vec<usize> = (0..users.len())
            .filter(|&k| self.search.keeps(users[k].actor_text(index)))
            .collect();
        let key = |u: &UserSummary| -> (i128, String) {
            match self.sort {
                UserColumn::Actor => (0, u.actor_text(index).to_lowercase()),
                UserColumn::Type => (0, u.texts(Field::Type, index).join(",")),
                UserColumn::Accounts => (
                    u.field(Field::Account).len() as i128,
                    u.texts(Field::Account, index).join(","),
                ),
                UserColumn::Events => (u.events as i128, String::new()),
                UserColumn::Errors => (u.errors as i128, String::new()),
                UserColumn::Denied => ((u.denied_share() * 1e6) as i128, String::new()),
                UserColumn::First => (u.first as i128, String::new()),
                UserColumn::Last => (u.last as i128, String::new()),
                UserColumn::Ips => (u.field(Field::Ip).len() as i128, String::new()),
            }
        };
        order.sort_by(|&a, &b| {
            let o = key(&users[a])
                .cmp(&key(&users[b]))
                .then_with(|| users[a].actor_text(index).cmp(users[b].actor_text(index)));
            if self.descending { o.reverse() } else { o }
        });
        self.order = order;
        if let Some(sel) = selected {
            self.cursor.selected = self.order.iter().position(|&k| k == sel).unwrap_or(0);
        }
    }

    /// A key while `/` is typing: the rows narrow as the query changes.
    pub fn search_key(&mut self, key: &ratatui::crossterm::event::KeyEvent, ctx: &Ctx) {
        if self.search.key(key) {
            self.sort_by(ctx.caches.users(), ctx.index);
            let height = Table::body_height(inner(Self::areas(ctx.viewport.body)[0]));
            self.cursor.clamp(self.order.len(), height);
        }
    }

    /// `Esc` with rows narrowed: all the rows again (true), instead of closing.
    pub fn clear_search(&mut self, ctx: &Ctx) -> bool {
        if !self.search.clear() {
            return false;
        }
        self.sort_by(ctx.caches.users(), ctx.index);
        true
    }

    /// Moves the sort to the next column (text columns ascending, numbers descending).
    pub fn next_sort(&mut self, users: &[UserSummary], index: &Index) {
        let k = UserColumn::ALL
            .iter()
            .position(|c| *c == self.sort)
            .unwrap_or(0);
        self.sort = UserColumn::ALL[(k + 1) % UserColumn::ALL.len()];
        self.descending = !matches!(
            self.sort,
            UserColumn::Actor | UserColumn::Type | UserColumn::Accounts
        );
        self.sort_by(users, index);
    }

    pub fn reverse(&mut self, users: &[UserSummary], index: &Index) {
        self.descending = !self.descending;
        self.sort_by(users, index);
    }

    pub fn selected<'a>(&self, users: &'a [UserSummary]) -> Option<&'a UserSummary> {
        self.order
            .get(self.cursor.selected)
            .and_then(|&k| users.get(k))
    }

    /// The table pane and the panel of the selected actor.
    fn areas(area: Rect) -> [Rect; 2] {
        Layout::vertical([Constraint::Min(5), Constraint::Length(8)]).areas(area)
    }

    pub fn update(&mut self, action: Action, ctx: &Ctx) -> Transition {
        let users = ctx.caches.users();
        let height = Table::body_height(inner(Self::areas(ctx.viewport.body)[0]));
        if let Some(delta) = movement(action, height) {
            self.cursor.step(delta, self.order.len(), height);
            return Transition::Stay;
        }
        match action {
            Action::SearchRows => self.search.start(),
            Action::SortNext => self.next_sort(users, ctx.index),
            Action::SortReverse => self.reverse(users, ctx.index),
            Action::FilterToActor => {
                if let Some(u) = self.selected(users) {
                    let mut filter = ctx.filter.clone();
                    filter.pick_only(&[(Facet::User, u.actor_text(ctx.index))]);
                    return Transition::SetFilter {
                        filter,
                        to_list: true,
                    };
                }
            }
            _ => {}
        }
        self.cursor.clamp(self.order.len(), height);
        Transition::Stay
    }

    pub fn draw(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        let t = ctx.theme;
        let all = ctx.caches.users();
        let [table_area, panel] = Self::areas(area);
        let arrow = if self.descending { "▼" } else { "▲" };
        // Events with no actor are a row, "(none)", but not an actor: counted
        // apart, so the title agrees with the User facet's count.
        let unnamed = all.iter().any(|u| u.actor == 0);
        let narrowed = if self.search.is_narrowing() {
            format!("{} of ", thousands(self.order.len()))
        } else {
            String::new()
        };
        let block = pane(
            t,
            format!(
                " Users · {narrowed}{} actor{}{}{}{} · sorted by {} {arrow} · / search  s sort  S reverse  Enter filter ",
                thousands(all.len() - usize::from(unnamed)),
                if all.len() - usize::from(unnamed) == 1 {
                    ""
                } else {
                    "s"
                },
                if unnamed { " and (none)" } else { "" },
                super::under_title(ctx),
                self.search.title(),
                self.sort.title()
            ),
            true,
        );
        let inner = block.inner(table_area);
        frame.render_widget(block, table_area);
        let window = Table::window(inner, &self.cursor, self.order.len());
        let rows = self.order[window.clone()]
            .iter()
            .map(|&k| {
                let u = &all[k];
                let index = ctx.index;
                let actor = u.actor_text(index);
                let accounts = u.texts(Field::Account, index);
                TableRow::texts([
                    if actor.is_empty() {
                        "(none)".to_string()
                    } else {
                        escape(actor).into_owned()
                    },
                    escape(&u.texts(Field::Type, index).join(",")).into_owned(),
                    match accounts.as_slice() {
                        [one] => escape(one).into_owned(),
                        many => format!("{} accounts", many.len()),
                    },
                    thousands(u.events as usize),
                    thousands(u.errors as usize),
                    format!("{:.0}%", u.denied_share() * 100.0),
                    format_time_short(u.first),
                    format_time_short(u.last),
                    u.field(Field::Ip).len().to_string(),
                    escape(
                        &u.texts(Field::Name, index)
                            .into_iter()
                            .take(3)
                            .collect::<Vec<_>>()
                            .join(", "),
                    )
                    .into_owned(),
                ])
                .style(t.base)
            })
            .collect();
        let mut columns: Vec<Column> = UserColumn::ALL
            .iter()
            .map(|&c| {
                let mut column = c.width();
                column.title = if c == self.sort {
                    format!("{}{arrow}", c.title()).into()
                } else {
                    c.title().into()
                };
                column
            })
            .collect();
        columns.push(Column::fill("Top events", 3).at_least(12).priority(6));
        frame.render_widget(
            Table::of_window(columns, rows, &window, &self.cursor, t),
            inner,
        );
        self.draw_panel(ctx, frame, panel);
    }

    fn draw_panel(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        let t = ctx.theme;
        let selected = self.selected(ctx.caches.users());
        let row = |label: &'static str, value: String| {
            Line::from(vec![Span::styled(label, t.key), Span::raw(value)])
        };
        let index = ctx.index;
        let lines = match selected {
            Some(u) => vec![
                row(
                    "Identity     ",
                    format!(
                        "{} in {}",
                        escape(&u.texts(Field::Type, index).join(", ")),
                        escape(&u.texts(Field::Account, index).join(", "))
                    ),
                ),
                row(
                    "ARN          ",
                    escape(&u.texts(Field::Arn, index).join("  ")).into_owned(),
                ),
                row("Access keys  ", counted(&u.counted(Field::Key, index), 6)),
                row("Source IPs   ", counted(&u.counted(Field::Ip, index), 6)),
                row("Top events   ", counted(&u.counted(Field::Name, index), 5)),
                row(
                    "Errors       ",
                    format!(
                        "{} of {} events, {} access denied",
                        thousands(u.errors as usize),
                        thousands(u.events as usize),
                        thousands(u.access_denied as usize)
                    ),
                ),
            ],
            None => vec![Line::raw("no actors")],
        };
        let title = selected
            .map(|u| format!(" {} ", escape(u.actor_text(index))))
            .unwrap_or_default();
        frame.render_widget(
            Paragraph::new(lines)
                .block(pane(t, title, false))
                .wrap(Wrap { trim: true }),
            area,
        );
    }
}

/// `value (count)` pairs, the first `limit` of them, then how many more.
pub fn counted(items: &[(&str, u64)], limit: usize) -> String {
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

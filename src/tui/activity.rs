//! State of the users and repositories views.

use super::app::Cursor;
use crate::activity::users::UserSummary;

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
}

#[derive(Debug, Clone)]
pub struct UsersView {
    pub cursor: Cursor,
    pub sort: UserColumn,
    pub descending: bool,
    /// Indices into the user summaries, in display order.
    pub order: Vec<usize>,
}

impl UsersView {
    pub fn new(users: &[UserSummary]) -> UsersView {
        let mut v = UsersView {
            cursor: Cursor::default(),
            sort: UserColumn::Events,
            descending: true,
            order: Vec::new(),
        };
        v.sort_by(users);
        v
    }

    /// Re-sorts by the current column, keeping the selected user selected.
    pub fn sort_by(&mut self, users: &[UserSummary]) {
        let selected = self.order.get(self.cursor.selected).copied();
        let mut order: Vec<usize> = (0..users.len()).collect();
        let key = |u: &UserSummary| -> (i128, String) {
            match self.sort {
                UserColumn::Actor => (0, u.actor.to_lowercase()),
                UserColumn::Type => (0, u.types.join(",")),
                UserColumn::Accounts => (u.accounts.len() as i128, u.accounts.join(",")),
                UserColumn::Events => (u.events as i128, String::new()),
                UserColumn::Errors => (u.errors as i128, String::new()),
                UserColumn::Denied => ((u.denied_share() * 1e6) as i128, String::new()),
                UserColumn::First => (u.first as i128, String::new()),
                UserColumn::Last => (u.last as i128, String::new()),
                UserColumn::Ips => (u.source_ips.len() as i128, String::new()),
            }
        };
        order.sort_by(|&a, &b| {
            let o = key(&users[a])
                .cmp(&key(&users[b]))
                .then_with(|| users[a].actor.cmp(&users[b].actor));
            if self.descending { o.reverse() } else { o }
        });
        self.order = order;
        if let Some(sel) = selected {
            self.cursor.selected = self.order.iter().position(|&k| k == sel).unwrap_or(0);
        }
    }

    /// Moves the sort to the next column (text columns ascending, numbers descending).
    pub fn next_sort(&mut self, users: &[UserSummary]) {
        let k = UserColumn::ALL
            .iter()
            .position(|c| *c == self.sort)
            .unwrap_or(0);
        self.sort = UserColumn::ALL[(k + 1) % UserColumn::ALL.len()];
        self.descending = !matches!(
            self.sort,
            UserColumn::Actor | UserColumn::Type | UserColumn::Accounts
        );
        self.sort_by(users);
    }

    pub fn reverse(&mut self, users: &[UserSummary]) {
        self.descending = !self.descending;
        self.sort_by(users);
    }

    pub fn selected<'a>(&self, users: &'a [UserSummary]) -> Option<&'a UserSummary> {
        self.order
            .get(self.cursor.selected)
            .and_then(|&k| users.get(k))
    }
}

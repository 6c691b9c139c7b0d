//! `--follow` in the browser: new deliveries join the list (following the tail
//! when the cursor is on the newest event), the status bar says when the last one
//! came; and the loader's yes/no question (an S3 trail of several years with no
//! time bound), answered with `y` or `n`.

use super::app::App;
use super::jobs::Prepared;
use crate::load::LoadReport;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use std::time::Instant;

/// The status bar's "following · last delivery 12 s ago".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Following {
    pub last_delivery: Option<Instant>,
}

impl App {
    /// New deliveries under `--follow`: see [`App::grow_index`].
    pub fn deliver(&mut self, index: impl Into<Prepared>, report: LoadReport) {
        self.grow_index(index, report);
        if let Some(f) = &mut self.following {
            f.last_delivery = Some(Instant::now());
        }
    }

    /// A larger index (a loading snapshot, the final one, a delivery): the list
    /// stays on the selected event, unless the cursor was on the newest one —
    /// then it follows the tail (a browser left alone while loading shows the
    /// newest events, not the one that was newest in the first snapshot).
    pub fn grow_index(&mut self, index: impl Into<Prepared>, report: LoadReport) {
        let at_tail = self.main.list.selected == self.newest_row();
        self.set_index(index, report);
        // With filters evaluated in the background, the new results come later:
        // the cursor goes to the newest event when they do.
        self.to_tail = at_tail && self.evaluating.is_some();
        if at_tail {
            self.select_newest();
        }
    }

    fn newest_row(&self) -> usize {
        if self.results.newest_first {
            0
        } else {
            self.results.shown().len().saturating_sub(1)
        }
    }

    /// Puts the list cursor on the newest event ("follow the tail").
    pub(super) fn select_newest(&mut self) {
        let row = self.newest_row();
        self.with_main(|main, ctx| main.select_row(row, ctx));
    }

    /// A key while the loader's question waits: `y` or `n` (`Esc`, `q`) answer it,
    /// any other key is ignored.
    pub(super) fn answer_key(&mut self, key: KeyEvent) {
        let yes = match key.code {
            KeyCode::Char('y' | 'Y') => true,
            KeyCode::Char('n' | 'N' | 'q') | KeyCode::Esc => false,
            _ => return,
        };
        if let Some((_, _, answer)) = self.question.take() {
            let _ = answer.send(yes);
        }
    }
}

/// `following · last delivery 12 s ago` (or `following · no delivery yet`).
pub fn following_text(f: &Following, now: Instant) -> String {
    match f.last_delivery {
        None => "following · no delivery yet".into(),
        Some(t) => {
            let s = now.saturating_duration_since(t).as_secs();
            let ago = if s < 120 {
                format!("{s} s")
            } else if s < 7200 {
                format!("{} min", s / 60)
            } else {
                format!("{} h", s / 3600)
            };
            format!("following · last delivery {ago} ago")
        }
    }
}

//! Where each region of the screen is, computed from the terminal size alone.
//! The run loop computes it before it dispatches input, so paging and mouse
//! hits never depend on what the previous frame happened to draw; drawing lays
//! out the same regions with the same functions.

use ratatui::layout::{Constraint, Layout, Rect};

/// The smallest screen the browser draws on; below it a short message is shown.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 8;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Viewport {
    pub screen: Rect,
    pub banner: Rect,
    pub filter: Rect,
    pub filter_error: Rect,
    /// Where the main screen or the open view goes.
    pub body: Rect,
    pub status: Rect,
}

impl Viewport {
    pub fn new(screen: Rect, banner: bool, filter_error: bool) -> Viewport {
        let [banner, filter, filter_error, body, status] = Layout::vertical([
            Constraint::Length(u16::from(banner)),
            Constraint::Length(1),
            Constraint::Length(u16::from(filter_error)),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .areas(screen);
        Viewport {
            screen,
            banner,
            filter,
            filter_error,
            body,
            status,
        }
    }

    pub fn too_small(&self) -> bool {
        self.screen.width < MIN_WIDTH || self.screen.height < MIN_HEIGHT
    }
}

/// The inside of a bordered pane.
pub fn inner(area: Rect) -> Rect {
    ratatui::widgets::Block::bordered().inner(area)
}

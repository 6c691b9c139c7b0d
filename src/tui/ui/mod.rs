//! Drawing: one function per region, all reading [`App`]. Every string that came
//! from an event or a file name passes through [`crate::sanitize::escape`] here.

mod activity;
mod bars;
mod detail;
mod facets;
mod list;
mod pipelines;
mod popups;

use super::app::{App, View};
use super::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Paragraph};

/// The smallest screen the browser draws on; below it a short message is shown.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 8;

pub fn draw(frame: &mut Frame, app: &mut App) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let text = format!(
            "terminal too small ({}×{}); need {MIN_WIDTH}×{MIN_HEIGHT}",
            area.width, area.height
        );
        frame.render_widget(
            Paragraph::new(Line::from(text)).wrap(ratatui::widgets::Wrap { trim: true }),
            area,
        );
        return;
    }
    let banner_height = u16::from(app.banner.is_some());
    let error_height = u16::from(app.filter_error.is_some());
    let [banner, filter, filter_error, body, status] = Layout::vertical([
        Constraint::Length(banner_height),
        Constraint::Length(1),
        Constraint::Length(error_height),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    if let Some(text) = &app.banner {
        frame.render_widget(
            Paragraph::new(Line::from(text.as_str())).style(app.theme.demo),
            banner,
        );
    }
    bars::filter_bar(frame, app, filter, filter_error);
    match app.views.last().cloned() {
        Some(View::Detail(d)) => detail::draw(frame, app, &d, body),
        Some(View::Pipelines { cursor }) => pipelines::list(frame, app, cursor, body),
        Some(View::Versions(v)) => pipelines::versions(frame, app, &v, body),
        Some(View::Diff(d)) => pipelines::diff(frame, app, &d, body),
        Some(View::Users(v)) => activity::users(frame, app, &v, body),
        Some(View::Repos { cursor }) => activity::repos(frame, app, cursor, body),
        _ => main_screen(frame, app, body),
    }
    bars::status_bar(frame, app, status);
    match app.views.last() {
        Some(View::Help { scroll }) => popups::help(frame, app, *scroll, area),
        Some(View::Errors { scroll }) => popups::errors(frame, app, *scroll, area),
        _ => {}
    }
}

fn main_screen(frame: &mut Frame, app: &mut App, area: Rect) {
    let facet_width = if area.width >= 100 {
        30
    } else {
        (area.width / 3).max(16)
    };
    let [left, right] =
        Layout::horizontal([Constraint::Length(facet_width), Constraint::Min(10)]).areas(area);
    let timeline_height = if right.height >= 14 { 4 } else { 0 };
    let [timeline, events] =
        Layout::vertical([Constraint::Length(timeline_height), Constraint::Min(3)]).areas(right);
    facets::draw(frame, app, left);
    if timeline_height > 0 {
        match &app.load {
            super::app::LoadState::Loading { progress } => {
                bars::load_gauge(frame, app, progress.clone(), timeline)
            }
            _ => bars::timeline(frame, app, timeline),
        }
    }
    list::draw(frame, app, events);
}

/// A bordered pane with its title; the border shows whether it has the focus.
fn pane<'a>(t: &Theme, title: impl Into<String>, focused: bool) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(if focused { t.border_focused } else { t.border })
        .title(Span::styled(title.into(), t.title))
}

/// `text` cut (with `…`) or padded to exactly `width` display columns.
pub fn list_width(text: &str, width: usize) -> String {
    let cut = crate::output::table::truncate(text, width);
    crate::output::table::pad(&cut, width)
}

//! All colours and emphasis in one place. `NO_COLOR` turns colours off and keeps
//! emphasis (bold, reverse, dim) so the screen stays readable.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone)]
pub struct Theme {
    pub base: Style,
    pub title: Style,
    pub border: Style,
    pub border_focused: Style,
    pub header: Style,
    pub selected: Style,
    pub error: Style,
    pub dim: Style,
    pub highlight: Style,
    pub key: Style,
    pub demo: Style,
    pub json_key: Style,
    pub json_string: Style,
    pub json_number: Style,
    pub json_literal: Style,
    pub json_punct: Style,
    pub facet_on: Style,
    pub facet_off: Style,
    pub added: Style,
    pub removed: Style,
    pub changed: Style,
    pub emphasis: Style,
    pub gauge: Style,
    pub timeline: Style,
}

impl Theme {
    /// Colours unless the `NO_COLOR` environment variable is set (any value).
    pub fn from_env() -> Theme {
        if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
            Theme::mono()
        } else {
            Theme::color()
        }
    }

    pub fn color() -> Theme {
        Theme {
            base: Style::default(),
            title: Style::default().add_modifier(Modifier::BOLD),
            border: Style::default().fg(Color::DarkGray),
            border_focused: Style::default().fg(Color::Cyan),
            header: Style::default()
                .fg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
            selected: Style::default().add_modifier(Modifier::REVERSED),
            error: Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
            dim: Style::default().add_modifier(Modifier::DIM),
            highlight: Style::default()
                .fg(Color::Yellow)
                .add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            key: Style::default()
                .fg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
            demo: Style::default().fg(Color::Black).bg(Color::Yellow),
            json_key: Style::default()
                .fg(Color::Blue)
                .add_modifier(Modifier::BOLD),
            json_string: Style::default().fg(Color::Green),
            json_number: Style::default().fg(Color::Cyan),
            json_literal: Style::default().fg(Color::Magenta),
            json_punct: Style::default().fg(Color::DarkGray),
            facet_on: Style::default()
                .fg(Color::Green)
                .add_modifier(Modifier::BOLD),
            facet_off: Style::default()
                .fg(Color::Red)
                .add_modifier(Modifier::CROSSED_OUT),
            added: Style::default().fg(Color::Green),
            removed: Style::default().fg(Color::Red),
            changed: Style::default().fg(Color::Yellow),
            emphasis: Style::default().add_modifier(Modifier::BOLD | Modifier::REVERSED),
            gauge: Style::default().fg(Color::Cyan),
            timeline: Style::default().fg(Color::Cyan),
        }
    }

    pub fn mono() -> Theme {
        let plain = Style::default();
        let bold = plain.add_modifier(Modifier::BOLD);
        Theme {
            base: plain,
            title: bold,
            border: plain,
            border_focused: bold,
            header: bold,
            selected: plain.add_modifier(Modifier::REVERSED),
            error: bold,
            dim: plain.add_modifier(Modifier::DIM),
            highlight: plain.add_modifier(Modifier::UNDERLINED | Modifier::BOLD),
            key: bold,
            demo: plain.add_modifier(Modifier::REVERSED),
            json_key: bold,
            json_string: plain,
            json_number: plain,
            json_literal: plain,
            json_punct: plain,
            facet_on: bold,
            facet_off: plain.add_modifier(Modifier::CROSSED_OUT),
            added: bold,
            removed: plain.add_modifier(Modifier::DIM),
            changed: bold,
            emphasis: plain.add_modifier(Modifier::REVERSED),
            gauge: plain,
            timeline: plain,
        }
    }
}

//! Every key binding, with the context it works in and what it does. The same
//! table dispatches keys and writes the help overlay, so they cannot disagree.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Something the user asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Quit,
    ForceQuit,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Left,
    Right,
    FocusNext,
    FocusPrev,
    EditFilter,
    Open,
    Back,
    ToggleOrder,
    ToggleValue,
    ExcludeValue,
    ClearFacet,
    Help,
    Errors,
    WriteEvents,
    NextEvent,
    PrevEvent,
    Copy,
    ToggleFold,
    FoldAll,
    UnfoldAll,
    OpenPipelines,
    DiffOfEvent,
    SideBySide,
    NextChange,
    PrevChange,
    CompareWith,
    OpenUsers,
    OpenRepos,
    SortNext,
    SortReverse,
    RepoPipeline,
}

/// Where a binding applies. Popups and views are tried first, then the focused
/// pane, then the main screen, then everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Global,
    Main,
    List,
    Facets,
    Detail,
    Pipelines,
    Versions,
    Diff,
    Users,
    Repos,
    Popup,
}

impl Context {
    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::Main => "Main screen",
            Context::List => "Event list",
            Context::Facets => "Facet panes",
            Context::Detail => "Detail view",
            Context::Pipelines => "Pipelines view",
            Context::Versions => "Version timeline",
            Context::Diff => "Diff view",
            Context::Users => "Users view",
            Context::Repos => "Repositories view",
            Context::Popup => "Help and error list",
        }
    }
}

/// One key as written in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

const fn k(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: false,
    }
}
const fn code(code: KeyCode) -> Key {
    Key { code, ctrl: false }
}
const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: true,
    }
}

pub struct Binding {
    pub context: Context,
    pub keys: &'static [Key],
    pub action: Action,
    pub help: &'static str,
}

const fn b(context: Context, keys: &'static [Key], action: Action, help: &'static str) -> Binding {
    Binding {
        context,
        keys,
        action,
        help,
    }
}

use Action as A;
use Context as C;

pub const BINDINGS: &[Binding] = &[
    b(C::Global, &[ctrl('c')], A::ForceQuit, "quit at once"),
    b(C::Global, &[k('?')], A::Help, "this help"),
    b(C::Global, &[code(KeyCode::Up), k('k')], A::Up, "move up"),
    b(
        C::Global,
        &[code(KeyCode::Down), k('j')],
        A::Down,
        "move down",
    ),
    b(
        C::Global,
        &[code(KeyCode::PageUp), ctrl('b')],
        A::PageUp,
        "page up",
    ),
    b(
        C::Global,
        &[code(KeyCode::PageDown), ctrl('f'), k(' ')],
        A::PageDown,
        "page down",
    ),
    b(
        C::Global,
        &[k('g'), code(KeyCode::Home)],
        A::Top,
        "first line",
    ),
    b(
        C::Global,
        &[k('G'), code(KeyCode::End)],
        A::Bottom,
        "last line",
    ),
    b(C::Main, &[k('q')], A::Quit, "quit"),
    b(
        C::Main,
        &[k('/')],
        A::EditFilter,
        "edit the filter (Enter keeps it, Esc restores the previous one)",
    ),
    b(
        C::Main,
        &[code(KeyCode::Tab)],
        A::FocusNext,
        "focus the next pane",
    ),
    b(
        C::Main,
        &[code(KeyCode::BackTab)],
        A::FocusPrev,
        "focus the previous pane",
    ),
    b(
        C::Main,
        &[k('E')],
        A::Errors,
        "files that failed to load, and why",
    ),
    b(
        C::Main,
        &[k('w')],
        A::WriteEvents,
        "write the filtered events as JSON lines to a file",
    ),
    b(C::Main, &[k('o')], A::ToggleOrder, "newest or oldest first"),
    b(
        C::Main,
        &[k('p')],
        A::OpenPipelines,
        "pipelines and their version histories",
    ),
    b(C::Main, &[k('u')], A::OpenUsers, "users: who did what"),
    b(
        C::Main,
        &[k('r')],
        A::OpenRepos,
        "CodeCommit repositories: what happened to them",
    ),
    b(C::List, &[code(KeyCode::Enter)], A::Open, "open the event"),
    b(
        C::List,
        &[k('d')],
        A::DiffOfEvent,
        "diff of the pipeline version a Create/UpdatePipeline event made",
    ),
    b(
        C::Facets,
        &[code(KeyCode::Left), k('h'), k('[')],
        A::Left,
        "previous facet",
    ),
    b(
        C::Facets,
        &[code(KeyCode::Right), k('l'), k(']')],
        A::Right,
        "next facet",
    ),
    b(
        C::Facets,
        &[k(' '), code(KeyCode::Enter)],
        A::ToggleValue,
        "select the value (several = any of them)",
    ),
    b(C::Facets, &[k('x')], A::ExcludeValue, "exclude the value"),
    b(C::Facets, &[k('c')], A::ClearFacet, "clear this facet"),
    b(
        C::Detail,
        &[code(KeyCode::Esc), k('q')],
        A::Back,
        "back to the list",
    ),
    b(C::Detail, &[k('n')], A::NextEvent, "next event of the list"),
    b(
        C::Detail,
        &[k('N')],
        A::PrevEvent,
        "previous event of the list",
    ),
    b(
        C::Detail,
        &[k('y')],
        A::Copy,
        "copy the event's JSON (OSC 52)",
    ),
    b(
        C::Detail,
        &[code(KeyCode::Enter), k('z')],
        A::ToggleFold,
        "fold or unfold the object under the cursor",
    ),
    b(C::Detail, &[k('-')], A::FoldAll, "fold every object"),
    b(
        C::Detail,
        &[k('+'), k('=')],
        A::UnfoldAll,
        "unfold everything",
    ),
    b(
        C::Pipelines,
        &[code(KeyCode::Enter)],
        A::Open,
        "the pipeline's version timeline",
    ),
    b(C::Pipelines, &[code(KeyCode::Esc), k('q')], A::Back, "back"),
    b(
        C::Versions,
        &[code(KeyCode::Enter)],
        A::Open,
        "diff against the previous version (a rejected change: its event)",
    ),
    b(C::Versions, &[code(KeyCode::Esc), k('q')], A::Back, "back"),
    b(C::Diff, &[k('s')], A::SideBySide, "unified or side-by-side"),
    b(C::Diff, &[k('n')], A::NextChange, "next change"),
    b(C::Diff, &[k('N')], A::PrevChange, "previous change"),
    b(
        C::Diff,
        &[k('c')],
        A::CompareWith,
        "compare with another version, picked from the timeline",
    ),
    b(C::Diff, &[code(KeyCode::Esc), k('q')], A::Back, "back"),
    b(
        C::Users,
        &[code(KeyCode::Enter)],
        A::Open,
        "filter the event list to this actor",
    ),
    b(C::Users, &[k('s')], A::SortNext, "sort by the next column"),
    b(C::Users, &[k('S')], A::SortReverse, "reverse the sort"),
    b(C::Users, &[code(KeyCode::Esc), k('q')], A::Back, "back"),
    b(
        C::Repos,
        &[code(KeyCode::Enter)],
        A::Open,
        "filter the event list to this repository",
    ),
    b(
        C::Repos,
        &[k('p')],
        A::RepoPipeline,
        "the history of a pipeline that reads this repository",
    ),
    b(C::Repos, &[code(KeyCode::Esc), k('q')], A::Back, "back"),
    b(C::Popup, &[code(KeyCode::Esc), k('q')], A::Back, "close"),
];

/// The action bound to `key` in `context`, if any.
pub fn lookup(context: Context, key: &KeyEvent) -> Option<Action> {
    let ctrl_down = key.modifiers.contains(KeyModifiers::CONTROL);
    BINDINGS
        .iter()
        .filter(|b| b.context == context)
        .find(|b| {
            b.keys
                .iter()
                .any(|k| k.code == key.code && k.ctrl == ctrl_down)
        })
        .map(|b| b.action)
}

/// A key as written in help text: `Ctrl-C`, `Enter`, `g`.
pub fn describe(key: &Key) -> String {
    let name = match key.code {
        KeyCode::Char(' ') => "Space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Esc => "Esc".into(),
        KeyCode::Tab => "Tab".into(),
        KeyCode::BackTab => "Shift-Tab".into(),
        KeyCode::Up => "↑".into(),
        KeyCode::Down => "↓".into(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        other => format!("{other:?}"),
    };
    if key.ctrl {
        format!("Ctrl-{}", name.to_uppercase())
    } else {
        name
    }
}

/// Help lines grouped by context: (context title, [(keys, description)]).
pub fn help_sections() -> Vec<(&'static str, Vec<(String, &'static str)>)> {
    let order = [
        C::Global,
        C::Main,
        C::List,
        C::Facets,
        C::Detail,
        C::Pipelines,
        C::Versions,
        C::Diff,
        C::Users,
        C::Repos,
        C::Popup,
    ];
    order
        .iter()
        .map(|c| {
            let rows = BINDINGS
                .iter()
                .filter(|b| b.context == *c)
                .map(|b| {
                    (
                        b.keys.iter().map(describe).collect::<Vec<_>>().join(" "),
                        b.help,
                    )
                })
                .collect();
            (c.title(), rows)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyEventKind;

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent {
            code,
            modifiers: mods,
            kind: KeyEventKind::Press,
            state: ratatui::crossterm::event::KeyEventState::NONE,
        }
    }

    #[test]
    fn lookup_by_context() {
        assert_eq!(
            lookup(C::Main, &key(KeyCode::Char('q'), KeyModifiers::NONE)),
            Some(A::Quit)
        );
        assert_eq!(
            lookup(C::Detail, &key(KeyCode::Char('q'), KeyModifiers::NONE)),
            Some(A::Back)
        );
        assert_eq!(
            lookup(C::Global, &key(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(A::ForceQuit)
        );
        assert_eq!(
            lookup(C::Global, &key(KeyCode::Char('c'), KeyModifiers::NONE)),
            None
        );
        assert_eq!(
            lookup(C::Global, &key(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(A::Bottom)
        );
    }

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        for (i, a) in BINDINGS.iter().enumerate() {
            for b in &BINDINGS[i + 1..] {
                if a.context == b.context {
                    for key in a.keys {
                        assert!(!b.keys.contains(key), "{key:?} twice in {:?}", a.context);
                    }
                }
            }
        }
    }

    #[test]
    fn help_lists_every_binding() {
        let rows: usize = help_sections().iter().map(|(_, r)| r.len()).sum();
        assert_eq!(rows, BINDINGS.len());
    }
}

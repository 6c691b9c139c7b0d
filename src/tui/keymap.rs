//! Every key binding, with the context it works in and what it does. The same
//! table dispatches keys and writes the help overlay, so they cannot disagree.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Something the user asked for. Each action means one thing wherever it is
/// bound; the view on top decides whether it applies.
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
    /// Back to the filter before the last change.
    StepBackFilter,
    /// The detail view: filter to the value under the cursor, with its field.
    PivotTo,
    /// The detail view: exclude the value under the cursor.
    PivotExclude,
    /// The event list: open the selected event.
    OpenEvent,
    /// The timeline: filter to the bucket under the cursor (`since:`/`until:`).
    ZoomIn,
    /// The timeline: back to the time bounds before the last zoom.
    ZoomOut,
    /// The pipelines view: the selected pipeline's version timeline.
    OpenVersions,
    /// The version timeline: the diff of the selected version (or a rejected change's event).
    OpenDiff,
    /// A table view: type a query that narrows its rows.
    SearchRows,
    /// The users view: filter the list to the selected actor.
    FilterToActor,
    /// The repositories view: filter the list to the selected repository.
    FilterToRepo,
    /// The version timeline: the event that made the version under the cursor.
    VersionEvent,
    /// The version timeline: filter the list to the pipeline.
    FilterToPipeline,
    /// The users, repositories and pipelines views: count the events under
    /// the filter, or every event.
    ToggleUnder,
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
    /// Copy the whole event's JSON.
    Copy,
    /// The detail view: copy the value under the cursor.
    CopyValue,
    /// The detail view: copy the JSON path of the line under the cursor.
    CopyPath,
    ToggleFold,
    FoldAll,
    UnfoldAll,
    OpenPipelines,
    DiffOfEvent,
    SideBySide,
    /// The diff view: every line, or the changes with 3 lines of context.
    ToggleContext,
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
    Timeline,
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
            Context::Timeline => "Timeline",
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
    /// A word or two for the status bar; empty when the binding is not hinted there.
    pub hint: &'static str,
    pub help: &'static str,
}

const fn b(
    context: Context,
    keys: &'static [Key],
    action: Action,
    hint: &'static str,
    help: &'static str,
) -> Binding {
    Binding {
        context,
        keys,
        action,
        hint,
        help,
    }
}

use Action as A;
use Context as C;
use KeyCode::{BackTab, Backspace, Down, End, Enter, Esc, Home, PageDown, PageUp, Right, Tab, Up};

/// Every binding, one per line. Within a context the first key listed is the one
/// the status bar shows.
#[rustfmt::skip]
pub const BINDINGS: &[Binding] = &[
    b(C::Global, &[ctrl('c')], A::ForceQuit, "", "quit at once"),
    b(C::Global, &[k('?')], A::Help, "help", "this help"),
    b(C::Global, &[code(Up), k('k')], A::Up, "", "move up"),
    b(C::Global, &[code(Down), k('j')], A::Down, "", "move down"),
    b(C::Global, &[code(PageUp), ctrl('b')], A::PageUp, "", "page up"),
    b(C::Global, &[code(PageDown), ctrl('f'), k(' ')], A::PageDown, "", "page down"),
    b(C::Global, &[k('g'), code(Home)], A::Top, "", "first line"),
    b(C::Global, &[k('G'), code(End)], A::Bottom, "", "last line"),
    b(C::Main, &[k('/')], A::EditFilter, "filter", "edit the filter (Enter keeps it, Esc restores the previous one)"),
    b(C::Main, &[code(BackTab)], A::FocusPrev, "", "focus the previous pane"),
    b(C::Main, &[code(Backspace)], A::StepBackFilter, "", "back to the filter before the last change (a facet, a view, a pivot, an edit)"),
    b(C::Main, &[k('u')], A::OpenUsers, "users", "users: who did what"),
    b(C::Main, &[k('r')], A::OpenRepos, "repos", "CodeCommit repositories: what happened to them"),
    b(C::Main, &[k('p')], A::OpenPipelines, "pipelines", "pipelines and their version histories"),
    b(C::Main, &[k('E')], A::Errors, "", "files that failed to load, and why"),
    b(C::Main, &[k('w')], A::WriteEvents, "", "write the filtered events as JSON lines to a file"),
    b(C::Main, &[k('o')], A::ToggleOrder, "", "newest or oldest first"),
    b(C::Main, &[k('q')], A::Quit, "quit", "quit"),
    b(C::List, &[code(Enter)], A::OpenEvent, "open", "open the event"),
    b(C::List, &[code(Tab)], A::FocusNext, "cells", "the cell cursor to the next cell of the row (a click puts it on a cell); past the last, the facet panes (then the timeline, then the list again)"),
    b(C::List, &[k('f')], A::PivotTo, "filter to", "filter to the value of the cell under the cell cursor, with its column's field (event:, source:, user:=, resource:=, region:, ip:, error:; a time: that second)"),
    b(C::List, &[k('F')], A::PivotExclude, "", "exclude the value of the cell under the cell cursor"),
    b(C::List, &[code(KeyCode::Left), k('h')], A::Left, "", "scroll the columns back to the left"),
    b(C::List, &[code(Right), k('l')], A::Right, "", "scroll the columns to the right, to those that do not fit"),
    b(C::List, &[k('d')], A::DiffOfEvent, "", "diff of the pipeline version a Create/UpdatePipeline event made"),
    b(C::Facets, &[code(Enter), k(' ')], A::ToggleValue, "select", "select the value (several = any of them)"),
    b(C::Facets, &[k('x')], A::ExcludeValue, "exclude", "exclude the value"),
    b(C::Facets, &[k('/')], A::SearchRows, "search", "narrow the values to those that hold what you type (Enter keeps it, Esc clears it); the filter is edited from the list or timeline"),
    b(C::Facets, &[code(Esc)], A::Back, "", "clear the values' / narrowing"),
    b(C::Facets, &[k('c')], A::ClearFacet, "clear", "clear this facet"),
    b(C::Facets, &[code(KeyCode::Left), k('h'), k('[')], A::Left, "", "previous facet"),
    b(C::Facets, &[code(Right), k('l'), k(']')], A::Right, "facet", "next facet"),
    b(C::Facets, &[code(Tab)], A::FocusNext, "timeline", "focus the timeline (the list when the screen has no room for it)"),
    b(C::Timeline, &[code(KeyCode::Left), k('h')], A::Left, "", "the previous bucket (its time span and counts in the title)"),
    b(C::Timeline, &[code(Right), k('l')], A::Right, "bucket", "the next bucket"),
    b(C::Timeline, &[code(Enter)], A::ZoomIn, "zoom", "zoom into the bucket: since:/until: at its bounds (a mouse drag zooms into several)"),
    b(C::Timeline, &[k('z')], A::ZoomOut, "out", "zoom back out: the time bounds before the last zoom"),
    b(C::Timeline, &[code(Tab)], A::FocusNext, "list", "focus the event list"),
    b(C::Detail, &[code(Esc), k('q')], A::Back, "back", "back to the list"),
    b(C::Detail, &[k('n')], A::NextEvent, "next", "next event of the list (with a / search: the next match)"),
    b(C::Detail, &[k('N')], A::PrevEvent, "prev", "previous event of the list (with a / search: the previous match)"),
    b(C::Detail, &[k('/')], A::SearchRows, "search", "look for text in the JSON's keys and values (folded objects open to show a match); Esc clears it"),
    b(C::Detail, &[code(Enter), k('z')], A::ToggleFold, "fold", "fold or unfold the object under the cursor"),
    b(C::Detail, &[k('f')], A::PivotTo, "filter to", "filter the list to the value under the cursor (its field: user:=, ip:, key:, event:, repo:=…; else text:)"),
    b(C::Detail, &[k('F')], A::PivotExclude, "", "exclude the value under the cursor from the list"),
    b(C::Detail, &[k('y')], A::CopyValue, "copy", "copy the value under the cursor (OSC 52)"),
    b(C::Detail, &[k('Y')], A::Copy, "", "copy the whole event's JSON (OSC 52)"),
    b(C::Detail, &[k('P')], A::CopyPath, "", "copy the JSON path of the line under the cursor, as jq writes it (.resources[0].ARN)"),
    b(C::Detail, &[k('-')], A::FoldAll, "", "fold every object"),
    b(C::Detail, &[k('+'), k('=')], A::UnfoldAll, "", "unfold everything"),
    b(C::Pipelines, &[k('/')], A::SearchRows, "search", "narrow the rows to pipelines whose name holds what you type (Enter keeps it, Esc clears it)"),
    b(C::Pipelines, &[code(Enter)], A::OpenVersions, "versions", "the pipeline's version timeline"),
    b(C::Pipelines, &[k('a')], A::ToggleUnder, "", "list the pipelines with events under the filter, or all of them (histories always come from every event)"),
    b(C::Pipelines, &[code(Esc), k('q')], A::Back, "back", "back"),
    b(C::Versions, &[code(Enter)], A::OpenDiff, "diff", "diff against the previous version (a rejected change: its event)"),
    b(C::Versions, &[k('/')], A::SearchRows, "", "narrow the rows to versions whose actor or change holds what you type (Enter keeps it, Esc clears it)"),
    b(C::Versions, &[k('e')], A::VersionEvent, "event", "the Create/UpdatePipeline event that made the version"),
    b(C::Versions, &[k('f')], A::FilterToPipeline, "filter", "filter the event list to this pipeline (its account and region)"),
    b(C::Versions, &[code(Esc), k('q')], A::Back, "back", "back"),
    b(C::Diff, &[k('n')], A::NextChange, "change", "next change"),
    b(C::Diff, &[k('N')], A::PrevChange, "", "previous change"),
    b(C::Diff, &[k('s')], A::SideBySide, "side by side", "unified or side-by-side"),
    b(C::Diff, &[k('z')], A::ToggleContext, "whole", "the whole structure, or the changes with 3 lines of context (the default)"),
    b(C::Diff, &[k('c')], A::CompareWith, "compare with", "compare with another version, picked from the timeline"),
    b(C::Diff, &[code(Esc), k('q')], A::Back, "back", "back"),
    b(C::Users, &[code(Enter)], A::FilterToActor, "filter to actor", "filter the event list to this actor"),
    b(C::Users, &[k('/')], A::SearchRows, "search", "narrow the rows to actors whose name holds what you type (Enter keeps it, Esc clears it)"),
    b(C::Users, &[k('a')], A::ToggleUnder, "", "count the events under the filter, or every event (the title says which)"),
    b(C::Users, &[k('s')], A::SortNext, "sort", "sort by the next column"),
    b(C::Users, &[k('S')], A::SortReverse, "reverse", "reverse the sort"),
    b(C::Users, &[code(Esc), k('q')], A::Back, "back", "back"),
    b(C::Repos, &[k('/')], A::SearchRows, "search", "narrow the rows to repositories whose name holds what you type (Enter keeps it, Esc clears it)"),
    b(C::Repos, &[code(Enter)], A::FilterToRepo, "filter to repository", "filter the event list to this repository"),
    b(C::Repos, &[k('p')], A::RepoPipeline, "pipeline history", "the history of a pipeline that reads this repository"),
    b(C::Repos, &[k('a')], A::ToggleUnder, "", "count the events under the filter, or every event (the title says which)"),
    b(C::Repos, &[code(Esc), k('q')], A::Back, "back", "back"),
    b(C::Popup, &[code(Esc), k('q')], A::Back, "close", "close (in the help, a / narrowing first)"),
    b(C::Popup, &[k('/')], A::SearchRows, "", "the help: only the keys and terms that hold what you type (Enter keeps it, Esc clears it)"),
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

/// The status bar's key hints for a context: its own hinted bindings, then (on
/// the main screen) the main screen's, then the global ones; each shown by its
/// first key. Generated from [`BINDINGS`], so the bar cannot disagree with the keys.
pub fn hints(context: Context) -> String {
    let mut layers = vec![context];
    if matches!(context, Context::List | Context::Facets | Context::Timeline) {
        layers.push(Context::Main);
    }
    layers.push(Context::Global);
    // A key bound in an inner layer hides the outer layers' binding of it
    // (in the facets, `/` searches the values: no `/ filter` hint).
    let mut seen: Vec<Action> = Vec::new();
    let mut taken: Vec<Key> = Vec::new();
    let mut parts = Vec::new();
    for layer in layers {
        let bound: Vec<Key> = BINDINGS
            .iter()
            .filter(|b| b.context == layer)
            .flat_map(|b| b.keys.iter().copied())
            .collect();
        for b in BINDINGS
            .iter()
            .filter(|b| b.context == layer && !b.hint.is_empty())
        {
            if seen.contains(&b.action) {
                continue;
            }
            seen.push(b.action);
            if let Some(key) = b.keys.first().filter(|k| !taken.contains(k)) {
                parts.push(format!("{} {}", describe(key), b.hint));
            }
        }
        taken.extend(bound);
    }
    parts.join("  ")
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
        KeyCode::Backspace => "Backspace".into(),
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
        C::Timeline,
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
    fn hints_come_from_the_table() {
        assert_eq!(
            hints(C::List),
            "Enter open  Tab cells  f filter to  / filter  u users  r repos  p pipelines  q quit  ? help"
        );
        assert!(hints(C::Detail).starts_with("Esc back  n next  N prev"));
        // The facets' `/` searches the values; the main screen's `/ filter` is not offered there.
        assert!(hints(C::Facets).contains("/ search") && !hints(C::Facets).contains("/ filter"));
        // Every hinted binding's key really does that action.
        for b in BINDINGS.iter().filter(|b| !b.hint.is_empty()) {
            let key = KeyEvent::new(
                b.keys[0].code,
                if b.keys[0].ctrl {
                    KeyModifiers::CONTROL
                } else {
                    KeyModifiers::NONE
                },
            );
            assert_eq!(lookup(b.context, &key), Some(b.action), "{:?}", b.hint);
        }
    }

    #[test]
    fn help_lists_every_binding() {
        let rows: usize = help_sections().iter().map(|(_, r)| r.len()).sum();
        assert_eq!(rows, BINDINGS.len());
    }
}

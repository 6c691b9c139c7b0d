//! The detail view: a summary of who did what, where and with what outcome, then
//! the whole event as folded, coloured JSON.
//!
//! The event's JSON is re-read from its file on a background job: the view opens
//! at once in a "reading…" state, and a slow or vanished file never blocks keys.

use super::{Transition, movement};
use crate::index::Index;
use crate::model::time::format_time;
use crate::sanitize::escape;
use crate::tui::ctx::Ctx;
use crate::tui::json_view::{Folded, Token, flatten};
use crate::tui::keymap::Action;
use crate::tui::theme::Theme;
use crate::tui::viewport::inner;
use crate::tui::widgets::{Cursor, RowSearch, pane, wrap};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// An event's JSON as read from its file, laid out for display.
#[derive(Debug, Clone)]
pub struct EventDoc {
    /// The document, or why it cannot be shown (file changed, too deep…).
    pub doc: Result<Folded, String>,
    /// The raw JSON as read (for copying, and shown when it cannot be parsed).
    pub raw: Option<String>,
    /// `errorMessage`, and the ARNs of `resources`, for the summary header.
    pub error_message: Option<String>,
    pub resources: Vec<String>,
    /// For an event whose `eventID` another record shares with different
    /// content: that record's file and the fields that differ.
    pub conflict: Option<String>,
}

impl EventDoc {
    /// Reads event `event`'s JSON from its file and lays it out (file IO: run it off the UI thread).
    pub fn read(index: &Index, event: u32) -> EventDoc {
        let mut error_message = None;
        let mut resources = Vec::new();
        let raw = crate::load::fetch::raw_event(index, event as usize);
        let conflict = raw
            .as_ref()
            .ok()
            .and_then(|raw| crate::output::conflict_note(index, event as usize, Some(raw)));
        let (raw, doc) = match raw {
            Ok(raw) => match serde_json::from_str::<serde_json::Value>(&raw) {
                Ok(v) => {
                    error_message = v
                        .get("errorMessage")
                        .and_then(|m| m.as_str())
                        .map(str::to_string);
                    if let Some(list) = v.get("resources").and_then(|r| r.as_array()) {
                        resources = list
                            .iter()
                            .filter_map(|r| {
                                r.get("ARN")
                                    .or(r.get("arn"))
                                    .and_then(|a| a.as_str())
                                    .map(str::to_string)
                            })
                            .collect();
                    }
                    // A large event is not held three times (text, value, lines):
                    // its text goes before the lines are made from the value.
                    let raw = (raw.len() <= KEEP_RAW_BYTES).then_some(raw);
                    (raw, Ok(Folded::new(flatten(v))))
                }
                Err(e) => (
                    Some(raw),
                    Err(format!(
                        "cannot lay out this event ({e}); its raw text follows"
                    )),
                ),
            },
            Err(e) => (None, Err(e.to_string())),
        };
        EventDoc {
            doc,
            raw,
            error_message,
            resources,
            conflict,
        }
    }
}

/// Events up to this size keep their raw text for `Y` (copy the whole event);
/// a larger one would be held twice, and no terminal takes it through OSC 52.
pub const KEEP_RAW_BYTES: usize = 1 << 20;

/// Of raw text that cannot be laid out, this much is shown.
const RAW_SHOWN_BYTES: usize = 64 << 10;

#[derive(Debug, Clone)]
pub struct DetailView {
    pub event: u32,
    /// Its row in the event list, for `n`/`N`; `None` when opened from elsewhere.
    pub row: Option<usize>,
    /// Opened from a version timeline: (lifetime, version) the event made, for
    /// `n`/`N` to walk the versions.
    pub version: Option<(usize, u64)>,
    /// Which read request the document comes from (a newer request replaces it).
    pub request: u64,
    /// `None` while the JSON is being read.
    pub content: Option<Box<EventDoc>>,
    pub cursor: Cursor,
    /// Screen rows of the first shown line already scrolled past (a line longer
    /// than the screen, such as a 300 KB field, is read by paging through it).
    pub skip_rows: usize,
    /// `/`: a text looked for in the JSON's keys and values; while one is set,
    /// `n`/`N` go from match to match instead of from event to event.
    pub search: RowSearch,
}

impl DetailView {
    /// A view waiting for the event's JSON (read request `request`).
    pub fn reading(event: u32, row: Option<usize>, request: u64) -> DetailView {
        DetailView {
            event,
            row,
            version: None,
            request,
            content: None,
            cursor: Cursor::default(),
            skip_rows: 0,
            search: RowSearch::default(),
        }
    }

    /// A key typed into the `/` query: the cursor goes to the first line at or
    /// after it that holds the text (unfolding what hides it).
    pub fn search_key(&mut self, key: &ratatui::crossterm::event::KeyEvent, ctx: &Ctx) {
        if self.search.key(key) && self.search.is_narrowing() {
            let from = self.current_line().map_or(0, |l| l.saturating_sub(1));
            self.go_to_match(from, true, ctx);
        }
    }

    /// `n`/`N` when opened from a version timeline: the event of the next (or
    /// previous) version in the loaded logs.
    fn walk_versions(&self, forward: bool, ctx: &Ctx) -> Transition {
        let Some((lifetime, number)) = self.version else {
            return Transition::Stay;
        };
        let Some(l) = ctx.caches.pipelines().get(lifetime) else {
            return Transition::Stay;
        };
        let next = if forward {
            l.versions
                .iter()
                .map(|v| v.number)
                .filter(|&n| n > number)
                .min()
        } else {
            l.versions
                .iter()
                .map(|v| v.number)
                .filter(|&n| n < number)
                .max()
        };
        match next {
            Some(version) => Transition::Replace(super::Target::VersionEvent { lifetime, version }),
            None => Transition::Message(
                if forward {
                    "the newest version loaded"
                } else {
                    "the oldest version loaded"
                }
                .into(),
            ),
        }
    }

    /// The document line under the cursor.
    fn current_line(&self) -> Option<usize> {
        self.doc()?.visible.get(self.cursor.selected).copied()
    }

    /// Moves the cursor to the next (or previous) line holding the query;
    /// says where it is among the matches.
    fn go_to_match(&mut self, from: usize, forward: bool, ctx: &Ctx) -> Transition {
        let query = self.search.query().to_string();
        let height = self.json_area(ctx).height as usize;
        let Some(Ok(doc)) = self.content.as_mut().map(|c| &mut c.doc) else {
            return Transition::Message("the event is still being read".into());
        };
        let Some(line) = doc.find(&query, from, forward) else {
            return Transition::Message(format!("no line holds “{}”", escape(&query)));
        };
        let row = doc.reveal(line);
        let (nth, all) = doc.rank(&query, line);
        self.skip_rows = 0;
        self.cursor.select(row, doc.visible.len(), height);
        Transition::Message(format!("match {nth} of {all}"))
    }

    pub fn is_reading(&self) -> bool {
        self.content.is_none()
    }

    /// The document arrived.
    pub fn loaded(&mut self, doc: EventDoc) {
        self.content = Some(Box::new(doc));
        self.cursor = Cursor::default();
        self.skip_rows = 0;
    }

    pub fn doc(&self) -> Option<&Folded> {
        self.content.as_ref().and_then(|c| c.doc.as_ref().ok())
    }

    /// The summary pane and the JSON pane of `area`.
    fn areas(&self, area: Rect) -> [Rect; 2] {
        let conflict = self.content.as_ref().is_some_and(|c| c.conflict.is_some());
        let header_height = (HEADER_LINES + u16::from(conflict) + 2).min(area.height / 2);
        Layout::vertical([Constraint::Length(header_height), Constraint::Min(1)]).areas(area)
    }

    /// The inside of the JSON pane: its height is a page, its width wraps lines.
    fn json_area(&self, ctx: &Ctx) -> Rect {
        inner(self.areas(ctx.viewport.body)[1])
    }

    pub fn update(&mut self, action: Action, ctx: &Ctx) -> Transition {
        match action {
            Action::SearchRows => {
                self.search.start();
                Transition::Stay
            }
            Action::NextEvent | Action::PrevEvent if self.search.is_narrowing() => {
                let from = self.current_line().unwrap_or(0);
                self.go_to_match(from, action == Action::NextEvent, ctx)
            }
            Action::NextEvent | Action::PrevEvent if self.version.is_some() => {
                self.walk_versions(action == Action::NextEvent, ctx)
            }
            Action::NextEvent | Action::PrevEvent => {
                let forward = action == Action::NextEvent;
                let Some(row) = self.row else {
                    return Transition::Message("this event was not opened from the list".into());
                };
                let next = if forward {
                    row.checked_add(1)
                } else {
                    row.checked_sub(1)
                };
                match next.filter(|&r| r < ctx.results.shown().len()) {
                    Some(row) => Transition::ShowEvent { row },
                    None => Transition::Message(
                        if forward {
                            "last event of the list"
                        } else {
                            "first event of the list"
                        }
                        .into(),
                    ),
                }
            }
            Action::CopyValue | Action::CopyPath => {
                let Some(doc) = self.doc() else {
                    return Transition::Message("the event is still being read".into());
                };
                let row = self.cursor.selected;
                if action == Action::CopyPath {
                    return Transition::Copy {
                        text: crate::tui::json_view::jq_path(&doc.path(row)),
                        what: "the JSON path",
                    };
                }
                match doc.scalar(row) {
                    Some(text) => Transition::Copy {
                        text,
                        what: "the value",
                    },
                    None => Transition::Message(
                        "no value on this line: move the cursor to one (Y copies the whole event)"
                            .into(),
                    ),
                }
            }
            Action::Copy => match self.content.as_ref().and_then(|c| c.raw.as_ref()) {
                Some(raw) => Transition::Copy {
                    text: crate::load::fetch::compact(raw),
                    what: "the event's JSON",
                },
                None if self.doc().is_some() => Transition::Message(format!(
                    "the event is larger than {}: too large to copy through the terminal",
                    crate::format::human_bytes(KEEP_RAW_BYTES as u64)
                )),
                None => Transition::Stay,
            },
            Action::PivotTo | Action::PivotExclude => {
                self.pivot(action == Action::PivotExclude, ctx)
            }
            Action::ToggleFold | Action::FoldAll | Action::UnfoldAll => {
                let height = self.json_area(ctx).height as usize;
                if let Some(Ok(doc)) = self.content.as_mut().map(|c| &mut c.doc) {
                    match action {
                        Action::ToggleFold => {
                            self.cursor.selected = doc.toggle(self.cursor.selected)
                        }
                        Action::FoldAll => doc.fold_all(),
                        _ => doc.unfold_all(),
                    }
                    self.cursor.clamp(doc.visible.len(), height);
                    self.skip_rows = 0;
                }
                Transition::Stay
            }
            _ => {
                let area = self.json_area(ctx);
                if let Some(delta) = movement(action, area.height as usize) {
                    self.move_by(delta, ctx.theme, area);
                }
                Transition::Stay
            }
        }
    }

    /// `f`/`F`: the list filtered to (or without) the value under the cursor,
    /// with the field that indexes its place in the event.
    fn pivot(&self, exclude: bool, ctx: &Ctx) -> Transition {
        let Some(doc) = self.doc() else {
            return Transition::Message("the event is still being read".into());
        };
        let row = self.cursor.selected;
        let Some(value) = doc.scalar(row) else {
            return Transition::Message(
                "nothing to filter on here: move the cursor to a value".into(),
            );
        };
        if value.is_empty() {
            return Transition::Message("the value is empty: nothing to filter on".into());
        }
        let mut term = crate::query::pivot::term_for(&doc.path(row), &value);
        term.negated = exclude;
        let mut filter = ctx.filter.clone();
        filter.pivot(term);
        Transition::SetFilter {
            filter,
            to_list: true,
        }
    }

    /// Screen rows line `row` of the document takes at `width`.
    fn line_rows(doc: &Folded, t: &Theme, row: usize, width: usize) -> usize {
        doc.visible
            .get(row)
            .map(|&i| wrap(json_line(t, doc, i), width).len())
            .unwrap_or(1)
    }

    fn move_by(&mut self, delta: isize, t: &Theme, area: Rect) {
        let Some(doc) = self.doc() else { return };
        let len = doc.visible.len();
        let page = (area.height as usize).max(1);
        let width = (area.width as usize).max(1);
        let cursor_rows = Self::line_rows(doc, t, self.cursor.selected, width);
        let tall = cursor_rows > page;
        if delta == page as isize && tall {
            // Page through a line taller than the screen (a 300 KB value):
            // bring it to the top, then move down it a page at a time.
            if self.cursor.offset != self.cursor.selected {
                self.cursor.offset = self.cursor.selected;
                self.skip_rows = 0;
            } else if self.skip_rows + page < cursor_rows {
                self.skip_rows += page;
            } else {
                self.skip_rows = 0;
                self.cursor.step(1, len, page);
            }
        } else if delta == -(page as isize) && self.skip_rows > 0 {
            self.skip_rows = self.skip_rows.saturating_sub(page);
        } else {
            self.skip_rows = 0;
            self.cursor.step(delta, len, page);
        }
        // Lines wrap: keep the cursor's line on screen by moving the window down
        // until the rows from the window's top to the cursor fit.
        let Some(doc) = self.doc() else { return };
        let mut offset = self.cursor.offset.min(self.cursor.selected);
        let mut skip = if offset == self.cursor.offset {
            self.skip_rows
        } else {
            0
        };
        while offset < self.cursor.selected {
            let above: usize = (offset..=self.cursor.selected)
                .map(|r| Self::line_rows(doc, t, r, width))
                .sum::<usize>()
                - skip;
            if above <= page {
                break;
            }
            offset += 1;
            skip = 0;
        }
        if offset != self.cursor.offset {
            self.cursor.offset = offset;
            self.skip_rows = skip;
        }
    }

    pub fn draw(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        let t = ctx.theme;
        let [top, body] = self.areas(area);
        frame.render_widget(
            Paragraph::new(self.header(ctx)).block(pane(t, " Event ", false)),
            top,
        );
        let block = pane(
            t,
            match self.search.title() {
                s if s.is_empty() => " JSON · / search ".to_string(),
                s => format!(" JSON{s} · n/N next/previous match "),
            },
            true,
        );
        let inner = block.inner(body);
        frame.render_widget(block, body);
        let Some(content) = &self.content else {
            frame.render_widget(
                Paragraph::new(Span::styled("reading the event's JSON…", t.dim)),
                inner,
            );
            return;
        };
        match &content.doc {
            Ok(doc) => frame.render_widget(Paragraph::new(self.json_rows(t, doc, inner)), inner),
            Err(why) => {
                let mut lines = vec![Line::styled(escape(why).into_owned(), t.error)];
                if let Some(raw) = &content.raw {
                    let mut cut = raw.len().min(RAW_SHOWN_BYTES);
                    while !raw.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    lines.push(Line::raw(escape(&raw[..cut]).into_owned()));
                    if cut < raw.len() {
                        lines.push(Line::styled(
                            format!(
                                "… (the first {} of {})",
                                crate::format::human_bytes(cut as u64),
                                crate::format::human_bytes(raw.len() as u64)
                            ),
                            t.dim,
                        ));
                    }
                }
                frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
            }
        }
    }

    /// The screen rows of the JSON pane, from the window's first line (less the
    /// rows already paged past), the cursor's line highlighted.
    fn json_rows(&self, t: &Theme, doc: &Folded, area: Rect) -> Vec<Line<'static>> {
        let height = area.height as usize;
        let width = (area.width as usize).max(1);
        let selected = self
            .cursor
            .selected
            .min(doc.visible.len().saturating_sub(1));
        let offset = self.cursor.offset.min(selected);
        let skip = if offset == self.cursor.offset {
            self.skip_rows
        } else {
            0
        };
        let mut rows: Vec<Line<'static>> = Vec::new();
        for (row, &i) in doc.visible.iter().enumerate().skip(offset) {
            if rows.len() >= height {
                break;
            }
            let mut spans = json_line(t, doc, i);
            if self.search.is_narrowing() {
                spans = mark_matches(spans, self.search.query(), t.highlight);
            }
            let mut wrapped = wrap(spans, width);
            if row == offset {
                wrapped.drain(..skip.min(wrapped.len().saturating_sub(1)));
            }
            if row == selected {
                wrapped = wrapped.into_iter().map(|l| l.style(t.selected)).collect();
            }
            rows.extend(wrapped);
        }
        rows.truncate(height);
        rows
    }

    fn header(&self, ctx: &Ctx) -> Vec<Line<'static>> {
        let t = ctx.theme;
        let e = ctx.index.event(self.event as usize);
        let content = self.content.as_deref();
        let mut resources: Vec<String> = e
            .repositories()
            .map(|r| format!("repository {r}"))
            .collect();
        resources.extend(e.pipelines().map(|p| format!("pipeline {p}")));
        if resources.is_empty() {
            resources = content.map(|c| c.resources.clone()).unwrap_or_default();
        }
        let outcome = if e.error().is_empty() {
            "success".to_string()
        } else {
            let message = content
                .and_then(|c| c.error_message.as_deref())
                .unwrap_or("");
            format!("{}: {message}", e.error())
        };
        let position = match (self.row, self.version) {
            (Some(row), _) => format!(
                "   ({} of {} in the list)",
                crate::format::thousands(row + 1),
                crate::format::thousands(ctx.results.shown().len())
            ),
            (None, Some((lifetime, number))) => {
                let name = ctx
                    .caches
                    .pipelines()
                    .get(lifetime)
                    .map(|l| escape(&l.name).into_owned())
                    .unwrap_or_default();
                format!("   (version {number} of {name}: n/N other versions)")
            }
            (None, None) => String::new(),
        };
        let mut outcome_line = field(t, "Outcome", escape(&outcome).into_owned());
        if !e.error().is_empty() {
            outcome_line[1] = outcome_line[1].clone().style(t.error);
        }
        let conflict = content.and_then(|c| c.conflict.as_ref()).map(|note| {
            let mut line = field(t, "CONFLICT", escape(note).into_owned());
            line[1] = line[1].clone().style(t.error);
            Line::from(line)
        });
        let mut lines = vec![
            Line::from(field(
                t,
                "When",
                format!("{}{position}", format_time(e.time())),
            )),
            Line::from(field(
                t,
                "Who",
                format!(
                    "{} ({})   ARN {}   key {}   MFA {}",
                    or_dash(e.actor()),
                    or_dash(e.identity_type()),
                    or_dash(e.arn()),
                    or_dash(e.access_key()),
                    yes_no(e.mfa())
                ),
            )),
            Line::from(field(
                t,
                "What",
                format!(
                    "{} · {}   read-only {}",
                    or_dash(e.source()),
                    or_dash(e.name()),
                    yes_no(e.read_only())
                ),
            )),
            Line::from(field(
                t,
                "Where",
                format!(
                    "account {} · {} · from {} · {}",
                    or_dash(e.account()),
                    or_dash(e.region()),
                    or_dash(e.source_ip()),
                    or_dash(e.user_agent())
                ),
            )),
            Line::from(outcome_line),
            Line::from(field(
                t,
                "Resources",
                if resources.is_empty() {
                    "-".into()
                } else {
                    escape(&resources.join(" · ")).into_owned()
                },
            )),
            Line::from(field(
                t,
                "File",
                format!("{} (event {})", e.file().display, e.ordinal() + 1),
            )),
        ];
        lines.extend(conflict);
        lines
    }
}

/// Lines in the summary pane.
const HEADER_LINES: u16 = 7;

fn field(t: &Theme, label: &str, value: String) -> Vec<Span<'static>> {
    vec![
        Span::styled(format!("{label:<10}"), t.key),
        Span::raw(value),
    ]
}

fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "-",
    }
}

fn or_dash(s: &str) -> String {
    if s.is_empty() {
        "-".into()
    } else {
        escape(s).into_owned()
    }
}

/// `spans` with every occurrence of `query` (folded: lower case) marked with
/// `mark`, for the detail view's `/`. ASCII text is compared ignoring case;
/// a span with other characters is left as it is (folding them moves offsets).
fn mark_matches(spans: Vec<Span<'static>>, query: &str, mark: Style) -> Vec<Span<'static>> {
    if query.is_empty() || !query.is_ascii() {
        return spans;
    }
    let mut out = Vec::with_capacity(spans.len());
    for span in spans {
        let text = span.content.to_string();
        if !text.is_ascii() {
            out.push(span);
            continue;
        }
        let lower = text.to_ascii_lowercase();
        let mut at = 0;
        while let Some(found) = lower[at..].find(query) {
            let start = at + found;
            let end = start + query.len();
            if start > at {
                out.push(Span::styled(text[at..start].to_string(), span.style));
            }
            out.push(Span::styled(
                text[start..end].to_string(),
                span.style.patch(mark),
            ));
            at = end;
        }
        if at < text.len() {
            out.push(Span::styled(text[at..].to_string(), span.style));
        }
    }
    out
}

/// One JSON line as coloured spans (every string escaped).
fn json_line(t: &Theme, doc: &Folded, i: usize) -> Vec<Span<'static>> {
    let l = &doc.lines[i];
    let mut spans = vec![Span::raw("  ".repeat(l.depth))];
    if let Some(k) = &l.key {
        spans.push(Span::styled(format!("\"{}\"", escape(k)), t.json_key));
        spans.push(Span::styled(": ", t.json_punct));
    }
    let comma = if l.comma { "," } else { "" };
    match &l.token {
        Token::Open {
            bracket,
            close,
            children,
        } if doc.folded[i] => {
            let closing = if *bracket == '{' { '}' } else { ']' };
            let comma = if doc.lines[*close].comma { "," } else { "" };
            spans.push(Span::styled(
                format!("{bracket}…{closing}{comma}"),
                t.json_punct,
            ));
            spans.push(Span::styled(format!("  {children} hidden"), t.dim));
        }
        Token::Open { bracket, .. } => spans.push(Span::styled(bracket.to_string(), t.json_punct)),
        Token::Close { bracket } => {
            spans.push(Span::styled(format!("{bracket}{comma}"), t.json_punct))
        }
        Token::String(s) => {
            spans.push(Span::styled(escape(s).into_owned(), t.json_string));
            spans.push(Span::styled(comma, t.json_punct));
        }
        Token::Number(s) => {
            spans.push(Span::styled(s.clone(), t.json_number));
            spans.push(Span::styled(comma, t.json_punct));
        }
        Token::Literal(s) => {
            spans.push(Span::styled(*s, t.json_literal));
            spans.push(Span::styled(comma, t.json_punct));
        }
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_are_marked_in_place_ignoring_case() {
        let mark = Style::default().add_modifier(ratatui::style::Modifier::UNDERLINED);
        let spans = vec![
            Span::raw("  "),
            Span::raw("\"repositoryName\": "),
            Span::raw("\"Infra-repo\""),
        ];
        let out = mark_matches(spans, "repo", mark);
        let text: String = out.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(text, "  \"repositoryName\": \"Infra-repo\"", "nothing lost");
        let marked: Vec<&str> = out
            .iter()
            .filter(|s| s.style == mark)
            .map(|s| s.content.as_ref())
            .collect();
        assert_eq!(marked, ["repo", "repo"]);
        // Non-ASCII spans stay as they are.
        let out = mark_matches(vec![Span::raw("José")], "jos", mark);
        assert_eq!(out.len(), 1);
    }
}

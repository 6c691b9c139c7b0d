//! The browser's behaviour as action sequences → state, on a generated archive
//! (no terminal involved).

mod common;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use trailscope::query::{Compiled, Facet, Filter};
use trailscope::tui::app::{App, Effect};
use trailscope::tui::jobs::Msg;
use trailscope::tui::views::View;
use trailscope::tui::views::main::Focus;

fn app() -> (tempfile::TempDir, App) {
    let (dir, _) = common::corpus(1_500, 21);
    let app = common::browser(dir.path());
    (dir, app)
}

/// Focus the facet panes (Shift-Tab from the list, past the timeline when
/// the screen has one).
fn focus_facets(app: &mut App) {
    for _ in 0..3 {
        if app.main.focus == Focus::Facets {
            return;
        }
        key(app, KeyCode::BackTab);
    }
    assert_eq!(app.main.focus, Focus::Facets);
}

/// Whether the status bar's message starts with `prefix`.
fn says(app: &App, prefix: &str) -> bool {
    app.message.as_deref().unwrap_or("").starts_with(prefix)
}

/// A key press, then the background work it started (as the run loop would).
fn key(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
    common::settle(app);
}

/// The detail view's document, once read.
fn doc(
    d: &trailscope::tui::views::detail::DetailView,
) -> &Result<trailscope::tui::json_view::Folded, String> {
    &d.content.as_ref().expect("the event was read").doc
}

fn typ(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

fn expected(app: &App, filter: &str) -> usize {
    let f = Filter::parse(filter).unwrap();
    Compiled::new(&f, &app.index).select().len()
}

#[test]
fn typing_a_filter_applies_it_and_esc_restores_the_previous_one() {
    let (_d, mut app) = app();
    let all = app.results.shown().len();
    assert_eq!(all, app.index.len());
    key(&mut app, KeyCode::Char('/'));
    typ(&mut app, "event:GitPush");
    app.apply_filter(); // what the debounce tick does
    assert_eq!(app.results.shown().len(), expected(&app, "event:GitPush"));
    key(&mut app, KeyCode::Enter);
    assert!(app.filter.editing.is_none());
    assert_eq!(app.filter.text, "event:GitPush");
    key(&mut app, KeyCode::Char('/'));
    typ(&mut app, " errors");
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.filter.text, "event:GitPush");
    assert_eq!(app.results.shown().len(), expected(&app, "event:GitPush"));
}

#[test]
fn a_parse_error_points_at_the_column_and_keeps_the_last_good_filter() {
    let (_d, mut app) = app();
    app.set_filter_text("errors");
    let errors = app.results.shown().len();
    assert_eq!(errors, expected(&app, "errors"));
    app.set_filter_text("errors usr:x");
    assert_eq!(app.filter.error.as_ref().map(|e| e.column), Some(8));
    assert_eq!(app.results.shown().len(), errors);
    // While editing, every valid prefix applies; an invalid one leaves the last valid.
    key(&mut app, KeyCode::Char('/'));
    app.on_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    typ(&mut app, "errors since:");
    app.apply_filter();
    assert!(app.filter.error.is_some());
    assert_eq!(app.filter.filter.to_text(), "errors since");
    key(&mut app, KeyCode::Enter); // refused while invalid
    assert!(app.filter.editing.is_some());
    typ(&mut app, "2024-03-01");
    key(&mut app, KeyCode::Enter);
    assert!(app.filter.editing.is_none());
    assert_eq!(
        app.results.shown().len(),
        expected(&app, "errors since:2024-03-01")
    );
}

#[test]
fn facet_selection_shows_in_the_filter_bar() {
    let (_d, mut app) = app();
    focus_facets(&mut app);
    assert_eq!(app.main.focus, Focus::Facets);
    key(&mut app, KeyCode::Right); // Event facet
    assert_eq!(app.main.current_facet(), Facet::Event);
    let (top, n) = app.main.facet_values(&app.ctx())[0];
    let name = app.index.strings.get(top).to_string();
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.filter.text, format!("event:{name}"));
    assert_eq!(app.results.shown().len(), n as usize);
    // Counts in the Event facet ignore the Event selection itself.
    assert_eq!(app.main.facet_values(&app.ctx())[0], (top, n));
    key(&mut app, KeyCode::Char('x'));
    assert_eq!(app.filter.text, format!("-event:{name}"));
    assert_eq!(app.results.shown().len(), app.index.len() - n as usize);
    key(&mut app, KeyCode::Char('c'));
    assert_eq!(app.filter.text, "");
    assert_eq!(app.results.shown().len(), app.index.len());
    // Space toggles too (it pages only in the list).
    key(&mut app, KeyCode::Char(' '));
    assert_eq!(app.filter.text, format!("event:{name}"));
    key(&mut app, KeyCode::Char(' '));
    assert_eq!(app.filter.text, "");
}

#[test]
fn detail_view_moves_through_the_list_and_returns_where_it_was() {
    let (_d, mut app) = app();
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Enter);
    let Some(View::Detail(d)) = app.stack.last() else {
        panic!("no detail view")
    };
    assert_eq!(d.row, Some(2));
    assert!(doc(d).is_ok(), "{:?}", doc(d).as_ref().err());
    key(&mut app, KeyCode::Char('n'));
    let Some(View::Detail(d)) = app.stack.last() else {
        panic!()
    };
    assert_eq!(d.row, Some(3));
    // Y copies the whole event; y the value under the cursor; P its jq path.
    key(&mut app, KeyCode::Char('Y'));
    assert!(matches!(app.effects.last(), Some(Effect::Copy(json)) if json.starts_with('{')));
    let event = opened(&app);
    let name = app.index.event(event).name().to_string();
    cursor_to(&mut app, "\"eventName\"");
    key(&mut app, KeyCode::Char('y'));
    assert!(matches!(app.effects.last(), Some(Effect::Copy(v)) if *v == name));
    key(&mut app, KeyCode::Char('P'));
    assert!(matches!(app.effects.last(), Some(Effect::Copy(p)) if p == ".eventName"));
    assert_eq!(
        app.message.as_deref(),
        Some("copied the JSON path to the clipboard (OSC 52)")
    );
    key(&mut app, KeyCode::Esc);
    assert!(app.stack.is_empty());
    assert_eq!(app.main.list.selected, 3);
    key(&mut app, KeyCode::Char('q'));
    assert!(app.quit);
}

#[test]
fn folding_in_the_detail_view() {
    let (_d, mut app) = app();
    key(&mut app, KeyCode::Enter);
    let rows = |app: &App| match app.stack.last() {
        Some(View::Detail(d)) => doc(d).as_ref().unwrap().visible.len(),
        _ => 0,
    };
    let unfolded = rows(&app);
    key(&mut app, KeyCode::Char('-'));
    assert!(rows(&app) < unfolded);
    key(&mut app, KeyCode::Char('+'));
    assert_eq!(rows(&app), unfolded);
}

#[test]
fn order_help_errors_and_quit() {
    let (_d, mut app) = app();
    let newest = app.results.shown().get(0).unwrap();
    key(&mut app, KeyCode::Char('o'));
    assert!(!app.results.newest_first);
    assert!(
        app.index.cols.time[app.results.shown().get(0).unwrap() as usize]
            <= app.index.cols.time[newest as usize]
    );
    key(&mut app, KeyCode::Char('?'));
    assert!(matches!(app.stack.last(), Some(View::Help(_))));
    key(&mut app, KeyCode::Char('q')); // closes the popup, does not quit
    assert!(app.stack.is_empty() && !app.quit);
    key(&mut app, KeyCode::Char('E'));
    assert!(matches!(app.stack.last(), Some(View::Problems(_))));
    app.on_key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert!(app.quit);
}

#[test]
fn write_prompt_queues_the_filtered_events() {
    let (_d, mut app) = app();
    app.set_filter_text("errors");
    key(&mut app, KeyCode::Char('w'));
    assert!(app.prompt.is_some());
    app.on_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    typ(&mut app, "/tmp/out.jsonl");
    key(&mut app, KeyCode::Enter);
    match app.effects.last() {
        Some(Effect::Write { path, events }) => {
            assert_eq!(path, "/tmp/out.jsonl");
            assert_eq!(events.len(), expected(&app, "errors"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn text_search_runs_in_the_background_then_filters() {
    let (_d, mut app) = app();
    app.set_filter_text("text:CloudFormation");
    let Some(Effect::TextSearch {
        generation,
        needles,
        ..
    }) = app.effects.last().cloned()
    else {
        panic!("no search")
    };
    assert_eq!(needles, ["CloudFormation"]);
    assert_eq!(
        app.results.shown().len(),
        app.index.len(),
        "undecided text terms match everything meanwhile"
    );
    let hits: Vec<bool> = (0..app.index.len()).map(|i| i % 2 == 0).collect();
    app.on_msg(Msg::TextSearch {
        generation: generation + 1,
        hits: vec![("CloudFormation".into(), hits.clone())],
    });
    assert_eq!(
        app.results.shown().len(),
        app.index.len(),
        "a stale answer is dropped"
    );
    app.on_msg(Msg::TextSearch {
        generation,
        hits: vec![("CloudFormation".into(), hits)],
    });
    assert_eq!(app.results.shown().len(), app.index.len().div_ceil(2));
}

#[test]
fn fuzzy_words_keep_the_list_in_time_order_and_say_when_nothing_matches() {
    let (_d, mut app) = app();
    app.set_filter_text("gitpsh");
    assert!(!app.results.shown().is_empty());
    let times: Vec<i64> = app
        .results
        .shown()
        .iter()
        .map(|i| app.index.cols.time[i as usize])
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] >= w[1]),
        "newest first, whatever the scores"
    );
    assert!(app.results.unmatched.is_empty());
    app.set_filter_text("qxzqxzqxz");
    assert!(app.results.shown().is_empty());
    assert_eq!(app.results.unmatched, ["qxzqxzqxz"]);
    assert!(draw_text(&app, 140, 40).contains("no value matches `qxzqxzqxz`"));
}

#[test]
fn mouse_wheel_and_click() {
    use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let (_d, mut app) = app();
    app.resize(140, 40);
    let rows = trailscope::tui::views::main::MainLayout::new(app.viewport.body).list_rows;
    let m = |kind, column, row| MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    };
    app.on_mouse(m(MouseEventKind::ScrollDown, rows.x + 5, rows.y + 2));
    assert_eq!(app.main.list.selected, 3);
    app.on_mouse(m(
        MouseEventKind::Down(MouseButton::Left),
        rows.x + 5,
        rows.y + 4,
    ));
    assert_eq!(app.main.list.selected, app.main.list.offset + 4);
    // A click on the facet values focuses them and selects the row.
    let facets = trailscope::tui::views::main::MainLayout::new(app.viewport.body).facet_rows;
    app.on_mouse(m(
        MouseEventKind::Down(MouseButton::Left),
        facets.x + 2,
        facets.y + 1,
    ));
    assert_eq!(app.main.focus, Focus::Facets);
    assert_eq!(app.main.facet_cursor.selected, 1);
}

#[test]
fn pipelines_timeline_diff_and_compare() {
    let (_d, mut app) = app();
    key(&mut app, KeyCode::Char('p'));
    assert!(matches!(app.stack.last(), Some(View::Pipelines(_))));
    let lifetimes = app.caches.pipelines().to_vec();
    // Pick a lifetime with at least three versions.
    let target = lifetimes
        .iter()
        .position(|l| l.versions.len() >= 3)
        .expect("a pipeline with history");
    for _ in 0..target {
        key(&mut app, KeyCode::Down);
    }
    key(&mut app, KeyCode::Enter);
    let Some(View::Versions(v)) = app.stack.last() else {
        panic!("no timeline")
    };
    assert_eq!(v.lifetime, target);
    // The cursor starts on the newest row; go to the newest version row and open its diff.
    key(&mut app, KeyCode::End);
    while !matches!(app.stack.last(), Some(View::Versions(v)) if matches!(v.rows[v.cursor.selected], trailscope::tui::views::versions::TimelineRow::Version(_)))
    {
        key(&mut app, KeyCode::Up);
    }
    key(&mut app, KeyCode::Enter);
    let Some(View::Diff(d)) = app.stack.last() else {
        panic!("no diff")
    };
    let latest = lifetimes[target].latest().unwrap().number;
    assert_eq!((d.from, d.to), (Some(latest - 1), latest));
    assert_eq!(
        d.changes,
        lifetimes[target].changes(latest - 1, latest).unwrap()
    );
    key(&mut app, KeyCode::Char('s'));
    let Some(View::Diff(d)) = app.stack.last() else {
        panic!()
    };
    assert!(d.side_by_side);
    // Compare with the first version instead.
    key(&mut app, KeyCode::Char('c'));
    assert!(matches!(app.stack.last(), Some(View::Versions(v)) if v.picking_for == Some(latest)));
    key(&mut app, KeyCode::Home);
    while !matches!(app.stack.last(), Some(View::Versions(v)) if matches!(v.rows[v.cursor.selected], trailscope::tui::views::versions::TimelineRow::Version(_)))
    {
        key(&mut app, KeyCode::Down);
    }
    key(&mut app, KeyCode::Enter);
    let Some(View::Diff(d)) = app.stack.last() else {
        panic!("no diff after picking")
    };
    let first = lifetimes[target].versions[0].number;
    assert_eq!((d.from, d.to), (Some(first), latest));
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Esc);
    assert!(app.stack.is_empty(), "{:?}", app.stack.len());
}

#[test]
fn d_on_an_update_event_opens_its_diff() {
    let (_d, mut app) = app();
    app.set_filter_text("event:UpdatePipeline -errors");
    key(&mut app, KeyCode::Char('d'));
    let Some(View::Diff(d)) = app.stack.last().cloned() else {
        panic!("no diff: {:?}", app.message)
    };
    let event = app.results.shown().get(0).unwrap();
    let lifetimes = app.caches.pipelines().to_vec();
    let version = lifetimes
        .iter()
        .flat_map(|l| l.versions.iter())
        .find(|v| v.event == event)
        .unwrap();
    assert_eq!(d.to, version.number);
    key(&mut app, KeyCode::Esc);
    app.set_filter_text("event:GetObject");
    key(&mut app, KeyCode::Char('d'));
    assert!(app.stack.is_empty());
    assert!(
        app.message
            .as_deref()
            .unwrap_or("")
            .contains("CreatePipeline or UpdatePipeline")
    );
}

#[test]
fn users_view_sorts_and_filters_to_an_actor() {
    let (_d, mut app) = app();
    key(&mut app, KeyCode::Char('u'));
    let users = app.caches.users().to_vec();
    let Some(View::Users(v)) = app.stack.last() else {
        panic!("no users view")
    };
    let first = v.selected(&users).unwrap().clone();
    assert_eq!(
        first.events,
        users.iter().map(|u| u.events).max().unwrap(),
        "most events first"
    );
    key(&mut app, KeyCode::Char('S'));
    let Some(View::Users(v)) = app.stack.last() else {
        panic!()
    };
    assert_eq!(
        v.selected(&users).unwrap().actor,
        first.actor,
        "the selection follows the sort"
    );
    key(&mut app, KeyCode::Home);
    let Some(View::Users(v)) = app.stack.last() else {
        panic!()
    };
    let fewest = v.selected(&users).unwrap().clone();
    assert_eq!(fewest.events, users.iter().map(|u| u.events).min().unwrap());
    key(&mut app, KeyCode::Char('s')); // next column: errors, descending
    key(&mut app, KeyCode::Enter);
    assert!(app.stack.is_empty());
    assert!(app.filter.text.starts_with("user:="), "{}", app.filter.text);
    let actor = app
        .filter
        .text
        .trim_start_matches("user:=")
        .trim_matches('"')
        .to_string();
    assert!(
        app.results
            .shown()
            .iter()
            .all(|i| app.index.event(i as usize).actor() == actor)
    );
    let expected = users
        .iter()
        .find(|u| u.actor_text(&app.index) == actor)
        .unwrap()
        .events as usize;
    assert_eq!(app.results.shown().len(), expected);
}

#[test]
fn repos_view_filters_and_jumps_to_a_pipeline() {
    let (_d, mut app) = app();
    key(&mut app, KeyCode::Char('r'));
    let repos = app.caches.repos().to_vec();
    let target = repos
        .iter()
        .position(|r| !r.pipelines.is_empty())
        .expect("a repository read by a pipeline");
    for _ in 0..target {
        key(&mut app, KeyCode::Down);
    }
    key(&mut app, KeyCode::Char('p'));
    let Some(View::Versions(v)) = app.stack.last().cloned() else {
        panic!("no timeline: {:?}", app.message)
    };
    let lifetimes = app.caches.pipelines().to_vec();
    assert_eq!(lifetimes[v.lifetime].name, repos[target].pipelines[0]);
    assert_eq!(lifetimes[v.lifetime].region, repos[target].region);
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Enter);
    assert!(app.stack.is_empty());
    let r = &repos[target];
    assert!(
        app.filter.text.contains(&format!("repo:={}", r.name)),
        "{}",
        app.filter.text
    );
    assert!(app.filter.text.contains(&format!("account:{}", r.account)));
    assert!(app.filter.text.contains(&format!("region:{}", r.region)));
    assert_eq!(
        app.results.shown().len() as u64,
        r.events
            + app
                .results
                .shown()
                .iter()
                .filter(|&i| app.index.event(i as usize).source() != "codecommit.amazonaws.com")
                .count() as u64
    );
}

#[test]
fn a_300kb_field_is_shown_whole_by_paging_through_it() {
    let dir = tempfile::tempdir().unwrap();
    let big = format!(
        r#"{{"eventID":"big","eventName":"PutObject","eventTime":"2024-03-01T10:00:00Z","requestParameters":{{"policy":"{}"}},"userAgent":"end"}}"#,
        "A".repeat(300_000)
    );
    common::write(dir.path(), "big.json", big);
    let mut app = common::browser(dir.path());
    app.resize(100, 30);
    key(&mut app, KeyCode::Enter);
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 30)).unwrap();
    let mut screens = String::new();
    // Move the cursor to the policy line, then page through it (it continues
    // over lines of at most STRING_CHUNK characters, each taller than the screen).
    let mut reached = false;
    for _ in 0..600 {
        terminal
            .draw(|f| trailscope::tui::draw::draw(f, &app))
            .unwrap();
        screens.push_str(&terminal.backend().to_string());
        let Some(View::Detail(d)) = app.stack.last() else {
            panic!()
        };
        let doc = doc(d).as_ref().unwrap();
        reached |= doc.plain(d.cursor.selected).contains("\"policy\"");
        if reached {
            key(&mut app, KeyCode::PageDown);
        } else {
            key(&mut app, KeyCode::Down);
        }
        if screens.contains("userAgent") {
            break;
        }
    }
    let a_count = screens.matches('A').count();
    assert!(
        a_count >= 300_000,
        "the whole value was shown across pages ({a_count} A's seen)"
    );
    assert!(
        screens.contains("userAgent"),
        "and the document continues after it: {}",
        &screens[screens.len().saturating_sub(3500)..]
    );
}

#[test]
fn a_file_that_changed_since_loading_is_reported_in_the_detail_view() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::write(
        dir.path(),
        "t.json",
        common::event("1", "A", "alice", "2024-03-01T10:00:00Z"),
    );
    let mut app = common::browser(dir.path());
    std::fs::write(&path, "{}   changed and longer").unwrap();
    key(&mut app, KeyCode::Enter);
    let Some(View::Detail(d)) = app.stack.last() else {
        panic!()
    };
    assert!(
        doc(d)
            .as_ref()
            .unwrap_err()
            .contains("changed since it was loaded"),
        "{:?}",
        doc(d).as_ref().err()
    );
    std::fs::remove_file(&path).unwrap();
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Enter);
    let Some(View::Detail(d)) = app.stack.last() else {
        panic!()
    };
    assert!(doc(d).is_err());
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 30)).unwrap();
    terminal
        .draw(|f| trailscope::tui::draw::draw(f, &app))
        .unwrap();
}

#[test]
fn caller_supplied_text_cannot_break_the_views() {
    let dir = tempfile::tempdir().unwrap();
    let evil = "\u{1b}]0;x\u{7}日本語日本語日本語\u{202e}";
    let events = serde_json::json!([
        {"eventID": "1", "eventName": "GitPush", "eventTime": "2024-03-01T10:00:00Z", "eventSource": "codecommit.amazonaws.com",
         "awsRegion": "us-east-1", "recipientAccountId": "1", "userIdentity": {"type": "IAMUser", "userName": evil},
         "requestParameters": {"references": [{"ref": evil, "commit": evil}]},
         "additionalEventData": {"repositoryName": evil}},
        {"eventID": "2", "eventName": "CreatePipeline", "eventTime": "2024-03-01T10:00:01Z", "eventSource": "codepipeline.amazonaws.com",
         "awsRegion": "us-east-1", "recipientAccountId": "1", "userIdentity": {"type": "IAMUser", "userName": evil},
         "requestParameters": {"pipeline": {"name": evil, "stages": [{"name": evil, "actions": [{"name": "S",
            "actionTypeId": {"category": "Source", "provider": "CodeCommit"}, "configuration": {"RepositoryName": evil}}]}]}}}
    ]);
    common::write(
        dir.path(),
        "evil.json",
        serde_json::to_string(&events).unwrap(),
    );
    let mut app = common::browser(dir.path());
    app.resize(120, 30);
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 30)).unwrap();
    for keys in [&['u'][..], &['r'][..], &['p', '\n', '\n'][..]] {
        app.stack.clear();
        for &c in keys {
            let code = if c == '\n' {
                KeyCode::Enter
            } else {
                KeyCode::Char(c)
            };
            key(&mut app, code);
        }
        terminal
            .draw(|f| trailscope::tui::draw::draw(f, &app))
            .unwrap();
        let text = terminal.backend().to_string();
        assert!(
            !trailscope::sanitize::has_raw_control(&text.replace('\n', "")),
            "{text}"
        );
        assert!(text.contains("\\u{1b}]0;x"), "{keys:?}: {text}");
    }
}

#[test]
fn the_write_job_writes_each_filtered_event_as_one_json_line() {
    let (dir, mut app) = app();
    app.set_filter_text("event:GitPush");
    let events = app.results.selection.events.clone();
    let path = dir.path().join("out.jsonl");
    let (tx, rx) = std::sync::mpsc::channel();
    trailscope::tui::jobs::spawn_write(
        app.index.clone(),
        path.display().to_string(),
        events.clone(),
        tx,
    );
    match rx.recv_timeout(std::time::Duration::from_secs(30)).unwrap() {
        trailscope::tui::jobs::Msg::Wrote(Ok(message)) => assert!(
            message.starts_with(&format!("wrote {} events", events.len())),
            "{message}"
        ),
        _ => panic!("the write failed"),
    }
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), events.len());
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["eventName"], "GitPush");
    }
}

fn draw_text(app: &App, width: u16, height: u16) -> String {
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|f| trailscope::tui::draw::draw(f, app))
        .unwrap();
    terminal.backend().to_string()
}

#[test]
fn help_and_load_problems_stop_scrolling_at_their_end() {
    let (_d, mut app) = app();
    app.resize(100, 24);
    key(&mut app, KeyCode::Char('?'));
    key(&mut app, KeyCode::End);
    let Some(View::Help(h)) = app.stack.last() else {
        panic!("no help")
    };
    let bottom = h.scroll;
    assert!(bottom > 0);
    assert!(
        draw_text(&app, 100, 24).contains("quoted value"),
        "the last line is on screen"
    );
    key(&mut app, KeyCode::Char('k'));
    let Some(View::Help(h)) = app.stack.last() else {
        panic!()
    };
    assert_eq!(
        h.scroll,
        bottom - 1,
        "one line up from the end, not from far past it"
    );
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('E'));
    key(&mut app, KeyCode::End);
    key(&mut app, KeyCode::PageUp);
    let Some(View::Problems(p)) = app.stack.last() else {
        panic!("no problems view")
    };
    assert_eq!(p.scroll, 0, "a short list has nothing to scroll");
    assert!(draw_text(&app, 100, 24).contains("files read"));
}

#[test]
fn paging_uses_the_current_screen_size() {
    let (_d, mut app) = app();
    app.resize(140, 40);
    key(&mut app, KeyCode::PageDown);
    let tall = app.main.list.selected;
    key(&mut app, KeyCode::Home);
    app.resize(140, 20);
    key(&mut app, KeyCode::PageDown);
    let short = app.main.list.selected;
    assert!(short < tall, "{short} < {tall}");
    // The page is the visible rows of the list, measured without drawing.
    let rows = trailscope::tui::views::main::MainLayout::new(app.viewport.body).list_rows;
    assert_eq!(short, rows.height as usize);
    // A smaller screen keeps the cursor inside the window.
    key(&mut app, KeyCode::PageDown);
    app.resize(140, 12);
    let rows = trailscope::tui::views::main::MainLayout::new(app.viewport.body).list_rows;
    let c = app.main.list;
    assert!(c.selected >= c.offset && c.selected < c.offset + rows.height as usize);
}

#[test]
fn the_detail_view_reads_in_the_background_and_drops_a_stale_answer() {
    let (_d, mut app) = app();
    app.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    let Some(View::Detail(d)) = app.stack.last() else {
        panic!("no detail view")
    };
    assert!(d.is_reading(), "the view opens before the file is read");
    assert!(draw_text(&app, 140, 40).contains("reading the event's JSON"));
    let Some(Effect::ReadEvent { request, event }) = app.effects.last().cloned() else {
        panic!("no read requested")
    };
    // An answer to an older request is dropped; the current one is shown.
    let doc = trailscope::tui::views::detail::EventDoc::read(&app.index, event);
    app.on_msg(Msg::EventRead {
        request: request + 7,
        doc: Box::new(doc.clone()),
    });
    assert!(matches!(app.stack.last(), Some(View::Detail(d)) if d.is_reading()));
    app.on_msg(Msg::EventRead {
        request,
        doc: Box::new(doc),
    });
    assert!(matches!(app.stack.last(), Some(View::Detail(d)) if !d.is_reading()));
    // Keys work while another event is being read.
    app.effects.clear();
    app.on_key(KeyEvent::new(KeyCode::Char('n'), KeyModifiers::NONE));
    app.on_key(KeyEvent::new(KeyCode::Char('n'), KeyModifiers::NONE));
    assert_eq!(app.main.list.selected, 2);
    assert_eq!(
        app.effects
            .iter()
            .filter(|e| matches!(e, Effect::ReadEvent { .. }))
            .count(),
        2
    );
}

#[test]
fn a_rejected_change_opens_its_event_outside_the_list() {
    let (_d, mut app) = app();
    key(&mut app, KeyCode::Char('p'));
    let lifetimes = app.caches.pipelines().to_vec();
    let target = lifetimes
        .iter()
        .position(|l| !l.rejected.is_empty())
        .expect("a pipeline with a rejected change");
    for _ in 0..target {
        key(&mut app, KeyCode::Down);
    }
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Home);
    while !matches!(app.stack.last(), Some(View::Versions(v)) if matches!(v.rows[v.cursor.selected], trailscope::tui::views::versions::TimelineRow::Rejected(_)))
    {
        key(&mut app, KeyCode::Down);
    }
    key(&mut app, KeyCode::Enter);
    let Some(View::Detail(d)) = app.stack.last() else {
        panic!("no detail view")
    };
    assert_eq!(d.row, None);
    assert_eq!(d.event, lifetimes[target].rejected[0].event);
    assert!(!draw_text(&app, 140, 40).contains("in the list)"));
    key(&mut app, KeyCode::Char('n'));
    assert!(
        app.message
            .as_deref()
            .unwrap_or("")
            .contains("not opened from the list")
    );
}

/// `G` in a diff shows the last screen full: the last line at the bottom.
#[test]
fn the_diff_scroll_stops_with_its_last_line_at_the_bottom() {
    let (_d, mut app) = app();
    app.resize(140, 40);
    app.set_filter_text("event:UpdatePipeline -errors");
    key(&mut app, KeyCode::Char('d'));
    // Collapsed, the changes and their context fit a screen: the whole
    // structure (`z`) is what scrolls.
    let screen = draw_text(&app, 140, 40);
    assert!(
        screen.contains("unchanged lines (z shows them)"),
        "{screen}"
    );
    assert!(
        screen.lines().any(|l| l.contains("│+") || l.contains("│-")),
        "a change on the first screen: {screen}"
    );
    key(&mut app, KeyCode::Char('z'));
    assert!(!draw_text(&app, 140, 40).contains("unchanged line"));
    key(&mut app, KeyCode::End);
    let Some(View::Diff(d)) = app.stack.last() else {
        panic!("no diff: {:?}", app.message)
    };
    assert_eq!(d.rows.len(), d.lines.len(), "every line");
    let (scroll, lines) = (d.scroll, d.lines.len());
    let screen = draw_text(&app, 140, 40);
    let pane: Vec<&str> = screen
        .lines()
        .skip_while(|l| !l.contains("┌ JSON"))
        .skip(1)
        .take_while(|l| !l.contains('└'))
        .collect();
    assert!(pane.len() > 10 && scroll + pane.len() == lines, "{screen}");
    assert!(
        pane.last().unwrap().contains('}'),
        "the last line at the bottom: {screen}"
    );
    assert!(
        pane.iter().all(|l| !l
            .trim_matches(|c| c == '│' || c == '"' || c == ' ')
            .is_empty()),
        "{screen}"
    );
    key(&mut app, KeyCode::Down);
    let Some(View::Diff(d)) = app.stack.last() else {
        panic!()
    };
    assert_eq!(d.scroll, scroll, "no further");
    key(&mut app, KeyCode::Up);
    let Some(View::Diff(d)) = app.stack.last() else {
        panic!()
    };
    assert_eq!(d.scroll, scroll - 1);
}

/// A diff shown side by side stays side by side after `c` picks another version.
#[test]
fn side_by_side_survives_a_compare() {
    let (_d, mut app) = app();
    app.set_filter_text("event:UpdatePipeline -errors");
    key(&mut app, KeyCode::Char('d'));
    key(&mut app, KeyCode::Char('s'));
    key(&mut app, KeyCode::Char('c'));
    key(&mut app, KeyCode::Enter);
    let Some(View::Diff(d)) = app.stack.last() else {
        panic!("no diff: {:?}", app.message)
    };
    assert!(d.side_by_side);
}

/// Typing a field's name first filters by it as a bare word (which may match
/// nothing); its values still complete, with counts over every event, and a
/// field name put in by Tab shows the choices, not a "needs a value" error.
#[test]
fn tab_completes_values_even_when_the_word_typed_first_matched_nothing() {
    let (_d, mut app) = app();
    app.resize(140, 40);
    key(&mut app, KeyCode::Char('/'));
    typ(&mut app, "region");
    app.apply_filter();
    assert_eq!(app.results.shown().len(), 0, "`region` is a bare word here");
    typ(&mut app, ":");
    key(&mut app, KeyCode::Tab);
    let c = app.filter.completion.clone().expect("region values");
    assert!(c.candidates.iter().all(|(_, n)| *n > 0), "{c:?}");
    assert!(app.filter.text.starts_with("region:"));
    app.on_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    typ(&mut app, "re");
    key(&mut app, KeyCode::Tab);
    let screen = draw_text(&app, 140, 40);
    assert!(screen.contains("resource:"), "{screen}");
    assert!(!screen.contains("needs a value"), "{screen}");
    // A note that nothing completes goes with the next key.
    typ(&mut app, "zzqq");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.message.as_deref(), Some("nothing to complete here"));
    typ(&mut app, "x");
    assert_eq!(app.message, None);
}

#[test]
fn tab_completes_fields_then_values_with_counts() {
    let (_d, mut app) = app();
    app.resize(140, 40);
    key(&mut app, KeyCode::Char('/'));
    typ(&mut app, "errors us");
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.filter.text, "errors user:");
    typ(&mut app, "al");
    key(&mut app, KeyCode::Tab);
    let c = app.filter.completion.clone().expect("suggestions");
    assert!(
        app.filter.text.starts_with("errors user:"),
        "{}",
        app.filter.text
    );
    let first = &c.candidates[0];
    assert!(
        first.0.to_lowercase().contains("al") && first.1 > 0,
        "{c:?}"
    );
    assert!(
        c.candidates.windows(2).all(|w| w[0].1 >= w[1].1),
        "most events first"
    );
    assert_eq!(app.filter.text, format!("errors user:{}", first.0));
    assert!(
        draw_text(&app, 140, 40).contains(&format!("{} (", first.0)),
        "the suggestions show counts"
    );
    if c.candidates.len() > 1 {
        key(&mut app, KeyCode::Tab);
        assert_eq!(
            app.filter.text,
            format!("errors user:{}", c.candidates[1].0),
            "Tab again: the next one"
        );
    }
    key(&mut app, KeyCode::Char(' '));
    assert!(
        app.filter.completion.is_none(),
        "any other key ends the suggestions"
    );
    // Values of fields with no facet come from the index too.
    app.on_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    typ(&mut app, "ip:203.");
    key(&mut app, KeyCode::Tab);
    assert!(
        app.filter.text.starts_with("ip:203."),
        "{}",
        app.filter.text
    );
    assert!(
        app.filter
            .completion
            .as_ref()
            .is_some_and(|c| c.candidates[0].1 > 0)
    );
}

#[test]
fn up_and_down_walk_the_filter_history() {
    let (_d, mut app) = app();
    app.filter.history = vec!["errors".into(), "user:bob".into()];
    key(&mut app, KeyCode::Char('/'));
    key(&mut app, KeyCode::Up);
    assert_eq!(app.filter.text, "user:bob");
    key(&mut app, KeyCode::Up);
    assert_eq!(app.filter.text, "errors");
    key(&mut app, KeyCode::Up);
    assert_eq!(app.filter.text, "errors", "stops at the oldest");
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    assert_eq!(app.filter.text, "");
    typ(&mut app, "event:GitPush");
    key(&mut app, KeyCode::Enter);
    assert!(matches!(app.effects.last(), Some(Effect::SaveHistory(l)) if l == "event:GitPush"));
    assert_eq!(
        app.filter.history.last().map(String::as_str),
        Some("event:GitPush")
    );
    // The same filter kept twice is remembered once.
    app.effects.clear();
    key(&mut app, KeyCode::Char('/'));
    key(&mut app, KeyCode::Enter);
    assert!(
        !app.effects
            .iter()
            .any(|e| matches!(e, Effect::SaveHistory(_)))
    );
}

/// In the terminal the filter is applied off the UI thread: only the newest
/// filter counts, an older computation is cancelled, and its late answer is dropped.
#[test]
fn background_filtering_keeps_only_the_newest_filter() {
    use trailscope::tui::jobs::Evaluation;
    let (_d, mut app) = app();
    app.background = true;
    let all = app.results.shown().len();
    let jobs = |app: &mut App| -> Vec<Box<Evaluation>> {
        std::mem::take(&mut app.effects)
            .into_iter()
            .filter_map(|e| match e {
                Effect::Evaluate(job) => Some(job),
                _ => None,
            })
            .collect()
    };
    app.set_filter_text("event:GitPush");
    let first = jobs(&mut app).pop().expect("an evaluation was queued");
    assert_eq!(
        app.results.shown().len(),
        all,
        "the screen keeps the old results meanwhile"
    );
    assert!(app.evaluating.is_some());
    app.set_filter_text("errors");
    let second = jobs(&mut app).pop().expect("a second evaluation");
    use std::sync::atomic::Ordering::Relaxed;
    assert!(first.cancel.load(Relaxed), "the older one is cancelled");
    assert!(!second.cancel.load(Relaxed));
    // A cancelled evaluation gives nothing; the live one gives the results.
    let run = |job: &Evaluation, index: &trailscope::index::Index| {
        trailscope::tui::results::evaluate_unless(
            index,
            &trailscope::tui::results::Request {
                filter: &job.filter,
                text_hits: &job.text_hits,
                candidates: &job.candidates,
                newest_first: job.newest_first,
                timeline_width: job.timeline_width,
            },
            &job.cancel,
        )
    };
    assert!(run(&first, &app.index).is_none());
    let results = run(&second, &app.index).expect("not cancelled");
    // Even if an old answer arrived, it would be ignored.
    let stale = trailscope::tui::results::evaluate(
        &app.index,
        &first.filter,
        &first.text_hits,
        &first.candidates,
        true,
        60,
    );
    app.on_msg(Msg::Evaluated {
        generation: first.generation,
        results: Box::new(stale),
    });
    assert_eq!(app.results.shown().len(), all);
    app.on_msg(Msg::Evaluated {
        generation: second.generation,
        results: Box::new(results),
    });
    assert_eq!(app.results.shown().len(), expected(&app, "errors"));
    assert!(app.evaluating.is_none());
}

/// In the terminal a diff view is built by a job: keys work meanwhile, the view
/// opens when it arrives, and Esc stops waiting for it.
#[test]
fn a_diff_view_is_built_in_the_background() {
    let (_d, mut app) = app();
    key(&mut app, KeyCode::Char('p'));
    let lifetimes = app.caches.pipelines().to_vec();
    let target = lifetimes
        .iter()
        .position(|l| l.versions.len() >= 2)
        .expect("a pipeline with history");
    for _ in 0..target {
        key(&mut app, KeyCode::Down);
    }
    key(&mut app, KeyCode::Enter);
    app.background = true;
    let open_diff = |app: &mut App| {
        key(app, KeyCode::End);
        while !matches!(app.stack.last(), Some(View::Versions(v)) if matches!(v.rows[v.cursor.selected], trailscope::tui::views::versions::TimelineRow::Version(_)))
        {
            key(app, KeyCode::Up);
        }
        app.effects.clear();
        key(app, KeyCode::Enter);
        std::mem::take(&mut app.effects)
            .into_iter()
            .find_map(|e| match e {
                Effect::BuildDiff {
                    request,
                    pipelines,
                    lifetime,
                    from,
                    to,
                } => Some((request, pipelines, lifetime, from, to)),
                _ => None,
            })
            .expect("a diff job")
    };
    let build = |job: &(
        u64,
        std::sync::Arc<Vec<trailscope::pipeline::history::Lifetime>>,
        usize,
        Option<u64>,
        u64,
    )| {
        Box::new(trailscope::tui::views::diff::DiffView::new(
            &job.1[job.2],
            job.2,
            job.3,
            job.4,
        ))
    };
    let job = open_diff(&mut app);
    assert!(
        matches!(app.stack.last(), Some(View::Versions(_))),
        "not yet"
    );
    app.on_msg(Msg::DiffBuilt {
        request: job.0,
        view: build(&job),
    });
    let Some(View::Diff(d)) = app.stack.last() else {
        panic!("the diff opens when built")
    };
    assert_eq!(d.to, lifetimes[target].latest().unwrap().number);
    // Esc while waiting: the late view never opens.
    key(&mut app, KeyCode::Esc);
    let job = open_diff(&mut app);
    key(&mut app, KeyCode::Esc);
    assert!(app.diffing.is_none());
    app.on_msg(Msg::DiffBuilt {
        request: job.0,
        view: build(&job),
    });
    assert!(matches!(app.stack.last(), Some(View::Versions(_))));
}

/// In the terminal, views whose summaries take time open once a background job
/// has built them; keys work meanwhile, Esc abandons the wait, and summaries of
/// a replaced index are dropped.
#[test]
fn views_open_when_their_summaries_are_built_in_the_background() {
    let (_d, mut app) = app();
    app.background = true;
    let take_job = |app: &mut App| {
        let effects = std::mem::take(&mut app.effects);
        effects.into_iter().find_map(|e| match e {
            Effect::BuildSummaries {
                generation,
                need,
                have,
            } => Some((generation, need, have)),
            _ => None,
        })
    };
    app.on_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::NONE));
    let (generation, need, have) = take_job(&mut app).expect("a build job");
    assert!(need.users && !need.repos);
    assert!(app.stack.is_empty(), "the view waits for its summaries");
    assert!(app.building.is_some());
    // Keys still work meanwhile.
    app.on_key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE));
    let built = have.built(need, &app.index);
    // Summaries of an older index are not kept.
    app.on_msg(Msg::Built {
        generation: generation.wrapping_sub(1),
        caches: Box::new(built.clone()),
    });
    assert!(app.stack.is_empty());
    app.on_msg(Msg::Built {
        generation,
        caches: Box::new(built),
    });
    assert!(
        matches!(app.stack.last(), Some(View::Users(_))),
        "opened once built"
    );
    assert!(app.building.is_none());
    // Esc abandons a wait.
    app.on_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
    app.on_key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::NONE));
    let (generation, need, have) = take_job(&mut app).expect("a build job for repositories");
    assert!(need.repos && need.pipelines);
    app.on_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
    assert!(app.building.is_none());
    app.on_msg(Msg::Built {
        generation,
        caches: Box::new(have.built(need, &app.index)),
    });
    assert!(app.stack.is_empty(), "an abandoned view does not open");
    // But what was built is kept: the next `r` opens at once.
    app.on_key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::NONE));
    assert!(take_job(&mut app).is_none());
    assert!(matches!(app.stack.last(), Some(View::Repos(_))));
}

/// `--follow`: a new delivery with a newer event.
fn with_delivery(
    dir: &std::path::Path,
) -> (
    std::sync::Arc<trailscope::index::Index>,
    trailscope::load::LoadReport,
) {
    let body = format!(
        "{{\"Records\":[{}]}}",
        common::event(
            "followed-1",
            "FollowedEvent",
            "newbie",
            "2030-01-01T00:00:00Z"
        )
    );
    // In a folder after the others: the files already loaded keep their numbers,
    // as when the follower appends a file.
    common::write(dir, "zz/new-delivery.json", body);
    let (index, report) = trailscope::load::load(
        &[dir.to_path_buf()],
        &trailscope::load::LoadOptions::default(),
        &trailscope::load::Progress::default(),
    );
    (std::sync::Arc::new(index), report)
}

#[test]
fn a_delivery_follows_the_tail_when_the_cursor_is_at_the_newest_event() {
    let (dir, mut app) = app();
    app.following = Some(trailscope::tui::app::Following {
        last_delivery: None,
    });
    assert_eq!(
        app.main.list.selected, 0,
        "newest first, cursor on the newest"
    );
    let total = app.index.len();
    let (index, report) = with_delivery(dir.path());
    app.deliver(index, report);
    assert_eq!(app.index.len(), total + 1);
    assert_eq!(app.main.list.selected, 0);
    let top = app
        .index
        .event(app.results.shown().get(0).unwrap() as usize);
    assert_eq!(top.name(), "FollowedEvent");
    assert!(app.following.unwrap().last_delivery.is_some());
}

/// In the terminal the new results come from the background evaluator: the
/// cursor still follows the tail once they arrive.
#[test]
fn a_delivery_follows_the_tail_when_results_come_from_the_background() {
    let (dir, mut app) = app();
    app.background = true;
    let (index, report) = with_delivery(dir.path());
    app.deliver(index, report);
    let job = std::mem::take(&mut app.effects)
        .into_iter()
        .find_map(|e| match e {
            Effect::Evaluate(job) => Some(job),
            _ => None,
        })
        .expect("the new index is filtered in the background");
    let results = trailscope::tui::results::evaluate(
        &app.index,
        &job.filter,
        &job.text_hits,
        &job.candidates,
        job.newest_first,
        job.timeline_width,
    );
    app.on_msg(Msg::Evaluated {
        generation: job.generation,
        results: Box::new(results),
    });
    let selected = app.results.shown().get(app.main.list.selected).unwrap() as usize;
    assert_eq!(app.index.event(selected).name(), "FollowedEvent");
}

#[test]
fn a_delivery_keeps_the_selected_event_elsewhere() {
    let (dir, mut app) = app();
    for _ in 0..5 {
        key(&mut app, KeyCode::Down);
    }
    let before = app.results.shown().get(app.main.list.selected).unwrap();
    let name = app.index.event(before as usize).name().to_string();
    let time = app.index.cols.time[before as usize];
    let (index, report) = with_delivery(dir.path());
    app.deliver(index, report);
    assert_eq!(app.main.list.selected, 6, "one newer event above it");
    let after = app.results.shown().get(app.main.list.selected).unwrap() as usize;
    assert_eq!(app.index.event(after).name(), name);
    assert_eq!(app.index.cols.time[after], time);
}

#[test]
fn the_loaders_question_is_answered_with_y_or_n() {
    let (_dir, mut app) = app();
    for (press, want) in [('y', true), ('n', false)] {
        let (answer, reply) = std::sync::mpsc::channel();
        app.on_msg(Msg::Confirm {
            question: "s3://b holds 800 days".into(),
            choices: "y load all · n skip it",
            answer,
        });
        // Other keys wait for the answer.
        key(&mut app, KeyCode::Char('u'));
        assert!(app.stack.is_empty() && app.question.is_some());
        key(&mut app, KeyCode::Char(press));
        assert_eq!(reply.recv().unwrap(), want);
        assert!(app.question.is_none());
    }
}

#[test]
fn the_status_bar_says_when_the_last_delivery_came() {
    use std::time::{Duration, Instant};
    use trailscope::tui::app::Following;
    use trailscope::tui::following::following_text;
    let now = Instant::now();
    let none = Following {
        last_delivery: None,
    };
    assert_eq!(following_text(&none, now), "following · no delivery yet");
    let f = Following {
        last_delivery: Some(now - Duration::from_secs(12)),
    };
    assert_eq!(
        following_text(&f, now),
        "following · last delivery 12 s ago"
    );
    let f = Following {
        last_delivery: Some(now - Duration::from_secs(600)),
    };
    assert_eq!(
        following_text(&f, now),
        "following · last delivery 10 min ago"
    );
}

#[test]
fn the_users_title_counts_actors_as_the_user_facet_does() {
    let (dir, _) = common::corpus(800, 5);
    // An event with no identity at all: a "(none)" row, not an actor.
    common::write(
        dir.path(),
        "anonymous.json",
        r#"{"Records":[{"eventID":"a1","eventTime":"2024-03-01T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject"}]}"#,
    );
    let mut app = common::browser(dir.path());
    let facet = trailscope::query::Facet::ALL
        .iter()
        .position(|f| *f == trailscope::query::Facet::User)
        .unwrap();
    let actors = app.results.selection.facets[facet].len();
    key(&mut app, KeyCode::Char('u'));
    assert_eq!(app.caches.users().len(), actors + 1, "the (none) row");
    let screen = draw_text(&app, 160, 45);
    assert!(
        screen.contains(&format!("Users · {actors} actors and (none) ·")),
        "{screen}"
    );
}

/// The event the detail view on top shows.
fn opened(app: &App) -> usize {
    match app.stack.last() {
        Some(View::Detail(d)) => d.event as usize,
        _ => panic!("no detail view"),
    }
}

/// Moves the detail view's cursor to the first line whose text holds `needle`.
fn cursor_to(app: &mut App, needle: &str) {
    let Some(View::Detail(d)) = app.stack.last() else {
        panic!("no detail view")
    };
    let doc = doc(d).as_ref().expect("the event is laid out");
    let row = (0..doc.visible.len())
        .find(|&r| doc.plain(r).contains(needle))
        .unwrap_or_else(|| panic!("no line holds {needle}"));
    for _ in 0..row {
        key(app, KeyCode::Char('j'));
    }
}

#[test]
fn pivots_from_the_detail_view_and_backspace_steps_back() {
    let (_d, mut app) = app();
    let all = app.index.len();
    key(&mut app, KeyCode::Char('/'));
    typ(&mut app, "user:a");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.results.shown().len(), expected(&app, "user:a"));
    // The first event's source IP, then `f` on it: the list is filtered to it.
    key(&mut app, KeyCode::Enter);
    let ip = app.index.event(opened(&app)).source_ip().to_string();
    cursor_to(&mut app, "\"sourceIPAddress\"");
    key(&mut app, KeyCode::Char('f'));
    assert!(app.stack.is_empty(), "back on the list");
    let want = format!("user:a ip:{ip}");
    assert_eq!(app.filter.text, want);
    assert_eq!(app.results.shown().len(), expected(&app, &want));
    // `F` on the event name excludes it; `f` on the ARN replaces `user:a`.
    key(&mut app, KeyCode::Enter);
    let name = app.index.event(opened(&app)).name().to_string();
    cursor_to(&mut app, "\"eventName\"");
    key(&mut app, KeyCode::Char('F'));
    assert_eq!(app.filter.text, format!("{want} -event:{name}"));
    key(&mut app, KeyCode::Enter);
    let arn = app.index.event(opened(&app)).arn().to_string();
    cursor_to(&mut app, "\"arn\"");
    key(&mut app, KeyCode::Char('f'));
    let by_arn = format!(
        "ip:{ip} -event:{name} user:={}",
        trailscope::query::parse::quote(&arn)
    );
    assert_eq!(app.filter.text, by_arn);
    assert_eq!(app.results.shown().len(), expected(&app, &by_arn));
    // A bracket has no value to pivot on.
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('f'));
    assert!(matches!(app.stack.last(), Some(View::Detail(_))));
    assert!(
        app.message
            .as_deref()
            .unwrap_or("")
            .contains("move the cursor to a value")
    );
    key(&mut app, KeyCode::Esc);
    // Backspace walks back through every change, then says there is none.
    for before in [
        format!("{want} -event:{name}"),
        want.clone(),
        "user:a".into(),
        String::new(),
    ] {
        key(&mut app, KeyCode::Backspace);
        assert_eq!(app.filter.text, before);
    }
    assert_eq!(app.results.shown().len(), all);
    key(&mut app, KeyCode::Backspace);
    assert_eq!(
        app.message.as_deref(),
        Some("no earlier filter to go back to")
    );
}

#[test]
fn an_empty_result_names_the_term_that_emptied_it() {
    let (_d, mut app) = app();
    app.set_filter_text("event:GitPush user:nosuchactor");
    assert_eq!(app.results.shown().len(), 0);
    assert_eq!(app.results.emptied_by.as_deref(), Some("user:nosuchactor"));
    assert!(draw_text(&app, 140, 40).contains("no events: `user:nosuchactor` leaves none"));
    // Each term keeps events alone; together they keep none: the second is named.
    app.set_filter_text("event:GitPush source:s3");
    assert_eq!(app.results.shown().len(), 0);
    assert_eq!(
        app.results.emptied_by.as_deref(),
        Some("source:s3.amazonaws.com")
    );
    app.set_filter_text("event:GitPush");
    assert_eq!(app.results.emptied_by, None);
}

#[test]
fn a_new_filter_keeps_the_selected_event_selected_when_it_still_matches() {
    let (_d, mut app) = app();
    for _ in 0..5 {
        key(&mut app, KeyCode::Down);
    }
    let event = app.results.shown().get(5).unwrap();
    let name = app.index.event(event as usize).name().to_string();
    app.set_filter_text(&format!("event:{name}"));
    let row = app.main.list.selected;
    assert_eq!(
        app.results.shown().get(row),
        Some(event),
        "the same event, on its new row"
    );
    // An event the filter drops: the first row is selected.
    app.set_filter_text(&format!("-event:{name}"));
    assert_eq!(app.main.list.selected, 0);
}

#[test]
fn slash_narrows_the_users_view_as_you_type() {
    let (_d, mut app) = app();
    key(&mut app, KeyCode::Char('u'));
    let actors = |app: &App| -> Vec<String> {
        let Some(View::Users(v)) = app.stack.last() else {
            panic!("no users view")
        };
        let users = app.caches.users();
        v.order
            .iter()
            .map(|&k| users[k].actor_text(&app.index).to_string())
            .collect()
    };
    let all = actors(&app);
    assert!(all.iter().any(|a| a.contains("alice")) && all.iter().any(|a| a.contains("bob")));
    key(&mut app, KeyCode::Char('/'));
    typ(&mut app, "BO");
    let narrowed = actors(&app);
    assert!(!narrowed.is_empty() && narrowed.len() < all.len());
    assert!(
        narrowed.iter().all(|a| a.to_lowercase().contains("bo")),
        "{narrowed:?}"
    );
    // `s` is typed into the query, not a sort, while typing.
    typ(&mut app, "b");
    assert!(
        actors(&app)
            .iter()
            .all(|a| a.to_lowercase().contains("bob"))
    );
    key(&mut app, KeyCode::Enter);
    // Enter keeps the rows; the table has the keys again (Enter filters).
    key(&mut app, KeyCode::Enter);
    assert!(app.stack.is_empty());
    assert!(app.filter.text.contains("bob"), "{}", app.filter.text);
    // (Under `user:=bob` the view would count bob alone: back to no filter.)
    app.set_filter_text("");
    key(&mut app, KeyCode::Char('u'));
    assert_eq!(
        actors(&app),
        ["bob"],
        "the view comes back as it was left, narrowed"
    );
    key(&mut app, KeyCode::Char('/'));
    typ(&mut app, "x");
    key(&mut app, KeyCode::Esc);
    assert_eq!(actors(&app), all, "Esc while typing clears the query");
    key(&mut app, KeyCode::Esc);
    assert!(app.stack.is_empty(), "the next Esc closes the view");
}

/// Column widths come from all the matching values, not the rows on screen: the
/// header does not move while the list scrolls from short actors to long ones.
#[test]
fn column_widths_stay_put_while_scrolling() {
    let dir = tempfile::tempdir().unwrap();
    let record = |n: usize, user: &str| {
        format!(
            r#"{{"eventID":"e{n}","eventTime":"2024-03-01T{:02}:{:02}:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","userIdentity":{{"type":"IAMUser","userName":"{user}"}}}}"#,
            n / 60,
            n % 60
        )
    };
    // The older half by a long name, the newer half by a short one.
    let records: Vec<String> = (0..200)
        .map(|n| {
            record(
                n,
                if n < 100 {
                    "a-rather-long-user-name-of-thirty-chars"
                } else {
                    "bob"
                },
            )
        })
        .collect();
    common::write(
        dir.path(),
        "a.json",
        format!("{{\"Records\":[{}]}}", records.join(",")),
    );
    let mut app = common::browser(dir.path());
    let header = |app: &App| -> String {
        draw_text(app, 140, 40)
            .lines()
            .find(|l| l.contains("Time") && l.contains("Actor"))
            .unwrap()
            .to_string()
    };
    let top = header(&app);
    assert!(draw_text(&app, 140, 40).contains("bob"));
    key(&mut app, KeyCode::End);
    let bottom = draw_text(&app, 140, 40);
    assert!(bottom.contains("-name-of-thirty-chars"), "{bottom}");
    assert_eq!(header(&app), top);
}

/// The write job in a thread, as `w` starts it; its messages as they come.
fn write_job(app: &App, path: &std::path::Path) -> std::sync::mpsc::Receiver<Msg> {
    let (tx, rx) = std::sync::mpsc::channel();
    trailscope::tui::jobs::spawn_write(
        app.index.clone(),
        path.display().to_string(),
        app.results.shown().to_vec(),
        tx,
    );
    rx
}

fn next(rx: &std::sync::mpsc::Receiver<Msg>) -> Msg {
    rx.recv_timeout(std::time::Duration::from_secs(30)).unwrap()
}

#[test]
fn writing_over_a_file_asks_first_and_a_csv_name_writes_csv() {
    let (dir, mut app) = app();
    app.set_filter_text("event:GitPush");
    let n = app.results.shown().len();
    let path = dir.path().join("out.csv");
    std::fs::write(&path, "keep me").unwrap();
    // `n`: the file is kept.
    let rx = write_job(&app, &path);
    let Msg::Confirm {
        question, answer, ..
    } = next(&rx)
    else {
        panic!("no question")
    };
    assert!(question.contains("exists: overwrite it?"), "{question}");
    answer.send(false).unwrap();
    let Msg::Wrote(Ok(message)) = next(&rx) else {
        panic!("no answer")
    };
    assert!(message.starts_with("kept "), "{message}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "keep me");
    // `y`, through the app's status bar: written as CSV, a header and a row an event.
    let rx = write_job(&app, &path);
    app.on_msg(next(&rx));
    assert!(draw_text(&app, 140, 40).contains("y overwrite · n keep it"));
    key(&mut app, KeyCode::Char('y'));
    let Msg::Wrote(Ok(message)) = next(&rx) else {
        panic!("no answer")
    };
    assert!(message.contains("(CSV)"), "{message}");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("time,event,source,actor,resource,region,ip,error")
    );
    assert_eq!(lines.clone().count(), n);
    assert!(lines.all(|l| l.split(',').nth(1) == Some("GitPush")));
}

#[test]
fn slash_narrows_the_repositories_and_pipelines_views() {
    let (_d, mut app) = app();
    key(&mut app, KeyCode::Char('r'));
    key(&mut app, KeyCode::Char('/'));
    typ(&mut app, "INFRA");
    key(&mut app, KeyCode::Enter);
    let screen = draw_text(&app, 160, 45);
    assert!(screen.contains("/infra (Esc: all)"), "{screen}");
    assert!(!screen.contains("web-app"), "{screen}");
    // Enter filters to the repository under the cursor: the narrowed one.
    key(&mut app, KeyCode::Enter);
    assert!(
        app.filter.text.contains("repo:=infra"),
        "{}",
        app.filter.text
    );
    // (No pipeline event is under that filter: back to no filter.)
    app.set_filter_text("");
    key(&mut app, KeyCode::Char('p'));
    key(&mut app, KeyCode::Char('/'));
    typ(&mut app, "etl");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Enter);
    let Some(View::Versions(_)) = app.stack.last() else {
        panic!("no version timeline")
    };
    let screen = draw_text(&app, 160, 45);
    assert!(
        screen.contains("data-etl"),
        "the narrowed pipeline's timeline: {screen}"
    );
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Esc);
    assert!(
        matches!(app.stack.last(), Some(View::Pipelines(_))),
        "Esc clears first"
    );
    key(&mut app, KeyCode::Esc);
    assert!(app.stack.is_empty());
}

#[test]
fn the_version_timeline_opens_events_filters_and_explains_an_empty_history() {
    // This trail has a pipeline seen only in reads and runs.
    let (dir, _) = common::corpus(1_200, 33);
    let mut app = common::browser(dir.path());
    key(&mut app, KeyCode::Char('p'));
    let pipelines = app.caches.pipelines().to_vec();
    let with = pipelines
        .iter()
        .position(|l| !l.versions.is_empty())
        .unwrap();
    let without = pipelines
        .iter()
        .position(|l| l.versions.is_empty())
        .unwrap();
    for _ in 0..with {
        key(&mut app, KeyCode::Down);
    }
    key(&mut app, KeyCode::Enter);
    // `e`: the event that made the newest version, outside the list.
    key(&mut app, KeyCode::Char('e'));
    let Some(View::Detail(d)) = app.stack.last() else {
        panic!("no detail view")
    };
    assert_eq!(d.event, pipelines[with].versions.last().unwrap().event);
    assert_eq!(d.row, None, "not a row of the list");
    let screen = draw_text(&app, 140, 40);
    assert!(!screen.contains("in the list)"), "{screen}");
    let versions = &pipelines[with].versions;
    let newest = versions.last().unwrap();
    assert!(
        screen.contains(&format!(
            "(version {} of {}",
            newest.number, pipelines[with].name
        )),
        "{screen}"
    );
    // n/N walk the versions: N the one before, n back; n past the newest says so.
    if versions.len() > 1 {
        let before = &versions[versions.len() - 2];
        key(&mut app, KeyCode::Char('N'));
        let Some(View::Detail(d)) = app.stack.last() else {
            panic!("no detail view")
        };
        assert_eq!(d.event, before.event);
        key(&mut app, KeyCode::Char('n'));
    }
    key(&mut app, KeyCode::Char('n'));
    assert_eq!(app.message.as_deref(), Some("the newest version loaded"));
    let Some(View::Detail(d)) = app.stack.last() else {
        panic!("no detail view")
    };
    assert_eq!(d.event, newest.event);
    key(&mut app, KeyCode::Esc);
    // The compare picker starts on an older version than the one compared.
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('c'));
    key(&mut app, KeyCode::Enter);
    let Some(View::Diff(diff)) = app.stack.last() else {
        panic!("no diff")
    };
    assert!(
        diff.from.is_some_and(|from| from < diff.to),
        "{:?} → {}",
        diff.from,
        diff.to
    );
    key(&mut app, KeyCode::Esc);
    // `f`: the list filtered to the pipeline, in its account and region.
    key(&mut app, KeyCode::Char('f'));
    let l = &pipelines[with];
    assert!(app.stack.is_empty());
    assert!(
        app.filter.text.contains(&format!("pipeline:={}", l.name)),
        "{}",
        app.filter.text
    );
    assert!(
        app.filter.text.contains(&format!("account:{}", l.account)),
        "{}",
        app.filter.text
    );
    // A pipeline with no version: a message, not an empty table.
    app.set_filter_text("");
    key(&mut app, KeyCode::Char('p'));
    for _ in 0..without {
        key(&mut app, KeyCode::Down);
    }
    key(&mut app, KeyCode::Enter);
    let screen = draw_text(&app, 140, 40);
    assert!(screen.contains("known only from other events"), "{screen}");
}

/// A browser left alone while it loads shows the newest events once loaded: the
/// cursor on the newest event of a snapshot follows to the newest of the final
/// index (it stayed on the old one, 875,000 rows down a million-event trail).
#[test]
fn loading_follows_the_newest_event_unless_the_cursor_moved() {
    for moved in [false, true] {
        let (dir, mut app) = app();
        if moved {
            key(&mut app, KeyCode::Down);
        }
        let (index, report) = with_delivery(dir.path());
        app.on_msg(Msg::Loaded(
            index.into(),
            report,
            std::time::Duration::from_secs(1),
        ));
        let now = app.results.shown().get(app.main.list.selected).unwrap();
        let name = app.index.event(now as usize).name().to_string();
        if moved {
            assert_eq!(app.main.list.selected, 2, "the same event, one row lower");
            assert_ne!(name, "FollowedEvent");
        } else {
            assert_eq!(app.main.list.selected, 0);
            assert_eq!(name, "FollowedEvent");
        }
    }
}

#[test]
fn slash_narrows_the_version_timeline() {
    let (dir, _) = common::corpus(1_200, 33);
    let mut app = common::browser(dir.path());
    key(&mut app, KeyCode::Char('p'));
    key(&mut app, KeyCode::Enter);
    let rows = |app: &App| match app.stack.last() {
        Some(View::Versions(v)) => v.rows.len(),
        _ => panic!("no version timeline"),
    };
    let all = rows(&app);
    key(&mut app, KeyCode::Char('/'));
    typ(&mut app, "changed");
    let kept = rows(&app);
    assert!(kept > 0 && kept < all, "{kept} of {all}");
    let screen = draw_text(&app, 160, 45);
    assert!(screen.contains("/changed▏"), "{screen}");
    let table: Vec<&str> = screen
        .lines()
        .skip_while(|l| !l.contains("What changed"))
        .skip(1)
        .take(kept)
        .collect();
    assert!(table.iter().all(|l| l.contains("changed")), "{screen}");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Esc);
    assert_eq!(rows(&app), all, "Esc clears the narrowing first");
    key(&mut app, KeyCode::Esc);
    assert!(matches!(app.stack.last(), Some(View::Pipelines(_))));
}

/// The users, repositories and pipelines views come back where they were left:
/// cursor and sort (until the index changes).
#[test]
fn views_remember_their_cursor_and_sort() {
    let (_d, mut app) = app();
    key(&mut app, KeyCode::Char('u'));
    key(&mut app, KeyCode::Char('s'));
    for _ in 0..3 {
        key(&mut app, KeyCode::Down);
    }
    let Some(View::Users(v)) = app.stack.last() else {
        panic!("no users view")
    };
    let left_at = v.cursor.selected;
    assert!(left_at >= 3);
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('p'));
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('u'));
    let Some(View::Users(v)) = app.stack.last() else {
        panic!("no users view")
    };
    assert_eq!(v.cursor.selected, left_at);
    assert_ne!(
        v.sort,
        trailscope::tui::views::users::UserColumn::Events,
        "the sort too"
    );
    key(&mut app, KeyCode::Enter);
    assert!(app.stack.is_empty());
    // Under the same events (no filter again) the pipelines view is as left.
    app.set_filter_text("");
    key(&mut app, KeyCode::Char('p'));
    let Some(View::Pipelines(p)) = app.stack.last() else {
        panic!("no pipelines view")
    };
    assert_eq!(p.cursor.selected, 1);
    key(&mut app, KeyCode::Esc);
    // Under a filter, the users view makes its rows again over its events,
    // keeping its sort and its selected actor when that actor is there.
    let Some(View::Users(v)) = app.parked_view(trailscope::tui::keymap::Action::OpenUsers) else {
        panic!("the users view is parked")
    };
    let sort = v.sort;
    let actor = app.caches.users()[v.order[v.cursor.selected]].actor;
    let row = v.cursor.selected;
    // A filter that keeps every event: the same rows, made again.
    app.set_filter_text("-event:NoSuchEvent");
    key(&mut app, KeyCode::Char('u'));
    let Some(View::Users(v)) = app.stack.last() else {
        panic!("no users view")
    };
    assert_eq!(v.sort, sort);
    assert_eq!(app.caches.users()[v.order[v.cursor.selected]].actor, actor);
    assert_eq!(v.cursor.selected, row);
    assert!(draw_text(&app, 160, 45).contains("under filter `-event:NoSuchEvent`"));
}

/// The timeline: `Tab` reaches it (facets → timeline → list), `←`/`→` move a
/// bucket cursor whose span and counts the title shows, `Enter` zooms into the
/// bucket (its events exactly, as `since:`/`until:`), `z` zooms back out, and
/// the buckets cover the filtered span.
#[test]
fn the_timeline_steers_the_time_bounds() {
    let (_d, mut app) = app();
    app.resize(140, 40);
    assert_eq!(app.main.focus, Focus::List);
    // Shift-Tab from the list: the timeline, then the facets; Tab: the timeline.
    key(&mut app, KeyCode::BackTab);
    assert_eq!(app.main.focus, Focus::Timeline);
    key(&mut app, KeyCode::BackTab);
    assert_eq!(app.main.focus, Focus::Facets);
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.main.focus, Focus::Timeline);
    let whole = app.results.timeline.clone();
    assert!(whole.len() > 3 && whole.len() <= 136, "{}", whole.len());
    assert_eq!(
        whole.counts.iter().sum::<u64>() as usize,
        app.results.timed,
        "every timed event in a bucket"
    );
    // The cursor starts on the newest bucket; ← moves it back.
    assert_eq!(app.main.timeline_bucket(&whole), Some(whole.len() - 1));
    let busiest = (0..whole.len()).max_by_key(|&b| whole.counts[b]).unwrap();
    key(&mut app, KeyCode::Home);
    assert_eq!(app.main.timeline_bucket(&whole), Some(0));
    for _ in 0..busiest {
        key(&mut app, KeyCode::Right);
    }
    assert_eq!(app.main.timeline_bucket(&whole), Some(busiest));
    let screen = draw_text(&app, 140, 40);
    let (from, until) = whole.span(busiest);
    let span = trailscope::tui::timeline::span_text(from, until);
    let events = trailscope::format::thousands(whole.counts[busiest] as usize);
    assert!(
        screen.contains(&format!("Timeline · {span} · {events} events")),
        "{screen}"
    );
    // Enter: exactly the bucket's events.
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.filter.filter.time_bounds(), (Some(from), Some(until)));
    assert_eq!(app.results.shown().len() as u64, whole.counts[busiest]);
    assert_eq!(app.main.focus, Focus::Timeline);
    let zoomed = &app.results.timeline;
    assert!(
        zoomed.step < whole.step,
        "finer buckets over the bucket's span"
    );
    assert!(zoomed.span(0).0 >= from && zoomed.span(zoomed.len() - 1).0 < until);
    // A typed term and a second zoom; z twice gets back to no bounds, the term kept.
    app.set_filter_text(&format!("{} errors", app.filter.text));
    key(&mut app, KeyCode::Char('z'));
    assert_eq!(app.filter.filter.time_bounds(), (None, None));
    assert_eq!(app.filter.text, "errors");
    key(&mut app, KeyCode::Char('z'));
    assert_eq!(app.message.as_deref(), Some("not zoomed in"));
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.main.focus, Focus::List);
}

/// A mouse drag over the timeline zooms into the buckets it spans.
#[test]
fn dragging_over_the_timeline_zooms_into_the_range() {
    use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let (_d, mut app) = app();
    app.resize(140, 40);
    let layout = trailscope::tui::views::main::MainLayout::new(app.viewport.body);
    let area = layout.timeline.expect("a timeline at 140×40");
    let (x0, y) = (area.x + 1, area.y + 1);
    let width = area.width - 2;
    let whole = app.results.timeline.clone();
    let mouse = |app: &mut App, kind, column| {
        app.on_mouse(MouseEvent {
            kind,
            column,
            row: y,
            modifiers: KeyModifiers::NONE,
        });
        common::settle(app);
    };
    let (a, b) = (x0 + width / 4, x0 + width / 2);
    mouse(&mut app, MouseEventKind::Down(MouseButton::Left), a);
    assert_eq!(app.main.focus, Focus::Timeline);
    mouse(&mut app, MouseEventKind::Drag(MouseButton::Left), b);
    mouse(&mut app, MouseEventKind::Up(MouseButton::Left), b);
    let first = whole.bucket_at((a - x0) as usize, width as usize);
    let last = whole.bucket_at((b - x0) as usize, width as usize);
    assert!(first < last);
    assert_eq!(
        app.filter.filter.time_bounds(),
        (Some(whole.span(first).0), Some(whole.span(last).1))
    );
    let want: u64 = whole.counts[first..=last].iter().sum();
    assert_eq!(app.results.shown().len() as u64, want);
    // A click without a drag only moves the cursor.
    let before = app.filter.text.clone();
    mouse(&mut app, MouseEventKind::Down(MouseButton::Left), a);
    mouse(&mut app, MouseEventKind::Up(MouseButton::Left), a);
    assert_eq!(app.filter.text, before);
}

/// The users, repositories and pipelines views follow the filter: the users
/// view counts the events under it (its title says so), so `Enter` on an actor
/// gives the events the row counted, never an empty list; `a` switches to every
/// event and back; the pipelines view lists the pipelines the filter's events
/// name, their histories still whole.
#[test]
fn views_count_the_events_under_the_filter() {
    let (_d, mut app) = app();
    app.resize(160, 45);
    app.set_filter_text("source:codepipeline");
    let under = app.results.shown().len();
    assert!(under > 0 && under < app.index.len());
    key(&mut app, KeyCode::Char('u'));
    assert!(matches!(app.stack.last(), Some(View::Users(_))));
    let counted: u64 = app.caches.users().iter().map(|u| u.events).sum();
    assert_eq!(counted as usize, under, "every row under the filter");
    let screen = draw_text(&app, 160, 45);
    assert!(
        screen.contains("under filter `source:codepipeline.amazonaws.com` · a: all events"),
        "{screen}"
    );
    let top = app.caches.users()[0].events as usize;
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.results.shown().len(), top, "{}", app.filter.text);
    assert!(app.filter.text.contains("source:codepipeline"));
    // `a`: every event, then under the filter again.
    app.set_filter_text("source:codepipeline");
    key(&mut app, KeyCode::Char('u'));
    key(&mut app, KeyCode::Char('a'));
    assert!(matches!(app.stack.last(), Some(View::Users(_))));
    let counted: u64 = app.caches.users().iter().map(|u| u.events).sum();
    assert_eq!(counted as usize, app.index.len());
    assert!(draw_text(&app, 160, 45).contains("over all events · a: under the filter"));
    key(&mut app, KeyCode::Char('a'));
    let counted: u64 = app.caches.users().iter().map(|u| u.events).sum();
    assert_eq!(counted as usize, under);
    key(&mut app, KeyCode::Esc);
    // Repositories under a filter that names one repository.
    app.set_filter_text("repo:=infra");
    key(&mut app, KeyCode::Char('r'));
    assert!(
        app.caches.repos().iter().all(|r| r.name == "infra"),
        "{:?}",
        app.caches
            .repos()
            .iter()
            .map(|r| &r.name)
            .collect::<Vec<_>>()
    );
    key(&mut app, KeyCode::Esc);
    // Pipelines: listed when the filter's events name them.
    app.set_filter_text("");
    key(&mut app, KeyCode::Char('p'));
    let all = app.caches.pipelines().len();
    let shown_all = draw_text(&app, 160, 45);
    assert!(
        shown_all.contains(&format!("Pipelines · {all} lifetimes")),
        "{shown_all}"
    );
    key(&mut app, KeyCode::Esc);
    let one = app.caches.pipelines()[0].name.clone();
    app.set_filter_text(&format!("pipeline:={one}"));
    key(&mut app, KeyCode::Char('p'));
    let Some(View::Pipelines(v)) = app.stack.last() else {
        panic!("no pipelines view")
    };
    let kept: Vec<bool> = v.under.clone().expect("under the filter");
    assert!(kept.iter().any(|&k| k));
    for (k, l) in app.caches.pipelines().iter().enumerate() {
        if kept[k] {
            assert_eq!(l.name, one);
        }
    }
    assert_eq!(
        app.caches.pipelines().len(),
        all,
        "histories from every event"
    );
}

/// `/` in the detail view: the cursor goes to the first line whose key or
/// value holds the text (a folded object opens to show it); `n`/`N` go from
/// match to match, round the document; `Esc` clears the search, and `n` is
/// the next event again.
#[test]
fn slash_searches_the_event_json() {
    let (_d, mut app) = app();
    app.resize(140, 40);
    app.set_filter_text("event:GitPush");
    key(&mut app, KeyCode::Enter);
    let first = opened(&app);
    key(&mut app, KeyCode::Char('-'));
    let line_text = |app: &App| -> String {
        let Some(View::Detail(d)) = app.stack.last() else {
            panic!("no detail view")
        };
        doc(d).as_ref().unwrap().plain(d.cursor.selected)
    };
    key(&mut app, KeyCode::Char('/'));
    typ(&mut app, "REPOSITORYN");
    let at = line_text(&app);
    assert!(at.contains("\"repositoryName\""), "{at}");
    key(&mut app, KeyCode::Enter);
    // Every match, then round to the first again.
    let Some(View::Detail(d)) = app.stack.last() else {
        panic!()
    };
    let folded = doc(d).as_ref().unwrap();
    let all = folded.count("repositoryn");
    assert!(all >= 1);
    let mut seen = vec![line_text(&app)];
    for _ in 0..all {
        key(&mut app, KeyCode::Char('n'));
        assert!(line_text(&app).to_lowercase().contains("repositoryn"));
        seen.push(line_text(&app));
    }
    assert_eq!(seen.first(), seen.last(), "round the document");
    assert!(
        app.message.as_deref().unwrap_or("").starts_with("match "),
        "{:?}",
        app.message
    );
    key(&mut app, KeyCode::Char('N'));
    assert!(line_text(&app).to_lowercase().contains("repositoryn"));
    assert_eq!(opened(&app), first, "n/N stay in the event while searching");
    key(&mut app, KeyCode::Char('/'));
    typ(&mut app, "zzqqxx");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('n'));
    assert!(says(&app, "no line holds"), "{:?}", app.message);
    key(&mut app, KeyCode::Esc);
    assert!(
        matches!(app.stack.last(), Some(View::Detail(_))),
        "Esc clears the search first"
    );
    key(&mut app, KeyCode::Char('n'));
    assert_ne!(opened(&app), first, "then n is the next event");
}

/// The list's cell cursor: `Tab` walks the row's cells (then leaves for the
/// facets), `f`/`F` filter to or exclude the cell's value with its column's
/// field, a click puts the cursor on a cell; `←`/`→` scroll the columns, so a
/// column dropped on a narrow screen can be reached.
#[test]
fn the_list_cell_cursor_pivots_and_the_columns_scroll() {
    use trailscope::tui::views::main::LIST_COLUMNS;
    let (_d, mut app) = app();
    app.resize(80, 24);
    key(&mut app, KeyCode::Char('f'));
    assert!(says(&app, "Tab to a cell"), "{:?}", app.message);
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.main.cell, Some(0));
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.main.cell, Some(1), "the Event cell");
    let event = app.results.shown().get(0).unwrap() as usize;
    let name = app.index.event(event).name().to_string();
    key(&mut app, KeyCode::Char('f'));
    assert_eq!(app.filter.text, format!("event:{name}"));
    assert_eq!(
        app.results.shown().len(),
        expected(&app, &format!("event:{name}"))
    );
    // F on the actor cell: that actor is left out.
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.main.cell, Some(3));
    let event = app.results.shown().get(0).unwrap() as usize;
    let actor = app.index.event(event).actor().to_string();
    key(&mut app, KeyCode::Char('F'));
    let want = format!("event:{name} -user:={actor}");
    assert_eq!(
        app.results.shown().len(),
        expected(&app, &want),
        "{} vs {want}",
        app.filter.text
    );
    // At 80 columns the error column is dropped: the cell cursor scrolls to it.
    for _ in 3..LIST_COLUMNS - 1 {
        key(&mut app, KeyCode::Tab);
    }
    assert_eq!(app.main.cell, Some(LIST_COLUMNS - 1));
    assert!(app.main.h_skip > 0, "scrolled to show the last column");
    // The list's header row: the line under its pane's title.
    let header = |app: &App| -> String {
        let screen = draw_text(app, 80, 24);
        let lines: Vec<&str> = screen.lines().collect();
        let at = lines
            .iter()
            .position(|l| l.contains("┌ Events"))
            .unwrap_or(0);
        lines.get(at + 1).copied().unwrap_or_default().to_string()
    };
    assert!(header(&app).contains("Error"), "{}", header(&app));
    key(&mut app, KeyCode::Tab);
    assert_eq!(
        app.main.focus,
        Focus::Facets,
        "past the last cell: the facets"
    );
    assert_eq!(app.main.cell, None);
    // ←/→ with no cell cursor scroll the columns.
    key(&mut app, KeyCode::BackTab);
    assert_eq!(app.main.focus, Focus::List);
    for _ in 0..10 {
        key(&mut app, KeyCode::Left);
    }
    assert_eq!(app.main.h_skip, 0);
    assert!(!header(&app).contains("Error"), "{}", header(&app));
    key(&mut app, KeyCode::Right);
    assert_eq!(app.main.h_skip, 1);
    let mut n = 1;
    while app.message.is_none() && n < 20 {
        key(&mut app, KeyCode::Right);
        n += 1;
    }
    assert_eq!(app.message.as_deref(), Some("every column is shown"));
    let screen = draw_text(&app, 80, 24);
    assert!(
        screen.contains("· columns ‹"),
        "the title says columns are off to the left: {screen}"
    );
    assert!(header(&app).contains("Error"), "{}", header(&app));
    // A click on a cell puts the cell cursor there.
    key(&mut app, KeyCode::Home);
    for _ in 0..10 {
        key(&mut app, KeyCode::Left);
    }
    let layout = trailscope::tui::views::main::MainLayout::new(app.viewport.body);
    let rows = layout.list_rows;
    app.on_mouse(ratatui::crossterm::event::MouseEvent {
        kind: ratatui::crossterm::event::MouseEventKind::Down(
            ratatui::crossterm::event::MouseButton::Left,
        ),
        column: rows.x + 1,
        row: rows.y + 1,
        modifiers: KeyModifiers::NONE,
    });
    assert_eq!(app.main.cell, Some(0), "the time cell of the second row");
    assert_eq!(app.main.list.selected, 1);
}

/// A push is two GitPush records: the list shows the one with references as
/// `repo ← refs/heads/…`, and dims its negotiation partner as read-only
/// events are, so a push no longer looks like two identical rows.
#[test]
fn git_push_pairs_read_as_one_push() {
    let (_d, mut app) = app();
    app.resize(250, 45);
    app.set_filter_text("event:GitPush -errors");
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(250, 45)).unwrap();
    terminal
        .draw(|f| trailscope::tui::draw::draw(f, &app))
        .unwrap();
    let buffer = terminal.backend().buffer().clone();
    let rows: Vec<(String, bool)> = (0..45)
        .map(|y| {
            let text: String = (0..250)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect();
            // The style of the row's event name cell.
            let at = text.find("GitPush").unwrap_or(0);
            let x = text[..at].chars().count() as u16;
            let dim = buffer[(x, y)]
                .modifier
                .contains(ratatui::style::Modifier::DIM);
            (text, dim)
        })
        .filter(|(text, _)| text.contains("GitPush") && text.contains("2024-03-"))
        .collect();
    assert!(rows.len() > 4, "{rows:?}");
    // (Wide enough that no cell is cut.)
    let pushed = |t: &str| t.contains(" ← refs/");
    let with_refs: Vec<&(String, bool)> = rows.iter().filter(|(t, _)| pushed(t)).collect();
    let without: Vec<&(String, bool)> = rows.iter().filter(|(t, _)| !pushed(t)).collect();
    assert!(!with_refs.is_empty() && !without.is_empty(), "{rows:?}");
    assert!(
        with_refs.iter().all(|(_, dim)| !dim),
        "pushes with references are not dimmed"
    );
    assert!(
        without.iter().all(|(_, dim)| *dim),
        "negotiations are dimmed: {without:?}"
    );
}

/// `/` in the facet pane narrows the current facet's values; picking one
/// picks the value under the cursor among those kept; Esc clears it. `/` in
/// the help keeps the keys and terms that hold the text.
#[test]
fn slash_narrows_facet_values_and_the_help() {
    let (_d, mut app) = app();
    app.resize(140, 40);
    focus_facets(&mut app);
    while app.main.current_facet() != Facet::User {
        key(&mut app, KeyCode::Right);
    }
    let all = app.main.facet_values(&app.ctx()).len();
    key(&mut app, KeyCode::Char('/'));
    typ(&mut app, "JOS");
    let kept: Vec<String> = app
        .main
        .facet_values(&app.ctx())
        .iter()
        .map(|&(id, _)| app.index.strings.get(id).to_string())
        .collect();
    assert!(!kept.is_empty() && kept.len() < all, "{kept:?}");
    assert!(
        kept.iter()
            .all(|v| trailscope::query::parse::fold(v).contains("jos")),
        "{kept:?}"
    );
    assert!(draw_text(&app, 140, 40).contains("User values · /JOS"));
    key(&mut app, KeyCode::Enter); // keep the narrowing
    key(&mut app, KeyCode::Enter); // pick the value under the cursor
    assert_eq!(app.filter.text, format!("user:=\"{}\"", kept[0]));
    key(&mut app, KeyCode::Esc);
    assert_eq!(
        app.main.facet_values(&app.ctx()).len(),
        all,
        "Esc: every value again"
    );
    // The help.
    key(&mut app, KeyCode::Char('?'));
    key(&mut app, KeyCode::Char('/'));
    typ(&mut app, "zoom");
    key(&mut app, KeyCode::Enter);
    let screen = draw_text(&app, 140, 40);
    assert!(screen.contains("zoom into the bucket"), "{screen}");
    assert!(!screen.contains("quit at once"), "{screen}");
    key(&mut app, KeyCode::Esc);
    assert!(draw_text(&app, 140, 40).contains("quit at once"));
    key(&mut app, KeyCode::Esc);
    assert!(app.stack.is_empty(), "the next Esc closes the help");
}

//! Browser latency on a real index: filter changes, facet toggles, fuzzy typing
//! and cursor moves, each followed by a full redraw into an off-screen 140×40
//! terminal. Run by `scripts/bench`, or:
//!
//!     cargo run --release --example tui_bench -- target/bench-corpus-1000000

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::sync::Arc;
use std::time::{Duration, Instant};
use trailscope::load::{LoadOptions, Progress, load};
use trailscope::tui::app::App;
use trailscope::tui::app::Effect;
use trailscope::tui::ctx::LoadState;
use trailscope::tui::jobs::Msg;
use trailscope::tui::theme::Theme;
use trailscope::tui::views::detail::EventDoc;

/// Runs the event re-reads a key started, as the run loop's job would.
fn settle(app: &mut App) {
    for effect in std::mem::take(&mut app.effects) {
        if let Effect::ReadEvent { request, event } = effect {
            let doc = Box::new(EventDoc::read(&app.index, event));
            app.on_msg(Msg::EventRead { request, doc });
        }
    }
}

fn rss_mb(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

fn report(name: &str, mut times: Vec<Duration>, budget_median: f64, budget_worst: f64) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let median = ms(times[times.len() / 2]);
    let worst = ms(*times.last().unwrap());
    let ok = median <= budget_median && worst <= budget_worst;
    let budget = if budget_worst.is_finite() {
        format!("≤ {budget_median} / {budget_worst} ms")
    } else {
        "no budget: keys stay live".to_string()
    };
    println!(
        "| {name} ({} samples) | {median:.1} ms | {worst:.1} ms | {budget} | {} |",
        times.len(),
        if ok { "ok" } else { "OVER" }
    );
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .expect("usage: tui_bench CORPUS_DIR");
    let t = Instant::now();
    let (index, report_) = load(&[dir.into()], &LoadOptions::default(), &Progress::default());
    let load_time = t.elapsed();
    let n = index.len();
    let mut app = App::new(
        Arc::new(index),
        report_,
        LoadState::Done { elapsed: load_time },
        Theme::color(),
    );
    // The app lays its screen out for the terminal it draws on.
    app.resize(140, 40);
    let mut term = Terminal::new(TestBackend::new(140, 40)).unwrap();
    let mut draw = |app: &mut App| {
        term.draw(|f| trailscope::tui::draw::draw(f, app))
            .map(|_| ())
            .unwrap()
    };
    draw(&mut app);
    println!(
        "{n} events loaded in {:.2} s; resident after loading {:.0} MB (peak {:.0} MB)",
        load_time.as_secs_f64(),
        rss_mb("VmRSS"),
        rss_mb("VmHWM")
    );
    println!();
    println!("| interaction | median | worst | budget | |");
    println!("|---|---|---|---|---|");

    // The filter language's own cost: text → filter → compiled matchers (one
    // automaton per field, whatever the number of values), before any event is looked at.
    let thousand_users: Vec<String> = (0..1000).map(|i| format!("user-{i}@example.com")).collect();
    let thousand_ids: Vec<String> = (0..1000)
        .map(|i| format!("3b7c1d2e-0f4a-4b5c-9d6e-{i:012x}"))
        .collect();
    let texts = [
        "(user:carol | user:dave) event:Git* -errors since:2024-03-02T10:00".to_string(),
        "-(source:s3 readonly) ip:10.0.0.0/8 agent:aws-cli type:AssumedRole last:2h".to_string(),
        format!("user:{}", thousand_users.join(",")),
        format!("id:{}", thousand_ids.join(",")),
    ];
    for (text, name) in texts.iter().zip([
        "parse + compile: OR, wildcard, time",
        "parse + compile: CIDR, NOT group, span",
        "parse + compile: 1,000 users",
        "parse + compile: 1,000 ids",
    ]) {
        let mut times = Vec::new();
        for _ in 0..50 {
            let t = Instant::now();
            let filter = trailscope::query::Filter::parse(text).expect("bench filter parses");
            std::hint::black_box(filter.prepare());
            times.push(t.elapsed());
        }
        report(name, times, 1.0, 1.0);
    }

    let filters = [
        "user:alice",
        "event:GitPush,GitPull",
        "errors",
        "repo:infra",
        "source:codecommit region:eu-west-1",
        "pipeline:Deploy -event:GetPipeline",
        "account:444455556666 mutating",
        "since:2024-03-03 until:2024-03-04",
        "user:Deployer errors",
        "",
    ];
    let mut times = Vec::new();
    for _ in 0..3 {
        for f in filters {
            let t = Instant::now();
            app.set_filter_text(f);
            draw(&mut app);
            times.push(t.elapsed());
        }
    }
    report("filter change + redraw", times, 50.0, 100.0);

    let mut times = Vec::new();
    let key = |app: &mut App, code| app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
    // The facet pane: Shift-Tab from the list, past the timeline.
    key(&mut app, KeyCode::BackTab);
    key(&mut app, KeyCode::BackTab);
    assert_eq!(app.main.focus, trailscope::tui::views::main::Focus::Facets);
    for facet in 0..8 {
        for _ in 0..2 {
            let t = Instant::now();
            key(&mut app, KeyCode::Enter);
            draw(&mut app);
            times.push(t.elapsed());
        }
        let _ = facet;
        key(&mut app, KeyCode::Right);
    }
    // Back to the list: facets → timeline → list.
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.main.focus, trailscope::tui::views::main::Focus::List);
    report("facet toggle + redraw", times, 50.0, 100.0);

    let mut times = Vec::new();
    for word in ["deployer", "gitpush", "payments"] {
        key(&mut app, KeyCode::Char('/'));
        app.on_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
        let mut each = Vec::new();
        for c in word.chars() {
            let t = Instant::now();
            key(&mut app, KeyCode::Char(c));
            app.apply_filter();
            draw(&mut app);
            times.push(t.elapsed());
            each.push(format!("{c} {:.1}", t.elapsed().as_secs_f64() * 1e3));
        }
        eprintln!("fuzzy `{word}`, ms per keystroke: {}", each.join(", "));
        key(&mut app, KeyCode::Enter);
    }
    report("fuzzy search keystroke + redraw", times, 30.0, 30.0);
    app.set_filter_text("");
    draw(&mut app);

    let mut times = Vec::new();
    for code in std::iter::repeat_n(KeyCode::Down, 100)
        .chain(std::iter::repeat_n(KeyCode::PageDown, 50))
        .chain([KeyCode::End, KeyCode::Home])
    {
        let t = Instant::now();
        key(&mut app, code);
        draw(&mut app);
        times.push(t.elapsed());
    }
    report("cursor move / scroll + redraw", times, 16.0, 16.0);

    // Keys that change no filter: the list's cell cursor and column scroll,
    // the timeline's bucket cursor, the help and its search. One frame each.
    let mut times = Vec::new();
    let mut timed = |app: &mut App, code: KeyCode| {
        let t = Instant::now();
        key(app, code);
        draw(app);
        times.push(t.elapsed());
    };
    for _ in 0..9 {
        timed(&mut app, KeyCode::Tab); // the eight cells, then the facets
    }
    timed(&mut app, KeyCode::Tab); // the timeline
    assert_eq!(
        app.main.focus,
        trailscope::tui::views::main::Focus::Timeline
    );
    for code in [KeyCode::Left; 20].into_iter().chain([KeyCode::Right; 10]) {
        timed(&mut app, code);
    }
    timed(&mut app, KeyCode::Tab); // the list
    assert_eq!(app.main.focus, trailscope::tui::views::main::Focus::List);
    for code in [KeyCode::Right, KeyCode::Right, KeyCode::Left, KeyCode::Left] {
        timed(&mut app, code);
    }
    timed(&mut app, KeyCode::Char('?'));
    for code in [KeyCode::Char('/'), KeyCode::Char('z'), KeyCode::Char('o')] {
        timed(&mut app, code);
    }
    timed(&mut app, KeyCode::Esc);
    timed(&mut app, KeyCode::Esc);
    timed(&mut app, KeyCode::Esc);
    report(
        "keys that change no filter (cells, columns, timeline, help) + redraw",
        times,
        16.0,
        16.0,
    );

    let mut times = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        key(&mut app, KeyCode::Enter);
        settle(&mut app);
        draw(&mut app);
        key(&mut app, KeyCode::Esc);
        times.push(t.elapsed());
        key(&mut app, KeyCode::Down);
    }
    report(
        "open detail view (re-reads the event) + redraw",
        times,
        50.0,
        100.0,
    );

    // The users and repositories views are built from the index on first open,
    // by background jobs in the browser (keys are not blocked meanwhile): timed
    // here as one synchronous build, for the README's figures.
    for (view, name) in [
        ('u', "build the users summary (first `u`; a background job)"),
        (
            'r',
            "build the repositories summary (first `r`; a background job)",
        ),
    ] {
        let mut times = Vec::new();
        for _ in 0..3 {
            let mut fresh = App::new(
                app.index.clone(),
                app.report.clone(),
                LoadState::Done { elapsed: load_time },
                Theme::color(),
            );
            let t = Instant::now();
            key(&mut fresh, KeyCode::Char(view));
            draw(&mut fresh);
            times.push(t.elapsed());
        }
        report(name, times, f64::INFINITY, f64::INFINITY);
    }
    println!();
    println!(
        "resident after the session: {:.0} MB (peak {:.0} MB)",
        rss_mb("VmRSS"),
        rss_mb("VmHWM")
    );
}

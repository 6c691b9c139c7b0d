//! Screens rendered into ratatui's TestBackend and compared with reviewed
//! snapshots (tests/snapshots). Temporary paths are masked.

mod common;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::sync::Arc;
use trailscope::load::{LoadOptions, Progress, load};
use trailscope::tui::app::App;
use trailscope::tui::ctx::LoadState;
use trailscope::tui::draw::draw;
use trailscope::tui::theme::Theme;
use trailscope::tui::viewport::{MIN_HEIGHT, MIN_WIDTH};

struct Fixture {
    dir: tempfile::TempDir,
    app: App,
}

fn fixture() -> Fixture {
    let (dir, _) = common::corpus(1_200, 33);
    common::write(
        dir.path(),
        "broken/cut.json",
        r#"{"Records":[{"eventName":"#,
    );
    let app = common::browser(dir.path());
    Fixture { dir, app }
}

fn screen(f: &mut Fixture, width: u16, height: u16) -> String {
    f.app.resize(width, height);
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| draw(frame, &f.app)).unwrap();
    let text = terminal.backend().to_string();
    assert!(!trailscope::sanitize::has_raw_control(
        &text.replace('\n', "")
    ));
    text.replace(&f.dir.path().display().to_string(), "[TMP]")
}

fn key(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
    common::settle(app);
}

#[test]
fn main_screen() {
    let mut f = fixture();
    insta::assert_snapshot!(screen(&mut f, 140, 40));
}

#[test]
fn filtered_with_a_fuzzy_word_and_a_field() {
    let mut f = fixture();
    f.app.set_filter_text("user:alice gitpsh");
    insta::assert_snapshot!(screen(&mut f, 140, 40));
}

#[test]
fn filter_bar_with_a_parse_error() {
    let mut f = fixture();
    key(&mut f.app, KeyCode::Char('/'));
    for c in "errors since:yesterday".chars() {
        key(&mut f.app, KeyCode::Char(c));
    }
    insta::assert_snapshot!(screen(&mut f, 140, 40));
}

/// Focus the facet panes: Shift-Tab from the list (past the timeline).
fn focus_facets(f: &mut Fixture) {
    use trailscope::tui::views::main::Focus;
    for _ in 0..3 {
        if f.app.main.focus == Focus::Facets {
            return;
        }
        key(&mut f.app, KeyCode::BackTab);
    }
    assert_eq!(f.app.main.focus, Focus::Facets);
}

#[test]
fn facet_value_toggled() {
    let mut f = fixture();
    focus_facets(&mut f);
    key(&mut f.app, KeyCode::Right);
    key(&mut f.app, KeyCode::Right); // User
    key(&mut f.app, KeyCode::Down);
    key(&mut f.app, KeyCode::Enter);
    insta::assert_snapshot!(screen(&mut f, 140, 40));
}

#[test]
fn detail_view() {
    let mut f = fixture();
    f.app.set_filter_text("event:UpdatePipeline");
    key(&mut f.app, KeyCode::Enter);
    insta::assert_snapshot!(screen(&mut f, 140, 40));
}

#[test]
fn help_overlay() {
    let mut f = fixture();
    key(&mut f.app, KeyCode::Char('?'));
    insta::assert_snapshot!(screen(&mut f, 140, 40));
}

/// The filter language at the end of the help: long examples stand on their own
/// line and long texts wrap under their column.
#[test]
fn help_overlay_filter_language() {
    for (w, h) in [(80, 24), (140, 40)] {
        let mut f = fixture();
        screen(&mut f, w, h);
        key(&mut f.app, KeyCode::Char('?'));
        key(&mut f.app, KeyCode::End);
        insta::assert_snapshot!(
            format!("help_filter_language_{w}x{h}"),
            screen(&mut f, w, h)
        );
    }
}

#[test]
fn error_list() {
    let mut f = fixture();
    key(&mut f.app, KeyCode::Char('E'));
    insta::assert_snapshot!(screen(&mut f, 140, 40));
}

#[test]
fn tiny_terminal() {
    let mut f = fixture();
    insta::assert_snapshot!(screen(&mut f, 30, 6));
    // One size up from the minimum still draws every region without panicking.
    let text = screen(&mut f, MIN_WIDTH, MIN_HEIGHT);
    assert!(text.contains("Filter"), "{text}");
}

#[test]
fn loading_screen() {
    use std::sync::atomic::Ordering;
    let progress = Arc::new(Progress::default());
    progress.files_total.store(100, Ordering::Relaxed);
    progress.files_done.store(40, Ordering::Relaxed);
    progress.events.store(4_000, Ordering::Relaxed);
    progress.bytes.store(3 << 20, Ordering::Relaxed);
    progress.errors.store(1, Ordering::Relaxed);
    let (dir, _) = common::corpus(300, 1);
    let (index, report) = load(
        &[dir.path().to_path_buf()],
        &LoadOptions::default(),
        &Progress::default(),
    );
    let state = LoadState::Loading { progress };
    let mut f = Fixture {
        dir,
        app: App::new(Arc::new(index), report, state, Theme::mono()),
    };
    insta::assert_snapshot!(screen(&mut f, 140, 40));
}

#[test]
fn pipelines_view_timeline_and_diff() {
    let mut f = fixture();
    key(&mut f.app, KeyCode::Char('p'));
    insta::assert_snapshot!("pipelines_view", screen(&mut f, 140, 30));
    key(&mut f.app, KeyCode::Enter);
    insta::assert_snapshot!("version_timeline", screen(&mut f, 140, 30));
    key(&mut f.app, KeyCode::Enter);
    insta::assert_snapshot!("diff_unified", screen(&mut f, 140, 40));
    key(&mut f.app, KeyCode::Char('s'));
    insta::assert_snapshot!("diff_side_by_side", screen(&mut f, 140, 40));
}

#[test]
fn users_and_repositories_views() {
    let mut f = fixture();
    key(&mut f.app, KeyCode::Char('u'));
    insta::assert_snapshot!("users_view", screen(&mut f, 140, 30));
    key(&mut f.app, KeyCode::Esc);
    key(&mut f.app, KeyCode::Char('r'));
    insta::assert_snapshot!("repositories_view", screen(&mut f, 140, 30));
}

/// Every view at the two sizes the layout must hold at: a small terminal and a
/// large one. Each view's name column is there at 80×24 (low-value columns go
/// first), identities are cut in the middle.
#[test]
fn every_view_at_80x24_and_160x45() {
    for (w, h) in [(80, 24), (160, 45)] {
        let mut f = fixture();
        screen(&mut f, w, h);
        let shot = |f: &mut Fixture, name: &str| {
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen(f, w, h));
        };
        shot(&mut f, "main");
        // The cell cursor on the last cell (Error): at 80 columns the columns
        // scroll to show it.
        for _ in 0..8 {
            key(&mut f.app, KeyCode::Tab);
        }
        shot(&mut f, "list_cell_cursor");
        for _ in 0..8 {
            key(&mut f.app, KeyCode::BackTab);
        }
        f.app.set_filter_text("user:dave");
        shot(&mut f, "main_sso_actor");
        f.app.set_filter_text("");
        focus_facets(&mut f);
        key(&mut f.app, KeyCode::Right);
        key(&mut f.app, KeyCode::Right);
        shot(&mut f, "facet_user_values");
        key(&mut f.app, KeyCode::Tab);
        key(&mut f.app, KeyCode::Left);
        key(&mut f.app, KeyCode::Left);
        shot(&mut f, "timeline_cursor");
        key(&mut f.app, KeyCode::Enter);
        shot(&mut f, "timeline_zoomed");
        key(&mut f.app, KeyCode::Char('z'));
        key(&mut f.app, KeyCode::Tab);
        key(&mut f.app, KeyCode::Enter);
        shot(&mut f, "detail");
        key(&mut f.app, KeyCode::Esc);
        key(&mut f.app, KeyCode::Char('?'));
        shot(&mut f, "help");
        key(&mut f.app, KeyCode::Esc);
        key(&mut f.app, KeyCode::Char('E'));
        shot(&mut f, "load_problems");
        key(&mut f.app, KeyCode::Esc);
        key(&mut f.app, KeyCode::Char('u'));
        shot(&mut f, "users");
        key(&mut f.app, KeyCode::Esc);
        key(&mut f.app, KeyCode::Char('r'));
        shot(&mut f, "repositories");
        key(&mut f.app, KeyCode::Esc);
        key(&mut f.app, KeyCode::Char('p'));
        shot(&mut f, "pipelines");
        key(&mut f.app, KeyCode::Enter);
        shot(&mut f, "versions");
        key(&mut f.app, KeyCode::Enter);
        shot(&mut f, "diff");
        key(&mut f.app, KeyCode::Char('s'));
        shot(&mut f, "diff_side_by_side");
    }
}

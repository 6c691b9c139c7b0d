//! Helpers shared by the integration tests: run the real binary, write inputs.
#![allow(dead_code)]

pub mod moto;

use flate2::{Compression, write::GzEncoder};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_trailscope"))
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(args: &[&str]) -> Run {
    run_with_stdin(args, None)
}

pub fn run_with_stdin(args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut cmd = Command::new(bin());
    cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    let mut child = cmd.spawn().expect("spawn trailscope");
    if let Some(data) = stdin {
        child.stdin.take().unwrap().write_all(data).unwrap();
    }
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().unwrap();
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

pub fn gz(data: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

pub fn write(dir: &Path, name: &str, data: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, data).unwrap();
    path
}

/// A minimal event with the fields the tests look at.
pub fn event(id: &str, name: &str, user: &str, time: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.09","eventTime":"{time}","eventSource":"s3.amazonaws.com","eventName":"{name}","awsRegion":"us-east-1","userIdentity":{{"type":"IAMUser","userName":"{user}","arn":"arn:aws:iam::111122223333:user/{user}","accountId":"111122223333"}},"eventID":"{id}","recipientAccountId":"111122223333","readOnly":true}}"#
    )
}

pub fn stats_json(args: &[&str]) -> (serde_json::Value, Run) {
    let mut all = vec!["stats", "--format", "json"];
    all.extend_from_slice(args);
    let r = run(&all);
    let v = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("stats JSON: {e}\n{}\n{}", r.stdout, r.stderr));
    (v, r)
}

/// The generated corpus, written once per test binary.
pub fn corpus(events: usize, seed: u64) -> (tempfile::TempDir, trailscope::corpus::Summary) {
    let dir = tempfile::tempdir().unwrap();
    let spec = trailscope::corpus::Spec {
        events,
        seed,
        events_per_file: 60,
        single_file: false,
        ..Default::default()
    };
    let summary = trailscope::corpus::generate(&spec, dir.path()).unwrap();
    (dir, summary)
}

/// A browser state over everything in `dir`, loaded and done (monochrome theme).
pub fn browser(dir: &Path) -> trailscope::tui::app::App {
    use trailscope::load::{LoadOptions, Progress, load};
    use trailscope::tui::app::App;
    use trailscope::tui::ctx::LoadState;
    let (index, report) = load(
        &[dir.to_path_buf()],
        &LoadOptions::default(),
        &Progress::default(),
    );
    let done = LoadState::Done {
        elapsed: std::time::Duration::from_millis(40),
    };
    App::new(
        std::sync::Arc::new(index),
        report,
        done,
        trailscope::tui::theme::Theme::mono(),
    )
}

/// Does the background work the run loop would (re-reading events for the
/// detail view) synchronously, and hands the answers to the app.
pub fn settle(app: &mut trailscope::tui::app::App) {
    use trailscope::tui::app::Effect;
    use trailscope::tui::jobs::Msg;
    use trailscope::tui::views::detail::EventDoc;
    let effects = std::mem::take(&mut app.effects);
    for effect in effects {
        match effect {
            Effect::ReadEvent { request, event } => {
                let doc = Box::new(EventDoc::read(&app.index, event));
                app.on_msg(Msg::EventRead { request, doc });
            }
            other => app.effects.push(other),
        }
    }
}

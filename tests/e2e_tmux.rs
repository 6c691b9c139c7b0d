//! End to end: the real binary in a real terminal (tmux), driven by keystrokes.

mod common;
use std::process::Command;
use std::time::{Duration, Instant};
use trailscope::format::thousands;
use trailscope::load::{LoadOptions, Progress, load};
use trailscope::query::{Compiled, Filter};

/// A tmux server of our own (its own socket), killed when dropped.
pub struct Tmux {
    socket: String,
    session: String,
}

impl Tmux {
    pub fn start(command: &str, width: u16, height: u16) -> Tmux {
        let socket = format!("trailscope-test-{}-{}", std::process::id(), rand_suffix());
        let t = Tmux {
            socket,
            session: "main".into(),
        };
        let ok = Command::new("tmux")
            .args([
                "-L",
                &t.socket,
                "new-session",
                "-d",
                "-x",
                &width.to_string(),
                "-y",
                &height.to_string(),
                "-s",
                &t.session,
            ])
            .arg(command)
            .env("TERM", "xterm-256color")
            .status()
            .expect("tmux is needed for the end-to-end tests (apt-get install tmux)");
        assert!(ok.success());
        t
    }

    pub fn keys(&self, keys: &[&str]) {
        let status = Command::new("tmux")
            .args(["-L", &self.socket, "send-keys", "-t", &self.session])
            .args(keys)
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Types text literally.
    pub fn type_text(&self, text: &str) {
        let status = Command::new("tmux")
            .args([
                "-L",
                &self.socket,
                "send-keys",
                "-l",
                "-t",
                &self.session,
                text,
            ])
            .status()
            .unwrap();
        assert!(status.success());
    }

    pub fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args([
                "-L",
                &self.socket,
                "capture-pane",
                "-p",
                "-t",
                &self.session,
            ])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn alive(&self) -> bool {
        Command::new("tmux")
            .args(["-L", &self.socket, "has-session", "-t", &self.session])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    }

    /// Waits until the screen satisfies `pred` in two captures 50 ms apart and
    /// returns the second (a capture can land while a frame is being written);
    /// panics with the screen after `secs`.
    pub fn wait_for(&self, what: &str, secs: u64, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if pred(&s) {
                std::thread::sleep(Duration::from_millis(50));
                let settled = self.screen();
                if pred(&settled) {
                    return settled;
                }
                continue;
            }
            if start.elapsed() > Duration::from_secs(secs) {
                panic!("timed out waiting for {what}; screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn wait_exit(&self, secs: u64) {
        let start = Instant::now();
        while self.alive() {
            assert!(
                start.elapsed() < Duration::from_secs(secs),
                "still running:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

/// The browser on `dir` in a 140×40 terminal, once it has loaded; the shell
/// prints the browser's exit status (`EXIT=…`) into the pane after it ends.
fn browse(dir: &std::path::Path) -> Tmux {
    let cmd = format!(
        "{} {}; echo EXIT=$?; sleep 30",
        common::bin().display(),
        dir.display()
    );
    let t = Tmux::start(&cmd, 140, 40);
    t.wait_for("loading to finish", 30, |s| s.contains("loaded in"));
    t
}

/// A generated trail, its index (to compute what the screen must show) and
/// its event count as the status bar writes it, open in the browser with every
/// event listed.
fn browse_loaded(
    events: usize,
    seed: u64,
) -> (tempfile::TempDir, trailscope::index::Index, String, Tmux) {
    let (dir, _) = common::corpus(events, seed);
    let (index, _) = load(
        &[dir.path().to_path_buf()],
        &LoadOptions::default(),
        &Progress::default(),
    );
    let total = thousands(index.len());
    let t = browse(dir.path());
    let everything = format!("{total} of {total} events");
    t.wait_for("every event", 30, |s| s.contains(&everything));
    (dir, index, total, t)
}

/// `q`: the browser ends with status 0; the screen after it.
fn quit(t: &Tmux) -> String {
    t.keys(&["q"]);
    let screen = t.wait_for("the program to exit", 10, |s| s.contains("EXIT="));
    assert!(screen.contains("EXIT=0"), "{screen}");
    screen
}

#[test]
fn open_filter_read_an_event_and_quit() {
    let (_dir, index, total, t) = browse_loaded(3_000, 12);
    let pushes = Compiled::new(&Filter::parse("event:GitPush").unwrap(), &index)
        .select()
        .len();

    t.keys(&["/"]);
    t.type_text("event:GitPush");
    t.keys(&["Enter"]);
    let want = format!("{} of {total} events", thousands(pushes));
    let screen = t.wait_for("the filtered count", 10, |s| s.contains(&want));
    assert!(screen.contains("Filter   event:GitPush"), "{screen}");

    t.keys(&["Enter"]);
    let screen = t.wait_for("the detail view", 10, |s| {
        s.contains("When") && s.contains("\"eventName\": \"GitPush\"")
    });
    assert!(
        screen.contains("codecommit.amazonaws.com · GitPush"),
        "{screen}"
    );
    t.keys(&["Escape"]);
    t.wait_for("the list again", 10, |s| {
        s.contains("Events · newest first")
    });
    let screen = quit(&t);
    // The alternate screen is gone: the browser's frame is no longer on screen.
    assert!(!screen.contains("Facets"), "{screen}");
}

/// `f` on a line of the detail view filters the list to that value with its
/// field; Backspace on the list goes back to the filter before.
#[test]
fn pivot_from_a_detail_line_and_step_back() {
    let (_dir, index, total, t) = browse_loaded(3_000, 12);
    let everything = format!("{total} of {total} events");
    t.keys(&["Enter"]);
    t.wait_for("the detail view", 10, |s| s.contains("\"eventName\": \""));
    // Fold every object, so each top-level field is one line, then put the
    // cursor (on the opening brace) on `eventName`.
    t.keys(&["-"]);
    let screen = t.wait_for("the folded event", 10, |s| s.contains("{…}"));
    let lines: Vec<&str> = screen.lines().collect();
    let top = lines.iter().position(|l| l.contains("┌ JSON")).unwrap() + 1;
    let at = lines
        .iter()
        .position(|l| l.contains("\"eventName\": \""))
        .unwrap();
    let name = lines[at]
        .split("\"eventName\": \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    let downs = vec!["j"; at - top];
    t.keys(&downs);
    t.keys(&["f"]);
    let filter = format!("event:{name}");
    let n = Compiled::new(&Filter::parse(&filter).unwrap(), &index)
        .select()
        .len();
    assert!(n > 0 && thousands(n) != total, "{filter}: {n}");
    let want = format!("{} of {total} events", thousands(n));
    let screen = t.wait_for("the list filtered to the value", 10, |s| {
        s.contains(&want) && s.contains("Events · newest first")
    });
    assert!(screen.contains(&format!("Filter   {filter}")), "{screen}");
    t.keys(&["BSpace"]);
    let screen = t.wait_for("the filter before", 10, |s| s.contains(&everything));
    assert!(screen.contains("Filter   (none"), "{screen}");
    assert!(screen.contains("back to no filter"), "{screen}");
    quit(&t);
}

/// The timeline: Shift-Tab to it, move the bucket cursor, Enter zooms into the
/// bucket: the filter bar shows its `since:`/`until:`, and the count is the
/// bucket's (as the title said, and as the filter gives on the CLI's index).
#[test]
fn zoom_the_timeline_into_a_bucket() {
    let (_dir, index, total, t) = browse_loaded(3_000, 12);
    // " Timeline · 2024-03-01 00:18:30–00:18:45 · 48 events ..." (a bucket
    // within a day, as every bucket of this 20-minute trail is)
    let bucket = |s: &str| -> Option<(String, String, String)> {
        let rest = s.split("Timeline · ").nth(1)?;
        let mut parts = rest.split(" · ");
        let (from, to_time) = parts.next()?.split_once('–')?;
        let (day, _) = from.split_once(' ')?;
        let count = parts.next()?.split(' ').next()?.to_string();
        Some((from.to_string(), format!("{day} {to_time}"), count))
    };
    // Shift-Tab from the list: the timeline (Tab walks the list's cells first).
    t.keys(&["BTab"]);
    let screen = t.wait_for("the timeline focused", 10, |s| bucket(s).is_some());
    let newest = bucket(&screen);
    t.keys(&["Left"]);
    let screen = t.wait_for("the cursor a bucket back", 10, |s| {
        bucket(s).is_some() && bucket(s) != newest
    });
    let (from, to, count) = bucket(&screen).expect("a bucket in the title");
    let rfc = |t: &str| format!("{}Z", t.replace(' ', "T"));
    let filter = format!("since:{} until:{}", rfc(&from), rfc(&to));
    let n = Compiled::new(&Filter::parse(&filter).unwrap(), &index)
        .select()
        .len();
    assert_eq!(thousands(n), count, "{filter}");
    assert!(n > 0);
    t.keys(&["Enter"]);
    let want = format!("{count} of {total} events");
    let screen = t.wait_for("the bucket's events", 10, |s| s.contains(&want));
    assert!(screen.contains(&format!("Filter   {filter}")), "{screen}");
    t.keys(&["z"]);
    let screen = t.wait_for("zoomed back out", 10, |s| {
        s.contains(&format!("{total} of {total} events"))
    });
    assert!(screen.contains("Filter   (none"), "{screen}");
    quit(&t);
}

/// `/` in the users view narrows the actors as you type; Esc brings them back.
#[test]
fn search_the_users_view() {
    let (dir, _) = common::corpus(3_000, 12);
    let t = browse(dir.path());
    t.keys(&["u"]);
    let all = t.wait_for("the users view", 10, |s| s.contains(" Users · "));
    assert!(all.contains("alice"), "{all}");
    t.keys(&["/"]);
    t.type_text("bob");
    let narrowed = t.wait_for("the narrowed rows", 10, |s| s.contains("/bob▏"));
    let table: Vec<&str> = narrowed
        .lines()
        .skip_while(|l| !l.contains(" Users · "))
        .skip(2)
        .take_while(|l| !l.starts_with('└'))
        .filter(|l| !l.trim_matches(|c| c == '│' || c == ' ').is_empty())
        .collect();
    assert!(!table.is_empty(), "{narrowed}");
    assert!(
        table.iter().all(|row| row.to_lowercase().contains("bob")),
        "{narrowed}"
    );
    assert!(
        narrowed.contains(" of "),
        "the title counts the rows kept: {narrowed}"
    );
    t.keys(&["Enter"]);
    t.wait_for("the kept narrowing", 10, |s| s.contains("/bob (Esc: all)"));
    t.keys(&["Escape"]);
    let back = t.wait_for("every actor again", 10, |s| {
        s.lines()
            .any(|l| l.contains(" Users · ") && !l.contains(" · /bob") && !l.contains(" of "))
    });
    assert!(back.contains("alice"), "{back}");
    t.keys(&["Escape"]);
    t.wait_for("the list", 10, |s| s.contains("Events · newest first"));
    quit(&t);
}

/// At 120 columns the list's Actor column still shows an SSO session's e-mail:
/// the identity is cut in the middle, and less telling columns give way.
#[test]
fn an_sso_actors_email_is_visible_at_120_columns() {
    let (dir, _) = common::corpus(3_000, 12);
    let cmd = format!(
        "{} --filter user:dave {}; echo EXIT=$?; sleep 30",
        common::bin().display(),
        dir.path().display()
    );
    let t = Tmux::start(&cmd, 120, 40);
    let screen = t.wait_for("the filtered list", 30, |s| {
        s.contains("loaded in") && s.contains("Events · newest first")
    });
    // The list is right of the facet panes (`││` between them).
    let rows: Vec<&str> = screen
        .lines()
        .filter_map(|l| l.split_once("││").map(|(_, list)| list))
        .filter(|l| l.contains("AWSReserved"))
        .collect();
    assert!(!rows.is_empty(), "{screen}");
    let missing: Vec<&&str> = rows
        .iter()
        .filter(|r| !r.contains("/dave@example.com"))
        .collect();
    assert!(missing.is_empty(), "{missing:?}\n{screen}");
    quit(&t);
}

#[test]
fn open_a_pipeline_diff() {
    let (dir, _) = common::corpus(3_000, 12);
    let t = browse(dir.path());
    t.keys(&["p"]);
    t.wait_for("the pipelines view", 10, |s| {
        s.contains("Pipelines ·") && s.contains("Deploy")
    });
    t.keys(&["Enter"]);
    t.wait_for("the version timeline", 10, |s| {
        s.contains("What changed") && s.contains("Enter: diff")
    });
    t.keys(&["Enter"]);
    let screen = t.wait_for("the diff view", 10, |s| {
        s.contains("JSON · n/N next/previous change")
    });
    assert!(screen.contains(" change"), "{screen}");
    t.keys(&["s"]);
    t.wait_for("side by side", 10, |s| s.contains("side by side ─"));
    t.keys(&["Escape"]);
    t.keys(&["Escape"]);
    t.keys(&["Escape"]);
    t.wait_for("the main screen", 10, |s| {
        s.contains("Events · newest first")
    });
    quit(&t);
}

impl Tmux {
    fn title(&self) -> String {
        let out = Command::new("tmux")
            .args([
                "-L",
                &self.socket,
                "display-message",
                "-p",
                "-t",
                &self.session,
                "#{pane_title}",
            ])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn resize(&self, width: u16, height: u16) {
        let status = Command::new("tmux")
            .args([
                "-L",
                &self.socket,
                "resize-window",
                "-t",
                &self.session,
                "-x",
                &width.to_string(),
                "-y",
                &height.to_string(),
            ])
            .status()
            .unwrap();
        assert!(status.success());
    }
}

#[test]
fn a_hostile_user_agent_cannot_touch_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let evil = "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{1b}[H\u{1b}[31mRED\u{202e}txt.exe";
    let event = serde_json::json!({"Records": [{
        "eventID": "e1", "eventName": "GetObject", "eventTime": "2024-03-01T10:00:00Z", "eventSource": "s3.amazonaws.com",
        "awsRegion": "us-east-1", "userAgent": evil, "sourceIPAddress": "203.0.113.9",
        "userIdentity": {"type": "IAMUser", "userName": format!("mallory{evil}")}
    }]});
    common::write(
        dir.path(),
        "evil.json",
        serde_json::to_string(&event).unwrap(),
    );
    let cmd = format!(
        "printf '\\033]2;clean-title\\007'; {} {}; echo EXIT=$?; sleep 30",
        common::bin().display(),
        dir.path().display()
    );
    let t = Tmux::start(&cmd, 140, 40);
    t.wait_for("the event list", 20, |s| {
        s.contains("1 of 1 events") && s.contains("loaded in")
    });
    assert_eq!(t.title(), "clean-title");
    t.keys(&["Enter"]);
    // Waits for the whole frame: a capture can land while the frame is being written.
    let screen = t.wait_for("the detail view", 10, |s| {
        s.contains("When") && s.contains("Esc back")
    });
    // The escapes are shown as text, and the frame around them is intact.
    assert!(
        screen.contains("\\u{1b}]0;pwned\\u{7}\\u{1b}[2J"),
        "{screen}"
    );
    assert!(
        screen.contains("┌ Event") && screen.contains("┌ JSON") && screen.contains("Esc back"),
        "{screen}"
    );
    assert_eq!(t.title(), "clean-title", "the window title changed");
    // Resize down to 20×6 and back.
    t.resize(20, 6);
    t.wait_for("the small-terminal message", 10, |s| {
        s.contains("terminal too")
    });
    t.resize(140, 40);
    let screen = t.wait_for("the detail view again", 10, |s| s.contains("┌ JSON"));
    assert!(screen.contains("When"), "{screen}");
    t.keys(&["Escape"]);
    // `q` only once the list is back: an Escape and a `q` in one read of the
    // terminal are Alt+q, which is not a key of the list.
    t.wait_for("the event list again", 10, |s| {
        s.contains("Events · newest first")
    });
    quit(&t);
    assert_eq!(t.title(), "clean-title");
}

#[test]
fn sigterm_restores_the_terminal() {
    let (dir, _) = common::corpus(500, 3);
    let marker = dir.path().display().to_string();
    let cmd = format!(
        "{} {marker}; echo EXIT=$?; sleep 30",
        common::bin().display()
    );
    let t = Tmux::start(&cmd, 120, 30);
    t.wait_for("the browser", 20, |s| s.contains("loaded in"));
    let pids = Command::new("pgrep")
        .args(["-f", &format!("trailscope {marker}")])
        .output()
        .unwrap();
    let pids = String::from_utf8_lossy(&pids.stdout).to_string();
    // The browser itself, not the shell that started it (its command line matches too).
    let pid = pids
        .lines()
        .map(str::trim)
        .find(|p| {
            std::fs::read_to_string(format!("/proc/{p}/comm"))
                .is_ok_and(|c| c.trim() == "trailscope")
        })
        .expect("the browser's pid")
        .to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let screen = t.wait_for("the program to exit", 10, |s| s.contains("EXIT="));
    assert!(
        !screen.contains("Facets"),
        "the alternate screen was left: {screen}"
    );
    // Raw mode is off again: typed text echoes in the shell.
    t.type_text("echo typed-after");
    t.keys(&["Enter"]);
    t.wait_for("the shell to echo", 10, |s| s.contains("typed-after"));
}

// Issue 10, item 15: closing the window (SIGHUP) deletes the standard-input spool,
// as quitting and SIGTERM do.
#[test]
fn sighup_removes_the_stdin_spool() {
    let (dir, _) = common::corpus(300, 5);
    let input = dir.path().join("all.jsonl");
    let mut lines = String::new();
    for entry in walk_files(dir.path()) {
        let raw = std::fs::read(&entry).unwrap();
        let mut text = String::new();
        use std::io::Read;
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_string(&mut text)
            .unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        for r in v["Records"].as_array().unwrap() {
            lines.push_str(&r.to_string());
            lines.push('\n');
        }
    }
    std::fs::write(&input, lines).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let cmd = format!(
        "env TMPDIR={} {} - < {}",
        tmp.path().display(),
        common::bin().display(),
        input.display()
    );
    let t = Tmux::start(&cmd, 120, 30);
    t.wait_for("the browser", 20, |s| s.contains("loaded in"));
    let spools = || {
        std::fs::read_dir(tmp.path())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with("trailscope-stdin-")
            })
            .count()
    };
    assert_eq!(spools(), 1, "the spool exists while browsing");
    // Closing the terminal sends SIGHUP to the program.
    drop(t);
    let start = Instant::now();
    while spools() > 0 {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the stdin spool was left in {}",
            tmp.path().display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn walk_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().filter_map(Result::ok) {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk_files(&p));
        } else if p.to_string_lossy().ends_with(".gz") {
            out.push(p);
        }
    }
    out
}

/// The browser on an `s3://` location (moto's server on 127.0.0.1), following it:
/// an object delivered after the start shows up in the list.
#[test]
fn the_browser_opens_and_follows_an_s3_bucket() {
    use common::moto::Moto;
    let moto = Moto::start();
    let (dir, summary) = common::corpus(1_500, 21);
    moto.put_tree("trail-bucket", dir.path(), "");
    let env: Vec<String> = {
        let cmd = moto.command(&[]);
        cmd.get_envs()
            .filter_map(|(k, v)| Some(format!("{}={}", k.to_str()?, v?.to_str()?)))
            .collect()
    };
    let command = format!(
        "env -u AWS_PROFILE {} {} --follow --poll 1 s3://trail-bucket",
        env.join(" "),
        common::bin().display()
    );
    let t = Tmux::start(&command, 140, 40);
    let total = thousands(summary.events);
    t.wait_for("the S3 trail to load", 30, |s| {
        s.contains(&format!("{total} of {total} events"))
            && s.contains("following · no delivery yet")
    });
    let today = chrono::Utc::now();
    let body = format!(
        "{{\"Records\":[{}]}}",
        common::event(
            "followed-1",
            "FollowedEvent",
            "newbie",
            &today.format("%Y-%m-%dT%H:%M:%SZ").to_string()
        )
    );
    moto.put(
        "trail-bucket",
        &format!(
            "AWSLogs/111122223333/CloudTrail/us-east-1/{}/111122223333_CloudTrail_us-east-1_new.json",
            today.format("%Y/%m/%d")
        ),
        body.as_bytes(),
    );
    let screen = t.wait_for("the new delivery", 15, |s| {
        s.contains("FollowedEvent") && s.contains("following · last delivery")
    });
    assert!(
        screen.contains(&format!(
            "{} of {} events",
            thousands(summary.events + 1),
            thousands(summary.events + 1)
        )),
        "{screen}"
    );
    t.keys(&["Enter"]);
    t.wait_for("the detail view, read from the cache", 10, |s| {
        s.contains("followed-1") && s.contains("s3://trail-bucket/AWSLogs/111122223333/")
    });
    t.keys(&["q", "q"]);
    t.wait_exit(5);
}

//! The cases of issue #10 ("nothing lost, nothing hangs"), each generated here.

use crate::common::*;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use trailscope::tui::views::detail::EventDoc;

/// Runs the binary with a deadline: a hang is a test failure, not a stuck suite.
pub fn run_within(secs: u64, args: &[&str], stdin: Option<Vec<u8>>) -> Run {
    let mut child = Command::new(bin())
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let feeder = stdin.map(|data| {
        let mut pipe = child.stdin.take().unwrap();
        std::thread::spawn(move || {
            let _ = pipe.write_all(&data);
        })
    });
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(secs) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("trailscope {args:?} still running after {secs} s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    if let Some(f) = feeder {
        let _ = f.join();
    }
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(ok.success(), "mkfifo failed");
}

fn line(i: usize) -> String {
    event(
        &format!("id-{i}"),
        "GetObject",
        "alice",
        "2024-03-01T10:00:00Z",
    )
}

// Item 1: a FIFO in a walked directory is skipped and counted; one named on the
// command line reads as a stream and never blocks forever.
#[test]
fn a_fifo_never_hangs_the_load() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.json", line(1));
    mkfifo(&dir.path().join("zzz.json"));
    let p = dir.path().to_str().unwrap();
    let r = run_within(20, &["stats", "--format", "json", p], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["events"], 1);
    assert_eq!(v["files"]["skipped"], 1, "{v:#}");
    let r = run_within(20, &["query", p], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("not a regular file"), "{}", r.stderr);
    // Named on the command line with no writer: read as an empty stream.
    let fifo = dir.path().join("zzz.json");
    let r = run_within(20, &["stats", fifo.to_str().unwrap()], None);
    assert_eq!(r.code, 1, "{}", r.stderr);
}

// Item 2: the cap applies to devices, links to devices and standard input, and
// events before the cap are kept.
#[test]
fn endless_inputs_stop_at_the_cap() {
    let r = run_within(30, &["stats", "--max-file-bytes", "1M", "/dev/zero"], None);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("exceeds the per-file limit of 1.0 MiB"),
        "{}",
        r.stderr
    );
    // With the default cap of 4G, /dev/zero is given up on at its first chunk.
    let r = run_within(30, &["stats", "/dev/zero"], None);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("not JSON"), "{}", r.stderr);
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "good.json", line(1));
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("a.json")).unwrap();
    let (v, r) = stats_json(&["--max-file-bytes", "1M", dir.path().to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(v["events"], 1);
    // `yes '{…}' | trailscope stats --max-file-bytes 1M -`: 4 MiB of lines.
    let one = line(7) + "\n";
    let many = one.repeat((4 << 20) / one.len());
    let r = run_within(
        30,
        &["stats", "--format", "json", "--max-file-bytes", "1M", "-"],
        Some(many.into_bytes()),
    );
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let kept = ((1 << 20) / one.len()) as u64;
    assert_eq!(v["duplicates"].as_u64().unwrap() + 1, kept, "{v:#}");
    let failures = v["failures"].to_string();
    assert!(
        failures.contains("exceeds the per-file limit of 1.0 MiB")
            && failures.contains(&format!("{kept} event(s) before this point were kept")),
        "{failures}"
    );
}

// Item 2: a plain file over the cap keeps the events before it, whatever its shape;
// a JSON-lines file larger than a streaming chunk loads whole.
#[test]
fn plain_files_over_the_cap_keep_their_first_events() {
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<String> = (0..20_000).map(line).collect();
    write(dir.path(), "big.jsonl", lines.join("\n"));
    write(
        dir.path(),
        "big.json",
        format!("{{\"Records\":[{}]}}", lines.join(",")),
    );
    for name in ["big.jsonl", "big.json"] {
        let path = dir.path().join(name);
        let (v, _) = stats_json(&["--max-file-bytes", "1M", path.to_str().unwrap()]);
        let events = v["events"].as_u64().unwrap();
        assert!(events > 1000 && events < 20_000, "{name}: {v:#}");
        let failures = v["failures"].to_string();
        assert!(
            failures.contains("exceeds the per-file limit")
                && failures.contains(&format!("({events} event(s) before this point were kept)")),
            "{name}: {failures}"
        );
    }
    // 45 MB of JSON lines: several streaming chunks, every event, line numbers of
    // the whole file in errors.
    let big: Vec<String> = (0..150_000).map(line).collect();
    let mut text = big.join("\n");
    text.push_str("\n{\"eventID\": broken\n");
    text.push_str(&line(150_001));
    write(dir.path(), "huge.jsonl", &text);
    let (v, _) = stats_json(&[dir.path().join("huge.jsonl").to_str().unwrap()]);
    assert_eq!(v["events"], 150_001, "{v:#}");
    let failures = v["failures"].to_string();
    assert!(failures.contains("line 150001"), "{failures}");
}

// Item 14: without a terminal the browser exits 2 with one line naming the subcommands.
#[test]
fn the_browser_refuses_to_start_without_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.json", line(1));
    let r = run_within(20, &[dir.path().to_str().unwrap()], None);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(r.stdout, "", "nothing is drawn into the output");
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("query") && r.stderr.contains("stats"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}

// Item 17: filters that start with `-` are accepted; a lone `-` is a parse error.
#[test]
fn filters_may_start_with_a_minus() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().to_str().unwrap();
    let text = [
        event("1", "GetObject", "alice", "2024-03-01T10:00:00Z"),
        event("2", "PutObject", "bob", "2024-03-01T10:00:01Z"),
    ]
    .join("\n");
    write(dir.path(), "a.jsonl", text);
    for (filter, want) in [("-errors", 2), ("-user:alice", 1)] {
        let r = run(&["query", "--format", "jsonl", "--filter", filter, p]);
        assert_eq!(r.code, 0, "{filter}: {}", r.stderr);
        assert_eq!(r.stdout.lines().count(), want, "{filter}");
        let r = run(&["stats", &format!("--filter={filter}"), p]);
        assert_eq!(r.code, 0, "{filter}: {}", r.stderr);
    }
    let r = run(&["query", "--filter=- errors", p]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("lone `-`"), "{}", r.stderr);
}

// Item 18: a `user:` list of 1,000 values costs about what one value costs.
#[test]
fn a_long_user_list_is_not_slow() {
    let (dir, _) = corpus(20_000, 18);
    let p = dir.path().to_str().unwrap();
    let time = |filter: &str| {
        let start = Instant::now();
        let r = run(&["query", "--format", "jsonl", "--filter", filter, p]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        (start.elapsed(), r.stdout.lines().count())
    };
    let (one, n1) = time("user:nobody-0");
    let list: Vec<String> = (0..1000).map(|i| format!("nobody-{i}")).collect();
    let (many, n2) = time(&format!("user:{}", list.join(",")));
    assert_eq!((n1, n2), (0, 0));
    assert!(
        many < one * 3 + Duration::from_secs(1),
        "1 value: {one:?}, 1,000 values: {many:?}"
    );
}

// Item 7: events with no valid time sort last in both orders.
#[test]
fn events_without_a_time_sort_last_in_both_orders() {
    let dir = tempfile::tempdir().unwrap();
    let text = [
        event("1", "Early", "alice", "2024-03-01T10:00:00Z"),
        event("2", "NoTime", "alice", "not a time"),
        event("3", "Late", "alice", "2024-03-02T10:00:00Z"),
    ]
    .join("\n");
    write(dir.path(), "a.jsonl", text);
    let mut app = browser(dir.path());
    let names = |app: &trailscope::tui::app::App| -> Vec<String> {
        app.results
            .shown()
            .iter()
            .map(|i| app.index.event(i as usize).name().to_string())
            .collect()
    };
    assert!(app.results.newest_first);
    assert_eq!(names(&app), ["Late", "Early", "NoTime"]);
    app.results.newest_first = false;
    app.set_filter_text("");
    assert_eq!(names(&app), ["Early", "Late", "NoTime"]);
}

// Item 4: an unpaired surrogate keeps its event, in every shape.
#[test]
fn an_unpaired_surrogate_keeps_the_event() {
    let dir = tempfile::tempdir().unwrap();
    let bad = event("s1", "GetObject", "alice", "2024-03-01T10:00:00Z")
        .replace("\"readOnly\"", "\"userAgent\":\"x\\ud800y\",\"readOnly\"");
    let good = event("s2", "PutObject", "bob", "2024-03-01T10:00:01Z");
    write(
        dir.path(),
        "records.json",
        format!("{{\"Records\":[{bad},{good}]}}"),
    );
    write(dir.path(), "lines.jsonl", format!("{good}\n{bad}\n"));
    let item = serde_json::json!({"EventId": "s1", "CloudTrailEvent": bad}).to_string();
    write(
        dir.path(),
        "lookup.json",
        format!("{{\"Events\":[{item}]}}"),
    );
    let p = dir.path().to_str().unwrap();
    let (v, r) = stats_json(&[p]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(v["files"]["failed"], 0, "{v:#}");
    assert_eq!(v["warnings"].as_array().unwrap().len(), 0, "{v:#}");
    // Three copies of s1 (all the same record) and two of s2.
    assert_eq!(v["events"], 2, "{v:#}");
    assert_eq!(v["duplicates"], 3, "{v:#}");
    let r = run(&[
        "query",
        "--format",
        "jsonl",
        "--filter",
        "event:GetObject",
        p,
    ]);
    assert_eq!(r.stdout.lines().count(), 1, "{}", r.stderr);
    assert!(r.stdout.contains(r"x\ud800y"), "{}", r.stdout);
    let r = run(&["query", "--format", "csv", "--filter", "user:alice", p]);
    assert_eq!(r.stdout.lines().count(), 2, "{}", r.stdout);
}

fn pipeline_event(id: &str, name: &str, time: &str, request: Value, response: Value) -> String {
    serde_json::json!({
        "eventVersion": "1.09", "eventID": id, "eventTime": time,
        "eventSource": "codepipeline.amazonaws.com", "eventName": name,
        "awsRegion": "us-east-1", "recipientAccountId": "111122223333",
        "userIdentity": {"type": "IAMUser", "userName": "alice"},
        "requestParameters": {"pipeline": request},
        "responseElements": {"pipeline": response}
    })
    .to_string()
}

use serde_json::{Value, json};

fn structure(version: Value, project: &str) -> Value {
    json!({"name": "P", "version": version, "stages": [{"name": "Build", "actions": [{"name": "B", "configuration": {"ProjectName": project}}]}]})
}

// Item 3: huge, zero and backwards version numbers.
#[test]
fn huge_pipeline_versions_are_ranges_not_allocations() {
    let dir = tempfile::tempdir().unwrap();
    let events = [
        pipeline_event(
            "c",
            "CreatePipeline",
            "2024-03-01T10:00:00Z",
            structure(json!(0), "a"),
            structure(json!(1), "a"),
        ),
        pipeline_event(
            "u1",
            "UpdatePipeline",
            "2024-03-01T10:01:00Z",
            structure(json!(1), "b"),
            structure(json!(1_000_000_000_000u64), "b"),
        ),
        // Not above the previous version: an anomaly, not a backwards diff.
        pipeline_event(
            "u2",
            "UpdatePipeline",
            "2024-03-01T10:02:00Z",
            structure(json!(1), "c"),
            structure(json!(0), "c"),
        ),
        pipeline_event(
            "u3",
            "UpdatePipeline",
            "2024-03-01T10:03:00Z",
            structure(json!(1), "d"),
            structure(json!(5), "d"),
        ),
        pipeline_event(
            "u4",
            "UpdatePipeline",
            "2024-03-01T10:04:00Z",
            structure(json!(u64::MAX), "e"),
            Value::Null,
        ),
    ];
    write(dir.path(), "p.jsonl", events.join("\n"));
    let p = dir.path().to_str().unwrap();
    let r = run_within(30, &["pipelines", "--format", "json", p], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let l = &v[0];
    let numbers: Vec<u64> = l["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["version"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, [1, 1_000_000_000_000], "{l:#}");
    assert_eq!(l["missing_versions"], json!([[2, 999_999_999_999u64]]));
    let anomalies: Vec<&str> = l["anomalies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["event_id"].as_str().unwrap())
        .collect();
    assert_eq!(anomalies, ["u2", "u3", "u4"], "{l:#}");
    // The table shows the whole number.
    let r = run_within(30, &["pipelines", p], None);
    assert!(r.stdout.contains("1000000000000"), "{}", r.stdout);
    assert!(!r.stdout.contains(" v0"), "{}", r.stdout);
    assert_eq!(
        trailscope::output::pipelines::version_label("v1000000000000", 9),
        "v1000000…"
    );
}

// Item 12: values embedded in messages cannot forge lines.
#[test]
fn messages_cannot_forge_lines() {
    let dir = tempfile::tempdir().unwrap();
    let forged = "9\ntrailscope: all files verified OK";
    let in_account = |id: &str, account: &str| {
        let mut v: Value = serde_json::from_str(&pipeline_event(
            id,
            "CreatePipeline",
            "2024-03-01T10:00:00Z",
            structure(json!(0), "a"),
            structure(json!(1), "a"),
        ))
        .unwrap();
        v["recipientAccountId"] = json!(account);
        v.to_string()
    };
    write(
        dir.path(),
        "p.jsonl",
        [in_account("a", "111122223333"), in_account("b", forged)].join("\n"),
    );
    let p = dir.path().to_str().unwrap();
    let r = run(&["diff", "--pipeline", "P", p]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        !r.stderr
            .lines()
            .any(|l| l.starts_with("trailscope: all files")),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains(r"9\u{a}trailscope"), "{}", r.stderr);
    // A name given on the command line, echoed back.
    let r = run(&["diff", "--pipeline", "x\ntrailscope: ok\ty", p]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(!r.stderr.contains('\t'), "{}", r.stderr);
    let r = run(&["query", "--since", "a\nb", p]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
}

// Item 11: invisible and format characters are escaped in text output; combining
// marks are capped, so a cell stays near its width.
#[test]
fn invisible_characters_and_mark_floods_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let hidden = "ad\u{e0041}min\u{ad}\u{3164}\u{fffe}\u{e000}\u{fe0f}";
    let zalgo = format!("e{}", "\u{301}".repeat(5000));
    let text = [
        event("1", "GetObject", hidden, "2024-03-01T10:00:00Z"),
        event("2", "GetObject", &zalgo, "2024-03-01T10:00:01Z"),
    ]
    .join("\n");
    write(dir.path(), "a.jsonl", text);
    let p = dir.path().to_str().unwrap();
    for format in ["table", "csv"] {
        let r = run(&["query", "--format", format, p]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(
            r.stdout.contains(r"ad\u{e0041}min\u{ad}\u{3164}\u{fffe}"),
            "{format}: {}",
            r.stdout
        );
        assert!(
            r.stdout.lines().all(|l| l.chars().count() < 400),
            "{format}: a line of {} characters",
            r.stdout
                .lines()
                .map(|l| l.chars().count())
                .max()
                .unwrap_or(0)
        );
        assert!(r.stdout.contains("marks}"), "{format}: {}", r.stdout);
    }
    let r = run(&["users", p]);
    assert!(r.stdout.contains(r"ad\u{e0041}min"), "{}", r.stdout);
    // JSON lines stay valid and keep the value.
    let r = run(&["query", "--format", "jsonl", p]);
    let first: serde_json::Value = serde_json::from_str(r.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(first["userIdentity"]["userName"], hidden);
}

fn with(base: &str, changes: Value) -> Value {
    let mut v: Value = serde_json::from_str(base).unwrap();
    for (k, x) in changes.as_object().unwrap() {
        v[k] = x.clone();
    }
    v
}

// Items 6 and 9: a planted record with a real record's eventID is kept beside it
// and marked; same content in another layout is one delivery; query and stats
// count alike.
#[test]
fn a_planted_record_does_not_replace_the_real_one() {
    let dir = tempfile::tempdir().unwrap();
    let real = with(
        &event("E1", "GetObject", "mallory", "2024-03-01T10:00:00Z"),
        json!({"sourceIPAddress": "6.6.6.6"}),
    );
    let planted = with(
        &real.to_string(),
        json!({"sourceIPAddress": "10.0.0.1", "userIdentity": {"type": "IAMUser", "userName": "alice"}}),
    );
    write(dir.path(), "a.json", planted.to_string());
    write(
        dir.path(),
        "b/real.json",
        json!({"Records": [real]}).to_string(),
    );
    // The real record again: pretty-printed with keys reordered (an account trail
    // beside the organisation trail), and embedded by lookup-events.
    let mut reordered = serde_json::Map::new();
    let obj = real.as_object().unwrap();
    for k in obj.keys().rev() {
        reordered.insert(k.clone(), obj[k].clone());
    }
    write(
        dir.path(),
        "c/copy.json",
        serde_json::to_string_pretty(&Value::Object(reordered)).unwrap(),
    );
    let item = json!({"EventId": "E1", "CloudTrailEvent": real.to_string()});
    write(
        dir.path(),
        "d/lookup.json",
        json!({"Events": [item]}).to_string(),
    );
    // Something that fails, so query prints its summary line.
    write(dir.path(), "z.json", "{\"Records\": [");
    let p = dir.path().to_str().unwrap();
    let (v, _) = stats_json(&[p]);
    assert_eq!(v["events"], 2, "{v:#}");
    assert_eq!(v["duplicates"], 2, "{v:#}");
    assert_eq!(v["conflicts"], 2, "{v:#}");
    let text = run(&["stats", p]);
    assert!(text.stdout.contains("conflicts   2"), "{}", text.stdout);
    let r = run(&["query", "--format", "jsonl", p]);
    assert_eq!(r.stdout.lines().count(), 2, "{}", r.stdout);
    assert!(r.stdout.contains("6.6.6.6") && r.stdout.contains("10.0.0.1"));
    // Item 9: the streaming pass reports what stats reports.
    assert!(
        r.stderr.contains(
            "loaded 2 events from 4 files (0 skipped, 1 failed, 2 duplicate deliveries dropped)"
        ),
        "{}",
        text.stderr
    );
    assert!(
        text.stderr.contains(
            "loaded 2 events from 4 files (0 skipped, 1 failed, 2 duplicate deliveries dropped)"
        ),
        "{}",
        text.stderr
    );
    for args in [
        vec!["--filter", "conflict"],
        vec!["--conflicts"],
        vec!["--filter", "conflict user:mallory"],
    ] {
        let mut all = vec!["query", "--format", "jsonl"];
        all.extend(args.iter());
        all.push(p);
        let r = run(&all);
        let want = if args.len() == 2 && args[1].contains("mallory") {
            1
        } else {
            2
        };
        assert_eq!(r.stdout.lines().count(), want, "{args:?}: {}", r.stderr);
        let (v, _) = stats_json(&[&args[..], &[p]].concat());
        assert_eq!(v["events"], want, "{args:?}");
    }
    let r = run(&["query", "--format", "jsonl", "--filter", "-conflict", p]);
    assert_eq!(r.stdout.lines().count(), 0);
}

// Item 6: the detail view names the other record's file and the fields that differ.
#[test]
fn the_detail_view_names_the_conflicting_record() {
    let dir = tempfile::tempdir().unwrap();
    let real = with(
        &event("E1", "GetObject", "mallory", "2024-03-01T10:00:00Z"),
        json!({"sourceIPAddress": "6.6.6.6"}),
    );
    let planted = with(&real.to_string(), json!({"sourceIPAddress": "10.0.0.1"}));
    write(dir.path(), "a.json", planted.to_string());
    write(dir.path(), "b/real.json", real.to_string());
    let app = browser(dir.path());
    assert_eq!(app.index.len(), 2);
    assert_eq!(app.index.conflicts.len(), 2);
    for i in 0..2 {
        assert!(app.index.event(i).conflicting());
        let d = EventDoc::read(&app.index, i as u32);
        let note = d.conflict.expect("a conflict note");
        let other = if app.index.event(i).file().display.ends_with("a.json") {
            "real.json"
        } else {
            "a.json"
        };
        assert!(
            note.contains(other) && note.contains("sourceIPAddress"),
            "{note}"
        );
    }
}

// Item 13: a same-size overwrite with the modification time restored is noticed
// on re-read.
#[test]
fn a_file_changed_in_place_is_noticed() {
    let dir = tempfile::tempdir().unwrap();
    let original = event("E1", "GetObject", "mallory", "2024-03-01T10:00:00Z").replace(
        "\"readOnly\"",
        "\"sourceIPAddress\":\"6.6.6.6\",\"readOnly\"",
    );
    let path = write(dir.path(), "a.json", &original);
    let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
    let app = browser(dir.path());
    assert!(EventDoc::read(&app.index, 0).doc.is_ok());
    let forged = original
        .replace("mallory", "alice__")
        .replace("6.6.6.6", "1.1.1.1");
    assert_eq!(forged.len(), original.len());
    std::fs::write(&path, &forged).unwrap();
    let f = std::fs::File::options().write(true).open(&path).unwrap();
    f.set_modified(mtime).unwrap();
    drop(f);
    let d = EventDoc::read(&app.index, 0);
    let Err(err) = d.doc else {
        panic!("the change is not reported")
    };
    assert!(err.contains("CHANGED ON DISK"), "{err}");
    assert!(
        d.raw.is_none(),
        "the changed text is not shown as the event"
    );
    let r = trailscope::load::fetch::raw_event(&app.index, 0);
    assert!(matches!(
        r,
        Err(trailscope::load::fetch::FetchError::Tampered { .. })
    ));
}

// Item 16: one field nested deeper than serde_json's limit hides only itself.
#[test]
fn a_too_deep_field_hides_only_itself() {
    let dir = tempfile::tempdir().unwrap();
    let deep = |leaf: &str| -> Value {
        let text = format!("{}\"{leaf}\"{}", "[".repeat(200), "]".repeat(200));
        serde_json::from_str::<Value>(&text).unwrap_or(Value::Null)
    };
    // serde_json cannot build a 200-deep Value: write the text by hand.
    assert!(deep("x").is_null());
    let with_deep = |version: u64, project: &str, leaf: &str| {
        let s = structure(json!(version), project).to_string();
        let nested = format!("{}\"{leaf}\"{}", "[".repeat(200), "]".repeat(200));
        s.replacen(
            "\"ProjectName\"",
            &format!("\"Deep\":{nested},\"ProjectName\""),
            1,
        )
    };
    let ev = |id: &str, name: &str, time: &str, req: String, resp: String| {
        pipeline_event(id, name, time, json!("REQ"), json!("RESP"))
            .replace("\"REQ\"", &req)
            .replace("\"RESP\"", &resp)
    };
    let events = [
        ev(
            "c",
            "CreatePipeline",
            "2024-03-01T10:00:00Z",
            with_deep(0, "a", "x"),
            with_deep(1, "a", "x"),
        ),
        ev(
            "u1",
            "UpdatePipeline",
            "2024-03-01T10:01:00Z",
            with_deep(1, "b", "x"),
            with_deep(2, "b", "x"),
        ),
        ev(
            "u2",
            "UpdatePipeline",
            "2024-03-01T10:02:00Z",
            with_deep(2, "b", "y"),
            with_deep(3, "b", "y"),
        ),
    ];
    write(dir.path(), "p.jsonl", events.join("\n"));
    let p = dir.path().to_str().unwrap();
    let r = run(&[
        "diff",
        "--pipeline",
        "P",
        "--from",
        "1",
        "--to",
        "2",
        "--format",
        "json",
        p,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let paths: Vec<&str> = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths.len(), 1, "{v:#}");
    assert!(paths[0].ends_with("ProjectName"), "{v:#}");
    // A change inside the deep subtree shows at its path, marked.
    let r = run(&["diff", "--pipeline", "P", "--from", "2", "--to", "3", p]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("too deep to compare"), "{}", r.stdout);
    assert!(r.stdout.contains("Deep"), "{}", r.stdout);
    assert!(!r.stdout.contains("(root)"), "{}", r.stdout);
}

// Item 5: one rule for what a record is; every object is an event or counted.
#[test]
fn every_object_is_an_event_or_counted() {
    let dir = tempfile::tempdir().unwrap();
    let base = r#""eventVersion":"1.09","eventTime":"2024-03-01T10:00:00Z","awsRegion":"us-east-1","userIdentity":{"type":"IAMUser","userName":"alice"}"#;
    let lines = [
        format!(r#"{{{base},"eventID":"n1","eventSource":"s3.amazonaws.com","eventName":"GetObject"}}"#),
        format!(r#"{{{base},"eventID":"n2","eventName":null}}"#),
        format!(r#"{{{base},"eventID":"n3","eventName":["a","b"]}}"#),
        format!(r#"{{{base},"eventID":"n4","eventName":{{"x":1}}}}"#),
        format!(r#"{{{base},"eventID":"n5","eventName":"A","eventName":[1]}}"#),
        // A provenance metadata line: names a call, but is no record.
        r#"{"line": 1, "local_file": "x.json", "repo": "r", "found_as": "event", "eventSource": "codepipeline.amazonaws.com", "eventName": "DeletePipeline"}"#.to_string(),
    ];
    write(dir.path(), "mixed.jsonl", lines.join("\n"));
    write(
        dir.path(),
        "meta.provenance.jsonl",
        [&lines[5], &lines[5]].map(|s| s.as_str()).join("\n"),
    );
    let (v, _) = stats_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(v["events"], 5, "{v:#}");
    let warnings = v["warnings"].to_string();
    assert!(
        warnings.contains("mixed.jsonl")
            && warnings.contains("1 JSON object(s) are not CloudTrail records"),
        "{warnings}"
    );
    assert!(
        warnings.contains("meta.provenance.jsonl")
            && warnings.contains("2 JSON object(s) that are not CloudTrail records"),
        "{warnings}"
    );
    let r = run(&["query", "--format", "jsonl", dir.path().to_str().unwrap()]);
    assert!(!r.stdout.contains("local_file"), "{}", r.stdout);
}

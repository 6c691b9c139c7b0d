//! Hostile and broken input, through the real binary: nothing crashes, nothing is
//! lost, and no byte from an event reaches the terminal as a control sequence.

mod cases;
#[path = "../common/mod.rs"]
mod common;
mod issue10;

use common::*;
use trailscope::sanitize::has_raw_control;

fn setup() -> (tempfile::TempDir, cases::Expected) {
    let dir = tempfile::tempdir().unwrap();
    let expected = cases::write_all(dir.path());
    (dir, expected)
}

const LIMIT: &str = "--max-file-bytes=16M";

#[test]
fn counts_add_up_and_each_failure_is_named() {
    let (dir, x) = setup();
    let (v, r) = stats_json(&[LIMIT, dir.path().to_str().unwrap()]);
    assert!(!has_raw_control(&r.stderr), "{:?}", r.stderr);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(v["events"], x.events, "{v:#}");
    assert_eq!(v["duplicates"], x.duplicates);
    assert_eq!(v["files"]["failed"], x.failed, "{v:#}");
    assert_eq!(v["files"]["read"], x.read, "{v:#}");
    assert_eq!(v["files"]["skipped"], x.skipped);
    let failures = v["failures"].to_string();
    assert!(
        failures.contains("bomb.json.gz")
            && failures.contains("exceeds the per-file limit of 16.0 MiB"),
        "{failures}"
    );
    assert!(failures.contains("dangling.json"), "{failures}");
    // The non-UTF-8, escape-carrying file name is shown escaped.
    assert!(
        failures.contains(r"bad\\xff\\u{1b}]0;title\\u{7}.json"),
        "{failures}"
    );
    let text = run(&["stats", LIMIT, dir.path().to_str().unwrap()]);
    assert!(!has_raw_control(&text.stdout), "{:?}", text.stdout);
    assert!(!has_raw_control(&text.stderr), "{:?}", text.stderr);
}

#[test]
fn no_text_output_carries_control_bytes() {
    let (dir, _) = setup();
    let p = dir.path().to_str().unwrap();
    for args in [
        vec!["query", "--format", "table", LIMIT, p],
        vec!["query", "--format", "csv", LIMIT, p],
        vec!["pipelines", LIMIT, p],
        vec!["users", LIMIT, p],
        vec!["repos", LIMIT, p],
    ] {
        let r = run(&args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        assert!(
            !has_raw_control(&r.stdout),
            "{args:?} stdout: {:?}",
            r.stdout
        );
        assert!(
            !has_raw_control(&r.stderr),
            "{args:?} stderr: {:?}",
            r.stderr
        );
        assert!(
            r.stdout.contains("\\u{1b}"),
            "{args:?}: the escapes are visible, {}",
            r.stdout
        );
    }
    // The diff of a pipeline whose name and structure carry escape sequences.
    let name = format!("Deploy{}", cases::CLEAR);
    let r = run(&["diff", "--pipeline", &name, LIMIT, p]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!has_raw_control(&r.stdout), "{:?}", r.stdout);
    assert!(r.stdout.contains("Deploy\\u{1b}[2J"), "{}", r.stdout);
    assert!(r.stdout.contains("\\u001b]0;pwned\\u0007"), "{}", r.stdout);
    // JSON lines stay valid JSON (escapes as JSON escapes), one event per line.
    let r = run(&["query", "--format", "jsonl", LIMIT, p]);
    assert!(!has_raw_control(&r.stdout));
    assert_eq!(r.stdout.lines().count(), 8);
    // (The deeply nested event is valid JSON beyond serde_json's default depth.)
    let lines: Vec<serde_json::Value> = r
        .stdout
        .lines()
        .filter(|l| !l.contains("\"Deep\""))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 7);
    let evil = lines.iter().find(|v| v["eventID"] == "e1").unwrap();
    assert!(evil["userAgent"].as_str().unwrap().contains(cases::RETITLE));
}

#[test]
fn long_fields_load_whole() {
    let (dir, _) = setup();
    let r = run(&[
        "query",
        "--format",
        "jsonl",
        "--filter",
        "text:ua-BBBB",
        LIMIT,
        dir.path().to_str().unwrap(),
    ]);
    let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(
        v["requestParameters"]["policy"].as_str().unwrap().len(),
        300_000
    );
    assert_eq!(v["userAgent"].as_str().unwrap().len(), 20_003);
    // The table cuts them.
    let t = run(&[
        "query",
        "--format",
        "table",
        "--filter",
        "event:PutObject",
        LIMIT,
        dir.path().to_str().unwrap(),
    ]);
    assert!(
        t.stdout.lines().all(|l| l.chars().count() < 400),
        "{}",
        t.stdout.len()
    );
}

#[test]
fn a_directory_of_100000_tiny_files() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..100_000u32 {
        let sub = dir.path().join(format!("{:03}", i % 500));
        if i < 500 {
            std::fs::create_dir_all(&sub).unwrap();
        }
        let body = format!(
            r#"{{"eventID":"t{i}","eventName":"Tiny","eventTime":"2024-03-01T10:00:00Z"}}"#
        );
        std::fs::write(sub.join(format!("{i}.json")), body).unwrap();
    }
    let (v, r) = stats_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(r.code, 0);
    assert_eq!(v["events"], 100_000);
    assert_eq!(v["files"]["read"], 100_000);
}

//! Broken files are reported with their path and a cause; everything else loads.

mod common;
use common::*;

#[test]
fn each_broken_file_is_reported_and_the_rest_load() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let good = format!(
        r#"{{"Records":[{}]}}"#,
        event("ok", "Good", "alice", "2024-03-01T10:00:00Z")
    );
    write(d, "a-good.json.gz", gz(good.as_bytes()));
    // Truncated gzip: the events that inflated before the cut are kept.
    let many: Vec<String> = (0..400)
        .map(|i| event(&format!("t{i}"), "Cut", "bob", "2024-03-01T10:00:00Z"))
        .collect();
    let z = gz(format!(r#"{{"Records":[{}]}}"#, many.join(",")).as_bytes());
    write(d, "b-truncated.json.gz", &z[..z.len() * 2 / 3]);
    write(d, "c-invalid.json", r#"{"Records":[{"eventName": }]}"#);
    write(d, "d-not-array.json", r#"{"Records":{"eventName":"X"}}"#);
    write(d, "e-empty.json", "");
    write(
        d,
        "f-binary.json.gz",
        [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xde, 0xad, 0xbe, 0xef],
    );

    let (v, r) = stats_json(&[d.to_str().unwrap()]);
    assert_eq!(r.code, 0, "events loaded, so success: {}", r.stderr);
    let failures = v["failures"].as_array().unwrap();
    let find = |name: &str| -> String {
        failures
            .iter()
            .find(|f| f["path"].as_str().unwrap().ends_with(name))
            .unwrap_or_else(|| panic!("{name} not in {failures:?}"))["error"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let cut = find("b-truncated.json.gz");
    assert!(
        cut.contains("gzip stream cut short") && cut.contains("before this point were kept"),
        "{cut}"
    );
    assert_eq!(
        find("c-invalid.json"),
        "invalid JSON at line 1, column 27: expected value"
    );
    assert!(find("d-not-array.json").contains("\"Records\" is an object, not an array"));
    assert!(
        find("f-binary.json.gz").contains("gzip"),
        "{}",
        find("f-binary.json.gz")
    );
    assert_eq!(v["files"]["failed"], 4);
    assert_eq!(v["files"]["read"], 2, "good + empty");
    let kept = v["by_event"]["Cut"].as_u64().unwrap_or(0);
    assert!(
        kept > 0 && kept < 400,
        "kept {kept} of the cut file's events"
    );
    assert_eq!(v["events"].as_u64().unwrap(), 1 + kept);
    assert!(v["warnings"].to_string().contains("empty file"));
    // The same problems, one line per file, on stderr in text mode.
    let text = run(&["stats", d.to_str().unwrap()]);
    assert!(
        text.stderr
            .contains("c-invalid.json: invalid JSON at line 1, column 27"),
        "{}",
        text.stderr
    );
    assert!(text.stderr.contains("4 failed"), "{}", text.stderr);
}

#[test]
fn per_file_size_limit() {
    let dir = tempfile::tempdir().unwrap();
    let big = format!(
        r#"{{"Records":[{}]}}"#,
        event("1", "Big", "a", "2024-03-01T10:00:00Z")
    );
    write(
        dir.path(),
        "bomb.json.gz",
        gz(format!("{big}{}", " ".repeat(1 << 20)).as_bytes()),
    );
    write(dir.path(), "small.json", big.replace("\"1\"", "\"2\""));
    let (v, _) = stats_json(&["--max-file-bytes", "100K", dir.path().to_str().unwrap()]);
    // The event before the cap is kept, as in a gzip stream cut short.
    assert_eq!(v["events"], 2);
    let err = v["failures"][0]["error"].as_str().unwrap();
    assert!(
        err.contains("exceeds the per-file limit of 100.0 KiB (--max-file-bytes)")
            && err.contains("(1 event(s) before this point were kept)"),
        "{err}"
    );
}

#[test]
fn exit_statuses() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(
        dir.path(),
        "good.json",
        event("1", "A", "alice", "2024-03-01T10:00:00Z"),
    );
    let bad = write(dir.path(), "bad.json", "{");
    let good = good.to_str().unwrap();
    let bad = bad.to_str().unwrap();
    assert_eq!(run(&["query", good, bad]).code, 0, "events loaded");
    assert_eq!(
        run(&["query", "--strict", good, bad]).code,
        1,
        "--strict and a failure"
    );
    assert_eq!(run(&["query", bad]).code, 1, "nothing loaded");
    assert_eq!(run(&["query", "/nonexistent/trail"]).code, 1);
    let usage = run(&["query", "--filter", "usr:x", good]);
    assert_eq!(usage.code, 2);
    assert!(
        usage
            .stderr
            .contains("--filter: column 1: unknown field `usr`"),
        "{}",
        usage.stderr
    );
    assert_eq!(run(&["query", "--since", "yesterday", good]).code, 2);
    assert_eq!(run(&["query", "--format", "xml", good]).code, 2);
}

#[test]
fn duplicates_are_kept_once_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let body = gz(format!(
        r#"{{"Records":[{},{}]}}"#,
        event("same", "A", "a", "2024-03-01T10:00:00Z"),
        event("other", "B", "a", "2024-03-01T10:00:01Z")
    )
    .as_bytes());
    write(dir.path(), "AWSLogs/1/x.json.gz", &body);
    write(dir.path(), "AWSLogs/o-org/1/x.json.gz", &body);
    let (v, _) = stats_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(v["events"], 2);
    assert_eq!(v["duplicates"], 2);
    let q = run(&["query", "--format", "csv", dir.path().to_str().unwrap()]);
    assert_eq!(q.stdout.lines().count(), 3, "{}", q.stdout);
}

#[test]
fn odd_field_types_never_drop_an_event() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "odd.json",
        r#"[{"eventName":"Odd1","eventTime":12,"userIdentity":"root?","requestParameters":"string","readOnly":"true","recipientAccountId":111},
            {"eventName":"Odd2","eventTime":"2024-03-01 10:00:00","resources":{"ARN":1},"additionalEventData":[1,2],"errorCode":{"x":1}},
            {"eventName":"Odd3","eventTime":"2024-03-01T09:00:00+00:00","eventName":"Odd3"}]"#,
    );
    let r = run(&["query", "--format", "csv", dir.path().to_str().unwrap()]);
    let names: Vec<&str> = r
        .stdout
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    // Valid times first in time order, the event without a valid time last.
    assert_eq!(names, ["Odd3", "Odd2", "Odd1"]);
}

#[test]
fn text_output_never_writes_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "evil.json",
        r#"{"eventName":"Get\u001b]0;pwned\u0007","eventTime":"2024-03-01T10:00:00Z","userAgent":"\u001b[2J","sourceIPAddress":"1.2.3.4\r\n","userIdentity":{"type":"IAMUser","userName":"eve\u202egpj.exe\u0000"},"errorCode":"\u009b31m"}"#,
    );
    for format in ["table", "csv"] {
        let r = run(&["query", "--format", format, dir.path().to_str().unwrap()]);
        assert!(
            !trailscope::sanitize::has_raw_control(&r.stdout),
            "{format}: {:?}",
            r.stdout
        );
        assert!(
            r.stdout.contains("\\u{1b}]0;pwned\\u{7}"),
            "{format}: {}",
            r.stdout
        );
        assert!(
            r.stdout.contains("eve\\u{202e}gpj.exe\\u{0}"),
            "{format}: {}",
            r.stdout
        );
    }
    let r = run(&["stats", dir.path().to_str().unwrap()]);
    assert!(
        !trailscope::sanitize::has_raw_control(&r.stdout),
        "{:?}",
        r.stdout
    );
    let r = run(&["query", "--format", "jsonl", dir.path().to_str().unwrap()]);
    assert!(serde_json::from_str::<serde_json::Value>(r.stdout.trim()).is_ok());
    assert!(!trailscope::sanitize::has_raw_control(&r.stdout));
}

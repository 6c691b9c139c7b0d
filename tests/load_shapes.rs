//! Every accepted input shape, loaded by the real binary.

mod common;
use common::*;

fn names_of(path: &std::path::Path) -> Vec<String> {
    let r = run(&["query", "--format", "csv", path.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.stdout
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().to_string())
        .collect()
}

#[test]
fn every_shape_loads_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let e = |id: &str, name: &str| event(id, name, "alice", "2024-03-01T10:00:00Z");
    write(
        d,
        "records.json.gz",
        gz(format!(r#"{{"Records":[{},{}]}}"#, e("1", "A"), e("2", "B")).as_bytes()),
    );
    write(
        d,
        "plain-named-gz.json.gz",
        format!(r#"{{"Records":[{}]}}"#, e("3", "C")),
    );
    write(
        d,
        "lines.jsonl",
        format!("{}\n{}\n", e("4", "D"), e("5", "E")),
    );
    write(d, "single.json", e("6", "F"));
    write(
        d,
        "array.json",
        format!("[{},{}]", e("7", "G"), e("8", "H")),
    );
    let inner = serde_json::to_string(&e("9", "I")).unwrap();
    write(
        d,
        "lookup.json",
        format!(
            r#"{{"Events":[{{"EventId":"9","EventName":"I","CloudTrailEvent":{inner}}}],"NextToken":"x"}}"#
        ),
    );
    write(
        d,
        "doc.json",
        format!(
            "{},\n{}",
            e("10", "J").replace("\"readOnly\":true}", "\"readOnly\":true,}"),
            e("11", "K")
        ),
    );
    write(
        d,
        "eventbridge.jsonl",
        format!(
            r#"{{"version":"0","detail-type":"AWS API Call via CloudTrail","source":"aws.s3","detail":{}}}"#,
            e("12", "L")
        ),
    );
    write(
        d,
        "eb-array.json",
        format!(
            r#"[{{"detail-type":"AWS API Call via CloudTrail","detail":{}}}]"#,
            e("13", "M")
        ),
    );
    write(
        d,
        "insight.json",
        r#"{"eventVersion":"1.07","eventTime":"2024-03-01T10:00:00Z","awsRegion":"us-east-1","eventID":"14","eventType":"AwsCloudTrailInsight","recipientAccountId":"1","insightDetails":{"state":"Start","eventSource":"ec2.amazonaws.com","eventName":"N","insightType":"ApiCallRateInsight"}}"#,
    );
    write(d, "notes.txt", "not read");
    write(d, ".DS_Store", "x");
    write(
        d,
        "AWSLogs/1/CloudTrail-Digest/us-east-1/d.json.gz",
        gz(b"{}"),
    );
    write(
        d,
        "digest-content.json",
        r#"{"digestStartTime":"2024-03-01T10:00:00Z","logFiles":[]}"#,
    );

    let mut names = names_of(d);
    names.sort();
    assert_eq!(
        names,
        [
            "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N"
        ]
    );

    let (v, r) = stats_json(&[d.to_str().unwrap()]);
    assert_eq!(v["events"], 14);
    assert_eq!(v["files"]["read"], 10, "{v}");
    // notes.txt, .DS_Store, the digest path, and the digest by content.
    assert_eq!(v["files"]["skipped"], 4, "{v}");
    assert_eq!(v["files"]["failed"], 0);
    let warnings = v["warnings"].to_string();
    assert!(
        warnings.contains("doc.json") && warnings.contains("trailing comma"),
        "{warnings}"
    );
    assert_eq!(r.code, 0);
}

#[test]
fn a_named_file_is_read_whatever_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "trail.log",
        event("1", "A", "alice", "2024-03-01T10:00:00Z"),
    );
    assert_eq!(names_of(&f), ["A"]);
}

#[test]
fn standard_input_is_read_and_re_readable() {
    let data = gz(format!(
        r#"{{"Records":[{}]}}"#,
        event("1", "FromStdin", "bob", "2024-03-01T10:00:00Z")
    )
    .as_bytes());
    let r = run_with_stdin(&["query", "--format", "jsonl", "-"], Some(&data));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(v["eventName"], "FromStdin");
}

#[test]
fn jsonl_output_is_each_original_event_on_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let pretty = "{\n  \"Records\": [\n    {\n      \"eventName\": \"A\",\n      \"eventID\": \"1\",\n      \"eventTime\": \"2024-03-01T10:00:01Z\",\n      \"userAgent\": \"x\\u001b[2J y\",\n      \"zKey\": 1,\n      \"aKey\": [1, 2]\n    }\n  ]\n}\n";
    write(dir.path(), "p.json", pretty);
    let r = run(&["query", "--format", "jsonl", dir.path().to_str().unwrap()]);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 1);
    // Key order kept, whitespace gone, escapes still escapes (valid JSON).
    assert!(
        lines[0].starts_with(r#"{"eventName":"A","eventID":"1""#),
        "{}",
        lines[0]
    );
    assert!(lines[0].find("zKey").unwrap() < lines[0].find("aKey").unwrap());
    assert!(lines[0].contains(r"\u001b[2J"));
    assert!(!r.stdout.contains('\u{1b}'));
}

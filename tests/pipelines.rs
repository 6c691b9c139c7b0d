//! Pipeline histories and diffs through the CLI, on hand-written trails that
//! exercise every rule.

mod common;
use common::*;
use serde_json::{Value, json};

fn structure(name: &str, project: &str, version: u64) -> Value {
    json!({"name": name, "roleArn": "arn:aws:iam::1:role/r", "version": version, "stages": [
        {"name": "Source", "actions": [{"name": "Source", "configuration": {"RepositoryName": "infra"}}]},
        {"name": "Build", "actions": [{"name": "Build", "configuration": {"ProjectName": project}}]}
    ]})
}

fn ev(
    id: &str,
    name: &str,
    region: &str,
    time: &str,
    request: Value,
    response: Value,
    error: Option<&str>,
) -> Value {
    let mut e = json!({
        "eventVersion": "1.09", "eventID": id, "eventTime": time, "eventSource": "codepipeline.amazonaws.com",
        "eventName": name, "awsRegion": region, "recipientAccountId": "111122223333",
        "userIdentity": {"type": "IAMUser", "userName": "alice", "accountId": "111122223333"},
        "requestParameters": request, "responseElements": response
    });
    if let Some(code) = error {
        e["errorCode"] = json!(code);
    }
    e
}

fn update(
    id: &str,
    region: &str,
    time: &str,
    project: &str,
    from: u64,
    response_version: Option<u64>,
) -> Value {
    let response = match response_version {
        Some(v) => json!({"pipeline": structure("Deploy", project, v)}),
        None => Value::Null,
    };
    ev(
        id,
        "UpdatePipeline",
        region,
        time,
        json!({"pipeline": structure("Deploy", project, from)}),
        response,
        None,
    )
}

fn trail() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let r = "us-east-1";
    let events = vec![
        ev(
            "c1",
            "CreatePipeline",
            r,
            "2024-03-01T01:00:00Z",
            json!({"pipeline": structure("Deploy", "p0", 0)}),
            json!({"pipeline": structure("Deploy", "p0", 1)}),
            None,
        ),
        update("u1", r, "2024-03-01T02:00:00Z", "p1", 1, Some(2)),
        ev(
            "s1",
            "StartPipelineExecution",
            r,
            "2024-03-01T02:30:00Z",
            json!({"name": "Deploy"}),
            json!({}),
            None,
        ),
        ev(
            "g1",
            "GetPipeline",
            r,
            "2024-03-01T02:40:00Z",
            json!({"name": "Deploy"}),
            Value::Null,
            None,
        ),
        // Rejected: no version.
        {
            let mut e = update("u2", r, "2024-03-01T03:00:00Z", "bad", 2, None);
            e["errorCode"] = json!("InvalidStructureException");
            e
        },
        // No response: the version is the request's + 1.
        update("u3", r, "2024-03-01T04:00:00Z", "p3", 2, None),
        ev(
            "d1",
            "DeletePipeline",
            r,
            "2024-03-01T05:00:00Z",
            json!({"name": "Deploy"}),
            Value::Null,
            None,
        ),
        // A new lifetime starts again at 1.
        ev(
            "c2",
            "CreatePipeline",
            r,
            "2024-03-01T06:00:00Z",
            json!({"pipeline": structure("Deploy", "q0", 0)}),
            Value::Null,
            None,
        ),
        update("u4", r, "2024-03-01T07:00:00Z", "q1", 1, Some(2)),
        // The same name in another region, known from version 7 on (a gap).
        update("w1", "eu-west-1", "2024-03-01T01:30:00Z", "x7", 6, Some(7)),
        update("w2", "eu-west-1", "2024-03-01T02:30:00Z", "x8", 7, Some(8)),
        // A pipeline known only from runs.
        ev(
            "o1",
            "StartPipelineExecution",
            r,
            "2024-03-01T03:30:00Z",
            json!({"name": "Nightly"}),
            json!({}),
            None,
        ),
    ];
    write(
        dir.path(),
        "trail.json",
        serde_json::to_string(&events).unwrap(),
    );
    dir
}

fn pipelines(dir: &std::path::Path) -> Vec<Value> {
    let r = run(&["pipelines", "--format", "json", dir.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&r.stdout).unwrap()
}

#[test]
fn lifetimes_versions_rejections_and_runs() {
    let dir = trail();
    let all = pipelines(dir.path());
    let find = |region: &str, name: &str, life: u64| {
        all.iter()
            .find(|p| p["region"] == region && p["name"] == name && p["lifetime"] == life)
            .unwrap_or_else(|| panic!("{region} {name} {life} in {all:#?}"))
            .clone()
    };
    let first = find("us-east-1", "Deploy", 1);
    let numbers = |p: &Value| {
        p["versions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["version"].as_u64().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(numbers(&first), [1, 2, 3]);
    assert_eq!(first["rejected"], 1);
    assert_eq!(first["executions"], 1);
    assert_eq!(first["created"], "2024-03-01T01:00:00Z");
    assert_eq!(first["deleted"], "2024-03-01T05:00:00Z");
    assert_eq!(first["versions"][0]["summary"], "created");
    assert_eq!(
        first["versions"][1]["summary"],
        "changed stages[Build].actions[Build].configuration.ProjectName"
    );
    assert_eq!(first["versions"][1]["event_id"], "u1");
    assert_eq!(first["versions"][1]["actor"], "alice");
    assert_eq!(
        first["versions"][2]["event_id"], "u3",
        "version from the request + 1"
    );

    let second = find("us-east-1", "Deploy", 2);
    assert_eq!(numbers(&second), [1, 2]);
    assert_eq!(second["deleted"], Value::Null);

    let west = find("eu-west-1", "Deploy", 1);
    assert_eq!(numbers(&west), [7, 8]);
    assert_eq!(west["missing_versions"], json!([[1, 6]]));
    assert_eq!(
        west["versions"][0]["summary"],
        "version 6 is not in the loaded logs"
    );
    assert_eq!(west["created"], Value::Null);

    let nightly = find("us-east-1", "Nightly", 1);
    assert_eq!(numbers(&nightly), Vec::<u64>::new());
    assert_eq!(nightly["executions"], 1);
    assert_eq!(all.len(), 4);
}

#[test]
fn diff_json_and_text() {
    let dir = trail();
    let p = dir.path().to_str().unwrap();
    let r = run(&[
        "diff",
        "--pipeline",
        "Deploy",
        "--region",
        "us-east-1",
        "--format",
        "json",
        p,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    // The latest lifetime, newest version against the one before.
    assert_eq!((v["from"].as_u64(), v["to"].as_u64()), (Some(1), Some(2)));
    assert_eq!(v["pipeline"], "Deploy");
    assert_eq!(v["account"], "111122223333");
    assert_eq!(
        v["changes"],
        json!([{"op": "changed", "path": "stages[Build].actions[Build].configuration.ProjectName", "old": "q0", "new": "q1"}])
    );
    let text = run(&["diff", "--pipeline", "Deploy", "--region", "eu-west-1", p]);
    assert_eq!(text.code, 0);
    assert!(
        text.stdout
            .contains("~ stages[Build].actions[Build].configuration.ProjectName: \"x7\" → \"x8\""),
        "{}",
        text.stdout
    );
    let removed = text
        .stdout
        .lines()
        .find(|l| l.starts_with('-') && l.contains("\"ProjectName\": \"x7\""));
    let added = text
        .stdout
        .lines()
        .find(|l| l.starts_with('+') && l.contains("\"ProjectName\": \"x8\""));
    assert!(removed.is_some() && added.is_some(), "{}", text.stdout);
    assert!(!text.stdout.contains('\u{1b}'), "plain when not a terminal");
}

#[test]
fn diff_errors_say_what_to_do() {
    let dir = trail();
    let p = dir.path().to_str().unwrap();
    let ambiguous = run(&["diff", "--pipeline", "Deploy", p]);
    assert_eq!(ambiguous.code, 2);
    assert!(
        ambiguous
            .stderr
            .contains("--account 111122223333 --region eu-west-1"),
        "{}",
        ambiguous.stderr
    );
    assert!(
        ambiguous
            .stderr
            .contains("--account 111122223333 --region us-east-1"),
        "{}",
        ambiguous.stderr
    );
    let gap = run(&[
        "diff",
        "--pipeline",
        "Deploy",
        "--region",
        "eu-west-1",
        "--from",
        "6",
        "--to",
        "7",
        p,
    ]);
    assert_eq!(gap.code, 1);
    assert!(
        gap.stderr
            .contains("version 6 of `Deploy` is not in the loaded logs; loaded versions: 7-8"),
        "{}",
        gap.stderr
    );
    let none = run(&["diff", "--pipeline", "Nightly", p]);
    assert_eq!(none.code, 1);
    assert!(none.stderr.contains("no versions"), "{}", none.stderr);
    assert_eq!(run(&["diff", "--pipeline", "Nope", p]).code, 1);
}

#[test]
fn generated_archive_histories_hold_together() {
    let (dir, _) = corpus(20_000, 4);
    let all = pipelines(dir.path());
    assert!(
        all.iter().any(|p| p["lifetime"] == 2),
        "a re-created pipeline"
    );
    assert!(
        all.iter()
            .any(|p| !p["missing_versions"].as_array().unwrap().is_empty()),
        "a gap"
    );
    assert!(
        all.iter().filter(|p| p["name"] == "Deploy").count() >= 3,
        "one name, several regions"
    );
    for p in &all {
        let versions = p["versions"].as_array().unwrap();
        let numbers: Vec<u64> = versions
            .iter()
            .map(|v| v["version"].as_u64().unwrap())
            .collect();
        assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{numbers:?}");
        for v in versions.iter().skip(1) {
            let s = v["summary"].as_str().unwrap();
            assert!(!s.is_empty() && s != "no structural change", "{p}");
        }
        assert!(p["rejected"].as_u64().unwrap() >= 1);
    }
}

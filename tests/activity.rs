//! Users and repositories: aggregates, push pairing, and the repository–pipeline link.

mod common;
use common::*;
use serde_json::{Value, json};

#[allow(clippy::too_many_arguments)]
fn cc(
    id: &str,
    name: &str,
    time: &str,
    user: &str,
    ip: &str,
    region: &str,
    repo: &str,
    extra: Value,
) -> Value {
    let mut e = json!({
        "eventVersion": "1.05", "eventID": id, "eventTime": time, "eventSource": "codecommit.amazonaws.com",
        "eventName": name, "awsRegion": region, "sourceIPAddress": ip, "recipientAccountId": "111122223333",
        "userIdentity": {"type": "IAMUser", "userName": user, "arn": format!("arn:aws:iam::111122223333:user/{user}"),
                         "accountId": "111122223333", "accessKeyId": format!("AKIA{}", user.to_uppercase())},
        "requestParameters": null, "responseElements": null,
        "additionalEventData": {"repositoryName": repo, "dataTransferred": false},
        "resources": [{"ARN": format!("arn:aws:codecommit:{region}:111122223333:{repo}")}]
    });
    if let Value::Object(m) = extra {
        for (k, v) in m {
            e[k] = v;
        }
    }
    e
}

fn refs(list: &[(&str, &str)]) -> Value {
    json!({"requestParameters": {"references": list.iter().map(|(r, c)| json!({"ref": r, "commit": c})).collect::<Vec<_>>()},
           "additionalEventData": {"repositoryName": "infra", "dataTransferred": true}})
}

fn trail() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let r = "us-east-1";
    let events = vec![
        cc(
            "cr",
            "CreateRepository",
            "2024-03-01T09:00:00Z",
            "carol",
            "1.1.1.1",
            r,
            "infra",
            json!({"requestParameters": {"repositoryName": "infra"}}),
        ),
        // One push: negotiation + update.
        cc(
            "p1a",
            "GitPush",
            "2024-03-01T10:00:00Z",
            "alice",
            "1.1.1.1",
            r,
            "infra",
            json!({}),
        ),
        cc(
            "p1b",
            "GitPush",
            "2024-03-01T10:00:01Z",
            "alice",
            "1.1.1.1",
            r,
            "infra",
            refs(&[("refs/heads/main", "c1")]),
        ),
        // Another pusher at the same moment is another push.
        cc(
            "p2a",
            "GitPush",
            "2024-03-01T10:00:00Z",
            "bob",
            "2.2.2.2",
            r,
            "infra",
            json!({}),
        ),
        // A push of several refs.
        cc(
            "p3a",
            "GitPush",
            "2024-03-01T11:00:00Z",
            "alice",
            "1.1.1.1",
            r,
            "infra",
            json!({}),
        ),
        cc(
            "p3b",
            "GitPush",
            "2024-03-01T11:00:02Z",
            "alice",
            "1.1.1.1",
            r,
            "infra",
            refs(&[("refs/heads/main", "c2"), ("refs/tags/v1", "c3")]),
        ),
        // A lone update record (its negotiation is not in the logs).
        cc(
            "p4b",
            "GitPush",
            "2024-03-01T12:00:00Z",
            "carol",
            "3.3.3.3",
            r,
            "infra",
            refs(&[("refs/heads/dev", "c4")]),
        ),
        cc(
            "pl1",
            "GitPull",
            "2024-03-01T12:30:00Z",
            "bob",
            "2.2.2.2",
            r,
            "infra",
            json!({"additionalEventData": {"repositoryName": "infra", "dataTransferred": true}}),
        ),
        cc(
            "pl2",
            "GitPull",
            "2024-03-01T12:31:00Z",
            "bob",
            "2.2.2.2",
            r,
            "infra",
            json!({}),
        ),
        cc(
            "br",
            "CreateBranch",
            "2024-03-01T12:40:00Z",
            "bob",
            "2.2.2.2",
            r,
            "infra",
            json!({"requestParameters": {"repositoryName": "infra", "branchName": "dev"}}),
        ),
        cc(
            "den",
            "GitPush",
            "2024-03-01T12:50:00Z",
            "mallory",
            "6.6.6.6",
            r,
            "infra",
            json!({"errorCode": "AccessDenied", "errorMessage": "no"}),
        ),
        // The same name in another region: not read by the us-east-1 pipeline.
        cc(
            "w1",
            "GitPull",
            "2024-03-01T13:00:00Z",
            "bob",
            "2.2.2.2",
            "eu-west-1",
            "infra",
            json!({}),
        ),
        cc(
            "del",
            "DeleteRepository",
            "2024-03-01T14:00:00Z",
            "carol",
            "1.1.1.1",
            "eu-west-1",
            "infra",
            json!({"requestParameters": {"repositoryName": "infra"}}),
        ),
        json!({
            "eventVersion": "1.09", "eventID": "cp", "eventTime": "2024-03-01T08:00:00Z", "eventSource": "codepipeline.amazonaws.com",
            "eventName": "CreatePipeline", "awsRegion": r, "recipientAccountId": "111122223333",
            "userIdentity": {"type": "IAMUser", "userName": "carol", "accountId": "111122223333"},
            "requestParameters": {"pipeline": {"name": "Deploy", "stages": [{"name": "Source", "actions": [{"name": "Src",
                "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "CodeCommit", "version": "1"},
                "configuration": {"RepositoryName": "infra", "BranchName": "main"}}]}]}},
            "responseElements": null
        }),
    ];
    write(
        dir.path(),
        "trail.json",
        serde_json::to_string(&events).unwrap(),
    );
    dir
}

fn json_of(args: &[&str]) -> Vec<Value> {
    let r = run(args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&r.stdout).unwrap()
}

#[test]
fn pushes_are_paired_and_repositories_link_to_their_pipelines() {
    let dir = trail();
    let repos = json_of(&["repos", "--format", "json", dir.path().to_str().unwrap()]);
    assert_eq!(repos.len(), 2);
    let east = repos.iter().find(|r| r["region"] == "us-east-1").unwrap();
    let west = repos.iter().find(|r| r["region"] == "eu-west-1").unwrap();
    assert_eq!(east["name"], "infra");
    assert_eq!(east["pushes"], 4, "{east:#}");
    assert_eq!(east["pulls"], 2);
    assert_eq!(east["pulls_with_data"], 1);
    assert_eq!(east["branches_created"], 1);
    assert_eq!(east["events"], 11);
    assert_eq!(
        east["created"],
        json!({"time": "2024-03-01T09:00:00Z", "actor": "carol"})
    );
    assert_eq!(east["deleted"], Value::Null);
    assert_eq!(east["last_activity"], "2024-03-01T12:50:00Z");
    assert_eq!(east["pipelines"], json!(["Deploy"]));
    let pushes = east["recent_pushes"].as_array().unwrap();
    let summary: Vec<(String, String, usize)> = pushes
        .iter()
        .map(|p| {
            (
                p["time"].as_str().unwrap().to_string(),
                p["actor"].as_str().unwrap().to_string(),
                p["refs"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("2024-03-01T12:00:00Z".to_string(), "carol".to_string(), 1),
            ("2024-03-01T11:00:00Z".to_string(), "alice".to_string(), 2),
            ("2024-03-01T10:00:00Z".to_string(), "bob".to_string(), 0),
            ("2024-03-01T10:00:00Z".to_string(), "alice".to_string(), 1),
        ]
    );
    assert_eq!(
        pushes[1]["refs"],
        json!([{"ref": "refs/heads/main", "commit": "c2"}, {"ref": "refs/tags/v1", "commit": "c3"}])
    );
    assert_eq!(
        west["pipelines"],
        json!([]),
        "same name in another region must not link"
    );
    assert_eq!(
        west["deleted"],
        json!({"time": "2024-03-01T14:00:00Z", "actor": "carol"})
    );
}

#[test]
fn user_aggregates() {
    let dir = trail();
    let users = json_of(&["users", "--format", "json", dir.path().to_str().unwrap()]);
    let find = |a: &str| {
        users
            .iter()
            .find(|u| u["actor"] == a)
            .unwrap_or_else(|| panic!("{a} in {users:#?}"))
            .clone()
    };
    let bob = find("bob");
    assert_eq!(bob["type"], "IAMUser");
    assert_eq!(bob["accounts"], json!(["111122223333"]));
    assert_eq!(bob["events"], 5);
    assert_eq!(bob["errors"], 0);
    assert_eq!(bob["first"], "2024-03-01T10:00:00Z");
    assert_eq!(bob["last"], "2024-03-01T13:00:00Z");
    assert_eq!(bob["source_ips"], json!(["2.2.2.2"]));
    assert_eq!(bob["access_keys"], json!(["AKIABOB"]));
    assert_eq!(
        bob["top_events"][0],
        json!({"event": "GitPull", "count": 3})
    );
    let mallory = find("mallory");
    assert_eq!(
        (
            mallory["errors"].as_u64(),
            mallory["access_denied"].as_u64()
        ),
        (Some(1), Some(1))
    );
    let carol = find("carol");
    assert_eq!(carol["events"], 4);
    // Most events first.
    assert_eq!(users[0]["actor"], "bob");
}

#[test]
fn tables_are_text() {
    let dir = trail();
    let p = dir.path().to_str().unwrap();
    let users = run(&["users", p]);
    assert!(users.stdout.starts_with("ACTOR"), "{}", users.stdout);
    assert!(users.stdout.contains("mallory"));
    let repos = run(&["repos", p]);
    assert!(
        repos.stdout.lines().nth(1).unwrap().contains("infra"),
        "{}",
        repos.stdout
    );
}

/// The users summary against a plain count over every event, on a generated
/// archive where actors have many identities, keys, addresses and accounts.
#[test]
fn users_agree_with_a_brute_force_count() {
    use std::collections::BTreeMap;
    use trailscope::load::{LoadOptions, Progress, load};
    let (dir, _) = corpus(2_000, 21);
    let (index, _) = load(
        &[dir.path().to_path_buf()],
        &LoadOptions::default(),
        &Progress::default(),
    );
    #[derive(Default)]
    struct Want {
        events: u64,
        errors: u64,
        denied: u64,
        first: i64,
        last: i64,
        fields: [BTreeMap<String, u64>; 6],
    }
    let mut want: BTreeMap<String, Want> = BTreeMap::new();
    for i in 0..index.len() {
        let e = index.event(i);
        let w = want.entry(e.actor().to_string()).or_insert(Want {
            first: i64::MAX,
            last: i64::MIN,
            ..Want::default()
        });
        w.events += 1;
        if !e.error().is_empty() {
            w.errors += 1;
            let code = e.error();
            if code.contains("AccessDenied") || code.starts_with("Unauthorized") {
                w.denied += 1;
            }
        }
        w.first = w.first.min(e.time());
        w.last = w.last.max(e.time());
        let values = [
            e.identity_type(),
            e.account(),
            e.source_ip(),
            e.access_key(),
            e.arn(),
            e.name(),
        ];
        for (map, v) in w.fields.iter_mut().zip(values) {
            if !v.is_empty() {
                *map.entry(v.to_string()).or_insert(0) += 1;
            }
        }
    }
    let ranked = |m: &BTreeMap<String, u64>| {
        let mut v: Vec<(String, u64)> = m.iter().map(|(k, n)| (k.clone(), *n)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v
    };
    let names =
        |m: &BTreeMap<String, u64>| ranked(m).into_iter().map(|(k, _)| k).collect::<Vec<_>>();
    let got = trailscope::activity::users::users(&index);
    assert_eq!(got.len(), want.len());
    assert!(
        got.windows(2).all(|w| w[0].events >= w[1].events),
        "most events first"
    );
    use trailscope::activity::users::Field;
    let many_keys = got.iter().filter(|u| u.field(Field::Key).len() > 1).count();
    assert!(many_keys > 0, "the archive has actors with several keys");
    let owned = |v: Vec<&str>| v.into_iter().map(str::to_string).collect::<Vec<_>>();
    let owned_counts = |v: Vec<(&str, u64)>| {
        v.into_iter()
            .map(|(s, n)| (s.to_string(), n))
            .collect::<Vec<_>>()
    };
    for u in &got {
        let actor = u.actor_text(&index);
        let w = &want[actor];
        assert_eq!(
            (u.events, u.errors, u.access_denied, u.first, u.last),
            (w.events, w.errors, w.denied, w.first, w.last),
            "{actor}"
        );
        assert_eq!(
            owned(u.texts(Field::Type, &index)),
            names(&w.fields[0]),
            "{actor}"
        );
        assert_eq!(
            owned(u.texts(Field::Account, &index)),
            names(&w.fields[1]),
            "{actor}"
        );
        assert_eq!(
            owned_counts(u.counted(Field::Ip, &index)),
            ranked(&w.fields[2]),
            "{actor}"
        );
        assert_eq!(
            owned_counts(u.counted(Field::Key, &index)),
            ranked(&w.fields[3]),
            "{actor}"
        );
        assert_eq!(
            owned(u.texts(Field::Arn, &index)),
            names(&w.fields[4]),
            "{actor}"
        );
        let top: Vec<(String, u64)> = ranked(&w.fields[5]).into_iter().take(5).collect();
        assert_eq!(owned_counts(u.counted(Field::Name, &index)), top, "{actor}");
    }
}

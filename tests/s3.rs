//! Reading from S3, against a real S3 API (moto's server) on 127.0.0.1 started by
//! each test: the same counts and events as the same files on disk, pruning by the
//! key layout (counted from the server's request log), the cache, digests never
//! fetched, per-object failures, and each error case's message and exit status.

mod common;
use common::moto::Moto;
use common::*;
use std::io::BufRead;
use std::path::Path;
use std::time::{Duration, Instant};

const BUCKET: &str = "trail-bucket";

fn records(events: &[String]) -> Vec<u8> {
    gz(format!("{{\"Records\":[{}]}}", events.join(",")).as_bytes())
}

/// The generated tree (two accounts, three regions, an organisation prefix with
/// re-delivered copies) plus a digest file, a gzip bomb, an object that is not
/// JSON and one delivery on another day.
fn tree() -> tempfile::TempDir {
    let (dir, _) = corpus(3_000, 7);
    let d = dir.path();
    write(
        d,
        "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/03/01/111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20240301T0100Z.json.gz",
        gz(br#"{"digestStartTime":"2024-03-01T00:00:00Z","logFiles":[]}"#),
    );
    write(
        d,
        "AWSLogs/444455556666/CloudTrail/us-east-2/2024/03/01/444455556666_CloudTrail_us-east-2_20240301T0030Z_bomb.json.gz",
        gz(&vec![b' '; 48 << 20]),
    );
    write(
        d,
        "AWSLogs/444455556666/CloudTrail/us-east-2/2024/03/01/444455556666_CloudTrail_us-east-2_20240301T0030Z_junk.json.gz",
        gz(b"this is not JSON at all"),
    );
    write(
        d,
        "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/05/111122223333_CloudTrail_us-east-1_20240305T1205Z_extra.json.gz",
        records(&[event("extra-1", "GetObject", "zoe", "2024-03-05T12:00:00Z")]),
    );
    dir
}

fn stats(r: &Run) -> serde_json::Value {
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}\n{}\n{}", r.stdout, r.stderr))
}

#[test]
fn s3_loads_the_same_events_as_the_same_files_on_disk() {
    let dir = tree();
    let moto = Moto::start();
    moto.put_tree(BUCKET, dir.path(), "");
    let local_dir = dir.path().to_str().unwrap();
    let url = format!("s3://{BUCKET}");
    let cap = ["--max-file-bytes", "16M"];
    let local = moto.run(&["stats", "--format", "json", cap[0], cap[1], local_dir]);
    let remote = moto.run(&["stats", "--format", "json", cap[0], cap[1], &url]);
    assert_eq!(remote.code, 0, "{}", remote.stderr);
    let (l, r) = (stats(&local), stats(&remote));
    for field in [
        "events",
        "duplicates",
        "conflicts",
        "first_event",
        "last_event",
        "by_source",
        "by_actor",
    ] {
        assert_eq!(l[field], r[field], "{field}");
    }
    assert_eq!(l["events"], 3_001);
    assert_eq!(l["files"]["read"], r["files"]["read"]);
    assert_eq!(r["files"]["failed"], 2, "{}", remote.stdout);
    // The bomb and the junk fail alone, named by their S3 location and cause.
    let failures = r["failures"].as_array().unwrap();
    let bomb = failures
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with("_bomb.json.gz"))
        .unwrap();
    assert!(
        bomb["path"]
            .as_str()
            .unwrap()
            .starts_with("s3://trail-bucket/AWSLogs/444455556666/")
    );
    assert!(
        bomb["error"].as_str().unwrap().contains("per-file limit"),
        "{bomb}"
    );
    let junk = failures
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with("_junk.json.gz"))
        .unwrap();
    assert!(junk["error"].as_str().unwrap().contains("JSON"), "{junk}");
    // The same events, byte for byte, in the same order.
    let local = moto.run(&["query", "--format", "jsonl", local_dir]);
    let remote = moto.run(&["query", "--format", "jsonl", &url]);
    assert_eq!(local.stdout.lines().count(), 3_001);
    assert!(local.stdout == remote.stdout, "query output differs");
    // Digests are skipped by key: never listed, never fetched.
    assert!(
        !moto
            .requests()
            .iter()
            .any(|r| r.starts_with("GET") && r.contains("CloudTrail-Digest")),
        "{:#?}",
        moto.requests()
    );
}

#[test]
fn time_account_and_region_list_and_fetch_only_matching_prefixes() {
    let dir = tree();
    let moto = Moto::start();
    moto.put_tree(BUCKET, dir.path(), "");
    let r = moto.run(&[
        "query",
        "--format",
        "jsonl",
        "--since",
        "2024-03-05",
        "--region",
        "us-east-1",
        "--account",
        "111122223333",
        &format!("s3://{BUCKET}"),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.lines().count(), 1);
    assert!(r.stdout.contains("extra-1"));
    let listed = moto.listings();
    // Objects are listed in one day folder only; folders elsewhere are never opened.
    let object_listings: Vec<&String> = listed.iter().filter(|(_, d)| !d).map(|(p, _)| p).collect();
    assert_eq!(
        object_listings,
        ["AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/05/"],
        "{listed:#?}"
    );
    for (prefix, _) in &listed {
        assert!(
            !prefix.contains("444455556666"),
            "listed another account: {prefix}"
        );
        assert!(
            !prefix.contains("eu-west-1") && !prefix.contains("us-east-2"),
            "listed another region: {prefix}"
        );
        assert!(!prefix.contains("/03/01/"), "listed another day: {prefix}");
    }
    let gets = moto.gets();
    assert_eq!(gets.len(), 1, "{gets:#?}");
    assert!(gets[0].ends_with("_extra.json.gz"));

    // `last:` in --filter prunes from the newest day found: 2024-03-05 only.
    let before = moto.gets().len();
    let r = moto.run(&[
        "query",
        "--no-cache",
        "--format",
        "jsonl",
        "--filter",
        "last:1h",
        &format!("s3://{BUCKET}"),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("extra-1"));
    let fetched = &moto.gets()[before..];
    assert!(
        fetched.iter().all(|g| g.contains("/2024/03/05/")),
        "{fetched:#?}"
    );
}

#[test]
fn a_second_open_makes_no_get_requests_and_cache_clear_empties_it() {
    let dir = tree();
    let moto = Moto::start();
    moto.put_tree(BUCKET, dir.path(), "");
    let url = format!("s3://{BUCKET}/AWSLogs/111122223333/");
    let first = moto.run(&["stats", "--format", "json", &url]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let gets = moto.gets().len();
    assert!(gets > 5);
    let day_listings = |m: &Moto| m.listings().iter().filter(|(_, d)| !d).count();
    let listed = day_listings(&moto);
    let second = moto.run(&["stats", "--format", "json", &url]);
    assert_eq!(moto.gets().len(), gets, "the second open fetched again");
    // Day folders of past days no longer change: their listings are kept too.
    assert_eq!(day_listings(&moto), listed, "{:#?}", moto.listings());
    assert_eq!(stats(&first)["events"], stats(&second)["events"]);

    let shown = moto.run(&["cache"]);
    assert_eq!(shown.code, 0);
    let cache_dir = moto.home.path().join("cache/trailscope/s3");
    assert!(
        shown.stdout.contains(cache_dir.to_str().unwrap()),
        "{}",
        shown.stdout
    );
    assert!(
        shown.stdout.contains(&format!("in {gets} objects")),
        "{}",
        shown.stdout
    );
    let cleared = moto.run(&["cache", "clear"]);
    assert_eq!(cleared.code, 0, "{}", cleared.stderr);
    assert!(moto.run(&["cache"]).stdout.contains("in 0 objects"));
    moto.run(&["stats", &url]);
    assert_eq!(moto.gets().len(), 2 * gets, "after clear, fetched again");
    // --no-cache fetches and keeps nothing.
    moto.run(&["cache", "clear"]);
    moto.run(&["stats", "--no-cache", &url]);
    assert_eq!(moto.gets().len(), 3 * gets);
    assert!(moto.run(&["cache"]).stdout.contains("in 0 objects"));
}

#[test]
fn a_cap_smaller_than_the_objects_evicts_least_recently_used() {
    let dir = tree();
    let moto = Moto::start();
    moto.put_tree(BUCKET, dir.path(), "");
    let r = moto.run(&[
        "stats",
        "--cache-size",
        "100K",
        &format!("s3://{BUCKET}/AWSLogs/444455556666/"),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // This session's objects stay while it runs; the next run trims to the cap.
    moto.run(&[
        "stats",
        "--cache-size",
        "100K",
        &format!("s3://{BUCKET}/AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/05/"),
    ]);
    let shown = moto.run(&["cache"]).stdout;
    let kib: f64 = shown
        .lines()
        .nth(1)
        .and_then(|l| l.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(f64::MAX);
    assert!(shown.contains("KiB in") && kib <= 100.0, "{shown}");
}

fn one_line(r: &Run) -> &str {
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "expected one line on stderr:\n{}", r.stderr);
    lines[0]
}

#[test]
fn each_error_names_bucket_and_profile_and_what_to_do() {
    let moto = Moto::start_with(&[("INITIAL_NO_AUTH_ACTION_COUNT", "3")]);
    // The three unauthenticated actions: a bucket, a user without any policy, its key.
    let key = moto.python(
        "s3.create_bucket(Bucket='locked-bucket')\niam.create_user(UserName='nobody')\nk=iam.create_access_key(UserName='nobody')['AccessKey']\nprint(k['AccessKeyId'], k['SecretAccessKey'])",
    );
    let (id, secret) = key.trim().split_once(' ').unwrap();

    let denied = moto.run_env(
        &["stats", "s3://locked-bucket"],
        &[("AWS_ACCESS_KEY_ID", id), ("AWS_SECRET_ACCESS_KEY", secret)],
    );
    assert_eq!(denied.code, 1);
    let line = one_line(&denied);
    assert!(
        line.contains("access denied to bucket `locked-bucket` (profile `default`)"),
        "{line}"
    );
    assert!(line.contains("--profile"), "{line}");

    let missing = moto.run_env(
        &["stats", "s3://no-such-bucket-here"],
        &[("AWS_ACCESS_KEY_ID", id), ("AWS_SECRET_ACCESS_KEY", secret)],
    );
    assert_eq!(missing.code, 1);
    let line = one_line(&missing);
    assert!(
        line.contains("no such bucket `no-such-bucket-here`") || line.contains("access denied"),
        "{line}"
    );

    let unknown = moto.run_env(
        &["stats", "--profile", "audit", "s3://locked-bucket"],
        &[
            ("AWS_ACCESS_KEY_ID", "AKIAUNKNOWN000000000"),
            ("AWS_SECRET_ACCESS_KEY", "x"),
        ],
    );
    assert_eq!(unknown.code, 1);
    let line = one_line(&unknown);
    assert!(
        line.contains("no valid AWS credentials for bucket `locked-bucket` (profile `audit`)"),
        "{line}"
    );
    assert!(
        line.contains("InvalidAccessKeyId") && line.contains("aws sso login"),
        "{line}"
    );
    assert!(!line.contains("panicked") && !line.contains("backtrace"));
}

#[test]
fn no_such_bucket_and_no_credentials() {
    let moto = Moto::start();
    let r = moto.run(&["query", "s3://no-such-bucket-here/AWSLogs/"]);
    assert_eq!(r.code, 1);
    let line = one_line(&r);
    assert!(
        line.contains("no such bucket `no-such-bucket-here` (profile `default`"),
        "{line}"
    );
    assert!(line.contains("check the bucket name"), "{line}");

    let mut cmd = moto.command(&["stats", "s3://anything"]);
    cmd.env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY");
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(
            "no valid AWS credentials for bucket `anything` (profile `default`): none found"
        ),
        "{stderr}"
    );
}

#[test]
fn a_trail_of_several_years_needs_a_bound_or_all() {
    let moto = Moto::start();
    for (day, id) in [("2022/01/03", "old-1"), ("2024/03/01", "new-1")] {
        let date = day.replace('/', "-");
        moto.put(
            BUCKET,
            &format!("AWSLogs/111122223333/CloudTrail/us-east-1/{day}/111122223333_CloudTrail_us-east-1_x_{id}.json.gz"),
            &records(&[event(id, "GetObject", "zoe", &format!("{date}T10:00:00Z"))]),
        );
    }
    let url = format!("s3://{BUCKET}");
    let r = moto.run(&["stats", &url]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let line = one_line(&r);
    assert!(
        line.contains("789 days") && line.contains("--all") && line.contains("--since"),
        "{line}"
    );
    assert!(
        moto.gets().is_empty(),
        "nothing is fetched before the user decides"
    );
    let all = moto.run(&["query", "--all", "--format", "jsonl", &url]);
    assert_eq!(all.stdout.lines().count(), 2, "{}", all.stderr);
    let bounded = moto.run(&["query", "--since", "2024-01-01", "--format", "jsonl", &url]);
    assert_eq!(bounded.stdout.lines().count(), 1, "{}", bounded.stderr);
}

/// Reads a child's stdout lines on a thread.
fn lines_of(child: &mut std::process::Child) -> std::sync::mpsc::Receiver<String> {
    let out = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn wait_line(rx: &std::sync::mpsc::Receiver<String>, needle: &str, within: Duration) -> Duration {
    let start = Instant::now();
    while start.elapsed() < within {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(50))
            && line.contains(needle)
        {
            return start.elapsed();
        }
    }
    panic!("no line with {needle} within {within:?}");
}

struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn query_follow_prints_new_local_deliveries() {
    let dir = tempfile::tempdir().unwrap();
    let day = "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/01";
    write(
        dir.path(),
        &format!("{day}/a.json.gz"),
        records(&[event("first-1", "GetObject", "zoe", "2024-03-01T10:00:00Z")]),
    );
    let mut child = Killed(
        std::process::Command::new(bin())
            .args(["query", "--follow", "--poll", "1", "--format", "jsonl"])
            .arg(dir.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let rx = lines_of(&mut child.0);
    wait_line(&rx, "first-1", Duration::from_secs(10));
    write(
        dir.path(),
        &format!("{day}/b.json.gz"),
        records(&[event(
            "second-1",
            "PutObject",
            "zoe",
            "2024-03-01T10:05:00Z",
        )]),
    );
    let took = wait_line(&rx, "second-1", Duration::from_secs(2));
    assert!(took < Duration::from_secs(2), "{took:?}");
    // A second delivery of the same event is not printed again.
    write(
        dir.path(),
        &format!("{day}/c.json.gz"),
        records(&[
            event("second-1", "PutObject", "zoe", "2024-03-01T10:05:00Z"),
            event("third-1", "PutObject", "zoe", "2024-03-01T10:06:00Z"),
        ]),
    );
    wait_line(&rx, "third-1", Duration::from_secs(3));
    assert!(rx.try_recv().is_err());
}

#[test]
fn query_follow_prints_new_s3_deliveries_within_two_polls() {
    let moto = Moto::start();
    let today = chrono::Utc::now();
    let day = format!(
        "AWSLogs/111122223333/CloudTrail/us-east-1/{}",
        today.format("%Y/%m/%d")
    );
    let at = |min: u32| {
        (today - chrono::Duration::minutes(min as i64))
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    };
    // CloudTrail's names: the minute written, then a random suffix.
    let stamp = today.format("%Y%m%dT%H%MZ");
    let name =
        |suffix: &str| format!("{day}/111122223333_CloudTrail_us-east-1_{stamp}_{suffix}.json.gz");
    moto.put(
        BUCKET,
        &name("M5"),
        &records(&[event("first-1", "GetObject", "zoe", &at(10))]),
    );
    let mut child = Killed(
        moto.command(&[
            "query",
            "--follow",
            "--poll",
            "2",
            "--format",
            "jsonl",
            &format!("s3://{BUCKET}"),
        ])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap(),
    );
    let rx = lines_of(&mut child.0);
    wait_line(&rx, "first-1", Duration::from_secs(15));
    moto.put(
        BUCKET,
        &name("Z9"),
        &records(&[event("second-1", "PutObject", "zoe", &at(1))]),
    );
    let took = wait_line(&rx, "second-1", Duration::from_secs(5));
    assert!(took <= Duration::from_secs(4), "{took:?}");
    // Written in the same minute, its suffix sorts before the newest key seen: a
    // listing strictly after that key would never see it.
    moto.put(
        BUCKET,
        &name("A0"),
        &records(&[event("third-1", "PutObject", "zoe", &at(1))]),
    );
    let took = wait_line(&rx, "third-1", Duration::from_secs(5));
    assert!(took <= Duration::from_secs(4), "{took:?}");
    // Later polls list from shortly before the newest key, and an object seen
    // once is never fetched again.
    std::thread::sleep(Duration::from_secs(3));
    let from_start = moto
        .listings()
        .iter()
        .filter(|(p, d)| !d && p.ends_with(&format!("{}/", today.format("%d"))))
        .count();
    assert!(from_start >= 2);
    assert!(
        moto.requests().iter().any(|r| r.contains("start-after=")),
        "{:#?}",
        moto.requests()
    );
    for suffix in ["M5", "Z9", "A0"] {
        let gets = moto.gets();
        let n = gets
            .iter()
            .filter(|g| g.ends_with(&format!("_{suffix}.json.gz")))
            .count();
        assert_eq!(n, 1, "{suffix}: {gets:#?}");
    }
}

#[test]
fn keys_with_control_characters_spaces_and_plus_signs_list_and_load() {
    let moto = Moto::start();
    let day = "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/01";
    let keys = [
        format!("{day}/esc\u{1b}[31m.json"),
        format!("{day}/with space.json"),
        format!("{day}/a+b%41.json"),
        format!("{day}/caf\u{e9}.json"),
    ];
    for (i, key) in keys.iter().enumerate() {
        let body = records(&[event(
            &format!("odd-{i}"),
            "GetObject",
            "zoe",
            "2024-03-01T00:00:00Z",
        )]);
        moto.put(BUCKET, key, &body);
    }
    let r = moto.run(&["stats", "--format", "json", &format!("s3://{BUCKET}")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(stats(&r)["events"], keys.len(), "{}", r.stderr);
    // The control character never reaches the terminal, even in a message.
    assert!(!r.stderr.contains('\u{1b}') && !r.stdout.contains('\u{1b}'));
}

#[test]
fn ctrl_c_stops_downloads_within_100_ms_and_leaves_no_temporary_copies() {
    let dir = tree();
    let moto = Moto::start();
    moto.put_tree(BUCKET, dir.path(), "");
    let tmp = tempfile::tempdir().unwrap();
    let mut child = Killed(
        moto.command(&[
            "stats",
            "--no-cache",
            "--s3-concurrency",
            "1",
            &format!("s3://{BUCKET}"),
        ])
        .env("TMPDIR", tmp.path())
        .spawn()
        .unwrap(),
    );
    let start = Instant::now();
    while moto.gets().len() < 3 {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no download started"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let pid = child.0.id().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let sent = Instant::now();
    let status = loop {
        if let Some(s) = child.0.try_wait().unwrap() {
            break s;
        }
        assert!(
            sent.elapsed() < Duration::from_secs(5),
            "still running after Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(2));
    };
    let took = sent.elapsed();
    assert!(took < Duration::from_millis(100), "{took:?}");
    assert_eq!(status.code(), Some(130));
    let total = walk_count(dir.path());
    assert!(
        moto.gets().len() < total,
        "interrupted before every object was fetched"
    );
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}

fn walk_count(d: &Path) -> usize {
    std::fs::read_dir(d)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            if p.is_dir() { walk_count(&p) } else { 1 }
        })
        .sum()
}
